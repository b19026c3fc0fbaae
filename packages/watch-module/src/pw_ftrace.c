// SPDX-License-Identifier: GPL-2.0
/*
 * ftrace mode: check a watch on entry to each of its functions (funcs=a,b,...), so a
 * kernel writer is caught at function granularity rather than at timer granularity.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/string.h>
#include "pw_internal.h"
#include "pw_event.h"

static void notrace pw_ftrace_fn(unsigned long ip, unsigned long parent_ip,
				 struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	struct pw_watch *w = container_of(op, struct pw_watch, fops);
	unsigned long flags;

	/*
	 * trylock: the timer may be polling this watch, or we interrupted it. Under the
	 * lock only compare and record (no printk, no wake-up: the traced function may
	 * hold a runqueue or waitqueue lock); a panic or hang runs after it is dropped.
	 */
	local_irq_save(flags);
	if (raw_spin_trylock(&w->lock)) {
		pw_poll_watch(w, PW_SRC_FTRACE, ip);
		raw_spin_unlock(&w->lock);
		pw_terminal_run();
	}
	local_irq_restore(flags);
}

/* Idempotent: called when a watch is unlisted and again when it is freed. */
void pw_ftrace_disarm(struct pw_watch *w);

int pw_ftrace_arm(struct pw_watch *w)
{
	u32 i;
	int ret;

	if (w->spec.mode == PW_MODE_TIMER)
		return 0;
	w->fops.func = pw_ftrace_fn;
	w->fops.flags = FTRACE_OPS_FL_RECURSION;
	w->fops_filtered = true;
	for (i = 0; i < w->spec.nfuncs; i++) {
		char *name = w->spec.funcs[i];

		ret = ftrace_set_filter(&w->fops, name, strlen(name), 0);
		if (ret) {
			snprintf(w->last_err, sizeof(w->last_err),
				 "cannot trace function %s (%d)", name, ret);
			goto err;
		}
	}
	ret = register_ftrace_function(&w->fops);
	if (ret) {
		snprintf(w->last_err, sizeof(w->last_err),
			 "register_ftrace_function failed (%d)", ret);
		goto err;
	}
	w->fops_registered = true;
	return 0;
err:
	pw_ftrace_disarm(w);
	return ret;
}

void pw_ftrace_disarm(struct pw_watch *w)
{
	if (w->fops_registered)
		unregister_ftrace_function(&w->fops);
	if (w->fops_filtered)
		ftrace_free_filter(&w->fops);
	w->fops_registered = false;
	w->fops_filtered = false;
}
