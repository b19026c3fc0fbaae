// SPDX-License-Identifier: GPL-2.0
/*
 * The polling budget. Each timer-driven watch costs what one poll of it takes
 * (measured when it is added, then what its polls really took, hits included) every
 * interval_us: its share of one CPU, in parts per million. An add that would take
 * the module's watches past poll_budget_ppm is refused with -EBUSY and one line that
 * gives the numbers; nothing is armed in a degraded form. ftrace-only watches run on
 * the traced function's own time and count for nothing here.
 *
 * Admission alone does not bound the module: a region that starts changing wholesale
 * after it was admitted makes every poll scan it and queue hits. So the timer also
 * paces each watch (pw_budget_next_due): a poll that took d ns is followed by the next
 * one no sooner than d / cap later, cap being the watch's slice of poll_budget_ppm in
 * proportion to its admitted share. The caps add up to the budget, so the timer's
 * polls take at most poll_budget_ppm of a CPU (give or take the one poll in flight),
 * whatever the memory does; the polls it held back are counted (paced=) and said.
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

/*
 * Polls before their average counts: one slow first poll (a cold cache, a vCPU the host
 * descheduled mid-poll) must not make a cheap watch look like a CPU's worth.
 */
#define PW_SHARE_MIN_POLLS	16

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
	cost = max(w->cost_ns, polls >= PW_SHARE_MIN_POLLS ? div64_u64(ns, polls) : 0);
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

/* pw_cmd_mutex held, after every change of the table: each timer watch's pacing cap. */
void pw_budget_rebalance(void)
{
	struct pw_watch *w;
	u64 admitted = 0;

	lockdep_assert_held(&pw_cmd_mutex);
	list_for_each_entry(w, &pw_watches, node)
		if (pw_timer_driven(w))
			admitted += max_t(u64, pw_ppm(w->cost_ns, w->spec.interval_us), 1);
	list_for_each_entry(w, &pw_watches, node) {
		u64 own = max_t(u64, pw_ppm(w->cost_ns, w->spec.interval_us), 1);

		WRITE_ONCE(w->cap_ppm, pw_timer_driven(w) ?
			   max_t(u64, div64_u64(own * pw_poll_budget_ppm, admitted), 1) : 0);
	}
}

/*
 * Timer, pw_list_lock held: when w polls next after a poll that started at now and
 * took poll_ns. Its interval, unless that poll used up its cap: then later, counted
 * in paced (and missed). A watch whose cap is not set yet (0) keeps its interval.
 */
ktime_t pw_budget_next_due(struct pw_watch *w, ktime_t now, u64 poll_ns)
{
	u64 cap = READ_ONCE(w->cap_ppm), gap_ns, interval_ns;
	ktime_t due = ktime_add_us(w->due, w->spec.interval_us), paced;

	if (!cap)
		return due;
	gap_ns = div64_u64(poll_ns * 1000000, cap);
	paced = ktime_add_ns(now, gap_ns);
	if (ktime_compare(paced, due) <= 0)
		return due;
	interval_ns = w->spec.interval_us * NSEC_PER_USEC;
	w->paced += div64_u64(ktime_to_ns(ktime_sub(paced, due)) + interval_ns - 1, interval_ns);
	return paced;
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
