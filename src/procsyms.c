/*
 * The symbols of the processes of a sampler group, for another thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "procsyms.h"
#include "symbols.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

void
procsyms_init(struct procsyms *t, size_t max)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
	t->v = xcalloc(max + 1, sizeof(*t->v));
}

void
procsyms_update(struct procsyms *t, const struct sampler_group *g,
		const struct sampler_procs *p,
		const struct sampler_result *res)
{
	struct pp_err err;
	size_t i, n = p->n < t->max ? p->n : t->max;

	for (i = 0; i < n; i++) {
		struct procsym *e = &t->v[i];

		if (e->syms && e->syms != e->own)
			continue;
		if (sampler_group_closed(g, i)) {
			/* The reader may be using its own: both stay. */
			if (res[i].syms)
				__atomic_store_n(&e->syms, res[i].syms,
						 __ATOMIC_RELEASE);
			continue;
		}
		/* Opened once, while the process surely lives; the reader
		 * sees the entry only once n is published below. */
		if (i < t->n)
			continue;
		if (procimg_open(&e->img, p->pids[i], &err) < 0)
			continue;
		e->own = symbols_open(&e->img, &err);
		if (!e->own)
			procimg_close(&e->img);
		e->syms = e->own;
	}
	if (n > t->n)
		__atomic_store_n(&t->n, n, __ATOMIC_RELEASE);
}

void
procsyms_source(struct procsyms *t, struct frame_sources *set,
		struct frame_source *src)
{
	size_t n = __atomic_load_n(&t->n, __ATOMIC_ACQUIRE), i;
	struct frame_source *v = xcalloc(n + 1, sizeof(*v));

	for (i = 0; i < n; i++) {
		struct procsym *e = &t->v[i];
		struct symbols *syms = __atomic_load_n(&e->syms,
						       __ATOMIC_ACQUIRE);

		empty_frame_source(&v[i]);
		if (!syms)
			continue;
		/* dlopen, thread stacks: new mappings of those sampled. */
		if (syms == e->own) {
			procimg_refresh(&e->img);
			symbols_refresh(e->own);
		}
		symbols_frame_source(syms, &v[i]);
	}
	set->v = v;
	set->n = n;
	multi_frame_source(set, src);
}

void
procsyms_free(struct procsyms *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (!t->v[i].own)
			continue;
		symbols_close(t->v[i].own);
		procimg_close(&t->v[i].img);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}
