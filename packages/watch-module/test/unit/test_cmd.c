// SPDX-License-Identifier: GPL-2.0
/* The command parser: every form, every default, and each error names its key. */
#include "test_main.h"
#include "pw_cmd.h"

static struct pw_cmd cmd;
static struct pw_err err;

static int parse(const char *s)
{
	return pw_cmd_parse(s, strlen(s), &cmd, &err);
}

/* The line must fail naming key. */
static void bad(const char *line, const char *key)
{
	int r = parse(line);

	CHECK(line, r == -1);
	CHECK(line, !strcmp(err.key, key));
	CHECK(line, err.why[0] != '\0');
	if (r != -1 || strcmp(err.key, key))
		printf("  got key=%s why=%s\n", err.key, err.why);
}

static void good(const char *line)
{
	int r = parse(line);

	CHECK(line, r == 0);
	if (r)
		printf("  got key=%s why=%s\n", err.key, err.why);
}

static void test_add_forms(void)
{
	good("add id=7 paddr=0x12345678 width=1 cond=equals value=0x33 interval_us=30000 action=hang");
	CHECK("op", cmd.op == PW_OP_ADD);
	CHECK("id", cmd.spec.id == 7);
	CHECK("target", cmd.spec.target == PW_TGT_PADDR && cmd.spec.paddr == 0x12345678);
	CHECK("len defaults to width", cmd.spec.len == 1);
	CHECK("cond", cmd.spec.cond.kind == PW_COND_EQUALS && cmd.spec.cond.value == 0x33);
	CHECK("mask defaults to width", cmd.spec.cond.mask == 0xff);
	CHECK("interval", cmd.spec.interval_us == 30000);
	CHECK("action", cmd.spec.action == PW_ACT_HANG);
	CHECK("mode default", cmd.spec.mode == PW_MODE_TIMER);
	CHECK("max_hits default", cmd.spec.max_hits == 0);

	good("add id=1 paddr=4096 width=8 cond=any_change interval_us=100\n");
	CHECK("decimal paddr, trailing newline", cmd.spec.paddr == 4096);
	CHECK("action default report", cmd.spec.action == PW_ACT_REPORT);
	CHECK("mask width 8", cmd.spec.cond.mask == ~0ULL);

	good("  add\tid=2 sym=empty_zero_page+0x10 len=4096 width=4 cond=changes_from value=0 interval_us=1000 max_hits=3 rate=10  ");
	CHECK("sym", cmd.spec.target == PW_TGT_SYM && !strcmp(cmd.spec.sym, "empty_zero_page"));
	CHECK("sym off", cmd.spec.off == 0x10);
	CHECK("len", cmd.spec.len == 4096);
	CHECK("max_hits", cmd.spec.max_hits == 3 && cmd.spec.rate == 10);

	good("add id=3 sym=jiffies width=8 cond=any_change interval_us=100");
	CHECK("sym no off", cmd.spec.off == 0);

	good("add id=4 bar=0000:00:04.0/2+0x10 width=4 cond=mask_equals mask=0xff00 value=0x3300 interval_us=1000");
	CHECK("bar", cmd.spec.target == PW_TGT_BAR && cmd.spec.pci_domain == 0 &&
	      cmd.spec.pci_bus == 0 && cmd.spec.pci_dev == 4 && cmd.spec.pci_fn == 0 &&
	      cmd.spec.bar == 2 && cmd.spec.off == 0x10);
	CHECK("mask", cmd.spec.cond.mask == 0xff00 && cmd.spec.cond.value == 0x3300);

	good("add id=5 bar=abcd:ff:1f.7/5 width=1 cond=any_change interval_us=100");
	CHECK("bar max", cmd.spec.pci_domain == 0xabcd && cmd.spec.pci_bus == 0xff &&
	      cmd.spec.pci_dev == 0x1f && cmd.spec.pci_fn == 7 && cmd.spec.bar == 5);

	good("add id=6 paddr=0x1000 width=4 cond=any_change mode=ftrace funcs=ksys_sync,do_sys_open");
	CHECK("ftrace", cmd.spec.mode == PW_MODE_FTRACE && cmd.spec.nfuncs == 2 &&
	      !strcmp(cmd.spec.funcs[1], "do_sys_open"));
	good("add id=6 paddr=0x1000 width=4 cond=any_change mode=both funcs=a interval_us=100");
	CHECK("cache default auto", cmd.spec.cache == PW_CACHE_AUTO);
	good("add id=6 paddr=0x1000 width=4 cond=any_change interval_us=100 cache=flush");
	CHECK("cache flush", cmd.spec.cache == PW_CACHE_FLUSH);
	good("add id=6 paddr=0x1000 width=4 cond=any_change interval_us=100 cache=coherent");
	CHECK("cache coherent", cmd.spec.cache == PW_CACHE_COHERENT);
	CHECK("writer default on", cmd.spec.writer == PW_WRITER_ON);
	good("add id=6 paddr=0x1000 width=4 cond=any_change interval_us=100 writer=off");
	CHECK("writer off", cmd.spec.writer == PW_WRITER_OFF);
	good("add id=6 paddr=0x1000 width=4 cond=any_change interval_us=100 writer=on");
	CHECK("writer on", cmd.spec.writer == PW_WRITER_ON);
	good("add id=7 sentinel=4 width=8 cond=any_change interval_us=1000");
	CHECK("sentinel target", cmd.spec.target == PW_TGT_SENTINEL);
	CHECK("sentinel len is its pages", cmd.spec.len == 4 * 4096);
	CHECK("sentinel default pattern", cmd.spec.pattern == PW_SENTINEL_PATTERN);
	good("add id=7 sentinel=1 width=2 pattern=0xa5c3 cond=any_change interval_us=1000");
	CHECK("sentinel pattern", cmd.spec.pattern == 0xa5c3 && cmd.spec.len == 4096);
	good("add id=7 sentinel=16 width=1 cond=any_change interval_us=1000");
	CHECK("sentinel default pattern fits width", cmd.spec.pattern == 0x5a && cmd.spec.len == 65536);

	good("add id=18446744073709551599 paddr=0xfffffffffffff width=1 cond=any_change interval_us=3600000000");
	CHECK("big id", cmd.spec.id == 18446744073709551599ULL);
	good("add id=9 paddr=0x0 len=65536 width=8 cond=equals value=0xffffffffffffffff interval_us=100");
	CHECK("64 KiB", cmd.spec.len == 65536);
}

static void test_del_clear(void)
{
	good("del id=7");
	CHECK("del", cmd.op == PW_OP_DEL && cmd.spec.id == 7);
	good("clear");
	CHECK("clear", cmd.op == PW_OP_CLEAR);
	good("clear\n");
	bad("del", "id");
	bad("del id=x", "id");
	bad("del id=1 paddr=0x1000", "paddr");
	bad("clear all", "all");
}

static void test_errors(void)
{
	const char *base = "paddr=0x1000 width=1 cond=any_change interval_us=1000";
	char line[512];

	bad("", "command");
	bad("   \n", "command");
	bad("frob id=1", "frob");
	bad("add =1", "(empty)");
	bad("ADD id=1", "ADD");
	snprintf(line, sizeof(line), "add %s", base);
	bad(line, "id");
	snprintf(line, sizeof(line), "add id=1 %s colour=red", base);
	bad(line, "colour");
	snprintf(line, sizeof(line), "add id=1 %s id=2", base);
	bad(line, "id");
	snprintf(line, sizeof(line), "add id=1 %s novalue", base);
	bad(line, "novalue");
	snprintf(line, sizeof(line), "add id=1 %s\nadd id=2 %s", base, base);
	bad(line, "command");
	bad("add id=1 paddr=0x1000 width=1 cond=any_change interval_us=1000 \x01", "command");
	bad("add id=18446744073709551616 paddr=0x1000 width=1 cond=any_change interval_us=1000", "id");
	bad("add id=18446744073709551615 paddr=0x1000 width=1 cond=any_change interval_us=1000", "id");
	bad("add id=-1 paddr=0x1000 width=1 cond=any_change interval_us=1000", "id");
	bad("add id=1 paddr=0x width=1 cond=any_change interval_us=1000", "paddr");
	bad("add id=1 paddr=0x10000000000000 width=1 cond=any_change interval_us=1000", "paddr");
	bad("add id=1 paddr=0x1001 width=2 cond=any_change interval_us=1000", "paddr");
	bad("add id=1 width=1 cond=any_change interval_us=1000", "paddr");
	bad("add id=1 paddr=0x1000 sym=x width=1 cond=any_change interval_us=1000", "paddr");
	bad("add id=1 sym=1abc width=1 cond=any_change interval_us=1000", "sym");
	bad("add id=1 sym=abc+ width=1 cond=any_change interval_us=1000", "sym");
	bad("add id=1 sym=ab-c width=1 cond=any_change interval_us=1000", "sym");
	bad("add id=1 sym=abc+0x2 width=4 cond=any_change interval_us=1000", "sym");
	bad("add id=1 bar=0000:00:04.0/6 width=4 cond=any_change interval_us=1000", "bar");
	bad("add id=1 bar=0000:00:20.0/2 width=4 cond=any_change interval_us=1000", "bar");
	bad("add id=1 bar=0000:00:04.8/2 width=4 cond=any_change interval_us=1000", "bar");
	bad("add id=1 bar=00:04.0/2 width=4 cond=any_change interval_us=1000", "bar");
	bad("add id=1 bar=0000:00:04.0/2+0x2 width=4 cond=any_change interval_us=1000", "bar");
	bad("add id=1 paddr=0x1000 cond=any_change interval_us=1000", "width");
	bad("add id=1 paddr=0x1000 width=16 cond=any_change interval_us=1000", "width");
	bad("add id=1 paddr=0x1000 width=1 interval_us=1000", "cond");
	bad("add id=1 paddr=0x1000 width=1 cond=maybe interval_us=1000", "cond");
	bad("add id=1 paddr=0x1000 width=1 cond=any_change", "interval_us");
	bad("add id=1 paddr=0x1000 width=1 cond=any_change interval_us=99", "interval_us");
	bad("add id=1 paddr=0x1000 width=1 cond=any_change interval_us=3600000001", "interval_us");
	bad("add id=1 paddr=0x1000 len=0 width=1 cond=any_change interval_us=1000", "len");
	bad("add id=1 paddr=0x1000 len=65537 width=1 cond=any_change interval_us=1000", "len");
	bad("add id=1 paddr=0x1000 len=6 width=4 cond=any_change interval_us=1000", "len");
	bad("add id=1 paddr=0xffffffffff000 len=8192 width=1 cond=any_change interval_us=1000", "len");
	bad("add id=1 paddr=0x1000 width=1 cond=equals interval_us=1000", "value");
	bad("add id=1 paddr=0x1000 width=1 cond=any_change value=1 interval_us=1000", "value");
	bad("add id=1 paddr=0x1000 width=1 cond=equals value=0x100 interval_us=1000", "value");
	bad("add id=1 paddr=0x1000 width=2 cond=equals value=0x10000 interval_us=1000", "value");
	bad("add id=1 paddr=0x1000 width=1 cond=mask_equals value=1 interval_us=1000", "mask");
	bad("add id=1 paddr=0x1000 width=1 cond=mask_equals value=1 mask=0 interval_us=1000", "mask");
	bad("add id=1 paddr=0x1000 width=1 cond=mask_equals value=1 mask=0x100 interval_us=1000", "mask");
	bad("add id=1 paddr=0x1000 width=1 cond=mask_equals value=3 mask=1 interval_us=1000", "value");
	bad("add id=1 paddr=0x1000 width=1 cond=equals value=1 mask=1 interval_us=1000", "mask");
	bad("add id=1 paddr=0x1000 width=1 cond=any_change interval_us=1000 action=explode", "action");
	bad("add id=1 paddr=0x1000 width=1 cond=any_change interval_us=1000 max_hits=2147483648", "max_hits");
	bad("add id=1 paddr=0x1000 width=1 cond=any_change interval_us=1000 rate=x", "rate");
	bad("add id=1 paddr=0x1000 width=1 cond=any_change interval_us=1000 mode=sometimes", "mode");
	bad("add id=1 paddr=0x1000 width=1 cond=any_change interval_us=1000 cache=nc", "cache");
	bad("add id=1 paddr=0x1000 width=1 cond=any_change interval_us=1000 writer=cpu", "writer");
	bad("add id=1 paddr=0x1000 width=1 cond=any_change interval_us=1000 writer=", "writer");
	bad("add id=1 sentinel=0 width=8 cond=any_change interval_us=1000", "sentinel");
	bad("add id=1 sentinel=17 width=8 cond=any_change interval_us=1000", "sentinel");
	bad("add id=1 sentinel=2 paddr=0x1000 width=8 cond=any_change interval_us=1000", "paddr");
	bad("add id=1 sentinel=2 len=8192 width=8 cond=any_change interval_us=1000", "len");
	bad("add id=1 sentinel=2 width=1 pattern=0x100 cond=any_change interval_us=1000", "pattern");
	bad("add id=1 paddr=0x1000 width=8 pattern=0x1 cond=any_change interval_us=1000", "pattern");
	bad("add id=1 sentinel=2 width=8 pattern=x cond=any_change interval_us=1000", "pattern");
	bad("add id=1 paddr=0x1000 width=1 cond=any_change mode=ftrace", "funcs");
	bad("add id=1 paddr=0x1000 width=1 cond=any_change interval_us=1000 funcs=a", "funcs");
	bad("add id=1 paddr=0x1000 width=1 cond=any_change mode=ftrace funcs=a,,b", "funcs");
	bad("add id=1 paddr=0x1000 width=1 cond=any_change mode=ftrace funcs=a,b,c,d,e,f,g,h,i", "funcs");
	memset(line, 'a', sizeof(line));
	line[sizeof(line) - 1] = '\0';
	CHECK("long line", pw_cmd_parse(line, 2000, &cmd, &err) == -1 &&
	      !strcmp(err.key, "command"));
	/* Not NUL-terminated: the parser must stop at n. */
	{
		const char raw[] = { 'c', 'l', 'e', 'a', 'r', 'X' };

		CHECK("length-bounded", pw_cmd_parse(raw, 5, &cmd, &err) == 0);
	}
}

void test_cmd(void)
{
	test_add_forms();
	test_del_clear();
	test_errors();
}
