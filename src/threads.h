/*
 * pidprof threads: how many threads sit in each distinct stack, the
 * native counterpart of Go's goroutine profile.  A thread leak shows as
 * a group that keeps growing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_THREADS_H
# define PIDPROF_THREADS_H

# include "output.h"
# include "unwind.h"

# define THREADS_MAX_OUTPUTS	16

struct threads_opts {
	pid_t pid;
	struct output outputs[THREADS_MAX_OUTPUTS];	/* path "-": stdout */
	size_t noutputs;
	const struct unwinder_ops *unwinder;
	size_t stack_size;
	bool quiet;
};

/* Returns an exit status (EXIT_COMPLETE, EXIT_PARTIAL, EXIT_FATAL). */
int threads_run(const struct threads_opts *o);

#endif /* !PIDPROF_THREADS_H */
