/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Overload handling of pmtcp_stack_input() / pmtcp_stack_poll(): a plain
 * SYN to a listening port waits in a per-stack FIFO (PMTCP_SYNQ_MAX = 128)
 * and is handled after the other frames of its burst. Then a backlogged
 * burst (n >= tx_burst) runs synq_budget() SYNs: tx_burst while the
 * stack's SYN_RECV children (pmtcp_half_open(st)) are < 256, tx_burst / 8 while
 * < 512, then 1 (never 0); a short burst runs tx_burst. A poll runs
 * tx_burst queued SYNs unless an input since the last poll was
 * backlogged. A SYN finding the queue full is shed (ListenOverflows,
 * ListenDrops, drop TCP_SYN_SHED) and its mbuf freed at once.
 *
 * Same set-up as test_tcp_close.c (test_tcp_util.h): our stack on
 * t_port[0] (198.18.0.2), the crafted peer 198.18.0.1.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>

#include "test_tcp_util.h"
#include "tcp.h"   /* struct pmtcp_stack fields (synq_len) for white-box checks */

#define LPORT 80         /* our listening port */
#define CLOSED_PORT 81   /* nobody listens here */
#define FULL 32          /* the default tx_burst */
/* synq_budget() when overloaded: tx_burst below tcp_max_syn_backlog / 16
 * children in SYN_RECV (at least 64), tx_burst / 8 below twice that, then
 * 1. With Linux's default tcp_max_syn_backlog (4096): 256 and 512. Not
 * overloaded, tx_burst. */
#define SYN_BACKLOG 4096
#define LOW_HALF_OPEN (SYN_BACKLOG / 16)
#define HIGH_HALF_OPEN (2 * LOW_HALF_OPEN)

/* The overload signal (pmtcp_overloaded()) comes from SYNs in per
 * handshake completed over milliseconds; these tests complete none, so
 * they set it: before each input, the average of 4 SYNs per handshake
 * (a millisecond that passes takes it to 3.8, still above 1.5). */
static bool g_overloaded = true;

static void
set_overload(struct pmtcp_stack *st)
{
	if (g_overloaded)
		st->ov_ratio = 4 * PMTCP_OV_ONE;
}

/* What the stack sent, read off t_port[1] after a poll. */
struct tx_log {
	unsigned int total, synack, rst, other;
	unsigned int last_rst_at, first_synack_at;  /* TX order */
	uint16_t synack_dport[1024];  /* dst ports of the SYN-ACKs, in order */
	uint16_t rst_dport[1024];
	struct {
		uint8_t flags;
		uint32_t ack;
		uint16_t dport;
	} first_other;
	unsigned int first_other_at;  /* index in the TX order */
};

/* A SYN from the peer's port @sport to our @dport, no options. */
static struct rte_mbuf *
syn_to(uint16_t sport, uint16_t dport)
{
	return peer_seg(sport, dport, PEER_ISN + sport, 0, F_SYN, 65535, NULL,
			0, NULL, 0);
}

/* Feed one burst of @n SYNs from ports @sport0.. to @dport. */
static void
syn_burst(struct pmtcp_stack *st, uint16_t sport0, uint16_t n, uint16_t dport)
{
	struct rte_mbuf *pkts[256];

	assert_true(n <= 256);
	for (uint16_t i = 0; i < n; i++)
		pkts[i] = syn_to((uint16_t)(sport0 + i), dport);
	set_overload(st);
	pmtcp_stack_input(st, 0, pkts, n);
}

/* Read and free everything waiting on t_port[1] (no poll). */
static void
read_tx(struct tx_log *l)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n;

	memset(l, 0, sizeof(*l));
	while ((n = t_rx(1, pkts, BURST)) != 0) {
		for (uint16_t i = 0; i < n; i++) {
			struct rte_tcp_hdr *th;
			uint16_t dport;

			check_frame(pkts[i]);
			assert_int_equal(t_ip(pkts[i])->next_proto_id, IPPROTO_TCP);
			th = t_tcp(pkts[i]);
			dport = rte_be_to_cpu_16(th->dst_port);
			if (th->tcp_flags == (F_SYN | F_ACK)) {
				if (l->synack == 0)
					l->first_synack_at = l->total;
				assert_true(l->synack < 1024);
				l->synack_dport[l->synack++] = dport;
			} else if (th->tcp_flags & F_RST) {
				l->last_rst_at = l->total;
				assert_true(l->rst < 1024);
				l->rst_dport[l->rst++] = dport;
			} else {
				if (l->other == 0) {
					l->first_other.flags = th->tcp_flags;
					l->first_other.ack =
						rte_be_to_cpu_32(th->recv_ack);
					l->first_other.dport = dport;
					l->first_other_at = l->total;
				}
				l->other++;
			}
			l->total++;
		}
		t_free(pkts, n);
	}
}

/* Poll once and read what went out. */
static void
poll_tx(struct pmtcp_stack *st, struct tx_log *l)
{
	pmtcp_stack_poll(st, rte_rdtsc());
	read_tx(l);
}

/* The SYN-ACKs of @l answer exactly the ports @sport0 .. @sport0 + @n - 1,
 * in that order (oldest SYN first). */
static void
assert_synacks(const struct tx_log *l, uint16_t sport0, unsigned int n)
{
	assert_int_equal(l->synack, n);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(l->synack_dport[i], (uint16_t)(sport0 + i));
}

static uint64_t
shed(const struct pmtcp_stack *st)
{
	return t_drop(st, PMTCP_DROP_TCP_SYN_SHED);
}

static void
assert_shed(const struct pmtcp_stack *st, uint64_t want)
{
	assert_int_equal(shed(st), want);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_ListenOverflows), want);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_ListenDrops), want);
}

static struct pmtcp_stack *
listening_stack(struct pmtcp_stack_conf *conf, uint16_t tx_burst)
{
	struct pmtcp_stack *st;

	conf_close(conf, false);
	if (tx_burst != 0)
		conf->tx_burst = tx_burst;
	st = stack_with_peer(conf);
	assert_int_equal(pmtcp_listen(st, LPORT), 0);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	return st;
}

/* synq_budget()'s rule, for the FIFO model of the first test. */
static unsigned int
budget_of(uint32_t half_open, unsigned int tx_burst)
{
	unsigned int b = half_open < LOW_HALF_OPEN ? tx_burst :
			 half_open < HIGH_HALF_OPEN ? tx_burst / 8 : 1;

	return b == 0 ? 1 : b;
}

/*
 * Full bursts of 32 SYNs (tx_burst 32), a poll after each (it runs none:
 * the input before it was backlogged):
 * - bursts 1..8: half_open 0, 32, .., 224 < 256: budget 32, all 32
 *   answered in their burst, nothing queued; half_open 256 after 8;
 * - bursts 9..12: budget 32 / 8 = 4, the queue grows by 28: 28, 56, 84,
 *   112; half_open 260 .. 272;
 * - burst 13: 16 fit (128), 16 shed, 4 run: 124 queued;
 * - bursts 14..72: 4 fit, 28 shed, 4 run: 124; half_open 512 after 72;
 * - burst 73: budget 1 (half_open 512): 4 fit, 28 shed, 1 runs: 127;
 * - burst 74: 1 fits, 31 shed, 1 runs: 127; half_open 514.
 * Shed: 16 + 59 x 28 + 28 + 31 = 1727. The SYN-ACKs answer the admitted
 * SYNs oldest first. Then a poll with no input since the last one runs 32.
 */
#define T1_BURSTS 74
static void
test_full_bursts_budget_then_shed(void **state)
{
	static uint16_t acc[T1_BURSTS * FULL];   /* admitted ports, in order */
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct tx_log l;
	unsigned int head = 0, tail = 0;
	uint64_t shed_sum = 0;
	const uint16_t sport0 = 10000;

	(void)state;
	st = listening_stack(&conf, 0);
	assert_int_equal(pmtcp_half_open(st), 0);
	for (unsigned int k = 1; k <= T1_BURSTS; k++) {
		uint16_t base = (uint16_t)(sport0 + (k - 1) * FULL);
		unsigned int q = tail - head;
		unsigned int fit = RTE_MIN((unsigned int)FULL,
					   PMTCP_SYNQ_MAX - q);
		unsigned int run = RTE_MIN(q + fit,
					   budget_of(pmtcp_half_open(st), FULL));

		/* the model against the closed forms above */
		if (k <= 8) {
			assert_int_equal(fit, FULL);
			assert_int_equal(run, FULL);
		} else if (k <= 12) {
			assert_int_equal(fit, FULL);
			assert_int_equal(run, 4);
		} else if (k <= 72) {
			assert_int_equal(fit, k == 13 ? 16 : 4);
			assert_int_equal(run, 4);
		} else {
			assert_int_equal(fit, k == 73 ? 4 : 1);
			assert_int_equal(run, 1);
		}
		for (unsigned int i = 0; i < fit; i++)
			acc[tail++] = (uint16_t)(base + i);
		shed_sum += FULL - fit;

		syn_burst(st, base, FULL, LPORT);
		assert_int_equal(st->synq_len, tail - head - run);
		assert_int_equal(pmtcp_half_open(st), head + run);
		assert_int_equal(pmtcp_stack_conn_count(st), head + run);
		assert_shed(st, shed_sum);
		/* the poll after a backlogged input runs none */
		poll_tx(st, &l);
		assert_int_equal(l.total, run);
		assert_int_equal(l.rst + l.other, 0);
		for (unsigned int i = 0; i < run; i++)
			assert_int_equal(l.synack_dport[i], acc[head + i]);
		head += run;
		assert_int_equal(st->synq_len, tail - head);
		assert_int_equal(pmtcp_stack_conn_count(st), head);
		if (k <= 8)
			assert_int_equal(st->synq_len, 0);
		else if (k <= 12)
			assert_int_equal(st->synq_len, 28 * (k - 8));
		else
			assert_int_equal(st->synq_len, k <= 72 ? 124 : 127);
		if (k == 8)
			assert_int_equal(pmtcp_half_open(st), LOW_HALF_OPEN);
		if (k == 72)
			assert_int_equal(pmtcp_half_open(st), HIGH_HALF_OPEN);
	}
	assert_int_equal(pmtcp_half_open(st), 514);
	assert_int_equal(st->synq_len, 127);
	assert_shed(st, 1727);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPReqQFullDrop), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPReqQFullDoCookies), 0);
	/* no input since the last poll: this one runs tx_burst = 32 */
	poll_tx(st, &l);
	assert_int_equal(l.total, FULL);
	for (unsigned int i = 0; i < FULL; i++)
		assert_int_equal(l.synack_dport[i], acc[head + i]);
	head += FULL;
	assert_int_equal(st->synq_len, 127 - FULL);
	assert_int_equal(pmtcp_half_open(st), 514 + FULL);
	assert_shed(st, 1727);
	finish(st, avail);
}

/* The sock count seen from the recv callback. */
static uint32_t conns_at_recv;

static void
recv_probe(struct pmtcp_stack *st, struct pmtcp_sock *sk, const void *data,
	   uint32_t len, void *arg)
{
	conns_at_recv = pmtcp_stack_conn_count(st);
	cb_recv(st, sk, data, len, arg);
}

/*
 * A burst of 70 frames (two classification chunks of 64 and 6): 69 SYNs,
 * then, last, a data segment of an established connection. The data is
 * handled first (the recv callback sees 1 sock: no SYN_RECV child yet),
 * then, the burst backlogged (70 >= 32) with half_open 0, 32 SYNs; 37
 * stay queued. Its ACK goes out before the first SYN-ACK. The poll after
 * runs none, the next 32, the next the last 5.
 */
static void
test_non_syn_before_syns(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct rte_mbuf *pkts[70];
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	struct tx_log l;
	uint8_t data[100];
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	conf.cb.recv = recv_probe;
	conns_at_recv = 0;
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	assert_int_equal(pmtcp_listen(st, LPORT), 0);
	assert_true(g_sport != LPORT);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	assert_int_equal(pmtcp_half_open(st), 0);
	fill(data, sizeof(data), 9);
	for (uint16_t i = 0; i < 69; i++)
		pkts[i] = syn_to((uint16_t)(20000 + i), LPORT);
	pkts[69] = from_peer(PEER_ISN + 1, iss + 1, F_ACK | F_PSH, data,
			     sizeof(data));
	set_overload(st);
	pmtcp_stack_input(st, 0, pkts, 70);
	/* the data was delivered before any SYN made a sock */
	assert_int_equal(cbl.recv, 1);
	assert_int_equal(cbl.rlen, sizeof(data));
	assert_memory_equal(cbl.rbuf, data, sizeof(data));
	assert_int_equal(conns_at_recv, 1);
	assert_int_equal(sock_state(sk), PMTCP_TCP_ESTABLISHED);
	/* then budget(half_open 0) = 32 SYNs */
	assert_int_equal(pmtcp_stack_conn_count(st), 1 + FULL);
	assert_int_equal(pmtcp_half_open(st), FULL);
	assert_int_equal(st->synq_len, 69 - FULL);
	assert_shed(st, 0);
	poll_tx(st, &l);
	assert_synacks(&l, 20000, FULL);
	/* the ACK of the data, sent before the SYN-ACKs */
	assert_int_equal(l.other, 1);
	assert_int_equal(l.rst, 0);
	assert_int_equal(l.total, 1 + FULL);
	assert_int_equal(l.first_other_at, 0);
	assert_int_equal(l.first_synack_at, 1);
	assert_int_equal(l.first_other.flags, F_ACK);
	assert_int_equal(l.first_other.ack, PEER_ISN + 1 + sizeof(data));
	assert_int_equal(l.first_other.dport, PEER_PORT);
	assert_int_equal(st->synq_len, 69 - FULL);
	/* no input since: 32 of the 37 left, then the last 5 */
	poll_tx(st, &l);
	assert_synacks(&l, 20000 + FULL, FULL);
	assert_int_equal(l.total, FULL);
	assert_int_equal(st->synq_len, 69 - 2 * FULL);
	poll_tx(st, &l);
	assert_synacks(&l, 20000 + 2 * FULL, 69 - 2 * FULL);
	assert_int_equal(l.total, 69 - 2 * FULL);
	assert_int_equal(st->synq_len, 0);
	assert_int_equal(pmtcp_stack_conn_count(st), 1 + 69);
	finish(st, avail);
}

/*
 * tx_burst 32, half_open < 256 throughout. A backlogged burst of 100 SYNs
 * runs 32 (68 queued); the poll after it none; the next poll 32 (36
 * queued). A short burst of 10 (< 32) queues them (46) and runs only
 * tx_burst = 32 of them, oldest first (14 left); the poll after a short
 * input runs the 14 left. Then a poll with nothing queued sends nothing.
 */
static void
test_short_burst_and_polls(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct tx_log l;

	(void)state;
	st = listening_stack(&conf, 0);
	syn_burst(st, 30000, 100, LPORT);
	assert_int_equal(pmtcp_stack_conn_count(st), FULL);
	assert_int_equal(st->synq_len, 100 - FULL);
	poll_tx(st, &l);
	assert_synacks(&l, 30000, FULL);
	assert_int_equal(l.total, FULL);
	assert_int_equal(pmtcp_stack_conn_count(st), FULL);
	assert_int_equal(st->synq_len, 100 - FULL);
	poll_tx(st, &l);
	assert_synacks(&l, 30000 + FULL, FULL);
	assert_int_equal(l.total, FULL);
	assert_int_equal(pmtcp_stack_conn_count(st), 2 * FULL);
	assert_int_equal(st->synq_len, 100 - 2 * FULL);

	/* a short burst: 36 + 10 queued, tx_burst = 32 run */
	syn_burst(st, 30100, 10, LPORT);
	assert_int_equal(pmtcp_stack_conn_count(st), 3 * FULL);
	assert_int_equal(st->synq_len, 100 + 10 - 3 * FULL);
	assert_int_equal(pmtcp_half_open(st), 3 * FULL);
	/* ports 30064 .. 30095 at input, then the poll (the input was
	 * short) runs 30096 .. 30099 and 30100 .. 30109 */
	poll_tx(st, &l);
	assert_synacks(&l, 30000 + 2 * FULL, 46);
	assert_int_equal(l.total, 46);
	assert_int_equal(st->synq_len, 0);
	assert_int_equal(pmtcp_stack_conn_count(st), 110);
	poll_tx(st, &l);
	assert_int_equal(l.total, 0);
	assert_shed(st, 0);
	finish(st, avail);
}

/*
 * tx_burst 2: a full burst is 2 frames and, below 256 children, admits
 * both. 128 such bursts make half_open 256; from there a full burst
 * admits max(2 / 8, 1) = 1, so the queue grows by 1 per burst; a short
 * burst (1 frame) runs tx_burst = 2 queued SYNs, not all.
 */
static void
test_tiny_tx_burst(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct tx_log l;
	const uint16_t p0 = 40000;
	uint16_t p = p0;

	(void)state;
	st = listening_stack(&conf, 2);
	for (unsigned int k = 1; k <= LOW_HALF_OPEN / 2; k++) {
		syn_burst(st, p, 2, LPORT);
		assert_int_equal(st->synq_len, 0);
		assert_int_equal(pmtcp_half_open(st), 2 * k);
		poll_tx(st, &l);
		assert_synacks(&l, p, 2);
		assert_int_equal(l.total, 2);
		p = (uint16_t)(p + 2);
	}
	assert_int_equal(pmtcp_half_open(st), LOW_HALF_OPEN);
	/* budget 1: three full bursts leave 1, 2, 3 queued */
	for (unsigned int k = 1; k <= 3; k++) {
		syn_burst(st, (uint16_t)(p + 2 * (k - 1)), 2, LPORT);
		assert_int_equal(st->synq_len, k);
		assert_int_equal(pmtcp_half_open(st), LOW_HALF_OPEN + k);
		poll_tx(st, &l);   /* after a backlogged input: none */
		assert_int_equal(l.total, 1);
		/* oldest first: p, p + 1, p + 2 */
		assert_int_equal(l.synack_dport[0], (uint16_t)(p + k - 1));
		assert_int_equal(st->synq_len, k);
	}
	/* a short burst: 4 queued, 2 run (p + 3, p + 4); the poll after a
	 * short input runs 2 more (p + 5, p + 6) */
	syn_burst(st, (uint16_t)(p + 6), 1, LPORT);
	assert_int_equal(st->synq_len, 2);
	assert_int_equal(pmtcp_half_open(st), LOW_HALF_OPEN + 5);
	poll_tx(st, &l);
	assert_synacks(&l, (uint16_t)(p + 3), 4);
	assert_int_equal(l.total, 4);
	assert_int_equal(st->synq_len, 0);
	assert_int_equal(pmtcp_half_open(st), LOW_HALF_OPEN + 7);
	assert_shed(st, 0);
	finish(st, avail);
}

/*
 * Freeing the stack with SYNs queued frees their mbufs; shed SYNs are
 * freed at input. 100 SYNs: 32 run, 68 queued; 100 more: 60 fit (128),
 * 40 shed, 32 run: 96 queued, held by the stack (the SYN-ACKs read off
 * the wire): the pool lacks exactly those 96.
 */
static void
test_free_with_queued_syns(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct tx_log l;
	unsigned int base;

	(void)state;
	st = listening_stack(&conf, 0);
	read_tx(&l);
	base = t_pool_avail();
	syn_burst(st, 33000, 100, LPORT);
	assert_int_equal(st->synq_len, 68);
	assert_shed(st, 0);
	syn_burst(st, 33100, 100, LPORT);
	assert_int_equal(st->synq_len, 96);
	assert_shed(st, 40);
	assert_int_equal(pmtcp_stack_conn_count(st), 2 * FULL);
	read_tx(&l);  /* flushed at input: 32 per input */
	assert_int_equal(l.synack, 2 * FULL);
	assert_int_equal(l.total, 2 * FULL);
	assert_int_equal(t_pool_avail(), base - 96);
	finish(st, avail);
}

/*
 * Not overloaded (the signal at one SYN per handshake, as a closed loop
 * at its capacity or a first burst of connections keeps it), full bursts
 * admit all of their SYNs whatever waits in SYN_RECV: a flash crowd of
 * 1024 SYNs in 32 full bursts is taken whole, nothing queued or shed.
 * The same stack, found overloaded, with 1024 children (above both
 * thresholds, 256 and 512) then admits one SYN per full burst.
 */
static void
test_flash_crowd_taken_whole(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct tx_log l;

	(void)state;
	g_overloaded = false;
	conf_close(&conf, false);
	conf.max_conns = 2048;
	st = stack_with_peer(&conf);
	assert_int_equal(st->sysctl.tcp_max_syn_backlog, SYN_BACKLOG);
	assert_int_equal(st->ov_ratio, PMTCP_OV_ONE);
	assert_int_equal(pmtcp_listen(st, LPORT), 0);
	for (unsigned int b = 0; b < 32; b++) {
		syn_burst(st, (uint16_t)(34000 + b * FULL), FULL, LPORT);
		assert_int_equal(st->synq_len, 0);
		read_tx(&l);
		assert_int_equal(l.synack, FULL);
	}
	assert_false(pmtcp_overloaded(st));
	assert_int_equal(pmtcp_half_open(st), 1024);
	assert_shed(st, 0);
	g_overloaded = true;
	syn_burst(st, 34000 + 32 * FULL, FULL, LPORT);
	assert_int_equal(pmtcp_half_open(st), 1024 + 1);
	assert_int_equal(st->synq_len, FULL - 1);
	assert_shed(st, 0);
	finish(st, avail);
}

/*
 * The signal itself: pmtcp_overload_clock() folds each millisecond's
 * SYNs-in per handshake-done into a moving average (1/16 per ms, in
 * 1/256ths). Driven here with the clock set by hand.
 */
static void
test_overload_signal(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	uint32_t r = PMTCP_OV_ONE, ms;

	(void)state;
	conf_close(&conf, false);
	st = stack_with_peer(&conf);
	assert_int_equal(st->ov_ratio, PMTCP_OV_ONE);
	ms = st->ov_ms;
	/* 3 SYNs per completion, 6 ms in a row: 256 -> 288 -> 318 -> 347
	 * -> 374 -> 399 -> 422 */
	for (unsigned int k = 0; k < 6; k++) {
		st->syn_in_now = 300;
		st->hs_done_now = 100;
		st->now_ms = ++ms;
		pmtcp_overload_clock(st);
		r = r - r / 16 + 768 / 16;
		assert_int_equal(st->ov_ratio, r);
		assert_int_equal(st->syn_in_now, 0);
		assert_int_equal(st->hs_done_now, 0);
		/* 1.5 (384) is crossed at the fifth millisecond */
		assert_int_equal(pmtcp_overloaded(st), k >= 4);
	}
	/* a millisecond without completions counts as one SYN per
	 * handshake, however many SYNs came (a first burst, a flood) */
	st->syn_in_now = 5000;
	st->hs_done_now = 0;
	st->now_ms = ++ms;
	pmtcp_overload_clock(st);
	r = r - r / 16 + PMTCP_OV_ONE / 16;
	assert_int_equal(st->ov_ratio, r);
	/* so does one after a gap in the clock */
	st->syn_in_now = 300;
	st->hs_done_now = 100;
	ms += 5;
	st->now_ms = ms;
	pmtcp_overload_clock(st);
	r = r - r / 16 + PMTCP_OV_ONE / 16;
	assert_int_equal(st->ov_ratio, r);
	/* a sample is at most 3 SYNs per handshake */
	st->syn_in_now = 100000;
	st->hs_done_now = 1;
	st->now_ms = ++ms;
	pmtcp_overload_clock(st);
	r = r - r / 16 + 3 * PMTCP_OV_ONE / 16;
	assert_int_equal(st->ov_ratio, r);
	/* one per handshake brings it back under 1.5 */
	for (unsigned int k = 0; k < 40; k++) {
		st->syn_in_now = 100;
		st->hs_done_now = 100;
		st->now_ms = ++ms;
		pmtcp_overload_clock(st);
	}
	assert_false(pmtcp_overloaded(st));
	/* a start-up flash crowd (a closed loop's first 1,024 SYNs, its
	 * completions a round trip behind): 3 ms of 16 SYNs per completion
	 * count as 3 and leave it under 1.5 (at most 361 from 271); with
	 * samples up to 8 the second millisecond set it and the flash was
	 * shed */
	for (unsigned int k = 0; k < 3; k++) {
		st->syn_in_now = 1024;
		st->hs_done_now = 64;
		st->now_ms = ++ms;
		pmtcp_overload_clock(st);
		assert_false(pmtcp_overloaded(st));
	}
	for (unsigned int k = 0; k < 40; k++) {
		st->syn_in_now = 100;
		st->hs_done_now = 100;
		st->now_ms = ++ms;
		pmtcp_overload_clock(st);
	}
	/* the same millisecond: nothing moves */
	r = st->ov_ratio;
	st->syn_in_now = 7;
	pmtcp_overload_clock(st);
	assert_int_equal(st->ov_ratio, r);
	assert_int_equal(st->syn_in_now, 7);
	st->syn_in_now = 0;
	finish(st, avail);
}

/*
 * SYNs to a port nobody listens on are not queued, and not shed with a
 * full queue: a burst of 160 frames, every 8th (i % 8 == 7) a SYN to the
 * closed port (20), the other 140 to the listener: 128 queue, the last
 * 12 are shed, 32 run (96 queued). The 20 RSTs go out at input, in burst
 * order, before the SYN-ACKs.
 */
static void
test_syn_to_closed_port_not_queued(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct rte_mbuf *pkts[160];
	struct pmtcp_stack *st;
	struct tx_log l;
	uint16_t lis[140];
	unsigned int nl = 0;

	(void)state;
	st = listening_stack(&conf, 0);
	for (uint16_t i = 0; i < 160; i++) {
		bool closed = i % 8 == 7;

		pkts[i] = syn_to((uint16_t)(34000 + i),
				 closed ? CLOSED_PORT : LPORT);
		if (!closed)
			lis[nl++] = (uint16_t)(34000 + i);
	}
	assert_int_equal(nl, 140);
	set_overload(st);
	pmtcp_stack_input(st, 0, pkts, 160);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutRsts), 20);
	assert_shed(st, 140 - PMTCP_SYNQ_MAX);
	assert_int_equal(st->synq_len, PMTCP_SYNQ_MAX - FULL);
	assert_int_equal(pmtcp_stack_conn_count(st), FULL);
	poll_tx(st, &l);
	assert_int_equal(l.rst, 20);
	for (unsigned int i = 0; i < 20; i++)
		assert_int_equal(l.rst_dport[i], 34000 + 8 * i + 7);
	assert_int_equal(l.synack, FULL);
	for (unsigned int i = 0; i < FULL; i++)
		assert_int_equal(l.synack_dport[i], lis[i]);
	assert_int_equal(l.last_rst_at, 19);
	assert_int_equal(l.first_synack_at, 20);
	assert_int_equal(l.total, 20 + FULL);
	/* the poll after a backlogged input ran none; this one 32 */
	poll_tx(st, &l);
	assert_int_equal(l.rst, 0);
	assert_int_equal(l.synack, FULL);
	for (unsigned int i = 0; i < FULL; i++)
		assert_int_equal(l.synack_dport[i], lis[FULL + i]);
	assert_int_equal(st->synq_len, PMTCP_SYNQ_MAX - 2 * FULL);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutRsts), 20);
	finish(st, avail);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_bursts_budget_then_shed),
		cmocka_unit_test(test_non_syn_before_syns),
		cmocka_unit_test(test_short_burst_and_polls),
		cmocka_unit_test(test_tiny_tx_burst),
		cmocka_unit_test(test_free_with_queued_syns),
		cmocka_unit_test(test_syn_to_closed_port_not_queued),
		cmocka_unit_test(test_flash_crowd_taken_whole),
		cmocka_unit_test(test_overload_signal),
	};

	return cmocka_run_group_tests(tests, t_eal_setup, NULL);
}
