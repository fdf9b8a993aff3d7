/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tracing (trace.c and its hooks in tcp_input.c, tcp_ipv4.c and
 * tcp_output.c): pmtcp_stack_set_trace()'s argument checks, the state
 * lines of pmtcp_tcp_set_state() at both ends of a handshake, the
 * tcpdump-style lines of the segments in and out (SYN, SYN-ACK, ACK, data,
 * resets from a closed port; none for a bad checksum), turning tracing off
 * again, and pmtcp_tcp_state_parse().
 *
 * Two stacks talk to each other: the client on t_port[0] (198.18.0.2) and
 * the server on t_port[1] (198.18.0.1, listening on port 80). Frames are
 * moved between them one at a time, so every trace line is compared with
 * the frame it describes as well as with the socket's own numbers.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "test_common.h"
#include "tcp.h"   /* pmtcp_tcp_select_initial_window() */

#define CLI_IP T_IP(198, 18, 0, 2)
#define SRV_IP T_IP(198, 18, 0, 1)
#define CLI_STR "198.18.0.2"
#define SRV_STR "198.18.0.1"
#define SRV_PORT 80
#define CLOSED_PORT 81
/*
 * Windows with the default knobs (tcp_rmem 87380, MTU 1500): the SYN's
 * 29200 is 20 MSS of 1460 (tcp_default_init_rwnd()); the SYN-ACK's is 20
 * of 1448, the MSS less the timestamp option (tcp_openreq_init_rwin());
 * both scale by 7 after the handshake.
 */
#define SYN_WIN 29200U
#define SYNACK_WIN 28960U
#define WSCALE 7

#define BURST 64
#define LOG_LINES 32
#define LOG_LINE_LEN 512

/* Copies of the lines a trace callback got. */
struct trace_log {
	const struct pmtcp_stack *st;  /* every line must come from it */
	unsigned int n;                /* lines seen, even past LOG_LINES */
	char line[LOG_LINES][LOG_LINE_LEN];
};

static struct trace_log clog, slog;

static void
trace_cb(struct pmtcp_stack *st, const char *line, void *arg)
{
	struct trace_log *log = arg;
	size_t len;

	assert_non_null(line);
	len = strlen(line);
	assert_ptr_equal(st, log->st);
	assert_true(len > 0 && len < LOG_LINE_LEN);
	assert_null(strchr(line, '\n'));
	if (log->n < LOG_LINES)
		memcpy(log->line[log->n], line, len + 1);
	log->n++;
}

static void
log_reset(struct trace_log *log, const struct pmtcp_stack *st)
{
	memset(log, 0, sizeof(*log));
	log->st = st;
}

/* Line @i of @log (asserted present) without its "<sec>.<ms> " prefix;
 * the milliseconds of the prefix go to @ms when not NULL. */
static const char *
log_body(const struct trace_log *log, unsigned int i, uint64_t *ms)
{
	const char *p, *line;
	unsigned int digits = 0;
	uint64_t sec, frac;

	assert_true(i < log->n && i < LOG_LINES);
	line = log->line[i];
	for (p = line; isdigit((unsigned char)*p); p++)
		digits++;
	assert_true(digits >= 1);
	assert_int_equal(*p, '.');
	for (unsigned int k = 1; k <= 3; k++)
		assert_true(isdigit((unsigned char)p[k]));
	assert_int_equal(p[4], ' ');
	sec = strtoull(line, NULL, 10);
	frac = strtoull(p + 1, NULL, 10);
	if (ms != NULL)
		*ms = sec * 1000 + frac;
	return p + 5;
}

/* The prefix times of @log never go backwards. */
static void
log_times_monotonic(const struct trace_log *log)
{
	uint64_t prev = 0, ms;

	for (unsigned int i = 0; i < log->n && i < LOG_LINES; i++) {
		log_body(log, i, &ms);
		assert_true(ms >= prev);
		prev = ms;
	}
}

/* Number of lines of @log from @from on whose body starts with @prefix. */
static unsigned int
log_count(const struct trace_log *log, unsigned int from, const char *prefix)
{
	unsigned int n = 0;

	for (unsigned int i = from; i < log->n && i < LOG_LINES; i++)
		if (strncmp(log_body(log, i, NULL), prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

static void
assert_body(const struct trace_log *log, unsigned int i, const char *want)
{
	assert_string_equal(log_body(log, i, NULL), want);
}

/* The body of a segment line less its direction ("out " / "in  "). */
static const char *
seg_part(const struct trace_log *log, unsigned int i)
{
	const char *b = log_body(log, i, NULL);

	assert_true(strncmp(b, "out IP ", 7) == 0 || strncmp(b, "in  IP ", 7) == 0);
	return b + 4;
}

/* ---- two stacks ---- */

static struct pmtcp_sock *accepted_sk;
static unsigned int n_connected, n_accepted;

static void
cb_connected(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	(void)st;
	(void)sk;
	(void)arg;
	n_connected++;
}

static void
cb_accepted(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	(void)st;
	(void)arg;
	n_accepted++;
	accepted_sk = sk;
}

struct pair {
	struct pmtcp_stack *cli, *srv;
	unsigned int avail;   /* free mbufs before */
};

/*
 * Client and server stacks that know each other's MAC (the ARP replies
 * are drained), the server listening on port 80, both logs empty and
 * tracing at @cli_level / @srv_level.
 */
static void
pair_setup(struct pair *p, const struct pmtcp_sysctl *cli_sysctl, int cli_level,
	   int srv_level)
{
	struct pmtcp_stack_conf conf;
	struct rte_ether_addr cli_mac, srv_mac;
	struct rte_mbuf *m;

	p->avail = t_pool_avail();
	n_connected = 0;
	n_accepted = 0;
	accepted_sk = NULL;
	pmtcp_stack_conf_init(&conf);
	conf.max_conns = 1024;
	conf.cb.connected = cb_connected;
	conf.cb.accepted = cb_accepted;
	if (cli_sysctl != NULL)
		conf.sysctl = *cli_sysctl;
	p->cli = t_stack(0, CLI_IP, &conf);
	pmtcp_stack_conf_init(&conf);
	conf.max_conns = 1024;
	conf.cb.connected = cb_connected;
	conf.cb.accepted = cb_accepted;
	p->srv = t_stack(1, SRV_IP, &conf);
	assert_int_equal(pmtcp_listen(p->srv, SRV_PORT), 0);

	t_mac(0, &cli_mac);
	t_mac(1, &srv_mac);
	m = t_build_arp(RTE_ARP_OP_REQUEST, &srv_mac, SRV_IP, NULL, CLI_IP);
	pmtcp_stack_input(p->cli, 0, &m, 1);
	m = t_build_arp(RTE_ARP_OP_REQUEST, &cli_mac, CLI_IP, NULL, SRV_IP);
	pmtcp_stack_input(p->srv, 0, &m, 1);
	pmtcp_stack_poll(p->cli, rte_rdtsc());
	pmtcp_stack_poll(p->srv, rte_rdtsc());
	t_drain_all();

	log_reset(&clog, p->cli);
	log_reset(&slog, p->srv);
	assert_int_equal(pmtcp_stack_set_trace(p->cli, cli_level,
					       cli_level ? trace_cb : NULL, &clog), 0);
	assert_int_equal(pmtcp_stack_set_trace(p->srv, srv_level,
					       srv_level ? trace_cb : NULL, &slog), 0);
}

static void
pair_free(struct pair *p)
{
	/* freeing the stacks may close socks: no more lines wanted */
	assert_int_equal(pmtcp_stack_set_trace(p->cli, PMTCP_TRACE_OFF, NULL, NULL), 0);
	assert_int_equal(pmtcp_stack_set_trace(p->srv, PMTCP_TRACE_OFF, NULL, NULL), 0);
	t_stack_free(p->cli);
	t_stack_free(p->srv);
	t_drain_all();
	assert_int_equal(t_pool_avail(), p->avail);
}

/* What a frame carried, to set against its trace line. */
struct seg {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	uint32_t len;           /* payload bytes */
	bool ts;
	uint32_t tsval, tsecr;
};

static void
seg_of(struct rte_mbuf *m, struct seg *s)
{
	struct rte_tcp_hdr *th = t_tcp(m);
	unsigned int doff = (unsigned int)(th->data_off >> 4) * 4;
	const uint8_t *o = (const uint8_t *)(th + 1);
	unsigned int optlen = doff - sizeof(*th), i = 0;

	memset(s, 0, sizeof(*s));
	s->sport = rte_be_to_cpu_16(th->src_port);
	s->dport = rte_be_to_cpu_16(th->dst_port);
	s->seq = rte_be_to_cpu_32(th->sent_seq);
	s->ack = rte_be_to_cpu_32(th->recv_ack);
	s->flags = th->tcp_flags;
	s->win = rte_be_to_cpu_16(th->rx_win);
	s->len = rte_be_to_cpu_16(t_ip(m)->total_length) - 20 - doff;
	while (i < optlen && o[i] != 0) {
		if (o[i] == 1) {
			i++;
			continue;
		}
		if (o[i] == 8 && i + 10 <= optlen) {
			s->ts = true;
			s->tsval = t_get_be32(o + i + 2);
			s->tsecr = t_get_be32(o + i + 6);
		}
		i += o[i + 1];
	}
}

/*
 * Poll @from, take the one frame it sent off port @rx (t_port[1] for the
 * client's, t_port[0] for the server's), note it in @s and hand it to @to
 * (or free it when @to is NULL).
 */
static void
pass_one(struct pmtcp_stack *from, unsigned int rx, struct pmtcp_stack *to,
	 struct seg *s)
{
	struct rte_mbuf *pkts[BURST];

	pmtcp_stack_poll(from, rte_rdtsc());
	assert_int_equal(t_rx(rx, pkts, BURST), 1);
	assert_true(t_csum_ok(pkts[0]));
	seg_of(pkts[0], s);
	if (to != NULL)
		t_input_one(to, pkts[0]);
	else
		rte_pktmbuf_free(pkts[0]);
}

/* Poll @st and check it sent nothing (read off port @rx). */
static void
sent_none(struct pmtcp_stack *st, unsigned int rx)
{
	struct rte_mbuf *pkts[BURST];

	pmtcp_stack_poll(st, rte_rdtsc());
	assert_int_equal(t_rx(rx, pkts, BURST), 0);
}

/* connect() and the three segments of the handshake, frame by frame. */
static struct pmtcp_sock *
handshake(struct pair *p, struct seg *syn, struct seg *synack, struct seg *ack)
{
	struct pmtcp_sock *sk = NULL;

	assert_int_equal(pmtcp_connect(p->cli, SRV_IP, SRV_PORT, 7, &sk), 0);
	assert_non_null(sk);
	pass_one(p->cli, 1, p->srv, syn);
	pass_one(p->srv, 0, p->cli, synack);
	pass_one(p->cli, 1, p->srv, ack);
	sent_none(p->srv, 0);
	sent_none(p->cli, 1);
	assert_int_equal(n_connected, 1);
	assert_int_equal(n_accepted, 1);
	assert_non_null(accepted_sk);
	return sk;
}

/* ---- pmtcp_stack_set_trace() ---- */

static void
test_set_trace_errors(void **state)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk = NULL;
	struct rte_mbuf *pkts[BURST];
	char want[LOG_LINE_LEN];
	struct pmtcp_sock_info info;
	struct rte_ether_addr srv_mac;

	(void)state;
	st = t_stack(0, CLI_IP, NULL);
	log_reset(&clog, st);
	assert_int_equal(pmtcp_stack_set_trace(st, 3, trace_cb, &clog), -EINVAL);
	assert_int_equal(pmtcp_stack_set_trace(st, -1, trace_cb, &clog), -EINVAL);
	assert_int_equal(pmtcp_stack_set_trace(st, 256 + PMTCP_TRACE_SEGMENT,
					       trace_cb, &clog), -EINVAL);
	assert_int_equal(pmtcp_stack_set_trace(st, PMTCP_TRACE_STATE, NULL, &clog),
			 -EINVAL);
	assert_int_equal(pmtcp_stack_set_trace(st, PMTCP_TRACE_SEGMENT, NULL, NULL),
			 -EINVAL);
	assert_int_equal(pmtcp_stack_set_trace(NULL, PMTCP_TRACE_STATE, trace_cb,
					       &clog), -EINVAL);
	assert_int_equal(pmtcp_stack_set_trace(NULL, PMTCP_TRACE_OFF, NULL, NULL),
			 -EINVAL);
	assert_int_equal(pmtcp_stack_set_trace(st, PMTCP_TRACE_OFF, NULL, NULL), 0);
	assert_int_equal(pmtcp_stack_set_trace(st, PMTCP_TRACE_OFF, trace_cb, &clog),
			 0);
	assert_int_equal(pmtcp_stack_set_trace(st, PMTCP_TRACE_SEGMENT, trace_cb,
					       &clog), 0);

	/* a refused call leaves the level set before (STATE) alone */
	assert_int_equal(pmtcp_stack_set_trace(st, PMTCP_TRACE_STATE, trace_cb,
					       &clog), 0);
	assert_int_equal(pmtcp_stack_set_trace(st, 3, trace_cb, &clog), -EINVAL);
	assert_int_equal(pmtcp_stack_set_trace(st, PMTCP_TRACE_SEGMENT, NULL, NULL),
			 -EINVAL);
	t_mac(1, &srv_mac);
	t_input_one(st, t_build_arp(RTE_ARP_OP_REQUEST, &srv_mac, SRV_IP, NULL,
				  CLI_IP));
	assert_int_equal(clog.n, 0);   /* ARP is never traced */
	assert_int_equal(pmtcp_connect(st, SRV_IP, SRV_PORT, 0, &sk), 0);
	pmtcp_sock_info(sk, &info);
	assert_int_equal(clog.n, 1);   /* the state change, not the SYN */
	snprintf(want, sizeof(want),
		 "state " CLI_STR ":%u > " SRV_STR ":80 UNCONN -> SYN-SENT",
		 info.sport);
	assert_body(&clog, 0, want);
	pmtcp_stack_poll(st, rte_rdtsc());
	assert_int_equal(t_rx(1, pkts, BURST), 2);   /* ARP reply, SYN */
	t_free(pkts, 2);
	assert_int_equal(clog.n, 1);

	/* SYN-SENT -> UNCONN when aborted: no RST, so no segment line at
	 * SEGMENT level either */
	assert_int_equal(pmtcp_stack_set_trace(st, PMTCP_TRACE_SEGMENT, trace_cb,
					       &clog), 0);
	pmtcp_abort(st, sk);
	assert_int_equal(clog.n, 2);
	snprintf(want, sizeof(want),
		 "state " CLI_STR ":%u > " SRV_STR ":80 SYN-SENT -> UNCONN",
		 info.sport);
	assert_body(&clog, 1, want);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

/* ---- PMTCP_TRACE_STATE ---- */

/* The handshake at STATE level: two state lines on each side, exact, and
 * not a single segment line. */
static void
test_state_lines_handshake(void **state)
{
	struct pair p;
	struct pmtcp_sock *sk;
	struct pmtcp_sock_info info;
	struct seg syn, synack, ack;
	char want[LOG_LINE_LEN];

	(void)state;
	pair_setup(&p, NULL, PMTCP_TRACE_STATE, PMTCP_TRACE_STATE);
	sk = handshake(&p, &syn, &synack, &ack);
	pmtcp_sock_info(sk, &info);
	assert_int_equal(info.state, PMTCP_TCP_ESTABLISHED);
	assert_int_equal(syn.sport, info.sport);

	assert_int_equal(clog.n, 2);
	snprintf(want, sizeof(want),
		 "state 198.18.0.2:%u > 198.18.0.1:80 UNCONN -> SYN-SENT",
		 info.sport);
	assert_body(&clog, 0, want);
	snprintf(want, sizeof(want),
		 "state 198.18.0.2:%u > 198.18.0.1:80 SYN-SENT -> ESTAB",
		 info.sport);
	assert_body(&clog, 1, want);
	log_times_monotonic(&clog);
	assert_int_equal(log_count(&clog, 0, "state "), 2);

	/* the passive side: its own addresses first */
	assert_int_equal(slog.n, 2);
	snprintf(want, sizeof(want),
		 "state 198.18.0.1:80 > 198.18.0.2:%u UNCONN -> SYN-RECV",
		 info.sport);
	assert_body(&slog, 0, want);
	snprintf(want, sizeof(want),
		 "state 198.18.0.1:80 > 198.18.0.2:%u SYN-RECV -> ESTAB",
		 info.sport);
	assert_body(&slog, 1, want);
	log_times_monotonic(&slog);

	for (unsigned int i = 0; i < clog.n; i++)
		assert_null(strstr(clog.line[i], " IP "));
	for (unsigned int i = 0; i < slog.n; i++)
		assert_null(strstr(slog.line[i], " IP "));
	pair_free(&p);
}

/* ---- PMTCP_TRACE_SEGMENT ---- */

/*
 * The handshake at SEGMENT level, line by line on the client:
 *   state UNCONN -> SYN-SENT, out SYN, in SYN-ACK, state SYN-SENT -> ESTAB,
 *   out ACK
 * and on the server: in SYN, state, out SYN-ACK, in ACK, state. What one
 * side sent reads the same as what the other got, bar the direction.
 */
static void
test_segment_lines_handshake(void **state)
{
	struct pair p;
	struct pmtcp_sock *sk;
	struct pmtcp_sock_info info, sinfo;
	struct seg syn, synack, ack;
	char want[LOG_LINE_LEN];
	const char *b;
	uint32_t wnd, clamp = 0;
	uint8_t ws;

	(void)state;
	pair_setup(&p, NULL, PMTCP_TRACE_SEGMENT, PMTCP_TRACE_SEGMENT);
	/* the windows the stacks use with the default knobs */
	pmtcp_tcp_select_initial_window(pmtcp_stack_sysctl(p.cli), 1460, &wnd,
					&clamp, true, &ws);
	assert_int_equal(wnd, SYN_WIN);
	assert_int_equal(ws, WSCALE);
	clamp = 0;
	pmtcp_tcp_select_initial_window(pmtcp_stack_sysctl(p.srv), 1460 - 12, &wnd,
					&clamp, true, &ws);
	assert_int_equal(wnd, SYNACK_WIN);

	sk = handshake(&p, &syn, &synack, &ack);
	pmtcp_sock_info(sk, &info);
	pmtcp_sock_info(accepted_sk, &sinfo);
	assert_int_equal(info.state, PMTCP_TCP_ESTABLISHED);
	assert_int_equal(sinfo.state, PMTCP_TCP_ESTABLISHED);

	/* the frames themselves */
	assert_int_equal(syn.flags, RTE_TCP_SYN_FLAG);
	assert_int_equal(syn.seq, info.iss);
	assert_int_equal(syn.win, SYN_WIN);
	assert_true(syn.ts);
	assert_int_equal(syn.tsecr, 0);
	assert_int_equal(synack.flags, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(synack.seq, info.irs);
	assert_int_equal(synack.seq, sinfo.iss);
	assert_int_equal(synack.ack, info.iss + 1);
	assert_int_equal(synack.win, SYNACK_WIN);
	assert_int_equal(synack.tsecr, syn.tsval);
	assert_int_equal(ack.flags, RTE_TCP_ACK_FLAG);
	assert_int_equal(ack.ack, info.irs + 1);
	assert_int_equal(ack.win, SYN_WIN >> WSCALE);
	assert_int_equal(ack.tsecr, synack.tsval);

	/* the client */
	assert_int_equal(clog.n, 5);
	snprintf(want, sizeof(want),
		 "state 198.18.0.2:%u > 198.18.0.1:80 UNCONN -> SYN-SENT",
		 info.sport);
	assert_body(&clog, 0, want);

	b = log_body(&clog, 1, NULL);
	snprintf(want, sizeof(want), "out IP 198.18.0.2.%u > 198.18.0.1.80: ",
		 info.sport);
	assert_true(strncmp(b, want, strlen(want)) == 0);
	snprintf(want, sizeof(want), "Flags [S], seq %u, win %u, ", info.iss,
		 SYN_WIN);
	assert_non_null(strstr(b, want));
	assert_non_null(strstr(b, "Flags [S], seq "));
	assert_non_null(strstr(b, ", options [mss 1460,sackOK,TS val "));
	assert_non_null(strstr(b, "ecr 0,nop,wscale 7], length 0"));
	/* the iss in the line is the sock's */
	assert_int_equal(strtoul(strstr(b, ", seq ") + 6, NULL, 10), info.iss);
	snprintf(want, sizeof(want),
		 "out IP 198.18.0.2.%u > 198.18.0.1.80: Flags [S], seq %u, "
		 "win 29200, options [mss 1460,sackOK,TS val %u ecr 0,nop,"
		 "wscale 7], length 0", info.sport, info.iss, syn.tsval);
	assert_body(&clog, 1, want);

	snprintf(want, sizeof(want),
		 "in  IP 198.18.0.1.80 > 198.18.0.2.%u: Flags [S.], seq %u, "
		 "ack %u, win 28960, options [mss 1460,sackOK,TS val %u ecr %u,"
		 "nop,wscale 7], length 0", info.sport, info.irs, info.iss + 1,
		 synack.tsval, syn.tsval);
	assert_body(&clog, 2, want);

	snprintf(want, sizeof(want),
		 "state 198.18.0.2:%u > 198.18.0.1:80 SYN-SENT -> ESTAB",
		 info.sport);
	assert_body(&clog, 3, want);

	/* a bare ACK: no seq, as tcpdump */
	snprintf(want, sizeof(want),
		 "out IP 198.18.0.2.%u > 198.18.0.1.80: Flags [.], ack %u, "
		 "win %u, options [nop,nop,TS val %u ecr %u], length 0",
		 info.sport, info.irs + 1, SYN_WIN >> WSCALE, ack.tsval,
		 synack.tsval);
	assert_body(&clog, 4, want);
	assert_null(strstr(log_body(&clog, 4, NULL), "seq"));
	log_times_monotonic(&clog);

	/* the server */
	assert_int_equal(slog.n, 5);
	assert_true(strncmp(log_body(&slog, 0, NULL), "in  IP ", 7) == 0);
	assert_string_equal(seg_part(&slog, 0), seg_part(&clog, 1));
	snprintf(want, sizeof(want),
		 "state 198.18.0.1:80 > 198.18.0.2:%u UNCONN -> SYN-RECV",
		 info.sport);
	assert_body(&slog, 1, want);
	assert_true(strncmp(log_body(&slog, 2, NULL), "out IP ", 7) == 0);
	assert_string_equal(seg_part(&slog, 2), seg_part(&clog, 2));
	assert_true(strncmp(log_body(&slog, 3, NULL), "in  IP ", 7) == 0);
	assert_string_equal(seg_part(&slog, 3), seg_part(&clog, 4));
	snprintf(want, sizeof(want),
		 "state 198.18.0.1:80 > 198.18.0.2:%u SYN-RECV -> ESTAB",
		 info.sport);
	assert_body(&slog, 4, want);
	log_times_monotonic(&slog);
	pair_free(&p);
}

/*
 * Data both ways of the trace: the client's 100 bytes out as "seq A:B"
 * with B - A = 100 and "length 100", the same line in at the server, and
 * the server's ACK of them; then an abort, traced as "Flags [R.]" out and
 * in, with the state lines around it.
 */
static void
test_segment_lines_data_and_abort(void **state)
{
	static const uint8_t buf[100];
	struct pair p;
	struct pmtcp_sock *sk;
	struct pmtcp_sock_info info;
	struct seg syn, synack, ack, data, dack, rst;
	char want[LOG_LINE_LEN];
	const char *b, *s;
	char *end;
	unsigned long a0, a1;
	unsigned int c0, s0;

	(void)state;
	pair_setup(&p, NULL, PMTCP_TRACE_SEGMENT, PMTCP_TRACE_SEGMENT);
	sk = handshake(&p, &syn, &synack, &ack);
	pmtcp_sock_info(sk, &info);
	c0 = clog.n;
	s0 = slog.n;

	assert_int_equal(pmtcp_send(p.cli, sk, buf, sizeof(buf)), (int)sizeof(buf));
	assert_int_equal(clog.n, c0 + 1);   /* traced when built */
	pass_one(p.cli, 1, p.srv, &data);
	assert_int_equal(data.len, 100);
	assert_int_equal(data.seq, info.iss + 1);
	assert_int_equal(data.flags, RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG);
	b = log_body(&clog, c0, NULL);
	s = strstr(b, ", seq ");
	assert_non_null(s);
	a0 = strtoul(s + 6, &end, 10);
	assert_int_equal(*end, ':');
	a1 = strtoul(end + 1, NULL, 10);
	assert_int_equal(a0, info.iss + 1);
	assert_int_equal(a1 - a0, 100);
	snprintf(want, sizeof(want),
		 "out IP 198.18.0.2.%u > 198.18.0.1.80: Flags [P.], seq %u:%u, "
		 "ack %u, win %u, options [nop,nop,TS val %u ecr %u], length 100",
		 info.sport, info.iss + 1, info.iss + 101, info.irs + 1,
		 SYN_WIN >> WSCALE, data.tsval, data.tsecr);
	assert_body(&clog, c0, want);

	/* the server: the same segment in, its ACK out (quick ACK) */
	assert_int_equal(slog.n, s0 + 2);
	assert_true(strncmp(log_body(&slog, s0, NULL), "in  IP ", 7) == 0);
	assert_string_equal(seg_part(&slog, s0), seg_part(&clog, c0));
	pass_one(p.srv, 0, p.cli, &dack);
	assert_int_equal(dack.flags, RTE_TCP_ACK_FLAG);
	assert_int_equal(dack.ack, info.iss + 101);
	snprintf(want, sizeof(want),
		 "out IP 198.18.0.1.80 > 198.18.0.2.%u: Flags [.], ack %u, "
		 "win %u, options [nop,nop,TS val %u ecr %u], length 0",
		 info.sport, info.iss + 101, dack.win, dack.tsval, data.tsval);
	assert_body(&slog, s0 + 1, want);
	assert_int_equal(clog.n, c0 + 2);
	assert_string_equal(seg_part(&clog, c0 + 1), seg_part(&slog, s0 + 1));
	sent_none(p.cli, 1);

	/* abort: RST|ACK from snd_nxt, then ESTAB -> UNCONN on both sides */
	c0 = clog.n;
	s0 = slog.n;
	pmtcp_abort(p.cli, sk);
	pass_one(p.cli, 1, p.srv, &rst);
	assert_int_equal(rst.flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(clog.n, c0 + 2);
	snprintf(want, sizeof(want),
		 "out IP 198.18.0.2.%u > 198.18.0.1.80: Flags [R.], seq %u, "
		 "ack %u, win %u, options [nop,nop,TS val %u ecr %u], length 0",
		 info.sport, info.iss + 101, info.irs + 1, rst.win, rst.tsval,
		 rst.tsecr);
	assert_body(&clog, c0, want);
	snprintf(want, sizeof(want),
		 "state 198.18.0.2:%u > 198.18.0.1:80 ESTAB -> UNCONN",
		 info.sport);
	assert_body(&clog, c0 + 1, want);
	assert_int_equal(slog.n, s0 + 2);
	assert_string_equal(seg_part(&slog, s0), seg_part(&clog, c0));
	snprintf(want, sizeof(want),
		 "state 198.18.0.1:80 > 198.18.0.2:%u ESTAB -> UNCONN",
		 info.sport);
	assert_body(&slog, s0 + 1, want);
	sent_none(p.srv, 0);
	log_times_monotonic(&clog);
	log_times_monotonic(&slog);
	pair_free(&p);
}

/* A crafted segment from the server's address to the client stack. */
static struct rte_mbuf *
to_cli(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
       uint8_t flags, uint16_t win, uint16_t payload, int bad_csum)
{
	struct t_seg s;

	memset(&s, 0, sizeof(s));
	t_mac(1, &s.src_mac);
	t_mac(0, &s.dst_mac);
	s.saddr = SRV_IP;
	s.daddr = CLI_IP;
	s.sport = sport;
	s.dport = dport;
	s.seq = seq;
	s.ack = ack;
	s.flags = flags;
	s.win = win;
	s.payload = payload;
	s.bad_csum = bad_csum;
	return t_build_tcp(&s);
}

/*
 * Segments to a port nobody listens on (RFC 9293 3.10.7.1): a SYN gets
 * "Flags [R.], seq 0, ack SEG.SEQ+1", a data segment with an ACK gets
 * "Flags [R], seq SEG.ACK"; the segments in are traced first, payload as
 * "seq A:B ... length N". A segment with a bad checksum is not traced.
 */
static void
test_segment_lines_closed_port(void **state)
{
	struct pair p;
	struct seg rst;

	(void)state;
	pair_setup(&p, NULL, PMTCP_TRACE_SEGMENT, PMTCP_TRACE_OFF);

	t_input_one(p.cli, to_cli(33000, CLOSED_PORT, 999, 0, RTE_TCP_SYN_FLAG,
				64240, 0, 0));
	pass_one(p.cli, 1, NULL, &rst);
	assert_int_equal(rst.flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(clog.n, 2);
	assert_body(&clog, 0, "in  IP 198.18.0.1.33000 > 198.18.0.2.81: "
		    "Flags [S], seq 999, win 64240, length 0");
	assert_body(&clog, 1, "out IP 198.18.0.2.81 > 198.18.0.1.33000: "
		    "Flags [R.], seq 0, ack 1000, win 0, length 0");

	/* 10 bytes with PSH|ACK: the reset takes SEG.ACK, no ACK bit */
	t_input_one(p.cli, to_cli(33001, CLOSED_PORT, 0xfffffffaU, 0xcafe0001U,
				RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG, 1000, 10, 0));
	pass_one(p.cli, 1, NULL, &rst);
	assert_int_equal(rst.flags, RTE_TCP_RST_FLAG);
	assert_int_equal(clog.n, 4);
	/* the sequence range wraps like the sequence space */
	assert_body(&clog, 2, "in  IP 198.18.0.1.33001 > 198.18.0.2.81: "
		    "Flags [P.], seq 4294967290:4, ack 3405643777, win 1000, "
		    "length 10");
	assert_body(&clog, 3, "out IP 198.18.0.2.81 > 198.18.0.1.33001: "
		    "Flags [R], seq 3405643777, win 0, length 0");

	/* a bare ACK: no seq in, none to show for the reset's ack either */
	t_input_one(p.cli, to_cli(33002, CLOSED_PORT, 5000, 77, RTE_TCP_ACK_FLAG,
				512, 0, 0));
	pass_one(p.cli, 1, NULL, &rst);
	assert_int_equal(clog.n, 6);
	assert_body(&clog, 4, "in  IP 198.18.0.1.33002 > 198.18.0.2.81: "
		    "Flags [.], ack 77, win 512, length 0");
	assert_body(&clog, 5, "out IP 198.18.0.2.81 > 198.18.0.1.33002: "
		    "Flags [R], seq 77, win 0, length 0");

	/* a RST is traced in, and not answered */
	t_input_one(p.cli, to_cli(33003, CLOSED_PORT, 42, 0, RTE_TCP_RST_FLAG, 0,
				0, 0));
	sent_none(p.cli, 1);
	assert_int_equal(clog.n, 7);
	assert_body(&clog, 6, "in  IP 198.18.0.1.33003 > 198.18.0.2.81: "
		    "Flags [R], seq 42, win 0, length 0");

	/* a bad checksum: dropped before the trace, so no line at all, and
	 * no reset */
	t_input_one(p.cli, to_cli(33004, CLOSED_PORT, 999, 0, RTE_TCP_SYN_FLAG,
				64240, 0, 1));
	sent_none(p.cli, 1);
	assert_int_equal(clog.n, 7);
	assert_int_equal(t_mib(p.cli, PMTCP_MIB_Tcp_InCsumErrors), 1);
	assert_int_equal(t_mib(p.cli, PMTCP_MIB_Tcp_OutRsts), 3);
	assert_int_equal(slog.n, 0);
	log_times_monotonic(&clog);
	pair_free(&p);
}

/* ---- back to PMTCP_TRACE_OFF ---- */

/*
 * After a traced handshake, level 0 (with or without a function) stops
 * every line: data, its ACK, a closed-port reset, an abort. Level STATE
 * again brings the state lines back, and only them.
 */
static void
test_trace_off_again(void **state)
{
	static const uint8_t buf[10];
	struct pair p;
	struct pmtcp_sock *sk, *sk2 = NULL;
	struct pmtcp_sock_info info;
	struct seg syn, synack, ack, s;
	char want[LOG_LINE_LEN];
	unsigned int c0, s0;

	(void)state;
	pair_setup(&p, NULL, PMTCP_TRACE_SEGMENT, PMTCP_TRACE_SEGMENT);
	sk = handshake(&p, &syn, &synack, &ack);
	pmtcp_sock_info(sk, &info);
	c0 = clog.n;
	s0 = slog.n;
	assert_int_equal(c0, 5);
	assert_int_equal(s0, 5);

	assert_int_equal(pmtcp_stack_set_trace(p.cli, PMTCP_TRACE_OFF, NULL, NULL), 0);
	assert_int_equal(pmtcp_stack_set_trace(p.srv, PMTCP_TRACE_OFF, trace_cb,
					       &slog), 0);
	assert_int_equal(pmtcp_send(p.cli, sk, buf, sizeof(buf)), (int)sizeof(buf));
	pass_one(p.cli, 1, p.srv, &s);
	assert_int_equal(s.len, 10);
	pass_one(p.srv, 0, p.cli, &s);
	assert_int_equal(s.ack, info.iss + 11);
	t_input_one(p.cli, to_cli(33000, CLOSED_PORT, 999, 0, RTE_TCP_SYN_FLAG,
				64240, 0, 0));
	pass_one(p.cli, 1, NULL, &s);
	assert_int_equal(s.flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(clog.n, c0);
	assert_int_equal(slog.n, s0);

	/* a second connection, then STATE on the client only */
	assert_int_equal(pmtcp_connect(p.cli, SRV_IP, SRV_PORT, 0, &sk2), 0);
	pass_one(p.cli, 1, p.srv, &s);
	pass_one(p.srv, 0, p.cli, &s);
	pass_one(p.cli, 1, p.srv, &s);
	assert_int_equal(n_connected, 2);
	assert_int_equal(clog.n, c0);
	assert_int_equal(slog.n, s0);

	assert_int_equal(pmtcp_stack_set_trace(p.cli, PMTCP_TRACE_STATE, trace_cb,
					       &clog), 0);
	pmtcp_abort(p.cli, sk);
	pass_one(p.cli, 1, p.srv, &s);   /* the RST: not traced at STATE */
	assert_int_equal(s.flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(clog.n, c0 + 1);
	snprintf(want, sizeof(want),
		 "state 198.18.0.2:%u > 198.18.0.1:80 ESTAB -> UNCONN",
		 info.sport);
	assert_body(&clog, c0, want);
	assert_int_equal(log_count(&clog, c0, "out "), 0);
	assert_int_equal(slog.n, s0);

	/* and OFF once more: the second abort is silent */
	assert_int_equal(pmtcp_stack_set_trace(p.cli, PMTCP_TRACE_OFF, trace_cb,
					       &clog), 0);
	pmtcp_abort(p.cli, sk2);
	pass_one(p.cli, 1, p.srv, &s);
	assert_int_equal(clog.n, c0 + 1);
	assert_int_equal(slog.n, s0);
	assert_int_equal(pmtcp_stack_conn_count(p.cli), 0);
	assert_int_equal(pmtcp_stack_conn_count(p.srv), 0);
	pair_free(&p);
}

/* ---- pmtcp_tcp_state_parse() ---- */

static void
test_state_parse(void **state)
{
	static const struct {
		const char *name;
		int state;
	} ok[] = {
		/* the brief's list */
		{ "ESTAB", PMTCP_TCP_ESTABLISHED },
		{ "established", PMTCP_TCP_ESTABLISHED },
		{ "Established", PMTCP_TCP_ESTABLISHED },
		{ "SYN_SENT", PMTCP_TCP_SYN_SENT },
		{ "syn-sent", PMTCP_TCP_SYN_SENT },
		{ "fin_wait1", PMTCP_TCP_FIN_WAIT1 },
		{ "FIN-WAIT-1", PMTCP_TCP_FIN_WAIT1 },
		{ "time-wait", PMTCP_TCP_TIME_WAIT },
		{ "close", PMTCP_TCP_CLOSE },
		{ "listening", PMTCP_TCP_LISTEN },
		/* the kernel's names (include/net/tcp_states.h) */
		{ "ESTABLISHED", PMTCP_TCP_ESTABLISHED },
		{ "SYN_RECV", PMTCP_TCP_SYN_RECV },
		{ "FIN_WAIT1", PMTCP_TCP_FIN_WAIT1 },
		{ "FIN_WAIT2", PMTCP_TCP_FIN_WAIT2 },
		{ "TIME_WAIT", PMTCP_TCP_TIME_WAIT },
		{ "CLOSE", PMTCP_TCP_CLOSE },
		{ "CLOSE_WAIT", PMTCP_TCP_CLOSE_WAIT },
		{ "LAST_ACK", PMTCP_TCP_LAST_ACK },
		{ "LISTEN", PMTCP_TCP_LISTEN },
		{ "CLOSING", PMTCP_TCP_CLOSING },
		{ "NEW_SYN_RECV", PMTCP_TCP_NEW_SYN_RECV },
		/* ss's filter names */
		{ "syn-recv", PMTCP_TCP_SYN_RECV },
		{ "fin-wait-2", PMTCP_TCP_FIN_WAIT2 },
		{ "closed", PMTCP_TCP_CLOSE },
		{ "close-wait", PMTCP_TCP_CLOSE_WAIT },
		{ "last-ack", PMTCP_TCP_LAST_ACK },
		{ "closing", PMTCP_TCP_CLOSING },
		/* ss's display names, in any case */
		{ "UNCONN", PMTCP_TCP_CLOSE },
		{ "unconn", PMTCP_TCP_CLOSE },
		{ "Syn_Recv", PMTCP_TCP_SYN_RECV },
		{ "fin_wait_2", PMTCP_TCP_FIN_WAIT2 },
		{ "fin-wait2", PMTCP_TCP_FIN_WAIT2 },
	};
	static const char *const bad[] = {
		"bogus", "", "UNKNOWN", "ESTA", "establishe", "established1",
		"ESTAB ", " ESTAB", "syn sent", "fin-wait-3", "fin.wait1",
		"SYNSENT", "TCP_ESTABLISHED", "-", "listen-ing",
	};

	(void)state;
	assert_int_equal(PMTCP_TCP_ESTABLISHED, 1);
	assert_int_equal(PMTCP_TCP_CLOSE, 7);
	assert_int_equal(PMTCP_TCP_LISTEN, 10);
	for (unsigned int i = 0; i < RTE_DIM(ok); i++) {
		int got = pmtcp_tcp_state_parse(ok[i].name);

		if (got != ok[i].state)
			fail_msg("\"%s\": %d, want %d", ok[i].name, got,
				 ok[i].state);
	}
	for (unsigned int i = 0; i < RTE_DIM(bad); i++) {
		int got = pmtcp_tcp_state_parse(bad[i]);

		if (got != -EINVAL)
			fail_msg("\"%s\": %d, want -EINVAL", bad[i], got);
	}
	assert_int_equal(pmtcp_tcp_state_parse(NULL), -EINVAL);
	/* every display name reads back as its state */
	for (int s = 1; s < PMTCP_TCP_MAX_STATES; s++)
		assert_int_equal(pmtcp_tcp_state_parse(pmtcp_tcp_state_name(s)), s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_trace_errors),
		cmocka_unit_test(test_state_lines_handshake),
		cmocka_unit_test(test_segment_lines_handshake),
		cmocka_unit_test(test_segment_lines_data_and_abort),
		cmocka_unit_test(test_segment_lines_closed_port),
		cmocka_unit_test(test_trace_off_again),
		cmocka_unit_test(test_state_parse),
	};

	return cmocka_run_group_tests(tests, t_eal_setup, NULL);
}
