// SPDX-License-Identifier: GPL-2.0
/*
 * Resolving a watch's target (paddr, sym=, bar=, sentinel=) to a physical address and
 * mapping it: memremap() for System RAM, ioremap() for anything else (MMIO).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "pw_internal.h"
#include "pw_cond.h"

typedef unsigned long (*kallsyms_lookup_name_t)(const char *name);
typedef int (*kallsyms_lookup_size_offset_t)(unsigned long addr,
					     unsigned long *size,
					     unsigned long *offset);
static kallsyms_lookup_name_t pw_kallsyms;
static kallsyms_lookup_size_offset_t pw_kallsyms_size;

/* kallsyms_lookup_name is not exported since 5.7: ask a kprobe for its address. */
int pw_sym_init(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	int ret = register_kprobe(&kp);

	if (ret < 0) {
		pr_warn("sym= targets unavailable: kprobe on kallsyms_lookup_name failed (%d)\n",
			ret);
		return 0;
	}
	pw_kallsyms = (kallsyms_lookup_name_t)kp.addr;
	unregister_kprobe(&kp);
	/* Not exported either: the size of a symbol's object bounds sym= targets. */
	pw_kallsyms_size = (kallsyms_lookup_size_offset_t)
		pw_kallsyms("kallsyms_lookup_size_offset");
	return 0;
}

unsigned long pw_lookup_name(const char *name)
{
	return pw_kallsyms ? pw_kallsyms(name) : 0;
}

static bool pw_is_module_addr(unsigned long addr)
{
#ifdef MODULES_VADDR
	return addr >= MODULES_VADDR && addr < MODULES_END;
#else
	return false;
#endif
}

/*
 * Without CONFIG_KALLSYMS_ALL (Debian's arm64 6.1) kallsyms holds functions only. The
 * seed's own target, the zero page, the kernel also knows as ZERO_PAGE(0).
 */
static unsigned long pw_data_sym(const char *name, unsigned long *size)
{
	if (strcmp(name, "empty_zero_page"))
		return 0;
	*size = PAGE_SIZE;
	return (unsigned long)page_address(ZERO_PAGE(0));
}

/* sym=name+off with len bytes: all inside the symbol's object, the sum checked. */
static int pw_sym_bounds(struct pw_watch *w, unsigned long base,
			 unsigned long *addr)
{
	unsigned long size = 0, offset = 0;
	u64 end;

	if (base != pw_data_sym(w->spec.sym, &size) &&
	    (!pw_kallsyms_size || !pw_kallsyms_size(base, &size, &offset) || offset)) {
		snprintf(w->last_err, sizeof(w->last_err),
			 "cannot find the symbol's size");
		return -ENOENT;
	}
	if (check_add_overflow((u64)w->spec.off, (u64)w->spec.len, &end) ||
	    end > size) {
		snprintf(w->last_err, sizeof(w->last_err),
			 "offset+len past the symbol's %lu bytes", size);
		return -ERANGE;
	}
	*addr = base + w->spec.off;
	return 0;
}

static int pw_sym_to_phys(struct pw_watch *w, phys_addr_t *pa)
{
	unsigned long base = pw_lookup_name(w->spec.sym);
	unsigned long addr, text, end, size;
	struct page *page;
	int ret;

	if (!pw_kallsyms) {
		snprintf(w->last_err, sizeof(w->last_err), "kallsyms unavailable");
		return -EOPNOTSUPP;
	}
	if (!base)
		base = pw_data_sym(w->spec.sym, &size);
	if (!base) {
		snprintf(w->last_err, sizeof(w->last_err), "%s",
			 IS_ENABLED(CONFIG_KALLSYMS_ALL) ? "symbol not found" :
			 "symbol not found (no CONFIG_KALLSYMS_ALL: no data symbols)");
		return -ENOENT;
	}
	ret = pw_sym_bounds(w, base, &addr);
	if (ret)
		return ret;
	text = pw_lookup_name("_text");
	end = pw_lookup_name("_end");
	if (virt_addr_valid((void *)addr)) {
		*pa = virt_to_phys((void *)addr);
		return 0;
	}
	if (text && addr >= text && addr < end) {
		*pa = __pa_symbol(addr);
		return 0;
	}
	if (!is_vmalloc_addr((void *)addr) && !pw_is_module_addr(addr)) {
		snprintf(w->last_err, sizeof(w->last_err),
			 "symbol address has no physical address");
		return -EFAULT;
	}
	/* A region must not cross a page of a virtually contiguous area. */
	if (offset_in_page(addr) + w->spec.len > PAGE_SIZE) {
		snprintf(w->last_err, sizeof(w->last_err),
			 "region crosses a page of a vmalloc symbol");
		return -EINVAL;
	}
	page = vmalloc_to_page((void *)addr);
	if (!page) {
		snprintf(w->last_err, sizeof(w->last_err),
			 "no page mapped at the symbol's address");
		return -EFAULT;
	}
	*pa = page_to_phys(page) + offset_in_page(addr);
	return 0;
}

static int pw_bar_to_phys(struct pw_watch *w, phys_addr_t *pa)
{
	const struct pw_spec *s = &w->spec;
	struct pci_dev *pdev;
	resource_size_t start, len;
	unsigned long flags;

	pdev = pci_get_domain_bus_and_slot(s->pci_domain, s->pci_bus,
					   PCI_DEVFN(s->pci_dev, s->pci_fn));
	if (!pdev) {
		snprintf(w->last_err, sizeof(w->last_err), "no such PCI device");
		return -ENODEV;
	}
	start = pci_resource_start(pdev, s->bar);
	len = pci_resource_len(pdev, s->bar);
	flags = pci_resource_flags(pdev, s->bar);
	pci_dev_put(pdev);
	if (!len || !(flags & IORESOURCE_MEM)) {
		snprintf(w->last_err, sizeof(w->last_err),
			 "BAR %u is not a memory BAR", s->bar);
		return -EINVAL;
	}
	if (s->off >= len || s->len > len - s->off) {
		snprintf(w->last_err, sizeof(w->last_err),
			 "offset+len past the BAR's %llu bytes", (u64)len);
		return -ERANGE;
	}
	*pa = start + s->off;
	return 0;
}

/*
 * The CPU's physical address width: mapping calls WARN past 2^bits. On arm64 the
 * kernel's own PHYS_MASK_SHIFT stands in for the CPU's PARange. Also in /proc.
 */
unsigned int pw_phys_bits(void)
{
#if defined(CONFIG_X86)
	return boot_cpu_data.x86_phys_bits;
#elif defined(CONFIG_ARM64)
	return PHYS_MASK_SHIFT;
#else
	return 52;
#endif
}

/* The first physical address this CPU cannot address. */
static u64 pw_phys_limit(void)
{
	return 1ULL << pw_phys_bits();
}

/* As a command names it (the log line of an add, /proc/physwatch). */
const char *pw_target_str(const struct pw_spec *s, char *buf, size_t n)
{
	if (s->target == PW_TGT_SYM)
		snprintf(buf, n, "sym=%s+0x%llx", s->sym, s->off);
	else if (s->target == PW_TGT_BAR)
		snprintf(buf, n, "bar=%04x:%02x:%02x.%u/%u+0x%llx", s->pci_domain,
			 s->pci_bus, s->pci_dev, s->pci_fn, s->bar, s->off);
	else if (s->target == PW_TGT_SENTINEL)
		snprintf(buf, n, "sentinel=%u", s->sentinel_pages);
	else
		snprintf(buf, n, "paddr=0x%llx", s->paddr);
	return buf;
}

/*
 * Sentinel pages: RAM of the module's own that nothing else holds a pointer to, each
 * word filled with the pattern. Any change is a stray write (a device's DMA, firmware,
 * a kernel bug writing through a stale or wild pointer, the memory itself).
 */
static int pw_sentinel_alloc(struct pw_watch *w, phys_addr_t *pa)
{
	const struct pw_spec *s = &w->spec;
	u32 off;

	w->sentinel = alloc_pages_exact(s->len, GFP_KERNEL);
	if (!w->sentinel) {
		snprintf(w->last_err, sizeof(w->last_err),
			 "cannot allocate %u sentinel pages", s->sentinel_pages);
		return -ENOMEM;
	}
	for (off = 0; off < s->len; off += s->width)
		pw_word_set(w->sentinel, off, s->width, s->pattern);
	*pa = virt_to_phys(w->sentinel);
	return 0;
}

int pw_target_map(struct pw_watch *w)
{
	const struct pw_spec *s = &w->spec;
	phys_addr_t pa = s->paddr;
	int ret = 0;

	if (s->target == PW_TGT_SYM)
		ret = pw_sym_to_phys(w, &pa);
	else if (s->target == PW_TGT_BAR)
		ret = pw_bar_to_phys(w, &pa);
	else if (s->target == PW_TGT_SENTINEL)
		ret = pw_sentinel_alloc(w, &pa);
	if (ret)
		return ret;
	if (pa >= pw_phys_limit() || s->len > pw_phys_limit() - pa) {
		snprintf(w->last_err, sizeof(w->last_err),
			 "beyond the CPU's %u-bit physical address space",
			 pw_phys_bits());
		return -ERANGE;
	}
	if (pa % s->width) {
		snprintf(w->last_err, sizeof(w->last_err),
			 "resolved address not aligned to width");
		return -EINVAL;
	}
	w->paddr = pa;
	switch (region_intersects(pa, s->len, IORESOURCE_SYSTEM_RAM,
				  IORES_DESC_NONE)) {
	case REGION_INTERSECTS:
		w->mmio = false;
		w->flush = s->cache == PW_CACHE_FLUSH ||
			   (s->cache == PW_CACHE_AUTO && IS_ENABLED(CONFIG_ARM64));
		w->va = memremap(pa, s->len, MEMREMAP_WB);
		if (!w->va) {
			snprintf(w->last_err, sizeof(w->last_err), "memremap failed");
			return -ENOMEM;
		}
		return 0;
	case REGION_DISJOINT:
		if (s->cache != PW_CACHE_AUTO) {
			/* ioremap is Device memory: never cached, nothing to choose. */
			snprintf(w->last_err, sizeof(w->last_err),
				 "cache= is for RAM; MMIO is never cached");
			return -EINVAL;
		}
		w->mmio = true;
		w->io = ioremap(pa, s->len);
		if (!w->io) {
			snprintf(w->last_err, sizeof(w->last_err), "ioremap failed");
			return -ENOMEM;
		}
		return 0;
	default:
		snprintf(w->last_err, sizeof(w->last_err),
			 "region spans RAM and non-RAM");
		return -EINVAL;
	}
}

void pw_target_unmap(struct pw_watch *w)
{
	if (w->va)
		memunmap(w->va);
	if (w->io)
		iounmap(w->io);
	if (w->sentinel)
		free_pages_exact(w->sentinel, w->spec.len);
	w->va = NULL;
	w->io = NULL;
	w->sentinel = NULL;
}
