// SPDX-License-Identifier: GPL-2.0
/*
 * Hit records: numbering, the queue read through /dev/physwatch (overflow counted and
 * reported as an event of its own) and the ring of lines for the kernel log. Here
 * only records are made and copied; pw_report.c prints them and wakes readers.
 *
 * One event is one line, the same on the device and (after the "physwatch: "
 * prefix) in the kernel log:
 *   hit seq=S id=I realtime_ns=R boottime_ns=B cpu=C paddr=0xP offset=0xO width=W
 *       old=0xV new=0xV pid=P comm=NAME ip=SYM+0xOFF/0xLEN src=timer|ftrace action=A
 *       last_old_ns=T writer=cpu|no_cpu_via_kernel_map|unknown [writer_why=TOKEN]
 *       smi=N|- [stack=FRAME,FRAME,...]
 *   overflow seq=S lost=N
 *   suppressed seq=S id=I count=N
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <asm/irq_regs.h>
#include <linux/kfifo.h>
#include <linux/kernel.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/stacktrace.h>
#include <linux/timekeeping.h>
#include "pw_internal.h"
#include "pw_event.h"

#define CREATE_TRACE_POINTS
#include "pw_trace.h"

/*
 * pw_fifo_lock (raw: taken from the hrtimer and from ftrace callbacks on any function,
 * always with interrupts saved) protects the reader fifo, the log ring, the loss
 * counters and the log window. It is held only to copy records: nothing under it
 * prints, wakes, allocates or takes another lock.
 */
static DEFINE_RAW_SPINLOCK(pw_fifo_lock);
static DECLARE_KFIFO_PTR(pw_fifo, struct pw_event);	/* /dev/physwatch readers */
static DECLARE_KFIFO_PTR(pw_logq, struct pw_event);	/* lines for the kernel log */
static u64 pw_lost_total;	/* events the reader fifo could not hold */
static u64 pw_lost_pending;	/* lost since the last overflow event */
static u64 pw_log_skipped;	/* hit lines over log_rate, not yet reported */
static u64 pw_log_window_ns;
static u32 pw_log_count;
static atomic64_t pw_seq = ATOMIC64_INIT(0);
DECLARE_WAIT_QUEUE_HEAD(pw_readq);

u64 pw_event_seq(void)
{
	return atomic64_read(&pw_seq);
}

u64 pw_event_lost(void)
{
	return READ_ONCE(pw_lost_total);
}

static const char *const pw_writer_names[] = {
	[PW_WRITER_UNKNOWN] = "unknown",
	[PW_WRITER_CPU] = "cpu",
	[PW_WRITER_NO_CPU] = "no_cpu_via_kernel_map",
};

/*
 * One frame as %pS prints it, without spaces: "sym+0x1/0x2 [mod]" (or "[mod buildid]")
 * becomes "sym+0x1/0x2[mod]", so the line stays space-separated.
 */
static int pw_format_frame(char *buf, size_t size, unsigned long addr)
{
	char f[KSYM_SYMBOL_LEN + 8], *sp;

	snprintf(f, sizeof(f), "%pS", (void *)addr);
	sp = strstr(f, " [");
	if (sp) {
		memmove(sp, sp + 1, strlen(sp + 1) + 1);
		sp = strchr(sp, ' ');
		if (sp) {
			sp[0] = ']';
			sp[1] = '\0';
		}
	}
	return scnprintf(buf, size, "%s", f);
}

/* The fields after last_old_ns=: who wrote, SMIs in the bracket, and the stack frames that fit. */
static int pw_format_tail(const struct pw_event *e, char *buf, size_t size)
{
	char frame[KSYM_SYMBOL_LEN + 8];
	int n, f, len;
	u32 i;

	n = scnprintf(buf, size, " writer=%s", pw_writer_names[e->writer]);
	if (e->writer == PW_WRITER_UNKNOWN)
		n += scnprintf(buf + n, size - n, " writer_why=%s", e->writer_why);
	if (e->smi >= 0)
		n += scnprintf(buf + n, size - n, " smi=%lld", e->smi);
	else
		n += scnprintf(buf + n, size - n, " smi=-");
	for (i = 0; i < e->nr_stack; i++) {
		len = pw_format_frame(frame, sizeof(frame), e->stack[i]);
		/* Whole frames only, and room left for the newline. */
		if (n + len + 8 >= size)
			break;
		f = scnprintf(buf + n, size - n, "%s%s", i ? "," : " stack=", frame);
		n += f;
	}
	return n;
}

int pw_event_format(const struct pw_event *e, char *buf, size_t size)
{
	int n;

	switch (e->type) {
	case PW_EV_OVERFLOW:
		return scnprintf(buf, size, "overflow seq=%llu lost=%llu\n",
				 e->seq, e->count);
	case PW_EV_SUPPRESSED:
		return scnprintf(buf, size, "suppressed seq=%llu id=%llu count=%llu\n",
				 e->seq, e->id, e->count);
	default:
		n = scnprintf(buf, size,
			      "hit seq=%llu id=%llu realtime_ns=%lld boottime_ns=%llu cpu=%u paddr=0x%llx offset=0x%x width=%u old=0x%llx new=0x%llx pid=%d comm=%s ip=%pS src=%s action=%s last_old_ns=%llu",
			      e->seq, e->id, e->realtime_ns, e->boottime_ns,
			      e->cpu, e->paddr, e->offset, e->width,
			      e->old, e->new, e->pid, e->comm, (void *)e->ip,
			      e->src == PW_SRC_FTRACE ? "ftrace" : "timer",
			      pw_action_names[e->action], e->last_old_ns);
		n += pw_format_tail(e, buf + n, size - n);
		return n + scnprintf(buf + n, size - n, "\n");
	}
}

/* Under pw_fifo_lock: may this hit line go to the kernel log (log_rate per second)? */
static bool pw_log_allowed(u64 now)
{
	if (now - pw_log_window_ns >= NSEC_PER_SEC) {
		pw_log_window_ns = now;
		pw_log_count = 0;
	}
	if (pw_log_count >= READ_ONCE(pw_log_rate))
		return false;
	pw_log_count++;
	return true;
}

/* Under pw_fifo_lock: a line for the log ring; accounting lines are never rate-limited. */
static void pw_log_put(const struct pw_event *e)
{
	if ((e->type == PW_EV_HIT && !pw_log_allowed(e->boottime_ns)) ||
	    !kfifo_put(&pw_logq, *e))
		pw_log_skipped++;
}

/* Under pw_fifo_lock: reader fifo first, with losses reported in order. */
static void pw_fifo_put(const struct pw_event *e)
{
	if (pw_lost_pending && kfifo_avail(&pw_fifo) >= 2) {
		struct pw_event o = {
			.type = PW_EV_OVERFLOW,
			.seq = atomic64_inc_return(&pw_seq),
			.count = pw_lost_pending,
		};

		pw_lost_pending = 0;
		kfifo_put(&pw_fifo, o);
		pw_log_put(&o);
	}
	if (pw_lost_pending || !kfifo_put(&pw_fifo, *e)) {
		pw_lost_pending++;
		pw_lost_total++;
	}
}

/* Queue one record for readers and, with log, for the kernel log. Any context. */
void pw_record(const struct pw_event *e, bool log)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&pw_fifo_lock, flags);
	pw_fifo_put(e);
	if (log)
		pw_log_put(e);
	raw_spin_unlock_irqrestore(&pw_fifo_lock, flags);
	pw_report_kick();
}

/* Reader side: one event, or an overflow event for losses not yet reported. */
bool pw_event_take(struct pw_event *e)
{
	unsigned long flags;
	bool ok, overflow = false;

	raw_spin_lock_irqsave(&pw_fifo_lock, flags);
	ok = kfifo_get(&pw_fifo, e);
	if (!ok && pw_lost_pending) {
		memset(e, 0, sizeof(*e));
		e->type = PW_EV_OVERFLOW;
		e->seq = atomic64_inc_return(&pw_seq);
		e->count = pw_lost_pending;
		pw_lost_pending = 0;
		pw_log_put(e);
		ok = overflow = true;
	}
	raw_spin_unlock_irqrestore(&pw_fifo_lock, flags);
	if (overflow)
		pw_report_kick_process();
	return ok;
}

bool pw_event_ready(void)
{
	return !kfifo_is_empty(&pw_fifo) || READ_ONCE(pw_lost_pending);
}

/* Log side: the next line to print; *skipped takes the lines not printed since. */
bool pw_log_take(struct pw_event *e, u64 *skipped)
{
	unsigned long flags;
	bool ok;

	raw_spin_lock_irqsave(&pw_fifo_lock, flags);
	ok = kfifo_get(&pw_logq, e);
	*skipped = pw_log_skipped;
	pw_log_skipped = 0;
	raw_spin_unlock_irqrestore(&pw_fifo_lock, flags);
	return ok;
}

/* A task name as one token of the line: no spaces or control bytes, never empty. */
void pw_comm_clean(char *comm)
{
	int i;

	comm[TASK_COMM_LEN - 1] = '\0';
	for (i = 0; comm[i]; i++)
		if (!isgraph(comm[i]))
			comm[i] = '?';
	if (!comm[0])
		strscpy(comm, "?", TASK_COMM_LEN);
}

static void pw_fill_context(struct pw_event *e, const struct pw_watch *w)
{
	struct pt_regs *regs = get_irq_regs();

	e->pid = task_pid_nr(current);
	memcpy(e->comm, current->comm, sizeof(e->comm));
	pw_comm_clean(e->comm);
	e->src = w->src;
	if (w->src == PW_SRC_FTRACE)
		e->ip = w->src_ip;
	else if (regs)
		e->ip = instruction_pointer(regs);
	else
		e->ip = _RET_IP_;
	/*
	 * The stack is unwound here, where the hit was seen (through the interrupt into
	 * the interrupted context), and printed later by the log worker.
	 */
	if (e->action != PW_ACT_REPORT)
		e->nr_stack = stack_trace_save(e->stack, PW_STACK_MAX, 0);
}

/* Rate limit: true when this hit is to be counted but not reported. */
static bool pw_rate_limited(struct pw_watch *w, u64 now)
{
	if (!w->spec.rate)
		return false;
	if (now - w->rate_window_ns >= NSEC_PER_SEC) {
		w->rate_window_ns = now;
		w->rate_count = 0;
	}
	if (w->rate_count >= w->spec.rate) {
		w->suppressed++;
		w->pending_suppressed++;
		return true;
	}
	w->rate_count++;
	return false;
}

static void pw_flush_suppressed(struct pw_watch *w)
{
	struct pw_event s = {
		.type = PW_EV_SUPPRESSED,
		.id = w->spec.id,
		.count = w->pending_suppressed,
	};

	if (!w->pending_suppressed)
		return;
	s.seq = atomic64_inc_return(&pw_seq);
	w->pending_suppressed = 0;
	pw_record(&s, true);
}

/*
 * End of one poll of w: hits over the per-poll cap are reported now, as one
 * suppressed event (rate-limited ones wait for the next reported hit instead).
 */
void pw_poll_done(struct pw_watch *w)
{
	lockdep_assert_held(&w->lock);
	if (w->poll_capped) {
		w->poll_capped = 0;
		pw_flush_suppressed(w);
	}
	w->poll_reported = 0;
}

/* w->lock held: number a hit record (in the order records are queued) and queue it. */
static void pw_hit_emit(struct pw_event *e)
{
	e->seq = atomic64_inc_return(&pw_seq);
	trace_physwatch_hit(e->seq, e->id, e->paddr, e->offset, e->width, e->old,
			    e->new, e->action);
	/* A panic or hang prints its own line where it fires, so the vmcore holds it. */
	if (e->action == PW_ACT_PANIC || e->action == PW_ACT_HANG) {
		pw_record(e, false);
		pw_terminal_set(e);
	} else {
		pw_record(e, true);
	}
}

/*
 * w->lock held: the hit pw_writer_hold() kept back, decided again now that any
 * breakpoint handler that was still stamping its record has finished, and queued.
 */
void pw_hit_release(struct pw_watch *w)
{
	lockdep_assert_held(&w->lock);
	if (!w->held_valid)
		return;
	WRITE_ONCE(w->held_valid, false);
	pw_writer_of(w, w->held, w->held_open_check);
	pw_hit_emit(w->held);
}

/*
 * A word of w met its condition. Called with w->lock held from the timer or an
 * ftrace callback: it fills one record and queues it, nothing more. A panic or hang
 * is left to the caller, which runs it once it holds no lock (pw_terminal_run).
 */
void pw_hit(struct pw_watch *w, u32 off, u64 before, u64 after)
{
	struct pw_event e = { .type = PW_EV_HIT };

	lockdep_assert_held(&w->lock);
	w->hits++;
	e.boottime_ns = ktime_get_boottime_ns();
	if (w->poll_reported >= pw_poll_event_cap) {
		w->suppressed++;
		w->pending_suppressed++;
		w->poll_capped++;
		goto limits;
	}
	if (pw_rate_limited(w, e.boottime_ns))
		goto limits;
	pw_flush_suppressed(w);
	w->poll_reported++;
	e.id = w->spec.id;
	e.realtime_ns = ktime_get_real_ns();
	e.cpu = raw_smp_processor_id();
	e.paddr = w->paddr + off;
	e.offset = off;
	e.width = w->spec.width;
	e.old = before;
	e.new = after;
	e.action = w->spec.action;
	e.last_old_ns = w->seen_old_ns;
	e.smi = w->smi_old_cpu >= 0 && w->smi_old_cpu == w->smi_now_cpu ?
		(s64)(w->smi_now - w->smi_old) : -1;
	pw_fill_context(&e, w);
	pw_writer_of(w, &e, w->seen_old_check);
	if (!pw_writer_hold(w, &e, w->spec.max_hits && w->hits >= w->spec.max_hits))
		pw_hit_emit(&e);
limits:
	if (w->spec.max_hits && w->hits >= w->spec.max_hits) {
		WRITE_ONCE(w->armed, false);
		snprintf(w->last_err, sizeof(w->last_err), "disarmed: max_hits reached");
	}
}

int pw_event_init(unsigned int fifo_size)
{
	int ret = kfifo_alloc(&pw_fifo, fifo_size, GFP_KERNEL);

	if (!ret) {
		ret = kfifo_alloc(&pw_logq, fifo_size, GFP_KERNEL);
		if (ret)
			kfifo_free(&pw_fifo);
	}
	if (ret)
		pr_err("cannot allocate event queues of %u entries\n", fifo_size);
	return ret;
}

void pw_event_exit(void)
{
	kfifo_free(&pw_logq);
	kfifo_free(&pw_fifo);
}
