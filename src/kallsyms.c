/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kallsyms.h"
#include "xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 16 bytes: a kernel has some 100 000 functions. */
struct ksym {
	uint64_t addr;
	uint32_t name;		/* offset into names, growing line by line */
	uint32_t module;	/* likewise; 0: the kernel's own (""), and
				 * KSYM_LOCAL for a local symbol */
};

#define KSYM_LOCAL	(1u << 31)

struct kallsyms {
	struct ksym *v;
	size_t n;
	char *names;
	size_t names_len;
};

static uint32_t
add_name(char **names, size_t *len, size_t *cap, const char *s, size_t n)
{
	size_t off = *len;

	*names = xgrow(*names, cap, off + n + 1, 1);
	memcpy(*names + off, s, n);
	(*names)[off + n] = '\0';
	*len = off + n + 1;
	return (uint32_t) off;
}

/* Address order; at one address a global symbol first (perf's choice
 * too), then the first line. */
static int
ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	uint32_t xl = x->module & KSYM_LOCAL, yl = y->module & KSYM_LOCAL;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (xl != yl)
		return xl ? 1 : -1;
	return (x->name > y->name) - (x->name < y->name);
}

struct kallsyms *
kallsyms_parse(const char *text, size_t len, struct pp_err *err)
{
	struct kallsyms *k = xcalloc(1, sizeof(*k));
	const char *p = text, *end = text + len;
	size_t cap = 0, names_cap = 0, nonzero = 0, i, out;
	uint32_t last_mod = 0;
	const char *last_mod_s = NULL;
	size_t last_mod_n = 0;

	/* Offset 0 is the empty module name. */
	add_name(&k->names, &k->names_len, &names_cap, "", 0);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		const char *eol = nl ? nl : end, *q, *name, *mod;
		size_t name_n, mod_n = 0;
		uint64_t addr = 0;
		char type;
		int digits = 0;

		for (q = p; q < eol && digits < 17; q++, digits++) {
			int d;

			if (*q >= '0' && *q <= '9')
				d = *q - '0';
			else if (*q >= 'a' && *q <= 'f')
				d = *q - 'a' + 10;
			else if (*q >= 'A' && *q <= 'F')
				d = *q - 'A' + 10;
			else
				break;
			addr = addr << 4 | (uint64_t) d;
		}
		p = nl ? nl + 1 : end;
		/* Offsets stay below KSYM_LOCAL (no kernel comes near). */
		if (k->names_len >= KSYM_LOCAL / 2)
			break;
		/* "ADDR T NAME": one space each side of the type. */
		if (!digits || digits > 16 || eol - q < 4 || q[0] != ' ' ||
		    q[2] != ' ')
			continue;
		type = q[1];
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		name = q + 3;
		for (q = name; q < eol && *q != '\t' && *q != ' '; q++)
			;
		name_n = (size_t) (q - name);
		if (!name_n)
			continue;
		mod = memchr(q, '[', (size_t) (eol - q));
		if (mod) {
			const char *close = memchr(mod, ']',
						   (size_t) (eol - mod));

			mod++;
			mod_n = close ? (size_t) (close - mod) : 0;
		}
		k->v = xgrow(k->v, &cap, k->n + 1, sizeof(*k->v));
		k->v[k->n].addr = addr;
		k->v[k->n].name = add_name(&k->names, &k->names_len,
					   &names_cap, name, name_n);
		k->v[k->n].module = 0;
		if (mod_n) {
			/* A module's symbols come in a run: one copy. */
			if (!last_mod_s || last_mod_n != mod_n ||
			    memcmp(last_mod_s, mod, mod_n) != 0)
				last_mod = add_name(&k->names, &k->names_len,
						    &names_cap, mod, mod_n);
			last_mod_s = mod;
			last_mod_n = mod_n;
			k->v[k->n].module = last_mod;
		}
		if (type == 't' || type == 'w')
			k->v[k->n].module |= KSYM_LOCAL;
		nonzero += addr != 0;
		k->n++;
	}
	if (!k->n) {
		kallsyms_free(k);
		pp_err_set(err, ENOENT, "no kernel text symbol");
		return NULL;
	}
	if (!nonzero) {
		kallsyms_free(k);
		pp_err_set(err, EPERM,
			   "every kernel symbol's address reads as zero: hidden from this user (kernel.kptr_restrict; CAP_SYSLOG shows them)");
		return NULL;
	}
	qsort(k->v, k->n, sizeof(*k->v), ksym_cmp);
	/* One symbol per address. */
	for (i = 1, out = 1; i < k->n; i++)
		if (k->v[i].addr != k->v[out - 1].addr)
			k->v[out++] = k->v[i];
	k->n = out;
	/* Kept for the whole run: no slack. */
	k->v = xrealloc(k->v, k->n * sizeof(*k->v));
	k->names = xrealloc(k->names, k->names_len);
	return k;
}

struct kallsyms *
kallsyms_read(const char *path, struct pp_err *err)
{
	struct kallsyms *k;
	char *buf = NULL;
	size_t cap = 0, len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		pp_err_set(err, errno, "cannot open %s: %s", path,
			   strerror(errno));
		return NULL;
	}
	for (;;) {
		ssize_t r;

		buf = xgrow(buf, &cap, len + 65536, 1);
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			pp_err_set(err, e, "cannot read %s: %s", path,
				   strerror(e));
			close(fd);
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		len += (size_t) r;
	}
	close(fd);
	k = kallsyms_parse(buf, len, err);
	free(buf);
	return k;
}

void
kallsyms_free(struct kallsyms *k)
{
	if (!k)
		return;
	free(k->v);
	free(k->names);
	free(k);
}

const char *
kallsyms_lookup(const struct kallsyms *k, uint64_t addr, const char **module)
{
	size_t lo = 0, hi = k->n;
	const struct ksym *s;

	/* The last symbol at or below @addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	s = &k->v[lo - 1];
	if (addr - s->addr >= KALLSYMS_FUNC_MAX)
		return NULL;
	if (module)
		*module = k->names + (s->module & ~KSYM_LOCAL);
	return k->names + s->name;
}

size_t
kallsyms_count(const struct kallsyms *k)
{
	return k->n;
}
