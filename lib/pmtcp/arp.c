/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP (RFC 826) and the neighbour table (net/ipv4/arp.c,
 * net/core/neighbour.c in miniature): answer requests for our address,
 * learn the senders Linux learns, resolve next hops for output, hold a
 * bounded number of packets per unresolved neighbour (neigh->arp_queue)
 * until the reply, age what is known and make room when the table is full.
 *
 * Entries are created only where arp_process() creates them: the sender
 * of a request for one of our addresses (neigh_event_ns(), STALE), and a
 * next hop we send to (neigh_resolve_output(), INCOMPLETE). Replies and
 * gratuitous ARP update entries we already have and create none
 * (arp_accept=0). Senders off the interface's subnet and martian senders
 * are ignored.
 *
 * Resolution follows neigh_timer_handler(): an INCOMPLETE neighbour is
 * asked again every neigh.default.retrans_time_ms (1 s); after
 * neigh.default.mcast_solicit (3) unanswered requests it is FAILED, the
 * packets it held are dropped, and connections still in SYN_SENT towards
 * it fail with EHOSTUNREACH (Linux reaches the same result through
 * arp_error_report() -> ICMP host unreachable -> tcp_v4_err()).
 *
 * Aging follows the NUD machine without its DELAY and PROBE states: a
 * reply makes a neighbour REACHABLE for reachable_time (random in
 * [base/2, 3*base/2) of neigh.default.base_reachable_time_ms), then it is
 * STALE, still used for output. STALE entries unused for
 * neigh.default.gc_stale_time seconds are destroyed, FAILED ones after
 * base_reachable_time/2 (neigh_periodic_work()); when the table holds
 * neigh.default.gc_thresh3 entries a new one takes the place of a FAILED or
 * STALE one (neigh_forced_gc()).
 *
 * Every entry sits on the list of its state, in the order of its list
 * key (n->tsc), so the timer and the forced GC only look at list heads:
 * no work grows with the size of the table.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "tcp.h"

/* NUD states (include/net/neighbour.h), each with its list */
enum {
	NUD_NONE = PMTCP_NUD_NONE,   /* free (on the free list), or just allocated */
	NUD_INCOMPLETE = PMTCP_NUD_INCOMPLETE, /* request sent; holds packets */
	NUD_REACHABLE = PMTCP_NUD_REACHABLE,   /* confirmed within reachable_time */
	NUD_STALE = PMTCP_NUD_STALE, /* address known, not confirmed lately; used */
	NUD_FAILED = PMTCP_NUD_FAILED, /* never answered; destroyed a little later */
	NUD_NR,
};

#define NEIGH_NIL UINT32_MAX
/* neigh.default.locktime: Linux's default, 1 s (not a knob here) */
#define NEIGH_LOCKTIME_MS 1000
/* neigh_periodic_work(): reachable_time drawn again every 300 s */
#define NEIGH_REDRAW_S 300
/* list heads looked at per list and per pmtcp_neigh_timer() call */
#define NEIGH_TIMER_BUDGET 64

struct pmtcp_neigh {
	uint32_t ip;                 /* network order; 0 on a free entry */
	uint32_t hnext;              /* next entry of its hash chain */
	uint32_t prev, next;         /* links of its state's list */
	uint8_t state;
	uint8_t iface;               /* index in st->ifaces */
	uint8_t npending;
	uint8_t probes;              /* requests sent while INCOMPLETE */
	struct rte_ether_addr mac;
	uint64_t tsc;                /* list key: INCOMPLETE last request,
				      * REACHABLE confirmed, STALE since (or
				      * last re-check), FAILED since */
	uint64_t used;               /* last packet sent through it (neigh->used) */
	uint64_t updated;            /* last change (neigh->updated), for locktime */
};

struct neigh_list {
	uint32_t head, tail;
};

/* One per stack: Linux's arp_tbl, for every interface of the lcore. */
struct pmtcp_neigh_table {
	struct pmtcp_neigh *ent;     /* cap entries */
	uint32_t *bucket;            /* first entry of each hash chain */
	struct rte_mbuf **pending;   /* cap * st->arp_pending_max */
	uint32_t cap;                /* neigh.default.gc_thresh3 at create */
	uint32_t bucket_mask;
	uint32_t used;               /* entries not free */
	uint32_t seed;
	uint32_t last;               /* the entry neigh_output() found last:
				      * a hint, checked against ip and iface */
	uint64_t reachable_tsc;      /* reachable_time (neigh_rand_reach_time()) */
	uint64_t redraw_tsc;         /* when reachable_time was drawn */
	int32_t reachable_base_ms;   /* the base it was drawn from */
	struct neigh_list list[NUD_NR]; /* [NUD_NONE]: the free list */
};

static inline uint64_t
ms_to_tsc(const struct pmtcp_stack *st, uint64_t ms)
{
	return st->tsc_hz / 1000 * ms;
}

/* neigh_rand_reach_time(): uniform in [base/2, 3*base/2) */
static void
neigh_draw_reachable(struct pmtcp_stack *st, struct pmtcp_neigh_table *t)
{
	uint64_t base = (uint64_t)RTE_MAX(st->sysctl.neigh_base_reachable_time_ms, 1);

	t->reachable_tsc = ms_to_tsc(st, base / 2 + rte_rand_max(base));
	t->reachable_base_ms = st->sysctl.neigh_base_reachable_time_ms;
	t->redraw_tsc = st->now_tsc;
}

static void
list_unlink(struct pmtcp_neigh_table *t, struct neigh_list *l,
	    struct pmtcp_neigh *n)
{
	if (n->prev != NEIGH_NIL)
		t->ent[n->prev].next = n->next;
	else
		l->head = n->next;
	if (n->next != NEIGH_NIL)
		t->ent[n->next].prev = n->prev;
	else
		l->tail = n->prev;
	n->prev = n->next = NEIGH_NIL;
}

static void
list_append(struct pmtcp_neigh_table *t, struct neigh_list *l,
	    struct pmtcp_neigh *n)
{
	uint32_t i = (uint32_t)(n - t->ent);

	n->next = NEIGH_NIL;
	n->prev = l->tail;
	if (l->tail != NEIGH_NIL)
		t->ent[l->tail].next = i;
	else
		l->head = i;
	l->tail = i;
}

static inline struct pmtcp_neigh *
list_head(struct pmtcp_neigh_table *t, int state)
{
	uint32_t i = t->list[state].head;

	return i == NEIGH_NIL ? NULL : &t->ent[i];
}

/* Move @n to the tail of @state's list, keyed now. */
static void
neigh_set_state(struct pmtcp_stack *st, struct pmtcp_neigh *n, uint8_t state)
{
	struct pmtcp_neigh_table *t = st->neigh;

	if (n->state != NUD_NONE)
		list_unlink(t, &t->list[n->state], n);
	n->state = state;
	n->tsc = st->now_tsc;
	list_append(t, &t->list[state], n);
}

static inline uint32_t
neigh_hash(const struct pmtcp_neigh_table *t, uint8_t iface, uint32_t ip)
{
	return rte_jhash_2words(ip, iface, t->seed) & t->bucket_mask;
}

static inline struct rte_mbuf **
neigh_queue(struct pmtcp_stack *st, const struct pmtcp_neigh *n)
{
	return &st->neigh->pending[(size_t)(n - st->neigh->ent) *
				   st->arp_pending_max];
}

int
pmtcp_arp_init(struct pmtcp_stack *st, int socket)
{
	struct pmtcp_neigh_table *t;
	uint32_t cap = (uint32_t)RTE_MAX(st->sysctl.neigh_gc_thresh3, 1);
	uint32_t nb = rte_align32pow2(cap);

	t = rte_zmalloc_socket("pmtcp_neigh_tbl", sizeof(*t), RTE_CACHE_LINE_SIZE,
			       socket);
	if (t == NULL)
		return -ENOMEM;
	st->neigh = t;
	t->ent = rte_zmalloc_socket("pmtcp_neigh", sizeof(*t->ent) * cap,
				    RTE_CACHE_LINE_SIZE, socket);
	t->bucket = rte_malloc_socket("pmtcp_neigh_hash", sizeof(*t->bucket) * nb,
				      RTE_CACHE_LINE_SIZE, socket);
	t->pending = rte_zmalloc_socket("pmtcp_arpq",
			sizeof(struct rte_mbuf *) * cap * st->arp_pending_max,
			RTE_CACHE_LINE_SIZE, socket);
	if (t->ent == NULL || t->bucket == NULL || t->pending == NULL) {
		pmtcp_arp_fini(st);
		return -ENOMEM;
	}
	t->cap = cap;
	t->bucket_mask = nb - 1;
	t->seed = (uint32_t)rte_rand();
	for (uint32_t i = 0; i < nb; i++)
		t->bucket[i] = NEIGH_NIL;
	for (int s = 0; s < NUD_NR; s++)
		t->list[s].head = t->list[s].tail = NEIGH_NIL;
	for (uint32_t i = 0; i < cap; i++) {
		t->ent[i].hnext = NEIGH_NIL;
		list_append(t, &t->list[NUD_NONE], &t->ent[i]);
	}
	neigh_draw_reachable(st, t);
	return 0;
}

void
pmtcp_arp_fini(struct pmtcp_stack *st)
{
	struct pmtcp_neigh_table *t = st->neigh;

	if (t == NULL)
		return;
	/* free what still waits for a reply */
	if (t->ent != NULL && t->pending != NULL) {
		for (uint32_t i = 0; i < t->cap; i++) {
			struct pmtcp_neigh *n = &t->ent[i];
			struct rte_mbuf **q = neigh_queue(st, n);

			for (uint8_t k = 0; k < n->npending; k++)
				rte_pktmbuf_free(q[k]);
			n->npending = 0;
		}
	}
	rte_free(t->ent);
	rte_free(t->bucket);
	rte_free(t->pending);
	rte_free(t);
	st->neigh = NULL;
}

/* __neigh_lookup_noref(): the entry for (@iface, @ip), or NULL. */
static inline struct pmtcp_neigh *
neigh_lookup(struct pmtcp_neigh_table *t, uint8_t iface, uint32_t ip)
{
	uint32_t i = t->bucket[neigh_hash(t, iface, ip)];

	while (i != NEIGH_NIL) {
		struct pmtcp_neigh *n = &t->ent[i];

		if (n->ip == ip && n->iface == iface)
			return n;
		i = n->hnext;
	}
	return NULL;
}

/* neigh_destroy(): unhash @n and put it back on the free list. Only
 * entries that hold no packets get here (INCOMPLETE is never chosen);
 * should one hold some, they are dropped once, here. */
static void
neigh_destroy(struct pmtcp_stack *st, struct pmtcp_neigh *n)
{
	struct pmtcp_neigh_table *t = st->neigh;
	uint32_t idx = (uint32_t)(n - t->ent);
	uint32_t *pp = &t->bucket[neigh_hash(t, n->iface, n->ip)];
	struct rte_mbuf **q = neigh_queue(st, n);

	while (*pp != idx)
		pp = &t->ent[*pp].hnext;
	*pp = n->hnext;
	n->hnext = NEIGH_NIL;
	for (uint8_t k = 0; k < n->npending; k++) {
		pmtcp_drop(st, q[k], PMTCP_DROP_ARP_FAILED);
		q[k] = NULL;
	}
	n->npending = 0;
	list_unlink(t, &t->list[n->state], n);
	n->state = NUD_NONE;
	n->ip = 0;
	list_append(t, &t->list[NUD_NONE], n);
	t->used--;
	MIB_INC(st, Arp, Destroys);
}

/* neigh_forced_gc(), one entry at a time: a FAILED neighbour first, then
 * the STALE one stale the longest, then a REACHABLE one whose time ran
 * out but the timer has not yet looked at. INCOMPLETE neighbours (they
 * hold packets) and REACHABLE ones are kept, as Linux keeps entries its
 * timers hold. Returns true when an entry was freed. */
static bool
neigh_forced_gc(struct pmtcp_stack *st)
{
	struct pmtcp_neigh_table *t = st->neigh;
	struct pmtcp_neigh *n = list_head(t, NUD_FAILED);

	if (n == NULL)
		n = list_head(t, NUD_STALE);
	if (n == NULL) {
		n = list_head(t, NUD_REACHABLE);
		if (n != NULL && st->now_tsc - n->tsc < t->reachable_tsc)
			n = NULL;
	}
	if (n == NULL)
		return false;
	MIB_INC(st, Arp, ForcedGcRuns);
	neigh_destroy(st, n);
	return true;
}

/* neigh_create() -> neigh_alloc(): a new entry for (@ifc, @ip), making
 * room with neigh_forced_gc() when the table holds gc_thresh3 entries
 * (the smaller of the knob now and the size at create). NULL, counted as
 * ArpTableFull, when every entry is in use. The entry is
 * NUD_NONE and on no list: the caller gives it its state at once. */
static struct pmtcp_neigh *
neigh_create(struct pmtcp_stack *st, struct pmtcp_iface *ifc, uint32_t ip)
{
	struct pmtcp_neigh_table *t = st->neigh;
	uint32_t limit = RTE_MIN((uint32_t)RTE_MAX(st->sysctl.neigh_gc_thresh3, 1),
				 t->cap);
	struct pmtcp_neigh *n;
	uint32_t *b;

	while (t->used >= limit) {
		if (!neigh_forced_gc(st)) {
			MIB_INC(st, Arp, TableFull);
			return NULL;
		}
	}
	n = list_head(t, NUD_NONE);
	list_unlink(t, &t->list[NUD_NONE], n);
	n->ip = ip;
	n->iface = (uint8_t)(ifc - st->ifaces);
	n->npending = 0;
	n->probes = 0;
	memset(&n->mac, 0, sizeof(n->mac));
	n->used = n->updated = st->now_tsc;
	b = &t->bucket[neigh_hash(t, n->iface, ip)];
	n->hnext = *b;
	*b = (uint32_t)(n - t->ent);
	t->used++;
	MIB_INC(st, Arp, Allocs);
	return n;
}

/* Build and queue an ARP packet (arp_create() + arp_xmit()). */
static void
arp_send(struct pmtcp_stack *st, struct pmtcp_iface *ifc, uint16_t op,
	 const struct rte_ether_addr *tha, uint32_t tip, uint32_t sip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(st->pool);
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;

	if (m == NULL) {
		MIB_INC(st, Pmtcp, NoMbuf);
		return;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eh) + sizeof(*ah));
	if (eh == NULL) {   /* an mbuf smaller than 42 bytes of room */
		MIB_INC(st, Pmtcp, NoMbuf);
		rte_pktmbuf_free(m);
		return;
	}
	ah = (struct rte_arp_hdr *)(eh + 1);
	if (op == RTE_ARP_OP_REQUEST)
		memset(&eh->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	else
		rte_ether_addr_copy(tha, &eh->dst_addr);
	rte_ether_addr_copy(&ifc->conf.mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	ah->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = 4;
	ah->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(&ifc->conf.mac, &ah->arp_data.arp_sha);
	ah->arp_data.arp_sip = sip;
	if (op == RTE_ARP_OP_REQUEST)
		memset(&ah->arp_data.arp_tha, 0, RTE_ETHER_ADDR_LEN);
	else
		rte_ether_addr_copy(tha, &ah->arp_data.arp_tha);
	ah->arp_data.arp_tip = tip;
	if (op == RTE_ARP_OP_REQUEST)
		MIB_INC(st, Arp, OutRequests);
	else
		MIB_INC(st, Arp, OutReplies);
	pmtcp_tx_enqueue(st, ifc, m);
}

/*
 * neigh_update(): learn @mac for @n in @state (REACHABLE or STALE).
 * A known address is replaced only with @override; an unchanged address
 * with a STALE update keeps the state it has (a request does not undo a
 * confirmation); an update that changes nothing touches nothing, not
 * even the timestamps. Leaving INCOMPLETE or FAILED sends what waited.
 */
static void
neigh_update(struct pmtcp_stack *st, struct pmtcp_neigh *n,
	     const struct rte_ether_addr *mac, uint8_t state, bool override)
{
	struct pmtcp_iface *ifc = &st->ifaces[n->iface];
	struct rte_mbuf **q = neigh_queue(st, n);
	bool valid = n->state == NUD_REACHABLE || n->state == NUD_STALE;
	bool same = rte_is_same_ether_addr(mac, &n->mac);

	if (valid) {
		if (!same && !override)
			return;
		if (same && state == NUD_STALE)
			state = n->state;
	}
	if (valid && same && state == n->state)
		return;
	rte_ether_addr_copy(mac, &n->mac);
	n->updated = st->now_tsc;
	if (state != n->state || state == NUD_REACHABLE)
		neigh_set_state(st, n, state);   /* confirmed: now */
	n->probes = 0;
	if (valid)
		return;
	for (uint8_t i = 0; i < n->npending; i++) {
		struct rte_ether_hdr *eh =
			rte_pktmbuf_mtod(q[i], struct rte_ether_hdr *);

		rte_ether_addr_copy(mac, &eh->dst_addr);
		n->used = st->now_tsc;
		pmtcp_tx_enqueue(st, ifc, q[i]);
		q[i] = NULL;
	}
	n->npending = 0;
}

/* neigh_event_send() on a neighbour without an address: start resolving
 * (first request now, the next ones from pmtcp_neigh_timer()). */
static void
neigh_start_resolve(struct pmtcp_stack *st, struct pmtcp_neigh *n)
{
	neigh_set_state(st, n, NUD_INCOMPLETE);
	n->probes = 1;
	arp_send(st, &st->ifaces[n->iface], RTE_ARP_OP_REQUEST, NULL, n->ip,
		 st->ifaces[n->iface].conf.addr);
}

/*
 * arp_error_report() -> tcp_v4_err() for one packet a FAILED neighbour
 * held: the connection that sent it, if it is still in SYN_SENT with
 * that SYN, fails with EHOSTUNREACH (Linux's ICMP_HOST_UNREACH to
 * itself). Bounded by the packets held, never a walk of the table.
 */
static void
neigh_error_report(struct pmtcp_stack *st, const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *iph = rte_pktmbuf_mtod_offset(m,
			const struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(iph + 1);
	struct pmtcp_sock *sk;

	if (iph->next_proto_id != IPPROTO_TCP || !(th->tcp_flags & TH_SYN))
		return;
	sk = pmtcp_sock_lookup(st, iph->src_addr, th->src_port, iph->dst_addr,
			       th->dst_port);
	if (sk != NULL && sk->state == PMTCP_TCP_SYN_SENT &&
	    rte_be_to_cpu_32(th->sent_seq) == sk->iss)
		pmtcp_tcp_done(st, sk, -EHOSTUNREACH);
}

/* The neighbour gave up: drop what it held, and fail the handshakes
 * whose SYN it held (neigh_invalidate()'s error_report for each). The
 * callbacks may open connections, and so create or destroy neighbours,
 * @n included: nothing of @n is read once they may run. */
static void
neigh_failed(struct pmtcp_stack *st, struct pmtcp_neigh *n)
{
	struct rte_mbuf **q = neigh_queue(st, n);
	struct rte_mbuf *held[64];
	uint8_t nheld = 0;

	neigh_set_state(st, n, NUD_FAILED);
	MIB_INC(st, Arp, ResolveFails);
	for (uint8_t i = 0; i < n->npending; i++) {
		if (nheld < RTE_DIM(held))
			held[nheld++] = q[i];
		else
			pmtcp_drop(st, q[i], PMTCP_DROP_ARP_FAILED);
		q[i] = NULL;
	}
	n->npending = 0;
	for (uint8_t i = 0; i < nheld; i++) {
		neigh_error_report(st, held[i]);
		pmtcp_drop(st, held[i], PMTCP_DROP_ARP_FAILED);
	}
}

/*
 * neigh_timer_handler() and neigh_periodic_work() for the whole table,
 * from the list heads only (each list is in the order of its key):
 * INCOMPLETE neighbours asked again after retrans_time_ms or FAILED after
 * mcast_solicit requests; REACHABLE ones older than reachable_time made
 * STALE; STALE ones unused for gc_stale_time and FAILED ones older than
 * base_reachable_time/2 destroyed. At most NEIGH_TIMER_BUDGET of each
 * per call; pmtcp_stack_poll() calls it every 10 ms.
 */
void
pmtcp_neigh_timer(struct pmtcp_stack *st)
{
	struct pmtcp_neigh_table *t = st->neigh;
	uint64_t now = st->now_tsc;
	uint64_t retrans = ms_to_tsc(st, (uint64_t)st->sysctl.neigh_retrans_time_ms);
	uint64_t stale = ms_to_tsc(st, 1000 * (uint64_t)st->sysctl.neigh_gc_stale_time);
	uint64_t failed = ms_to_tsc(st,
			(uint64_t)st->sysctl.neigh_base_reachable_time_ms / 2);
	struct pmtcp_neigh *n;
	unsigned int k;

	if (t->reachable_base_ms != st->sysctl.neigh_base_reachable_time_ms ||
	    now - t->redraw_tsc >= st->tsc_hz * NEIGH_REDRAW_S)
		neigh_draw_reachable(st, t);

	for (k = 0; k < NEIGH_TIMER_BUDGET; k++) {
		n = list_head(t, NUD_INCOMPLETE);
		if (n == NULL || now - n->tsc < retrans)
			break;
		if (n->probes >= st->sysctl.neigh_mcast_solicit) {
			neigh_failed(st, n);
			continue;
		}
		neigh_set_state(st, n, NUD_INCOMPLETE);   /* to the tail */
		n->probes++;
		arp_send(st, &st->ifaces[n->iface], RTE_ARP_OP_REQUEST, NULL,
			 n->ip, st->ifaces[n->iface].conf.addr);
	}
	for (k = 0; k < NEIGH_TIMER_BUDGET; k++) {
		n = list_head(t, NUD_REACHABLE);
		if (n == NULL || now - n->tsc < t->reachable_tsc)
			break;
		neigh_set_state(st, n, NUD_STALE);
	}
	for (k = 0; k < NEIGH_TIMER_BUDGET; k++) {
		n = list_head(t, NUD_FAILED);
		if (n == NULL || now - n->tsc < failed)
			break;
		neigh_destroy(st, n);
	}
	for (k = 0; k < NEIGH_TIMER_BUDGET; k++) {
		n = list_head(t, NUD_STALE);
		if (n == NULL || now - n->tsc < stale)
			break;
		if (now - n->used < stale)
			neigh_set_state(st, n, NUD_STALE);   /* used: look again later */
		else
			neigh_destroy(st, n);
	}
}

void
pmtcp_neigh_output(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
		   uint32_t nexthop, struct rte_mbuf *m)
{
	struct pmtcp_neigh_table *t = st->neigh;
	uint8_t iface = (uint8_t)(ifc - st->ifaces);
	struct pmtcp_neigh *n = &t->ent[t->last];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	/* a run of segments to one next hop looks it up once; entries are
	 * never freed, a destroyed one has ip 0 */
	if (unlikely(n->ip != nexthop || n->iface != iface)) {
		n = neigh_lookup(t, iface, nexthop);
		if (n != NULL)
			t->last = (uint32_t)(n - t->ent);
	}

	/* neigh_event_send(): REACHABLE and STALE both have an address
	 * (Linux sends on STALE too, moving it to DELAY) */
	if (likely(n != NULL && (n->state == NUD_REACHABLE ||
				 n->state == NUD_STALE))) {
		rte_ether_addr_copy(&n->mac, &eh->dst_addr);
		n->used = st->now_tsc;
		pmtcp_tx_enqueue(st, ifc, m);
		return;
	}
	if (n == NULL) {
		n = neigh_create(st, ifc, nexthop);
		if (unlikely(n == NULL)) {
			pmtcp_drop(st, m, PMTCP_DROP_ARP_TABLE_FULL);
			return;
		}
	}
	/* neigh_resolve_output(): hold the packet while resolving */
	n->used = st->now_tsc;
	if (n->npending < st->arp_pending_max) {
		neigh_queue(st, n)[n->npending++] = m;
		MIB_INC(st, Arp, PendingQueued);
	} else {
		MIB_INC(st, Arp, PendingDrops);
		pmtcp_drop(st, m, PMTCP_DROP_ARP_PENDING_FULL);
	}
	if (n->state != NUD_INCOMPLETE)
		neigh_start_resolve(st, n);
}

/*
 * A connect() starts using another address of an interface's range: ask
 * for the next hop from that address (arp_solicit() takes the source of
 * the packet that needs resolving). The next hop answers, and creates
 * or refreshes its entry for the new address (neigh_event_ns()), so its
 * replies to it need no resolution of their own, which would hold them
 * (unres_qlen) and drop what does not fit while a whole window of SYNs
 * from the new address arrives.
 */
void
pmtcp_arp_solicit_from(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
		       uint32_t saddr, uint32_t nexthop)
{
	arp_send(st, ifc, RTE_ARP_OP_REQUEST, NULL, nexthop, saddr);
}

/* A sender no neighbour may have (what ip_route_input_slow() calls a
 * martian source, plus the receiving interface's own address, which
 * arp_process() ignores through the failed route lookup: someone else
 * claims it), or the subnet's own broadcast and network addresses.
 * Another interface's address is a neighbour like any other: a stack
 * may own both ends of a link (the loopback pair). */
static bool
arp_sender_bogus(const struct pmtcp_iface *ifc, uint32_t sip)
{
	uint32_t h = rte_be_to_cpu_32(sip);

	if ((h >> 24) == 0 || (h >> 24) == 127 || h >= 0xe0000000)
		return true;   /* 0/8, loopback, multicast, class E, broadcast */
	if (pmtcp_iface_is_local(ifc, sip))
		return true;
	if (ifc->conf.prefix_len < 31 &&
	    (sip & ifc->mask) == (ifc->conf.addr & ifc->mask) &&
	    ((sip & ~ifc->mask) == ~ifc->mask || (sip & ~ifc->mask) == 0))
		return true;
	return false;
}

/* arp_process(): RFC 826 "Packet Reception", with Linux's choice of
 * what to learn. Consumes @m. */
void
pmtcp_arp_rcv(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
	      struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;
	struct pmtcp_neigh *n;
	uint16_t op;
	uint32_t sip, tip;
	struct rte_ether_addr sha;
	bool for_us, garp;

	if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + sizeof(*ah)) {
		pmtcp_drop(st, m, PMTCP_DROP_ARP_MALFORMED);
		return;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	ah = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, RTE_ETHER_HDR_LEN);
	if (ah->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    ah->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    ah->arp_hlen != RTE_ETHER_ADDR_LEN || ah->arp_plen != 4) {
		pmtcp_drop(st, m, PMTCP_DROP_ARP_MALFORMED);
		return;
	}
	op = rte_be_to_cpu_16(ah->arp_opcode);
	sip = ah->arp_data.arp_sip;
	tip = ah->arp_data.arp_tip;
	rte_ether_addr_copy(&ah->arp_data.arp_sha, &sha);
	if ((op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY) ||
	    rte_is_multicast_ether_addr(&sha) || rte_is_zero_ether_addr(&sha)) {
		pmtcp_drop(st, m, PMTCP_DROP_ARP_MALFORMED);
		return;
	}
	/* the other stacks of a port with several queues learn from a
	 * copy: what they answer, this one answers (st->in_inbox on them) */
	pmtcp_steer_arp(st, ifc, m);
	for_us = pmtcp_iface_is_local(ifc, tip);
	if (for_us && !st->in_inbox) {
		if (op == RTE_ARP_OP_REQUEST)
			MIB_INC(st, Arp, InRequests);
		else
			MIB_INC(st, Arp, InReplies);
	}
	/* RFC 5227 probe (sender 0.0.0.0): answered, nothing learnt */
	if (sip == 0) {
		if (st->in_inbox) {
			rte_pktmbuf_free(m);   /* the receiving stack answered */
		} else if (for_us && op == RTE_ARP_OP_REQUEST) {
			rte_pktmbuf_free(m);
			arp_send(st, ifc, RTE_ARP_OP_REPLY, &sha, 0, tip);
		} else {
			pmtcp_drop(st, m, for_us ? PMTCP_DROP_ARP_SENDER_BOGUS :
					    PMTCP_DROP_ARP_NOT_OURS);
		}
		return;
	}
	if (arp_sender_bogus(ifc, sip)) {
		pmtcp_drop(st, m, PMTCP_DROP_ARP_SENDER_BOGUS);
		return;
	}
	n = neigh_lookup(st->neigh, (uint8_t)(ifc - st->ifaces), sip);
	/* the route back to a sender we have no entry for must be this
	 * interface, directly (its subnet, or its gateway): anyone else can
	 * never be a next hop of ours. An entry means we route through it. */
	if (n == NULL && (sip & ifc->mask) != (ifc->conf.addr & ifc->mask) &&
	    sip != ifc->conf.gateway) {
		pmtcp_drop(st, m, PMTCP_DROP_ARP_SENDER_OFFLINK);
		return;
	}

	/* a request for us: neigh_event_ns() (created STALE, address
	 * overridden), then the reply; no entry, no reply, as in Linux */
	if (for_us && op == RTE_ARP_OP_REQUEST) {
		if (n == NULL)
			n = neigh_create(st, ifc, sip);
		if (n == NULL) {
			pmtcp_drop(st, m, PMTCP_DROP_ARP_TABLE_FULL);
			return;
		}
		neigh_update(st, n, &sha, NUD_STALE, true);
		rte_pktmbuf_free(m);
		if (!st->in_inbox)
			arp_send(st, ifc, RTE_ARP_OP_REPLY, &sha, sip, tip);
		return;
	}

	/* a gratuitous ARP announces the sender's own address; a reply one
	 * carries its address as target too (arp_is_garp()) */
	garp = tip == sip && (op == RTE_ARP_OP_REQUEST ||
			      rte_is_same_ether_addr(&sha, &ah->arp_data.arp_tha));
	if (n == NULL) {
		/* arp_accept=0: unsolicited ARP creates nothing */
		pmtcp_drop(st, m, op == RTE_ARP_OP_REPLY || garp ?
			   PMTCP_DROP_ARP_UNSOLICITED : PMTCP_DROP_ARP_NOT_OURS);
		return;
	}
	/* "Broadcast replies and request packets do not assert neighbour
	 * reachability"; the first of several back-to-back replies wins
	 * (locktime), unless it is a gratuitous one */
	neigh_update(st, n, &sha,
		     op == RTE_ARP_OP_REPLY &&
		     rte_is_same_ether_addr(&eh->dst_addr, &ifc->conf.mac) ?
		     NUD_REACHABLE : NUD_STALE,
		     garp || st->now_tsc - n->updated >=
			     ms_to_tsc(st, NEIGH_LOCKTIME_MS));
	if (for_us)
		rte_pktmbuf_free(m);
	else
		pmtcp_drop(st, m, PMTCP_DROP_ARP_NOT_OURS);
}

int
pmtcp_neigh_resolve(struct pmtcp_stack *st, uint32_t daddr)
{
	struct pmtcp_iface *ifc;
	struct pmtcp_neigh *n;
	uint32_t nexthop = 0;

	ifc = pmtcp_route_lookup(st, daddr, &nexthop);
	/* neither our own address nor a subnet broadcast is a neighbour:
	 * Linux's routes to them are RTN_LOCAL and RTN_BROADCAST, which
	 * never go through ARP (fib_add_ifaddr()) */
	if (ifc == NULL || pmtcp_iface_is_local(ifc, nexthop) ||
	    pmtcp_ip_subnet_bcast(st, nexthop))
		return -ENETUNREACH;
	n = neigh_lookup(st->neigh, (uint8_t)(ifc - st->ifaces), nexthop);
	if (n == NULL)
		n = neigh_create(st, ifc, nexthop);
	if (n == NULL)
		return 0;
	if (n->state == NUD_REACHABLE || n->state == NUD_STALE)
		return 1;
	if (n->state != NUD_INCOMPLETE)
		neigh_start_resolve(st, n);
	return 0;
}

int
pmtcp_neigh_lookup(const struct pmtcp_stack *st, uint32_t addr,
		   struct pmtcp_neigh_info *info)
{
	for (uint16_t i = 0; st != NULL && info != NULL && i < st->n_ifaces; i++) {
		const struct pmtcp_neigh *n = neigh_lookup(st->neigh, (uint8_t)i, addr);

		if (n == NULL)
			continue;
		memset(info, 0, sizeof(*info));
		info->addr = n->ip;
		info->iface = n->iface;
		info->state = (enum pmtcp_nud_state)n->state;
		rte_ether_addr_copy(&n->mac, &info->mac);
		info->npending = n->npending;
		return 0;
	}
	return -ENOENT;
}
