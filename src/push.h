/*
 * pidprof push: profile a process without end, cut the samples into
 * windows aligned to the wall clock, and send every window's profiles
 * to Pyroscope and Profefe sinks; undeliverable ones wait in a spool.
 * SIGHUP re-reads the configuration file without detaching.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_PUSH_H
# define PIDPROF_PUSH_H

# include "common.h"
# include "err.h"
# include "push-config.h"

/* One option of the command line, kept to be applied again (after the
 * file's settings) at every SIGHUP. */
struct push_arg {
	const char *key;	/* the long option name */
	const char *value;	/* NULL for a flag */
};

struct push_opts {
	struct push_arg *args;
	size_t nargs, args_cap;
	char **owned;		/* copies that args point to */
	size_t nowned, owned_cap;
	const char *config_path;	/* -c, or NULL */
	char *const *argv;	/* -- COMMAND, or NULL */
};

/* Settings from the -c file (if any), then the command line's. */
int push_load(const struct push_opts *o, struct push_config *c,
	      struct pp_err *err);
void push_opts_free(struct push_opts *o);

/* Exit statuses of push beyond the common ones (see --help). */
int push_run(struct push_opts *o);

#endif /* !PIDPROF_PUSH_H */
