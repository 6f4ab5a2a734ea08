/*
 * A known CPU split, by construction: two threads (the main one and
 * "worker") each loop over split_a, split_b and split_c, which do 6, 3
 * and 1 units of the same work, so a cpu profile must give them 60 %,
 * 30 % and 10 % of the time.
 *
 *   target-split [PROGRESS [ROUNDS [A,B,C]]]
 * A,B,C change the units of work of split_a, split_b and split_c (6,3,1
 * by default; 4,3,3 gives 40/30/30).
 * With ROUNDS, each thread does that many rounds and the process exits
 * with status 7 (for record -- CMD); without, it runs until killed.
 * Progress slot 0: rounds done by both threads; slot 2, at exit: the CPU
 * time the process used, in ns (getrusage), for the tests to compare
 * with a profile of the whole run.
 * Built as target-split-frame, with SPLIT_WORK_FRAME, work() has a frame
 * of its own (optimised code with frame pointers), so that an unwinder
 * given the wrong stack pointer reads the wrong return address.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include "target.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#define UNIT	40000

static volatile uint64_t sink;
static long rounds;
static unsigned long units_a = 6, units_b = 3, units_c = 1;

NOINLINE static void
work(unsigned long n)
{
	uint64_t x = 0;
#ifdef SPLIT_WORK_FRAME
	/* More than the red zone: the loop runs with %rsp below %rbp. */
	volatile uint64_t pad[64];

	pad[n & 63] = n;
#endif

	for (unsigned long i = 0; i < n; i++)
		x += i * i ^ (x >> 3);
	sink = x;
	BARRIER();
}

NOINLINE void
split_a(void)
{
	work(units_a * UNIT);
	BARRIER();
}

NOINLINE void
split_b(void)
{
	work(units_b * UNIT);
	BARRIER();
}

NOINLINE void
split_c(void)
{
	work(units_c * UNIT);
	BARRIER();
}

static void *
loop(void *arg)
{
	for (long r = 0; !rounds || r < rounds; r++) {
		split_a();
		split_b();
		split_c();
		__atomic_fetch_add(&progress[0], 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t t;

	target_init(argc, argv);
	if (argc > 2)
		rounds = atol(argv[2]);
	if (argc > 3 && sscanf(argv[3], "%lu,%lu,%lu", &units_a, &units_b,
			       &units_c) != 3)
		return 99;
	if (pthread_create(&t, NULL, loop, NULL) != 0)
		return 99;
	pthread_setname_np(t, "worker");
	target_ready();
	loop(NULL);
	pthread_join(t, NULL);
	{
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		progress[2] = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
			      1000000000ull +
			      (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) *
			      1000ull;
	}
	return 7;
}
