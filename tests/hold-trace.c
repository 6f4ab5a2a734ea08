/*
 * Test helper: hold-trace PID
 * Becomes the tracer of PID with PTRACE_SEIZE (the tracee is not stopped),
 * prints "ready" and stays until it is killed, so that a test can check how
 * pidprof reports a process that is already traced.  Stops of the tracee
 * (signals, group stops) are passed on, so the tracee behaves normally.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>

int
main(int argc, char **argv)
{
	pid_t pid;
	int status;

	if (argc != 2 || (pid = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: hold-trace PID\n");
		return 99;
	}
	if (ptrace(PTRACE_SEIZE, pid, 0L, 0L) < 0) {
		fprintf(stderr, "hold-trace: PTRACE_SEIZE %d: %s\n",
			pid, strerror(errno));
		return 99;
	}
	printf("ready\n");
	fflush(stdout);

	for (;;) {
		pid_t r = waitpid(pid, &status, __WALL);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;		/* the tracee is gone */
		}
		if (!WIFSTOPPED(status))
			break;
		if (status >> 16 == PTRACE_EVENT_STOP)
			ptrace(PTRACE_LISTEN, pid, 0L, 0L);
		else
			ptrace(PTRACE_CONT, pid, 0L, (long) WSTOPSIG(status));
	}
	for (;;)
		pause();
}
