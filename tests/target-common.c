/*
 * Common part of the test targets: see target.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#ifndef PR_SET_PTRACER
# define PR_SET_PTRACER 0x59616d61
#endif
#ifndef PR_SET_PTRACER_ANY
# define PR_SET_PTRACER_ANY ((unsigned long) -1)
#endif

volatile uint64_t *progress;
static volatile int arrivals;

static void
die(const char *what)
{
	fprintf(stderr, "target: %s: %s\n", what, strerror(errno));
	exit(99);
}

void
target_init(int argc, char **argv)
{
	size_t size = PROGRESS_SLOTS * sizeof(uint64_t);
	void *p;

	/* Fails harmlessly without Yama. */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);

	if (argc > 1 && argv[1][0] != '\0') {
		int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
			      0644);

		if (fd < 0)
			die(argv[1]);
		if (ftruncate(fd, size) < 0)
			die("ftruncate");
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
	} else {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	if (p == MAP_FAILED)
		die("mmap");
	progress = p;
}

void
target_ready(void)
{
	static const char msg[] = "ready\n";

	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) != sizeof(msg) - 1)
		die("write ready");
}

void
target_arrive(void)
{
	__atomic_add_fetch(&arrivals, 1, __ATOMIC_SEQ_CST);
}

void
target_wait_arrivals(int n)
{
	const struct timespec ts = { 0, 1000000 };

	while (__atomic_load_n(&arrivals, __ATOMIC_SEQ_CST) < n)
		nanosleep(&ts, NULL);
	target_ready();
}
