/*
 * Pyroscope's legacy ingest endpoint, POST {url}/ingest: the name that
 * carries the application and its tags, the query, and the multipart
 * body (one "profile" part with a filename, and no format parameter: a
 * multipart body with format=pprof is read as a raw profile and fails).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "sink.h"
#include "xmalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
app_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '/' ||
	       c == '-';
}

static bool
key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.';
}

/* A character for a message: itself when printable, else its code. */
static const char *
shown(char c, char *buf, size_t len)
{
	if ((unsigned char) c >= ' ' && (unsigned char) c < 0x7f)
		snprintf(buf, len, "'%c'", c);
	else
		snprintf(buf, len, "0x%02x", (unsigned char) c);
	return buf;
}

int
pyroscope_check_app(const char *app, struct pp_err *err)
{
	const char *p;
	char b[8];

	if (!*app)
		return pp_err_set(err, EINVAL,
				  "the application name is empty");
	for (p = app; *p; p++)
		if (!app_char(*p))
			return pp_err_set(err, EINVAL,
					  "application name '%s': character %s is not allowed by Pyroscope (only letters, digits and _ . / -)",
					  app, shown(*p, b, sizeof(b)));
	return 0;
}

int
pyroscope_check_tag(const char *key, const char *value, struct pp_err *err)
{
	const char *p;
	char b[8];

	if (!*key)
		return pp_err_set(err, EINVAL, "a tag needs a key");
	for (p = key; *p; p++)
		if (!key_char(*p))
			return pp_err_set(err, EINVAL,
					  "tag key '%s': character %s is not allowed by Pyroscope (only letters, digits, _ and .)",
					  key, shown(*p, b, sizeof(b)));
	if (key[0] == '_' && key[1] == '_')
		return pp_err_set(err, EINVAL,
				  "tag key '%s': names starting with __ are reserved",
				  key);
	if (!*value)
		return pp_err_set(err, EINVAL,
				  "tag '%s': the value is empty (Pyroscope drops the tag)",
				  key);
	if (value[0] == ' ' || value[0] == '\t' ||
	    value[strlen(value) - 1] == ' ' || value[strlen(value) - 1] == '\t')
		return pp_err_set(err, EINVAL,
				  "tag '%s': blanks around the value would be lost",
				  key);
	for (p = value; *p; p++)
		if (*p == ',' || *p == '}' || (unsigned char) *p < ' ' ||
		    *p == 0x7f)
			return pp_err_set(err, EINVAL,
					  "tag '%s': character %s cannot be in a Pyroscope tag value (there is no escaping)",
					  key, shown(*p, b, sizeof(b)));
	return 0;
}

static int
tag_cmp(const void *a, const void *b)
{
	const struct push_tag *x = a, *y = b;

	return strcmp(x->key, y->key);
}

char *
pyroscope_name(const char *app, const struct push_tag *tags, size_t ntags)
{
	struct push_tag sorted[PUSH_MAX_TAGS];
	struct buf b;
	size_t i;

	if (ntags > PUSH_MAX_TAGS)
		ntags = PUSH_MAX_TAGS;
	if (ntags) {
		memcpy(sorted, tags, ntags * sizeof(*tags));
		qsort(sorted, ntags, sizeof(*sorted), tag_cmp);
	}
	buf_init(&b);
	buf_printf(&b, "%s", app);
	if (ntags) {
		buf_putc(&b, '{');
		for (i = 0; i < ntags; i++)
			buf_printf(&b, "%s%s=%s", i ? "," : "", sorted[i].key,
				   sorted[i].value);
		buf_putc(&b, '}');
	}
	buf_putc(&b, '\0');
	return (char *) b.data;
}

char *
pyroscope_path(const char *name, int64_t from_ns, int64_t until_ns,
	       int rate_hz)
{
	/* Nanoseconds (19 digits, read as such by the server): the
	 * window exactly, so that consecutive windows never overlap. */
	int64_t from = from_ns;
	int64_t until = until_ns > from_ns ? until_ns : from_ns + 1;
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "/ingest?name=");
	url_query_escape(&b, name);
	buf_printf(&b, "&from=%" PRId64 "&until=%" PRId64
		   "&spyName=pidprof&sampleRate=%d", from, until, rate_hz);
	buf_putc(&b, '\0');
	return (char *) b.data;
}

static uint64_t
next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

char *
pyroscope_multipart(const uint8_t *pprof, size_t len, uint64_t seed,
		    struct buf *body)
{
	static const char hex[] = "0123456789abcdef";
	char boundary[41];
	uint64_t x = seed | 1;
	size_t i;

	/* A boundary must not occur in the data; 32 random hex digits
	 * almost never do, but check. */
	do {
		memcpy(boundary, "pidprof", 7);
		for (i = 7; i < 40; i++)
			boundary[i] = hex[next_rand(&x) & 15];
		boundary[40] = '\0';
	} while (len >= 40 && memmem(pprof, len, boundary, 40));
	buf_printf(body, "--%s\r\n"
		   "Content-Disposition: form-data; name=\"profile\"; filename=\"profile.pprof\"\r\n"
		   "Content-Type: application/octet-stream\r\n"
		   "\r\n", boundary);
	buf_append(body, pprof, len);
	buf_printf(body, "\r\n--%s--\r\n", boundary);
	return xasprintf("multipart/form-data; boundary=%s", boundary);
}
