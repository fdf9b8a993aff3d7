/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * client_server: a client stack and a server stack in one process, on one
 * lcore, joined by a pair of ring ports back to back (no NIC, no
 * hugepages). N connections (1000 unless given after "--"): the client
 * sends "ping\n", the server echoes it, the client closes with a FIN once
 * the echo is in, and the server closes when it sees that FIN. It prints
 * the counts and the summed counters, and exits 0 only when all N
 * connections were established, accepted and echoed, none failed.
 *
 *   pmtcp-client_server -l 0 --no-huge -m 256 --no-pci [-- N]
 *
 * docs/embedding.md walks through the calls.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <pmtcp.h>

#define N_CONNS_DEFAULT 1000
#define N_CONNS_MAX 20000      /* below ip_local_port_range's 28232 ports */
#define SERVER_PORT 80
#define IN_FLIGHT_MAX 256      /* handshakes under way at most */
#define MSG "ping\n"
#define MSG_LEN 5

struct counts {
	unsigned int connected, accepted, failed, closed, echoed, peer_fins;
	uint64_t bytes;
};

/* Callbacks run on the stack's lcore, inside input() or poll(). */
static void
on_connected(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	struct counts *c = arg;
	struct pmtcp_sock_info info;

	if (c->connected++ == 0) {
		pmtcp_sock_info(sk, &info);
		printf("first: %u -> %u mss %u wscale %u/%u ts %d sack %d rtt %" PRIu32 " us\n",
		       info.sport, info.dport, info.mss, info.snd_wscale,
		       info.rcv_wscale, info.tstamp_ok, info.sack_ok,
		       info.srtt_us);
	}
	pmtcp_sock_set_userdata(sk, 0);            /* bytes of echo received */
	if (pmtcp_send(st, sk, MSG, MSG_LEN) != MSG_LEN)
		pmtcp_abort(st, sk);               /* allowed from a callback */
}

#define SERVER_SOCK (1ULL << 63)

static void
on_accepted(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	(void)st;
	pmtcp_sock_set_userdata(sk, SERVER_SOCK);
	((struct counts *)arg)->accepted++;
}

/* Both stacks share this callback: a client sock's user data counts the
 * echo bytes received, a server sock's is SERVER_SOCK. */
static void
on_recv(struct pmtcp_stack *st, struct pmtcp_sock *sk, const void *data,
	uint32_t len, void *arg)
{
	struct counts *c = arg;
	uint64_t got = pmtcp_sock_userdata(sk);

	c->bytes += len;
	if (got & SERVER_SOCK) {               /* server: echo */
		pmtcp_send(st, sk, data, len);
		return;
	}
	got += len;
	pmtcp_sock_set_userdata(sk, got);
	if (got == MSG_LEN) {                  /* client: the whole echo */
		c->echoed++;
		pmtcp_close(st, sk);           /* FIN; closed(0) comes later */
	}
}

static void
on_peer_closed(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	((struct counts *)arg)->peer_fins++;
	pmtcp_close(st, sk);                   /* our FIN: CLOSE_WAIT -> LAST_ACK */
}

static void
on_failed(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg)
{
	(void)st;
	(void)sk;
	fprintf(stderr, "connect failed: %s\n", strerror(-err));
	((struct counts *)arg)->failed++;
}

static void
on_closed(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg)
{
	(void)st;
	(void)sk;
	if (err == 0)
		return;                        /* an orderly close: expected */
	fprintf(stderr, "connection closed: %s\n", strerror(-err));
	((struct counts *)arg)->closed++;
}

/* One ethdev port with one RX and one TX queue. */
static int
port_start(uint16_t port, struct rte_mempool *pool, struct rte_ether_addr *mac)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 1024, rte_socket_id(), NULL, pool) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, 1024, rte_socket_id(), NULL) != 0 ||
	    rte_eth_dev_start(port) != 0)
		return -1;
	rte_eth_macaddr_get(port, mac);
	if (rte_is_zero_ether_addr(mac)) {      /* ring ports have none */
		rte_eth_random_addr(mac->addr_bytes);
		rte_eth_dev_default_mac_addr_set(port, mac);
	}
	return 0;
}

static struct pmtcp_stack *
stack_make(const char *name, struct rte_mempool *pool, uint16_t port,
	   uint32_t addr, unsigned int max_conns, struct counts *c)
{
	struct pmtcp_stack_conf sc;
	struct pmtcp_iface_conf ic;
	struct pmtcp_stack *st;
	char err[128];

	pmtcp_stack_conf_init(&sc);          /* defaults, Linux sysctls */
	sc.name = name;
	sc.socket_id = (int)rte_socket_id();
	sc.pool = pool;
	sc.max_conns = max_conns;            /* TIME_WAIT socks count */
	/* a knob, by its Linux name */
	if (pmtcp_sysctl_set(&sc.sysctl, "tcp_syn_retries", "2", err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	sc.cb.connected = on_connected;
	sc.cb.accepted = on_accepted;
	sc.cb.failed = on_failed;
	sc.cb.closed = on_closed;
	sc.cb.recv = on_recv;
	sc.cb.peer_closed = on_peer_closed;
	sc.cb.arg = c;
	st = pmtcp_stack_create(&sc);
	if (st == NULL) {
		fprintf(stderr, "%s: %s\n", name, rte_strerror(rte_errno));
		return NULL;
	}
	memset(&ic, 0, sizeof(ic));
	ic.port_id = port;
	ic.queue_id = 0;
	ic.addr = addr;
	ic.prefix_len = 24;
	ic.mtu = 1500;
	if (port_start(port, pool, &ic.mac) != 0 ||
	    pmtcp_stack_add_iface(st, &ic) < 0) {
		fprintf(stderr, "%s: port %u: cannot start or add it\n", name, port);
		pmtcp_stack_free(st);
		return NULL;
	}
	return st;
}

int
main(int argc, char **argv)
{
	uint32_t caddr = RTE_BE32(RTE_IPV4(198, 18, 0, 2));
	uint32_t saddr = RTE_BE32(RTE_IPV4(198, 18, 0, 1));
	struct counts cc = { 0 }, sc = { 0 };
	struct pmtcp_stack *cli, *srv;
	struct rte_mempool *pool;
	struct rte_ring *r[2];
	const struct pmtcp_mib *mibs[2];
	struct pmtcp_mib sum;
	unsigned int n_conns = N_CONNS_DEFAULT, opened = 0;
	uint64_t deadline;
	int p0, p1, ret, ok;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	argc -= ret;                           /* the arguments after "--" */
	argv += ret;
	if (argc > 1) {
		char *end;
		unsigned long n = strtoul(argv[1], &end, 10);

		if (*end != '\0' || n == 0 || n > N_CONNS_MAX) {
			fprintf(stderr, "usage: %s EAL-ARGS [-- N], N in 1..%u\n",
				argv[0], N_CONNS_MAX);
			return EXIT_FAILURE;
		}
		n_conns = (unsigned int)n;
	}

	pool = rte_pktmbuf_pool_create("cs_pool", 16384, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	r[0] = rte_ring_create("cs_r0", 4096, rte_socket_id(),
			       RING_F_SP_ENQ | RING_F_SC_DEQ);
	r[1] = rte_ring_create("cs_r1", 4096, rte_socket_id(),
			       RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (pool == NULL || r[0] == NULL || r[1] == NULL) {
		fprintf(stderr, "pool or rings: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	/* port 0 sends into r0, port 1 receives from r0, and back */
	p0 = rte_eth_from_rings("cs_lb0", &r[1], 1, &r[0], 1, rte_socket_id());
	p1 = rte_eth_from_rings("cs_lb1", &r[0], 1, &r[1], 1, rte_socket_id());
	if (p0 < 0 || p1 < 0) {
		fprintf(stderr, "ring ports: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}

	cli = stack_make("client", pool, (uint16_t)p0, caddr, n_conns + 64, &cc);
	srv = stack_make("server", pool, (uint16_t)p1, saddr, n_conns + 64, &sc);
	if (cli == NULL || srv == NULL || pmtcp_listen(srv, SERVER_PORT) != 0)
		return EXIT_FAILURE;

	/* Both stacks are driven from this one lcore: the run-to-completion
	 * loop reads the TSC once, opens what it may, then lets each stack
	 * rx_burst, run its timers and flush its TX batch. */
	deadline = rte_rdtsc() + 10 * rte_get_tsc_hz();
	while (cc.echoed + cc.failed + cc.closed < n_conns && rte_rdtsc() < deadline) {
		uint64_t now = rte_rdtsc();

		/* warm ARP first, then 32 connects per turn at most, and no
		 * more than IN_FLIGHT_MAX handshakes under way */
		if (pmtcp_neigh_resolve(cli, saddr) == 1) {
			for (int k = 0; k < 32 && opened < n_conns &&
			     opened - cc.connected - cc.failed < IN_FLIGHT_MAX; k++) {
				ret = pmtcp_connect(cli, saddr, SERVER_PORT, 0, NULL);
				if (ret != 0) {
					fprintf(stderr, "connect: %s\n", strerror(-ret));
					break;
				}
				opened++;
			}
		}
		pmtcp_stack_run_once(cli, now);
		pmtcp_stack_run_once(srv, now);
	}
	/* a few more turns so the FINs and the last ACKs cross */
	for (int i = 0; i < 1000; i++) {
		pmtcp_stack_run_once(cli, rte_rdtsc());
		pmtcp_stack_run_once(srv, rte_rdtsc());
	}
	printf("connected %u echoed %u failed %u closed %u; server accepted %u, "
	       "peer FINs %u, bytes %" PRIu64 "\n",
	       cc.connected, cc.echoed, cc.failed, cc.closed, sc.accepted,
	       sc.peer_fins, sc.bytes);
	printf("client table %u (TIME_WAIT %u), server table %u\n",
	       pmtcp_stack_conn_count(cli), pmtcp_stack_tw_count(cli),
	       pmtcp_stack_conn_count(srv));

	mibs[0] = pmtcp_stack_mib(cli);
	mibs[1] = pmtcp_stack_mib(srv);
	pmtcp_mib_sum(&sum, mibs, 2);
	pmtcp_mib_print(stdout, &sum, 1);

	ok = cc.connected == n_conns && sc.accepted == n_conns &&
	     cc.echoed == n_conns && cc.failed == 0 && cc.closed == 0 &&
	     sc.closed == 0;
	printf("%s: %u of %u connections established\n", ok ? "ok" : "FAILED",
	       cc.connected, n_conns);

	pmtcp_stack_free(cli);
	pmtcp_stack_free(srv);
	rte_eth_dev_stop((uint16_t)p0);
	rte_eth_dev_stop((uint16_t)p1);
	rte_eth_dev_close((uint16_t)p0);
	rte_eth_dev_close((uint16_t)p1);
	rte_eal_cleanup();
	return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
