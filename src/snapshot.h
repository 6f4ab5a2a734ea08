/*
 * What the stop path copies out of a thread: registers and a slice of
 * its stack.  Everything else happens on the copy, after the thread runs
 * again.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_SNAPSHOT_H
# define PIDPROF_SNAPSHOT_H

# include "common.h"

# include <sys/user.h>

enum snap_how {
	SNAP_NONE = 0,		/* no snapshot was taken */
	SNAP_INTERRUPTED,	/* stopped by PTRACE_INTERRUPT: all registers */
	SNAP_BLOCKED,		/* read asleep from task/TID/syscall: SP, PC */
};

/* Room kept below SP: leaf functions may keep values in the red zone. */
# define SNAP_RED_ZONE	128

struct snapshot {
	pid_t tid;
	enum snap_how how;
	char state;		/* /proc state letter (R, S, D, t...) */
	long syscall_nr;	/* SNAP_BLOCKED: its syscall, or -1 */
	uint64_t syscall_arg0;	/* SNAP_BLOCKED: the call's first argument */
	struct user_regs_struct regs;	/* SNAP_BLOCKED: only rsp and rip */
	uint64_t time_ns;	/* CLOCK_MONOTONIC when taken */
	uint64_t stop_ns;	/* reaped stop -> PTRACE_CONT returned */
	uint64_t wait_ns;	/* PTRACE_INTERRUPT sent -> stop reaped */
	uint64_t total_ns;	/* PTRACE_INTERRUPT sent -> resumed */

	/* stack[0] is the byte at stack_base; stack_base <= SP. */
	uint64_t stack_base;
	uint8_t *stack;
	size_t stack_len;	/* bytes copied */
	/* Bytes allocated, once: nothing is allocated while stopped. */
	size_t stack_cap;
	uint64_t stack_limit;	/* end of SP's mapping, 0 if unknown */

	/* perf events only: the kernel's frames, leaf first, above the
	 * user registers' (a system call's, an interrupt's). */
	const uint64_t *kernel_pcs;
	size_t kernel_n;
};

static inline uint64_t
snapshot_sp(const struct snapshot *s)
{
	return s->regs.rsp;
}

/* Bytes copied from SP upwards (what --stack-size bounds). */
static inline size_t
snapshot_stack_above_sp(const struct snapshot *s)
{
	uint64_t skip = s->regs.rsp - s->stack_base;

	return s->stack_len > skip ? s->stack_len - skip : 0;
}

static inline uint64_t
snapshot_pc(const struct snapshot *s)
{
	return s->regs.rip;
}

#endif /* !PIDPROF_SNAPSHOT_H */
