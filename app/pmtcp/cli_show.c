/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CLI's `show` commands: port, tcp stats, tcp knobs, stats, config,
 * conn summary and conn (ss -tan style).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include <cmdline_parse.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>

#include "cli.h"

/* *** show port stats|info all *** */
struct cmd_show_port_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t port;
	cmdline_fixed_string_t what;
	cmdline_fixed_string_t all;
	uint16_t port_id;
};

static void
show_port_stats(const struct app_port *only)
{
	for (unsigned int i = 0; i < cli.app->n_ports; i++) {
		uint16_t pid = cli.app->ports[i].port_id;
		struct rte_eth_stats s;
		int ret;

		if (only != NULL && only != &cli.app->ports[i])
			continue;
		ret = rte_eth_stats_get(pid, &s);

		if (ret != 0) {
			printf("port %u: cannot read stats: %s\n", pid,
			       strerror(-ret));
			continue;
		}
		printf("port %u: ipackets %" PRIu64 " opackets %" PRIu64
		       " imissed %" PRIu64 " oerrors %" PRIu64 "\n", pid,
		       s.ipackets, s.opackets, s.imissed, s.oerrors);
	}
}

static void
show_port_info(const struct app_port *only)
{
	for (unsigned int i = 0; i < cli.app->n_ports; i++) {
		const struct app_port *p = &cli.app->ports[i];
		char mac[RTE_ETHER_ADDR_FMT_SIZE], a[16], lcs[256];

		if (only != NULL && only != p)
			continue;
		rte_ether_format_addr(mac, sizeof(mac), &p->mac);
		ip_str(p->addr, a, sizeof(a));
		printf("port %u: driver %s profile %s address %s/%u mac %s mtu %u",
		       p->port_id, p->driver, p->profile.name, a, p->prefix_len,
		       mac, p->mtu);
		if (p->used)
			printf(" %s\n", app_port_lcores_str(p, lcs, sizeof(lcs)));
		else
			printf(" (unused: no --ip)\n");
	}
}

static void
cmd_show_port_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	struct cmd_show_port_result *res = parsed_result;
	const struct app_port *p = NULL;

	RTE_SET_USED(cl);
	if (data != NULL) {
		p = port_lookup("show port", res->port_id);
		if (p == NULL)
			return;
	}
	if (strcmp(res->what, "stats") == 0)
		show_port_stats(p);
	else
		show_port_info(p);
}

static cmdline_parse_token_string_t cmd_show_port_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_port_result, show, "show");
static cmdline_parse_token_string_t cmd_show_port_port =
	TOKEN_STRING_INITIALIZER(struct cmd_show_port_result, port, "port");
static cmdline_parse_token_string_t cmd_show_port_what =
	TOKEN_STRING_INITIALIZER(struct cmd_show_port_result, what, "stats#info");
static cmdline_parse_token_string_t cmd_show_port_all =
	TOKEN_STRING_INITIALIZER(struct cmd_show_port_result, all, "all");
static cmdline_parse_token_num_t cmd_show_port_id =
	TOKEN_NUM_INITIALIZER(struct cmd_show_port_result, port_id, RTE_UINT16);

cmdline_parse_inst_t cmd_show_port = {
	.f = cmd_show_port_parsed,
	.data = NULL,
	.help_str = "show port stats|info all: ethdev counters, or each port's "
		    "driver, profile, address, MAC, MTU and lcore",
	.tokens = {
		(void *)&cmd_show_port_show,
		(void *)&cmd_show_port_port,
		(void *)&cmd_show_port_what,
		(void *)&cmd_show_port_all,
		NULL,
	},
};

cmdline_parse_inst_t cmd_show_port_one = {
	.f = cmd_show_port_parsed,
	.data = (void *)1,
	.help_str = "show port stats|info <port>: the same for one port",
	.tokens = {
		(void *)&cmd_show_port_show,
		(void *)&cmd_show_port_port,
		(void *)&cmd_show_port_what,
		(void *)&cmd_show_port_id,
		NULL,
	},
};

/* *** show tcp stats [nonzero] *** */
struct cmd_show_tcp_stats_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t tcp;
	cmdline_fixed_string_t stats;
	cmdline_fixed_string_t nonzero;
};

static void
tcp_stats_print(bool nonzero)
{
	static struct pmtcp_mib cur, base;
	const struct pmtcp_mib *in[RTE_MAX_LCORE], *in0[RTE_MAX_LCORE];
	unsigned int n = 0, lc;

	RTE_LCORE_FOREACH(lc) {
		const struct app_lcore *l = &cli.app->lcores[lc];

		if (!l->active)
			continue;
		in[n] = app_lcore_mib(l);
		in0[n] = &mib_base[lc];
		n++;
	}
	pmtcp_mib_sum(&cur, in, n);
	pmtcp_mib_sum(&base, in0, n);
	for (unsigned int i = 0; i < PMTCP_MIB_MAX; i++)
		if (i != PMTCP_MIB_Tcp_CurrEstab)   /* a gauge */
			cur.mib[i] -= base.mib[i];
	for (unsigned int i = 0; i < PMTCP_DROP_MAX; i++)
		cur.drop[i] -= base.drop[i];
	pmtcp_mib_print(stdout, &cur, nonzero);
}

static void
cmd_show_tcp_stats_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	RTE_SET_USED(parsed_result);
	RTE_SET_USED(cl);
	tcp_stats_print(data != NULL);
}

static cmdline_parse_token_string_t cmd_show_tcp_stats_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_tcp_stats_result, show, "show");
static cmdline_parse_token_string_t cmd_show_tcp_stats_tcp =
	TOKEN_STRING_INITIALIZER(struct cmd_show_tcp_stats_result, tcp, "tcp");
static cmdline_parse_token_string_t cmd_show_tcp_stats_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_show_tcp_stats_result, stats, "stats");
static cmdline_parse_token_string_t cmd_show_tcp_stats_nonzero =
	TOKEN_STRING_INITIALIZER(struct cmd_show_tcp_stats_result, nonzero,
				 "nonzero");

cmdline_parse_inst_t cmd_show_tcp_stats = {
	.f = cmd_show_tcp_stats_parsed,
	.data = NULL,
	.help_str = "show tcp stats: TCP counters summed over lcores, nstat "
		    "style, since the last `clear tcp stats`",
	.tokens = {
		(void *)&cmd_show_tcp_stats_show,
		(void *)&cmd_show_tcp_stats_tcp,
		(void *)&cmd_show_tcp_stats_stats,
		NULL,
	},
};

cmdline_parse_inst_t cmd_show_tcp_stats_nz = {
	.f = cmd_show_tcp_stats_parsed,
	.data = (void *)1,
	.help_str = "show tcp stats nonzero: the same, without the zeros",
	.tokens = {
		(void *)&cmd_show_tcp_stats_show,
		(void *)&cmd_show_tcp_stats_tcp,
		(void *)&cmd_show_tcp_stats_stats,
		(void *)&cmd_show_tcp_stats_nonzero,
		NULL,
	},
};

/* *** show tcp knobs *** */
struct cmd_show_tcp_knobs_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t tcp;
	cmdline_fixed_string_t knobs;
};

static void
cmd_show_tcp_knobs_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	struct app_lcore *l = main_lcore();

	RTE_SET_USED(parsed_result);
	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	printf("tcp knobs of lcore %u:\n", rte_get_main_lcore());
	pmtcp_sysctl_print(stdout, pmtcp_stack_sysctl(l->st));
}

static cmdline_parse_token_string_t cmd_show_tcp_knobs_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_tcp_knobs_result, show, "show");
static cmdline_parse_token_string_t cmd_show_tcp_knobs_tcp =
	TOKEN_STRING_INITIALIZER(struct cmd_show_tcp_knobs_result, tcp, "tcp");
static cmdline_parse_token_string_t cmd_show_tcp_knobs_knobs =
	TOKEN_STRING_INITIALIZER(struct cmd_show_tcp_knobs_result, knobs, "knobs");

cmdline_parse_inst_t cmd_show_tcp_knobs = {
	.f = cmd_show_tcp_knobs_parsed,
	.data = NULL,
	.help_str = "show tcp knobs: the TCP knobs of the main lcore's stack",
	.tokens = {
		(void *)&cmd_show_tcp_knobs_show,
		(void *)&cmd_show_tcp_knobs_tcp,
		(void *)&cmd_show_tcp_knobs_knobs,
		NULL,
	},
};

/* *** show stats *** */
struct cmd_show_stats_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t stats;
};

static void
cmd_show_stats_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	struct app *app = cli.app;

	RTE_SET_USED(parsed_result);
	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	app_report_line(app, (double)(rte_rdtsc() - app->start_tsc) /
			(double)app->tsc_hz, stdout);
}

static cmdline_parse_token_string_t cmd_show_stats_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_stats_result, show, "show");
static cmdline_parse_token_string_t cmd_show_stats_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_show_stats_result, stats, "stats");

cmdline_parse_inst_t cmd_show_stats = {
	.f = cmd_show_stats_parsed,
	.data = NULL,
	.help_str = "show stats: the per-period line now (cps since the last one)",
	.tokens = { (void *)&cmd_show_stats_show, (void *)&cmd_show_stats_stats,
		    NULL },
};

/* *** show lcores *** */
struct cmd_show_lcores_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t lcores;
};

/* One line per lcore with a stack: its roles and queues, what it has
 * done, what it holds, what steering moved, and its share of the run's
 * time spent working. Each value is read as it stands (aligned loads,
 * no locks), as the per-period line does. */
static void
cmd_show_lcores_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	struct app *app = cli.app;
	uint64_t elapsed = rte_rdtsc() - app->start_tsc;
	unsigned int lc;

	RTE_SET_USED(parsed_result);
	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	RTE_LCORE_FOREACH(lc) {
		const struct app_lcore *l = &app->lcores[lc];
		const struct pmtcp_mib *m;
		uint32_t conns = 0, tw = 0;

		if (!l->active)
			continue;
		m = app_lcore_mib(l);
		if (l->st != NULL) {
			conns = pmtcp_stack_conn_count(l->st);
			tw = pmtcp_stack_tw_count(l->st);
		}
		printf("lcore %u:%s%s", lc, l->client ? " client" : "",
		       l->server ? " server" : "");
		for (uint16_t i = 0; i < l->n_ports; i++)
			printf("%s port %u queue %u", i == 0 ? "" : ",",
			       l->ports[i], l->queues[i]);
		printf(" | established %" PRIu64 " accepted %" PRIu64
		       " | open %u tw %u | steered in %" PRIu64 " out %" PRIu64
		       " | busy %.1f%%\n", l->established, l->accepted,
		       conns - tw, tw, m->mib[PMTCP_MIB_Pmtcp_SteeredIn],
		       m->mib[PMTCP_MIB_Pmtcp_SteeredOut],
		       elapsed != 0 ? 100.0 * (double)l->busy_cycles /
				      (double)elapsed : 0.0);
	}
}

static cmdline_parse_token_string_t cmd_show_lcores_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_lcores_result, show, "show");
static cmdline_parse_token_string_t cmd_show_lcores_lcores =
	TOKEN_STRING_INITIALIZER(struct cmd_show_lcores_result, lcores, "lcores");

cmdline_parse_inst_t cmd_show_lcores = {
	.f = cmd_show_lcores_parsed,
	.data = NULL,
	.help_str = "show lcores: per lcore: roles, port queues, established, accepted, open, steered, busy share",
	.tokens = { (void *)&cmd_show_lcores_show, (void *)&cmd_show_lcores_lcores,
		    NULL },
};

static uint64_t
cur_rate(void)
{
	uint64_t t = cli.app->tsc_per_conn;

	/* each client lcore's pacing: the rate is n of them */
	return t == 0 ? 0 : (cli.app->tsc_hz * RTE_MAX(cli.app->n_clients, 1u) +
			     t / 2) / t;
}

/* *** show config *** */
struct cmd_show_config_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t config;
};

static void
cmd_show_config_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	struct app *app = cli.app;
	const struct app_conf *c = &app->conf;
	unsigned int lc;
	char a[16], g[16], lcs[256];

	RTE_SET_USED(parsed_result);
	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	printf("ports:\n");
	for (unsigned int i = 0; i < app->n_ports; i++) {
		const struct app_port *p = &app->ports[i];

		ip_str(p->addr, a, sizeof(a));
		if (p->gateway != 0)
			ip_str(p->gateway, g, sizeof(g));
		else
			snprintf(g, sizeof(g), "none");
		printf("  port %u: driver %s profile %s address %s/%u gateway %s mtu %u",
		       p->port_id, p->driver, p->profile.name, a, p->prefix_len,
		       g, p->mtu);
		if (p->used)
			printf(" %s", app_port_lcores_str(p, lcs, sizeof(lcs)));
		else
			printf(" (unused: no --ip)");
		printf(" offloads%s%s%s%s%s\n", p->tx_ip_cksum ? " tx-ip-cksum" : "",
		       p->tx_tcp_cksum ? " tx-tcp-cksum" : "",
		       p->rx_cksum ? " rx-cksum" : "",
		       p->rx_csum_partial ? " rx-csum-partial" : "",
		       !p->tx_ip_cksum && !p->tx_tcp_cksum && !p->rx_cksum &&
		       !p->rx_csum_partial ? " none" : "");
	}
	printf("lcores:\n");
	RTE_LCORE_FOREACH(lc) {
		const struct app_lcore *l = &app->lcores[lc];

		if (!l->active)
			continue;
		printf("  lcore %u:%s%s%s", lc,
		       lc == rte_get_main_lcore() ? " main" : "",
		       l->client ? " client" : "", l->server ? " server" : "");
		for (uint16_t i = 0; i < l->n_ports; i++)
			printf("%s port %u queue %u", i == 0 ? "" : ",",
			       l->ports[i], l->queues[i]);
		printf("\n");
	}
	if (c->client) {
		ip_str(c->client_addr, a, sizeof(a));
		printf("client: %s:%u", a, c->client_port);
		if (c->client_addrs > 1 || c->client_ports > 1)
			printf(" and on: %u target%s x %u port%s", c->client_addrs,
			       c->client_addrs > 1 ? "s" : "", c->client_ports,
			       c->client_ports > 1 ? "s" : "");
		printf(" (%s)\n", app->client_run ? "started" : "stopped");
	} else {
		printf("client: off\n");
	}
	if (app->n_listen > 0) {
		printf("server: listening on");
		for (unsigned int i = 0; i < app->n_listen; i++)
			printf(" %u", app->listen_ports[i]);
		printf("\n");
	} else {
		printf("server: off\n");
	}
	printf("workload: %s\n", workload_name(c->workload));
	printf("close: %s\n", close_name(c->close_mode));
	printf("rate: %" PRIu64 "%s\n", cur_rate(),
	       cur_rate() == 0 ? " (unlimited)" : " conn/s (all client lcores)");
	printf("concurrency: %u (max %u)\n", c->concurrency, app->conn_pool_size);
	printf("stats-period: %.0f s%s\n",
	       (double)app->cli_period_tsc / (double)app->tsc_hz,
	       app->cli_period_tsc == 0 ? " (off)" : "");
	printf("verbose: %u\n", app->verbose);
	printf("tcp knobs of lcore %u:\n", rte_get_main_lcore());
	pmtcp_sysctl_print(stdout, pmtcp_stack_sysctl(main_lcore()->st));
}

static cmdline_parse_token_string_t cmd_show_config_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_config_result, show, "show");
static cmdline_parse_token_string_t cmd_show_config_config =
	TOKEN_STRING_INITIALIZER(struct cmd_show_config_result, config, "config");

cmdline_parse_inst_t cmd_show_config = {
	.f = cmd_show_config_parsed,
	.data = NULL,
	.help_str = "show config: ports, lcores, client target, workload, close, "
		    "rate, concurrency and the TCP knobs",
	.tokens = { (void *)&cmd_show_config_show,
		    (void *)&cmd_show_config_config, NULL },
};

/* *** show conn summary *** */
struct cmd_show_conn_summary_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t conn;
	cmdline_fixed_string_t summary;
};

static void
print_states(const struct app_lcore *l, void *arg)
{
	unsigned int n = 0;

	RTE_SET_USED(arg);
	printf("lcore %u:", l->lcore_id);
	for (int s = 1; s < PMTCP_TCP_MAX_STATES; s++) {
		if (l->cmd.states[s] == 0)
			continue;
		printf(" %s %u", pmtcp_tcp_state_name(s), l->cmd.states[s]);
		n++;
	}
	printf("%s\n", n == 0 ? " none" : "");
}

static void
cmd_show_conn_summary_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	struct app_lcore_cmd c = { .op = LCORE_OP_CONN_STATES };

	RTE_SET_USED(parsed_result);
	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	lcores_run(&c, "show conn summary", print_states, NULL);
}

static cmdline_parse_token_string_t cmd_show_conn_summary_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_conn_summary_result, show, "show");
static cmdline_parse_token_string_t cmd_show_conn_summary_conn =
	TOKEN_STRING_INITIALIZER(struct cmd_show_conn_summary_result, conn, "conn");
static cmdline_parse_token_string_t cmd_show_conn_summary_summary =
	TOKEN_STRING_INITIALIZER(struct cmd_show_conn_summary_result, summary,
				 "summary");

cmdline_parse_inst_t cmd_show_conn_summary = {
	.f = cmd_show_conn_summary_parsed,
	.data = NULL,
	.help_str = "show conn summary: connections per TCP state, per lcore",
	.tokens = {
		(void *)&cmd_show_conn_summary_show,
		(void *)&cmd_show_conn_summary_conn,
		(void *)&cmd_show_conn_summary_summary,
		NULL,
	},
};

/* *** show conn [state <STATE>] [limit <N>] *** */
#define SHOW_CONN_DEFAULT_LIMIT 20
#define SHOW_CONN_STATE 1   /* data bits: which optional parts were given */
#define SHOW_CONN_LIMIT 2

struct cmd_show_conn_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t conn;
	cmdline_fixed_string_t state_kw;
	cmdline_fixed_string_t state;
	cmdline_fixed_string_t limit_kw;
	uint32_t n;
};

static void
print_conn(unsigned int lc, const struct pmtcp_sock_info *si)
{
	char la[24], pa[24], a[16];

	ip_str(si->saddr, a, sizeof(a));
	snprintf(la, sizeof(la), "%s:%u", a, si->sport);
	ip_str(si->daddr, a, sizeof(a));
	snprintf(pa, sizeof(pa), "%s:%u", a, si->dport);
	printf("%-5u %-12s %-21s %-21s %7u %7u\n", lc,
	       pmtcp_tcp_state_name(si->state), la, pa, si->rto_ms,
	       si->retransmits);
}

/* Room for @n connections in @l's list; only while no request of @l is
 * in flight. @return false (after an error line) when there is none. */
static bool
conn_list_reserve(struct app_lcore *l, uint32_t n)
{
	struct pmtcp_sock_info *p;

	if (l->cmd_req != l->cmd_resp) {
		printf("error: show conn: lcore %u has not answered an earlier request; skipped\n",
		       l->lcore_id);
		return false;
	}
	if (n <= l->conn_list_cap)
		return true;
	p = realloc(l->conn_list, (size_t)n * sizeof(*p));
	if (p == NULL) {
		printf("error: show conn: out of memory for %u entries\n", n);
		return false;
	}
	l->conn_list = p;
	l->conn_list_cap = n;
	return true;
}

/* Ask the lcores one after the other for what is left of @limit. */
static void
show_conn(int state, uint32_t limit)
{
	struct app *app = cli.app;
	uint32_t shown = 0, total = 0;
	unsigned int lc;

	printf("%-5s %-12s %-21s %-21s %7s %7s\n", "Lcore", "State", "Local",
	       "Peer", "RTO-ms", "Retrans");
	if (state <= 0 || state == PMTCP_TCP_LISTEN) {
		for (unsigned int i = 0; i < app->n_listen; i++) {
			char la[24];

			snprintf(la, sizeof(la), "*:%u", app->listen_ports[i]);
			printf("%-5s %-12s %-21s %-21s %7s %7s\n", "all",
			       "LISTEN", la, "*:*", "-", "-");
		}
	}
	RTE_LCORE_FOREACH(lc) {
		struct app_lcore *l = &app->lcores[lc];
		uint32_t want = RTE_MIN(limit - shown, app->conf.table_size);
		struct app_lcore_cmd c = {
			.op = LCORE_OP_CONN_LIST,
			.arg = state > 0 ? (uint32_t)state : 0,
			.limit = want,
		};

		if (!l->active || l->st == NULL)
			continue;
		if (!conn_list_reserve(l, RTE_MAX(want, 1u)))
			continue;
		c.list = l->conn_list;
		if (!lcore_call(l, &c, "show conn"))
			continue;
		for (uint32_t i = 0; i < l->cmd.n; i++)
			print_conn(lc, &l->conn_list[i]);
		shown += l->cmd.n;
		total += l->cmd.total;
	}
	if (total > shown)
		printf("(%u more not shown: show conn ... limit <N>)\n",
		       total - shown);
	printf("%u connection(s)%s%s\n", total, state > 0 ? " in " : "",
	       state > 0 ? pmtcp_tcp_state_name(state) : "");
}

static void
cmd_show_conn_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	struct cmd_show_conn_result *res = parsed_result;
	uintptr_t parts = (uintptr_t)data;
	uint32_t limit = SHOW_CONN_DEFAULT_LIMIT;
	int state = 0;

	RTE_SET_USED(cl);
	if (parts & SHOW_CONN_STATE) {
		state = pmtcp_tcp_state_parse(res->state);
		if (state < 0 || state == PMTCP_TCP_CLOSE) {
			printf("error: show conn: unknown state '%s': want one of ESTAB SYN-SENT SYN-RECV FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSE-WAIT LAST-ACK CLOSING LISTEN (or ss's names: established, syn-sent...)\n",
			       res->state);
			return;
		}
	}
	if (parts & SHOW_CONN_LIMIT) {
		if (res->n == 0) {
			printf("error: show conn: limit must be at least 1\n");
			return;
		}
		limit = res->n;
	}
	show_conn(state, limit);
}

static cmdline_parse_token_string_t cmd_show_conn_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_conn_result, show, "show");
static cmdline_parse_token_string_t cmd_show_conn_conn =
	TOKEN_STRING_INITIALIZER(struct cmd_show_conn_result, conn, "conn");
static cmdline_parse_token_string_t cmd_show_conn_state_kw =
	TOKEN_STRING_INITIALIZER(struct cmd_show_conn_result, state_kw, "state");
static cmdline_parse_token_string_t cmd_show_conn_state =
	TOKEN_STRING_INITIALIZER(struct cmd_show_conn_result, state, NULL);
static cmdline_parse_token_string_t cmd_show_conn_limit_kw =
	TOKEN_STRING_INITIALIZER(struct cmd_show_conn_result, limit_kw, "limit");
static cmdline_parse_token_num_t cmd_show_conn_n =
	TOKEN_NUM_INITIALIZER(struct cmd_show_conn_result, n, RTE_UINT32);

cmdline_parse_inst_t cmd_show_conn = {
	.f = cmd_show_conn_parsed,
	.data = NULL,
	.help_str = "show conn: listening ports and every lcore's connections, "
		    "ss -tan style (first 20)",
	.tokens = { (void *)&cmd_show_conn_show, (void *)&cmd_show_conn_conn,
		    NULL },
};

cmdline_parse_inst_t cmd_show_conn_lim = {
	.f = cmd_show_conn_parsed,
	.data = (void *)SHOW_CONN_LIMIT,
	.help_str = "show conn limit <N>: the first N connections",
	.tokens = {
		(void *)&cmd_show_conn_show,
		(void *)&cmd_show_conn_conn,
		(void *)&cmd_show_conn_limit_kw,
		(void *)&cmd_show_conn_n,
		NULL,
	},
};

cmdline_parse_inst_t cmd_show_conn_st = {
	.f = cmd_show_conn_parsed,
	.data = (void *)SHOW_CONN_STATE,
	.help_str = "show conn state <STATE>: the connections in one state "
		    "(ESTAB, SYN-SENT, TIME-WAIT..., first 20)",
	.tokens = {
		(void *)&cmd_show_conn_show,
		(void *)&cmd_show_conn_conn,
		(void *)&cmd_show_conn_state_kw,
		(void *)&cmd_show_conn_state,
		NULL,
	},
};

cmdline_parse_inst_t cmd_show_conn_st_lim = {
	.f = cmd_show_conn_parsed,
	.data = (void *)(SHOW_CONN_STATE | SHOW_CONN_LIMIT),
	.help_str = "show conn state <STATE> limit <N>: the first N in one state",
	.tokens = {
		(void *)&cmd_show_conn_show,
		(void *)&cmd_show_conn_conn,
		(void *)&cmd_show_conn_state_kw,
		(void *)&cmd_show_conn_state,
		(void *)&cmd_show_conn_limit_kw,
		(void *)&cmd_show_conn_n,
		NULL,
	},
};
