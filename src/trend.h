/*
 * pidprof trend: a snapshot directory's memory.tsv (or a heap --watch
 * TSV) over time: a table of the readings with each category's growth
 * per hour, the leak suspects of heap --watch, and a self-contained SVG
 * line chart of the memory categories and the thread count.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_TREND_H
# define PIDPROF_TREND_H

# include "buf.h"
# include "err.h"
# include "smaps.h"

struct trend_opts {
	const char *input;	/* a snapshot directory, or a TSV file */
	const char *svg;	/* the chart, or NULL */
	bool quiet;
	bool fail_on_suspect;	/* exit 1 when a category is a suspect */
};

/* 0 done, 1 the chart not written (or, with fail_on_suspect, a leak
 * suspect), 2 the input unreadable or empty. */
int trend_run(const struct trend_opts *o);

/* One reading: the rss of each category, the threads, the process. */
struct trend_point {
	int64_t t_ns;		/* UTC */
	uint64_t rss[MEM_NCATEGORIES];
	uint64_t threads;
	pid_t pid;		/* 0 when the file has no pid column */
};

struct trend {
	struct trend_point *v;	/* in the file's order */
	size_t n, cap;
	bool has_threads;
	/* Readings from here on are of the last process read (a change of
	 * pid is a restart): growth and leak suspects are judged on them. */
	size_t last_start;
};

/* Parses the TSV text (header: time, category, rss, and optionally
 * threads and pid, in any order).  Pure. */
int trend_parse(const char *text, struct trend *t, struct pp_err *err);
void trend_free(struct trend *t);
/* The table, growth per hour and leak suspects.  Pure. */
void trend_table(const struct trend *t, struct buf *out);
/* The chart, titled @title.  Pure. */
void trend_svg(const struct trend *t, const char *title, struct buf *out);

#endif /* !PIDPROF_TREND_H */
