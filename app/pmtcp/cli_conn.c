/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CLI's connection commands: `start` / `stop` (the client workload),
 * `connect` (connections from the main lcore, driven by connect_progress()
 * from app_cli_poll()), `listen` and `unlisten` (every lcore).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_atomic.h>
#include <rte_cycles.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_ipaddr.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>
#include <cmdline_rdline.h>

#include "cli.h"

#define CONNECT_BURST 32
#define CONNECT_REPORT_MAX 10   /* `connect` prints each connection up to this */

static struct app_hist conn_hist0;

/* *** connect <ip> <port> count <N> *** */
struct cmd_connect_result {
	cmdline_fixed_string_t connect;
	cmdline_ipaddr_t ip;
	uint16_t port;
	cmdline_fixed_string_t count;
	uint32_t n;
};

static void
cmd_connect_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	struct cmd_connect_result *res = parsed_result;
	struct app_lcore *l = main_lcore();
	uint32_t n = data != NULL ? 1 : res->n;
	char a[16];

	RTE_SET_USED(cl);
	ip_str(res->ip.addr.ipv4.s_addr, a, sizeof(a));
	if (res->port == 0 || n == 0) {
		printf("error: connect: port and count must be at least 1\n");
		return;
	}
	if (l->st == NULL || l->conns == NULL) {
		printf("error: connect: the main lcore %u polls no port\n",
		       l->lcore_id);
		return;
	}
	if (cli.app->client_run) {
		printf("error: connect: the client workload is running; `stop` it first\n");
		return;
	}
	if (pmtcp_neigh_resolve(l->st, res->ip.addr.ipv4.s_addr) == -ENETUNREACH) {
		printf("error: connect: %s is unreachable from the main lcore %u: no port address on its subnet and no gateway\n",
		       a, l->lcore_id);
		return;
	}
	memset(&cli.conn, 0, sizeof(cli.conn));
	cli.conn.active = true;
	cli.conn.daddr = res->ip.addr.ipv4.s_addr;
	cli.conn.dport = res->port;
	cli.conn.n = n;
	cli.conn.start_tsc = rte_rdtsc();
	cli.conn.ended0 = app_client_ended(l);
	cli.conn.established0 = l->established;
	cli.conn.refused0 = l->failed_refused;
	cli.conn.timeout0 = l->failed_timeout;
	cli.conn.reset0 = l->failed_reset;
	cli.conn.unreachable0 = l->failed_unreachable;
	cli.conn.local0 = l->failed_local;
	conn_hist0 = l->hist;
}

/* Called from the main loop while a `connect` runs: open what the free
 * connection states allow, print the summary once every one has ended. */
void
connect_progress(void)
{
	struct app_lcore *l = main_lcore();
	uint64_t now = rte_rdtsc();
	unsigned int burst = 0;

	if (!cli.conn.resolved) {
		/* warm the neighbour cache first (up to 1 s), as the
		 * client workload does */
		if (pmtcp_neigh_resolve(l->st, cli.conn.daddr) == 0 &&
		    now - cli.conn.start_tsc < rte_get_tsc_hz())
			return;
		cli.conn.resolved = true;
	}
	while (cli.conn.opened < cli.conn.n && burst < CONNECT_BURST) {
		uint64_t ud = app_conn_alloc(l);
		int ret;

		if (ud == 0)
			break;
		l->conns[ud - 1].report = cli.conn.n <= CONNECT_REPORT_MAX;
		ret = pmtcp_connect(l->st, cli.conn.daddr,
				    cli.conn.dport, ud, NULL);
		l->attempted++;
		cli.conn.opened++;
		burst++;
		if (ret != 0) {
			app_conn_free(l, ud);
			l->failed_local++;
		}
	}
	if (cli.conn.opened < cli.conn.n ||
	    app_client_ended(l) - cli.conn.ended0 < cli.conn.n)
		return;
	printf("connect: %" PRIu64 " established (avg RTT %.0f us), %" PRIu64
	       " refused, %" PRIu64 " timed out, %" PRIu64 " unreachable",
	       l->established - cli.conn.established0,
	       app_hist_mean_since(&l->hist, &conn_hist0),
	       l->failed_refused - cli.conn.refused0,
	       l->failed_timeout - cli.conn.timeout0,
	       l->failed_unreachable - cli.conn.unreachable0);
	if (l->failed_reset != cli.conn.reset0)
		printf(", %" PRIu64 " reset", l->failed_reset - cli.conn.reset0);
	if (l->failed_local != cli.conn.local0)
		printf(", %" PRIu64 " refused locally",
		       l->failed_local - cli.conn.local0);
	printf("\n");
	fflush(stdout);
	cli.conn.active = false;
	if (cli.tty)
		rdline_redisplay(cmdline_get_rdline(cli.cl));
}

static cmdline_parse_token_string_t cmd_connect_connect =
	TOKEN_STRING_INITIALIZER(struct cmd_connect_result, connect, "connect");
static cmdline_parse_token_ipaddr_t cmd_connect_ip =
	TOKEN_IPV4_INITIALIZER(struct cmd_connect_result, ip);
static cmdline_parse_token_num_t cmd_connect_port =
	TOKEN_NUM_INITIALIZER(struct cmd_connect_result, port, RTE_UINT16);
static cmdline_parse_token_string_t cmd_connect_count =
	TOKEN_STRING_INITIALIZER(struct cmd_connect_result, count, "count");
static cmdline_parse_token_num_t cmd_connect_n =
	TOKEN_NUM_INITIALIZER(struct cmd_connect_result, n, RTE_UINT32);

cmdline_parse_inst_t cmd_connect = {
	.f = cmd_connect_parsed,
	.data = NULL,
	.help_str = "connect <ip> <port> count <N>: open N connections from the "
		    "main lcore, wait for all to end, print how they ended "
		    "(each one too when N <= 10)",
	.tokens = {
		(void *)&cmd_connect_connect,
		(void *)&cmd_connect_ip,
		(void *)&cmd_connect_port,
		(void *)&cmd_connect_count,
		(void *)&cmd_connect_n,
		NULL,
	},
};

cmdline_parse_inst_t cmd_connect_one = {
	.f = cmd_connect_parsed,
	.data = (void *)1,
	.help_str = "connect <ip> <port>: open one connection and print how it "
		    "ended",
	.tokens = {
		(void *)&cmd_connect_connect,
		(void *)&cmd_connect_ip,
		(void *)&cmd_connect_port,
		NULL,
	},
};

/* *** start / stop *** */
struct cmd_start_stop_result {
	cmdline_fixed_string_t what;
};

static void
cmd_start_stop_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	struct app *app = cli.app;
	char a[16];

	RTE_SET_USED(parsed_result);
	RTE_SET_USED(cl);
	if (!app->conf.client) {
		printf("error: %s: no client workload: start pmtcp with --client IP:PORT\n",
		       data != NULL ? "start" : "stop");
		return;
	}
	ip_str(app->conf.client_addr, a, sizeof(a));
	if (data != NULL) {
		if (app->client_run) {
			printf("client already started\n");
			return;
		}
		app->client_start_tsc = rte_rdtsc();
		rte_smp_wmb();
		app->client_run = true;
		printf("client started: %s:%u\n", a, app->conf.client_port);
	} else {
		if (!app->client_run) {
			printf("client not started\n");
			return;
		}
		app->client_run = false;
		printf("client stopped (connections open now end as usual)\n");
	}
}

static cmdline_parse_token_string_t cmd_start_start =
	TOKEN_STRING_INITIALIZER(struct cmd_start_stop_result, what, "start");
static cmdline_parse_token_string_t cmd_stop_stop =
	TOKEN_STRING_INITIALIZER(struct cmd_start_stop_result, what, "stop");

cmdline_parse_inst_t cmd_start = {
	.f = cmd_start_stop_parsed,
	.data = (void *)1,
	.help_str = "start: start the configured client workload (--client)",
	.tokens = { (void *)&cmd_start_start, NULL },
};

cmdline_parse_inst_t cmd_stop = {
	.f = cmd_start_stop_parsed,
	.data = NULL,
	.help_str = "stop: stop opening connections",
	.tokens = { (void *)&cmd_stop_stop, NULL },
};

/* *** listen <port>, unlisten <port> *** */
struct cmd_listen_result {
	cmdline_fixed_string_t what;
	uint16_t port;
};

struct listen_result {
	const char *what;
	bool ok[RTE_MAX_LCORE];       /* in the wanted state now */
	bool changed[RTE_MAX_LCORE];  /* ... because of this command */
	unsigned int failed;
};

/* An lcore already in the wanted state (listening, or not) is fine. */
static void
listen_done(const struct app_lcore *l, void *arg)
{
	struct listen_result *lr = arg;
	int ret = l->cmd.ret;

	if (ret == 0) {
		lr->ok[l->lcore_id] = true;
		lr->changed[l->lcore_id] = true;
	} else if ((l->cmd.op == LCORE_OP_LISTEN && ret == -EADDRINUSE) ||
		   (l->cmd.op == LCORE_OP_UNLISTEN && ret == -ENOENT)) {
		lr->ok[l->lcore_id] = true;
	} else {
		printf("error: %s: lcore %u: %s\n", lr->what, l->lcore_id,
		       ret == -ENOSPC ? "the listener table is full" :
		       strerror(-ret));
	}
}

static void
cmd_listen_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	struct cmd_listen_result *res = parsed_result;
	struct app *app = cli.app;
	bool on = data == NULL;
	const char *what = on ? "listen" : "unlisten";
	char err_what[32];
	struct app_lcore_cmd c = {
		.op = on ? LCORE_OP_LISTEN : LCORE_OP_UNLISTEN,
		.arg = res->port,
	};
	struct listen_result lr;
	unsigned int i, lc;

	RTE_SET_USED(cl);
	if (res->port == 0) {
		printf("error: %s: port must be 1..65535\n", what);
		return;
	}
	for (i = 0; i < app->n_listen; i++)
		if (app->listen_ports[i] == res->port)
			break;
	if (on && i < app->n_listen) {
		printf("error: listen: already listening on port %u\n", res->port);
		return;
	}
	if (!on && i == app->n_listen) {
		printf("error: unlisten: not listening on port %u\n", res->port);
		return;
	}
	if (on && app->n_listen == APP_MAX_LISTEN) {
		printf("error: listen: already %u listening ports (the most)\n",
		       APP_MAX_LISTEN);
		return;
	}
	snprintf(err_what, sizeof(err_what), "%s: port %u", what, res->port);
	memset(&lr, 0, sizeof(lr));
	lr.what = err_what;
	lcores_run(&c, err_what, listen_done, &lr);
	RTE_LCORE_FOREACH(lc) {
		const struct app_lcore *l = &app->lcores[lc];

		if (l->active && l->st != NULL && !lr.ok[lc])
			lr.failed++;
	}
	if (lr.failed > 0) {
		/* all or nothing: undo it where it was done */
		struct app_lcore_cmd undo = {
			.op = on ? LCORE_OP_UNLISTEN : LCORE_OP_LISTEN,
			.arg = res->port,
		};

		RTE_LCORE_FOREACH(lc)
			if (lr.changed[lc])
				lcore_call(&app->lcores[lc], &undo, err_what);
		printf("error: %s: not done on %u lcore(s); undone on the others\n",
		       err_what, lr.failed);
		return;
	}
	if (on) {
		app->listen_ports[app->n_listen++] = res->port;
		app->conf.server = true;
	} else {
		app->listen_ports[i] = app->listen_ports[--app->n_listen];
	}
	RTE_LCORE_FOREACH(lc) {
		struct app_lcore *l = &app->lcores[lc];

		if (l->active && l->st != NULL)
			l->server = app->n_listen > 0;
	}
	printf("%s port %u on every lcore\n",
	       on ? "listening on" : "no longer listening on", res->port);
}

static cmdline_parse_token_string_t cmd_listen_listen =
	TOKEN_STRING_INITIALIZER(struct cmd_listen_result, what, "listen");
static cmdline_parse_token_string_t cmd_unlisten_unlisten =
	TOKEN_STRING_INITIALIZER(struct cmd_listen_result, what, "unlisten");
static cmdline_parse_token_num_t cmd_listen_port =
	TOKEN_NUM_INITIALIZER(struct cmd_listen_result, port, RTE_UINT16);

cmdline_parse_inst_t cmd_listen = {
	.f = cmd_listen_parsed,
	.data = NULL,
	.help_str = "listen <port>: accept connections on <port>, on every lcore "
		    "(answering as the server workload does)",
	.tokens = { (void *)&cmd_listen_listen, (void *)&cmd_listen_port, NULL },
};

cmdline_parse_inst_t cmd_unlisten = {
	.f = cmd_listen_parsed,
	.data = (void *)1,
	.help_str = "unlisten <port>: stop accepting on <port> (open "
		    "connections go on; half-open ones are dropped)",
	.tokens = { (void *)&cmd_unlisten_unlisten, (void *)&cmd_listen_port,
		    NULL },
};
