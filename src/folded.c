/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "folded.h"
#include "xmalloc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct text_key {
	const struct folded *f;
	const struct folded_frame *frames;
	size_t n;
};

static bool
frames_eq(const void *ctx, uint32_t id, const void *key)
{
	const struct folded *f = ctx;
	const struct folded_stack *s = &f->stacks[id - 1];
	const struct text_key *k = key;
	size_t i;

	if (s->n != k->n)
		return false;
	for (i = 0; i < s->n; i++)
		if (f->frames[s->off + i].name != k->frames[i].name)
			return false;
	return true;
}

/* Collapsed stacks name frames only: ';' and newlines would break a
 * line, so they are replaced. */
static const char *
clean_name(const char *s, char *buf, size_t len)
{
	size_t i;

	if (!strpbrk(s, ";\n"))
		return s;
	for (i = 0; s[i] && i + 1 < len; i++)
		buf[i] = (s[i] == ';' || s[i] == '\n') ? ':' : s[i];
	buf[i] = '\0';
	return buf;
}

static const struct folded *sort_ctx;

static int
cmp_stacks(const void *a, const void *b)
{
	const struct folded_stack *x = a, *y = b;
	const struct folded *f = sort_ctx;
	size_t i;

	for (i = 0; i < x->n && i < y->n; i++) {
		int c = strcmp(f->strings.v[f->frames[x->off + i].name],
			       f->strings.v[f->frames[y->off + i].name]);

		if (c)
			return c;
	}
	return (x->n > y->n) - (x->n < y->n);
}

void
folded_build(struct folded *f, const struct profile *p,
	     const struct frame_source *src, size_t vi)
{
	struct idtab index;
	struct folded_frame *tmp = NULL;
	size_t tmp_cap = 0, i;

	memset(f, 0, sizeof(*f));
	memset(&index, 0, sizeof(index));
	strtab_init(&f->strings);
	for (i = 0; i < p->nsamples; i++) {
		const struct profile_sample *s = &p->samples[i];
		const struct profile_stack *st = &p->stacks[s->stack - 1];
		struct text_key key;
		size_t n = 0, k;
		uint64_t h;
		uint32_t id;

		if (!s->values[vi])
			continue;
		/* Root first: walk the leaf-first pcs backwards, and each
		 * pc's inline chain (innermost first) backwards too. */
		for (k = st->n; k-- > 0;) {
			uint64_t stored = p->pcs[st->off + k];
			uint64_t pc = stored & ~PROFILE_PC_EXACT;
			const struct sym_frame *sf;
			char wname[160];
			size_t m, j;

			if (pc == PROFILE_PC_TRUNCATED) {
				tmp = xgrow(tmp, &tmp_cap, n + 1, sizeof(*tmp));
				tmp[n].name = strtab_intern(&f->strings,
							    "[truncated]");
				tmp[n].module = strtab_intern(&f->strings, "");
				n++;
				continue;
			}
			if (profile_pseudo_name(p, pc, wname, sizeof(wname))) {
				tmp = xgrow(tmp, &tmp_cap, n + 1, sizeof(*tmp));
				tmp[n].name = strtab_intern(&f->strings, wname);
				tmp[n].module = strtab_intern(&f->strings, "");
				n++;
				continue;
			}
			m = src->frames(src->arg, pc, stored & PROFILE_PC_EXACT,
					&sf);
			tmp = xgrow(tmp, &tmp_cap, n + m, sizeof(*tmp));
			for (j = m; j-- > 0;) {
				char b1[256], b2[512];
				const char *name;

				name = frame_display_name(&sf[j], b1,
							  sizeof(b1));

				tmp[n].name = strtab_intern(&f->strings,
					clean_name(name, b2, sizeof(b2)));
				tmp[n].module = strtab_intern(&f->strings,
					sf[j].module ?
					module_basename(sf[j].module) : "");
				n++;
			}
		}
		if (n == 0) {
			tmp = xgrow(tmp, &tmp_cap, 1, sizeof(*tmp));
			tmp[0].name = strtab_intern(&f->strings, "[unknown]");
			tmp[0].module = strtab_intern(&f->strings, "");
			n = 1;
		}
		key.f = f;
		key.frames = tmp;
		key.n = n;
		h = 0;
		for (k = 0; k < n; k++)
			h = hash_u64(h ^ tmp[k].name);
		id = idtab_find(&index, h, frames_eq, f, &key);
		if (!id) {
			f->frames = xgrow(f->frames, &f->frames_cap,
					  f->nframes + n, sizeof(*f->frames));
			memcpy(f->frames + f->nframes, tmp, n * sizeof(*tmp));
			f->stacks = xgrow(f->stacks, &f->stacks_cap,
					  f->nstacks + 1, sizeof(*f->stacks));
			f->stacks[f->nstacks].off = f->nframes;
			f->stacks[f->nstacks].n = n;
			f->stacks[f->nstacks].value = 0;
			f->nframes += n;
			id = ++f->nstacks;
			idtab_insert(&index, h, id);
		}
		f->stacks[id - 1].value += s->values[vi];
		f->total += s->values[vi];
	}
	free(tmp);
	idtab_free(&index);
	sort_ctx = f;
	if (f->nstacks > 1)
		qsort(f->stacks, f->nstacks, sizeof(*f->stacks), cmp_stacks);
	sort_ctx = NULL;
}

void
folded_free(struct folded *f)
{
	strtab_free(&f->strings);
	free(f->frames);
	free(f->stacks);
	memset(f, 0, sizeof(*f));
}

void
folded_write(const struct folded *f, struct buf *out)
{
	size_t i, k;

	for (i = 0; i < f->nstacks; i++) {
		const struct folded_stack *s = &f->stacks[i];

		for (k = 0; k < s->n; k++) {
			const char *name =
				f->strings.v[f->frames[s->off + k].name];

			if (k)
				buf_putc(out, ';');
			buf_append(out, name, strlen(name));
		}
		buf_printf(out, " %" PRId64 "\n", s->value);
	}
}
