/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * timer_wheel.c: O(1) arm/cancel links, exact expiry tick, timers beyond
 * the wheel's span (level 1, cascaded once into level 0, and beyond the
 * span of level 1 too), callbacks that re-arm or cancel, far-behind
 * advance, and random timers against a reference.
 * The wheel is driven by synthetic TSC values (tsc_base + k * tsc_per_tick),
 * so nothing here depends on the real clock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_memory.h>

#include "test_common.h"
#include "timer_wheel.h"

#define T_SLOTS 16
#define T_TSC_PER_TICK 1000ULL
#define T_TSC_BASE 5000000ULL
#define T_MAX_TIMERS 64
#define T_LOG_MAX 512

/* A test timer: the node plus what its callback should do. */
struct t_tmr {
	struct pmtcp_timer t;
	int id;
	unsigned int fired;        /* times fired */
	uint64_t fired_at;         /* wheel->now at the last firing */
	uint64_t rearm;            /* re-arm this many ticks from the callback */
	unsigned int rearm_left;   /* ... this many more times */
	struct t_tmr *cancel;      /* cancel this one from the callback */
};

/* Context shared by the callbacks of one test. */
struct t_ctx {
	struct pmtcp_timer_wheel w;
	struct t_tmr tmr[T_MAX_TIMERS];
	int log_id[T_LOG_MAX];
	uint64_t log_tick[T_LOG_MAX];
	unsigned int nlog;
};

static void
t_fire(struct pmtcp_timer *t, void *arg)
{
	struct t_ctx *c = arg;
	struct t_tmr *x = container_of(t, struct t_tmr, t);

	/* the wheel disarms a timer before calling back */
	assert_false(pmtcp_timer_pending(t));
	x->fired++;
	x->fired_at = c->w.now;
	assert_true(c->nlog < T_LOG_MAX);
	c->log_id[c->nlog] = x->id;
	c->log_tick[c->nlog] = c->w.now;
	c->nlog++;
	if (x->cancel != NULL)
		pmtcp_timer_cancel(&c->w, &x->cancel->t);
	if (x->rearm != 0 && x->rearm_left > 0) {
		x->rearm_left--;
		pmtcp_timer_arm(&c->w, &x->t, x->rearm);
	}
}

static struct t_ctx *
ctx_new(uint32_t nslots)
{
	struct t_ctx *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	assert_int_equal(pmtcp_timer_wheel_init(&c->w, nslots, T_TSC_PER_TICK,
						T_TSC_BASE, SOCKET_ID_ANY), 0);
	for (int i = 0; i < T_MAX_TIMERS; i++) {
		pmtcp_timer_init(&c->tmr[i].t);
		c->tmr[i].id = i;
	}
	return c;
}

static void
ctx_free(struct t_ctx *c)
{
	pmtcp_timer_wheel_fini(&c->w);
	assert_null(c->w.slots);
	free(c);
}

/* Advance the wheel to tick @k; returns timers fired. */
static unsigned int
adv(struct t_ctx *c, uint64_t k)
{
	return pmtcp_timer_wheel_advance(&c->w,
					 c->w.tsc_base + k * c->w.tsc_per_tick,
					 t_fire, c);
}

static void
test_init_args(void **state)
{
	struct pmtcp_timer_wheel w;

	(void)state;
	memset(&w, 0, sizeof(w));
	assert_int_equal(pmtcp_timer_wheel_init(&w, 0, 1000, 0, SOCKET_ID_ANY),
			 -EINVAL);
	assert_int_equal(pmtcp_timer_wheel_init(&w, 12, 1000, 0, SOCKET_ID_ANY),
			 -EINVAL);
	assert_int_equal(pmtcp_timer_wheel_init(&w, 16, 0, 0, SOCKET_ID_ANY),
			 -EINVAL);
	assert_int_equal(pmtcp_timer_wheel_init(&w, 16, 1000, 77, SOCKET_ID_ANY),
			 0);
	assert_int_equal(w.mask, 15);
	assert_int_equal(w.now, 0);
	assert_int_equal(w.armed, 0);
	assert_int_equal(w.tsc_base, 77);
	assert_int_equal(pmtcp_timer_wheel_check(&w), 0);
	pmtcp_timer_wheel_fini(&w);
}

/* Arm and cancel keep the per-slot lists intact, in any position. */
static void
test_arm_cancel_links(void **state)
{
	struct t_ctx *c = ctx_new(T_SLOTS);
	struct pmtcp_timer_wheel *w = &c->w;

	(void)state;
	/* ids 0, 1, 2 share slot 3 (ticks 3, 19, 35); id 3 is alone */
	pmtcp_timer_arm(w, &c->tmr[0].t, 3);
	assert_int_equal(pmtcp_timer_wheel_check(w), 1);
	pmtcp_timer_arm(w, &c->tmr[1].t, 19);
	pmtcp_timer_arm(w, &c->tmr[2].t, 35);
	pmtcp_timer_arm(w, &c->tmr[3].t, 7);
	assert_int_equal(pmtcp_timer_wheel_check(w), 4);
	assert_int_equal(w->armed, 4);
	for (int i = 0; i < 4; i++)
		assert_true(pmtcp_timer_pending(&c->tmr[i].t));
	assert_int_equal(c->tmr[0].t.expires, 3);
	assert_int_equal(c->tmr[1].t.expires, 19);
	assert_int_equal(c->tmr[2].t.expires, 35);

	/* the middle of slot 3's chain (head is the last armed: id 2) */
	pmtcp_timer_cancel(w, &c->tmr[1].t);
	assert_false(pmtcp_timer_pending(&c->tmr[1].t));
	assert_int_equal(pmtcp_timer_wheel_check(w), 3);
	/* the head */
	pmtcp_timer_cancel(w, &c->tmr[2].t);
	assert_int_equal(pmtcp_timer_wheel_check(w), 2);
	/* re-arming an armed timer moves it, the count stays */
	pmtcp_timer_arm(w, &c->tmr[0].t, 9);
	assert_int_equal(c->tmr[0].t.expires, 9);
	assert_int_equal(pmtcp_timer_wheel_check(w), 2);
	assert_int_equal(w->armed, 2);
	/* ticks == 0 is taken as 1 */
	pmtcp_timer_arm(w, &c->tmr[4].t, 0);
	assert_int_equal(c->tmr[4].t.expires, 1);
	assert_int_equal(pmtcp_timer_wheel_check(w), 3);

	pmtcp_timer_cancel(w, &c->tmr[0].t);
	pmtcp_timer_cancel(w, &c->tmr[3].t);
	pmtcp_timer_cancel(w, &c->tmr[4].t);
	assert_int_equal(pmtcp_timer_wheel_check(w), 0);
	assert_int_equal(w->armed, 0);
	for (int i = 0; i < T_SLOTS; i++)
		assert_null(w->slots[i]);
	/* nothing fires afterwards */
	assert_int_equal(adv(c, 64), 0);
	assert_int_equal(c->nlog, 0);
	ctx_free(c);
}

/* A timer armed for 5 ticks fires at tick 5, not 4; order follows expiry. */
static void
test_exact_tick_and_order(void **state)
{
	static const uint64_t ticks[] = { 5, 1, 3, 7, 3, 12 };
	struct t_ctx *c = ctx_new(T_SLOTS);
	struct pmtcp_timer_wheel *w = &c->w;

	(void)state;
	for (unsigned int i = 0; i < RTE_DIM(ticks); i++)
		pmtcp_timer_arm(w, &c->tmr[i].t, ticks[i]);
	assert_int_equal(pmtcp_timer_wheel_check(w), RTE_DIM(ticks));

	/* one TSC cycle short of tick 1: nothing */
	assert_int_equal(pmtcp_timer_wheel_advance(w, w->tsc_base +
			 T_TSC_PER_TICK - 1, t_fire, c), 0);
	assert_int_equal(w->now, 0);
	/* a TSC before the base does nothing either */
	assert_int_equal(pmtcp_timer_wheel_advance(w, w->tsc_base - 1, t_fire, c), 0);

	assert_int_equal(adv(c, 1), 1);
	assert_int_equal(c->log_id[0], 1);
	assert_int_equal(c->log_tick[0], 1);
	assert_int_equal(adv(c, 2), 0);
	assert_int_equal(adv(c, 3), 2);
	assert_int_equal(c->log_tick[1], 3);
	assert_int_equal(c->log_tick[2], 3);
	assert_true((c->log_id[1] == 2 && c->log_id[2] == 4) ||
		    (c->log_id[1] == 4 && c->log_id[2] == 2));
	assert_int_equal(adv(c, 4), 0);
	assert_int_equal(c->tmr[0].fired, 0);
	/* mid-tick 5 counts as tick 5 */
	assert_int_equal(pmtcp_timer_wheel_advance(w, w->tsc_base +
			 5 * T_TSC_PER_TICK + T_TSC_PER_TICK / 2, t_fire, c), 1);
	assert_int_equal(c->log_id[3], 0);
	assert_int_equal(c->tmr[0].fired_at, 5);
	/* several ticks at once (within the span): 7 then 12, in order */
	assert_int_equal(adv(c, 15), 2);
	assert_int_equal(c->log_id[4], 3);
	assert_int_equal(c->log_tick[4], 7);
	assert_int_equal(c->log_id[5], 5);
	assert_int_equal(c->log_tick[5], 12);
	assert_int_equal(w->now, 15);
	assert_int_equal(c->nlog, RTE_DIM(ticks));
	for (unsigned int i = 0; i < RTE_DIM(ticks); i++) {
		assert_int_equal(c->tmr[i].fired, 1);
		assert_int_equal(c->tmr[i].fired_at, ticks[i]);
		assert_false(pmtcp_timer_pending(&c->tmr[i].t));
	}
	assert_int_equal(w->armed, 0);
	assert_int_equal(pmtcp_timer_wheel_check(w), 0);
	/* arming is relative to the wheel's current tick */
	pmtcp_timer_arm(w, &c->tmr[0].t, 5);
	assert_int_equal(c->tmr[0].t.expires, 20);
	assert_int_equal(adv(c, 19), 0);
	assert_int_equal(adv(c, 20), 1);
	assert_int_equal(c->tmr[0].fired_at, 20);
	ctx_free(c);
}

/* nslots 16, armed for 40 ticks: its slot comes round at 8 and 24 first. */
static void
test_beyond_span(void **state)
{
	struct t_ctx *c = ctx_new(T_SLOTS);
	struct pmtcp_timer_wheel *w = &c->w;

	(void)state;
	pmtcp_timer_arm(w, &c->tmr[0].t, 40);
	assert_int_equal(c->tmr[0].t.expires, 40);
	for (uint64_t k = 1; k < 40; k++) {
		assert_int_equal(adv(c, k), 0);
		assert_int_equal(pmtcp_timer_wheel_check(w), 1);
	}
	assert_int_equal(adv(c, 40), 1);
	assert_int_equal(c->tmr[0].fired_at, 40);
	assert_int_equal(pmtcp_timer_wheel_check(w), 0);

	/* the same through jumps: 40 -> 48 (slot 8), -> 64 (far behind,
	 * every slot visited), -> 79, -> 80 */
	pmtcp_timer_arm(w, &c->tmr[1].t, 40);   /* expires 80 */
	pmtcp_timer_arm(w, &c->tmr[2].t, 41);   /* expires 81, other slot */
	assert_int_equal(adv(c, 48), 0);
	assert_int_equal(adv(c, 64), 0);
	assert_int_equal(adv(c, 79), 0);
	assert_int_equal(pmtcp_timer_wheel_check(w), 2);
	assert_int_equal(adv(c, 80), 1);
	assert_int_equal(c->tmr[1].fired_at, 80);
	assert_int_equal(c->tmr[2].fired, 0);
	assert_int_equal(adv(c, 81), 1);
	assert_int_equal(c->tmr[2].fired_at, 81);
	assert_int_equal(c->nlog, 3);
	ctx_free(c);
}

/* A callback re-arms its own timer: periodic firing, and a re-arm by
 * exactly the span lands in the slot being run without firing again. */
static void
test_rearm_in_callback(void **state)
{
	struct t_ctx *c = ctx_new(T_SLOTS);
	struct pmtcp_timer_wheel *w = &c->w;

	(void)state;
	c->tmr[0].rearm = 3;
	c->tmr[0].rearm_left = 5;
	pmtcp_timer_arm(w, &c->tmr[0].t, 3);
	c->tmr[1].rearm = T_SLOTS;      /* same slot, next round */
	c->tmr[1].rearm_left = 2;
	pmtcp_timer_arm(w, &c->tmr[1].t, 2);
	for (uint64_t k = 1; k <= 40; k++) {
		unsigned int n = adv(c, k);

		assert_int_equal(n, (k % 3 == 0 && k <= 18) +
				 (k == 2 || k == 18 || k == 34));
		assert_true(pmtcp_timer_wheel_check(w) >= 0);
	}
	assert_int_equal(c->tmr[0].fired, 6);
	assert_int_equal(c->tmr[0].fired_at, 18);
	assert_int_equal(c->tmr[1].fired, 3);
	assert_int_equal(c->tmr[1].fired_at, 34);
	assert_int_equal(w->armed, 0);
	assert_int_equal(pmtcp_timer_wheel_check(w), 0);
	ctx_free(c);
}

/* A callback cancels another timer: in the same slot (the one the wheel
 * would run next) and in a later slot. */
static void
test_cancel_other_in_callback(void **state)
{
	struct t_ctx *c = ctx_new(T_SLOTS);
	struct pmtcp_timer_wheel *w = &c->w;

	(void)state;
	/* 0 and 1 both at tick 5, each cancels the other: exactly one fires */
	c->tmr[0].cancel = &c->tmr[1];
	c->tmr[1].cancel = &c->tmr[0];
	pmtcp_timer_arm(w, &c->tmr[0].t, 5);
	pmtcp_timer_arm(w, &c->tmr[1].t, 5);
	/* 2 at tick 4 cancels 3 (tick 9); 4 and 5 (tick 21) share slot 5
	 * with 0 and 1 and are skipped while it runs at tick 5 */
	c->tmr[2].cancel = &c->tmr[3];
	pmtcp_timer_arm(w, &c->tmr[2].t, 4);
	pmtcp_timer_arm(w, &c->tmr[3].t, 9);
	pmtcp_timer_arm(w, &c->tmr[4].t, 21);
	pmtcp_timer_arm(w, &c->tmr[5].t, 5 + T_SLOTS);
	assert_int_equal(pmtcp_timer_wheel_check(w), 6);

	assert_int_equal(adv(c, 4), 1);
	assert_false(pmtcp_timer_pending(&c->tmr[3].t));
	assert_int_equal(pmtcp_timer_wheel_check(w), 4);
	assert_int_equal(adv(c, 5), 1);
	assert_int_equal(c->tmr[0].fired + c->tmr[1].fired, 1);
	assert_false(pmtcp_timer_pending(&c->tmr[0].t));
	assert_false(pmtcp_timer_pending(&c->tmr[1].t));
	assert_int_equal(pmtcp_timer_wheel_check(w), 2);
	assert_int_equal(adv(c, 20), 0);
	assert_int_equal(c->tmr[3].fired, 0);
	assert_int_equal(adv(c, 21), 2);
	assert_int_equal(c->tmr[4].fired_at, 21);
	assert_int_equal(c->tmr[5].fired_at, 21);
	assert_int_equal(c->nlog, 4);
	assert_int_equal(w->armed, 0);
	assert_int_equal(pmtcp_timer_wheel_check(w), 0);
	ctx_free(c);
}

/* Jump 1000 ticks at once: everything expired fires exactly once, what is
 * still in the future does not. */
static void
test_far_behind(void **state)
{
	struct t_ctx *c = ctx_new(T_SLOTS);
	struct pmtcp_timer_wheel *w = &c->w;
	unsigned int n;

	(void)state;
	for (int i = 0; i < 50; i++)              /* ticks 1..50 */
		pmtcp_timer_arm(w, &c->tmr[i].t, (uint64_t)i + 1);
	pmtcp_timer_arm(w, &c->tmr[50].t, 1000);
	pmtcp_timer_arm(w, &c->tmr[51].t, 1001);
	pmtcp_timer_arm(w, &c->tmr[52].t, 2000);
	pmtcp_timer_arm(w, &c->tmr[53].t, 999);
	/* re-arms itself once by 1 tick from inside the jump */
	c->tmr[54].rearm = 1;
	c->tmr[54].rearm_left = 1;
	pmtcp_timer_arm(w, &c->tmr[54].t, 600);
	assert_int_equal(pmtcp_timer_wheel_check(w), 55);

	n = adv(c, 1000);
	assert_int_equal(n, 53);
	assert_int_equal(w->now, 1000);
	for (int i = 0; i < 51; i++)
		assert_int_equal(c->tmr[i].fired, 1);
	assert_int_equal(c->tmr[53].fired, 1);
	assert_int_equal(c->tmr[54].fired, 1);
	assert_int_equal(c->tmr[51].fired, 0);
	assert_int_equal(c->tmr[52].fired, 0);
	/* 51 (1001), 52 (2000) and 54 (re-armed: 1001) remain */
	assert_int_equal(pmtcp_timer_wheel_check(w), 3);
	assert_int_equal(c->tmr[54].t.expires, 1001);

	assert_int_equal(adv(c, 1001), 2);
	assert_int_equal(c->tmr[51].fired_at, 1001);
	assert_int_equal(c->tmr[54].fired, 2);
	assert_int_equal(c->tmr[54].fired_at, 1001);
	/* a second jump past 2000 */
	assert_int_equal(adv(c, 1999), 0);
	assert_int_equal(adv(c, 5000), 1);
	assert_int_equal(c->tmr[52].fired, 1);
	assert_int_equal(c->nlog, 56);
	assert_int_equal(w->armed, 0);
	assert_int_equal(pmtcp_timer_wheel_check(w), 0);
	ctx_free(c);
}

/* The timer is in level 0 (true) or level 1 */
static bool
in_level0(const struct pmtcp_timer_wheel *w, const struct pmtcp_timer *t)
{
	return (const void *)t->pprev >= (const void *)w->slots &&
	       (const void *)t->pprev <= (const void *)&w->slots[w->mask];
}

/* A timer beyond a revolution waits in level 1, untouched by the ticks
 * of level 0, and moves to level 0 once, when its revolution begins;
 * one beyond level 1's whole span (16 x 256 ticks here) is cascaded back
 * into level 1 once per lap and still fires at its tick. */
static void
test_levels(void **state)
{
	struct t_ctx *c = ctx_new(T_SLOTS);
	struct pmtcp_timer_wheel *w = &c->w;
	const uint64_t far = (uint64_t)T_SLOTS * PMTCP_WHEEL_L1_SLOTS * 2 + 7;

	(void)state;
	pmtcp_timer_arm(w, &c->tmr[0].t, 40);     /* revolution 2 */
	pmtcp_timer_arm(w, &c->tmr[1].t, T_SLOTS);    /* the next one */
	pmtcp_timer_arm(w, &c->tmr[2].t, T_SLOTS - 1); /* this lap of level 0 */
	pmtcp_timer_arm(w, &c->tmr[3].t, far);
	assert_false(in_level0(w, &c->tmr[0].t));
	assert_false(in_level0(w, &c->tmr[1].t));
	assert_true(in_level0(w, &c->tmr[2].t));
	assert_false(in_level0(w, &c->tmr[3].t));
	for (uint64_t k = 1; k < 32; k++) {
		adv(c, k);
		assert_false(in_level0(w, &c->tmr[0].t));
		assert_true(pmtcp_timer_wheel_check(w) >= 0);
	}
	assert_int_equal(c->tmr[1].fired_at, T_SLOTS);
	assert_int_equal(c->tmr[2].fired_at, T_SLOTS - 1);
	adv(c, 32);                                /* revolution 2 begins */
	assert_true(in_level0(w, &c->tmr[0].t));
	assert_int_equal(adv(c, 39), 0);
	assert_int_equal(adv(c, 40), 1);
	assert_int_equal(c->tmr[0].fired_at, 40);
	/* the far one, in steps and in one jump */
	for (uint64_t k = 41; k < far; k += 97) {
		assert_int_equal(adv(c, k), 0);
		assert_int_equal(pmtcp_timer_wheel_check(w), 1);
	}
	assert_int_equal(adv(c, far - 1), 0);
	assert_int_equal(adv(c, far), 1);
	assert_int_equal(c->tmr[3].fired_at, far);
	pmtcp_timer_arm(w, &c->tmr[4].t, far);
	assert_int_equal(adv(c, 2 * far - 1), 0);
	assert_int_equal(adv(c, 2 * far), 1);
	assert_int_equal(c->tmr[4].fired_at, 2 * far);
	assert_int_equal(pmtcp_timer_wheel_check(w), 0);
	ctx_free(c);
}

/* Random timers (1 to 10,000 ticks, past level 1's span), random
 * cancels and re-arms, the wheel advanced by random jumps: each timer
 * fires exactly once, at its expiry tick, and the wheel stays sound. */
static void
test_random_against_reference(void **state)
{
	struct t_ctx *c = ctx_new(T_SLOTS);
	struct pmtcp_timer_wheel *w = &c->w;
	uint64_t want[T_MAX_TIMERS], now = 0;
	uint32_t seed = 4242;
	unsigned int fired_total = 0, expected = 0;

	(void)state;
	memset(want, 0, sizeof(want));
	for (int round = 0; round < 3000; round++) {
		int i;

		seed = seed * 1103515245 + 12345;
		i = (int)((seed >> 16) % T_MAX_TIMERS);
		if ((seed >> 8) % 4 == 0) {
			if (pmtcp_timer_pending(&c->tmr[i].t))
				expected--;
			pmtcp_timer_cancel(w, &c->tmr[i].t);
			want[i] = 0;
		} else {
			uint64_t d = 1 + (seed >> 4) % 10000;

			if (!pmtcp_timer_pending(&c->tmr[i].t))
				expected++;
			c->tmr[i].fired = 0;
			pmtcp_timer_arm(w, &c->tmr[i].t, d);
			want[i] = w->clock + d;
		}
		now += (seed >> 12) % 64;
		fired_total += adv(c, now);
		for (int k = 0; k < T_MAX_TIMERS; k++) {
			if (want[k] != 0 && want[k] <= now) {
				assert_int_equal(c->tmr[k].fired, 1);
				assert_int_equal(c->tmr[k].fired_at, want[k]);
				want[k] = 0;
				expected--;
			}
		}
		assert_int_equal(pmtcp_timer_wheel_check(w), (int64_t)expected);
	}
	assert_true(fired_total > 100);
	ctx_free(c);
}

/* Cancelling an unarmed (or already fired) timer changes nothing. */
static void
test_cancel_unarmed(void **state)
{
	struct t_ctx *c = ctx_new(T_SLOTS);
	struct pmtcp_timer_wheel *w = &c->w;

	(void)state;
	pmtcp_timer_arm(w, &c->tmr[1].t, 2);
	pmtcp_timer_cancel(w, &c->tmr[0].t);          /* never armed */
	assert_int_equal(w->armed, 1);
	assert_int_equal(pmtcp_timer_wheel_check(w), 1);
	pmtcp_timer_arm(w, &c->tmr[0].t, 2);
	pmtcp_timer_cancel(w, &c->tmr[0].t);
	pmtcp_timer_cancel(w, &c->tmr[0].t);          /* twice */
	assert_int_equal(w->armed, 1);
	assert_int_equal(pmtcp_timer_wheel_check(w), 1);
	assert_int_equal(adv(c, 2), 1);
	assert_int_equal(c->tmr[0].fired, 0);
	pmtcp_timer_cancel(w, &c->tmr[1].t);          /* already fired */
	assert_int_equal(w->armed, 0);
	assert_int_equal(pmtcp_timer_wheel_check(w), 0);
	ctx_free(c);
}

/* The armed count returns to 0; an idle wheel still keeps time. */
static void
test_armed_count_idle(void **state)
{
	struct t_ctx *c = ctx_new(T_SLOTS);
	struct pmtcp_timer_wheel *w = &c->w;

	(void)state;
	for (int i = 0; i < 40; i++) {
		pmtcp_timer_arm(w, &c->tmr[i].t, (uint64_t)(i % 7) + 1);
		assert_int_equal(w->armed, (uint64_t)i + 1);
	}
	for (int i = 0; i < 40; i += 2)
		pmtcp_timer_cancel(w, &c->tmr[i].t);
	assert_int_equal(pmtcp_timer_wheel_check(w), 20);
	assert_int_equal(adv(c, 7), 20);
	assert_int_equal(w->armed, 0);
	assert_int_equal(pmtcp_timer_wheel_check(w), 0);
	/* idle: now jumps straight to the target */
	assert_int_equal(adv(c, 12345), 0);
	assert_int_equal(w->now, 12345);
	pmtcp_timer_arm(w, &c->tmr[0].t, 5);
	assert_int_equal(adv(c, 12349), 0);
	assert_int_equal(adv(c, 12350), 1);
	assert_int_equal(c->tmr[0].fired_at, 12350);
	assert_int_equal(w->armed, 0);
	ctx_free(c);
}

static void
test_ms_to_ticks(void **state)
{
	struct pmtcp_timer_wheel w;
	uint64_t per_ms = rte_get_tsc_hz() / 1000;

	(void)state;
	assert_true(per_ms > 0);
	assert_int_equal(pmtcp_timer_wheel_init(&w, 16, per_ms, 0, SOCKET_ID_ANY), 0);
	assert_int_equal(pmtcp_timer_ms_to_ticks(&w, 200), 200);
	assert_int_equal(pmtcp_timer_ms_to_ticks(&w, 1000), 1000);
	assert_int_equal(pmtcp_timer_ms_to_ticks(&w, 0), 1);
	pmtcp_timer_wheel_fini(&w);
	/* 10 ms ticks: 25 ms rounds down to 2, 5 ms is at least 1 */
	assert_int_equal(pmtcp_timer_wheel_init(&w, 16, per_ms * 10, 0, SOCKET_ID_ANY), 0);
	assert_int_equal(pmtcp_timer_ms_to_ticks(&w, 25), 2);
	assert_int_equal(pmtcp_timer_ms_to_ticks(&w, 5), 1);
	pmtcp_timer_wheel_fini(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_args),
		cmocka_unit_test(test_arm_cancel_links),
		cmocka_unit_test(test_exact_tick_and_order),
		cmocka_unit_test(test_beyond_span),
		cmocka_unit_test(test_rearm_in_callback),
		cmocka_unit_test(test_cancel_other_in_callback),
		cmocka_unit_test(test_far_behind),
		cmocka_unit_test(test_cancel_unarmed),
		cmocka_unit_test(test_armed_count_idle),
		cmocka_unit_test(test_ms_to_ticks),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_random_against_reference),
	};

	return cmocka_run_group_tests(tests, t_eal_setup, NULL);
}
