/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection establishment (tcp_ipv4.c, tcp_input.c, tcp_output.c,
 * tcp_timer.c), one test per branch: the SYN we send and its option
 * layouts, connect() errors, every SYN-SENT branch of
 * tcp_rcv_synsent_state_process() (RFC 9293 section 3.10.7.3), SYN
 * retransmission with backoff, resets for segments without a socket
 * (3.10.7.1), the passive open, and two stacks talking to each other.
 *
 * The stack under test sits on t_port[0] (198.18.0.2) and has learnt the
 * peer 198.18.0.1 (t_port[1]'s MAC) from an ARP request; what it sends is
 * read from t_port[1], segments "from the peer" are crafted.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_cycles.h>

#include "test_common.h"
#include "tcp.h"   /* pmtcp_tcp_select_initial_window() */

#define ST_IP T_IP(198, 18, 0, 2)
#define PEER_IP T_IP(198, 18, 0, 1)
#define PEER_PORT 80
#define PEER_ISN 0x50000000U
/*
 * The SYN window for the default tcp_rmem (87380) and MTU 1500, as Linux
 * 4.17 sends it: tcp_full_space 43690 rounded down to 29 MSS of 1460, then
 * clamped to tcp_default_init_rwnd() = 20 MSS, i.e. 29200. Every window
 * below is also cross-checked against the function itself.
 */
#define SYN_WIN_DEFAULT 29200U

#define BURST 64

/* What the callbacks saw. */
struct cb_log {
	unsigned int connected, accepted, failed, closed;
	int last_err;
	struct pmtcp_sock *last_sk;
	bool abort_on_connect;   /* pmtcp_abort() from the connected callback */
};

static struct cb_log cbl;

static void
cb_connected(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	struct cb_log *l = arg;

	l->connected++;
	l->last_sk = sk;
	if (l->abort_on_connect)
		pmtcp_abort(st, sk);
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

/* Defaults, a 1024-entry table and the callbacks logging into @log. */
static void
conf_default(struct pmtcp_stack_conf *conf, struct cb_log *log)
{
	pmtcp_stack_conf_init(conf);
	conf->max_conns = 1024;
	conf->cb.connected = cb_connected;
	conf->cb.accepted = cb_accepted;
	conf->cb.failed = cb_failed;
	conf->cb.closed = cb_closed;
	conf->cb.arg = log;
	memset(log, 0, sizeof(*log));
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

/* Poll and read what the stack sent: exactly @want frames, all with good
 * checksums, sent by us to the peer. */
static uint16_t
poll_rx_n(struct pmtcp_stack *st, struct rte_mbuf **pkts, uint16_t want)
{
	struct rte_ether_addr our_mac, peer_mac;
	uint16_t n;

	t_mac(0, &our_mac);
	t_mac(1, &peer_mac);
	pmtcp_stack_poll(st, rte_rdtsc());
	n = t_rx(1, pkts, BURST);
	assert_int_equal(n, want);
	for (uint16_t i = 0; i < n; i++) {
		const struct rte_ether_hdr *eh =
			rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *);

		assert_int_equal(eh->ether_type, RTE_BE16(RTE_ETHER_TYPE_IPV4));
		assert_memory_equal(&eh->dst_addr, &peer_mac, RTE_ETHER_ADDR_LEN);
		assert_memory_equal(&eh->src_addr, &our_mac, RTE_ETHER_ADDR_LEN);
		assert_true(t_csum_ok(pkts[i]));
		assert_int_equal(t_ip(pkts[i])->src_addr, ST_IP);
		assert_int_equal(t_ip(pkts[i])->dst_addr, PEER_IP);
	}
	return n;
}

/* Poll and return the one frame the stack sent. */
static struct rte_mbuf *
rx_one(struct pmtcp_stack *st)
{
	struct rte_mbuf *pkts[BURST];

	poll_rx_n(st, pkts, 1);
	return pkts[0];
}

/* Poll and check nothing was sent. */
static void
rx_none(struct pmtcp_stack *st)
{
	struct rte_mbuf *pkts[BURST];

	poll_rx_n(st, pkts, 0);
}

/* The TSval and TSecr of the timestamp option of @m (asserted present). */
static void
tcp_ts(struct rte_mbuf *m, uint32_t *tsval, uint32_t *tsecr)
{
	unsigned int len, i = 0;
	const uint8_t *p = t_tcp_opts(m, &len);

	while (i < len && p[i] != 8) {
		if (p[i] == 0)
			break;
		i += p[i] == 1 ? 1 : p[i + 1];
	}
	assert_true(i + 10 <= len && p[i] == 8 && p[i + 1] == 10);
	*tsval = t_get_be32(p + i + 2);
	*tsecr = t_get_be32(p + i + 6);
}

/* A segment from the peer (198.18.0.1:@sport) to us (:@dport). */
static struct rte_mbuf *
peer_seg(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
	 uint8_t flags, uint16_t win, const uint8_t *opts, uint8_t optlen)
{
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
	return t_build_tcp(&s);
}

/* A segment from the peer's port 80 to the connection @sk. */
static struct rte_mbuf *
to_sock(const struct pmtcp_sock *sk, uint32_t seq, uint32_t ack, uint8_t flags,
	const uint8_t *opts, uint8_t optlen)
{
	struct pmtcp_sock_info info;

	pmtcp_sock_info(sk, &info);
	return peer_seg(info.dport, info.sport, seq, ack, flags, 65535, opts,
			optlen);
}

static uint8_t
sock_state(const struct pmtcp_sock *sk)
{
	struct pmtcp_sock_info info;

	pmtcp_sock_info(sk, &info);
	return info.state;
}

/* The window and scale pmtcp_tcp_select_initial_window() picks for @mss. */
static void
initial_window(const struct pmtcp_sysctl *s, uint32_t mss, bool wscale_ok,
	       uint32_t *wnd, uint8_t *ws)
{
	uint32_t clamp = 0;

	pmtcp_tcp_select_initial_window(s, mss, wnd, &clamp, wscale_ok, ws);
}

/* connect() to the peer's port 80 and take the SYN off the wire. */
static struct pmtcp_sock *
connect_syn(struct pmtcp_stack *st, struct rte_mbuf **syn)
{
	struct pmtcp_sock *sk = NULL;

	assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, 42, &sk), 0);
	assert_non_null(sk);
	*syn = rx_one(st);
	return sk;
}

/* ---- the SYN ---- */

/*
 * Check the SYN connect() sends under @tweak'ed knobs: flags, ports,
 * sequence, window, and the option bytes against @want (the 4 TSval bytes
 * at @tsval_at are the clock's and are not compared).
 */
static void
check_syn(void (*tweak)(struct pmtcp_sysctl *), uint8_t want_flags,
	  const uint8_t *want, unsigned int want_len, int tsval_at)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack_conf conf;
	struct pmtcp_sock_info info;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	struct rte_mbuf *syn;
	struct rte_tcp_hdr *th;
	struct rte_ipv4_hdr *iph;
	const uint8_t *opts;
	unsigned int optlen;
	uint32_t wnd;
	uint8_t ws;
	uint8_t got[40];

	conf_default(&conf, &cbl);
	if (tweak != NULL)
		tweak(&conf.sysctl);
	st = stack_with_peer(&conf);
	sk = connect_syn(st, &syn);
	pmtcp_sock_info(sk, &info);

	iph = t_ip(syn);
	assert_int_equal(iph->version_ihl, 0x45);
	assert_int_equal(rte_be_to_cpu_16(iph->total_length), 40 + want_len);
	assert_int_equal(iph->fragment_offset, RTE_BE16(RTE_IPV4_HDR_DF_FLAG));
	assert_int_equal(iph->time_to_live, 64);
	assert_int_equal(iph->next_proto_id, IPPROTO_TCP);
	th = t_tcp(syn);
	assert_int_equal(th->tcp_flags, want_flags);
	assert_int_equal(rte_be_to_cpu_16(th->dst_port), PEER_PORT);
	assert_int_equal(rte_be_to_cpu_16(th->src_port), info.sport);
	assert_in_range(info.sport, 32768, 60999);
	assert_int_equal(info.dport, PEER_PORT);
	assert_int_equal(info.saddr, ST_IP);
	assert_int_equal(info.daddr, PEER_IP);
	assert_int_equal(rte_be_to_cpu_32(th->sent_seq), info.iss);
	assert_int_equal(th->recv_ack, 0);
	assert_int_equal(th->tcp_urp, 0);
	assert_int_equal(th->data_off, ((20 + want_len) / 4) << 4);
	/* RFC 7323 2.2: the SYN's window is not scaled */
	initial_window(&conf.sysctl, 1460, conf.sysctl.tcp_window_scaling != 0,
		       &wnd, &ws);
	assert_int_equal(rte_be_to_cpu_16(th->rx_win), RTE_MIN(wnd, 65535U));
	assert_int_equal(info.rcv_wscale, ws);

	opts = t_tcp_opts(syn, &optlen);
	assert_int_equal(optlen, want_len);
	memcpy(got, opts, optlen);
	if (tsval_at >= 0)
		memset(got + tsval_at, 0, 4);
	assert_memory_equal(got, want, want_len);

	assert_int_equal(info.state, PMTCP_TCP_SYN_SENT);
	assert_int_equal(info.retransmits, 0);
	assert_int_equal(info.rto_ms, 1000);
	assert_int_equal(pmtcp_sock_userdata(sk), 42);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_ActiveOpens), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutSegs), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_OutRequests), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_CurrEstab), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_OutRequests), 0);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	rte_pktmbuf_free(syn);

	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
	assert_int_equal(cbl.connected + cbl.failed + cbl.closed, 0);
}

static void
test_connect_sends_syn_with_linux_options(void **state)
{
	static const uint8_t want[20] = {
		2, 4, 0x05, 0xb4,         /* MSS 1460 */
		4, 2, 8, 10,              /* SACKPERM, TS */
		0, 0, 0, 0,               /* TSval (not compared) */
		0, 0, 0, 0,               /* TSecr 0 */
		1, 3, 3, 7,               /* NOP, WS 7 */
	};
	struct pmtcp_sysctl s;
	uint32_t wnd;
	uint8_t ws;

	(void)state;
	/* tcp_rmem[2] 6291456 >> 7 fits 16 bits -> wscale 7 */
	pmtcp_sysctl_init(&s);
	initial_window(&s, 1460, true, &wnd, &ws);
	assert_int_equal(wnd, SYN_WIN_DEFAULT);
	assert_int_equal(ws, 7);
	check_syn(NULL, RTE_TCP_SYN_FLAG, want, sizeof(want), 8);
}

static void
no_ts(struct pmtcp_sysctl *s)
{
	s->tcp_timestamps = 0;
}

static void
no_sack(struct pmtcp_sysctl *s)
{
	s->tcp_sack = 0;
}

static void
no_wscale(struct pmtcp_sysctl *s)
{
	s->tcp_window_scaling = 0;
}

static void
no_ts_no_sack(struct pmtcp_sysctl *s)
{
	s->tcp_timestamps = 0;
	s->tcp_sack = 0;
}

static void
no_options(struct pmtcp_sysctl *s)
{
	s->tcp_timestamps = 0;
	s->tcp_sack = 0;
	s->tcp_window_scaling = 0;
}

static void
ecn_on(struct pmtcp_sysctl *s)
{
	s->tcp_ecn = 1;
}

static void
test_connect_syn_no_timestamps(void **state)
{
	static const uint8_t want[12] = {
		2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7,
	};

	(void)state;
	check_syn(no_ts, RTE_TCP_SYN_FLAG, want, sizeof(want), -1);
}

static void
test_connect_syn_no_sack(void **state)
{
	static const uint8_t want[20] = {
		2, 4, 0x05, 0xb4, 1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7,
	};

	(void)state;
	check_syn(no_sack, RTE_TCP_SYN_FLAG, want, sizeof(want), 8);
}

static void
test_connect_syn_no_wscale(void **state)
{
	static const uint8_t want[16] = {
		2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0,
	};

	(void)state;
	check_syn(no_wscale, RTE_TCP_SYN_FLAG, want, sizeof(want), 8);
}

static void
test_connect_syn_mss_and_wscale_only(void **state)
{
	static const uint8_t want[8] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7 };

	(void)state;
	check_syn(no_ts_no_sack, RTE_TCP_SYN_FLAG, want, sizeof(want), -1);
}

static void
test_connect_syn_mss_only(void **state)
{
	static const uint8_t want[4] = { 2, 4, 0x05, 0xb4 };

	(void)state;
	check_syn(no_options, RTE_TCP_SYN_FLAG, want, sizeof(want), -1);
}

/* tcp_ecn = 1: an ECN-setup SYN (RFC 3168 6.1.1), same options. */
static void
test_connect_syn_ecn(void **state)
{
	static const uint8_t want[20] = {
		2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7,
	};

	(void)state;
	check_syn(ecn_on, RTE_TCP_SYN_FLAG | RTE_TCP_ECE_FLAG | RTE_TCP_CWR_FLAG,
		  want, sizeof(want), 8);
}

/* ---- connect() errors ---- */

static void
test_connect_errors(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack_conf conf;
	struct pmtcp_sock_info info;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk = NULL;
	struct rte_mbuf *pkts[BURST];

	(void)state;
	conf_default(&conf, &cbl);
	st = stack_with_peer(&conf);
	assert_int_equal(pmtcp_connect(st, 0, 80, 0, NULL), -EINVAL);
	assert_int_equal(pmtcp_connect(st, PEER_IP, 0, 0, NULL), -EINVAL);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_OutNoRoutes), 0);
	assert_int_equal(pmtcp_connect(st, T_IP(224, 0, 0, 1), 80, 0, NULL),
			 -ENETUNREACH);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_OutNoRoutes), 1);
	assert_int_equal(pmtcp_connect(st, T_IP(255, 255, 255, 255), 80, 0, NULL),
			 -ENETUNREACH);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_OutNoRoutes), 2);
	/* off-subnet, no gateway */
	assert_int_equal(pmtcp_connect(st, T_IP(198, 19, 5, 5), 80, 0, NULL),
			 -ENETUNREACH);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_OutNoRoutes), 3);
	/* the subnet's broadcast */
	assert_int_equal(pmtcp_connect(st, T_IP(198, 18, 0, 255), 80, 0, NULL),
			 -ENETUNREACH);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_OutNoRoutes), 4);
	/* ourselves */
	assert_int_equal(pmtcp_connect(st, ST_IP, 80, 0, NULL), -ENETUNREACH);
	assert_int_equal(t_mib(st, PMTCP_MIB_Ip_OutNoRoutes), 5);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_ActiveOpens), 0);
	rx_none(st);
	assert_int_equal(t_rx(0, pkts, BURST), 0);
	t_stack_free(st);

	/* one ephemeral port: the second connection to the same destination
	 * has no 4-tuple left; another destination port still does */
	conf_default(&conf, &cbl);
	conf.sysctl.ip_local_port_range[0] = 40000;
	conf.sysctl.ip_local_port_range[1] = 40000;
	st = stack_with_peer(&conf);
	assert_int_equal(pmtcp_connect(st, PEER_IP, 80, 0, &sk), 0);
	pmtcp_sock_info(sk, &info);
	assert_int_equal(info.sport, 40000);
	assert_int_equal(pmtcp_connect(st, PEER_IP, 80, 0, NULL), -EADDRNOTAVAIL);
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_PortsExhausted), 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	assert_int_equal(pmtcp_connect(st, PEER_IP, 81, 0, &sk), 0);
	pmtcp_sock_info(sk, &info);
	assert_int_equal(info.sport, 40000);
	assert_int_equal(pmtcp_stack_conn_count(st), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_ActiveOpens), 2);
	poll_rx_n(st, pkts, 2);
	t_free(pkts, 2);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* ---- SYN-SENT ---- */

/* A SYN-ACK with Linux-like options moves SYN-SENT to ESTABLISHED; our ACK
 * is exact. */
static void
test_synsent_synack_establishes(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack_conf conf;
	struct pmtcp_sock_info info;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	struct rte_mbuf *syn, *m;
	struct rte_tcp_hdr *th;
	uint32_t iss, syn_tsval, syn_tsecr, tsval, tsecr, wnd;
	uint8_t opts[40], ws, n;
	const uint8_t *o;
	unsigned int optlen;

	(void)state;
	conf_default(&conf, &cbl);
	st = stack_with_peer(&conf);
	sk = connect_syn(st, &syn);
	iss = rte_be_to_cpu_32(t_tcp(syn)->sent_seq);
	tcp_ts(syn, &syn_tsval, &syn_tsecr);
	assert_int_equal(syn_tsecr, 0);
	rte_pktmbuf_free(syn);

	n = t_syn_opts(opts, 1400, true, true, 777, syn_tsval, 5);
	t_input_one(st, to_sock(sk, PEER_ISN, iss + 1,
			      RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, opts, n));
	assert_int_equal(cbl.connected, 1);
	assert_ptr_equal(cbl.last_sk, sk);
	assert_int_equal(cbl.failed + cbl.closed + cbl.accepted, 0);

	m = rx_one(st);
	th = t_tcp(m);
	assert_int_equal(th->tcp_flags, RTE_TCP_ACK_FLAG);
	assert_int_equal(rte_be_to_cpu_32(th->sent_seq), iss + 1);
	assert_int_equal(rte_be_to_cpu_32(th->recv_ack), PEER_ISN + 1);
	assert_int_equal(th->data_off, 8 << 4);
	initial_window(&conf.sysctl, 1460, true, &wnd, &ws);
	assert_int_equal(rte_be_to_cpu_16(th->rx_win), wnd >> ws);
	assert_int_equal(rte_be_to_cpu_16(th->rx_win), SYN_WIN_DEFAULT >> 7);
	o = t_tcp_opts(m, &optlen);
	assert_int_equal(optlen, 12);
	assert_int_equal(o[0], 1);
	assert_int_equal(o[1], 1);
	assert_int_equal(o[2], 8);
	assert_int_equal(o[3], 10);
	tcp_ts(m, &tsval, &tsecr);
	assert_int_equal(tsecr, 777);
	/* the same clock and offset as the SYN's */
	assert_true((int32_t)(tsval - syn_tsval) >= 0);
	assert_true(tsval - syn_tsval < 10000);
	rte_pktmbuf_free(m);

	pmtcp_sock_info(sk, &info);
	assert_int_equal(info.state, PMTCP_TCP_ESTABLISHED);
	assert_int_equal(info.mss, 1400 - 12);
	assert_int_equal(info.snd_wscale, 5);
	assert_int_equal(info.rcv_wscale, 7);
	assert_true(info.tstamp_ok);
	assert_true(info.sack_ok);
	assert_false(info.ecn_ok);
	assert_int_equal(info.iss, iss);
	assert_int_equal(info.irs, PEER_ISN);
	assert_int_equal(info.retransmits, 0);
	assert_true(info.rto_ms >= 200);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_CurrEstab), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_ActiveOpens), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutSegs), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InSegs), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_RetransSegs), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_AttemptFails), 0);

	/* abort: RST|ACK from snd_nxt, counted as an established reset */
	pmtcp_abort(st, sk);
	m = rx_one(st);
	th = t_tcp(m);
	assert_int_equal(th->tcp_flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(rte_be_to_cpu_32(th->sent_seq), iss + 1);
	assert_int_equal(rte_be_to_cpu_32(th->recv_ack), PEER_ISN + 1);
	rte_pktmbuf_free(m);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_CurrEstab), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_EstabResets), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutRsts), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPAbortOnData), 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	assert_int_equal(cbl.closed, 0);   /* not called for pmtcp_abort() */

	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* SYN-ACKs with fewer options: no WS (both scales 0, the ACK's window
 * unscaled), no MSS (536), no options at all (no TS on the ACK). */
static void
test_synsent_no_wscale_in_synack(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack_conf conf;
	struct pmtcp_sock_info info;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	struct rte_mbuf *syn, *m;
	struct rte_tcp_hdr *th;
	uint32_t iss, syn_tsval, tsecr, tsval, wnd;
	uint8_t opts[40], ws, n;

	(void)state;
	conf_default(&conf, &cbl);
	st = stack_with_peer(&conf);
	initial_window(&conf.sysctl, 1460, true, &wnd, &ws);

	/* 1: MSS 1400 + SACKPERM + TS, no WS */
	sk = connect_syn(st, &syn);
	iss = rte_be_to_cpu_32(t_tcp(syn)->sent_seq);
	tcp_ts(syn, &syn_tsval, &tsecr);
	rte_pktmbuf_free(syn);
	n = t_syn_opts(opts, 1400, true, true, 1000, syn_tsval, -1);
	t_input_one(st, to_sock(sk, PEER_ISN, iss + 1,
			      RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, opts, n));
	m = rx_one(st);
	th = t_tcp(m);
	assert_int_equal(th->tcp_flags, RTE_TCP_ACK_FLAG);
	assert_int_equal(rte_be_to_cpu_16(th->rx_win), RTE_MIN(wnd, 65535U));
	assert_int_equal(rte_be_to_cpu_16(th->rx_win), SYN_WIN_DEFAULT);
	tcp_ts(m, &tsval, &tsecr);
	assert_int_equal(tsecr, 1000);
	rte_pktmbuf_free(m);
	pmtcp_sock_info(sk, &info);
	assert_int_equal(info.state, PMTCP_TCP_ESTABLISHED);
	assert_int_equal(info.snd_wscale, 0);
	assert_int_equal(info.rcv_wscale, 0);
	assert_int_equal(info.mss, 1388);
	assert_true(info.tstamp_ok);
	assert_true(info.sack_ok);

	/* 2: SACKPERM + TS + WS, no MSS: 536 - 12 */
	sk = connect_syn(st, &syn);
	iss = rte_be_to_cpu_32(t_tcp(syn)->sent_seq);
	tcp_ts(syn, &syn_tsval, &tsecr);
	rte_pktmbuf_free(syn);
	n = t_syn_opts(opts, 0, true, true, 2000, syn_tsval, 2);
	t_input_one(st, to_sock(sk, PEER_ISN, iss + 1,
			      RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, opts, n));
	m = rx_one(st);
	th = t_tcp(m);
	assert_int_equal(rte_be_to_cpu_16(th->rx_win), wnd >> ws);
	rte_pktmbuf_free(m);
	pmtcp_sock_info(sk, &info);
	assert_int_equal(info.state, PMTCP_TCP_ESTABLISHED);
	assert_int_equal(info.mss, 536 - 12);
	assert_int_equal(info.snd_wscale, 2);
	assert_int_equal(info.rcv_wscale, 7);

	/* 3: no options at all: 536, no TS, no SACK, no scaling */
	sk = connect_syn(st, &syn);
	iss = rte_be_to_cpu_32(t_tcp(syn)->sent_seq);
	rte_pktmbuf_free(syn);
	t_input_one(st, to_sock(sk, PEER_ISN, iss + 1,
			      RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, NULL, 0));
	m = rx_one(st);
	th = t_tcp(m);
	assert_int_equal(th->tcp_flags, RTE_TCP_ACK_FLAG);
	assert_int_equal(th->data_off, 5 << 4);
	assert_int_equal(rte_be_to_cpu_16(th->rx_win), SYN_WIN_DEFAULT);
	assert_int_equal(rte_be_to_cpu_32(th->recv_ack), PEER_ISN + 1);
	rte_pktmbuf_free(m);
	pmtcp_sock_info(sk, &info);
	assert_int_equal(info.state, PMTCP_TCP_ESTABLISHED);
	assert_int_equal(info.mss, 536);
	assert_false(info.tstamp_ok);
	assert_false(info.sack_ok);
	assert_int_equal(info.snd_wscale, 0);
	assert_int_equal(info.rcv_wscale, 0);

	assert_int_equal(cbl.connected, 3);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_CurrEstab), 3);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* "If SEG.ACK =< ISS, or SEG.ACK > SND.NXT, send a reset (unless the RST
 * bit is set, if so drop the segment and return) <SEQ=SEG.ACK><CTL=RST>" */
static void
test_synsent_bad_ack_sends_rst(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	struct rte_mbuf *syn, *m;
	struct rte_tcp_hdr *th;
	uint32_t iss, syn_tsval, tsecr;
	uint8_t opts[40], n;
	const uint32_t bad[3] = { 0, 2, 0x80000000U };  /* iss + these */
	struct pmtcp_sock_info info;

	(void)state;
	conf_default(&conf, &cbl);
	st = stack_with_peer(&conf);
	sk = connect_syn(st, &syn);
	pmtcp_sock_info(sk, &info);
	iss = rte_be_to_cpu_32(t_tcp(syn)->sent_seq);
	tcp_ts(syn, &syn_tsval, &tsecr);
	rte_pktmbuf_free(syn);
	n = t_syn_opts(opts, 1460, true, true, 5, syn_tsval, 7);

	for (unsigned int i = 0; i < 3; i++) {
		t_input_one(st, to_sock(sk, PEER_ISN, iss + bad[i],
				      RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
				      opts, n));
		m = rx_one(st);
		th = t_tcp(m);
		assert_int_equal(th->tcp_flags, RTE_TCP_RST_FLAG);
		assert_int_equal(rte_be_to_cpu_32(th->sent_seq), iss + bad[i]);
		assert_int_equal(th->recv_ack, 0);
		assert_int_equal(th->data_off, 5 << 4);
		assert_int_equal(rte_be_to_cpu_16(th->src_port), info.sport);
		assert_int_equal(rte_be_to_cpu_16(th->dst_port), PEER_PORT);
		rte_pktmbuf_free(m);
		assert_int_equal(sock_state(sk), PMTCP_TCP_SYN_SENT);
		assert_int_equal(t_drop(st, PMTCP_DROP_TCP_BAD_ACK), i + 1);
		assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutRsts), i + 1);
	}
	/* an unacceptable ACK on a RST: dropped without an answer */
	t_input_one(st, to_sock(sk, PEER_ISN, iss,
			      RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, NULL, 0));
	rx_none(st);
	assert_int_equal(t_drop(st, PMTCP_DROP_TCP_BAD_ACK), 4);
	assert_int_equal(sock_state(sk), PMTCP_TCP_SYN_SENT);
	assert_int_equal(cbl.connected + cbl.failed, 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_CurrEstab), 0);

	/* the connection is intact: the right SYN-ACK still establishes it */
	t_input_one(st, to_sock(sk, PEER_ISN, iss + 1,
			      RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, opts, n));
	m = rx_one(st);
	assert_int_equal(t_tcp(m)->tcp_flags, RTE_TCP_ACK_FLAG);
	rte_pktmbuf_free(m);
	assert_int_equal(sock_state(sk), PMTCP_TCP_ESTABLISHED);
	assert_int_equal(cbl.connected, 1);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/*
 * PAWS in SYN-SENT (Linux tcp_rcv_synsent_state_process): an echoed
 * TSecr outside [TSval of our first SYN, now] is a stale or forged
 * SYN-ACK: reset it, count PAWSActiveRejected, stay in SYN-SENT.
 */
static void
test_synsent_paws_rejects(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	struct rte_mbuf *syn, *m;
	struct rte_tcp_hdr *th;
	uint32_t iss, syn_tsval, tsecr;
	uint8_t opts[40], n;
	/* echoes before the first SYN and far in the future */
	const int32_t off[3] = { -1000, -1, 100000 };

	(void)state;
	conf_default(&conf, &cbl);
	st = stack_with_peer(&conf);
	sk = connect_syn(st, &syn);
	iss = rte_be_to_cpu_32(t_tcp(syn)->sent_seq);
	tcp_ts(syn, &syn_tsval, &tsecr);
	rte_pktmbuf_free(syn);

	for (unsigned int i = 0; i < 3; i++) {
		n = t_syn_opts(opts, 1460, true, true, 5,
			     syn_tsval + (uint32_t)off[i], 7);
		t_input_one(st, to_sock(sk, PEER_ISN, iss + 1,
				      RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
				      opts, n));
		m = rx_one(st);
		th = t_tcp(m);
		assert_int_equal(th->tcp_flags, RTE_TCP_RST_FLAG);
		assert_int_equal(rte_be_to_cpu_32(th->sent_seq), iss + 1);
		rte_pktmbuf_free(m);
		assert_int_equal(sock_state(sk), PMTCP_TCP_SYN_SENT);
		assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_PAWSActiveRejected),
				 i + 1);
		assert_int_equal(t_drop(st, PMTCP_DROP_TCP_PAWS), i + 1);
	}
	assert_int_equal(cbl.connected + cbl.failed, 0);

	/* an echo of exactly our SYN's TSval passes */
	n = t_syn_opts(opts, 1460, true, true, 5, syn_tsval, 7);
	t_input_one(st, to_sock(sk, PEER_ISN, iss + 1,
			      RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, opts, n));
	m = rx_one(st);
	assert_int_equal(t_tcp(m)->tcp_flags, RTE_TCP_ACK_FLAG);
	rte_pktmbuf_free(m);
	assert_int_equal(sock_state(sk), PMTCP_TCP_ESTABLISHED);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_PAWSActiveRejected), 3);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* After a SYN retransmission the peer echoes the latest SYN's TSval,
 * which lies after the first one: that is inside the PAWS window. */
static void
test_synsent_paws_accepts_later_echo(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	struct rte_mbuf *syn, *m, *pkts[BURST];
	uint32_t iss, tsval1, tsval2 = 0, tsecr;
	uint64_t hz = rte_get_tsc_hz(), start;
	uint8_t opts[40], n;
	uint16_t k;

	(void)state;
	conf_default(&conf, &cbl);
	conf.sysctl.tcp_rto_initial_ms = 5;
	st = stack_with_peer(&conf);
	sk = connect_syn(st, &syn);
	iss = rte_be_to_cpu_32(t_tcp(syn)->sent_seq);
	tcp_ts(syn, &tsval1, &tsecr);
	rte_pktmbuf_free(syn);
	/* wait for the retransmitted SYN */
	start = rte_rdtsc();
	for (k = 0; k == 0 && rte_rdtsc() - start < hz / 5;) {
		pmtcp_stack_poll(st, rte_rdtsc());
		k = t_rx(1, pkts, BURST);
	}
	/* one, or more when this loop was descheduled: echo the latest */
	assert_true(k >= 1);
	for (uint16_t i = 0; i < k; i++) {
		assert_int_equal(t_tcp(pkts[i])->tcp_flags, RTE_TCP_SYN_FLAG);
		assert_int_equal(rte_be_to_cpu_32(t_tcp(pkts[i])->sent_seq), iss);
		tcp_ts(pkts[i], &tsval2, &tsecr);
	}
	t_free(pkts, k);
	assert_true((int32_t)(tsval2 - tsval1) >= 4);

	n = t_syn_opts(opts, 1460, true, true, 5, tsval2, 7);
	t_input_one(st, to_sock(sk, PEER_ISN, iss + 1,
			      RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, opts, n));
	m = rx_one(st);
	assert_int_equal(t_tcp(m)->tcp_flags, RTE_TCP_ACK_FLAG);
	rte_pktmbuf_free(m);
	assert_int_equal(sock_state(sk), PMTCP_TCP_ESTABLISHED);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_PAWSActiveRejected), 0);
	assert_int_equal(cbl.connected, 1);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* "If the RST bit is set [and the ACK acceptable] ... signal the user
 * 'error: connection reset', drop the segment, enter CLOSED" */
static void
test_synsent_rst_ack_refused(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	struct rte_mbuf *syn;
	uint32_t iss;

	(void)state;
	conf_default(&conf, &cbl);
	st = stack_with_peer(&conf);
	sk = connect_syn(st, &syn);
	iss = rte_be_to_cpu_32(t_tcp(syn)->sent_seq);
	rte_pktmbuf_free(syn);

	t_input_one(st, to_sock(sk, 0, iss + 1, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG,
			      NULL, 0));
	assert_int_equal(cbl.failed, 1);
	assert_int_equal(cbl.last_err, -ECONNREFUSED);
	assert_ptr_equal(cbl.last_sk, sk);
	assert_int_equal(cbl.connected + cbl.closed, 0);
	rx_none(st);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_AttemptFails), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_EstabResets), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutRsts), 0);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	/* the timer went with it: nothing is retransmitted later */
	rte_delay_ms(2);
	rx_none(st);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* "If the SYN bit is off [with an acceptable ACK] ... drop the segment" */
static void
test_synsent_ack_without_syn_dropped(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	struct rte_mbuf *syn;
	uint32_t iss;

	(void)state;
	conf_default(&conf, &cbl);
	st = stack_with_peer(&conf);
	sk = connect_syn(st, &syn);
	iss = rte_be_to_cpu_32(t_tcp(syn)->sent_seq);
	rte_pktmbuf_free(syn);

	t_input_one(st, to_sock(sk, PEER_ISN, iss + 1, RTE_TCP_ACK_FLAG, NULL, 0));
	rx_none(st);
	assert_int_equal(sock_state(sk), PMTCP_TCP_SYN_SENT);
	assert_int_equal(t_drop(st, PMTCP_DROP_TCP_STATE), 1);
	assert_int_equal(cbl.connected + cbl.failed, 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_CurrEstab), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutRsts), 0);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* "If the RST bit is set [without ACK] ... drop the segment and return" */
static void
test_synsent_rst_without_ack_dropped(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	struct rte_mbuf *syn;

	(void)state;
	conf_default(&conf, &cbl);
	st = stack_with_peer(&conf);
	sk = connect_syn(st, &syn);
	rte_pktmbuf_free(syn);

	t_input_one(st, to_sock(sk, PEER_ISN, 0, RTE_TCP_RST_FLAG, NULL, 0));
	/* a RST|SYN without ACK is no better */
	t_input_one(st, to_sock(sk, PEER_ISN, 0, RTE_TCP_RST_FLAG | RTE_TCP_SYN_FLAG,
			      NULL, 0));
	rx_none(st);
	assert_int_equal(sock_state(sk), PMTCP_TCP_SYN_SENT);
	assert_int_equal(t_drop(st, PMTCP_DROP_TCP_STATE), 2);
	assert_int_equal(cbl.failed + cbl.connected, 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_AttemptFails), 0);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* Simultaneous open: a bare SYN in SYN-SENT -> SYN-RECV and a SYN-ACK with
 * our ISN; the peer's ACK completes it (connected, not accepted). */
static void
test_synsent_simultaneous_open(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack_conf conf;
	struct pmtcp_sock_info info;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	struct rte_mbuf *syn, *m;
	struct rte_tcp_hdr *th;
	uint32_t iss, syn_tsval, tsval, tsecr, wnd;
	uint8_t opts[40], ws, n, got[20];
	const uint8_t *o;
	unsigned int optlen;

	(void)state;
	conf_default(&conf, &cbl);
	st = stack_with_peer(&conf);
	sk = connect_syn(st, &syn);
	iss = rte_be_to_cpu_32(t_tcp(syn)->sent_seq);
	tcp_ts(syn, &syn_tsval, &tsecr);
	rte_pktmbuf_free(syn);

	n = t_syn_opts(opts, 1460, true, true, 555, 0, 6);
	t_input_one(st, to_sock(sk, PEER_ISN, 0, RTE_TCP_SYN_FLAG, opts, n));
	m = rx_one(st);
	th = t_tcp(m);
	assert_int_equal(th->tcp_flags, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(rte_be_to_cpu_32(th->sent_seq), iss);
	assert_int_equal(rte_be_to_cpu_32(th->recv_ack), PEER_ISN + 1);
	initial_window(&conf.sysctl, 1460, true, &wnd, &ws);
	assert_int_equal(rte_be_to_cpu_16(th->rx_win), RTE_MIN(wnd, 65535U));
	o = t_tcp_opts(m, &optlen);
	assert_int_equal(optlen, 20);
	memcpy(got, o, 20);
	tcp_ts(m, &tsval, &tsecr);
	assert_int_equal(tsecr, 555);
	assert_true((int32_t)(tsval - syn_tsval) >= 0);
	n = t_syn_opts(opts, 1460, true, true, tsval, 555, ws);
	assert_int_equal(n, 20);
	assert_memory_equal(got, opts, 20);
	rte_pktmbuf_free(m);
	pmtcp_sock_info(sk, &info);
	assert_int_equal(info.state, PMTCP_TCP_SYN_RECV);
	assert_int_equal(info.irs, PEER_ISN);
	assert_int_equal(info.snd_wscale, 6);
	assert_int_equal(cbl.connected, 0);

	/* the peer's ACK of our SYN-ACK */
	n = t_ts_opts(opts, 556, tsval);
	t_input_one(st, to_sock(sk, PEER_ISN + 1, iss + 1, RTE_TCP_ACK_FLAG, opts, n));
	rx_none(st);
	pmtcp_sock_info(sk, &info);
	assert_int_equal(info.state, PMTCP_TCP_ESTABLISHED);
	assert_int_equal(info.mss, 1448);
	assert_int_equal(cbl.connected, 1);
	assert_int_equal(cbl.accepted, 0);
	assert_ptr_equal(cbl.last_sk, sk);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_CurrEstab), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_PassiveOpens), 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_ActiveOpens), 1);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* ---- SYN retransmission ---- */

/*
 * RTO 10 ms, tcp_syn_retries 2: SYN at 0, again at >= 10 ms, again
 * >= 20 ms later (RFC 6298 5.5 backoff), then ETIMEDOUT >= 40 ms later.
 * Real time: polled with rte_rdtsc() in a loop for up to 200 ms.
 */
static void
test_syn_retransmit_backoff(void **state)
{
	unsigned int avail = t_pool_avail();
	uint64_t hz = rte_get_tsc_hz(), start, now, prev, at[8];
	uint64_t failed_at = 0, tick, max_poll_gap = 0;
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk = NULL;
	struct rte_mbuf *pkts[BURST];
	uint32_t seq[8];
	unsigned int nsyn = 0;

	(void)state;
	conf_default(&conf, &cbl);
	conf.sysctl.tcp_rto_initial_ms = 10;
	conf.sysctl.tcp_syn_retries = 2;
	st = stack_with_peer(&conf);
	assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, 0, &sk), 0);
	start = prev = rte_rdtsc();
	do {
		uint16_t n;

		now = rte_rdtsc();
		max_poll_gap = RTE_MAX(max_poll_gap, now - prev);
		prev = now;
		pmtcp_stack_poll(st, now);
		n = t_rx(1, pkts, BURST);
		for (uint16_t i = 0; i < n; i++) {
			assert_true(nsyn < 8);
			assert_true(t_csum_ok(pkts[i]));
			assert_int_equal(t_tcp(pkts[i])->tcp_flags, RTE_TCP_SYN_FLAG);
			seq[nsyn] = rte_be_to_cpu_32(t_tcp(pkts[i])->sent_seq);
			at[nsyn++] = now;
		}
		t_free(pkts, n);
		if (cbl.failed != 0 && failed_at == 0)
			failed_at = now;
	} while (now - start < hz / 5 && cbl.failed == 0);

	assert_int_equal(nsyn, 3);
	assert_int_equal(seq[1], seq[0]);
	assert_int_equal(seq[2], seq[0]);
	assert_int_equal(cbl.failed, 1);
	assert_int_equal(cbl.last_err, -ETIMEDOUT);
	assert_int_equal(cbl.connected, 0);
	/*
	 * Lower bounds only: a loaded machine may be late, never early.
	 * The wheel arms a timer from its last processed tick (the start of
	 * the current tick), not from the TSC, so a timer may fire up to one
	 * tick (timer_tick_us) before its RTO has fully elapsed, as Linux's
	 * jiffies-based timers do: allow that one tick.
	 */
	tick = hz / 1000000 * conf.timer_tick_us;
	/* from the first SYN: 10, 10 + 20, 10 + 20 + 40 ms */
	assert_true((at[1] - at[0] + tick) * 1000 >= 10 * hz);
	assert_true((at[2] - at[0] + tick) * 1000 >= 30 * hz);
	assert_true((failed_at - at[0] + tick) * 1000 >= 70 * hz);
	/*
	 * Each gap on its own holds only when this loop polled on time: a
	 * retransmission sent late re-arms from the tick it was due, not from
	 * when it left (see test_syn_retransmit_late_poll), so the next gap
	 * shrinks by the delay. Checked when no poll came a tick late.
	 */
	if (max_poll_gap < tick) {
		assert_true((at[1] - at[0] + tick) * 1000 >= 10 * hz);
		assert_true((at[2] - at[1] + tick) * 1000 >= 20 * hz);
		assert_true((failed_at - at[2] + tick) * 1000 >= 40 * hz);
	}

	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPTimeouts), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_RetransSegs), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPSynRetrans), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_AttemptFails), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPAbortOnTimeout), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutSegs), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_ActiveOpens), 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* Poll at @base + @ms (a synthetic clock) and count the SYNs sent. */
static unsigned int
poll_at_count_syns(struct pmtcp_stack *st, uint64_t base, uint32_t ms,
		   uint32_t iss)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n;

	pmtcp_stack_poll(st, base + rte_get_tsc_hz() / 1000 * ms);
	n = t_rx(1, pkts, BURST);
	for (uint16_t i = 0; i < n; i++) {
		assert_int_equal(t_tcp(pkts[i])->tcp_flags, RTE_TCP_SYN_FLAG);
		assert_int_equal(rte_be_to_cpu_32(t_tcp(pkts[i])->sent_seq), iss);
	}
	t_free(pkts, n);
	return n;
}

/*
 * RFC 6298 5.6: after a retransmission "start the retransmission timer,
 * such that it expires after RTO seconds" - from when it is sent. The
 * poll that fires the first retransmission (due at 10 ms) comes 15 ms
 * late, at 25 ms: the next one is due 20 ms after that (45 ms, less one
 * tick), not at 30 ms. The clock is synthetic (pmtcp_stack_poll()'s
 * now_tsc), so the test does not depend on the machine's load.
 */
static void
test_syn_retransmit_late_poll(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack_conf conf;
	struct pmtcp_sock_info info;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk = NULL;
	uint64_t base;

	(void)state;
	conf_default(&conf, &cbl);
	conf.sysctl.tcp_rto_initial_ms = 10;
	conf.sysctl.tcp_syn_retries = 2;
	st = stack_with_peer(&conf);
	base = rte_rdtsc();
	pmtcp_stack_poll(st, base);
	assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, 0, &sk), 0);
	pmtcp_sock_info(sk, &info);
	assert_int_equal(poll_at_count_syns(st, base, 0, info.iss), 1);
	assert_int_equal(poll_at_count_syns(st, base, 8, info.iss), 0);
	/* 15 ms late: the first retransmission leaves at 25 ms */
	assert_int_equal(poll_at_count_syns(st, base, 25, info.iss), 1);
	pmtcp_sock_info(sk, &info);
	assert_int_equal(info.retransmits, 1);
	assert_int_equal(info.rto_ms, 20);
	/* 15 ms after it: too early for the second */
	assert_int_equal(poll_at_count_syns(st, base, 40, info.iss), 0);
	assert_int_equal(poll_at_count_syns(st, base, 47, info.iss), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_RetransSegs), 2);
	/* RTO 40 ms from 47: no timeout at 80, ETIMEDOUT by 90 */
	assert_int_equal(poll_at_count_syns(st, base, 80, info.iss), 0);
	assert_int_equal(cbl.failed, 0);
	assert_int_equal(poll_at_count_syns(st, base, 90, info.iss), 0);
	assert_int_equal(cbl.failed, 1);
	assert_int_equal(cbl.last_err, -ETIMEDOUT);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* ---- no socket (RFC 9293 3.10.7.1) ---- */

static void
test_no_socket_rst_rules(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct rte_mbuf *m;
	struct rte_tcp_hdr *th;
	struct t_seg s;

	(void)state;
	conf_default(&conf, &cbl);
	st = stack_with_peer(&conf);

	/* "If the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>" */
	t_input_one(st, peer_seg(5555, 81, 100, 0xcafe0001U,
			       RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 1000, NULL, 0));
	m = rx_one(st);
	th = t_tcp(m);
	assert_int_equal(th->tcp_flags, RTE_TCP_RST_FLAG);
	assert_int_equal(rte_be_to_cpu_32(th->sent_seq), 0xcafe0001U);
	assert_int_equal(th->recv_ack, 0);
	assert_int_equal(rte_be_to_cpu_16(th->src_port), 81);
	assert_int_equal(rte_be_to_cpu_16(th->dst_port), 5555);
	assert_int_equal(th->rx_win, 0);
	assert_int_equal(th->data_off, 5 << 4);
	assert_int_equal(rte_be_to_cpu_16(t_ip(m)->total_length), 40);
	rte_pktmbuf_free(m);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutRsts), 1);

	/* "If the ACK bit is off, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>" */
	t_input_one(st, peer_seg(5556, 81, 0xfffffffeU, 0, RTE_TCP_SYN_FLAG, 1000,
			       NULL, 0));
	m = rx_one(st);
	th = t_tcp(m);
	assert_int_equal(th->tcp_flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(th->sent_seq, 0);
	assert_int_equal(rte_be_to_cpu_32(th->recv_ack), 0xffffffffU);
	rte_pktmbuf_free(m);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutRsts), 2);

	/* SEG.LEN counts data, SYN and FIN (and wraps) */
	memset(&s, 0, sizeof(s));
	t_mac(1, &s.src_mac);
	t_mac(0, &s.dst_mac);
	s.saddr = PEER_IP;
	s.daddr = ST_IP;
	s.sport = 5557;
	s.dport = 81;
	s.seq = 0xfffffff0U;
	s.flags = RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG;
	s.payload = 100;
	t_input_one(st, t_build_tcp(&s));
	m = rx_one(st);
	th = t_tcp(m);
	assert_int_equal(th->tcp_flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(rte_be_to_cpu_32(th->recv_ack), 0xfffffff0U + 102);
	rte_pktmbuf_free(m);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutRsts), 3);

	/* "If the RST bit is on, discard the segment and return" */
	t_input_one(st, peer_seg(5558, 81, 100, 0, RTE_TCP_RST_FLAG, 0, NULL, 0));
	t_input_one(st, peer_seg(5559, 81, 100, 7,
			       RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, 0, NULL, 0));
	rx_none(st);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutRsts), 3);
	assert_int_equal(t_drop(st, PMTCP_DROP_TCP_NO_SOCKET), 5);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_InSegs), 5);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_OutSegs), 3);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* ---- LISTEN ---- */

static void
test_listen_passive_open(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack_conf conf;
	struct pmtcp_sock_info info;
	struct pmtcp_stack *st;
	struct rte_mbuf *m;
	struct rte_tcp_hdr *th;
	uint32_t iss, tsval, tsecr, wnd;
	uint8_t opts[40], want[40], got[40], ws, n;
	const uint8_t *o;
	unsigned int optlen;

	(void)state;
	conf_default(&conf, &cbl);
	st = stack_with_peer(&conf);
	assert_int_equal(pmtcp_listen(st, 80), 0);
	assert_int_equal(pmtcp_listen(st, 80), -EADDRINUSE);
	assert_int_equal(pmtcp_listen(st, 0), -EINVAL);

	/* a Linux SYN */
	n = t_syn_opts(opts, 1460, true, true, 1000, 0, 7);
	t_input_one(st, peer_seg(33000, 80, PEER_ISN, 0, RTE_TCP_SYN_FLAG, 64240,
			       opts, n));
	m = rx_one(st);
	th = t_tcp(m);
	assert_int_equal(th->tcp_flags, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(rte_be_to_cpu_32(th->recv_ack), PEER_ISN + 1);
	assert_int_equal(rte_be_to_cpu_16(th->src_port), 80);
	assert_int_equal(rte_be_to_cpu_16(th->dst_port), 33000);
	iss = rte_be_to_cpu_32(th->sent_seq);
	/* tcp_openreq_init_rwin(): the MSS less the timestamp option */
	initial_window(&conf.sysctl, 1460 - 12, true, &wnd, &ws);
	assert_int_equal(ws, 7);
	assert_int_equal(rte_be_to_cpu_16(th->rx_win), RTE_MIN(wnd, 65535U));
	o = t_tcp_opts(m, &optlen);
	assert_int_equal(optlen, 20);
	memcpy(got, o, optlen);
	tcp_ts(m, &tsval, &tsecr);
	assert_int_equal(tsecr, 1000);
	assert_int_equal(t_syn_opts(want, 1460, true, true, tsval, 1000, 7), 20);
	assert_memory_equal(got, want, 20);
	rte_pktmbuf_free(m);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_PassiveOpens), 0);
	assert_int_equal(cbl.accepted, 0);

	/* the SYN again: the same SYN-ACK again */
	t_input_one(st, peer_seg(33000, 80, PEER_ISN, 0, RTE_TCP_SYN_FLAG, 64240,
			       opts, n));
	m = rx_one(st);
	th = t_tcp(m);
	assert_int_equal(th->tcp_flags, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(rte_be_to_cpu_32(th->sent_seq), iss);
	assert_int_equal(rte_be_to_cpu_32(th->recv_ack), PEER_ISN + 1);
	rte_pktmbuf_free(m);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_RetransSegs), 1);

	/* the third step */
	n = t_ts_opts(opts, 1001, tsval);
	t_input_one(st, peer_seg(33000, 80, PEER_ISN + 1, iss + 1, RTE_TCP_ACK_FLAG,
			       502, opts, n));
	rx_none(st);
	assert_int_equal(cbl.accepted, 1);
	assert_int_equal(cbl.connected, 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_PassiveOpens), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_CurrEstab), 1);
	pmtcp_sock_info(cbl.last_sk, &info);
	assert_int_equal(info.state, PMTCP_TCP_ESTABLISHED);
	assert_int_equal(info.sport, 80);
	assert_int_equal(info.dport, 33000);
	assert_int_equal(info.iss, iss);
	assert_int_equal(info.irs, PEER_ISN);
	assert_int_equal(info.mss, 1448);
	assert_int_equal(info.snd_wscale, 7);
	assert_int_equal(info.rcv_wscale, 7);
	assert_true(info.tstamp_ok);
	assert_true(info.sack_ok);
	assert_int_equal(pmtcp_sock_userdata(cbl.last_sk), 0);

	/* an ACK to the listener that matches no connection: RST */
	t_input_one(st, peer_seg(33001, 80, 7, 0x12345678U, RTE_TCP_ACK_FLAG, 502,
			       NULL, 0));
	m = rx_one(st);
	th = t_tcp(m);
	assert_int_equal(th->tcp_flags, RTE_TCP_RST_FLAG);
	assert_int_equal(rte_be_to_cpu_32(th->sent_seq), 0x12345678U);
	assert_int_equal(rte_be_to_cpu_16(th->dst_port), 33001);
	rte_pktmbuf_free(m);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);

	/* unlisten: the port is closed again */
	assert_int_equal(pmtcp_unlisten(st, 80), 0);
	assert_int_equal(pmtcp_unlisten(st, 80), -ENOENT);
	t_input_one(st, peer_seg(33002, 80, 999, 0, RTE_TCP_SYN_FLAG, 64240,
			       NULL, 0));
	m = rx_one(st);
	th = t_tcp(m);
	assert_int_equal(th->tcp_flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(rte_be_to_cpu_32(th->recv_ack), 1000);
	rte_pktmbuf_free(m);
	/* the established child survives its listener */
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	assert_int_equal(pmtcp_listen(st, 80), 0);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* An ECN-setup SYN (ECE|CWR) gets an ECN-setup SYN-ACK (ECE) with the
 * default tcp_ecn = 2; a SYN without options gets the short SYN-ACK. */
static void
test_listen_ecn_and_bare_syn(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct rte_mbuf *m;
	struct rte_tcp_hdr *th;
	uint32_t wnd;
	uint8_t ws;
	const uint8_t *o;
	unsigned int optlen;
	static const uint8_t mss_only[4] = { 2, 4, 0x05, 0xb4 };

	(void)state;
	conf_default(&conf, &cbl);
	st = stack_with_peer(&conf);
	assert_int_equal(pmtcp_listen(st, 80), 0);
	t_input_one(st, peer_seg(33000, 80, PEER_ISN, 0,
			       RTE_TCP_SYN_FLAG | RTE_TCP_ECE_FLAG | RTE_TCP_CWR_FLAG,
			       64240, NULL, 0));
	m = rx_one(st);
	th = t_tcp(m);
	assert_int_equal(th->tcp_flags,
			 RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_ECE_FLAG);
	/* no TS, SACK or WS offered: MSS alone, unscaled window */
	o = t_tcp_opts(m, &optlen);
	assert_int_equal(optlen, 4);
	assert_memory_equal(o, mss_only, 4);
	initial_window(&conf.sysctl, 1460, false, &wnd, &ws);
	assert_int_equal(rte_be_to_cpu_16(th->rx_win), RTE_MIN(wnd, 65535U));
	rte_pktmbuf_free(m);

	/* ECE alone is not an ECN-setup SYN */
	t_input_one(st, peer_seg(33001, 80, PEER_ISN, 0,
			       RTE_TCP_SYN_FLAG | RTE_TCP_ECE_FLAG, 64240, NULL, 0));
	m = rx_one(st);
	assert_int_equal(t_tcp(m)->tcp_flags, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	rte_pktmbuf_free(m);
	assert_int_equal(pmtcp_stack_conn_count(st), 2);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* ---- two stacks ---- */

#define N_CONN 100

static void
test_two_stacks_handshake(void **state)
{
	unsigned int avail = t_pool_avail();
	const uint32_t cli_ip = T_IP(198, 18, 0, 2), srv_ip = T_IP(198, 18, 0, 1);
	struct cb_log cli_log, srv_log;
	struct pmtcp_stack_conf cconf, sconf;
	struct pmtcp_stack *cli, *srv;
	struct rte_ether_addr cli_mac, srv_mac;
	struct rte_mbuf *pkts[BURST], *m;
	unsigned int iter;

	(void)state;
	t_mac(0, &cli_mac);
	t_mac(1, &srv_mac);
	conf_default(&cconf, &cli_log);
	conf_default(&sconf, &srv_log);
	cli_log.abort_on_connect = true;
	cli = t_stack(0, cli_ip, &cconf);
	srv = t_stack(1, srv_ip, &sconf);
	assert_int_equal(pmtcp_listen(srv, 80), 0);
	/* each learns the other from an ARP request; the replies cross */
	m = t_build_arp(RTE_ARP_OP_REQUEST, &srv_mac, srv_ip, NULL, cli_ip);
	pmtcp_stack_input(cli, 0, &m, 1);
	m = t_build_arp(RTE_ARP_OP_REQUEST, &cli_mac, cli_ip, NULL, srv_ip);
	pmtcp_stack_input(srv, 0, &m, 1);

	for (unsigned int i = 0; i < N_CONN; i++)
		assert_int_equal(pmtcp_connect(cli, srv_ip, 80, i, NULL), 0);
	assert_int_equal(pmtcp_stack_conn_count(cli), N_CONN);

	for (iter = 0; iter < 10000; iter++) {
		uint16_t n;

		while ((n = t_rx(1, pkts, BURST)) > 0)
			pmtcp_stack_input(srv, 0, pkts, n);
		while ((n = t_rx(0, pkts, BURST)) > 0)
			pmtcp_stack_input(cli, 0, pkts, n);
		pmtcp_stack_poll(cli, rte_rdtsc());
		pmtcp_stack_poll(srv, rte_rdtsc());
		if (cli_log.connected == N_CONN && srv_log.accepted == N_CONN &&
		    pmtcp_stack_conn_count(srv) == 0 &&
		    pmtcp_stack_conn_count(cli) == 0)
			break;
	}
	assert_true(iter < 10000);
	t_drain_all();

	assert_int_equal(cli_log.connected, N_CONN);
	assert_int_equal(cli_log.failed, 0);
	assert_int_equal(srv_log.accepted, N_CONN);
	assert_int_equal(srv_log.closed, N_CONN);
	assert_int_equal(srv_log.last_err, -ECONNRESET);
	assert_int_equal(pmtcp_stack_conn_count(srv), 0);
	assert_int_equal(pmtcp_stack_conn_count(cli), 0);

	assert_int_equal(t_mib(cli, PMTCP_MIB_Tcp_ActiveOpens), N_CONN);
	assert_int_equal(t_mib(cli, PMTCP_MIB_Tcp_CurrEstab), 0);
	assert_int_equal(t_mib(cli, PMTCP_MIB_Tcp_OutRsts), N_CONN);
	assert_int_equal(t_mib(cli, PMTCP_MIB_Tcp_OutSegs), 3 * N_CONN);
	assert_int_equal(t_mib(cli, PMTCP_MIB_Tcp_RetransSegs), 0);
	assert_int_equal(t_mib(cli, PMTCP_MIB_TcpExt_TCPAbortOnData), N_CONN);
	assert_int_equal(t_mib(cli, PMTCP_MIB_Arp_OutRequests), 0);
	assert_int_equal(t_mib(srv, PMTCP_MIB_Tcp_PassiveOpens), N_CONN);
	assert_int_equal(t_mib(srv, PMTCP_MIB_Tcp_EstabResets), N_CONN);
	assert_int_equal(t_mib(srv, PMTCP_MIB_Tcp_CurrEstab), 0);
	assert_int_equal(t_mib(srv, PMTCP_MIB_Tcp_InSegs), 3 * N_CONN);
	assert_int_equal(t_mib(srv, PMTCP_MIB_Tcp_OutSegs), N_CONN);
	assert_int_equal(t_mib(srv, PMTCP_MIB_Tcp_OutRsts), 0);
	assert_int_equal(t_mib(srv, PMTCP_MIB_Tcp_AttemptFails), 0);
	assert_int_equal(t_mib(srv, PMTCP_MIB_TcpExt_ListenDrops), 0);
	assert_int_equal(t_mib(srv, PMTCP_MIB_Arp_OutRequests), 0);

	t_stack_free(cli);
	t_stack_free(srv);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* RFC 5961 3.2: in ESTABLISHED a RST off RCV.NXT but inside the window
 * gets a challenge ACK and changes nothing; one on RCV.NXT resets. */
static void
test_established_rst_challenge_ack(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk;
	struct rte_mbuf *syn, *m;
	struct rte_tcp_hdr *th;
	uint32_t iss;

	(void)state;
	conf_default(&conf, &cbl);
	conf.sysctl.tcp_timestamps = 0;
	st = stack_with_peer(&conf);
	sk = connect_syn(st, &syn);
	iss = rte_be_to_cpu_32(t_tcp(syn)->sent_seq);
	rte_pktmbuf_free(syn);
	t_input_one(st, to_sock(sk, PEER_ISN, iss + 1,
			      RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, NULL, 0));
	rte_pktmbuf_free(rx_one(st));          /* our ACK */
	assert_int_equal(sock_state(sk), PMTCP_TCP_ESTABLISHED);

	/* in window, not RCV.NXT: challenge ACK, still established */
	t_input_one(st, to_sock(sk, PEER_ISN + 1 + 100, 0, RTE_TCP_RST_FLAG, NULL, 0));
	m = rx_one(st);
	th = t_tcp(m);
	assert_int_equal(th->tcp_flags, RTE_TCP_ACK_FLAG);
	assert_int_equal(rte_be_to_cpu_32(th->sent_seq), iss + 1);
	assert_int_equal(rte_be_to_cpu_32(th->recv_ack), PEER_ISN + 1);
	rte_pktmbuf_free(m);
	assert_int_equal(sock_state(sk), PMTCP_TCP_ESTABLISHED);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPChallengeACK), 1);
	assert_int_equal(cbl.closed, 0);

	/* outside the window: dropped silently */
	t_input_one(st, to_sock(sk, PEER_ISN + 1 + 1000000, 0, RTE_TCP_RST_FLAG, NULL, 0));
	rx_none(st);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPChallengeACK), 1);

	/* exactly RCV.NXT: reset, closed callback with ECONNRESET */
	t_input_one(st, to_sock(sk, PEER_ISN + 1, 0, RTE_TCP_RST_FLAG, NULL, 0));
	rx_none(st);
	assert_int_equal(cbl.closed, 1);
	assert_int_equal(cbl.last_err, -ECONNRESET);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_EstabResets), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_CurrEstab), 0);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* tcp_v4_connect()'s argument checks: length, then family. */
static void
test_v4_connect_sockaddr_checks(void **state)
{
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct sockaddr_in sin;
	struct pmtcp_sock *sk = NULL;

	(void)state;
	conf_default(&conf, &cbl);
	st = stack_with_peer(&conf);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = rte_cpu_to_be_16(PEER_PORT);
	sin.sin_addr.s_addr = PEER_IP;
	assert_int_equal(pmtcp_v4_connect(st, (struct sockaddr *)&sin,
					  sizeof(sin) - 1, 0, &sk), -EINVAL);
	assert_int_equal(pmtcp_v4_connect(st, NULL, sizeof(sin), 0, &sk), -EINVAL);
	sin.sin_family = AF_INET6;
	assert_int_equal(pmtcp_v4_connect(st, (struct sockaddr *)&sin,
					  sizeof(sin), 0, &sk), -EAFNOSUPPORT);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_ActiveOpens), 0);
	sin.sin_family = AF_INET;
	assert_int_equal(pmtcp_v4_connect(st, (struct sockaddr *)&sin,
					  sizeof(sin), 0, &sk), 0);
	assert_non_null(sk);
	assert_int_equal(sock_state(sk), PMTCP_TCP_SYN_SENT);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_ActiveOpens), 1);
	t_stack_free(st);
	t_drain_all();
}

/*
 * SYN cookies (tcp_syncookies=2: always): the SYN-ACK keeps no state, its
 * TSval carries the peer's window scale and SACK; the third ACK with the
 * cookie creates the connection in ESTABLISHED (cookie_v4_check()); a
 * wrong cookie gets a RST and SyncookiesFailed.
 */
static void
test_listen_syncookie_handshake(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct rte_mbuf *m;
	struct rte_tcp_hdr *th;
	uint32_t iss, tsval, tsecr;
	uint8_t opts[40], n;

	(void)state;
	conf_default(&conf, &cbl);
	conf.sysctl.tcp_syncookies = 2;
	st = stack_with_peer(&conf);
	assert_int_equal(pmtcp_listen(st, 80), 0);

	n = t_syn_opts(opts, 1460, true, true, 5000, 0, 6);
	t_input_one(st, peer_seg(33001, 80, PEER_ISN, 0, RTE_TCP_SYN_FLAG, 64240,
			       opts, n));
	m = rx_one(st);
	th = t_tcp(m);
	assert_int_equal(th->tcp_flags, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(rte_be_to_cpu_32(th->recv_ack), PEER_ISN + 1);
	iss = rte_be_to_cpu_32(th->sent_seq);
	tcp_ts(m, &tsval, &tsecr);
	assert_int_equal(tsecr, 5000);
	rte_pktmbuf_free(m);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);   /* no state kept */
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_SyncookiesSent), 1);

	/* a wrong cookie: RST with seq = SEG.ACK */
	n = t_ts_opts(opts, 5001, tsval);
	t_input_one(st, peer_seg(33001, 80, PEER_ISN + 1, iss + 1 + 4096,
			       RTE_TCP_ACK_FLAG, 502, opts, n));
	m = rx_one(st);
	th = t_tcp(m);
	assert_int_equal(th->tcp_flags, RTE_TCP_RST_FLAG);
	assert_int_equal(rte_be_to_cpu_32(th->sent_seq), iss + 1 + 4096);
	rte_pktmbuf_free(m);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_SyncookiesFailed), 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);

	/* the right one: ESTABLISHED, accepted, window scale from the TSecr */
	t_input_one(st, peer_seg(33001, 80, PEER_ISN + 1, iss + 1,
			       RTE_TCP_ACK_FLAG, 502, opts, n));
	rx_none(st);
	assert_int_equal(cbl.accepted, 1);
	assert_non_null(cbl.last_sk);
	{
		struct pmtcp_sock_info info;

		pmtcp_sock_info(cbl.last_sk, &info);
		assert_int_equal(info.state, PMTCP_TCP_ESTABLISHED);
		assert_int_equal(info.iss, iss);
		assert_int_equal(info.irs, PEER_ISN);
		assert_int_equal(info.snd_wscale, 6);
		assert_true(info.sack_ok);
		assert_true(info.tstamp_ok);
		assert_int_equal(info.mss, 1460 - 12);
	}
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_SyncookiesRecv), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_PassiveOpens), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_CurrEstab), 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* tcp_syncookies=0 with a full SYN queue: SYNs are dropped and counted. */
static void
test_listen_queue_full_drops(void **state)
{
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct rte_mbuf *pkts[BURST];

	(void)state;
	conf_default(&conf, &cbl);
	conf.sysctl.tcp_syncookies = 0;
	conf.sysctl.tcp_max_syn_backlog = 2;
	st = stack_with_peer(&conf);
	assert_int_equal(pmtcp_listen(st, 80), 0);
	for (uint16_t i = 0; i < 4; i++)
		t_input_one(st, peer_seg((uint16_t)(34000 + i), 80, PEER_ISN, 0,
				       RTE_TCP_SYN_FLAG, 64240, NULL, 0));
	poll_rx_n(st, pkts, 2);
	t_free(pkts, 2);
	assert_int_equal(pmtcp_stack_conn_count(st), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_ListenDrops), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TCPReqQFullDrop), 2);
	assert_int_equal(t_drop(st, PMTCP_DROP_TCP_LISTEN_FULL), 2);
	/* tcp_syncookies=1 would answer them with cookies instead */
	t_stack_free(st);
	t_drain_all();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_sends_syn_with_linux_options),
		cmocka_unit_test(test_connect_syn_no_timestamps),
		cmocka_unit_test(test_connect_syn_no_sack),
		cmocka_unit_test(test_connect_syn_no_wscale),
		cmocka_unit_test(test_connect_syn_mss_and_wscale_only),
		cmocka_unit_test(test_connect_syn_mss_only),
		cmocka_unit_test(test_connect_syn_ecn),
		cmocka_unit_test(test_connect_errors),
		cmocka_unit_test(test_synsent_synack_establishes),
		cmocka_unit_test(test_synsent_no_wscale_in_synack),
		cmocka_unit_test(test_synsent_bad_ack_sends_rst),
		cmocka_unit_test(test_synsent_paws_rejects),
		cmocka_unit_test(test_synsent_paws_accepts_later_echo),
		cmocka_unit_test(test_synsent_rst_ack_refused),
		cmocka_unit_test(test_synsent_ack_without_syn_dropped),
		cmocka_unit_test(test_synsent_rst_without_ack_dropped),
		cmocka_unit_test(test_synsent_simultaneous_open),
		cmocka_unit_test(test_established_rst_challenge_ack),
		cmocka_unit_test(test_v4_connect_sockaddr_checks),
		cmocka_unit_test(test_listen_syncookie_handshake),
		cmocka_unit_test(test_listen_queue_full_drops),
		cmocka_unit_test(test_syn_retransmit_backoff),
		cmocka_unit_test(test_syn_retransmit_late_poll),
		cmocka_unit_test(test_no_socket_rst_rules),
		cmocka_unit_test(test_listen_passive_open),
		cmocka_unit_test(test_listen_ecn_and_bare_syn),
		cmocka_unit_test(test_two_stacks_handshake),
	};

	return cmocka_run_group_tests(tests, t_eal_setup, NULL);
}
