/*
 * Leaking target for `pidprof heap --watch` and `pidprof threads`.
 *
 *   target-leak PROGRESS MODE INTERVAL_MS
 *
 * MODE:
 *   heap     every INTERVAL_MS, malloc(LEAK_CHUNK = 1 MiB) more and memset
 *            it, never freed.  M_MMAP_THRESHOLD is raised to 16 MiB first
 *            (mallopt), so the chunks come from the brk heap: the growth
 *            is all in category heap ("[heap]"), by 1 MiB + 16 bytes per
 *            interval.
 *   steady   malloc(8 MiB) once (also on the brk heap, same threshold),
 *            then only memset it again every interval: no growth.
 *   threads  two threads named "stable" block forever in stable_fn
 *            (pause()); then every INTERVAL_MS one more thread named
 *            "leaker" is started, which blocks forever in leaked_thread_fn
 *            (pause()), up to MAX_LEAKED threads.
 * The main thread does the work of every mode in interval_loop (it sleeps
 * with nanosleep between intervals).  "ready" is printed once the first
 * interval is done (and, in threads mode, once the stable threads and the
 * first leaker are in place).
 *
 * Progress slots (see target.h):
 *   0  intervals done
 *   1  bytes leaked (heap), allocated once (steady)
 *   2  leaker threads started (threads)
 *   3  leaker threads that reached leaked_thread_fn (threads)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include "target.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SLOT_INTERVALS	0
#define SLOT_BYTES	1
#define SLOT_STARTED	2
#define SLOT_ARRIVED	3

#define LEAK_CHUNK	((size_t) 1 << 20)
#define STEADY_SIZE	((size_t) 8 << 20)
#define MAX_LEAKED	1000

enum mode { MODE_HEAP, MODE_STEADY, MODE_THREADS };

/* The leaked chunks, chained through their first word, and the steady
 * block: volatile, so that the compiler keeps every malloc and memset
 * whatever -O level the user's CFLAGS add. */
void *volatile leak_head, *volatile steady_block;

static void
die(const char *what, int err)
{
	fprintf(stderr, "target-leak: %s: %s\n", what, strerror(err));
	exit(99);
}

static void NOINLINE
stable_fn(void)
{
	target_arrive();
	for (;;)
		pause(); /* STABLE */
}

static void NOINLINE
leaked_thread_fn(void)
{
	__atomic_add_fetch(&progress[SLOT_ARRIVED], 1, __ATOMIC_SEQ_CST);
	for (;;)
		pause(); /* LEAKED */
}

static void *
stable_main(void *arg)
{
	(void) arg;
	pthread_setname_np(pthread_self(), "stable");
	stable_fn();
	BARRIER();
	return NULL;
}

static void *
leaker_main(void *arg)
{
	(void) arg;
	pthread_setname_np(pthread_self(), "leaker");
	leaked_thread_fn();
	BARRIER();
	return NULL;
}

static void
start_thread(void *(*fn)(void *))
{
	pthread_attr_t attr;
	pthread_t th;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&th, &attr, fn, NULL);
	if (err)
		die("pthread_create", err);
	pthread_attr_destroy(&attr);
}

static void NOINLINE
interval_loop(enum mode mode, long interval_ms)
{
	struct timespec ts = { interval_ms / 1000,
			       (interval_ms % 1000) * 1000000L };
	char *steady = NULL;

	if (mode == MODE_STEADY) {
		steady = malloc(STEADY_SIZE);
		if (steady == NULL)
			die("malloc", errno);
		steady_block = steady;
		progress[SLOT_BYTES] = STEADY_SIZE;
	}
	for (;;) {
		switch (mode) {
		case MODE_HEAP: {
			char *p = malloc(LEAK_CHUNK);

			if (p == NULL)
				die("malloc", errno);
			memset(p, 0x6b, LEAK_CHUNK);
			*(void **) p = leak_head;
			leak_head = p;
			progress[SLOT_BYTES] += LEAK_CHUNK;
			break;
		}
		case MODE_STEADY:
			memset(steady_block, (int) progress[SLOT_INTERVALS],
			       STEADY_SIZE);
			break;
		case MODE_THREADS:
			if (progress[SLOT_STARTED] < MAX_LEAKED) {
				start_thread(leaker_main);
				progress[SLOT_STARTED]++;
			}
			break;
		}
		if (++progress[SLOT_INTERVALS] == 1) {
			if (mode == MODE_THREADS) {
				/* 2 stable threads + the first leaker */
				while (__atomic_load_n(&progress[SLOT_ARRIVED],
						       __ATOMIC_SEQ_CST) < 1)
					usleep(1000);
				target_wait_arrivals(2);
			} else {
				target_ready();
			}
		}
		nanosleep(&ts, NULL); /* SLEEP */
	}
}

int
main(int argc, char **argv)
{
	enum mode mode;
	long interval_ms;
	char *end;

	target_init(argc, argv);
	if (argc != 4) {
		fprintf(stderr, "usage: target-leak PROGRESS heap|steady|threads INTERVAL_MS\n");
		return 99;
	}
	if (strcmp(argv[2], "heap") == 0)
		mode = MODE_HEAP;
	else if (strcmp(argv[2], "steady") == 0)
		mode = MODE_STEADY;
	else if (strcmp(argv[2], "threads") == 0)
		mode = MODE_THREADS;
	else {
		fprintf(stderr, "target-leak: unknown mode '%s'\n", argv[2]);
		return 99;
	}
	interval_ms = strtol(argv[3], &end, 10);
	if (*end != '\0' || interval_ms <= 0 || interval_ms > 60000) {
		fprintf(stderr, "target-leak: bad interval '%s'\n", argv[3]);
		return 99;
	}
	/* 1 MiB and 8 MiB blocks from the brk heap, not from mmap. */
	if (mode != MODE_THREADS && mallopt(M_MMAP_THRESHOLD, 16 << 20) != 1) {
		fprintf(stderr, "target-leak: mallopt(M_MMAP_THRESHOLD) failed\n");
		return 99;
	}
	if (mode == MODE_THREADS) {
		start_thread(stable_main);
		start_thread(stable_main);
	}
	interval_loop(mode, interval_ms);
	return 0;
}
