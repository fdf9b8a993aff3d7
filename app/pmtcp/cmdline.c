/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The interactive prompt (testpmd's cmdline.c): `pmtcp -i` and
 * --cmdline-file. Each command is a result struct, its tokens and a
 * cmdline_parse_inst_t with a help string; this file has the prompt's I/O,
 * `help` and `quit`, the context of every command and the helpers the
 * command files share (cli.h). The commands themselves:
 *   cli_show.c   show ...
 *   cli_set.c    set ..., clear ...
 *   cli_conn.c   start, stop, connect, listen, unlisten
 *   cli_lcore.c  runs a command's request on a data-path lcore
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
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>
#include <cmdline_rdline.h>
#include <cmdline_socket.h>

#include "cli.h"

#define CLI_PROMPT "pmtcp> "
/* bytes of input taken per main-loop turn, and how often stdin is checked */
#define CLI_BYTES_PER_POLL 256
#define CLI_POLL_US 1000
#define CLI_LINE_MAX 512        /* rdline's buffer */

struct cli_state cli;

/* `clear tcp stats`: per-lcore copies the main lcore takes; `show tcp
 * stats` prints the live counters minus these */
struct pmtcp_mib mib_base[RTE_MAX_LCORE];

struct app_lcore *
main_lcore(void)
{
	return &cli.app->lcores[rte_get_main_lcore()];
}

void
ip_str(uint32_t a, char *buf, size_t len)
{
	const uint8_t *b = (const uint8_t *)&a;

	snprintf(buf, len, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

/* The pmtcp port @port_id, or NULL after an error line for @what. */
const struct app_port *
port_lookup(const char *what, uint16_t port_id)
{
	const struct app_port *p = app_port_of(cli.app, port_id);

	if (p != NULL)
		return p;
	printf("error: %s: no port %u (ports:", what, port_id);
	for (unsigned int i = 0; i < cli.app->n_ports; i++)
		printf(" %u", cli.app->ports[i].port_id);
	printf(")\n");
	return NULL;
}

const char *
workload_name(enum app_workload w)
{
	return w == WORKLOAD_REQUEST ? "request" : "handshake";
}

const char *
close_name(enum app_close c)
{
	return c == CLOSE_FIN ? "fin" : c == CLOSE_NONE ? "none" : "rst";
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

cmdline_parse_ctx_t main_ctx[] = {
	(cmdline_parse_inst_t *)&cmd_help,
	(cmdline_parse_inst_t *)&cmd_help_cmd,
	(cmdline_parse_inst_t *)&cmd_quit,
	(cmdline_parse_inst_t *)&cmd_start,
	(cmdline_parse_inst_t *)&cmd_stop,
	(cmdline_parse_inst_t *)&cmd_show_stats,
	(cmdline_parse_inst_t *)&cmd_show_lcores,
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
