/*
 * Which processes: by name (comm or executable), from a pidfile, from
 * /proc/PID/stat.  Pure readers of /proc and files: they print nothing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_PIDSEL_H
# define PIDPROF_PIDSEL_H

# include "common.h"
# include "err.h"

/* Name, state and flags from /proc/PID/stat; false when gone. */
bool pidsel_read_stat(pid_t pid, char *comm, size_t len, char *state,
		      unsigned long *flags);
/* Every live process (not pidprof, no kernel thread, no zombie) whose
 * comm or executable's file name is @name: the first @max in @out, in
 * /proc order, and how many there are in *@n. */
int pidsel_by_name(const char *name, pid_t *out, size_t max, size_t *n,
		   struct pp_err *err);
/* The processes of -p (given), --pidfile and --name options. */
struct pidsel {
	pid_t *pids;		/* *n of them, room for max */
	size_t *n, max;
	const char *const *names;
	size_t nnames;
	const char *const *pidfiles;
	size_t npidfiles;
	bool children;		/* every descendant of them too */
	bool truncated;		/* out: more than max; the first kept */
};
/* Appends the processes of every pidfile, then of every name, to those
 * given, each once, then (children) their descendants: a name that
 * matches nothing, a pidfile that cannot be read or names pidprof is an
 * error. */
int pidsel_resolve(struct pidsel *ps, struct pp_err *err);
/* Appends to @pids (*@n of them, room for @max) every live descendant
 * of those already there, children after their parents. */
int pidsel_descendants(pid_t *pids, size_t *n, size_t max,
		       struct pp_err *err);
/* The process id in the first line of the file @path. */
int pidsel_read_pidfile(const char *path, pid_t *pid, struct pp_err *err);

#endif /* !PIDPROF_PIDSEL_H */
