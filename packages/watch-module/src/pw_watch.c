// SPDX-License-Identifier: GPL-2.0
/*
 * The watch table: add (or replace: "add" with an id already in use changes that
 * watch), del, clear. Commands are serialized by pw_cmd_mutex; the timer walks the
 * list under pw_list_lock, so a watch is unlisted before it is unmapped (see the
 * locking notes in pw_internal.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "pw_internal.h"

/* Serializes commands: table changes, timer (re)starts, /proc readers. */
DEFINE_MUTEX(pw_cmd_mutex);
LIST_HEAD(pw_watches);
DEFINE_RAW_SPINLOCK(pw_list_lock);
static unsigned int pw_count;

static struct pw_watch *pw_find(u64 id)
{
	struct pw_watch *w;

	lockdep_assert_held(&pw_cmd_mutex);
	list_for_each_entry(w, &pw_watches, node)
		if (w->spec.id == id)
			return w;
	return NULL;
}

static void pw_free(struct pw_watch *w)
{
	pw_writer_disarm(w);
	pw_ftrace_disarm(w);
	pw_target_unmap(w);
	kvfree(w->shadow);
	kvfree(w->cur);
	kfree(w);
}

static void pw_unlist(struct pw_watch *w)
{
	unsigned long flags;

	/* Stop ftrace callbacks first: they do not take pw_list_lock. */
	pw_ftrace_disarm(w);
	raw_spin_lock_irqsave(&pw_list_lock, flags);
	list_del(&w->node);
	pw_count--;
	raw_spin_unlock_irqrestore(&pw_list_lock, flags);
	pw_free(w);
}

/* After every change of the table: the budget's slices, then the timer for the new set. */
static void pw_table_changed(void)
{
	pw_budget_rebalance();
	pw_timer_kick();
}

int pw_add(const struct pw_spec *spec, bool seed)
{
	struct pw_watch *w, *old;
	unsigned long flags;
	char tgt[PW_SYM_MAX + 32];
	int ret;

	old = pw_find(spec->id);
	if (!old && pw_count >= PW_MAX_WATCHES) {
		pr_err("add id=%llu: table full (%d watches)\n", spec->id,
		       PW_MAX_WATCHES);
		return -ENOSPC;
	}
	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	w->spec = *spec;
	w->seed = seed;
	raw_spin_lock_init(&w->lock);
	w->shadow = kvzalloc(spec->len, GFP_KERNEL);
	w->cur = kvzalloc(spec->len, GFP_KERNEL);
	ret = -ENOMEM;
	if (!w->shadow || !w->cur)
		goto fail;
	ret = pw_target_map(w);
	if (ret)
		goto fail;
	pw_baseline(w);
	ret = pw_budget_admit(w, old);
	if (ret)
		goto refused;
	w->armed = true;
	w->due = ktime_add_us(ktime_get(), spec->interval_us);
	/* A timer's first polls are often late (a cold cache, a busy machine): judge later. */
	w->late_logged_at = jiffies;
	/* The replaced watch's breakpoint slot is the new one's to take. */
	if (old)
		pw_writer_disarm(old);
	pw_writer_arm(w);
	ret = pw_ftrace_arm(w);
	if (ret) {
		if (old)
			pw_writer_arm(old);
		goto fail;
	}
	if (old)
		pw_unlist(old);
	raw_spin_lock_irqsave(&pw_list_lock, flags);
	list_add_tail(&w->node, &pw_watches);
	pw_count++;
	raw_spin_unlock_irqrestore(&pw_list_lock, flags);
	pw_table_changed();
	pr_info("armed id=%llu target=%s paddr=0x%llx kind=%s len=%u width=%u cond=%s value=0x%llx mask=0x%llx interval_us=%llu action=%s mode=%s\n",
		spec->id, pw_target_str(spec, tgt, sizeof(tgt)), (u64)w->paddr,
		w->mmio ? "mmio" : "ram", spec->len, spec->width,
		pw_cond_names[spec->cond.kind], spec->cond.value,
		spec->cond.mask, spec->interval_us,
		pw_action_names[spec->action], pw_mode_names[spec->mode]);
	return 0;
fail:
	pr_err("add id=%llu %s: %s (%d)\n", spec->id,
	       pw_target_str(spec, tgt, sizeof(tgt)),
	       w->last_err[0] ? w->last_err : "out of memory", ret);
refused:	/* pw_budget_admit() said why, in its one line */
	pw_free(w);
	return ret;
}

void pw_clear(void)
{
	struct pw_watch *w, *tmp;

	list_for_each_entry_safe(w, tmp, &pw_watches, node)
		pw_unlist(w);
	pw_table_changed();
}

int pw_exec(const struct pw_cmd *cmd)
{
	struct pw_watch *w;

	switch (cmd->op) {
	case PW_OP_ADD:
		return pw_add(&cmd->spec, false);
	case PW_OP_DEL:
		w = pw_find(cmd->spec.id);
		if (!w) {
			pr_err("del id=%llu: no such watch\n", cmd->spec.id);
			return -ENOENT;
		}
		pw_unlist(w);
		pw_table_changed();
		pr_info("removed id=%llu\n", cmd->spec.id);
		return 0;
	case PW_OP_CLEAR:
		pw_clear();
		pr_info("cleared all watches\n");
		return 0;
	}
	return -EINVAL;
}
