/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker_lcore: the stacks run on worker lcores, launched with
 * rte_eal_remote_launch(); the main lcore only watches. It reads their
 * counters while they run, every 100 ms, stops them once N connections
 * (1000 unless given after "--") are established on the client and
 * accepted on the server, or after 10 s, and waits for them to return.
 * A client stack and a server stack, joined by two ring ports back to back
 * as in the client_server example; each connection is closed with a FIN
 * as soon as it is established. Exit 0 only when all N were established
 * and accepted and none failed.
 *
 *   pmtcp-worker_lcore -l 0-1 --no-huge -m 256 --no-pci [-- N]
 *
 * With one worker lcore (-l 0-1) it runs both stacks; with two (-l 0-2)
 * each stack has its own. Either way each stack is driven by one lcore
 * only (docs/embedding.md, "Threading rules").
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
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <pmtcp.h>

#define N_CONNS_DEFAULT 1000
#define N_CONNS_MAX 20000      /* below ip_local_port_range's 28232 ports */
#define SERVER_PORT 80
#define IN_FLIGHT_MAX 256      /* handshakes under way at most */
#define WATCH_US (100 * 1000)  /* the main lcore looks every 100 ms */
#define DEADLINE_S 10

enum { SERVER, CLIENT, N_ROLES };

/* One stack and what its callbacks count. */
struct role {
	const char *name;
	struct pmtcp_stack *st;
	uint16_t port;
	uint32_t addr;           /* network order */
	uint32_t daddr;          /* client: the server's address */
	unsigned int to_open;    /* client: connections still to open */
	unsigned int opened;     /* client: connections opened */
	/* written by the lcore that runs the stack, read by the main lcore
	 * as they stand (no lock: one writer, whole-word atomic accesses) */
	unsigned int established; /* connected (client), accepted (server) */
	unsigned int failed;
	unsigned int reset;      /* closed with an error */
};

/* The stacks one worker lcore drives, in turn. */
struct worker {
	struct role *roles[N_ROLES];
	unsigned int n;
};

static struct role roles[N_ROLES];
static struct worker workers[RTE_MAX_LCORE];
static uint32_t stop;           /* set by the main lcore */

static void
count(unsigned int *c)
{
	/* only the stack's lcore writes it: no read-modify-write needed */
	__atomic_store_n(c, *c + 1, __ATOMIC_RELAXED);
}

static unsigned int
read_count(const unsigned int *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* Callbacks: on the worker lcore that runs the stack. */
static void
on_established(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	struct role *r = arg;

	count(&r->established);
	if (r->daddr != 0)
		pmtcp_close(st, sk);            /* client: FIN at once */
}

static void
on_peer_closed(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	(void)arg;
	pmtcp_close(st, sk);                    /* server: FIN back */
}

static void
on_failed(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg)
{
	(void)st;
	(void)sk;
	(void)err;
	count(&((struct role *)arg)->failed);
}

static void
on_closed(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg)
{
	(void)st;
	(void)sk;
	if (err != 0)                           /* 0: an orderly close */
		count(&((struct role *)arg)->reset);
}

/* Client: once the server's MAC is known, up to 32 connects per turn,
 * and no more than IN_FLIGHT_MAX handshakes under way: opened faster
 * than the server completes them, SYNs would be shed and retried. */
static void
open_some(struct role *r)
{
	int k, ret;

	if (r->to_open == 0 || pmtcp_neigh_resolve(r->st, r->daddr) != 1)
		return;
	for (k = 0; k < 32 && r->to_open > 0; k++) {
		if (r->opened - r->established - r->failed >= IN_FLIGHT_MAX)
			break;
		ret = pmtcp_connect(r->st, r->daddr, SERVER_PORT, 0, NULL);
		if (ret != 0)
			break;                  /* e.g. -ENOBUFS: next turn */
		r->to_open--;
		r->opened++;
	}
}

/* The worker lcore's loop: run to completion over its stacks until the
 * main lcore says stop. */
static int
worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned int i;

	while (__atomic_load_n(&stop, __ATOMIC_ACQUIRE) == 0) {
		uint64_t now = rte_rdtsc();

		for (i = 0; i < w->n; i++) {
			open_some(w->roles[i]);
			pmtcp_stack_run_once(w->roles[i]->st, now);
		}
	}
	return 0;
}

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

/* Created on the main lcore, run on a worker: a stack may be handed over
 * before its lcore starts (rte_eal_remote_launch() orders the memory). */
static int
role_make(struct role *r, struct rte_mempool *pool, unsigned int max_conns)
{
	struct pmtcp_stack_conf sc;
	struct pmtcp_iface_conf ic;

	pmtcp_stack_conf_init(&sc);
	sc.name = r->name;
	sc.pool = pool;
	sc.max_conns = max_conns;
	sc.cb.connected = on_established;
	sc.cb.accepted = on_established;
	sc.cb.peer_closed = on_peer_closed;
	sc.cb.failed = on_failed;
	sc.cb.closed = on_closed;
	sc.cb.arg = r;
	r->st = pmtcp_stack_create(&sc);
	if (r->st == NULL) {
		fprintf(stderr, "%s: %s\n", r->name, rte_strerror(rte_errno));
		return -1;
	}
	memset(&ic, 0, sizeof(ic));
	ic.port_id = r->port;
	ic.addr = r->addr;
	ic.prefix_len = 24;
	ic.mtu = 1500;
	if (port_start(r->port, pool, &ic.mac) != 0 ||
	    pmtcp_stack_add_iface(r->st, &ic) < 0) {
		fprintf(stderr, "%s: port %u: cannot start or add it\n", r->name, r->port);
		return -1;
	}
	return 0;
}

/* The main lcore's view of the running stacks. */
static void
watch_line(double t)
{
	const struct pmtcp_mib *mibs[N_ROLES];
	struct pmtcp_mib sum;
	unsigned int i;

	for (i = 0; i < N_ROLES; i++)
		mibs[i] = pmtcp_stack_mib(roles[i].st);
	/* each counter read atomically; the set is not a snapshot */
	pmtcp_mib_sum(&sum, mibs, N_ROLES);
	printf("[%5.1fs] connected %u accepted %u failed %u | TcpActiveOpens %" PRIu64
	       " TcpPassiveOpens %" PRIu64 " TcpCurrEstab %" PRIu64 "\n", t,
	       read_count(&roles[CLIENT].established),
	       read_count(&roles[SERVER].established),
	       read_count(&roles[CLIENT].failed),
	       sum.mib[PMTCP_MIB_Tcp_ActiveOpens],
	       sum.mib[PMTCP_MIB_Tcp_PassiveOpens],
	       sum.mib[PMTCP_MIB_Tcp_CurrEstab]);
}

int
main(int argc, char **argv)
{
	struct rte_mempool *pool;
	struct rte_ring *r[2];
	const struct pmtcp_mib *mibs[N_ROLES];
	struct pmtcp_mib sum;
	unsigned int n_conns = N_CONNS_DEFAULT, nw = 0, i, lcore;
	unsigned int wl[2] = { 0, 0 };
	uint64_t start, hz;
	int p0, p1, ret, ok;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	argc -= ret;
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
	/* the first one or two worker lcores */
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (nw < 2)
			wl[nw++] = lcore;
	}
	if (nw == 0) {
		fprintf(stderr, "needs a worker lcore besides the main one (-l 0-1)\n");
		return EXIT_FAILURE;
	}

	pool = rte_pktmbuf_pool_create("wl_pool", 16384, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	r[0] = rte_ring_create("wl_r0", 4096, rte_socket_id(),
			       RING_F_SP_ENQ | RING_F_SC_DEQ);
	r[1] = rte_ring_create("wl_r1", 4096, rte_socket_id(),
			       RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (pool == NULL || r[0] == NULL || r[1] == NULL) {
		fprintf(stderr, "pool or rings: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	p0 = rte_eth_from_rings("wl_lb0", &r[1], 1, &r[0], 1, rte_socket_id());
	p1 = rte_eth_from_rings("wl_lb1", &r[0], 1, &r[1], 1, rte_socket_id());
	if (p0 < 0 || p1 < 0) {
		fprintf(stderr, "ring ports: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	roles[SERVER] = (struct role){ .name = "server", .port = (uint16_t)p1,
		.addr = RTE_BE32(RTE_IPV4(198, 18, 0, 1)) };
	roles[CLIENT] = (struct role){ .name = "client", .port = (uint16_t)p0,
		.addr = RTE_BE32(RTE_IPV4(198, 18, 0, 2)),
		.daddr = roles[SERVER].addr, .to_open = n_conns };
	for (i = 0; i < N_ROLES; i++)
		if (role_make(&roles[i], pool, n_conns + 64) != 0)
			return EXIT_FAILURE;
	if (pmtcp_listen(roles[SERVER].st, SERVER_PORT) != 0)
		return EXIT_FAILURE;

	/* server on the first worker, client on the second (or the first) */
	for (i = 0; i < N_ROLES; i++) {
		struct worker *w = &workers[wl[i % nw]];

		w->roles[w->n++] = &roles[i];
	}
	for (i = 0; i < nw; i++)
		if (rte_eal_remote_launch(worker_main, &workers[wl[i]], wl[i]) != 0) {
			fprintf(stderr, "cannot launch lcore %u\n", wl[i]);
			return EXIT_FAILURE;
		}
	printf("server on lcore %u, client on lcore %u\n", wl[0], wl[1 % nw]);

	/* The main lcore sleeps, looks, and says stop. */
	hz = rte_get_tsc_hz();
	start = rte_rdtsc();
	for (;;) {
		double t;

		rte_delay_us_sleep(WATCH_US);
		t = (double)(rte_rdtsc() - start) / (double)hz;
		watch_line(t);
		if (read_count(&roles[CLIENT].established) +
		    read_count(&roles[CLIENT].failed) >= n_conns &&
		    read_count(&roles[SERVER].established) >=
		    read_count(&roles[CLIENT].established))
			break;
		if (t > DEADLINE_S) {
			fprintf(stderr, "deadline: stopping\n");
			break;
		}
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();

	/* the workers have returned: the stacks are this lcore's now */
	for (i = 0; i < N_ROLES; i++)
		mibs[i] = pmtcp_stack_mib(roles[i].st);
	pmtcp_mib_sum(&sum, mibs, N_ROLES);
	pmtcp_mib_print(stdout, &sum, 1);
	ok = roles[CLIENT].established == n_conns &&
	     roles[SERVER].established == n_conns &&
	     roles[CLIENT].failed == 0 && roles[CLIENT].reset == 0 &&
	     roles[SERVER].reset == 0;
	printf("%s: %u of %u connections established, %u accepted\n",
	       ok ? "ok" : "FAILED", roles[CLIENT].established, n_conns,
	       roles[SERVER].established);

	for (i = 0; i < N_ROLES; i++)
		pmtcp_stack_free(roles[i].st);
	rte_eth_dev_stop((uint16_t)p0);
	rte_eth_dev_stop((uint16_t)p1);
	rte_eth_dev_close((uint16_t)p0);
	rte_eth_dev_close((uint16_t)p1);
	rte_eal_cleanup();
	return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
