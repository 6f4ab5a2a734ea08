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
	size_t i;

	for (i = 0; i < p->n && i < t->max; i++) {
		struct procsym *e = &t->v[i];

		if (e->syms && e->syms != e->own)
			continue;
		if (sampler_group_closed(g, i)) {
			if (res[i].syms)
				e->syms = res[i].syms;
			continue;
		}
		/* Opened once, while the process surely lives. */
		if (i < t->n)
			continue;
		if (procimg_open(&e->img, p->pids[i], &err) < 0)
			continue;
		e->own = symbols_open(&e->img, &err);
		if (!e->own)
			procimg_close(&e->img);
		e->syms = e->own;
	}
	if (p->n > t->n)
		t->n = p->n < t->max ? p->n : t->max;
}

void
procsyms_source(struct procsyms *t, struct frame_sources *set,
		struct frame_source *src)
{
	struct frame_source *v = xcalloc(t->n + 1, sizeof(*v));
	size_t i;

	for (i = 0; i < t->n; i++) {
		struct procsym *e = &t->v[i];

		empty_frame_source(&v[i]);
		if (!e->syms)
			continue;
		/* dlopen, thread stacks: new mappings of those sampled. */
		if (e->syms == e->own) {
			procimg_refresh(&e->img);
			symbols_refresh(e->own);
		}
		symbols_frame_source(e->syms, &v[i]);
	}
	set->v = v;
	set->n = t->n;
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
