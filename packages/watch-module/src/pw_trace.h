/* SPDX-License-Identifier: GPL-2.0 */
/* The physwatch:physwatch_hit tracepoint: one per reported hit. */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM physwatch

#if !defined(PW_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define PW_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(physwatch_hit,
	TP_PROTO(u64 seq, u64 id, u64 paddr, u32 offset, u32 width, u64 old,
		 u64 new, unsigned int action),
	TP_ARGS(seq, id, paddr, offset, width, old, new, action),
	TP_STRUCT__entry(
		__field(u64, seq)
		__field(u64, id)
		__field(u64, paddr)
		__field(u32, offset)
		__field(u32, width)
		__field(u64, old)
		__field(u64, new)
		__field(unsigned int, action)
	),
	TP_fast_assign(
		__entry->seq = seq;
		__entry->id = id;
		__entry->paddr = paddr;
		__entry->offset = offset;
		__entry->width = width;
		__entry->old = old;
		__entry->new = new;
		__entry->action = action;
	),
	TP_printk("seq=%llu id=%llu paddr=0x%llx offset=0x%x width=%u old=0x%llx new=0x%llx action=%u",
		  __entry->seq, __entry->id, __entry->paddr, __entry->offset,
		  __entry->width, __entry->old, __entry->new, __entry->action)
);

#endif /* PW_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE pw_trace
#include <trace/define_trace.h>
