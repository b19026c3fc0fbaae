// SPDX-License-Identifier: GPL-2.0
/*
 * physwatch: a software watchpoint on physical addresses (DRAM or MMIO), polled by
 * an hrtimer or checked on entry to traced functions, for hunting memory corruption
 * by devices, firmware or the kernel. Grown from the "timer based software
 * watchpoint" patch; its module parameters keep working (pw_seed.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/module.h>
#include "pw_internal.h"
#include "pw_event.h"

static unsigned int fifo_size = 256;
module_param(fifo_size, uint, 0444);
MODULE_PARM_DESC(fifo_size,
		 "Events queued for /dev/physwatch readers before losses are counted (power of 2, 4..16384)");

unsigned int pw_poll_event_cap = 64;
module_param_named(poll_event_cap, pw_poll_event_cap, uint, 0444);
MODULE_PARM_DESC(poll_event_cap,
		 "Hits reported per watch per poll; more are counted in one suppressed event (1..65536)");

module_param_named(log_rate, pw_log_rate, uint, 0444);
MODULE_PARM_DESC(log_rate,
		 "Hit lines printed to the kernel log per second (1..100000); the rest are counted in one line a second, and every hit is still on /dev/physwatch. A panic or hang hit is always printed");

module_param_named(poll_budget_ppm, pw_poll_budget_ppm, uint, 0444);
MODULE_PARM_DESC(poll_budget_ppm,
		 "Share of one CPU, in parts per million, that all timer-driven watches may take together (1000..1000000, default 50000 = 5%); an add past it is refused with -EBUSY");

static int __init physwatch_init(void)
{
	int ret;

	if (fifo_size < 4 || fifo_size > 16384 || !is_power_of_2(fifo_size)) {
		pr_err("fifo_size: %u is not a power of 2 from 4 to 16384\n",
		       fifo_size);
		return -EINVAL;
	}
	if (pw_poll_event_cap < 1 || pw_poll_event_cap > 65536) {
		pr_err("poll_event_cap: %u is not from 1 to 65536\n",
		       pw_poll_event_cap);
		return -EINVAL;
	}
	if (pw_log_rate < 1 || pw_log_rate > 100000) {
		pr_err("log_rate: %u is not from 1 to 100000\n", pw_log_rate);
		return -EINVAL;
	}
	if (pw_poll_budget_ppm < 1000 || pw_poll_budget_ppm > 1000000) {
		pr_err("poll_budget_ppm: %u is not from 1000 to 1000000\n",
		       pw_poll_budget_ppm);
		return -EINVAL;
	}
	ret = pw_event_init(fifo_size);
	if (ret)
		return ret;
	pw_report_init();
	pw_sym_init();
	pw_smi_init();
	ret = pw_proc_init();
	if (ret)
		goto err_event;
	ret = pw_dev_init();
	if (ret)
		goto err_proc;
	ret = pw_seed_init();
	if (ret)
		goto err_dev;
	pr_info("loaded: /dev/physwatch and /proc/physwatch ready\n");
	return 0;

err_dev:
	pw_timer_stop();
	pw_dev_exit();
err_proc:
	pw_proc_exit();
err_event:
	pw_report_exit();
	pw_event_exit();
	return ret;
}

static void __exit physwatch_exit(void)
{
	mutex_lock(&pw_cmd_mutex);
	pw_clear();
	mutex_unlock(&pw_cmd_mutex);
	pw_timer_stop();
	pw_dev_exit();
	pw_proc_exit();
	pw_report_exit();
	pw_event_exit();
	pr_info("unloaded\n");
}

module_init(physwatch_init);
module_exit(physwatch_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("physwatch authors");
MODULE_DESCRIPTION("Software watchpoint on physical DRAM/MMIO addresses");
MODULE_VERSION("0.1.0");
