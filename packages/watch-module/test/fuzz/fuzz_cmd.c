// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: any bytes through the command parser, and a parsed add's
 * condition through the region scan. Checks the parser's own promises: on success
 * the spec is self-consistent, on failure the error names a key and says why.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pw_cmd.h"
#include "pw_cond.h"

static bool count_hit(void *ctx, u32 off, u64 before, u64 after)
{
	(void)off;
	assert(before != after);
	(*(u32 *)ctx)++;
	return true;
}

static void check_spec(const struct pw_spec *s, const uint8_t *data, size_t size)
{
	u64 max = s->width == 8 ? ~0ULL : (1ULL << (s->width * 8)) - 1;
	u8 shadow[64], cur[64];
	u32 len, hits = 0, changed;

	assert(s->width == 1 || s->width == 2 || s->width == 4 || s->width == 8);
	assert(s->len >= s->width && s->len <= PW_MAX_LEN && s->len % s->width == 0);
	assert(s->cond.kind < PW_COND_COUNT && s->action < PW_ACT_COUNT);
	assert(s->cond.value <= max && s->cond.mask <= max);
	assert(s->id < PW_RESERVED_ID);
	if (s->target == PW_TGT_PADDR)
		assert(s->paddr % s->width == 0 && !((s->paddr + s->len - 1) >> 52));
	else
		assert(s->off % s->width == 0);
	if (s->target == PW_TGT_SYM)
		assert(s->sym[0] && strlen(s->sym) < PW_SYM_MAX);
	if (s->mode != PW_MODE_FTRACE)
		assert(s->interval_us >= PW_MIN_INTERVAL_US);
	if (s->cond.kind == PW_COND_MASK_EQUALS)
		assert(s->cond.mask && !(s->cond.value & ~s->cond.mask));

	/* Scan the input bytes against zeros with the parsed condition. */
	len = s->len < sizeof(cur) ? s->len : sizeof(cur) / s->width * s->width;
	memset(shadow, 0, sizeof(shadow));
	memset(cur, 0, sizeof(cur));
	memcpy(cur, data, size < len ? size : len);
	changed = pw_scan(shadow, cur, len, s->width, &s->cond, count_hit, &hits);
	assert(hits <= changed);
	assert(!memcmp(shadow, cur, len));
	assert(pw_scan(shadow, cur, len, s->width, &s->cond, count_hit, &hits) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pw_cmd cmd;
	struct pw_err err;
	char *copy = malloc(size ? size : 1);

	/* An exact-size heap copy, so ASan catches any read past n. */
	memcpy(copy, data, size);
	if (pw_cmd_parse(copy, size, &cmd, &err) == 0) {
		if (cmd.op == PW_OP_ADD)
			check_spec(&cmd.spec, data, size);
	} else {
		assert(err.key[0] && err.why[0]);
		assert(memchr(err.key, 0, sizeof(err.key)));
		assert(memchr(err.why, 0, sizeof(err.why)));
		for (const char *k = err.key; *k; k++)
			assert(*k > ' ' && *k < 0x7f);
	}
	free(copy);
	return 0;
}
