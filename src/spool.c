/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "spool.h"
#include "output.h"
#include "xmalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir -p of the parents of @dir, mode 0755 (the umask applies). */
static void
make_parents(const char *dir)
{
	char *p = xstrdup(dir), *s;

	for (s = p + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			break;
		*s = '/';
	}
	free(p);
}

/* Whether @st may be written by someone else than its owner. */
static bool
others_write(const struct stat *st)
{
	return (st->st_mode & (S_IWGRP | S_IWOTH)) != 0;
}

/* The error for a spool directory @dir that is not safe: @why, and what
 * to do about it. */
static int
unsafe(const char *dir, const char *path, const char *why,
       struct pp_err *err)
{
	if (strcmp(dir, path) == 0)
		return pp_err_set(err, EPERM,
				  "refusing the spool directory %s: %s; give a directory that only pidprof's user can write (mkdir -m 700 DIR, owned by uid %u)",
				  dir, why, (unsigned) geteuid());
	return pp_err_set(err, EPERM,
			  "refusing the spool directory %s: its parent %s %s; give a directory whose parents only root or pidprof's user can change (a parent writable by others must be sticky, as /tmp is)",
			  dir, path, why);
}

/* Checks the parents of @real (a canonical path) up to the first one
 * owned by root: each is owned by root or by us, and one that others
 * can write is sticky, so nobody else can move our directory away. */
static int
check_parents(const char *dir, const char *real, struct pp_err *err)
{
	char *p = xstrdup(real), *slash;
	uid_t me = geteuid();
	int rc = 0;

	while ((slash = strrchr(p, '/'))) {
		struct stat st;
		char why[128];

		if (slash == p)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (lstat(p, &st) < 0) {
			rc = pp_err_set(err, errno, "cannot use the spool directory %s: %s: %s",
					dir, p, strerror(errno));
			break;
		}
		if (st.st_uid != 0 && st.st_uid != me) {
			snprintf(why, sizeof(why), "is owned by uid %u",
				 (unsigned) st.st_uid);
			rc = unsafe(dir, p, why, err);
			break;
		}
		if (others_write(&st) && !(st.st_mode & S_ISVTX)) {
			snprintf(why, sizeof(why),
				 "can be written by others and is not sticky (mode %04o)",
				 (unsigned) (st.st_mode & 07777));
			rc = unsafe(dir, p, why, err);
			break;
		}
		if (st.st_uid == 0 || strcmp(p, "/") == 0)
			break;
	}
	free(p);
	return rc;
}

int
spool_dir_prepare(const char *dir, struct pp_err *err)
{
	struct stat st;
	char *probe, *real, why[128];
	int rc;

	make_parents(dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return pp_err_set(err, errno, "cannot create the spool directory %s: %s",
				  dir, strerror(errno));
	if (lstat(dir, &st) < 0)
		return pp_err_set(err, errno, "cannot use the spool directory %s: %s",
				  dir, strerror(errno));
	if (S_ISLNK(st.st_mode))
		return unsafe(dir, dir, "it is a symbolic link", err);
	if (!S_ISDIR(st.st_mode))
		return pp_err_set(err, ENOTDIR, "the spool directory %s: %s",
				  dir, strerror(ENOTDIR));
	if (st.st_uid != geteuid()) {
		snprintf(why, sizeof(why), "it is owned by uid %u",
			 (unsigned) st.st_uid);
		return unsafe(dir, dir, why, err);
	}
	if (others_write(&st)) {
		snprintf(why, sizeof(why),
			 "it can be written by others (mode %04o)",
			 (unsigned) (st.st_mode & 07777));
		return unsafe(dir, dir, why, err);
	}
	real = realpath(dir, NULL);
	if (!real)
		return pp_err_set(err, errno, "cannot use the spool directory %s: %s",
				  dir, strerror(errno));
	rc = check_parents(dir, real, err);
	free(real);
	if (rc < 0)
		return rc;
	probe = xasprintf("%s/.probe", dir);
	rc = output_check_writable(probe, err);
	free(probe);
	return rc;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

int
spool_dir_list(const char *dir, char ***names, size_t *n, struct pp_err *err)
{
	size_t sl = strlen(SPOOL_SUFFIX), cap = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	*names = NULL;
	*n = 0;
	if (!d)
		return pp_err_set(err, errno, "cannot read the spool directory %s: %s",
				  dir, strerror(errno));
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len <= sl ||
		    strcmp(de->d_name + len - sl, SPOOL_SUFFIX) != 0)
			continue;
		*names = xgrow(*names, &cap, *n + 1, sizeof(**names));
		(*names)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof(**names), name_cmp);
	return 0;
}

int
spool_write(const char *path, const struct spool_meta *m, const void *body,
	    size_t len, struct pp_err *err)
{
	struct buf b;
	int rc;

	buf_init(&b);
	spool_format(m, body, len, &b);
	rc = output_write_file(path, b.data, b.len, 0600, err);
	buf_free(&b);
	return rc;
}

/* The whole of spool file @path, checked before it is read. */
static int
read_spool_file(const char *path, char **data, size_t *len,
		struct pp_err *err)
{
	struct stat st;
	size_t n = 0, cap;
	uid_t me = geteuid();
	char *p;
	int fd, e;

	*data = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
		  O_NOCTTY);
	if (fd < 0)
		return pp_err_set(err, errno, "cannot open %s: %s", path,
				  strerror(errno));
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		return pp_err_set(err, e, "cannot read %s: %s", path,
				  strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return pp_err_set(err, EINVAL, "%s: not a regular file", path);
	}
	if (st.st_uid != me) {
		close(fd);
		return pp_err_set(err, EPERM,
				  "%s: owned by uid %u, not by pidprof's uid %u",
				  path, (unsigned) st.st_uid, (unsigned) me);
	}
	if (st.st_size < 0 || (uint64_t) st.st_size > SPOOL_FILE_MAX) {
		close(fd);
		return pp_err_set(err, EFBIG,
				  "%s: %jd bytes, over the limit of a spool file (%u MiB)",
				  path, (intmax_t) st.st_size,
				  SPOOL_FILE_MAX >> 20);
	}
	/* One byte more than fstat said: a file that grows is refused. */
	cap = (size_t) st.st_size + 1;
	p = xmalloc(cap);
	for (;;) {
		ssize_t r = read(fd, p + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			close(fd);
			free(p);
			return pp_err_set(err, e, "cannot read %s: %s", path,
					  strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t) r;
		if (n == cap) {
			close(fd);
			free(p);
			return pp_err_set(err, EFBIG,
					  "%s: changed while it was read", path);
		}
	}
	close(fd);
	*data = p;
	*len = n;
	return 0;
}

int
spool_read(const char *path, struct spool_meta *m, struct buf *body,
	   struct pp_err *err)
{
	struct pp_err e;
	size_t len, off;
	char *data;

	memset(m, 0, sizeof(*m));
	if (read_spool_file(path, &data, &len, err) < 0)
		return -1;
	if (spool_parse((const uint8_t *) data, len, m, &off, &e) < 0) {
		free(data);
		return pp_err_set(err, e.errnum, "%s: %s", path, e.text);
	}
	buf_append(body, data + off, len - off);
	free(data);
	return 0;
}
