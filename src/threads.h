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
# include "pidsel.h"
# include "unwind.h"

# define THREADS_MAX_OUTPUTS	16

struct threads_opts {
	/* -p, --name, --pidfile, --children (their descendants): resolved
	 * by the run; */
	struct pid_args who;
	struct output outputs[THREADS_MAX_OUTPUTS];	/* path "-": stdout */
	size_t noutputs;
	const struct unwinder_ops *unwinder;
	size_t stack_size;
	bool quiet;
};

/* Returns an exit status (EXIT_COMPLETE, EXIT_PARTIAL, EXIT_FATAL).
 * Several processes: text and JSON a block each, the other formats one
 * profile whose samples carry pid and process_name labels. */
int threads_run(const struct threads_opts *o);
/* The text output of threads (groups by stack, largest first) for a
 * profile of one sample per thread, as sampler_threads() makes it;
 * frames are named through @src. */
void threads_profile_text(const struct profile *p,
			  const struct frame_source *src, struct buf *out);

#endif /* !PIDPROF_THREADS_H */
