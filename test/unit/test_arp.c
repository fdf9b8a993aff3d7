/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP and the neighbour cache (arp.c): replies to requests for our
 * address, drops for others and for malformed packets, resolution of an
 * unknown next hop with the packets held meanwhile (neigh->arp_queue),
 * the bound on what is held, and freeing what still waits.
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

	pmtcp_stack_free(st);
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

	pmtcp_stack_free(st);
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

	pmtcp_stack_free(st);
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

	pmtcp_stack_free(st);
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

	pmtcp_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* pmtcp_stack_free() with SYNs still waiting for ARP frees them. */
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

	pmtcp_stack_free(st);
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

static void
on_failed(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg)
{
	(void)st;
	(void)sk;
	(void)arg;
	failed_calls++;
	failed_err = err;
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
	pmtcp_stack_free(st);
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
		cmocka_unit_test(test_free_with_pending),
	};

	return cmocka_run_group_tests(tests, t_eal_setup, NULL);
}
