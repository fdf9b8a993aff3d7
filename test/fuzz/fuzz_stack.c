/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The frame fuzzer's harness: each input gets a fresh stack on a ring
 * port, brought by real handshakes to connections in every TCP state,
 * then the input's operations (frames, clock steps, application calls)
 * run against it. After each operation the harness flushes TX, checks
 * every frame the stack sent and the stack's bookkeeping; at the end it
 * frees the stack and checks that every mbuf of both pools came back.
 * Anything wrong aborts, which libFuzzer reports as a finding.
 *
 * The two-stack mode (cfg2 bit 4, fuzz_ops.c) puts a second stack, B, on
 * queue 1 of the same port: both steer in software, each with an inbox
 * and the other as its peer. The input's frames reach A (or, with the
 * port spreading flows, the queue a flow hash picks); B opens
 * connections of its own, whose replies A must hand over. Both are
 * polled, their frames checked and their books kept alike; the
 * steering counters must add up to what each inbox took and held.
 *
 * The clock is virtual: the stack's TSC base is moved 2^52 cycles ahead
 * of the real TSC, so the rte_rdtsc() that pmtcp_stack_input() reads is
 * always in its past and only the harness's pmtcp_stack_poll() moves
 * time. ISNs and timestamp offsets stay random (the kernel's secrets);
 * the input names sequence numbers relative to the connection's state,
 * so a mutation stays in (or near) the window whatever they are.
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "pmtcp.h"
#include "tcp.h"
#include "timer_wheel.h"

#include "fuzz.h"

/* EAL and ports: set up once per process */
struct rte_mempool *fz_rx_pool;
struct rte_mempool *fz_tx_pool;
struct rte_mempool *fz_tx_small;
struct rte_ring *fz_tx_ring;
struct rte_ring *fz_rx_ring;
struct rte_mempool *fz_tx_pool_b;
struct rte_ring *fz_tx_ring_b;
struct rte_ring *fz_rx_ring_b;
uint16_t fz_port;
bool fz_verbose;
const char *fz_inject;
struct fz_world fzw;
struct fz_frame fz_scratch;

const struct rte_ether_addr fz_our_mac = {{ 0x02, 0, 0, 0, 0, 0x01 }};

void
fz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pmtcp_fuzz: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

/* ---------------------------------------------------------- the peers */

void
fz_peer_mac(uint32_t ip, struct rte_ether_addr *mac)
{
	uint32_t h = rte_be_to_cpu_32(ip);
	struct rte_ether_addr m = {{ 0x02, 0, 0, 0x01, (uint8_t)(h >> 8),
				     (uint8_t)h }};

	*mac = m;
}

/* A 4-tuple's sock: A's, else B's (a passive connection is the stack's
 * that its SYN reached, an active one its home stack's) */
struct pmtcp_sock *
fz_slot_sock(const struct fz_slot *s)
{
	struct pmtcp_sock *sk;

	if (s->lport == 0)
		return NULL;
	sk = pmtcp_sock_lookup(fzw.st, OUR_IP, rte_cpu_to_be_16(s->lport),
			       s->raddr, rte_cpu_to_be_16(s->rport));
	if (sk == NULL && fzw.stb != NULL)
		sk = pmtcp_sock_lookup(fzw.stb, OUR_IP, rte_cpu_to_be_16(s->lport),
				       s->raddr, rte_cpu_to_be_16(s->rport));
	return sk;
}

static bool
sock_of(const struct pmtcp_stack *st, const struct pmtcp_sock *sk)
{
	return st->socks != NULL && sk >= st->socks && sk < st->socks + st->conn_max;
}

struct pmtcp_stack *
fz_sock_stack(const struct pmtcp_sock *sk)
{
	if (fzw.stb == NULL || sock_of(fzw.st, sk))
		return fzw.st;
	if (sock_of(fzw.stb, sk))
		return fzw.stb;
	fz_fail("sock %p of no stack", (const void *)sk);
}

struct pmtcp_stack *
fz_slot_stack(const struct fz_slot *s)
{
	struct pmtcp_sock *sk = fz_slot_sock(s);

	if (sk != NULL)
		return fz_sock_stack(sk);
	return s->home && fzw.stb != NULL ? fzw.stb : fzw.st;
}

struct fz_slot *
fz_slot_pick(uint8_t sb, uint8_t arg)
{
	if (fzw.stb != NULL && (arg & 8))
		return &fzw.slot[FZ_SLOT_B0 + sb % FZ_NSLOT_B];
	return &fzw.slot[sb % FZ_NSLOT];
}

/* The peer's timestamp clock: ahead of anything it sent before. */
uint32_t
fz_peer_tsval(const struct fz_slot *s)
{
	struct pmtcp_sock *sk = fz_slot_sock(s);
	uint32_t clk = fz_slot_stack(s)->now_ms + 0x01000000u;

	if (sk != NULL && seq_after(sk->ts_recent, clk))
		return sk->ts_recent;
	return clk;
}

/* What the peer echoes: our last TSval. */
uint32_t
fz_peer_tsecr(const struct fz_slot *s)
{
	struct pmtcp_sock *sk = fz_slot_sock(s);

	if (sk != NULL && (sk->flags & SK_TSTAMP_OK))
		return pmtcp_tcp_tsval(fz_sock_stack(sk), sk);
	return s->out_tsval;
}

bool
fz_slot_uses_ts(const struct fz_slot *s)
{
	struct pmtcp_sock *sk = fz_slot_sock(s);

	if (sk != NULL && sk->state != PMTCP_TCP_SYN_SENT)
		return (sk->flags & SK_TSTAMP_OK) != 0;
	return s->peer_ts;
}

/* ------------------------------------------------------------ app side */

static int
owned_find(const struct pmtcp_sock *sk)
{
	for (int i = 0; i < FZ_OWNED; i++)
		if (fzw.owned[i] == sk)
			return i;
	return -1;
}

void
fz_owned_add(struct pmtcp_sock *sk)
{
	int i = owned_find(NULL);

	if (owned_find(sk) >= 0)
		fz_fail("sock %p handed to the application twice", (void *)sk);
	if (i >= 0)
		fzw.owned[i] = sk;
	/* else the application does not keep it: it never calls on it */
}

static void
owned_del(const struct pmtcp_sock *sk)
{
	int i = owned_find(sk);

	if (i >= 0)
		fzw.owned[i] = NULL;
}

void
fz_app_abort(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	owned_del(sk);
	pmtcp_abort(st, sk);
}

void
fz_app_close(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	int state = sk->state;

	/* in the handshake close is an abort: no callback follows */
	if (state == PMTCP_TCP_SYN_SENT || state == PMTCP_TCP_SYN_RECV)
		owned_del(sk);
	pmtcp_close(st, sk);
}

/* The hostile application, on a connection that just opened: by the
 * peer's port, abort it, close it or send it a burst, from inside the
 * callback. */
static void
hostile(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	static uint8_t data[3000];

	switch (rte_be_to_cpu_16(sk->dport) % 3) {
	case 0:
		fz_app_abort(st, sk);
		break;
	case 1:
		fz_app_close(st, sk);
		break;
	default:
		pmtcp_send(st, sk, data, sizeof(data));
		break;
	}
}

static void
cb_connected(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	(void)arg;
	/* pmtcp_connect() made it ours already */
	if (owned_find(sk) < 0)
		fz_owned_add(sk);
	if (!fzw.in_setup && fzw.app_hostile)
		hostile(st, sk);
}

static void
cb_accepted(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	static const char hello[] = "HTTP/1.1 200 OK\r\n\r\n";

	(void)arg;
	fz_owned_add(sk);
	if (!fzw.in_setup && fzw.app_echo && (sk->dport & 1))
		pmtcp_send(st, sk, hello, sizeof(hello) - 1);
	if (!fzw.in_setup && fzw.app_hostile)
		hostile(st, sk);
}

static void
cb_failed(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg)
{
	(void)st;
	(void)arg;
	if (err != -ECONNREFUSED && err != -ETIMEDOUT && err != -EHOSTUNREACH &&
	    err != -ECONNRESET)
		fz_fail("failed callback with error %d", err);
	owned_del(sk);
}

static void
cb_closed(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg)
{
	(void)st;
	(void)arg;
	if (err != 0 && err != -ECONNRESET && err != -ETIMEDOUT && err != -EPIPE)
		fz_fail("closed callback with error %d", err);
	owned_del(sk);
}

/* Data: with the echo policy the first byte is a command. */
static void
cb_recv(struct pmtcp_stack *st, struct pmtcp_sock *sk, const void *data,
	uint32_t len, void *arg)
{
	static uint8_t big[5000];
	const uint8_t *p = data;

	(void)arg;
	if (len == 0)
		fz_fail("recv callback with no data");
	if (fzw.in_setup || !(fzw.app_echo || fzw.app_hostile))
		return;
	switch (p[0] & 7) {
	case 0: case 1: case 2: case 3:
		pmtcp_send(st, sk, data, len);
		break;
	case 4:
		fz_app_close(st, sk);
		break;
	case 5:
		fz_app_abort(st, sk);
		break;
	case 6:
		pmtcp_send(st, sk, big, sizeof(big));
		break;
	default:
		break;
	}
}

static void
cb_peer_closed(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	(void)arg;
	if (!fzw.in_setup && fzw.app_hostile)
		fz_app_abort(st, sk);
	else if (!fzw.in_setup && fzw.app_close_on_fin)
		fz_app_close(st, sk);
}

static void
trace_sink(struct pmtcp_stack *st, const char *line, void *arg)
{
	(void)st;
	(void)arg;
	if (strlen(line) == 0)
		fz_fail("empty trace line");
}

/* ------------------------------------------------------- state checks */

struct walk {
	struct pmtcp_stack *st;
	uint32_t total, tw, est;
	uint32_t child[256];
};

static void
walk_fn(const struct pmtcp_sock *sk, void *arg)
{
	struct walk *w = arg;

	w->total++;
	if (sk->state == PMTCP_TCP_TIME_WAIT) {
		/* a TIME_WAIT entry's view: found as the entry by its
		 * 4-tuple, no sock has it */
		w->tw++;
		if (pmtcp_tw_lookup(w->st, sk->saddr, sk->sport, sk->daddr,
				    sk->dport) == NULL ||
		    pmtcp_sock_lookup(w->st, sk->saddr, sk->sport, sk->daddr,
				      sk->dport) != NULL)
			fz_fail("TIME_WAIT not found as an entry by its 4-tuple");
		return;
	}
	if (sk->state == PMTCP_TCP_ESTABLISHED)
		w->est++;
	if (sk->flags & SK_LISTEN_CHILD)
		w->child[sk->listener]++;
	if (pmtcp_sock_lookup(w->st, sk->saddr, sk->sport, sk->daddr, sk->dport) != sk)
		fz_fail("sock in state %d not found by its 4-tuple", sk->state);
	/* tcp_bound_rto(): the RTO stays within what the knobs allow */
	if (sk->rto_ms == 0 || sk->rto_ms > fzw.rto_ceiling)
		fz_fail("%s: RTO %u ms, ceiling %u ms", pmtcp_tcp_state_name(sk->state),
			sk->rto_ms, fzw.rto_ceiling);
	/* the send MSS: at least a byte, never past our MTU's */
	if (sk->mss == 0 || sk->mss > w->st->ifaces[sk->iface].mss)
		fz_fail("%s: MSS %u (interface %u)", pmtcp_tcp_state_name(sk->state),
			sk->mss, w->st->ifaces[sk->iface].mss);
}

void
fz_note_sysctl(void)
{
	for (int k = 0; k < 2; k++) {
		struct pmtcp_stack *st = k == 0 ? fzw.st : fzw.stb;
		const struct pmtcp_sysctl *s;

		if (st == NULL)
			continue;
		s = pmtcp_stack_sysctl(st);
		fzw.rto_ceiling = RTE_MAX(fzw.rto_ceiling,
			(uint32_t)RTE_MAX(s->tcp_rto_max_ms, s->tcp_rto_initial_ms));
	}
}

static uint64_t
mib(const struct pmtcp_stack *st, enum pmtcp_mib_id id)
{
	return st->mib.mib[id];
}

/*
 * Software steering's books, from @x to @y: every segment @x handed over
 * (PmtcpSteeredOut) is one @y took in (PmtcpSteeredIn), one still in
 * @y's inbox, or one @x dropped at the full inbox (drop reason
 * STEER_INBOX_FULL, counted in PmtcpSteerDrops with the ARP copies that
 * found it full); and the inbox took exactly those segments and @x's ARP
 * copies (PmtcpArpShared). Its producer tail counts what it ever took.
 * Returns the segments in flight: in @y's inbox, or dropped there.
 */
static uint64_t
check_steer(struct pmtcp_stack *x, struct pmtcp_stack *y, const char *xn,
	    const char *yn)
{
	const struct rte_ring *r = y->inbox;
	void *const *ring = (void *const *)&r[1];
	uint64_t out = mib(x, PMTCP_MIB_Pmtcp_SteeredOut);
	uint64_t drops = mib(x, PMTCP_MIB_Pmtcp_SteerDrops);
	uint64_t seg_drops = x->mib.drop[PMTCP_DROP_STEER_INBOX_FULL];
	uint64_t shared = mib(x, PMTCP_MIB_Pmtcp_ArpShared);
	uint64_t in = mib(y, PMTCP_MIB_Pmtcp_SteeredIn);
	uint32_t took = r->prod.tail, waiting_ip = 0;

	if (r->prod.head != r->prod.tail || r->cons.head != r->cons.tail)
		fz_fail("stack %s's inbox: an enqueue or dequeue left unfinished", yn);
	for (uint32_t i = r->cons.tail; i != r->prod.tail; i++) {
		const struct rte_mbuf *m = ring[i & r->mask];

		if (m->port != fz_port)
			fz_fail("stack %s's inbox: a frame of port %u", yn, m->port);
		if (rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type ==
		    RTE_BE16(RTE_ETHER_TYPE_IPV4))
			waiting_ip++;
	}
	if (seg_drops > drops || seg_drops > out)
		fz_fail("steering %s to %s: %" PRIu64 " segments dropped at the full inbox, "
			"PmtcpSteerDrops %" PRIu64 ", PmtcpSteeredOut %" PRIu64,
			xn, yn, seg_drops, drops, out);
	if (out != in + waiting_ip + seg_drops)
		fz_fail("steering %s to %s: %s's PmtcpSteeredOut %" PRIu64 ", but %s's "
			"PmtcpSteeredIn %" PRIu64 " + %u waiting in its inbox + %" PRIu64
			" dropped at the full inbox", xn, yn, xn, out, yn, in,
			waiting_ip, seg_drops);
	if ((uint64_t)took != out - seg_drops + shared)
		fz_fail("steering %s to %s: %s's inbox took %u frames, %s handed over "
			"%" PRIu64 " segments and %" PRIu64 " ARP copies",
			xn, yn, yn, took, xn, out - seg_drops, shared);
	return waiting_ip + seg_drops;
}

/* IPv4 frames a stack never counted in IpInReceives: those its SYN queue
 * shed, and those it holds there */
static uint64_t
ip_uncounted(const struct pmtcp_stack *st)
{
	return st->mib.drop[PMTCP_DROP_TCP_SYN_SHED] + st->synq_len;
}

/* One stack's bookkeeping agrees with its connection table. */
static void
check_stack(struct pmtcp_stack *st)
{
	struct walk w;

	memset(&w, 0, sizeof(w));
	w.st = st;
	pmtcp_stack_conn_walk(st, walk_fn, &w);
	if (w.tw != pmtcp_stack_tw_count(st))
		fz_fail("tw_count %u, TIME_WAIT entries %u", pmtcp_stack_tw_count(st),
			w.tw);
	if (w.total != pmtcp_stack_conn_count(st))
		fz_fail("conn_count %u, table holds %u", pmtcp_stack_conn_count(st),
			w.total);
	if (w.est != st->mib.mib[PMTCP_MIB_Tcp_CurrEstab])
		fz_fail("TcpCurrEstab %" PRIu64 ", ESTABLISHED socks %u",
			st->mib.mib[PMTCP_MIB_Tcp_CurrEstab], w.est);
	for (uint32_t i = 0; i < st->max_listeners; i++)
		if (st->listeners[i].syn_queue != w.child[i + 1])
			fz_fail("listener %u: syn_queue %u, children %u", i,
				st->listeners[i].syn_queue, w.child[i + 1]);
	if (st->cb_sk != NULL)
		fz_fail("cb_sk left set");
	if (st->in_inbox)
		fz_fail("in_inbox left set");
}

/* Every stack's bookkeeping, the application's socks, the steering. */
void
fz_check_state(void)
{
	/* IpInReceives: every IPv4 frame once, by the stack that handles it
	 * (a stack that hands a segment over takes it back out) */
	uint64_t ip_seen = mib(fzw.st, PMTCP_MIB_Ip_InReceives);
	uint64_t ip_not = ip_uncounted(fzw.st);

	check_stack(fzw.st);
	if (fzw.stb != NULL) {
		if (fz_injecting("state-b"))
			fzw.stb->tw_count++;
		if (fz_injecting("steer"))
			fzw.st->mib.mib[PMTCP_MIB_Pmtcp_SteeredOut]++;
		if (fz_injecting("arp-reply"))
			fzw.arp_rep_out[1] = fzw.arp_req_in[1] + 1;
		check_stack(fzw.stb);
		ip_not += check_steer(fzw.st, fzw.stb, "A", "B");
		ip_not += check_steer(fzw.stb, fzw.st, "B", "A");
		ip_seen += mib(fzw.stb, PMTCP_MIB_Ip_InReceives);
		ip_not += ip_uncounted(fzw.stb);
	}
	if (fz_injecting("ip-count"))
		ip_seen++;
	if (ip_seen + ip_not != fzw.ip_in)
		fz_fail("IpInReceives %" PRIu64 " (all stacks) + %" PRIu64 " IPv4 frames "
			"shed, queued or in flight between stacks, %" PRIu64 " handed in",
			ip_seen, ip_not, fzw.ip_in);
	/* an ARP reply answers a request that reached the stack itself */
	for (int k = 0; k < 2; k++)
		if (fzw.arp_rep_out[k] > fzw.arp_req_in[k])
			fz_fail("stack %c sent %" PRIu64 " ARP replies for %" PRIu64
				" requests it received (not copies)", k ? 'B' : 'A',
				fzw.arp_rep_out[k], fzw.arp_req_in[k]);
	for (int i = 0; i < FZ_OWNED; i++) {
		const struct pmtcp_sock *sk = fzw.owned[i];

		if (sk != NULL && (sk->state == PMTCP_TCP_CLOSE ||
				   (sk->flags & SK_ORPHAN)))
			fz_fail("the application holds a sock the stack released (state %d)",
				sk->state);
	}
}

/* --------------------------------------------------------------- clock */

void
fz_poll_all(void)
{
	if (fzw.stb != NULL && fzw.b_first)
		pmtcp_stack_poll(fzw.stb, fzw.vtsc);
	pmtcp_stack_poll(fzw.st, fzw.vtsc);
	if (fzw.stb != NULL && !fzw.b_first)
		pmtcp_stack_poll(fzw.stb, fzw.vtsc);
}

/*
 * Time passes. With two stacks, a jump of more than FZ_CLOCK_STEP_MS goes
 * in steps of that, polled and drained after each, as a loop that polls
 * at least that often would: a wheel with a timer armed catches up tick by
 * tick however far behind (pmtcp_timer_wheel_advance()), and two of them
 * made a jump of hours take seconds under the sanitizers (libFuzzer's slow
 * units). Stepped, only the steps while timers are armed cost.
 */
void
fz_clock_advance_ms(uint64_t ms)
{
	while (fzw.stb != NULL && ms > FZ_CLOCK_STEP_MS) {
		fzw.vtsc += FZ_CLOCK_STEP_MS * (fzw.hz / 1000);
		fz_poll_all();
		fz_tx_drain();
		ms -= FZ_CLOCK_STEP_MS;
	}
	fzw.vtsc += ms * (fzw.hz / 1000);
	fz_poll_all();
}

/* After an op: timers due, TX flushed and checked, bookkeeping checked. */
void
fz_settle(void)
{
	fz_burst_flush();
	fz_poll_all();
	fz_tx_drain();
	fz_check_state();
	fzw.tx_this_op = 0;
}

/* ---------------------------------------------------------- the world */

void
fz_slot_init(int i)
{
	struct fz_slot *s = &fzw.slot[i];

	memset(s, 0, sizeof(*s));
	if (i >= FZ_SLOT_B0) {
		/* B's: see world_connections_b() */
		int b = i - FZ_SLOT_B0;

		s->home = 1;
		s->raddr = b == 2 ? FAR_IP : PEER_IP;
		s->rport = (uint16_t)(30000 + b);
		s->lport = 0;
		s->peer_isn = 0x0c000000u * (uint32_t)(b + 1) + 0x3c3c3u;
		s->peer_nxt = s->peer_isn;
		s->peer_ts = b != 3;
		return;
	}
	s->raddr = i == 12 ? FAR_IP : PEER_IP;
	s->rport = (uint16_t)(20000 + i);
	s->lport = LPORT;
	s->peer_isn = i == 3 ? 0xfffffff0u : 0x01000000u * (uint32_t)(i + 1) + 0x5a5a5u;
	s->peer_nxt = s->peer_isn;
	s->peer_ts = i != 11;
}

/* The peer's SYN for @s, Linux's options. */
static void
peer_syn(struct fz_slot *s, uint16_t mss)
{
	struct fz_tcp t;

	fz_tcp_defaults(s, &t);
	t.seq = s->peer_isn;
	t.ack = 0;
	t.flags = TH_SYN;
	t.win = 64240;
	fz_opts_syn(&t, mss, true, s->peer_ts, fz_peer_tsval(s), 0, 7);
	fz_send_tcp(s, &t, false);
	fz_settle();
}

/* The peer's ACK of everything it saw, with @flags and @paylen data. */
static void
peer_ack(struct fz_slot *s, uint8_t flags, uint32_t paylen, uint8_t cmd)
{
	struct fz_tcp t;

	fz_tcp_defaults(s, &t);
	t.seq = s->peer_nxt;
	t.ack = s->out_seq_end;
	t.flags = flags;
	t.win = 502;   /* << 7: 64256 */
	t.paylen = paylen;
	t.cmd = cmd;
	if (fz_slot_uses_ts(s))
		fz_opts_ts(&t, fz_peer_tsval(s), fz_peer_tsecr(s));
	fz_send_tcp(s, &t, false);
	fz_settle();
}

/* An active open from the stack to @s's peer; SYN-ACK from it unless
 * @answer is false. */
static void
active_open(struct fz_slot *s, bool answer)
{
	struct pmtcp_sock *sk = NULL;
	struct pmtcp_sock_info info;
	struct fz_tcp t;

	if (pmtcp_connect(s->home && fzw.stb != NULL ? fzw.stb : fzw.st, s->raddr,
			  s->rport, 0, &sk) != 0 || sk == NULL)
		return;
	fz_owned_add(sk);
	pmtcp_sock_info(sk, &info);
	s->lport = info.sport;
	fz_settle();
	if (!answer)
		return;
	fz_tcp_defaults(s, &t);
	t.seq = s->peer_isn;
	t.ack = s->out_seq_end;
	t.flags = TH_SYN | TH_ACK;
	t.win = 65160;
	if (s->peer_ts)
		fz_opts_syn(&t, 1460, true, true, fz_peer_tsval(s), s->out_tsval, 7);
	else
		fz_opts_syn(&t, 536, false, false, 0, 0, -1);
	fz_send_tcp(s, &t, false);
	fz_settle();
}

struct pmtcp_sock *
fz_owned_sock(const struct fz_slot *s)
{
	struct pmtcp_sock *sk = fz_slot_sock(s);

	return sk != NULL && owned_find(sk) >= 0 ? sk : NULL;
}

/* The twelve connections the input starts from (see fz_slot_init()). */
static void
world_connections(void)
{
	struct pmtcp_sock *sk;
	static uint8_t data[3000];

	/* 0: SYN_SENT, 1: ESTABLISHED (active), 11: same without options */
	active_open(&fzw.slot[0], false);
	active_open(&fzw.slot[1], true);
	active_open(&fzw.slot[11], true);
	/* 2: SYN_RECV */
	peer_syn(&fzw.slot[2], 1460);
	/* 3..10, 12: ESTABLISHED passive, then on to their states */
	for (int i = 3; i <= 12; i++) {
		if (i == 11)
			continue;
		peer_syn(&fzw.slot[i], i == 12 ? 1400 : 1460);
		peer_ack(&fzw.slot[i], TH_ACK, 0, 0);
	}
	/* 4: FIN_WAIT1; 5: FIN_WAIT2; 6: TIME_WAIT; 7: CLOSING */
	for (int i = 4; i <= 7; i++) {
		sk = fz_owned_sock(&fzw.slot[i]);
		if (sk != NULL)
			fz_app_close(fz_sock_stack(sk), sk);
		fz_settle();
	}
	peer_ack(&fzw.slot[5], TH_ACK, 0, 0);
	peer_ack(&fzw.slot[6], TH_ACK, 0, 0);
	peer_ack(&fzw.slot[6], TH_ACK | TH_FIN, 0, 0);
	fzw.slot[7].out_seq_end--;   /* its FIN not acknowledged */
	peer_ack(&fzw.slot[7], TH_ACK | TH_FIN, 0, 0);
	fzw.slot[7].out_seq_end++;
	/* 8: CLOSE_WAIT; 9: LAST_ACK */
	peer_ack(&fzw.slot[8], TH_ACK | TH_FIN, 0, 0);
	peer_ack(&fzw.slot[9], TH_ACK | TH_FIN, 0, 0);
	sk = fz_owned_sock(&fzw.slot[9]);
	if (sk != NULL)
		fz_app_close(fz_sock_stack(sk), sk);
	/* 10: data in flight, none of it acknowledged */
	sk = fz_owned_sock(&fzw.slot[10]);
	if (sk != NULL)
		pmtcp_send(fz_sock_stack(sk), sk, data, sizeof(data));
	/* 3: some data from the peer, acknowledged or pending */
	peer_ack(&fzw.slot[3], TH_ACK | TH_PSH, 100, 7);
	fz_settle();
}

/* Stack B's connections, all active (their replies reach A, which hands
 * them over, unless the port spreads them to B): B+0 SYN_SENT, B+1
 * ESTABLISHED, B+2 the same through the gateway, B+3 without options,
 * B+4 with 3000 bytes in flight, B+5 FIN_WAIT2; B+6 and B+7 take B's
 * new connections. */
static void
world_connections_b(void)
{
	struct fz_slot *b = &fzw.slot[FZ_SLOT_B0];
	struct pmtcp_sock *sk;
	static uint8_t data[3000];

	active_open(&b[0], false);
	for (int i = 1; i <= 5; i++)
		active_open(&b[i], true);
	sk = fz_owned_sock(&b[4]);
	if (sk != NULL)
		pmtcp_send(fz_sock_stack(sk), sk, data, sizeof(data));
	sk = fz_owned_sock(&b[5]);
	if (sk != NULL) {
		fz_app_close(fz_sock_stack(sk), sk);
		fz_settle();
		peer_ack(&b[5], TH_ACK, 0, 0);
	}
	fz_settle();
}

/* The stack's clock on the virtual one: far ahead of the real TSC, moved
 * by us only */
static void
clock_set(struct pmtcp_stack *st)
{
	st->tsc_base = fzw.vtsc;
	st->now_tsc = fzw.vtsc;
	st->now_ms = 0;
	st->wheel.tsc_base = fzw.vtsc;
}

/* The two-stack mode's interface: queue 0 of 2 with software steering,
 * the RETA and key by @cfg3 (fuzz_ops.c) */
static void
two_iface_conf(struct pmtcp_iface_conf *ic, uint8_t cfg3)
{
	/* a symmetric Toeplitz key (0x6d5a repeated) */
	static const uint8_t sym_key[40] = {
		0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
		0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
		0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
		0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	};
	static const uint16_t retas[4][4] = {
		{ 0 }, { 0, 1, 1, 1 }, { 1 }, { 1, 0 },
	};
	static const uint16_t reta_sizes[4] = { 0, 4, 1, 2 };

	ic->queue_id = 0;
	ic->nb_queues = 2;
	ic->steer = PMTCP_STEER_SOFTWARE;
	ic->reta_size = reta_sizes[cfg3 & 3];
	memcpy(ic->reta, retas[cfg3 & 3], sizeof(retas[0]));
	if (cfg3 & 4) {
		memcpy(ic->rss_key, sym_key, sizeof(sym_key));
		ic->rss_key_len = sizeof(sym_key);
	}
}

/*
 * The two-stack mode: B is created with @c on queue 1 of A's interface
 * @ic, and each stack is the other's peer. cfg2 bits 5-7 and @cfg3:
 * fuzz_ops.c.
 */
static void
two_stacks(struct pmtcp_stack_conf *c, struct pmtcp_iface_conf *ic,
	   uint8_t cfg2, uint8_t cfg3)
{
	struct pmtcp_stack *stb;
	int ret;

	fzw.spread = (cfg2 & 0x20) != 0;
	fzw.b_first = (cfg3 & 8) != 0;
	fzw.poolb = (cfg2 & 0x40) ? fz_tx_pool_b : fzw.pool;
	c->name = "fuzz_b";
	c->pool = fzw.poolb;
	stb = pmtcp_stack_create(c);
	if (stb == NULL)
		fz_fail("pmtcp_stack_create (B): %d", rte_errno);
	fzw.stb = stb;
	clock_set(stb);
	ic->queue_id = 1;
	ret = pmtcp_stack_add_iface(stb, ic);
	if (ret != 0)
		fz_fail("pmtcp_stack_add_iface (B): %d", ret);
	for (uint16_t q = 0; q < 2; q++)
		if (pmtcp_stack_set_peer(fzw.st, fz_port, q, q ? stb : fzw.st) != 0 ||
		    pmtcp_stack_set_peer(stb, fz_port, q, q ? stb : fzw.st) != 0)
			fz_fail("pmtcp_stack_set_peer");
	if (pmtcp_stack_set_peer(stb, fz_port, 2, stb) != -EINVAL ||
	    pmtcp_stack_set_peer(stb, (uint16_t)(fz_port + 1), 0, stb) != -EINVAL)
		fz_fail("pmtcp_stack_set_peer: a queue or port it does not have taken");
	/* B's listeners: those of A, as an application listens on every
	 * lcore (cfg3 bit 4: none, SYNs reaching it go by the hash) */
	if (!(cfg3 & 0x10) &&
	    (pmtcp_listen(stb, LPORT) != 0 || pmtcp_listen(stb, LPORT2) != 0))
		fz_fail("pmtcp_listen (B)");
	fzw.nslot = FZ_NSLOT_ALL;
}

void
fz_world_create(uint8_t cfg0, uint8_t cfg1, uint8_t cfg2, uint8_t cfg3)
{
	static const uint16_t mtus[4] = { 1500, 576, 9000, 1280 };
	struct pmtcp_stack_conf c;
	struct pmtcp_iface_conf ic;
	struct pmtcp_stack *st;
	bool small = (cfg0 & 0x80) != 0;
	bool two = (cfg2 & 0x10) != 0;
	int ret;

	memset(&fzw, 0, sizeof(fzw));
	fzw.nslot = FZ_NSLOT;
	fzw.hz = rte_get_tsc_hz();
	pmtcp_stack_conf_init(&c);
	c.name = "fuzz";
	fzw.pool = (cfg2 & 4) ? fz_tx_small : fz_tx_pool;
	c.pool = fzw.pool;
	c.max_conns = small ? 24 : 64;
	c.max_listeners = 4;
	c.arp_pending_max = small ? 2 : 8;
	c.timer_slots = 1024;
	c.sysctl.neigh_gc_thresh3 = 64;
	c.sysctl.tcp_syncookies = (cfg0 & 3) == 3 ? 1 : cfg0 & 3;
	c.sysctl.tcp_timestamps = !(cfg0 & 4);
	c.sysctl.tcp_sack = !(cfg0 & 8);
	c.sysctl.tcp_window_scaling = !(cfg0 & 0x10);
	if (cfg0 & 0x20)
		c.sysctl.tcp_ecn = 1;
	c.sysctl.tcp_tw_reuse = (cfg0 & 0x40) ? 1 : 0;
	if (small) {
		c.sysctl.tcp_max_syn_backlog = 2;
		c.sysctl.neigh_gc_thresh3 = 4;
		c.sysctl.tcp_max_tw_buckets = 2;
		c.sysctl.tcp_challenge_ack_limit = 2;
		c.sysctl.ip_local_port_range[0] = 40000;
		c.sysctl.ip_local_port_range[1] = 40003;
	}
	c.cb.connected = cb_connected;
	c.cb.accepted = cb_accepted;
	c.cb.failed = cb_failed;
	c.cb.closed = cb_closed;
	c.cb.recv = cb_recv;
	c.cb.peer_closed = cb_peer_closed;
	if (two)
		c.inbox_size = (cfg2 & 0x80) ? 4 : 256;
	st = pmtcp_stack_create(&c);
	if (st == NULL)
		fz_fail("pmtcp_stack_create: %d", rte_errno);
	fzw.st = st;
	/* the virtual clock: far ahead of the real TSC, moved by us only */
	fzw.vtsc = rte_rdtsc() + FZ_AHEAD;
	clock_set(st);

	memset(&ic, 0, sizeof(ic));
	ic.port_id = fz_port;
	ic.addr = OUR_IP;
	ic.prefix_len = 24;
	ic.gateway = (cfg2 & 2) ? 0 : GW_IP;
	ic.mac = fz_our_mac;
	ic.mtu = mtus[cfg1 & 3];
	ic.rx_cksum = (cfg1 & 4) != 0;
	ic.tx_ip_cksum = ic.tx_tcp_cksum = (cfg1 & 8) != 0;
	ic.rx_csum_partial = (cfg1 & 8) != 0;
	if (two)
		two_iface_conf(&ic, cfg3);
	ret = pmtcp_stack_add_iface(st, &ic);
	if (ret == -EMSGSIZE) {
		/* the pool's mbufs cannot carry that MTU: refused, rightly */
		ic.mtu = 1500;
		ret = pmtcp_stack_add_iface(st, &ic);
	}
	if (ret != 0)
		fz_fail("pmtcp_stack_add_iface: %d", ret);
	if (two)
		two_stacks(&c, &ic, cfg2, cfg3);
	fzw.mtu = ic.mtu;
	fzw.tx_offload = ic.tx_tcp_cksum;
	fzw.rx_flags = ic.rx_cksum;
	fzw.auto_arp = !(cfg1 & 0x10);
	fzw.app_echo = (cfg1 & 0x40) != 0;
	fzw.app_close_on_fin = (cfg1 & 0x80) != 0;
	fzw.rx_ring = (cfg2 & 1) != 0;
	fzw.app_hostile = (cfg2 & 8) != 0;
	if (cfg1 & 0x20) {
		pmtcp_stack_set_trace(st, PMTCP_TRACE_SEGMENT, trace_sink, NULL);
		if (fzw.stb != NULL)
			pmtcp_stack_set_trace(fzw.stb, PMTCP_TRACE_SEGMENT,
					      trace_sink, NULL);
	}
	fz_note_sysctl();
	if (pmtcp_listen(st, LPORT) != 0 || pmtcp_listen(st, LPORT2) != 0)
		fz_fail("pmtcp_listen");
	for (unsigned int i = 0; i < fzw.nslot; i++)
		fz_slot_init((int)i);
	fzw.in_setup = true;
	world_connections();
	if (fzw.stb != NULL)
		world_connections_b();
	fzw.in_setup = false;
	fzw.frames_in = 0;
	fzw.have_last = false;
	if (fz_verbose)
		fz_dump("after setup");
}

/* PMTCP_FUZZ_VERBOSE=1: each slot's connection, to stderr */
void
fz_dump(const char *when)
{
	fprintf(stderr, "pmtcp_fuzz: %s, now %u ms:\n", when, fzw.st->now_ms);
	for (unsigned int i = 0; i < fzw.nslot; i++) {
		const struct fz_slot *s = &fzw.slot[i];
		const struct pmtcp_sock *sk = fz_slot_sock(s);

		if (fzw.stb != NULL)   /* the stack that holds it */
			fprintf(stderr, "  %c", sk == NULL ? '-' :
				fz_sock_stack(sk) == fzw.st ? 'A' : 'B');
		fprintf(stderr, "  slot %2u %08x:%u > :%u %-11s%s", i,
			rte_be_to_cpu_32(s->raddr), s->rport, s->lport,
			sk != NULL ? pmtcp_tcp_state_name(sk->state) : "-",
			sk != NULL && owned_find(sk) >= 0 ? " (app)" : "");
		if (sk != NULL)
			fprintf(stderr, " una %u nxt %u rcv %u wnd %u mss %u rto %u",
				sk->snd_una - sk->iss, sk->snd_nxt - sk->iss,
				sk->rcv_nxt - sk->irs, sk->snd_wnd, sk->mss,
				sk->rto_ms);
		fprintf(stderr, "\n");
	}
}

static void
check_wheel(struct pmtcp_stack *st)
{
	int64_t armed = pmtcp_timer_wheel_check(&st->wheel);

	if (armed < 0 || (uint64_t)armed != st->wheel.armed)
		fz_fail("timer wheel corrupt (%" PRId64 " found, %" PRIu64 " armed)",
			armed, st->wheel.armed);
}

static void
ring_empty(struct rte_ring *r)
{
	struct rte_mbuf *pkts[64];
	unsigned int n;

	while ((n = rte_ring_dequeue_burst(r, (void **)pkts, 64, NULL)) > 0)
		rte_pktmbuf_free_bulk(pkts, n);
}

/* Free the stacks and every mbuf: every pool must be whole again (what
 * waits in an inbox, too: pmtcp_stack_free() frees it). */
void
fz_world_destroy(void)
{
	fz_burst_flush();
	if (fz_injecting("leak"))
		rte_pktmbuf_alloc(fzw.pool);
	if (fz_injecting("leak-b") && fzw.stb != NULL)
		rte_pktmbuf_alloc(fzw.poolb);
	if (fz_injecting("double-free")) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(fz_rx_pool);

		rte_pktmbuf_free(m);
		rte_pktmbuf_free(m);
	}
	if (fz_injecting("use-after-free")) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(fz_rx_pool);
		volatile uint32_t *len = &m->pkt_len;

		rte_pktmbuf_free(m);
		if (*len == UINT32_MAX)   /* read after free: poisoned */
			abort();
	}
	if (fz_injecting("state"))
		fzw.st->tw_count++;
	fz_check_state();
	check_wheel(fzw.st);
	if (fzw.stb != NULL)
		check_wheel(fzw.stb);
	if (fz_verbose && fzw.stb != NULL)
		for (int k = 0; k < 2; k++) {
			struct pmtcp_stack *st = k ? fzw.stb : fzw.st;

			fprintf(stderr, "pmtcp_fuzz: stack %c: SteeredOut %" PRIu64
				" SteeredIn %" PRIu64 " SteerDrops %" PRIu64
				" ArpShared %" PRIu64 ", %u in its inbox\n",
				k ? 'B' : 'A', mib(st, PMTCP_MIB_Pmtcp_SteeredOut),
				mib(st, PMTCP_MIB_Pmtcp_SteeredIn),
				mib(st, PMTCP_MIB_Pmtcp_SteerDrops),
				mib(st, PMTCP_MIB_Pmtcp_ArpShared),
				rte_ring_count(st->inbox));
		}
	pmtcp_stack_free(fzw.st);
	fzw.st = NULL;
	if (fzw.stb != NULL) {
		pmtcp_stack_free(fzw.stb);
		fzw.stb = NULL;
	}
	ring_empty(fz_tx_ring);
	ring_empty(fz_rx_ring);
	ring_empty(fz_tx_ring_b);
	ring_empty(fz_rx_ring_b);
	if (rte_mempool_in_use_count(fz_rx_pool) != 0)
		fz_fail("%u received mbufs never freed", rte_mempool_in_use_count(fz_rx_pool));
	if (rte_mempool_in_use_count(fzw.pool) != 0)
		fz_fail("%u mbufs of the stack's pool never freed",
			rte_mempool_in_use_count(fzw.pool));
	if (fzw.poolb != NULL && fzw.poolb != fzw.pool &&
	    rte_mempool_in_use_count(fzw.poolb) != 0)
		fz_fail("%u mbufs of stack B's pool never freed",
			rte_mempool_in_use_count(fzw.poolb));
}

/* ------------------------------------------------------------ libFuzzer */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char prefix[64];
	char *eal[] = { "pmtcp_fuzz", "--no-huge", "--no-pci", "-m", "128",
			"--no-telemetry", "--log-level=error",
			"--log-level=lib.pmtcp:critical", "-l", "0",
			"--file-prefix", prefix, "--no-shconf", NULL };
	struct rte_eth_conf conf;
	struct rte_ring *rx[2], *tx[2];
	cpu_set_t cpus;
	int have_cpus;
	int port;

	(void)argc;
	(void)argv;
	fz_verbose = getenv("PMTCP_FUZZ_VERBOSE") != NULL;
	fz_inject = getenv("PMTCP_FUZZ_INJECT");
	snprintf(prefix, sizeof(prefix), "pmtcp_fuzz_%d", (int)getpid());
	/* EAL pins the thread to lcore 0: give the CPUs back afterwards */
	have_cpus = sched_getaffinity(0, sizeof(cpus), &cpus) == 0;
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0)
		fz_fail("rte_eal_init failed");
	if (have_cpus)
		sched_setaffinity(0, sizeof(cpus), &cpus);
	fz_rx_pool = fz_pool_create("fz_rx", 2047, RTE_MBUF_DEFAULT_BUF_SIZE);
	fz_tx_pool = fz_pool_create("fz_tx", 4095, RTE_MBUF_DEFAULT_BUF_SIZE);
	fz_tx_small = fz_pool_create("fz_tx_small", 64, RTE_MBUF_DEFAULT_BUF_SIZE);
	fz_tx_pool_b = fz_pool_create("fz_tx_b", 4095, RTE_MBUF_DEFAULT_BUF_SIZE);
	fz_rx_ring = rte_ring_create("fz_rx_ring", 64, SOCKET_ID_ANY,
				  RING_F_SP_ENQ | RING_F_SC_DEQ);
	fz_tx_ring = rte_ring_create("fz_tx_ring", 1024, SOCKET_ID_ANY,
				  RING_F_SP_ENQ | RING_F_SC_DEQ);
	fz_rx_ring_b = rte_ring_create("fz_rx_ring_b", 64, SOCKET_ID_ANY,
				    RING_F_SP_ENQ | RING_F_SC_DEQ);
	fz_tx_ring_b = rte_ring_create("fz_tx_ring_b", 1024, SOCKET_ID_ANY,
				    RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (fz_rx_pool == NULL || fz_tx_pool == NULL || fz_tx_small == NULL ||
	    fz_tx_pool_b == NULL || fz_rx_ring == NULL || fz_tx_ring == NULL ||
	    fz_rx_ring_b == NULL || fz_tx_ring_b == NULL)
		fz_fail("pools and rings: %s", rte_strerror(rte_errno));
	/* queue 0: stack A's (the only one of the one-stack mode), queue 1:
	 * stack B's */
	rx[0] = fz_rx_ring;
	rx[1] = fz_rx_ring_b;
	tx[0] = fz_tx_ring;
	tx[1] = fz_tx_ring_b;
	port = rte_eth_from_rings("fz_ring", rx, 2, tx, 2, SOCKET_ID_ANY);
	if (port < 0)
		fz_fail("rte_eth_from_rings failed");
	fz_port = (uint16_t)port;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(fz_port, 2, 2, &conf) != 0)
		fz_fail("port setup failed");
	for (uint16_t q = 0; q < 2; q++)
		if (rte_eth_rx_queue_setup(fz_port, q, 64, 0, NULL, fz_rx_pool) != 0 ||
		    rte_eth_tx_queue_setup(fz_port, q, 1024, 0, NULL) != 0)
			fz_fail("port setup failed");
	if (rte_eth_dev_start(fz_port) != 0)
		fz_fail("port setup failed");
	return 0;
}

