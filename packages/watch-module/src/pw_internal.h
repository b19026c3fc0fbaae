/* SPDX-License-Identifier: GPL-2.0 */
/* Shared state of the physwatch module (kernel side only). */
#ifndef PW_INTERNAL_H
#define PW_INTERNAL_H

#include <linux/ftrace.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include "pw_cmd.h"

#define PW_MAX_WATCHES	256
#define PW_SEED_DRAM_ID	(U64_MAX - 1)
#define PW_SEED_MMIO_ID	U64_MAX

enum pw_src { PW_SRC_TIMER, PW_SRC_FTRACE };

struct pw_watch {
	struct list_head node;
	struct pw_spec spec;
	raw_spinlock_t lock;		/* shadow, counters; taken in poll */
	phys_addr_t paddr;		/* resolved start */
	bool mmio;
	void *va;			/* RAM: memremap() */
	void __iomem *io;		/* MMIO: ioremap() */
	u8 *shadow;			/* last seen contents */
	u8 *cur;			/* scratch for one poll */
	bool armed;			/* false once max_hits is reached */
	bool seed;			/* seed watch: a value already there hits */
	ktime_t due;
	u64 polls, hits, suppressed, pending_suppressed;
	u32 poll_reported, poll_capped;	/* this poll, for pw_poll_event_cap */
	u64 poll_ns;			/* time spent polling, for poll_ns_avg */
	u64 rate_window_ns;
	u32 rate_count;
	char last_err[64];
	struct ftrace_ops fops;
	bool fops_registered;
	bool fops_filtered;
	/* set by the poll for the hit path */
	enum pw_src src;
	unsigned long src_ip;
};

/* pw_watch.c: the table; all callers hold pw_cmd_mutex. */
extern struct mutex pw_cmd_mutex;
extern struct list_head pw_watches;
extern raw_spinlock_t pw_list_lock;
int pw_exec(const struct pw_cmd *cmd);
int pw_add(const struct pw_spec *spec, bool seed);
void pw_clear(void);

/* pw_target.c */
int pw_target_map(struct pw_watch *w);
void pw_target_unmap(struct pw_watch *w);
unsigned long pw_lookup_name(const char *name);
int pw_sym_init(void);

/* pw_poll.c */
void pw_poll_watch(struct pw_watch *w, enum pw_src src, unsigned long ip);
void pw_baseline(struct pw_watch *w);
void pw_timer_kick(void);
void pw_timer_stop(void);
bool pw_timer_active(void);

/* pw_ftrace.c */
int pw_ftrace_arm(struct pw_watch *w);
void pw_ftrace_disarm(struct pw_watch *w);

/* pw_event.c */
void pw_hit(struct pw_watch *w, u32 off, u64 before, u64 after);
void pw_poll_done(struct pw_watch *w);
extern unsigned int pw_poll_event_cap;
int pw_event_init(unsigned int fifo_size);
void pw_event_exit(void);
u64 pw_event_seq(void);
u64 pw_event_lost(void);

/* pw_dev.c, pw_proc.c, pw_seed.c */
int pw_dev_init(void);
void pw_dev_exit(void);
int pw_proc_init(void);
void pw_proc_exit(void);
int pw_seed_init(void);

#endif /* PW_INTERNAL_H */
