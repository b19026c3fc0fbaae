// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-side helper for the physwatch tests (built static, runs in the initramfs).
 *   pwctl cmd 'LINE'        write one command to /dev/physwatch; prints "ok" or
 *                           "err=<errno>" and exits 0 / 1
 *   pwctl read N MS         print up to N event lines, waiting with poll() at most
 *                           MS milliseconds for each; exits 0 if N lines came
 *   pwctl now               print CLOCK_BOOTTIME in ns (the clock of the event lines)
 *   pwctl store FILE OFF WIDTH VALUE
 *                           one aligned store of VALUE at OFF of FILE mapped shared
 *                           (a PCI BAR's sysfs resource file), and print "B A": the
 *                           boot time just before and just after it
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define DEV "/dev/physwatch"

static int do_cmd(const char *line)
{
	int fd = open(DEV, O_WRONLY);
	ssize_t n;

	if (fd < 0) {
		printf("err=%d\n", errno);
		return 1;
	}
	n = write(fd, line, strlen(line));
	if (n < 0) {
		printf("err=%d\n", errno);
		close(fd);
		return 1;
	}
	printf("ok\n");
	close(fd);
	return 0;
}

static int do_read(int want, int ms)
{
	static char buf[65536];
	int fd = open(DEV, O_RDONLY | O_NONBLOCK);
	int got = 0;

	if (fd < 0) {
		fprintf(stderr, "open: %s\n", strerror(errno));
		return 1;
	}
	while (got < want) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		char *s;

		if (poll(&p, 1, ms) <= 0)
			break;
		/*
		 * One line per read (the module's longest line, PW_EVENT_LINE_MAX, is the
		 * least it takes): later events stay queued.
		 */
		n = read(fd, buf, 960);
		if (n <= 0)
			break;
		fwrite(buf, 1, (size_t)n, stdout);
		for (s = buf; s < buf + n; s++)
			got += *s == '\n';
	}
	fflush(stdout);
	close(fd);
	return got >= want ? 0 : 1;
}

static unsigned long long boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int do_store(const char *file, const char *off_s, const char *width_s,
		    const char *value_s)
{
	unsigned long off = strtoul(off_s, NULL, 0);
	unsigned long long value = strtoull(value_s, NULL, 0), before, after;
	int width = atoi(width_s), fd = open(file, O_RDWR | O_SYNC);
	long page = sysconf(_SC_PAGESIZE);
	unsigned long base = off & ~(unsigned long)(page - 1);
	unsigned char *p;
	void *map;

	if (fd < 0 || (width != 1 && width != 2 && width != 4 && width != 8) ||
	    off % width) {
		fprintf(stderr, "store: bad file, width or offset\n");
		return 2;
	}
	map = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, base);
	if (map == MAP_FAILED) {
		fprintf(stderr, "mmap: %s\n", strerror(errno));
		return 1;
	}
	p = (unsigned char *)map + (off - base);
	before = boottime_ns();
	/* Atomic: one store of the width, as a device would make it. */
	switch (width) {
	case 1:
		__atomic_store_n(p, (unsigned char)value, __ATOMIC_RELAXED);
		break;
	case 2:
		__atomic_store_n((unsigned short *)p, (unsigned short)value, __ATOMIC_RELAXED);
		break;
	case 4:
		__atomic_store_n((unsigned int *)p, (unsigned int)value, __ATOMIC_RELAXED);
		break;
	default:
		__atomic_store_n((unsigned long long *)p, value, __ATOMIC_RELAXED);
		break;
	}
	after = boottime_ns();
	printf("%llu %llu\n", before, after);
	munmap(map, page);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "now")) {
		printf("%llu\n", boottime_ns());
		return 0;
	}
	if (argc == 6 && !strcmp(argv[1], "store"))
		return do_store(argv[2], argv[3], argv[4], argv[5]);
	if (argc == 3 && !strcmp(argv[1], "cmd"))
		return do_cmd(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "read"))
		return do_read(atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: pwctl cmd LINE | read N MS | now | store FILE OFF WIDTH VALUE\n");
	return 2;
}
