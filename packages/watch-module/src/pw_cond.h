/* SPDX-License-Identifier: GPL-2.0 */
/* Hit conditions and the region scan: pure logic, no kernel calls. */
#ifndef PW_COND_H
#define PW_COND_H

#include "pw_shim.h"

enum pw_cond_kind {
	PW_COND_EQUALS,		/* the word changes to value */
	PW_COND_CHANGES_FROM,	/* the word changes away from value */
	PW_COND_ANY_CHANGE,
	PW_COND_MASK_EQUALS,	/* (word & mask) becomes value */
	PW_COND_COUNT
};

struct pw_cond {
	enum pw_cond_kind kind;
	u64 value;
	u64 mask;
};

/* Every condition is about a change: before == after is never a hit. */
bool pw_cond_hit(const struct pw_cond *c, u64 before, u64 after);

/* Reads the width-sized word at byte offset off of buf (host byte order). */
u64 pw_word_get(const void *buf, u32 off, u32 width);
void pw_word_set(void *buf, u32 off, u32 width, u64 val);

/* Called for each word that meets the condition; return false to stop the scan. */
typedef bool (*pw_scan_fn)(void *ctx, u32 off, u64 before, u64 after);

/*
 * Compares cur with shadow word by word (len a multiple of width), calls fn for
 * each word that meets c, and copies every changed word into shadow. Returns the
 * number of words that changed.
 */
u32 pw_scan(void *shadow, const void *cur, u32 len, u32 width,
	    const struct pw_cond *c, pw_scan_fn fn, void *ctx);

#endif /* PW_COND_H */
