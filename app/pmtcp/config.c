/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports (testpmd's config.c): the embedded loopback pair, profiles,
 * queues and offloads, addresses, and which lcore drives which port.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ring.h>

#include "app.h"

#define LOOPBACK_RING_SIZE 4096

#ifndef PMTCP_SOURCE_PROFILE_DIR
#define PMTCP_SOURCE_PROFILE_DIR ""
#endif
#ifndef PMTCP_PROFILE_DIR
#define PMTCP_PROFILE_DIR "/usr/local/share/pmtcp/drivers-config"
#endif

static struct rte_ring *lb_ring[2];

/* No ethdev at all: make two ring ports joined back to back. */
static int
loopback_create(struct app *app)
{
	int p0, p1;

	lb_ring[0] = rte_ring_create("pmtcp_lb_r0", LOOPBACK_RING_SIZE,
				     rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	lb_ring[1] = rte_ring_create("pmtcp_lb_r1", LOOPBACK_RING_SIZE,
				     rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (lb_ring[0] == NULL || lb_ring[1] == NULL) {
		app_err("loopback: cannot create rings: %s", rte_strerror(rte_errno));
		return -1;
	}
	/* port 0 sends into r0, port 1 receives from r0, and back */
	p0 = rte_eth_from_rings("pmtcp_lb0", &lb_ring[1], 1, &lb_ring[0], 1,
				rte_socket_id());
	p1 = rte_eth_from_rings("pmtcp_lb1", &lb_ring[0], 1, &lb_ring[1], 1,
				rte_socket_id());
	if (p0 < 0 || p1 < 0) {
		app_err("loopback: cannot create ring ports: %s",
			rte_strerror(rte_errno));
		return -1;
	}
	app->loopback = true;
	return 0;
}

static int
port_profile(struct app *app, struct app_port *p)
{
	char err[256];
	int ret;

	if (app->conf.profile_path != NULL) {
		ret = pmtcp_profile_load(app->conf.profile_path, &p->profile,
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
			ret = pmtcp_profile_find(PMTCP_SOURCE_PROFILE_DIR, p->driver,
						 &p->profile, err, sizeof(err));
	}
	if (ret == -ENOENT)
		ret = pmtcp_profile_find(PMTCP_PROFILE_DIR, p->driver,
					 &p->profile, err, sizeof(err));
	if (ret == -ENOENT) {
		pmtcp_profile_defaults(&p->profile);
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
	/* one queue pair per port: one lcore owns the port */
	ret = rte_eth_dev_configure(p->port_id, 1, 1, &conf);
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
	ret = rte_eth_rx_queue_setup(p->port_id, APP_QUEUE, nb_rxd,
				     rte_eth_dev_socket_id(p->port_id), &rxconf,
				     app->pool);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(p->port_id, APP_QUEUE, nb_txd,
					     rte_eth_dev_socket_id(p->port_id),
					     &txconf);
	if (ret != 0) {
		app_err("port %u: queue setup failed: %s", p->port_id,
			rte_strerror(-ret));
		return -1;
	}
	ret = rte_eth_dev_start(p->port_id);
	if (ret != 0) {
		app_err("port %u (%s): start failed: %s", p->port_id, p->driver,
			rte_strerror(-ret));
		return -1;
	}
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
		app->ports[k].prefix_len = c->ips[i].prefix_len;
		app->ports[k].gateway = c->ips[i].gateway;
	}
	if (app->loopback && c->n_ips == 0) {
		app->ports[0].has_ip = true;
		app->ports[0].addr = rte_cpu_to_be_32(198u << 24 | 18u << 16 | 0u << 8 | 2u);
		app->ports[0].prefix_len = 24;
		app->ports[1].has_ip = true;
		app->ports[1].addr = rte_cpu_to_be_32(198u << 24 | 18u << 16 | 0u << 8 | 1u);
		app->ports[1].prefix_len = 24;
	}
	/* the pool: every descriptor of every port, the loopback rings, the
	 * TX batches, ARP queues and lcore caches, plus headroom */
	nb_mbufs = c->mbufs;
	if (nb_mbufs == 0) {
		nb_mbufs = app->n_ports * (4096 + 4096) + n_lcores * (512 + 256) + 8192;
		if (app->loopback)
			nb_mbufs += 2 * LOOPBACK_RING_SIZE;
	}
	app->pool = rte_pktmbuf_pool_create("pmtcp_pool", nb_mbufs, 256, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE,
					    rte_socket_id());
	if (app->pool == NULL) {
		app_err("cannot create a pool of %u mbufs: %s (give EAL more memory with -m, or --mbufs)",
			nb_mbufs, rte_strerror(rte_errno));
		return -1;
	}
	app->pool_size = nb_mbufs;
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
		/* bounded: a PMD such as net_null never runs dry */
		for (unsigned int k = 0; k < 1024; k++) {
			n = rte_eth_rx_burst(app->ports[i].port_id, APP_QUEUE, pkts,
					     RTE_DIM(pkts));
			if (n == 0)
				break;
			rte_pktmbuf_free_bulk(pkts, n);
		}
	}
}

void
app_ports_fini(struct app *app)
{
	for (unsigned int i = 0; i < app->n_ports; i++) {
		rte_eth_dev_stop(app->ports[i].port_id);
		rte_eth_dev_close(app->ports[i].port_id);
	}
	if (app->loopback) {
		rte_ring_free(lb_ring[0]);
		rte_ring_free(lb_ring[1]);
	}
}

/*
 * Roles onto lcores. One queue per port, so one lcore per port:
 *  - client and server with two or more ports and two or more lcores:
 *    the client on port 0 (main lcore), the server on port 1 (next lcore),
 *    further ports shared round robin;
 *  - otherwise every port on the main lcore, which runs both roles.
 */
int
app_assign_lcores(struct app *app)
{
	struct app_conf *c = &app->conf;
	unsigned int main_lcore = rte_get_main_lcore();
	unsigned int second = rte_get_next_lcore(main_lcore, 1, 0);
	bool split = c->client && c->server && app->n_ports >= 2 &&
		     second < RTE_MAX_LCORE;

	for (unsigned int i = 0; i < app->n_ports; i++) {
		struct app_port *p = &app->ports[i];
		unsigned int lc = main_lcore;
		struct app_lcore *l;

		if (!p->has_ip)
			continue;
		if (split && i % 2 == 1)
			lc = second;
		l = &app->lcores[lc];
		l->lcore_id = lc;
		l->active = true;
		l->ports[l->n_ports++] = p->port_id;
		p->used = true;
		p->lcore = lc;
		if (!split) {
			l->client = c->client;
			l->server = c->server;
		} else if (lc == main_lcore) {
			l->client = true;
		} else {
			l->server = true;
		}
	}
	if (!app->lcores[main_lcore].active) {
		app_err("no port has an address: give --ip PORTID,IP/PREFIX (%u port%s found)",
			app->n_ports, app->n_ports == 1 ? "" : "s");
		return -1;
	}
	return 0;
}
