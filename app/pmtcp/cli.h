/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PMTCP_CLI_H
#define PMTCP_CLI_H

/*
 * The interactive prompt's parts, private to the CLI (app.h has what the
 * rest of the app calls: app_cli_init/poll/fini, app_lcore_run_cmd):
 *   cmdline.c    prompt I/O, help, quit, the context of every command,
 *                the helpers below
 *   cli_lcore.c  requests run on the data-path lcores (lcore_call, ...)
 *   cli_show.c   show ...
 *   cli_set.c    set ..., clear ...
 *   cli_conn.c   start, stop, connect, listen, unlisten
 */

#include <stdbool.h>
#include <stdint.h>

#include <cmdline.h>
#include <cmdline_parse.h>

#include "app.h"

/* The prompt's state (cmdline.c). */
struct cli_state {
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
};

extern struct cli_state cli;

/* `clear tcp stats`: per-lcore copies the main lcore takes; `show tcp
 * stats` prints the live counters minus these */
extern struct pmtcp_mib mib_base[RTE_MAX_LCORE];

/* cmdline.c: helpers the command files share */
struct app_lcore *main_lcore(void);
void ip_str(uint32_t a, char *buf, size_t len);
/* The pmtcp port @port_id, or NULL after an error line for @what. */
const struct app_port *port_lookup(const char *what, uint16_t port_id);
const char *workload_name(enum app_workload w);
const char *close_name(enum app_close c);

/* cli_lcore.c: run @c on one lcore and wait for it. @return true when
 * l->cmd holds the answer; else one error line naming @what. */
bool lcore_call(struct app_lcore *l, const struct app_lcore_cmd *c,
		const char *what);
/* ... on every lcore with a stack, then @done for each answer (without
 * @done, an error line for each lcore whose answer is an error) */
void lcores_run(const struct app_lcore_cmd *c, const char *what,
		void (*done)(const struct app_lcore *l, void *arg), void *arg);

/* cli_conn.c: called from app_cli_poll() while a `connect` runs */
void connect_progress(void);

/* The commands, in main_ctx[] (cmdline.c) */
/* cli_show.c */
extern cmdline_parse_inst_t cmd_show_stats;
extern cmdline_parse_inst_t cmd_show_lcores;
extern cmdline_parse_inst_t cmd_show_config;
extern cmdline_parse_inst_t cmd_show_port;
extern cmdline_parse_inst_t cmd_show_port_one;
extern cmdline_parse_inst_t cmd_show_tcp_stats;
extern cmdline_parse_inst_t cmd_show_tcp_stats_nz;
extern cmdline_parse_inst_t cmd_show_tcp_knobs;
extern cmdline_parse_inst_t cmd_show_conn;
extern cmdline_parse_inst_t cmd_show_conn_lim;
extern cmdline_parse_inst_t cmd_show_conn_st;
extern cmdline_parse_inst_t cmd_show_conn_st_lim;
extern cmdline_parse_inst_t cmd_show_conn_summary;
/* cli_set.c */
extern cmdline_parse_inst_t cmd_set_num;
extern cmdline_parse_inst_t cmd_set_workload;
extern cmdline_parse_inst_t cmd_set_close;
extern cmdline_parse_inst_t cmd_set_client;
extern cmdline_parse_inst_t cmd_set_tcp;
extern cmdline_parse_inst_t cmd_set_verbose;
extern cmdline_parse_inst_t cmd_clear_port_stats;
extern cmdline_parse_inst_t cmd_clear_port_stats_one;
extern cmdline_parse_inst_t cmd_clear_tcp_stats;
/* cli_conn.c */
extern cmdline_parse_inst_t cmd_start;
extern cmdline_parse_inst_t cmd_stop;
extern cmdline_parse_inst_t cmd_listen;
extern cmdline_parse_inst_t cmd_unlisten;
extern cmdline_parse_inst_t cmd_connect;
extern cmdline_parse_inst_t cmd_connect_one;

#endif /* PMTCP_CLI_H */
