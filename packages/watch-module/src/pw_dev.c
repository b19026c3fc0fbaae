// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/physwatch: write() one command, read()/poll() event lines (see pw_event.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "pw_internal.h"
#include "pw_event.h"

static ssize_t pw_dev_write(struct file *f, const char __user *ubuf,
			    size_t n, loff_t *pos)
{
	struct pw_cmd *cmd;
	struct pw_err err;
	char *buf;
	int ret;

	if (n > PW_CMD_MAX_LEN) {
		pr_err("bad command: key=command: longer than %d bytes\n",
		       PW_CMD_MAX_LEN);
		return -EINVAL;
	}
	buf = memdup_user(ubuf, n);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	cmd = kmalloc(sizeof(*cmd), GFP_KERNEL);
	if (!cmd) {
		kfree(buf);
		return -ENOMEM;
	}
	if (pw_cmd_parse(buf, n, cmd, &err)) {
		pr_err("bad command: key=%s: %s\n", err.key, err.why);
		ret = -EINVAL;
	} else {
		mutex_lock(&pw_cmd_mutex);
		ret = pw_exec(cmd);
		mutex_unlock(&pw_cmd_mutex);
	}
	kfree(cmd);
	kfree(buf);
	return ret ? ret : n;
}

static ssize_t pw_dev_read(struct file *f, char __user *ubuf, size_t n,
			   loff_t *pos)
{
	char line[PW_EVENT_LINE_MAX];
	struct pw_event e;
	size_t done = 0;
	int len, ret;

	if (n < PW_EVENT_LINE_MAX)
		return -EINVAL;
	while (!pw_event_ready()) {
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(pw_readq, pw_event_ready());
		if (ret)
			return ret;
	}
	while (n - done >= PW_EVENT_LINE_MAX && pw_event_take(&e)) {
		len = pw_event_format(&e, line, sizeof(line));
		if (copy_to_user(ubuf + done, line, len))
			return done ? done : -EFAULT;
		done += len;
	}
	return done;
}

static __poll_t pw_dev_poll(struct file *f, struct poll_table_struct *pt)
{
	poll_wait(f, &pw_readq, pt);
	return pw_event_ready() ? EPOLLIN | EPOLLRDNORM : 0;
}

static const struct file_operations pw_dev_fops = {
	.owner = THIS_MODULE,
	.write = pw_dev_write,
	.read = pw_dev_read,
	.poll = pw_dev_poll,
	.llseek = noop_llseek,
};

static struct miscdevice pw_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "physwatch",
	.fops = &pw_dev_fops,
	.mode = 0600,
};

int pw_dev_init(void)
{
	int ret = misc_register(&pw_miscdev);

	if (ret)
		pr_err("cannot register /dev/physwatch (%d)\n", ret);
	return ret;
}

void pw_dev_exit(void)
{
	misc_deregister(&pw_miscdev);
}
