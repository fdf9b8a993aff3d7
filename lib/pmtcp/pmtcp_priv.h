/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PMTCP_PRIV_H
#define PMTCP_PRIV_H

/*
 * Private: the per-lcore stack, its interfaces and the helpers every module
 * of the library shares. Not installed.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "pmtcp_stack.h"
#include "timer_wheel.h"

extern int pmtcp_logtype;
#define PMTCP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, pmtcp_logtype, "pmtcp: " fmt "\n", ##__VA_ARGS__)

#define PMTCP_TX_BUF_MAX 512
/* SYNs for a listener waiting for their turn (stack.c): a flash crowd
 * of 4 full bursts fits, a sustained overload sheds past it */
#define PMTCP_SYNQ_MAX 128

struct pmtcp_neigh_table;
struct pmtcp_sock;
struct pmtcp_tw;

/*
 * One slot of the connection table (tcp_conn_table.c): open addressing,
 * the 4-tuple in the slot, so that a lookup reads one line (four slots)
 * and touches no sock but the one it finds. Network order, as in the
 * sock.
 */
struct pmtcp_ehash_slot {
	uint32_t laddr;
	uint32_t raddr;
	uint32_t ports;                /* lport << 16 | rport */
	uint32_t sock;                 /* index + 1 into socks[], or
					* PMTCP_EHASH_TW | index + 1 into
					* tws[]; 0: empty */
};
#define PMTCP_EHASH_TW 0x80000000U
struct rte_ipv4_hdr;
struct rte_tcp_hdr;

/*
 * Where a port's segments go when it has several queues (rss.c): the
 * Toeplitz hash of a reply split into what its addresses and remote port
 * give (hashed once per destination) and what each byte of the local
 * port adds (the hash is linear: XOR of the key's windows at the set
 * bits), so that trying a source port costs two loads.
 */
struct pmtcp_rss {
	uint32_t lport_hash[2][256];   /* the local port's high, low byte */
	uint32_t reta_mask;            /* reta_size - 1 */
	uint16_t reta[PMTCP_RETA_SIZE_MAX];
	uint8_t key[PMTCP_RSS_KEY_LEN_MAX];
	/* the stack polling each queue (pmtcp_stack_set_peer()), NULL: none */
	struct pmtcp_stack *peer[PMTCP_RETA_SIZE_MAX];
};

/*
 * Active opens by local address and port (tcp_conn_table.c): the stack
 * chose the (address, port) of each connection it opened, so it finds
 * them here, in the order the port search walks the ports, instead of
 * in a random slot of the connection table: with millions of
 * connections held, a slot is a miss to DRAM for each new connection.
 * The role of Linux's bind hash, whose buckets are per local port. One
 * array per local address of an interface, made when a connect() first
 * uses the address, within the stack's budget for them; an entry holds
 * a slot value (pmtcp_ehash_slot.sock), 0 when free. Another
 * connection from the same (address, port), to another destination,
 * goes to the table as any other.
 */
struct pmtcp_portmap {
	uint32_t low;                  /* the first port mapped (host order):
					* ip_local_port_range[0] when made */
	uint32_t n;                    /* ports mapped from @low */
	uint32_t n_addrs;              /* the interface's addr_count */
	uint32_t *addr[];              /* per address: @n entries, or NULL */
};

/* One (port, queue) pair with its address and its TX batch. */
struct pmtcp_iface {
	struct pmtcp_iface_conf conf;
	uint32_t mask;                 /* network order */
	uint32_t addr_first;           /* host order: conf.addr */
	uint32_t addr_count;           /* local addresses from it, >= 1 */
	uint32_t src_cursor;           /* connect(): the address in use, index */
	uint32_t src_told;             /* the last one the next hop was told of
					* (pmtcp_arp_solicit_from()) */
	uint16_t mss;                  /* mtu - 40 */
	uint16_t tx_len;               /* packets waiting in tx_buf */
	struct pmtcp_rss *rss;         /* nb_queues > 1, else NULL */
	struct pmtcp_portmap *pmap;    /* its active opens, NULL: none yet */
	struct rte_mbuf *tx_buf[PMTCP_TX_BUF_MAX];
} __rte_cache_aligned;

/* @addr (network order) is one of @ifc's local addresses. */
static inline bool
pmtcp_iface_is_local(const struct pmtcp_iface *ifc, uint32_t addr)
{
	return rte_be_to_cpu_32(addr) - ifc->addr_first < ifc->addr_count;
}

/* A listening port. */
struct pmtcp_listener {
	uint16_t port;                 /* host order, 0 = free */
	uint32_t syn_queue;            /* socks in SYN_RECV for it */
	uint32_t last_overflow_ms;     /* tcp_synq_overflow(): SYN queue last full */
};

/* Per-lcore stack. Everything here belongs to one lcore. */
struct pmtcp_stack {
	/* hot: touched every burst */
	uint64_t now_tsc;
	uint64_t tsc_hz;
	uint64_t tsc_base;             /* TSC at creation: the tcp clock's 0 */
	uint32_t now_ms;               /* tcp_time_stamp(): ms since tsc_base */
	uint16_t n_ifaces;
	uint16_t tx_burst;
	uint8_t trace_level;           /* enum pmtcp_trace_level */
	uint16_t mbuf_data_off;        /* a fresh mbuf's first data byte,
					* from the mbuf's start */
	uint16_t mbuf_room;            /* bytes a fresh mbuf holds from its
					* first data byte: the largest frame */
	struct rte_mempool *pool;

	/* connection table (tcp_conn_table.c) */
	struct pmtcp_ehash_slot *slots;
	uint32_t slot_mask;
	uint32_t conn_max;
	uint32_t conn_count;
	struct pmtcp_sock *socks;      /* conn_max socks */
	struct pmtcp_sock *free_list;
	/* table entries (socks, TIME_WAITs) per local port, host order:
	 * a port with none needs no probe of the table */
	uint32_t *lport_hashed;        /* 65536 counts */
	uint64_t pmap_bytes;           /* what the port maps take */
	uint64_t pmap_budget;          /* and may take, at most */
	bool has_pmap;                 /* an interface has a port map */
	uint32_t port_hint;            /* __inet_hash_connect()'s hint: added
					* to each destination's offset */
	uint32_t hash_seed;
	/* the last destination's secure_ipv4_port_ephemeral(), kept so that
	 * a run of connects to one destination hashes once (dport 0: none) */
	uint32_t port_off_saddr, port_off_daddr, port_off;
	uint16_t port_off_dport;
	/* for that destination: a parity class of the port range found with
	 * no free port (bit 0: the low end's parity, bit 1: the other), so
	 * that the next connect() does not walk it again; cleared when one
	 * of its connections is freed */
	uint8_t port_off_full;
	uint32_t port_off_range;       /* the port range port_off_full is of */
	/* and the RSS hash of its replies without the local port's part
	 * (the interface's pmtcp_rss), valid with port_off_rss_ifc + 1 */
	uint8_t port_off_rss_ifc;
	uint32_t port_off_rss;

	/* listeners: index+1 into listeners[] per local port, 0 = none */
	uint8_t *listen_idx;           /* 65536 entries */
	struct pmtcp_listener *listeners;
	uint32_t max_listeners;

	struct pmtcp_timer_wheel wheel;
	/* the frame being handled and its 4-tuple's first table slot, as
	 * rx_classify() or synq_run() hashed it for their prefetch: the
	 * lookup starts there instead of hashing again (NULL: none) */
	const struct rte_mbuf *rx_hint_m;
	const struct pmtcp_ehash_slot *rx_hint_slot;
	struct pmtcp_sock *cb_sk;      /* sock whose input runs an app callback:
					* releasing it is deferred to the input */
	uint32_t tw_count;             /* TIME_WAIT entries in use */
	uint32_t tw_max;               /* TIME_WAIT entries (tws[]) */
	struct pmtcp_tw *tws;          /* tw_max entries (tcp_conn_table.c) */
	struct pmtcp_tw *tw_free;      /* free list, through timer.next */
	uint32_t challenge_count;      /* challenge ACKs this second */
	uint32_t challenge_second;     /* now_ms / 1000 of challenge_count */
	uint16_t arp_pending_max;
	struct pmtcp_neigh_table *neigh; /* arp.c: the neighbour table, all ifaces */
	uint64_t neigh_next_scan;      /* TSC of the next pmtcp_neigh_timer() */

	pmtcp_trace_fn trace_fn;       /* pmtcp_stack_set_trace() */
	void *trace_arg;
	/* the last address pair's secure_tcp_ts_off(): a benchmark's
	 * connections share one pair, so each hashes once (saddr 0: none) */
	uint32_t ts_off_saddr, ts_off_daddr, ts_off;

	/* read at events, not every segment: after the table and the wheel,
	 * so that knobs added to struct pmtcp_sysctl do not push those onto
	 * other cache lines (a 40-byte growth cost 5 % CPS in front of them) */
	struct pmtcp_callbacks cb;
	struct pmtcp_sysctl sysctl;

	/* frames other stacks handed over (pmtcp_stack_set_peer()) */
	struct rte_ring *inbox;
	bool in_inbox;                 /* handling the inbox now: no copies */
	uint32_t abort_cursor;         /* pmtcp_stack_abort_active() */

	struct pmtcp_iface ifaces[PMTCP_MAX_IFACES];
	struct pmtcp_mib mib __rte_cache_aligned;
	char name[32];

	/* SYNs for a listener, handled after the other segments of their
	 * burst and, while the RX queue is backlogged, a few per burst
	 * (stack.c: overload); a FIFO ring of mbufs and their interfaces */
	bool rx_backlog;               /* the last RX burst was full */
	/* SYNs to listeners that arrived, and handshakes that completed, in
	 * the current millisecond of the stack clock */
	uint32_t ov_ms;                /* now_ms of the current counts */
	uint32_t syn_in_now, hs_done_now;
	uint32_t ov_ratio;             /* SYNs in per handshake done, 1/256ths,
					* moving average over milliseconds */
	uint16_t synq_head, synq_len;
	struct rte_mbuf *synq[PMTCP_SYNQ_MAX];
	uint8_t synq_if[PMTCP_SYNQ_MAX];
};

#define MIB_INC(st, g, n) ((st)->mib.mib[PMTCP_MIB_##g##_##n]++)
#define MIB_ADD(st, g, n, v) ((st)->mib.mib[PMTCP_MIB_##g##_##n] += (v))
#define MIB_DEC(st, g, n) ((st)->mib.mib[PMTCP_MIB_##g##_##n]--)

#define PMTCP_OV_ONE 256U          /* ov_ratio of one SYN per handshake */

/*
 * The overload signal (stack.c): SYNs to listeners in per handshake
 * completed, per millisecond of the stack clock, averaged over the last
 * milliseconds (1/16 each: a flash crowd of a few milliseconds does not
 * make an overload, ten milliseconds of twice the capacity do). A closed
 * loop at its capacity brings about one SYN per completion; twice the
 * capacity, two and more. A millisecond with no completion tells nothing
 * (a first burst of connections, a flood that never completes: Linux's
 * SYN queue and cookies handle that) and counts as one. A millisecond
 * counts as at most 3 SYNs per completion: a closed loop's first flash
 * of SYNs runs a round trip ahead of its completions, and at 8 (as
 * before) a client 1.5 times as fast as the server set the signal within
 * 2 ms and had hundreds of its first SYNs shed; twice the capacity still
 * sets it within about 11 ms (docs/performance.md).
 */
static inline void
pmtcp_overload_clock(struct pmtcp_stack *st)
{
	uint32_t sample;

	if (likely(st->ov_ms == st->now_ms))
		return;
	sample = st->hs_done_now == 0 || st->now_ms - st->ov_ms != 1 ?
		 PMTCP_OV_ONE :
		 (uint32_t)RTE_MIN((uint64_t)st->syn_in_now * PMTCP_OV_ONE /
				   st->hs_done_now, 3ULL * PMTCP_OV_ONE);
	st->ov_ratio = st->ov_ratio - st->ov_ratio / 16 + sample / 16;
	st->syn_in_now = 0;
	st->hs_done_now = 0;
	st->ov_ms = st->now_ms;
}

/* A listener's handshake completed (a child, or a cookie's ACK). */
static inline void
pmtcp_handshake_done(struct pmtcp_stack *st)
{
	pmtcp_overload_clock(st);
	st->hs_done_now++;
}

/* The listeners' SYN_RECV children, all together: the handshakes the
 * stack answered and has not seen completed (their SYN queues). */
static inline uint32_t
pmtcp_half_open(const struct pmtcp_stack *st)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < st->max_listeners; i++)
		n += st->listeners[i].syn_queue;
	return n;
}

/* Overloaded: more than 1.5 SYNs in per handshake completed, on average */
static inline bool
pmtcp_overloaded(const struct pmtcp_stack *st)
{
	return st->ov_ratio > PMTCP_OV_ONE * 3 / 2;
}

/* Drop @m for @reason: the one place received packets are discarded. */
static inline void
pmtcp_drop(struct pmtcp_stack *st, struct rte_mbuf *m,
	   enum pmtcp_drop_reason reason)
{
	st->mib.drop[reason]++;
	rte_pktmbuf_free(m);
}

/* Refresh the stack's clocks from the TSC. They only move forward: a
 * caller's TSC read at the top of its loop may be older than the one
 * the last input took, and timestamps must never go back (PAWS). */
static inline void
pmtcp_stack_clock(struct pmtcp_stack *st, uint64_t tsc)
{
	if (tsc <= st->now_tsc)
		return;
	st->now_tsc = tsc;
	st->now_ms = (uint32_t)((tsc - st->tsc_base) / (st->tsc_hz / 1000));
}

/* Queue @m for TX on @ifc; flushes first when the batch is full, and
 * drops (counted) its oldest burst when the PMD takes nothing. */
void pmtcp_tx_enqueue(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
		      struct rte_mbuf *m);
/* rte_eth_tx_burst the batch of @ifc, retrying; what the PMD still
 * refuses stays queued for the next flush. Returns packets sent. */
uint16_t pmtcp_tx_flush(struct pmtcp_stack *st, struct pmtcp_iface *ifc);

/* trace.c: call only behind pmtcp_trace_on() */
static inline bool
pmtcp_trace_on(const struct pmtcp_stack *st, enum pmtcp_trace_level level)
{
	return unlikely(st->trace_level >= level);
}
void pmtcp_trace_state(struct pmtcp_stack *st, const struct pmtcp_sock *sk,
		       int old, int state);
/* @iph and @th of a segment whose headers have been checked (or built) */
void pmtcp_trace_segment(struct pmtcp_stack *st, bool out,
			 const struct rte_ipv4_hdr *iph,
			 const struct rte_tcp_hdr *th);

/* ip.c */
int pmtcp_ipv4_rcv(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
		   struct rte_mbuf *m);
/* Route: next hop for @daddr from @ifc, or 0 when unreachable. */
uint32_t pmtcp_route_nexthop(const struct pmtcp_iface *ifc, uint32_t daddr);
/* Pick the interface that routes @daddr; NULL when none does. */
struct pmtcp_iface *pmtcp_route_lookup(struct pmtcp_stack *st, uint32_t daddr,
				       uint32_t *nexthop);
/* @addr (network order) is a connected subnet's broadcast (all-ones or
 * all-zeros host, prefixes shorter than 31) on one of the interfaces. */
bool pmtcp_ip_subnet_bcast(const struct pmtcp_stack *st, uint32_t addr);
/* The TCP checksum of @th is a local kernel's CHECKSUM_PARTIAL one (the
 * pseudo-header sum alone) and @ifc accepts those (rx_csum_partial). */
bool pmtcp_tcp_csum_partial(const struct pmtcp_iface *ifc,
			    const struct rte_ipv4_hdr *iph,
			    const struct rte_tcp_hdr *th);

/* arp.c */
/* The neighbour table, neigh.default.gc_thresh3 entries (read once here),
 * for every iface of @st; 0 or -ENOMEM. fini frees what it still holds. */
int pmtcp_arp_init(struct pmtcp_stack *st, int socket);
void pmtcp_arp_fini(struct pmtcp_stack *st);
void pmtcp_arp_rcv(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
		   struct rte_mbuf *m);
/* An ARP request for @nexthop from @saddr, one of @ifc's addresses */
void pmtcp_arp_solicit_from(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
			    uint32_t saddr, uint32_t nexthop);
/* Send @m (an IPv4 frame with room for the Ethernet header filled except
 * the destination MAC) to @nexthop: TX now when the neighbour is known,
 * held (bounded) while ARP resolves it, dropped and counted otherwise. */
void pmtcp_neigh_output(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
			uint32_t nexthop, struct rte_mbuf *m);
/* Ask unanswered neighbours again, fail those out of requests, age
 * REACHABLE ones to STALE and destroy old STALE and FAILED ones; bounded
 * work per call (list heads only). */
void pmtcp_neigh_timer(struct pmtcp_stack *st);

/* rss.c */
int pmtcp_rss_init(struct pmtcp_iface *ifc, int socket);
/* The hash of a received frame's 4-tuple without its local port: remote
 * address, local address, remote port (network order). */
uint32_t pmtcp_rss_base(const struct pmtcp_rss *rss, uint32_t raddr,
			uint32_t laddr, uint16_t rport_be);
/* The queue of a frame whose hash without the local port is @base */
static inline uint16_t
pmtcp_rss_queue(const struct pmtcp_rss *rss, uint32_t base, uint16_t lport)
{
	uint32_t h = base ^ rss->lport_hash[0][lport >> 8] ^
		     rss->lport_hash[1][lport & 0xff];

	return rss->reta[h & rss->reta_mask];
}
/* Software steering: hand @m (a TCP segment no connection of ours
 * holds, to a port we do not listen on) to the stack of its queue when
 * that is another one. True when @m was handed over (or dropped). */
bool pmtcp_steer_segment(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
			 struct rte_mbuf *m, uint32_t raddr, uint32_t laddr,
			 uint16_t rport_be, uint16_t lport_be);
/* A copy of ARP frame @m for every other stack of its port. */
void pmtcp_steer_arp(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
		     const struct rte_mbuf *m);
/* Handle what other stacks handed over; returns frames handled. */
unsigned int pmtcp_inbox_run(struct pmtcp_stack *st);

/* tcp_ipv4.c */
void pmtcp_tcp_v4_rcv(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
		      struct rte_mbuf *m);

/* secure_seq.c */
/* secure_tcp_seq() at @now_tsc (the stack's clock: a TSC read per
 * connection less) */
uint32_t pmtcp_secure_tcp_seq(uint32_t saddr, uint32_t daddr, uint16_t sport,
			      uint16_t dport, uint64_t now_tsc);
uint32_t pmtcp_secure_tcp_ts_off(uint32_t saddr, uint32_t daddr);
/* secure_ipv4_port_ephemeral(): the source port search's start offset
 * for a destination (RFC 6056 3.3.3); network order arguments */
uint32_t pmtcp_secure_ipv4_port_ephemeral(uint32_t saddr, uint32_t daddr,
					  uint16_t dport);
uint64_t pmtcp_siphash_2_4(const uint8_t key[16], const void *data, size_t len);
void pmtcp_secure_seq_init(void);
/* unit tests only: replace the process's secrets with known keys */
void pmtcp_secure_seq_set_keys(const uint8_t net[16], const uint8_t ts[16]);

/* secure_tcp_ts_off() of (@saddr, @daddr), through the stack's one-entry
 * cache of the last pair: the same value, hashed once per pair in a row */
static inline uint32_t
pmtcp_tcp_ts_off(struct pmtcp_stack *st, uint32_t saddr, uint32_t daddr)
{
	if (unlikely(st->ts_off_saddr != saddr || st->ts_off_daddr != daddr ||
		     saddr == 0)) {
		st->ts_off = pmtcp_secure_tcp_ts_off(saddr, daddr);
		st->ts_off_saddr = saddr;
		st->ts_off_daddr = daddr;
	}
	return st->ts_off;
}

#endif /* PMTCP_PRIV_H */
