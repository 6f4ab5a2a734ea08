/*
 * Multi-threaded target.  Threads, by name (pthread_setname_np):
 *   worker-a  spins on the CPU in spin_a
 *   worker-b  spins on the CPU in spin_b
 *   sleeper   loops in nanosleep (50 ms) in sleep_loop
 *   epoller   loops in epoll_wait (100 ms timeout, nothing ever ready)
 *             in epoll_loop, and counts each return with EINTR
 * The main thread waits in pause().  pidprof must read the stacks of the
 * sleeping threads without stopping them: a ptrace interrupt would make
 * epoll_wait return -1/EINTR (man 7 signal), which the epoller counts.
 *
 * Progress slots (see target.h):
 *   0  turns of spin_a           1  turns of spin_b
 *   2  returns of nanosleep      3  returns of epoll_wait
 *   4  epoll_wait returns with EINTR (must stay 0)
 *   5  other unexpected epoll_wait results (error or an event; stays 0)
 *   6  nanosleep returns with EINTR (must stay 0)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include "target.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>

#define SLOT_SPIN_A	0
#define SLOT_SPIN_B	1
#define SLOT_SLEEPS	2
#define SLOT_EPOLLS	3
#define SLOT_EPOLL_EINTR 4
#define SLOT_EPOLL_OTHER 5
#define SLOT_SLEEP_EINTR 6

#define NTHREADS 4

static int epfd;

static void NOINLINE
spin_a(void)
{
	for (;;) if (++progress[SLOT_SPIN_A] == 1) target_arrive(); /* SPIN a */
}

static void NOINLINE
spin_b(void)
{
	for (;;) if (++progress[SLOT_SPIN_B] == 1) target_arrive(); /* SPIN b */
}

static void NOINLINE
sleep_loop(void)
{
	const struct timespec ts = { 0, 50 * 1000 * 1000 };

	for (;;) {
		if (nanosleep(&ts, NULL) < 0 && errno == EINTR) /* SLEEP */
			progress[SLOT_SLEEP_EINTR]++;
		if (++progress[SLOT_SLEEPS] == 1)
			target_arrive();
	}
}

static void NOINLINE
epoll_loop(void)
{
	struct epoll_event ev;

	for (;;) {
		int n = epoll_wait(epfd, &ev, 1, 100); /* EPOLL */

		if (n < 0 && errno == EINTR)
			progress[SLOT_EPOLL_EINTR]++;
		else if (n != 0)
			progress[SLOT_EPOLL_OTHER]++;
		if (++progress[SLOT_EPOLLS] == 1)
			target_arrive();
	}
}

static void *
thread_main(void *arg)
{
	const char *name = arg;

	pthread_setname_np(pthread_self(), name);
	if (strcmp(name, "worker-a") == 0)
		spin_a(); /* CALL spin_a */
	else if (strcmp(name, "worker-b") == 0)
		spin_b(); /* CALL spin_b */
	else if (strcmp(name, "sleeper") == 0)
		sleep_loop(); /* CALL sleep_loop */
	else
		epoll_loop(); /* CALL epoll_loop */
	BARRIER();
	return NULL;
}

int
main(int argc, char **argv)
{
	static const char *const names[NTHREADS] = {
		"worker-a", "worker-b", "sleeper", "epoller"
	};
	pthread_t th;
	int i, err;

	target_init(argc, argv);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0) {
		perror("epoll_create1");
		return 99;
	}
	for (i = 0; i < NTHREADS; i++) {
		err = pthread_create(&th, NULL, thread_main, (void *) names[i]);
		if (err) {
			fprintf(stderr, "pthread_create: %s\n", strerror(err));
			return 99;
		}
	}
	target_wait_arrivals(NTHREADS);
	for (;;)
		pause();
	return 0;
}
