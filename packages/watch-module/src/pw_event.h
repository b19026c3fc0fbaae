/* SPDX-License-Identifier: GPL-2.0 */
/* Hit records as queued for /dev/physwatch readers. */
#ifndef PW_EVENT_H
#define PW_EVENT_H

#include <linux/sched.h>
#include <linux/types.h>
#include <linux/wait.h>

#define PW_EVENT_LINE_MAX 384

enum pw_event_type { PW_EV_HIT, PW_EV_OVERFLOW, PW_EV_SUPPRESSED };

struct pw_event {
	u8 type, width, action, src;
	u32 cpu, offset;
	u64 seq, id, boottime_ns, paddr, old, new, count;
	s64 realtime_ns;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	unsigned long ip;
};

struct pw_watch;

extern struct wait_queue_head pw_readq;
int pw_event_format(const struct pw_event *e, char *buf, size_t size);
bool pw_event_take(struct pw_event *e);
bool pw_event_ready(void);
void pw_action(struct pw_watch *w, const struct pw_event *e);

#endif /* PW_EVENT_H */
