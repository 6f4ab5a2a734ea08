/*
 * Profefe's collector, POST {url}/api/0/profiles?service=&type=&labels=:
 * the body is the pprof itself.  Labels are "k=v,k=v" with each key and
 * value escaped inside, and the whole escaped again as a query value,
 * since profefe unescapes the parameter and then every key and value.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "sink.h"
#include "xmalloc.h"

#include <string.h>

const char *
profefe_type(const char *ours)
{
	if (strcmp(ours, "cpu") == 0)
		return "cpu";
	if (strcmp(ours, "memory") == 0)
		return "heap";
	/* wall, threads: Go has no such types */
	return "other";
}

char *
profefe_path(const char *service, const char *type,
	     const struct push_tag *tags, size_t ntags)
{
	struct buf b, labels;
	size_t i;

	buf_init(&labels);
	for (i = 0; i < ntags; i++) {
		if (i)
			buf_putc(&labels, ',');
		url_query_escape(&labels, tags[i].key);
		buf_putc(&labels, '=');
		url_query_escape(&labels, tags[i].value);
	}
	buf_putc(&labels, '\0');
	buf_init(&b);
	buf_printf(&b, "/api/0/profiles?service=");
	url_query_escape(&b, service);
	buf_printf(&b, "&type=");
	url_query_escape(&b, type);
	buf_printf(&b, "&labels=");
	url_query_escape(&b, (const char *) labels.data);
	buf_putc(&b, '\0');
	buf_free(&labels);
	return (char *) b.data;
}
