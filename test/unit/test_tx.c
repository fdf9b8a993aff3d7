/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TX batch (stack.c: pmtcp_tx_enqueue, pmtcp_tx_flush): packets wait
 * until the poll or a full batch, a PMD that refuses packets has them
 * counted and freed, and freeing the stack frees what is still queued.
 * Every mbuf is accounted for: the pool count returns to its start.
 *
 * Traffic: SYNs from the peer (198.18.0.1) to closed ports of the stack
 * on t_port[0] (198.18.0.2); each is answered by a RST|ACK, which arrives
 * on t_port[1].
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ring.h>

#include "pmtcp_priv.h"
#include "test_common.h"

#define ST_IP T_IP(198, 18, 0, 2)
#define PEER_IP T_IP(198, 18, 0, 1)

#define BURST 64
#define N_FLOOD 1100

/* SYN number @i: its own source port and sequence number. */
static struct rte_mbuf *
syn_i(unsigned int i)
{
	struct t_seg s;

	memset(&s, 0, sizeof(s));
	t_mac(1, &s.src_mac);
	t_mac(0, &s.dst_mac);
	s.saddr = PEER_IP;
	s.daddr = ST_IP;
	s.sport = (uint16_t)(10000 + i);
	s.dport = 9;
	s.seq = 1000000 + i * 7;
	s.flags = RTE_TCP_SYN_FLAG;
	s.win = 65535;
	return t_build_tcp(&s);
}

/* Feed SYNs @first .. @first + @n - 1 in one pmtcp_stack_input() call. */
static void
feed_syns(struct pmtcp_stack *st, unsigned int first, unsigned int n)
{
	struct rte_mbuf **pkts = calloc(n, sizeof(*pkts));

	assert_non_null(pkts);
	for (unsigned int i = 0; i < n; i++)
		pkts[i] = syn_i(first + i);
	pmtcp_stack_input(st, 0, pkts, (uint16_t)n);
	free(pkts);
}

/* Check @m is the RST|ACK for SYN number @i. */
static void
assert_rst_i(struct rte_mbuf *m, unsigned int i)
{
	const struct rte_tcp_hdr *th = t_tcp(m);

	assert_int_equal(th->tcp_flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(rte_be_to_cpu_16(th->dst_port), 10000 + i);
	assert_int_equal(rte_be_to_cpu_32(th->recv_ack), 1000000 + i * 7 + 1);
	assert_true(t_csum_ok(m));
}

/* Fewer than tx_burst packets: nothing on the wire until the poll, then
 * all of them, in order. */
static void
test_poll_flushes(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = t_stack(0, ST_IP, NULL);
	struct rte_mbuf *pkts[BURST];
	uint16_t n;

	(void)state;
	feed_syns(st, 0, 5);
	assert_int_equal(t_rx(1, pkts, BURST), 0);
	/* several inputs below the burst still wait */
	feed_syns(st, 5, 26);
	assert_int_equal(t_rx(1, pkts, BURST), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutRsts), 31);
	assert_int_equal(pmtcp_stack_poll(st, rte_rdtsc()), 0);
	n = t_rx(1, pkts, BURST);
	assert_int_equal(n, 31);
	for (uint16_t i = 0; i < n; i++)
		assert_rst_i(pkts[i], i);
	t_free(pkts, n);
	/* an empty poll sends nothing */
	pmtcp_stack_poll(st, rte_rdtsc());
	assert_int_equal(t_rx(1, pkts, BURST), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_TxDrops), 0);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* A batch that reaches tx_burst is flushed by pmtcp_stack_input() itself. */
static void
test_full_batch_flushes_without_poll(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct rte_mbuf *pkts[BURST];
	uint16_t n;

	(void)state;
	/* default tx_burst 32 */
	st = t_stack(0, ST_IP, NULL);
	feed_syns(st, 0, 32);
	n = t_rx(1, pkts, BURST);
	assert_int_equal(n, 32);
	for (uint16_t i = 0; i < n; i++)
		assert_rst_i(pkts[i], i);
	t_free(pkts, n);
	t_stack_free(st);

	/* tx_burst 4: 3 wait, the 4th flushes all four */
	pmtcp_stack_conf_init(&conf);
	conf.max_conns = 64;
	conf.tx_burst = 4;
	st = t_stack(0, ST_IP, &conf);
	feed_syns(st, 0, 3);
	assert_int_equal(t_rx(1, pkts, BURST), 0);
	feed_syns(st, 3, 1);
	n = t_rx(1, pkts, BURST);
	assert_int_equal(n, 4);
	for (uint16_t i = 0; i < n; i++)
		assert_rst_i(pkts[i], i);
	t_free(pkts, n);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* Flood the 1024-entry ring of the port without draining it: what the
 * ring refuses stays in the stack's TX batch (nothing lost, no drop) and
 * goes out, in order, once the ring has room again. */
static void
flood(unsigned int per_call)
{
	unsigned int avail = t_pool_avail();
	struct rte_ring *r = rte_ring_lookup("t_r0");  /* port 0 -> port 1 */
	struct pmtcp_stack *st = t_stack(0, ST_IP, NULL);
	struct rte_mbuf *pkts[BURST];
	unsigned int cap, got = 0;
	uint16_t n;

	assert_non_null(r);
	cap = rte_ring_get_capacity(r);
	assert_int_equal(rte_ring_count(r), 0);
	assert_true(cap < N_FLOOD);
	for (unsigned int i = 0; i < N_FLOOD; i += per_call)
		feed_syns(st, i, RTE_MIN(per_call, N_FLOOD - i));
	pmtcp_stack_poll(st, rte_rdtsc());

	assert_int_equal(rte_ring_count(r), cap);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutRsts), N_FLOOD);
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_TxDrops), 0);
	assert_int_equal(t_drop(st, PMTCP_DROP_TX_REFUSED), 0);
	assert_int_equal(t_drop(st, PMTCP_DROP_TCP_NO_SOCKET), N_FLOOD);
	/* the SYNs are freed; the RSTs are in the ring or still queued */
	assert_int_equal(t_pool_avail(), avail - N_FLOOD);

	/* drain, poll, drain: every RST arrives, in order */
	for (int round = 0; round < 4; round++) {
		while ((n = t_rx(1, pkts, BURST)) > 0) {
			for (uint16_t i = 0; i < n; i++)
				assert_rst_i(pkts[i], got + i);
			got += n;
			t_free(pkts, n);
		}
		pmtcp_stack_poll(st, rte_rdtsc());
	}
	assert_int_equal(got, N_FLOOD);
	assert_int_equal(t_pool_avail(), avail);
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_TxDrops), 0);

	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* More than the ring and the TX batch together hold, in one call: the
 * oldest bursts of the batch are dropped and counted, every mbuf is
 * accounted for, the rest arrives. */
static void
test_ring_and_batch_overflow(void **state)
{
	unsigned int avail = t_pool_avail();
	struct rte_ring *r = rte_ring_lookup("t_r0");
	struct pmtcp_stack *st = t_stack(0, ST_IP, NULL);
	struct rte_mbuf *pkts[BURST];
	unsigned int cap, total, got = 0;
	uint64_t drops;
	uint16_t n;

	(void)state;
	cap = rte_ring_get_capacity(r);
	total = cap + PMTCP_TX_BUF_MAX + 100;
	feed_syns(st, 0, total);
	drops = t_mib(st, PMTCP_MIB_Pmtcp_TxDrops);
	assert_true(drops >= total - cap - PMTCP_TX_BUF_MAX);
	assert_true(drops <= total - cap);
	assert_int_equal(t_drop(st, PMTCP_DROP_TX_REFUSED), drops);
	assert_int_equal(rte_ring_count(r), cap);
	assert_int_equal(t_pool_avail(), avail - (total - drops));
	for (int round = 0; round < 4; round++) {
		while ((n = t_rx(1, pkts, BURST)) > 0) {
			got += n;
			t_free(pkts, n);
		}
		pmtcp_stack_poll(st, rte_rdtsc());
	}
	assert_int_equal(got, total - drops);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* 100 SYNs per input call: flushed at the end of each call. */
static void
test_ring_overflow_bursts(void **state)
{
	(void)state;
	flood(100);
}

/* All 1100 in one input call: the 512-entry TX buffer flushes itself
 * twice on the way. */
static void
test_ring_overflow_one_call(void **state)
{
	(void)state;
	flood(N_FLOOD);
}

/* t_stack_free() with packets queued: freed, nothing sent. */
static void
test_free_with_queued_tx(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = t_stack(0, ST_IP, NULL);
	struct rte_mbuf *pkts[BURST];

	(void)state;
	feed_syns(st, 0, 20);
	assert_int_equal(t_pool_avail(), avail - 20);
	assert_int_equal(t_rx(1, pkts, BURST), 0);
	t_stack_free(st);
	assert_int_equal(t_pool_avail(), avail);
	assert_int_equal(t_rx(1, pkts, BURST), 0);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* tx_burst must be 1 .. PMTCP_TX_BUF_MAX / 2 (256). */
static void
test_tx_burst_validated(void **state)
{
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;

	(void)state;
	pmtcp_stack_conf_init(&conf);
	conf.pool = t_pool;
	conf.max_conns = 16;
	conf.tx_burst = 0;
	rte_errno = 0;
	assert_null(pmtcp_stack_create(&conf));
	assert_int_equal(rte_errno, EINVAL);
	conf.tx_burst = 257;
	rte_errno = 0;
	assert_null(pmtcp_stack_create(&conf));
	assert_int_equal(rte_errno, EINVAL);
	conf.tx_burst = 256;
	st = pmtcp_stack_create(&conf);
	assert_non_null(st);
	t_stack_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poll_flushes),
		cmocka_unit_test(test_full_batch_flushes_without_poll),
		cmocka_unit_test(test_ring_overflow_bursts),
		cmocka_unit_test(test_ring_overflow_one_call),
		cmocka_unit_test(test_ring_and_batch_overflow),
		cmocka_unit_test(test_free_with_queued_tx),
		cmocka_unit_test(test_tx_burst_validated),
	};

	return cmocka_run_group_tests(tests, t_eal_setup, NULL);
}
