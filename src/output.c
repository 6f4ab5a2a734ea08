/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "output.h"
#include "flamegraph.h"
#include "folded.h"
#include "gz.h"
#include "speedscope.h"
#include "msg.h"
#include "units.h"
#include "xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const struct {
	const char *name;
	enum output_format format;
} format_names[] = {
	{ "pprof", FORMAT_PPROF },
	{ "collapsed", FORMAT_COLLAPSED },
	{ "folded", FORMAT_COLLAPSED },
	{ "svg", FORMAT_FLAMEGRAPH },
	{ "flamegraph", FORMAT_FLAMEGRAPH },
	{ "table", FORMAT_TABLE },
	{ "text", FORMAT_TEXT },
	{ "json", FORMAT_JSON },
	{ "speedscope", FORMAT_SPEEDSCOPE },
};

static const struct {
	const char *suffix;
	enum output_format format;
} format_suffixes[] = {
	{ ".pb.gz", FORMAT_PPROF },
	{ ".pb", FORMAT_PPROF },
	{ ".pprof", FORMAT_PPROF },
	{ ".folded", FORMAT_COLLAPSED },
	{ ".collapsed", FORMAT_COLLAPSED },
	{ ".txt", FORMAT_COLLAPSED },
	{ ".svg", FORMAT_FLAMEGRAPH },
	/* Before .json, which it ends with. */
	{ ".speedscope.json", FORMAT_SPEEDSCOPE },
	{ ".json", FORMAT_JSON },
};

enum output_format
output_format_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(format_names); i++)
		if (strcmp(name, format_names[i].name) == 0)
			return format_names[i].format;
	return FORMAT_NONE;
}

enum output_format
output_format_by_path(const char *path)
{
	size_t len = strlen(path), i;

	for (i = 0; i < ARRAY_SIZE(format_suffixes); i++) {
		size_t sl = strlen(format_suffixes[i].suffix);

		if (len > sl &&
		    strcmp(path + len - sl, format_suffixes[i].suffix) == 0)
			return format_suffixes[i].format;
	}
	return FORMAT_NONE;
}

bool
output_groups_threads(enum output_format f)
{
	return f == FORMAT_COLLAPSED || f == FORMAT_FLAMEGRAPH;
}

const char *
output_format_name(enum output_format f)
{
	switch (f) {
	case FORMAT_PPROF: return "pprof";
	case FORMAT_COLLAPSED: return "collapsed";
	case FORMAT_FLAMEGRAPH: return "svg";
	case FORMAT_TABLE: return "table";
	case FORMAT_TEXT: return "text";
	case FORMAT_JSON: return "json";
	case FORMAT_SPEEDSCOPE: return "speedscope";
	default: return "none";
	}
}

/* A temporary name beside @path that nobody can guess: an existing
 * file or link of that name is never opened (O_EXCL | O_NOFOLLOW). */
static char *
temp_path_for(const char *path)
{
	static unsigned counter;
	struct timespec ts;
	unsigned long long x;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	x = ((unsigned long long) ts.tv_nsec << 20) ^
	    (unsigned long long) ts.tv_sec ^
	    ((unsigned long long) __atomic_add_fetch(&counter, 1,
						     __ATOMIC_RELAXED) << 44);
	return xasprintf("%s.tmp.%d.%llx", path, (int) getpid(), x);
}

/* Creates a new temporary file beside @path: never an existing one, never
 * through a symbolic link.  Its name in *@tmp. */
static int
temp_create(const char *path, mode_t mode, char **tmp)
{
	int fd = -1, tries;

	for (tries = 0; tries < 16; tries++) {
		*tmp = temp_path_for(path);
		fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			  O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			break;
		free(*tmp);
		*tmp = NULL;
	}
	if (fd < 0 && !*tmp)
		*tmp = temp_path_for(path);
	return fd;
}

int
output_check_writable(const char *path, struct pp_err *err)
{
	struct stat st;
	char *tmp;
	int fd;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return pp_err_set(err, EISDIR, "cannot write %s: %s", path,
				  strerror(EISDIR));
	fd = temp_create(path, 0600, &tmp);
	if (fd < 0) {
		int e = errno;

		free(tmp);
		return pp_err_set(err, e, "cannot write %s: %s", path,
				  strerror(e));
	}
	close(fd);
	unlink(tmp);
	free(tmp);
	return 0;
}

int
output_write_file(const char *path, const void *data, size_t len, mode_t mode,
		  struct pp_err *err)
{
	const char *p = data;
	char *tmp;
	int fd, e;

	fd = temp_create(path, mode, &tmp);
	if (fd < 0)
		goto fail;
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail_fd;
		p += w;
		len -= w;
	}
	if (fsync(fd) < 0 && errno != EINVAL)
		goto fail_fd;
	if (close(fd) < 0) {
		fd = -1;
		goto fail_fd;
	}
	if (rename(tmp, path) < 0)
		goto fail_unlink;
	free(tmp);
	return 0;

fail_fd:
	e = errno;
	if (fd >= 0)
		close(fd);
	errno = e;
fail_unlink:
	e = errno;
	unlink(tmp);
	errno = e;
fail:
	e = errno;
	free(tmp);
	return pp_err_set(err, e, "cannot write %s: %s", path, strerror(e));
}

int
output_render(enum output_format f, const struct profile *p,
	      const struct frame_source *src, const struct render_info *info,
	      struct buf *out, struct pp_err *err)
{
	struct folded fo;
	struct buf raw;
	size_t vi;
	int rc = 0;

	switch (f) {
	case FORMAT_PPROF:
		buf_init(&raw);
		pprof_encode(p, src, info->comments, info->ncomments, &raw);
		rc = gz_compress(raw.data, raw.len, out, err);
		buf_free(&raw);
		return rc;
	case FORMAT_COLLAPSED:
	case FORMAT_FLAMEGRAPH:
		/* By default the last value is the weighted one (time). */
		vi = p->display_value >= 0 ? (size_t) p->display_value :
		     p->nvalues - 1;
		folded_build(&fo, p, src, vi);
		if (f == FORMAT_COLLAPSED) {
			folded_write(&fo, out);
		} else {
			struct flamegraph_opts fg = {
				.title = info->title,
				.subtitle = info->subtitle,
				.unit = p->types[vi].unit,
			};

			flamegraph_write(&fo, &fg, out);
		}
		folded_free(&fo);
		return 0;
	case FORMAT_SPEEDSCOPE:
		vi = p->display_value >= 0 ? (size_t) p->display_value :
		     p->nvalues - 1;
		speedscope_write(p, src, vi, info->title ? info->title :
				 "pidprof", out);
		return 0;
	default:
		return pp_err_set(err, EINVAL, "no output format");
	}
}

bool
outputs_check(const struct output *outs, size_t n)
{
	struct pp_err err;
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(outs[i].path, "-") == 0)
			continue;
		if (output_check_writable(outs[i].path, &err) < 0) {
			error_msg_err(&err);
			return false;
		}
	}
	return true;
}

int
output_deliver(const struct output *op, const struct buf *data, bool quiet)
{
	struct pp_err err;

	if (strcmp(op->path, "-") == 0) {
		if (fwrite(data->data, 1, data->len, stdout) != data->len ||
		    fflush(stdout) != 0) {
			error_msg("cannot write to standard output: %s",
				  strerror(errno));
			return -1;
		}
		return 0;
	}
	if (output_write_file(op->path, data->data, data->len,
			      op->mode ? op->mode : 0644, &err) < 0) {
		error_msg_err(&err);
		return -1;
	}
	if (!quiet) {
		char size[UNITS_LEN];

		units_size(data->len, size, sizeof(size));
		info_msg("wrote %s (%s, %s)", op->path,
			 output_format_name(op->format), size);
	}
	return 0;
}
