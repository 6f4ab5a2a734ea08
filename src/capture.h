/*
 * One look at every thread of a process: a tracer thread attaches, takes
 * a snapshot of each thread and exits (which detaches), then the copies
 * are unwound and symbolized.  What dump and threads are built on.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_CAPTURE_H
# define PIDPROF_CAPTURE_H

# include "attach.h"
# include "procimg.h"
# include "symbols.h"
# include "unwind.h"

struct thread_stack {
	struct snapshot snap;	/* owns snap.stack */
	char name[64];
	struct raw_stack *raw;	/* NULL when the thread was not captured */
	bool complete;		/* unwound down to a thread's first frame */
	const char *error;	/* why there is no stack */
};

struct capture {
	pid_t pid;
	char comm[64];
	struct thread_stack *threads;	/* sorted by tid */
	size_t n;
	size_t incomplete;
	struct capture_stats stats;
	struct procimg img;
	struct symbols *syms;
	const struct unwinder_ops *ops;
	struct unwinder *uw;
};

/* Returns 0, or -1 with @err set when nothing could be captured. */
int capture_process(struct capture *c, pid_t pid, size_t stack_size,
		    const struct unwinder_ops *ops, struct pp_err *err);
void capture_free(struct capture *c);

#endif /* !PIDPROF_CAPTURE_H */
