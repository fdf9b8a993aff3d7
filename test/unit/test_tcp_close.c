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

#include "test_common.h"
#include "tcp.h"   /* struct pmtcp_sock / pmtcp_stack fields for white-box checks */

#define ST_IP T_IP(198, 18, 0, 2)
#define PEER_IP T_IP(198, 18, 0, 1)
#define PEER_PORT 80
#define PEER_ISN 0x50000000U
#define PEER_TS0 1000U
/* Our window without window scaling: tcp_full_space(87380) = 43690 in MSS
 * multiples, clamped to tcp_default_init_rwnd() = 20 x 1460. */
#define OUR_WIN 29200U

#define BURST 64
#define F_ACK RTE_TCP_ACK_FLAG
#define F_PSH RTE_TCP_PSH_FLAG
#define F_FIN RTE_TCP_FIN_FLAG
#define F_SYN RTE_TCP_SYN_FLAG
#define F_RST RTE_TCP_RST_FLAG

/* What the callbacks saw, and what they are told to do. */
struct cb_log {
	unsigned int connected, accepted, failed, closed, peer_closed, recv;
	int last_err;
	struct pmtcp_sock *last_sk;
	uint8_t rbuf[16384];
	uint32_t rlen;
	/* actions */
	bool abort_in_recv;        /* pmtcp_abort() from recv */
	const uint8_t *reply;      /* pmtcp_send() this from recv */
	uint32_t reply_len;
	int reply_ret;
};

static struct cb_log cbl;
/* ports of the connection under test, host order: ours, the peer's */
static uint16_t g_sport, g_dport;

static void
cb_connected(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	struct cb_log *l = arg;

	(void)st;
	l->connected++;
	l->last_sk = sk;
}

static void
cb_accepted(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	struct cb_log *l = arg;

	(void)st;
	l->accepted++;
	l->last_sk = sk;
}

static void
cb_failed(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg)
{
	struct cb_log *l = arg;

	(void)st;
	l->failed++;
	l->last_err = err;
	l->last_sk = sk;
}

static void
cb_closed(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg)
{
	struct cb_log *l = arg;

	(void)st;
	l->closed++;
	l->last_err = err;
	l->last_sk = sk;
}

static void
cb_peer_closed(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	struct cb_log *l = arg;

	(void)st;
	(void)sk;
	l->peer_closed++;
}

static void
cb_recv(struct pmtcp_stack *st, struct pmtcp_sock *sk, const void *data,
	uint32_t len, void *arg)
{
	struct cb_log *l = arg;

	l->recv++;
	assert_true(l->rlen + len <= sizeof(l->rbuf));
	memcpy(l->rbuf + l->rlen, data, len);
	l->rlen += len;
	if (l->reply != NULL)
		l->reply_ret = pmtcp_send(st, sk, l->reply, l->reply_len);
	if (l->abort_in_recv)
		pmtcp_abort(st, sk);
}

/* Defaults, a 1024-entry table, timestamps as @ts, every callback logging
 * into cbl. */
static void
conf_close(struct pmtcp_stack_conf *conf, bool ts)
{
	pmtcp_stack_conf_init(conf);
	conf->max_conns = 1024;
	conf->sysctl.tcp_timestamps = ts ? 1 : 0;
	conf->cb.connected = cb_connected;
	conf->cb.accepted = cb_accepted;
	conf->cb.failed = cb_failed;
	conf->cb.closed = cb_closed;
	conf->cb.peer_closed = cb_peer_closed;
	conf->cb.recv = cb_recv;
	conf->cb.arg = &cbl;
	memset(&cbl, 0, sizeof(cbl));
}

/* Start of every test: nothing left on the wire by an earlier (failed)
 * test; returns the pool's count to come back to. */
static unsigned int
begin(void)
{
	t_drain_all();
	return t_pool_avail();
}

/* End of every test: free, drain, no mbuf leaked. */
static void
finish(struct pmtcp_stack *st, unsigned int avail)
{
	pmtcp_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* Stack on port 0 that knows the peer's MAC (the ARP reply is drained). */
static struct pmtcp_stack *
stack_with_peer(const struct pmtcp_stack_conf *conf)
{
	struct rte_ether_addr peer_mac;
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_stack *st = t_stack(0, ST_IP, conf);

	t_mac(1, &peer_mac);
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &peer_mac, PEER_IP, NULL,
				  ST_IP));
	pmtcp_stack_poll(st, rte_rdtsc());
	assert_int_equal(t_rx(1, pkts, BURST), 1);
	t_free(pkts, 1);
	return st;
}

/* Every frame the stack sends: to the peer's MAC, from ours, IPv4 from
 * ST_IP to PEER_IP, good checksums. */
static void
check_frame(struct rte_mbuf *m)
{
	struct rte_ether_addr our_mac, peer_mac;
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	t_mac(0, &our_mac);
	t_mac(1, &peer_mac);
	assert_int_equal(eh->ether_type, RTE_BE16(RTE_ETHER_TYPE_IPV4));
	assert_memory_equal(&eh->dst_addr, &peer_mac, RTE_ETHER_ADDR_LEN);
	assert_memory_equal(&eh->src_addr, &our_mac, RTE_ETHER_ADDR_LEN);
	assert_true(t_csum_ok(m));
	assert_int_equal(t_ip(m)->src_addr, ST_IP);
	assert_int_equal(t_ip(m)->dst_addr, PEER_IP);
}

/* Poll and read what the stack sent: exactly @want frames. */
static uint16_t
poll_rx_n(struct pmtcp_stack *st, struct rte_mbuf **pkts, uint16_t want)
{
	uint16_t n;

	pmtcp_stack_poll(st, rte_rdtsc());
	n = t_rx(1, pkts, BURST);
	if (n != want)
		t_free(pkts, n);
	assert_int_equal(n, want);
	for (uint16_t i = 0; i < n; i++)
		check_frame(pkts[i]);
	return n;
}

static struct rte_mbuf *
rx_one(struct pmtcp_stack *st)
{
	struct rte_mbuf *pkts[BURST];

	poll_rx_n(st, pkts, 1);
	return pkts[0];
}

static void
rx_none(struct pmtcp_stack *st)
{
	struct rte_mbuf *pkts[BURST];

	poll_rx_n(st, pkts, 0);
}

/*
 * Poll with the real clock (100 us apart) until the stack sends something
 * or @ms have passed since @t0. Returns the frames read (0 on timeout);
 * *@at_ms receives the time since @t0 when they were read.
 */
static uint16_t
poll_until_tx(struct pmtcp_stack *st, struct rte_mbuf **pkts, uint64_t t0,
	      uint32_t ms, uint32_t *at_ms)
{
	uint64_t hz = rte_get_tsc_hz(), now;
	uint16_t n;

	for (;;) {
		now = rte_rdtsc();
		pmtcp_stack_poll(st, now);
		n = t_rx(1, pkts, BURST);
		if (n > 0 || now - t0 >= hz / 1000 * ms)
			break;
		usleep(100);
	}
	if (at_ms != NULL)
		*at_ms = (uint32_t)((now - t0) * 1000 / hz);
	for (uint16_t i = 0; i < n; i++)
		check_frame(pkts[i]);
	return n;
}

/* Poll with the real clock for @ms, nothing may be sent. */
static void
poll_quiet(struct pmtcp_stack *st, uint32_t ms)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n = poll_until_tx(st, pkts, rte_rdtsc(), ms, NULL);

	t_free(pkts, n);
	assert_int_equal(n, 0);
}

static uint32_t
seg_seq(struct rte_mbuf *m)
{
	return rte_be_to_cpu_32(t_tcp(m)->sent_seq);
}

/* TCP payload length and bytes of a frame. */
static uint32_t
seg_len(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *iph = t_ip(m);

	return rte_be_to_cpu_16(iph->total_length) -
	       (uint32_t)(iph->version_ihl & 0xf) * 4 -
	       (uint32_t)(t_tcp(m)->data_off >> 4) * 4;
}

static const uint8_t *
seg_data(struct rte_mbuf *m)
{
	struct rte_tcp_hdr *th = t_tcp(m);

	return (const uint8_t *)th + (th->data_off >> 4) * 4;
}

/* The TSval and TSecr of the timestamp option of @m (asserted present). */
static void
tcp_ts(struct rte_mbuf *m, uint32_t *tsval, uint32_t *tsecr)
{
	struct rte_tcp_hdr *th = t_tcp(m);
	unsigned int len = (unsigned int)(th->data_off >> 4) * 4 - sizeof(*th);
	const uint8_t *p = (const uint8_t *)(th + 1);
	unsigned int i = 0;

	while (i < len && p[i] != 8) {
		if (p[i] == 0)
			break;
		i += p[i] == 1 ? 1 : p[i + 1];
	}
	assert_true(i + 10 <= len && p[i] == 8 && p[i + 1] == 10);
	*tsval = t_get_be32(p + i + 2);
	*tsecr = t_get_be32(p + i + 6);
}

/*
 * A segment without options from the connection under test: exact flags,
 * seq, ack, our unscaled window, no urgent pointer, @len payload bytes
 * equal to @data (not compared when NULL).
 */
static void
assert_seg(struct rte_mbuf *m, uint8_t flags, uint32_t seq, uint32_t ack,
	   const uint8_t *data, uint32_t len)
{
	struct rte_tcp_hdr *th = t_tcp(m);

	assert_int_equal(th->tcp_flags, flags);
	assert_int_equal(rte_be_to_cpu_16(th->src_port), g_sport);
	assert_int_equal(rte_be_to_cpu_16(th->dst_port), g_dport);
	assert_int_equal(rte_be_to_cpu_32(th->sent_seq), seq);
	assert_int_equal(rte_be_to_cpu_32(th->recv_ack), ack);
	assert_int_equal(th->data_off, 5 << 4);
	assert_int_equal(rte_be_to_cpu_16(th->rx_win), OUR_WIN);
	assert_int_equal(th->tcp_urp, 0);
	assert_int_equal(seg_len(m), len);
	if (data != NULL && len > 0)
		assert_memory_equal(seg_data(m), data, len);
}

/* assert_seg() on the one frame the stack sends now, which is freed. */
static void
expect_seg(struct pmtcp_stack *st, uint8_t flags, uint32_t seq, uint32_t ack,
	   const uint8_t *data, uint32_t len)
{
	struct rte_mbuf *m = rx_one(st);

	assert_seg(m, flags, seq, ack, data, len);
	rte_pktmbuf_free(m);
}

/* A segment from the peer (198.18.0.1:@sport) to us (:@dport) with @len
 * payload bytes from @data. */
static struct rte_mbuf *
peer_seg(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
	 uint8_t flags, uint16_t win, const uint8_t *opts, uint8_t optlen,
	 const uint8_t *data, uint16_t len)
{
	struct rte_mbuf *m;
	struct rte_tcp_hdr *th;
	struct t_seg s;

	memset(&s, 0, sizeof(s));
	t_mac(1, &s.src_mac);
	t_mac(0, &s.dst_mac);
	s.saddr = PEER_IP;
	s.daddr = ST_IP;
	s.sport = sport;
	s.dport = dport;
	s.seq = seq;
	s.ack = ack;
	s.flags = flags;
	s.win = win;
	s.opts = opts;
	s.optlen = optlen;
	s.payload = len;
	m = t_build_tcp(&s);
	if (len > 0) {
		th = t_tcp(m);
		memcpy((uint8_t *)(th + 1) + optlen, data, len);
		th->cksum = 0;
		th->cksum = rte_ipv4_udptcp_cksum(t_ip(m), th);
	}
	return m;
}

/* From the peer to the connection under test, window 65535, no options. */
static struct rte_mbuf *
from_peer(uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *data,
	  uint16_t len)
{
	return peer_seg(g_dport, g_sport, seq, ack, flags, 65535, NULL, 0,
			data, len);
}

static uint8_t
sock_state(const struct pmtcp_sock *sk)
{
	struct pmtcp_sock_info info;

	pmtcp_sock_info(sk, &info);
	return info.state;
}

/* Deterministic payload bytes. */
static void
fill(uint8_t *p, uint32_t len, uint8_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

/*
 * connect() to the peer's port 80, answer the SYN with a SYN-ACK carrying
 * MSS 1460 (and TS tsval PEER_TS0 echoing the SYN's when @ts), window
 * @win, and take our ACK off the wire. *@iss receives our ISN.
 */
static struct pmtcp_sock *
establish(struct pmtcp_stack *st, bool ts, uint16_t win, uint32_t *iss)
{
	struct pmtcp_sock_info info;
	struct pmtcp_sock *sk = NULL;
	struct rte_mbuf *m;
	uint32_t syn_tsval = 0, tsecr, tsval;
	uint8_t opts[20], n = 0;

	assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, 42, &sk), 0);
	assert_non_null(sk);
	m = rx_one(st);
	assert_int_equal(t_tcp(m)->tcp_flags, F_SYN);
	*iss = seg_seq(m);
	if (ts)
		tcp_ts(m, &syn_tsval, &tsecr);
	rte_pktmbuf_free(m);
	pmtcp_sock_info(sk, &info);
	g_sport = info.sport;
	g_dport = PEER_PORT;

	opts[n++] = 2;
	opts[n++] = 4;
	opts[n++] = 1460 >> 8;
	opts[n++] = 1460 & 0xff;
	if (ts)
		n = (uint8_t)(n + t_ts_opts(opts + n, PEER_TS0, syn_tsval));
	t_input_one(st, peer_seg(PEER_PORT, g_sport, PEER_ISN, *iss + 1,
			       F_SYN | F_ACK, win, opts, n, NULL, 0));
	assert_int_equal(cbl.connected, 1);
	m = rx_one(st);
	if (ts) {
		struct rte_tcp_hdr *th = t_tcp(m);

		assert_int_equal(th->tcp_flags, F_ACK);
		assert_int_equal(seg_seq(m), *iss + 1);
		assert_int_equal(rte_be_to_cpu_32(th->recv_ack), PEER_ISN + 1);
		tcp_ts(m, &tsval, &tsecr);
		assert_int_equal(tsecr, PEER_TS0);
	} else {
		assert_seg(m, F_ACK, *iss + 1, PEER_ISN + 1, NULL, 0);
	}
	rte_pktmbuf_free(m);
	pmtcp_sock_info(sk, &info);
	assert_int_equal(info.state, PMTCP_TCP_ESTABLISHED);
	assert_int_equal(info.mss, ts ? 1460 - 12 : 1460);
	assert_int_equal(info.snd_wscale, 0);
	assert_int_equal(info.rcv_wscale, 0);
	assert_int_equal(info.tstamp_ok, ts);
	return sk;
}

/* A stack (timestamps as @ts) with one ESTABLISHED connection. */
static struct pmtcp_stack *
setup_estab(struct pmtcp_stack_conf *conf, bool ts, uint16_t win,
	    struct pmtcp_sock **sk, uint32_t *iss)
{
	struct pmtcp_stack *st = stack_with_peer(conf);

	*sk = establish(st, ts, win, iss);
	return st;
}

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

/* RFC 9293 3.10.2 SYN-SENT: pmtcp queues nothing before ESTABLISHED. */
static void
test_send_before_established_enotconn(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk = NULL;

	(void)state;
	conf_close(&conf, false);
	st = stack_with_peer(&conf);
	assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, 0, &sk), 0);
	rte_pktmbuf_free(rx_one(st));   /* the SYN */
	assert_int_equal(pmtcp_send(st, sk, "x", 1), -ENOTCONN);
	rx_none(st);
	assert_int_equal(sock_state(sk), PMTCP_TCP_SYN_SENT);
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
	/* the window moves: the rest, then the FIN right after it */
	t_input_one(st, peer_seg(PEER_PORT, g_sport, PEER_ISN + 1, iss + 1461,
			       F_ACK, 2000, NULL, 0, NULL, 0));
	poll_rx_n(st, pkts, 3);
	assert_seg(pkts[0], F_ACK, iss + 1461, PEER_ISN + 1, buf + 1460, 1460);
	assert_seg(pkts[1], F_ACK | F_PSH, iss + 2921, PEER_ISN + 1, buf + 2920, 80);
	assert_seg(pkts[2], F_FIN | F_ACK, iss + 3001, PEER_ISN + 1, NULL, 0);
	t_free(pkts, 3);
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
	assert_false(pmtcp_timer_pending(&sk->dtimer));
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

/* Active close to TIME_WAIT (timestamps as @ts); returns the snd_nxt the
 * TIME_WAIT keeps (ISS + 2). */
static uint32_t
to_time_wait(struct pmtcp_stack *st, struct pmtcp_sock *sk, uint32_t iss,
	     bool ts)
{
	struct rte_mbuf *m;
	uint32_t tsval = 0, tsecr;
	uint8_t opts[12], n = 0;

	assert_int_equal(pmtcp_close(st, sk), 0);
	m = rx_one(st);
	assert_int_equal(t_tcp(m)->tcp_flags, F_FIN | F_ACK);
	assert_int_equal(seg_seq(m), iss + 1);
	if (ts)
		tcp_ts(m, &tsval, &tsecr);
	rte_pktmbuf_free(m);
	if (ts)
		n = t_ts_opts(opts, PEER_TS0 + 1, tsval);
	t_input_one(st, peer_seg(PEER_PORT, g_sport, PEER_ISN + 1, iss + 2,
			       F_FIN | F_ACK, 65535, opts, n, NULL, 0));
	m = rx_one(st);
	assert_int_equal(t_tcp(m)->tcp_flags, F_ACK);
	assert_int_equal(seg_seq(m), iss + 2);
	assert_int_equal(rte_be_to_cpu_32(t_tcp(m)->recv_ack), PEER_ISN + 2);
	rte_pktmbuf_free(m);
	assert_int_equal(sock_state(sk), PMTCP_TCP_TIME_WAIT);
	assert_int_equal(pmtcp_stack_tw_count(st), 1);
	return iss + 2;
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_send_established_one_segment),
		cmocka_unit_test(test_send_segments_by_mss),
		cmocka_unit_test(test_send_limited_by_peer_window),
		cmocka_unit_test(test_send_before_established_enotconn),
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
		cmocka_unit_test(test_timewait_rst_out_of_window_ignored),
		cmocka_unit_test(test_timewait_reuse_by_connect),
		cmocka_unit_test(test_timewait_no_reuse_eaddrnotavail),
		cmocka_unit_test(test_timewait_new_syn_to_listener),
		cmocka_unit_test(test_finwait2_data_after_close_resets),
	};

	return cmocka_run_group_tests(tests, t_eal_setup, NULL);
}
