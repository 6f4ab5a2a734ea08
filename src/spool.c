/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "spool.h"
#include "output.h"
#include "procfs.h"
#include "xmalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPOOL_MAGIC	"pidprof-spool 1\n"

void
spool_meta_free(struct spool_meta *m)
{
	free(m->sink);
	free(m->kind);
	free(m->path);
	free(m->content_type);
	free(m->what);
	memset(m, 0, sizeof(*m));
}

void
spool_format(const struct spool_meta *m, const void *body, size_t len,
	     struct buf *out)
{
	buf_printf(out, SPOOL_MAGIC "sink %s\nkind %s\ntime %" PRId64
		   "\nwhat %s\npath %s\n", m->sink, m->kind, m->time_ns,
		   m->what ? m->what : "", m->path);
	if (m->content_type)
		buf_printf(out, "content-type %s\n", m->content_type);
	buf_putc(out, '\n');
	buf_append(out, body, len);
}

static bool
field_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char) *s < ' ')
			return false;
	return true;
}

/* The string field of @m named by @name (@n bytes), or NULL. */
static char **
field_of(struct spool_meta *m, const char *name, size_t n)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
		{ "sink", offsetof(struct spool_meta, sink) },
		{ "kind", offsetof(struct spool_meta, kind) },
		{ "what", offsetof(struct spool_meta, what) },
		{ "path", offsetof(struct spool_meta, path) },
		{ "content-type", offsetof(struct spool_meta, content_type) },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fields); i++)
		if (strlen(fields[i].name) == n &&
		    memcmp(fields[i].name, name, n) == 0)
			return (char **) ((char *) m + fields[i].off);
	return NULL;
}

int
spool_parse(const uint8_t *data, size_t len, struct spool_meta *m,
	    size_t *body_off, struct pp_err *err)
{
	const char *p = (const char *) data, *end = p + len;
	size_t ml = strlen(SPOOL_MAGIC);

	memset(m, 0, sizeof(*m));
	if (len < ml || memcmp(p, SPOOL_MAGIC, ml) != 0)
		return pp_err_set(err, EINVAL, "not a pidprof spool file");
	p += ml;
	for (;;) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		const char *sp;
		char **dst = NULL, *val;

		if (!nl)
			goto bad;
		if (nl == p) {
			p++;
			break;
		}
		sp = memchr(p, ' ', (size_t) (nl - p));
		if (!sp)
			goto bad;
		val = xstrndup(sp + 1, (size_t) (nl - sp - 1));
		dst = field_of(m, p, (size_t) (sp - p));
		if (dst) {
			free(*dst);
			*dst = val;
		} else if ((size_t) (sp - p) == 4 &&
			   memcmp(p, "time", 4) == 0) {
			char *e;
			bool ok;

			m->time_ns = strtoll(val, &e, 10);
			ok = e != val && !*e;
			free(val);
			if (!ok)
				goto bad;
		} else {
			/* Fields of later versions are skipped. */
			free(val);
		}
		p = nl + 1;
	}
	if (!m->sink || !m->kind || !m->path || !field_ok(m->sink) ||
	    !field_ok(m->path) ||
	    (m->content_type && !field_ok(m->content_type)))
		goto bad;
	if (!m->what)
		m->what = xstrdup("");
	*body_off = (size_t) (p - (const char *) data);
	return 0;
bad:
	spool_meta_free(m);
	return pp_err_set(err, EINVAL, "malformed spool file header");
}

char *
spool_file_name(int64_t time_ns, unsigned seq, const char *sink)
{
	return xasprintf("%019" PRId64 "-%06u-%s" SPOOL_SUFFIX,
			 time_ns > 0 ? time_ns : 0, seq % 1000000, sink);
}

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

int
spool_dir_prepare(const char *dir, struct pp_err *err)
{
	struct stat st;
	char *probe;
	int rc;

	make_parents(dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return pp_err_set(err, errno, "cannot create the spool directory %s: %s",
				  dir, strerror(errno));
	if (stat(dir, &st) < 0)
		return pp_err_set(err, errno, "cannot use the spool directory %s: %s",
				  dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return pp_err_set(err, ENOTDIR, "the spool directory %s: %s",
				  dir, strerror(ENOTDIR));
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

int
spool_read(const char *path, struct spool_meta *m, struct buf *body,
	   struct pp_err *err)
{
	struct pp_err e;
	size_t len, off;
	char *data;

	if (procfs_read_file(path, &data, &len, err) < 0)
		return -1;
	if (spool_parse((const uint8_t *) data, len, m, &off, &e) < 0) {
		free(data);
		return pp_err_set(err, e.errnum, "%s: %s", path, e.text);
	}
	buf_append(body, data + off, len - off);
	free(data);
	return 0;
}
