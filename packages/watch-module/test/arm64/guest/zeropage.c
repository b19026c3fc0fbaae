// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 guest helper: the physical address of the kernel's zero page, found the way the
 * seed's victims met it, through user space. A read fault on fresh anonymous memory maps
 * the shared zero page; /proc/self/pagemap (root sees PFNs) gives its frame. Needed
 * because Debian's arm64 kernel has no CONFIG_KALLSYMS_ALL: sym=empty_zero_page cannot
 * resolve there (see test/arm64/README.md).
 *   zeropage addr    print 0x<physical address of the zero page>
 *   zeropage byte    print the first byte of a fresh anonymous page, as 0x<hex>
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long psz = sysconf(_SC_PAGESIZE);
	volatile unsigned char *p;
	uint64_t ent;
	int fd;

	p = mmap(NULL, psz, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	if (argc == 2 && !strcmp(argv[1], "byte")) {
		printf("0x%x\n", p[0]);
		return 0;
	}
	if (argc != 2 || strcmp(argv[1], "addr")) {
		fprintf(stderr, "usage: zeropage addr|byte\n");
		return 2;
	}
	(void)p[0];
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0 || pread(fd, &ent, sizeof(ent),
			    (off_t)((uintptr_t)p / psz) * sizeof(ent)) != sizeof(ent)) {
		perror("pagemap");
		return 1;
	}
	/* Bit 63: present; bits 0-54: the frame number (0 without CAP_SYS_ADMIN). */
	if (!(ent >> 63) || !(ent & ((1ULL << 55) - 1))) {
		fprintf(stderr, "zero page not present or PFN hidden: 0x%llx\n",
			(unsigned long long)ent);
		return 1;
	}
	printf("0x%llx\n", (unsigned long long)((ent & ((1ULL << 55) - 1)) * psz));
	return 0;
}
