/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP (RFC 826) and the neighbour cache (net/ipv4/arp.c, net/core/neighbour.c
 * in miniature): answer requests for our address, learn senders that ask
 * for us, resolve next hops for output and hold a bounded number of
 * packets per unresolved neighbour (neigh->arp_queue) until the reply.
 *
 * Resolution follows neigh_timer_handler(): an INCOMPLETE neighbour is
 * asked again every neigh.default.retrans_time_ms (1 s); after
 * neigh.default.mcast_solicit (3) unanswered requests it is FAILED, the
 * packets it held are dropped, and connections still in SYN_SENT towards
 * it fail with EHOSTUNREACH (Linux reaches the same result through
 * arp_error_report() -> ICMP host unreachable -> tcp_v4_err()).
 */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_jhash.h>
#include <rte_malloc.h>

#include "tcp.h"

enum {
	NUD_NONE = 0,
	NUD_INCOMPLETE,
	NUD_REACHABLE,
	NUD_FAILED,
};

struct pmtcp_neigh {
	uint32_t ip;                 /* network order, 0 = free slot */
	uint8_t state;
	uint8_t npending;
	uint8_t probes;              /* requests sent while INCOMPLETE */
	struct rte_ether_addr mac;
	uint64_t req_tsc;            /* last request sent */
};

int
pmtcp_arp_init(struct pmtcp_stack *st, struct pmtcp_iface *ifc, int socket)
{
	uint32_t slots = rte_align32pow2(st->neigh_entries * 2);

	ifc->neigh = rte_zmalloc_socket("pmtcp_neigh", sizeof(*ifc->neigh) * slots,
					RTE_CACHE_LINE_SIZE, socket);
	ifc->neigh_pending = rte_zmalloc_socket("pmtcp_arpq",
			sizeof(struct rte_mbuf *) * slots * st->arp_pending_max,
			RTE_CACHE_LINE_SIZE, socket);
	if (ifc->neigh == NULL || ifc->neigh_pending == NULL) {
		pmtcp_arp_fini(st, ifc);
		return -ENOMEM;
	}
	ifc->neigh_mask = slots - 1;
	ifc->neigh_used = 0;
	return 0;
}

void
pmtcp_arp_fini(struct pmtcp_stack *st, struct pmtcp_iface *ifc)
{
	/* free what still waits for a reply */
	if (ifc->neigh != NULL && ifc->neigh_pending != NULL) {
		for (uint32_t i = 0; i <= ifc->neigh_mask; i++) {
			struct rte_mbuf **q =
				&ifc->neigh_pending[(size_t)i * st->arp_pending_max];

			for (uint8_t k = 0; k < ifc->neigh[i].npending; k++)
				rte_pktmbuf_free(q[k]);
			ifc->neigh[i].npending = 0;
		}
	}
	rte_free(ifc->neigh);
	rte_free(ifc->neigh_pending);
	ifc->neigh = NULL;
	ifc->neigh_pending = NULL;
}

/* Find @ip; with @create, claim a free slot for it. */
static struct pmtcp_neigh *
neigh_find(struct pmtcp_stack *st, struct pmtcp_iface *ifc, uint32_t ip,
	   bool create)
{
	uint32_t h = rte_jhash_1word(ip, 0);

	for (uint32_t i = 0; i <= ifc->neigh_mask; i++) {
		struct pmtcp_neigh *n = &ifc->neigh[(h + i) & ifc->neigh_mask];

		if (n->ip == ip)
			return n;
		if (n->ip == 0) {
			if (!create)
				return NULL;
			if (ifc->neigh_used >= st->neigh_entries) {
				MIB_INC(st, Arp, TableFull);
				return NULL;
			}
			n->ip = ip;
			n->state = NUD_NONE;
			n->npending = 0;
			n->probes = 0;
			n->req_tsc = 0;
			ifc->neigh_used++;
			return n;
		}
	}
	MIB_INC(st, Arp, TableFull);
	return NULL;
}

static inline struct rte_mbuf **
neigh_queue(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
	    const struct pmtcp_neigh *n)
{
	return &ifc->neigh_pending[(size_t)(n - ifc->neigh) * st->arp_pending_max];
}

/* Build and queue an ARP packet (arp_create() + arp_xmit()). */
static void
arp_send(struct pmtcp_stack *st, struct pmtcp_iface *ifc, uint16_t op,
	 const struct rte_ether_addr *tha, uint32_t tip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(st->pool);
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;

	if (m == NULL) {
		MIB_INC(st, Pmtcp, NoMbuf);
		return;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eh) + sizeof(*ah));
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
	ah->arp_data.arp_sip = ifc->conf.addr;
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

/* neigh_update() to REACHABLE: send everything that waited for it. */
static void
neigh_update(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
	     struct pmtcp_neigh *n, const struct rte_ether_addr *mac)
{
	struct rte_mbuf **q = neigh_queue(st, ifc, n);

	rte_ether_addr_copy(mac, &n->mac);
	if (n->state == NUD_INCOMPLETE)
		st->neigh_incomplete--;
	n->state = NUD_REACHABLE;
	n->probes = 0;
	for (uint8_t i = 0; i < n->npending; i++) {
		struct rte_ether_hdr *eh =
			rte_pktmbuf_mtod(q[i], struct rte_ether_hdr *);

		rte_ether_addr_copy(mac, &eh->dst_addr);
		pmtcp_tx_enqueue(st, ifc, q[i]);
		q[i] = NULL;
	}
	n->npending = 0;
}

/* neigh_event_send() on a neighbour without an address: start resolving
 * (first request now, the next ones from pmtcp_neigh_timer()). */
static void
neigh_start_resolve(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
		    struct pmtcp_neigh *n)
{
	if (n->state == NUD_INCOMPLETE)
		return;
	n->state = NUD_INCOMPLETE;
	n->probes = 1;
	n->req_tsc = st->now_tsc;
	st->neigh_incomplete++;
	arp_send(st, ifc, RTE_ARP_OP_REQUEST, NULL, n->ip);
}

/* The neighbour gave up: drop what it held, fail the handshakes that
 * wait on it (EHOSTUNREACH, as tcp_v4_err() does for SYN_SENT). */
static void
neigh_failed(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
	     struct pmtcp_neigh *n)
{
	struct rte_mbuf **q = neigh_queue(st, ifc, n);
	uint8_t iface = (uint8_t)(ifc - st->ifaces);

	n->state = NUD_FAILED;
	st->neigh_incomplete--;
	MIB_INC(st, Arp, ResolveFails);
	for (uint8_t i = 0; i < n->npending; i++) {
		pmtcp_drop(st, q[i], PMTCP_DROP_ARP_FAILED);
		q[i] = NULL;
	}
	n->npending = 0;
	for (uint32_t i = 0; i < st->conn_max; i++) {
		struct pmtcp_sock *sk = &st->socks[i];

		if (sk->state == PMTCP_TCP_SYN_SENT && sk->iface == iface &&
		    pmtcp_route_nexthop(ifc, sk->daddr) == n->ip)
			pmtcp_tcp_done(st, sk, -EHOSTUNREACH);
	}
}

/* neigh_timer_handler() for every INCOMPLETE neighbour: ask again after
 * retrans_time_ms, give up after mcast_solicit requests. */
void
pmtcp_neigh_timer(struct pmtcp_stack *st)
{
	uint64_t retrans = st->tsc_hz / 1000 *
			   (uint64_t)st->sysctl.neigh_retrans_time_ms;

	for (uint16_t k = 0; k < st->n_ifaces && st->neigh_incomplete > 0; k++) {
		struct pmtcp_iface *ifc = &st->ifaces[k];

		for (uint32_t i = 0; i <= ifc->neigh_mask; i++) {
			struct pmtcp_neigh *n = &ifc->neigh[i];

			if (n->state != NUD_INCOMPLETE ||
			    st->now_tsc - n->req_tsc < retrans)
				continue;
			if (n->probes >= st->sysctl.neigh_mcast_solicit) {
				neigh_failed(st, ifc, n);
				continue;
			}
			n->probes++;
			n->req_tsc = st->now_tsc;
			arp_send(st, ifc, RTE_ARP_OP_REQUEST, NULL, n->ip);
		}
	}
}

void
pmtcp_neigh_output(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
		   uint32_t nexthop, struct rte_mbuf *m)
{
	struct pmtcp_neigh *n = neigh_find(st, ifc, nexthop, true);
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	if (unlikely(n == NULL)) {
		pmtcp_drop(st, m, PMTCP_DROP_ARP_TABLE_FULL);
		return;
	}
	if (likely(n->state == NUD_REACHABLE)) {
		rte_ether_addr_copy(&n->mac, &eh->dst_addr);
		pmtcp_tx_enqueue(st, ifc, m);
		return;
	}
	/* neigh_resolve_output(): hold the packet while resolving */
	if (n->npending < st->arp_pending_max) {
		neigh_queue(st, ifc, n)[n->npending++] = m;
		MIB_INC(st, Arp, PendingQueued);
	} else {
		MIB_INC(st, Arp, PendingDrops);
		pmtcp_drop(st, m, PMTCP_DROP_ARP_PENDING_FULL);
	}
	neigh_start_resolve(st, ifc, n);
}

/* arp_process(): RFC 826 "Packet Reception". Consumes @m. */
void
pmtcp_arp_rcv(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
	      struct rte_mbuf *m)
{
	struct rte_arp_hdr *ah;
	struct pmtcp_neigh *n;
	uint16_t op;
	uint32_t sip, tip;
	struct rte_ether_addr sha;

	if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + sizeof(*ah)) {
		pmtcp_drop(st, m, PMTCP_DROP_ARP_MALFORMED);
		return;
	}
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
	if (tip != ifc->conf.addr) {
		/* not for us: refresh a neighbour we already know, no more */
		n = sip != 0 ? neigh_find(st, ifc, sip, false) : NULL;
		if (n != NULL)
			neigh_update(st, ifc, n, &sha);
		pmtcp_drop(st, m, PMTCP_DROP_ARP_NOT_OURS);
		return;
	}
	if (op == RTE_ARP_OP_REQUEST)
		MIB_INC(st, Arp, InRequests);
	else
		MIB_INC(st, Arp, InReplies);
	/* learn the sender: it asks for us, so we will answer it soon */
	if (sip != 0) {
		n = neigh_find(st, ifc, sip, true);
		if (n != NULL)
			neigh_update(st, ifc, n, &sha);
	}
	rte_pktmbuf_free(m);
	if (op == RTE_ARP_OP_REQUEST)
		arp_send(st, ifc, RTE_ARP_OP_REPLY, &sha, sip);
}

int
pmtcp_neigh_resolve(struct pmtcp_stack *st, uint32_t daddr)
{
	struct pmtcp_iface *ifc;
	struct pmtcp_neigh *n;
	uint32_t nexthop = 0;

	ifc = pmtcp_route_lookup(st, daddr, &nexthop);
	if (ifc == NULL)
		return -ENETUNREACH;
	n = neigh_find(st, ifc, nexthop, true);
	if (n == NULL)
		return 0;
	if (n->state == NUD_REACHABLE)
		return 1;
	neigh_start_resolve(st, ifc, n);
	return 0;
}
