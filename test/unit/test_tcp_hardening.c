/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a hostile or broken peer can send, and Linux 4.17's answer to it
 * (issue 9): the MSS floor (__tcp_mtu_to_mss(), tcp_min_snd_mss), segments
 * never larger than an mbuf, RTT samples from bogus echoed timestamps
 * (tcp_ack_update_rtt()) and the RTO bounds, PAWS's one-tick window, the
 * 24-day rule and reordered ACKs (tcp_paws_check(), tcp_disordered_ack()),
 * duplicate ACKs rate limited per connection (tcp_oow_rate_limited(),
 * tcp_invalid_ratelimit), a RST one below RCV.NXT after the peer's FIN
 * (tcp_reset_check()), SYN_RECV and a RST with a wrong ACK
 * (tcp_check_req()), TIME_WAIT as tcp_timewait_state_process() answers,
 * and a simultaneous open's retries (tcp_write_timeout()).
 *
 * Same set-up as test_tcp_close.c (test_tcp_util.h): our stack on
 * t_port[0] (198.18.0.2), the crafted peer 198.18.0.1.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "test_tcp_util.h"
#include "tcp.h"   /* struct pmtcp_sock fields for white-box checks */

/*
 * A peer announcing MSS 12 or 1 with timestamps: Linux 4.17 raises the MSS
 * to 48 before taking the 12 timestamp bytes off, so every data segment
 * carries 36 bytes (not 0, which sent empty segments forever, nor a
 * wrapped 65525, which wrote past the mbuf); 48 without timestamps.
 */
static void
check_tiny_mss(uint16_t peer_mss, bool ts, uint16_t want)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_sock_info info;
	struct rte_mbuf *pkts[64];
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint8_t data[3000];
	uint32_t iss;
	uint16_t n;

	conf_close(&conf, ts);
	st = stack_with_peer(&conf);
	sk = establish_mss(st, ts, 65535, peer_mss, &iss, NULL);
	pmtcp_sock_info(sk, &info);
	assert_int_equal(info.mss, want);
	fill(data, sizeof(data), 3);
	assert_int_equal(pmtcp_send(st, sk, data, sizeof(data)), (int)sizeof(data));
	/* ten segments of the initial window, each exactly @want bytes */
	pmtcp_stack_poll(st, rte_rdtsc());
	n = t_rx(1, pkts, 64);
	assert_int_equal(n, 10);
	for (uint16_t i = 0; i < n; i++) {
		assert_int_equal(seg_len(pkts[i]), want);
		assert_int_equal(seg_seq(pkts[i]), iss + 1 + i * want);
		assert_memory_equal(seg_data(pkts[i]), data + i * want, want);
	}
	t_free(pkts, n);
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_SegTooBig), 0);
	finish(st, avail);
}

static void
test_mss_12_timestamps_floor(void **state)
{
	(void)state;
	check_tiny_mss(12, true, 48 - 12);
}

static void
test_mss_1_timestamps_floor(void **state)
{
	(void)state;
	check_tiny_mss(1, true, 48 - 12);
}

static void
test_mss_1_no_timestamps_floor(void **state)
{
	(void)state;
	check_tiny_mss(1, false, 48);
}

/* tcp_min_snd_mss raised to 500: the floor follows the knob. */
static void
test_min_snd_mss_knob(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_sock_info info;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	conf.sysctl.tcp_min_snd_mss = 500;
	st = stack_with_peer(&conf);
	sk = establish_mss(st, false, 65535, 100, &iss, NULL);
	pmtcp_sock_info(sk, &info);
	assert_int_equal(info.mss, 500);
	finish(st, avail);
}

/* The knob's range: 48 is the least; tcp_mss_clamp is 0 or at least 88. */
static void
test_mss_knob_ranges(void **state)
{
	struct pmtcp_sysctl s;
	char err[128];

	(void)state;
	pmtcp_sysctl_init(&s);
	assert_int_equal(s.tcp_min_snd_mss, 48);
	assert_int_equal(pmtcp_sysctl_set(&s, "tcp_min_snd_mss", "47", err,
					  sizeof(err)), -EINVAL);
	assert_int_equal(pmtcp_sysctl_set(&s, "tcp_mss_clamp", "87", err,
					  sizeof(err)), -EINVAL);
	assert_string_equal(err, "tcp_mss_clamp: value '87' out of range: 0 (off) or [88, 65495]");
	assert_int_equal(pmtcp_sysctl_set(&s, "tcp_mss_clamp", "88", err,
					  sizeof(err)), 0);
	assert_int_equal(pmtcp_sysctl_set(&s, "tcp_mss_clamp", "0", err,
					  sizeof(err)), 0);
}

/*
 * An interface whose MTU-sized frame does not fit the pool's mbufs is
 * refused (-EMSGSIZE), one that fits is taken.
 */
static void
test_mtu_larger_than_mbuf_refused(void **state)
{
	struct rte_mempool *small;
	struct pmtcp_stack_conf conf;
	struct pmtcp_iface_conf ic;
	struct pmtcp_stack *st;

	(void)state;
	small = rte_pktmbuf_pool_create("t_small", 255, 0, 0,
					RTE_PKTMBUF_HEADROOM + 1024, SOCKET_ID_ANY);
	assert_non_null(small);
	pmtcp_stack_conf_init(&conf);
	conf.max_conns = 16;
	conf.pool = small;
	st = pmtcp_stack_create(&conf);
	assert_non_null(st);
	memset(&ic, 0, sizeof(ic));
	ic.port_id = t_port[0];
	ic.addr = ST_IP;
	ic.prefix_len = 24;
	ic.mtu = 1500;
	assert_int_equal(pmtcp_stack_add_iface(st, &ic), -EMSGSIZE);
	ic.mtu = 1024 - RTE_ETHER_HDR_LEN;
	assert_int_equal(pmtcp_stack_add_iface(st, &ic), 0);
	t_stack_free(st);
	rte_mempool_free(small);
}

/*
 * Bogus echoed timestamps: a TSecr 5,000,000 ms in the past and one 100 s
 * in the future give no RTT sample (tcp_ack_update_rtt() takes only
 * 0 .. INT_MAX / 1000 ms) and leave the RTO as it was; a TSecr 30 minutes
 * old is a sample Linux takes, and the RTO stops at tcp_rto_max_ms.
 */
static void
test_rtt_bogus_tsecr_ignored_rto_bounded(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	struct rte_mbuf *m;
	uint8_t data[10], opts[12], n;
	uint32_t iss, our_ts, tsval, tsecr, rto0;
	const uint32_t bogus[2] = { 5000000U, (uint32_t)-100000 };

	(void)state;
	conf_close(&conf, true);
	st = stack_with_peer(&conf);
	sk = establish_mss(st, true, 65535, 1460, &iss, &our_ts);
	rto0 = sk->rto_ms;
	assert_true(rto0 >= 200 && rto0 <= 1000);
	fill(data, sizeof(data), 1);
	for (unsigned int i = 0; i < 2; i++) {
		assert_int_equal(pmtcp_send(st, sk, data, 1), 1);
		m = rx_one(st);
		tcp_ts(m, &tsval, &tsecr);
		rte_pktmbuf_free(m);
		n = t_ts_opts(opts, PEER_TS0 + 1 + i, tsval - bogus[i]);
		t_input_one(st, peer_seg(PEER_PORT, g_sport, PEER_ISN + 1,
				       iss + 2 + i, F_ACK, 65535, opts, n, NULL, 0));
		assert_int_equal(sk->snd_una, iss + 2 + i);
		assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_RttSampleIgnored), i + 1);
		assert_int_equal(sk->rto_ms, rto0);
	}
	/* 30 minutes ago: inside Linux's range; the RTO is clamped */
	assert_int_equal(pmtcp_send(st, sk, data, 1), 1);
	m = rx_one(st);
	tcp_ts(m, &tsval, &tsecr);
	rte_pktmbuf_free(m);
	n = t_ts_opts(opts, PEER_TS0 + 3, tsval - 1800000U);
	t_input_one(st, peer_seg(PEER_PORT, g_sport, PEER_ISN + 1, iss + 4,
			       F_ACK, 65535, opts, n, NULL, 0));
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_RttSampleIgnored), 2);
	assert_int_equal(sk->rto_ms, 120000);
	finish(st, avail);
}

/* The estimator itself: RTO within [tcp_rto_min_ms, tcp_rto_max_ms]. */
static void
test_rtt_estimator_bounds(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock sk;

	(void)state;
	conf_close(&conf, false);
	conf.sysctl.tcp_rto_min_ms = 300;
	conf.sysctl.tcp_rto_max_ms = 5000;
	st = stack_with_peer(&conf);
	memset(&sk, 0, sizeof(sk));
	pmtcp_tcp_rtt_estimator(st, &sk, 10);          /* 10 us */
	assert_int_equal(sk.rto_ms, 300);
	memset(&sk, 0, sizeof(sk));
	pmtcp_tcp_rtt_estimator(st, &sk, 2000000000U); /* 2000 s */
	assert_int_equal(sk.rto_ms, 5000);
	memset(&sk, 0, sizeof(sk));
	pmtcp_tcp_rtt_estimator(st, &sk, 1000000);     /* 1 s: 1 + 4 * 0.5 */
	assert_int_equal(sk.rto_ms, 3000);
	finish(st, avail);
}

/*
 * PAWS: a TSval one below ts_recent passes (TCP_PAWS_WINDOW), two below is
 * rejected; a ts_recent older than 24 days no longer rejects anything.
 */
static void
test_paws_window_and_24_days(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint8_t data[30], opts[12], n;
	uint32_t iss, our_ts;

	(void)state;
	conf_close(&conf, true);
	st = stack_with_peer(&conf);
	sk = establish_mss(st, true, 65535, 1460, &iss, &our_ts);
	fill(data, sizeof(data), 9);
	/* ts_recent is PEER_TS0 from the SYN-ACK: one below passes */
	n = t_ts_opts(opts, PEER_TS0 - 1, our_ts);
	t_input_one(st, peer_seg(PEER_PORT, g_sport, PEER_ISN + 1, iss + 1,
			       F_ACK | F_PSH, 65535, opts, n, data, 10));
	rte_pktmbuf_free(rx_one(st));   /* quick ACK */
	assert_int_equal(cbl.rlen, 10);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_PAWSEstabRejected), 0);
	/* the ts_recent did not go back: two below PEER_TS0 is rejected */
	n = t_ts_opts(opts, PEER_TS0 - 2, our_ts);
	t_input_one(st, peer_seg(PEER_PORT, g_sport, PEER_ISN + 11, iss + 1,
			       F_ACK | F_PSH, 65535, opts, n, data + 10, 10));
	rte_pktmbuf_free(rx_one(st));   /* the duplicate ACK */
	assert_int_equal(cbl.rlen, 10);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_PAWSEstabRejected), 1);
	/* 24 days later (ts_recent_stamp moved back instead of the clock) */
	sk->ts_recent_stamp = st->now_ms - 24U * 24 * 3600 * 1000;
	t_input_one(st, peer_seg(PEER_PORT, g_sport, PEER_ISN + 11, iss + 1,
			       F_ACK | F_PSH, 65535, opts, n, data + 10, 10));
	rte_pktmbuf_free(rx_one(st));
	assert_int_equal(cbl.rlen, 20);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_PAWSEstabRejected), 1);
	finish(st, avail);
}

/*
 * Invalid segments are answered with at most one duplicate ACK per
 * tcp_invalid_ratelimit (500 ms) per connection: two pure ACKs from
 * beyond the window give one ACK and TCPACKSkippedSeq 1; two PAWS
 * failures one more and TCPACKSkippedPAWS 1. With the knob at 0 every
 * one is answered.
 */
static void
test_oow_dupacks_rate_limited(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	struct rte_mbuf *pkts[8];
	uint8_t opts[12], n;
	uint32_t iss, our_ts, far = PEER_ISN + 1 + 10000000;

	(void)state;
	conf_close(&conf, true);
	st = stack_with_peer(&conf);
	sk = establish_mss(st, true, 65535, 1460, &iss, &our_ts);
	n = t_ts_opts(opts, PEER_TS0 + 1, our_ts);
	for (int i = 0; i < 2; i++)
		t_input_one(st, peer_seg(PEER_PORT, g_sport, far, iss + 1, F_ACK,
				       65535, opts, n, NULL, 0));
	assert_int_equal(poll_rx_n(st, pkts, 1), 1);
	assert_int_equal(t_tcp(pkts[0])->tcp_flags, F_ACK);
	assert_int_equal(rte_be_to_cpu_32(t_tcp(pkts[0])->recv_ack), PEER_ISN + 1);
	rte_pktmbuf_free(pkts[0]);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPACKSkippedSeq), 1);
	/* PAWS failures share the same per-connection clock */
	n = t_ts_opts(opts, PEER_TS0 - 100, our_ts);
	sk->dtimer.owner32 = 0;   /* as if 500 ms had passed */
	for (int i = 0; i < 2; i++)
		t_input_one(st, peer_seg(PEER_PORT, g_sport, PEER_ISN + 1, iss + 1,
				       F_ACK, 60000, opts, n, NULL, 0));
	assert_int_equal(poll_rx_n(st, pkts, 1), 1);
	rte_pktmbuf_free(pkts[0]);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPACKSkippedPAWS), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_PAWSEstabRejected), 2);
	/* tcp_invalid_ratelimit = 0: no limit */
	st->sysctl.tcp_invalid_ratelimit = 0;
	n = t_ts_opts(opts, PEER_TS0 + 1, our_ts);
	for (int i = 0; i < 3; i++)
		t_input_one(st, peer_seg(PEER_PORT, g_sport, far, iss + 1, F_ACK,
				       65535, opts, n, NULL, 0));
	assert_int_equal(poll_rx_n(st, pkts, 3), 3);
	t_free(pkts, 3);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPACKSkippedSeq), 1);
	finish(st, avail);
}

/*
 * tcp_reset_check(): once the peer's FIN is in (CLOSE_WAIT), a RST at
 * RCV.NXT - 1 (the FIN's sequence number) resets, with EPIPE; in
 * ESTABLISHED the same offset only earns a challenge ACK.
 */
static void
test_rst_at_rcv_nxt_minus_1(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	/* ESTABLISHED: RST at RCV.NXT - 1 is out of window */
	t_input_one(st, from_peer(PEER_ISN, 0, F_RST, NULL, 0));
	rx_none(st);
	assert_int_equal(sock_state(sk), PMTCP_TCP_ESTABLISHED);
	/* the peer's FIN: CLOSE_WAIT */
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1, F_FIN | F_ACK, NULL, 0));
	expect_seg(st, F_ACK, iss + 1, PEER_ISN + 2, NULL, 0);
	assert_int_equal(sock_state(sk), PMTCP_TCP_CLOSE_WAIT);
	assert_int_equal(cbl.peer_closed, 1);
	/* RST with the FIN's sequence number */
	t_input_one(st, from_peer(PEER_ISN + 1, 0, F_RST, NULL, 0));
	rx_none(st);
	assert_int_equal(cbl.closed, 1);
	assert_int_equal(cbl.last_err, -EPIPE);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	finish(st, avail);
}

/*
 * SYN_RECV (tcp_check_req()): a RST whose ACK is wrong changes nothing
 * (Linux hands it to the listener, which never answers a RST); a RST
 * without ACK at RCV.NXT is an embryonic reset (EmbryonicRsts).
 */
static void
test_synrecv_rst_wrong_ack_ignored(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct rte_mbuf *m;
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = stack_with_peer(&conf);
	iss = to_syn_recv(st);
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1000, F_RST | F_ACK, NULL, 0));
	rx_none(st);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	assert_int_equal(t_drop(st, PMTCP_DROP_TCP_BAD_ACK), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_EmbryonicRsts), 0);
	/* a wrong ACK without RST: the listener's RST, still SYN_RECV */
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1000, F_ACK, NULL, 0));
	m = rx_one(st);
	assert_int_equal(t_tcp(m)->tcp_flags, F_RST);
	assert_int_equal(seg_seq(m), iss + 1000);
	rte_pktmbuf_free(m);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	/* RST at RCV.NXT: gone */
	t_input_one(st, from_peer(PEER_ISN + 1, 0, F_RST, NULL, 0));
	rx_none(st);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_EmbryonicRsts), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_AttemptFails), 1);
	assert_int_equal(cbl.accepted, 0);
	finish(st, avail);
}

/* SYN_RECV: the peer's retransmitted SYNs get one SYN-ACK per
 * tcp_invalid_ratelimit; the rest are counted TCPACKSkippedSynRecv. */
static void
test_synrecv_syn_retransmits_rate_limited(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct rte_mbuf *m;
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = stack_with_peer(&conf);
	iss = to_syn_recv(st);
	for (int i = 0; i < 3; i++)
		t_input_one(st, from_peer(PEER_ISN, 0, F_SYN, NULL, 0));
	m = rx_one(st);
	assert_int_equal(t_tcp(m)->tcp_flags, F_SYN | F_ACK);
	assert_int_equal(seg_seq(m), iss);
	rte_pktmbuf_free(m);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPACKSkippedSynRecv), 2);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	finish(st, avail);
}

/*
 * TIME_WAIT (tcp_timewait_state_process()):
 * - a bare ACK at RCV.NXT is taken silently;
 * - an out-of-window ACK is answered with the TIME_WAIT's ACK, once per
 *   tcp_invalid_ratelimit (TCPACKSkippedTimeWait);
 * - a new SYN with no listener gets that ACK too, not a RST
 *   (TCP_TW_SYN falls back to TCP_TW_ACK), and TIME_WAIT stays.
 */
static void
test_timewait_answers(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint32_t iss, snd;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	snd = to_time_wait(st, sk, iss, false);
	t_input_one(st, from_peer(PEER_ISN + 2, snd, F_ACK, NULL, 0));
	rx_none(st);
	for (int i = 0; i < 2; i++)
		t_input_one(st, from_peer(PEER_ISN + 5000000, snd, F_ACK, NULL, 0));
	expect_seg(st, F_ACK, snd, PEER_ISN + 2, NULL, 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPACKSkippedTimeWait), 1);
	/* a SYN later in sequence, nobody listening on our port (its ACK
	 * is not rate limited: the limiter's stamp cleared to show it) */
	*tw_last_oow_ack(pmtcp_tw_lookup(st, sk->saddr, sk->sport, sk->daddr,
					 sk->dport)) = 0;
	t_input_one(st, from_peer(PEER_ISN + 100000, 0, F_SYN, NULL, 0));
	expect_seg(st, F_ACK, snd, PEER_ISN + 2, NULL, 0);
	assert_int_equal(sock_state(sk), PMTCP_TCP_TIME_WAIT);
	assert_int_equal(pmtcp_stack_tw_count(st), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutRsts), 0);
	assert_int_equal(t_drop(st, PMTCP_DROP_TCP_TIME_WAIT), 3);
	finish(st, avail);
}

/* tcp_rfc1337 = 1: a RST at RCV.NXT no longer ends TIME_WAIT. */
static void
test_timewait_rfc1337(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	conf.sysctl.tcp_rfc1337 = 1;
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	to_time_wait(st, sk, iss, false);
	t_input_one(st, from_peer(PEER_ISN + 2, 0, F_RST, NULL, 0));
	rx_none(st);
	assert_int_equal(pmtcp_stack_tw_count(st), 1);
	assert_int_equal(sock_state(sk), PMTCP_TCP_TIME_WAIT);
	finish(st, avail);
}

/*
 * A simultaneous open's sock in SYN_RECV is a full sock: its SYN-ACK is
 * retried tcp_syn_retries times (2 here), not tcp_synack_retries (5),
 * then the connection fails with ETIMEDOUT (tcp_write_timeout()).
 */
static void
test_simultaneous_open_syn_retries(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_sock_info info;
	struct rte_mbuf *pkts[64];
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk = NULL;
	unsigned int synacks = 0;
	uint64_t t0;
	uint16_t n;

	(void)state;
	conf_close(&conf, false);
	conf.sysctl.tcp_syn_retries = 2;
	conf.sysctl.tcp_synack_retries = 5;
	conf.sysctl.tcp_rto_initial_ms = 20;
	st = stack_with_peer(&conf);
	assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, 1, &sk), 0);
	rte_pktmbuf_free(rx_one(st));
	pmtcp_sock_info(sk, &info);
	g_sport = info.sport;
	g_dport = PEER_PORT;
	t_input_one(st, from_peer(PEER_ISN, 0, F_SYN, NULL, 0));
	pmtcp_sock_info(sk, &info);
	assert_int_equal(info.state, PMTCP_TCP_SYN_RECV);
	t0 = rte_rdtsc();
	while (cbl.failed == 0 && rte_rdtsc() - t0 < rte_get_tsc_hz() * 2) {
		n = poll_until_tx(st, pkts, rte_rdtsc(), 50, NULL);
		for (uint16_t i = 0; i < n; i++)
			if (t_tcp(pkts[i])->tcp_flags == (F_SYN | F_ACK))
				synacks++;
		t_free(pkts, n);
	}
	assert_int_equal(cbl.failed, 1);
	assert_int_equal(cbl.last_err, -ETIMEDOUT);
	/* the first SYN-ACK answered the SYN, then two retransmissions */
	assert_int_equal(synacks, 3);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	finish(st, avail);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mss_12_timestamps_floor),
		cmocka_unit_test(test_mss_1_timestamps_floor),
		cmocka_unit_test(test_mss_1_no_timestamps_floor),
		cmocka_unit_test(test_min_snd_mss_knob),
		cmocka_unit_test(test_mss_knob_ranges),
		cmocka_unit_test(test_mtu_larger_than_mbuf_refused),
		cmocka_unit_test(test_rtt_bogus_tsecr_ignored_rto_bounded),
		cmocka_unit_test(test_rtt_estimator_bounds),
		cmocka_unit_test(test_paws_window_and_24_days),
		cmocka_unit_test(test_oow_dupacks_rate_limited),
		cmocka_unit_test(test_rst_at_rcv_nxt_minus_1),
		cmocka_unit_test(test_synrecv_rst_wrong_ack_ignored),
		cmocka_unit_test(test_synrecv_syn_retransmits_rate_limited),
		cmocka_unit_test(test_timewait_answers),
		cmocka_unit_test(test_timewait_rfc1337),
		cmocka_unit_test(test_simultaneous_open_syn_retries),
	};

	return cmocka_run_group_tests(tests, t_eal_setup, NULL);
}
