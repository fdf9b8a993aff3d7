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
	if (w->slots == NULL)
		return -ENOMEM;
	w->mask = nslots - 1;
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
	w->slots = NULL;
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
	slot = &w->slots[t->expires & w->mask];
	t->next = *slot;
	if (t->next != NULL)
		t->next->pprev = &t->next;
	*slot = t;
	t->pprev = slot;
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
			/* a later round of the wheel */
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
	/* When far behind, visiting each slot once is enough: a timer is
	 * fired by its own slot when its expiry has passed. */
	n = target - w->now;
	if (n > (uint64_t)w->mask + 1) {
		uint64_t first = target - w->mask;

		w->now = target;
		for (uint64_t tick = first; tick <= target; tick++)
			fired += timer_run_slot(w, tick, fn, arg);
		return fired;
	}
	while (w->now < target) {
		w->now++;
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
			if (t->pprev != pp || (t->expires & w->mask) != i)
				return -1;
			pp = &t->next;
			found++;
		}
	}
	return found == (int64_t)w->armed ? found : -1;
}
