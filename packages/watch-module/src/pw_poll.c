// SPDX-License-Identifier: GPL-2.0
/*
 * Polling: one hrtimer serves every timer-mode watch. Each expiry polls the watches
 * that are due and re-arms for the earliest next due time; with no armed timer-mode
 * watch the timer is not running at all.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/io.h>
#include <linux/math64.h>
#include <linux/timekeeping.h>
#include <asm/cacheflush.h>
#if defined(CONFIG_ARM64)
#include <asm/cputype.h>
#endif
#include "pw_compat.h"
#include "pw_internal.h"
#include "pw_cond.h"
#include "pw_event.h"

static struct hrtimer pw_timer;
static bool pw_timer_ready;

/*
 * cache=flush: write back and invalidate the watched lines to the point of coherency,
 * so the read below goes to memory and sees what a non-coherent master wrote there.
 * Clean+invalidate, never invalidate alone: a line a CPU dirtied is written back, not
 * lost. A line refilled speculatively before the device's write is dropped again by
 * the next poll, so a write is seen at most one interval late.
 */
static void pw_flush(const struct pw_watch *w)
{
#if defined(CONFIG_ARM64)
	/* This CPU's smallest D-cache line (CTR_EL0.DminLine, in words). */
	unsigned long line = 4UL << ((read_cpuid_cachetype() >> 16) & 0xf);
	unsigned long p = (unsigned long)w->va & ~(line - 1);
	unsigned long end = (unsigned long)w->va + w->spec.len;

	for (; p < end; p += line)
		asm volatile("dc civac, %0" : : "r" (p) : "memory");
	dsb(sy);
#elif defined(CONFIG_X86)
	clflush_cache_range(w->va, w->spec.len);
#endif
}

/* Width-aligned single loads, so a word is never torn and MMIO sees its width. */
static void pw_read(struct pw_watch *w)
{
	u32 len = w->spec.len, width = w->spec.width, off;

	for (off = 0; off < len; off += width) {
		u64 v;

		if (w->mmio) {
			void __iomem *p = w->io + off;

			switch (width) {
			case 1:
				v = readb(p);
				break;
			case 2:
				v = readw(p);
				break;
			case 4:
				v = readl(p);
				break;
			default:
#ifdef CONFIG_64BIT
				v = readq(p);
#else
				v = readl(p) | ((u64)readl(p + 4) << 32);
#endif
				break;
			}
		} else {
			void *p = w->va + off;

			switch (width) {
			case 1:
				v = READ_ONCE(*(u8 *)p);
				break;
			case 2:
				v = READ_ONCE(*(u16 *)p);
				break;
			case 4:
				v = READ_ONCE(*(u32 *)p);
				break;
			default:
				v = READ_ONCE(*(u64 *)p);
				break;
			}
		}
		pw_word_set(w->cur, off, width, v);
	}
}

static bool pw_scan_hit(void *ctx, u32 off, u64 before, u64 after)
{
	struct pw_watch *w = ctx;

	pw_hit(w, off, before, after);
	return w->armed;
}

/* Called with w->lock held, from the timer or an ftrace callback; what the poll took (ns). */
u64 pw_poll_watch(struct pw_watch *w, enum pw_src src, unsigned long ip)
{
	u64 t0, ns;

	lockdep_assert_held(&w->lock);
	if (!w->armed)
		return 0;
	/* First the hit kept back at the last check: records are queued in the order seen. */
	pw_hit_release(w);
	w->polls++;
	/*
	 * Boot time, read before the region is: the clock read that times the poll also
	 * dates the bracket's open end, which it can only make earlier (wider), never
	 * later than the read that saw the old contents.
	 */
	t0 = ktime_get_boottime_ns();
	pw_smi_sample(&w->smi_now, &w->smi_now_cpu);
	/*
	 * RAM fast path: one memcmp against the shadow. Only when something differs
	 * are the words read one by one, width-aligned, so none is torn.
	 */
	if (w->flush)
		pw_flush(w);
	if (!w->mmio && !memcmp(w->shadow, w->va, w->spec.len))
		goto out;
	pw_read(w);
	if (!memcmp(w->shadow, w->cur, w->spec.len))
		goto out;
	w->src = src;
	w->src_ip = ip;
	/* The hits found now bracket from the previous check (seen_old_ns). */
	pw_scan(w->shadow, w->cur, w->spec.len, w->spec.width, &w->spec.cond,
		pw_scan_hit, w);
	pw_poll_done(w);
out:
	/* The shadow now holds what this check read. */
	w->seen_old_ns = t0;
	w->seen_old_check = w->polls;
	w->smi_old = w->smi_now;
	w->smi_old_cpu = w->smi_now_cpu;
	/* Hits included: this is what the budget charges the watch. */
	ns = ktime_get_boottime_ns() - t0;
	w->poll_ns += ns;
	return ns;
}

/*
 * Process context, before the watch is listed: what one poll that finds nothing
 * costs, the median of five, for the budget (pw_budget.c).
 */
void pw_measure_cost(struct pw_watch *w)
{
	u64 ns[5], t0, tmp;
	int i, j;

	for (i = 0; i < ARRAY_SIZE(ns); i++) {
		preempt_disable();
		t0 = ktime_get_ns();
		if (w->flush)
			pw_flush(w);
		if (w->mmio)
			pw_read(w);
		if (memcmp(w->shadow, w->mmio ? w->cur : w->va, w->spec.len))
			barrier();
		ns[i] = ktime_get_ns() - t0;
		preempt_enable();
	}
	for (i = 1; i < ARRAY_SIZE(ns); i++)
		for (j = i; j > 0 && ns[j - 1] > ns[j]; j--) {
			tmp = ns[j];
			ns[j] = ns[j - 1];
			ns[j - 1] = tmp;
		}
	w->cost_ns = max_t(u64, ns[ARRAY_SIZE(ns) / 2], 1);
}

static bool pw_timer_mode(const struct pw_watch *w)
{
	return READ_ONCE(w->armed) && w->spec.mode != PW_MODE_FTRACE;
}

/*
 * Hard-IRQ context (HRTIMER_MODE_ABS_HARD, PREEMPT_RT included). Takes pw_list_lock (the list cannot change under it) and each due
 * watch's lock in turn; a panic or hang runs only after both are dropped.
 */
static enum hrtimer_restart pw_timer_fn(struct hrtimer *t)
{
	ktime_t now = ktime_get(), next = KTIME_MAX;
	struct pw_watch *w;
	bool late = false;

	raw_spin_lock(&pw_list_lock);
	list_for_each_entry(w, &pw_watches, node) {
		if (!pw_timer_mode(w))
			continue;
		if (ktime_compare(w->due, now) <= 0) {
			u64 paced = w->paced, poll_ns;

			raw_spin_lock(&w->lock);
			poll_ns = pw_poll_watch(w, PW_SRC_TIMER, 0);
			raw_spin_unlock(&w->lock);
			w->due = pw_budget_next_due(w, now, poll_ns);
			/* A kept-back hit waits for its writer's record only this long. */
			if (READ_ONCE(w->held_valid))
				w->due = min(w->due, ktime_add_us(now, PW_WRITER_RECHECK_US));
			if (w->paced != paced) {
				w->missed += w->paced - paced;
				WRITE_ONCE(w->late, true);
				late = true;
			}
			/* Fell behind (a long poll, a slow guest): count it and say so, don't burst. */
			if (ktime_compare(w->due, now) <= 0) {
				w->missed += div64_u64(ktime_to_ns(ktime_sub(now, w->due)),
						       w->spec.interval_us * NSEC_PER_USEC) + 1;
				w->due = ktime_add_us(now, w->spec.interval_us);
				WRITE_ONCE(w->late, true);
				late = true;
			}
		}
		if (pw_timer_mode(w) && ktime_compare(w->due, next) < 0)
			next = w->due;
	}
	raw_spin_unlock(&pw_list_lock);
	pw_terminal_run();
	if (late)
		pw_report_kick();
	if (next == KTIME_MAX)
		return HRTIMER_NORESTART;
	hrtimer_set_expires(t, next);
	return HRTIMER_RESTART;
}

/* Process context, pw_cmd_mutex held: (re)start the timer for the earliest watch. */
void pw_timer_kick(void)
{
	ktime_t next = KTIME_MAX;
	struct pw_watch *w;
	unsigned long flags;

	if (!pw_timer_ready) {
		/*
		 * _HARD: hard-IRQ expiry on PREEMPT_RT too (softirq threads there by default),
		 * so a poll interrupts whatever runs, as on every other kernel.
		 */
		pw_hrtimer_setup(&pw_timer, pw_timer_fn, CLOCK_MONOTONIC,
				 HRTIMER_MODE_ABS_HARD);
		pw_timer_ready = true;
	}
	raw_spin_lock_irqsave(&pw_list_lock, flags);
	list_for_each_entry(w, &pw_watches, node)
		if (pw_timer_mode(w) && ktime_compare(w->due, next) < 0)
			next = w->due;
	raw_spin_unlock_irqrestore(&pw_list_lock, flags);
	/*
	 * Cancel first (waits for a running expiry): the expiry function sets the
	 * next expiry itself, which is only safe while nobody else enqueues it.
	 */
	hrtimer_cancel(&pw_timer);
	if (next != KTIME_MAX)
		hrtimer_start(&pw_timer, next, HRTIMER_MODE_ABS_HARD);
}

void pw_timer_stop(void)
{
	if (pw_timer_ready)
		hrtimer_cancel(&pw_timer);
}

bool pw_timer_active(void)
{
	return pw_timer_ready && hrtimer_active(&pw_timer);
}

/* Process context, before the watch is listed: read the starting contents. */
void pw_baseline(struct pw_watch *w)
{
	/* The first change after arm brackets from this read. */
	w->seen_old_ns = ktime_get_boottime_ns();
	pw_smi_sample(&w->smi_old, &w->smi_old_cpu);
	pw_read(w);
	memcpy(w->shadow, w->cur, w->spec.len);
	pw_measure_cost(w);
	/*
	 * The seed fires on a value that is already there at load time: no check ever
	 * saw the made-up old value, so that hit's bracket has no open end (0).
	 */
	if (w->seed && pw_word_get(w->shadow, 0, w->spec.width) == w->spec.cond.value) {
		pw_word_set(w->shadow, 0, w->spec.width, w->spec.cond.value ^ 1);
		w->seen_old_ns = 0;
		w->smi_old_cpu = -1;
	}
}
