/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CLI's requests to the data-path lcores (the mailbox in struct
 * app_lcore, app.h): lcore_call() and lcores_run() on the main lcore,
 * app_lcore_run_cmd() on the lcore that owns the stack.
 */
#include <string.h>

#include <rte_atomic.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "cli.h"

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
bool
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
void
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
