/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The interactive prompt (testpmd's cmdline.c): `pmtcp -i` and
 * --cmdline-file. Each command is a result struct, its tokens and a
 * cmdline_parse_inst_t with a help string.
 *
 * The prompt lives on the main lcore and is polled from its loop without
 * blocking, so the data path keeps running on every lcore. Input bytes are
 * read here (poll() with a zero timeout, then read()) and handed to
 * cmdline_in(): in DPDK 22.11 cmdline_poll() does not report EOF on a pipe
 * or a file, and reading ourselves lets a command (`connect`) hold further
 * input until it has finished.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <rte_atomic.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_ipaddr.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>
#include <cmdline_rdline.h>
#include <cmdline_socket.h>

#include "app.h"

#define CLI_PROMPT "pmtcp> "
/* bytes of input taken per main-loop turn, and how often stdin is checked */
#define CLI_BYTES_PER_POLL 256
#define CLI_POLL_US 1000
#define CONNECT_BURST 32

static struct {
	struct app *app;
	struct cmdline *cl;
	int fd;
	bool tty;            /* cl made by cmdline_stdin_new() (raw mode) */
	bool from_file;      /* reading --cmdline-file */
	bool quit;
	uint64_t next_poll_tsc;
	/* `connect` in progress on the main lcore */
	struct {
		bool active;
		bool resolved;
		uint32_t daddr;
		uint16_t dport;
		uint64_t n, opened;
		uint64_t start_tsc;
		uint64_t ended0, established0, refused0, timeout0, reset0;
		uint64_t unreachable0, local0;
	} conn;
} cli;

/* `clear tcp stats`: per-lcore copies the main lcore takes; `show tcp
 * stats` prints the live counters minus these */
static struct pmtcp_mib mib_base[RTE_MAX_LCORE];
static struct app_hist conn_hist0;

static struct app_lcore *
main_lcore(void)
{
	return &cli.app->lcores[rte_get_main_lcore()];
}

static void
ip_str(uint32_t a, char *buf, size_t len)
{
	const uint8_t *b = (const uint8_t *)&a;

	snprintf(buf, len, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

/* Worker side of `set tcp`: called from app_lcore_iterate() on the lcore
 * that owns l->st when the main lcore has published a new generation. */
void
app_lcore_apply_sysctl(struct app_lcore *l)
{
	uint32_t gen = l->sysctl_gen;

	rte_smp_rmb();
	if (l->st != NULL)
		pmtcp_stack_set_sysctl(l->st, &l->sysctl_new);
	l->sysctl_seen = gen;
}

/* *** help *** */
struct cmd_help_result {
	cmdline_fixed_string_t help;
};

extern cmdline_parse_ctx_t main_ctx[];

static void
cmd_help_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	RTE_SET_USED(parsed_result);
	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	printf("commands:\n");
	for (unsigned int i = 0; main_ctx[i] != NULL; i++)
		printf("  %s\n", main_ctx[i]->help_str);
}

static cmdline_parse_token_string_t cmd_help_help =
	TOKEN_STRING_INITIALIZER(struct cmd_help_result, help, "help");

static cmdline_parse_inst_t cmd_help = {
	.f = cmd_help_parsed,
	.data = NULL,
	.help_str = "help: list the commands",
	.tokens = { (void *)&cmd_help_help, NULL },
};

/* *** quit *** */
struct cmd_quit_result {
	cmdline_fixed_string_t quit;
};

static void
cmd_quit_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	RTE_SET_USED(parsed_result);
	RTE_SET_USED(data);
	cli.quit = true;
	cmdline_quit(cl);
}

static cmdline_parse_token_string_t cmd_quit_quit =
	TOKEN_STRING_INITIALIZER(struct cmd_quit_result, quit, "quit");

static cmdline_parse_inst_t cmd_quit = {
	.f = cmd_quit_parsed,
	.data = NULL,
	.help_str = "quit: stop every lcore, print the summary and exit",
	.tokens = { (void *)&cmd_quit_quit, NULL },
};

/* *** show port stats|info all *** */
struct cmd_show_port_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t port;
	cmdline_fixed_string_t what;
	cmdline_fixed_string_t all;
};

static void
show_port_stats(void)
{
	for (unsigned int i = 0; i < cli.app->n_ports; i++) {
		uint16_t pid = cli.app->ports[i].port_id;
		struct rte_eth_stats s;
		int ret = rte_eth_stats_get(pid, &s);

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
show_port_info(void)
{
	for (unsigned int i = 0; i < cli.app->n_ports; i++) {
		const struct app_port *p = &cli.app->ports[i];
		char mac[RTE_ETHER_ADDR_FMT_SIZE], a[16];

		rte_ether_format_addr(mac, sizeof(mac), &p->mac);
		ip_str(p->addr, a, sizeof(a));
		printf("port %u: driver %s profile %s address %s/%u mac %s mtu %u",
		       p->port_id, p->driver, p->profile.name, a, p->prefix_len,
		       mac, p->mtu);
		if (p->used)
			printf(" lcore %u\n", p->lcore);
		else
			printf(" (unused: no --ip)\n");
	}
}

static void
cmd_show_port_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	struct cmd_show_port_result *res = parsed_result;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (strcmp(res->what, "stats") == 0)
		show_port_stats();
	else
		show_port_info();
}

static cmdline_parse_token_string_t cmd_show_port_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_port_result, show, "show");
static cmdline_parse_token_string_t cmd_show_port_port =
	TOKEN_STRING_INITIALIZER(struct cmd_show_port_result, port, "port");
static cmdline_parse_token_string_t cmd_show_port_what =
	TOKEN_STRING_INITIALIZER(struct cmd_show_port_result, what, "stats#info");
static cmdline_parse_token_string_t cmd_show_port_all =
	TOKEN_STRING_INITIALIZER(struct cmd_show_port_result, all, "all");

static cmdline_parse_inst_t cmd_show_port = {
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

static cmdline_parse_inst_t cmd_show_tcp_stats = {
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

static cmdline_parse_inst_t cmd_show_tcp_stats_nz = {
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

static cmdline_parse_inst_t cmd_clear_tcp_stats = {
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

static cmdline_parse_inst_t cmd_show_tcp_knobs = {
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

/* *** set tcp <knob> <value> *** */
struct cmd_set_tcp_result {
	cmdline_fixed_string_t set;
	cmdline_fixed_string_t tcp;
	cmdline_fixed_string_t knob;
	cmdline_fixed_string_t value;
};

/* Hand @s to a worker lcore: wait until it has taken the previous update,
 * write the struct, then publish the generation. */
static int
sysctl_publish(struct app_lcore *l, const struct pmtcp_sysctl *s)
{
	uint64_t until = rte_rdtsc() + rte_get_tsc_hz();

	while (l->sysctl_seen != l->sysctl_gen) {
		if (rte_rdtsc() > until)
			return -EBUSY;
		rte_pause();
	}
	l->sysctl_new = *s;
	rte_smp_wmb();
	l->sysctl_gen = l->sysctl_gen + 1;
	return 0;
}

static void
cmd_set_tcp_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	struct cmd_set_tcp_result *res = parsed_result;
	unsigned int main_id = rte_get_main_lcore(), lc;
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
	RTE_LCORE_FOREACH(lc) {
		struct app_lcore *l = &cli.app->lcores[lc];

		if (!l->active || l->st == NULL)
			continue;
		/* each lcore keeps its other knobs (profiles may differ);
		 * only the owner writes its stack's copy, and not while
		 * an update is pending, so reading it here is safe */
		s = *pmtcp_stack_sysctl(l->st);
		pmtcp_sysctl_set(&s, res->knob, res->value, NULL, 0);
		if (lc == main_id)
			pmtcp_stack_set_sysctl(l->st, &s);
		else if (sysctl_publish(l, &s) != 0)
			printf("error: set tcp: lcore %u did not take the previous update; not applied there\n",
			       lc);
	}
	pmtcp_sysctl_get(&s, res->knob, val, sizeof(val));
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

static cmdline_parse_inst_t cmd_set_tcp = {
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
	char a[16];

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	ip_str(res->ip.addr.ipv4.s_addr, a, sizeof(a));
	if (res->port == 0 || res->n == 0) {
		printf("error: connect: port and count must be at least 1\n");
		return;
	}
	if (l->conns == NULL) {
		printf("error: connect: the main lcore %u has no client role (start pmtcp with --client IP:PORT)\n",
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
	cli.conn.n = res->n;
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
static void
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

static cmdline_parse_inst_t cmd_connect = {
	.f = cmd_connect_parsed,
	.data = NULL,
	.help_str = "connect <ip> <port> count <N>: open N connections from the "
		    "main lcore, wait for all to end, print one summary line",
	.tokens = {
		(void *)&cmd_connect_connect,
		(void *)&cmd_connect_ip,
		(void *)&cmd_connect_port,
		(void *)&cmd_connect_count,
		(void *)&cmd_connect_n,
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

static cmdline_parse_inst_t cmd_start = {
	.f = cmd_start_stop_parsed,
	.data = (void *)1,
	.help_str = "start: start the configured client workload (--client)",
	.tokens = { (void *)&cmd_start_start, NULL },
};

static cmdline_parse_inst_t cmd_stop = {
	.f = cmd_start_stop_parsed,
	.data = NULL,
	.help_str = "stop: stop opening connections",
	.tokens = { (void *)&cmd_stop_stop, NULL },
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

static cmdline_parse_inst_t cmd_show_stats = {
	.f = cmd_show_stats_parsed,
	.data = NULL,
	.help_str = "show stats: the per-period line now (cps since the last one)",
	.tokens = { (void *)&cmd_show_stats_show, (void *)&cmd_show_stats_stats,
		    NULL },
};

/* Worker side of `show conn summary`: called from app_lcore_iterate() on
 * the lcore that owns l->st when the main lcore has asked. */
static void
count_state(const struct pmtcp_sock *sk, void *arg)
{
	uint32_t *states = arg;
	struct pmtcp_sock_info si;

	pmtcp_sock_info(sk, &si);
	if (si.state < PMTCP_TCP_MAX_STATES)
		states[si.state]++;
}

void
app_lcore_conn_states(struct app_lcore *l)
{
	uint32_t req = l->conn_req;

	rte_smp_rmb();
	memset(l->conn_states, 0, sizeof(l->conn_states));
	pmtcp_stack_conn_walk(l->st, count_state, l->conn_states);
	rte_smp_wmb();
	l->conn_resp = req;
}

/* Worker side of `clear port stats all`: reset this lcore's ports. */
void
app_lcore_stats_reset(struct app_lcore *l)
{
	uint32_t req = l->stats_reset_req;
	int ret = 0;

	rte_smp_rmb();
	for (uint16_t i = 0; i < l->n_ports; i++) {
		int r = rte_eth_stats_reset(l->ports[i]);

		if (r != 0 && ret == 0)
			ret = r;
	}
	l->stats_reset_ret = ret;
	rte_smp_wmb();
	l->stats_reset_resp = req;
}

/* Wait up to 1 s for a worker's answer, running the main lcore's own
 * data path meanwhile. @return true when *resp reached @want. */
static bool
wait_worker(volatile uint32_t *resp, uint32_t want)
{
	uint64_t until = rte_rdtsc() + cli.app->tsc_hz;

	while (*resp != want && rte_rdtsc() < until)
		app_lcore_iterate(cli.app, main_lcore());
	if (*resp != want)
		return false;
	rte_smp_rmb();
	return true;
}

static const char *
workload_name(enum app_workload w)
{
	return w == WORKLOAD_REQUEST ? "request" : "handshake";
}

static const char *
close_name(enum app_close c)
{
	return c == CLOSE_FIN ? "fin" : "rst";
}

static uint64_t
cur_rate(void)
{
	uint64_t t = cli.app->tsc_per_conn;

	return t == 0 ? 0 : (cli.app->tsc_hz + t / 2) / t;
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
	char a[16], g[16];

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
			printf(" lcore %u", p->lcore);
		else
			printf(" (unused: no --ip)");
		printf(" offloads%s%s%s%s\n", p->tx_ip_cksum ? " tx-ip-cksum" : "",
		       p->tx_tcp_cksum ? " tx-tcp-cksum" : "",
		       p->rx_cksum ? " rx-cksum" : "",
		       !p->tx_ip_cksum && !p->tx_tcp_cksum && !p->rx_cksum ?
		       " none" : "");
	}
	printf("lcores:\n");
	RTE_LCORE_FOREACH(lc) {
		const struct app_lcore *l = &app->lcores[lc];

		if (!l->active)
			continue;
		printf("  lcore %u:%s%s%s ports", lc,
		       lc == rte_get_main_lcore() ? " main" : "",
		       l->client ? " client" : "", l->server ? " server" : "");
		for (uint16_t i = 0; i < l->n_ports; i++)
			printf(" %u", l->ports[i]);
		printf("\n");
	}
	if (c->client) {
		ip_str(c->client_addr, a, sizeof(a));
		printf("client: %s:%u (%s)\n", a, c->client_port,
		       app->client_run ? "started" : "stopped");
	} else {
		printf("client: off\n");
	}
	if (c->server)
		printf("server: port %u\n", c->server_port);
	else
		printf("server: off\n");
	printf("workload: %s\n", workload_name(c->workload));
	printf("close: %s\n", close_name(c->close_mode));
	printf("rate: %" PRIu64 "%s\n", cur_rate(),
	       cur_rate() == 0 ? " (unlimited)" : " conn/s per client lcore");
	printf("concurrency: %u (max %u)\n", c->concurrency, app->conn_pool_size);
	printf("stats-period: %.0f s%s\n",
	       (double)app->cli_period_tsc / (double)app->tsc_hz,
	       app->cli_period_tsc == 0 ? " (off)" : "");
	printf("tcp knobs of lcore %u:\n", rte_get_main_lcore());
	pmtcp_sysctl_print(stdout, pmtcp_stack_sysctl(main_lcore()->st));
}

static cmdline_parse_token_string_t cmd_show_config_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_config_result, show, "show");
static cmdline_parse_token_string_t cmd_show_config_config =
	TOKEN_STRING_INITIALIZER(struct cmd_show_config_result, config, "config");

static cmdline_parse_inst_t cmd_show_config = {
	.f = cmd_show_config_parsed,
	.data = NULL,
	.help_str = "show config: ports, lcores, client target, workload, close, "
		    "rate, concurrency and the TCP knobs",
	.tokens = { (void *)&cmd_show_config_show,
		    (void *)&cmd_show_config_config, NULL },
};

/* *** clear port stats all *** */
struct cmd_clear_port_stats_result {
	cmdline_fixed_string_t clear;
	cmdline_fixed_string_t port;
	cmdline_fixed_string_t stats;
	cmdline_fixed_string_t all;
};

static void
cmd_clear_port_stats_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	struct app *app = cli.app;
	unsigned int main_id = rte_get_main_lcore(), lc;
	uint32_t req[RTE_MAX_LCORE];

	RTE_SET_USED(parsed_result);
	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	/* a used port is reset by the lcore that polls it */
	RTE_LCORE_FOREACH_WORKER(lc) {
		struct app_lcore *l = &app->lcores[lc];

		if (!l->active)
			continue;
		req[lc] = l->stats_reset_req + 1;
		l->stats_reset_req = req[lc];
	}
	for (unsigned int i = 0; i < app->n_ports; i++) {
		const struct app_port *p = &app->ports[i];
		int ret = 0;

		if (!p->used || p->lcore == main_id)
			ret = rte_eth_stats_reset(p->port_id);
		if (ret != 0)
			printf("error: clear port stats: port %u: %s\n",
			       p->port_id, strerror(-ret));
	}
	RTE_LCORE_FOREACH_WORKER(lc) {
		struct app_lcore *l = &app->lcores[lc];

		if (!l->active)
			continue;
		if (!wait_worker(&l->stats_reset_resp, req[lc]))
			printf("error: clear port stats: lcore %u did not answer within 1 s; its ports keep their counters\n",
			       lc);
		else if (l->stats_reset_ret != 0)
			printf("error: clear port stats: lcore %u: %s\n", lc,
			       strerror(-l->stats_reset_ret));
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

static cmdline_parse_inst_t cmd_clear_port_stats = {
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
		app->tsc_per_conn = res->n == 0 ? 0 : app->tsc_hz / res->n;
		app->conf.rate = res->n;
		if (res->n == 0)
			printf("rate: unlimited\n");
		else
			printf("rate: %u conn/s per client lcore\n", res->n);
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

static cmdline_parse_inst_t cmd_set_num = {
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

static cmdline_parse_inst_t cmd_set_workload = {
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

static cmdline_parse_inst_t cmd_set_close = {
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

			if (!p->used || p->lcore != lc)
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

static cmdline_parse_inst_t cmd_set_client = {
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

/* *** show conn summary *** */
struct cmd_show_conn_summary_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t conn;
	cmdline_fixed_string_t summary;
};

static void
print_states(unsigned int lc, const uint32_t *states)
{
	unsigned int n = 0;

	printf("lcore %u:", lc);
	for (int s = 1; s < PMTCP_TCP_MAX_STATES; s++) {
		if (states[s] == 0)
			continue;
		printf(" %s %u", pmtcp_tcp_state_name(s), states[s]);
		n++;
	}
	printf("%s\n", n == 0 ? " none" : "");
}

static void
cmd_show_conn_summary_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	struct app *app = cli.app;
	unsigned int main_id = rte_get_main_lcore(), lc;
	uint32_t req[RTE_MAX_LCORE];

	RTE_SET_USED(parsed_result);
	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	/* ask every worker at once, then count our own */
	RTE_LCORE_FOREACH_WORKER(lc) {
		struct app_lcore *l = &app->lcores[lc];

		if (!l->active || l->st == NULL)
			continue;
		req[lc] = l->conn_req + 1;
		l->conn_req = req[lc];
	}
	RTE_LCORE_FOREACH(lc) {
		struct app_lcore *l = &app->lcores[lc];

		if (!l->active || l->st == NULL)
			continue;
		if (lc == main_id) {
			uint32_t states[PMTCP_TCP_MAX_STATES] = { 0 };

			pmtcp_stack_conn_walk(l->st, count_state, states);
			print_states(lc, states);
			continue;
		}
		/* wait up to 1 s, keeping our own data path running */
		if (!wait_worker(&l->conn_resp, req[lc])) {
			printf("lcore %u: no answer within 1 s\n", lc);
			continue;
		}
		print_states(lc, l->conn_states);
	}
}

static cmdline_parse_token_string_t cmd_show_conn_summary_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_conn_summary_result, show, "show");
static cmdline_parse_token_string_t cmd_show_conn_summary_conn =
	TOKEN_STRING_INITIALIZER(struct cmd_show_conn_summary_result, conn, "conn");
static cmdline_parse_token_string_t cmd_show_conn_summary_summary =
	TOKEN_STRING_INITIALIZER(struct cmd_show_conn_summary_result, summary,
				 "summary");

static cmdline_parse_inst_t cmd_show_conn_summary = {
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

/* *** show conn [limit <N>] *** */
struct cmd_show_conn_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t conn;
	cmdline_fixed_string_t limit;
	uint32_t n;
};

struct conn_list {
	uint32_t limit, shown, total;
};

static void
list_conn(const struct pmtcp_sock *sk, void *arg)
{
	struct conn_list *cl = arg;
	struct pmtcp_sock_info si;
	char la[24], pa[24], a[16];

	cl->total++;
	if (cl->shown >= cl->limit)
		return;
	cl->shown++;
	pmtcp_sock_info(sk, &si);
	ip_str(si.saddr, a, sizeof(a));
	snprintf(la, sizeof(la), "%s:%u", a, si.sport);
	ip_str(si.daddr, a, sizeof(a));
	snprintf(pa, sizeof(pa), "%s:%u", a, si.dport);
	printf("%-12s %-21s %-21s %7u %7u\n", pmtcp_tcp_state_name(si.state),
	       la, pa, si.rto_ms, si.retransmits);
}

static void
show_conn(uint32_t limit)
{
	struct conn_list cl = { .limit = limit };

	printf("connections of the main lcore %u only (others: show conn summary):\n",
	       rte_get_main_lcore());
	printf("%-12s %-21s %-21s %7s %7s\n", "State", "Local", "Peer",
	       "RTO-ms", "Retrans");
	pmtcp_stack_conn_walk(main_lcore()->st, list_conn, &cl);
	if (cl.total > cl.shown)
		printf("(%u more not shown: show conn limit <N>)\n",
		       cl.total - cl.shown);
	printf("%u connection(s)\n", cl.total);
}

static void
cmd_show_conn_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	struct cmd_show_conn_result *res = parsed_result;

	RTE_SET_USED(cl);
	if (data == NULL) {
		show_conn(20);
		return;
	}
	if (res->n == 0) {
		printf("error: show conn: limit must be at least 1\n");
		return;
	}
	show_conn(res->n);
}

static cmdline_parse_token_string_t cmd_show_conn_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_conn_result, show, "show");
static cmdline_parse_token_string_t cmd_show_conn_conn =
	TOKEN_STRING_INITIALIZER(struct cmd_show_conn_result, conn, "conn");
static cmdline_parse_token_string_t cmd_show_conn_limit =
	TOKEN_STRING_INITIALIZER(struct cmd_show_conn_result, limit, "limit");
static cmdline_parse_token_num_t cmd_show_conn_n =
	TOKEN_NUM_INITIALIZER(struct cmd_show_conn_result, n, RTE_UINT32);

static cmdline_parse_inst_t cmd_show_conn = {
	.f = cmd_show_conn_parsed,
	.data = NULL,
	.help_str = "show conn: the main lcore's connections, ss -tan style "
		    "(first 20)",
	.tokens = { (void *)&cmd_show_conn_show, (void *)&cmd_show_conn_conn,
		    NULL },
};

static cmdline_parse_inst_t cmd_show_conn_lim = {
	.f = cmd_show_conn_parsed,
	.data = (void *)1,
	.help_str = "show conn limit <N>: the main lcore's first N connections",
	.tokens = {
		(void *)&cmd_show_conn_show,
		(void *)&cmd_show_conn_conn,
		(void *)&cmd_show_conn_limit,
		(void *)&cmd_show_conn_n,
		NULL,
	},
};

cmdline_parse_ctx_t main_ctx[] = {
	(cmdline_parse_inst_t *)&cmd_help,
	(cmdline_parse_inst_t *)&cmd_quit,
	(cmdline_parse_inst_t *)&cmd_start,
	(cmdline_parse_inst_t *)&cmd_stop,
	(cmdline_parse_inst_t *)&cmd_show_stats,
	(cmdline_parse_inst_t *)&cmd_show_port,
	(cmdline_parse_inst_t *)&cmd_show_tcp_stats,
	(cmdline_parse_inst_t *)&cmd_show_tcp_stats_nz,
	(cmdline_parse_inst_t *)&cmd_clear_tcp_stats,
	(cmdline_parse_inst_t *)&cmd_show_tcp_knobs,
	(cmdline_parse_inst_t *)&cmd_set_tcp,
	(cmdline_parse_inst_t *)&cmd_connect,
	(cmdline_parse_inst_t *)&cmd_show_config,
	(cmdline_parse_inst_t *)&cmd_clear_port_stats,
	(cmdline_parse_inst_t *)&cmd_set_num,
	(cmdline_parse_inst_t *)&cmd_set_workload,
	(cmdline_parse_inst_t *)&cmd_set_close,
	(cmdline_parse_inst_t *)&cmd_set_client,
	(cmdline_parse_inst_t *)&cmd_show_conn_summary,
	(cmdline_parse_inst_t *)&cmd_show_conn,
	(cmdline_parse_inst_t *)&cmd_show_conn_lim,
	NULL,
};

/* The prompt on stdin: raw mode on a terminal, plain bytes otherwise. */
static int
cli_open_stdin(void)
{
	cli.from_file = false;
	cli.fd = 0;
	cli.tty = isatty(0) != 0;
	if (cli.tty)
		cli.cl = cmdline_stdin_new(main_ctx, CLI_PROMPT);
	else
		cli.cl = cmdline_new(main_ctx, CLI_PROMPT, 0, 1);
	if (cli.cl == NULL) {
		app_err("cannot open the prompt on stdin");
		return -1;
	}
	fflush(stdout);
	return 0;
}

static void
cli_close(void)
{
	if (cli.cl == NULL)
		return;
	if (cli.tty)
		cmdline_stdin_exit(cli.cl);
	else
		cmdline_free(cli.cl);
	if (cli.from_file)
		close(cli.fd);
	cli.cl = NULL;
	cli.tty = false;
}

int
app_cli_init(struct app *app)
{
	memset(&cli, 0, sizeof(cli));
	cli.app = app;
	cli.fd = -1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (app->conf.cmdline_file != NULL) {
		cli.fd = open(app->conf.cmdline_file, O_RDONLY);
		if (cli.fd < 0) {
			app_err("--cmdline-file %s: %s", app->conf.cmdline_file,
				strerror(errno));
			return -1;
		}
		cli.from_file = true;
		cli.cl = cmdline_new(main_ctx, CLI_PROMPT, cli.fd, 1);
		if (cli.cl == NULL) {
			close(cli.fd);
			app_err("--cmdline-file %s: cannot start the command line",
				app->conf.cmdline_file);
			return -1;
		}
		fflush(stdout);
		return 0;
	}
	return cli_open_stdin();
}

/* The current input ended: the file goes on to the prompt (with -i),
 * anything else ends the run. */
static void
cli_eof(void)
{
	bool was_file = cli.from_file;

	if (cli.tty || was_file)
		printf("\n");
	cli_close();
	if (was_file && cli.app->conf.interactive && !cli.quit) {
		if (cli_open_stdin() != 0)
			cli.quit = true;
		return;
	}
	cli.quit = true;
}

int
app_cli_poll(struct app *app)
{
	uint64_t now;

	if (app_force_quit)
		cli.quit = true;
	if (cli.quit)
		return 1;
	/* `set stats-period`: the per-period line at the prompt */
	if (app->cli_period_tsc != 0) {
		now = rte_rdtsc();
		if (now >= app->cli_next_report_tsc) {
			app_report_line(app, (double)(now - app->start_tsc) /
					(double)app->tsc_hz, stdout);
			app->cli_next_report_tsc = now + app->cli_period_tsc;
			fflush(stdout);
			if (cli.tty)
				rdline_redisplay(cmdline_get_rdline(cli.cl));
		}
	}
	if (cli.conn.active) {
		connect_progress();
		return 0;
	}
	now = rte_rdtsc();
	if (!cli.from_file) {
		if (now < cli.next_poll_tsc)
			return 0;
		cli.next_poll_tsc = now + app->tsc_hz / 1000000 * CLI_POLL_US;
	}
	for (unsigned int i = 0; i < CLI_BYTES_PER_POLL; i++) {
		struct pollfd pfd = { .fd = cli.fd, .events = POLLIN };
		ssize_t r;
		char ch;

		if (!cli.from_file && poll(&pfd, 1, 0) <= 0)
			break;
		r = read(cli.fd, &ch, 1);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			break;
		if (r <= 0) {
			cli_eof();
			break;
		}
		if (cli.tty && ch == 3) {   /* Ctrl-C in raw mode */
			printf("\n");
			cli.quit = true;
			break;
		}
		if (cmdline_in(cli.cl, &ch, 1) < 0 && !cli.quit) {
			/* Ctrl-D on an empty line */
			cli_eof();
			break;
		}
		if (cli.quit || cli.conn.active)
			break;
	}
	fflush(stdout);
	return cli.quit ? 1 : 0;
}

void
app_cli_fini(struct app *app)
{
	RTE_SET_USED(app);
	cli_close();
	fflush(stdout);
}
