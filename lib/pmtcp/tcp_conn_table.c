/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore connection table (net/ipv4/inet_hashtables.c's ehash): socks
 * preallocated at start and recycled through a free list, found by their
 * 4-tuple in an open-addressing table whose slots carry the 4-tuple
 * (linear probing, at most three quarters full, deletion by backward
 * shift: no tombstones). Linux chains socks per bucket and compares each
 * sock's tuple; with millions of connections every sock in a chain is a
 * cache miss, where a slot line holds four tuples. And the ephemeral port
 * choice (__inet_hash_connect).
 */
#include <errno.h>

#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "tcp.h"

/* The port maps (struct pmtcp_portmap) may take this much per sock of
 * the stack: 16 bytes, 141 source addresses' maps for a million socks
 * (each 28,232 ports of 4 bytes with the default port range) */
#define PMAP_BYTES_PER_CONN 16

/*
 * AddressSanitizer cannot tell a free sock from a live one: they all sit
 * in one rte_zmalloc()'d array. In an ASan build a free sock is poisoned
 * except for what is read of every sock, free or not (the free-list link
 * and the 4-tuple and state line up to flags; sndq, which
 * pmtcp_stack_free() reads), so a sock used after its connection ended
 * (by the stack, or by an application callback) is reported.
 */
#if defined(__SANITIZE_ADDRESS__)
#define PMTCP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PMTCP_ASAN 1
#endif
#endif
#ifdef PMTCP_ASAN
#include <sanitizer/asan_interface.h>

static void
sock_poison(struct pmtcp_sock *sk)
{
	const size_t keep = offsetof(struct pmtcp_sock, snd_una);
	const size_t q = offsetof(struct pmtcp_sock, sndq);

	ASAN_POISON_MEMORY_REGION((char *)sk + keep, q - keep);
	ASAN_POISON_MEMORY_REGION((char *)sk + q + sizeof(sk->sndq),
				  sizeof(*sk) - q - sizeof(sk->sndq));
}

static void
sock_unpoison(struct pmtcp_sock *sk, uint32_t n)
{
	ASAN_UNPOISON_MEMORY_REGION(sk, sizeof(*sk) * n);
}
#else
static inline void sock_poison(struct pmtcp_sock *sk) { RTE_SET_USED(sk); }
static inline void
sock_unpoison(struct pmtcp_sock *sk, uint32_t n)
{
	RTE_SET_USED(sk);
	RTE_SET_USED(n);
}
#endif

int
pmtcp_conn_table_init(struct pmtcp_stack *st, uint32_t max, uint32_t max_tw,
		      int socket)
{
	/* slots for 4/3 of the socks and TIME_WAITs at least: a load of 3/4
	 * at most */
	uint64_t all = (uint64_t)max + max_tw;
	uint64_t want = all + all / 3 + 1;
	uint32_t nb;

	if (want > (1U << 31))
		return -ENOMEM;
	nb = rte_align32pow2((uint32_t)RTE_MAX(want, (uint64_t)16));
	st->slots = rte_zmalloc_socket("pmtcp_ehash", sizeof(*st->slots) * nb,
				       RTE_CACHE_LINE_SIZE, socket);
	st->lport_hashed = rte_zmalloc_socket("pmtcp_lport_hashed",
					      sizeof(*st->lport_hashed) * 65536,
					      RTE_CACHE_LINE_SIZE, socket);
	st->socks = rte_zmalloc_socket("pmtcp_socks", sizeof(*st->socks) * max,
				       RTE_CACHE_LINE_SIZE, socket);
	st->tws = max_tw == 0 ? NULL :
		  rte_zmalloc_socket("pmtcp_tw", sizeof(*st->tws) * max_tw,
				     RTE_CACHE_LINE_SIZE, socket);
	if (st->slots == NULL || st->socks == NULL ||
	    st->lport_hashed == NULL || (max_tw != 0 && st->tws == NULL)) {
		pmtcp_conn_table_fini(st);
		return -ENOMEM;
	}
	st->slot_mask = nb - 1;
	st->pmap_bytes = 0;
	st->pmap_budget = (uint64_t)max * PMAP_BYTES_PER_CONN;
	st->has_pmap = false;
	st->conn_max = max;
	st->conn_count = 0;
	st->free_list = NULL;
	for (uint32_t i = max; i-- > 0;) {
		st->socks[i].state = PMTCP_TCP_CLOSE;
		st->socks[i].hnext = st->free_list;
		st->free_list = &st->socks[i];
		sock_poison(&st->socks[i]);
	}
	st->tw_max = max_tw;
	st->tw_count = 0;
	st->tw_free = NULL;
	for (uint32_t i = max_tw; i-- > 0;) {
		st->tws[i].timer.next = (struct pmtcp_timer *)st->tw_free;
		st->tw_free = &st->tws[i];
	}
	st->hash_seed = (uint32_t)rte_rand();
	st->port_hint = (uint32_t)rte_rand();
	return 0;
}

void
pmtcp_conn_table_fini(struct pmtcp_stack *st)
{
	for (uint16_t k = 0; k < st->n_ifaces; k++) {
		struct pmtcp_portmap *pm = st->ifaces[k].pmap;

		if (pm == NULL)
			continue;
		for (uint32_t a = 0; a < pm->n_addrs; a++)
			rte_free(pm->addr[a]);
		rte_free(pm);
		st->ifaces[k].pmap = NULL;
	}
	st->has_pmap = false;
	st->pmap_bytes = 0;
	rte_free(st->lport_hashed);
	st->lport_hashed = NULL;
	rte_free(st->slots);
	if (st->socks != NULL)
		sock_unpoison(st->socks, st->conn_max);
	rte_free(st->socks);
	rte_free(st->tws);
	st->slots = NULL;
	st->socks = NULL;
	st->tws = NULL;
	st->tw_free = NULL;
}

struct pmtcp_sock *
pmtcp_sock_alloc(struct pmtcp_stack *st)
{
	struct pmtcp_sock *sk = st->free_list;

	if (unlikely(sk == NULL)) {
		MIB_INC(st, Pmtcp, ConnTableFull);
		return NULL;
	}
	st->free_list = sk->hnext;
	sock_unpoison(sk, 1);
	memset(sk, 0, sizeof(*sk));
	sk->state = PMTCP_TCP_CLOSE;
	pmtcp_timer_init(&sk->timer);
	pmtcp_timer_init(&sk->dtimer);
	sk->timer.kind = SK_TIMER_RETRANS;
	sk->dtimer.kind = SK_TIMER_DELACK;
	st->conn_count++;
	return sk;
}

/* The port map entry of (@laddr, @lport), network order, making @ifc's
 * map and its array for the address when the budget allows; NULL when
 * it cannot */
static uint32_t *
pmap_entry_make(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
		uint32_t laddr, uint16_t lport)
{
	struct pmtcp_portmap *pm = ifc->pmap;
	uint32_t a = rte_be_to_cpu_32(laddr) - ifc->addr_first;
	uint32_t low = pm != NULL ? pm->low :
		       (uint32_t)st->sysctl.ip_local_port_range[0];
	uint32_t n = pm != NULL ? pm->n :
		     (uint32_t)st->sysctl.ip_local_port_range[1] - low + 1;
	uint32_t p = (uint32_t)rte_be_to_cpu_16(lport) - low;
	size_t head = sizeof(*pm) + sizeof(pm->addr[0]) * ifc->addr_count;
	size_t len = sizeof(uint32_t) * n;

	if (a >= ifc->addr_count || p >= n)
		return NULL;
	if (pm != NULL && pm->addr[a] != NULL)
		return &pm->addr[a][p];
	if (st->pmap_bytes + len + (pm == NULL ? head : 0) > st->pmap_budget)
		return NULL;
	if (pm == NULL) {
		pm = rte_zmalloc("pmtcp_portmap", head, 0);
		if (pm == NULL)
			return NULL;
		pm->low = low;
		pm->n = n;
		pm->n_addrs = ifc->addr_count;
		ifc->pmap = pm;
		st->pmap_bytes += head;
		st->has_pmap = true;
	}
	pm->addr[a] = rte_zmalloc("pmtcp_portmap_addr", len, RTE_CACHE_LINE_SIZE);
	if (pm->addr[a] == NULL)
		return NULL;
	st->pmap_bytes += len;
	return &pm->addr[a][p];
}

/* Slot value @v (a sock's or a TIME_WAIT's) is the connection with
 * (@raddr, @rport) */
static inline bool
pmap_value_is(const struct pmtcp_stack *st, uint32_t v, uint32_t raddr,
	      uint16_t rport)
{
	if (v & PMTCP_EHASH_TW) {
		const struct pmtcp_tw *tw = pmtcp_ehash_tw(st, v);

		return tw->daddr == raddr && tw->dport == rport;
	}
	return st->socks[v - 1].daddr == raddr && st->socks[v - 1].dport == rport;
}

static inline uint32_t
sock_ports(const struct pmtcp_sock *sk)
{
	return ((uint32_t)sk->sport << 16) | sk->dport;
}

void
pmtcp_sock_hash(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	pmtcp_sock_hash_at(st, sk, &st->slots[pmtcp_ehashfn(st, sk->saddr,
							     sk->daddr,
							     sock_ports(sk))]);
}

void
pmtcp_sock_hash_at(struct pmtcp_stack *st, struct pmtcp_sock *sk,
		   const struct pmtcp_ehash_slot *first)
{
	uint32_t i = (uint32_t)(first - st->slots);

	/* never full: at most 3/4 of the slots hold a sock */
	while (st->slots[i].sock != 0)
		i = (i + 1) & st->slot_mask;
	st->slots[i].laddr = sk->saddr;
	st->slots[i].raddr = sk->daddr;
	st->slots[i].ports = sock_ports(sk);
	st->slots[i].sock = (uint32_t)(sk - st->socks) + 1;
	st->lport_hashed[rte_be_to_cpu_16(sk->sport)]++;
	sk->hnext = NULL;
}

void
pmtcp_sock_hash_active(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	uint32_t *e = pmap_entry_make(st, &st->ifaces[sk->iface], sk->saddr,
				      sk->sport);

	if (e == NULL || *e != 0) {
		pmtcp_sock_hash(st, sk);
		return;
	}
	*e = (uint32_t)(sk - st->socks) + 1;
	sk->hnext = NULL;
}

/*
 * Remove the slot of @id (a sock's or a TIME_WAIT's), then close the gap
 * (Knuth's algorithm R): each following slot of the run whose first slot
 * does not lie cyclically in (gap, it] moves back into the gap, which
 * moves on to it. Returns false when @id was not in the table.
 */
/* The slot that holds @id (a sock's or a TIME_WAIT's) for its tuple, or
 * UINT32_MAX when it is not in the table */
static uint32_t
ehash_find_id(const struct pmtcp_stack *st, uint32_t laddr, uint32_t raddr,
	      uint32_t ports, uint32_t id)
{
	uint32_t i = pmtcp_ehashfn(st, laddr, raddr, ports);

	for (; st->slots[i].sock != id; i = (i + 1) & st->slot_mask)
		if (st->slots[i].sock == 0)
			return UINT32_MAX;
	return i;
}

static bool
ehash_remove(struct pmtcp_stack *st, uint32_t laddr, uint32_t raddr,
	     uint32_t ports, uint32_t id)
{
	const uint32_t mask = st->slot_mask;
	uint32_t *e = pmtcp_pmap_entry(st, laddr, (uint16_t)(ports >> 16));
	uint32_t i, j;

	if (e != NULL && *e == id) {
		*e = 0;
		return true;
	}
	i = ehash_find_id(st, laddr, raddr, ports, id);
	if (i == UINT32_MAX)
		return false;   /* not hashed */
	st->lport_hashed[rte_be_to_cpu_16((uint16_t)(ports >> 16))]--;
	for (j = (i + 1) & mask; st->slots[j].sock != 0; j = (j + 1) & mask) {
		const struct pmtcp_ehash_slot *s = &st->slots[j];
		uint32_t home = pmtcp_ehashfn(st, s->laddr, s->raddr, s->ports);

		/* home in (i, j]: it stays */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		st->slots[i] = *s;
		i = j;
	}
	memset(&st->slots[i], 0, sizeof(st->slots[i]));
	return true;
}

/* A port of the cached destination is free again: its parity class may
 * be walked again (the other stays full) */
static inline void
port_freed(struct pmtcp_stack *st, uint32_t saddr, uint32_t daddr,
	   uint16_t sport, uint16_t dport)
{
	if (unlikely(st->port_off_full != 0) && saddr == st->port_off_saddr &&
	    daddr == st->port_off_daddr && dport == st->port_off_dport)
		st->port_off_full &= (uint8_t)~(1U << ((rte_be_to_cpu_16(sport) -
							(st->port_off_range >> 16)) & 1));
}

void
pmtcp_sock_free(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	pmtcp_timer_cancel(&st->wheel, &sk->timer);
	pmtcp_timer_cancel(&st->wheel, &sk->dtimer);
	rte_pktmbuf_free(sk->sndq);
	sk->sndq = NULL;
	/* not in the table: never hashed, or its TIME_WAIT holds the slot */
	if (ehash_remove(st, sk->saddr, sk->daddr, sock_ports(sk),
			 (uint32_t)(sk - st->socks) + 1))
		port_freed(st, sk->saddr, sk->daddr, sk->sport, sk->dport);
	if (sk->flags & SK_LISTEN_CHILD)
		st->listeners[sk->listener - 1].syn_queue--;
	sk->state = PMTCP_TCP_CLOSE;
	sk->hnext = st->free_list;
	st->free_list = sk;
	st->conn_count--;
	sock_poison(sk);
}

static uint32_t
ehash_probe(const struct pmtcp_stack *st, const struct pmtcp_ehash_slot *first,
	    uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
	const uint32_t ports = ((uint32_t)lport << 16) | rport;
	uint32_t i = (uint32_t)(first - st->slots);

	for (;; i = (i + 1) & st->slot_mask) {
		const struct pmtcp_ehash_slot *s = &st->slots[i];

		if (s->sock == 0)
			return 0;
		if (s->laddr == laddr && s->raddr == raddr && s->ports == ports)
			return s->sock;
	}
}

/* The port map first; then the table, from the slot the frame @m's
 * classifier left (NULL: no frame, hash now), unless it holds nothing of
 * the local port */
static inline uint32_t
ehash_lookup(const struct pmtcp_stack *st, const struct rte_mbuf *m,
	     uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
	const uint32_t *e = pmtcp_pmap_entry(st, laddr, lport);

	if (e != NULL && *e != 0 && pmap_value_is(st, *e, raddr, rport))
		return *e;
	if (st->lport_hashed[rte_be_to_cpu_16(lport)] == 0)
		return 0;
	return ehash_probe(st, m != NULL ?
			   pmtcp_rx_slot(st, m, laddr, lport, raddr, rport) :
			   pmtcp_ehash_slot(st, laddr, lport, raddr, rport),
			   laddr, lport, raddr, rport);
}

uint32_t
pmtcp_ehash_lookup(const struct pmtcp_stack *st, uint32_t laddr, uint16_t lport,
		   uint32_t raddr, uint16_t rport)
{
	return ehash_lookup(st, NULL, laddr, lport, raddr, rport);
}

uint32_t
pmtcp_ehash_lookup_rx(const struct pmtcp_stack *st, const struct rte_mbuf *m,
		      uint32_t laddr, uint16_t lport, uint32_t raddr,
		      uint16_t rport)
{
	return ehash_lookup(st, m, laddr, lport, raddr, rport);
}

struct pmtcp_sock *
pmtcp_sock_lookup(const struct pmtcp_stack *st, uint32_t laddr, uint16_t lport,
		  uint32_t raddr, uint16_t rport)
{
	uint32_t id = pmtcp_ehash_lookup(st, laddr, lport, raddr, rport);

	return id == 0 || (id & PMTCP_EHASH_TW) ? NULL : &st->socks[id - 1];
}

struct pmtcp_tw *
pmtcp_tw_lookup(const struct pmtcp_stack *st, uint32_t laddr, uint16_t lport,
		uint32_t raddr, uint16_t rport)
{
	uint32_t id = pmtcp_ehash_lookup(st, laddr, lport, raddr, rport);

	return (id & PMTCP_EHASH_TW) ? pmtcp_ehash_tw(st, id) : NULL;
}

struct pmtcp_tw *
pmtcp_tw_hashdance(struct pmtcp_stack *st, const struct pmtcp_sock *sk)
{
	struct pmtcp_tw *tw = st->tw_free;
	uint32_t i = 0, *e;

	if (tw == NULL)
		return NULL;
	/* in the port map: the entry takes its place there */
	e = pmtcp_pmap_entry(st, sk->saddr, sk->sport);
	if (e == NULL || *e != (uint32_t)(sk - st->socks) + 1) {
		e = NULL;
		i = ehash_find_id(st, sk->saddr, sk->daddr, sock_ports(sk),
				  (uint32_t)(sk - st->socks) + 1);
		if (i == UINT32_MAX)
			return NULL;   /* not hashed: nothing to hold */
	}
	st->tw_free = (struct pmtcp_tw *)tw->timer.next;
	pmtcp_timer_init(&tw->timer);
	tw->timer.kind = (sk->flags & SK_TSTAMP_OK) ? SK_TIMER_TW_TSTAMP :
						      SK_TIMER_TW;
	tw->timer.owner8 = sk->iface;
	tw->timer.owner16 = (uint16_t)RTE_MIN(sk->rcv_wnd >> sk->rcv_wscale,
					      (uint32_t)UINT16_MAX);
	tw->timer.owner32 = 0;   /* tw_last_oow_ack_time */
	tw->saddr = sk->saddr;
	tw->daddr = sk->daddr;
	tw->sport = sk->sport;
	tw->dport = sk->dport;
	tw->snd_nxt = sk->snd_nxt;
	tw->rcv_nxt = sk->rcv_nxt;
	tw->ts_off = sk->ts_off;
	tw->ts_recent = sk->ts_recent;
	tw->ts_recent_stamp = sk->ts_recent_stamp;
	if (e != NULL)
		*e = PMTCP_EHASH_TW | (uint32_t)(tw - st->tws + 1);
	else
		st->slots[i].sock = PMTCP_EHASH_TW | (uint32_t)(tw - st->tws + 1);
	pmtcp_timer_arm(&st->wheel, &tw->timer,
			pmtcp_ms_to_ticks(st, TCP_TIMEWAIT_LEN_MS));
	st->tw_count++;
	return tw;
}

void
pmtcp_tw_kill(struct pmtcp_stack *st, struct pmtcp_tw *tw)
{
	pmtcp_timer_cancel(&st->wheel, &tw->timer);
	ehash_remove(st, tw->saddr, tw->daddr,
		     ((uint32_t)tw->sport << 16) | tw->dport,
		     PMTCP_EHASH_TW | (uint32_t)(tw - st->tws + 1));
	port_freed(st, tw->saddr, tw->daddr, tw->sport, tw->dport);
	tw->timer.kind = 0;
	tw->timer.next = (struct pmtcp_timer *)st->tw_free;
	st->tw_free = tw;
	st->tw_count--;
}

void
pmtcp_tw_to_sock(const struct pmtcp_stack *st, const struct pmtcp_tw *tw,
		 struct pmtcp_sock *sk)
{
	memset(sk, 0, sizeof(*sk));
	sk->saddr = tw->saddr;
	sk->daddr = tw->daddr;
	sk->sport = tw->sport;
	sk->dport = tw->dport;
	sk->state = PMTCP_TCP_TIME_WAIT;
	sk->iface = tw->timer.owner8;
	sk->flags = SK_ORPHAN | (tw_tstamp_ok(tw) ? SK_TSTAMP_OK : 0);
	sk->snd_una = tw->snd_nxt;
	sk->snd_nxt = tw->snd_nxt;
	sk->rcv_nxt = tw->rcv_nxt;
	sk->rcv_wup = tw->rcv_nxt;
	sk->ts_off = tw->ts_off;
	sk->ts_recent = tw->ts_recent;
	sk->ts_recent_stamp = tw->ts_recent_stamp;
	/* the window kept scaled */
	sk->rcv_wnd = tw->timer.owner16;
	sk->rcv_wscale = 0;
	sk->mss = st->ifaces[sk->iface].mss;
	sk->dtimer.owner32 = tw->timer.owner32;   /* no RTO: rto_ms 0 */
}

/*
 * tcp_twsk_unique(): may connect() take over the 4-tuple of @tw? Only a
 * TIME_WAIT with timestamps, older than 1 s, when tcp_tw_reuse is on
 * (RFC 6191: the peer's PAWS tells the incarnations apart). The new
 * connection then starts beyond anything the old one could have used.
 */
static bool
tcp_twsk_unique(struct pmtcp_stack *st, struct pmtcp_tw *tw,
		struct pmtcp_tw_reuse *reuse)
{
	if (reuse == NULL || !st->sysctl.tcp_tw_reuse || !tw_tstamp_ok(tw) ||
	    st->now_ms - tw->ts_recent_stamp <= 1000)
		return false;
	reuse->write_seq = tw->snd_nxt + 65535 + 2;
	if (reuse->write_seq == 0)
		reuse->write_seq = 1;
	reuse->ts_recent = tw->ts_recent;
	reuse->ts_recent_stamp = tw->ts_recent_stamp;
	MIB_INC(st, TcpExt, TWRecycled);
	pmtcp_tw_done(st, tw);
	return true;
}

/*
 * __inet_hash_connect() (Linux 4.17), RFC 6056 3.3.3 (algorithm 3): the
 * search for a source port starts at F(saddr, daddr, dport), a keyed hash
 * (secure_ipv4_port_ephemeral()), plus a per-stack hint that moves past
 * each port taken. A destination's ports thus follow their own sequence,
 * which an off-path attacker cannot guess. Ports of the range's low end
 * parity come first, two by two, then the others ("tcp/dccp: try to not
 * exhaust ip_local_port_range in connect()": bind() to port 0 prefers
 * the odd ones). A port is free when no sock holds its 4-tuple, or when
 * the TIME_WAIT that holds it may be taken over (tcp_twsk_unique());
 * a listening port is skipped, as Linux skips a port with a bind bucket.
 * With few ports in use the first candidate is free; the walk is bounded
 * by the range size.
 *
 * Linux scans an even number of ports (remaining &= ~1), so the top port
 * of an odd-sized range is never used; pmtcp scans them all.
 */
/* inet_sk_port_offset(): F(saddr, daddr, dport), remembered for the last
 * destination (a benchmark connects to one destination over and over). */
static inline uint32_t
port_offset(struct pmtcp_stack *st, uint32_t saddr, uint32_t daddr,
	    uint16_t dport_be)
{
	if (st->port_off_dport != dport_be || st->port_off_daddr != daddr ||
	    st->port_off_saddr != saddr) {
		st->port_off = pmtcp_secure_ipv4_port_ephemeral(saddr, daddr,
								dport_be);
		st->port_off_saddr = saddr;
		st->port_off_daddr = daddr;
		st->port_off_dport = dport_be;
		st->port_off_full = 0;
		st->port_off_rss_ifc = 0;
	}
	return st->port_off;
}

/* Prefetch the table slot of candidate @k of @parity: with millions of
 * connections the table is far larger than the cache, and each candidate
 * a lookup that misses */
static inline void
port_prefetch(const struct pmtcp_stack *st, uint32_t saddr, uint32_t daddr,
	      uint16_t dport_be, uint32_t low, uint32_t parity, uint32_t k)
{
	uint16_t port = (uint16_t)(low + parity + 2 * k);

	/* the lookup reads no slot of a port none of the table's entries
	 * has (a port map, read in the walk's order, answers for it) */
	if (st->lport_hashed[port] == 0)
		return;
	rte_prefetch0(pmtcp_ehash_slot(st, saddr, rte_cpu_to_be_16(port), daddr,
				       dport_be));
}

uint16_t
pmtcp_inet_hash_connect(struct pmtcp_stack *st, const struct pmtcp_iface *ifc,
			uint32_t saddr, uint32_t daddr, uint16_t dport_be,
			struct pmtcp_tw_reuse *reuse)
{
	uint32_t lookups;

	return pmtcp_inet_hash_connect_walk(st, ifc, saddr, daddr, dport_be,
					    reuse, &lookups);
}

uint16_t
pmtcp_inet_hash_connect_walk(struct pmtcp_stack *st,
			     const struct pmtcp_iface *ifc, uint32_t saddr,
			     uint32_t daddr, uint16_t dport_be,
			     struct pmtcp_tw_reuse *reuse, uint32_t *lookups)
{
	uint32_t low = (uint32_t)st->sysctl.ip_local_port_range[0];
	uint32_t n = (uint32_t)st->sysctl.ip_local_port_range[1] - low + 1;
	uint32_t offset = (st->port_hint +
			   port_offset(st, saddr, daddr, dport_be)) % n;
	const struct pmtcp_rss *rss = ifc != NULL ? ifc->rss : NULL;
	uint16_t queue = ifc != NULL ? ifc->conf.queue_id : 0;
	uint32_t base = 0;

	*lookups = 0;
	/* several queues: only ports whose replies hash to ours */
	if (rss != NULL && ifc->conf.steer != PMTCP_STEER_NONE) {
		uint8_t id = (uint8_t)(ifc - st->ifaces + 1);

		if (st->port_off_rss_ifc != id) {
			st->port_off_rss = pmtcp_rss_base(rss, daddr, saddr,
							  dport_be);
			st->port_off_rss_ifc = id;
		}
		base = st->port_off_rss;
	} else {
		rss = NULL;
	}
	offset &= ~1U;   /* the first pass: the parity of @low */
	for (uint32_t parity = 0; parity < 2 && parity < n; parity++) {
		uint32_t count = (n - parity + 1) / 2;   /* ports of this parity */
		uint32_t k = offset / 2;                 /* < 2 * count */

		/* walked whole before, and nothing freed since */
		if (st->port_off_full & (1U << parity) &&
		    st->port_off_range == (low << 16 | (low + n - 1)))
			continue;
		*lookups = 0;   /* a class walked whole is remembered */
		for (uint32_t i = 0; i < count; i++, k++) {
			uint32_t id;
			uint16_t port;

			if (k >= count)
				k -= count;
			/* past the first candidate, the walk is on: the next
			 * candidates' slots ahead of their lookups */
			if (i >= 1 && count > 2) {
				if (i == 1)
					port_prefetch(st, saddr, daddr, dport_be, low,
						      parity, (k + 1) % count);
				port_prefetch(st, saddr, daddr, dport_be, low, parity,
					      (k + 2) % count);
			}
			port = (uint16_t)(low + parity + 2 * k);
			if (st->listen_idx[port] != 0)
				continue;
			if (rss != NULL && pmtcp_rss_queue(rss, base, port) != queue)
				continue;
			(*lookups)++;
			id = pmtcp_ehash_lookup(st, saddr, rte_cpu_to_be_16(port),
						daddr, dport_be);
			if (id != 0 && (!(id & PMTCP_EHASH_TW) ||
					!tcp_twsk_unique(st, pmtcp_ehash_tw(st, id),
							 reuse)))
				continue;
			/* "hint += i + 2" (Linux steps i by 2) */
			st->port_hint += 2 * i + 2;
			/* the next connect to this destination starts here */
			{
				uint32_t next = ((st->port_hint + st->port_off) % n) & ~1U;
				uint32_t par = st->port_off_full & 1U;

				if ((next / 2) < (n - par + 1) / 2)
					port_prefetch(st, saddr, daddr, dport_be, low,
						      par, next / 2);
			}
			return port;
		}
		/* no free port of this parity: not again until one is
		 * freed (an ending TIME_WAIT frees its port too). With
		 * tcp_tw_reuse a TIME_WAIT that tcp_twsk_unique() refused
		 * now may be taken later: only while there is none */
		if (st->tw_count == 0 || !st->sysctl.tcp_tw_reuse) {
			if (st->port_off_range != (low << 16 | (low + n - 1)))
				st->port_off_full = 0;
			st->port_off_full |= (uint8_t)(1U << parity);
			st->port_off_range = low << 16 | (low + n - 1);
		}
	}
	return 0;
}

uint64_t
pmtcp_ms_to_ticks(const struct pmtcp_stack *st, uint32_t ms)
{
	return pmtcp_timer_ms_to_ticks(&st->wheel, ms);
}
