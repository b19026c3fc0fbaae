// SPDX-License-Identifier: GPL-2.0
/*
 * The polling budget. Each timer-driven watch costs what one poll of it takes
 * (measured when it is added, then what its polls really took, hits included) every
 * interval_us: its share of one CPU, in parts per million. An add that would take
 * the module's watches past poll_budget_ppm is refused with -EBUSY and one line that
 * gives the numbers; nothing is armed in a degraded form. ftrace-only watches run on
 * the traced function's own time and count for nothing here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/math64.h>
#include "pw_internal.h"

unsigned int pw_poll_budget_ppm = 50000;

static bool pw_timer_driven(const struct pw_watch *w)
{
	return w->spec.mode != PW_MODE_FTRACE;
}

/* ns per poll -> ppm of a CPU at interval_us. */
static u64 pw_ppm(u64 ns, u64 interval_us)
{
	return div64_u64(ns * 1000, interval_us);
}

/* What w takes now: the larger of its cost at add time and its polls' average. */
u64 pw_share_ppm(struct pw_watch *w)
{
	unsigned long flags;
	u64 polls, ns, cost;

	if (!pw_timer_driven(w))
		return 0;
	raw_spin_lock_irqsave(&w->lock, flags);
	polls = w->polls;
	ns = w->poll_ns;
	raw_spin_unlock_irqrestore(&w->lock, flags);
	cost = max(w->cost_ns, polls ? div64_u64(ns, polls) : 0);
	return pw_ppm(cost, w->spec.interval_us);
}

/* pw_cmd_mutex held: every listed watch's share but except's (the one being replaced). */
u64 pw_budget_used(const struct pw_watch *except)
{
	struct pw_watch *w;
	u64 used = 0;

	lockdep_assert_held(&pw_cmd_mutex);
	list_for_each_entry(w, &pw_watches, node)
		if (w != except)
			used += pw_share_ppm(w);
	return used;
}

/* pw_cmd_mutex held, w mapped and measured but not listed. */
int pw_budget_admit(struct pw_watch *w, const struct pw_watch *replacing)
{
	u64 need = pw_share_ppm(w), used;

	if (!need)
		return 0;
	used = pw_budget_used(replacing);
	if (used + need <= pw_poll_budget_ppm)
		return 0;
	snprintf(w->last_err, sizeof(w->last_err), "over the polling budget");
	pr_err("add id=%llu: over the polling budget: needs %llu ppm of a CPU (%llu ns per poll every %llu us), armed watches use %llu ppm, poll_budget_ppm=%u\n",
	       w->spec.id, need, w->cost_ns, w->spec.interval_us, used,
	       pw_poll_budget_ppm);
	return -EBUSY;
}
