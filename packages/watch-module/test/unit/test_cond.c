// SPDX-License-Identifier: GPL-2.0
/* Conditions and the region scan. */
#include "test_main.h"
#include "pw_cond.h"

static struct pw_cond mk(enum pw_cond_kind k, u64 v, u64 m)
{
	struct pw_cond c = { .kind = k, .value = v, .mask = m };

	return c;
}

struct hits {
	int n;
	u32 off[16];
	u64 before[16], after[16];
	int stop_after;
};

static bool record(void *ctx, u32 off, u64 before, u64 after)
{
	struct hits *h = ctx;

	if (h->n < 16) {
		h->off[h->n] = off;
		h->before[h->n] = before;
		h->after[h->n] = after;
	}
	h->n++;
	return !h->stop_after || h->n < h->stop_after;
}

void test_cond(void)
{
	struct pw_cond c;

	c = mk(PW_COND_EQUALS, 0x33, 0xff);
	CHECK("equals hit", pw_cond_hit(&c, 0, 0x33));
	CHECK("equals other", !pw_cond_hit(&c, 0, 0x34));
	CHECK("equals unchanged is no hit", !pw_cond_hit(&c, 0x33, 0x33));
	CHECK("equals leaving", !pw_cond_hit(&c, 0x33, 0));

	c = mk(PW_COND_CHANGES_FROM, 0x1234, 0xffff);
	CHECK("changes_from hit", pw_cond_hit(&c, 0x1234, 0x5678));
	CHECK("changes_from other start", !pw_cond_hit(&c, 0x1111, 0x5678));
	CHECK("changes_from unchanged", !pw_cond_hit(&c, 0x1234, 0x1234));

	c = mk(PW_COND_ANY_CHANGE, 0, ~0ULL);
	CHECK("any_change hit", pw_cond_hit(&c, 1, 2));
	CHECK("any_change unchanged", !pw_cond_hit(&c, 5, 5));
	CHECK("any_change 64-bit", pw_cond_hit(&c, 0, 1ULL << 63));

	c = mk(PW_COND_MASK_EQUALS, 0x30, 0xf0);
	CHECK("mask_equals hit", pw_cond_hit(&c, 0x00, 0x3f));
	CHECK("mask_equals already matched", !pw_cond_hit(&c, 0x31, 0x32));
	CHECK("mask_equals no match", !pw_cond_hit(&c, 0x00, 0x4f));
	c.kind = PW_COND_COUNT;
	CHECK("unknown kind never hits", !pw_cond_hit(&c, 0, 1));

	{
		u8 shadow[32] = { 0 }, cur[32] = { 0 };
		struct hits h = { 0 };
		u32 changed;

		c = mk(PW_COND_ANY_CHANGE, 0, 0xffffffff);
		pw_word_set(cur, 4, 4, 0xdeadbeef);
		pw_word_set(cur, 28, 4, 7);
		changed = pw_scan(shadow, cur, 32, 4, &c, record, &h);
		CHECK("scan changed", changed == 2);
		CHECK("scan hits", h.n == 2);
		CHECK("scan offset 1", h.off[0] == 4 && h.after[0] == 0xdeadbeef);
		CHECK("scan offset 2", h.off[1] == 28 && h.before[1] == 0 && h.after[1] == 7);
		CHECK("scan updates shadow", pw_word_get(shadow, 4, 4) == 0xdeadbeef);
		h.n = 0;
		CHECK("scan again: nothing", pw_scan(shadow, cur, 32, 4, &c, record, &h) == 0 && h.n == 0);
	}
	{
		u8 shadow[16] = { 0 }, cur[16] = { 0 };
		struct hits h = { .stop_after = 1 };

		c = mk(PW_COND_EQUALS, 0x33, 0xff);
		cur[1] = 0x33;
		cur[2] = 0x34;
		cur[3] = 0x33;
		CHECK("scan width 1 counts changes", pw_scan(shadow, cur, 16, 1, &c, record, &h) == 3);
		CHECK("scan stops reporting on request", h.n == 1 && h.off[0] == 1);
		CHECK("scan still syncs shadow", shadow[3] == 0x33);
	}
	{
		u8 shadow[16] = { 0 }, cur[16] = { 0 };
		struct hits h = { 0 };

		c = mk(PW_COND_MASK_EQUALS, 0xff00000000000000ULL, 0xff00000000000000ULL);
		pw_word_set(cur, 8, 8, 0xff000000000000aaULL);
		pw_scan(shadow, cur, 16, 8, &c, record, &h);
		CHECK("scan width 8", h.n == 1 && h.off[0] == 8);
		pw_word_set(cur, 0, 2, 0xbeef);
		CHECK("word 2", pw_word_get(cur, 0, 2) == 0xbeef);
	}
}
