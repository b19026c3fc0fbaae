// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/physwatch command language. One command per line:
 *
 *   add id=N (paddr=0x..|sym=name[+0xoff]|bar=DDDD:BB:DD.F/N[+0xoff]) [len=N]
 *       width=1|2|4|8 cond=equals|changes_from|any_change|mask_equals
 *       [value=V] [mask=M] interval_us=N [action=report|stack|panic|hang]
 *       [max_hits=N] [rate=N] [mode=timer|ftrace|both] [funcs=f1,f2,...]
 *   del id=N
 *   clear
 *
 * Pure logic: no kernel calls, so it builds in user space too.
 */
#include "pw_cmd.h"

const char *const pw_cond_names[PW_COND_COUNT] = {
	"equals", "changes_from", "any_change", "mask_equals",
};

const char *const pw_action_names[PW_ACT_COUNT] = {
	"report", "stack", "panic", "hang",
};

const char *const pw_mode_names[PW_MODE_COUNT] = { "timer", "ftrace", "both" };
const char *const pw_cache_names[PW_CACHE_COUNT] = { "auto", "coherent", "flush" };
const char *const pw_writer_use_names[PW_WRITER_USE_COUNT] = { "on", "off" };

/* A token from the line: [s, s + n). */
struct tok {
	const char *s;
	size_t n;
};

static int fail(struct pw_err *err, const char *key, size_t keylen,
		const char *why)
{
	size_t i;

	if (!keylen) {
		key = "(empty)";
		keylen = strlen(key);
	}
	if (keylen >= sizeof(err->key))
		keylen = sizeof(err->key) - 1;
	for (i = 0; i < keylen; i++) {
		char c = key[i];

		err->key[i] = (c > ' ' && c < 0x7f) ? c : '?';
	}
	err->key[keylen] = '\0';
	for (i = 0; why[i] && i < sizeof(err->why) - 1; i++)
		err->why[i] = why[i];
	err->why[i] = '\0';
	return -1;
}

static int failk(struct pw_err *err, const char *key, const char *why)
{
	return fail(err, key, strlen(key), why);
}

static bool tok_is(struct tok t, const char *word)
{
	return t.n == strlen(word) && !memcmp(t.s, word, t.n);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "0x..." hex or decimal, the whole token, no overflow. */
static bool parse_u64(struct tok t, u64 *out)
{
	unsigned int base = 10;
	size_t i = 0;
	u64 v = 0;

	if (t.n > 2 && t.s[0] == '0' && (t.s[1] == 'x' || t.s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == t.n)
		return false;
	for (; i < t.n; i++) {
		int d = hexval(t.s[i]);

		if (d < 0 || (unsigned int)d >= base)
			return false;
		if (v > (U64_MAX - (u64)d) / base)
			return false;
		v = v * base + (u64)d;
	}
	*out = v;
	return true;
}

static int lookup(struct tok t, const char *const *names, int count)
{
	int i;

	for (i = 0; i < count; i++)
		if (tok_is(t, names[i]))
			return i;
	return -1;
}

static bool sym_char(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == '.')
		return true;
	return !first && ((c >= '0' && c <= '9') || c == '$');
}

/* name, no "+off" */
static bool parse_name(struct tok t, char *out)
{
	size_t i;

	if (t.n == 0 || t.n >= PW_SYM_MAX)
		return false;
	for (i = 0; i < t.n; i++)
		if (!sym_char(t.s[i], i == 0))
			return false;
	memcpy(out, t.s, t.n);
	out[t.n] = '\0';
	return true;
}

/* Splits "head+off" at the last '+'; no '+' gives off 0. */
static bool split_off(struct tok t, struct tok *head, u64 *off)
{
	size_t i;

	*head = t;
	*off = 0;
	for (i = t.n; i > 0; i--) {
		if (t.s[i - 1] == '+') {
			struct tok o = { t.s + i, t.n - i };

			head->n = i - 1;
			return parse_u64(o, off);
		}
	}
	return true;
}

static bool parse_hex_field(const char *s, size_t n, u64 max, u64 *out)
{
	u64 v = 0;
	size_t i;

	if (n == 0 || n > 4)
		return false;
	for (i = 0; i < n; i++) {
		int d = hexval(s[i]);

		if (d < 0)
			return false;
		v = v * 16 + (u64)d;
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* DDDD:BB:DD.F/N with hex domain, bus, device, decimal function and BAR. */
static bool parse_bar(struct tok t, struct pw_spec *s)
{
	const char *p = t.s, *end = t.s + t.n, *c1, *c2, *dot, *slash;
	u64 dom, bus, dev;

	c1 = memchr(p, ':', t.n);
	if (!c1)
		return false;
	c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	if (!c2)
		return false;
	dot = memchr(c2 + 1, '.', (size_t)(end - c2 - 1));
	if (!dot)
		return false;
	slash = memchr(dot + 1, '/', (size_t)(end - dot - 1));
	if (!slash || slash + 2 != end || dot + 2 != slash)
		return false;
	if (!parse_hex_field(p, (size_t)(c1 - p), 0xffff, &dom) ||
	    !parse_hex_field(c1 + 1, (size_t)(c2 - c1 - 1), 0xff, &bus) ||
	    !parse_hex_field(c2 + 1, (size_t)(dot - c2 - 1), 0x1f, &dev))
		return false;
	if (dot[1] < '0' || dot[1] > '7' || slash[1] < '0' || slash[1] > '5')
		return false;
	s->pci_domain = (u32)dom;
	s->pci_bus = (u8)bus;
	s->pci_dev = (u8)dev;
	s->pci_fn = (u8)(dot[1] - '0');
	s->bar = (u8)(slash[1] - '0');
	return true;
}

static bool parse_funcs(struct tok t, struct pw_spec *s)
{
	size_t start = 0, i;

	s->nfuncs = 0;
	for (i = 0; i <= t.n; i++) {
		if (i < t.n && t.s[i] != ',')
			continue;
		if (s->nfuncs == PW_FUNCS_MAX)
			return false;
		{
			struct tok f = { t.s + start, i - start };

			if (!parse_name(f, s->funcs[s->nfuncs]))
				return false;
		}
		s->nfuncs++;
		start = i + 1;
	}
	return s->nfuncs > 0;
}

static u64 width_max(u32 width)
{
	return width == 8 ? U64_MAX : (((u64)1 << (width * 8)) - 1);
}

enum key_id {
	K_ID, K_PADDR, K_SYM, K_BAR, K_LEN, K_WIDTH, K_COND, K_VALUE, K_MASK,
	K_INTERVAL, K_ACTION, K_MAX_HITS, K_RATE, K_MODE, K_FUNCS, K_CACHE, K_WRITER,
	K_SENTINEL, K_PATTERN, K_COUNT
};

static const char *const key_names[K_COUNT] = {
	"id", "paddr", "sym", "bar", "len", "width", "cond", "value", "mask",
	"interval_us", "action", "max_hits", "rate", "mode", "funcs", "cache",
	"writer", "sentinel", "pattern",
};

static int parse_kv(struct tok key, struct tok val, int k, struct pw_spec *s,
		    struct pw_err *e)
{
	u64 v = 0;
	int i;
	struct tok head;

	switch (k) {
	case K_ID:
		if (!parse_u64(val, &s->id))
			return fail(e, key.s, key.n, "not an unsigned 64-bit number");
		if (s->id >= PW_RESERVED_ID)
			return fail(e, key.s, key.n, "reserved for the seed's module parameters");
		return 0;
	case K_PADDR:
		if (!parse_u64(val, &s->paddr))
			return fail(e, key.s, key.n, "not an unsigned 64-bit number");
		if (s->paddr >> 52)
			return fail(e, key.s, key.n, "beyond the 52-bit physical address space");
		s->target = PW_TGT_PADDR;
		return 0;
	case K_SYM:
		if (!split_off(val, &head, &s->off) || !parse_name(head, s->sym))
			return fail(e, key.s, key.n, "not name or name+0xoffset");
		s->target = PW_TGT_SYM;
		return 0;
	case K_BAR:
		if (!split_off(val, &head, &s->off) || !parse_bar(head, s))
			return fail(e, key.s, key.n, "not DDDD:BB:DD.F/BAR[+0xoffset]");
		s->target = PW_TGT_BAR;
		return 0;
	case K_SENTINEL:
		if (!parse_u64(val, &v) || v < 1 || v > PW_SENTINEL_MAX_PAGES)
			return fail(e, key.s, key.n, "not a number of pages from 1 to 16");
		s->sentinel_pages = (u32)v;
		s->target = PW_TGT_SENTINEL;
		return 0;
	case K_PATTERN:
		if (!parse_u64(val, &s->pattern))
			return fail(e, key.s, key.n, "not an unsigned 64-bit number");
		return 0;
	case K_LEN:
		if (!parse_u64(val, &v) || v < 1 || v > PW_MAX_LEN)
			return fail(e, key.s, key.n, "not a number from 1 to 65536");
		s->len = (u32)v;
		return 0;
	case K_WIDTH:
		if (!parse_u64(val, &v) || (v != 1 && v != 2 && v != 4 && v != 8))
			return fail(e, key.s, key.n, "not 1, 2, 4 or 8");
		s->width = (u32)v;
		return 0;
	case K_COND:
		i = lookup(val, pw_cond_names, PW_COND_COUNT);
		if (i < 0)
			return fail(e, key.s, key.n,
				    "not equals, changes_from, any_change or mask_equals");
		s->cond.kind = (enum pw_cond_kind)i;
		return 0;
	case K_VALUE:
		if (!parse_u64(val, &s->cond.value))
			return fail(e, key.s, key.n, "not an unsigned 64-bit number");
		return 0;
	case K_MASK:
		if (!parse_u64(val, &s->cond.mask))
			return fail(e, key.s, key.n, "not an unsigned 64-bit number");
		return 0;
	case K_INTERVAL:
		if (!parse_u64(val, &s->interval_us) ||
		    s->interval_us < PW_MIN_INTERVAL_US ||
		    s->interval_us > PW_MAX_INTERVAL_US)
			return fail(e, key.s, key.n, "not a number from 100 to 3600000000");
		return 0;
	case K_ACTION:
		i = lookup(val, pw_action_names, PW_ACT_COUNT);
		if (i < 0)
			return fail(e, key.s, key.n, "not report, stack, panic or hang");
		s->action = (enum pw_action)i;
		return 0;
	case K_MAX_HITS:
	case K_RATE:
		if (!parse_u64(val, &v) || v > 0x7fffffff)
			return fail(e, key.s, key.n, "not a number from 0 to 2147483647");
		if (k == K_MAX_HITS)
			s->max_hits = (u32)v;
		else
			s->rate = (u32)v;
		return 0;
	case K_MODE:
		i = lookup(val, pw_mode_names, PW_MODE_COUNT);
		if (i < 0)
			return fail(e, key.s, key.n, "not timer, ftrace or both");
		s->mode = (enum pw_mode)i;
		return 0;
	case K_CACHE:
		i = lookup(val, pw_cache_names, PW_CACHE_COUNT);
		if (i < 0)
			return fail(e, key.s, key.n, "not auto, coherent or flush");
		s->cache = (enum pw_cache)i;
		return 0;
	case K_WRITER:
		i = lookup(val, pw_writer_use_names, PW_WRITER_USE_COUNT);
		if (i < 0)
			return fail(e, key.s, key.n, "not on or off");
		s->writer = (enum pw_writer_use)i;
		return 0;
	case K_FUNCS:
		if (!parse_funcs(val, s))
			return fail(e, key.s, key.n, "not 1 to 8 comma-separated function names");
		return 0;
	}
	return fail(e, key.s, key.n, "unknown key");
}

/* Checks that need several keys; each names the key to change. */
static int cross_check(const struct pw_spec *s, unsigned int seen,
		       struct pw_err *e)
{
	unsigned int targets = !!(seen & (1u << K_PADDR)) +
			       !!(seen & (1u << K_SYM)) + !!(seen & (1u << K_BAR)) +
			       !!(seen & (1u << K_SENTINEL));
	bool has_value = seen & (1u << K_VALUE);
	u64 max = width_max(s->width);

	if (!(seen & (1u << K_ID)))
		return failk(e, "id", "required");
	if (targets != 1)
		return failk(e, "paddr", "give exactly one of paddr, sym, bar or sentinel");
	if (!(seen & (1u << K_WIDTH)))
		return failk(e, "width", "required: 1, 2, 4 or 8");
	if (!(seen & (1u << K_COND)))
		return failk(e, "cond", "required");
	if (s->mode != PW_MODE_FTRACE && !(seen & (1u << K_INTERVAL)))
		return failk(e, "interval_us", "required unless mode=ftrace");
	if (s->mode != PW_MODE_TIMER && s->nfuncs == 0)
		return failk(e, "funcs", "required for mode ftrace or both");
	if (s->mode == PW_MODE_TIMER && s->nfuncs)
		return failk(e, "funcs", "only used by mode ftrace or both");
	if (s->target == PW_TGT_SENTINEL && (seen & (1u << K_LEN)))
		return failk(e, "len", "not used by sentinel: the pages are the region");
	if (s->target != PW_TGT_SENTINEL && (seen & (1u << K_PATTERN)))
		return failk(e, "pattern", "only used by sentinel");
	if (s->target == PW_TGT_SENTINEL && s->pattern > max)
		return failk(e, "pattern", "wider than width");
	if (s->target == PW_TGT_PADDR && s->paddr % s->width)
		return failk(e, "paddr", "not aligned to width");
	if ((s->target == PW_TGT_SYM || s->target == PW_TGT_BAR) && s->off % s->width)
		return failk(e, s->target == PW_TGT_SYM ? "sym" : "bar",
			     "offset not a multiple of width");
	if (s->len % s->width)
		return failk(e, "len", "not a multiple of width");
	if (s->target == PW_TGT_PADDR && ((s->paddr + s->len - 1) >> 52))
		return failk(e, "len", "region runs past the 52-bit physical address space");
	if (s->cond.kind == PW_COND_ANY_CHANGE && has_value)
		return failk(e, "value", "not used by cond any_change");
	if (s->cond.kind != PW_COND_ANY_CHANGE && !has_value)
		return failk(e, "value", "required for this cond");
	if (s->cond.value > max)
		return failk(e, "value", "wider than width");
	if (s->cond.kind == PW_COND_MASK_EQUALS) {
		if (!(seen & (1u << K_MASK)))
			return failk(e, "mask", "required for cond mask_equals");
		if (s->cond.mask > max)
			return failk(e, "mask", "wider than width");
		if (!s->cond.mask)
			return failk(e, "mask",
				     "0x0 makes every change a hit; use cond any_change");
		if (s->cond.value & ~s->cond.mask)
			return failk(e, "value", "has bits outside mask, can never match");
	} else if (seen & (1u << K_MASK)) {
		return failk(e, "mask", "only used by cond mask_equals");
	}
	return 0;
}

static size_t next_tok(const char *buf, size_t n, size_t i, struct tok *t)
{
	while (i < n && is_space(buf[i]))
		i++;
	t->s = buf + i;
	while (i < n && !is_space(buf[i]))
		i++;
	t->n = (size_t)(buf + i - t->s);
	return i;
}

static int parse_args(const char *buf, size_t n, size_t i, struct pw_cmd *cmd,
		      unsigned int allowed, struct pw_err *e)
{
	struct pw_spec *s = &cmd->spec;
	unsigned int seen = 0;
	struct tok t;

	for (;;) {
		struct tok key, val;
		const char *eq;
		int k;

		i = next_tok(buf, n, i, &t);
		if (!t.n)
			break;
		eq = memchr(t.s, '=', t.n);
		if (!eq)
			return fail(e, t.s, t.n, "not key=value");
		key.s = t.s;
		key.n = (size_t)(eq - t.s);
		val.s = eq + 1;
		val.n = t.n - key.n - 1;
		k = lookup(key, key_names, K_COUNT);
		if (k < 0 || !(allowed & (1u << k)))
			return fail(e, key.s, key.n, "unknown key");
		if (seen & (1u << k))
			return fail(e, key.s, key.n, "given twice");
		seen |= 1u << k;
		if (parse_kv(key, val, k, s, e))
			return -1;
	}
	if (cmd->op == PW_OP_DEL)
		return (seen & (1u << K_ID)) ? 0 : failk(e, "id", "required");
	if (s->target == PW_TGT_SENTINEL) {
		s->len = s->sentinel_pages * 4096;
		if (!(seen & (1u << K_PATTERN)))
			s->pattern = PW_SENTINEL_PATTERN & width_max(s->width ? s->width : 8);
	} else if (!(seen & (1u << K_LEN))) {
		s->len = s->width;
	}
	if (s->cond.kind != PW_COND_MASK_EQUALS)
		s->cond.mask = width_max(s->width ? s->width : 8);
	return cross_check(s, seen, e);
}

int pw_cmd_parse(const char *buf, size_t n, struct pw_cmd *cmd,
		 struct pw_err *e)
{
	struct tok verb;
	size_t i, j;

	memset(cmd, 0, sizeof(*cmd));
	memset(e, 0, sizeof(*e));
	if (n > PW_CMD_MAX_LEN)
		return failk(e, "command", "longer than 1024 bytes");
	for (j = 0; j < n; j++) {
		if (buf[j] == '\n' && j + 1 < n)
			return failk(e, "command", "one command per write");
		if ((buf[j] < ' ' && !is_space(buf[j])) || buf[j] == 0x7f ||
		    (unsigned char)buf[j] >= 0x80)
			return failk(e, "command", "non-printable character");
	}
	i = next_tok(buf, n, 0, &verb);
	cmd->spec.interval_us = 0;
	if (tok_is(verb, "add")) {
		cmd->op = PW_OP_ADD;
		return parse_args(buf, n, i, cmd, (1u << K_COUNT) - 1, e);
	}
	if (tok_is(verb, "del")) {
		cmd->op = PW_OP_DEL;
		return parse_args(buf, n, i, cmd, 1u << K_ID, e);
	}
	if (tok_is(verb, "clear")) {
		struct tok rest;

		cmd->op = PW_OP_CLEAR;
		next_tok(buf, n, i, &rest);
		return rest.n ? fail(e, rest.s, rest.n, "clear takes no arguments") : 0;
	}
	if (!verb.n)
		return failk(e, "command", "empty");
	return fail(e, verb.s, verb.n, "unknown command (add, del, clear)");
}
