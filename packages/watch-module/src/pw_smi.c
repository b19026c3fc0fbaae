// SPDX-License-Identifier: GPL-2.0
/*
 * SMIs in the bracket. BIOS code in System Management Mode (the seed's 0x33 suspect)
 * runs invisible to the kernel, but Intel CPUs count each System Management Interrupt
 * in MSR_SMI_COUNT, per logical CPU. Probed once at load with the safe accessor (a CPU
 * without the MSR faults, which the accessor turns into an error); where it is not
 * there it is never read. A poll samples it on its own CPU; a hit says how many SMIs
 * that CPU took between the check that saw the old contents and the one that saw the
 * new, when both ran on the same CPU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/smp.h>
#ifdef CONFIG_X86
#include <asm/msr.h>
#include <asm/processor.h>
#endif
#include "pw_internal.h"

static bool pw_smi_ok;

void pw_smi_init(void)
{
#ifdef CONFIG_X86
	u64 v;

	pw_smi_ok = boot_cpu_data.x86_vendor == X86_VENDOR_INTEL &&
		    !rdmsrl_safe(MSR_SMI_COUNT, &v);
#endif
}

bool pw_smi_available(void)
{
	return pw_smi_ok;
}

/* Any context: this CPU's SMI count and which CPU, or cpu -1 when not counted. */
void pw_smi_sample(u64 *count, int *cpu)
{
	*cpu = -1;
#ifdef CONFIG_X86
	if (pw_smi_ok && !rdmsrl_safe(MSR_SMI_COUNT, count))
		*cpu = raw_smp_processor_id();
#endif
}
