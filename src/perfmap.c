/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "perfmap.h"
#include "xmalloc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct perfmap_sym {
	uint64_t start, end;
	char *name;
	size_t seq;		/* later lines win over earlier ones */
};

struct perfmap {
	char path[128];
	off_t used;		/* bytes of the file parsed */
	ino_t ino;
	struct perfmap_sym *v;
	size_t n, cap;
	bool sorted;
};

/* The PID of @pid in its own namespace: the last field of NStgid. */
static pid_t
ns_pid(pid_t pid)
{
	char path[64], line[256];
	pid_t r = pid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
	f = fopen(path, "re");
	if (!f)
		return pid;
	while (fgets(line, sizeof(line), f)) {
		char *p, *end;

		if (strncmp(line, "NStgid:", 7) != 0)
			continue;
		for (p = line + 7;; p = end) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			r = (pid_t) v;
		}
		break;
	}
	fclose(f);
	return r;
}

struct perfmap *
perfmap_open(pid_t pid)
{
	struct perfmap *pm = xcalloc(1, sizeof(*pm));

	snprintf(pm->path, sizeof(pm->path), "/proc/%d/root/tmp/perf-%d.map",
		 (int) pid, (int) ns_pid(pid));
	return pm;
}

static void
clear(struct perfmap *pm)
{
	size_t i;

	for (i = 0; i < pm->n; i++)
		free(pm->v[i].name);
	pm->n = 0;
	pm->used = 0;
}

void
perfmap_close(struct perfmap *pm)
{
	if (!pm)
		return;
	clear(pm);
	free(pm->v);
	free(pm);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A hex number without 0x (one is tolerated) at *p; false if none. */
static bool
parse_hex(const char **p, const char *end, uint64_t *out)
{
	const char *q = *p;
	uint64_t v = 0;
	int d, n = 0;

	if (end - q > 2 && q[0] == '0' && (q[1] | 0x20) == 'x')
		q += 2;
	while (q < end && (d = hexval(*q)) >= 0 && n < 16) {
		v = v << 4 | (uint64_t) d;
		q++;
		n++;
	}
	if (n == 0 || (q < end && *q != ' '))
		return false;
	*p = q;
	*out = v;
	return true;
}

size_t
perfmap_parse(struct perfmap *pm, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	for (;;) {
		const char *nl = memchr(p, '\n', end - p), *q = p;
		uint64_t start, size;

		if (!nl)
			break;
		if (parse_hex(&q, nl, &start) && q < nl && *q++ == ' ' &&
		    parse_hex(&q, nl, &size) && q < nl && *q++ == ' ' &&
		    q < nl && size > 0 && start + size > start) {
			struct perfmap_sym *s;

			pm->v = xgrow(pm->v, &pm->cap, pm->n + 1,
				      sizeof(*pm->v));
			s = &pm->v[pm->n];
			s->start = start;
			s->end = start + size;
			s->name = xstrndup(q, nl - q);
			s->seq = pm->n++;
			pm->sorted = false;
		}
		p = nl + 1;
	}
	return p - text;
}

/* Reads what was appended since the last read; from the start when the
 * file was replaced or shrank (a new run truncates it). */
static bool
refresh(struct perfmap *pm)
{
	struct stat st;
	char *buf;
	ssize_t r;
	size_t got = 0, want;
	int fd;

	fd = open(pm->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return false;
	}
	if (st.st_ino != pm->ino || st.st_size < pm->used) {
		clear(pm);
		pm->ino = st.st_ino;
	}
	if (st.st_size == pm->used) {
		close(fd);
		return false;
	}
	want = st.st_size - pm->used;
	buf = xmalloc(want);
	while (got < want) {
		r = pread(fd, buf + got, want - got, pm->used + got);
		if (r <= 0)
			break;
		got += r;
	}
	close(fd);
	pm->used += perfmap_parse(pm, buf, got);
	free(buf);
	return true;
}

static int
cmp_sym(const void *a, const void *b)
{
	const struct perfmap_sym *x = a, *y = b;

	if (x->start != y->start)
		return (x->start > y->start) - (x->start < y->start);
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static const char *
find(struct perfmap *pm, uint64_t addr)
{
	size_t lo = 0, hi = pm->n, i;

	if (!pm->n)
		return NULL;
	if (!pm->sorted) {
		qsort(pm->v, pm->n, sizeof(*pm->v), cmp_sym);
		pm->sorted = true;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pm->v[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* The newest line covering @addr: code may be replaced in place;
	 * look back over a few overlapping ones. */
	for (i = lo; i > 0 && lo - i < 16; i--)
		if (addr < pm->v[i - 1].end)
			return pm->v[i - 1].name;
	return NULL;
}

const char *
perfmap_lookup(struct perfmap *pm, uint64_t addr)
{
	const char *name;

	if (!pm)
		return NULL;
	name = find(pm, addr);
	if (!name && refresh(pm))
		name = find(pm, addr);
	return name;
}
