// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/physwatch: one header line, then one line per watch:
 *   physwatch seq=S lost=N watches=W timer=active|idle budget_ppm=B used_ppm=U
 *       phys_bits=P smi=counted|none
 *   id=I state=armed|disarmed target=... paddr=0xP kind=ram|mmio len=L width=W
 *       cond=C value=0xV mask=0xM interval_us=U action=A mode=M polls=N hits=N
 *       suppressed=N poll_ns_avg=N cost_ns=N share_ppm=N missed=N paced=N cap_ppm=N
 *       writer=breakpoint|unknown writer_why=TOKEN|none last=0xV err=TEXT
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/math64.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include "pw_internal.h"
#include "pw_cond.h"

static int pw_proc_show(struct seq_file *m, void *v)
{
	struct pw_watch *w;
	unsigned int n = 0;

	mutex_lock(&pw_cmd_mutex);
	list_for_each_entry(w, &pw_watches, node)
		n++;
	seq_printf(m, "physwatch seq=%llu lost=%llu watches=%u timer=%s budget_ppm=%u used_ppm=%llu phys_bits=%u smi=%s\n",
		   pw_event_seq(), pw_event_lost(), n,
		   pw_timer_active() ? "active" : "idle", pw_poll_budget_ppm,
		   pw_budget_used(NULL), pw_phys_bits(),
		   pw_smi_available() ? "counted" : "none");
	list_for_each_entry(w, &pw_watches, node) {
		const struct pw_spec *s = &w->spec;
		unsigned long flags;
		u64 polls, hits, supp, last, pns, missed, paced, share;
		bool armed;
		char err[sizeof(w->last_err)];
		char tgt[PW_SYM_MAX + 32];

		raw_spin_lock_irqsave(&w->lock, flags);
		polls = w->polls;
		hits = w->hits;
		supp = w->suppressed;
		pns = w->poll_ns;
		armed = w->armed;
		last = pw_word_get(w->shadow, 0, s->width);
		memcpy(err, w->last_err, sizeof(err));
		raw_spin_unlock_irqrestore(&w->lock, flags);
		raw_spin_lock_irqsave(&pw_list_lock, flags);
		missed = w->missed;
		paced = w->paced;
		raw_spin_unlock_irqrestore(&pw_list_lock, flags);
		share = pw_share_ppm(w);

		seq_printf(m, "id=%llu state=%s target=", s->id,
			   armed ? "armed" : "disarmed");
		seq_puts(m, pw_target_str(s, tgt, sizeof(tgt)));
		seq_printf(m, " paddr=0x%llx kind=%s len=%u width=%u cond=%s value=0x%llx mask=0x%llx interval_us=%llu action=%s mode=%s cache=%s polls=%llu hits=%llu suppressed=%llu poll_ns_avg=%llu cost_ns=%llu share_ppm=%llu missed=%llu paced=%llu cap_ppm=%llu writer=%s writer_why=%s last=0x%llx err=%s\n",
			   (u64)w->paddr, w->mmio ? "mmio" : "ram", s->len,
			   s->width, pw_cond_names[s->cond.kind], s->cond.value,
			   s->cond.mask, s->interval_us,
			   pw_action_names[s->action], pw_mode_names[s->mode],
			   w->mmio ? "none" : w->flush ? "flush" : "coherent",
			   polls, hits, supp, polls ? div64_u64(pns, polls) : 0,
			   w->cost_ns, share, missed, paced, READ_ONCE(w->cap_ppm),
			   w->bp ? "breakpoint" : "unknown",
			   w->writer_why[0] ? w->writer_why : "none", last,
			   err[0] ? err : "none");
	}
	mutex_unlock(&pw_cmd_mutex);
	return 0;
}

int pw_proc_init(void)
{
	if (!proc_create_single("physwatch", 0400, NULL, pw_proc_show)) {
		pr_err("cannot create /proc/physwatch\n");
		return -ENOMEM;
	}
	return 0;
}

void pw_proc_exit(void)
{
	remove_proc_entry("physwatch", NULL);
}
