/*
 * A main thread that waits in epoll_wait (no timeout, no event ever
 * ready) while every other thread blocks the signals of the test, so
 * each of them is for the main thread.  Untraced, a signal the process
 * ignores (SIGCHLD, SIGWINCH, SIGURG, SIGCONT by default; SIGUSR2 is
 * set to SIG_IGN) never wakes it; SIGUSR1 has a handler without
 * SA_RESTART, so each one makes epoll_wait fail with EINTR once.
 * A "spinner" thread keeps a CPU busy and changes SIGWINCH's disposition
 * when the test asks (dispositions belong to the process: the main
 * thread never leaves epoll_wait for that).
 *
 * Progress slots (see target.h):
 *   0  epoll_wait returns          1  of them with EINTR
 *   2  SIGUSR1 handler runs        3  SIGWINCH handler runs
 *   4  spinner rounds
 *   8  command, written by the test: 1 = a handler for SIGWINCH
 *      (no SA_RESTART), 0 = SIGWINCH back to SIG_DFL
 *   9  the command in force (the spinner applies it at once)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include "target.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>

#define SLOT_RETURNS	0
#define SLOT_EINTR	1
#define SLOT_USR1	2
#define SLOT_WINCH	3
#define SLOT_SPIN	4
#define SLOT_CMD	8
#define SLOT_ACK	9

static volatile uint64_t sink;

static void
on_usr1(int sig)
{
	__atomic_fetch_add(&progress[SLOT_USR1], 1, __ATOMIC_RELAXED);
}

static void
on_winch(int sig)
{
	__atomic_fetch_add(&progress[SLOT_WINCH], 1, __ATOMIC_RELAXED);
}

static void
set_handler(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;	/* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

NOINLINE static void
spin(void)
{
	for (;;) {
		uint64_t cmd;

		for (int i = 0; i < 100000; i++)
			sink += i;
		__atomic_fetch_add(&progress[SLOT_SPIN], 1, __ATOMIC_RELAXED);
		cmd = __atomic_load_n(&progress[SLOT_CMD], __ATOMIC_RELAXED);
		if (cmd != progress[SLOT_ACK]) {
			set_handler(SIGWINCH, cmd ? on_winch : SIG_DFL);
			__atomic_store_n(&progress[SLOT_ACK], cmd,
					 __ATOMIC_RELAXED);
		}
	}
}

static void *
spinner(void *arg)
{
	spin();
	return arg;
}

NOINLINE static void
wait_loop(int ep)
{
	struct epoll_event ev;

	for (;;) {
		int n = epoll_wait(ep, &ev, 1, -1);

		if (n < 0 && errno == EINTR)
			__atomic_fetch_add(&progress[SLOT_EINTR], 1,
					   __ATOMIC_RELAXED);
		__atomic_fetch_add(&progress[SLOT_RETURNS], 1,
				   __ATOMIC_RELAXED);
	}
}

int
main(int argc, char **argv)
{
	sigset_t set, old;
	pthread_t t;
	int ep;

	target_init(argc, argv);
	signal(SIGUSR2, SIG_IGN);
	set_handler(SIGUSR1, on_usr1);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return 99;

	/* The spinner inherits a mask that blocks every signal of the test. */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGURG);
	sigaddset(&set, SIGCONT);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	if (pthread_create(&t, NULL, spinner, NULL) != 0)
		return 99;
	pthread_setname_np(t, "spinner");
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	target_ready();
	wait_loop(ep);
	return 0;
}
