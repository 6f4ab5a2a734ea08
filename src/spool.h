/*
 * The spool: profiles a sink could not take yet, one file each in a
 * directory, so that they survive a restart and are sent again, oldest
 * first.  A file holds a short text header (which sink, the request's
 * path and content type, the window's time) and the request body as it
 * is sent.  Credentials are never in it: they come from the sink's
 * settings when the file is sent.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_SPOOL_H
# define PIDPROF_SPOOL_H

# include "buf.h"
# include "common.h"
# include "err.h"

# define SPOOL_SUFFIX	".push"

struct spool_meta {
	char *sink;		/* the sink's name */
	char *kind;		/* "pyroscope" or "profefe" */
	char *path;		/* appended to the sink's URL */
	char *content_type;	/* NULL: none */
	char *what;		/* for messages: "cpu 12:00:10" */
	int64_t time_ns;	/* the window's start, UTC */
};

void spool_meta_free(struct spool_meta *m);
/* Header and body, as a spool file holds them.  Pure. */
void spool_format(const struct spool_meta *m, const void *body, size_t len,
		  struct buf *out);
/* The header of a spool file; the body starts at *@body_off.  Pure. */
int spool_parse(const uint8_t *data, size_t len, struct spool_meta *m,
		size_t *body_off, struct pp_err *err);
/* "TIME-SEQ-SINK.push": names sort as the windows do. */
char *spool_file_name(int64_t time_ns, unsigned seq, const char *sink);

/* Creates @dir (mode 0700) and its parents if needed, and checks it
 * can be written. */
int spool_dir_prepare(const char *dir, struct pp_err *err);
/* The spool files in @dir, sorted: oldest first. */
int spool_dir_list(const char *dir, char ***names, size_t *n,
		   struct pp_err *err);
/* Writes a spool file (mode 0600) through a temporary file. */
int spool_write(const char *path, const struct spool_meta *m,
		const void *body, size_t len, struct pp_err *err);
/* Reads a spool file: its header into @m, its body into @body. */
int spool_read(const char *path, struct spool_meta *m, struct buf *body,
	       struct pp_err *err);

#endif /* !PIDPROF_SPOOL_H */
