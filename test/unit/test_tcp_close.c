/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Data transfer and connection termination (tcp.c, tcp_input.c,
 * tcp_output.c, tcp_timer.c, tcp_conn_table.c), one test per RFC 9293
 * event or state transition: SEND (3.10.2), the ACK, data and FIN checks
 * of SEGMENT ARRIVES in the synchronized states (3.10.7.4), CLOSE
 * (3.10.4), ABORT (3.10.5), the retransmission, delayed ACK, FIN_WAIT2
 * and TIME_WAIT timers (3.10.8), RFC 5961 challenge ACKs, RFC 7323 PAWS
 * and the reuse of a TIME_WAIT 4-tuple (Linux 4.17 tcp_twsk_unique() and
 * tcp_timewait_state_process()).
 *
 * The stack under test sits on t_port[0] (198.18.0.2) and has learnt the
 * peer 198.18.0.1 (t_port[1]'s MAC) from an ARP request; what it sends is
 * read from t_port[1], segments "from the peer" are crafted. Most tests
 * run without timestamps (20-byte headers) and establish with a SYN-ACK
 * carrying only MSS 1460, so no window scaling: our window is the plain
 * 29200 of tcp_select_initial_window() and the MSS is 1460.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "test_tcp_util.h"
#include "tcp.h"   /* struct pmtcp_sock / pmtcp_stack fields for white-box checks */

/* ====================================================================
 * SEND (RFC 9293 3.10.2; tcp_sendmsg, tcp_write_xmit)
 * ==================================================================== */

/* ESTABLISHED, SEND of 100 bytes: one segment ACK|PSH at SND.NXT. */
static void
test_send_established_one_segment(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint8_t buf[100];
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	fill(buf, sizeof(buf), 1);
	assert_int_equal(pmtcp_send(st, sk, buf, sizeof(buf)), 100);
	expect_seg(st, F_ACK | F_PSH, iss + 1, PEER_ISN + 1, buf, 100);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutSegs), 3); /* SYN, ACK, data */
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_RetransSegs), 0);
	/* the peer ACKs it: nothing more to send */
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 101, F_ACK, NULL, 0));
	rx_none(st);
	assert_int_equal(sk->snd_una, iss + 101);
	assert_int_equal(sk->sndq_len, 0);
	finish(st, avail);
}

/* SEND of 5000 bytes, peer window 65535, MSS 1460: 1460, 1460, 1460, 620,
 * PSH on the last only. */
static void
test_send_segments_by_mss(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	static uint8_t buf[5000];
	static const uint32_t lens[4] = { 1460, 1460, 1460, 620 };
	uint32_t iss, off = 0;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	fill(buf, sizeof(buf), 2);
	assert_int_equal(pmtcp_send(st, sk, buf, sizeof(buf)), 5000);
	poll_rx_n(st, pkts, 4);
	for (unsigned int i = 0; i < 4; i++) {
		assert_seg(pkts[i], i == 3 ? F_ACK | F_PSH : F_ACK, iss + 1 + off,
			   PEER_ISN + 1, buf + off, lens[i]);
		off += lens[i];
	}
	t_free(pkts, 4);
	assert_int_equal(sk->snd_nxt, iss + 5001);
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 5001, F_ACK, NULL, 0));
	rx_none(st);
	assert_int_equal(sk->sndq_len, 0);
	finish(st, avail);
}

/* RFC 9293 3.8.6.2.1: the peer's window (2000) lets one MSS out; each
 * ACK that opens the window lets more out. */
static void
test_send_limited_by_peer_window(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	static uint8_t buf[5000];
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 2000, &sk, &iss);
	fill(buf, sizeof(buf), 3);
	assert_int_equal(pmtcp_send(st, sk, buf, sizeof(buf)), 5000);
	expect_seg(st, F_ACK, iss + 1, PEER_ISN + 1, buf, 1460);
	rx_none(st);
	/* ACK of the first, window still 2000: the next 1460 */
	t_input_one(st, peer_seg(PEER_PORT, g_sport, PEER_ISN + 1, iss + 1461,
			       F_ACK, 2000, NULL, 0, NULL, 0));
	expect_seg(st, F_ACK, iss + 1461, PEER_ISN + 1, buf + 1460, 1460);
	/* a window update without new ACK (65535): the rest, 1460 + 620 */
	t_input_one(st, peer_seg(PEER_PORT, g_sport, PEER_ISN + 1, iss + 1461,
			       F_ACK, 65535, NULL, 0, NULL, 0));
	poll_rx_n(st, pkts, 2);
	assert_seg(pkts[0], F_ACK, iss + 2921, PEER_ISN + 1, buf + 2920, 1460);
	assert_seg(pkts[1], F_ACK | F_PSH, iss + 4381, PEER_ISN + 1, buf + 4380, 620);
	t_free(pkts, 2);
	finish(st, avail);
}

/*
 * RFC 9293 3.10.2 SYN-SENT: "queue the data for transmission after
 * entering ESTABLISHED state". Linux's tcp_rcv_synsent_state_process()
 * with a writer waiting (sk_write_pending) does not send the bare ACK:
 * the first data segment carries it. So the SYN-ACK is answered by one
 * segment, ACK|PSH with the 10 bytes, and nothing else.
 */
static void
test_send_in_syn_sent_rides_on_ack(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_sock_info info;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk = NULL;
	struct rte_mbuf *m;
	uint8_t data[10], opts[4] = { 2, 4, 1460 >> 8, 1460 & 0xff };
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = stack_with_peer(&conf);
	fill(data, sizeof(data), 5);
	assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, 0, &sk), 0);
	m = rx_one(st);   /* the SYN */
	iss = seg_seq(m);
	rte_pktmbuf_free(m);
	assert_int_equal(pmtcp_send(st, sk, data, sizeof(data)), (int)sizeof(data));
	rx_none(st);
	assert_int_equal(sock_state(sk), PMTCP_TCP_SYN_SENT);
	pmtcp_sock_info(sk, &info);
	g_sport = info.sport;
	g_dport = PEER_PORT;
	t_input_one(st, peer_seg(PEER_PORT, g_sport, PEER_ISN, iss + 1,
			       F_SYN | F_ACK, 65535, opts, 4, NULL, 0));
	expect_seg(st, F_ACK | F_PSH, iss + 1, PEER_ISN + 1, data, sizeof(data));
	assert_int_equal(sock_state(sk), PMTCP_TCP_ESTABLISHED);
	assert_int_equal(cbl.connected, 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutSegs), 2);   /* SYN, data */
	/* the peer acknowledges it: the queue is empty */
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 11, F_ACK, NULL, 0));
	rx_none(st);
	assert_int_equal(sk->sndq_len, 0);
	finish(st, avail);
}

/* SYN_RECV (an accepted connection not yet established): -ENOTCONN. */
static void
test_send_in_syn_recv_enotconn(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk = NULL;

	(void)state;
	conf_close(&conf, false);
	st = stack_with_peer(&conf);
	to_syn_recv(st);
	sk = pmtcp_sock_lookup(st, ST_IP, rte_cpu_to_be_16(80), PEER_IP,
			       rte_cpu_to_be_16(40000));
	assert_non_null(sk);
	assert_int_equal(pmtcp_send(st, sk, "x", 1), -ENOTCONN);
	rx_none(st);
	finish(st, avail);
}

/* RFC 9293 3.10.2 FIN-WAIT-1 ...: "error: connection closing". */
static void
test_send_after_close_epipe(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	assert_int_equal(pmtcp_close(st, sk), 0);
	expect_seg(st, F_FIN | F_ACK, iss + 1, PEER_ISN + 1, NULL, 0);
	assert_int_equal(pmtcp_send(st, sk, "x", 1), -EPIPE);
	assert_int_equal(pmtcp_close(st, sk), -ENOTCONN);
	rx_none(st);
	finish(st, avail);
}

/* ====================================================================
 * ACK processing (RFC 9293 3.10.7.4 fifth check; tcp_ack)
 * ==================================================================== */

/* SND.UNA < SEG.ACK =< SND.NXT: the acknowledged bytes leave the send
 * queue, and the retransmission restarts from the new SND.UNA. */
static void
test_ack_partial_frees_and_retransmits_from_snd_una(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	static uint8_t buf[3100];
	uint32_t iss, at;
	uint64_t t0;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	fill(buf, sizeof(buf), 4);
	assert_int_equal(pmtcp_send(st, sk, buf, 3000), 3000);
	poll_rx_n(st, pkts, 3);
	assert_seg(pkts[0], F_ACK, iss + 1, PEER_ISN + 1, buf, 1460);
	assert_seg(pkts[1], F_ACK, iss + 1461, PEER_ISN + 1, buf + 1460, 1460);
	assert_seg(pkts[2], F_ACK | F_PSH, iss + 2921, PEER_ISN + 1, buf + 2920, 80);
	t_free(pkts, 3);

	t0 = rte_rdtsc();
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1461, F_ACK, NULL, 0));
	rx_none(st);
	assert_int_equal(sk->snd_una, iss + 1461);
	assert_int_equal(sk->sndq_seq, iss + 1461);
	assert_int_equal(sk->sndq_len, 1540);
	/* more data: goes out at SND.NXT */
	assert_int_equal(pmtcp_send(st, sk, buf + 3000, 100), 100);
	expect_seg(st, F_ACK | F_PSH, iss + 3001, PEER_ISN + 1, buf + 3000, 100);

	/* RTO (200 ms, TCP_RTO_MIN) from the partial ACK: the head again */
	assert_int_equal(poll_until_tx(st, pkts, t0, 1000, &at), 1);
	assert_seg(pkts[0], F_ACK, iss + 1461, PEER_ISN + 1, buf + 1460, 1460);
	t_free(pkts, 1);
	assert_true(at >= 198);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_RetransSegs), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPTimeouts), 1);
	/* everything acknowledged: queue empty, timer off */
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 3101, F_ACK, NULL, 0));
	rx_none(st);
	assert_int_equal(sk->sndq_len, 0);
	assert_null(sk->sndq);
	assert_false(pmtcp_timer_pending(&sk->timer));
	finish(st, avail);
}

/* "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send
 * an ACK, drop the segment, and return." */
static void
test_ack_beyond_snd_nxt_acked_and_dropped(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint8_t buf[100], data[50];
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	fill(buf, sizeof(buf), 5);
	fill(data, sizeof(data), 6);
	assert_int_equal(pmtcp_send(st, sk, buf, 100), 100);
	expect_seg(st, F_ACK | F_PSH, iss + 1, PEER_ISN + 1, buf, 100);
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1000, F_ACK | F_PSH, data, 50));
	expect_seg(st, F_ACK, iss + 101, PEER_ISN + 1, NULL, 0);
	assert_int_equal(cbl.recv, 0);
	assert_int_equal(sk->snd_una, iss + 1);
	assert_int_equal(sk->rcv_nxt, PEER_ISN + 1);
	assert_int_equal(sk->sndq_len, 100);
	assert_int_equal(sock_state(sk), PMTCP_TCP_ESTABLISHED);
	finish(st, avail);
}

/* SEG.ACK =< SND.UNA: a duplicate, ignored (no ACK back, no change, no
 * retransmission). */
static void
test_ack_duplicate_changes_nothing(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint8_t buf[200];
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	fill(buf, sizeof(buf), 7);
	assert_int_equal(pmtcp_send(st, sk, buf, 100), 100);
	expect_seg(st, F_ACK | F_PSH, iss + 1, PEER_ISN + 1, buf, 100);
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 101, F_ACK, NULL, 0));
	rx_none(st);
	assert_int_equal(pmtcp_send(st, sk, buf + 100, 100), 100);
	expect_seg(st, F_ACK | F_PSH, iss + 101, PEER_ISN + 1, buf + 100, 100);
	/* the same ACK again, and an older one */
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 101, F_ACK, NULL, 0));
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1, F_ACK, NULL, 0));
	rx_none(st);
	assert_int_equal(sk->snd_una, iss + 101);
	assert_int_equal(sk->snd_nxt, iss + 201);
	assert_int_equal(sk->sndq_len, 100);
	assert_int_equal(sk->rcv_nxt, PEER_ISN + 1);
	assert_int_equal(sock_state(sk), PMTCP_TCP_ESTABLISHED);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_RetransSegs), 0);
	assert_int_equal(cbl.closed, 0);
	finish(st, avail);
}

/* ====================================================================
 * Retransmission timeout (RFC 9293 3.10.8, RFC 6298 5.4-5.6)
 * ==================================================================== */

/* The RTO expires: the first unacknowledged segment again, same seq and
 * bytes; counted as a retransmission and a timeout; RTO doubled. */
static void
test_rto_retransmits_head(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_sock_info info;
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint8_t buf[300];
	uint32_t iss, at;
	uint64_t t0;

	(void)state;
	conf_close(&conf, false);
	conf.sysctl.tcp_rto_initial_ms = 10;
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	/* the handshake's RTT sample gives RTO = TCP_RTO_MIN */
	pmtcp_sock_info(sk, &info);
	assert_int_equal(info.rto_ms, 200);
	fill(buf, sizeof(buf), 8);
	t0 = rte_rdtsc();
	assert_int_equal(pmtcp_send(st, sk, buf, 300), 300);
	expect_seg(st, F_ACK | F_PSH, iss + 1, PEER_ISN + 1, buf, 300);
	assert_int_equal(poll_until_tx(st, pkts, t0, 1000, &at), 1);
	assert_seg(pkts[0], F_ACK | F_PSH, iss + 1, PEER_ISN + 1, buf, 300);
	t_free(pkts, 1);
	assert_true(at >= 198);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_RetransSegs), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPTimeouts), 1);
	pmtcp_sock_info(sk, &info);
	assert_int_equal(info.rto_ms, 400);
	assert_int_equal(sock_state(sk), PMTCP_TCP_ESTABLISHED);
	/* the ACK ends it */
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 301, F_ACK, NULL, 0));
	rx_none(st);
	assert_false(pmtcp_timer_pending(&sk->timer));
	assert_int_equal(cbl.closed, 0);
	finish(st, avail);
}

/* tcp_retries2 = 1: one retransmission, then tcp_write_err(): closed
 * with -ETIMEDOUT, nothing more sent (no RST). */
static void
test_rto_retries2_etimedout(void **state)
{
	unsigned int avail = begin();
	uint64_t hz = rte_get_tsc_hz(), t0, now;
	struct pmtcp_stack_conf conf;
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint8_t buf[100];
	uint32_t iss, nretrans = 0, closed_ms = 0;

	(void)state;
	conf_close(&conf, false);
	conf.sysctl.tcp_rto_initial_ms = 10;
	conf.sysctl.tcp_retries2 = 1;
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	fill(buf, sizeof(buf), 9);
	t0 = rte_rdtsc();
	assert_int_equal(pmtcp_send(st, sk, buf, 100), 100);
	expect_seg(st, F_ACK | F_PSH, iss + 1, PEER_ISN + 1, buf, 100);
	do {
		uint16_t n;

		now = rte_rdtsc();
		pmtcp_stack_poll(st, now);
		n = t_rx(1, pkts, BURST);
		for (uint16_t i = 0; i < n; i++) {
			check_frame(pkts[i]);
			assert_seg(pkts[i], F_ACK | F_PSH, iss + 1, PEER_ISN + 1, buf, 100);
			nretrans++;
		}
		t_free(pkts, n);
		if (cbl.closed != 0) {
			closed_ms = (uint32_t)((now - t0) * 1000 / hz);
			break;
		}
		usleep(200);
	} while (now - t0 < hz * 2);
	assert_int_equal(nretrans, 1);
	assert_int_equal(cbl.closed, 1);
	assert_int_equal(cbl.last_err, -ETIMEDOUT);
	assert_int_equal(cbl.failed, 0);
	/* 200 ms, then the doubled RTO of 400 ms */
	assert_true(closed_ms >= 598);
	rx_none(st);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPAbortOnTimeout), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_RetransSegs), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_EstabResets), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_CurrEstab), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutRsts), 0);
	finish(st, avail);
}

/* ====================================================================
 * Receiving data (RFC 9293 3.10.7.4 first and seventh checks; RFC 1122
 * 4.2.3.2 delayed ACKs)
 * ==================================================================== */

/* In-order data: delivered exactly, ACKed at once while in quick-ACK
 * mode (tcp_incr_quickack at the start). */
static void
test_rcv_in_order_delivered_quickack(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint8_t data[300];
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	fill(data, sizeof(data), 10);
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1, F_ACK | F_PSH, data, 100));
	expect_seg(st, F_ACK, iss + 1, PEER_ISN + 101, NULL, 0);
	assert_int_equal(cbl.recv, 1);
	assert_int_equal(cbl.rlen, 100);
	assert_memory_equal(cbl.rbuf, data, 100);
	t_input_one(st, from_peer(PEER_ISN + 101, iss + 1, F_ACK | F_PSH, data + 100, 200));
	expect_seg(st, F_ACK, iss + 1, PEER_ISN + 301, NULL, 0);
	assert_int_equal(cbl.recv, 2);
	assert_int_equal(cbl.rlen, 300);
	assert_memory_equal(cbl.rbuf, data, 300);
	assert_int_equal(sk->rcv_nxt, PEER_ISN + 301);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_DelayedACKs), 0);
	finish(st, avail);
}

/* Send 100-byte segments until one is not ACKed at once; returns how
 * many were ACKed at once. rcv_nxt moves to PEER_ISN + 1 + 100 * (n+1). */
static unsigned int
exhaust_quickack(struct pmtcp_stack *st, uint32_t iss, const uint8_t *data)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int quick = 0;
	uint32_t seq = PEER_ISN + 1;

	for (;;) {
		uint16_t n;

		assert_true(quick <= 16);   /* TCP_MAX_QUICKACKS */
		t_input_one(st, from_peer(seq, iss + 1, F_ACK | F_PSH, data, 100));
		seq += 100;
		pmtcp_stack_poll(st, rte_rdtsc());
		n = t_rx(1, pkts, BURST);
		if (n == 0)
			break;
		assert_int_equal(n, 1);
		check_frame(pkts[0]);
		assert_seg(pkts[0], F_ACK, iss + 1, seq, NULL, 0);
		t_free(pkts, 1);
		quick++;
	}
	return quick;
}

/* Out of quick-ACK mode a lone segment is ACKed by the delayed-ACK timer
 * (TCP_DELACK_MIN, 40 ms): not at once, but within the next polls. */
static void
test_rcv_delayed_ack(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint8_t data[100];
	uint32_t iss, at, quick;
	uint64_t t0;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	fill(data, sizeof(data), 11);
	t0 = rte_rdtsc();
	quick = exhaust_quickack(st, iss, data);
	assert_in_range(quick, 2, 16);
	assert_int_equal(cbl.recv, quick + 1);
	assert_int_equal(cbl.rlen, 100 * (quick + 1));
	assert_true(pmtcp_timer_pending(&sk->dtimer));
	assert_int_equal(poll_until_tx(st, pkts, t0, 500, &at), 1);
	assert_seg(pkts[0], F_ACK, iss + 1, PEER_ISN + 1 + 100 * (quick + 1), NULL, 0);
	t_free(pkts, 1);
	/* armed when the last segment came (t0 is before the first) */
	assert_true(at >= 38);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_DelayedACKs), 1);
	poll_quiet(st, 60);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_DelayedACKs), 1);
	finish(st, avail);
}

/* Two full-sized segments unacknowledged: ACK at once (RFC 1122 4.2.3.2
 * "an ACK SHOULD be generated for at least every second full-sized
 * segment"). */
static void
test_rcv_two_full_segments_ack_now(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	static uint8_t data[2920];
	uint32_t iss, quick, seq;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	fill(data, sizeof(data), 12);
	quick = exhaust_quickack(st, iss, data);
	seq = PEER_ISN + 1 + 100 * (quick + 1);
	/* the lone 100 bytes still owe their ACK: send it off first */
	assert_true(pmtcp_timer_pending(&sk->dtimer));
	poll_quiet(st, 0);
	{
		struct rte_mbuf *pkts[BURST];
		uint32_t at;

		assert_int_equal(poll_until_tx(st, pkts, rte_rdtsc(), 500, &at), 1);
		assert_seg(pkts[0], F_ACK, iss + 1, seq, NULL, 0);
		t_free(pkts, 1);
	}
	cbl.rlen = 0;
	t_input_one(st, from_peer(seq, iss + 1, F_ACK, data, 1460));
	rx_none(st);
	t_input_one(st, from_peer(seq + 1460, iss + 1, F_ACK, data + 1460, 1460));
	expect_seg(st, F_ACK, iss + 1, seq + 2920, NULL, 0);
	assert_false(pmtcp_timer_pending(&sk->dtimer));
	assert_int_equal(cbl.rlen, 2920);
	assert_memory_equal(cbl.rbuf, data, 2920);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_DelayedACKs), 1);
	finish(st, avail);
}

/* A retransmission that straddles RCV.NXT: "only the new parts are
 * processed". */
static void
test_rcv_overlap_delivers_new_part(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint8_t data[200];
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	fill(data, sizeof(data), 13);
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1, F_ACK, data, 100));
	expect_seg(st, F_ACK, iss + 1, PEER_ISN + 101, NULL, 0);
	/* bytes 50..149: 50 old, 50 new */
	t_input_one(st, from_peer(PEER_ISN + 51, iss + 1, F_ACK | F_PSH, data + 50, 100));
	expect_seg(st, F_ACK, iss + 1, PEER_ISN + 151, NULL, 0);
	assert_int_equal(cbl.recv, 2);
	assert_int_equal(cbl.rlen, 150);
	assert_memory_equal(cbl.rbuf, data, 150);
	finish(st, avail);
}

/*
 * A segment entirely before RCV.NXT (the peer retransmitted what we have
 * ACKed): nothing delivered, an immediate duplicate ACK.
 * RFC 9293 3.10.7.4 first check finds it unacceptable
 * (SEG.SEQ+SEG.LEN-1 < RCV.NXT) -> "an acknowledgment should be sent";
 * Linux tcp_data_queue() "A retransmit ... Force an immediate ack".
 */
static void
test_rcv_old_segment_dup_ack(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint8_t data[100];
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	fill(data, sizeof(data), 14);
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1, F_ACK, data, 100));
	expect_seg(st, F_ACK, iss + 1, PEER_ISN + 101, NULL, 0);
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1, F_ACK, data, 100));
	assert_int_equal(cbl.recv, 1);
	assert_int_equal(cbl.rlen, 100);
	assert_int_equal(sk->rcv_nxt, PEER_ISN + 101);
	expect_seg(st, F_ACK, iss + 1, PEER_ISN + 101, NULL, 0);
	finish(st, avail);
}

/* SEG.SEQ > RCV.NXT inside the window: no reassembly queue, so dropped
 * (TCPOFODrop) with a duplicate ACK asking for RCV.NXT. */
static void
test_rcv_out_of_order_dropped_dup_ack(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint8_t data[100];
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	fill(data, sizeof(data), 15);
	t_input_one(st, from_peer(PEER_ISN + 101, iss + 1, F_ACK, data, 100));
	expect_seg(st, F_ACK, iss + 1, PEER_ISN + 1, NULL, 0);
	assert_int_equal(cbl.recv, 0);
	assert_int_equal(sk->rcv_nxt, PEER_ISN + 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPOFODrop), 1);
	assert_int_equal(t_drop(st, PMTCP_DROP_TCP_OFO), 1);
	/* the hole filled: in order again */
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1, F_ACK, data, 100));
	expect_seg(st, F_ACK, iss + 1, PEER_ISN + 101, NULL, 0);
	assert_int_equal(cbl.rlen, 100);
	finish(st, avail);
}

/* SEG.SEQ beyond RCV.NXT + RCV.WND: unacceptable, duplicate ACK, drop
 * reason TCP_OUT_OF_WINDOW. */
static void
test_rcv_beyond_window_dup_ack(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint8_t data[100];
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	fill(data, sizeof(data), 16);
	t_input_one(st, from_peer(PEER_ISN + 1 + OUR_WIN + 100, iss + 1, F_ACK,
				data, 100));
	expect_seg(st, F_ACK, iss + 1, PEER_ISN + 1, NULL, 0);
	assert_int_equal(cbl.recv, 0);
	assert_int_equal(t_drop(st, PMTCP_DROP_TCP_OUT_OF_WINDOW), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPOFODrop), 0);
	assert_int_equal(sk->rcv_nxt, PEER_ISN + 1);
	finish(st, avail);
}

/* The application answers from the recv callback: the answer carries the
 * ACK (tcp_event_ack_sent), no separate pure ACK. */
static void
test_rcv_reply_piggybacks_ack(void **state)
{
	unsigned int avail = begin();
	static const uint8_t pong[4] = { 'p', 'o', 'n', 'g' };
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	cbl.reply = pong;
	cbl.reply_len = 4;
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1, F_ACK | F_PSH,
				(const uint8_t *)"ping", 4));
	assert_int_equal(cbl.recv, 1);
	assert_int_equal(cbl.reply_ret, 4);
	assert_memory_equal(cbl.rbuf, "ping", 4);
	expect_seg(st, F_ACK | F_PSH, iss + 1, PEER_ISN + 5, pong, 4);
	assert_false(pmtcp_timer_pending(&sk->dtimer));
	poll_quiet(st, 50);
	finish(st, avail);
}

/* RFC 7323: our segments echo the last in-order TSval; a segment with an
 * older TSval fails PAWS (5.3 R1): duplicate ACK, PAWSEstabRejected, not
 * delivered. */
static void
test_paws_estab_rejects_old_tsval(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	struct rte_mbuf *m;
	struct rte_tcp_hdr *th;
	uint8_t data[100], opts[12], n;
	uint32_t iss, tsval, tsecr, our_ts;

	(void)state;
	conf_close(&conf, true);
	st = setup_estab(&conf, true, 65535, &sk, &iss);
	fill(data, sizeof(data), 17);
	/* our data carries NOP NOP TS echoing the SYN-ACK's TSval */
	assert_int_equal(pmtcp_send(st, sk, data, 10), 10);
	m = rx_one(st);
	th = t_tcp(m);
	assert_int_equal(th->tcp_flags, F_ACK | F_PSH);
	assert_int_equal(seg_seq(m), iss + 1);
	assert_int_equal(rte_be_to_cpu_32(th->recv_ack), PEER_ISN + 1);
	assert_int_equal(th->data_off, 8 << 4);
	assert_int_equal(rte_be_to_cpu_16(th->rx_win), OUR_WIN);
	assert_int_equal(seg_len(m), 10);
	assert_memory_equal(seg_data(m), data, 10);
	tcp_ts(m, &our_ts, &tsecr);
	assert_int_equal(tsecr, PEER_TS0);
	rte_pktmbuf_free(m);

	/* in order, newer TSval: delivered, the ACK echoes it */
	n = t_ts_opts(opts, PEER_TS0 + 10, our_ts);
	t_input_one(st, peer_seg(PEER_PORT, g_sport, PEER_ISN + 1, iss + 11, F_ACK,
			       65535, opts, n, data, 50));
	m = rx_one(st);
	th = t_tcp(m);
	assert_int_equal(th->tcp_flags, F_ACK);
	assert_int_equal(seg_seq(m), iss + 11);
	assert_int_equal(rte_be_to_cpu_32(th->recv_ack), PEER_ISN + 51);
	assert_int_equal(seg_len(m), 0);
	tcp_ts(m, &tsval, &tsecr);
	assert_int_equal(tsecr, PEER_TS0 + 10);
	assert_true((int32_t)(tsval - our_ts) >= 0);
	rte_pktmbuf_free(m);
	assert_int_equal(cbl.rlen, 50);

	/* the next bytes with an older TSval: PAWS */
	n = t_ts_opts(opts, PEER_TS0 + 5, our_ts);
	t_input_one(st, peer_seg(PEER_PORT, g_sport, PEER_ISN + 51, iss + 11, F_ACK,
			       65535, opts, n, data + 50, 50));
	m = rx_one(st);
	th = t_tcp(m);
	assert_int_equal(th->tcp_flags, F_ACK);
	assert_int_equal(seg_seq(m), iss + 11);
	assert_int_equal(rte_be_to_cpu_32(th->recv_ack), PEER_ISN + 51);
	assert_int_equal(seg_len(m), 0);
	tcp_ts(m, &tsval, &tsecr);
	assert_int_equal(tsecr, PEER_TS0 + 10);
	rte_pktmbuf_free(m);
	assert_int_equal(cbl.recv, 1);
	assert_int_equal(cbl.rlen, 50);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_PAWSEstabRejected), 1);
	assert_int_equal(t_drop(st, PMTCP_DROP_TCP_PAWS), 1);
	assert_int_equal(sock_state(sk), PMTCP_TCP_ESTABLISHED);
	finish(st, avail);
}

/* ====================================================================
 * CLOSE (RFC 9293 3.10.4) and the FIN states
 * ==================================================================== */

/*
 * Active close: ESTABLISHED -CLOSE/FIN-> FIN_WAIT1 -ACK-> FIN_WAIT2
 * -FIN/ACK-> TIME_WAIT; a retransmitted FIN is ACKed again (and the 2 MSL
 * restarted); a RST (at RCV.NXT) ends TIME_WAIT.
 * The closed callback reports err 0 once, when TIME_WAIT begins.
 */
static void
test_close_active_fin_wait_to_time_wait(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	unsigned int closed_at_tw;
	int err_at_tw;
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	assert_int_equal(pmtcp_close(st, sk), 0);
	expect_seg(st, F_FIN | F_ACK, iss + 1, PEER_ISN + 1, NULL, 0);
	assert_int_equal(sock_state(sk), PMTCP_TCP_FIN_WAIT1);
	assert_int_equal(sk->snd_nxt, iss + 2);
	assert_int_equal(cbl.closed, 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_CurrEstab), 0);

	t_input_one(st, from_peer(PEER_ISN + 1, iss + 2, F_ACK, NULL, 0));
	rx_none(st);
	assert_int_equal(sock_state(sk), PMTCP_TCP_FIN_WAIT2);
	assert_int_equal(cbl.closed, 0);

	t_input_one(st, from_peer(PEER_ISN + 1, iss + 2, F_FIN | F_ACK, NULL, 0));
	expect_seg(st, F_ACK, iss + 2, PEER_ISN + 2, NULL, 0);
	assert_int_equal(sock_state(sk), PMTCP_TCP_TIME_WAIT);
	assert_int_equal(pmtcp_stack_tw_count(st), 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	closed_at_tw = cbl.closed;
	err_at_tw = cbl.last_err;

	/* our ACK was lost: the FIN again, ACKed again */
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 2, F_FIN | F_ACK, NULL, 0));
	expect_seg(st, F_ACK, iss + 2, PEER_ISN + 2, NULL, 0);
	assert_int_equal(sock_state(sk), PMTCP_TCP_TIME_WAIT);
	assert_int_equal(pmtcp_stack_tw_count(st), 1);

	/* RST: TIME_WAIT is over (RFC 1337 off, as Linux) */
	t_input_one(st, from_peer(PEER_ISN + 2, 0, F_RST, NULL, 0));
	rx_none(st);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	assert_int_equal(pmtcp_stack_tw_count(st), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_EstabResets), 0);
	assert_int_equal(cbl.failed, 0);

	/* closed(0) exactly once, when TIME_WAIT began */
	assert_int_equal(closed_at_tw, 1);
	assert_int_equal(err_at_tw, 0);
	assert_int_equal(cbl.closed, 1);
	finish(st, avail);
}

/* CLOSE with data queued: "Queue this until all preceding SENDs have
 * been segmentized, then form a FIN segment": data, then FIN at
 * ISS+1+len. */
static void
test_close_after_queued_data(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	static uint8_t buf[3000];
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	/* window 2000: part of the data waits, and the FIN behind it */
	st = setup_estab(&conf, false, 2000, &sk, &iss);
	fill(buf, sizeof(buf), 18);
	assert_int_equal(pmtcp_send(st, sk, buf, 3000), 3000);
	assert_int_equal(pmtcp_close(st, sk), 0);
	expect_seg(st, F_ACK, iss + 1, PEER_ISN + 1, buf, 1460);
	assert_int_equal(sock_state(sk), PMTCP_TCP_FIN_WAIT1);
	/* the window moves: the rest, the FIN on its last segment (Linux's
	 * tcp_send_fin() merges it into the unsent tail) */
	t_input_one(st, peer_seg(PEER_PORT, g_sport, PEER_ISN + 1, iss + 1461,
			       F_ACK, 2000, NULL, 0, NULL, 0));
	poll_rx_n(st, pkts, 2);
	assert_seg(pkts[0], F_ACK, iss + 1461, PEER_ISN + 1, buf + 1460, 1460);
	assert_seg(pkts[1], F_FIN | F_ACK | F_PSH, iss + 2921, PEER_ISN + 1,
		   buf + 2920, 80);
	t_free(pkts, 2);
	/* the data ACKed, not the FIN: still FIN_WAIT1 */
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 3001, F_ACK, NULL, 0));
	rx_none(st);
	assert_int_equal(sock_state(sk), PMTCP_TCP_FIN_WAIT1);
	assert_int_equal(sk->sndq_len, 0);
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 3002, F_ACK, NULL, 0));
	rx_none(st);
	assert_int_equal(sock_state(sk), PMTCP_TCP_FIN_WAIT2);
	finish(st, avail);
}

/*
 * Simultaneous close (RFC 9293 figure 13): FIN_WAIT1 -FIN (not acking
 * ours)/ACK-> CLOSING -ACK-> TIME_WAIT.
 * closed(0) once when TIME_WAIT begins, as
 * in test_close_active_fin_wait_to_time_wait.
 */
static void
test_close_simultaneous_closing(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	assert_int_equal(pmtcp_close(st, sk), 0);
	expect_seg(st, F_FIN | F_ACK, iss + 1, PEER_ISN + 1, NULL, 0);
	/* the peer's FIN crossed ours: it acks only up to our FIN */
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1, F_FIN | F_ACK, NULL, 0));
	expect_seg(st, F_ACK, iss + 2, PEER_ISN + 2, NULL, 0);
	assert_int_equal(sock_state(sk), PMTCP_TCP_CLOSING);
	assert_int_equal(cbl.peer_closed, 0);   /* the application closed already */
	assert_int_equal(cbl.closed, 0);
	t_input_one(st, from_peer(PEER_ISN + 2, iss + 2, F_ACK, NULL, 0));
	rx_none(st);
	assert_int_equal(sock_state(sk), PMTCP_TCP_TIME_WAIT);
	assert_int_equal(pmtcp_stack_tw_count(st), 1);
	/* one timer armed: the TIME_WAIT's (no delayed ACK left behind) */
	assert_int_equal(pmtcp_timer_wheel_check(&st->wheel), 1);
	/* closed(0) exactly once */
	assert_int_equal(cbl.closed, 1);
	assert_int_equal(cbl.last_err, 0);
	finish(st, avail);
}

/* tcp_fin_timeout = 1: an orphan in FIN_WAIT2 whose peer never sends its
 * FIN is gone after 1 s without a segment; the closed callback says
 * -ETIMEDOUT. */
static void
test_close_fin_wait2_timeout(void **state)
{
	unsigned int avail = begin();
	uint64_t hz = rte_get_tsc_hz(), t0, now;
	struct pmtcp_stack_conf conf;
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint32_t iss, gone_ms = 0;

	(void)state;
	conf_close(&conf, false);
	conf.sysctl.tcp_fin_timeout = 1;
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	assert_int_equal(pmtcp_close(st, sk), 0);
	expect_seg(st, F_FIN | F_ACK, iss + 1, PEER_ISN + 1, NULL, 0);
	t0 = rte_rdtsc();
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 2, F_ACK, NULL, 0));
	rx_none(st);
	assert_int_equal(sock_state(sk), PMTCP_TCP_FIN_WAIT2);
	do {
		now = rte_rdtsc();
		pmtcp_stack_poll(st, now);
		assert_int_equal(t_rx(1, pkts, BURST), 0);
		if (pmtcp_stack_conn_count(st) == 0) {
			gone_ms = (uint32_t)((now - t0) * 1000 / hz);
			break;
		}
		usleep(500);
	} while (now - t0 < hz * 2);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	assert_true(gone_ms >= 998);
	assert_int_equal(pmtcp_stack_tw_count(st), 0);
	/* the application still holds the sock: it hears how it ended */
	assert_int_equal(cbl.closed, 1);
	assert_int_equal(cbl.last_err, -ETIMEDOUT);
	assert_int_equal(cbl.failed, 0);
	finish(st, avail);
}

/*
 * Passive close: ESTABLISHED -FIN/ACK-> CLOSE_WAIT (peer_closed once)
 * -CLOSE/FIN-> LAST_ACK -ACK-> CLOSED.
 * closed(0) when LAST_ACK ends.
 */
static void
test_close_passive_close_wait_last_ack(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint8_t buf[20];
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1, F_FIN | F_ACK, NULL, 0));
	expect_seg(st, F_ACK, iss + 1, PEER_ISN + 2, NULL, 0);
	assert_int_equal(sock_state(sk), PMTCP_TCP_CLOSE_WAIT);
	assert_int_equal(cbl.peer_closed, 1);
	assert_int_equal(cbl.closed, 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_CurrEstab), 0);
	/* CLOSE_WAIT may still send */
	fill(buf, sizeof(buf), 19);
	assert_int_equal(pmtcp_send(st, sk, buf, 20), 20);
	expect_seg(st, F_ACK | F_PSH, iss + 1, PEER_ISN + 2, buf, 20);
	t_input_one(st, from_peer(PEER_ISN + 2, iss + 21, F_ACK, NULL, 0));
	rx_none(st);

	assert_int_equal(pmtcp_close(st, sk), 0);
	expect_seg(st, F_FIN | F_ACK, iss + 21, PEER_ISN + 2, NULL, 0);
	assert_int_equal(sock_state(sk), PMTCP_TCP_LAST_ACK);
	assert_int_equal(cbl.peer_closed, 1);
	t_input_one(st, from_peer(PEER_ISN + 2, iss + 22, F_ACK, NULL, 0));
	rx_none(st);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	assert_int_equal(pmtcp_stack_tw_count(st), 0);
	assert_int_equal(cbl.peer_closed, 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_EstabResets), 0);
	/* closed(0) exactly once */
	assert_int_equal(cbl.closed, 1);
	assert_int_equal(cbl.last_err, 0);
	finish(st, avail);
}

/*
 * CLOSE_WAIT: the peer retransmits its FIN (our ACK was lost) -> ACK it
 * again; peer_closed is not repeated.
 * RFC 9293 3.10.7.4 first check: SEG.SEQ = RCV.NXT-1 is
 * unacceptable -> send an ACK; Linux tcp_rcv_state_process() passes it to
 * tcp_data_queue() which forces an immediate ACK.
 */
static void
test_closewait_retransmitted_fin_acked(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1, F_FIN | F_ACK, NULL, 0));
	expect_seg(st, F_ACK, iss + 1, PEER_ISN + 2, NULL, 0);
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1, F_FIN | F_ACK, NULL, 0));
	assert_int_equal(sock_state(sk), PMTCP_TCP_CLOSE_WAIT);
	assert_int_equal(cbl.peer_closed, 1);
	assert_int_equal(sk->rcv_nxt, PEER_ISN + 2);
	expect_seg(st, F_ACK, iss + 1, PEER_ISN + 2, NULL, 0);
	finish(st, avail);
}

/* ====================================================================
 * RST (RFC 9293 3.10.7.4 second check; Linux tcp_reset())
 * ==================================================================== */

/* RST at RCV.NXT in CLOSE_WAIT: closed with -EPIPE (tcp_reset(): EPIPE
 * in CLOSE_WAIT). */
static void
test_rst_close_wait_epipe(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1, F_FIN | F_ACK, NULL, 0));
	expect_seg(st, F_ACK, iss + 1, PEER_ISN + 2, NULL, 0);
	assert_int_equal(sock_state(sk), PMTCP_TCP_CLOSE_WAIT);
	t_input_one(st, from_peer(PEER_ISN + 2, 0, F_RST, NULL, 0));
	rx_none(st);
	assert_int_equal(cbl.closed, 1);
	assert_int_equal(cbl.last_err, -EPIPE);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_EstabResets), 1);
	finish(st, avail);
}

/* RST at RCV.NXT in ESTABLISHED: closed with -ECONNRESET. */
static void
test_rst_established_econnreset(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint8_t buf[100];
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	/* with data in flight: the send queue goes with the sock */
	fill(buf, sizeof(buf), 20);
	assert_int_equal(pmtcp_send(st, sk, buf, 100), 100);
	expect_seg(st, F_ACK | F_PSH, iss + 1, PEER_ISN + 1, buf, 100);
	t_input_one(st, from_peer(PEER_ISN + 1, 0, F_RST, NULL, 0));
	rx_none(st);
	assert_int_equal(cbl.closed, 1);
	assert_int_equal(cbl.last_err, -ECONNRESET);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_EstabResets), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_CurrEstab), 0);
	poll_quiet(st, 0);
	finish(st, avail);
}

/* ABORT (RFC 9293 3.10.5) from inside the recv callback: RST at SND.NXT
 * acking what was just received, the sock freed once the callback
 * returns, no closed callback, every mbuf back. */
static void
test_abort_from_recv_callback(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint8_t buf[100], data[100];
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	fill(buf, sizeof(buf), 21);
	fill(data, sizeof(data), 22);
	assert_int_equal(pmtcp_send(st, sk, buf, 100), 100);
	expect_seg(st, F_ACK | F_PSH, iss + 1, PEER_ISN + 1, buf, 100);
	cbl.abort_in_recv = true;
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1, F_ACK | F_PSH, data, 100));
	assert_int_equal(cbl.recv, 1);
	assert_memory_equal(cbl.rbuf, data, 100);
	expect_seg(st, F_RST | F_ACK, iss + 101, PEER_ISN + 101, NULL, 0);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	assert_int_equal(cbl.closed, 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPAbortOnData), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutRsts), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_EstabResets), 1);
	/* the timers went with it */
	poll_quiet(st, 250);
	finish(st, avail);
}

/* ====================================================================
 * SYN in a synchronized state (RFC 5961 4.2, rate limit section 7)
 * ==================================================================== */

/* Stay clear of a second boundary of the stack's clock (the challenge
 * ACK budget is per now_ms / 1000). */
static void
avoid_second_edge(struct pmtcp_stack *st)
{
	pmtcp_stack_poll(st, rte_rdtsc());
	if (st->now_ms % 1000 > 700) {
		usleep((1000 - st->now_ms % 1000 + 20) * 1000);
		pmtcp_stack_poll(st, rte_rdtsc());
	}
}

/* A SYN in ESTABLISHED gets a challenge ACK; with
 * tcp_challenge_ack_limit = 1 the second one in the same second gets
 * nothing (TCPChallengeACKLimit). */
static void
test_syn_established_challenge_ack_limit(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	conf.sysctl.tcp_challenge_ack_limit = 1;
	/* the stack-wide limit, not the per-connection one (tested in
	 * test_tcp_hardening.c) */
	conf.sysctl.tcp_invalid_ratelimit = 0;
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	avoid_second_edge(st);
	t_input_one(st, from_peer(PEER_ISN + 10, 0, F_SYN, NULL, 0));
	expect_seg(st, F_ACK, iss + 1, PEER_ISN + 1, NULL, 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPSYNChallenge), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPChallengeACK), 1);
	assert_int_equal(sock_state(sk), PMTCP_TCP_ESTABLISHED);
	t_input_one(st, from_peer(PEER_ISN + 20, 0, F_SYN, NULL, 0));
	rx_none(st);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPSYNChallenge), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPChallengeACK), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPChallengeACKLimit), 1);
	assert_int_equal(sock_state(sk), PMTCP_TCP_ESTABLISHED);
	assert_int_equal(sk->rcv_nxt, PEER_ISN + 1);
	assert_int_equal(cbl.closed, 0);
	finish(st, avail);
}

/*
 * A SYN outside the receive window: RFC 5961 4.2 "If the SYN bit is set,
 * irrespective of the sequence number, TCP MUST send an ACK (also
 * referred to as challenge ACK)", rate limited (section 7).
 * Linux tcp_validate_incoming() goes to syn_challenge when
 * tcp_sequence() fails for a SYN: counted and rate limited.
 */
static void
test_syn_out_of_window_challenge_ack(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	avoid_second_edge(st);
	t_input_one(st, from_peer(PEER_ISN + 1 + 10 * OUR_WIN, 0, F_SYN, NULL, 0));
	expect_seg(st, F_ACK, iss + 1, PEER_ISN + 1, NULL, 0);
	assert_int_equal(sock_state(sk), PMTCP_TCP_ESTABLISHED);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPSYNChallenge), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPChallengeACK), 1);
	finish(st, avail);
}

/* ====================================================================
 * TIME_WAIT (tcp_timewait_state_process, tcp_twsk_unique)
 * ==================================================================== */

/*
 * A TIME_WAIT is a 64-byte entry, not a sock (Linux's inet_timewait_sock):
 * with max_conns 2 and one TIME_WAIT, two more connections are
 * established. The TIME_WAIT answers a retransmitted FIN with its ACK:
 * SND.NXT, RCV.NXT, the window the sock advertised, TSecr its ts_recent,
 * IP ID 0. With its one entry (max_tw 1) in use, the next connection to
 * close ends at once (TcpExtTCPTimeWaitOverflow), closed(0) all the
 * same. After 60 s the entry is free (TcpExtTW) and so is its 4-tuple.
 */
static void check_table(const struct pmtcp_stack *st);

static void
test_timewait_entry_apart(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk, *b, *c;
	struct rte_mbuf *m;
	uint32_t iss, iss_b, iss_c, tw_snd_nxt, win, tsval, tsecr;
	uint8_t opts[12];
	uint16_t port_a;

	(void)state;
	assert_int_equal(sizeof(struct pmtcp_tw), 64);
	conf_close(&conf, true);
	conf.max_conns = 2;
	conf.max_tw = 1;
	st = setup_estab(&conf, true, 65535, &sk, &iss);
	assert_int_equal(st->tw_max, 1);
	port_a = g_sport;
	win = RTE_MIN(sk->rcv_wnd >> sk->rcv_wscale, 65535U);
	tw_snd_nxt = to_time_wait(st, sk, iss, true);
	assert_int_equal(cbl.closed, 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	assert_non_null(st->free_list);   /* the sock went back */

	b = establish(st, true, 65535, &iss_b);
	c = establish(st, true, 65535, &iss_c);
	assert_int_equal(sock_state(b), PMTCP_TCP_ESTABLISHED);
	assert_int_equal(sock_state(c), PMTCP_TCP_ESTABLISHED);
	assert_null(st->free_list);
	assert_int_equal(pmtcp_stack_conn_count(st), 3);
	assert_int_equal(pmtcp_stack_tw_count(st), 1);

	/* the peer's FIN again, to the TIME_WAIT */
	t_ts_opts(opts, PEER_TS0 + 2, 0);
	t_input_one(st, peer_seg(PEER_PORT, port_a, PEER_ISN + 1, tw_snd_nxt,
			       F_FIN | F_ACK, 65535, opts, sizeof(opts), NULL, 0));
	m = rx_one(st);
	assert_int_equal(rte_be_to_cpu_16(t_tcp(m)->src_port), port_a);
	assert_int_equal(t_tcp(m)->tcp_flags, F_ACK);
	assert_int_equal(seg_seq(m), tw_snd_nxt);
	assert_int_equal(rte_be_to_cpu_32(t_tcp(m)->recv_ack), PEER_ISN + 2);
	assert_int_equal(rte_be_to_cpu_16(t_tcp(m)->rx_win), win);
	assert_int_equal(t_ip(m)->packet_id, 0);
	tcp_ts(m, &tsval, &tsecr);
	assert_int_equal(tsecr, PEER_TS0 + 1);
	rte_pktmbuf_free(m);
	assert_int_equal(pmtcp_stack_tw_count(st), 1);

	/* no entry left: C closes without TIME_WAIT */
	{
		uint32_t tv = 0, te;

		assert_int_equal(pmtcp_close(st, c), 0);
		m = rx_one(st);
		assert_int_equal(t_tcp(m)->tcp_flags, F_FIN | F_ACK);
		tcp_ts(m, &tv, &te);
		rte_pktmbuf_free(m);
		t_ts_opts(opts, PEER_TS0 + 1, tv);
		t_input_one(st, peer_seg(PEER_PORT, g_sport, PEER_ISN + 1,
				       iss_c + 2, F_FIN | F_ACK, 65535, opts,
				       sizeof(opts), NULL, 0));
		m = rx_one(st);
		assert_int_equal(t_tcp(m)->tcp_flags, F_ACK);
		rte_pktmbuf_free(m);
	}
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPTimeWaitOverflow), 1);
	assert_int_equal(cbl.closed, 2);
	assert_int_equal(cbl.last_err, 0);
	assert_int_equal(pmtcp_stack_tw_count(st), 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 2);
	check_table(st);

	/* 60 s on: the entry is free, its 4-tuple too */
	pmtcp_stack_poll(st, rte_rdtsc() + 61 * rte_get_tsc_hz());
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TW), 1);
	assert_int_equal(pmtcp_stack_tw_count(st), 0);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	assert_null(pmtcp_tw_lookup(st, ST_IP, rte_cpu_to_be_16(port_a), PEER_IP,
				    rte_cpu_to_be_16(PEER_PORT)));
	assert_ptr_equal(st->tw_free, &st->tws[0]);
	check_table(st);
	pmtcp_abort(st, b);
	finish(st, avail);
}

/*
 * A RST outside the window does not end TIME_WAIT.
 * Linux 4.17 kills it only for SEG.SEQ == RCV.NXT
 * (other RSTs are ignored); RFC 9293 3.10.7.4 (with RFC 5961 3.2): a RST
 * outside the window is silently dropped.
 */
static void
test_timewait_rst_out_of_window_ignored(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	to_time_wait(st, sk, iss, false);
	t_input_one(st, from_peer(PEER_ISN + 2 + 1000000, 0, F_RST, NULL, 0));
	rx_none(st);
	assert_int_equal(pmtcp_stack_tw_count(st), 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	assert_int_equal(sock_state(sk), PMTCP_TCP_TIME_WAIT);
	finish(st, avail);
}

/* Wait on the real clock until @ms have passed since @t0, polling. */
static void
wait_ms(struct pmtcp_stack *st, uint64_t t0, uint32_t ms)
{
	uint64_t hz = rte_get_tsc_hz();

	while (rte_rdtsc() - t0 < hz / 1000 * ms) {
		pmtcp_stack_poll(st, rte_rdtsc());
		usleep(2000);
	}
	pmtcp_stack_poll(st, rte_rdtsc());
}

/*
 * tcp_tw_reuse = 1, timestamps, a single local port: connect() to the
 * same destination may not take the TIME_WAIT 4-tuple while it is younger
 * than 1 s (-EADDRNOTAVAIL); after that it does (TWRecycled), with
 * write_seq = tw_snd_nxt + 65535 + 2 (Linux tcp_twsk_unique()).
 */
static void
test_timewait_reuse_by_connect(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_sock_info info;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk, *sk2 = NULL;
	struct rte_mbuf *m;
	uint32_t iss, tw_snd_nxt, tsval, tsecr;
	uint64_t t0;

	(void)state;
	conf_close(&conf, true);
	conf.sysctl.tcp_tw_reuse = 1;
	conf.sysctl.ip_local_port_range[0] = 40000;
	conf.sysctl.ip_local_port_range[1] = 40000;
	st = setup_estab(&conf, true, 65535, &sk, &iss);
	assert_int_equal(g_sport, 40000);
	t0 = rte_rdtsc();
	tw_snd_nxt = to_time_wait(st, sk, iss, true);

	assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, 0, &sk2), -EADDRNOTAVAIL);
	rx_none(st);
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_PortsExhausted), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TWRecycled), 0);
	assert_int_equal(pmtcp_stack_tw_count(st), 1);

	wait_ms(st, t0, 1100);
	assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, 0, &sk2), 0);
	m = rx_one(st);
	assert_int_equal(t_tcp(m)->tcp_flags, F_SYN);
	assert_int_equal(rte_be_to_cpu_16(t_tcp(m)->src_port), 40000);
	assert_int_equal(rte_be_to_cpu_16(t_tcp(m)->dst_port), PEER_PORT);
	assert_int_equal(seg_seq(m), tw_snd_nxt + 65537);
	assert_int_equal(t_tcp(m)->recv_ack, 0);
	tcp_ts(m, &tsval, &tsecr);
	assert_int_equal(tsecr, 0);
	rte_pktmbuf_free(m);
	pmtcp_sock_info(sk2, &info);
	assert_int_equal(info.iss, tw_snd_nxt + 65537);
	assert_int_equal(info.state, PMTCP_TCP_SYN_SENT);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TWRecycled), 1);
	assert_int_equal(pmtcp_stack_tw_count(st), 0);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	assert_int_equal(cbl.failed, 0);
	finish(st, avail);
}

/* tcp_tw_reuse = 0: the TIME_WAIT 4-tuple stays taken after 1 s. */
static void
test_timewait_no_reuse_eaddrnotavail(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk, *sk2 = NULL;
	uint32_t iss;
	uint64_t t0;

	(void)state;
	conf_close(&conf, true);
	conf.sysctl.tcp_tw_reuse = 0;
	conf.sysctl.ip_local_port_range[0] = 40000;
	conf.sysctl.ip_local_port_range[1] = 40000;
	st = setup_estab(&conf, true, 65535, &sk, &iss);
	t0 = rte_rdtsc();
	to_time_wait(st, sk, iss, true);
	assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, 0, &sk2), -EADDRNOTAVAIL);
	wait_ms(st, t0, 1100);
	assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, 0, &sk2), -EADDRNOTAVAIL);
	rx_none(st);
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_PortsExhausted), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TWRecycled), 0);
	assert_int_equal(pmtcp_stack_tw_count(st), 1);
	assert_int_equal(sock_state(sk), PMTCP_TCP_TIME_WAIT);
	finish(st, avail);
}

/*
 * Passive side: the server closed first and holds the TIME_WAIT; a new
 * SYN for the 4-tuple with a higher sequence number reopens it
 * (TCP_TW_SYN): the listener answers with a SYN-ACK.
 * RFC 1122 4.2.2.13 wants the new ISN above
 * the old incarnation's sequence space; Linux 4.17 sets tcp_tw_isn =
 * tw_snd_nxt + 65535 + 2 for the listener (tcp_timewait_state_process),
 * and so does pmtcp.
 */
static void
test_timewait_new_syn_to_listener(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	struct rte_mbuf *m;
	uint8_t opts[4] = { 2, 4, 1460 >> 8, 1460 & 0xff };
	uint32_t iss, new_isn;

	(void)state;
	conf_close(&conf, false);
	st = stack_with_peer(&conf);
	assert_int_equal(pmtcp_listen(st, 80), 0);
	g_sport = 80;
	g_dport = 40001;
	t_input_one(st, peer_seg(40001, 80, PEER_ISN, 0, F_SYN, 65535, opts, 4,
			       NULL, 0));
	m = rx_one(st);
	assert_int_equal(t_tcp(m)->tcp_flags, F_SYN | F_ACK);
	iss = seg_seq(m);
	rte_pktmbuf_free(m);
	t_input_one(st, peer_seg(40001, 80, PEER_ISN + 1, iss + 1, F_ACK, 65535,
			       NULL, 0, NULL, 0));
	rx_none(st);
	assert_int_equal(cbl.accepted, 1);
	sk = cbl.last_sk;
	assert_int_equal(sock_state(sk), PMTCP_TCP_ESTABLISHED);

	/* the server closes first */
	assert_int_equal(pmtcp_close(st, sk), 0);
	expect_seg(st, F_FIN | F_ACK, iss + 1, PEER_ISN + 1, NULL, 0);
	t_input_one(st, peer_seg(40001, 80, PEER_ISN + 1, iss + 2, F_FIN | F_ACK,
			       65535, NULL, 0, NULL, 0));
	expect_seg(st, F_ACK, iss + 2, PEER_ISN + 2, NULL, 0);
	assert_int_equal(sock_state(sk), PMTCP_TCP_TIME_WAIT);
	assert_int_equal(pmtcp_stack_tw_count(st), 1);

	/* a new incarnation, above the old sequence space */
	t_input_one(st, peer_seg(40001, 80, PEER_ISN + 100000, 0, F_SYN, 65535,
			       opts, 4, NULL, 0));
	m = rx_one(st);
	assert_int_equal(t_tcp(m)->tcp_flags, F_SYN | F_ACK);
	assert_int_equal(rte_be_to_cpu_16(t_tcp(m)->src_port), 80);
	assert_int_equal(rte_be_to_cpu_16(t_tcp(m)->dst_port), 40001);
	assert_int_equal(rte_be_to_cpu_32(t_tcp(m)->recv_ack), PEER_ISN + 100001);
	new_isn = seg_seq(m);
	rte_pktmbuf_free(m);
	assert_int_equal(pmtcp_stack_tw_count(st), 0);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	assert_int_equal(sock_state(sk), PMTCP_TCP_SYN_RECV);  /* the slot reused */
	assert_int_equal(sk->irs, PEER_ISN + 100000);
	/* the ISN of the new incarnation */
	assert_int_equal(new_isn, iss + 2 + 65537);
	finish(st, avail);
}

/*
 * Data arriving after pmtcp_close() (FIN_WAIT2): RFC 1122 4.2.2.13 "if
 * new data is received after CLOSE is called, its TCP SHOULD send a RST
 * to show that data was lost"; Linux 4.17 tcp_rcv_state_process()
 * (RCV_SHUTDOWN set by tcp_close) counts TCPAbortOnData, tcp_reset()s and
 * answers with a RST (seq = SEG.ACK). The application must not see it.
 */
static void
test_finwait2_data_after_close_resets(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	struct rte_mbuf *m;
	uint8_t data[100];
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	assert_int_equal(pmtcp_close(st, sk), 0);
	expect_seg(st, F_FIN | F_ACK, iss + 1, PEER_ISN + 1, NULL, 0);
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 2, F_ACK, NULL, 0));
	rx_none(st);
	assert_int_equal(sock_state(sk), PMTCP_TCP_FIN_WAIT2);
	fill(data, sizeof(data), 23);
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 2, F_ACK | F_PSH, data, 100));
	assert_int_equal(cbl.recv, 0);
	m = rx_one(st);
	assert_int_equal(t_tcp(m)->tcp_flags, F_RST);
	assert_int_equal(seg_seq(m), iss + 2);
	rte_pktmbuf_free(m);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPAbortOnData), 1);
	finish(st, avail);
}

/* ====================================================================
 * The send buffer (tcp_wmem): tcp_sendmsg() on a non-blocking socket
 * ==================================================================== */

/* tcp_wmem: Linux's defaults, three ordered values of at least 1. */
static void
test_wmem_knob(void **state)
{
	struct pmtcp_sysctl s;
	char buf[64], err[128];

	(void)state;
	pmtcp_sysctl_init(&s);
	assert_int_equal(s.tcp_wmem[0], 4096);
	assert_int_equal(s.tcp_wmem[1], 16384);
	assert_int_equal(s.tcp_wmem[2], 4194304);
	assert_int_equal(pmtcp_sysctl_get(&s, "tcp_wmem", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "4096 16384 4194304");
	assert_int_equal(pmtcp_sysctl_parse(&s, "net.ipv4.tcp_wmem=8192 32768 65536",
					     err, sizeof(err)), 0);
	assert_int_equal(s.tcp_wmem[0], 8192);
	assert_int_equal(s.tcp_wmem[1], 32768);
	assert_int_equal(s.tcp_wmem[2], 65536);
	assert_int_equal(pmtcp_sysctl_parse(&s, "tcp_wmem=0 16384 65536", err,
					     sizeof(err)), -EINVAL);
	assert_int_equal(pmtcp_sysctl_parse(&s, "tcp_wmem=4096 65536 16384", err,
					     sizeof(err)), -EINVAL);
	assert_int_equal(pmtcp_sysctl_parse(&s, "tcp_wmem=4096 16384", err,
					     sizeof(err)), -EINVAL);
	assert_int_equal(s.tcp_wmem[1], 32768);
}

/* Send-queue mbufs a send buffer of @sndbuf bytes lets in: a new one is
 * taken while the queue (each mbuf at its element size) is below it. */
static uint32_t
sndbuf_bytes(uint32_t sndbuf)
{
	uint32_t elt = t_pool->elt_size;

	return (sndbuf + elt - 1) / elt * rte_pktmbuf_data_room_size(t_pool);
}

static uint8_t big[400000];

/*
 * Peer window 0, so everything stays queued. With the default tcp_wmem
 * and MSS 1460 the send buffer is 87040 (tcp_sndbuf_expand(): 2 x 10 x
 * (roundup_pow_of_two(1460 + 304 + 320) + 256)): pmtcp_send() of 200000
 * bytes takes what fits, the next call gets -EAGAIN; acknowledged data
 * makes room again.
 */
static void
test_send_buffer_full_eagain(void **state)
{
	unsigned int avail = begin();
	uint32_t room = rte_pktmbuf_data_room_size(t_pool);
	uint32_t fit = sndbuf_bytes(87040), nseg = fit / room;
	struct pmtcp_stack_conf conf;
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 0, &sk, &iss);
	fill(big, sizeof(big), 30);
	assert_int_equal(fit, 38 * 2176);   /* 2304-byte mbufs of 2176 */
	assert_int_equal(pmtcp_send(st, sk, big, 200000), (int)fit);
	assert_int_equal(sk->sndq_len, fit);
	assert_int_equal(sk->sndq->nb_segs, nseg);
	assert_int_equal(t_pool_avail(), avail - nseg);
	rx_none(st);   /* window 0 */
	assert_int_equal(pmtcp_send(st, sk, big, 1), -EAGAIN);
	assert_int_equal(pmtcp_send(st, sk, big, 200000), -EAGAIN);
	assert_int_equal(sk->sndq_len, fit);
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_NoMbuf), 0);
	/* the window opens: 10 segments (the initial window) */
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1, F_ACK, NULL, 0));
	poll_rx_n(st, pkts, 10);
	for (int i = 0; i < 10; i++)
		assert_seg(pkts[i], F_ACK, iss + 1 + 1460 * (uint32_t)i,
			   PEER_ISN + 1, big + 1460 * i, 1460);
	t_free(pkts, 10);
	assert_int_equal(pmtcp_send(st, sk, big, 1), -EAGAIN);
	/* 14600 bytes acknowledged: 6 whole mbufs leave the queue, 10 more
	 * segments go out, and 6 mbufs' worth may be queued */
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 14601, F_ACK, NULL, 0));
	poll_rx_n(st, pkts, 10);
	t_free(pkts, 10);
	assert_int_equal(sk->sndq_len, fit - 14600);
	assert_int_equal(sk->sndq->nb_segs, nseg - 6);
	assert_int_equal(pmtcp_send(st, sk, big + fit, 200000), (int)(6 * room));
	assert_int_equal(sk->sndq->nb_segs, nseg);
	assert_int_equal(sk->sndq_len, fit - 14600 + 6 * room);
	assert_int_equal(pmtcp_send(st, sk, big, 1), -EAGAIN);
	assert_int_equal(t_pool_avail(), avail - nseg);
	/* the queue goes with the sock */
	pmtcp_abort(st, sk);
	poll_rx_n(st, pkts, 1);
	assert_int_equal(t_tcp(pkts[0])->tcp_flags, F_RST | F_ACK);
	t_free(pkts, 1);
	assert_int_equal(t_pool_avail(), avail);
	finish(st, avail);
}

/* One stack, one connection, peer window 0, tcp_wmem as @wmem, the SYN-ACK
 * with MSS @mss: what the first pmtcp_send() of @len, the second of @len
 * and a third return. */
static void
check_send_buffer(const char *wmem, uint16_t mss, uint32_t len, int r1,
		  int r2, int r3)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk = NULL;
	struct rte_mbuf *m;
	uint8_t opts[4] = { 2, 4, (uint8_t)(mss >> 8), (uint8_t)mss };
	char err[128];
	uint32_t iss;

	conf_close(&conf, false);
	assert_int_equal(pmtcp_sysctl_parse(&conf.sysctl, wmem, err, sizeof(err)), 0);
	st = stack_with_peer(&conf);
	assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, 0, &sk), 0);
	m = rx_one(st);
	iss = seg_seq(m);
	g_sport = rte_be_to_cpu_16(t_tcp(m)->src_port);
	g_dport = PEER_PORT;
	rte_pktmbuf_free(m);
	t_input_one(st, peer_seg(PEER_PORT, g_sport, PEER_ISN, iss + 1,
			       F_SYN | F_ACK, 0, opts, 4, NULL, 0));
	expect_seg(st, F_ACK, iss + 1, PEER_ISN + 1, NULL, 0);
	assert_int_equal(sock_state(sk), PMTCP_TCP_ESTABLISHED);
	assert_int_equal(pmtcp_send(st, sk, big, len), r1);
	assert_int_equal(pmtcp_send(st, sk, big, len), r2);
	assert_int_equal(pmtcp_send(st, sk, big, len), r3);
	assert_int_equal(sk->sndq_len, (uint32_t)(r1 + RTE_MAX(r2, 0) + RTE_MAX(r3, 0)));
	rx_none(st);
	finish(st, avail);
}

/* tcp_wmem[2] caps the expanded buffer, tcp_wmem[1] is a floor above it,
 * the peer's MSS option sizes it (Linux: max(mss_clamp, mss_cache)). */
static void
test_send_buffer_sized_by_wmem_and_mss(void **state)
{
	uint32_t b;

	(void)state;
	/* min(87040, 30000): 20000, then the 10464 left of 14 mbufs */
	b = sndbuf_bytes(30000);
	assert_int_equal(b, 14 * 2176);
	check_send_buffer("tcp_wmem=4096 16384 30000", 1460, 20000, 20000,
			  (int)(b - 20000), -EAGAIN);
	/* min(87040, 16384) */
	b = sndbuf_bytes(16384);
	assert_int_equal(b, 8 * 2176);
	check_send_buffer("tcp_wmem=4096 16384 16384", 1460, 10000, 10000,
			  (int)(b - 10000), -EAGAIN);
	/* tcp_wmem[1] above the expansion: 200000 */
	b = sndbuf_bytes(200000);
	assert_int_equal(b, 87 * 2176);
	check_send_buffer("tcp_wmem=4096 200000 4194304", 1460, 150000, 150000,
			  (int)(b - 150000), -EAGAIN);
	/* the peer's MSS 8960: 2 x 10 x (16384 + 256) = 332800 */
	b = sndbuf_bytes(332800);
	assert_int_equal(b, 145 * 2176);
	check_send_buffer("tcp_wmem=4096 16384 4194304", 8960, 200000, 200000,
			  (int)(b - 200000), -EAGAIN);
	/* MSS 536 still gives 2 x 10 x (2048 + 256) = 46080: 20 mbufs */
	b = sndbuf_bytes(46080);
	assert_int_equal(b, 20 * 2176);
	check_send_buffer("tcp_wmem=4096 16384 4194304", 536, 30000, 30000,
			  (int)(b - 30000), -EAGAIN);
}

/* ====================================================================
 * pmtcp_abort() and pmtcp_close() from inside the callbacks, on their
 * own sock and on another one (st->cb_sk, pmtcp_sock_release())
 * ==================================================================== */

/*
 * The connection table holds together: each sock is either on the free
 * list, once and in CLOSE, or in use (not CLOSE) and found by its
 * 4-tuple; so is each TIME_WAIT entry (on its free list, or in use and
 * found by its 4-tuple); conn_count counts both in use, tw_count the
 * TIME_WAITs, each listener's syn_queue its SYN_RECV children; the
 * wheel's links are sound. A sock freed twice would sit on the free list
 * twice.
 */
static void
check_table(const struct pmtcp_stack *st)
{
	static uint8_t on_free[1024];
	uint32_t nfree = 0, inuse = 0, tw = 0, tw_free = 0;

	assert_true(st->conn_max <= sizeof(on_free));
	memset(on_free, 0, sizeof(on_free));
	for (const struct pmtcp_sock *sk = st->free_list; sk != NULL;
	     sk = sk->hnext) {
		uint32_t i = (uint32_t)(sk - st->socks);

		assert_true(i < st->conn_max);
		assert_int_equal(on_free[i], 0);
		on_free[i] = 1;
		assert_int_equal(sk->state, PMTCP_TCP_CLOSE);
		nfree++;
	}
	for (uint32_t i = 0; i < st->conn_max; i++) {
		const struct pmtcp_sock *sk = &st->socks[i];

		if (on_free[i])
			continue;
		assert_int_not_equal(sk->state, PMTCP_TCP_CLOSE);
		assert_int_not_equal(sk->state, PMTCP_TCP_TIME_WAIT);
		assert_ptr_equal(pmtcp_sock_lookup(st, sk->saddr, sk->sport,
						   sk->daddr, sk->dport), sk);
		inuse++;
	}
	assert_int_equal(nfree + inuse, st->conn_max);
	for (const struct pmtcp_tw *t = st->tw_free; t != NULL;
	     t = (const struct pmtcp_tw *)t->timer.next) {
		assert_true(t >= st->tws && t < st->tws + st->tw_max);
		assert_int_equal(t->timer.kind, 0);
		tw_free++;
	}
	for (uint32_t i = 0; i < st->tw_max; i++) {
		const struct pmtcp_tw *t = &st->tws[i];

		if (t->timer.kind == 0)
			continue;
		assert_true(pmtcp_timer_pending(&t->timer));
		assert_ptr_equal(pmtcp_tw_lookup(st, t->saddr, t->sport, t->daddr,
						 t->dport), t);
		tw++;
	}
	assert_int_equal(tw + tw_free, st->tw_max);
	assert_int_equal(pmtcp_stack_conn_count(st), inuse + tw);
	assert_int_equal(pmtcp_stack_tw_count(st), tw);
	for (uint32_t l = 0; l < st->max_listeners; l++) {
		uint32_t q = 0;

		for (uint32_t i = 0; i < st->conn_max; i++)
			q += !on_free[i] && (st->socks[i].flags & SK_LISTEN_CHILD) &&
			     st->socks[i].listener == l + 1;
		assert_int_equal(st->listeners[l].syn_queue, q);
	}
	assert_true(pmtcp_timer_wheel_check(&st->wheel) >= 0);
}

/* Nothing on the wire, every mbuf not in a send queue back in the pool. */
static void
check_pool(struct pmtcp_stack *st, unsigned int avail)
{
	rx_none(st);
	assert_int_equal(t_pool_avail(), avail);
}

/* Two more connections come from two different socks. */
static void
check_alloc_two(struct pmtcp_stack *st)
{
	struct pmtcp_sock *a = NULL, *b = NULL;
	uint32_t n = pmtcp_stack_conn_count(st);

	assert_int_equal(pmtcp_connect(st, PEER_IP, 81, 0, &a), 0);
	assert_int_equal(pmtcp_connect(st, PEER_IP, 81, 0, &b), 0);
	assert_ptr_not_equal(a, b);
	assert_int_equal(pmtcp_stack_conn_count(st), n + 2);
	check_table(st);
	t_drain_all();
}

/* One frame of a connection: ports (host order), flags, seq, and ack
 * when it has the ACK flag. */
struct want {
	uint16_t sport, dport;
	uint8_t flags;
	uint32_t seq, ack;
};

static void
expect_frames(struct pmtcp_stack *st, const struct want *w, uint16_t n)
{
	struct rte_mbuf *pkts[BURST];

	poll_rx_n(st, pkts, n);
	for (uint16_t i = 0; i < n; i++) {
		const struct rte_tcp_hdr *th = t_tcp(pkts[i]);

		assert_int_equal(rte_be_to_cpu_16(th->src_port), w[i].sport);
		assert_int_equal(rte_be_to_cpu_16(th->dst_port), w[i].dport);
		assert_int_equal(th->tcp_flags, w[i].flags);
		assert_int_equal(rte_be_to_cpu_32(th->sent_seq), w[i].seq);
		if (w[i].flags & F_ACK)
			assert_int_equal(rte_be_to_cpu_32(th->recv_ack), w[i].ack);
	}
	t_free(pkts, n);
}

/* connect() and answer the SYN with a SYN-ACK (MSS 1460): the connected
 * callback runs; what it sent is left on the wire. */
static struct pmtcp_sock *
active_synack(struct pmtcp_stack *st, uint32_t *iss)
{
	struct pmtcp_sock *sk = NULL;
	uint8_t opts[4] = { 2, 4, 1460 >> 8, 1460 & 0xff };
	struct rte_mbuf *m;

	assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, 7, &sk), 0);
	m = rx_one(st);
	assert_int_equal(t_tcp(m)->tcp_flags, F_SYN);
	*iss = seg_seq(m);
	g_sport = rte_be_to_cpu_16(t_tcp(m)->src_port);
	g_dport = PEER_PORT;
	rte_pktmbuf_free(m);
	t_input_one(st, peer_seg(PEER_PORT, g_sport, PEER_ISN, *iss + 1,
			       F_SYN | F_ACK, 65535, opts, 4, NULL, 0));
	return sk;
}

/* A passive open on port 80 from the peer's @pport: SYN, our SYN-ACK
 * (*@iss), the third ACK with @len bytes: the accepted callback runs. */
static void
passive_open(struct pmtcp_stack *st, uint16_t pport, uint16_t len,
	     uint32_t *iss)
{
	uint8_t opts[4] = { 2, 4, 1460 >> 8, 1460 & 0xff };
	struct rte_mbuf *m;

	if (st->listen_idx[80] == 0)
		assert_int_equal(pmtcp_listen(st, 80), 0);
	t_input_one(st, peer_seg(pport, 80, PEER_ISN, 0, F_SYN, 65535, opts, 4,
			       NULL, 0));
	m = rx_one(st);
	assert_int_equal(t_tcp(m)->tcp_flags, F_SYN | F_ACK);
	*iss = seg_seq(m);
	rte_pktmbuf_free(m);
	fill(big, len, 40);
	t_input_one(st, peer_seg(pport, 80, PEER_ISN + 1, *iss + 1,
			       len > 0 ? F_ACK | F_PSH : F_ACK, 65535, NULL, 0,
			       big, len));
}

/* connected (SYN-ACK in SYN_SENT), abort: our ACK, then the RST; the
 * sock is gone, no closed callback, no timer left. Aborting twice is
 * the same. */
static void
check_connected_abort(uint8_t act)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	uint32_t iss;

	conf_close(&conf, false);
	st = stack_with_peer(&conf);
	cbl.act[CB_CONNECTED] = act;
	active_synack(st, &iss);
	assert_int_equal(cbl.connected, 1);
	assert_int_equal(cbl.acted, 1);
	expect_frames(st, (const struct want[]){
		{ g_sport, PEER_PORT, F_ACK, iss + 1, PEER_ISN + 1 },
		{ g_sport, PEER_PORT, F_RST | F_ACK, iss + 1, PEER_ISN + 1 } }, 2);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	assert_int_equal(pmtcp_timer_wheel_check(&st->wheel), 0);
	assert_int_equal(cbl.closed + cbl.failed, 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPAbortOnData), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_EstabResets), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_CurrEstab), 0);
	check_table(st);
	check_pool(st, avail);
	check_alloc_two(st);
	finish(st, avail);
}

static void
test_cb_connected_abort_self(void **state)
{
	(void)state;
	check_connected_abort(ACT_ABORT);
	check_connected_abort(ACT_ABORT_TWICE);
}

/* connected, close: our ACK, then the FIN; the close goes on to
 * TIME_WAIT and closed(0). */
static void
test_cb_connected_close_self(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = stack_with_peer(&conf);
	cbl.act[CB_CONNECTED] = ACT_CLOSE;
	sk = active_synack(st, &iss);
	assert_int_equal(cbl.act_ret, 0);
	expect_frames(st, (const struct want[]){
		{ g_sport, PEER_PORT, F_ACK, iss + 1, PEER_ISN + 1 },
		{ g_sport, PEER_PORT, F_FIN | F_ACK, iss + 1, PEER_ISN + 1 } }, 2);
	assert_int_equal(sock_state(sk), PMTCP_TCP_FIN_WAIT1);
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 2, F_FIN | F_ACK, NULL, 0));
	expect_seg(st, F_ACK, iss + 2, PEER_ISN + 2, NULL, 0);
	assert_int_equal(sock_state(sk), PMTCP_TCP_TIME_WAIT);
	assert_int_equal(cbl.closed, 1);
	assert_int_equal(cbl.last_err, 0);
	check_table(st);
	check_pool(st, avail);
	finish(st, avail);
}

/* connected after a simultaneous open (the ACK in SYN_RECV, st->cb_sk):
 * abort -> RST, close -> FIN. */
static void
check_simopen_connected(uint8_t act)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk = NULL;
	uint8_t opts[4] = { 2, 4, 1460 >> 8, 1460 & 0xff };
	struct rte_mbuf *m;
	uint32_t iss;

	conf_close(&conf, false);
	st = stack_with_peer(&conf);
	cbl.act[CB_CONNECTED] = act;
	assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, 7, &sk), 0);
	m = rx_one(st);
	iss = seg_seq(m);
	g_sport = rte_be_to_cpu_16(t_tcp(m)->src_port);
	g_dport = PEER_PORT;
	rte_pktmbuf_free(m);
	/* the peer's own SYN crosses ours */
	t_input_one(st, from_peer(PEER_ISN, 0, F_SYN, NULL, 0));
	(void)opts;
	expect_frames(st, (const struct want[]){
		{ g_sport, PEER_PORT, F_SYN | F_ACK, iss, PEER_ISN + 1 } }, 1);
	assert_int_equal(sock_state(sk), PMTCP_TCP_SYN_RECV);
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1, F_ACK, NULL, 0));
	assert_int_equal(cbl.connected, 1);
	assert_int_equal(cbl.acted, 1);
	if (act == ACT_CLOSE) {
		assert_int_equal(cbl.act_ret, 0);
		expect_frames(st, (const struct want[]){
			{ g_sport, PEER_PORT, F_FIN | F_ACK, iss + 1, PEER_ISN + 1 } }, 1);
		assert_int_equal(sock_state(sk), PMTCP_TCP_FIN_WAIT1);
		assert_int_equal(pmtcp_stack_conn_count(st), 1);
	} else {
		expect_frames(st, (const struct want[]){
			{ g_sport, PEER_PORT, F_RST | F_ACK, iss + 1, PEER_ISN + 1 } }, 1);
		assert_int_equal(pmtcp_stack_conn_count(st), 0);
		assert_int_equal(pmtcp_timer_wheel_check(&st->wheel), 0);
	}
	assert_int_equal(cbl.closed + cbl.failed, 0);
	check_table(st);
	check_pool(st, avail);
	check_alloc_two(st);
	finish(st, avail);
}

static void
test_cb_simopen_connected_abort_close_self(void **state)
{
	(void)state;
	check_simopen_connected(ACT_ABORT);
	check_simopen_connected(ACT_ABORT_TWICE);
	check_simopen_connected(ACT_CLOSE);
}

/* accepted, abort: the third ACK carried 100 bytes, which nobody reads;
 * RST at ISS+1 acking only the SYN; the listener's SYN queue is empty. */
static void
test_cb_accepted_abort_self(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = stack_with_peer(&conf);
	cbl.act[CB_ACCEPTED] = ACT_ABORT_TWICE;
	passive_open(st, 40001, 100, &iss);
	assert_int_equal(cbl.accepted, 1);
	assert_int_equal(cbl.recv, 0);
	expect_frames(st, (const struct want[]){
		{ 80, 40001, F_RST | F_ACK, iss + 1, PEER_ISN + 1 } }, 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	assert_int_equal(st->listeners[st->listen_idx[80] - 1].syn_queue, 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_PassiveOpens), 1);
	assert_int_equal(cbl.closed, 0);
	check_table(st);
	check_pool(st, avail);
	check_alloc_two(st);
	finish(st, avail);
}

/* accepted, close: the FIN; with data on the third ACK, that data comes
 * after the close, so the connection is reset (Linux: TCPAbortOnData)
 * and closed(-ECONNRESET) reported; without, FIN_WAIT1. */
static void
check_accepted_close(uint16_t len)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	uint32_t iss;

	conf_close(&conf, false);
	st = stack_with_peer(&conf);
	cbl.act[CB_ACCEPTED] = ACT_CLOSE;
	passive_open(st, 40002, len, &iss);
	assert_int_equal(cbl.act_ret, 0);
	if (len == 0) {
		expect_frames(st, (const struct want[]){
			{ 80, 40002, F_FIN | F_ACK, iss + 1, PEER_ISN + 1 } }, 1);
		assert_int_equal(sock_state(cbl.last_sk), PMTCP_TCP_FIN_WAIT1);
		assert_int_equal(pmtcp_stack_conn_count(st), 1);
		assert_int_equal(cbl.closed, 0);
	} else {
		/* the FIN waited for the callback to return; the data
		 * behind the ACK then resets (nobody will read it) */
		expect_frames(st, (const struct want[]){
			{ 80, 40002, F_RST, iss + 1, 0 } }, 1);
		assert_int_equal(pmtcp_stack_conn_count(st), 0);
		assert_int_equal(cbl.closed, 1);
		assert_int_equal(cbl.last_err, -ECONNRESET);
		assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPAbortOnData), 1);
	}
	assert_int_equal(cbl.recv, 0);
	check_table(st);
	check_pool(st, avail);
	finish(st, avail);
}

static void
test_cb_accepted_close_self(void **state)
{
	(void)state;
	check_accepted_close(0);
	check_accepted_close(100);
}

/* accepted for a SYN cookie's ACK (tcp_syncookies=2), abort: RST, gone. */
static void
test_cb_cookie_accepted_abort_self(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	conf.sysctl.tcp_syncookies = 2;
	st = stack_with_peer(&conf);
	cbl.act[CB_ACCEPTED] = ACT_ABORT_TWICE;
	passive_open(st, 40003, 0, &iss);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_SyncookiesRecv), 1);
	assert_int_equal(cbl.accepted, 1);
	expect_frames(st, (const struct want[]){
		{ 80, 40003, F_RST | F_ACK, iss + 1, PEER_ISN + 1 } }, 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	check_table(st);
	check_pool(st, avail);
	check_alloc_two(st);
	finish(st, avail);
}

/* recv, close: the FIN acknowledges the data; close then abort: the
 * FIN was still queued (it leaves when the callback returns), so only
 * the RST from SND.NXT, the sock gone and no closed callback. */
static void
check_recv_close(uint8_t act)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint8_t data[100];
	uint32_t iss;

	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	cbl.act[CB_RECV] = act;
	fill(data, sizeof(data), 41);
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1, F_ACK | F_PSH, data, 100));
	assert_int_equal(cbl.recv, 1);
	assert_int_equal(cbl.act_ret, 0);
	if (act == ACT_CLOSE) {
		expect_frames(st, (const struct want[]){
			{ g_sport, PEER_PORT, F_FIN | F_ACK, iss + 1, PEER_ISN + 101 } }, 1);
		assert_int_equal(sock_state(sk), PMTCP_TCP_FIN_WAIT1);
		/* our FIN acknowledged, the peer's FIN: TIME_WAIT, closed(0) */
		t_input_one(st, from_peer(PEER_ISN + 101, iss + 2, F_FIN | F_ACK,
					  NULL, 0));
		expect_seg(st, F_ACK, iss + 2, PEER_ISN + 102, NULL, 0);
		assert_int_equal(sock_state(sk), PMTCP_TCP_TIME_WAIT);
		assert_int_equal(cbl.closed, 1);
		assert_int_equal(pmtcp_stack_tw_count(st), 1);
	} else {
		/* what a callback queues leaves when it returns: the FIN
		 * was still queued when the abort came */
		expect_frames(st, (const struct want[]){
			{ g_sport, PEER_PORT, F_RST | F_ACK, iss + 1, PEER_ISN + 101 } }, 1);
		assert_int_equal(pmtcp_stack_conn_count(st), 0);
		assert_int_equal(pmtcp_timer_wheel_check(&st->wheel), 0);
		assert_int_equal(cbl.closed, 0);
	}
	check_table(st);
	check_pool(st, avail);
	finish(st, avail);
}

static void
test_cb_recv_close_self(void **state)
{
	(void)state;
	check_recv_close(ACT_CLOSE);
	check_recv_close(ACT_CLOSE_ABORT);
}

/* Data and FIN in one segment, close from recv: FIN_WAIT1, then the
 * peer's FIN makes it CLOSING (a simultaneous close), and one segment,
 * our FIN, acknowledges both; the ACK of our FIN then TIME_WAIT and
 * closed(0). */
static void
test_cb_recv_close_self_data_fin(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint8_t data[100];
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	cbl.act[CB_RECV] = ACT_CLOSE;
	fill(data, sizeof(data), 42);
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1, F_ACK | F_PSH | F_FIN,
				  data, 100));
	assert_int_equal(cbl.recv, 1);
	assert_int_equal(cbl.peer_closed, 0);
	/* our FIN, sent when the callback returns, acknowledges the data
	 * and the peer's FIN at once */
	expect_frames(st, (const struct want[]){
		{ g_sport, PEER_PORT, F_FIN | F_ACK, iss + 1, PEER_ISN + 102 } }, 1);
	assert_int_equal(sock_state(sk), PMTCP_TCP_CLOSING);
	t_input_one(st, from_peer(PEER_ISN + 102, iss + 2, F_ACK, NULL, 0));
	rx_none(st);
	assert_int_equal(sock_state(sk), PMTCP_TCP_TIME_WAIT);
	assert_int_equal(cbl.closed, 1);
	assert_int_equal(cbl.last_err, 0);
	check_table(st);
	check_pool(st, avail);
	finish(st, avail);
}

/* peer_closed, abort: our ACK of the FIN, then the RST; close: the ACK,
 * our FIN (LAST_ACK), and closed(0) when it is acknowledged. */
static void
check_peer_closed(uint8_t act)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint32_t iss;

	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	cbl.act[CB_PEER_CLOSED] = act;
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 1, F_FIN | F_ACK, NULL, 0));
	assert_int_equal(cbl.peer_closed, 1);
	if (act == ACT_CLOSE) {
		assert_int_equal(cbl.act_ret, 0);
		expect_frames(st, (const struct want[]){
			{ g_sport, PEER_PORT, F_ACK, iss + 1, PEER_ISN + 2 },
			{ g_sport, PEER_PORT, F_FIN | F_ACK, iss + 1, PEER_ISN + 2 } }, 2);
		assert_int_equal(sock_state(sk), PMTCP_TCP_LAST_ACK);
		t_input_one(st, from_peer(PEER_ISN + 2, iss + 2, F_ACK, NULL, 0));
		rx_none(st);
		assert_int_equal(cbl.closed, 1);
		assert_int_equal(cbl.last_err, 0);
	} else {
		expect_frames(st, (const struct want[]){
			{ g_sport, PEER_PORT, F_ACK, iss + 1, PEER_ISN + 2 },
			{ g_sport, PEER_PORT, F_RST | F_ACK, iss + 1, PEER_ISN + 2 } }, 2);
		assert_int_equal(cbl.closed, 0);
		assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_EstabResets), 1);
	}
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	assert_int_equal(pmtcp_timer_wheel_check(&st->wheel), 0);
	check_table(st);
	check_pool(st, avail);
	check_alloc_two(st);
	finish(st, avail);
}

static void
test_cb_peer_closed_abort_close_self(void **state)
{
	(void)state;
	check_peer_closed(ACT_ABORT);
	check_peer_closed(ACT_ABORT_TWICE);
	check_peer_closed(ACT_CLOSE);
}

/* closed(0) as TIME_WAIT begins, abort: the TIME_WAIT ends at once and
 * tw_count with it (nothing sent from TIME_WAIT); close: -ENOTCONN, the
 * TIME_WAIT stays. */
static void
check_closed_time_wait(uint8_t act)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint32_t iss;

	conf_close(&conf, false);
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	assert_int_equal(pmtcp_close(st, sk), 0);
	expect_seg(st, F_FIN | F_ACK, iss + 1, PEER_ISN + 1, NULL, 0);
	cbl.act[CB_CLOSED] = act;
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 2, F_FIN | F_ACK, NULL, 0));
	expect_seg(st, F_ACK, iss + 2, PEER_ISN + 2, NULL, 0);
	assert_int_equal(cbl.closed, 1);
	assert_int_equal(cbl.last_err, 0);
	assert_int_equal(cbl.acted, 1);
	if (act == ACT_CLOSE) {
		assert_int_equal(cbl.act_ret, -ENOTCONN);
		assert_int_equal(cbl.acted_tw, 1);
		assert_int_equal(sock_state(sk), PMTCP_TCP_TIME_WAIT);
		assert_int_equal(pmtcp_stack_tw_count(st), 1);
		assert_int_equal(pmtcp_stack_conn_count(st), 1);
	} else {
		assert_int_equal(cbl.acted_tw, 0);
		assert_int_equal(pmtcp_stack_tw_count(st), 0);
		assert_int_equal(pmtcp_stack_conn_count(st), 0);
		assert_int_equal(pmtcp_timer_wheel_check(&st->wheel), 0);
		assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutRsts), 0);
	}
	check_table(st);
	check_pool(st, avail);
	check_alloc_two(st);
	finish(st, avail);
}

static void
test_cb_closed_time_wait_self(void **state)
{
	(void)state;
	check_closed_time_wait(ACT_ABORT);
	check_closed_time_wait(ACT_ABORT_TWICE);
	check_closed_time_wait(ACT_CLOSE);
	check_closed_time_wait(ACT_CLOSE_ABORT);
}

/* closed(-ECONNRESET) (RST from the peer) and failed(-ECONNREFUSED) (RST
 * to our SYN): the sock is already over; abort is a no-op (not a second
 * free), close returns -ENOTCONN. */
static void
check_closed_failed(bool established, uint8_t act)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk = NULL;
	struct rte_mbuf *m;
	uint32_t iss;

	conf_close(&conf, false);
	if (established) {
		st = setup_estab(&conf, false, 65535, &sk, &iss);
		cbl.act[CB_CLOSED] = act;
		t_input_one(st, from_peer(PEER_ISN + 1, 0, F_RST, NULL, 0));
		assert_int_equal(cbl.closed, 1);
		assert_int_equal(cbl.last_err, -ECONNRESET);
	} else {
		st = stack_with_peer(&conf);
		cbl.act[CB_FAILED] = act;
		assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, 0, &sk), 0);
		m = rx_one(st);
		iss = seg_seq(m);
		g_sport = rte_be_to_cpu_16(t_tcp(m)->src_port);
		rte_pktmbuf_free(m);
		t_input_one(st, from_peer(0, iss + 1, F_RST | F_ACK, NULL, 0));
		assert_int_equal(cbl.failed, 1);
		assert_int_equal(cbl.last_err, -ECONNREFUSED);
	}
	assert_int_equal(cbl.acted, 1);
	if (act == ACT_CLOSE)
		assert_int_equal(cbl.act_ret, -ENOTCONN);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	assert_int_equal(pmtcp_timer_wheel_check(&st->wheel), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutRsts), 0);
	check_table(st);
	check_pool(st, avail);
	check_alloc_two(st);
	finish(st, avail);
}

static void
test_cb_closed_failed_self(void **state)
{
	(void)state;
	check_closed_failed(true, ACT_ABORT);
	check_closed_failed(true, ACT_ABORT_TWICE);
	check_closed_failed(true, ACT_CLOSE);
	check_closed_failed(false, ACT_ABORT);
	check_closed_failed(false, ACT_ABORT_TWICE);
	check_closed_failed(false, ACT_CLOSE_ABORT);
}

/* closed(-ETIMEDOUT) from a timer (tcp_fin_timeout in FIN_WAIT2), abort
 * twice: a no-op, no second free. */
static void
test_cb_closed_timer_abort_self(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	uint32_t iss;

	(void)state;
	conf_close(&conf, false);
	conf.sysctl.tcp_fin_timeout = 1;
	st = setup_estab(&conf, false, 65535, &sk, &iss);
	assert_int_equal(pmtcp_close(st, sk), 0);
	expect_seg(st, F_FIN | F_ACK, iss + 1, PEER_ISN + 1, NULL, 0);
	t_input_one(st, from_peer(PEER_ISN + 1, iss + 2, F_ACK, NULL, 0));
	rx_none(st);
	assert_int_equal(sock_state(sk), PMTCP_TCP_FIN_WAIT2);
	cbl.act[CB_CLOSED] = ACT_ABORT_TWICE;
	wait_ms(st, rte_rdtsc(), 1100);
	assert_int_equal(cbl.closed, 1);
	assert_int_equal(cbl.last_err, -ETIMEDOUT);
	assert_int_equal(cbl.acted, 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	check_table(st);
	check_pool(st, avail);
	check_alloc_two(st);
	finish(st, avail);
}

/* Two established connections, A (returned, *@iss_a, *@port_a) and B
 * (*@b, *@iss_b, *@port_b), both to PEER_PORT. */
static struct pmtcp_sock *
two_conns(struct pmtcp_stack *st, uint32_t *iss_a, uint16_t *port_a,
	  struct pmtcp_sock **b, uint32_t *iss_b, uint16_t *port_b)
{
	struct pmtcp_sock *a;

	*b = establish(st, false, 65535, iss_b);
	*port_b = g_sport;
	a = establish(st, false, 65535, iss_a);
	*port_a = g_sport;
	assert_int_not_equal(*port_a, *port_b);
	assert_int_equal(pmtcp_stack_conn_count(st), 2);
	return a;
}

/* From A's recv: abort B (RST for B, then A's ACK), or close B (B's FIN,
 * then A's ACK). A goes on. */
static void
check_other_from_recv(uint8_t act)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *a, *b;
	uint32_t iss_a, iss_b;
	uint16_t pa, pb;
	uint8_t data[100];

	conf_close(&conf, false);
	st = stack_with_peer(&conf);
	a = two_conns(st, &iss_a, &pa, &b, &iss_b, &pb);
	cbl.act_sk = b;
	cbl.act[CB_RECV] = act;
	fill(data, sizeof(data), 43);
	t_input_one(st, peer_seg(PEER_PORT, pa, PEER_ISN + 1, iss_a + 1,
			       F_ACK | F_PSH, 65535, NULL, 0, data, 100));
	assert_int_equal(cbl.recv, 1);
	if (act == ACT_CLOSE) {
		assert_int_equal(cbl.act_ret, 0);
		expect_frames(st, (const struct want[]){
			{ pb, PEER_PORT, F_FIN | F_ACK, iss_b + 1, PEER_ISN + 1 },
			{ pa, PEER_PORT, F_ACK, iss_a + 1, PEER_ISN + 101 } }, 2);
		assert_int_equal(sock_state(b), PMTCP_TCP_FIN_WAIT1);
		assert_int_equal(pmtcp_stack_conn_count(st), 2);
	} else {
		expect_frames(st, (const struct want[]){
			{ pb, PEER_PORT, F_RST | F_ACK, iss_b + 1, PEER_ISN + 1 },
			{ pa, PEER_PORT, F_ACK, iss_a + 1, PEER_ISN + 101 } }, 2);
		assert_int_equal(pmtcp_stack_conn_count(st), 1);
	}
	assert_int_equal(sock_state(a), PMTCP_TCP_ESTABLISHED);
	assert_int_equal(cbl.closed, 0);
	check_table(st);
	check_pool(st, avail);
	check_alloc_two(st);
	finish(st, avail);
}

static void
test_cb_other_from_recv(void **state)
{
	(void)state;
	check_other_from_recv(ACT_ABORT);
	check_other_from_recv(ACT_ABORT_TWICE);
	check_other_from_recv(ACT_CLOSE);
}

/* Abort B from A's peer_closed, connected, accepted and failed: each
 * time B's RST after what A's input sends first, and A unharmed. */
static void
test_cb_abort_other_from_each(void **state)
{
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *a, *b;
	struct rte_mbuf *m;
	uint32_t iss_a, iss_b;
	uint16_t pa, pb;
	unsigned int avail;

	(void)state;
	/* peer_closed of A */
	avail = begin();
	conf_close(&conf, false);
	st = stack_with_peer(&conf);
	a = two_conns(st, &iss_a, &pa, &b, &iss_b, &pb);
	cbl.act_sk = b;
	cbl.act[CB_PEER_CLOSED] = ACT_ABORT_TWICE;
	t_input_one(st, peer_seg(PEER_PORT, pa, PEER_ISN + 1, iss_a + 1,
			       F_FIN | F_ACK, 65535, NULL, 0, NULL, 0));
	expect_frames(st, (const struct want[]){
		{ pa, PEER_PORT, F_ACK, iss_a + 1, PEER_ISN + 2 },
		{ pb, PEER_PORT, F_RST | F_ACK, iss_b + 1, PEER_ISN + 1 } }, 2);
	assert_int_equal(sock_state(a), PMTCP_TCP_CLOSE_WAIT);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	check_table(st);
	check_pool(st, avail);
	check_alloc_two(st);
	finish(st, avail);

	/* connected of A */
	avail = begin();
	conf_close(&conf, false);
	st = stack_with_peer(&conf);
	b = establish(st, false, 65535, &iss_b);
	pb = g_sport;
	cbl.act_sk = b;
	cbl.act[CB_CONNECTED] = ACT_ABORT_TWICE;
	a = active_synack(st, &iss_a);
	pa = g_sport;
	expect_frames(st, (const struct want[]){
		{ pa, PEER_PORT, F_ACK, iss_a + 1, PEER_ISN + 1 },
		{ pb, PEER_PORT, F_RST | F_ACK, iss_b + 1, PEER_ISN + 1 } }, 2);
	assert_int_equal(sock_state(a), PMTCP_TCP_ESTABLISHED);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	check_table(st);
	check_pool(st, avail);
	finish(st, avail);

	/* accepted of A */
	avail = begin();
	conf_close(&conf, false);
	st = stack_with_peer(&conf);
	b = establish(st, false, 65535, &iss_b);
	pb = g_sport;
	cbl.act_sk = b;
	cbl.act[CB_ACCEPTED] = ACT_ABORT_TWICE;
	passive_open(st, 40004, 0, &iss_a);
	expect_frames(st, (const struct want[]){
		{ pb, PEER_PORT, F_RST | F_ACK, iss_b + 1, PEER_ISN + 1 } }, 1);
	assert_int_equal(sock_state(cbl.last_sk), PMTCP_TCP_ESTABLISHED);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	check_table(st);
	check_pool(st, avail);
	finish(st, avail);

	/* failed of A (RST to its SYN) */
	avail = begin();
	conf_close(&conf, false);
	st = stack_with_peer(&conf);
	b = establish(st, false, 65535, &iss_b);
	pb = g_sport;
	cbl.act_sk = b;
	cbl.act[CB_FAILED] = ACT_ABORT_TWICE;
	assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, 0, &a), 0);
	m = rx_one(st);
	iss_a = seg_seq(m);
	pa = rte_be_to_cpu_16(t_tcp(m)->src_port);
	rte_pktmbuf_free(m);
	t_input_one(st, peer_seg(PEER_PORT, pa, 0, iss_a + 1, F_RST | F_ACK,
			       65535, NULL, 0, NULL, 0));
	assert_int_equal(cbl.failed, 1);
	expect_frames(st, (const struct want[]){
		{ pb, PEER_PORT, F_RST | F_ACK, iss_b + 1, PEER_ISN + 1 } }, 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	check_table(st);
	check_pool(st, avail);
	check_alloc_two(st);
	finish(st, avail);
}

/* B in TIME_WAIT: its sock was gone once its closed(0) returned, the
 * TIME_WAIT is the stack's (a 64-byte entry) and no abort reaches it; A's
 * reset leaves it alone. A's closed comes once from its TIME_WAIT too
 * (then abort B in ESTABLISHED: its RST). */
static void
test_cb_abort_other_from_closed(void **state)
{
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *a, *b;
	uint32_t iss_a, iss_b;
	uint16_t pa, pb;
	unsigned int avail;

	(void)state;
	/* B in TIME_WAIT, A reset by the peer */
	avail = begin();
	conf_close(&conf, false);
	st = stack_with_peer(&conf);
	a = two_conns(st, &iss_a, &pa, &b, &iss_b, &pb);
	assert_int_equal(pmtcp_close(st, b), 0);
	expect_frames(st, (const struct want[]){
		{ pb, PEER_PORT, F_FIN | F_ACK, iss_b + 1, PEER_ISN + 1 } }, 1);
	t_input_one(st, peer_seg(PEER_PORT, pb, PEER_ISN + 1, iss_b + 2,
			       F_FIN | F_ACK, 65535, NULL, 0, NULL, 0));
	expect_frames(st, (const struct want[]){
		{ pb, PEER_PORT, F_ACK, iss_b + 2, PEER_ISN + 2 } }, 1);
	assert_int_equal(sock_state(b), PMTCP_TCP_TIME_WAIT);
	assert_int_equal(pmtcp_stack_tw_count(st), 1);
	assert_int_equal(cbl.closed, 1);
	t_input_one(st, peer_seg(PEER_PORT, pa, PEER_ISN + 1, 0, F_RST, 65535,
			       NULL, 0, NULL, 0));
	assert_int_equal(cbl.closed, 2);
	assert_int_equal(cbl.last_err, -ECONNRESET);
	assert_int_equal(pmtcp_stack_tw_count(st), 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	assert_int_equal(sock_state(b), PMTCP_TCP_TIME_WAIT);
	/* the TIME_WAIT's 2 MSL, its one timer */
	assert_int_equal(pmtcp_timer_wheel_check(&st->wheel), 1);
	check_table(st);
	check_pool(st, avail);
	check_alloc_two(st);
	finish(st, avail);

	/* A enters TIME_WAIT, B established */
	avail = begin();
	conf_close(&conf, false);
	st = stack_with_peer(&conf);
	a = two_conns(st, &iss_a, &pa, &b, &iss_b, &pb);
	assert_int_equal(pmtcp_close(st, a), 0);
	expect_frames(st, (const struct want[]){
		{ pa, PEER_PORT, F_FIN | F_ACK, iss_a + 1, PEER_ISN + 1 } }, 1);
	cbl.act_sk = b;
	cbl.act[CB_CLOSED] = ACT_ABORT;
	t_input_one(st, peer_seg(PEER_PORT, pa, PEER_ISN + 1, iss_a + 2,
			       F_FIN | F_ACK, 65535, NULL, 0, NULL, 0));
	expect_frames(st, (const struct want[]){
		{ pa, PEER_PORT, F_ACK, iss_a + 2, PEER_ISN + 2 },
		{ pb, PEER_PORT, F_RST | F_ACK, iss_b + 1, PEER_ISN + 1 } }, 2);
	assert_int_equal(sock_state(a), PMTCP_TCP_TIME_WAIT);
	assert_int_equal(cbl.closed, 1);
	assert_int_equal(pmtcp_stack_tw_count(st), 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	check_table(st);
	check_pool(st, avail);
	finish(st, avail);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_send_established_one_segment),
		cmocka_unit_test(test_send_segments_by_mss),
		cmocka_unit_test(test_send_limited_by_peer_window),
		cmocka_unit_test(test_send_in_syn_sent_rides_on_ack),
		cmocka_unit_test(test_send_in_syn_recv_enotconn),
		cmocka_unit_test(test_send_after_close_epipe),
		cmocka_unit_test(test_ack_partial_frees_and_retransmits_from_snd_una),
		cmocka_unit_test(test_ack_beyond_snd_nxt_acked_and_dropped),
		cmocka_unit_test(test_ack_duplicate_changes_nothing),
		cmocka_unit_test(test_rto_retransmits_head),
		cmocka_unit_test(test_rto_retries2_etimedout),
		cmocka_unit_test(test_rcv_in_order_delivered_quickack),
		cmocka_unit_test(test_rcv_delayed_ack),
		cmocka_unit_test(test_rcv_two_full_segments_ack_now),
		cmocka_unit_test(test_rcv_overlap_delivers_new_part),
		cmocka_unit_test(test_rcv_old_segment_dup_ack),
		cmocka_unit_test(test_rcv_out_of_order_dropped_dup_ack),
		cmocka_unit_test(test_rcv_beyond_window_dup_ack),
		cmocka_unit_test(test_rcv_reply_piggybacks_ack),
		cmocka_unit_test(test_paws_estab_rejects_old_tsval),
		cmocka_unit_test(test_close_active_fin_wait_to_time_wait),
		cmocka_unit_test(test_close_after_queued_data),
		cmocka_unit_test(test_close_simultaneous_closing),
		cmocka_unit_test(test_close_fin_wait2_timeout),
		cmocka_unit_test(test_close_passive_close_wait_last_ack),
		cmocka_unit_test(test_closewait_retransmitted_fin_acked),
		cmocka_unit_test(test_rst_close_wait_epipe),
		cmocka_unit_test(test_rst_established_econnreset),
		cmocka_unit_test(test_abort_from_recv_callback),
		cmocka_unit_test(test_syn_established_challenge_ack_limit),
		cmocka_unit_test(test_syn_out_of_window_challenge_ack),
		cmocka_unit_test(test_timewait_entry_apart),
		cmocka_unit_test(test_timewait_rst_out_of_window_ignored),
		cmocka_unit_test(test_timewait_reuse_by_connect),
		cmocka_unit_test(test_timewait_no_reuse_eaddrnotavail),
		cmocka_unit_test(test_timewait_new_syn_to_listener),
		cmocka_unit_test(test_finwait2_data_after_close_resets),
		cmocka_unit_test(test_wmem_knob),
		cmocka_unit_test(test_send_buffer_full_eagain),
		cmocka_unit_test(test_send_buffer_sized_by_wmem_and_mss),
		cmocka_unit_test(test_cb_connected_abort_self),
		cmocka_unit_test(test_cb_connected_close_self),
		cmocka_unit_test(test_cb_simopen_connected_abort_close_self),
		cmocka_unit_test(test_cb_accepted_abort_self),
		cmocka_unit_test(test_cb_accepted_close_self),
		cmocka_unit_test(test_cb_cookie_accepted_abort_self),
		cmocka_unit_test(test_cb_recv_close_self),
		cmocka_unit_test(test_cb_recv_close_self_data_fin),
		cmocka_unit_test(test_cb_peer_closed_abort_close_self),
		cmocka_unit_test(test_cb_closed_time_wait_self),
		cmocka_unit_test(test_cb_closed_failed_self),
		cmocka_unit_test(test_cb_closed_timer_abort_self),
		cmocka_unit_test(test_cb_other_from_recv),
		cmocka_unit_test(test_cb_abort_other_from_each),
		cmocka_unit_test(test_cb_abort_other_from_closed),
	};

	return cmocka_run_group_tests(tests, t_eal_setup, NULL);
}
