/*
 * Threads that flicker between running and sleeping in epoll_wait: each
 * of two "flicker" threads works for a moment, then waits 1 ms for an
 * event that never comes, thousands of times a second.  A sampler that
 * sees one running and interrupts it a moment later often finds it back
 * in epoll_wait, where a ptrace interrupt means EINTR (man 7 signal).
 * The main thread spins.
 *
 * Progress slots (see target.h):
 *   0  epoll_wait calls      1  of them that failed with EINTR
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include "target.h"

#include <errno.h>
#include <pthread.h>
#include <sys/epoll.h>

static volatile uint64_t sink;

NOINLINE static void
flicker_work(int n)
{
	for (int i = 0; i < n; i++)
		sink += i;
	BARRIER();
}

NOINLINE static void *
flicker(void *arg)
{
	struct epoll_event ev;
	int ep = epoll_create1(0);

	for (;;) {
		flicker_work(20000);
		if (epoll_wait(ep, &ev, 1, 1) < 0 && errno == EINTR)
			__atomic_fetch_add(&progress[1], 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&progress[0], 1, __ATOMIC_RELAXED);
	}
	return arg;
}

int
main(int argc, char **argv)
{
	pthread_t t;

	target_init(argc, argv);
	for (int i = 0; i < 2; i++) {
		if (pthread_create(&t, NULL, flicker, NULL) != 0)
			return 99;
		pthread_setname_np(t, "flicker");
	}
	target_ready();
	for (;;)
		flicker_work(1000000);
}
