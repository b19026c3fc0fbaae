/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hit records. The hot path (timer, ftrace) only fills a fixed-size record and copies
 * it into two rings under pw_fifo_lock; formatting, printk, reader wake-up and stack
 * printing happen later, outside that context (pw_report.c).
 */
#ifndef PW_EVENT_H
#define PW_EVENT_H

#include <linux/sched.h>
#include <linux/types.h>
#include <linux/wait.h>

/* Within one printk record (LOG_LINE_MAX: 1024 less its prefix); the stack fills what is left. */
#define PW_EVENT_LINE_MAX 960
/* Frames kept for action=stack|panic|hang, captured where the hit was seen. */
#define PW_STACK_MAX 24

enum pw_event_type { PW_EV_HIT, PW_EV_OVERFLOW, PW_EV_SUPPRESSED };
/* Who made the write (pw_writer.c). */
enum pw_writer { PW_WRITER_UNKNOWN, PW_WRITER_CPU, PW_WRITER_NO_CPU };

struct pw_event {
	u8 type, width, action, src;
	u32 cpu, offset;
	u64 seq, id, boottime_ns, paddr, old, new, count;
	/* The bracket's open end: the write happened in (last_old_ns, boottime_ns]. */
	u64 last_old_ns;
	s64 realtime_ns;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	unsigned long ip;
	u8 writer;
	char writer_why[16];	/* PW_WRITER_UNKNOWN: why */
	s64 smi;		/* SMIs in the bracket; -1: not known */
	u32 nr_stack;
	unsigned long stack[PW_STACK_MAX];
};

struct pw_watch;

extern struct wait_queue_head pw_readq;
int pw_event_format(const struct pw_event *e, char *buf, size_t size);
void pw_comm_clean(char *comm);
bool pw_event_take(struct pw_event *e);
bool pw_event_ready(void);
/* Reader fifo and log ring: any context; copies only, under pw_fifo_lock. */
void pw_record(const struct pw_event *e, bool log);
bool pw_log_take(struct pw_event *e, u64 *skipped);
void pw_hit_release(struct pw_watch *w);

/* pw_report.c: the deferred side. */
extern unsigned int pw_log_rate;
void pw_report_kick(void);
void pw_report_kick_process(void);
void pw_report_print(const struct pw_event *e);
int pw_report_init(void);
void pw_report_exit(void);

/* pw_action.c: panic and hang, run by the context that saw the hit once it holds no lock. */
void pw_terminal_set(const struct pw_event *e);
void pw_terminal_run(void);

#endif /* PW_EVENT_H */
