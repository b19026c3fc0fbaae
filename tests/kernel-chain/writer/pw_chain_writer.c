// SPDX-License-Identifier: GPL-2.0
/*
 * A guest kernel writer for the hunt chain test (tests/kernel-chain/hunt.e2e.ts): a page of
 * its own whose first word only pw_chain_writer_store() writes, once per write of a number to
 * /proc/pw_chain_writer. Reading that file prints the word's physical address. The hunt's
 * ftrace stage checks the word on entry to proc_reg_write, the kernel function through which
 * each write reaches this module before it stores: the store one write makes is seen at the
 * next write's entry there, with that function and the writing task in the hit. (Not on
 * pw_chain_writer_store
 * itself: a hit whose ip is in a module prints " [pw_chain_writer]" after the symbol, and
 * the agent's parser drops the line; see the test.)
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

static u32 *word;

/* noinline: ftrace can only check at the entry of a function that exists on its own. */
noinline void pw_chain_writer_store(u32 value)
{
	WRITE_ONCE(*word, value);
}

static ssize_t writer_write(struct file *file, const char __user *buf, size_t len, loff_t *off)
{
	u32 value;
	int ret = kstrtou32_from_user(buf, len, 0, &value);

	if (ret)
		return ret;
	pw_chain_writer_store(value);
	return len;
}

static int writer_show(struct seq_file *m, void *v)
{
	seq_printf(m, "paddr=0x%llx value=0x%x\n", (unsigned long long)virt_to_phys(word), READ_ONCE(*word));
	return 0;
}

static int writer_open(struct inode *inode, struct file *file)
{
	return single_open(file, writer_show, NULL);
}

static const struct proc_ops writer_ops = {
	.proc_open = writer_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
	.proc_write = writer_write,
};

static int __init writer_init(void)
{
	word = (u32 *)get_zeroed_page(GFP_KERNEL);
	if (!word)
		return -ENOMEM;
	if (!proc_create("pw_chain_writer", 0600, NULL, &writer_ops)) {
		free_page((unsigned long)word);
		return -ENOMEM;
	}
	return 0;
}

static void __exit writer_exit(void)
{
	remove_proc_entry("pw_chain_writer", NULL);
	free_page((unsigned long)word);
}

module_init(writer_init);
module_exit(writer_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("physwatch chain test: a kernel writer of one word, for the hunt's ftrace stage");
