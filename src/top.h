/*
 * pidprof top: a live view of a process's functions, by their own and
 * total share of the last interval, refreshed every second.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_TOP_H
# define PIDPROF_TOP_H

# include "sampler.h"

struct top_opts {
	struct sampler_opts sampler;
	long rows;		/* functions shown */
};

/* Returns an exit status (EXIT_COMPLETE, EXIT_FATAL). */
int top_run(struct top_opts *o);

/* One function of an interval. */
struct top_row {
	const char *name;
	int64_t own, total;
};

struct folded;
/* The functions of @f by own value (leaf) and total value (on the stack
 * at least once), sorted by total when @by_total, else by own; names
 * point into @f.  Pure. */
size_t top_rows(const struct folded *f, bool by_total, struct top_row **out);

#endif /* !PIDPROF_TOP_H */
