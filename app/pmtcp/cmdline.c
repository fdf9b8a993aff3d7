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
#include <stdlib.h>
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
#define CLI_LINE_MAX 512        /* rdline's buffer */
#define CONNECT_REPORT_MAX 10   /* `connect` prints each connection up to this */

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

/*
 * Requests to the lcores. A stack, and a PMD's counters, are only touched
 * by the lcore that polls them, so a command that needs them hands the
 * request to that lcore (app_lcore.cmd, see app.h) and waits for the
 * answer; the main lcore runs its own share at once.
 */

/* `set verbose`: each lcore prints its own stack's lines */
static void
trace_line(struct pmtcp_stack *st, const char *line, void *arg)
{
	const struct app_lcore *l = arg;

	RTE_SET_USED(st);
	printf("lcore %u: %s\n", l->lcore_id, line);
}

static void
collect_conn(const struct pmtcp_sock *sk, void *arg)
{
	struct app_lcore_cmd *c = arg;
	struct pmtcp_sock_info si;

	pmtcp_sock_info(sk, &si);
	if (c->op == LCORE_OP_CONN_STATES) {
		if (si.state < PMTCP_TCP_MAX_STATES)
			c->states[si.state]++;
		return;
	}
	if (c->arg != 0 && si.state != c->arg)
		return;
	c->total++;
	if (c->n < c->limit)
		c->list[c->n++] = si;
}

/* Run l->cmd on the lcore that owns l->st. */
static void
lcore_cmd_exec(struct app_lcore *l)
{
	struct app_lcore_cmd *c = &l->cmd;
	struct pmtcp_sysctl s;

	c->ret = 0;
	c->n = 0;
	c->total = 0;
	switch (c->op) {
	case LCORE_OP_SYSCTL:
		/* this lcore's other knobs stay (profiles may differ) */
		s = *pmtcp_stack_sysctl(l->st);
		c->ret = pmtcp_sysctl_set(&s, c->knob, c->value, NULL, 0);
		if (c->ret == 0)
			c->ret = pmtcp_stack_set_sysctl(l->st, &s);
		break;
	case LCORE_OP_CONN_STATES:
		memset(c->states, 0, sizeof(c->states));
		/* fall through */
	case LCORE_OP_CONN_LIST:
		pmtcp_stack_conn_walk(l->st, collect_conn, c);
		break;
	case LCORE_OP_STATS_RESET:
		for (uint16_t i = 0; i < l->n_ports; i++) {
			int r;

			if (c->arg != UINT32_MAX && l->ports[i] != c->arg)
				continue;
			r = rte_eth_stats_reset(l->ports[i]);
			if (r != 0 && c->ret == 0)
				c->ret = r;
		}
		break;
	case LCORE_OP_LISTEN:
		c->ret = pmtcp_listen(l->st, (uint16_t)c->arg);
		break;
	case LCORE_OP_UNLISTEN:
		c->ret = pmtcp_unlisten(l->st, (uint16_t)c->arg);
		break;
	case LCORE_OP_TRACE:
		c->ret = pmtcp_stack_set_trace(l->st, (int)c->arg,
					       trace_line, l);
		break;
	}
}

/* Worker side: called from app_lcore_iterate() when cmd_req moved. */
void
app_lcore_run_cmd(struct app_lcore *l)
{
	uint32_t req = l->cmd_req;

	rte_smp_rmb();
	lcore_cmd_exec(l);
	rte_smp_wmb();
	l->cmd_resp = req;
}

/* Hand @c to @l's lcore (the main lcore runs it now). @return false when
 * that lcore has not answered an earlier request yet. */
static bool
lcore_cmd_post(struct app_lcore *l, const struct app_lcore_cmd *c)
{
	if (l->cmd_req != l->cmd_resp)
		return false;
	rte_smp_rmb();   /* the worker is done with l->cmd before we write it */
	l->cmd = *c;
	if (l->lcore_id == rte_get_main_lcore()) {
		lcore_cmd_exec(l);
		return true;
	}
	rte_smp_wmb();
	l->cmd_req = l->cmd_req + 1;
	return true;
}

/* Wait up to 1 s for @l's answer, running the main lcore's own data path
 * meanwhile. @return true when l->cmd holds the results. */
static bool
lcore_cmd_wait(struct app_lcore *l)
{
	uint64_t until = rte_rdtsc() + cli.app->tsc_hz;

	while (l->cmd_resp != l->cmd_req && rte_rdtsc() < until)
		app_lcore_iterate(cli.app, main_lcore());
	if (l->cmd_resp != l->cmd_req)
		return false;
	rte_smp_rmb();
	return true;
}

/* Run @c on one lcore and wait for it. @return true when l->cmd holds
 * the answer; else one error line naming @what. */
static bool
lcore_call(struct app_lcore *l, const struct app_lcore_cmd *c,
	   const char *what)
{
	if (!lcore_cmd_post(l, c)) {
		printf("error: %s: lcore %u has not answered an earlier request; skipped\n",
		       what, l->lcore_id);
		return false;
	}
	if (!lcore_cmd_wait(l)) {
		printf("error: %s: lcore %u did not answer within 1 s\n", what,
		       l->lcore_id);
		return false;
	}
	return true;
}

/* Run @c on every lcore with a stack, all at once, then call @done for
 * each answer in lcore order; without @done, print an error line naming
 * @what for each lcore whose answer is an error. An lcore that does not
 * answer gets one error line too. */
static void
lcores_run(const struct app_lcore_cmd *c, const char *what,
	   void (*done)(const struct app_lcore *l, void *arg), void *arg)
{
	bool posted[RTE_MAX_LCORE] = { false };
	unsigned int lc;

	RTE_LCORE_FOREACH(lc) {
		struct app_lcore *l = &cli.app->lcores[lc];

		if (!l->active || l->st == NULL)
			continue;
		posted[lc] = lcore_cmd_post(l, c);
		if (!posted[lc])
			printf("error: %s: lcore %u has not answered an earlier request; skipped\n",
			       what, lc);
	}
	RTE_LCORE_FOREACH(lc) {
		struct app_lcore *l = &cli.app->lcores[lc];

		if (!posted[lc])
			continue;
		if (!lcore_cmd_wait(l)) {
			printf("error: %s: lcore %u did not answer within 1 s\n",
			       what, lc);
			continue;
		}
		if (done != NULL)
			done(l, arg);
		else if (l->cmd.ret != 0)
			printf("error: %s: lcore %u: %s\n", what, lc,
			       strerror(-l->cmd.ret));
	}
}

/* *** help [command] *** */
struct cmd_help_result {
	cmdline_fixed_string_t help;
	cmdline_multi_string_t words;
};

extern cmdline_parse_ctx_t main_ctx[];

#define CLI_MAX_WORDS 16

/* Split @line into blank-separated words (in place). */
static unsigned int
split_words(char *line, char **w)
{
	unsigned int n = 0;
	char *save = NULL;

	for (char *t = strtok_r(line, " \t\r\n", &save);
	     t != NULL && n < CLI_MAX_WORDS; t = strtok_r(NULL, " \t\r\n", &save))
		w[n++] = t;
	return n;
}

/* How many leading tokens of @inst the words @w match. */
static unsigned int
inst_match(cmdline_parse_inst_t *inst, char **w, unsigned int nw)
{
	static cmdline_multi_string_t scratch;  /* any token's result fits */
	unsigned int i;

	for (i = 0; i < nw && inst->tokens[i] != NULL; i++) {
		cmdline_parse_token_hdr_t *t = inst->tokens[i];

		if (t->ops->parse(t, w[i], scratch, sizeof(scratch)) !=
		    (int)strlen(w[i]))
			break;
	}
	return i;
}

/* The syntax part of a help string: up to its ": ". */
static int
help_syntax_len(const char *h)
{
	const char *c = strstr(h, ": ");

	return c != NULL ? (int)(c - h) : (int)strlen(h);
}

static void
cmd_help_parsed(void *parsed_result, struct cmdline *cl, void *data)
{
	struct cmd_help_result *res = parsed_result;
	static cmdline_multi_string_t words;   /* split in place */
	char *w[CLI_MAX_WORDS];
	unsigned int nw = 0, shown = 0;

	RTE_SET_USED(cl);
	if (data != NULL) {
		snprintf(words, sizeof(words), "%s", res->words);
		nw = split_words(words, w);
	}
	if (nw == 0)
		printf("commands (help <command> for one; Tab completes):\n");
	for (unsigned int i = 0; main_ctx[i] != NULL; i++) {
		if (nw != 0 && inst_match(main_ctx[i], w, nw) < nw)
			continue;
		printf("  %s\n", main_ctx[i]->help_str);
		shown++;
	}
	if (shown == 0)
		printf("error: help: no command starts with '%s'; `help` lists them\n",
		       res->words);
}

static cmdline_parse_token_string_t cmd_help_help =
	TOKEN_STRING_INITIALIZER(struct cmd_help_result, help, "help");
static cmdline_parse_token_string_t cmd_help_words =
	TOKEN_STRING_INITIALIZER(struct cmd_help_result, words,
				 TOKEN_STRING_MULTI);

static cmdline_parse_inst_t cmd_help = {
	.f = cmd_help_parsed,
	.data = NULL,
	.help_str = "help: list the commands",
	.tokens = { (void *)&cmd_help_help, NULL },
};

static cmdline_parse_inst_t cmd_help_cmd = {
	.f = cmd_help_parsed,
	.data = (void *)1,
	.help_str = "help <command>: the commands that start with these words",
	.tokens = { (void *)&cmd_help_help, (void *)&cmd_help_words, NULL },
};

/*
 * A line rte_cmdline would only answer with "Command not found" or "Bad
 * arguments": say what was expected instead, in one line, from the
 * commands that match the most leading words.
 */
static void
explain_bad_line(const char *line)
{
	char copy[CLI_LINE_MAX], *w[CLI_MAX_WORDS];
	unsigned int nw, best = 0, n = 0;

	snprintf(copy, sizeof(copy), "%s", line);
	copy[strcspn(copy, "\r\n")] = '\0';
	printf("error: %s: ", copy);
	nw = split_words(copy, w);
	for (unsigned int i = 0; main_ctx[i] != NULL; i++)
		best = RTE_MAX(best, inst_match(main_ctx[i], w, nw));
	if (best == 0) {
		printf("unknown command '%s'; `help` lists the commands\n",
		       nw > 0 ? w[0] : "");
		return;
	}
	if (best < nw)
		printf("'%s' is not valid here; expected ", w[best]);
	else
		printf("incomplete; expected ");
	for (unsigned int i = 0; main_ctx[i] != NULL; i++) {
		const char *h = main_ctx[i]->help_str;

		if (inst_match(main_ctx[i], w, nw) != best)
			continue;
		printf("%s%.*s", n++ == 0 ? "" : " | ", help_syntax_len(h), h);
	}
	printf("\n");
}

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
	uint16_t port_id;
};

/* The pmtcp port @port_id, or NULL after an error line for @what. */
static const struct app_port *
port_lookup(const char *what, uint16_t port_id)
{
	for (unsigned int i = 0; i < cli.app->n_ports; i++)
		if (cli.app->ports[i].port_id == port_id)
			return &cli.app->ports[i];
	printf("error: %s: no port %u (ports:", what, port_id);
	for (unsigned int i = 0; i < cli.app->n_ports; i++)
		printf(" %u", cli.app->ports[i].port_id);
	printf(")\n");
	return NULL;
}

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

static cmdline_parse_inst_t cmd_show_port_one = {
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

static cmdline_parse_inst_t cmd_connect = {
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

static cmdline_parse_inst_t cmd_connect_one = {
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

static const char *
workload_name(enum app_workload w)
{
	return w == WORKLOAD_REQUEST ? "request" : "handshake";
}

static const char *
close_name(enum app_close c)
{
	return c == CLOSE_FIN ? "fin" : c == CLOSE_NONE ? "none" : "rst";
}

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
		printf("client: %s:%u (%s)\n", a, c->client_port,
		       app->client_run ? "started" : "stopped");
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
	       cur_rate() == 0 ? " (unlimited)" : " conn/s per client lcore");
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

static cmdline_parse_token_num_t cmd_clear_port_stats_id =
	TOKEN_NUM_INITIALIZER(struct cmd_clear_port_stats_result, port_id,
			      RTE_UINT16);

static cmdline_parse_inst_t cmd_clear_port_stats_one = {
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

static cmdline_parse_inst_t cmd_show_conn = {
	.f = cmd_show_conn_parsed,
	.data = NULL,
	.help_str = "show conn: listening ports and every lcore's connections, "
		    "ss -tan style (first 20)",
	.tokens = { (void *)&cmd_show_conn_show, (void *)&cmd_show_conn_conn,
		    NULL },
};

static cmdline_parse_inst_t cmd_show_conn_lim = {
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

static cmdline_parse_inst_t cmd_show_conn_st = {
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

static cmdline_parse_inst_t cmd_show_conn_st_lim = {
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

static cmdline_parse_inst_t cmd_listen = {
	.f = cmd_listen_parsed,
	.data = NULL,
	.help_str = "listen <port>: accept connections on <port>, on every lcore "
		    "(answering as the server workload does)",
	.tokens = { (void *)&cmd_listen_listen, (void *)&cmd_listen_port, NULL },
};

static cmdline_parse_inst_t cmd_unlisten = {
	.f = cmd_listen_parsed,
	.data = (void *)1,
	.help_str = "unlisten <port>: stop accepting on <port> (open "
		    "connections go on; half-open ones are dropped)",
	.tokens = { (void *)&cmd_unlisten_unlisten, (void *)&cmd_listen_port,
		    NULL },
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

static cmdline_parse_inst_t cmd_set_verbose = {
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

cmdline_parse_ctx_t main_ctx[] = {
	(cmdline_parse_inst_t *)&cmd_help,
	(cmdline_parse_inst_t *)&cmd_help_cmd,
	(cmdline_parse_inst_t *)&cmd_quit,
	(cmdline_parse_inst_t *)&cmd_start,
	(cmdline_parse_inst_t *)&cmd_stop,
	(cmdline_parse_inst_t *)&cmd_show_stats,
	(cmdline_parse_inst_t *)&cmd_set_num,
	(cmdline_parse_inst_t *)&cmd_set_workload,
	(cmdline_parse_inst_t *)&cmd_set_close,
	(cmdline_parse_inst_t *)&cmd_set_client,
	(cmdline_parse_inst_t *)&cmd_show_config,
	(cmdline_parse_inst_t *)&cmd_show_port,
	(cmdline_parse_inst_t *)&cmd_show_port_one,
	(cmdline_parse_inst_t *)&cmd_clear_port_stats,
	(cmdline_parse_inst_t *)&cmd_clear_port_stats_one,
	(cmdline_parse_inst_t *)&cmd_show_tcp_stats,
	(cmdline_parse_inst_t *)&cmd_show_tcp_stats_nz,
	(cmdline_parse_inst_t *)&cmd_clear_tcp_stats,
	(cmdline_parse_inst_t *)&cmd_show_tcp_knobs,
	(cmdline_parse_inst_t *)&cmd_set_tcp,
	(cmdline_parse_inst_t *)&cmd_show_conn,
	(cmdline_parse_inst_t *)&cmd_show_conn_lim,
	(cmdline_parse_inst_t *)&cmd_show_conn_st,
	(cmdline_parse_inst_t *)&cmd_show_conn_st_lim,
	(cmdline_parse_inst_t *)&cmd_show_conn_summary,
	(cmdline_parse_inst_t *)&cmd_listen,
	(cmdline_parse_inst_t *)&cmd_unlisten,
	(cmdline_parse_inst_t *)&cmd_connect,
	(cmdline_parse_inst_t *)&cmd_connect_one,
	(cmdline_parse_inst_t *)&cmd_set_verbose,
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

/* Enter was pressed: when the line is no command, explain it (instead of
 * rte_cmdline's bare "Bad arguments"), keep it in the history and start
 * a new line. @return true when the line was taken care of here. */
static bool
cli_line_rejected(void)
{
	struct rdline *rdl = cmdline_get_rdline(cli.cl);
	char line[CLI_LINE_MAX + 2];
	const char *last;
	int ret;

	snprintf(line, sizeof(line) - 1, "%s", rdline_get_buffer(rdl));
	line[strcspn(line, "\r\n")] = '\0';
	strcat(line, "\n");   /* cmdline_parse_check() wants the line end */
	ret = cmdline_parse_check(cli.cl, line);
	if (ret != CMDLINE_PARSE_BAD_ARGS && ret != CMDLINE_PARSE_NOMATCH)
		return false;
	cmdline_printf(cli.cl, "\r\n");
	explain_bad_line(line);
	fflush(stdout);
	line[strcspn(line, "\n")] = '\0';
	last = rdline_get_history_item(rdl, 0);
	if (last == NULL || strcmp(last, line) != 0)
		rdline_add_history(rdl, line);
	rdline_newline(rdl, CLI_PROMPT);
	return true;
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
		if ((ch == '\n' || ch == '\r') && cli_line_rejected())
			continue;
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
	unsigned int lc;

	/* the lcores have stopped: nothing writes into these any more */
	RTE_LCORE_FOREACH(lc) {
		free(app->lcores[lc].conn_list);
		app->lcores[lc].conn_list = NULL;
		app->lcores[lc].conn_list_cap = 0;
	}
	cli_close();
	fflush(stdout);
}
