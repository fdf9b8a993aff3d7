/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The series: one entry per stats period (report.c takes them), kept for
 * the JSON's series[] and for --csv. Grown by doubling from the number of
 * periods --duration holds, up to APP_SERIES_MAX entries.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

/* The series' period: --stats-period, or 1 s when the lines are off
 * (--stats-period 0). */
double
app_series_period_s(const struct app *app)
{
	return app->conf.stats_period_s > 0 ? app->conf.stats_period_s : 1.0;
}

void
app_series_add(struct app *app, const struct app_sample *s)
{
	if (app->n_series == app->series_cap) {
		double periods = app->conf.duration_s / app_series_period_s(app);
		uint32_t cap = app->series_cap * 2;
		struct app_sample *p;

		if (cap == 0)
			cap = periods > 0 && periods < APP_SERIES_MAX ?
			      (uint32_t)periods + 2 : 64;
		cap = RTE_MIN(cap, (uint32_t)APP_SERIES_MAX);
		p = cap > app->series_cap ?
		    realloc(app->series, cap * sizeof(*p)) : NULL;
		if (p == NULL) {
			app->series_dropped++;
			return;
		}
		app->series = p;
		app->series_cap = cap;
	}
	app->series[app->n_series++] = *s;
}

void
app_series_free(struct app *app)
{
	free(app->series);
	app->series = NULL;
	app->n_series = 0;
	app->series_cap = 0;
}

static double
sample_cps(const struct app_sample *s)
{
	return s->dt > 0 ? (double)s->delta.established / s->dt : 0.0;
}

/* The JSON's last keys: series_period_s, series_dropped, series[]. */
void
app_series_json(const struct app *app, FILE *f)
{
	fprintf(f, "  \"series_period_s\": %.6f,\n  \"series_dropped\": %" PRIu64
		",\n  \"series\": [", app_series_period_s(app),
		app->series_dropped);
	for (uint32_t i = 0; i < app->n_series; i++) {
		const struct app_sample *s = &app->series[i];
		const struct app_counts *d = &s->delta;

		fprintf(f, "%s\n    {\"t\": %.6f, \"dt\": %.6f, \"cps\": %.1f"
			", \"established\": %" PRIu64
			", \"established_total\": %" PRIu64
			", \"accepted\": %" PRIu64 ", \"accepted_total\": %" PRIu64
			", \"failed\": {\"refused\": %" PRIu64 ", \"timeout\": %" PRIu64
			", \"reset\": %" PRIu64 ", \"unreachable\": %" PRIu64
			", \"local\": %" PRIu64 "}, \"retrans\": %" PRIu64
			", \"open\": %" PRIu64 ", \"time_wait\": %" PRIu64
			", \"handshake_us\": {\"p50\": %" PRIu64 ", \"p99\": %" PRIu64
			"}, \"responses\": {\"ok\": %" PRIu64 ", \"bad\": %" PRIu64
			"}, \"response_us\": {\"p50\": %" PRIu64 ", \"p99\": %" PRIu64
			"}}", i ? "," : "", s->t, s->dt, sample_cps(s),
			d->established, s->total.established, d->accepted,
			s->total.accepted, d->refused, d->timeout, d->reset,
			d->unreachable, d->local, d->retrans, s->open, s->tw,
			s->hs_p50, s->hs_p99, d->resp_ok, d->resp_bad,
			s->resp_p50, s->resp_p99);
	}
	fprintf(f, "\n  ]\n");
}

/* --csv FILE: the series, a header line then one row per entry, the
 * values as in the JSON's series[] (docs/options.md#--csv). */
int
app_series_csv(const struct app *app, const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		app_err("--csv %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "t,dt,cps,established,established_total,accepted,"
		"accepted_total,failed_refused,failed_timeout,failed_reset,"
		"failed_unreachable,failed_local,retrans,open,time_wait,"
		"hs_p50_us,hs_p99_us,responses_ok,responses_bad,resp_p50_us,"
		"resp_p99_us\n");
	for (uint32_t i = 0; i < app->n_series; i++) {
		const struct app_sample *s = &app->series[i];
		const struct app_counts *d = &s->delta;

		fprintf(f, "%.6f,%.6f,%.1f,%" PRIu64 ",%" PRIu64 ",%" PRIu64
			",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
			",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
			",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
			"\n", s->t, s->dt, sample_cps(s), d->established,
			s->total.established, d->accepted, s->total.accepted,
			d->refused, d->timeout, d->reset, d->unreachable, d->local,
			d->retrans, s->open, s->tw, s->hs_p50, s->hs_p99,
			d->resp_ok, d->resp_bad, s->resp_p50, s->resp_p99);
	}
	if (fclose(f) != 0) {
		app_err("--csv %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
