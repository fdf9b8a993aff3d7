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
pmtcp_conn_table_init(struct pmtcp_stack *st, uint32_t max, int socket)
{
	/* slots for 4/3 of the socks at least: a load of 3/4 at most */
	uint64_t want = (uint64_t)max + max / 3 + 1;
	uint32_t nb;

	if (want > (1U << 31))
		return -ENOMEM;
	nb = rte_align32pow2((uint32_t)RTE_MAX(want, (uint64_t)16));
	st->slots = rte_zmalloc_socket("pmtcp_ehash", sizeof(*st->slots) * nb,
				       RTE_CACHE_LINE_SIZE, socket);
	st->socks = rte_zmalloc_socket("pmtcp_socks", sizeof(*st->socks) * max,
				       RTE_CACHE_LINE_SIZE, socket);
	if (st->slots == NULL || st->socks == NULL) {
		pmtcp_conn_table_fini(st);
		return -ENOMEM;
	}
	st->slot_mask = nb - 1;
	st->conn_max = max;
	st->conn_count = 0;
	st->free_list = NULL;
	for (uint32_t i = max; i-- > 0;) {
		st->socks[i].state = PMTCP_TCP_CLOSE;
		st->socks[i].hnext = st->free_list;
		st->free_list = &st->socks[i];
		sock_poison(&st->socks[i]);
	}
	st->hash_seed = (uint32_t)rte_rand();
	st->port_hint = (uint32_t)rte_rand();
	return 0;
}

void
pmtcp_conn_table_fini(struct pmtcp_stack *st)
{
	rte_free(st->slots);
	if (st->socks != NULL)
		sock_unpoison(st->socks, st->conn_max);
	rte_free(st->socks);
	st->slots = NULL;
	st->socks = NULL;
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

static inline uint32_t
sock_ports(const struct pmtcp_sock *sk)
{
	return ((uint32_t)sk->sport << 16) | sk->dport;
}

void
pmtcp_sock_hash(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	uint32_t i = pmtcp_ehashfn(st, sk->saddr, sk->daddr, sock_ports(sk));

	/* never full: at most 3/4 of the slots hold a sock */
	while (st->slots[i].sock != 0)
		i = (i + 1) & st->slot_mask;
	st->slots[i].laddr = sk->saddr;
	st->slots[i].raddr = sk->daddr;
	st->slots[i].ports = sock_ports(sk);
	st->slots[i].sock = (uint32_t)(sk - st->socks) + 1;
	sk->hnext = NULL;
}

/*
 * Remove @sk's slot, then close the gap (Knuth's algorithm R): each
 * following slot of the run whose first slot does not lie cyclically in
 * (gap, it] moves back into the gap, which moves on to it.
 */
static void
sock_unhash(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	const uint32_t mask = st->slot_mask, id = (uint32_t)(sk - st->socks) + 1;
	uint32_t i = pmtcp_ehashfn(st, sk->saddr, sk->daddr, sock_ports(sk));
	uint32_t j;

	for (; st->slots[i].sock != id; i = (i + 1) & mask)
		if (st->slots[i].sock == 0)
			return;   /* not hashed */
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
}

void
pmtcp_sock_free(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	pmtcp_timer_cancel(&st->wheel, &sk->timer);
	pmtcp_timer_cancel(&st->wheel, &sk->dtimer);
	rte_pktmbuf_free(sk->sndq);
	sk->sndq = NULL;
	sock_unhash(st, sk);
	/* a port of the cached destination is free again: its parity class
	 * may be walked again (the other stays full) */
	if (unlikely(st->port_off_full != 0) && sk->saddr == st->port_off_saddr &&
	    sk->daddr == st->port_off_daddr && sk->dport == st->port_off_dport)
		st->port_off_full &= (uint8_t)~(1U << ((rte_be_to_cpu_16(sk->sport) -
							(st->port_off_range >> 16)) & 1));
	if (sk->flags & SK_LISTEN_CHILD)
		st->listeners[sk->listener - 1].syn_queue--;
	sk->state = PMTCP_TCP_CLOSE;
	sk->hnext = st->free_list;
	st->free_list = sk;
	st->conn_count--;
	sock_poison(sk);
}

struct pmtcp_sock *
pmtcp_sock_lookup(const struct pmtcp_stack *st, uint32_t laddr, uint16_t lport,
		  uint32_t raddr, uint16_t rport)
{
	const uint32_t ports = ((uint32_t)lport << 16) | rport;
	uint32_t i = pmtcp_ehashfn(st, laddr, raddr, ports);

	for (;; i = (i + 1) & st->slot_mask) {
		const struct pmtcp_ehash_slot *s = &st->slots[i];

		if (s->sock == 0)
			return NULL;
		if (s->laddr == laddr && s->raddr == raddr && s->ports == ports)
			return &st->socks[s->sock - 1];
	}
}

/*
 * tcp_twsk_unique(): may connect() take over the 4-tuple of @tw? Only a
 * TIME_WAIT with timestamps, older than 1 s, when tcp_tw_reuse is on
 * (RFC 6191: the peer's PAWS tells the incarnations apart). The new
 * connection then starts beyond anything the old one could have used.
 */
static bool
tcp_twsk_unique(struct pmtcp_stack *st, struct pmtcp_sock *tw,
		struct pmtcp_tw_reuse *reuse)
{
	if (tw->state != PMTCP_TCP_TIME_WAIT || reuse == NULL ||
	    !st->sysctl.tcp_tw_reuse || !(tw->flags & SK_TSTAMP_OK) ||
	    st->now_ms - tw->ts_recent_stamp <= 1000)
		return false;
	reuse->write_seq = tw->snd_nxt + 65535 + 2;
	if (reuse->write_seq == 0)
		reuse->write_seq = 1;
	reuse->ts_recent = tw->ts_recent;
	reuse->ts_recent_stamp = tw->ts_recent_stamp;
	MIB_INC(st, TcpExt, TWRecycled);
	pmtcp_tcp_done(st, tw, 0);
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
	rte_prefetch0(pmtcp_ehash_slot(st, saddr,
				       rte_cpu_to_be_16((uint16_t)(low + parity + 2 * k)),
				       daddr, dport_be));
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
			struct pmtcp_sock *tw;
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
			tw = pmtcp_sock_lookup(st, saddr, rte_cpu_to_be_16(port),
					       daddr, dport_be);
			if (tw != NULL && !tcp_twsk_unique(st, tw, reuse))
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
		 * freed (a TIME_WAIT that tcp_twsk_unique() refused now may
		 * be taken later: only while there is none) */
		if (st->tw_count == 0) {
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
