/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "speedscope.h"
#include "json.h"
#include "symbols.h"
#include "xmalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPEEDSCOPE_SCHEMA "https://www.speedscope.app/file-format-schema.json"

/* The shared frames: each distinct (name, file, line) once. */
struct frames {
	struct strtab keys;	/* "name\x1f" "file\x1f" "line": id = index */
	struct buf json;	/* the frames' objects, comma-separated */
	uint32_t n;
};

static uint32_t
frame_index(struct frames *fr, const char *name, const char *file, int line)
{
	struct buf key;
	uint32_t id;

	buf_init(&key);
	buf_printf(&key, "%s\x1f%s\x1f%d", name, file ? file : "",
		   line);
	buf_putc(&key, '\0');
	id = strtab_intern(&fr->keys, (const char *) key.data);
	buf_free(&key);
	/* A new key takes the next id: it is the next frame. */
	if (id == fr->n) {
		if (fr->n)
			buf_putc(&fr->json, ',');
		buf_printf(&fr->json, "{\"name\":");
		json_buf_string(&fr->json, name);
		if (file) {
			buf_printf(&fr->json, ",\"file\":");
			json_buf_string(&fr->json, file);
		}
		if (line > 0)
			buf_printf(&fr->json, ",\"line\":%d", line);
		buf_putc(&fr->json, '}');
		fr->n++;
	}
	return id;
}

/* Appends the frames of stored pc @stored, root first, to @out. */
static void
pc_frames(struct frames *fr, const struct profile *p,
	  const struct frame_source *src, uint64_t stored, uint32_t **out,
	  size_t *n, size_t *cap)
{
	uint64_t pc = stored & ~PROFILE_PC_EXACT;
	const struct sym_frame *sf;
	char name[256];
	size_t m, j;

	if (pc == PROFILE_PC_TRUNCATED || profile_pseudo_name(p, pc, name,
							       sizeof(name))) {
		if (pc == PROFILE_PC_TRUNCATED)
			snprintf(name, sizeof(name), "[truncated]");
		*out = xgrow(*out, cap, *n + 1, sizeof(**out));
		(*out)[(*n)++] = frame_index(fr, name, NULL, 0);
		return;
	}
	m = src->frames(src->arg, pc, stored & PROFILE_PC_EXACT, &sf);
	if (m == 0) {
		snprintf(name, sizeof(name), "0x%" PRIx64,
			 profile_pc_addr(pc));
		*out = xgrow(*out, cap, *n + 1, sizeof(**out));
		(*out)[(*n)++] = frame_index(fr, name, NULL, 0);
		return;
	}
	*out = xgrow(*out, cap, *n + m, sizeof(**out));
	/* The inline chain is innermost first: root first is backwards. */
	for (j = m; j-- > 0;) {
		const char *fn = frame_display_name(&sf[j], name,
						    sizeof(name));

		(*out)[(*n)++] = frame_index(fr, fn, sf[j].file, sf[j].line);
	}
}

static int
cmp_thread(const void *a, const void *b, const struct profile *p)
{
	const struct profile_sample *x = &p->samples[*(const size_t *) a];
	const struct profile_sample *y = &p->samples[*(const size_t *) b];

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return strcmp(p->strings.v[x->name], p->strings.v[y->name]);
}

static const struct profile *sort_profile;

static int
cmp_sort(const void *a, const void *b)
{
	int c = cmp_thread(a, b, sort_profile);

	if (c)
		return c;
	return (*(const size_t *) a > *(const size_t *) b) -
	       (*(const size_t *) a < *(const size_t *) b);
}

static const char *
unit_name(const char *unit)
{
	if (strcmp(unit, "nanoseconds") == 0 || strcmp(unit, "bytes") == 0)
		return unit;
	return "none";
}

void
speedscope_write(const struct profile *p, const struct frame_source *src,
		 size_t vi, const char *name, struct buf *out)
{
	struct frames fr;
	struct buf profiles, samples, weights;
	uint32_t *ids = NULL;
	size_t *order, ids_cap = 0, i, k, nprofiles = 0;
	const char *unit = unit_name(p->types[vi].unit);

	memset(&fr, 0, sizeof(fr));
	strtab_init(&fr.keys);
	buf_init(&fr.json);
	buf_init(&profiles);
	buf_init(&samples);
	buf_init(&weights);
	order = xcalloc(p->nsamples + 1, sizeof(*order));
	for (i = 0; i < p->nsamples; i++)
		order[i] = i;
	sort_profile = p;
	qsort(order, p->nsamples, sizeof(*order), cmp_sort);

	for (i = 0; i < p->nsamples; i = k) {
		const struct profile_sample *first = &p->samples[order[i]];
		const char *tname = p->strings.v[first->name];
		int64_t total = 0;
		size_t nsamp = 0;

		samples.len = 0;
		weights.len = 0;
		for (k = i; k < p->nsamples &&
		     cmp_thread(&order[i], &order[k], p) == 0; k++) {
			const struct profile_sample *s = &p->samples[order[k]];
			const struct profile_stack *st =
				&p->stacks[s->stack - 1];
			size_t n = 0, j;

			if (s->values[vi] <= 0)
				continue;
			for (j = st->n; j-- > 0;)
				pc_frames(&fr, p, src, p->pcs[st->off + j],
					  &ids, &n, &ids_cap);
			buf_printf(&samples, "%s[", nsamp ? "," : "");
			for (j = 0; j < n; j++)
				buf_printf(&samples, "%s%" PRIu32,
					   j ? "," : "", ids[j]);
			buf_putc(&samples, ']');
			buf_printf(&weights, "%s%" PRId64, nsamp ? "," : "",
				   s->values[vi]);
			total += s->values[vi];
			nsamp++;
		}
		if (!nsamp)
			continue;
		buf_printf(&profiles, "%s{\"type\":\"sampled\",\"name\":",
			   nprofiles ? "," : "");
		{
			char pname[160];

			if (first->tid && tname[0])
				snprintf(pname, sizeof(pname),
					 "thread %s (%d)", tname,
					 (int) first->tid);
			else if (first->tid)
				snprintf(pname, sizeof(pname), "thread %d",
					 (int) first->tid);
			else
				snprintf(pname, sizeof(pname), "%s",
					 tname[0] ? tname : name);
			json_buf_string(&profiles, pname);
		}
		buf_printf(&profiles, ",\"unit\":\"%s\",\"startValue\":0,"
			   "\"endValue\":%" PRId64 ",\"samples\":[", unit,
			   total);
		buf_append(&profiles, samples.data, samples.len);
		buf_printf(&profiles, "],\"weights\":[");
		buf_append(&profiles, weights.data, weights.len);
		buf_printf(&profiles, "]}");
		nprofiles++;
	}

	buf_printf(out, "{\"$schema\":\"%s\",\"name\":", SPEEDSCOPE_SCHEMA);
	json_buf_string(out, name);
	buf_printf(out, ",\"exporter\":\"pidprof %s\",\"activeProfileIndex\":0,"
		   "\"shared\":{\"frames\":[", PACKAGE_VERSION);
	buf_append(out, fr.json.data, fr.json.len);
	buf_printf(out, "]},\"profiles\":[");
	buf_append(out, profiles.data, profiles.len);
	buf_printf(out, "]}\n");

	free(order);
	free(ids);
	strtab_free(&fr.keys);
	buf_free(&fr.json);
	buf_free(&profiles);
	buf_free(&samples);
	buf_free(&weights);
}
