/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PMTCP_TCP_H
#define PMTCP_TCP_H

/*
 * Private TCP definitions: the connection (struct pmtcp_sock), parsed
 * options, and the functions the tcp_*.c files share. Names follow
 * include/net/tcp.h.
 */

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_jhash.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>

#include "pmtcp_priv.h"
#include "tcp_seq.h"

#define TCP_MSS_DEFAULT 536U        /* RFC 1122: MSS when the peer sends none */
#define TCP_MAX_WSCALE 14U          /* RFC 7323 section 2.3 */
#define TCP_TIMEWAIT_LEN_MS 60000U  /* TCP_TIMEWAIT_LEN: 2 MSL */

/* TCP flags (rte_tcp.h spells them RTE_TCP_*_FLAG) */
#define TH_FIN RTE_TCP_FIN_FLAG
#define TH_SYN RTE_TCP_SYN_FLAG
#define TH_RST RTE_TCP_RST_FLAG
#define TH_PSH RTE_TCP_PSH_FLAG
#define TH_ACK RTE_TCP_ACK_FLAG
#define TH_URG RTE_TCP_URG_FLAG
#define TH_ECE RTE_TCP_ECE_FLAG
#define TH_CWR RTE_TCP_CWR_FLAG

/* Option kinds and lengths (RFC 9293, 2018, 7323) */
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WINDOW 3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_SACK 5
#define TCPOPT_TIMESTAMP 8
#define TCPOLEN_MSS 4
#define TCPOLEN_WINDOW 3
#define TCPOLEN_SACK_PERM 2
#define TCPOLEN_TIMESTAMP 10
#define TCPOLEN_TSTAMP_ALIGNED 12
#define TCP_SYN_OPTS_MAX 20          /* MSS + SACKPERM/TS + NOP/WS */

/* Options seen in a segment (tcp_parse_options()'s rx_opt). */
struct pmtcp_tcp_opts {
	uint32_t rcv_tsval;
	uint32_t rcv_tsecr;
	uint16_t mss_clamp;          /* 0 when no MSS option */
	uint8_t snd_wscale;
	uint8_t saw_tstamp : 1;
	uint8_t wscale_ok : 1;
	uint8_t sack_ok : 1;
};

/* sk->flags */
#define SK_TSTAMP_OK   0x01
#define SK_WSCALE_OK   0x02
#define SK_SACK_OK     0x04
#define SK_ECN_OK      0x08
#define SK_ACTIVE      0x10   /* we sent the first SYN */
#define SK_LISTEN_CHILD 0x20  /* counted in a listener's SYN queue */
#define SK_FIN_QUEUED  0x40   /* the application closed: FIN after sndq */
#define SK_ORPHAN      0x80   /* the application is done with it (closed
				* callback made); TIME_WAIT, LAST_ACK ... */

/* sk->timer.kind / sk->dtimer.kind */
enum {
	SK_TIMER_RETRANS = 1,   /* SYN, SYN-ACK, data, FIN; FIN_WAIT2 */
	SK_TIMER_DELACK,        /* delayed ACK */
	SK_TIMER_TW,            /* a struct pmtcp_tw's 2 MSL, no timestamps */
	SK_TIMER_TW_TSTAMP,     /* the same, timestamps in use */
};

/*
 * A connection: three cache lines, 192 bytes, allocated aligned.
 *
 * Line 1, what every segment reads (lookup, state, sequence space):
 *   hnext 8 | saddr daddr 8 | sport dport 4 | state iface retrans flags 4
 *   snd_una snd_nxt rcv_nxt 12 | iss irs 8 | ts_off ts_recent 8
 *   retrans_stamp rto_ms 8 | mss advmss 4                          = 64
 * Line 2, the retransmission timer and what the handshake reads once:
 *   timer 32 | srtt rttvar 8 | snd_wnd rcv_wnd 8 | rx_mss ip_id 4
 *   snd_wscale rcv_wscale listener quickack 4 | open_tsc 8           = 64
 * Line 3, data and close:
 *   dtimer 32 (its owner32: last_oow_ack_ms) | user_data 8 | sndq 8
 *   sndq_len sndq_seq 8 | rcv_wup ts_recent_stamp 8                  = 64
 * The next hop is not stored: pmtcp_route_nexthop() derives it from the
 * interface and the peer address.
 */
struct pmtcp_sock {
	/* --- line 1 --- */
	struct pmtcp_sock *hnext;    /* hash chain / free list */
	uint32_t saddr;              /* local address, network order */
	uint32_t daddr;              /* remote address, network order */
	uint16_t sport;              /* local port, network order */
	uint16_t dport;              /* remote port, network order */
	uint8_t state;               /* enum pmtcp_tcp_state */
	uint8_t iface;               /* index in st->ifaces */
	uint8_t retransmits;         /* icsk_retransmits */
	uint8_t flags;               /* SK_* */
	uint32_t snd_una;
	uint32_t snd_nxt;
	uint32_t rcv_nxt;
	uint32_t iss;                /* our ISN (write_seq at connect) */
	uint32_t irs;                /* peer's ISN */
	uint32_t ts_off;             /* tp->tsoffset */
	uint32_t ts_recent;          /* peer's last TSval */
	uint32_t retrans_stamp;      /* tcp_time_stamp of the first SYN */
	uint32_t rto_ms;             /* icsk_rto */
	uint16_t mss;                /* effective send MSS */
	uint16_t advmss;             /* what we advertise */
	/* --- line 2 --- */
	struct pmtcp_timer timer;    /* retransmit / FIN_WAIT2 / TIME_WAIT */
	uint32_t srtt_us;            /* RFC 6298 SRTT (plain us, not <<3) */
	uint32_t rttvar_us;          /* RFC 6298 RTTVAR */
	uint32_t snd_wnd;            /* peer's window (scaled) */
	uint32_t rcv_wnd;            /* our advertised window */
	uint16_t rx_mss;             /* peer's MSS option (mss_clamp) */
	uint16_t ip_id;              /* inet_id */
	uint8_t snd_wscale;          /* peer's shift */
	uint8_t rcv_wscale;          /* our shift */
	uint8_t listener;            /* listener index + 1 for SK_LISTEN_CHILD */
	uint8_t quickack;            /* icsk_ack.quick: ACKs still sent at once */
	uint64_t open_tsc;           /* connect()/SYN arrival */
	/* --- line 3 --- */
	struct pmtcp_timer dtimer;   /* delayed ACK; dtimer.owner32 is
				      * tp->last_oow_ack_time (ms, 0 = never),
				      * see sk_last_oow_ack() */
	uint64_t user_data;
	struct rte_mbuf *sndq;       /* bytes sent or to send, not yet acked */
	uint32_t sndq_len;           /* bytes in sndq */
	uint32_t sndq_seq;           /* sequence number of sndq's first byte */
	uint32_t rcv_wup;            /* rcv_nxt when we last sent an ACK */
	uint32_t ts_recent_stamp;    /* tcp_time_stamp when ts_recent was taken */
} __rte_cache_aligned;

static_assert(sizeof(struct pmtcp_sock) == 3 * RTE_CACHE_LINE_SIZE,
	      "struct pmtcp_sock is three cache lines");
static_assert(offsetof(struct pmtcp_sock, timer) == RTE_CACHE_LINE_SIZE,
	      "line 1 of struct pmtcp_sock is full");
static_assert(offsetof(struct pmtcp_sock, dtimer) == 2 * RTE_CACHE_LINE_SIZE,
	      "line 2 of struct pmtcp_sock is full");

/*
 * A TIME_WAIT (inet_timewait_sock + tcp_timewait_sock): one cache line,
 * kept apart from the socks as Linux keeps it, so that a connection
 * closing at full rate holds 64 bytes for its 60 s, not 192. What the
 * TIME_WAIT rules (tcp_timewait_state_process()) and its ACK
 * (tcp_v4_timewait_ack()) read:
 *   timer 32 (kind: SK_TIMER_TW or SK_TIMER_TW_TSTAMP, the timestamps
 *   flag; owner8: the interface; owner16: the window it advertises,
 *   scaled; owner32: last_oow_ack_ms) | saddr daddr 8 | sport dport 4 |
 *   snd_nxt rcv_nxt 8 | ts_off ts_recent ts_recent_stamp 12       = 64
 * A free entry's timer.next links the free list. The connection table's
 * slot names it with PMTCP_EHASH_TW (pmtcp_priv.h).
 */
struct pmtcp_tw {
	struct pmtcp_timer timer;    /* the 2 MSL */
	uint32_t saddr;              /* network order, as in the sock */
	uint32_t daddr;
	uint16_t sport;
	uint16_t dport;
	uint32_t snd_nxt;            /* tw_snd_nxt */
	uint32_t rcv_nxt;            /* tw_rcv_nxt */
	uint32_t ts_off;             /* tw_ts_offset */
	uint32_t ts_recent;          /* tw_ts_recent */
	uint32_t ts_recent_stamp;    /* tw_ts_recent_stamp */
} __rte_cache_aligned;

static_assert(sizeof(struct pmtcp_tw) == RTE_CACHE_LINE_SIZE,
	      "struct pmtcp_tw is one cache line");

static inline bool
tw_tstamp_ok(const struct pmtcp_tw *tw)
{
	return tw->timer.kind == SK_TIMER_TW_TSTAMP;
}

/* tw->tw_last_oow_ack_time */
static inline uint32_t *
tw_last_oow_ack(struct pmtcp_tw *tw)
{
	return &tw->timer.owner32;
}

/* tp->last_oow_ack_time: when this connection last sent a duplicate ACK
 * for an invalid segment (tcp_oow_rate_limited()); kept in the delayed
 * ACK timer's spare bytes. */
static inline uint32_t *
sk_last_oow_ack(struct pmtcp_sock *sk)
{
	return &sk->dtimer.owner32;
}

/* tcp_conn_table.c */
/* @max socks and @max_tw TIME_WAIT entries */
int pmtcp_conn_table_init(struct pmtcp_stack *st, uint32_t max, uint32_t max_tw,
			  int socket);
void pmtcp_conn_table_fini(struct pmtcp_stack *st);
struct pmtcp_sock *pmtcp_sock_alloc(struct pmtcp_stack *st);
/* Insert into the hash (4-tuple must be set). */
void pmtcp_sock_hash(struct pmtcp_stack *st, struct pmtcp_sock *sk);
/* The same from @first, the tuple's first slot (pmtcp_ehash_slot()) */
void pmtcp_sock_hash_at(struct pmtcp_stack *st, struct pmtcp_sock *sk,
			const struct pmtcp_ehash_slot *first);
/* Insert an active open (tcp_v4_connect()): into its interface's port
 * map when its entry is free (struct pmtcp_portmap), else the table */
void pmtcp_sock_hash_active(struct pmtcp_stack *st, struct pmtcp_sock *sk);
/* Remove from the hash, cancel its timer, return it to the free list. */
void pmtcp_sock_free(struct pmtcp_stack *st, struct pmtcp_sock *sk);
/* inet_ehashfn(): the 4-tuple's first slot in the connection table, all
 * arguments network order. */
static inline uint32_t
pmtcp_ehashfn(const struct pmtcp_stack *st, uint32_t laddr, uint32_t raddr,
	      uint32_t ports)
{
	return rte_jhash_3words(laddr, raddr, ports, st->hash_seed) &
	       st->slot_mask;
}

static inline const struct pmtcp_ehash_slot *
pmtcp_ehash_slot(const struct pmtcp_stack *st, uint32_t laddr, uint16_t lport,
		 uint32_t raddr, uint16_t rport)
{
	return &st->slots[pmtcp_ehashfn(st, laddr, raddr,
					((uint32_t)lport << 16) | rport)];
}

/* The port map entry of (@laddr, @lport), network order: NULL when no
 * map covers them */
static inline uint32_t *
pmtcp_pmap_entry(const struct pmtcp_stack *st, uint32_t laddr, uint16_t lport)
{
	if (likely(!st->has_pmap))
		return NULL;
	for (uint16_t k = 0; k < st->n_ifaces; k++) {
		const struct pmtcp_iface *ifc = &st->ifaces[k];
		const struct pmtcp_portmap *pm = ifc->pmap;
		uint32_t a = rte_be_to_cpu_32(laddr) - ifc->addr_first;
		uint32_t p;

		if (pm == NULL || a >= pm->n_addrs)
			continue;
		p = (uint32_t)rte_be_to_cpu_16(lport) - pm->low;
		return p < pm->n && pm->addr[a] != NULL ? &pm->addr[a][p] : NULL;
	}
	return NULL;
}

/* The first slot of @m's 4-tuple (all arguments from @m's headers):
 * where rx_classify() or synq_run() left it while @m is the frame being
 * handled, else hashed now. Its lookup and, for a SYN, its child's
 * insert start there. */
static inline const struct pmtcp_ehash_slot *
pmtcp_rx_slot(const struct pmtcp_stack *st, const struct rte_mbuf *m,
	      uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
	return st->rx_hint_m == m ? st->rx_hint_slot :
	       pmtcp_ehash_slot(st, laddr, lport, raddr, rport);
}

/* A hint for a lookup to come: the sock of the tuple's first slot, if
 * any (its first line holds the 4-tuple and the state) */
static inline void
pmtcp_ehash_prefetch_sock(const struct pmtcp_stack *st,
			  const struct pmtcp_ehash_slot *s)
{
	if (s->sock == 0)
		return;
	if (likely(!(s->sock & PMTCP_EHASH_TW)))
		rte_prefetch0(&st->socks[s->sock - 1]);
	else
		rte_prefetch0(&st->tws[(s->sock & ~PMTCP_EHASH_TW) - 1]);
}
/* __inet_lookup_established(): the slot value of the 4-tuple (all
 * arguments network order): 0 for none, PMTCP_EHASH_TW | index + 1 for a
 * TIME_WAIT, else a sock's index + 1. */
uint32_t pmtcp_ehash_lookup(const struct pmtcp_stack *st, uint32_t laddr,
			    uint16_t lport, uint32_t raddr, uint16_t rport);
/* The same for a received frame @m: from the slot its classifier left
 * (pmtcp_rx_slot()), the 4-tuple from @m's headers */
uint32_t pmtcp_ehash_lookup_rx(const struct pmtcp_stack *st,
			       const struct rte_mbuf *m, uint32_t laddr,
			       uint16_t lport, uint32_t raddr, uint16_t rport);
/* The full sock of the 4-tuple, NULL when none (or a TIME_WAIT). */
struct pmtcp_sock *pmtcp_sock_lookup(const struct pmtcp_stack *st,
				     uint32_t laddr, uint16_t lport,
				     uint32_t raddr, uint16_t rport);
/* The TIME_WAIT of the 4-tuple, NULL when none. */
struct pmtcp_tw *pmtcp_tw_lookup(const struct pmtcp_stack *st, uint32_t laddr,
				 uint16_t lport, uint32_t raddr, uint16_t rport);
static inline struct pmtcp_tw *
pmtcp_ehash_tw(const struct pmtcp_stack *st, uint32_t id)
{
	return &st->tws[(id & ~PMTCP_EHASH_TW) - 1];
}
/* tcp_time_wait()'s inet_twsk_alloc() + __inet_twsk_hashdance(): a
 * TIME_WAIT entry for @sk takes over its slot in the table, its 2 MSL
 * armed; NULL (nothing changed) when none is free. */
struct pmtcp_tw *pmtcp_tw_hashdance(struct pmtcp_stack *st,
				    const struct pmtcp_sock *sk);
/* inet_twsk_kill(): the TIME_WAIT is over, its 4-tuple free. */
void pmtcp_tw_kill(struct pmtcp_stack *st, struct pmtcp_tw *tw);
/* A full sock's view of @tw (zeroed but for what the TIME_WAIT keeps),
 * for what reads a sock: the ACK builder, PAWS, pmtcp_stack_conn_walk(). */
void pmtcp_tw_to_sock(const struct pmtcp_stack *st, const struct pmtcp_tw *tw,
		      struct pmtcp_sock *sk);
/* What a connect() inherits from a TIME_WAIT it takes over. */
struct pmtcp_tw_reuse {
	uint32_t write_seq;          /* 0 = no TIME_WAIT was reused */
	uint32_t ts_recent;
	uint32_t ts_recent_stamp;
};
/* __inet_hash_connect(): choose a free local port from ip_local_port_range
 * (or a reusable TIME_WAIT one, filling @reuse when not NULL), whose
 * replies @ifc's RSS brings to its own queue (@ifc may be NULL: any).
 * Returns the port in host order, or 0 when none is free. */
uint16_t pmtcp_inet_hash_connect(struct pmtcp_stack *st,
				 const struct pmtcp_iface *ifc, uint32_t saddr,
				 uint32_t daddr, uint16_t dport_be,
				 struct pmtcp_tw_reuse *reuse);
/* The same, saying in @lookups how many table lookups the walk took in
 * the parity class it found the port in */
uint16_t pmtcp_inet_hash_connect_walk(struct pmtcp_stack *st,
				      const struct pmtcp_iface *ifc,
				      uint32_t saddr, uint32_t daddr,
				      uint16_t dport_be,
				      struct pmtcp_tw_reuse *reuse,
				      uint32_t *lookups);
/* Ticks for the wheel from ms. */
uint64_t pmtcp_ms_to_ticks(const struct pmtcp_stack *st, uint32_t ms);

/* tcp_options.c */
int pmtcp_tcp_parse_options(const struct rte_tcp_hdr *th, unsigned int optlen,
			    struct pmtcp_tcp_opts *opt);
/* tcp_options_write() for a SYN / SYN-ACK. Returns bytes written (<= 20);
 * *@sum (if not NULL) gets their checksum words' sum (tcp_csum.h). */
unsigned int pmtcp_tcp_syn_options_write(uint8_t *p, uint16_t mss,
					 bool tstamp, uint32_t tsval,
					 uint32_t tsecr, bool sack,
					 bool wscale, uint8_t ws, uint64_t *sum);

/* tcp_output.c */
/* Build and queue a segment for @sk with @flags; SYN segments carry the
 * SYN options. Returns 0 or -ENOBUFS. */
int pmtcp_tcp_transmit(struct pmtcp_stack *st, struct pmtcp_sock *sk,
		       uint8_t flags, uint32_t seq, bool retrans);
int pmtcp_tcp_connect(struct pmtcp_stack *st, struct pmtcp_sock *sk);
/* tcp_write_xmit(): new data within the windows, then the FIN. */
void pmtcp_tcp_write_xmit(struct pmtcp_stack *st, struct pmtcp_sock *sk);
/* Resend the first unacknowledged data segment or FIN. */
void pmtcp_tcp_retransmit_head(struct pmtcp_stack *st, struct pmtcp_sock *sk);
void pmtcp_send_ack(struct pmtcp_stack *st, struct pmtcp_sock *sk);
int pmtcp_send_synack(struct pmtcp_stack *st, struct pmtcp_sock *sk,
		      bool retrans);
/* tcp_v4_send_reset(): reply to @in (not consumed) on @ifc. */
void pmtcp_tcp_v4_send_reset(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
			     const struct rte_mbuf *in);
/* tcp_send_active_reset(): RST for a synchronized @sk. */
void pmtcp_tcp_send_active_reset(struct pmtcp_stack *st, struct pmtcp_sock *sk);
/* tcp_select_initial_window() */
void pmtcp_tcp_select_initial_window(const struct pmtcp_sysctl *s,
				     uint32_t mss, uint32_t *rcv_wnd,
				     uint32_t *window_clamp, bool wscale_ok,
				     uint8_t *rcv_wscale);
/* tcp_time_stamp + tsoffset for @sk */
static inline uint32_t
pmtcp_tcp_tsval(const struct pmtcp_stack *st, const struct pmtcp_sock *sk)
{
	return st->now_ms + sk->ts_off;
}

#define TCP_PAWS_24DAYS_MS (24U * 24 * 3600 * 1000) /* TCP_PAWS_24DAYS */
#define TCP_PAWS_MSL_MS (60U * 1000)                /* TCP_PAWS_MSL */
#define TCP_PAWS_WINDOW 1                           /* TCP_PAWS_WINDOW */

/*
 * tcp_paws_check(), RFC 7323 5.3: the segment's TSval is not older than
 * ts_recent by more than @paws_win; or ts_recent is more than 24 days old
 * (RFC 7323 5.5: the peer's clock may have wrapped since); or there is
 * no ts_recent at all.
 */
static inline bool
pmtcp_tcp_paws_check(const struct pmtcp_stack *st, const struct pmtcp_sock *sk,
	       const struct pmtcp_tcp_opts *opt, int32_t paws_win)
{
	if ((int32_t)(sk->ts_recent - opt->rcv_tsval) <= paws_win)
		return true;
	if (st->now_ms - sk->ts_recent_stamp >= TCP_PAWS_24DAYS_MS)
		return true;
	return sk->ts_recent == 0;
}

/* tcp_paws_reject(): as tcp_paws_check() with no window, except that a
 * RST is believed once ts_recent is older than TCP_PAWS_MSL (60 s). */
static inline bool
pmtcp_tcp_paws_reject(const struct pmtcp_stack *st, const struct pmtcp_sock *sk,
		const struct pmtcp_tcp_opts *opt, bool rst)
{
	if (pmtcp_tcp_paws_check(st, sk, opt, 0))
		return false;
	return !(rst && st->now_ms - sk->ts_recent_stamp >= TCP_PAWS_MSL_MS);
}

/* tcp_input.c */
/* tcp_sync_mss(): the MSS we send with, from ours and the peer's */
void pmtcp_tcp_sync_mss(const struct pmtcp_stack *st, struct pmtcp_sock *sk);
/* The handshake's RTT sample (the clock, or the echoed timestamp). */
void pmtcp_tcp_synack_rtt_meas(struct pmtcp_stack *st, struct pmtcp_sock *sk,
			       const struct pmtcp_tcp_opts *opt);
/* RST answering @m for @sk, then drop @m for @why. */
void pmtcp_tcp_reset_and_drop(struct pmtcp_stack *st, struct pmtcp_sock *sk,
			      struct rte_mbuf *m, enum pmtcp_drop_reason why);
/* tcp_oow_rate_limited(): true (counted under @mib) when @sk must not
 * answer this invalid segment now (tcp_invalid_ratelimit). */
bool pmtcp_tcp_oow_rate_limited(struct pmtcp_stack *st, struct pmtcp_sock *sk,
				const struct rte_tcp_hdr *th, uint32_t seg_len,
				enum pmtcp_mib_id mib);
/* The end of a handshake: data phase, counters, callback, then the rest
 * of @m in the synchronized states. Consumes @m. */
void pmtcp_tcp_child_established(struct pmtcp_stack *st, struct pmtcp_sock *sk,
				 struct rte_mbuf *m, const struct rte_tcp_hdr *th,
				 const struct pmtcp_tcp_opts *opt, uint32_t seg_len,
				 bool active);
void pmtcp_tcp_rcv_state_process(struct pmtcp_stack *st, struct pmtcp_sock *sk,
				 struct rte_mbuf *m, const struct rte_tcp_hdr *th,
				 const struct pmtcp_tcp_opts *opt, uint32_t seg_len);
void pmtcp_tcp_conn_request(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
			    uint16_t listener, struct rte_mbuf *m,
			    const struct rte_tcp_hdr *th,
			    const struct pmtcp_tcp_opts *opt, uint32_t tw_isn);
struct pmtcp_sock *pmtcp_tcp_cookie_check(struct pmtcp_stack *st,
		struct pmtcp_iface *ifc, uint16_t listener, struct rte_mbuf *m,
		const struct rte_tcp_hdr *th, const struct pmtcp_tcp_opts *opt);
void pmtcp_cookie_established(struct pmtcp_stack *st, struct pmtcp_sock *sk,
		struct rte_mbuf *m, const struct rte_tcp_hdr *th,
		const struct pmtcp_tcp_opts *opt, uint32_t seg_len);
/* tcp_rtt_estimator(), first or later sample in us */
void pmtcp_tcp_rtt_estimator(const struct pmtcp_stack *st,
			     struct pmtcp_sock *sk, uint32_t rtt_us);
/* tcp_set_state() with its counter side effects */
void pmtcp_tcp_set_state(struct pmtcp_stack *st, struct pmtcp_sock *sk,
			 int state);
/* tcp_done(): the connection is over; report @err and free it. */
void pmtcp_tcp_done(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err);

/* tcp_minisocks.c */
/* tcp_check_req(): SYN_RECV (and a simultaneous open's). Consumes @m. */
void pmtcp_tcp_check_req(struct pmtcp_stack *st, struct pmtcp_sock *sk,
			 struct rte_mbuf *m, const struct rte_tcp_hdr *th,
			 const struct pmtcp_tcp_opts *opt, uint32_t seg_len);
/* tcp_timewait_state_process(): consumes @m unless it returns true (a
 * SYN that may reopen the 4-tuple, with @tw_isn set). */
/* tcp_v4_timewait_ack() */
void pmtcp_tcp_v4_timewait_ack(struct pmtcp_stack *st,
			       const struct pmtcp_tw *tw);
/* The TIME_WAIT is over (traced, then pmtcp_tw_kill()). */
void pmtcp_tw_done(struct pmtcp_stack *st, struct pmtcp_tw *tw);
bool pmtcp_tcp_timewait_state_process(struct pmtcp_stack *st,
				      struct pmtcp_tw *tw, struct rte_mbuf *m,
				      const struct rte_tcp_hdr *th,
				      const struct pmtcp_tcp_opts *opt,
				      uint32_t seg_len, uint32_t *tw_isn);
/* tcp_openreq_init(): a child (or a cookie's request) from its SYN. */
void pmtcp_tcp_openreq_init(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
			    struct pmtcp_sock *sk, const struct rte_ipv4_hdr *iph,
			    const struct rte_tcp_hdr *th,
			    const struct pmtcp_tcp_opts *opt);

/* tcp.c */
void pmtcp_sock_release(struct pmtcp_stack *st, struct pmtcp_sock *sk);
void pmtcp_sndq_ack(struct pmtcp_sock *sk, uint32_t bytes);
void pmtcp_tcp_time_wait(struct pmtcp_stack *st, struct pmtcp_sock *sk);
void pmtcp_tcp_tw_end(struct pmtcp_stack *st, struct pmtcp_sock *sk);

/* tcp_timer.c */
void pmtcp_tcp_timer_fire(struct pmtcp_timer *t, void *arg);
void pmtcp_reset_xmit_timer(struct pmtcp_stack *st, struct pmtcp_sock *sk,
			    uint32_t ms);

#endif /* PMTCP_TCP_H */
