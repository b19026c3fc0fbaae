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

/*
 * Locking, outermost first:
 *   pw_cmd_mutex (pw_watch.c)  process context only: commands, /proc readers, module
 *                              init/exit. Serializes every change of the table.
 *   pw_list_lock (pw_watch.c)  raw, irqsave: the list itself. Taken by the hrtimer
 *                              (hard IRQ), by list changes under pw_cmd_mutex and by
 *                              the log worker when it names late watches. ftrace
 *                              callbacks never take it: a watch's ftrace_ops is
 *                              unregistered (which waits for running callbacks)
 *                              before the watch is unlisted and freed.
 *   pw_watch.lock              raw: the watch's shadow, counters and rate state.
 *                              Taken by the timer (under pw_list_lock), by ftrace
 *                              callbacks (trylock, interrupts saved) and by readers
 *                              of the counters (irqsave).
 *   pw_fifo_lock (pw_event.c)  raw, irqsave, innermost: the reader fifo and log ring,
 *                              held only to copy records.
 * Nothing holding a raw lock prints, wakes a task or allocates; panic and hang run
 * after every lock is dropped (pw_action.c).
 */
struct pw_watch {
	struct list_head node;		/* pw_watches, under pw_list_lock */
	struct pw_spec spec;		/* immutable once listed */
	raw_spinlock_t lock;
	phys_addr_t paddr;		/* resolved start; immutable once listed */
	bool mmio;
	bool flush;			/* RAM: clean+invalidate before each read */
	void *va;			/* RAM: memremap() */
	void __iomem *io;		/* MMIO: ioremap() */
	void *sentinel;			/* sentinel=: the pages, alloc_pages_exact() */
	u8 *shadow;			/* last seen contents, under lock */
	/*
	 * Boot time of the last check (poll or function entry) that found the region
	 * equal to the shadow, under lock: a hit's bracket opens there. 0: not known.
	 */
	u64 seen_old_ns;
	u64 seen_old_check;		/* polls at that check (0: the baseline), under lock */
	u8 *cur;			/* scratch for one poll, under lock */
	bool armed;			/* written under lock, read without: READ_ONCE */
	bool seed;			/* seed watch: a value already there hits */
	ktime_t due;			/* timer only, under pw_list_lock */
	u64 missed;			/* polls the timer could not make, under pw_list_lock */
	u64 paced;			/* of those, held back by the budget, under pw_list_lock */
	u64 cap_ppm;			/* its slice of the budget; pw_cmd_mutex, timer: READ_ONCE */
	bool late;			/* missed grew since the worker last said so */
	unsigned long late_logged_at;	/* jiffies, log worker only */
	u64 missed_reported, paced_reported, polls_reported;	/* at that time, log worker only */
	u64 cost_ns;			/* one poll finding nothing, measured at add */
	u64 polls, hits, suppressed, pending_suppressed;	/* under lock */
	u32 poll_reported, poll_capped;	/* this poll, for pw_poll_event_cap */
	u64 poll_ns;			/* time spent polling, hits included */
	u64 rate_window_ns;
	u32 rate_count;
	char last_err[64];
	struct ftrace_ops fops;
	bool fops_registered;
	bool fops_filtered;
	/* set by the poll for the hit path, under lock */
	enum pw_src src;
	unsigned long src_ip;
	/* pw_smi.c: at the last check that saw the old contents, and at this one (cpu -1: none) */
	u64 smi_old, smi_now;
	int smi_old_cpu, smi_now_cpu;
	/*
	 * pw_writer.c: the write breakpoint on va (one per CPU), its per-CPU records, and
	 * why there is none (a token; empty when bp is set). Set before the watch is listed.
	 */
	struct perf_event * __percpu *bp;
	struct pw_bp_seen __percpu *bp_seen;
	bool bp_probing;		/* pw_writer_live() at arm: traps only count */
	char writer_why[16];
	/* A hit kept back for its writer (pw_writer_hold), under lock; valid: READ_ONCE */
	struct pw_event *held;
	u64 held_open_check;
	bool held_valid;
};

/* pw_watch.c: the table; changes need pw_cmd_mutex, then pw_list_lock. */
extern struct mutex pw_cmd_mutex;
extern struct list_head pw_watches;
extern raw_spinlock_t pw_list_lock;
int pw_exec(const struct pw_cmd *cmd);
int pw_add(const struct pw_spec *spec, bool seed);
void pw_clear(void);

/* pw_target.c */
int pw_target_map(struct pw_watch *w);
const char *pw_target_str(const struct pw_spec *s, char *buf, size_t n);
void pw_target_unmap(struct pw_watch *w);
unsigned long pw_lookup_name(const char *name);
unsigned int pw_phys_bits(void);
int pw_sym_init(void);

/* pw_poll.c */
u64 pw_poll_watch(struct pw_watch *w, enum pw_src src, unsigned long ip);
void pw_baseline(struct pw_watch *w);
void pw_measure_cost(struct pw_watch *w);
void pw_timer_kick(void);
void pw_timer_stop(void);
bool pw_timer_active(void);

/* pw_budget.c */
extern unsigned int pw_poll_budget_ppm;
u64 pw_share_ppm(struct pw_watch *w);
u64 pw_budget_used(const struct pw_watch *except);
int pw_budget_admit(struct pw_watch *w, const struct pw_watch *replacing);
void pw_budget_rebalance(void);
ktime_t pw_budget_next_due(struct pw_watch *w, ktime_t now, u64 poll_ns);

/* pw_writer.c, pw_smi.c */
struct pw_event;
void pw_writer_arm(struct pw_watch *w);
void pw_writer_disarm(struct pw_watch *w);
void pw_writer_of(struct pw_watch *w, struct pw_event *e, u64 open_check);
bool pw_writer_hold(struct pw_watch *w, const struct pw_event *e, bool last);
/* How soon a watch with a kept-back hit is checked again (its writer decided). */
#define PW_WRITER_RECHECK_US	200
void pw_smi_init(void);
bool pw_smi_available(void);
void pw_smi_sample(u64 *count, int *cpu);

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
