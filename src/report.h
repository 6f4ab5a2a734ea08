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
	const char *thread;		/* only this thread: a name or an id */
	bool group_by_thread;		/* a table, or a root, per thread */
	bool group_by_process;		/* the same per process */
};

int report_run(const struct report_opts *o);

/*
 * A pprof file as the shared writers (collapsed, svg, pprof) take it: a
 * profile whose "pcs" are the file's locations (index + 2; 0 and 1 mean
 * nothing), and a frame source naming them from the file's functions.
 */
struct sym_frame;
struct file_frames {
	const struct pprof_file *f;
	struct sym_frame **frames;	/* built on demand, per location */
};

void file_frames_init(struct file_frames *ff, const struct pprof_file *f,
		      struct frame_source *src);
void file_frames_free(struct file_frames *ff);
/* @f's samples; value @vi is the one folded stacks show. */
void file_profile(const struct pprof_file *f, int vi, struct profile *p);

#endif /* !PIDPROF_REPORT_H */
