// SPDX-License-Identifier: GPL-2.0
/*
 * pw_bench.ko: the baseline for physwatch's poll cost. Times a bare READ_ONCE of
 * one word and a READ_ONCE loop over a 4 KiB region at paddr (memremap), with
 * interrupts off, and prints ns per pass. Load, read the log, unload.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/timekeeping.h>

static unsigned long paddr;
module_param(paddr, ulong, 0444);
MODULE_PARM_DESC(paddr, "Physical RAM address of a 4 KiB scratch region");
static unsigned int loops = 100000;
module_param(loops, uint, 0444);
MODULE_PARM_DESC(loops, "Passes to time");

static int __init pw_bench_init(void)
{
	u64 *p, sink = 0, t0, word_ns, region_ns;
	unsigned long flags;
	unsigned int i, j;

	p = memremap(paddr, 4096, MEMREMAP_WB);
	if (!p) {
		pr_err("memremap 0x%lx failed\n", paddr);
		return -ENOMEM;
	}
	local_irq_save(flags);
	t0 = ktime_get_ns();
	for (i = 0; i < loops; i++)
		sink += READ_ONCE(p[0]);
	word_ns = ktime_get_ns() - t0;
	t0 = ktime_get_ns();
	for (i = 0; i < loops / 10; i++)
		for (j = 0; j < 512; j++)
			sink += READ_ONCE(p[j]);
	region_ns = ktime_get_ns() - t0;
	local_irq_restore(flags);
	memunmap(p);
	pr_warn("bare READ_ONCE: word %llu ps/pass, 4KiB region %llu ns/pass (sink %llu)\n",
		div64_u64(word_ns * 1000, loops), div64_u64(region_ns, loops / 10),
		sink & 1);
	return 0;
}

static void __exit pw_bench_exit(void)
{
}

module_init(pw_bench_init);
module_exit(pw_bench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("physwatch benchmark baseline");
