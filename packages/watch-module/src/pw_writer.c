// SPDX-License-Identifier: GPL-2.0
/*
 * Who made the write. A watch on one word of RAM also gets a hardware write breakpoint
 * on the kernel's direct-map address of that word (memremap() of RAM is the direct
 * map), on every CPU. Its handler only stamps a per-CPU record: during which of the
 * watch's checks (its poll count, not a clock: the handler's NMI-safe clock and the
 * poll's are different reads), the value it left, the CPU, the task, the instruction
 * pointer and the stack. A hit then asks the records: a store through the direct map
 * after the check that saw the old value began that left the new value means
 * writer=cpu (that CPU, task, ip and stack: exact); none means
 * no_cpu_via_kernel_map (a device, firmware, the memory itself, or a CPU through
 * another mapping, and nothing more is claimed); a watch that could not have a
 * breakpoint says writer=unknown and why.
 *
 * The handler runs in the debug exception, NMI-like on x86: it takes no lock; each CPU
 * writes its own record under a seqcount, which the hit
 * (timer or ftrace callback, any CPU) reads and retries a bounded number of times.
 * A poll can read the new value while the writing CPU is between its store and the
 * end of its handler (the exception's entry, the stack walk). So a timer watch's hit
 * that finds no record is kept back, and decided and queued at the watch's next check,
 * PW_WRITER_RECHECK_US later (or when it is removed): by then the handler is done. A
 * later store by that CPU of another value before then still hides it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/seqlock.h>
#include <linux/stacktrace.h>
#include <linux/string.h>
/*
 * x86 only: its data breakpoints trap after the store, with the value in memory. arm64
 * watchpoints fault before it, and with a handler of one's own the kernel does not step
 * over the store, so the exception would repeat: there a watch says writer_why=unsupported.
 */
#if defined(CONFIG_HAVE_HW_BREAKPOINT) && defined(CONFIG_X86)
#define PW_HAVE_WRITER
#endif

#ifdef PW_HAVE_WRITER
#include <linux/hw_breakpoint.h>
#include <asm/pgtable.h>
#include <linux/perf_event.h>
#endif
#include "pw_internal.h"
#include "pw_event.h"
#include "pw_cond.h"

#define PW_SEEN_RETRIES 8
#define PW_LIVE_STEP_MS 5
#define PW_LIVE_WAIT_MS 200

struct pw_bp_seen {
	seqcount_t seq;
	u64 check;	/* the watch's poll count when it trapped, plus one; 0: none yet */
	u32 probed;	/* traps of the arm-time probe (pw_writer_live) on this CPU */
	u64 value;	/* what the word held right after it */
	unsigned long ip;
	pid_t pid;
	u32 cpu, nr_stack;
	char comm[TASK_COMM_LEN];
	unsigned long stack[PW_STACK_MAX];
};

#ifdef PW_HAVE_WRITER
/*
 * Frames from the exception's entry on are the writer's: drop the handler's own, which
 * stack_trace_save() lists first, up to the interrupted instruction.
 */
static u32 pw_writer_stack(unsigned long *out, unsigned long ip)
{
	unsigned long all[PW_STACK_MAX + 16];
	u32 n = stack_trace_save(all, ARRAY_SIZE(all), 0), i;

	for (i = 0; i < n && all[i] != ip; i++)
		;
	if (i == n)
		i = 0;
	n = min_t(u32, n - i, PW_STACK_MAX);
	memcpy(out, all + i, n * sizeof(*out));
	return n;
}

static void pw_bp_fired(struct perf_event *bp, struct perf_sample_data *data,
			struct pt_regs *regs)
{
	struct pw_watch *w = bp->overflow_handler_context;
	struct pw_bp_seen *s = this_cpu_ptr(w->bp_seen);

	if (READ_ONCE(w->bp_probing)) {
		s->probed++;
		return;
	}
	raw_write_seqcount_begin(&s->seq);
	s->check = READ_ONCE(w->polls) + 1;
	s->value = pw_word_get(w->va, 0, w->spec.width);
	s->ip = instruction_pointer(regs);
	s->pid = task_pid_nr(current);
	s->cpu = raw_smp_processor_id();
	memcpy(s->comm, current->comm, sizeof(s->comm));
	s->comm[sizeof(s->comm) - 1] = '\0';
	s->nr_stack = pw_writer_stack(s->stack, s->ip);
	raw_write_seqcount_end(&s->seq);
}

/* The records and the kept-back hit; no breakpoint refers to them any more. */
static void pw_writer_free(struct pw_watch *w)
{
	free_percpu(w->bp_seen);
	kfree(w->held);
	w->bp_seen = NULL;
	w->held = NULL;
}

/* Whether a CPU could store through the kernel's mapping of the word at all. */
static bool pw_map_writable(const void *va)
{
	unsigned int level;
	pte_t *pte = lookup_address((unsigned long)va, &level);

	return pte && pte_present(*pte) && pte_write(*pte);
}

/*
 * On each CPU in turn, interrupts off: store the word's own value back, atomically (a
 * locked compare-and-exchange writes even when it fails, and never changes the value),
 * so that CPU's breakpoint traps if it is live. Not through a read-only mapping (kernel
 * rodata, a loaded crash kernel's reservation): checked right before, on this CPU,
 * since the store would fault; no CPU can write through such a mapping anyway, so the
 * trap is counted as seen.
 */
static void pw_bp_probe(void *info)
{
	struct pw_watch *w = info;
	void *p = w->va;

	if (!pw_map_writable(p)) {
		this_cpu_ptr(w->bp_seen)->probed++;
		return;
	}
	switch (w->spec.width) {
	case 1:
		cmpxchg((u8 *)p, READ_ONCE(*(u8 *)p), READ_ONCE(*(u8 *)p));
		break;
	case 2:
		cmpxchg((u16 *)p, READ_ONCE(*(u16 *)p), READ_ONCE(*(u16 *)p));
		break;
	case 4:
		cmpxchg((u32 *)p, READ_ONCE(*(u32 *)p), READ_ONCE(*(u32 *)p));
		break;
	default:
		cmpxchg((u64 *)p, READ_ONCE(*(u64 *)p), READ_ONCE(*(u64 *)p));
		break;
	}
}

/*
 * A registered breakpoint is not always armed at once on every CPU (seen under QEMU:
 * a store right after the first registration since boot went unseen). Only a live one
 * may ever say no_cpu_via_kernel_map, so each online CPU stores to the word until
 * its trap is seen, for up to PW_LIVE_WAIT_MS. Returns the CPUs still not live.
 */
static unsigned int pw_writer_live(struct pw_watch *w)
{
	unsigned int cpu, dead = 0, waited;

	WRITE_ONCE(w->bp_probing, true);
	for (waited = 0; ; waited += PW_LIVE_STEP_MS) {
		dead = 0;
		for_each_online_cpu(cpu) {
			if (per_cpu_ptr(w->bp_seen, cpu)->probed)
				continue;
			smp_call_function_single(cpu, pw_bp_probe, w, 1);
			dead += !READ_ONCE(per_cpu_ptr(w->bp_seen, cpu)->probed);
		}
		if (!dead || waited >= PW_LIVE_WAIT_MS)
			break;
		msleep(PW_LIVE_STEP_MS);
	}
	WRITE_ONCE(w->bp_probing, false);
	if (waited && !dead)
		pr_info("id=%llu: write breakpoint live on every CPU after %u ms\n",
			w->spec.id, waited);
	return dead;
}

/* Process context, before the watch is listed (w mapped): a breakpoint if it can have one. */
void pw_writer_arm(struct pw_watch *w)
{
	struct perf_event_attr attr;
	struct perf_event * __percpu *bp;
	unsigned long flags;
	unsigned int cpu;

	w->bp = NULL;
	w->held = NULL;
	if (w->spec.writer == PW_WRITER_OFF) {
		strscpy(w->writer_why, "off", sizeof(w->writer_why));
		return;
	}
	if (w->mmio) {
		strscpy(w->writer_why, "mmio", sizeof(w->writer_why));
		return;
	}
	/* One word: a store the breakpoint reports is then a store to that word. */
	if (w->spec.len != w->spec.width) {
		strscpy(w->writer_why, "region_too_wide", sizeof(w->writer_why));
		return;
	}
	w->bp_seen = alloc_percpu(struct pw_bp_seen);
	w->held = kmalloc(sizeof(*w->held), GFP_KERNEL);
	if (!w->bp_seen || !w->held) {
		pw_writer_free(w);
		snprintf(w->writer_why, sizeof(w->writer_why), "error_%d", ENOMEM);
		return;
	}
	for_each_possible_cpu(cpu)
		seqcount_init(&per_cpu_ptr(w->bp_seen, cpu)->seq);
	hw_breakpoint_init(&attr);
	attr.bp_addr = (unsigned long)w->va;
	attr.bp_len = w->spec.width;
	attr.bp_type = HW_BREAKPOINT_W;
	bp = register_wide_hw_breakpoint(&attr, pw_bp_fired, w);
	if (IS_ERR((void __force *)bp)) {
		int err = PTR_ERR((void __force *)bp);

		pw_writer_free(w);
		if (err == -ENOSPC)
			strscpy(w->writer_why, "no_slot", sizeof(w->writer_why));
		else
			snprintf(w->writer_why, sizeof(w->writer_why), "error_%d", -err);
		return;
	}
	if (pw_writer_live(w)) {
		unregister_wide_hw_breakpoint(bp);
		pw_writer_free(w);
		strscpy(w->writer_why, "not_live", sizeof(w->writer_why));
		pr_warn("id=%llu: write breakpoint not live on every CPU after %u ms: writer=unknown\n",
			w->spec.id, PW_LIVE_WAIT_MS);
		return;
	}
	/* Under the lock: a replaced watch gets its breakpoint back while it is listed. */
	raw_spin_lock_irqsave(&w->lock, flags);
	w->bp = bp;
	w->writer_why[0] = '\0';
	raw_spin_unlock_irqrestore(&w->lock, flags);
}

/*
 * Process context: once the events are torn down no handler writes a record; a hit
 * reading them holds w->lock, so they are freed only after it is let go.
 */
void pw_writer_disarm(struct pw_watch *w)
{
	unsigned long flags;

	if (!w->bp)
		goto out;
	unregister_wide_hw_breakpoint(w->bp);
	raw_spin_lock_irqsave(&w->lock, flags);
	/* Nothing is lost: a kept-back hit is queued with what the records say now. */
	pw_hit_release(w);
	w->bp = NULL;
	strscpy(w->writer_why, "no_slot", sizeof(w->writer_why));
	raw_spin_unlock_irqrestore(&w->lock, flags);
out:
	pw_writer_free(w);
}

/*
 * w->lock held: keep e back when no record names its writer yet, on a timer watch with
 * a breakpoint, unless it is a panic or hang (they fire now) or the watch's last hit.
 */
bool pw_writer_hold(struct pw_watch *w, const struct pw_event *e, bool last)
{
	lockdep_assert_held(&w->lock);
	if (e->writer != PW_WRITER_NO_CPU || !w->held || w->held_valid || last ||
	    w->spec.mode == PW_MODE_FTRACE ||
	    e->action == PW_ACT_PANIC || e->action == PW_ACT_HANG)
		return false;
	*w->held = *e;
	w->held_open_check = w->seen_old_check;
	WRITE_ONCE(w->held_valid, true);
	return true;
}

/* One CPU's record, consistent (bounded retries); false when it changed under every try. */
static bool pw_seen_read(const struct pw_bp_seen *p, struct pw_bp_seen *out, bool whole)
{
	unsigned int seq, tries;

	for (tries = 0; tries < PW_SEEN_RETRIES; tries++) {
		/* Not _begin, which spins while a handler writes: the tries are the bound. */
		seq = raw_read_seqcount(&p->seq);
		if (seq & 1)
			continue;
		if (whole) {
			*out = *p;
		} else {
			out->check = p->check;
			out->value = p->value;
		}
		if (!read_seqcount_retry(&p->seq, seq))
			return true;
	}
	return false;
}

/*
 * The hit's writer, from the records (w->lock held, any context): the latest store
 * that left e->new and trapped after the check that saw the old value (the open_check-th)
 * began, as a record says (s->check - 1 >= open_check). Only that CPU's record is
 * copied whole. With writer=cpu the event's cpu, task, ip and stack become the writer's.
 */
void pw_writer_of(struct pw_watch *w, struct pw_event *e, u64 open_check)
{
	struct pw_bp_seen s, best;
	u64 best_check = 0;
	int cpu, best_cpu = -1;

	if (!w->bp) {
		e->writer = PW_WRITER_UNKNOWN;
		strscpy(e->writer_why, w->writer_why, sizeof(e->writer_why));
		return;
	}
	for_each_possible_cpu(cpu) {
		if (!pw_seen_read(per_cpu_ptr(w->bp_seen, cpu), &s, false))
			continue;
		if (s.check > open_check && s.check > best_check && s.value == e->new) {
			best_check = s.check;
			best_cpu = cpu;
		}
	}
	/* Read again whole: a later store by that CPU that still fits is as good. */
	if (best_cpu < 0 || !pw_seen_read(per_cpu_ptr(w->bp_seen, best_cpu), &best, true) ||
	    best.check <= open_check || best.value != e->new) {
		e->writer = PW_WRITER_NO_CPU;
		return;
	}
	e->writer = PW_WRITER_CPU;
	e->cpu = best.cpu;
	e->pid = best.pid;
	memcpy(e->comm, best.comm, sizeof(e->comm));
	pw_comm_clean(e->comm);
	e->ip = best.ip;
	e->nr_stack = best.nr_stack;
	memcpy(e->stack, best.stack, best.nr_stack * sizeof(e->stack[0]));
}
#else
void pw_writer_arm(struct pw_watch *w)
{
	strscpy(w->writer_why, w->spec.writer == PW_WRITER_OFF ? "off" : "unsupported",
		sizeof(w->writer_why));
}

void pw_writer_disarm(struct pw_watch *w)
{
}

void pw_writer_of(struct pw_watch *w, struct pw_event *e, u64 open_check)
{
	e->writer = PW_WRITER_UNKNOWN;
	strscpy(e->writer_why, w->writer_why, sizeof(e->writer_why));
}

bool pw_writer_hold(struct pw_watch *w, const struct pw_event *e, bool last)
{
	return false;
}
#endif
