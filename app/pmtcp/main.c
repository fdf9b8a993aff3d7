/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmtcp: EAL, ports, one TCP stack per lcore, the benchmark loop and its
 * reports. The main lcore runs its own share of the data path and prints
 * the per-period lines between iterations.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>

#include "app.h"

/* After the client has finished, keep polling up to this long so the last
 * ACKs, FINs and RSTs reach the other side. */
#define LINGER_MS 2000
/* After --duration, in-flight handshakes get this long to end. */
#define DRAIN_MS 3000

static struct app the_app;

static void
on_signal(int sig)
{
	RTE_SET_USED(sig);
	app_force_quit = true;
}

static bool
clients_finished(const struct app *app)
{
	unsigned int lc;

	RTE_LCORE_FOREACH(lc) {
		const struct app_lcore *l = &app->lcores[lc];

		if (l->active && l->client && !l->client_finished)
			return false;
	}
	return true;
}

static uint64_t
sum_field(const struct app *app, size_t off)
{
	uint64_t s = 0;
	unsigned int lc;

	RTE_LCORE_FOREACH(lc)
		if (app->lcores[lc].active)
			s += *(const uint64_t *)((const char *)&app->lcores[lc] + off);
	return s;
}

/* Connections in the tables of every lcore, TIME_WAIT aside. Read
 * without locks: each count is one aligned 32-bit load. */
static uint64_t
open_connections(const struct app *app)
{
	uint64_t n = 0;
	unsigned int lc;

	RTE_LCORE_FOREACH(lc) {
		const struct app_lcore *l = &app->lcores[lc];

		if (l->active && l->st != NULL)
			n += pmtcp_stack_conn_count(l->st) - pmtcp_stack_tw_count(l->st);
	}
	return n;
}

/* Connections held at once, all lcores: the client's established and
 * not yet ended, the server's accepted and not reset (each a 64-bit load
 * per lcore, read as it stands) */
static void
sample_concurrency(struct app *app)
{
	uint64_t cl = 0, sv = 0;
	unsigned int lc;

	RTE_LCORE_FOREACH(lc) {
		const struct app_lcore *l = &app->lcores[lc];

		uint64_t done, closed;

		if (!l->active)
			continue;
		/* the ends first: what ended was established before */
		done = *(volatile const uint64_t *)&l->done;
		closed = *(volatile const uint64_t *)&l->server_closed;
		rte_smp_rmb();
		cl += *(volatile const uint64_t *)&l->established - done;
		sv += *(volatile const uint64_t *)&l->accepted - closed;
	}
	app->concurrent_now = cl;
	if (cl > app->concurrent_max)
		app->concurrent_max = cl;
	if (sv > app->server_concurrent_max)
		app->server_concurrent_max = sv;
}

/* The main lcore's loop: data path, reports, and deciding when to stop. */
static void
main_loop(struct app *app)
{
	struct app_conf *c = &app->conf;
	struct app_lcore *self = &app->lcores[rte_get_main_lcore()];
	uint64_t hz = app->tsc_hz;
	uint64_t period = (uint64_t)(app_series_period_s(app) * (double)hz);
	uint64_t next_report = app->start_tsc + period;
	/* the series takes every period; the line is printed for it unless
	 * --quiet, --stats-period 0 or the prompt */
	bool lines = !app->cli && !c->quiet && c->stats_period_s > 0;
	uint64_t linger_until = 0, drain_until = 0, next_sample = 0;

	self->next_connect_tsc = app->start_tsc;
	while (!app_force_quit) {
		uint64_t now;

		if (self->active)
			app_lcore_iterate(app, self);
		now = rte_rdtsc();
		/* once a millisecond: a walk of the lcores is not free, and
		 * this lcore is on the data path */
		if (now >= next_sample) {
			sample_concurrency(app);
			next_sample = now + hz / 1000;
		}
		app_capture_poll(app);   /* --pcap: write what the lcores copied */
		if (now >= next_report) {
			app_report_period(app, (double)(now - app->start_tsc) / (double)hz,
					  lines ? stdout : NULL);
			next_report += period;
		}
		/* the prompt: runs until quit, EOF or SIGINT; no periodic
		 * lines here (`show stats` prints one, `set stats-period`
		 * has app_cli_poll() print them) */
		if (app->cli) {
			if (linger_until == 0 && app_cli_poll(app) != 0) {
				/* quit or EOF: stop opening, let what is
				 * open end as a finished run does */
				app->client_run = false;
				linger_until = now + hz / 1000 * LINGER_MS;
			}
			if (linger_until != 0 &&
			    (open_connections(app) == 0 || now >= linger_until))
				break;
			continue;
		}
		if (c->client) {
			if (app->end_tsc != 0 && now >= app->end_tsc && drain_until == 0)
				drain_until = now + hz / 1000 * DRAIN_MS;
			if (clients_finished(app) ||
			    (drain_until != 0 && now >= drain_until)) {
				if (linger_until == 0)
					linger_until = now + hz / 1000 * LINGER_MS;
				/* stop once no connection is open any more
				 * (TIME_WAIT aside) on any lcore, both ends
				 * included when they share this process */
				if (clients_finished(app) && open_connections(app) == 0)
					break;
				if (now >= linger_until)
					break;
			}
		} else {
			/* server only: --duration, or --connections accepted */
			if (app->end_tsc != 0 && now >= app->end_tsc)
				break;
			if (c->connections != 0 &&
			    sum_field(app, offsetof(struct app_lcore, accepted)) >= c->connections)
				break;
		}
	}
	app_force_quit = true;
}

/* after EAL's own usage (--help-eal) */
static void
eal_usage_hook(const char *prog)
{
	printf("%s [EAL options] -- [pmtcp options]: `pmtcp --help` lists pmtcp's options\n",
	       prog);
}

int
main(int argc, char **argv)
{
	struct app *app = &the_app;
	char *no_opts[] = { argv[0], NULL };
	char *only_i[] = { argv[0], (char *)(uintptr_t)"-i", NULL };
	bool interactive;
	unsigned int lc;
	int n_eal, ret, rc = EXIT_SUCCESS;

	/* pmtcp's options before EAL starts: --help, --version and every
	 * mistake in them are answered without taking lcores, memory or
	 * devices (nor printing EAL's start-up lines) */
	ret = app_parse_eal_side(argc, argv, &n_eal, &interactive);
	if (ret == 0 && interactive)   /* no "--": -i was all pmtcp got */
		ret = app_parse_args(&app->conf, 2, only_i);
	else if (ret == 0)
		ret = n_eal < argc ?
			app_parse_args(&app->conf, argc - n_eal, argv + n_eal) :
			app_parse_args(&app->conf, 1, no_opts);
	if (ret == APP_ARGS_EAL_HELP) {
		char *eal_help[] = { argv[0], "--help", NULL };

		/* EAL prints its usage, then the hook's line, and exits 0 */
		rte_set_application_usage_hook(eal_usage_hook);
		rte_eal_init(2, eal_help);
		return EXIT_FAILURE;
	}
	if (ret != 0)
		return ret > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	ret = rte_eal_init(n_eal, argv);
	if (ret < 0) {
		app_err("EAL initialisation failed: %s", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	/* EAL stops at the first word that is not one of its options */
	if (ret + 1 < n_eal) {
		app_err("unexpected argument '%s' before -- (pmtcp's options go after it)",
			argv[ret + 1]);
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}
	app_pdump_init();   /* dpdk-dumpcap may attach from now on */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	app->tsc_hz = rte_get_tsc_hz();
	app->us_per_tsc_q32 = (1000000ULL << 32) / app->tsc_hz;
	app->cli = app->conf.interactive || app->conf.cmdline_file != NULL;

	if (app_ports_init(app) != 0 || app_lcores_create_stacks(app) != 0 ||
	    app_capture_init(app) != 0) {
		rc = EXIT_FAILURE;
		goto out;
	}
	/* an unreachable client target is a configuration error, said once */
	if (app->conf.client) {
		struct app_lcore *l = &app->lcores[rte_get_main_lcore()];
		bool routable = false;

		for (uint16_t i = 0; i < l->n_ports && l->client; i++) {
			for (unsigned int k = 0; k < app->n_ports; k++) {
				const struct app_port *p = &app->ports[k];
				uint32_t mask = p->prefix_len == 32 ? UINT32_MAX :
					rte_cpu_to_be_32(~(UINT32_MAX >> p->prefix_len));

				if (p->port_id != l->ports[i])
					continue;
				if ((p->addr & mask) == (app->conf.client_addr & mask) ||
				    p->gateway != 0)
					routable = true;
			}
		}
		if (!routable) {
			char a[16];

			snprintf(a, sizeof(a), "%u.%u.%u.%u",
				 ((uint8_t *)&app->conf.client_addr)[0],
				 ((uint8_t *)&app->conf.client_addr)[1],
				 ((uint8_t *)&app->conf.client_addr)[2],
				 ((uint8_t *)&app->conf.client_addr)[3]);
			app_err("--client %s: unreachable: no port address on its subnet and no gateway (see --ip)",
				a);
			rc = EXIT_FAILURE;
			goto out;
		}
	}
	app_print_version(stdout);
	printf("pmtcp: %u port(s)%s, client %s, server %s\n", app->n_ports,
	       app->loopback ? " (embedded loopback pair)" : "",
	       app->conf.client ? "on" : "off", app->conf.server ? "on" : "off");
	for (unsigned int i = 0; i < app->n_ports; i++) {
		const struct app_port *p = &app->ports[i];
		const uint8_t *a = (const uint8_t *)&p->addr;
		char lcs[256], range[32] = "";

		if (p->addr_count > 1) {
			uint32_t last = rte_cpu_to_be_32(rte_be_to_cpu_32(p->addr) +
							 p->addr_count - 1);
			const uint8_t *z = (const uint8_t *)&last;

			snprintf(range, sizeof(range), "-%u.%u.%u.%u", z[0], z[1],
				 z[2], z[3]);
		}
		printf("  port %u %s profile %s: %u.%u.%u.%u%s/%u mtu %u %s%s%s%s\n",
		       p->port_id, p->driver, p->profile.name, a[0], a[1], a[2],
		       a[3], range, p->prefix_len, p->mtu,
		       p->used ? app_port_lcores_str(p, lcs, sizeof(lcs)) : "",
		       p->tx_tcp_cksum ? " tx-csum-offload" : "",
		       p->rx_csum_partial ? " rx-csum-partial" : "",
		       p->used ? "" : " (unused: no --ip)");
		if (p->used && p->nb_queues > 1)
			printf("    %u queues: %s\n", p->nb_queues, p->steer_why);
		/* a port's frames are best handled on its own NUMA node */
		for (uint16_t q = 0; p->used && q < p->nb_queues; q++) {
			int ps = rte_eth_dev_socket_id(p->port_id);
			unsigned int ls = rte_lcore_to_socket_id(p->lcore[q]);

			if (ps >= 0 && (unsigned int)ps != ls)
				printf("    warning: lcore %u is on NUMA node %u, port %u on node %d: every frame crosses nodes\n",
				       p->lcore[q], ls, p->port_id, ps);
		}
	}
	fflush(stdout);
	app->pool_avail_start = app_pools_avail(app);
	app->start_tsc = rte_rdtsc();
	app->end_tsc = app->conf.duration_s > 0 ?
		app->start_tsc + (uint64_t)(app->conf.duration_s * (double)app->tsc_hz) : 0;
	app->client_start_tsc = app->start_tsc;
	app->client_run = !app->cli || app->conf.auto_start;
	if (app->cli) {
		/* no --duration, no --connections: the prompt decides */
		app->end_tsc = 0;
		app->conf.connections = 0;
		if (app_cli_init(app) != 0) {
			rc = EXIT_FAILURE;
			goto out;
		}
	}
	if (app_telemetry_init(app) != 0) {
		rc = EXIT_FAILURE;
		goto out;
	}
	rte_eal_mp_remote_launch(app_lcore_main, app, SKIP_MAIN);
	main_loop(app);
	rte_eal_mp_wait_lcore();
	app_telemetry_stop();   /* before the stacks go */
	if (app->cli)
		app_cli_fini(app);
	app->end_tsc = rte_rdtsc();

	/* keep the counters, then give every mbuf back */
	RTE_LCORE_FOREACH(lc) {
		struct app_lcore *l = &app->lcores[lc];

		if (!l->active || l->st == NULL)
			continue;
		pmtcp_stack_poll(l->st, rte_rdtsc());
	}
	RTE_LCORE_FOREACH(lc) {
		struct app_lcore *l = &app->lcores[lc];

		if (!l->active || l->st == NULL)
			continue;
		l->final_mib = *pmtcp_stack_mib(l->st);
		/* what the stack grew to (its port maps) since it was made */
		l->conn_memory += pmtcp_stack_conn_memory(l->st) - l->stack_memory;
		pmtcp_stack_free(l->st);
		l->st = NULL;
		app_workload_fini(l);
	}
	app_capture_fini(app, stdout);
	app_ports_drain(app);
	app_report_end(app);
	app_report_summary(app, stdout);
	if (app->conf.json_path != NULL && app_report_json(app, app->conf.json_path) != 0)
		rc = EXIT_FAILURE;
	if (app->conf.csv_path != NULL && app_series_csv(app, app->conf.csv_path) != 0)
		rc = EXIT_FAILURE;
out:
	app_telemetry_stop();
	RTE_LCORE_FOREACH(lc) {
		if (app->lcores[lc].st != NULL) {
			pmtcp_stack_free(app->lcores[lc].st);
			app->lcores[lc].st = NULL;
		}
		app_workload_fini(&app->lcores[lc]);
	}
	app_capture_fini(app, NULL);   /* an error path: no line */
	if (app->n_ports > 0)
		app_ports_fini(app);
	app_series_free(app);
	app_pdump_uninit();
	rte_eal_cleanup();
	return rc;
}
