// SPDX-License-Identifier: GPL-2.0
/* Hit conditions and the region scan: pure logic, no kernel calls. */
#include "pw_cond.h"

bool pw_cond_hit(const struct pw_cond *c, u64 before, u64 after)
{
	if (before == after)
		return false;
	switch (c->kind) {
	case PW_COND_EQUALS:
		return after == c->value;
	case PW_COND_CHANGES_FROM:
		return before == c->value;
	case PW_COND_ANY_CHANGE:
		return true;
	case PW_COND_MASK_EQUALS:
		return (after & c->mask) == c->value &&
		       (before & c->mask) != c->value;
	default:
		return false;
	}
}

u64 pw_word_get(const void *buf, u32 off, u32 width)
{
	const u8 *p = (const u8 *)buf + off;

	switch (width) {
	case 1:
		return *p;
	case 2:
		return *(const u16 *)p;
	case 4:
		return *(const u32 *)p;
	default:
		return *(const u64 *)p;
	}
}

void pw_word_set(void *buf, u32 off, u32 width, u64 val)
{
	u8 *p = (u8 *)buf + off;

	switch (width) {
	case 1:
		*p = (u8)val;
		break;
	case 2:
		*(u16 *)p = (u16)val;
		break;
	case 4:
		*(u32 *)p = (u32)val;
		break;
	default:
		*(u64 *)p = val;
		break;
	}
}

u32 pw_scan(void *shadow, const void *cur, u32 len, u32 width,
	    const struct pw_cond *c, pw_scan_fn fn, void *ctx)
{
	bool go_on = true;
	u32 changed = 0;
	u32 off;

	for (off = 0; off + width <= len; off += width) {
		u64 before = pw_word_get(shadow, off, width);
		u64 after = pw_word_get(cur, off, width);

		if (before == after)
			continue;
		changed++;
		pw_word_set(shadow, off, width, after);
		if (go_on && pw_cond_hit(c, before, after))
			go_on = fn(ctx, off, before, after);
	}
	return changed;
}
