/*
 * The spool file format: what a spool file holds and how its header is
 * read.  Pure: no file is opened here (spool.c reads and writes them).
 *
 * A spool file is written by pidprof but read back from a directory that
 * someone else might have written to, so its header is read as
 * untrusted: only what the request is rebuilt from is taken (which sink,
 * the profile type, the window, the rate), each field checked; the URL,
 * the path and the query come from the sink's own settings.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "spool.h"
#include "xmalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define SPOOL_MAGIC	"pidprof-spool 2\n"
#define SPOOL_MAGIC_OLD	"pidprof-spool 1\n"
#define MULTIPART	"multipart/form-data; boundary="

void
spool_meta_free(struct spool_meta *m)
{
	free(m->sink);
	free(m->kind);
	free(m->type);
	free(m->path);
	free(m->content_type);
	free(m->what);
	memset(m, 0, sizeof(*m));
}

void
spool_format(const struct spool_meta *m, const void *body, size_t len,
	     struct buf *out)
{
	buf_printf(out, SPOOL_MAGIC "sink %s\nkind %s\ntype %s\ntime %" PRId64
		   "\nuntil %" PRId64 "\nrate %d\n", m->sink, m->kind,
		   m->type, m->time_ns, m->until_ns, m->rate_hz);
	if (m->content_type)
		buf_printf(out, "content-type %s\n", m->content_type);
	buf_putc(out, '\n');
	buf_append(out, body, len);
}

static bool
name_ok(const char *s)
{
	const char *p;

	if (!*s || strlen(s) > SPOOL_NAME_MAX)
		return false;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_.-", *p)))
			return false;
	return true;
}

static bool
one_of(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* The Content-Type a sink of @kind sends: Pyroscope's multipart with a
 * boundary of letters and digits, Profefe's octet stream. */
static bool
content_type_ok(const char *kind, const char *ct)
{
	size_t ml = strlen(MULTIPART), n;

	if (strcmp(kind, "profefe") == 0)
		return ct && strcmp(ct, "application/octet-stream") == 0;
	if (!ct || strncmp(ct, MULTIPART, ml) != 0)
		return false;
	ct += ml;
	n = strspn(ct, "abcdefghijklmnopqrstuvwxyz"
		   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
	return n > 0 && n <= 70 && !ct[n];
}

/* A decimal int64 of the whole of @s. */
static bool
int64_of(const char *s, int64_t *out)
{
	char *e;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 19)
		return false;
	errno = 0;
	*out = strtoll(s, &e, 10);
	return errno == 0 && !*e;
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
		{ "type", offsetof(struct spool_meta, type) },
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
	static const char *const kinds[] = { "pyroscope", "profefe" };
	static const char *const types[] = {
		"cpu", "wall", "memory", "threads",
	};
	const char *p = (const char *) data, *end = p + len;
	size_t ml = strlen(SPOOL_MAGIC), lines = 0;
	const char *why = "malformed spool file header";
	int64_t t = -1, until = -1, rate = -1;

	memset(m, 0, sizeof(*m));
	if (len >= ml && memcmp(p, SPOOL_MAGIC_OLD, ml) == 0)
		return pp_err_set(err, EINVAL,
				  "a spool file of an older pidprof (format 1), which cannot be sent again");
	if (len < ml || memcmp(p, SPOOL_MAGIC, ml) != 0)
		return pp_err_set(err, EINVAL, "not a pidprof spool file");
	p += ml;
	for (;;) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		const char *sp, *q;
		char **dst, *val;
		int64_t *num = NULL;
		size_t kl;

		if (!nl || ++lines > SPOOL_MAX_FIELDS)
			goto bad;
		if (nl == p) {
			p++;
			break;
		}
		if ((size_t) (nl - p) > SPOOL_MAX_LINE)
			goto bad;
		for (q = p; q < nl; q++)
			if ((unsigned char) *q < ' ' || *q == 0x7f)
				goto bad;
		sp = memchr(p, ' ', (size_t) (nl - p));
		if (!sp)
			goto bad;
		kl = (size_t) (sp - p);
		val = xstrndup(sp + 1, (size_t) (nl - sp - 1));
		dst = field_of(m, p, kl);
		if (kl == 4 && memcmp(p, "time", 4) == 0)
			num = &t;
		else if (kl == 5 && memcmp(p, "until", 5) == 0)
			num = &until;
		else if (kl == 4 && memcmp(p, "rate", 4) == 0)
			num = &rate;
		if (dst) {
			if (*dst) {
				free(val);
				why = "a field is given twice";
				goto bad;
			}
			*dst = val;
		} else if (num) {
			bool ok = *num == -1 && int64_of(val, num);

			free(val);
			if (!ok)
				goto bad;
		} else {
			/* Fields of other versions (path, what) are not
			 * read: a request is rebuilt from the sink's own
			 * settings. */
			free(val);
		}
		p = nl + 1;
	}
	if (!m->sink || !name_ok(m->sink)) {
		why = "no valid sink name";
		goto bad;
	}
	if (!m->kind || !one_of(m->kind, kinds, ARRAY_SIZE(kinds))) {
		why = "no valid sink kind";
		goto bad;
	}
	if (!m->type || !one_of(m->type, types, ARRAY_SIZE(types))) {
		why = "no valid profile type";
		goto bad;
	}
	if (!content_type_ok(m->kind, m->content_type)) {
		why = "no valid content type";
		goto bad;
	}
	if (t < 0 || until < t || rate < 1 || rate > 250) {
		why = "no valid time, until or rate";
		goto bad;
	}
	m->time_ns = t;
	m->until_ns = until;
	m->rate_hz = (int) rate;
	*body_off = (size_t) (p - (const char *) data);
	return 0;
bad:
	spool_meta_free(m);
	return pp_err_set(err, EINVAL, "%s", why);
}

char *
spool_file_name(int64_t time_ns, unsigned seq, const char *sink)
{
	return xasprintf("%019" PRId64 "-%06u-%s" SPOOL_SUFFIX,
			 time_ns > 0 ? time_ns : 0, seq % 1000000, sink);
}
