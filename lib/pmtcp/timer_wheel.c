/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_malloc.h>

#include "timer_wheel.h"

int
pmtcp_timer_wheel_init(struct pmtcp_timer_wheel *w, uint32_t nslots,
		       uint64_t tsc_per_tick, uint64_t now_tsc, int socket)
{
	if (nslots == 0 || !rte_is_power_of_2(nslots) || tsc_per_tick == 0)
		return -EINVAL;
	w->slots = rte_zmalloc_socket("pmtcp_timer_wheel",
				      sizeof(*w->slots) * nslots,
				      RTE_CACHE_LINE_SIZE, socket);
	w->slots1 = rte_zmalloc_socket("pmtcp_timer_wheel1",
				       sizeof(*w->slots1) * PMTCP_WHEEL_L1_SLOTS,
				       RTE_CACHE_LINE_SIZE, socket);
	if (w->slots == NULL || w->slots1 == NULL) {
		pmtcp_timer_wheel_fini(w);
		return -ENOMEM;
	}
	w->mask = nslots - 1;
	w->shift = (uint32_t)rte_bsf32(nslots);
	w->now = 0;
	w->clock = 0;
	w->armed = 0;
	w->tsc_per_tick = tsc_per_tick;
	w->tsc_base = now_tsc;
	return 0;
}

void
pmtcp_timer_wheel_fini(struct pmtcp_timer_wheel *w)
{
	rte_free(w->slots);
	rte_free(w->slots1);
	w->slots = NULL;
	w->slots1 = NULL;
}

/* The slot for @t: level 0 when due within a revolution of the wheel's
 * position, else level 1 by the revolution it is due in */
static inline struct pmtcp_timer **
timer_slot(struct pmtcp_timer_wheel *w, const struct pmtcp_timer *t)
{
	if (t->expires - w->now <= w->mask)
		return &w->slots[t->expires & w->mask];
	return &w->slots1[(t->expires >> w->shift) & (PMTCP_WHEEL_L1_SLOTS - 1)];
}

static inline void
timer_link(struct pmtcp_timer **slot, struct pmtcp_timer *t)
{
	t->next = *slot;
	if (t->next != NULL)
		t->next->pprev = &t->next;
	*slot = t;
	t->pprev = slot;
}

static inline void
timer_unlink(struct pmtcp_timer *t)
{
	*t->pprev = t->next;
	if (t->next != NULL)
		t->next->pprev = t->pprev;
	t->next = NULL;
	t->pprev = NULL;
}

void
pmtcp_timer_arm(struct pmtcp_timer_wheel *w, struct pmtcp_timer *t,
		uint64_t ticks)
{
	struct pmtcp_timer **slot;

	if (pmtcp_timer_pending(t))
		timer_unlink(t);
	else
		w->armed++;
	if (ticks == 0)
		ticks = 1;
	t->expires = w->clock + ticks;
	slot = timer_slot(w, t);
	timer_link(slot, t);
}

void
pmtcp_timer_cancel(struct pmtcp_timer_wheel *w, struct pmtcp_timer *t)
{
	if (!pmtcp_timer_pending(t))
		return;
	timer_unlink(t);
	w->armed--;
}

uint64_t
pmtcp_timer_ms_to_ticks(const struct pmtcp_timer_wheel *w, uint64_t ms)
{
	uint64_t ticks = ms * (rte_get_tsc_hz() / 1000) / w->tsc_per_tick;

	return ticks == 0 ? 1 : ticks;
}

/* Fire every expired timer of one slot. */
static unsigned int
timer_run_slot(struct pmtcp_timer_wheel *w, uint64_t tick,
	       pmtcp_timer_fn fn, void *arg)
{
	struct pmtcp_timer **pp = &w->slots[tick & w->mask];
	struct pmtcp_timer *t;
	unsigned int fired = 0;

	while ((t = *pp) != NULL) {
		if (t->expires > w->now) {
			/* not due (never in level 0: a safety net) */
			pp = &t->next;
			continue;
		}
		timer_unlink(t);
		w->armed--;
		fired++;
		/* fn may arm this timer again, or cancel/arm others: restart
		 * from the slot head, the fired one is gone from it */
		fn(t, arg);
		pp = &w->slots[tick & w->mask];
	}
	return fired;
}

/* A revolution begins: the level-1 slot of it into level 0 (each timer
 * due in it, or, from a later lap of level 1, back into level 1) */
static void
timer_cascade(struct pmtcp_timer_wheel *w)
{
	struct pmtcp_timer **slot1 =
		&w->slots1[(w->now >> w->shift) & (PMTCP_WHEEL_L1_SLOTS - 1)];
	struct pmtcp_timer *t = *slot1;

	*slot1 = NULL;
	while (t != NULL) {
		struct pmtcp_timer *next = t->next;

		timer_link(timer_slot(w, t), t);
		t = next;
	}
}

unsigned int
pmtcp_timer_wheel_advance(struct pmtcp_timer_wheel *w, uint64_t now_tsc,
			  pmtcp_timer_fn fn, void *arg)
{
	uint64_t target, n;
	unsigned int fired = 0;

	if (now_tsc < w->tsc_base)
		return 0;
	target = (now_tsc - w->tsc_base) / w->tsc_per_tick;
	if (target <= w->now)
		return 0;
	w->clock = target;
	if (w->armed == 0) {
		w->now = target;
		return 0;
	}
	/* tick by tick, a cascade at each revolution: far behind (a stalled
	 * lcore) that is a slot check per tick missed, 1,000 a second, and
	 * once the last timer has fired, a jump to now */
	for (n = target - w->now; n > 0; n--) {
		if (w->armed == 0) {
			w->now = target;
			break;
		}
		w->now++;
		if ((w->now & w->mask) == 0)
			timer_cascade(w);
		fired += timer_run_slot(w, w->now, fn, arg);
	}
	return fired;
}

int64_t
pmtcp_timer_wheel_check(const struct pmtcp_timer_wheel *w)
{
	int64_t found = 0;

	for (uint32_t i = 0; i <= w->mask; i++) {
		struct pmtcp_timer *const *pp = &w->slots[i];

		for (const struct pmtcp_timer *t = *pp; t != NULL; t = t->next) {
			/* level 0: due in this revolution, in its tick's slot */
			if (t->pprev != pp || (t->expires & w->mask) != i ||
			    t->expires <= w->now || t->expires - w->now > w->mask)
				return -1;
			pp = &t->next;
			found++;
		}
	}
	for (uint32_t i = 0; i < PMTCP_WHEEL_L1_SLOTS; i++) {
		struct pmtcp_timer *const *pp = &w->slots1[i];

		for (const struct pmtcp_timer *t = *pp; t != NULL; t = t->next) {
			/* level 1: due in a revolution yet to begin, in that
			 * revolution's slot */
			if (t->pprev != pp ||
			    ((t->expires >> w->shift) & (PMTCP_WHEEL_L1_SLOTS - 1)) != i ||
			    (t->expires >> w->shift) <= (w->now >> w->shift))
				return -1;
			pp = &t->next;
			found++;
		}
	}
	return found == (int64_t)w->armed ? found : -1;
}
