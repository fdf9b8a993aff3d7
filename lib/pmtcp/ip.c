/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 input validation (net/ipv4/ip_input.c: ip_rcv(), ip_rcv_finish(),
 * ip_local_deliver()), the martian address checks of the input route
 * (net/ipv4/route.c: ip_route_input_slow()), checksums, and the route
 * lookup pmtcp needs: the connected subnet of each interface plus an
 * optional gateway.
 */
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "tcp.h"

/* include/linux/in.h: ipv4_is_*(), on host-order addresses */
#define V4_ZERONET(a)   (((a) & 0xff000000u) == 0x00000000u)  /* 0/8 */
#define V4_LOOPBACK(a)  (((a) & 0xff000000u) == 0x7f000000u)  /* 127/8 */
#define V4_MULTICAST(a) (((a) & 0xf0000000u) == 0xe0000000u)  /* 224/4 */
#define V4_BADCLASS(a)  (((a) & 0xf0000000u) == 0xf0000000u)  /* 240/4 */
#define V4_LBCAST(a)    ((a) == 0xffffffffu)                   /* 255.255.255.255 */

/*
 * The broadcast addresses fib_add_ifaddr() puts in the local table for an
 * interface's subnet, when its prefix is shorter than 31: the all-ones and
 * the all-zeros host. Only an address on that subnet can be one; an
 * address reached through the gateway is unicast, whatever its last bits.
 */
static inline bool
iface_subnet_bcast(const struct pmtcp_iface *ifc, uint32_t addr)
{
	uint32_t host = addr & ~ifc->mask;

	if (ifc->conf.prefix_len >= 31 ||
	    (addr & ifc->mask) != (ifc->conf.addr & ifc->mask))
		return false;
	return host == 0 || host == ~ifc->mask;
}

bool
pmtcp_ip_subnet_bcast(const struct pmtcp_stack *st, uint32_t addr)
{
	for (uint16_t i = 0; i < st->n_ifaces; i++)
		if (iface_subnet_bcast(&st->ifaces[i], addr))
			return true;
	return false;
}

/*
 * The source checks of ip_route_input_slow() and fib_validate_source():
 * multicast or limited broadcast, 0/8 (except towards the limited
 * broadcast, which TCP never takes), loopback (route_localnet 0), one of
 * our own addresses (accept_local 0), or a connected subnet's broadcast
 * (which fib_validate_source() refuses when rp_filter is on). Class E
 * (240/4) is refused too: see docs/architecture.md.
 */
static inline bool
ip_martian_src(const struct pmtcp_stack *st, const struct pmtcp_iface *rx,
	       uint32_t saddr)
{
	uint32_t s = rte_be_to_cpu_32(saddr);

	/* 224/4, 240/4 and 255.255.255.255 at once */
	if (s >= 0xe0000000u || V4_ZERONET(s) || V4_LOOPBACK(s) ||
	    pmtcp_iface_is_local(rx, saddr))
		return true;
	/* the other interfaces' addresses are not martian here: two ports
	 * of one stack may be wired to each other (the loopback pair) */
	for (uint16_t i = 0; i < st->n_ifaces; i++)
		if (iface_subnet_bcast(&st->ifaces[i], saddr))
			return true;
	return false;
}

/*
 * ip_route_input_slow() for a destination that is not the receiving
 * interface's address, on a host that does not forward: the drop reason,
 * in Linux's order. A multicast destination goes first
 * (ip_route_input_rcu(): no group is joined), then the "most weird
 * martians, which can be not detected by fib_lookup", then what
 * fib_lookup() finds.
 */
static enum pmtcp_drop_reason
ip_route_input_foreign(struct pmtcp_stack *st, const struct pmtcp_iface *rx,
		       uint32_t saddr, uint32_t daddr)
{
	uint32_t s = rte_be_to_cpu_32(saddr), d = rte_be_to_cpu_32(daddr);

	if (V4_MULTICAST(d))
		return PMTCP_DROP_IP_MARTIAN_DST;
	if (V4_MULTICAST(s) || V4_LBCAST(s))
		return PMTCP_DROP_IP_MARTIAN_SRC;
	if (V4_LBCAST(d) || (s == 0 && d == 0))
		goto brd_input;
	/* "Accept zero addresses only to limited broadcast" */
	if (V4_ZERONET(s))
		return PMTCP_DROP_IP_MARTIAN_SRC;
	if (V4_ZERONET(d) || V4_LOOPBACK(d))
		return PMTCP_DROP_IP_MARTIAN_DST;
	if (V4_LOOPBACK(s))
		return PMTCP_DROP_IP_MARTIAN_SRC;
	/* fib_lookup(): RTN_BROADCAST of a connected subnet */
	if (pmtcp_ip_subnet_bcast(st, daddr))
		goto brd_input;
	/* Unicast, and not this interface's address: ip_error() counts it
	 * (we do not forward). Class E is routed as unicast by Linux too,
	 * but named here. Another interface's address (RTN_LOCAL) lands
	 * here as well: pmtcp answers on the interface that owns it only. */
	MIB_INC(st, Ip, InAddrErrors);
	return V4_BADCLASS(d) ? PMTCP_DROP_IP_MARTIAN_DST : PMTCP_DROP_IP_NOT_OURS;

brd_input:
	/* fib_validate_source() unless the source is 0/8; then delivered as
	 * a broadcast, which TCP never takes: tcp_v4_conn_request() drops a
	 * SYN and tcp_v4_send_reset() answers nothing routed RTN_BROADCAST */
	if (!V4_ZERONET(s) && ip_martian_src(st, rx, saddr))
		return PMTCP_DROP_IP_MARTIAN_SRC;
	return PMTCP_DROP_IP_MARTIAN_DST;
}

/*
 * ip_rcv(): RFC 1122 section 3.2.1 - discard on bad version, header
 * length, total length or checksum; fragments are not reassembled.
 * Consumes @m. Returns 0 when handed to TCP, -1 when dropped.
 */
int
pmtcp_ipv4_rcv(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
	       struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *iph;
	uint32_t avail, ihl, tot_len;

	MIB_INC(st, Ip, InReceives);
	avail = rte_pktmbuf_data_len(m);
	if (unlikely(avail < RTE_ETHER_HDR_LEN + sizeof(*iph))) {
		MIB_INC(st, Ip, InHdrErrors);
		pmtcp_drop(st, m, PMTCP_DROP_IP_SHORT);
		return -1;
	}
	avail -= RTE_ETHER_HDR_LEN;
	iph = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	if (unlikely((iph->version_ihl >> 4) != 4)) {
		MIB_INC(st, Ip, InHdrErrors);
		pmtcp_drop(st, m, PMTCP_DROP_IP_VERSION);
		return -1;
	}
	ihl = (uint32_t)(iph->version_ihl & 0xf) * 4;
	if (unlikely(ihl < sizeof(*iph) || ihl > avail)) {
		MIB_INC(st, Ip, InHdrErrors);
		pmtcp_drop(st, m, PMTCP_DROP_IP_IHL);
		return -1;
	}
	tot_len = rte_be_to_cpu_16(iph->total_length);
	if (unlikely(tot_len < ihl ||
		     tot_len > rte_pktmbuf_pkt_len(m) - RTE_ETHER_HDR_LEN)) {
		MIB_INC(st, Ip, InHdrErrors);
		pmtcp_drop(st, m, PMTCP_DROP_IP_LEN);
		return -1;
	}
	/* Ethernet pads short frames: cut the mbuf at the IP length */
	if (rte_pktmbuf_pkt_len(m) > tot_len + RTE_ETHER_HDR_LEN)
		rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - tot_len -
				 RTE_ETHER_HDR_LEN);

	if (ifc->conf.rx_cksum &&
	    (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) ==
	    RTE_MBUF_F_RX_IP_CKSUM_GOOD) {
		/* verified by the NIC */
	} else if ((ifc->conf.rx_cksum &&
		    (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) ==
		    RTE_MBUF_F_RX_IP_CKSUM_BAD) ||
		   rte_raw_cksum(iph, ihl) != 0xffff) {
		MIB_INC(st, Ip, InHdrErrors);
		pmtcp_drop(st, m, PMTCP_DROP_IP_CSUM);
		return -1;
	}
	/* ip_rcv_finish(): the input route, then ip_local_deliver() */
	if (unlikely(!pmtcp_iface_is_local(ifc, iph->dst_addr))) {
		pmtcp_drop(st, m, ip_route_input_foreign(st, ifc, iph->src_addr,
							 iph->dst_addr));
		return -1;
	}
	/* RTN_LOCAL: the source must not be a martian either */
	if (unlikely(ip_martian_src(st, ifc, iph->src_addr))) {
		pmtcp_drop(st, m, PMTCP_DROP_IP_MARTIAN_SRC);
		return -1;
	}
	if (unlikely((iph->fragment_offset &
		      RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0)) {
		MIB_INC(st, Ip, ReasmFails);
		MIB_INC(st, Ip, InDiscards);
		pmtcp_drop(st, m, PMTCP_DROP_IP_FRAG);
		return -1;
	}
	if (unlikely(iph->next_proto_id != IPPROTO_TCP)) {
		MIB_INC(st, Ip, InUnknownProtos);
		pmtcp_drop(st, m, PMTCP_DROP_IP_PROTO);
		return -1;
	}
	MIB_INC(st, Ip, InDelivers);
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = ihl;
	pmtcp_tcp_v4_rcv(st, ifc, m);
	return 0;
}

/*
 * tcp_checksum_complete() lets a CHECKSUM_PARTIAL skb through
 * (skb_csum_unnecessary()): a segment that a local kernel sent with
 * checksum offload on, whose TCP checksum field holds only the
 * pseudo-header sum, folded and not complemented (__tcp_v4_send_check()).
 * af_packet and tap hand such a frame over as it is and say nothing of
 * its state, so pmtcp knows it by that exact value, on an interface that
 * allows it (rx_csum_partial).
 */
bool
pmtcp_tcp_csum_partial(const struct pmtcp_iface *ifc,
		       const struct rte_ipv4_hdr *iph,
		       const struct rte_tcp_hdr *th)
{
	return ifc->conf.rx_csum_partial &&
		th->cksum == rte_ipv4_phdr_cksum(iph, 0);
}

uint32_t
pmtcp_route_nexthop(const struct pmtcp_iface *ifc, uint32_t daddr)
{
	if ((daddr & ifc->mask) == (ifc->conf.addr & ifc->mask))
		return daddr;
	return ifc->conf.gateway;
}

/* ip_route_connect(): the first interface whose subnet holds @daddr, else
 * the first with a gateway. */
struct pmtcp_iface *
pmtcp_route_lookup(struct pmtcp_stack *st, uint32_t daddr, uint32_t *nexthop)
{
	struct pmtcp_iface *gw = NULL;

	for (uint16_t i = 0; i < st->n_ifaces; i++) {
		struct pmtcp_iface *ifc = &st->ifaces[i];

		if ((daddr & ifc->mask) == (ifc->conf.addr & ifc->mask)) {
			*nexthop = daddr;
			return ifc;
		}
		if (gw == NULL && ifc->conf.gateway != 0)
			gw = ifc;
	}
	if (gw != NULL)
		*nexthop = gw->conf.gateway;
	return gw;
}
