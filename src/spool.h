/*
 * The spool: profiles a sink could not take yet, one file each in a
 * directory, so that they survive a restart and are sent again, oldest
 * first.  A file holds a short text header (which sink, the profile
 * type, the window, the rate and the content type) and the request body
 * as it is sent.  Credentials, URLs and paths are never in it: the
 * request is rebuilt from the sink's settings when the file is sent.
 *
 * The directory must be pidprof's own (see spool_dir_prepare), and a
 * file is read only when it is a regular file of pidprof's user, not
 * over SPOOL_FILE_MAX bytes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_SPOOL_H
# define PIDPROF_SPOOL_H

# include "buf.h"
# include "common.h"
# include "err.h"

# define SPOOL_SUFFIX	".push"
/* The largest spool file read back: a window's profile is far smaller. */
# define SPOOL_FILE_MAX		(64u << 20)
/* Header limits: a sink name, a line, the number of lines. */
# define SPOOL_NAME_MAX		64
# define SPOOL_MAX_LINE		256
# define SPOOL_MAX_FIELDS	32

struct spool_meta {
	char *sink;		/* the sink's name */
	char *kind;		/* "pyroscope" or "profefe" */
	char *type;		/* "cpu", "wall", "memory" or "threads" */
	char *content_type;	/* Pyroscope's multipart or octet-stream */
	int64_t time_ns;	/* the window's start, UTC */
	int64_t until_ns;	/* and its end */
	int rate_hz;
	/* Not in the file: built from the sink's settings. */
	char *path;		/* appended to the sink's URL */
	char *what;		/* for messages: "cpu 12:00:10Z" */
};

void spool_meta_free(struct spool_meta *m);
/* Header and body, as a spool file holds them.  Pure. */
void spool_format(const struct spool_meta *m, const void *body, size_t len,
		  struct buf *out);
/* The header of a spool file; the body starts at *@body_off.  Every
 * field is checked; path and what are left NULL.  Pure. */
int spool_parse(const uint8_t *data, size_t len, struct spool_meta *m,
		size_t *body_off, struct pp_err *err);
/* "TIME-SEQ-SINK.push": names sort as the windows do. */
char *spool_file_name(int64_t time_ns, unsigned seq, const char *sink);

/* Creates @dir (mode 0700) and its parents if needed, and checks that
 * it is pidprof's own: not a symbolic link, owned by the effective uid,
 * not writable by group or others, and so is every parent up to the
 * first one owned by root (where a parent writable by others must be
 * sticky, as /tmp is).  The error says what to change. */
int spool_dir_prepare(const char *dir, struct pp_err *err);
/* The spool files in @dir, sorted: oldest first. */
int spool_dir_list(const char *dir, char ***names, size_t *n,
		   struct pp_err *err);
/* Writes a spool file (mode 0600) through a temporary file. */
int spool_write(const char *path, const struct spool_meta *m,
		const void *body, size_t len, struct pp_err *err);
/* Reads a spool file: its header into @m, its body into @body.  Only a
 * regular file of the effective uid, at most SPOOL_FILE_MAX bytes; never
 * follows a symbolic link, never waits on a FIFO. */
int spool_read(const char *path, struct spool_meta *m, struct buf *body,
	       struct pp_err *err);

#endif /* !PIDPROF_SPOOL_H */
