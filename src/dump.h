/*
 * pidprof dump: every thread's stack, now.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_DUMP_H
# define PIDPROF_DUMP_H

# include "common.h"
# include "pidsel.h"
# include "unwind.h"

struct dump_opts {
	/* -p, --name, --pidfile, --children (their descendants): resolved
	 * by the run */
	struct pid_args who;
	bool json;
	bool quiet;
	const struct unwinder_ops *unwinder;
	size_t stack_size;
};

/* Returns an exit status (EXIT_COMPLETE, EXIT_PARTIAL, EXIT_FATAL). */
int dump_run(const struct dump_opts *o);

#endif /* !PIDPROF_DUMP_H */
