/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers of the TCP state machine tests: see test_tcp_util.h. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "test_tcp_util.h"
#include "tcp.h"

struct cb_log cbl;
/* ports of the connection under test, host order: ours, the peer's */
uint16_t g_sport, g_dport;

/* Do what cbl.act[@cb] says, once, from inside callback @cb of @sk. */
void
cb_act(struct pmtcp_stack *st, struct pmtcp_sock *sk, unsigned int cb)
{
	struct pmtcp_sock *t = cbl.act_sk != NULL ? cbl.act_sk : sk;
	uint8_t a = cbl.act[cb];

	if (a == ACT_NONE)
		return;
	cbl.act[cb] = ACT_NONE;
	cbl.acted++;
	switch (a) {
	case ACT_ABORT:
		pmtcp_abort(st, t);
		break;
	case ACT_ABORT_TWICE:
		pmtcp_abort(st, t);
		pmtcp_abort(st, t);
		break;
	case ACT_CLOSE:
		cbl.act_ret = pmtcp_close(st, t);
		break;
	case ACT_CLOSE_ABORT:
		cbl.act_ret = pmtcp_close(st, t);
		pmtcp_abort(st, t);
		break;
	default:
		break;
	}
	cbl.acted_tw = pmtcp_stack_tw_count(st);
}

void
cb_connected(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	struct cb_log *l = arg;

	l->connected++;
	l->last_sk = sk;
	cb_act(st, sk, CB_CONNECTED);
}

void
cb_accepted(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	struct cb_log *l = arg;

	l->accepted++;
	l->last_sk = sk;
	cb_act(st, sk, CB_ACCEPTED);
}

void
cb_failed(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg)
{
	struct cb_log *l = arg;

	l->failed++;
	l->last_err = err;
	l->last_sk = sk;
	cb_act(st, sk, CB_FAILED);
}

void
cb_closed(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg)
{
	struct cb_log *l = arg;

	l->closed++;
	l->last_err = err;
	l->last_sk = sk;
	cb_act(st, sk, CB_CLOSED);
}

void
cb_peer_closed(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	struct cb_log *l = arg;

	l->peer_closed++;
	cb_act(st, sk, CB_PEER_CLOSED);
}

void
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
	cb_act(st, sk, CB_RECV);
}

/* Defaults, a 1024-entry table, timestamps as @ts, every callback logging
 * into cbl. */
void
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
unsigned int
begin(void)
{
	t_drain_all();
	return t_pool_avail();
}

/* End of every test: free, drain, no mbuf leaked. */
void
finish(struct pmtcp_stack *st, unsigned int avail)
{
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* Stack on port 0 that knows the peer's MAC (the ARP reply is drained). */
struct pmtcp_stack *
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
void
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
uint16_t
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

struct rte_mbuf *
rx_one(struct pmtcp_stack *st)
{
	struct rte_mbuf *pkts[BURST];

	poll_rx_n(st, pkts, 1);
	return pkts[0];
}

void
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
uint16_t
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
void
poll_quiet(struct pmtcp_stack *st, uint32_t ms)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n = poll_until_tx(st, pkts, rte_rdtsc(), ms, NULL);

	t_free(pkts, n);
	assert_int_equal(n, 0);
}

uint32_t
seg_seq(struct rte_mbuf *m)
{
	return rte_be_to_cpu_32(t_tcp(m)->sent_seq);
}

/* TCP payload length and bytes of a frame. */
uint32_t
seg_len(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *iph = t_ip(m);

	return rte_be_to_cpu_16(iph->total_length) -
	       (uint32_t)(iph->version_ihl & 0xf) * 4 -
	       (uint32_t)(t_tcp(m)->data_off >> 4) * 4;
}

const uint8_t *
seg_data(struct rte_mbuf *m)
{
	struct rte_tcp_hdr *th = t_tcp(m);

	return (const uint8_t *)th + (th->data_off >> 4) * 4;
}

/* The TSval and TSecr of the timestamp option of @m (asserted present). */
void
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
void
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
void
expect_seg(struct pmtcp_stack *st, uint8_t flags, uint32_t seq, uint32_t ack,
	   const uint8_t *data, uint32_t len)
{
	struct rte_mbuf *m = rx_one(st);

	assert_seg(m, flags, seq, ack, data, len);
	rte_pktmbuf_free(m);
}

/* A segment from the peer (198.18.0.1:@sport) to us (:@dport) with @len
 * payload bytes from @data. */
struct rte_mbuf *
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
struct rte_mbuf *
from_peer(uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *data,
	  uint16_t len)
{
	return peer_seg(g_dport, g_sport, seq, ack, flags, 65535, NULL, 0,
			data, len);
}

/* The state of @sk's connection: the sock's, or, once the sock is freed
 * (it keeps its 4-tuple), TIME_WAIT while a TIME_WAIT entry holds the
 * 4-tuple in a stack of t_stack() */
uint8_t
sock_state(const struct pmtcp_sock *sk)
{
	struct pmtcp_sock_info info;

	/* a free sock's line 1 up to its flags is readable (ASan) */
	if (sk->state == PMTCP_TCP_CLOSE) {
		for (unsigned int i = 0; i < RTE_DIM(t_stacks); i++)
			if (t_stacks[i] != NULL &&
			    pmtcp_tw_lookup(t_stacks[i], sk->saddr, sk->sport,
					    sk->daddr, sk->dport) != NULL)
				return PMTCP_TCP_TIME_WAIT;
		return PMTCP_TCP_CLOSE;
	}
	pmtcp_sock_info(sk, &info);
	return info.state;
}

/* Deterministic payload bytes. */
void
fill(uint8_t *p, uint32_t len, uint8_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

/*
 * connect() to the peer's port 80, answer the SYN with a SYN-ACK carrying
 * MSS @mss (and TS tsval PEER_TS0 echoing the SYN's when @ts), window
 * @win, and take our ACK (SEQ ISS + 1, ACK PEER_ISN + 1) off the wire.
 * *@iss receives our ISN; *@our_ts, when not NULL, the ACK's TSval.
 */
struct pmtcp_sock *
establish_mss(struct pmtcp_stack *st, bool ts, uint16_t win, uint16_t mss,
	      uint32_t *iss, uint32_t *our_ts)
{
	struct pmtcp_sock_info info;
	struct pmtcp_sock *sk = NULL;
	struct rte_mbuf *m;
	uint32_t syn_tsval = 0, tsecr, tsval;
	unsigned int connected = cbl.connected;
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
	opts[n++] = (uint8_t)(mss >> 8);
	opts[n++] = (uint8_t)(mss & 0xff);
	if (ts)
		n = (uint8_t)(n + t_ts_opts(opts + n, PEER_TS0, syn_tsval));
	t_input_one(st, peer_seg(PEER_PORT, g_sport, PEER_ISN, *iss + 1,
			       F_SYN | F_ACK, win, opts, n, NULL, 0));
	assert_int_equal(cbl.connected, connected + 1);
	m = rx_one(st);
	if (ts) {
		struct rte_tcp_hdr *th = t_tcp(m);

		assert_int_equal(th->tcp_flags, F_ACK);
		assert_int_equal(seg_seq(m), *iss + 1);
		assert_int_equal(rte_be_to_cpu_32(th->recv_ack), PEER_ISN + 1);
		tcp_ts(m, &tsval, &tsecr);
		assert_int_equal(tsecr, PEER_TS0);
		if (our_ts != NULL)
			*our_ts = tsval;
	} else {
		assert_seg(m, F_ACK, *iss + 1, PEER_ISN + 1, NULL, 0);
	}
	rte_pktmbuf_free(m);
	assert_int_equal(sock_state(sk), PMTCP_TCP_ESTABLISHED);
	return sk;
}

/* establish_mss() with MSS 1460: our MSS 1460 (1448 with timestamps), no
 * window scaling. */
struct pmtcp_sock *
establish(struct pmtcp_stack *st, bool ts, uint16_t win, uint32_t *iss)
{
	struct pmtcp_sock *sk = establish_mss(st, ts, win, 1460, iss, NULL);
	struct pmtcp_sock_info info;

	pmtcp_sock_info(sk, &info);
	assert_int_equal(info.mss, ts ? 1460 - 12 : 1460);
	assert_int_equal(info.snd_wscale, 0);
	assert_int_equal(info.rcv_wscale, 0);
	assert_int_equal(info.tstamp_ok, ts);
	return sk;
}

/* Active close to TIME_WAIT (timestamps as @ts); returns the snd_nxt the
 * TIME_WAIT keeps (ISS + 2). */
uint32_t
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

/* A listener on port 80 and a SYN from the peer's port 40000; returns the
 * SYN_RECV child's ISS (from the SYN-ACK). */
uint32_t
to_syn_recv(struct pmtcp_stack *st)
{
	struct rte_mbuf *m;
	uint32_t iss;

	assert_int_equal(pmtcp_listen(st, 80), 0);
	g_sport = 80;
	g_dport = 40000;
	t_input_one(st, from_peer(PEER_ISN, 0, F_SYN, NULL, 0));
	m = rx_one(st);
	assert_int_equal(t_tcp(m)->tcp_flags, F_SYN | F_ACK);
	iss = seg_seq(m);
	rte_pktmbuf_free(m);
	return iss;
}

/* A stack (timestamps as @ts) with one ESTABLISHED connection. */
struct pmtcp_stack *
setup_estab(struct pmtcp_stack_conf *conf, bool ts, uint16_t win,
	    struct pmtcp_sock **sk, uint32_t *iss)
{
	struct pmtcp_stack *st = stack_with_peer(conf);

	*sk = establish(st, ts, win, iss);
	return st;
}

