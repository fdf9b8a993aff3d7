/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PMTCP_TIMER_WHEEL_H
#define PMTCP_TIMER_WHEEL_H

/*
 * A timer wheel of two levels, one per lcore. Timers are intrusive nodes
 * on a doubly linked list per slot, so arm and cancel are O(1). Level 0
 * has a slot per tick and holds the timers due within one revolution
 * (nslots ticks: 4.096 s by default); level 1 has PMTCP_WHEEL_L1_SLOTS
 * slots of a whole revolution each (17.9 min by default) and holds the
 * later ones. Each time level 0 wraps, the level-1 slot of the revolution
 * that begins moves into level 0 (a cascade: each timer once, or once
 * per 17.9 min for the rare one further away). So a tick visits one
 * level-0 slot whose timers are all due: its cost does not grow with the
 * timers pending (a TIME_WAIT's 60 s timer is not rescanned every 4 s).
 * TCP handshake timers are mostly cancelled long before a cascade.
 */

#include <stdbool.h>
#include <stdint.h>

struct pmtcp_timer {
	struct pmtcp_timer *next;
	struct pmtcp_timer **pprev;   /* NULL when not armed */
	uint64_t expires;             /* absolute tick */
	uint8_t kind;                 /* the owner's: which timer this is */
	uint8_t owner8;               /* the owner's, unused by the wheel: */
	uint16_t owner16;             /* the 7 bytes a 25-byte node pads */
	uint32_t owner32;
};

struct pmtcp_timer_wheel;
typedef void (*pmtcp_timer_fn)(struct pmtcp_timer *t, void *arg);

#define PMTCP_WHEEL_L1_SLOTS 256

struct pmtcp_timer_wheel {
	struct pmtcp_timer **slots;   /* level 0: a tick each */
	struct pmtcp_timer **slots1;  /* level 1: a revolution each */
	uint32_t mask;           /* nslots - 1 */
	uint32_t shift;          /* log2(nslots) */
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
