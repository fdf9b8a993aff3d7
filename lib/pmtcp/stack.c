/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-lcore stack: creation, the L2 demux of an RX burst, the poll
 * (timers + TX flush) and the TX batch.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "tcp.h"

RTE_LOG_REGISTER(pmtcp_logtype, lib.pmtcp, INFO);

#define PREFETCH_OFFSET 4
#define RX_CHUNK 64      /* frames classified in one pass (stack_input) */
#define HALF_OPEN_MIN 64     /* synq_budget()'s first step, at least */
#define TX_RETRIES 8

static const char *const state_names[PMTCP_TCP_MAX_STATES] = {
	[0] = "UNKNOWN",
	[PMTCP_TCP_ESTABLISHED] = "ESTAB",
	[PMTCP_TCP_SYN_SENT] = "SYN-SENT",
	[PMTCP_TCP_SYN_RECV] = "SYN-RECV",
	[PMTCP_TCP_FIN_WAIT1] = "FIN-WAIT-1",
	[PMTCP_TCP_FIN_WAIT2] = "FIN-WAIT-2",
	[PMTCP_TCP_TIME_WAIT] = "TIME-WAIT",
	[PMTCP_TCP_CLOSE] = "UNCONN",
	[PMTCP_TCP_CLOSE_WAIT] = "CLOSE-WAIT",
	[PMTCP_TCP_LAST_ACK] = "LAST-ACK",
	[PMTCP_TCP_LISTEN] = "LISTEN",
	[PMTCP_TCP_CLOSING] = "CLOSING",
	[PMTCP_TCP_NEW_SYN_RECV] = "NEW-SYN-RECV",
};

const char *
pmtcp_tcp_state_name(int state)
{
	if (state <= 0 || state >= PMTCP_TCP_MAX_STATES)
		return state_names[0];
	return state_names[state];
}

/* `ss` filter names and the kernel's, beside the display names above */
static const struct {
	const char *name;
	int state;
} state_aliases[] = {
	{ "established", PMTCP_TCP_ESTABLISHED },
	{ "fin-wait1", PMTCP_TCP_FIN_WAIT1 },
	{ "fin-wait2", PMTCP_TCP_FIN_WAIT2 },
	{ "close", PMTCP_TCP_CLOSE },
	{ "closed", PMTCP_TCP_CLOSE },
	{ "listening", PMTCP_TCP_LISTEN },
};

/* a and b equal, case-insensitively, '-' and '_' alike */
static bool
state_name_eq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		int ca = *a == '_' ? '-' : tolower((unsigned char)*a);
		int cb = *b == '_' ? '-' : tolower((unsigned char)*b);

		if (ca != cb)
			return false;
	}
	return *a == *b;
}

int
pmtcp_tcp_state_parse(const char *name)
{
	if (name == NULL)
		return -EINVAL;
	for (int s = 1; s < PMTCP_TCP_MAX_STATES; s++)
		if (state_name_eq(name, state_names[s]))
			return s;
	for (unsigned int i = 0; i < RTE_DIM(state_aliases); i++)
		if (state_name_eq(name, state_aliases[i].name))
			return state_aliases[i].state;
	return -EINVAL;
}

void
pmtcp_stack_conf_init(struct pmtcp_stack_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->name = "pmtcp";
	conf->socket_id = SOCKET_ID_ANY;
	conf->max_conns = 65536;
	conf->max_listeners = 64;
	conf->arp_pending_max = 64;
	conf->tx_burst = 32;
	conf->timer_tick_us = 1000;
	conf->timer_slots = 4096;
	pmtcp_sysctl_init(&conf->sysctl);
}

struct pmtcp_stack *
pmtcp_stack_create(const struct pmtcp_stack_conf *conf)
{
	struct pmtcp_stack *st;
	uint64_t hz = rte_get_tsc_hz();
	uint16_t headroom;
	uint32_t max_tw;
	int socket;

	if (conf == NULL || conf->pool == NULL || conf->max_conns == 0 ||
	    conf->tx_burst == 0 || conf->tx_burst > PMTCP_TX_BUF_MAX / 2 ||
	    conf->timer_slots == 0 || !rte_is_power_of_2(conf->timer_slots) ||
	    conf->timer_tick_us == 0 || conf->max_listeners > 255 ||
	    conf->arp_pending_max > 64 ||
	    (conf->inbox_size != 0 && !rte_is_power_of_2(conf->inbox_size)) ||
	    conf->sysctl.ip_local_port_range[0] > conf->sysctl.ip_local_port_range[1] ||
	    conf->sysctl.ip_local_port_range[0] < 1) {
		rte_errno = EINVAL;
		return NULL;
	}
	socket = conf->socket_id;
	/* TIME_WAIT entries: as asked, else tcp_max_tw_buckets, at most one
	 * per sock */
	max_tw = conf->max_tw != 0 ? conf->max_tw :
		 RTE_MIN(conf->max_conns,
			 (uint32_t)RTE_MAX(conf->sysctl.tcp_max_tw_buckets, 0));
	st = rte_zmalloc_socket("pmtcp_stack", sizeof(*st), RTE_CACHE_LINE_SIZE,
				socket);
	if (st == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	pmtcp_secure_seq_init();
	snprintf(st->name, sizeof(st->name), "%s", conf->name ? conf->name : "pmtcp");
	st->tsc_hz = hz;
	st->tsc_base = rte_rdtsc();
	st->now_tsc = st->tsc_base;
	st->now_ms = 0;
	st->pool = conf->pool;
	/* where rte_pktmbuf_init() puts buf_addr, plus the headroom that
	 * rte_pktmbuf_reset() leaves; what is left of the data room is the
	 * largest frame */
	headroom = RTE_MIN((uint16_t)RTE_PKTMBUF_HEADROOM,
			   rte_pktmbuf_data_room_size(conf->pool));
	st->mbuf_data_off = (uint16_t)(sizeof(struct rte_mbuf) +
		rte_pktmbuf_priv_size(conf->pool) + headroom);
	st->mbuf_room = (uint16_t)(rte_pktmbuf_data_room_size(conf->pool) - headroom);
	st->cb = conf->cb;
	st->sysctl = conf->sysctl;
	st->tx_burst = conf->tx_burst;
	st->max_listeners = conf->max_listeners ? conf->max_listeners : 64;
	st->arp_pending_max = conf->arp_pending_max ? conf->arp_pending_max : 64;
	st->listen_idx = rte_zmalloc_socket("pmtcp_listen_idx", 65536, 0, socket);
	st->listeners = rte_zmalloc_socket("pmtcp_listeners",
			sizeof(*st->listeners) * st->max_listeners, 0, socket);
	if (st->listen_idx == NULL || st->listeners == NULL)
		goto nomem;
	if (pmtcp_conn_table_init(st, conf->max_conns, max_tw, socket) != 0)
		goto nomem;
	st->ov_ratio = PMTCP_OV_ONE;
	/* sized by neigh.default.gc_thresh3 now: a larger value set later
	 * takes effect at the next stack, a smaller one at once */
	if (pmtcp_arp_init(st, socket) != 0)
		goto nomem;
	if (pmtcp_timer_wheel_init(&st->wheel, conf->timer_slots,
				   hz / 1000000 * conf->timer_tick_us +
				   (hz % 1000000) * conf->timer_tick_us / 1000000,
				   st->tsc_base, socket) != 0)
		goto nomem;
	if (conf->inbox_size != 0) {
		char name[RTE_RING_NAMESIZE];

		/* unique within the process: the stack's address */
		snprintf(name, sizeof(name), "pmtcp_in_%" PRIxPTR, (uintptr_t)st);
		st->inbox = rte_ring_create(name, conf->inbox_size, socket,
					    RING_F_SC_DEQ);
		if (st->inbox == NULL)
			goto nomem;
	}
	return st;
nomem:
	pmtcp_stack_free(st);
	rte_errno = ENOMEM;
	return NULL;
}

void
pmtcp_stack_free(struct pmtcp_stack *st)
{
	if (st == NULL)
		return;
	for (; st->synq_len != 0; st->synq_len--) {
		rte_pktmbuf_free(st->synq[st->synq_head]);
		st->synq_head = (uint16_t)((st->synq_head + 1) % PMTCP_SYNQ_MAX);
	}
	for (uint16_t i = 0; i < st->n_ifaces; i++) {
		struct pmtcp_iface *ifc = &st->ifaces[i];

		for (uint16_t k = 0; k < ifc->tx_len; k++)
			rte_pktmbuf_free(ifc->tx_buf[k]);
		ifc->tx_len = 0;
		rte_free(ifc->rss);
		ifc->rss = NULL;
	}
	if (st->inbox != NULL) {
		void *m;

		while (rte_ring_sc_dequeue(st->inbox, &m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(st->inbox);
		st->inbox = NULL;
	}
	pmtcp_arp_fini(st);
	if (st->wheel.slots != NULL)
		pmtcp_timer_wheel_fini(&st->wheel);
	/* data still queued on connections goes back to the pool */
	for (uint32_t i = 0; st->socks != NULL && i < st->conn_max; i++) {
		rte_pktmbuf_free(st->socks[i].sndq);
		st->socks[i].sndq = NULL;
	}
	pmtcp_conn_table_fini(st);
	rte_free(st->listen_idx);
	rte_free(st->listeners);
	rte_free(st);
}

int
pmtcp_stack_add_iface(struct pmtcp_stack *st, const struct pmtcp_iface_conf *ic)
{
	struct pmtcp_iface *ifc;
	int ret;

	if (ic == NULL || ic->addr == 0 || ic->prefix_len == 0 ||
	    ic->prefix_len > 32 || ic->mtu < 68 + 40 || ic->mtu > 9216 ||
	    !rte_eth_dev_is_valid_port(ic->port_id))
		return -EINVAL;
	if (st->n_ifaces >= PMTCP_MAX_IFACES)
		return -ENOSPC;
	/* every frame we build must fit one mbuf of the pool */
	if (ic->mtu + RTE_ETHER_HDR_LEN > st->mbuf_room) {
		PMTCP_LOG(ERR, "port %u: MTU %u needs %u-byte frames; the pool's mbufs hold %u",
			  ic->port_id, ic->mtu, ic->mtu + RTE_ETHER_HDR_LEN,
			  st->mbuf_room);
		return -EMSGSIZE;
	}
	/* an address range stays inside its subnet, and holds neither its
	 * network nor its broadcast address (prefixes below /31) */
	if (ic->addr_count > 1) {
		uint64_t first = rte_be_to_cpu_32(ic->addr);
		uint64_t last = first + ic->addr_count - 1;
		uint32_t host = ic->prefix_len == 32 ? 0 : UINT32_MAX >> ic->prefix_len;

		if (last > UINT32_MAX ||
		    (first & ~(uint64_t)host) != (last & ~(uint64_t)host) ||
		    (ic->prefix_len < 31 &&
		     ((first & host) == 0 || (last & host) == host)))
			return -EINVAL;
	}
	ifc = &st->ifaces[st->n_ifaces];
	memset(ifc, 0, sizeof(*ifc));
	ifc->conf = *ic;
	ifc->mask = rte_cpu_to_be_32(ic->prefix_len == 32 ? UINT32_MAX :
				     ~(UINT32_MAX >> ic->prefix_len));
	ifc->addr_first = rte_be_to_cpu_32(ic->addr);
	ifc->addr_count = ic->addr_count > 1 ? ic->addr_count : 1;
	ifc->mss = (uint16_t)(ic->mtu - 40);
	ret = pmtcp_rss_init(ifc, SOCKET_ID_ANY);
	if (ret != 0) {
		memset(ifc, 0, sizeof(*ifc));
		return ret;
	}
	return st->n_ifaces++;
}

/*
 * Send the batch of @ifc. What the PMD does not take after a few tries
 * stays queued for the next flush (its ring is full for now); only when
 * the batch itself is full is the oldest part dropped and counted.
 */
uint16_t
pmtcp_tx_flush(struct pmtcp_stack *st __rte_unused, struct pmtcp_iface *ifc)
{
	uint16_t sent = 0, n = ifc->tx_len;

	if (n == 0)
		return 0;
	for (int retry = 0; sent < n && retry < TX_RETRIES; retry++)
		sent += rte_eth_tx_burst(ifc->conf.port_id, ifc->conf.queue_id,
					 ifc->tx_buf + sent, n - sent);
	if (sent < n)
		memmove(ifc->tx_buf, ifc->tx_buf + sent,
			(size_t)(n - sent) * sizeof(ifc->tx_buf[0]));
	ifc->tx_len = n - sent;
	return sent;
}

void
pmtcp_tx_enqueue(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
		 struct rte_mbuf *m)
{
	if (unlikely(ifc->tx_len >= PMTCP_TX_BUF_MAX)) {
		pmtcp_tx_flush(st, ifc);
		if (ifc->tx_len >= PMTCP_TX_BUF_MAX) {
			/* the PMD has taken nothing for a whole batch: drop
			 * the oldest burst */
			uint16_t k = st->tx_burst;

			for (uint16_t i = 0; i < k; i++) {
				MIB_INC(st, Pmtcp, TxDrops);
				pmtcp_drop(st, ifc->tx_buf[i], PMTCP_DROP_TX_REFUSED);
			}
			memmove(ifc->tx_buf, ifc->tx_buf + k,
				(size_t)(ifc->tx_len - k) * sizeof(ifc->tx_buf[0]));
			ifc->tx_len -= k;
		}
	}
	ifc->tx_buf[ifc->tx_len++] = m;
}

/* The first two lines of a frame: Ethernet, IPv4, TCP and its options
 * (14 + 20 + 60 bytes at most) */
static inline void
prefetch_headers(const struct rte_mbuf *m)
{
	const char *p = rte_pktmbuf_mtod(m, const char *);

	rte_prefetch0(p);
	rte_prefetch0(p + RTE_CACHE_LINE_SIZE);
}

/* One frame: Ethernet demux to ARP or IPv4 (the L2 part of
 * netif_receive_skb for our two protocols). Consumes @m. */
static inline void
eth_input(struct pmtcp_stack *st, struct pmtcp_iface *ifc, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh;

	if (unlikely(rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN)) {
		pmtcp_drop(st, m, PMTCP_DROP_ETH_SHORT);
		return;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	switch (eh->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		pmtcp_ipv4_rcv(st, ifc, m);
		break;
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		pmtcp_arp_rcv(st, ifc, m);
		break;
	default:
		MIB_INC(st, Pmtcp, NonIpFrames);
		pmtcp_drop(st, m, PMTCP_DROP_ETH_PROTO);
		break;
	}
}

/*
 * Overload. A SYN costs a listener a sock, an ISN and a SYN-ACK; the
 * segments of connections it already has (the handshake's last ACK, data,
 * the close) finish work it has paid for. So a SYN to a listening port
 * is taken out of its burst into the SYN queue (PMTCP_SYNQ_MAX), and the
 * other segments go first. Then the queue runs: tx_burst SYNs while the
 * RX queue keeps up (a burst shorter than tx_burst), synq_budget() while
 * it is backlogged (full bursts). A SYN that finds the queue full is
 * dropped at once, for about what reading its flags costs, and counted
 * as Linux counts a SYN its listener is too busy for (ListenOverflows,
 * ListenDrops), drop reason TCP_SYN_SHED. Its client retransmits it
 * after its RTO. A short queue keeps the SYNs it admits fresh: a SYN
 * that waited long has often been sent again already.
 */

/* Queue a listener's SYN; false when the queue is full: the caller sheds
 * it (counted here). */
static inline bool
synq_push(struct pmtcp_stack *st, uint16_t iface, struct rte_mbuf *m)
{
	uint16_t tail;

	if (unlikely(st->synq_len >= PMTCP_SYNQ_MAX)) {
		MIB_INC(st, TcpExt, ListenOverflows);
		MIB_INC(st, TcpExt, ListenDrops);
		st->mib.drop[PMTCP_DROP_TCP_SYN_SHED]++;
		return false;
	}
	tail = (uint16_t)((st->synq_head + st->synq_len) % PMTCP_SYNQ_MAX);
	st->synq[tail] = m;
	st->synq_if[tail] = (uint8_t)iface;
	st->synq_len++;
	return true;
}

/*
 * One pass over a burst before any segment is handled. A listener's SYN
 * goes to the SYN queue (or, the queue full, into @shed); every other
 * frame stays in @keep, and for a plain TCP/IPv4 one the 4-tuple's
 * bucket is prefetched, then the bucket's first sock (its first line
 * holds the 4-tuple and the state): misses overlap instead of stalling
 * each segment in turn. Only a hint: tcp_v4_rcv() checks all again,
 * starting from the slot in kslot[] (NULL for a frame that is no TCP).
 * Returns the frames kept; *n_shed gets the frames shed.
 */
static inline uint16_t
rx_classify(struct pmtcp_stack *st, uint16_t iface, struct rte_mbuf **pkts,
	    uint16_t n, struct rte_mbuf **keep,
	    const struct pmtcp_ehash_slot **kslot, struct rte_mbuf **shed,
	    uint16_t *n_shed)
{
	uint16_t i, nk = 0, ns = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ether_hdr *eh =
			rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		const struct rte_ipv4_hdr *iph = (const void *)(eh + 1);
		const struct rte_tcp_hdr *th = (const void *)(iph + 1);

		if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN +
		    sizeof(*iph) + sizeof(*th) ||
		    eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
		    iph->version_ihl != RTE_IPV4_VHL_DEF ||
		    iph->next_proto_id != IPPROTO_TCP) {
			kslot[nk] = NULL;
			keep[nk++] = m;
			continue;
		}
		/* a SYN (no ACK, RST or FIN) to a port we listen on */
		if ((th->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG |
				      RTE_TCP_RST_FLAG | RTE_TCP_FIN_FLAG)) ==
		    RTE_TCP_SYN_FLAG &&
		    st->listen_idx[rte_be_to_cpu_16(th->dst_port)] != 0) {
			st->syn_in_now++;
			if (!synq_push(st, iface, m))
				shed[ns++] = m;
			continue;
		}
		/* a reply to an active open: its sock from the port map,
		 * which the lookup reads first (no table slot to fetch) */
		if (unlikely(st->has_pmap)) {
			const uint32_t *e = pmtcp_pmap_entry(st, iph->dst_addr,
							     th->dst_port);

			if (e != NULL) {
				if (*e != 0 && !(*e & PMTCP_EHASH_TW))
					rte_prefetch0(&st->socks[*e - 1]);
				kslot[nk] = NULL;
				keep[nk++] = m;
				continue;
			}
		}
		kslot[nk] = pmtcp_ehash_slot(st, iph->dst_addr, th->dst_port,
					     iph->src_addr, th->src_port);
		rte_prefetch0(kslot[nk]);
		keep[nk++] = m;
	}
	for (i = 0; i < nk; i++)
		if (kslot[i] != NULL)
			pmtcp_ehash_prefetch_sock(st, kslot[i]);
	*n_shed = ns;
	return nk;
}

/*
 * SYNs a backlogged burst admits. Not overloaded (pmtcp_overloaded(): on
 * average at most 1.5 SYNs in per handshake completed, as a closed loop
 * at its capacity, or a first burst of connections, brings): a whole
 * burst's worth. Overloaded, by the handshakes the stack has answered and
 * not yet seen completed (its SYN_RECV children): a whole burst's worth
 * below tcp_max_syn_backlog / 16 of them (256 by default), an eighth of a
 * burst below twice that, then one. Children pile up when their ACKs wait
 * in the RX queue behind SYNs: the stack has promised more than it
 * completes, and every SYN it takes then makes the queue longer. Never
 * none, so that a listener is never starved. Chosen with
 * devtools/perf.sh --overload (docs/performance.md).
 */
static inline uint16_t
synq_budget(const struct pmtcp_stack *st)
{
	uint32_t low = RTE_MAX((uint32_t)st->sysctl.tcp_max_syn_backlog / 16,
			       (uint32_t)HALF_OPEN_MIN);
	uint32_t half_open;
	uint16_t b;

	if (!pmtcp_overloaded(st))
		return st->tx_burst;
	half_open = pmtcp_half_open(st);
	b = half_open < low ? st->tx_burst :
	    half_open < 2 * low ? st->tx_burst / 8 : 1;

	return RTE_MAX(b, (uint16_t)1);
}

/* Handle up to @budget queued SYNs, oldest first. Their buckets (a SYN
 * may meet a TIME_WAIT) are prefetched for all of them first, as
 * rx_classify() does for the other frames. */
static void
synq_run(struct pmtcp_stack *st, uint16_t budget)
{
	uint16_t n = RTE_MIN(budget, st->synq_len), i;
	const struct pmtcp_ehash_slot *slot[PMTCP_SYNQ_MAX];

	for (i = 0; i < n; i++) {
		const struct rte_mbuf *m =
			st->synq[(st->synq_head + i) % PMTCP_SYNQ_MAX];
		const struct rte_ipv4_hdr *iph = rte_pktmbuf_mtod_offset(m,
				const struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
		const struct rte_tcp_hdr *th = (const void *)(iph + 1);

		slot[i] = pmtcp_ehash_slot(st, iph->dst_addr, th->dst_port,
					   iph->src_addr, th->src_port);
		rte_prefetch0(slot[i]);
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = st->synq[st->synq_head];
		uint8_t iface = st->synq_if[st->synq_head];

		st->synq_head = (uint16_t)((st->synq_head + 1) % PMTCP_SYNQ_MAX);
		st->synq_len--;
		st->rx_hint_m = m;
		st->rx_hint_slot = slot[i];
		eth_input(st, &st->ifaces[iface], m);
	}
	st->rx_hint_m = NULL;
}

void
pmtcp_stack_input(struct pmtcp_stack *st, uint16_t iface,
		  struct rte_mbuf **pkts, uint16_t n)
{
	struct pmtcp_iface *ifc;
	uint16_t i;

	if (unlikely(iface >= st->n_ifaces)) {
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	ifc = &st->ifaces[iface];
	pmtcp_stack_clock(st, rte_rdtsc());
	pmtcp_overload_clock(st);
	/* the mbuf headers of the whole burst first, both lines (the
	 * second holds l2_len/l3_len): where another core wrote them last
	 * (a ring pair, software PMDs), reading data_off for the data
	 * prefetch below would take those misses one at a time */
	for (i = 0; i < n; i++) {
		rte_prefetch0(pkts[i]);
		rte_prefetch0(RTE_PTR_ADD(pkts[i], RTE_CACHE_LINE_SIZE));
	}
	for (i = 0; i < n && i < PREFETCH_OFFSET; i++)
		prefetch_headers(pkts[i]);
	for (uint32_t c = 0; c < n; c += RX_CHUNK) {
		struct rte_mbuf *keep[RX_CHUNK], *shed[RX_CHUNK];
		const struct pmtcp_ehash_slot *kslot[RX_CHUNK];
		uint16_t nc = RTE_MIN((uint16_t)(n - c), (uint16_t)RX_CHUNK);
		uint16_t nk, ns;

		nk = rx_classify(st, iface, pkts + c, nc, keep, kslot, shed, &ns);
		if (ns != 0)
			rte_pktmbuf_free_bulk(shed, ns);
		for (i = 0; i < nk; i++) {
			if (i + PREFETCH_OFFSET < nk)
				prefetch_headers(keep[i + PREFETCH_OFFSET]);
			st->rx_hint_m = kslot[i] != NULL ? keep[i] : NULL;
			st->rx_hint_slot = kslot[i];
			eth_input(st, ifc, keep[i]);
		}
		st->rx_hint_m = NULL;
	}
	/* the SYNs last: a burst's worth while the RX queue keeps up,
	 * synq_budget() while it is backlogged */
	st->rx_backlog = n >= st->tx_burst;
	synq_run(st, st->rx_backlog ? synq_budget(st) : st->tx_burst);
	/* flush as soon as a batch is full, else at poll time */
	if (ifc->tx_len >= st->tx_burst)
		pmtcp_tx_flush(st, ifc);
}

/* What other stacks of our ports handed over: segments of our
 * connections (software steering) and copies of ARP frames. Each is
 * handled as if our queue had received it; what it leads to sending
 * goes out on our queue. */
unsigned int
pmtcp_inbox_run(struct pmtcp_stack *st)
{
	struct rte_mbuf *pkts[64];
	unsigned int n;

	n = rte_ring_sc_dequeue_burst(st->inbox, (void **)pkts, RTE_DIM(pkts),
				      NULL);
	if (n == 0)
		return 0;
	st->in_inbox = true;
	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint16_t k;

		for (k = 0; k < st->n_ifaces; k++)
			if (st->ifaces[k].conf.port_id == m->port)
				break;
		if (k == st->n_ifaces) {
			rte_pktmbuf_free(m);   /* a port we no longer poll */
			continue;
		}
		if (rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type ==
		    RTE_BE16(RTE_ETHER_TYPE_IPV4))
			MIB_INC(st, Pmtcp, SteeredIn);
		eth_input(st, &st->ifaces[k], m);
	}
	st->in_inbox = false;
	return n;
}

unsigned int
pmtcp_stack_poll(struct pmtcp_stack *st, uint64_t now_tsc)
{
	unsigned int fired;

	pmtcp_stack_clock(st, now_tsc);
	if (st->inbox != NULL)
		pmtcp_inbox_run(st);
	/* SYNs still queued: a burst's worth unless an input since the
	 * last poll found the RX queue backlogged (a poll with no input
	 * between it and the last one runs them) */
	if (unlikely(st->synq_len != 0) && !st->rx_backlog)
		synq_run(st, st->tx_burst);
	st->rx_backlog = false;
	fired = pmtcp_timer_wheel_advance(&st->wheel, now_tsc,
					  pmtcp_tcp_timer_fire, st);
	/* the neighbour table's timers and GC: every 10 ms, by the stack
	 * clock (never behind a clock a caller moved ahead) */
	if (unlikely(st->now_tsc >= st->neigh_next_scan)) {
		st->neigh_next_scan = st->now_tsc + st->tsc_hz / 100;
		pmtcp_neigh_timer(st);
	}
	for (uint16_t i = 0; i < st->n_ifaces; i++)
		if (st->ifaces[i].tx_len != 0)
			pmtcp_tx_flush(st, &st->ifaces[i]);
	return fired;
}

unsigned int
pmtcp_stack_run_once(struct pmtcp_stack *st, uint64_t now_tsc)
{
	struct rte_mbuf *pkts[PMTCP_TX_BUF_MAX / 2];
	unsigned int total = 0;

	for (uint16_t i = 0; i < st->n_ifaces; i++) {
		uint16_t n = rte_eth_rx_burst(st->ifaces[i].conf.port_id,
					      st->ifaces[i].conf.queue_id,
					      pkts, st->tx_burst);

		if (n > 0) {
			pmtcp_stack_input(st, i, pkts, n);
			total += n;
		}
	}
	pmtcp_stack_poll(st, now_tsc);
	return total;
}

int
pmtcp_stack_abort_active(struct pmtcp_stack *st, unsigned int max)
{
	unsigned int done = 0;

	/* a bounded walk of the table from where the last call stopped */
	for (uint32_t seen = 0; seen < st->conn_max && done < max; seen++) {
		struct pmtcp_sock *sk = &st->socks[st->abort_cursor];
		struct pmtcp_iface *ifc;

		if (sk->state == PMTCP_TCP_CLOSE || !(sk->flags & SK_ACTIVE) ||
		    sk->state == PMTCP_TCP_TIME_WAIT) {
			st->abort_cursor = st->abort_cursor + 1 < st->conn_max ?
					   st->abort_cursor + 1 : 0;
			continue;
		}
		/* its RST would not fit the TX batch: the PMD is not taking
		 * them as fast; the rest another time */
		ifc = &st->ifaces[sk->iface];
		if (ifc->tx_len >= PMTCP_TX_BUF_MAX / 2) {
			pmtcp_tx_flush(st, ifc);
			if (ifc->tx_len >= PMTCP_TX_BUF_MAX / 2)
				return done != 0 ? (int)done : -EAGAIN;
		}
		st->abort_cursor = st->abort_cursor + 1 < st->conn_max ?
				   st->abort_cursor + 1 : 0;
		pmtcp_abort(st, sk);
		done++;
	}
	return (int)done;
}

uint64_t
pmtcp_stack_conn_memory(const struct pmtcp_stack *st)
{
	return (uint64_t)st->conn_max * sizeof(struct pmtcp_sock) +
	       (uint64_t)st->tw_max * sizeof(struct pmtcp_tw) +
	       ((uint64_t)st->slot_mask + 1) * sizeof(st->slots[0]) +
	       65536 * sizeof(st->lport_hashed[0]) + st->pmap_bytes +
	       ((uint64_t)st->wheel.mask + 1 + PMTCP_WHEEL_L1_SLOTS) *
	       sizeof(st->wheel.slots[0]);
}

const struct pmtcp_mib *
pmtcp_stack_mib(const struct pmtcp_stack *st)
{
	return &st->mib;
}

uint32_t
pmtcp_stack_conn_count(const struct pmtcp_stack *st)
{
	return st->conn_count + st->tw_count;
}

uint32_t
pmtcp_stack_tw_count(const struct pmtcp_stack *st)
{
	return st->tw_count;
}

uint64_t
pmtcp_stack_now_tsc(const struct pmtcp_stack *st)
{
	return st->now_tsc;
}

void
pmtcp_stack_conn_walk(const struct pmtcp_stack *st,
		      void (*fn)(const struct pmtcp_sock *sk, void *arg),
		      void *arg)
{
	if (st == NULL || fn == NULL || st->socks == NULL)
		return;
	for (uint32_t i = 0; i < st->conn_max; i++)
		if (st->socks[i].state != PMTCP_TCP_CLOSE)
			fn(&st->socks[i], arg);
	for (uint32_t i = 0; i < st->tw_max; i++) {
		struct pmtcp_sock sk;

		if (st->tws[i].timer.kind == 0)
			continue;   /* free */
		pmtcp_tw_to_sock(st, &st->tws[i], &sk);
		fn(&sk, arg);
	}
}

const struct pmtcp_sysctl *
pmtcp_stack_sysctl(const struct pmtcp_stack *st)
{
	return &st->sysctl;
}

int
pmtcp_stack_set_sysctl(struct pmtcp_stack *st, const struct pmtcp_sysctl *s)
{
	if (st == NULL || s == NULL ||
	    s->ip_local_port_range[0] > s->ip_local_port_range[1] ||
	    s->ip_local_port_range[0] < 1)
		return -EINVAL;
	st->sysctl = *s;
	st->port_off_full = 0;   /* the port range may have grown */
	return 0;
}
