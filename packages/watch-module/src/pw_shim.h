/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few types and helpers the pure-logic files (pw_cmd.c, pw_cond.c) need, taken
 * from the kernel when built as part of the module and from libc in user space, so
 * the same files are unit-tested and fuzzed outside the kernel.
 */
#ifndef PW_SHIM_H
#define PW_SHIM_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/stddef.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;
#define U64_MAX UINT64_MAX
#endif

#endif /* PW_SHIM_H */
