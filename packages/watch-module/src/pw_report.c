// SPDX-License-Identifier: GPL-2.0
/*
 * The deferred half of the hit path. The hot path (the hrtimer, ftrace callbacks on
 * any function) only queues records and raises an irq_work. That irq_work runs after
 * the traced function has left its critical section (as kfence defers its wake-ups,
 * and for the same reason: a traced function may hold a runqueue or waitqueue lock),
 * wakes /dev/physwatch readers and schedules the log worker. The worker, in process
 * context, prints each line in record order with the stack captured for it, at most
 * log_rate hit lines a second (the rest counted in one line a second), and says which
 * watches could not keep their interval.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irq_work.h>
#include <linux/jiffies.h>
#include <linux/stacktrace.h>
#include <linux/workqueue.h>
#include "pw_internal.h"
#include "pw_event.h"

#define PW_LATE_LOG_INTERVAL	(10 * HZ)
#define PW_LATE_BATCH		8

unsigned int pw_log_rate = 100;

static void pw_log_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(pw_log_work, pw_log_fn);

static void pw_irq_work_fn(struct irq_work *work)
{
	wake_up_interruptible(&pw_readq);
	mod_delayed_work(system_wq, &pw_log_work, 0);
}

static DEFINE_IRQ_WORK(pw_irq_work, pw_irq_work_fn);

/* Any context, the hot path included: a record is queued. */
void pw_report_kick(void)
{
	irq_work_queue(&pw_irq_work);
}

/* Process context holding no physwatch lock: no need to bounce through irq_work. */
void pw_report_kick_process(void)
{
	wake_up_interruptible(&pw_readq);
	mod_delayed_work(system_wq, &pw_log_work, 0);
}

void pw_report_print(const struct pw_event *e)
{
	char line[PW_EVENT_LINE_MAX];

	pw_event_format(e, line, sizeof(line));
	if (e->type == PW_EV_HIT &&
	    (e->action == PW_ACT_PANIC || e->action == PW_ACT_HANG))
		pr_emerg("%s", line);
	else
		pr_warn("%s", line);
	if (e->type == PW_EV_HIT && e->nr_stack) {
		pr_warn("stack of hit seq=%llu id=%llu cpu=%u pid=%d comm=%s:\n",
			e->seq, e->id, e->cpu, e->pid, e->comm);
		stack_trace_print(e->stack, e->nr_stack, 1);
	}
}

struct pw_late {
	u64 id, interval_us, missed, due, total, paced, cap_ppm;
};

/*
 * Watches whose timer fell behind: named at most every 10 s each, and only when at
 * least 10 polls and 1% of those due since the last time were missed.
 */
static void pw_report_late(void)
{
	struct pw_late late[PW_LATE_BATCH];
	unsigned long flags;
	struct pw_watch *w;
	unsigned int n = 0, i;
	u64 missed, due;

	raw_spin_lock_irqsave(&pw_list_lock, flags);
	list_for_each_entry(w, &pw_watches, node) {
		if (n == PW_LATE_BATCH)
			break;
		if (!READ_ONCE(w->late) ||
		    time_before(jiffies, w->late_logged_at + PW_LATE_LOG_INTERVAL))
			continue;
		WRITE_ONCE(w->late, false);
		raw_spin_lock(&w->lock);
		missed = w->missed - w->missed_reported;
		due = missed + w->polls - w->polls_reported;
		if (missed >= 10 && missed * 100 >= due) {
			late[n++] = (struct pw_late){ w->spec.id, w->spec.interval_us,
						      missed, due, w->missed,
						      w->paced - w->paced_reported,
						      READ_ONCE(w->cap_ppm) };
			w->missed_reported = w->missed;
			w->paced_reported = w->paced;
			w->polls_reported = w->polls;
			w->late_logged_at = jiffies;
		}
		raw_spin_unlock(&w->lock);
	}
	raw_spin_unlock_irqrestore(&pw_list_lock, flags);
	for (i = 0; i < n; i++)
		pr_warn("id=%llu cannot keep interval_us=%llu: %llu of %llu polls due missed (%llu in all), %llu of them held back by the polling budget (this watch's cap %llu ppm of a CPU)\n",
			late[i].id, late[i].interval_us, late[i].missed,
			late[i].due, late[i].total, late[i].paced,
			late[i].cap_ppm);
}

/* Only the worker (or exit, once the worker is cancelled) touches these. */
static struct pw_event pw_log_event;
static u64 pw_skipped_unreported;
static unsigned long pw_skipped_reported_at;

static void pw_log_drain(bool final)
{
	u64 skipped;

	while (pw_log_take(&pw_log_event, &skipped)) {
		pw_skipped_unreported += skipped;
		pw_report_print(&pw_log_event);
		cond_resched();
	}
	pw_skipped_unreported += skipped;
	if (!final)
		pw_report_late();
	if (!pw_skipped_unreported)
		return;
	if (final || time_after_eq(jiffies, pw_skipped_reported_at + HZ)) {
		pr_warn("log: %llu event lines not printed (over log_rate=%u per second); /dev/physwatch has them\n",
			pw_skipped_unreported, READ_ONCE(pw_log_rate));
		pw_skipped_unreported = 0;
		pw_skipped_reported_at = jiffies;
	} else {
		queue_delayed_work(system_wq, &pw_log_work,
				   pw_skipped_reported_at + HZ - jiffies);
	}
}

static void pw_log_fn(struct work_struct *work)
{
	pw_log_drain(false);
}

int pw_report_init(void)
{
	pw_skipped_reported_at = jiffies - HZ;
	return 0;
}

/* After the timer and every ftrace callback are gone: nothing queues any more. */
void pw_report_exit(void)
{
	irq_work_sync(&pw_irq_work);
	cancel_delayed_work_sync(&pw_log_work);
	pw_log_drain(true);
}
