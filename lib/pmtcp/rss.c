/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Several queues per port, one stack per queue: which queue a segment
 * reaches, and what a stack does with a segment that reached the wrong
 * one.
 *
 * A NIC's RSS hashes the IPv4/TCP 4-tuple of each received frame with a
 * Toeplitz key and picks the queue from a redirection table (RETA). An
 * active connection's replies come back to its stack's queue when the
 * source port is chosen for it (pmtcp_inet_hash_connect() asks
 * pmtcp_rss_queue() of each candidate), as dperf and the Linux
 * aRFS-less benchmarks do. A passive connection belongs to the queue its
 * SYN arrived on; the peer's next segments hash alike and follow.
 *
 * Where the port's own spreading is unknown (PMTCP_STEER_SOFTWARE), the
 * same hash names each active connection's queue, and the stack that
 * receives a segment for another queue's connection hands it over
 * through that stack's inbox, an rte_ring (multi-producer, one
 * consumer: its owner). ARP frames are copied to every stack of the
 * port: each keeps its own neighbour table, and a NIC gives all ARP to
 * one queue.
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_thash.h>

#include "tcp.h"

/* The Microsoft/Intel verification key: the default of most NICs. */
static const uint8_t rss_reference_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

const uint8_t *
pmtcp_rss_default_key(uint8_t *len)
{
	if (len != NULL)
		*len = sizeof(rss_reference_key);
	return rss_reference_key;
}

/* rte_softrss() of a received frame's IPv4/TCP tuple, host order */
static uint32_t
rss_hash(const uint8_t *key, uint32_t src, uint32_t dst, uint16_t sport,
	 uint16_t dport)
{
	union rte_thash_tuple t;

	memset(&t, 0, sizeof(t));
	t.v4.src_addr = src;
	t.v4.dst_addr = dst;
	t.v4.sport = sport;
	t.v4.dport = dport;
	return rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, key);
}

int
pmtcp_rss_init(struct pmtcp_iface *ifc, int socket)
{
	const struct pmtcp_iface_conf *ic = &ifc->conf;
	struct pmtcp_rss *rss;
	uint32_t size;

	if (ic->nb_queues <= 1)
		return 0;
	if (ic->queue_id >= ic->nb_queues ||
	    ic->nb_queues > PMTCP_RETA_SIZE_MAX ||
	    (ic->steer != PMTCP_STEER_NONE && ic->steer != PMTCP_STEER_RSS &&
	     ic->steer != PMTCP_STEER_SOFTWARE) ||
	    (ic->rss_key_len != 0 &&
	     (ic->rss_key_len < 16 || ic->rss_key_len > PMTCP_RSS_KEY_LEN_MAX)) ||
	    ic->reta_size > PMTCP_RETA_SIZE_MAX ||
	    (ic->reta_size != 0 && !rte_is_power_of_2(ic->reta_size)))
		return -EINVAL;
	for (uint16_t i = 0; i < ic->reta_size; i++)
		if (ic->reta[i] >= ic->nb_queues)
			return -EINVAL;
	rss = rte_zmalloc_socket("pmtcp_rss", sizeof(*rss), RTE_CACHE_LINE_SIZE,
				 socket);
	if (rss == NULL)
		return -ENOMEM;
	if (ic->rss_key_len != 0)
		memcpy(rss->key, ic->rss_key, ic->rss_key_len);
	else
		memcpy(rss->key, rss_reference_key, sizeof(rss_reference_key));
	size = ic->reta_size != 0 ? ic->reta_size : 128;
	rss->reta_mask = size - 1;
	for (uint32_t i = 0; i < size; i++)
		rss->reta[i] = ic->reta_size != 0 ? ic->reta[i] :
			       (uint16_t)(i % ic->nb_queues);
	/* each byte of the local port (the frame's destination port) alone */
	for (uint32_t b = 0; b < 256; b++) {
		rss->lport_hash[0][b] = rss_hash(rss->key, 0, 0, 0,
						 (uint16_t)(b << 8));
		rss->lport_hash[1][b] = rss_hash(rss->key, 0, 0, 0, (uint16_t)b);
	}
	ifc->rss = rss;
	return 0;
}

uint32_t
pmtcp_rss_base(const struct pmtcp_rss *rss, uint32_t raddr, uint32_t laddr,
	       uint16_t rport_be)
{
	return rss_hash(rss->key, rte_be_to_cpu_32(raddr), rte_be_to_cpu_32(laddr),
			rte_be_to_cpu_16(rport_be), 0);
}

int
pmtcp_stack_set_peer(struct pmtcp_stack *st, uint16_t port_id, uint16_t queue,
		     struct pmtcp_stack *peer)
{
	for (uint16_t i = 0; st != NULL && i < st->n_ifaces; i++) {
		struct pmtcp_iface *ifc = &st->ifaces[i];

		if (ifc->conf.port_id != port_id)
			continue;
		if (ifc->rss == NULL || queue >= ifc->conf.nb_queues ||
		    peer == NULL || peer->inbox == NULL)
			return -EINVAL;
		ifc->rss->peer[queue] = peer;
		return 0;
	}
	return -EINVAL;
}

static inline bool
inbox_put(struct pmtcp_stack *st, struct pmtcp_stack *peer, struct rte_mbuf *m)
{
	if (rte_ring_mp_enqueue(peer->inbox, m) != 0) {
		MIB_INC(st, Pmtcp, SteerDrops);
		return false;
	}
	return true;
}

bool
pmtcp_steer_segment(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
		    struct rte_mbuf *m, uint32_t raddr, uint32_t laddr,
		    uint16_t rport_be, uint16_t lport_be)
{
	const struct pmtcp_rss *rss = ifc->rss;
	struct pmtcp_stack *peer;
	uint16_t q;

	if (rss == NULL || ifc->conf.steer != PMTCP_STEER_SOFTWARE ||
	    st->in_inbox)
		return false;
	q = pmtcp_rss_queue(rss, pmtcp_rss_base(rss, raddr, laddr, rport_be),
			    rte_be_to_cpu_16(lport_be));
	peer = rss->peer[q];
	if (q == ifc->conf.queue_id || peer == NULL || peer == st)
		return false;
	/* counted once, by the stack that handles it */
	MIB_DEC(st, Ip, InReceives);
	MIB_DEC(st, Ip, InDelivers);
	MIB_DEC(st, Tcp, InSegs);
	MIB_INC(st, Pmtcp, SteeredOut);
	m->port = ifc->conf.port_id;
	if (!inbox_put(st, peer, m))
		pmtcp_drop(st, m, PMTCP_DROP_STEER_INBOX_FULL);
	return true;
}

void
pmtcp_steer_arp(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
		const struct rte_mbuf *m)
{
	const struct pmtcp_rss *rss = ifc->rss;

	if (rss == NULL || st->in_inbox)
		return;
	for (uint16_t q = 0; q < ifc->conf.nb_queues; q++) {
		struct rte_mbuf *c;

		if (q == ifc->conf.queue_id || rss->peer[q] == NULL ||
		    rss->peer[q] == st)
			continue;
		c = rte_pktmbuf_copy(m, st->pool, 0, UINT32_MAX);
		if (c == NULL) {
			MIB_INC(st, Pmtcp, NoMbuf);
			continue;
		}
		c->port = ifc->conf.port_id;
		if (inbox_put(st, rss->peer[q], c))
			MIB_INC(st, Pmtcp, ArpShared);
		else
			rte_pktmbuf_free(c);
	}
}
