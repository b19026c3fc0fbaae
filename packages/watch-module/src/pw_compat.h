/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels physwatch is built for (Debian's 6.1, 6.12 and
 * 6.12-rt, and upstream after them): the newer API where the kernel has it, the older
 * one behind the same name where it does not. Nothing else in the module tests versions.
 */
#ifndef PW_COMPAT_H
#define PW_COMPAT_H

#include <linux/hrtimer.h>

/*
 * hrtimer_setup() arrived in 6.13 and hrtimer_init() was removed after it. Kbuild
 * looks for it in the kernel's own header (PW_HAVE_HRTIMER_SETUP): features, not
 * version numbers, so a distribution backport is used too.
 */
static inline void pw_hrtimer_setup(struct hrtimer *t,
				    enum hrtimer_restart (*fn)(struct hrtimer *),
				    clockid_t clock, enum hrtimer_mode mode)
{
#ifdef PW_HAVE_HRTIMER_SETUP
	hrtimer_setup(t, fn, clock, mode);
#else
	hrtimer_init(t, clock, mode);
	t->function = fn;
#endif
}

#endif /* PW_COMPAT_H */
