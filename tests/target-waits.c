/*
 * Threads asleep in known system calls.  Threads, by name:
 *   epoller   epoll_wait on an epoll set with nothing in it, no timeout
 *   reader    read on a pipe nobody writes to
 *   holder    takes the mutex, then waits in pause()
 *   locker    pthread_mutex_lock on the held mutex (a futex wait)
 *   spinner   only with argv[2] "spin": spins on the CPU in spin_loop
 * The main thread waits in pause().  "ready" comes once every sleeping
 * thread is asleep in its call (its /proc state is S).
 *
 * Progress slots (see target.h):
 *   0  turns of spin_loop
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include "target.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/syscall.h>

#define NSLEEPERS 4

static int epfd, pipefd[2];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* One more for the spinner, which records its tid too. */
static volatile pid_t tids[NSLEEPERS + 1];
static volatile int held;

static void NOINLINE
epoll_forever(void)
{
	struct epoll_event ev;

	for (;;)
		epoll_wait(epfd, &ev, 1, -1);
}

static void NOINLINE
read_forever(void)
{
	char c;

	for (;;)
		if (read(pipefd[0], &c, 1) <= 0)
			pause();
}

static void NOINLINE
hold_forever(void)
{
	pthread_mutex_lock(&lock);
	held = 1;
	for (;;)
		pause();
}

static void NOINLINE
lock_forever(void)
{
	while (!held)
		sched_yield();
	pthread_mutex_lock(&lock);
	for (;;)
		pause();
}

static void NOINLINE
spin_loop(void)
{
	for (;;) if (++progress[0] == 1) target_arrive();
}

static void *
thread_main(void *arg)
{
	long i = (long) arg;

	tids[i] = (pid_t) syscall(SYS_gettid);
	switch (i) {
	case 0:
		pthread_setname_np(pthread_self(), "epoller");
		epoll_forever();
		break;
	case 1:
		pthread_setname_np(pthread_self(), "reader");
		read_forever();
		break;
	case 2:
		pthread_setname_np(pthread_self(), "holder");
		hold_forever();
		break;
	case 3:
		pthread_setname_np(pthread_self(), "locker");
		lock_forever();
		break;
	default:
		pthread_setname_np(pthread_self(), "spinner");
		spin_loop();
	}
	BARRIER();
	return NULL;
}

/* Whether thread @tid of this process is asleep (state S). */
static int
asleep(pid_t tid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int) tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

int
main(int argc, char **argv)
{
	const struct timespec ms = { 0, 1000 * 1000 };
	int spin = argc > 2 && strcmp(argv[2], "spin") == 0;
	pthread_t th;
	long i;
	int all;

	target_init(argc, argv);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0 || pipe(pipefd) < 0) {
		perror("epoll_create1/pipe");
		return 99;
	}
	for (i = 0; i < NSLEEPERS + spin; i++)
		if (pthread_create(&th, NULL, thread_main, (void *) i)) {
			fprintf(stderr, "pthread_create failed\n");
			return 99;
		}
	do {
		nanosleep(&ms, NULL);
		for (all = 1, i = 0; i < NSLEEPERS; i++)
			all &= tids[i] && asleep(tids[i]);
	} while (!all);
	if (spin)
		target_wait_arrivals(1);
	else
		target_ready();
	for (;;)
		pause();
	return 0;
}
