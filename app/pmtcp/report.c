/* SPDX-License-Identifier: BSD-3-Clause */
/* Reports: one line per period, the final summary and its JSON form. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "app.h"

void
app_hist_add(struct app_hist *h, uint64_t us)
{
	unsigned int b;

	if (us < HIST_LINEAR) {
		b = (unsigned int)us;
	} else {
		/* us >= 1024: shift e keeps 10 significant bits (512..1023) */
		unsigned int e = (unsigned int)(63 - __builtin_clzll(us)) - 9;

		if (e > HIST_EXPONENTS)
			b = HIST_BUCKETS - 1;
		else
			b = HIST_LINEAR + (e - 1) * HIST_SUB +
			    (unsigned int)((us >> e) - HIST_SUB);
	}
	h->count[b]++;
	if (us > h->max_us)
		h->max_us = us;
}

/* Upper edge of bucket @b in us. */
static uint64_t
hist_bucket_us(unsigned int b, uint64_t max_us)
{
	unsigned int e, sub;

	if (b < HIST_LINEAR)
		return b;
	if (b == HIST_BUCKETS - 1)
		return max_us;
	e = (b - HIST_LINEAR) / HIST_SUB + 1;
	sub = (b - HIST_LINEAR) % HIST_SUB + HIST_SUB;
	return (((uint64_t)sub + 1) << e) - 1;
}

static uint64_t
hist_percentile(const struct app_hist *h, double pct)
{
	uint64_t total = 0, seen = 0, rank;

	for (unsigned int b = 0; b < HIST_BUCKETS; b++)
		total += h->count[b];
	if (total == 0)
		return 0;
	rank = (uint64_t)(pct / 100.0 * (double)total + 0.5);
	if (rank == 0)
		rank = 1;
	for (unsigned int b = 0; b < HIST_BUCKETS; b++) {
		seen += h->count[b];
		if (seen >= rank)
			return RTE_MIN(hist_bucket_us(b, h->max_us), h->max_us);
	}
	return h->max_us;
}

/* Mean, in us, of what histogram @now gained since the copy @before
 * (bucket upper edges); 0 when nothing was added. */
double
app_hist_mean_since(const struct app_hist *now, const struct app_hist *before)
{
	uint64_t n = 0;
	double sum = 0;

	for (unsigned int b = 0; b < HIST_BUCKETS; b++) {
		uint64_t d = now->count[b] - before->count[b];

		n += d;
		sum += (double)d * (double)hist_bucket_us(b, now->max_us);
	}
	return n != 0 ? sum / (double)n : 0;
}

/* Totals over lcores. */
struct totals {
	uint64_t attempted, established, refused, timeout, reset, unreachable, local;
	uint64_t accepted, server_closed, busy_cycles, in_flight;
	uint64_t retrans, done, closed_by_peer, resp_ok, resp_bad, server_requests;
	uint64_t open_now, tw_now;
	struct app_hist hist, resp_hist;
};

static void
totals_get(const struct app *app, struct totals *t, bool with_hist)
{
	unsigned int lc;

	memset(t, 0, sizeof(*t));
	RTE_LCORE_FOREACH(lc) {
		const struct app_lcore *l = &app->lcores[lc];

		if (!l->active)
			continue;
		t->attempted += l->attempted;
		t->established += l->established;
		t->refused += l->failed_refused;
		t->timeout += l->failed_timeout;
		t->reset += l->failed_reset;
		t->unreachable += l->failed_unreachable;
		t->local += l->failed_local;
		t->accepted += l->accepted;
		t->server_closed += l->server_closed;
		t->busy_cycles += l->busy_cycles;
		t->retrans += app_lcore_mib(l)->mib[PMTCP_MIB_Tcp_RetransSegs];
		t->done += l->done;
		t->closed_by_peer += l->closed_by_peer;
		t->resp_ok += l->responses_ok;
		t->resp_bad += l->responses_bad;
		t->server_requests += l->server_requests;
		if (l->st != NULL) {
			t->open_now += pmtcp_stack_conn_count(l->st) -
				       pmtcp_stack_tw_count(l->st);
			t->tw_now += pmtcp_stack_tw_count(l->st);
		}
		if (with_hist) {
			for (unsigned int b = 0; b < HIST_BUCKETS; b++) {
				t->hist.count[b] += l->hist.count[b];
				t->resp_hist.count[b] += l->resp_hist.count[b];
			}
			t->hist.max_us = RTE_MAX(t->hist.max_us, l->hist.max_us);
			t->resp_hist.max_us = RTE_MAX(t->resp_hist.max_us,
						      l->resp_hist.max_us);
		}
	}
	/* opened by the client and not yet finished with */
	t->in_flight = t->attempted - t->established - t->refused - t->timeout -
		       t->reset - t->unreachable - t->local +
		       (t->established - t->done);
}

/* Busy cycles per connection: per one the client established, or, in a
 * server-only process (nothing established), per one it accepted. */
static double
cycles_per_conn(const struct totals *t)
{
	uint64_t n = t->established != 0 ? t->established : t->accepted;

	return n != 0 ? (double)t->busy_cycles / (double)n : 0.0;
}

/* p50/p99 of what a histogram gained since @prev (which is then updated). */
static void
hist_period(const struct app_hist *now, struct app_hist *prev, uint64_t *p50,
	    uint64_t *p99)
{
	static struct app_hist delta;

	for (unsigned int b = 0; b < HIST_BUCKETS; b++)
		delta.count[b] = now->count[b] - prev->count[b];
	delta.max_us = now->max_us;
	*p50 = hist_percentile(&delta, 50);
	*p99 = hist_percentile(&delta, 99);
	*prev = *now;
}

/* --stats-lcores: under the period's line, one per lcore: its port and
 * queue, connections per second over the period, what software steering
 * moved, and the share of the period its loop did work */
static void
report_lcores(const struct app *app, double dt, FILE *f)
{
	static uint64_t prev_est[RTE_MAX_LCORE], prev_acc[RTE_MAX_LCORE];
	static uint64_t prev_busy[RTE_MAX_LCORE];
	unsigned int lc;

	RTE_LCORE_FOREACH(lc) {
		const struct app_lcore *l = &app->lcores[lc];
		const struct pmtcp_mib *m;
		uint64_t est, acc, busy;

		if (!l->active)
			continue;
		m = app_lcore_mib(l);
		est = l->established;
		acc = l->accepted;
		busy = l->busy_cycles;
		fprintf(f, "    lcore %2u port %u queue %u: est/s %8.0f acc/s %8.0f"
			" steered in %" PRIu64 " out %" PRIu64 " | busy %5.1f%%\n",
			lc, l->n_ports ? l->ports[0] : 0,
			l->n_ports ? l->queues[0] : 0,
			dt > 0 ? (double)(est - prev_est[lc]) / dt : 0.0,
			dt > 0 ? (double)(acc - prev_acc[lc]) / dt : 0.0,
			m->mib[PMTCP_MIB_Pmtcp_SteeredIn],
			m->mib[PMTCP_MIB_Pmtcp_SteeredOut],
			dt > 0 ? 100.0 * (double)(busy - prev_busy[lc]) /
				 (dt * (double)app->tsc_hz) : 0.0);
		prev_est[lc] = est;
		prev_acc[lc] = acc;
		prev_busy[lc] = busy;
	}
}

static double
run_seconds(const struct app *app)
{
	return (double)(app->end_tsc - app->start_tsc) / (double)app->tsc_hz;
}

/* Where a period starts: the counts and histograms then. */
struct meter {
	double t;
	struct app_counts total;
	struct app_hist hs, resp;
};

static void
counts_of(const struct totals *t, struct app_counts *c)
{
	c->established = t->established;
	c->accepted = t->accepted;
	c->refused = t->refused;
	c->timeout = t->timeout;
	c->reset = t->reset;
	c->unreachable = t->unreachable;
	c->local = t->local;
	c->retrans = t->retrans;
	c->resp_ok = t->resp_ok;
	c->resp_bad = t->resp_bad;
}

static void
counts_sub(const struct app_counts *a, const struct app_counts *b,
	   struct app_counts *d)
{
	d->established = a->established - b->established;
	d->accepted = a->accepted - b->accepted;
	d->refused = a->refused - b->refused;
	d->timeout = a->timeout - b->timeout;
	d->reset = a->reset - b->reset;
	d->unreachable = a->unreachable - b->unreachable;
	d->local = a->local - b->local;
	d->retrans = a->retrans - b->retrans;
	d->resp_ok = a->resp_ok - b->resp_ok;
	d->resp_bad = a->resp_bad - b->resp_bad;
}

/* The period from @m to @t into @s; @m then starts the next one. */
static void
meter_sample(struct app *app, struct meter *m, double t, struct app_sample *s)
{
	static struct totals now;

	totals_get(app, &now, true);
	s->t = t;
	s->dt = t - m->t;
	counts_of(&now, &s->total);
	counts_sub(&s->total, &m->total, &s->delta);
	s->open = now.open_now;
	s->tw = now.tw_now;
	hist_period(&now.hist, &m->hs, &s->hs_p50, &s->hs_p99);
	hist_period(&now.resp_hist, &m->resp, &s->resp_p50, &s->resp_p99);
	m->t = t;
	m->total = s->total;
}

static void
print_line(struct app *app, const struct app_sample *s, FILE *f)
{
	fprintf(f, "[%7.2fs] cps %8.0f est %9" PRIu64 " acc %9" PRIu64
		" open %6" PRIu64 " tw %6" PRIu64 " | fail ref %" PRIu64
		" tmo %" PRIu64 " rst %" PRIu64 " unr %" PRIu64 " loc %" PRIu64
		" | retr %" PRIu64 " | hs p50/p99 %" PRIu64 "/%" PRIu64 "us",
		s->t, s->dt > 0 ? (double)s->delta.established / s->dt : 0.0,
		s->total.established, s->total.accepted, s->open, s->tw,
		s->total.refused, s->total.timeout, s->total.reset,
		s->total.unreachable, s->total.local, s->total.retrans,
		s->hs_p50, s->hs_p99);
	if (app->conf.workload == WORKLOAD_REQUEST)
		fprintf(f, " | resp ok %" PRIu64 " bad %" PRIu64 " p50/p99 %" PRIu64
			"/%" PRIu64 "us", s->total.resp_ok, s->total.resp_bad,
			s->resp_p50, s->resp_p99);
	fputc('\n', f);
	if (app->conf.stats_lcores)
		report_lcores(app, s->dt, f);
	fflush(f);
}

/* The prompt's lines (`show stats`, `set stats-period`): their own
 * periods, apart from the series'. */
void
app_report_line(struct app *app, double t, FILE *f)
{
	static struct meter cli;
	struct app_sample s;

	meter_sample(app, &cli, t, &s);
	print_line(app, &s, f);
}

/* The series' meter, and where its last entry started (for
 * app_report_end()). */
static struct meter series_meter, series_before;

void
app_report_period(struct app *app, double t, FILE *f)
{
	struct app_sample s;

	series_before = series_meter;
	meter_sample(app, &series_meter, t, &s);
	app_series_add(app, &s);
	if (f != NULL)
		print_line(app, &s, f);
}

/* The run's last period, after the lcores stopped: from the last entry
 * to the end of the run. When the run ends less than half a period after
 * the last entry's (nominal) end, it is folded into that entry (taken
 * again from its own start): the series has the run's length in periods,
 * rounded to the nearest, and at least one entry; its counts add up to
 * the summary's. */
void
app_report_end(struct app *app)
{
	double t = run_seconds(app);
	struct app_sample s;

	if (app->n_series > 0 && app->series_dropped == 0 &&
	    t < ((double)app->n_series + 0.5) * app_series_period_s(app)) {
		series_meter = series_before;
		app->n_series--;
	}
	meter_sample(app, &series_meter, t, &s);
	app_series_add(app, &s);
}

static void
mib_total(const struct app *app, struct pmtcp_mib *m)
{
	const struct pmtcp_mib *in[RTE_MAX_LCORE];
	unsigned int n = 0, lc;

	RTE_LCORE_FOREACH(lc)
		if (app->lcores[lc].active)
			in[n++] = app_lcore_mib(&app->lcores[lc]);
	pmtcp_mib_sum(m, in, n);
}

void
app_report_summary(struct app *app, FILE *f)
{
	struct totals t;
	struct pmtcp_mib m;
	double secs = run_seconds(app);

	totals_get(app, &t, true);
	mib_total(app, &m);
	fprintf(f, "\n=== pmtcp summary: %.2f s ===\n", secs);
	if (app->conf.client) {
		fprintf(f, "client: attempted %" PRIu64 ", established %" PRIu64
			" (%.0f conn/s), failed: refused %" PRIu64 ", timeout %" PRIu64
			", reset %" PRIu64 ", unreachable %" PRIu64 ", local %" PRIu64
			", open at exit %" PRIu64 "\n",
			t.attempted, t.established,
			secs > 0 ? (double)t.established / secs : 0.0,
			t.refused, t.timeout, t.reset, t.unreachable, t.local,
			t.in_flight);
		fprintf(f, "handshake latency (us): p50 %" PRIu64 "  p90 %" PRIu64
			"  p99 %" PRIu64 "  max %" PRIu64 "\n",
			hist_percentile(&t.hist, 50), hist_percentile(&t.hist, 90),
			hist_percentile(&t.hist, 99), t.hist.max_us);
		if (app->conf.workload == WORKLOAD_REQUEST)
			fprintf(f, "responses: ok %" PRIu64 ", bad %" PRIu64
				"; latency (us): p50 %" PRIu64 "  p90 %" PRIu64
				"  p99 %" PRIu64 "  max %" PRIu64 "\n",
				t.resp_ok, t.resp_bad,
				hist_percentile(&t.resp_hist, 50),
				hist_percentile(&t.resp_hist, 90),
				hist_percentile(&t.resp_hist, 99), t.resp_hist.max_us);
		fprintf(f, "closed by the client %" PRIu64 ", by the peer (reset/timeout) %" PRIu64 "\n",
			t.done - t.closed_by_peer, t.closed_by_peer);
	}
	if (app->conf.server)
		fprintf(f, "server: accepted %" PRIu64 ", requests answered %" PRIu64
			", reset by peer %" PRIu64 "\n",
			t.accepted, t.server_requests, t.server_closed);
	fprintf(f, "cost: %" PRIu64 " busy TSC cycles, %.0f cycles/connection (TSC %.2f GHz)\n",
		t.busy_cycles,
		cycles_per_conn(&t),
		(double)app->tsc_hz / 1e9);
	fprintf(f, "mempool: %u mbufs, %u free at start, %u free at end\n",
		app->pool_size, app->pool_avail_start,
		app_pools_avail(app));
	fprintf(f, "counters (nstat style, non-zero):\n");
	pmtcp_mib_print(f, &m, 1);
}

static void
json_hist(FILE *f, const char *name, const struct app_hist *h)
{
	fprintf(f, "\"%s\": {\"p50\": %" PRIu64 ", \"p90\": %" PRIu64
		", \"p99\": %" PRIu64 ", \"max\": %" PRIu64 "}", name,
		hist_percentile(h, 50), hist_percentile(h, 90),
		hist_percentile(h, 99), h->max_us);
}

/* The log2 bucket of @us: 0 holds 0 us, k >= 1 holds [2^(k-1), 2^k - 1]. */
static unsigned int
log2_bucket(uint64_t us)
{
	return us == 0 ? 0 : 64 - (unsigned int)__builtin_clzll(us);
}

/*
 * @h in log2 buckets, as {"lo_us", "hi_us", "count"} (bounds inclusive),
 * from the first non-empty bucket to the last, the empty ones between
 * included; [] when empty. Each of @h's buckets lies within one log2
 * bucket; its overflow bucket (2^32 us and more) is counted in the one
 * of the largest latency.
 */
static void
json_hist_log2(FILE *f, const char *name, const struct app_hist *h)
{
	uint64_t n[65] = { 0 };
	int first = -1, last = -1;

	for (unsigned int b = 0; b < HIST_BUCKETS; b++)
		if (h->count[b] != 0)
			n[log2_bucket(hist_bucket_us(b, h->max_us))] += h->count[b];
	for (int k = 0; k < (int)RTE_DIM(n); k++) {
		if (n[k] == 0)
			continue;
		if (first < 0)
			first = k;
		last = k;
	}
	fprintf(f, "\"%s\": [", name);
	for (int k = first; first >= 0 && k <= last; k++) {
		uint64_t lo = k == 0 ? 0 : UINT64_C(1) << (k - 1);
		uint64_t hi = k == 0 ? 0 : k == 64 ? UINT64_MAX :
			      (UINT64_C(1) << k) - 1;

		fprintf(f, "%s{\"lo_us\": %" PRIu64 ", \"hi_us\": %" PRIu64
			", \"count\": %" PRIu64 "}", k == first ? "" : ", ",
			lo, hi, n[k]);
	}
	fprintf(f, "]");
}

/*
 * Memory reserved for connection state (each lcore's table of socks,
 * table slots and timer wheel, and the client's per-connection slots),
 * per side: a connection has an end on each side, and where both sides
 * run in one process (the loopback pair) each end is counted on its own.
 * bytes_per_connection is the client side's, over client.concurrent_max.
 */
static void
json_memory(const struct app *app, FILE *f)
{
	uint64_t cl = 0, sv = 0;
	unsigned int lc;

	RTE_LCORE_FOREACH(lc) {
		const struct app_lcore *l = &app->lcores[lc];

		if (!l->active)
			continue;
		if (l->client)
			cl += l->conn_memory;
		else
			sv += l->conn_memory;
	}
	fprintf(f, "  \"memory\": {\"client_bytes\": %" PRIu64
		", \"server_bytes\": %" PRIu64
		", \"bytes_per_connection\": %.1f"
		", \"server_bytes_per_connection\": %.1f},\n", cl, sv,
		app->concurrent_max ? (double)cl / (double)app->concurrent_max : 0.0,
		app->server_concurrent_max ?
		(double)sv / (double)app->server_concurrent_max : 0.0);
}

/* One entry per lcore: its first port and queue, and what it did */
static void
json_lcores(const struct app *app, FILE *f)
{
	bool first = true;
	unsigned int lc;

	fprintf(f, "  \"lcores\": [");
	RTE_LCORE_FOREACH(lc) {
		const struct app_lcore *l = &app->lcores[lc];
		const struct pmtcp_mib *m;

		if (!l->active)
			continue;
		m = app_lcore_mib(l);
		fprintf(f, "%s\n    {\"lcore\": %u, \"port\": %u, \"queue\": %u"
			", \"client\": %s, \"server\": %s"
			", \"established\": %" PRIu64 ", \"accepted\": %" PRIu64
			", \"steered_in\": %" PRIu64 ", \"steered_out\": %" PRIu64
			", \"busy_cycles\": %" PRIu64 ", \"wire_drops\": %" PRIu64 "}",
			first ? "" : ",", lc, l->n_ports ? l->ports[0] : 0,
			l->n_ports ? l->queues[0] : 0,
			l->client ? "true" : "false", l->server ? "true" : "false",
			l->established, l->accepted,
			m->mib[PMTCP_MIB_Pmtcp_SteeredIn],
			m->mib[PMTCP_MIB_Pmtcp_SteeredOut], l->busy_cycles,
			l->wire_drops);
		first = false;
	}
	fprintf(f, "\n  ],\n");
}

int
app_report_json(struct app *app, const char *path)
{
	struct totals t;
	struct pmtcp_mib m;
	double secs = run_seconds(app);
	static const char *const groups[] = { "Ip", "Tcp", "TcpExt", "Arp", "Pmtcp" };
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		app_err("--json %s: %s", path, strerror(errno));
		return -1;
	}
	totals_get(app, &t, true);
	mib_total(app, &m);
	fprintf(f, "{\n  \"version\": \"%s\",\n", pmtcp_version());
	fprintf(f, "  \"duration_s\": %.6f,\n", secs);
	fprintf(f, "  \"client\": {\"attempted\": %" PRIu64 ", \"established\": %" PRIu64
		", \"failed\": {\"refused\": %" PRIu64 ", \"timeout\": %" PRIu64
		", \"reset\": %" PRIu64 ", \"unreachable\": %" PRIu64
		", \"local\": %" PRIu64 "}, \"open_at_exit\": %" PRIu64
		", \"closed\": %" PRIu64 ", \"closed_by_peer\": %" PRIu64
		", \"responses\": {\"ok\": %" PRIu64 ", \"bad\": %" PRIu64 "}"
		", \"cps\": %.1f, \"concurrent_max\": %" PRIu64 "},\n",
		t.attempted, t.established, t.refused, t.timeout, t.reset,
		t.unreachable, t.local, t.in_flight, t.done, t.closed_by_peer,
		t.resp_ok, t.resp_bad,
		secs > 0 ? (double)t.established / secs : 0.0,
		app->concurrent_max);
	fprintf(f, "  \"server\": {\"accepted\": %" PRIu64 ", \"requests\": %" PRIu64
		", \"reset_by_peer\": %" PRIu64 ", \"concurrent_max\": %" PRIu64 "},\n",
		t.accepted, t.server_requests, t.server_closed,
		app->server_concurrent_max);
	json_memory(app, f);
	json_lcores(app, f);
	fprintf(f, "  \"latency_us\": {");
	json_hist(f, "handshake", &t.hist);
	fprintf(f, ", ");
	json_hist(f, "response", &t.resp_hist);
	fprintf(f, ",\n    \"histogram\": {");
	json_hist_log2(f, "handshake", &t.hist);
	fprintf(f, ",\n      ");
	json_hist_log2(f, "response", &t.resp_hist);
	fprintf(f, "}},\n");
	fprintf(f, "  \"cycles\": {\"busy\": %" PRIu64 ", \"per_connection\": %.1f, \"tsc_hz\": %" PRIu64 "},\n",
		t.busy_cycles,
		cycles_per_conn(&t),
		app->tsc_hz);
	fprintf(f, "  \"mib\": {");
	for (unsigned int g = 0; g < RTE_DIM(groups); g++) {
		bool first = true;

		fprintf(f, "%s\n    \"%s\": {", g ? "," : "", groups[g]);
		for (int i = 0; i < PMTCP_MIB_MAX; i++) {
			if (strcmp(pmtcp_mib_group(i), groups[g]) != 0)
				continue;
			fprintf(f, "%s\"%s\": %" PRId64, first ? "" : ", ",
				pmtcp_mib_name(i), (int64_t)m.mib[i]);
			first = false;
		}
		fprintf(f, "}");
	}
	fprintf(f, "\n  },\n  \"drops\": {");
	for (int i = 0; i < PMTCP_DROP_MAX; i++)
		fprintf(f, "%s\"%s\": %" PRIu64, i ? ", " : "", pmtcp_drop_name(i),
			m.drop[i]);
	fprintf(f, "},\n  \"ports\": [");
	for (unsigned int i = 0; i < app->n_ports; i++) {
		struct rte_eth_stats s;

		memset(&s, 0, sizeof(s));
		rte_eth_stats_get(app->ports[i].port_id, &s);
		fprintf(f, "%s\n    {\"port\": %u, \"driver\": \"%s\", \"profile\": \"%s\", "
			"\"ipackets\": %" PRIu64 ", \"opackets\": %" PRIu64
			", \"imissed\": %" PRIu64 ", \"oerrors\": %" PRIu64 "}",
			i ? "," : "", app->ports[i].port_id, app->ports[i].driver,
			app->ports[i].profile.name, s.ipackets, s.opackets,
			s.imissed, s.oerrors);
	}
	fprintf(f, "\n  ],\n  \"mempool\": {\"size\": %u, \"avail_start\": %u, \"avail_end\": %u},\n",
		app->pool_size, app->pool_avail_start,
		app_pools_avail(app));
	app_capture_json(f);
	app_series_json(app, f);
	fprintf(f, "}\n");
	if (fclose(f) != 0) {
		app_err("--json %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
