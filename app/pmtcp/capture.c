/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet capture, two ways.
 *
 * dpdk-dumpcap: rte_pdump_init() at start lets a secondary process
 * (dpdk-dumpcap --file-prefix <pmtcp's> -i <port>) ask this primary to
 * copy a port's frames into its own ring. A secondary can only join a
 * primary whose memory it can map: pmtcp must run on hugepages (with
 * --no-huge there is nothing to share; see docs/analysis.md).
 *
 * --pcap FILE: pmtcp's own capture, one pcapng file (rte_pcapng) of the
 * frames every port queue receives and sends, on every lcore.
 *   - Fast path, on the lcore that polls the queue: ethdev RX and TX
 *     callbacks (inside rte_eth_rx_burst(), and rte_eth_tx_burst() before
 *     the PMD takes the frames) copy the first --pcap-snaplen bytes of each
 *     frame into that lcore's capture pool, stamp the TSC and the queue in
 *     the copy's private area, and put the copies on the lcore's own
 *     single-producer single-consumer ring. No lock, nothing shared with
 *     another lcore; an empty pool or a full ring drops the copy and
 *     counts it (cap_lcore).
 *   - Writer, the main lcore between two turns of its loop
 *     (app_capture_poll()): merges the rings by timestamp, turns each copy
 *     into a pcapng block (rte_pcapng_copy(), from this one thread only:
 *     its TSC-to-time conversion keeps state) and writes them.
 * The library is not touched: the callbacks are ethdev's.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pcapng.h>
#include <rte_pdump.h>
#include <rte_ring.h>

#include "app.h"

#define CAP_RING_SIZE 2048     /* copies waiting for the writer, per lcore */
#define CAP_POOL_SIZE 4095     /* the ring, the writer's hand, the caches */
#define CAP_POOL_CACHE 64
#define CAP_BURST 32           /* frames per callback chunk, per write */
#define CAP_WRITE_MAX 1024     /* frames a poll writes at most */

/* What the fast path notes in each copy's private area */
struct cap_meta {
	uint64_t tsc;
	uint32_t orig_len;        /* the frame's length before --pcap-snaplen */
	uint16_t queue;
	uint8_t dir;              /* enum rte_pcapng_direction */
};

/* One lcore's capture: written by that lcore (the ring's producer side
 * and the counters) and read by the writer */
struct cap_lcore {
	struct rte_ring *ring;
	struct rte_mempool *pool;
	uint64_t queued;          /* copies put on the ring */
	uint64_t drop_ring;       /* the ring was full */
	uint64_t drop_mbuf;       /* the pool was empty */
	/* the writer's side: copies taken off the ring, not yet written */
	struct rte_mbuf *hand[CAP_BURST];
	unsigned int n_hand, i_hand;
} __rte_cache_aligned;

static struct {
	bool on;
	volatile bool stop;       /* --pcap-count reached, a write failed, or
				   * the run is over: callbacks copy nothing */
	uint32_t snaplen;
	uint64_t limit;           /* --pcap-count, 0 = none */
	const char *path;
	rte_pcapng_t *pcapng;
	struct rte_mempool *wpool;   /* the writer's pcapng blocks */
	bool failed;              /* a write failed: nothing more is written */
	bool done;                /* closed: the totals below are final */
	uint64_t drop_ring, drop_mbuf;   /* all lcores, set when closed */
	uint64_t written;
	uint64_t write_nombuf;    /* no writer mbuf: copy dropped */
	uint64_t tsc_hz;
	unsigned int n_lcores;
	unsigned int lcore_ids[RTE_MAX_LCORE];
	struct cap_lcore *lc[RTE_MAX_LCORE];
	/* callbacks, for their removal */
	unsigned int n_cbs;
	struct {
		uint16_t port, queue;
		bool tx;
		const struct rte_eth_rxtx_callback *cb;
	} cbs[APP_MAX_PORTS * APP_MAX_QUEUES * 2];
} cap;

static bool pdump_on;

void
app_pdump_init(void)
{
	/* without a shared configuration (--no-huge, --no-shconf) there is no
	 * multi-process channel: no secondary could attach anyway */
	if (rte_pdump_init() == 0)
		pdump_on = true;
}

void
app_pdump_uninit(void)
{
	if (pdump_on)
		rte_pdump_uninit();
	pdump_on = false;
}

static inline struct cap_meta *
cap_meta(struct rte_mbuf *m)
{
	return rte_mbuf_to_priv(m);
}

/* Copy up to CAP_BURST frames of a burst onto @c's ring. */
static void
cap_chunk(struct cap_lcore *c, uint16_t port, uint16_t queue,
	  struct rte_mbuf **pkts, uint16_t n, uint8_t dir, uint64_t tsc)
{
	struct rte_mbuf *copies[CAP_BURST];
	unsigned int k = 0, q;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *mc = rte_pktmbuf_copy(pkts[i], c->pool, 0,
						       cap.snaplen);
		struct cap_meta *meta;

		if (unlikely(mc == NULL)) {
			c->drop_mbuf++;
			continue;
		}
		meta = cap_meta(mc);
		meta->tsc = tsc;
		meta->orig_len = rte_pktmbuf_pkt_len(pkts[i]);
		meta->queue = queue;
		meta->dir = dir;
		mc->port = port;
		copies[k++] = mc;
	}
	q = rte_ring_sp_enqueue_burst(c->ring, (void **)copies, k, NULL);
	c->queued += q;
	if (unlikely(q < k)) {
		c->drop_ring += k - q;
		rte_pktmbuf_free_bulk(copies + q, k - q);
	}
}

static inline void
cap_burst(struct cap_lcore *c, uint16_t port, uint16_t queue,
	  struct rte_mbuf **pkts, uint16_t n, uint8_t dir)
{
	uint64_t tsc;

	if (n == 0 || cap.stop)
		return;
	tsc = rte_rdtsc();
	for (uint16_t i = 0; i < n; i += CAP_BURST)
		cap_chunk(c, port, queue, pkts + i, RTE_MIN(n - i, CAP_BURST),
			  dir, tsc);
}

static uint16_t
cap_rx(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n,
       uint16_t max, void *arg)
{
	RTE_SET_USED(max);
	cap_burst(arg, port, queue, pkts, n, RTE_PCAPNG_DIRECTION_IN);
	return n;
}

static uint16_t
cap_tx(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n,
       void *arg)
{
	cap_burst(arg, port, queue, pkts, n, RTE_PCAPNG_DIRECTION_OUT);
	return n;
}

int
app_capture_init(struct app *app)
{
	const struct app_conf *c = &app->conf;
	struct utsname u;
	char name[RTE_MEMPOOL_NAMESIZE];
	char os[sizeof(u.sysname) + sizeof(u.release)] = "Linux";
	int fd;

	if (c->pcap_path == NULL)
		return 0;
	memset(&cap, 0, sizeof(cap));
	cap.path = c->pcap_path;
	cap.snaplen = c->pcap_snaplen;
	cap.limit = c->pcap_count;
	cap.tsc_hz = app->tsc_hz;
	for (unsigned int i = 0; i < app->n_ports; i++) {
		const struct app_port *p = &app->ports[i];

		for (uint16_t q = 0; p->used && q < p->nb_queues; q++) {
			unsigned int lc = p->lcore[q];
			struct cap_lcore *cl = cap.lc[lc];

			if (cl == NULL) {
				int socket = (int)rte_lcore_to_socket_id(lc);

				cl = rte_zmalloc_socket("pmtcp_cap", sizeof(*cl),
							RTE_CACHE_LINE_SIZE, socket);
				if (cl == NULL)
					goto nomem;
				cap.lc[lc] = cl;
				cap.lcore_ids[cap.n_lcores++] = lc;
				snprintf(name, sizeof(name), "pmtcp_cap_r%u", lc);
				cl->ring = rte_ring_create(name, CAP_RING_SIZE, socket,
							   RING_F_SP_ENQ | RING_F_SC_DEQ);
				snprintf(name, sizeof(name), "pmtcp_cap_p%u", lc);
				cl->pool = rte_pktmbuf_pool_create(name, CAP_POOL_SIZE,
					CAP_POOL_CACHE,
					RTE_ALIGN(sizeof(struct cap_meta), RTE_MBUF_PRIV_ALIGN),
					RTE_PKTMBUF_HEADROOM + cap.snaplen, socket);
				if (cl->ring == NULL || cl->pool == NULL)
					goto nomem;
			}
		}
	}
	/* the writer's blocks: a write's worth, twice */
	cap.wpool = rte_pktmbuf_pool_create("pmtcp_cap_w", 2 * CAP_BURST - 1, 0, 0,
		RTE_MIN(RTE_PKTMBUF_HEADROOM + rte_pcapng_mbuf_size(cap.snaplen),
			(uint32_t)UINT16_MAX), (int)rte_socket_id());
	if (cap.wpool == NULL)
		goto nomem;
	fd = open(cap.path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		app_err("--pcap %s: %s", cap.path, strerror(errno));
		return -1;
	}
	if (uname(&u) == 0)
		snprintf(os, sizeof(os), "%s %s", u.sysname, u.release);
	/* one interface block per ethdev port, in port order: open it now
	 * that the ports exist */
	cap.pcapng = rte_pcapng_fdopen(fd, os, NULL, "pmtcp", NULL);
	if (cap.pcapng == NULL) {
		app_err("--pcap %s: cannot write the pcapng header: %s", cap.path,
			rte_strerror(rte_errno));
		close(fd);
		return -1;
	}
	for (unsigned int i = 0; i < app->n_ports; i++) {
		const struct app_port *p = &app->ports[i];

		for (uint16_t q = 0; p->used && q < p->nb_queues; q++) {
			void *arg = cap.lc[p->lcore[q]];

			for (int tx = 0; tx < 2; tx++) {
				const struct rte_eth_rxtx_callback *cb = tx ?
					rte_eth_add_tx_callback(p->port_id, q, cap_tx, arg) :
					rte_eth_add_rx_callback(p->port_id, q, cap_rx, arg);

				if (cb == NULL) {
					app_err("--pcap: port %u queue %u: cannot add the %s callback: %s",
						p->port_id, q, tx ? "TX" : "RX",
						rte_strerror(rte_errno));
					return -1;
				}
				cap.cbs[cap.n_cbs].port = p->port_id;
				cap.cbs[cap.n_cbs].queue = q;
				cap.cbs[cap.n_cbs].tx = tx;
				cap.cbs[cap.n_cbs++].cb = cb;
			}
		}
	}
	cap.on = true;
	return 0;
nomem:
	app_err("--pcap: no memory for the capture rings and pools: %s (give EAL more with -m, or a smaller --pcap-snaplen)",
		rte_strerror(rte_errno));
	return -1;
}

static void
cap_flush(struct rte_mbuf **blocks, unsigned int *n)
{
	if (*n == 0)
		return;
	if (!cap.failed &&
	    rte_pcapng_write_packets(cap.pcapng, blocks, (uint16_t)*n) < 0) {
		app_err("--pcap %s: write: %s; capture stopped", cap.path,
			rte_strerror(rte_errno));
		cap.failed = true;
		cap.stop = true;
	}
	rte_pktmbuf_free_bulk(blocks, *n);
	*n = 0;
}

/* Write one copy (and free it). */
static void
cap_write_one(struct rte_mbuf *m, struct rte_mbuf **blocks, unsigned int *n)
{
	const struct cap_meta *meta = cap_meta(m);
	struct rte_mbuf *b;

	b = rte_pcapng_copy(m->port, meta->queue, m, cap.wpool, cap.snaplen,
			    meta->tsc, meta->dir);
	if (b == NULL) {
		cap.write_nombuf++;
	} else {
		/* The copy is the first --pcap-snaplen bytes; the block's
		 * "Original Packet Length" (the 7th 32-bit word of a pcapng
		 * Enhanced Packet Block) is the frame's. */
		uint32_t *epb = rte_pktmbuf_mtod(b, uint32_t *);

		epb[6] = meta->orig_len;
		blocks[(*n)++] = b;
		cap.written++;
	}
	rte_pktmbuf_free(m);
	if (*n == CAP_BURST)
		cap_flush(blocks, n);
	if (cap.limit != 0 && cap.written >= cap.limit)
		cap.stop = true;
}

/*
 * The writer: copies in timestamp order across the lcores' rings. A copy
 * is written once every other ring shows a later one, or, when a ring is
 * empty, once it is more than a millisecond old (the time an lcore takes
 * from its timestamp to its enqueue, with a wide margin). @final: the
 * lcores have stopped; everything goes.
 */
static void
cap_drain(bool final)
{
	struct rte_mbuf *blocks[CAP_BURST];
	unsigned int n = 0;
	uint64_t bound = final ? UINT64_MAX : rte_rdtsc() - cap.tsc_hz / 1000;

	for (unsigned int budget = 0; final || budget < CAP_WRITE_MAX; budget++) {
		struct cap_lcore *best = NULL;
		uint64_t best_tsc = UINT64_MAX;
		bool any_empty = false;

		if (cap.failed || (cap.limit != 0 && cap.written >= cap.limit))
			break;
		for (unsigned int i = 0; i < cap.n_lcores; i++) {
			struct cap_lcore *c = cap.lc[cap.lcore_ids[i]];
			uint64_t t;

			if (c->i_hand == c->n_hand) {
				c->n_hand = rte_ring_sc_dequeue_burst(c->ring,
					(void **)c->hand, CAP_BURST, NULL);
				c->i_hand = 0;
			}
			if (c->i_hand == c->n_hand) {
				any_empty = true;
				continue;
			}
			t = cap_meta(c->hand[c->i_hand])->tsc;
			if (t < best_tsc) {
				best_tsc = t;
				best = c;
			}
		}
		if (best == NULL || (any_empty && best_tsc > bound))
			break;
		cap_write_one(best->hand[best->i_hand++], blocks, &n);
	}
	cap_flush(blocks, &n);
}

void
app_capture_poll(struct app *app)
{
	RTE_SET_USED(app);
	if (cap.on)
		cap_drain(false);
}

/* @f: where the closing line goes; NULL: none (an error path) */
void
app_capture_fini(struct app *app, FILE *f)
{
	uint64_t drop_ring = 0, drop_mbuf = 0;
	bool full;

	RTE_SET_USED(app);
	if (!cap.on)
		return;
	cap_drain(true);
	full = cap.limit != 0 && cap.written >= cap.limit;
	cap.stop = true;
	cap.on = false;
	for (unsigned int i = 0; i < cap.n_cbs; i++) {
		/* the lcores have stopped: nobody runs the callback now */
		if (cap.cbs[i].tx)
			rte_eth_remove_tx_callback(cap.cbs[i].port, cap.cbs[i].queue,
						   cap.cbs[i].cb);
		else
			rte_eth_remove_rx_callback(cap.cbs[i].port, cap.cbs[i].queue,
						   cap.cbs[i].cb);
		rte_free((void *)(uintptr_t)cap.cbs[i].cb);
	}
	for (unsigned int i = 0; i < cap.n_lcores; i++) {
		struct cap_lcore *c = cap.lc[cap.lcore_ids[i]];
		struct rte_mbuf *m;

		drop_ring += c->drop_ring;
		drop_mbuf += c->drop_mbuf;
		/* past --pcap-count: taken, not written */
		if (c->i_hand < c->n_hand)
			rte_pktmbuf_free_bulk(c->hand + c->i_hand,
					      c->n_hand - c->i_hand);
		while (rte_ring_sc_dequeue(c->ring, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(c->ring);
		rte_mempool_free(c->pool);
		rte_free(c);
	}
	rte_pcapng_close(cap.pcapng);
	rte_mempool_free(cap.wpool);
	cap.drop_ring = drop_ring;
	cap.drop_mbuf = drop_mbuf + cap.write_nombuf;
	cap.done = true;
	if (f == NULL)
		return;
	fprintf(f, "capture: %" PRIu64 " frames written to %s (snaplen %u)%s; dropped: ring full %"
		PRIu64 ", no mbuf %" PRIu64 "\n", cap.written, cap.path,
		cap.snaplen, full ? ", --pcap-count reached" : "", drop_ring,
		drop_mbuf + cap.write_nombuf);
}

void
app_capture_json(FILE *f)
{
	if (!cap.done)
		return;
	/* the file name as a JSON string: quote, backslash and control
	 * characters escaped */
	fputs("  \"capture\": {\"file\": \"", f);
	for (const unsigned char *c = (const unsigned char *)cap.path; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(f, "\\%c", *c);
		else if (*c < 0x20)
			fprintf(f, "\\u%04x", *c);
		else
			fputc(*c, f);
	}
	fprintf(f, "\", \"snaplen\": %u, \"written\": %" PRIu64 ", \"limit\": %" PRIu64
		", \"dropped\": {\"ring_full\": %" PRIu64 ", \"no_mbuf\": %" PRIu64
		"}, \"write_failed\": %s},\n", cap.snaplen, cap.written, cap.limit,
		cap.drop_ring, cap.drop_mbuf, cap.failed ? "true" : "false");
}
