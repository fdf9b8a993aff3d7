/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry commands, for dpdk-telemetry.py and anything else that
 * speaks to /var/run/dpdk/<file-prefix>/dpdk_telemetry.v2:
 *   /pmtcp/stats   rates, totals, failures by cause, one dict per lcore
 *   /pmtcp/mib     the counters as nstat names them, summed over lcores
 *                  (params: an lcore id for that lcore's alone)
 *   /pmtcp/conn    connections per TCP state, summed and per lcore
 *   /pmtcp/knobs   the TCP knobs (params: an lcore id; default the main
 *                  lcore's, as `show tcp knobs`)
 *
 * The commands run on DPDK's telemetry threads (one per connected
 * client), never on a data-path lcore, and take no lock the data path
 * knows of. Counters are read as they stand, as the CLI's `show` and the
 * per-period line do: each is an aligned 64-bit (or 32-bit) word written
 * by one lcore only, so a read sees an old or a new value, never a torn
 * one; a set of them is not a snapshot. The connection table is another
 * matter: a hash table may be mid-update, so /pmtcp/conn asks each lcore
 * to count its own connections between two turns of its loop (a mailbox
 * of its own, beside the CLI's: app_telemetry_lcore_answer()).
 *
 * tel.lock serialises the telemetry threads among themselves and against
 * app_telemetry_stop(), which main() calls before it frees the stacks.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <rte_atomic.h>
#include <rte_cycles.h>
#include <rte_telemetry.h>

#include "app.h"

/* How long /pmtcp/conn waits for the lcores' counts, all of them. */
#define TEL_CONN_WAIT_MS 500

static struct {
	pthread_mutex_t lock;
	struct app *app;
	bool live;                /* between init and stop */
	volatile bool stopping;   /* stop is waiting: give up waits */
	/* /pmtcp/stats rates: what each lcore had at the previous query */
	uint64_t prev_tsc;
	uint64_t prev_est[RTE_MAX_LCORE];
	uint64_t prev_acc[RTE_MAX_LCORE];
} tel = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* A 64-bit word another lcore writes, read once, as it stands. */
static inline uint64_t
rd64(const uint64_t *p)
{
	return *(const volatile uint64_t *)p;
}

/* "12" -> lcore 12, the active one with a stack; "" -> @dflt. @return
 * NULL when @params names none. */
static const struct app_lcore *
lcore_param(const char *params, const struct app_lcore *dflt)
{
	const struct app_lcore *l;
	unsigned long v;
	char *end;

	if (params == NULL || *params == '\0')
		return dflt;
	v = strtoul(params, &end, 10);
	if (*end != '\0' || v >= RTE_MAX_LCORE)
		return NULL;
	l = &tel.app->lcores[v];
	return l->active && l->st != NULL ? l : NULL;
}

/* Per-second rate of @now - @prev over @dt TSC cycles. */
static uint64_t
rate(uint64_t now, uint64_t prev, uint64_t dt)
{
	if (dt == 0 || now < prev)
		return 0;
	return (uint64_t)((double)(now - prev) * (double)tel.app->tsc_hz /
			  (double)dt + 0.5);
}

/* One lcore's line of /pmtcp/stats, as a dict container */
static struct rte_tel_data *
stats_lcore(const struct app_lcore *l, uint64_t dt, uint64_t elapsed)
{
	struct rte_tel_data *d = rte_tel_data_alloc();
	unsigned int lc = l->lcore_id;
	uint64_t est = rd64(&l->established), acc = rd64(&l->accepted);
	uint64_t busy = rd64(&l->busy_cycles);

	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "client", l->client);
	rte_tel_data_add_dict_int(d, "server", l->server);
	rte_tel_data_add_dict_int(d, "port", l->n_ports ? l->ports[0] : 0);
	rte_tel_data_add_dict_int(d, "queue", l->n_ports ? l->queues[0] : 0);
	rte_tel_data_add_dict_u64(d, "cps", rate(est, tel.prev_est[lc], dt));
	rte_tel_data_add_dict_u64(d, "accepts_per_s",
				  rate(acc, tel.prev_acc[lc], dt));
	rte_tel_data_add_dict_u64(d, "attempted", rd64(&l->attempted));
	rte_tel_data_add_dict_u64(d, "established", est);
	rte_tel_data_add_dict_u64(d, "accepted", acc);
	rte_tel_data_add_dict_u64(d, "failed_refused", rd64(&l->failed_refused));
	rte_tel_data_add_dict_u64(d, "failed_timeout", rd64(&l->failed_timeout));
	rte_tel_data_add_dict_u64(d, "failed_reset", rd64(&l->failed_reset));
	rte_tel_data_add_dict_u64(d, "failed_unreachable",
				  rd64(&l->failed_unreachable));
	rte_tel_data_add_dict_u64(d, "failed_local", rd64(&l->failed_local));
	rte_tel_data_add_dict_u64(d, "open", pmtcp_stack_conn_count(l->st) -
				  pmtcp_stack_tw_count(l->st));
	rte_tel_data_add_dict_u64(d, "time_wait", pmtcp_stack_tw_count(l->st));
	rte_tel_data_add_dict_u64(d, "retrans",
				  rd64(&pmtcp_stack_mib(l->st)->mib[PMTCP_MIB_Tcp_RetransSegs]));
	/* busy share of the run, in tenths of a percent (no doubles here) */
	rte_tel_data_add_dict_u64(d, "busy_permille",
				  elapsed != 0 ? busy * 1000 / elapsed : 0);
	tel.prev_est[lc] = est;
	tel.prev_acc[lc] = acc;
	return d;
}

/* /pmtcp/stats: rates since the previous /pmtcp/stats query (the first:
 * since the start), as `nstat` gives what moved since its last call */
static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct app *app = tel.app;
	uint64_t now = rte_rdtsc(), dt, elapsed, est = 0, acc = 0, prev_est = 0;
	uint64_t prev_acc = 0, f[5] = { 0 }, attempted = 0, open = 0, tw = 0;
	uint64_t retrans = 0;
	struct rte_tel_data *lcs[RTE_MAX_LCORE] = { NULL };
	static const char *const fname[5] = {
		"failed_refused", "failed_timeout", "failed_reset",
		"failed_unreachable", "failed_local",
	};
	unsigned int lc;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	dt = now - tel.prev_tsc;
	elapsed = now - app->start_tsc;
	RTE_LCORE_FOREACH(lc) {
		const struct app_lcore *l = &app->lcores[lc];

		if (!l->active || l->st == NULL)
			continue;
		prev_est += tel.prev_est[lc];
		prev_acc += tel.prev_acc[lc];
		lcs[lc] = stats_lcore(l, dt, elapsed);
		/* the totals from what the lcore's dict said, so that they
		 * add up */
		est += tel.prev_est[lc];
		acc += tel.prev_acc[lc];
		attempted += rd64(&l->attempted);
		f[0] += rd64(&l->failed_refused);
		f[1] += rd64(&l->failed_timeout);
		f[2] += rd64(&l->failed_reset);
		f[3] += rd64(&l->failed_unreachable);
		f[4] += rd64(&l->failed_local);
		tw += pmtcp_stack_tw_count(l->st);
		open += pmtcp_stack_conn_count(l->st) - pmtcp_stack_tw_count(l->st);
		retrans += rd64(&pmtcp_stack_mib(l->st)->mib[PMTCP_MIB_Tcp_RetransSegs]);
	}
	tel.prev_tsc = now;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "elapsed_ms", app_tsc_to_us(app, elapsed) / 1000);
	rte_tel_data_add_dict_u64(d, "interval_ms", app_tsc_to_us(app, dt) / 1000);
	rte_tel_data_add_dict_u64(d, "cps", rate(est, prev_est, dt));
	rte_tel_data_add_dict_u64(d, "accepts_per_s", rate(acc, prev_acc, dt));
	rte_tel_data_add_dict_u64(d, "cps_avg", rate(est, 0, elapsed));
	rte_tel_data_add_dict_u64(d, "rate_target",
				  app->tsc_per_conn == 0 ? 0 :
				  (app->tsc_hz * RTE_MAX(app->n_clients, 1u) +
				   app->tsc_per_conn / 2) / app->tsc_per_conn);
	rte_tel_data_add_dict_u64(d, "attempted", attempted);
	rte_tel_data_add_dict_u64(d, "established", est);
	rte_tel_data_add_dict_u64(d, "accepted", acc);
	for (unsigned int i = 0; i < RTE_DIM(f); i++)
		rte_tel_data_add_dict_u64(d, fname[i], f[i]);
	rte_tel_data_add_dict_u64(d, "open", open);
	rte_tel_data_add_dict_u64(d, "time_wait", tw);
	rte_tel_data_add_dict_u64(d, "concurrent_max", app->concurrent_max);
	rte_tel_data_add_dict_u64(d, "retrans", retrans);
	RTE_LCORE_FOREACH(lc) {
		char name[32];

		if (lcs[lc] == NULL)
			continue;
		snprintf(name, sizeof(name), "lcore_%u", lc);
		if (rte_tel_data_add_dict_container(d, name, lcs[lc], 0) != 0)
			rte_tel_data_free(lcs[lc]);
	}
	return 0;
}

/* /pmtcp/mib[,LCORE]: "TcpActiveOpens": 100, ... and "DropTCP_CSUM": 0,
 * the names `nstat` and `show tcp stats` print */
static int
tel_mib(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct pmtcp_mib *in[RTE_MAX_LCORE];
	struct pmtcp_mib sum;
	unsigned int n = 0, lc;
	char name[64];

	RTE_SET_USED(cmd);
	if (params != NULL && *params != '\0') {
		const struct app_lcore *l = lcore_param(params, NULL);

		if (l == NULL)
			return -EINVAL;
		in[n++] = pmtcp_stack_mib(l->st);
	} else {
		RTE_LCORE_FOREACH(lc) {
			const struct app_lcore *l = &tel.app->lcores[lc];

			if (l->active && l->st != NULL)
				in[n++] = pmtcp_stack_mib(l->st);
		}
	}
	pmtcp_mib_sum(&sum, in, n);
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < PMTCP_MIB_MAX; i++) {
		snprintf(name, sizeof(name), "%s%s", pmtcp_mib_group(i),
			 pmtcp_mib_name(i));
		rte_tel_data_add_dict_u64(d, name, sum.mib[i]);
	}
	for (unsigned int i = 0; i < PMTCP_DROP_MAX; i++) {
		snprintf(name, sizeof(name), "Drop%s", pmtcp_drop_name(i));
		rte_tel_data_add_dict_u64(d, name, sum.drop[i]);
	}
	return 0;
}

/* Worker side of /pmtcp/conn: count this lcore's connections per state.
 * Called from app_lcore_iterate() when tel_req moved. */
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
app_telemetry_lcore_answer(struct app_lcore *l)
{
	uint32_t req = l->tel_req;

	rte_smp_rmb();
	memset(l->tel_states, 0, sizeof(l->tel_states));
	if (l->st != NULL)
		pmtcp_stack_conn_walk(l->st, count_state, l->tel_states);
	rte_smp_wmb();
	l->tel_resp = req;
}

/* ss's state names with '_' for '-' (telemetry names allow no '-') */
static void
state_key(int s, char *buf, size_t len)
{
	snprintf(buf, len, "%s", pmtcp_tcp_state_name(s));
	for (char *p = buf; *p != '\0'; p++)
		if (*p == '-')
			*p = '_';
}

/* /pmtcp/conn: connections per state, summed; then one dict per lcore
 * with its non-zero states. LISTEN counts the listening ports. */
static int
tel_conn(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct app *app = tel.app;
	uint64_t sum[PMTCP_TCP_MAX_STATES] = { 0 };
	uint64_t until = rte_rdtsc() + app->tsc_hz / 1000 * TEL_CONN_WAIT_MS;
	bool answered[RTE_MAX_LCORE] = { false };
	unsigned int lc, missing = 0;
	char key[32];

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	/* ask every lcore at once (one that has not answered an earlier
	 * request is asked nothing new: its answer will do) */
	RTE_LCORE_FOREACH(lc) {
		struct app_lcore *l = &app->lcores[lc];

		if (!l->active || l->st == NULL || l->tel_req != l->tel_resp)
			continue;
		l->tel_req = l->tel_req + 1;
	}
	RTE_LCORE_FOREACH(lc) {
		struct app_lcore *l = &app->lcores[lc];

		if (!l->active || l->st == NULL)
			continue;
		while (l->tel_resp != l->tel_req && rte_rdtsc() < until &&
		       !tel.stopping)
			rte_delay_us_sleep(100);
		if (l->tel_resp != l->tel_req) {
			missing++;
			continue;
		}
		rte_smp_rmb();
		answered[lc] = true;
		for (int s = 1; s < PMTCP_TCP_MAX_STATES; s++)
			sum[s] += l->tel_states[s];
	}
	sum[PMTCP_TCP_LISTEN] = app->n_listen;
	rte_tel_data_start_dict(d);
	for (int s = 1; s < PMTCP_TCP_MAX_STATES; s++) {
		if (s == PMTCP_TCP_CLOSE)
			continue;
		state_key(s, key, sizeof(key));
		rte_tel_data_add_dict_u64(d, key, sum[s]);
	}
	/* lcores whose loop did not answer in time (stopped, or stuck):
	 * the sums above leave them out */
	rte_tel_data_add_dict_int(d, "lcores_unanswered", (int)missing);
	RTE_LCORE_FOREACH(lc) {
		const struct app_lcore *l = &app->lcores[lc];
		struct rte_tel_data *c;

		if (!answered[lc])
			continue;
		c = rte_tel_data_alloc();
		if (c == NULL)
			break;
		rte_tel_data_start_dict(c);
		for (int s = 1; s < PMTCP_TCP_MAX_STATES; s++) {
			if (l->tel_states[s] == 0)
				continue;
			state_key(s, key, sizeof(key));
			rte_tel_data_add_dict_u64(c, key, l->tel_states[s]);
		}
		snprintf(key, sizeof(key), "lcore_%u", lc);
		if (rte_tel_data_add_dict_container(d, key, c, 0) != 0)
			rte_tel_data_free(c);
	}
	return 0;
}

/* /pmtcp/knobs[,LCORE]: "tcp_syn_retries": 6, ...; the knobs of several
 * values ("ip_local_port_range": "32768 60999") as strings; the dots of
 * "neigh.default.*" as '/' (sysctl's other separator: telemetry names
 * allow no dots) */
static int
tel_knobs(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct app_lcore *l;
	const struct pmtcp_sysctl *s;
	char buf[128];

	RTE_SET_USED(cmd);
	l = lcore_param(params, &tel.app->lcores[rte_get_main_lcore()]);
	if (l == NULL || !l->active || l->st == NULL)
		return -EINVAL;
	/* each knob an aligned 32-bit word; a knob of several values that
	 * the CLI's `set tcp` changes at that moment may show half of it */
	s = pmtcp_stack_sysctl(l->st);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "lcore", (int)l->lcore_id);
	for (unsigned int i = 0; i < pmtcp_sysctl_count(); i++) {
		const char *name = pmtcp_sysctl_name(i);
		char key[RTE_TEL_MAX_STRING_LEN], *end;
		long v;

		if (pmtcp_sysctl_get(s, name, buf, sizeof(buf)) != 0)
			continue;
		snprintf(key, sizeof(key), "%s", name);
		for (char *p = key; *p != '\0'; p++)
			if (*p == '.')
				*p = '/';
		name = key;
		v = strtol(buf, &end, 10);
		if (end != buf && *end == '\0' && v >= INT32_MIN && v <= INT32_MAX)
			rte_tel_data_add_dict_int(d, name, (int)v);
		else
			rte_tel_data_add_dict_string(d, name, buf);
	}
	return 0;
}

/* Every command: the lock, and nothing once the stacks are going away. */
#define TEL_WRAP(fn) \
static int \
fn##_locked(const char *cmd, const char *params, struct rte_tel_data *d) \
{ \
	int ret = -ENODEV; \
\
	pthread_mutex_lock(&tel.lock); \
	if (tel.live) \
		ret = fn(cmd, params, d); \
	pthread_mutex_unlock(&tel.lock); \
	return ret; \
}
TEL_WRAP(tel_stats)
TEL_WRAP(tel_mib)
TEL_WRAP(tel_conn)
TEL_WRAP(tel_knobs)

int
app_telemetry_init(struct app *app)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		{ "/pmtcp/stats", tel_stats_locked,
		  "pmtcp: rates since the previous /pmtcp/stats, totals, "
		  "failures by cause, per lcore. No parameters" },
		{ "/pmtcp/mib", tel_mib_locked,
		  "pmtcp: counters as nstat names them, summed over lcores. "
		  "Parameters: an lcore id, for that lcore's" },
		{ "/pmtcp/conn", tel_conn_locked,
		  "pmtcp: connections per TCP state, summed and per lcore. No parameters" },
		{ "/pmtcp/knobs", tel_knobs_locked,
		  "pmtcp: the TCP knobs (sysctl names). Parameters: an lcore id (default: the main lcore)" },
	};

	pthread_mutex_lock(&tel.lock);
	tel.app = app;
	tel.prev_tsc = app->start_tsc;
	memset(tel.prev_est, 0, sizeof(tel.prev_est));
	memset(tel.prev_acc, 0, sizeof(tel.prev_acc));
	tel.stopping = false;
	tel.live = true;
	pthread_mutex_unlock(&tel.lock);
	for (unsigned int i = 0; i < RTE_DIM(cmds); i++) {
		int ret = rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn,
						     cmds[i].help);

		if (ret != 0) {
			app_err("telemetry: cannot register %s: %s", cmds[i].cmd,
				strerror(-ret));
			return -1;
		}
	}
	return 0;
}

void
app_telemetry_stop(void)
{
	tel.stopping = true;
	pthread_mutex_lock(&tel.lock);
	tel.live = false;
	pthread_mutex_unlock(&tel.lock);
}
