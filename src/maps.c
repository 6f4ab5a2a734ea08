/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "maps.h"
#include "xmalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char deleted_suffix[] = " (deleted)";

static int
parse_line(const char *line, size_t len, struct map_entry *e)
{
	char perms[5];
	unsigned long long start, end, pgoff, inode;
	unsigned int maj, min;
	int path_off = -1;
	char buf[4096 + 256];
	const char *path;
	size_t plen;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, line, len);
	buf[len] = '\0';
	if (sscanf(buf, "%llx-%llx %4s %llx %x:%x %llu %n",
		   &start, &end, perms, &pgoff, &maj, &min, &inode,
		   &path_off) < 7)
		return -1;
	if (end < start || strlen(perms) != 4)
		return -1;
	memset(e, 0, sizeof(*e));
	e->start = start;
	e->end = end;
	e->pgoff = pgoff;
	e->dev_major = maj;
	e->dev_minor = min;
	e->inode = inode;
	e->perms = (perms[0] == 'r' ? MAP_PERM_R : 0) |
		   (perms[1] == 'w' ? MAP_PERM_W : 0) |
		   (perms[2] == 'x' ? MAP_PERM_X : 0) |
		   (perms[3] == 's' ? MAP_PERM_SHARED : 0);
	/* %n is not set when nothing follows the inode without a blank. */
	path = path_off >= 0 ? buf + path_off : "";
	plen = strlen(path);
	if (plen >= sizeof(deleted_suffix) - 1 &&
	    strcmp(path + plen - (sizeof(deleted_suffix) - 1),
		   deleted_suffix) == 0) {
		e->deleted = true;
		plen -= sizeof(deleted_suffix) - 1;
	}
	e->path = xstrndup(path, plen);
	return 0;
}

int
maps_parse(const char *text, size_t len, struct maps *out, struct pp_err *err)
{
	size_t cap = 0, lineno = 0;
	const char *p = text, *end = text + len;

	out->v = NULL;
	out->n = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t l = nl ? (size_t) (nl - p) : (size_t) (end - p);

		lineno++;
		if (l > 0) {
			out->v = xgrow(out->v, &cap, out->n + 1,
				       sizeof(*out->v));
			if (parse_line(p, l, &out->v[out->n]) < 0) {
				maps_free(out);
				return pp_err_set(err, EINVAL,
						  "malformed maps line %zu",
						  lineno);
			}
			if (out->n &&
			    out->v[out->n].start < out->v[out->n - 1].end) {
				free(out->v[out->n].path);
				maps_free(out);
				return pp_err_set(err, EINVAL,
						  "maps line %zu is out of order",
						  lineno);
			}
			out->n++;
		}
		p += l + 1;
	}
	return 0;
}

void
maps_free(struct maps *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->v[i].path);
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

const struct map_entry *
maps_find(const struct maps *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct map_entry *e = &m->v[mid];

		if (addr < e->start)
			hi = mid;
		else if (addr >= e->end)
			lo = mid + 1;
		else
			return e;
	}
	return NULL;
}

bool
map_is_file(const struct map_entry *e)
{
	return e->path[0] == '/' && e->inode != 0;
}
