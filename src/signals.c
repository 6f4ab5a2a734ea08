/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "common.h"
#include "signals.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t stop_requested;
volatile sig_atomic_t stop_forward_pid;

static void
on_stop_signal(int sig, siginfo_t *si, void *uc)
{
	pid_t pid = stop_forward_pid;

	(void) uc;
	if (pid <= 0) {
		stop_requested = sig;
		return;
	}
	/* The command we started ends as it would without us, and the
	 * recording with it.  A terminal's ^C (sent by the kernel to the
	 * foreground process group) already reached it, unless it left
	 * our process group. */
	if (si->si_code != SI_KERNEL || getpgid(pid) != getpgrp())
		kill(pid, sig);
}

void
stop_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	/* No SA_RESTART: a sleep or wait in progress ends at once. */
	sa.sa_sigaction = on_stop_signal;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

void
stop_signals_block(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}
