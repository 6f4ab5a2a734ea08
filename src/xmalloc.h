/*
 * Allocation that cannot fail: out of memory ends the program with a
 * message.  Pure parsers use it too; a profiler out of memory has no
 * better option.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_XMALLOC_H
# define PIDPROF_XMALLOC_H

# include "common.h"

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
/* realloc of an array to at least @want elements, growing geometrically. */
void *xgrow(void *p, size_t *cap, size_t want, size_t elem);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) ATTR_FORMAT(1, 2);

#endif /* !PIDPROF_XMALLOC_H */
