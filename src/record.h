/*
 * pidprof record: sample a process for a while and write profiles.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_RECORD_H
# define PIDPROF_RECORD_H

# include "output.h"
# include "pidsel.h"
# include "sampler.h"

# define RECORD_MAX_OUTPUTS	16
/* Processes in one profile, at most (--pid, --name, --pidfile). */
# define RECORD_MAX_PIDS	PIDSEL_MAX_PIDS

struct record_opts {
	struct sampler_opts sampler;
	struct output outputs[RECORD_MAX_OUTPUTS];
	size_t noutputs;
	bool quiet;
	/* collapsed and SVG outputs: a root frame per thread */
	bool group_by_thread;
	const char *note;	/* one more pprof comment, or NULL */
	/* Several processes, for snapshot: a window in which none used CPU
	 * (or, wall with --no-idle, every thread slept) is idle, no error:
	 * its profile is written with this note. */
	const char *idle_note;
	/* -- COMMAND: forked by record_sample in the calling thread */
	struct spawned cmd;
	/* Several processes: -p, --name, --pidfile resolved into who.pids
	 * by record_run; --children: the processes they fork too, at most
	 * --max-processes in the run. */
	struct pid_args who;
	/* collapsed and SVG outputs: a root frame per process */
	bool group_by_process;
};

/* Returns an exit status (EXIT_COMPLETE, EXIT_PARTIAL, EXIT_FATAL), or
 * that of a command that failed (its own status, 128 + N for a
 * signal N). */
int record_run(struct record_opts *o);

/*
 * The two halves of record_run, for commands that sample as record does
 * (snapshot).  record_sample runs the sampler in a tracer thread until
 * the duration ends, the target exits or SIGINT, SIGTERM or SIGHUP;
 * returns 0 with @res filled (free it with sampler_result_free; do not
 * copy it: its symbols point into it), or -1 (reported) when nothing
 * could be started.  record_write renders @res
 * into every output of @o and returns how many were written (each
 * failure is reported).
 */
int record_sample(struct record_opts *o, struct sampler_result *res);
size_t record_write(const struct record_opts *o,
		    const struct sampler_result *res);
/* Samples taken: stopped, read asleep and reused. */
uint64_t record_samples(const struct sampler_result *res);

#endif /* !PIDPROF_RECORD_H */
