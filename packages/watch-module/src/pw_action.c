// SPDX-License-Identifier: GPL-2.0
/*
 * What a hit does after it is logged and queued: report (nothing more), stack (dump
 * the interrupted context's stack), panic (so kdump saves a vmcore), or hang (stop
 * the other CPUs and spin here with interrupts off, for a hardware debugger).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/panic.h>
#include <linux/printk.h>
#include <linux/smp.h>
#include "pw_internal.h"
#include "pw_event.h"

static void pw_stop_other_cpus(void)
{
#if defined(CONFIG_X86) && defined(CONFIG_SMP)
	/* smp_send_stop() is an inline over the exported smp_ops on x86. */
	smp_ops.stop_other_cpus(0);
#endif
}

static void __noreturn pw_hang(const struct pw_event *e)
{
	local_irq_disable();
	pw_stop_other_cpus();
	pr_emerg("hang: hit seq=%llu id=%llu, CPU %u spinning with interrupts off, other CPUs stopped\n",
		 e->seq, e->id, e->cpu);
	for (;;)
		cpu_relax();
}

void pw_action(struct pw_watch *w, const struct pw_event *e)
{
	switch (e->action) {
	case PW_ACT_STACK:
		dump_stack();
		break;
	case PW_ACT_PANIC:
		dump_stack();
		panic("physwatch: hit seq=%llu id=%llu paddr=0x%llx old=0x%llx new=0x%llx\n",
		      e->seq, e->id, e->paddr, e->old, e->new);
		break;
	case PW_ACT_HANG:
		dump_stack();
		pw_hang(e);
		break;
	default:
		break;
	}
}
