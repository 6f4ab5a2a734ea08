/*
 * Threads that use known, different shares of a CPU, so that how often a
 * thread is found running and how much CPU it used are not the same:
 *   full      spins in full_spin, all the time;
 *   quarter   in quarter_loop, spins for 1 ms of its own CPU time
 *             (quarter_work), then sleeps 3 ms: about 25 % of a CPU;
 *   starved   spins in starved_spin at nice 19, on the same CPU as full
 *             (both pinned to the first CPU the process may use): always
 *             runnable, so always due to a sampler that looks at the
 *             thread state, but given a sliver of the CPU by the
 *             scheduler.
 * The main thread waits in pause().  Each loop counts its turns in
 * progress slots 0 (full), 1 (quarter) and 2 (starved).  The tests judge
 * a cpu profile against the CPU time the kernel counted per thread
 * (/proc/PID/task/TID/schedstat), not against these intentions.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include "target.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static cpu_set_t one_cpu;

static uint64_t
thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t) ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void NOINLINE
full_spin(void)
{
	for (;;)
		if (++progress[0] == 1)
			target_arrive();
}

static void NOINLINE
quarter_work(void)
{
	uint64_t end = thread_cpu_ns() + 1000000;

	while (thread_cpu_ns() < end)
		BARRIER();
}

static void NOINLINE
quarter_loop(void)
{
	const struct timespec ts = { 0, 3000000 };

	for (;;) {
		quarter_work();
		nanosleep(&ts, NULL);
		if (++progress[1] == 1)
			target_arrive();
	}
}

static void NOINLINE
starved_spin(void)
{
	for (;;)
		if (++progress[2] == 1)
			target_arrive();
}

static void *
full_main(void *arg)
{
	pthread_setname_np(pthread_self(), "full");
	if (sched_setaffinity(0, sizeof(one_cpu), &one_cpu) != 0)
		perror("sched_setaffinity");
	full_spin();
	return NULL;
}

static void *
quarter_main(void *arg)
{
	pthread_setname_np(pthread_self(), "quarter");
	quarter_loop();
	return NULL;
}

static void *
starved_main(void *arg)
{
	pthread_setname_np(pthread_self(), "starved");
	if (sched_setaffinity(0, sizeof(one_cpu), &one_cpu) != 0)
		perror("sched_setaffinity");
	/* 0: this thread (Linux nice values are per thread). */
	if (setpriority(PRIO_PROCESS, 0, 19) != 0)
		perror("setpriority");
	starved_spin();
	return NULL;
}

int
main(int argc, char **argv)
{
	void *(*fns[])(void *) = { full_main, quarter_main, starved_main };
	cpu_set_t all;
	pthread_t t;
	int i;

	target_init(argc, argv);
	CPU_ZERO(&one_cpu);
	if (sched_getaffinity(0, sizeof(all), &all) != 0) {
		perror("sched_getaffinity");
		return 99;
	}
	for (i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &all))
			break;
	CPU_SET(i < CPU_SETSIZE ? i : 0, &one_cpu);
	for (i = 0; i < 3; i++)
		if (pthread_create(&t, NULL, fns[i], NULL) != 0)
			return 99;
	target_wait_arrivals(3);
	for (;;)
		pause();
}
