/*
 * Output files: the format of each (from --format or the extension),
 * a check that it can be written before anything is attached, and the
 * atomic write (a temporary file renamed over the path).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_OUTPUT_H
# define PIDPROF_OUTPUT_H

# include "buf.h"
# include "err.h"
# include "pprof.h"
# include "profile.h"

enum output_format {
	FORMAT_NONE = 0,
	FORMAT_PPROF,		/* gzipped profile.proto */
	FORMAT_COLLAPSED,	/* folded stacks, one line per stack */
	FORMAT_FLAMEGRAPH,	/* SVG */
	FORMAT_TABLE,		/* heap: plain text table */
	FORMAT_TEXT,		/* threads: grouped stacks as text */
	FORMAT_JSON,		/* threads: JSON */
	FORMAT_SPEEDSCOPE,	/* speedscope JSON, a profile per thread */
};

struct output {
	const char *path;
	enum output_format format;
	mode_t mode;		/* of the file written; 0 means 0644 */
};

/* "pprof", "collapsed", "svg" (also "folded", "flamegraph"), "table",
 * "text", "json", "speedscope". */
enum output_format output_format_by_name(const char *name);
/* From the extension: .pb.gz .pb .pprof, .folded .collapsed .txt, .svg,
 * .speedscope.json, .json. */
enum output_format output_format_by_path(const char *path);
const char *output_format_name(enum output_format f);
/* Whether --group-by thread gives @f's stacks a root frame per thread
 * (collapsed, svg; pprof keeps the thread labels instead). */
bool output_groups_threads(enum output_format f);
/* Fails when @path could not be created: checked before attaching. */
int output_check_writable(const char *path, struct pp_err *err);
/* Writes @data to @path through a temporary file and rename(2). */
int output_write_file(const char *path, const void *data, size_t len,
		      mode_t mode, struct pp_err *err);

/* Tool-layer helpers, which report through msg.c: */
/* Checks that every output but "-" (stdout) can be created. */
bool outputs_check(const struct output *outs, size_t n);
/* Writes @data to @op's file, or to stdout for "-"; says what it wrote
 * unless @quiet.  Returns 0 or -1 (reported). */
int output_deliver(const struct output *op, const struct buf *data,
		   bool quiet);

struct render_info {
	const char *title;	/* flamegraph title */
	const char *subtitle;
	const char *const *comments;	/* pprof comments: pidprof's health */
	size_t ncomments;
};

/* Encodes @p in format @f into @out. */
int output_render(enum output_format f, const struct profile *p,
		  const struct frame_source *src,
		  const struct render_info *info, struct buf *out,
		  struct pp_err *err);

#endif /* !PIDPROF_OUTPUT_H */
