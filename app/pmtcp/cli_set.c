/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CLI's `set` commands (tcp knobs, rate, concurrency, stats-period,
 * workload, close, client, verbose) and the `clear` ones (tcp stats,
 * port stats).
 */
#include <string.h>

#include <rte_atomic.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>

#include <cmdline_parse.h>
#include <cmdline_parse_ipaddr.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>

#include "cli.h"

/* *** set tcp <knob> <value> *** */
struct cmd_set_tcp_result {
	cmdline_fixed_string_t set;
	cmdline_fixed_string_t tcp;
	cmdline_fixed_string_t knob;
	cmdline_fixed_string_t value;
};

static void
cmd_set_tcp_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	struct cmd_set_tcp_result *res = parsed_result;
	struct app_lcore_cmd c = { .op = LCORE_OP_SYSCTL };
	struct pmtcp_sysctl s;
	char err[160], val[64];

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	/* validate on a copy first: an error changes nothing anywhere */
	s = *pmtcp_stack_sysctl(main_lcore()->st);
	if (pmtcp_sysctl_set(&s, res->knob, res->value, err, sizeof(err)) != 0) {
		printf("error: set tcp: %s\n", err);
		return;
	}
	snprintf(c.knob, sizeof(c.knob), "%s", res->knob);
	snprintf(c.value, sizeof(c.value), "%s", res->value);
	lcores_run(&c, "set tcp", NULL, NULL);
	pmtcp_sysctl_get(pmtcp_stack_sysctl(main_lcore()->st), res->knob, val,
			 sizeof(val));
	printf("tcp %s = %s\n", res->knob, val);
}

static cmdline_parse_token_string_t cmd_set_tcp_set =
	TOKEN_STRING_INITIALIZER(struct cmd_set_tcp_result, set, "set");
static cmdline_parse_token_string_t cmd_set_tcp_tcp =
	TOKEN_STRING_INITIALIZER(struct cmd_set_tcp_result, tcp, "tcp");
static cmdline_parse_token_string_t cmd_set_tcp_knob =
	TOKEN_STRING_INITIALIZER(struct cmd_set_tcp_result, knob, NULL);
static cmdline_parse_token_string_t cmd_set_tcp_value =
	TOKEN_STRING_INITIALIZER(struct cmd_set_tcp_result, value, NULL);

cmdline_parse_inst_t cmd_set_tcp = {
	.f = cmd_set_tcp_parsed,
	.data = NULL,
	.help_str = "set tcp <knob> <value>: set a TCP knob on every lcore "
		    "(multi-value knobs: 32768,60999)",
	.tokens = {
		(void *)&cmd_set_tcp_set,
		(void *)&cmd_set_tcp_tcp,
		(void *)&cmd_set_tcp_knob,
		(void *)&cmd_set_tcp_value,
		NULL,
	},
};

/* *** set rate|concurrency|stats-period <n> *** */
struct cmd_set_num_result {
	cmdline_fixed_string_t set;
	cmdline_fixed_string_t what;
	uint32_t n;
};

static void
cmd_set_num_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	struct cmd_set_num_result *res = parsed_result;
	struct app *app = cli.app;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (strcmp(res->what, "rate") == 0) {
		app->tsc_per_conn = res->n == 0 ? 0 :
			app->tsc_hz * RTE_MAX(app->n_clients, 1u) / res->n;
		app->conf.rate = res->n;
		if (res->n == 0)
			printf("rate: unlimited\n");
		else
			printf("rate: %u conn/s (all client lcores)\n", res->n);
	} else if (strcmp(res->what, "concurrency") == 0) {
		if (res->n < 1 || res->n > app->conn_pool_size) {
			printf("error: set concurrency: %u out of range: 1..%u (the connection states allocated at start, --concurrency)\n",
			       res->n, app->conn_pool_size);
			return;
		}
		*(volatile uint32_t *)&app->conf.concurrency = res->n;
		printf("concurrency: %u\n", res->n);
	} else {
		if (res->n > 3600) {
			printf("error: set stats-period: %u out of range: 0..3600 s\n",
			       res->n);
			return;
		}
		app->cli_period_tsc = (uint64_t)res->n * app->tsc_hz;
		app->cli_next_report_tsc = rte_rdtsc() + app->cli_period_tsc;
		if (res->n == 0)
			printf("stats-period: off\n");
		else
			printf("stats-period: %u s\n", res->n);
	}
}

static cmdline_parse_token_string_t cmd_set_num_set =
	TOKEN_STRING_INITIALIZER(struct cmd_set_num_result, set, "set");
static cmdline_parse_token_string_t cmd_set_num_what =
	TOKEN_STRING_INITIALIZER(struct cmd_set_num_result, what,
				 "rate#concurrency#stats-period");
static cmdline_parse_token_num_t cmd_set_num_n =
	TOKEN_NUM_INITIALIZER(struct cmd_set_num_result, n, RTE_UINT32);

cmdline_parse_inst_t cmd_set_num = {
	.f = cmd_set_num_parsed,
	.data = NULL,
	.help_str = "set rate|concurrency|stats-period <n>: client conn/s per "
		    "lcore (0 = unlimited), connections in flight per lcore "
		    "(1..--concurrency), seconds between stats lines (0 = off)",
	.tokens = {
		(void *)&cmd_set_num_set,
		(void *)&cmd_set_num_what,
		(void *)&cmd_set_num_n,
		NULL,
	},
};

/* *** set workload handshake|request, set close rst|fin *** */
struct cmd_set_mode_result {
	cmdline_fixed_string_t set;
	cmdline_fixed_string_t what;
	cmdline_fixed_string_t value;
};

static void
cmd_set_mode_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	struct cmd_set_mode_result *res = parsed_result;
	struct app_conf *c = &cli.app->conf;

	RTE_SET_USED(cl);
	if (data == NULL) {
		if (strcmp(res->value, "handshake") == 0)
			c->workload = WORKLOAD_HANDSHAKE;
		else if (strcmp(res->value, "request") == 0)
			c->workload = WORKLOAD_REQUEST;
		else {
			printf("error: set workload: '%s': want handshake or request\n",
			       res->value);
			return;
		}
		printf("workload: %s\n", workload_name(c->workload));
	} else {
		if (strcmp(res->value, "rst") == 0)
			c->close_mode = CLOSE_RST;
		else if (strcmp(res->value, "fin") == 0)
			c->close_mode = CLOSE_FIN;
		else {
			printf("error: set close: '%s': want rst or fin\n",
			       res->value);
			return;
		}
		printf("close: %s\n", close_name(c->close_mode));
	}
}

static cmdline_parse_token_string_t cmd_set_workload_set =
	TOKEN_STRING_INITIALIZER(struct cmd_set_mode_result, set, "set");
static cmdline_parse_token_string_t cmd_set_workload_what =
	TOKEN_STRING_INITIALIZER(struct cmd_set_mode_result, what, "workload");
static cmdline_parse_token_string_t cmd_set_close_what =
	TOKEN_STRING_INITIALIZER(struct cmd_set_mode_result, what, "close");
static cmdline_parse_token_string_t cmd_set_mode_value =
	TOKEN_STRING_INITIALIZER(struct cmd_set_mode_result, value, NULL);

cmdline_parse_inst_t cmd_set_workload = {
	.f = cmd_set_mode_parsed,
	.data = NULL,
	.help_str = "set workload handshake|request: what new client connections do",
	.tokens = {
		(void *)&cmd_set_workload_set,
		(void *)&cmd_set_workload_what,
		(void *)&cmd_set_mode_value,
		NULL,
	},
};

cmdline_parse_inst_t cmd_set_close = {
	.f = cmd_set_mode_parsed,
	.data = (void *)1,
	.help_str = "set close rst|fin: how the client ends its connections",
	.tokens = {
		(void *)&cmd_set_workload_set,
		(void *)&cmd_set_close_what,
		(void *)&cmd_set_mode_value,
		NULL,
	},
};

/* *** set client <ip> <port> *** */
struct cmd_set_client_result {
	cmdline_fixed_string_t set;
	cmdline_fixed_string_t client;
	cmdline_ipaddr_t ip;
	uint16_t port;
};

/* Does every client lcore have a port that routes @daddr? */
static bool
client_routable(uint32_t daddr)
{
	struct app *app = cli.app;
	unsigned int lc;

	RTE_LCORE_FOREACH(lc) {
		const struct app_lcore *l = &app->lcores[lc];
		bool ok = false;

		if (!l->active || !l->client)
			continue;
		for (unsigned int k = 0; k < app->n_ports; k++) {
			const struct app_port *p = &app->ports[k];
			uint32_t mask = p->prefix_len == 32 ? UINT32_MAX :
				rte_cpu_to_be_32(~(UINT32_MAX >> p->prefix_len));

			bool mine = false;

			for (uint16_t q = 0; q < p->nb_queues; q++)
				mine = mine || p->lcore[q] == lc;
			if (!p->used || !mine)
				continue;
			if ((p->addr & mask) == (daddr & mask) || p->gateway != 0)
				ok = true;
		}
		if (!ok)
			return false;
	}
	return true;
}

static void
cmd_set_client_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	struct cmd_set_client_result *res = parsed_result;
	struct app *app = cli.app;
	uint32_t daddr = res->ip.addr.ipv4.s_addr;
	char a[16];

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	ip_str(daddr, a, sizeof(a));
	if (!app->conf.client) {
		printf("error: set client: no client role: start pmtcp with --client IP:PORT\n");
		return;
	}
	if (app->client_run) {
		printf("error: set client: the client workload is running; `stop` it first\n");
		return;
	}
	if (daddr == 0 || res->port == 0) {
		printf("error: set client: address and port must not be 0\n");
		return;
	}
	if (!client_routable(daddr)) {
		printf("error: set client: %s is unreachable from a client lcore: no port address on its subnet and no gateway\n",
		       a);
		return;
	}
	app->conf.client_addr = daddr;
	app->conf.client_port = res->port;
	app->conf.client_addrs = 1;   /* one target, not a range */
	app->conf.client_ports = 1;
	rte_smp_wmb();
	app->target_gen = app->target_gen + 1;
	printf("client: %s:%u\n", a, res->port);
}

static cmdline_parse_token_string_t cmd_set_client_set =
	TOKEN_STRING_INITIALIZER(struct cmd_set_client_result, set, "set");
static cmdline_parse_token_string_t cmd_set_client_client =
	TOKEN_STRING_INITIALIZER(struct cmd_set_client_result, client, "client");
static cmdline_parse_token_ipaddr_t cmd_set_client_ip =
	TOKEN_IPV4_INITIALIZER(struct cmd_set_client_result, ip);
static cmdline_parse_token_num_t cmd_set_client_port =
	TOKEN_NUM_INITIALIZER(struct cmd_set_client_result, port, RTE_UINT16);

cmdline_parse_inst_t cmd_set_client = {
	.f = cmd_set_client_parsed,
	.data = NULL,
	.help_str = "set client <ip> <port>: the client workload's target "
		    "(only while stopped)",
	.tokens = {
		(void *)&cmd_set_client_set,
		(void *)&cmd_set_client_client,
		(void *)&cmd_set_client_ip,
		(void *)&cmd_set_client_port,
		NULL,
	},
};

/* *** set verbose 0|1|2 *** */
struct cmd_set_verbose_result {
	cmdline_fixed_string_t set;
	cmdline_fixed_string_t verbose;
	uint8_t level;
};

static void
cmd_set_verbose_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	static const char *const what[] = {
		"off", "every connection state change",
		"state changes and every TCP segment",
	};
	struct cmd_set_verbose_result *res = parsed_result;
	struct app_lcore_cmd c = { .op = LCORE_OP_TRACE, .arg = res->level };

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (res->level > PMTCP_TRACE_SEGMENT) {
		printf("error: set verbose: %u out of range: 0 (off), 1 (state changes), 2 (and every segment)\n",
		       res->level);
		return;
	}
	lcores_run(&c, "set verbose", NULL, NULL);
	cli.app->verbose = res->level;
	printf("verbose: %u (%s)\n", res->level, what[res->level]);
}

static cmdline_parse_token_string_t cmd_set_verbose_set =
	TOKEN_STRING_INITIALIZER(struct cmd_set_verbose_result, set, "set");
static cmdline_parse_token_string_t cmd_set_verbose_verbose =
	TOKEN_STRING_INITIALIZER(struct cmd_set_verbose_result, verbose, "verbose");
static cmdline_parse_token_num_t cmd_set_verbose_level =
	TOKEN_NUM_INITIALIZER(struct cmd_set_verbose_result, level, RTE_UINT8);

cmdline_parse_inst_t cmd_set_verbose = {
	.f = cmd_set_verbose_parsed,
	.data = NULL,
	.help_str = "set verbose 0|1|2: print nothing, every connection state "
		    "change, or also every TCP segment (tcpdump style), "
		    "one line each",
	.tokens = {
		(void *)&cmd_set_verbose_set,
		(void *)&cmd_set_verbose_verbose,
		(void *)&cmd_set_verbose_level,
		NULL,
	},
};

/* *** clear tcp stats *** */
struct cmd_clear_tcp_stats_result {
	cmdline_fixed_string_t clear;
	cmdline_fixed_string_t tcp;
	cmdline_fixed_string_t stats;
};

static void
cmd_clear_tcp_stats_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	unsigned int lc;

	RTE_SET_USED(parsed_result);
	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	/* copy, never write, each lcore's counters */
	RTE_LCORE_FOREACH(lc) {
		const struct app_lcore *l = &cli.app->lcores[lc];

		if (l->active)
			mib_base[lc] = *app_lcore_mib(l);
	}
	printf("tcp stats cleared\n");
}

static cmdline_parse_token_string_t cmd_clear_tcp_stats_clear =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_tcp_stats_result, clear, "clear");
static cmdline_parse_token_string_t cmd_clear_tcp_stats_tcp =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_tcp_stats_result, tcp, "tcp");
static cmdline_parse_token_string_t cmd_clear_tcp_stats_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_tcp_stats_result, stats, "stats");

cmdline_parse_inst_t cmd_clear_tcp_stats = {
	.f = cmd_clear_tcp_stats_parsed,
	.data = NULL,
	.help_str = "clear tcp stats: start `show tcp stats` from zero again",
	.tokens = {
		(void *)&cmd_clear_tcp_stats_clear,
		(void *)&cmd_clear_tcp_stats_tcp,
		(void *)&cmd_clear_tcp_stats_stats,
		NULL,
	},
};

/* *** clear port stats all *** */
struct cmd_clear_port_stats_result {
	cmdline_fixed_string_t clear;
	cmdline_fixed_string_t port;
	cmdline_fixed_string_t stats;
	cmdline_fixed_string_t all;
	uint16_t port_id;
};

static void
cmd_clear_port_stats_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	struct cmd_clear_port_stats_result *res = parsed_result;
	struct app_lcore_cmd c = { .op = LCORE_OP_STATS_RESET,
				   .arg = UINT32_MAX };
	struct app *app = cli.app;
	const struct app_port *p = NULL;

	RTE_SET_USED(cl);
	if (data != NULL) {
		p = port_lookup("clear port stats", res->port_id);
		if (p == NULL)
			return;
		c.arg = p->port_id;
	}
	/* a used port is reset by the lcore that polls it (a PMD writes
	 * its counters without atomics: a reset from elsewhere is lost) */
	for (unsigned int i = 0; i < app->n_ports; i++) {
		const struct app_port *q = &app->ports[i];
		int ret;

		if (q->used || (p != NULL && p != q))
			continue;
		ret = rte_eth_stats_reset(q->port_id);
		if (ret != 0)
			printf("error: clear port stats: port %u: %s\n",
			       q->port_id, strerror(-ret));
	}
	if (p == NULL || p->used) {
		if (p == NULL) {
			lcores_run(&c, "clear port stats", NULL, NULL);
		} else {
			struct app_lcore *l = &app->lcores[p->lcore[0]];

			if (!lcore_call(l, &c, "clear port stats"))
				;   /* said */
			else if (l->cmd.ret != 0)
				printf("error: clear port stats: port %u: %s\n",
				       p->port_id, strerror(-l->cmd.ret));
		}
	}
	printf("port stats cleared\n");
}

static cmdline_parse_token_string_t cmd_clear_port_stats_clear =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_port_stats_result, clear, "clear");
static cmdline_parse_token_string_t cmd_clear_port_stats_port =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_port_stats_result, port, "port");
static cmdline_parse_token_string_t cmd_clear_port_stats_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_port_stats_result, stats, "stats");
static cmdline_parse_token_string_t cmd_clear_port_stats_all =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_port_stats_result, all, "all");

cmdline_parse_inst_t cmd_clear_port_stats = {
	.f = cmd_clear_port_stats_parsed,
	.data = NULL,
	.help_str = "clear port stats all: reset every port's ethdev counters",
	.tokens = {
		(void *)&cmd_clear_port_stats_clear,
		(void *)&cmd_clear_port_stats_port,
		(void *)&cmd_clear_port_stats_stats,
		(void *)&cmd_clear_port_stats_all,
		NULL,
	},
};

static cmdline_parse_token_num_t cmd_clear_port_stats_id =
	TOKEN_NUM_INITIALIZER(struct cmd_clear_port_stats_result, port_id,
			      RTE_UINT16);

cmdline_parse_inst_t cmd_clear_port_stats_one = {
	.f = cmd_clear_port_stats_parsed,
	.data = (void *)1,
	.help_str = "clear port stats <port>: reset one port's ethdev counters",
	.tokens = {
		(void *)&cmd_clear_port_stats_clear,
		(void *)&cmd_clear_port_stats_port,
		(void *)&cmd_clear_port_stats_stats,
		(void *)&cmd_clear_port_stats_id,
		NULL,
	},
};
