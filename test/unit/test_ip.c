/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 and TCP header validation (ip.c: pmtcp_ipv4_rcv, tcp_ipv4.c:
 * pmtcp_tcp_v4_rcv, stack.c: the Ethernet demux): each malformed frame
 * is dropped for its own reason, moves its counters and gets no answer;
 * the frames that are valid (Ethernet padding, IP options) are answered,
 * with checksums computed in software that verify.
 *
 * The stack under test sits on t_port[0] (198.18.0.2); what it sends is
 * read from t_port[1]. The peer is 198.18.0.1 with t_port[1]'s MAC.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>

#include "test_common.h"

#define ST_IP T_IP(198, 18, 0, 2)
#define PEER_IP T_IP(198, 18, 0, 1)
#define CLOSED_PORT 9
#define PEER_PORT 40000
#define PEER_SEQ 0x11223344U

#define BURST 64

/* Poll, read what the stack sent, check every frame's checksums. */
static uint16_t
poll_rx(struct pmtcp_stack *st, struct rte_mbuf **pkts)
{
	uint16_t n;

	pmtcp_stack_poll(st, rte_rdtsc());
	n = t_rx(1, pkts, BURST);
	for (uint16_t i = 0; i < n; i++) {
		const struct rte_ether_hdr *eh =
			rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *);

		if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4))
			assert_true(t_csum_ok(pkts[i]));
	}
	return n;
}

/* A SYN from the peer to a closed port (or @flags). */
static struct rte_mbuf *
peer_seg(uint8_t flags)
{
	struct t_seg s;

	memset(&s, 0, sizeof(s));
	t_mac(1, &s.src_mac);
	t_mac(0, &s.dst_mac);
	s.saddr = PEER_IP;
	s.daddr = ST_IP;
	s.sport = PEER_PORT;
	s.dport = CLOSED_PORT;
	s.seq = PEER_SEQ;
	s.ack = 0;
	s.flags = flags;
	s.win = 65535;
	return t_build_tcp(&s);
}

static void
ip_recsum(struct rte_ipv4_hdr *iph)
{
	iph->hdr_checksum = 0;
	iph->hdr_checksum = rte_ipv4_cksum(iph);
}

static void
tcp_recsum(struct rte_mbuf *m)
{
	struct rte_tcp_hdr *th = t_tcp(m);

	th->cksum = 0;
	th->cksum = rte_ipv4_udptcp_cksum(t_ip(m), th);
}

/* Feed @m, expect exactly one drop for @reason (and no other drop
 * reason moved) and nothing sent back. */
static void
expect_drop(struct pmtcp_stack *st, struct rte_mbuf *m,
	    enum pmtcp_drop_reason reason)
{
	struct pmtcp_mib before = *pmtcp_stack_mib(st);
	const struct pmtcp_mib *after;
	struct rte_mbuf *pkts[BURST];

	t_input_one(st, m);
	after = pmtcp_stack_mib(st);
	for (unsigned int r = 0; r < PMTCP_DROP_MAX; r++) {
		uint64_t want = before.drop[r] + (r == (unsigned int)reason);

		if (after->drop[r] != want)
			print_error("drop %s: %lu, expected %lu\n",
				    pmtcp_drop_name(r),
				    (unsigned long)after->drop[r],
				    (unsigned long)want);
		assert_int_equal(after->drop[r], want);
	}
	assert_int_equal(poll_rx(st, pkts), 0);
	assert_int_equal(after->mib[PMTCP_MIB_Tcp_OutRsts],
			 before.mib[PMTCP_MIB_Tcp_OutRsts]);
}

/* Check @m is the RST|ACK answering a SYN (seq PEER_SEQ) to the closed
 * port: RFC 9293 3.10.7.1, seq 0, ack SEG.SEQ + SEG.LEN. */
static void
assert_rst_for_syn(struct rte_mbuf *m)
{
	struct rte_ether_addr our_mac, peer_mac;
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *iph = t_ip(m);
	const struct rte_tcp_hdr *th = t_tcp(m);

	t_mac(0, &our_mac);
	t_mac(1, &peer_mac);
	assert_memory_equal(&eh->dst_addr, &peer_mac, RTE_ETHER_ADDR_LEN);
	assert_memory_equal(&eh->src_addr, &our_mac, RTE_ETHER_ADDR_LEN);
	assert_int_equal(rte_pktmbuf_pkt_len(m), RTE_ETHER_HDR_LEN + 40);
	assert_int_equal(iph->version_ihl, 0x45);
	assert_int_equal(rte_be_to_cpu_16(iph->total_length), 40);
	assert_int_equal(iph->fragment_offset, RTE_BE16(RTE_IPV4_HDR_DF_FLAG));
	assert_int_equal(iph->time_to_live, 64);
	assert_int_equal(iph->next_proto_id, IPPROTO_TCP);
	assert_int_equal(iph->src_addr, ST_IP);
	assert_int_equal(iph->dst_addr, PEER_IP);
	assert_int_equal(rte_be_to_cpu_16(th->src_port), CLOSED_PORT);
	assert_int_equal(rte_be_to_cpu_16(th->dst_port), PEER_PORT);
	assert_int_equal(th->tcp_flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(rte_be_to_cpu_32(th->sent_seq), 0);
	assert_int_equal(rte_be_to_cpu_32(th->recv_ack), PEER_SEQ + 1);
	assert_int_equal(th->data_off, 5 << 4);
	assert_int_equal(th->rx_win, 0);
	assert_true(t_csum_ok(m));
}

static void
test_ip_version(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = t_stack(0, ST_IP, NULL);
	struct rte_mbuf *m = peer_seg(RTE_TCP_SYN_FLAG);

	(void)state;
	t_ip(m)->version_ihl = 0x65;
	ip_recsum(t_ip(m));
	expect_drop(st, m, PMTCP_DROP_IP_VERSION);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InReceives), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InHdrErrors), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InDelivers), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InSegs), 0);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

static void
test_ip_ihl(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = t_stack(0, ST_IP, NULL);
	struct rte_mbuf *m;

	(void)state;
	/* IHL 4: shorter than the fixed header */
	m = peer_seg(RTE_TCP_SYN_FLAG);
	t_ip(m)->version_ihl = 0x44;
	t_ip(m)->hdr_checksum = 0;
	t_ip(m)->hdr_checksum = ~rte_raw_cksum(t_ip(m), 20);
	expect_drop(st, m, PMTCP_DROP_IP_IHL);
	/* IHL 15 (60 bytes) in a 40-byte packet */
	m = peer_seg(RTE_TCP_SYN_FLAG);
	t_ip(m)->version_ihl = 0x4f;
	expect_drop(st, m, PMTCP_DROP_IP_IHL);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InHdrErrors), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InReceives), 2);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

static void
test_ip_total_length(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = t_stack(0, ST_IP, NULL);
	struct rte_mbuf *m;

	(void)state;
	/* one byte beyond the frame */
	m = peer_seg(RTE_TCP_SYN_FLAG);
	t_ip(m)->total_length = RTE_BE16(41);
	ip_recsum(t_ip(m));
	expect_drop(st, m, PMTCP_DROP_IP_LEN);
	/* far beyond */
	m = peer_seg(RTE_TCP_SYN_FLAG);
	t_ip(m)->total_length = RTE_BE16(1500);
	ip_recsum(t_ip(m));
	expect_drop(st, m, PMTCP_DROP_IP_LEN);
	/* below the header length */
	m = peer_seg(RTE_TCP_SYN_FLAG);
	t_ip(m)->total_length = RTE_BE16(19);
	ip_recsum(t_ip(m));
	expect_drop(st, m, PMTCP_DROP_IP_LEN);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InHdrErrors), 3);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

static void
test_ip_bad_checksum(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = t_stack(0, ST_IP, NULL);
	struct rte_mbuf *m;

	(void)state;
	m = peer_seg(RTE_TCP_SYN_FLAG);
	t_ip(m)->hdr_checksum ^= RTE_BE16(0x0101);
	expect_drop(st, m, PMTCP_DROP_IP_CSUM);
	/* a changed TTL without a new checksum */
	m = peer_seg(RTE_TCP_SYN_FLAG);
	t_ip(m)->time_to_live = 63;
	expect_drop(st, m, PMTCP_DROP_IP_CSUM);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InHdrErrors), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InSegs), 0);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

static void
test_ip_fragment(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = t_stack(0, ST_IP, NULL);
	struct rte_mbuf *m;

	(void)state;
	/* first fragment: MF set, offset 0 */
	m = peer_seg(RTE_TCP_SYN_FLAG);
	t_ip(m)->fragment_offset = RTE_BE16(RTE_IPV4_HDR_MF_FLAG);
	ip_recsum(t_ip(m));
	expect_drop(st, m, PMTCP_DROP_IP_FRAG);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_ReasmFails), 1);
	/* last fragment: offset 185 (1480 bytes), MF clear */
	m = peer_seg(RTE_TCP_SYN_FLAG);
	t_ip(m)->fragment_offset = RTE_BE16(185);
	ip_recsum(t_ip(m));
	expect_drop(st, m, PMTCP_DROP_IP_FRAG);
	/* DF alone is not a fragment: the SYN gets its RST */
	m = peer_seg(RTE_TCP_SYN_FLAG);
	assert_int_equal(t_ip(m)->fragment_offset, RTE_BE16(RTE_IPV4_HDR_DF_FLAG));
	t_input_one(st, m);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_ReasmFails), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InDiscards), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InDelivers), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutRsts), 1);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

static void
test_ip_not_ours(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = t_stack(0, ST_IP, NULL);
	struct rte_mbuf *m;

	(void)state;
	m = peer_seg(RTE_TCP_SYN_FLAG);
	t_ip(m)->dst_addr = T_IP(198, 18, 0, 3);
	ip_recsum(t_ip(m));
	tcp_recsum(m);
	expect_drop(st, m, PMTCP_DROP_IP_NOT_OURS);
	/* x.x.x.255 off the subnet is a unicast address like any other */
	m = peer_seg(RTE_TCP_SYN_FLAG);
	t_ip(m)->dst_addr = T_IP(198, 18, 1, 255);
	ip_recsum(t_ip(m));
	tcp_recsum(m);
	expect_drop(st, m, PMTCP_DROP_IP_NOT_OURS);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InAddrErrors), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InHdrErrors), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InSegs), 0);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* A stack on t_port[0] with @addr/@prefix, @gw (0: none) and
 * rx_csum_partial = @partial. */
static struct pmtcp_stack *
ip_stack(uint32_t addr, uint8_t prefix, uint32_t gw, bool partial)
{
	struct pmtcp_stack_conf c;
	struct pmtcp_iface_conf ic;
	struct pmtcp_stack *st;

	pmtcp_stack_conf_init(&c);
	c.max_conns = 1024;
	c.pool = t_pool;
	st = pmtcp_stack_create(&c);
	assert_non_null(st);
	memset(&ic, 0, sizeof(ic));
	ic.port_id = t_port[0];
	ic.addr = addr;
	ic.prefix_len = prefix;
	ic.gateway = gw;
	ic.mtu = 1500;
	ic.rx_csum_partial = partial;
	t_mac(0, &ic.mac);
	assert_int_equal(pmtcp_stack_add_iface(st, &ic), 0);
	return st;
}

/* A SYN from @saddr to @daddr (port CLOSED_PORT), checksums right. */
static struct rte_mbuf *
addr_seg(uint32_t saddr, uint32_t daddr)
{
	struct rte_mbuf *m = peer_seg(RTE_TCP_SYN_FLAG);

	t_ip(m)->src_addr = saddr;
	t_ip(m)->dst_addr = daddr;
	ip_recsum(t_ip(m));
	tcp_recsum(m);
	return m;
}

/* ip_route_input_slow(): martian destinations, each dropped for
 * IP_MARTIAN_DST without an answer and before TCP. Only class E, which
 * Linux routes as unicast, counts IpInAddrErrors. */
static void
test_ip_martian_dst(void **state)
{
	static const struct {
		uint32_t daddr;
		bool addr_err;
	} cases[] = {
		{ T_IP(0, 0, 0, 0), false },
		{ T_IP(0, 1, 2, 3), false },
		{ T_IP(127, 0, 0, 1), false },
		{ T_IP(127, 255, 0, 2), false },
		{ T_IP(224, 0, 0, 1), false },
		{ T_IP(239, 255, 255, 250), false },
		{ T_IP(255, 255, 255, 255), false },
		{ T_IP(198, 18, 0, 255), false },  /* the subnet's broadcast */
		{ T_IP(198, 18, 0, 0), false },    /* its all-zeros host */
		{ T_IP(240, 0, 0, 1), true },
		{ T_IP(254, 1, 2, 3), true },
	};
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = t_stack(0, ST_IP, NULL);
	uint64_t addr_errs = 0;

	(void)state;
	assert_int_equal(pmtcp_listen(st, CLOSED_PORT), 0);
	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		expect_drop(st, addr_seg(PEER_IP, cases[i].daddr),
			    PMTCP_DROP_IP_MARTIAN_DST);
		addr_errs += cases[i].addr_err;
		assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InAddrErrors), addr_errs);
	}
	assert_int_equal(t_drop(st, PMTCP_DROP_IP_MARTIAN_DST), RTE_DIM(cases));
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InAddrErrors), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InReceives), RTE_DIM(cases));
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InDelivers), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InSegs), 0);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* Martian sources to our own address, at a listener: no SYN_RECV, no
 * SYN-ACK, no RST, and IpInAddrErrors untouched (the destination is ours). */
static void
test_ip_martian_src(void **state)
{
	static const uint32_t srcs[] = {
		T_IP(0, 0, 0, 0), T_IP(0, 9, 9, 9),
		T_IP(127, 0, 0, 1), T_IP(127, 1, 2, 3),
		T_IP(224, 0, 0, 5), T_IP(239, 1, 1, 1),
		T_IP(240, 0, 0, 1), T_IP(255, 255, 255, 254),
		T_IP(255, 255, 255, 255),
		ST_IP,                    /* the receiving interface's */
		T_IP(198, 18, 0, 255),    /* the subnet's broadcast */
		T_IP(198, 18, 0, 0),      /* and its all-zeros host */
		T_IP(198, 18, 5, 255),    /* the other subnet's broadcast */
	};
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = t_stack(0, ST_IP, NULL);
	struct pmtcp_iface_conf ic;
	struct rte_mbuf *pkts[BURST], *m;
	uint16_t n;

	(void)state;
	memset(&ic, 0, sizeof(ic));
	ic.port_id = t_port[0];
	ic.addr = T_IP(198, 18, 5, 1);
	ic.prefix_len = 24;
	ic.mtu = 1500;
	t_mac(0, &ic.mac);
	assert_int_equal(pmtcp_stack_add_iface(st, &ic), 1);
	assert_int_equal(pmtcp_listen(st, CLOSED_PORT), 0);
	for (unsigned int i = 0; i < RTE_DIM(srcs); i++)
		expect_drop(st, addr_seg(srcs[i], ST_IP), PMTCP_DROP_IP_MARTIAN_SRC);
	assert_int_equal(t_drop(st, PMTCP_DROP_IP_MARTIAN_SRC), RTE_DIM(srcs));
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InAddrErrors), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InDelivers), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InSegs), 0);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	/* a fragment from a martian: the source is refused first, as the
	 * route comes before ip_local_deliver()'s reassembly */
	m = addr_seg(T_IP(127, 0, 0, 1), ST_IP);
	t_ip(m)->fragment_offset = RTE_BE16(RTE_IPV4_HDR_MF_FLAG);
	ip_recsum(t_ip(m));
	expect_drop(st, m, PMTCP_DROP_IP_MARTIAN_SRC);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_ReasmFails), 0);
	/* the same subnet's last unicast host, a far source ending in 255
	 * and our other interface's address (two ports of one stack may be
	 * wired together): delivered, and answered (a RST, to the sender's
	 * MAC) */
	assert_int_equal(pmtcp_unlisten(st, CLOSED_PORT), 0);
	t_input_one(st, addr_seg(T_IP(198, 18, 0, 254), ST_IP));
	t_input_one(st, addr_seg(T_IP(10, 1, 2, 255), ST_IP));
	t_input_one(st, addr_seg(T_IP(198, 18, 5, 1), ST_IP));
	n = poll_rx(st, pkts);
	assert_int_equal(n, 3);
	for (uint16_t i = 0; i < n; i++)
		assert_int_equal(t_tcp(pkts[i])->tcp_flags,
				 RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(t_ip(pkts[0])->dst_addr, T_IP(198, 18, 0, 254));
	assert_int_equal(t_ip(pkts[1])->dst_addr, T_IP(10, 1, 2, 255));
	assert_int_equal(t_ip(pkts[2])->dst_addr, T_IP(198, 18, 5, 1));
	t_free(pkts, n);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InDelivers), 3);
	assert_int_equal(t_drop(st, PMTCP_DROP_IP_MARTIAN_SRC), RTE_DIM(srcs) + 1);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* Both addresses martian: Linux's order decides which one is named. */
static void
test_ip_martian_order(void **state)
{
	static const struct {
		uint32_t saddr, daddr;
		enum pmtcp_drop_reason why;
	} cases[] = {
		/* a multicast destination goes first (ip_route_input_rcu()) */
		{ T_IP(127, 0, 0, 1), T_IP(224, 0, 0, 1), PMTCP_DROP_IP_MARTIAN_DST },
		/* then a multicast or broadcast source */
		{ T_IP(224, 0, 0, 1), T_IP(127, 0, 0, 1), PMTCP_DROP_IP_MARTIAN_SRC },
		{ T_IP(255, 255, 255, 255), T_IP(0, 0, 0, 0), PMTCP_DROP_IP_MARTIAN_SRC },
		/* 0.0.0.0 may send to the limited broadcast (DHCP) */
		{ T_IP(0, 0, 0, 0), T_IP(255, 255, 255, 255), PMTCP_DROP_IP_MARTIAN_DST },
		{ T_IP(0, 0, 0, 0), T_IP(0, 0, 0, 0), PMTCP_DROP_IP_MARTIAN_DST },
		/* but to nothing else */
		{ T_IP(0, 1, 1, 1), T_IP(127, 0, 0, 1), PMTCP_DROP_IP_MARTIAN_SRC },
		{ T_IP(0, 0, 0, 0), T_IP(198, 18, 0, 255), PMTCP_DROP_IP_MARTIAN_SRC },
		/* a loopback destination before a loopback source */
		{ T_IP(127, 0, 0, 1), T_IP(127, 0, 0, 2), PMTCP_DROP_IP_MARTIAN_DST },
		/* a broadcast's source is validated (fib_validate_source()) */
		{ ST_IP, T_IP(255, 255, 255, 255), PMTCP_DROP_IP_MARTIAN_SRC },
		{ ST_IP, T_IP(198, 18, 0, 255), PMTCP_DROP_IP_MARTIAN_SRC },
		{ PEER_IP, T_IP(198, 18, 0, 255), PMTCP_DROP_IP_MARTIAN_DST },
		/* a foreign unicast destination is not ours whatever the
		 * (non-weird) source: ip_error() */
		{ T_IP(240, 0, 0, 1), T_IP(198, 18, 0, 7), PMTCP_DROP_IP_NOT_OURS },
		{ ST_IP, T_IP(198, 18, 0, 7), PMTCP_DROP_IP_NOT_OURS },
	};
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = t_stack(0, ST_IP, NULL);

	(void)state;
	for (unsigned int i = 0; i < RTE_DIM(cases); i++)
		expect_drop(st, addr_seg(cases[i].saddr, cases[i].daddr),
			    cases[i].why);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InAddrErrors), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InSegs), 0);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* A /31 (RFC 3021) has no broadcast: both addresses are hosts. A /32 has
 * no neighbour on its subnet at all. */
static void
test_ip_prefix31_no_broadcast(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = ip_stack(ST_IP, 31, 0, false);
	struct rte_mbuf *pkts[BURST];
	uint16_t n;

	(void)state;
	t_input_one(st, addr_seg(T_IP(198, 18, 0, 3), ST_IP));
	n = poll_rx(st, pkts);
	assert_int_equal(n, 1);
	assert_int_equal(t_tcp(pkts[0])->tcp_flags,
			 RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(t_ip(pkts[0])->dst_addr, T_IP(198, 18, 0, 3));
	t_free(pkts, n);
	expect_drop(st, addr_seg(PEER_IP, T_IP(198, 18, 0, 3)),
		    PMTCP_DROP_IP_NOT_OURS);
	assert_int_equal(t_drop(st, PMTCP_DROP_IP_MARTIAN_SRC), 0);
	assert_int_equal(t_drop(st, PMTCP_DROP_IP_MARTIAN_DST), 0);
	/* connect() to the other end of the /31 */
	assert_int_equal(pmtcp_connect(st, T_IP(198, 18, 0, 3), 80, 0, NULL), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_OutNoRoutes), 0);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* tcp_v4_connect()'s route checks: the subnet broadcast test applies to
 * the subnet only; what is reached through the gateway is unicast. */
static void
test_connect_broadcast_through_gateway(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = ip_stack(ST_IP, 24, PEER_IP, false);
	struct pmtcp_iface_conf ic;
	uint64_t noroute = 0;
	struct pmtcp_sock_info info;
	struct pmtcp_sock *sk = NULL;

	(void)state;
	memset(&ic, 0, sizeof(ic));
	ic.port_id = t_port[0];
	ic.addr = T_IP(198, 18, 5, 1);
	ic.prefix_len = 24;
	ic.mtu = 1500;
	t_mac(0, &ic.mac);
	assert_int_equal(pmtcp_stack_add_iface(st, &ic), 1);
	/* off-subnet addresses ending in 255 or 0: through the gateway */
	assert_int_equal(pmtcp_connect(st, T_IP(10, 1, 2, 255), 80, 0, &sk), 0);
	pmtcp_sock_info(sk, &info);
	assert_int_equal(info.daddr, T_IP(10, 1, 2, 255));
	assert_int_equal(info.saddr, ST_IP);
	assert_int_equal(info.state, PMTCP_TCP_SYN_SENT);
	assert_int_equal(pmtcp_connect(st, T_IP(10, 1, 2, 0), 80, 0, NULL), 0);
	assert_int_equal(pmtcp_connect(st, T_IP(198, 19, 255, 255), 80, 0, NULL), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_ActiveOpens), 3);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_OutNoRoutes), 0);
	/* a connected subnet's broadcast and all-zeros host: refused */
	const uint32_t refused[] = {
		T_IP(198, 18, 0, 255), T_IP(198, 18, 0, 0),
		T_IP(198, 18, 5, 255), T_IP(198, 18, 5, 0),
		T_IP(255, 255, 255, 255), T_IP(224, 0, 0, 1),
		T_IP(240, 0, 0, 1), T_IP(127, 0, 0, 1),
		ST_IP, T_IP(198, 18, 5, 1),   /* ourselves, either interface */
	};
	for (unsigned int i = 0; i < RTE_DIM(refused); i++) {
		assert_int_equal(pmtcp_connect(st, refused[i], 80, 0, NULL),
				 -ENETUNREACH);
		assert_int_equal(t_mib(st, PMTCP_MIB_Ip_OutNoRoutes), ++noroute);
	}
	/* 0/8 is no destination */
	assert_int_equal(pmtcp_connect(st, T_IP(0, 1, 2, 3), 80, 0, NULL), -EINVAL);
	assert_int_equal(pmtcp_connect(st, 0, 80, 0, NULL), -EINVAL);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_OutNoRoutes), noroute);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_ActiveOpens), 3);
	assert_int_equal(pmtcp_stack_conn_count(st), 3);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* A segment as a local kernel sends it with TX checksum offload on
 * (CHECKSUM_PARTIAL): the TCP checksum field holds the pseudo-header sum,
 * folded, not complemented. @payload bytes of a pattern. */
static struct rte_mbuf *
partial_seg(uint8_t flags, uint16_t payload, int16_t delta)
{
	struct rte_mbuf *m;
	struct t_seg s;
	uint8_t *p;

	memset(&s, 0, sizeof(s));
	t_mac(1, &s.src_mac);
	t_mac(0, &s.dst_mac);
	s.saddr = PEER_IP;
	s.daddr = ST_IP;
	s.sport = PEER_PORT;
	s.dport = CLOSED_PORT;
	s.seq = PEER_SEQ;
	s.ack = flags & RTE_TCP_ACK_FLAG ? 1 : 0;
	s.flags = flags;
	s.win = 64240;
	s.payload = payload;
	m = t_build_tcp(&s);
	p = rte_pktmbuf_mtod_offset(m, uint8_t *, RTE_ETHER_HDR_LEN + 40);
	for (uint16_t i = 0; i < payload; i++)
		p[i] = (uint8_t)(i * 7 + 1);
	t_tcp(m)->cksum = (uint16_t)(rte_ipv4_phdr_cksum(t_ip(m), 0) + delta);
	return m;
}

/* With rx_csum_partial: the pseudo-header-only checksum is accepted and
 * counted (PmtcpRxCsumPartial); the segment is answered like any other. */
static void
test_csum_partial_accepted(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = ip_stack(ST_IP, 24, 0, true);
	struct rte_mbuf *pkts[BURST], *m;
	uint16_t n;

	(void)state;
	/* what the kernel leaves in the field, checked by hand: the sum of
	 * saddr, daddr, protocol and TCP length, folded */
	m = partial_seg(RTE_TCP_SYN_FLAG, 0, 0);
	{
		const uint8_t *a = (const uint8_t *)&t_ip(m)->src_addr;
		uint32_t sum = 0;

		for (int i = 0; i < 8; i += 2)
			sum += (uint32_t)a[i] << 8 | a[i + 1];
		sum += IPPROTO_TCP + 20;
		while (sum > 0xffff)
			sum = (sum & 0xffff) + (sum >> 16);
		assert_int_equal(rte_be_to_cpu_16(t_tcp(m)->cksum), sum);
		assert_false(t_csum_ok(m));
	}
	t_input_one(st, m);
	/* with 100 bytes of data (ACK|PSH, no socket: RST) */
	t_input_one(st, partial_seg(RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 100, 0));
	n = poll_rx(st, pkts);
	assert_int_equal(n, 2);
	assert_rst_for_syn(pkts[0]);
	assert_int_equal(t_tcp(pkts[1])->tcp_flags, RTE_TCP_RST_FLAG);
	assert_int_equal(rte_be_to_cpu_32(t_tcp(pkts[1])->sent_seq), 1);
	t_free(pkts, n);
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_RxCsumPartial), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InCsumErrors), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InErrs), 0);
	assert_int_equal(t_drop(st, PMTCP_DROP_TCP_NO_SOCKET), 2);
	/* a full, correct checksum is not counted as partial */
	t_input_one(st, peer_seg(RTE_TCP_SYN_FLAG));
	n = poll_rx(st, pkts);
	assert_int_equal(n, 1);
	t_free(pkts, n);
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_RxCsumPartial), 2);
	/* anything else that does not verify: dropped, as always */
	expect_drop(st, partial_seg(RTE_TCP_SYN_FLAG, 0, 1), PMTCP_DROP_TCP_CSUM);
	expect_drop(st, partial_seg(RTE_TCP_SYN_FLAG, 0, -1), PMTCP_DROP_TCP_CSUM);
	m = partial_seg(RTE_TCP_SYN_FLAG, 0, 0);
	t_tcp(m)->cksum = (uint16_t)~t_tcp(m)->cksum;  /* complemented */
	expect_drop(st, m, PMTCP_DROP_TCP_CSUM);
	m = partial_seg(RTE_TCP_SYN_FLAG, 0, 0);
	t_tcp(m)->cksum = 0;
	expect_drop(st, m, PMTCP_DROP_TCP_CSUM);
	/* the pseudo-header of another length (the IP length changed) */
	m = partial_seg(RTE_TCP_ACK_FLAG, 100, 0);
	t_ip(m)->total_length = RTE_BE16(40 + 99);
	ip_recsum(t_ip(m));
	expect_drop(st, m, PMTCP_DROP_TCP_CSUM);
	/* t_build_tcp()'s corrupted checksum */
	{
		struct t_seg s;

		memset(&s, 0, sizeof(s));
		t_mac(1, &s.src_mac);
		t_mac(0, &s.dst_mac);
		s.saddr = PEER_IP;
		s.daddr = ST_IP;
		s.sport = PEER_PORT;
		s.dport = CLOSED_PORT;
		s.flags = RTE_TCP_SYN_FLAG;
		s.bad_csum = 1;
		expect_drop(st, t_build_tcp(&s), PMTCP_DROP_TCP_CSUM);
	}
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InCsumErrors), 6);
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_RxCsumPartial), 2);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* Without rx_csum_partial (the default): the same segments are bad
 * checksums, as on a wire. */
static void
test_csum_partial_refused_by_default(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = ip_stack(ST_IP, 24, 0, false);

	(void)state;
	expect_drop(st, partial_seg(RTE_TCP_SYN_FLAG, 0, 0), PMTCP_DROP_TCP_CSUM);
	expect_drop(st, partial_seg(RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 100, 0),
		    PMTCP_DROP_TCP_CSUM);
	expect_drop(st, partial_seg(RTE_TCP_SYN_FLAG, 0, 1), PMTCP_DROP_TCP_CSUM);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InCsumErrors), 3);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InErrs), 3);
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_RxCsumPartial), 0);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

static void
test_ip_udp(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = t_stack(0, ST_IP, NULL);
	struct rte_mbuf *m;

	(void)state;
	m = peer_seg(RTE_TCP_SYN_FLAG);
	t_ip(m)->next_proto_id = IPPROTO_UDP;
	ip_recsum(t_ip(m));
	expect_drop(st, m, PMTCP_DROP_IP_PROTO);
	m = peer_seg(RTE_TCP_SYN_FLAG);
	t_ip(m)->next_proto_id = IPPROTO_ICMP;
	ip_recsum(t_ip(m));
	expect_drop(st, m, PMTCP_DROP_IP_PROTO);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InUnknownProtos), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InDelivers), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InSegs), 0);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* Ethernet pads a 54-byte frame to 60 (and a NIC may hand over more):
 * the IP total length decides, the padding is neither checksummed nor
 * counted as segment data. */
static void
test_ethernet_padding_accepted(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = t_stack(0, ST_IP, NULL);
	struct rte_mbuf *pkts[BURST], *m;
	uint8_t *pad;
	uint16_t n;

	(void)state;
	m = peer_seg(RTE_TCP_SYN_FLAG);
	pad = (uint8_t *)rte_pktmbuf_append(m, 80 - rte_pktmbuf_pkt_len(m));
	assert_non_null(pad);
	memset(pad, 0xa5, 80 - RTE_ETHER_HDR_LEN - 40);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 80);
	t_input_one(st, m);
	n = poll_rx(st, pkts);
	assert_int_equal(n, 1);
	assert_rst_for_syn(pkts[0]);
	t_free(pkts, n);
	assert_int_equal(t_drop(st, PMTCP_DROP_TCP_NO_SOCKET), 1);
	assert_int_equal(t_drop(st, PMTCP_DROP_IP_LEN), 0);
	assert_int_equal(t_drop(st, PMTCP_DROP_TCP_CSUM), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InDelivers), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InSegs), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutRsts), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_OutRequests), 1);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* IHL 6: four bytes of IP options (NOP NOP NOP EOL) before TCP. */
static void
test_ip_options_accepted(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = t_stack(0, ST_IP, NULL);
	struct rte_mbuf *pkts[BURST], *src, *m;
	struct rte_ipv4_hdr *iph;
	uint8_t *p;
	uint16_t n;

	(void)state;
	src = peer_seg(RTE_TCP_SYN_FLAG);
	m = rte_pktmbuf_alloc(t_pool);
	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, rte_pktmbuf_pkt_len(src) + 4);
	assert_non_null(p);
	memcpy(p, rte_pktmbuf_mtod(src, uint8_t *), RTE_ETHER_HDR_LEN + 20);
	p[RTE_ETHER_HDR_LEN + 20] = 1;
	p[RTE_ETHER_HDR_LEN + 21] = 1;
	p[RTE_ETHER_HDR_LEN + 22] = 1;
	p[RTE_ETHER_HDR_LEN + 23] = 0;
	memcpy(p + RTE_ETHER_HDR_LEN + 24, t_tcp(src), 20);
	rte_pktmbuf_free(src);
	iph = t_ip(m);
	iph->version_ihl = 0x46;
	iph->total_length = RTE_BE16(44);
	ip_recsum(iph);
	assert_int_equal(rte_raw_cksum(iph, 24), 0xffff);
	tcp_recsum(m);
	t_input_one(st, m);
	n = poll_rx(st, pkts);
	assert_int_equal(n, 1);
	assert_rst_for_syn(pkts[0]);
	t_free(pkts, n);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InHdrErrors), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InErrs), 0);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* Frames too short for their headers: no read past the data. */
static void
test_truncated_frames(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = t_stack(0, ST_IP, NULL);
	struct rte_mbuf *m;

	(void)state;
	/* 10 bytes: not even an Ethernet header */
	m = peer_seg(RTE_TCP_SYN_FLAG);
	assert_int_equal(rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - 10), 0);
	expect_drop(st, m, PMTCP_DROP_ETH_SHORT);
	/* 13 bytes: one short of the Ethernet header */
	m = peer_seg(RTE_TCP_SYN_FLAG);
	assert_int_equal(rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - 13), 0);
	expect_drop(st, m, PMTCP_DROP_ETH_SHORT);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InReceives), 0);
	/* 20 bytes: Ethernet + 6 bytes of IPv4 */
	m = peer_seg(RTE_TCP_SYN_FLAG);
	assert_int_equal(rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - 20), 0);
	expect_drop(st, m, PMTCP_DROP_IP_SHORT);
	/* 33 bytes: one short of a full IPv4 header */
	m = peer_seg(RTE_TCP_SYN_FLAG);
	assert_int_equal(rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - 33), 0);
	expect_drop(st, m, PMTCP_DROP_IP_SHORT);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InReceives), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_InHdrErrors), 2);
	/* 44 bytes: IPv4 total length 40 but the TCP header cut at 10:
	 * the total length no longer fits the frame */
	m = peer_seg(RTE_TCP_SYN_FLAG);
	assert_int_equal(rte_pktmbuf_trim(m, 10), 0);
	expect_drop(st, m, PMTCP_DROP_IP_LEN);
	/* neither IPv4 nor ARP */
	m = peer_seg(RTE_TCP_SYN_FLAG);
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type =
		RTE_BE16(RTE_ETHER_TYPE_IPV6);
	expect_drop(st, m, PMTCP_DROP_ETH_PROTO);
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_NonIpFrames), 1);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* TCP data offset below 5 or beyond the segment, and a TCP header cut by
 * the IP total length: TCP_SHORT and Tcp.InErrs, no RST. */
static void
test_tcp_short(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = t_stack(0, ST_IP, NULL);
	struct rte_mbuf *m;

	(void)state;
	m = peer_seg(RTE_TCP_SYN_FLAG);
	t_tcp(m)->data_off = 4 << 4;
	tcp_recsum(m);
	expect_drop(st, m, PMTCP_DROP_TCP_SHORT);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InErrs), 1);

	/* 24 bytes of header claimed, 20 in the segment */
	m = peer_seg(RTE_TCP_SYN_FLAG);
	t_tcp(m)->data_off = 6 << 4;
	tcp_recsum(m);
	expect_drop(st, m, PMTCP_DROP_TCP_SHORT);

	/* data offset 15 (60 bytes) */
	m = peer_seg(RTE_TCP_SYN_FLAG);
	t_tcp(m)->data_off = 15 << 4;
	tcp_recsum(m);
	expect_drop(st, m, PMTCP_DROP_TCP_SHORT);

	/* IP total length 30: 10 bytes of TCP (the rest is "padding") */
	m = peer_seg(RTE_TCP_SYN_FLAG);
	t_ip(m)->total_length = RTE_BE16(30);
	ip_recsum(t_ip(m));
	expect_drop(st, m, PMTCP_DROP_TCP_SHORT);

	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InErrs), 4);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InSegs), 4);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InCsumErrors), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutRsts), 0);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* A bad TCP checksum: TCP_CSUM, InCsumErrors and InErrs, and no RST even
 * though the port is closed (nothing about a corrupt segment is trusted). */
static void
test_tcp_bad_checksum(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = t_stack(0, ST_IP, NULL);
	struct rte_mbuf *m;
	struct t_seg s;

	(void)state;
	memset(&s, 0, sizeof(s));
	t_mac(1, &s.src_mac);
	t_mac(0, &s.dst_mac);
	s.saddr = PEER_IP;
	s.daddr = ST_IP;
	s.sport = PEER_PORT;
	s.dport = CLOSED_PORT;
	s.seq = PEER_SEQ;
	s.flags = RTE_TCP_SYN_FLAG;
	s.win = 65535;
	s.bad_csum = 1;
	expect_drop(st, t_build_tcp(&s), PMTCP_DROP_TCP_CSUM);
	/* with a payload: one flipped payload byte */
	s.bad_csum = 0;
	s.flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
	s.ack = 1;
	s.payload = 100;
	m = t_build_tcp(&s);
	rte_pktmbuf_mtod_offset(m, uint8_t *, RTE_ETHER_HDR_LEN + 40 + 50)[0] ^= 1;
	expect_drop(st, m, PMTCP_DROP_TCP_CSUM);

	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InCsumErrors), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InErrs), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InSegs), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutRsts), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutSegs), 0);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* Every frame the stack builds carries checksums that verify: RSTs, an
 * ARP-resolved SYN, a SYN-ACK with options and its 12-byte TS option. */
static void
test_sent_checksums_verify(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = t_stack(0, ST_IP, NULL);
	static const uint8_t syn_opts[20] = {
		2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7
	};
	struct rte_ether_addr peer_mac;
	struct rte_mbuf *pkts[BURST], *m;
	struct t_seg s;
	uint16_t n, total = 0;

	(void)state;
	t_mac(1, &peer_mac);
	assert_int_equal(pmtcp_listen(st, 80), 0);
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &peer_mac, PEER_IP, NULL,
				  ST_IP));
	/* a SYN (RST|ACK), an ACK (RST), a SYN to the listener (SYN-ACK),
	 * an active open (SYN) */
	t_input_one(st, peer_seg(RTE_TCP_SYN_FLAG));
	m = peer_seg(RTE_TCP_ACK_FLAG);
	t_tcp(m)->recv_ack = RTE_BE32(0xdeadbeef);
	tcp_recsum(m);
	t_input_one(st, m);
	memset(&s, 0, sizeof(s));
	t_mac(1, &s.src_mac);
	t_mac(0, &s.dst_mac);
	s.saddr = PEER_IP;
	s.daddr = ST_IP;
	s.sport = PEER_PORT + 1;
	s.dport = 80;
	s.seq = 12345;
	s.flags = RTE_TCP_SYN_FLAG;
	s.win = 64240;
	s.opts = syn_opts;
	s.optlen = sizeof(syn_opts);
	t_input_one(st, t_build_tcp(&s));
	assert_int_equal(pmtcp_connect(st, PEER_IP, 443, 0, NULL), 0);
	n = poll_rx(st, pkts);   /* asserts t_csum_ok on each IPv4 frame */
	for (uint16_t i = 0; i < n; i++) {
		const struct rte_ether_hdr *eh =
			rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *);

		if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
			total++;
			assert_int_equal(rte_raw_cksum(t_ip(pkts[i]), 20), 0xffff);
		}
	}
	assert_int_equal(n, 5);       /* ARP reply + 4 TCP */
	assert_int_equal(total, 4);
	t_free(pkts, n);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_OutRequests), 4);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip_version),
		cmocka_unit_test(test_ip_ihl),
		cmocka_unit_test(test_ip_total_length),
		cmocka_unit_test(test_ip_bad_checksum),
		cmocka_unit_test(test_ip_fragment),
		cmocka_unit_test(test_ip_not_ours),
		cmocka_unit_test(test_ip_martian_dst),
		cmocka_unit_test(test_ip_martian_src),
		cmocka_unit_test(test_ip_martian_order),
		cmocka_unit_test(test_ip_prefix31_no_broadcast),
		cmocka_unit_test(test_connect_broadcast_through_gateway),
		cmocka_unit_test(test_csum_partial_accepted),
		cmocka_unit_test(test_csum_partial_refused_by_default),
		cmocka_unit_test(test_ip_udp),
		cmocka_unit_test(test_ethernet_padding_accepted),
		cmocka_unit_test(test_ip_options_accepted),
		cmocka_unit_test(test_truncated_frames),
		cmocka_unit_test(test_tcp_short),
		cmocka_unit_test(test_tcp_bad_checksum),
		cmocka_unit_test(test_sent_checksums_verify),
	};

	return cmocka_run_group_tests(tests, t_eal_setup, NULL);
}
