/*
 * pidprof report: read a pprof file (ours, Go's, any) and print its top
 * functions, or convert it to collapsed stacks, SVG or pprof.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_REPORT_H
# define PIDPROF_REPORT_H

# include "output.h"
# include "pprof-read.h"

# define REPORT_MAX_OUTPUTS	16

struct report_opts {
	const char *input;
	const char *sample_type;	/* NULL: the file's default */
	long top;			/* rows of the table */
	struct output outputs[REPORT_MAX_OUTPUTS];
	size_t noutputs;
	bool quiet;
};

int report_run(const struct report_opts *o);

#endif /* !PIDPROF_REPORT_H */
