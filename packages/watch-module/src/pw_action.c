// SPDX-License-Identifier: GPL-2.0
/*
 * The terminal actions: panic (so kdump saves a vmcore) and hang (stop every CPU, for
 * a hardware debugger). They fire in the context that saw the hit, but only after it
 * has dropped the module's locks (pw_poll.c, pw_ftrace.c call pw_terminal_run() last),
 * so a hang never spins holding a lock that a reader of /proc/physwatch or a command
 * writer on another CPU would then spin on. The hit line is printed first, with the
 * lines queued before it, so the kernel log in the vmcore holds them in order.
 * report and stack need nothing here: the log worker prints them (pw_report.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/panic.h>
#include <linux/printk.h>
#include <linux/smp.h>
#include "pw_internal.h"
#include "pw_event.h"

/* The first terminal hit wins; the CPU that saw it runs it. */
static struct pw_event pw_terminal;
static atomic_t pw_terminal_claimed = ATOMIC_INIT(0);
static int pw_terminal_cpu = -1;

#if defined(CONFIG_X86) && defined(CONFIG_SMP)
static void pw_stop_other_cpus(void)
{
	/* smp_send_stop() is an inline over the exported smp_ops on x86 (NMI fallback). */
	smp_ops.stop_other_cpus(0);
}
#else
static void pw_spin_here(void *unused)
{
	local_irq_disable();
	for (;;)
		cpu_relax();
}

/*
 * One per CPU, used once: the hang never returns, so no csd is ever reused. Set up at
 * run time: a module's per-CPU template gets no relocations, a static func would be 0.
 */
static DEFINE_PER_CPU(call_single_data_t, pw_stop_csd);

static void pw_stop_other_cpus(void)
{
	unsigned int cpu, self = raw_smp_processor_id();

	/*
	 * Elsewhere (arm64) smp_send_stop() is not exported: an IPI makes every other
	 * CPU spin with interrupts off. The hit is seen in hard IRQ or any traced
	 * context, where smp_call_function() may deadlock on its csd lock (and WARNs,
	 * kernel/smp.c !in_task()); the async single-CPU call is the one cross call
	 * allowed there, with a csd of our own per CPU.
	 */
	for_each_online_cpu(cpu) {
		call_single_data_t *csd = per_cpu_ptr(&pw_stop_csd, cpu);

		if (cpu == self)
			continue;
		INIT_CSD(csd, pw_spin_here, NULL);
		smp_call_function_single_async(cpu, csd);
	}
}
#endif

static void __noreturn pw_hang(const struct pw_event *e)
{
	local_irq_disable();
	pw_stop_other_cpus();
	pr_emerg("hang: hit seq=%llu id=%llu, CPU %u spinning with interrupts off, other CPUs stopped\n",
		 e->seq, e->id, e->cpu);
	for (;;)
		cpu_relax();
}

/* Hot path, w->lock held: remember a panic/hang hit for pw_terminal_run(). */
void pw_terminal_set(const struct pw_event *e)
{
	if (atomic_cmpxchg(&pw_terminal_claimed, 0, 1))
		return;
	pw_terminal = *e;
	/* Pairs with the acquire in pw_terminal_run(): the cpu, then the record. */
	smp_store_release(&pw_terminal_cpu, raw_smp_processor_id());
}

/* Lines queued before the terminal hit, printed here: the worker will not run again. */
static void pw_log_flush_in_place(void)
{
	static struct pw_event e;
	u64 skipped;

	while (pw_log_take(&e, &skipped))
		pw_report_print(&e);
}

/* Called last by the timer and ftrace callbacks, holding no physwatch lock. */
void pw_terminal_run(void)
{
	/* Static: this runs at the end of every timer expiry, on the interrupt stack. */
	static char line[PW_EVENT_LINE_MAX];

	/* Pairs with the release in pw_terminal_set(): the record is complete. */
	if (likely(smp_load_acquire(&pw_terminal_cpu) != raw_smp_processor_id()))
		return;
	pw_log_flush_in_place();
	pw_event_format(&pw_terminal, line, sizeof(line));
	pr_emerg("%s", line);
	dump_stack();
	if (pw_terminal.action == PW_ACT_PANIC)
		panic("physwatch: hit seq=%llu id=%llu paddr=0x%llx old=0x%llx new=0x%llx\n",
		      pw_terminal.seq, pw_terminal.id, pw_terminal.paddr,
		      pw_terminal.old, pw_terminal.new);
	pw_hang(&pw_terminal);
}
