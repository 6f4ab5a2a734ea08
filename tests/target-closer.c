/*
 * Threads that open and close a file of a filesystem whose close can be
 * interrupted (tests/fuse-flushfs.c), and one that checks that its own
 * descriptor of /dev/null still is one.  A close that failed with EINTR
 * has freed its descriptor already: made again, it fails with EBADF, or
 * closes the descriptor another thread was just given under the same
 * number.  The target counts both.
 *
 * Usage: target-closer PROGRESS FILE
 *
 * Progress slots (see target.h):
 *   0  closes of FILE              1  of them that failed with EINTR
 *   2  closes that failed with EBADF (must stay 0)
 *   3  descriptors found closed or replaced behind a thread's back
 *      (must stay 0)
 *   4  checks of the /dev/null descriptor
 *   5  other failures (open, or close with another error)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define SLOT_CLOSES	0
#define SLOT_EINTR	1
#define SLOT_EBADF	2
#define SLOT_BEHIND	3
#define SLOT_CHECKS	4
#define SLOT_OTHER	5

static const char *path;
static struct stat file_st;
static volatile uint64_t sink;

static void
count(int slot)
{
	__atomic_fetch_add(&progress[slot], 1, __ATOMIC_RELAXED);
}

/* A moment on the CPU, so that threads are often seen running. */
NOINLINE static void
work(int n)
{
	for (int i = 0; i < n; i++)
		sink += i;
	BARRIER();
}

static bool
same_file(int fd, const struct stat *want)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st.st_dev == want->st_dev &&
	       st.st_ino == want->st_ino && st.st_rdev == want->st_rdev;
}

static void
counted_close(int fd)
{
	if (close(fd) == 0)
		return;
	if (errno == EINTR)
		count(SLOT_EINTR);
	else if (errno == EBADF)
		count(SLOT_EBADF);
	else
		count(SLOT_OTHER);
}

NOINLINE static void *
closer(void *arg)
{
	target_arrive();
	for (;;) {
		int fd = open(path, O_RDONLY);

		if (fd < 0) {
			count(SLOT_OTHER);
			continue;
		}
		work(20000);
		if (!same_file(fd, &file_st))
			count(SLOT_BEHIND);
		counted_close(fd);
		count(SLOT_CLOSES);
	}
	return arg;
}

NOINLINE static void *
checker(void *arg)
{
	target_arrive();
	for (;;) {
		struct stat want;
		int fd = open("/dev/null", O_RDONLY);

		if (fd < 0 || fstat(fd, &want) < 0) {
			count(SLOT_OTHER);
			continue;
		}
		for (int i = 0; i < 100; i++) {
			work(2000);
			if (!same_file(fd, &want))
				count(SLOT_BEHIND);
			count(SLOT_CHECKS);
		}
		if (close(fd) < 0)
			count(errno == EBADF ? SLOT_BEHIND : SLOT_OTHER);
	}
	return arg;
}

int
main(int argc, char **argv)
{
	pthread_t t;
	int i;

	target_init(argc, argv);
	if (argc < 3) {
		fprintf(stderr, "usage: %s PROGRESS FILE\n", argv[0]);
		return 99;
	}
	path = argv[2];
	if (stat(path, &file_st) < 0) {
		perror(path);
		return 99;
	}
	for (i = 0; i < 3; i++) {
		if (pthread_create(&t, NULL, closer, NULL) != 0)
			return 99;
		pthread_setname_np(t, "closer");
	}
	if (pthread_create(&t, NULL, checker, NULL) != 0)
		return 99;
	pthread_setname_np(t, "checker");
	target_wait_arrivals(4);
	for (;;)
		pause();
}
