/*
 * pidprof dump: every thread's stack, now.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_DUMP_H
# define PIDPROF_DUMP_H

# include "common.h"
# include "unwind.h"

struct dump_opts {
	pid_t pid;
	bool json;
	bool quiet;
	const struct unwinder_ops *unwinder;
	size_t stack_size;
};

/* Returns an exit status (EXIT_COMPLETE, EXIT_PARTIAL, EXIT_FATAL). */
int dump_run(const struct dump_opts *o);

#endif /* !PIDPROF_DUMP_H */
