// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-side helper for the physwatch tests (built static, runs in the initramfs).
 *   pwctl cmd 'LINE'        write one command to /dev/physwatch; prints "ok" or
 *                           "err=<errno>" and exits 0 / 1
 *   pwctl read N MS         print up to N event lines, waiting with poll() at most
 *                           MS milliseconds for each; exits 0 if N lines came
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
		/* Read only what is asked for: leave later events queued. */
		n = read(fd, buf, 384 * (size_t)(want - got) < sizeof(buf) ?
			 384 * (size_t)(want - got) : sizeof(buf));
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

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "cmd"))
		return do_cmd(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "read"))
		return do_read(atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: pwctl cmd LINE | pwctl read N MS\n");
	return 2;
}
