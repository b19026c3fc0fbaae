/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The /dev/physwatch command language: parsing and validation of one command line.
 * Pure logic, no kernel calls (see pw_shim.h), so it is unit-tested and fuzzed in
 * user space.
 */
#ifndef PW_CMD_H
#define PW_CMD_H

#include "pw_shim.h"
#include "pw_cond.h"

#define PW_CMD_MAX_LEN		1024
#define PW_SYM_MAX		128
#define PW_FUNCS_MAX		8
#define PW_MAX_LEN		65536
#define PW_MIN_INTERVAL_US	100
#define PW_MAX_INTERVAL_US	3600000000ULL
/* Ids from here up are reserved for the seed's module parameters. */
#define PW_RESERVED_ID		(U64_MAX - 15)

enum pw_op { PW_OP_ADD, PW_OP_DEL, PW_OP_CLEAR };
enum pw_target { PW_TGT_PADDR, PW_TGT_SYM, PW_TGT_BAR, PW_TGT_SENTINEL };
/* Sentinel pages: the module's own, filled with a pattern that nothing should change. */
#define PW_SENTINEL_MAX_PAGES	16
#define PW_SENTINEL_PATTERN	0x5a5a5a5a5a5a5a5aULL
enum pw_action { PW_ACT_REPORT, PW_ACT_STACK, PW_ACT_PANIC, PW_ACT_HANG,
		 PW_ACT_COUNT };
enum pw_mode { PW_MODE_TIMER, PW_MODE_FTRACE, PW_MODE_BOTH, PW_MODE_COUNT };
/*
 * How a RAM poll reaches memory a non-coherent bus master writes: auto (flush where
 * DMA is not coherent by architecture: arm64), coherent (a plain cacheable read), or
 * flush (write back and invalidate the watched lines before each read).
 */
enum pw_cache { PW_CACHE_AUTO, PW_CACHE_COHERENT, PW_CACHE_FLUSH, PW_CACHE_COUNT };
/* Whether a hardware write breakpoint may tell the writer (pw_writer.c): on by default. */
enum pw_writer_use { PW_WRITER_ON, PW_WRITER_OFF, PW_WRITER_USE_COUNT };

struct pw_spec {
	u64 id;
	enum pw_target target;
	u64 paddr;			/* PW_TGT_PADDR */
	char sym[PW_SYM_MAX];		/* PW_TGT_SYM */
	u32 pci_domain;			/* PW_TGT_BAR */
	u8 pci_bus, pci_dev, pci_fn, bar;
	u64 off;			/* +0x... for sym and bar */
	u32 sentinel_pages;		/* PW_TGT_SENTINEL: len is that many pages */
	u64 pattern;			/* PW_TGT_SENTINEL: each word's fill */
	u32 len;
	u32 width;
	struct pw_cond cond;
	u64 interval_us;
	enum pw_action action;
	u32 max_hits;			/* 0: no limit */
	u32 rate;			/* hits reported per second, 0: no limit */
	enum pw_mode mode;
	enum pw_cache cache;
	enum pw_writer_use writer;
	u32 nfuncs;
	char funcs[PW_FUNCS_MAX][PW_SYM_MAX];
};

struct pw_cmd {
	enum pw_op op;
	struct pw_spec spec;		/* add: all of it; del: id only */
};

struct pw_err {
	char key[24];			/* the bad key, or "command" */
	char why[120];
};

/* Returns 0 or -1 with err filled; buf need not be NUL-terminated. */
int pw_cmd_parse(const char *buf, size_t n, struct pw_cmd *cmd,
		 struct pw_err *err);

extern const char *const pw_cond_names[PW_COND_COUNT];
extern const char *const pw_action_names[PW_ACT_COUNT];
extern const char *const pw_mode_names[PW_MODE_COUNT];
extern const char *const pw_cache_names[PW_CACHE_COUNT];
extern const char *const pw_writer_use_names[PW_WRITER_USE_COUNT];

#endif /* PW_CMD_H */
