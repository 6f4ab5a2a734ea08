/*
 * pidprof diff: compare two pprof files as shares of their totals, and
 * say (by the exit status) whether a function's share grew past a
 * threshold: the regression gate of a CI job.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_DIFF_H
# define PIDPROF_DIFF_H

# include "common.h"

enum diff_format {
	DIFF_TEXT,
	DIFF_MARKDOWN,
	DIFF_JSON,
};

struct diff_opts {
	const char *base, *new;
	const char *sample_type;	/* NULL: the base file's default */
	double threshold;		/* percentage points */
	long top;
	enum diff_format format;
	const char *svg;		/* a differential flame graph or NULL */
	bool quiet;			/* no "wrote" line */
};

/* 0: no function grew past the threshold; 1: one did; 2: error (a file
 * unreadable, or the flame graph not written). */
int diff_run(const struct diff_opts *o);

#endif /* !PIDPROF_DIFF_H */
