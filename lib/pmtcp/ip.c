/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 input validation (net/ipv4/ip_input.c: ip_rcv(), ip_rcv_finish(),
 * ip_local_deliver()), checksums, and the route lookup pmtcp needs: the
 * connected subnet of each interface plus an optional gateway.
 */
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "tcp.h"

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
	if (unlikely((iph->fragment_offset &
		      RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0)) {
		MIB_INC(st, Ip, ReasmFails);
		MIB_INC(st, Ip, InDiscards);
		pmtcp_drop(st, m, PMTCP_DROP_IP_FRAG);
		return -1;
	}
	if (unlikely(iph->dst_addr != ifc->conf.addr)) {
		MIB_INC(st, Ip, InAddrErrors);
		pmtcp_drop(st, m, PMTCP_DROP_IP_NOT_OURS);
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
