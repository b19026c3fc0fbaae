// SPDX-License-Identifier: GPL-2.0
/*
 * A guest kernel writer for the writer suite (test/guest/writer.sh): writing
 * "PADDR WIDTH VALUE" to /proc/pw_test_writer stores VALUE at PADDR through the
 * kernel's direct map, from pw_test_writer_store(), in the writing task. The suite
 * checks that physwatch names this function, that task and its stack as the writer.
 */
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/uaccess.h>

/* noinline: the writer's own frame, for the hit's ip and stack. */
noinline void pw_test_writer_store(void *p, unsigned int width, u64 value)
{
	switch (width) {
	case 1:
		WRITE_ONCE(*(u8 *)p, value);
		break;
	case 2:
		WRITE_ONCE(*(u16 *)p, value);
		break;
	case 4:
		WRITE_ONCE(*(u32 *)p, value);
		break;
	default:
		WRITE_ONCE(*(u64 *)p, value);
		break;
	}
}

static ssize_t writer_write(struct file *file, const char __user *ubuf, size_t len, loff_t *off)
{
	char buf[64];
	unsigned long long paddr, value;
	unsigned int width;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%llx %u %llx", &paddr, &width, &value) != 3 ||
	    (width != 1 && width != 2 && width != 4 && width != 8) || paddr % width)
		return -EINVAL;
	pw_test_writer_store(phys_to_virt(paddr), width, value);
	return len;
}

static const struct proc_ops writer_ops = {
	.proc_write = writer_write,
};

static int __init writer_init(void)
{
	return proc_create("pw_test_writer", 0200, NULL, &writer_ops) ? 0 : -ENOMEM;
}

static void __exit writer_exit(void)
{
	remove_proc_entry("pw_test_writer", NULL);
}

module_init(writer_init);
module_exit(writer_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("physwatch test: a kernel writer through the direct map");
