// SPDX-License-Identifier: GPL-2.0
/*
 * The seed patch's module parameters, kept as they were written: one DRAM and one
 * MMIO address polled every watch_interval_ms; on reaching the target value the hit
 * is printed with a stack dump (system information), then the kernel panics or the
 * CPU hangs if asked. They work on the module command line and, when the module is
 * loaded by modprobe at boot, as physwatch.NAME= on the kernel command line.
 *
 * They become ordinary watches with reserved ids (see PW_SEED_*_ID), shown in
 * /proc/physwatch and reported like any other hit. The DRAM watch reads the
 * smallest width that holds target_dram_val (a byte for the 0x33 case); the MMIO
 * watch reads 32 bits. A value already present when the module loads is a hit, as
 * in the seed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/moduleparam.h>
#include "pw_internal.h"

static unsigned int watch_interval_ms = 1000;
module_param(watch_interval_ms, uint, 0444);
MODULE_PARM_DESC(watch_interval_ms, "SW watchpoint check interval in ms");

static unsigned long paddr_dram_to_watch;
module_param(paddr_dram_to_watch, ulong, 0444);
MODULE_PARM_DESC(paddr_dram_to_watch, "Physical dram address to monitor.");

static unsigned long target_dram_val;
module_param(target_dram_val, ulong, 0444);
MODULE_PARM_DESC(target_dram_val,
		 "Expected value at the dram address that triggers the watchpoint.");

static unsigned long paddr_mmio_to_watch;
module_param(paddr_mmio_to_watch, ulong, 0444);
MODULE_PARM_DESC(paddr_mmio_to_watch,
		 "Physical mmio address to monitor. Must be 32-bit aligned.");

static unsigned int target_mmio_val;
module_param(target_mmio_val, uint, 0444);
MODULE_PARM_DESC(target_mmio_val,
		 "Expected value at the mmio address that triggers the watchpoint.");

static bool panic_on_hit;
module_param(panic_on_hit, bool, 0444);
MODULE_PARM_DESC(panic_on_hit, "Trigger kernel panic when watchpoint condition hits.");

static bool hang_on_hit;
module_param(hang_on_hit, bool, 0444);
MODULE_PARM_DESC(hang_on_hit, "halt the CPU (wait for HW debugger)");

static void pw_seed_spec(struct pw_spec *s, u64 id, u64 paddr, u32 width,
			 u64 value)
{
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->target = PW_TGT_PADDR;
	s->paddr = paddr;
	s->width = width;
	s->len = width;
	s->cond.kind = PW_COND_EQUALS;
	s->cond.value = value;
	s->cond.mask = width == 8 ? U64_MAX : (1ULL << (width * 8)) - 1;
	s->interval_us = (u64)watch_interval_ms * 1000;
	s->action = panic_on_hit ? PW_ACT_PANIC :
		    hang_on_hit ? PW_ACT_HANG : PW_ACT_STACK;
	s->mode = PW_MODE_TIMER;
}

static u32 pw_width_for(u64 v)
{
	if (v <= 0xff)
		return 1;
	if (v <= 0xffff)
		return 2;
	return v <= 0xffffffffULL ? 4 : 8;
}

int pw_seed_init(void)
{
	struct pw_spec s;
	int ret = 0;

	if (!paddr_dram_to_watch && !paddr_mmio_to_watch)
		return 0;
	if (!watch_interval_ms) {
		pr_err("watch_interval_ms: must be at least 1\n");
		return -EINVAL;
	}
	if (paddr_mmio_to_watch % 4) {
		pr_err("paddr_mmio_to_watch: 0x%lx is not 32-bit aligned\n",
		       paddr_mmio_to_watch);
		return -EINVAL;
	}
	mutex_lock(&pw_cmd_mutex);
	if (paddr_dram_to_watch) {
		u32 width = pw_width_for(target_dram_val);

		if (paddr_dram_to_watch % width) {
			pr_err("paddr_dram_to_watch: 0x%lx is not aligned to %u bytes (the width of target_dram_val)\n",
			       paddr_dram_to_watch, width);
			ret = -EINVAL;
			goto out;
		}
		pw_seed_spec(&s, PW_SEED_DRAM_ID, paddr_dram_to_watch, width,
			     target_dram_val);
		ret = pw_add(&s, true);
		if (ret)
			goto out;
	}
	if (paddr_mmio_to_watch) {
		pw_seed_spec(&s, PW_SEED_MMIO_ID, paddr_mmio_to_watch, 4,
			     target_mmio_val);
		ret = pw_add(&s, true);
	}
out:
	if (ret)
		pw_clear();
	mutex_unlock(&pw_cmd_mutex);
	return ret;
}
