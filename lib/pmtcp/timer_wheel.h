/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PMTCP_TIMER_WHEEL_H
#define PMTCP_TIMER_WHEEL_H

/*
 * A hashed timer wheel, one per lcore: slots of one tick each, timers are
 * intrusive nodes on a doubly linked list per slot, so arm and cancel are
 * O(1). A timer further away than the wheel's span sits in its slot and is
 * skipped (it carries its absolute expiry) until the wheel comes round to
 * it. TCP handshake timers are mostly cancelled before they fire, so no
 * cascading is done (as in Linux's kernel/time/timer.c).
 */

#include <stdbool.h>
#include <stdint.h>

struct pmtcp_timer {
	struct pmtcp_timer *next;
	struct pmtcp_timer **pprev;   /* NULL when not armed */
	uint64_t expires;             /* absolute tick */
	uint8_t kind;                 /* the owner's: which timer this is */
	uint8_t owner8[3];            /* the owner's, unused by the wheel: */
	uint32_t owner32;             /* the 7 bytes a 25-byte node pads */
};

struct pmtcp_timer_wheel;
typedef void (*pmtcp_timer_fn)(struct pmtcp_timer *t, void *arg);

struct pmtcp_timer_wheel {
	struct pmtcp_timer **slots;
	uint32_t mask;           /* nslots - 1 */
	uint64_t now;            /* last tick processed */
	uint64_t clock;          /* tick of the latest advance: arm() counts
				  * from here, so a timer re-armed while the
				  * wheel catches up counts from the real time */
	uint64_t armed;          /* timers armed */
	uint64_t tsc_per_tick;
	uint64_t tsc_base;       /* TSC of tick 0 */
};

int pmtcp_timer_wheel_init(struct pmtcp_timer_wheel *w, uint32_t nslots,
			   uint64_t tsc_per_tick, uint64_t now_tsc, int socket);
void pmtcp_timer_wheel_fini(struct pmtcp_timer_wheel *w);

static inline bool
pmtcp_timer_pending(const struct pmtcp_timer *t)
{
	return t->pprev != 0;
}

static inline void
pmtcp_timer_init(struct pmtcp_timer *t)
{
	t->next = 0;
	t->pprev = 0;
	t->expires = 0;
	t->kind = 0;
}

/* Arm (or re-arm) @t to fire @ticks (>= 1) after the wheel's clock. */
void pmtcp_timer_arm(struct pmtcp_timer_wheel *w, struct pmtcp_timer *t,
		     uint64_t ticks);
/* Disarm @t if armed. */
void pmtcp_timer_cancel(struct pmtcp_timer_wheel *w, struct pmtcp_timer *t);
/* Advance to @now_tsc, calling @fn for each expired timer (disarmed first,
 * so @fn may re-arm it). Returns timers fired. */
unsigned int pmtcp_timer_wheel_advance(struct pmtcp_timer_wheel *w,
				       uint64_t now_tsc, pmtcp_timer_fn fn,
				       void *arg);
/* Convert milliseconds to ticks, at least 1. */
uint64_t pmtcp_timer_ms_to_ticks(const struct pmtcp_timer_wheel *w, uint64_t ms);
/* Check the wheel's invariants (for tests): returns armed timers found or
 * -1 if a link is broken. */
int64_t pmtcp_timer_wheel_check(const struct pmtcp_timer_wheel *w);

#endif /* PMTCP_TIMER_WHEEL_H */
