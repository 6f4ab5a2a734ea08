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

/* Per function: flat and cumulative value of one sample type. */
struct func_total {
	const char *name;
	int64_t flat, cum;
};

/* Totals of sample type @vi by function name, largest flat first.
 * Pure; the names point into @f. */
size_t pprof_function_totals(const struct pprof_file *f, int vi,
			     struct func_total **out, int64_t *total);
/* "1.39s", "674.56ms", "12.5MB", "42": value @v in @unit, pprof style. */
void format_value(int64_t v, const char *unit, char *buf, size_t len);

int report_run(const struct report_opts *o);

#endif /* !PIDPROF_REPORT_H */
