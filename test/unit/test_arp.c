/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP and the neighbour table (arp.c): replies to requests for our
 * address, drops for others and for malformed packets, resolution of an
 * unknown next hop with the packets held meanwhile (neigh->arp_queue),
 * the bound on what is held, and freeing what still waits. Then the
 * table as Linux keeps it: what arp_process() learns and what it ignores
 * (unsolicited, off-link, martian senders), aging REACHABLE -> STALE ->
 * gone with the stack clock moved by hand, eviction when full
 * (neigh_forced_gc()), and the "Blinded" finding of issue 9: a flood of
 * spoofed ARP no longer locks new peers out.
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
#define OTHER_IP T_IP(198, 18, 0, 77)

#define BURST 64

/* The ARP header of frame @m. */
static struct rte_arp_hdr *
arp_hdr(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, RTE_ETHER_HDR_LEN);
}

static void
assert_mac_equal(const struct rte_ether_addr *a, const struct rte_ether_addr *b)
{
	assert_memory_equal(a->addr_bytes, b->addr_bytes, RTE_ETHER_ADDR_LEN);
}

/* A request from the peer for our address: exactly one reply, every
 * field as RFC 826 "Packet Reception" swaps them. */
static void
test_request_for_us_replied(void **state)
{
	struct rte_ether_addr our_mac, peer_mac;
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_stack *st;
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;
	unsigned int avail = t_pool_avail();
	uint16_t n;

	(void)state;
	t_mac(0, &our_mac);
	t_mac(1, &peer_mac);
	st = t_stack(0, ST_IP, NULL);
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &peer_mac, PEER_IP, NULL,
				  ST_IP));
	/* nothing leaves before the poll flushes the TX batch */
	assert_int_equal(t_rx(1, pkts, BURST), 0);
	pmtcp_stack_poll(st, rte_rdtsc());
	n = t_rx(1, pkts, BURST);
	assert_int_equal(n, 1);

	assert_int_equal(rte_pktmbuf_pkt_len(pkts[0]),
			 RTE_ETHER_HDR_LEN + sizeof(struct rte_arp_hdr));
	eh = rte_pktmbuf_mtod(pkts[0], struct rte_ether_hdr *);
	assert_mac_equal(&eh->dst_addr, &peer_mac);
	assert_mac_equal(&eh->src_addr, &our_mac);
	assert_int_equal(eh->ether_type, RTE_BE16(RTE_ETHER_TYPE_ARP));
	ah = arp_hdr(pkts[0]);
	assert_int_equal(ah->arp_hardware, RTE_BE16(RTE_ARP_HRD_ETHER));
	assert_int_equal(ah->arp_protocol, RTE_BE16(RTE_ETHER_TYPE_IPV4));
	assert_int_equal(ah->arp_hlen, 6);
	assert_int_equal(ah->arp_plen, 4);
	assert_int_equal(ah->arp_opcode, RTE_BE16(RTE_ARP_OP_REPLY));
	assert_mac_equal(&ah->arp_data.arp_sha, &our_mac);
	assert_int_equal(ah->arp_data.arp_sip, ST_IP);
	assert_mac_equal(&ah->arp_data.arp_tha, &peer_mac);
	assert_int_equal(ah->arp_data.arp_tip, PEER_IP);
	t_free(pkts, n);

	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_InRequests), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_OutReplies), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_OutRequests), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_InReplies), 0);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_NOT_OURS), 0);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_MALFORMED), 0);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);

	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* A request for an address that is not ours: no reply, ARP_NOT_OURS,
 * and the sender is not learnt (a later SYN-ACK would wait for ARP). */
static void
test_request_not_ours_dropped(void **state)
{
	struct rte_ether_addr peer_mac;
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_stack *st;
	unsigned int avail = t_pool_avail();

	(void)state;
	t_mac(1, &peer_mac);
	st = t_stack(0, ST_IP, NULL);
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &peer_mac, PEER_IP, NULL,
				  OTHER_IP));
	pmtcp_stack_poll(st, rte_rdtsc());
	assert_int_equal(t_rx(1, pkts, BURST), 0);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_NOT_OURS), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_InRequests), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_OutReplies), 0);

	/* not learnt: a connect to the peer has to ask for it */
	assert_int_equal(pmtcp_connect(st, PEER_IP, 80, 0, NULL), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_OutRequests), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_PendingQueued), 1);

	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* hlen 8, a wrong hardware type, a multicast sender, an unknown opcode
 * and a truncated frame: ARP_MALFORMED, nothing sent, no crash. */
static void
test_malformed_dropped(void **state)
{
	struct rte_ether_addr peer_mac, mcast = {{ 0x01, 0, 0x5e, 0, 0, 1 }};
	struct rte_mbuf *pkts[BURST], *m;
	struct pmtcp_stack *st;
	unsigned int avail = t_pool_avail();

	(void)state;
	t_mac(1, &peer_mac);
	st = t_stack(0, ST_IP, NULL);

	m = t_build_arp(RTE_ARP_OP_REQUEST, &peer_mac, PEER_IP, NULL, ST_IP);
	arp_hdr(m)->arp_hlen = 8;
	t_input_one(st, m);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_MALFORMED), 1);

	m = t_build_arp(RTE_ARP_OP_REQUEST, &peer_mac, PEER_IP, NULL, ST_IP);
	arp_hdr(m)->arp_hardware = RTE_BE16(6);  /* IEEE 802 */
	t_input_one(st, m);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_MALFORMED), 2);

	m = t_build_arp(RTE_ARP_OP_REQUEST, &mcast, PEER_IP, NULL, ST_IP);
	t_input_one(st, m);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_MALFORMED), 3);

	m = t_build_arp(RTE_ARP_OP_REQUEST, &peer_mac, PEER_IP, NULL, ST_IP);
	arp_hdr(m)->arp_opcode = RTE_BE16(3);    /* RARP request */
	t_input_one(st, m);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_MALFORMED), 4);

	/* Ethernet header + 10 bytes of ARP */
	m = t_build_arp(RTE_ARP_OP_REQUEST, &peer_mac, PEER_IP, NULL, ST_IP);
	assert_int_equal(rte_pktmbuf_trim(m, sizeof(struct rte_arp_hdr) - 10), 0);
	assert_int_equal(rte_pktmbuf_pkt_len(m), RTE_ETHER_HDR_LEN + 10);
	t_input_one(st, m);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_MALFORMED), 5);

	/* one byte short of a full ARP packet */
	m = t_build_arp(RTE_ARP_OP_REQUEST, &peer_mac, PEER_IP, NULL, ST_IP);
	assert_int_equal(rte_pktmbuf_trim(m, 1), 0);
	t_input_one(st, m);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_MALFORMED), 6);

	/* the Ethernet header alone */
	m = t_build_arp(RTE_ARP_OP_REQUEST, &peer_mac, PEER_IP, NULL, ST_IP);
	assert_int_equal(rte_pktmbuf_trim(m, sizeof(struct rte_arp_hdr)), 0);
	t_input_one(st, m);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_MALFORMED), 7);

	pmtcp_stack_poll(st, rte_rdtsc());
	assert_int_equal(t_rx(1, pkts, BURST), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_InRequests), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_OutReplies), 0);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_NOT_OURS), 0);

	/* still alive: a good request is answered */
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &peer_mac, PEER_IP, NULL,
				  ST_IP));
	pmtcp_stack_poll(st, rte_rdtsc());
	assert_int_equal(t_rx(1, pkts, BURST), 1);
	assert_int_equal(arp_hdr(pkts[0])->arp_opcode, RTE_BE16(RTE_ARP_OP_REPLY));
	t_free(pkts, 1);

	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* pmtcp_connect() to an unknown neighbour: one broadcast request for the
 * destination, the SYN held; the reply releases it to the right MAC. */
static void
test_connect_resolves_then_sends_syn(void **state)
{
	struct rte_ether_addr our_mac, peer_mac, bcast;
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_stack *st;
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;
	struct rte_tcp_hdr *th;
	struct pmtcp_sock *sk = NULL;
	struct pmtcp_sock_info info;
	unsigned int avail = t_pool_avail();
	uint16_t n;

	(void)state;
	t_mac(0, &our_mac);
	t_mac(1, &peer_mac);
	memset(&bcast, 0xff, sizeof(bcast));
	st = t_stack(0, ST_IP, NULL);
	pmtcp_stack_poll(st, rte_rdtsc());

	assert_int_equal(pmtcp_connect(st, PEER_IP, 80, 7, &sk), 0);
	assert_non_null(sk);
	pmtcp_stack_poll(st, rte_rdtsc());
	n = t_rx(1, pkts, BURST);
	assert_int_equal(n, 1);
	eh = rte_pktmbuf_mtod(pkts[0], struct rte_ether_hdr *);
	assert_int_equal(eh->ether_type, RTE_BE16(RTE_ETHER_TYPE_ARP));
	assert_mac_equal(&eh->dst_addr, &bcast);
	assert_mac_equal(&eh->src_addr, &our_mac);
	ah = arp_hdr(pkts[0]);
	assert_int_equal(ah->arp_hardware, RTE_BE16(RTE_ARP_HRD_ETHER));
	assert_int_equal(ah->arp_protocol, RTE_BE16(RTE_ETHER_TYPE_IPV4));
	assert_int_equal(ah->arp_hlen, 6);
	assert_int_equal(ah->arp_plen, 4);
	assert_int_equal(ah->arp_opcode, RTE_BE16(RTE_ARP_OP_REQUEST));
	assert_mac_equal(&ah->arp_data.arp_sha, &our_mac);
	assert_int_equal(ah->arp_data.arp_sip, ST_IP);
	assert_true(rte_is_zero_ether_addr(&ah->arp_data.arp_tha));
	assert_int_equal(ah->arp_data.arp_tip, PEER_IP);
	t_free(pkts, n);

	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_OutRequests), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_PendingQueued), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_PendingDrops), 0);
	/* the SYN is counted as sent by TCP, but only the ARP is on the wire */
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_ActiveOpens), 1);
	pmtcp_sock_info(sk, &info);
	assert_int_equal(info.state, PMTCP_TCP_SYN_SENT);

	/* the reply: the held SYN goes out, to the peer's MAC */
	t_input_one(st, t_build_arp(RTE_ARP_OP_REPLY, &peer_mac, PEER_IP, &our_mac,
				  ST_IP));
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_InReplies), 1);
	assert_int_equal(t_rx(1, pkts, BURST), 0);
	pmtcp_stack_poll(st, rte_rdtsc());
	n = t_rx(1, pkts, BURST);
	assert_int_equal(n, 1);
	eh = rte_pktmbuf_mtod(pkts[0], struct rte_ether_hdr *);
	assert_int_equal(eh->ether_type, RTE_BE16(RTE_ETHER_TYPE_IPV4));
	assert_mac_equal(&eh->dst_addr, &peer_mac);
	assert_mac_equal(&eh->src_addr, &our_mac);
	assert_int_equal(t_ip(pkts[0])->dst_addr, PEER_IP);
	assert_int_equal(t_ip(pkts[0])->src_addr, ST_IP);
	th = t_tcp(pkts[0]);
	assert_int_equal(th->tcp_flags, RTE_TCP_SYN_FLAG);
	assert_int_equal(rte_be_to_cpu_32(th->sent_seq), info.iss);
	assert_int_equal(rte_be_to_cpu_16(th->dst_port), 80);
	assert_true(t_csum_ok(pkts[0]));
	t_free(pkts, n);
	/* a reply is not answered */
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_OutReplies), 0);

	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* More SYNs than arp_pending_max wait for one neighbour: the extra one
 * is dropped and counted; one ARP request only; the reply releases the
 * held ones, in order. */
static void
test_pending_queue_bounded(void **state)
{
	struct rte_ether_addr our_mac, peer_mac;
	struct pmtcp_stack_conf conf;
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_sock *sk[3];
	struct pmtcp_sock_info info;
	struct pmtcp_stack *st;
	unsigned int avail = t_pool_avail();
	uint16_t n;

	(void)state;
	t_mac(0, &our_mac);
	t_mac(1, &peer_mac);
	pmtcp_stack_conf_init(&conf);
	conf.max_conns = 64;
	conf.arp_pending_max = 2;
	st = t_stack(0, ST_IP, &conf);
	pmtcp_stack_poll(st, rte_rdtsc());

	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(pmtcp_connect(st, PEER_IP, 80, i, &sk[i]), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_PendingQueued), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_PendingDrops), 1);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_PENDING_FULL), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_OutRequests), 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 3);

	pmtcp_stack_poll(st, rte_rdtsc());
	n = t_rx(1, pkts, BURST);
	assert_int_equal(n, 1);   /* the one request */
	assert_int_equal(arp_hdr(pkts[0])->arp_opcode,
			 RTE_BE16(RTE_ARP_OP_REQUEST));
	t_free(pkts, n);

	t_input_one(st, t_build_arp(RTE_ARP_OP_REPLY, &peer_mac, PEER_IP, &our_mac,
				  ST_IP));
	pmtcp_stack_poll(st, rte_rdtsc());
	n = t_rx(1, pkts, BURST);
	assert_int_equal(n, 2);
	for (unsigned int i = 0; i < 2; i++) {
		struct rte_ether_hdr *eh =
			rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);

		assert_mac_equal(&eh->dst_addr, &peer_mac);
		pmtcp_sock_info(sk[i], &info);
		assert_int_equal(t_tcp(pkts[i])->tcp_flags, RTE_TCP_SYN_FLAG);
		assert_int_equal(rte_be_to_cpu_32(t_tcp(pkts[i])->sent_seq),
				 info.iss);
		assert_int_equal(rte_be_to_cpu_16(t_tcp(pkts[i])->src_port),
				 info.sport);
	}
	t_free(pkts, n);

	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* t_stack_free() with SYNs still waiting for ARP frees them. */
static void
test_free_with_pending(void **state)
{
	struct pmtcp_stack_conf conf;
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_stack *st;
	unsigned int avail = t_pool_avail();
	uint16_t n;

	(void)state;
	pmtcp_stack_conf_init(&conf);
	conf.max_conns = 64;
	conf.arp_pending_max = 4;
	st = t_stack(0, ST_IP, &conf);
	pmtcp_stack_poll(st, rte_rdtsc());
	/* two neighbours, held SYNs on both */
	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(pmtcp_connect(st, PEER_IP, 80, i, NULL), 0);
	assert_int_equal(pmtcp_connect(st, T_IP(198, 18, 0, 9), 443, 9, NULL), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_PendingQueued), 4);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_OutRequests), 2);
	/* 4 SYNs held + 2 requests queued for TX */
	assert_int_equal(t_pool_avail(), avail - 6);
	pmtcp_stack_poll(st, rte_rdtsc());
	n = t_rx(1, pkts, BURST);
	assert_int_equal(n, 2);
	t_free(pkts, n);
	assert_int_equal(t_pool_avail(), avail - 4);

	t_stack_free(st);
	assert_int_equal(t_pool_avail(), avail);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* A neighbour that never answers: asked again every retrans_time_ms,
 * FAILED after mcast_solicit requests; the held SYN is dropped and the
 * connection fails with EHOSTUNREACH (neigh_timer_handler ->
 * arp_error_report -> tcp_v4_err in Linux). */
static unsigned int failed_calls;
static int failed_err;
static bool reconnect_in_failed;   /* on_failed() connects again, once */

static void
on_failed(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg)
{
	(void)sk;
	(void)arg;
	failed_calls++;
	failed_err = err;
	if (reconnect_in_failed) {
		reconnect_in_failed = false;
		assert_int_equal(pmtcp_connect(st, OTHER_IP, 80, 3, NULL), 0);
	}
}

static void
test_neigh_failed_host_unreachable(void **state)
{
	struct pmtcp_stack_conf conf;
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_stack *st;
	unsigned int avail = t_pool_avail();
	unsigned int requests = 0;
	uint64_t hz = rte_get_tsc_hz(), start;
	uint16_t n;

	(void)state;
	failed_calls = 0;
	pmtcp_stack_conf_init(&conf);
	conf.max_conns = 64;
	conf.sysctl.neigh_retrans_time_ms = 20;
	conf.sysctl.neigh_mcast_solicit = 3;
	conf.sysctl.tcp_rto_initial_ms = 10000;   /* no SYN retransmission */
	conf.cb.failed = on_failed;
	st = t_stack(0, ST_IP, &conf);
	pmtcp_stack_poll(st, rte_rdtsc());
	assert_int_equal(pmtcp_connect(st, OTHER_IP, 80, 1, NULL), 0);
	start = rte_rdtsc();
	while (failed_calls == 0 && rte_rdtsc() - start < hz) {
		pmtcp_stack_poll(st, rte_rdtsc());
		while ((n = t_rx(1, pkts, BURST)) > 0) {
			for (uint16_t i = 0; i < n; i++) {
				assert_int_equal(arp_hdr(pkts[i])->arp_opcode,
						 RTE_BE16(RTE_ARP_OP_REQUEST));
				assert_int_equal(arp_hdr(pkts[i])->arp_data.arp_tip,
						 OTHER_IP);
			}
			requests += n;
			t_free(pkts, n);
		}
	}
	assert_int_equal(failed_calls, 1);
	assert_int_equal(failed_err, -EHOSTUNREACH);
	assert_int_equal(requests, 3);
	/* at least two intervals passed before giving up */
	assert_true(rte_rdtsc() - start >= 2 * 20 * hz / 1000);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_ResolveFails), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_OutRequests), 3);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_FAILED), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_AttemptFails), 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	assert_int_equal(t_pool_avail(), avail);

	/* a new packet starts resolving again */
	assert_int_equal(pmtcp_connect(st, OTHER_IP, 80, 2, NULL), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_OutRequests), 4);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* ---- the neighbour table: what is learnt, aging, eviction ---- */

/* The stack's clock, moved ahead by hand: pmtcp_stack_poll() takes it,
 * runs the neighbour timer, and later inputs never move it back. */
static uint64_t clk;

static void
clk_start(struct pmtcp_stack *st)
{
	clk = rte_rdtsc();
	pmtcp_stack_poll(st, clk);
}

static void
clk_advance(struct pmtcp_stack *st, uint64_t ms)
{
	clk += rte_get_tsc_hz() / 1000 * ms;
	pmtcp_stack_poll(st, clk);
}

/* A locally administered unicast MAC numbered @i. */
static void
mac_n(unsigned int i, struct rte_ether_addr *mac)
{
	memset(mac, 0, sizeof(*mac));
	mac->addr_bytes[0] = 0x02;
	mac->addr_bytes[1] = 0x66;
	mac->addr_bytes[4] = (uint8_t)(i >> 8);
	mac->addr_bytes[5] = (uint8_t)i;
}

/* The state of neighbour @ip, PMTCP_NUD_NONE when there is no entry. */
static int
nud(const struct pmtcp_stack *st, uint32_t ip)
{
	struct pmtcp_neigh_info info;

	if (pmtcp_neigh_lookup(st, ip, &info) != 0)
		return PMTCP_NUD_NONE;
	assert_int_equal(info.addr, ip);
	assert_int_equal(info.iface, 0);
	return (int)info.state;
}

/* Entries in the table now. */
static uint64_t
neigh_entries(const struct pmtcp_stack *st)
{
	return t_mib(st, PMTCP_MIB_Arp_Allocs) - t_mib(st, PMTCP_MIB_Arp_Destroys);
}

/* Poll, then free everything the stack sent; returns how many. */
static unsigned int
drain(struct pmtcp_stack *st)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int total = 0;
	uint16_t n;

	pmtcp_stack_poll(st, clk);
	while ((n = t_rx(1, pkts, BURST)) > 0) {
		total += n;
		t_free(pkts, n);
	}
	return total;
}

/* A stack with the neighbour knobs given (0: default). */
static struct pmtcp_stack *
arp_stack(int32_t gc_thresh3, uint16_t pending_max)
{
	struct pmtcp_stack_conf conf;

	pmtcp_stack_conf_init(&conf);
	conf.max_conns = 1024;
	if (gc_thresh3 > 0)
		conf.sysctl.neigh_gc_thresh3 = gc_thresh3;
	if (pending_max > 0)
		conf.arp_pending_max = pending_max;
	/* no SYN retransmission within the 215 s a test moves the clock */
	conf.sysctl.tcp_rto_initial_ms = 120000;
	conf.sysctl.tcp_rto_max_ms = 120000;
	return t_stack(0, ST_IP, &conf);
}

/* The knobs exist with Linux's names and defaults. */
static void
test_neigh_knobs(void **state)
{
	struct pmtcp_sysctl s;
	char buf[32];

	(void)state;
	pmtcp_sysctl_init(&s);
	assert_int_equal(pmtcp_sysctl_get(&s, "neigh.default.gc_thresh3", buf,
					  sizeof(buf)), 0);
	assert_string_equal(buf, "1024");
	assert_int_equal(pmtcp_sysctl_get(&s, "net.ipv4.neigh.default.base_reachable_time_ms",
					  buf, sizeof(buf)), 0);
	assert_string_equal(buf, "30000");
	assert_int_equal(pmtcp_sysctl_get(&s, "neigh.default.gc_stale_time", buf,
					  sizeof(buf)), 0);
	assert_string_equal(buf, "60");
	assert_int_equal(pmtcp_sysctl_set(&s, "neigh.default.gc_thresh3", "0", NULL, 0),
			 -EINVAL);
	assert_int_equal(pmtcp_sysctl_set(&s, "neigh.default.gc_thresh3", "64", NULL, 0), 0);
	assert_int_equal(s.neigh_gc_thresh3, 64);
}

/*
 * The "Blinded" finding: 300 spoofed frames, then a new peer. Half are
 * requests for our address (100 from other subnets, 100 from on-subnet
 * senders that are never heard of again), half unsolicited replies (50
 * on-subnet, 50 from other subnets). The table holds 64 entries, so the
 * on-subnet requests alone overflow it. Afterwards pmtcp still connects
 * to a new peer (its request evicts a STALE entry) and still answers a
 * new peer asking for it, whose SYN gets a SYN-ACK at once.
 */
static void
test_flood_then_new_peer(void **state)
{
	struct rte_ether_addr our_mac, peer_mac, mac, new_mac;
	struct rte_mbuf *pkts[BURST], *frames[50];
	struct pmtcp_sock *sk = NULL;
	struct pmtcp_sock_info info;
	struct pmtcp_stack *st;
	struct rte_ether_hdr *eh;
	struct t_seg seg;
	uint8_t opts[40];
	unsigned int avail = t_pool_avail(), sent = 0, k = 0;
	const uint32_t new_ip = T_IP(198, 18, 0, 250);
	uint16_t n;

	(void)state;
	t_mac(0, &our_mac);
	t_mac(1, &peer_mac);
	mac_n(4000, &new_mac);
	st = arp_stack(64, 0);
	clk_start(st);
	assert_int_equal(pmtcp_listen(st, 8080), 0);

	for (unsigned int i = 0; i < 300; i++) {
		mac_n(i + 1, &mac);
		if (i < 100)        /* requests for us, other subnets */
			frames[k++] = t_build_arp(RTE_ARP_OP_REQUEST, &mac,
					T_IP(198, 19, i / 200, 1 + i % 200), NULL, ST_IP);
		else if (i < 200)   /* requests for us, .100 .. .199 */
			frames[k++] = t_build_arp(RTE_ARP_OP_REQUEST, &mac,
					T_IP(198, 18, 0, i), NULL, ST_IP);
		else if (i < 250)   /* unsolicited replies, .10 .. .59 */
			frames[k++] = t_build_arp(RTE_ARP_OP_REPLY, &mac,
					T_IP(198, 18, 0, i - 190), &our_mac, ST_IP);
		else                /* unsolicited replies, another subnet */
			frames[k++] = t_build_arp(RTE_ARP_OP_REPLY, &mac,
					T_IP(198, 18, 1, i - 249), &our_mac, ST_IP);
		if (k == RTE_DIM(frames)) {
			pmtcp_stack_input(st, 0, frames, k);
			k = 0;
			sent += drain(st);
		}
	}
	assert_int_equal(k, 0);
	/* a reply to each on-subnet request, nothing else */
	assert_int_equal(sent, 100);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_InRequests), 200);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_InReplies), 100);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_OutReplies), 100);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_SENDER_OFFLINK), 150);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_UNSOLICITED), 50);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_TABLE_FULL), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_TableFull), 0);
	/* 100 learnt STALE in 64 entries: the 36 oldest made room */
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_Allocs), 100);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_ForcedGcRuns), 36);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_Destroys), 36);
	assert_int_equal(neigh_entries(st), 64);
	assert_int_equal(nud(st, T_IP(198, 18, 0, 100)), PMTCP_NUD_NONE);
	assert_int_equal(nud(st, T_IP(198, 18, 0, 135)), PMTCP_NUD_NONE);
	assert_int_equal(nud(st, T_IP(198, 18, 0, 136)), PMTCP_NUD_STALE);
	assert_int_equal(nud(st, T_IP(198, 18, 0, 199)), PMTCP_NUD_STALE);
	assert_int_equal(nud(st, T_IP(198, 18, 0, 10)), PMTCP_NUD_NONE);
	assert_int_equal(nud(st, T_IP(198, 19, 0, 1)), PMTCP_NUD_NONE);

	/* a new peer we connect to: resolved, then the handshake */
	assert_int_equal(pmtcp_connect(st, PEER_IP, 80, 1, &sk), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_ForcedGcRuns), 37);
	assert_int_equal(nud(st, PEER_IP), PMTCP_NUD_INCOMPLETE);
	pmtcp_stack_poll(st, clk);
	n = t_rx(1, pkts, BURST);
	assert_int_equal(n, 1);
	assert_int_equal(arp_hdr(pkts[0])->arp_opcode, RTE_BE16(RTE_ARP_OP_REQUEST));
	assert_int_equal(arp_hdr(pkts[0])->arp_data.arp_tip, PEER_IP);
	t_free(pkts, n);
	t_input_one(st, t_build_arp(RTE_ARP_OP_REPLY, &peer_mac, PEER_IP, &our_mac,
				  ST_IP));
	assert_int_equal(nud(st, PEER_IP), PMTCP_NUD_REACHABLE);
	pmtcp_stack_poll(st, clk);
	n = t_rx(1, pkts, BURST);
	assert_int_equal(n, 1);
	assert_int_equal(t_tcp(pkts[0])->tcp_flags, RTE_TCP_SYN_FLAG);
	assert_mac_equal(&rte_pktmbuf_mtod(pkts[0], struct rte_ether_hdr *)->dst_addr,
			 &peer_mac);
	t_free(pkts, n);
	pmtcp_sock_info(sk, &info);
	memset(&seg, 0, sizeof(seg));
	seg.src_mac = peer_mac;
	seg.dst_mac = our_mac;
	seg.saddr = PEER_IP;
	seg.daddr = ST_IP;
	seg.sport = 80;
	seg.dport = info.sport;
	seg.seq = 5000;
	seg.ack = info.iss + 1;
	seg.flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
	seg.win = 65535;
	seg.opts = opts;
	seg.optlen = t_syn_opts(opts, 1460, false, false, 0, 0, -1);
	t_input_one(st, t_build_tcp(&seg));
	pmtcp_sock_info(sk, &info);
	assert_int_equal(info.state, PMTCP_TCP_ESTABLISHED);
	assert_int_equal(drain(st), 1);   /* the third ACK */

	/* a new peer asking for us: learnt (one more eviction), answered,
	 * and its SYN is answered straight to its MAC, no ARP */
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &new_mac, new_ip, NULL,
				  ST_IP));
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_ForcedGcRuns), 38);
	assert_int_equal(nud(st, new_ip), PMTCP_NUD_STALE);
	pmtcp_stack_poll(st, clk);
	n = t_rx(1, pkts, BURST);
	assert_int_equal(n, 1);
	assert_int_equal(arp_hdr(pkts[0])->arp_opcode, RTE_BE16(RTE_ARP_OP_REPLY));
	assert_int_equal(arp_hdr(pkts[0])->arp_data.arp_tip, new_ip);
	t_free(pkts, n);
	memset(&seg, 0, sizeof(seg));
	seg.src_mac = new_mac;
	seg.dst_mac = our_mac;
	seg.saddr = new_ip;
	seg.daddr = ST_IP;
	seg.sport = 40000;
	seg.dport = 8080;
	seg.seq = 777;
	seg.flags = RTE_TCP_SYN_FLAG;
	seg.win = 65535;
	seg.opts = opts;
	seg.optlen = t_syn_opts(opts, 1460, false, false, 0, 0, -1);
	t_input_one(st, t_build_tcp(&seg));
	pmtcp_stack_poll(st, clk);
	n = t_rx(1, pkts, BURST);
	assert_int_equal(n, 1);
	eh = rte_pktmbuf_mtod(pkts[0], struct rte_ether_hdr *);
	assert_int_equal(eh->ether_type, RTE_BE16(RTE_ETHER_TYPE_IPV4));
	assert_mac_equal(&eh->dst_addr, &new_mac);
	assert_int_equal(t_tcp(pkts[0])->tcp_flags,
			 RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(t_ip(pkts[0])->dst_addr, new_ip);
	t_free(pkts, n);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_TableFull), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_OutRequests), 1);
	assert_int_equal(neigh_entries(st), 64);

	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* Unsolicited ARP creates nothing (arp_accept=0): a reply to us, a
 * broadcast gratuitous request, a gratuitous reply. Senders off the
 * subnet, ours, broadcast or multicast are ignored, even asking for us.
 * What we know is updated: a new address from a request or a gratuitous
 * ARP at once; from a plain reply only after locktime (1 s). */
static void
test_unsolicited_creates_nothing(void **state)
{
	struct rte_ether_addr our_mac, peer_mac, mac2, mac3, bcast;
	struct pmtcp_neigh_info info;
	struct pmtcp_stack *st;
	unsigned int avail = t_pool_avail();

	(void)state;
	t_mac(0, &our_mac);
	t_mac(1, &peer_mac);
	mac_n(2, &mac2);
	mac_n(3, &mac3);
	memset(&bcast, 0xff, sizeof(bcast));
	st = arp_stack(0, 0);
	clk_start(st);

	t_input_one(st, t_build_arp(RTE_ARP_OP_REPLY, &peer_mac, PEER_IP, &our_mac,
				  ST_IP));
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &peer_mac, PEER_IP, NULL,
				  PEER_IP));
	t_input_one(st, t_build_arp(RTE_ARP_OP_REPLY, &peer_mac, PEER_IP, &peer_mac,
				  PEER_IP));
	/* a reply for someone else, from someone unknown */
	t_input_one(st, t_build_arp(RTE_ARP_OP_REPLY, &peer_mac, PEER_IP, &mac2,
				  OTHER_IP));
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_UNSOLICITED), 4);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_InReplies), 1);
	assert_int_equal(nud(st, PEER_IP), PMTCP_NUD_NONE);

	/* requests for us from senders no neighbour may be */
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &mac2, T_IP(198, 18, 7, 1),
				  NULL, ST_IP));
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &mac2, T_IP(10, 0, 0, 1),
				  NULL, ST_IP));
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_SENDER_OFFLINK), 2);
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &mac2, ST_IP, NULL, ST_IP));
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &mac2, T_IP(198, 18, 0, 255),
				  NULL, ST_IP));
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &mac2, T_IP(198, 18, 0, 0),
				  NULL, ST_IP));
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &mac2, T_IP(224, 0, 0, 1),
				  NULL, ST_IP));
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &mac2, T_IP(127, 0, 0, 1),
				  NULL, ST_IP));
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &mac2, T_IP(255, 255, 255, 255),
				  NULL, ST_IP));
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_SENDER_BOGUS), 6);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_InRequests), 8);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_OutReplies), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_Allocs), 0);
	assert_int_equal(drain(st), 0);

	/* an RFC 5227 probe (sender 0.0.0.0) is answered, nothing learnt */
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &mac2, 0, NULL, ST_IP));
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_OutReplies), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_Allocs), 0);
	assert_int_equal(drain(st), 1);

	/* learnt from its request for us: STALE */
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &peer_mac, PEER_IP, NULL,
				  ST_IP));
	assert_int_equal(nud(st, PEER_IP), PMTCP_NUD_STALE);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_Allocs), 1);
	assert_int_equal(drain(st), 1);
	/* a reply to us confirms it: REACHABLE */
	t_input_one(st, t_build_arp(RTE_ARP_OP_REPLY, &peer_mac, PEER_IP, &our_mac,
				  ST_IP));
	assert_int_equal(nud(st, PEER_IP), PMTCP_NUD_REACHABLE);
	/* a request for someone else from it: nothing changes */
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &peer_mac, PEER_IP, NULL,
				  OTHER_IP));
	assert_int_equal(nud(st, PEER_IP), PMTCP_NUD_REACHABLE);
	/* a reply with another address within locktime: ignored */
	t_input_one(st, t_build_arp(RTE_ARP_OP_REPLY, &mac2, PEER_IP, &our_mac,
				  ST_IP));
	assert_int_equal(pmtcp_neigh_lookup(st, PEER_IP, &info), 0);
	assert_mac_equal(&info.mac, &peer_mac);
	assert_int_equal(info.state, PMTCP_NUD_REACHABLE);
	/* a gratuitous one: taken at once, STALE (broadcast) */
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &mac2, PEER_IP, NULL,
				  PEER_IP));
	assert_int_equal(pmtcp_neigh_lookup(st, PEER_IP, &info), 0);
	assert_mac_equal(&info.mac, &mac2);
	assert_int_equal(info.state, PMTCP_NUD_STALE);
	/* after locktime a unicast reply moves it again, REACHABLE */
	clk_advance(st, 1001);
	t_input_one(st, t_build_arp(RTE_ARP_OP_REPLY, &mac3, PEER_IP, &our_mac,
				  ST_IP));
	assert_int_equal(pmtcp_neigh_lookup(st, PEER_IP, &info), 0);
	assert_mac_equal(&info.mac, &mac3);
	assert_int_equal(info.state, PMTCP_NUD_REACHABLE);
	/* a broadcast reply does not assert reachability */
	clk_advance(st, 1001);
	t_input_one(st, t_build_arp(RTE_ARP_OP_REPLY, &peer_mac, PEER_IP, &bcast,
				  ST_IP));
	assert_int_equal(pmtcp_neigh_lookup(st, PEER_IP, &info), 0);
	assert_mac_equal(&info.mac, &peer_mac);
	assert_int_equal(info.state, PMTCP_NUD_STALE);
	/* every one of those was consumed or dropped once */
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_Allocs), 1);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_NOT_OURS), 2);

	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* The reply to our request resolves the neighbour: REACHABLE, and the
 * packets it held leave in order; a broadcast reply resolves too (STALE). */
static void
test_reply_resolves_pending(void **state)
{
	struct rte_ether_addr our_mac, peer_mac, mac2, bcast;
	struct pmtcp_neigh_info info;
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_sock *sk[3];
	struct pmtcp_sock_info si;
	struct pmtcp_stack *st;
	unsigned int avail = t_pool_avail();
	uint16_t n;

	(void)state;
	t_mac(0, &our_mac);
	t_mac(1, &peer_mac);
	mac_n(9, &mac2);
	memset(&bcast, 0xff, sizeof(bcast));
	st = arp_stack(0, 0);
	clk_start(st);
	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(pmtcp_connect(st, PEER_IP, 80, i, &sk[i]), 0);
	assert_int_equal(pmtcp_neigh_lookup(st, PEER_IP, &info), 0);
	assert_int_equal(info.state, PMTCP_NUD_INCOMPLETE);
	assert_int_equal(info.npending, 3);
	assert_true(rte_is_zero_ether_addr(&info.mac));
	assert_int_equal(drain(st), 1);   /* one request */
	assert_int_equal(pmtcp_neigh_resolve(st, PEER_IP), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_OutRequests), 1);

	t_input_one(st, t_build_arp(RTE_ARP_OP_REPLY, &peer_mac, PEER_IP, &our_mac,
				  ST_IP));
	assert_int_equal(pmtcp_neigh_lookup(st, PEER_IP, &info), 0);
	assert_int_equal(info.state, PMTCP_NUD_REACHABLE);
	assert_int_equal(info.npending, 0);
	assert_mac_equal(&info.mac, &peer_mac);
	assert_int_equal(pmtcp_neigh_resolve(st, PEER_IP), 1);
	pmtcp_stack_poll(st, clk);
	n = t_rx(1, pkts, BURST);
	assert_int_equal(n, 3);
	for (unsigned int i = 0; i < 3; i++) {
		pmtcp_sock_info(sk[i], &si);
		assert_mac_equal(&rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *)->dst_addr,
				 &peer_mac);
		assert_int_equal(rte_be_to_cpu_16(t_tcp(pkts[i])->src_port), si.sport);
	}
	t_free(pkts, n);

	/* another neighbour answers with a broadcast reply: resolved, STALE */
	assert_int_equal(pmtcp_connect(st, OTHER_IP, 80, 9, NULL), 0);
	assert_int_equal(drain(st), 1);
	t_input_one(st, t_build_arp(RTE_ARP_OP_REPLY, &mac2, OTHER_IP, &bcast, ST_IP));
	assert_int_equal(nud(st, OTHER_IP), PMTCP_NUD_STALE);
	pmtcp_stack_poll(st, clk);
	n = t_rx(1, pkts, BURST);
	assert_int_equal(n, 1);
	assert_mac_equal(&rte_pktmbuf_mtod(pkts[0], struct rte_ether_hdr *)->dst_addr,
			 &mac2);
	assert_int_equal(t_tcp(pkts[0])->tcp_flags, RTE_TCP_SYN_FLAG);
	t_free(pkts, n);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_PendingQueued), 4);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_UNSOLICITED), 0);

	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/*
 * Aging with the clock moved by hand (base_reachable_time 30 s, so
 * reachable_time is in [15, 45) s; gc_stale_time 60 s): REACHABLE at
 * 14 s, STALE at 45 s, still there (and usable) until 60 s after it went
 * STALE, then destroyed. A STALE neighbour used meanwhile is kept; a
 * reply makes a STALE one REACHABLE again.
 */
static void
test_aging_reachable_stale_gc(void **state)
{
	struct rte_ether_addr our_mac, peer_mac, mac2;
	struct pmtcp_sock *sk = NULL;
	struct pmtcp_stack *st;
	unsigned int avail = t_pool_avail();

	(void)state;
	t_mac(0, &our_mac);
	t_mac(1, &peer_mac);
	mac_n(2, &mac2);
	st = arp_stack(0, 0);
	clk_start(st);

	/* PEER: resolved by us, REACHABLE; OTHER: learnt from a request */
	assert_int_equal(pmtcp_neigh_resolve(st, PEER_IP), 0);
	t_input_one(st, t_build_arp(RTE_ARP_OP_REPLY, &peer_mac, PEER_IP, &our_mac,
				  ST_IP));
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &mac2, OTHER_IP, NULL, ST_IP));
	assert_int_equal(drain(st), 2);
	assert_int_equal(nud(st, PEER_IP), PMTCP_NUD_REACHABLE);
	assert_int_equal(nud(st, OTHER_IP), PMTCP_NUD_STALE);

	clk_advance(st, 14000);
	assert_int_equal(nud(st, PEER_IP), PMTCP_NUD_REACHABLE);
	clk_advance(st, 31000);                       /* 45 s */
	assert_int_equal(nud(st, PEER_IP), PMTCP_NUD_STALE);
	assert_int_equal(pmtcp_neigh_resolve(st, PEER_IP), 1);
	/* OTHER went STALE at 0 s and was never used: gone at 60 s */
	clk_advance(st, 14000);                       /* 59 s */
	assert_int_equal(nud(st, OTHER_IP), PMTCP_NUD_STALE);
	clk_advance(st, 1010);                        /* 60.01 s */
	assert_int_equal(nud(st, OTHER_IP), PMTCP_NUD_NONE);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_Destroys), 1);

	/* PEER is used at 100 s (a SYN goes straight out, STALE is usable;
	 * the connection ends there, silently in SYN_SENT) */
	clk_advance(st, 39990);                       /* 100 s */
	assert_int_equal(nud(st, PEER_IP), PMTCP_NUD_STALE);
	assert_int_equal(pmtcp_connect(st, PEER_IP, 80, 1, &sk), 0);
	assert_int_equal(drain(st), 1);
	pmtcp_abort(st, sk);
	assert_int_equal(drain(st), 0);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_OutRequests), 1);
	/* stale since <= 45 s, but used 10 s ago: kept */
	clk_advance(st, 10000);                       /* 110 s */
	assert_int_equal(nud(st, PEER_IP), PMTCP_NUD_STALE);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_Destroys), 1);
	/* a reply to us: REACHABLE again */
	t_input_one(st, t_build_arp(RTE_ARP_OP_REPLY, &peer_mac, PEER_IP, &our_mac,
				  ST_IP));
	assert_int_equal(nud(st, PEER_IP), PMTCP_NUD_REACHABLE);
	/* unused from now on: STALE within 45 s, gone 60 s after that
	 * (and 60 s after its last use) */
	clk_advance(st, 45000);                       /* 155 s */
	assert_int_equal(nud(st, PEER_IP), PMTCP_NUD_STALE);
	clk_advance(st, 60010);                       /* 215.01 s */
	assert_int_equal(nud(st, PEER_IP), PMTCP_NUD_NONE);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_Destroys), 2);
	assert_int_equal(neigh_entries(st), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_ForcedGcRuns), 0);

	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/*
 * A full table: a new entry evicts a FAILED one first, then the STALE one
 * stale the longest; INCOMPLETE (holding packets) and REACHABLE ones are
 * never evicted, and when nothing else is left creation fails
 * (ArpTableFull, ARP_TABLE_FULL). Every held mbuf is freed exactly once:
 * the pool's count comes back to where it started.
 */
static void
test_evict_full_table(void **state)
{
	struct rte_ether_addr our_mac, peer_mac, mac;
	struct pmtcp_stack *st;
	struct pmtcp_sysctl s;
	unsigned int avail = t_pool_avail();
	const uint32_t x = T_IP(198, 18, 0, 20), y = T_IP(198, 18, 0, 21);
	const uint32_t z = T_IP(198, 18, 0, 22), w = T_IP(198, 18, 0, 23);

	(void)state;
	failed_calls = 0;
	t_mac(0, &our_mac);
	t_mac(1, &peer_mac);
	mac_n(77, &mac);
	st = arp_stack(2, 4);
	clk_start(st);

	/* X holds 3 SYNs, Y 1: both INCOMPLETE, nothing to evict */
	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(pmtcp_connect(st, x, 80, i, NULL), 0);
	assert_int_equal(pmtcp_connect(st, y, 80, 3, NULL), 0);
	assert_int_equal(drain(st), 2);
	assert_int_equal(t_pool_avail(), avail - 4);
	assert_int_equal(pmtcp_connect(st, z, 80, 4, NULL), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_TableFull), 1);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_TABLE_FULL), 1);
	assert_int_equal(pmtcp_neigh_resolve(st, z), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_TableFull), 2);
	/* nor is a request for us from a new sender answered */
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &mac, w, NULL, ST_IP));
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_TableFull), 3);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_TABLE_FULL), 2);
	assert_int_equal(drain(st), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_ForcedGcRuns), 0);
	assert_int_equal(t_pool_avail(), avail - 4);

	/* Y answers (REACHABLE); X never does: FAILED after 3 requests,
	 * its 3 SYNs dropped once, its connections failed */
	t_input_one(st, t_build_arp(RTE_ARP_OP_REPLY, &peer_mac, y, &our_mac, ST_IP));
	assert_int_equal(drain(st), 1);   /* Y's SYN */
	assert_int_equal(t_pool_avail(), avail - 3);
	for (unsigned int i = 0; i < 4; i++) {
		clk_advance(st, 1000);
		drain(st);
	}
	assert_int_equal(nud(st, x), PMTCP_NUD_FAILED);
	assert_int_equal(nud(st, y), PMTCP_NUD_REACHABLE);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_FAILED), 3);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_ResolveFails), 1);
	assert_int_equal(t_pool_avail(), avail);

	/* Z now: X (FAILED) makes room, not Y (REACHABLE) */
	assert_int_equal(pmtcp_neigh_resolve(st, z), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_ForcedGcRuns), 1);
	assert_int_equal(nud(st, x), PMTCP_NUD_NONE);
	assert_int_equal(nud(st, y), PMTCP_NUD_REACHABLE);
	assert_int_equal(nud(st, z), PMTCP_NUD_INCOMPLETE);
	t_input_one(st, t_build_arp(RTE_ARP_OP_REPLY, &mac, z, &our_mac, ST_IP));
	assert_int_equal(nud(st, z), PMTCP_NUD_REACHABLE);
	/* both REACHABLE: a fifth is refused */
	assert_int_equal(pmtcp_neigh_resolve(st, w), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_TableFull), 4);
	/* Y goes STALE first (confirmed first), and is the one evicted */
	clk_advance(st, 45000);
	assert_int_equal(nud(st, y), PMTCP_NUD_STALE);
	assert_int_equal(nud(st, z), PMTCP_NUD_STALE);
	assert_int_equal(pmtcp_neigh_resolve(st, w), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_ForcedGcRuns), 2);
	assert_int_equal(nud(st, y), PMTCP_NUD_NONE);
	assert_int_equal(nud(st, z), PMTCP_NUD_STALE);
	assert_int_equal(nud(st, w), PMTCP_NUD_INCOMPLETE);
	drain(st);

	/* gc_thresh3 lowered live to 1: the next creation evicts Z too;
	 * W (INCOMPLETE) stays, so the table ends with one entry */
	s = *pmtcp_stack_sysctl(st);
	s.neigh_gc_thresh3 = 1;
	assert_int_equal(pmtcp_stack_set_sysctl(st, &s), 0);
	assert_int_equal(pmtcp_neigh_resolve(st, T_IP(198, 18, 0, 24)), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_ForcedGcRuns), 3);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_TableFull), 5);
	assert_int_equal(nud(st, z), PMTCP_NUD_NONE);
	assert_int_equal(neigh_entries(st), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_Allocs), 4);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_Destroys), 3);

	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* Eviction with packets in flight everywhere: a FAILED neighbour whose
 * SYNs were dropped, evicted while new SYNs wait on the entry that took
 * its place, then the stack freed with SYNs still held. The pool's count
 * returns exactly to its start, so none was freed twice or lost. */
static void
test_evict_pending_freed_once(void **state)
{
	struct rte_ether_addr our_mac;
	struct pmtcp_stack *st;
	unsigned int avail = t_pool_avail();

	(void)state;
	t_mac(0, &our_mac);
	st = arp_stack(1, 8);
	clk_start(st);
	for (unsigned int i = 0; i < 8; i++)
		assert_int_equal(pmtcp_connect(st, OTHER_IP, 80, i, NULL), 0);
	assert_int_equal(drain(st), 1);
	assert_int_equal(t_pool_avail(), avail - 8);
	for (unsigned int i = 0; i < 4; i++)
		clk_advance(st, 1000);
	drain(st);
	assert_int_equal(nud(st, OTHER_IP), PMTCP_NUD_FAILED);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_FAILED), 8);
	assert_int_equal(t_pool_avail(), avail);

	/* the one entry goes to PEER, which gets 8 SYNs to hold */
	for (unsigned int i = 0; i < 8; i++)
		assert_int_equal(pmtcp_connect(st, PEER_IP, 80, 100 + i, NULL), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_ForcedGcRuns), 1);
	assert_int_equal(nud(st, OTHER_IP), PMTCP_NUD_NONE);
	assert_int_equal(drain(st), 1);
	assert_int_equal(t_pool_avail(), avail - 8);
	/* OTHER again: no room, its SYN dropped once */
	assert_int_equal(pmtcp_connect(st, OTHER_IP, 80, 200, NULL), 0);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_TABLE_FULL), 1);
	assert_int_equal(t_pool_avail(), avail - 8);

	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* A /32 address with a gateway (as on some clouds): the gateway is off
 * the "subnet" but is the next hop, so its ARP is taken (it asks for us:
 * learnt; it answers our request: resolved); any other sender is off-link. */
static void
test_gateway_off_subnet(void **state)
{
	struct rte_ether_addr our_mac, peer_mac, mac2;
	struct pmtcp_stack_conf conf;
	struct pmtcp_iface_conf ic;
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_stack *st;
	unsigned int avail = t_pool_avail();
	const uint32_t far = T_IP(198, 19, 2, 3);
	uint16_t n;

	(void)state;
	t_mac(0, &our_mac);
	t_mac(1, &peer_mac);
	mac_n(5, &mac2);
	pmtcp_stack_conf_init(&conf);
	conf.max_conns = 64;
	conf.pool = t_pool;
	conf.sysctl.tcp_rto_initial_ms = 120000;
	st = pmtcp_stack_create(&conf);
	assert_non_null(st);
	memset(&ic, 0, sizeof(ic));
	ic.port_id = t_port[0];
	ic.addr = ST_IP;
	ic.prefix_len = 32;
	ic.gateway = PEER_IP;
	ic.mtu = 1500;
	ic.mac = our_mac;
	assert_int_equal(pmtcp_stack_add_iface(st, &ic), 0);
	clk_start(st);

	/* another host of the link: off our /32, ignored */
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &mac2, OTHER_IP, NULL, ST_IP));
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_SENDER_OFFLINK), 1);
	assert_int_equal(drain(st), 0);

	/* to a far host: through the gateway, which answers */
	assert_int_equal(pmtcp_connect(st, far, 80, 1, NULL), 0);
	assert_int_equal(nud(st, PEER_IP), PMTCP_NUD_INCOMPLETE);
	assert_int_equal(drain(st), 1);
	t_input_one(st, t_build_arp(RTE_ARP_OP_REPLY, &peer_mac, PEER_IP, &our_mac,
				  ST_IP));
	assert_int_equal(nud(st, PEER_IP), PMTCP_NUD_REACHABLE);
	pmtcp_stack_poll(st, clk);
	n = t_rx(1, pkts, BURST);
	assert_int_equal(n, 1);
	assert_mac_equal(&rte_pktmbuf_mtod(pkts[0], struct rte_ether_hdr *)->dst_addr,
			 &peer_mac);
	assert_int_equal(t_ip(pkts[0])->dst_addr, far);
	t_free(pkts, n);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_SENDER_OFFLINK), 1);
	t_stack_free(st);

	/* a fresh stack: the gateway asking first is learnt and answered */
	st = pmtcp_stack_create(&conf);
	assert_non_null(st);
	assert_int_equal(pmtcp_stack_add_iface(st, &ic), 0);
	clk_start(st);
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &peer_mac, PEER_IP, NULL,
				  ST_IP));
	assert_int_equal(nud(st, PEER_IP), PMTCP_NUD_STALE);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_OutReplies), 1);
	assert_int_equal(drain(st), 1);
	assert_int_equal(pmtcp_neigh_resolve(st, far), 1);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* One stack owning both ends of the link (the loopback pair's one-lcore
 * mode): the other interface's address is a neighbour like any other,
 * only the receiving interface's own address is bogus as a sender. */
static void
test_own_other_iface_is_neighbour(void **state)
{
	struct rte_ether_addr mac0, mac1;
	struct pmtcp_iface_conf ic;
	struct pmtcp_neigh_info info;
	struct rte_mbuf *pkts[BURST], *m;
	struct pmtcp_stack *st;
	unsigned int avail = t_pool_avail();
	uint16_t n;

	(void)state;
	t_mac(0, &mac0);
	t_mac(1, &mac1);
	st = arp_stack(0, 0);
	memset(&ic, 0, sizeof(ic));
	ic.port_id = t_port[1];
	ic.addr = PEER_IP;
	ic.prefix_len = 24;
	ic.mtu = 1500;
	ic.mac = mac1;
	assert_int_equal(pmtcp_stack_add_iface(st, &ic), 1);
	clk_start(st);

	/* iface 0 (ST_IP) asks for iface 1's address, received on iface 1 */
	m = t_build_arp(RTE_ARP_OP_REQUEST, &mac0, ST_IP, NULL, PEER_IP);
	pmtcp_stack_input(st, 1, &m, 1);
	assert_int_equal(pmtcp_neigh_lookup(st, ST_IP, &info), 0);
	assert_int_equal(info.iface, 1);
	assert_int_equal(info.state, PMTCP_NUD_STALE);
	assert_mac_equal(&info.mac, &mac0);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_SENDER_BOGUS), 0);
	pmtcp_stack_poll(st, clk);
	n = t_rx(0, pkts, BURST);   /* iface 1 sent on t_port[1]: t_port[0] gets it */
	assert_int_equal(n, 1);
	assert_int_equal(arp_hdr(pkts[0])->arp_opcode, RTE_BE16(RTE_ARP_OP_REPLY));
	assert_int_equal(arp_hdr(pkts[0])->arp_data.arp_sip, PEER_IP);
	t_free(pkts, n);
	/* someone claiming iface 1's own address on iface 1 is not learnt */
	m = t_build_arp(RTE_ARP_OP_REQUEST, &mac0, PEER_IP, NULL, PEER_IP);
	pmtcp_stack_input(st, 1, &m, 1);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_SENDER_BOGUS), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_Allocs), 1);

	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/*
 * Only the connections whose SYN the FAILED neighbour held fail (Linux's
 * error_report of each held packet), found by their 4-tuple, not by a
 * walk of the table: a connection the failed callback opens again to the
 * same neighbour stays in SYN_SENT, its SYN held by a new resolution.
 */
static void
test_neigh_failed_reconnect_in_callback(void **state)
{
	struct pmtcp_stack_conf conf;
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_stack *st;
	unsigned int avail = t_pool_avail();
	uint64_t hz = rte_get_tsc_hz(), start;
	uint16_t n;

	(void)state;
	failed_calls = 0;
	reconnect_in_failed = true;
	pmtcp_stack_conf_init(&conf);
	conf.max_conns = 64;
	conf.sysctl.neigh_retrans_time_ms = 20;
	conf.sysctl.neigh_mcast_solicit = 2;
	conf.sysctl.tcp_rto_initial_ms = 10000;
	conf.cb.failed = on_failed;
	st = t_stack(0, ST_IP, &conf);
	pmtcp_stack_poll(st, rte_rdtsc());
	assert_int_equal(pmtcp_connect(st, OTHER_IP, 80, 1, NULL), 0);
	assert_int_equal(pmtcp_connect(st, OTHER_IP, 81, 2, NULL), 0);
	start = rte_rdtsc();
	while (failed_calls < 2 && rte_rdtsc() - start < hz) {
		pmtcp_stack_poll(st, rte_rdtsc());
		while ((n = t_rx(1, pkts, BURST)) > 0)
			t_free(pkts, n);
	}
	/* both held SYNs failed their connections; the one opened from the
	 * callback is waiting for the next resolution */
	assert_int_equal(failed_calls, 2);
	assert_int_equal(failed_err, -EHOSTUNREACH);
	assert_false(reconnect_in_failed);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_AttemptFails), 2);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_FAILED), 2);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_for_us_replied),
		cmocka_unit_test(test_request_not_ours_dropped),
		cmocka_unit_test(test_malformed_dropped),
		cmocka_unit_test(test_connect_resolves_then_sends_syn),
		cmocka_unit_test(test_pending_queue_bounded),
		cmocka_unit_test(test_neigh_failed_host_unreachable),
		cmocka_unit_test(test_neigh_failed_reconnect_in_callback),
		cmocka_unit_test(test_free_with_pending),
		cmocka_unit_test(test_neigh_knobs),
		cmocka_unit_test(test_flood_then_new_peer),
		cmocka_unit_test(test_unsolicited_creates_nothing),
		cmocka_unit_test(test_reply_resolves_pending),
		cmocka_unit_test(test_aging_reachable_stale_gc),
		cmocka_unit_test(test_evict_full_table),
		cmocka_unit_test(test_evict_pending_freed_once),
		cmocka_unit_test(test_gateway_off_subnet),
		cmocka_unit_test(test_own_other_iface_is_neighbour),
	};

	return cmocka_run_group_tests(tests, t_eal_setup, NULL);
}
