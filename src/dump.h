/*
 * pidprof dump: every thread's stack, now.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_DUMP_H
# define PIDPROF_DUMP_H

# include "common.h"
# include "unwind.h"

/* Processes in one dump, at most. */
# define DUMP_MAX_PIDS	256

struct dump_opts {
	/* -p (repeatable, comma lists), --name, --pidfile: resolved by
	 * dump_run */
	pid_t pids[DUMP_MAX_PIDS];
	size_t npids;
	const char *names[16];
	size_t nnames;
	const char *pidfiles[16];
	size_t npidfiles;
	bool children;		/* --children: their descendants too */
	bool json;
	bool quiet;
	const struct unwinder_ops *unwinder;
	size_t stack_size;
};

/* Returns an exit status (EXIT_COMPLETE, EXIT_PARTIAL, EXIT_FATAL). */
int dump_run(const struct dump_opts *o);

#endif /* !PIDPROF_DUMP_H */
