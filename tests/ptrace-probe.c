/*
 * Test helper: exits 0 if this process may PTRACE_SEIZE, INTERRUPT and
 * DETACH a child of its own, 1 otherwise (with the reason on stderr).
 * init.sh's require_ptrace skips a test (77) when it fails.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>

static int
fail(const char *what, pid_t child)
{
	fprintf(stderr, "ptrace-probe: %s: %s\n", what, strerror(errno));
	kill(child, SIGKILL);
	waitpid(child, NULL, __WALL);
	return 1;
}

int
main(void)
{
	int status;
	pid_t child = fork();

	if (child < 0) {
		perror("ptrace-probe: fork");
		return 1;
	}
	if (child == 0) {
		for (;;)
			pause();
	}
	if (ptrace(PTRACE_SEIZE, child, 0L, 0L) < 0)
		return fail("PTRACE_SEIZE", child);
	if (ptrace(PTRACE_INTERRUPT, child, 0L, 0L) < 0)
		return fail("PTRACE_INTERRUPT", child);
	if (waitpid(child, &status, __WALL) != child)
		return fail("waitpid", child);
	if (!WIFSTOPPED(status)) {
		errno = 0;
		return fail("child not stopped", child);
	}
	if (ptrace(PTRACE_DETACH, child, 0L, 0L) < 0)
		return fail("PTRACE_DETACH", child);
	kill(child, SIGKILL);
	waitpid(child, NULL, __WALL);
	return 0;
}
