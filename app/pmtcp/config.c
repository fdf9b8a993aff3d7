/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports (testpmd's config.c): the embedded loopback pair, profiles,
 * queues and offloads, addresses, and which lcore drives which port.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_jhash.h>
#include <rte_ring.h>
#include <rte_thash.h>

#include "app.h"

#define LOOPBACK_RING_SIZE 4096

#ifndef PMTCP_SOURCE_PROFILE_DIR
#define PMTCP_SOURCE_PROFILE_DIR ""
#endif
#ifndef PMTCP_PROFILE_DIR
#define PMTCP_PROFILE_DIR "/usr/local/share/pmtcp/drivers-config"
#endif

/*
 * The embedded loopback pair. With one queue per port, port 0's TX ring
 * is port 1's RX ring and back. With several, each TX queue has its own
 * ring, which the sending lcore empties into the other port's RX rings
 * after each turn (app_wire_run()): the "wire" picks the receiving queue
 * as a NIC's RSS would, Toeplitz over the 4-tuple with the receiving
 * port's key and RETA, so that the stacks' RSS-aware source ports and
 * listeners on every queue are exercised on any machine. With
 * --no-rss-emulation it spreads by a hash the stacks do not know
 * (as af_packet's fanout does), and they steer in software.
 */
struct lb_wire {
	struct rte_ring *tx[APP_MAX_QUEUES];   /* TX queue i's ring */
	struct rte_ring *rx[APP_MAX_QUEUES];   /* RX queue j's ring */
	uint16_t nq;
	/* Toeplitz of each input byte at each position (12 bytes of the
	 * IPv4/TCP tuple): the hash is the XOR of the 12 lookups */
	uint32_t byte_hash[12][256];
};
static struct lb_wire lb[2];


static struct rte_ring *
lb_ring(const char *what, unsigned int port, unsigned int q, unsigned int flags)
{
	char name[RTE_RING_NAMESIZE];
	struct rte_ring *r;

	snprintf(name, sizeof(name), "pmtcp_lb%s%u_%u", what, port, q);
	r = rte_ring_create(name, LOOPBACK_RING_SIZE, rte_socket_id(), flags);
	if (r == NULL)
		app_err("loopback: cannot create ring %s: %s", name,
			rte_strerror(rte_errno));
	return r;
}

/* The lcores [*first, *last) of @n that the @k-th of @parts ports gets
 * when they share them evenly, in order (more ports than lcores: one
 * each, round robin) */
static void
lcores_share(unsigned int k, unsigned int n, unsigned int parts,
	     unsigned int *first, unsigned int *last)
{
	if (n >= parts) {
		*first = k * n / parts;
		*last = (k + 1) * n / parts;
	} else {
		*first = k % n;
		*last = *first + 1;
	}
}

/* Lcores (queues) each side of the pair gets: as app_assign_lcores()
 * will give them (--port-lcores, else lcores_share()). */
static uint16_t
lb_queues(const struct app *app, uint16_t port)
{
	unsigned int first, last;

	for (unsigned int i = 0; i < app->conf.n_port_lcores; i++)
		if (app->conf.port_lcores[i].port == port)
			return app->conf.port_lcores[i].n;
	lcores_share(port, rte_lcore_count(), 2, &first, &last);
	return (uint16_t)RTE_MIN(last - first, (unsigned int)APP_MAX_QUEUES);
}

/* No ethdev at all: make two ring ports joined back to back. */
static int
loopback_create(struct app *app)
{
	uint16_t nq[2] = { lb_queues(app, 0), lb_queues(app, 1) };
	bool direct = nq[0] == 1 && nq[1] == 1;

	for (unsigned int p = 0; p < 2; p++) {
		lb[p].nq = nq[p];
		for (uint16_t q = 0; q < nq[p]; q++) {
			lb[p].rx[q] = lb_ring("r", p, q, direct ?
					      RING_F_SP_ENQ | RING_F_SC_DEQ :
					      RING_F_SC_DEQ);
			if (lb[p].rx[q] == NULL)
				return -1;
		}
	}
	for (unsigned int p = 0; p < 2; p++) {
		for (uint16_t q = 0; q < nq[p]; q++) {
			/* one queue each: port p sends into the other's ring */
			lb[p].tx[q] = direct ? lb[1 - p].rx[0] :
				lb_ring("t", p, q, RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (lb[p].tx[q] == NULL)
				return -1;
		}
		for (unsigned int k = 0; k < 12; k++) {
			for (unsigned int b = 0; b < 256; b++) {
				uint32_t t[3] = { 0, 0, 0 };

				t[k / 4] = (uint32_t)b << (24 - 8 * (k % 4));
				lb[p].byte_hash[k][b] =
					rte_softrss(t, 3, pmtcp_rss_default_key(NULL));
			}
		}
	}
	if (rte_eth_from_rings("pmtcp_lb0", lb[0].rx, nq[0], lb[0].tx, nq[0],
			       rte_socket_id()) < 0 ||
	    rte_eth_from_rings("pmtcp_lb1", lb[1].rx, nq[1], lb[1].tx, nq[1],
			       rte_socket_id()) < 0) {
		app_err("loopback: cannot create ring ports: %s",
			rte_strerror(rte_errno));
		return -1;
	}
	app->loopback = true;
	return 0;
}

/* The loopback port's RSS, as its stacks are told of it */
static void
loopback_rss(struct app *app, struct app_port *p)
{
	const uint8_t *key;

	if (p->nb_queues <= 1) {
		p->steer = PMTCP_STEER_NONE;
		return;
	}
	/* the library's default key, which the wire hashes with too; a
	 * 128-entry RETA round robin, as most NICs start */
	key = pmtcp_rss_default_key(&p->rss_key_len);
	memcpy(p->rss_key, key, p->rss_key_len);
	p->reta_size = 128;
	for (uint16_t i = 0; i < p->reta_size; i++)
		p->reta[i] = (uint16_t)(i % p->nb_queues);
	if (app->conf.no_rss_emulation) {
		p->steer = PMTCP_STEER_SOFTWARE;
		p->steer_why = "loopback wire without RSS emulation (--no-rss-emulation)";
	} else {
		p->steer = PMTCP_STEER_RSS;
		p->steer_why = "loopback wire emulating Toeplitz RSS";
	}
}

/* The receiving queue of frame @m on loopback port @to (see lb_wire) */
static inline uint16_t
wire_queue(const struct app *app, const struct app_port *to,
	   const struct lb_wire *w, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const void *);
	const struct rte_ipv4_hdr *iph = (const void *)(eh + 1);
	const uint8_t *t;
	uint32_t h = 0;

	/* not IPv4/TCP (ARP): hash 0, the RETA's first entry */
	if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + sizeof(*iph) + 4 ||
	    eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    iph->next_proto_id != IPPROTO_TCP ||
	    (iph->version_ihl & 0xf) != 5)
		return to->reta[0];
	/* src, dst, sport, dport: 12 bytes in wire order */
	t = (const uint8_t *)&iph->src_addr;
	if (app->conf.no_rss_emulation) {
		/* a flow hash the stacks cannot predict */
		uint32_t a, b, c;

		memcpy(&a, t, 4);
		memcpy(&b, t + 4, 4);
		memcpy(&c, t + 8, 4);
		return (uint16_t)(rte_jhash_3words(a, b, c, 0x5eed) % to->nb_queues);
	}
	for (unsigned int k = 0; k < 12; k++)
		h ^= w->byte_hash[k][t[k]];
	m->hash.rss = h;
	m->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
	return to->reta[h & (uint32_t)(to->reta_size - 1)];
}

unsigned int
app_wire_run(struct app *app, struct app_lcore *l)
{
	unsigned int total = 0;

	if (!app->loopback || (lb[0].nq == 1 && lb[1].nq == 1))
		return 0;
	for (uint16_t i = 0; i < l->n_ports; i++) {
		uint16_t pid = l->ports[i];
		const struct app_port *to;
		struct rte_mbuf *pkts[64];
		unsigned int n;

		if (pid > 1)
			continue;
		to = app_port_of(app, (uint16_t)(1 - pid));
		n = rte_ring_sc_dequeue_burst(lb[pid].tx[l->queues[i]],
					      (void **)pkts, RTE_DIM(pkts), NULL);
		for (unsigned int k = 0; k < n; k++) {
			uint16_t q = wire_queue(app, to, &lb[1 - pid], pkts[k]);

			if (rte_ring_mp_enqueue(lb[1 - pid].rx[q], pkts[k]) != 0) {
				rte_pktmbuf_free(pkts[k]);
				l->wire_drops++;
			}
		}
		total += n;
	}
	return total;
}

const char *
app_port_lcores_str(const struct app_port *p, char *buf, size_t n)
{
	int len = snprintf(buf, n, "lcore%s ", p->nb_queues > 1 ? "s" : "");

	for (uint16_t q = 0; q < p->nb_queues && len > 0 && (size_t)len < n; q++)
		len += snprintf(buf + len, n - (size_t)len, "%s%u", q ? "," : "",
				p->lcore[q]);
	return buf;
}

struct app_port *
app_port_of(struct app *app, uint16_t port_id)
{
	for (unsigned int i = 0; i < app->n_ports; i++)
		if (app->ports[i].port_id == port_id)
			return &app->ports[i];
	return NULL;
}

static int
port_profile(struct app *app, struct app_port *p)
{
	char err[256];
	int ret;

	if (app->conf.profile_path != NULL) {
		ret = app_profile_load(app->conf.profile_path, &p->profile,
					 err, sizeof(err));
		if (ret != 0) {
			app_err("--profile: %s", err);
			return -1;
		}
		return 0;
	}
	ret = -ENOENT;
	if (PMTCP_SOURCE_PROFILE_DIR[0] != '\0') {
		struct stat sb;

		if (stat(PMTCP_SOURCE_PROFILE_DIR, &sb) == 0)
			ret = app_profile_find(PMTCP_SOURCE_PROFILE_DIR, p->driver,
						 &p->profile, err, sizeof(err));
	}
	if (ret == -ENOENT)
		ret = app_profile_find(PMTCP_PROFILE_DIR, p->driver,
					 &p->profile, err, sizeof(err));
	if (ret == -ENOENT) {
		app_profile_defaults(&p->profile);
		printf("pmtcp: port %u (%s): no drivers-config profile names this driver, using built-in defaults\n",
		       p->port_id, p->driver);
		return 0;
	}
	if (ret != 0) {
		app_err("profile for %s: %s", p->driver, err);
		return -1;
	}
	return 0;
}

/* RETA round robin over the queues, then what the PMD says it uses:
 * its key and RETA, which the stacks hash source ports with. False when
 * it cannot say. */
static bool
port_rss_read_back(struct app_port *p, const struct rte_eth_dev_info *info)
{
	struct rte_eth_rss_reta_entry64 reta[PMTCP_RETA_SIZE_MAX / RTE_ETH_RETA_GROUP_SIZE];
	struct rte_eth_rss_conf rc;
	uint16_t size = info->reta_size;
	uint8_t key[PMTCP_RSS_KEY_LEN_MAX];

	if (size == 0 || size > PMTCP_RETA_SIZE_MAX || !rte_is_power_of_2(size) ||
	    info->hash_key_size < 16 || info->hash_key_size > sizeof(key))
		return false;
	memset(reta, 0, sizeof(reta));
	for (uint16_t i = 0; i < size; i++) {
		reta[i / RTE_ETH_RETA_GROUP_SIZE].mask |= 1ULL << (i % RTE_ETH_RETA_GROUP_SIZE);
		reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] =
			(uint16_t)(i % p->nb_queues);
	}
	/* a PMD may keep its own table: what counts is what it reports */
	(void)rte_eth_dev_rss_reta_update(p->port_id, reta, size);
	memset(&rc, 0, sizeof(rc));
	rc.rss_key = key;
	rc.rss_key_len = info->hash_key_size;
	if (rte_eth_dev_rss_hash_conf_get(p->port_id, &rc) != 0 ||
	    rte_eth_dev_rss_reta_query(p->port_id, reta, size) != 0 ||
	    (rc.rss_hf & RTE_ETH_RSS_NONFRAG_IPV4_TCP) == 0)
		return false;
	memcpy(p->rss_key, key, info->hash_key_size);
	p->rss_key_len = (uint8_t)info->hash_key_size;
	p->reta_size = size;
	for (uint16_t i = 0; i < size; i++) {
		p->reta[i] = reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE];
		if (p->reta[i] >= p->nb_queues)
			return false;
	}
	return true;
}

/* How a port with several queues brings each segment to the stack that
 * owns its connection (the start banner says which and why). */
static void
port_steering(struct app *app, struct app_port *p,
	      const struct rte_eth_dev_info *info, bool rss_on)
{
	if (p->nb_queues <= 1) {
		p->steer = PMTCP_STEER_NONE;
		p->steer_why = NULL;
	} else if (app->loopback) {
		loopback_rss(app, p);
	} else if (p->profile.rss_paired) {
		p->steer = PMTCP_STEER_NONE;
		p->steer_why = "queues paired with the peer's (profile: [rss] paired)";
	} else if (rss_on && p->profile.rss_trusted && port_rss_read_back(p, info)) {
		p->steer = PMTCP_STEER_RSS;
		p->steer_why = "RSS: source ports chosen by the key and RETA read back from the PMD";
	} else {
		/* the default key and RETA name each connection's queue */
		p->rss_key_len = 0;
		p->reta_size = 0;
		p->steer = PMTCP_STEER_SOFTWARE;
		p->steer_why = !rss_on || !p->profile.rss_trusted ?
			"software steering fallback: the profile has no trusted RSS" :
			"software steering fallback: the PMD's RSS key or RETA cannot be read back";
	}
}

/*
 * One mbuf pool per NUMA node with active lcores, on that node: each
 * lcore's stack builds from its node's pool, each RX queue fills from the
 * pool of its lcore's node. @nb_mbufs is shared by the lcores' count.
 */
static int
app_pools_create(struct app *app, unsigned int nb_mbufs)
{
	unsigned int per_node[RTE_MAX_NUMA_NODES] = { 0 }, n_active = 0, lc;

	RTE_LCORE_FOREACH(lc) {
		unsigned int s = rte_lcore_to_socket_id(lc);

		if (app->lcores[lc].active && s < RTE_MAX_NUMA_NODES) {
			per_node[s]++;
			n_active++;
		}
	}
	for (unsigned int s = 0; s < RTE_MAX_NUMA_NODES; s++) {
		unsigned int n;
		char name[RTE_MEMPOOL_NAMESIZE];

		if (per_node[s] == 0)
			continue;
		n = n_active == per_node[s] ? nb_mbufs :
		    (unsigned int)((uint64_t)nb_mbufs * per_node[s] / n_active);
		snprintf(name, sizeof(name), s == 0 ? "pmtcp_pool" : "pmtcp_pool%u", s);
		app->pools[s] = rte_pktmbuf_pool_create(name, n, 256, 0,
							RTE_MBUF_DEFAULT_BUF_SIZE,
							(int)s);
		if (app->pools[s] == NULL) {
			app_err("cannot create a pool of %u mbufs on NUMA node %u: %s (give EAL more memory with -m, or --mbufs)",
				n, s, rte_strerror(rte_errno));
			return -1;
		}
		if (app->pool == NULL)
			app->pool = app->pools[s];
		app->pool_size += n;
	}
	return 0;
}

/* The pool of @lcore's NUMA node */
struct rte_mempool *
app_lcore_pool(const struct app *app, unsigned int lcore)
{
	unsigned int s = rte_lcore_to_socket_id(lcore);

	return s < RTE_MAX_NUMA_NODES && app->pools[s] != NULL ?
	       app->pools[s] : app->pool;
}

/* Free mbufs in every pool */
unsigned int
app_pools_avail(const struct app *app)
{
	unsigned int n = 0;

	for (unsigned int s = 0; s < RTE_MAX_NUMA_NODES; s++)
		if (app->pools[s] != NULL)
			n += rte_mempool_avail_count(app->pools[s]);
	return n;
}

static int
port_setup(struct app *app, struct app_port *p, unsigned int nb_mbufs_hint)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	struct rte_eth_txconf txconf;
	struct rte_eth_rxconf rxconf;
	uint16_t nb_rxd, nb_txd, mtu = 1500;
	unsigned int room;
	int ret;

	(void)nb_mbufs_hint;
	ret = rte_eth_dev_info_get(p->port_id, &info);
	if (ret != 0) {
		app_err("port %u: cannot read device info: %s", p->port_id,
			rte_strerror(-ret));
		return -1;
	}
	snprintf(p->driver, sizeof(p->driver), "%s", info.driver_name);
	if (port_profile(app, p) != 0)
		return -1;
	memset(&conf, 0, sizeof(conf));
	/* offloads the profile asks for and the port has */
	if (p->profile.tx_ipv4_checksum &&
	    (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM)) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
		p->tx_ip_cksum = true;
	}
	if (p->profile.tx_tcp_checksum &&
	    (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_CKSUM)) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
		p->tx_tcp_cksum = true;
	}
	if (p->profile.rx_checksum &&
	    (info.rx_offload_capa & (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM |
				     RTE_ETH_RX_OFFLOAD_TCP_CKSUM)) ==
	    (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM)) {
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM |
					RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
		p->rx_cksum = true;
	}
	/* not an offload the port has: what its peer (a local kernel) sends */
	p->rx_csum_partial = p->profile.rx_checksum_partial;
	if (p->nb_queues > info.max_rx_queues || p->nb_queues > info.max_tx_queues) {
		app_err("port %u (%s): %u lcores need %u queue pairs, the port has %u RX and %u TX queues (see --port-lcores)",
			p->port_id, p->driver, p->nb_queues, p->nb_queues,
			info.max_rx_queues, info.max_tx_queues);
		return -1;
	}
	/* RSS the profile asks for, with the hash words the port has */
	if (p->nb_queues > 1 && p->profile.rss_enabled && !app->loopback &&
	    (p->profile.rss_hf & info.flow_type_rss_offloads) != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = p->profile.rss_hf &
						   info.flow_type_rss_offloads;
		if (p->profile.rss_key_len != 0) {
			memcpy(p->rss_key, p->profile.rss_key, p->profile.rss_key_len);
			conf.rx_adv_conf.rss_conf.rss_key = p->rss_key;
			conf.rx_adv_conf.rss_conf.rss_key_len = p->profile.rss_key_len;
		}
	}
	/* one queue pair per lcore of the port */
	ret = rte_eth_dev_configure(p->port_id, p->nb_queues, p->nb_queues, &conf);
	if (ret != 0) {
		app_err("port %u (%s): configure failed: %s", p->port_id,
			p->driver, rte_strerror(-ret));
		return -1;
	}
	nb_rxd = p->profile.rx_desc;
	nb_txd = p->profile.tx_desc;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nb_rxd, &nb_txd);
	if (ret != 0) {
		app_err("port %u: descriptor counts: %s", p->port_id,
			rte_strerror(-ret));
		return -1;
	}
	rxconf = info.default_rxconf;
	rxconf.offloads = conf.rxmode.offloads;
	txconf = info.default_txconf;
	txconf.offloads = conf.txmode.offloads;
	for (uint16_t q = 0; q < p->nb_queues; q++) {
		ret = rte_eth_rx_queue_setup(p->port_id, q, nb_rxd,
					     rte_eth_dev_socket_id(p->port_id),
					     &rxconf, app_lcore_pool(app, p->lcore[q]));
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(p->port_id, q, nb_txd,
						     rte_eth_dev_socket_id(p->port_id),
						     &txconf);
		if (ret != 0) {
			app_err("port %u: queue %u setup failed: %s", p->port_id,
				q, rte_strerror(-ret));
			return -1;
		}
	}
	ret = rte_eth_dev_start(p->port_id);
	if (ret != 0) {
		app_err("port %u (%s): start failed: %s", p->port_id, p->driver,
			rte_strerror(-ret));
		return -1;
	}
	p->started = true;
	if (rte_eth_dev_get_mtu(p->port_id, &mtu) != 0 || mtu < 576)
		mtu = 1500;
	room = rte_pktmbuf_data_room_size(app->pool) - RTE_PKTMBUF_HEADROOM;
	if ((unsigned int)mtu + RTE_ETHER_HDR_LEN > room) {
		app_err("port %u (%s): MTU %u needs %u-byte frames, but the pool's mbufs hold %u bytes; lower the port's MTU to %u or less",
			p->port_id, p->driver, mtu, mtu + RTE_ETHER_HDR_LEN,
			room, room - RTE_ETHER_HDR_LEN);
		return -1;
	}
	p->mtu = mtu;
	rte_eth_macaddr_get(p->port_id, &p->mac);
	if (rte_is_zero_ether_addr(&p->mac)) {
		/* ring ports come without an address: make a local one */
		rte_eth_random_addr(p->mac.addr_bytes);
		rte_eth_dev_default_mac_addr_set(p->port_id, &p->mac);
	}
	/* the kernel side of an af_packet or tap port answers for the
	 * interface's MAC; pmtcp also wants broadcast ARP */
	rte_eth_promiscuous_enable(p->port_id);
	port_steering(app, p, &info, conf.rxmode.mq_mode == RTE_ETH_MQ_RX_RSS);
	return 0;
}

int
app_ports_init(struct app *app)
{
	struct app_conf *c = &app->conf;
	unsigned int i, n_lcores = rte_lcore_count();
	uint16_t pid;
	unsigned int nb_mbufs;

	if (rte_eth_dev_count_avail() == 0 && loopback_create(app) != 0)
		return -1;
	RTE_ETH_FOREACH_DEV(pid) {
		if (app->n_ports == APP_MAX_PORTS)
			break;
		app->ports[app->n_ports].port_id = pid;
		app->n_ports++;
	}
	if (app->n_ports == 0) {
		app_err("no ethdev port");
		return -1;
	}
	/* addresses: --ip, else the loopback pair's defaults */
	for (i = 0; i < c->n_ips; i++) {
		unsigned int k;

		for (k = 0; k < app->n_ports; k++)
			if (app->ports[k].port_id == c->ips[i].port)
				break;
		if (k == app->n_ports) {
			app_err("--ip: no port %u (%u port%s found; add --vdev or a NIC)",
				c->ips[i].port, app->n_ports,
				app->n_ports == 1 ? "" : "s");
			return -1;
		}
		app->ports[k].has_ip = true;
		app->ports[k].addr = c->ips[i].addr;
		app->ports[k].addr_count = c->ips[i].addr_count;
		app->ports[k].prefix_len = c->ips[i].prefix_len;
		app->ports[k].gateway = c->ips[i].gateway;
	}
	if (app->loopback) {
		/* port 0 198.18.0.2/24, port 1 198.18.0.1/24; --ip 0,... or
		 * --ip 1,... replaces one side's default only */
		for (unsigned int k = 0; k < 2; k++) {
			if (app->ports[k].has_ip)
				continue;
			app->ports[k].has_ip = true;
			app->ports[k].addr = rte_cpu_to_be_32(198u << 24 | 18u << 16 |
							      (2u - k));
			app->ports[k].prefix_len = 24;
			app->ports[k].addr_count = 1;
		}
	}
	if (app_assign_lcores(app) != 0)
		return -1;
	/* the pool: every descriptor of every port, the loopback rings, the
	 * TX batches, ARP queues and lcore caches, plus headroom */
	nb_mbufs = c->mbufs;
	if (nb_mbufs == 0) {
		unsigned int nq = 0;
		bool multi = false;

		for (i = 0; i < app->n_ports; i++) {
			nq += RTE_MAX(app->ports[i].nb_queues, (uint16_t)1);
			multi = multi || app->ports[i].nb_queues > 1;
		}
		/* descriptors of every queue, lcore TX batches (and inboxes);
		 * the loopback pair's RX rings (and, with several queues, its
		 * TX rings) */
		nb_mbufs = nq * (4096 + 4096) + n_lcores * (512 + 256) + 8192;
		if (multi)
			nb_mbufs += n_lcores * 1024;
		if (app->loopback)
			nb_mbufs += (multi ? 2 : 1) * nq * LOOPBACK_RING_SIZE;
	}
	if (app_pools_create(app, nb_mbufs) != 0)
		return -1;
	for (i = 0; i < app->n_ports; i++) {
		if (port_setup(app, &app->ports[i], nb_mbufs) != 0)
			return -1;
	}
	return 0;
}

/* Free whatever is still sitting in RX queues and loopback rings, so the
 * pool count can be checked against its start. */
void
app_ports_drain(struct app *app)
{
	struct rte_mbuf *pkts[64];
	uint16_t n;

	for (unsigned int i = 0; i < app->n_ports; i++) {
		for (uint16_t q = 0; q < RTE_MAX(app->ports[i].nb_queues, (uint16_t)1); q++) {
			/* bounded: a PMD such as net_null never runs dry */
			for (unsigned int k = 0; k < 1024; k++) {
				n = rte_eth_rx_burst(app->ports[i].port_id, q, pkts,
						     RTE_DIM(pkts));
				if (n == 0)
					break;
				rte_pktmbuf_free_bulk(pkts, n);
			}
		}
	}
	/* the wire's TX rings (several queues): sent, not yet received */
	for (unsigned int p = 0; app->loopback && p < 2; p++) {
		for (uint16_t q = 0; q < lb[p].nq; q++) {
			if (lb[p].tx[q] == lb[1 - p].rx[0])
				continue;
			while ((n = (uint16_t)rte_ring_dequeue_burst(lb[p].tx[q],
					(void **)pkts, RTE_DIM(pkts), NULL)) != 0)
				rte_pktmbuf_free_bulk(pkts, n);
		}
	}
}

void
app_ports_fini(struct app *app)
{
	for (unsigned int i = 0; i < app->n_ports; i++) {
		/* an error path may end before a port started: stopping it
		 * anyway has ethdev log "already stopped" */
		if (app->ports[i].started)
			rte_eth_dev_stop(app->ports[i].port_id);
		app->ports[i].started = false;
		rte_eth_dev_close(app->ports[i].port_id);
	}
	for (unsigned int p = 0; app->loopback && p < 2; p++) {
		for (uint16_t q = 0; q < lb[p].nq; q++) {
			if (lb[p].tx[q] != lb[1 - p].rx[0] || lb[1 - p].nq != 1 ||
			    lb[p].nq != 1)
				rte_ring_free(lb[p].tx[q]);
			rte_ring_free(lb[p].rx[q]);
		}
	}
}

/* Add @lc to @p as queue @p->nb_queues */
static int
port_add_lcore(struct app *app, struct app_port *p, unsigned int lc)
{
	struct app_lcore *l = &app->lcores[lc];

	if (p->nb_queues >= APP_MAX_QUEUES) {
		app_err("port %u: at most %d lcores", p->port_id, APP_MAX_QUEUES);
		return -1;
	}
	if (l->n_ports >= APP_MAX_PORTS) {
		app_err("lcore %u: at most %d ports", lc, APP_MAX_PORTS);
		return -1;
	}
	l->lcore_id = lc;
	l->active = true;
	l->ports[l->n_ports] = p->port_id;
	l->queues[l->n_ports] = p->nb_queues;
	l->n_ports++;
	p->lcore[p->nb_queues++] = lc;
	p->used = true;
	return 0;
}

/*
 * Lcores onto ports. Every lcore EAL was given runs a stack; each lcore of
 * a port owns one RX and one TX queue (queue i: the port's i-th lcore).
 * --port-lcores PORTID:LIST gives a port its lcores; the others share the
 * lcores left evenly, in order (more ports than lcores: round robin, one
 * queue each). Roles: with client and server on and two ports or more
 * whose lcores are their own (the loopback pair), the lcores of even
 * ports are clients, of odd ports servers; otherwise every lcore has
 * both roles asked for. --connections, --concurrency and --rate are
 * shared among the client lcores.
 */
int
app_assign_lcores(struct app *app)
{
	struct app_conf *c = &app->conf;
	unsigned int lcores[RTE_MAX_LCORE], n_lc = 0, lc, n_used = 0, k = 0;
	unsigned int owner[RTE_MAX_LCORE];
	bool split = c->client && c->server, shared = false;
	uint32_t n_clients = 0, idx = 0;

	RTE_LCORE_FOREACH(lc)
		lcores[n_lc++] = lc;
	for (unsigned int i = 0; i < app->n_ports; i++)
		n_used += app->ports[i].has_ip;
	if (n_used == 0) {
		app_err("no port has an address: give --ip PORTID,IP/PREFIX (%u port%s found)",
			app->n_ports, app->n_ports == 1 ? "" : "s");
		return -1;
	}
	for (unsigned int i = 0; i < c->n_port_lcores; i++) {
		struct app_port *p = app_port_of(app, c->port_lcores[i].port);

		if (p == NULL || !p->has_ip) {
			app_err("--port-lcores: port %u %s", c->port_lcores[i].port,
				p == NULL ? "does not exist" : "has no address (--ip)");
			return -1;
		}
		for (uint16_t q = 0; q < c->port_lcores[i].n; q++) {
			lc = c->port_lcores[i].lcore[q];
			if (lc >= RTE_MAX_LCORE || !rte_lcore_is_enabled(lc)) {
				app_err("--port-lcores: lcore %u is not one of EAL's (-l / --lcores)",
					lc);
				return -1;
			}
			if (port_add_lcore(app, p, lc) != 0)
				return -1;
		}
	}
	for (unsigned int i = 0; i < app->n_ports; i++) {
		struct app_port *p = &app->ports[i];
		unsigned int first, last;

		if (!p->has_ip)
			continue;
		if (p->nb_queues == 0) {
			struct rte_eth_dev_info info;

			lcores_share(k, n_lc, n_used, &first, &last);
			/* no more lcores than the port has queue pairs (an
			 * af_packet port without qpairs=N has one): the
			 * others stay idle */
			if (rte_eth_dev_info_get(p->port_id, &info) == 0)
				last = RTE_MIN(last, first + RTE_MAX(1u,
					RTE_MIN((unsigned int)info.max_rx_queues,
						(unsigned int)info.max_tx_queues)));
			for (unsigned int j = first; j < last; j++)
				if (port_add_lcore(app, p, lcores[j]) != 0)
					return -1;
		}
		k++;
	}
	/* an lcore on two ports: both roles on every lcore */
	for (unsigned int i = 0; i < RTE_MAX_LCORE; i++)
		owner[i] = UINT32_MAX;
	for (unsigned int i = 0; i < app->n_ports; i++) {
		for (uint16_t q = 0; q < app->ports[i].nb_queues; q++) {
			lc = app->ports[i].lcore[q];
			if (owner[lc] != UINT32_MAX && owner[lc] != i)
				shared = true;
			owner[lc] = i;
		}
	}
	split = split && n_used >= 2 && !shared;
	k = 0;
	for (unsigned int i = 0; i < app->n_ports; i++) {
		struct app_port *p = &app->ports[i];

		if (!p->has_ip)
			continue;
		for (uint16_t q = 0; q < p->nb_queues; q++) {
			struct app_lcore *l = &app->lcores[p->lcore[q]];

			l->client = split ? k % 2 == 0 : c->client;
			l->server = split ? k % 2 == 1 : c->server;
		}
		k++;
	}
	RTE_LCORE_FOREACH(lc)
		n_clients += app->lcores[lc].active && app->lcores[lc].client;
	RTE_LCORE_FOREACH(lc) {
		struct app_lcore *l = &app->lcores[lc];

		if (!l->active || !l->client)
			continue;
		l->client_idx = idx;
		l->n_clients = n_clients;
		l->conn_share = c->connections / n_clients +
				(idx < c->connections % n_clients);
		l->conc_share = c->concurrency / n_clients +
				(idx < c->concurrency % n_clients);
		l->hold_share = c->hold / n_clients + (idx < c->hold % n_clients);
		if (c->concurrency != 0 && l->conc_share == 0)
			l->conc_share = 1;
		/* fewer connections than client lcores: this one opens none */
		if (c->connections != 0 && l->conn_share == 0)
			l->client = false;
		idx++;
	}
	return 0;
}
