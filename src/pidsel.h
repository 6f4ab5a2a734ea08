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
/* What -p (repeatable, comma lists), --name, --pidfile, --children and
 * --max-processes gave a command that follows processes. */
# define PIDSEL_MAX_PIDS	256
# define PIDSEL_MAX_SOURCES	16
struct pid_args {
	pid_t pids[PIDSEL_MAX_PIDS];
	size_t npids;
	const char *names[PIDSEL_MAX_SOURCES];
	size_t nnames;
	const char *pidfiles[PIDSEL_MAX_SOURCES];
	size_t npidfiles;
	bool children;
	size_t max_processes;	/* --children: at most, in all */
};
/* Appends to @pids (*@n of them, room for @max) the live processes that
 * one of @names names and that are not there yet (processes started
 * since the first look); returns how many. */
size_t pidsel_new_by_name(const char *const *names, size_t nnames,
			  pid_t *pids, size_t *n, size_t max);
/* @a's pidfiles, names and (children) descendants resolved into its
 * pids, as pidsel_resolve() does: -1 on error, 1 when some were left
 * out (@err says so, for a warning), else 0. */
int pidsel_resolve_args(struct pid_args *a, struct pp_err *err);
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
