/*
 * Two decisions of the never-harm rules, kept pure so that they can be
 * tested without a target: whether a system call that a ptrace stop made
 * fail with EINTR may be made again, and whether the target ignores a
 * signal (so that a traced thread, which the kernel wakes even for an
 * ignored signal, can be kept from seeing it).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_RESTART_H
# define PIDPROF_RESTART_H

# include "common.h"

/*
 * Whether the x86_64 system call @nr, called with @args (rdi, rsi, rdx,
 * r10, r8, r9), that returned -EINTR, may be made again from the start
 * with the same arguments: true only for calls that return plain EINTR
 * (the kernel restarts the others itself, or must not: close) and have
 * done nothing when they do.  See restart.c for each one.
 */
bool syscall_repeat_safe(long nr, const uint64_t args[6]);

/* The signal dispositions of a process, from /proc/PID/status. */
struct sig_disp {
	uint64_t ignored;	/* SigIgn: set to SIG_IGN; bit n-1 = signal n */
	uint64_t caught;	/* SigCgt: a handler is installed */
};

/* Reads SigIgn and SigCgt from the text of /proc/PID/status; -1 when
 * either is missing or malformed. */
int parse_sig_disp(const char *status_text, struct sig_disp *out);

/*
 * Whether delivering @sig has no effect on the process: it is set to
 * SIG_IGN, or it has no handler and its default action is to ignore it
 * (SIGCHLD, SIGWINCH, SIGURG and SIGCONT, whose continuing is done when
 * it is sent).  The kernel drops such a signal at once for a process
 * nobody traces; for a traced one it wakes the thread first.
 */
bool signal_is_ignored(int sig, const struct sig_disp *d);

#endif /* !PIDPROF_RESTART_H */
