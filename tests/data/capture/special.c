/*
 * Captured for smaps-special.txt (see ../README): file mappings with
 * spaces in their paths, unlinked files, MAP_SHARED mappings (a /dev/shm
 * file, a memfd, shared anonymous memory), an anonymous mapping it tries
 * to name "pidprof-test" (EINVAL on a kernel without CONFIG_ANON_VMA_NAME)
 * and 4 MiB of MADV_HUGEPAGE memory.
 *   mkdir -p "/tmp/pidprof-fixtures/dir with spaces"
 *   gcc -O0 -g -o /tmp/pidprof-fixtures/special special.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>

static void *
mapfile(const char *path, size_t size, int flags, int unlink_it)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	void *p;

	if (fd < 0 || ftruncate(fd, size) < 0) {
		perror(path);
		exit(1);
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	memset(p, 7, size);
	close(fd);
	if (unlink_it)
		unlink(path);
	return p;
}

int
main(void)
{
	size_t an = 256 << 10;
	char *m, *s, *a, *h;
	int mfd;

	mapfile("/tmp/pidprof-fixtures/dir with spaces/data file.bin",
		64 << 10, MAP_PRIVATE, 0);
	mapfile("/tmp/pidprof-fixtures/gone.bin", 32 << 10, MAP_PRIVATE, 1);
	mapfile("/tmp/pidprof-fixtures/dir with spaces/gone file.bin",
		8 << 10, MAP_PRIVATE, 1);
	mapfile("/dev/shm/pidprof-fixture", 16 << 10, MAP_SHARED, 0);

	mfd = memfd_create("pidprof-memfd", 0);
	ftruncate(mfd, 48 << 10);
	m = mmap(NULL, 48 << 10, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	memset(m, 1, 48 << 10);

	s = mmap(NULL, 24 << 10, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	memset(s, 1, 24 << 10);

	a = mmap(NULL, an, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* PR_SET_VMA, PR_SET_VMA_ANON_NAME */
	if (prctl(0x53564d41, 0, (unsigned long) a, an,
		  (unsigned long) "pidprof-test") < 0)
		perror("prctl");
	memset(a, 1, an / 2);

	/* 4 MiB of transparent huge pages, 2 MiB aligned, in a VMA of
	 * their own. */
	h = mmap(NULL, 8 << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	h = (char *) (((unsigned long) h + (2 << 20) - 1) &
		      ~((2UL << 20) - 1));
	munmap(h + (4 << 20), 2 << 20);
	if (madvise(h, 4 << 20, MADV_HUGEPAGE) < 0)
		perror("madvise");
	memset(h, 3, 4 << 20);

	printf("ready\n");
	fflush(stdout);
	pause();
	return 0;
}
