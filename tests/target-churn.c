/*
 * Threads that come and go all the time, as in a server that starts a
 * thread per request: the main thread keeps 8 "churn" threads alive, each
 * of which works a few milliseconds in churn_work and ends.  A sampler
 * sees thousands of threads begin and end in a few seconds.
 *
 *   target-churn [PROGRESS [N]]
 * N: the iterations of churn_work in each thread (2000000 by default,
 * about 2 ms).
 *
 * Progress slots (see target.h):
 *   0  threads that ended
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include "target.h"

#include <pthread.h>
#include <stdlib.h>

#define LIVE 8

static volatile uint64_t sink;
static int work_n = 2000000;

NOINLINE static void
churn_work(int n)
{
	for (int i = 0; i < n; i++)
		sink += i;
	BARRIER();
}

NOINLINE static void *
churn(void *arg)
{
	churn_work(work_n);
	return arg;
}

int
main(int argc, char **argv)
{
	pthread_t t[LIVE];
	int i;

	target_init(argc, argv);
	if (argc > 2)
		work_n = atoi(argv[2]);
	for (i = 0; i < LIVE; i++)
		if (pthread_create(&t[i], NULL, churn, NULL) != 0)
			return 99;
	target_ready();
	for (i = 0;; i = (i + 1) % LIVE) {
		pthread_join(t[i], NULL);
		__atomic_fetch_add(&progress[0], 1, __ATOMIC_RELAXED);
		if (pthread_create(&t[i], NULL, churn, NULL) != 0)
			return 99;
		pthread_setname_np(t[i], "churn");
	}
}
