/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "diff.h"
#include "flamegraph.h"
#include "folded.h"
#include "json.h"
#include "msg.h"
#include "pprof-read.h"
#include "procfs.h"
#include "report.h"
#include "strtab.h"
#include "xmalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct moved {
	const char *name;
	double base_flat, base_cum, new_flat, new_cum;	/* % of totals */
};

static double
change(const struct moved *m)
{
	double f = fabs(m->new_flat - m->base_flat);
	double c = fabs(m->new_cum - m->base_cum);

	return f > c ? f : c;
}

/* The larger growth of a function's flat and cumulative shares. */
static double
growth(const struct moved *m)
{
	double f = m->new_flat - m->base_flat;
	double c = m->new_cum - m->base_cum;

	return f > c ? f : c;
}

static int
cmp_moved(const void *a, const void *b)
{
	double x = change(a), y = change(b);

	if (x != y)
		return x < y ? 1 : -1;
	return strcmp(((const struct moved *) a)->name,
		      ((const struct moved *) b)->name);
}

static int
load(const char *path, struct pprof_file *f)
{
	struct pp_err err;
	char *data;
	size_t len;
	int rc;

	if (procfs_read_file(path, &data, &len, &err) < 0) {
		error_msg_err(&err);
		return -1;
	}
	rc = pprof_read((const uint8_t *) data, len, f, &err);
	free(data);
	if (rc < 0)
		error_msg("%s: %s", path, err.text);
	return rc;
}

/* Adds the shares of @f's functions to @m (side 0: base, 1: new). */
static void
add_shares(const struct pprof_file *f, int vi, int side, struct strtab *names,
	   struct moved **m, size_t *n, size_t *cap)
{
	struct func_total *t;
	int64_t total;
	size_t k, i = pprof_function_totals(f, vi, &t, &total);

	for (k = 0; k < i; k++) {
		uint32_t id = strtab_intern(names, t[k].name);
		struct moved *e;

		if (id == *n) {
			*m = xgrow(*m, cap, *n + 1, sizeof(**m));
			memset(&(*m)[*n], 0, sizeof(**m));
			(*m)[(*n)++].name = names->v[id];
		}
		e = &(*m)[id];
		if (side == 0) {
			e->base_flat = total ? 100.0 * t[k].flat / total : 0;
			e->base_cum = total ? 100.0 * t[k].cum / total : 0;
		} else {
			e->new_flat = total ? 100.0 * t[k].flat / total : 0;
			e->new_cum = total ? 100.0 * t[k].cum / total : 0;
		}
	}
	free(t);
}

static void
print_text(const struct diff_opts *o, const char *type, struct moved *m,
	   size_t n, bool regressed)
{
	size_t i;

	printf("%s shares, %s -> %s (threshold %.1f points)\n", type, o->base,
	       o->new, o->threshold);
	printf("%8s %8s %7s %8s %8s %7s  %s\n", "flat%", "->", "delta",
	       "cum%", "->", "delta", "function");
	for (i = 0; i < n && (long) i < o->top; i++)
		printf("%7.2f%% %7.2f%% %+6.2f %7.2f%% %7.2f%% %+6.2f  %s%s\n",
		       m[i].base_flat, m[i].new_flat,
		       m[i].new_flat - m[i].base_flat, m[i].base_cum,
		       m[i].new_cum, m[i].new_cum - m[i].base_cum, m[i].name,
		       growth(&m[i]) > o->threshold ? "  REGRESSED" : "");
	printf("%s\n", regressed ?
	       "regression: a function's share grew past the threshold" :
	       "no function's share grew past the threshold");
}

static void
print_markdown(const struct diff_opts *o, const char *type, struct moved *m,
	       size_t n, bool regressed)
{
	size_t i;

	printf("### pidprof diff: %s\n\n", regressed ?
	       "regression" : "no regression");
	printf("%s shares, `%s` → `%s`, threshold %.1f points.\n\n", type,
	       o->base, o->new, o->threshold);
	printf("| function | flat %% | Δ flat | cum %% | Δ cum | |\n");
	printf("|---|---:|---:|---:|---:|---|\n");
	for (i = 0; i < n && (long) i < o->top; i++) {
		const char *p;

		printf("| `");
		for (p = m[i].name; *p; p++)
			if (*p == '|' || *p == '`')
				printf("\\%c", *p);
			else
				putchar(*p);
		printf("` | %.2f | %+.2f | %.2f | %+.2f | %s |\n",
		       m[i].new_flat, m[i].new_flat - m[i].base_flat,
		       m[i].new_cum, m[i].new_cum - m[i].base_cum,
		       growth(&m[i]) > o->threshold ? "**regressed**" : "");
	}
}

static void
print_json(const struct diff_opts *o, const char *type, struct moved *m,
	   size_t n, bool regressed)
{
	size_t i;

	printf("{\"sample_type\":");
	json_string(stdout, type);
	printf(",\"base\":");
	json_string(stdout, o->base);
	printf(",\"new\":");
	json_string(stdout, o->new);
	printf(",\"threshold\":%.2f,\"regressed\":%s,\"functions\":[",
	       o->threshold, regressed ? "true" : "false");
	for (i = 0; i < n && (long) i < o->top; i++) {
		printf("%s{\"name\":", i ? "," : "");
		json_string(stdout, m[i].name);
		printf(",\"base_flat\":%.4f,\"new_flat\":%.4f,"
		       "\"base_cum\":%.4f,\"new_cum\":%.4f,\"regressed\":%s}",
		       m[i].base_flat, m[i].new_flat, m[i].base_cum,
		       m[i].new_cum,
		       growth(&m[i]) > o->threshold ? "true" : "false");
	}
	printf("]}\n");
}

/* Folds sample type @vi of @f. */
static void
fold_file(const struct pprof_file *f, int vi, struct folded *fo)
{
	struct file_frames ff;
	struct frame_source src;
	struct profile p;

	file_frames_init(&ff, f, &src);
	file_profile(f, vi, &p);
	folded_build(fo, &p, &src, vi);
	profile_free(&p);
	file_frames_free(&ff);
}

static int
write_flamegraph(const struct diff_opts *o, const struct pprof_file *base,
		 int bi, const struct pprof_file *new, int ni)
{
	struct folded fb, fn;
	struct output op = { 0 };
	struct buf out;
	char title[128], subtitle[256];
	struct flamegraph_opts fg = { title, subtitle, new->types[ni].unit };
	int rc;

	if (bi >= PROFILE_MAX_VALUES || ni >= PROFILE_MAX_VALUES) {
		error_msg("cannot draw sample type %s: only the first %d types of a file can be drawn",
			  new->types[ni].type, PROFILE_MAX_VALUES);
		return -1;
	}
	fold_file(base, bi, &fb);
	fold_file(new, ni, &fn);
	snprintf(title, sizeof(title), "Differential flame graph, %s",
		 new->types[ni].type);
	snprintf(subtitle, sizeof(subtitle),
		 "%s -> %s: red grew, blue shrank (share of the total)",
		 o->base, o->new);
	buf_init(&out);
	flamegraph_write_diff(&fb, &fn, &fg, &out);
	op.path = o->svg;
	op.format = FORMAT_FLAMEGRAPH;
	rc = output_deliver(&op, &out, o->quiet);
	buf_free(&out);
	folded_free(&fb);
	folded_free(&fn);
	return rc;
}

int
diff_run(const struct diff_opts *o)
{
	struct pprof_file base, new;
	struct strtab names;
	struct moved *m = NULL;
	size_t n = 0, cap = 0, i;
	const char *type;
	bool regressed = false;
	int bi, ni, status;

	if (load(o->base, &base) < 0)
		return EXIT_FATAL;
	if (load(o->new, &new) < 0) {
		pprof_file_free(&base);
		return EXIT_FATAL;
	}
	bi = pprof_type_index(&base, o->sample_type);
	type = bi >= 0 ? base.types[bi].type : o->sample_type;
	ni = type ? pprof_type_index(&new, type) : -1;
	if (bi < 0 || ni < 0) {
		error_msg("no sample type %s in %s", type ? type : "at all",
			  bi < 0 ? o->base : o->new);
		pprof_file_free(&base);
		pprof_file_free(&new);
		return EXIT_FATAL;
	}
	strtab_init(&names);
	add_shares(&base, bi, 0, &names, &m, &n, &cap);
	add_shares(&new, ni, 1, &names, &m, &n, &cap);
	if (n > 1)
		qsort(m, n, sizeof(*m), cmp_moved);
	for (i = 0; i < n; i++)
		if (growth(&m[i]) > o->threshold)
			regressed = true;
	switch (o->format) {
	case DIFF_MARKDOWN:
		print_markdown(o, type, m, n, regressed);
		break;
	case DIFF_JSON:
		print_json(o, type, m, n, regressed);
		break;
	default:
		print_text(o, type, m, n, regressed);
		break;
	}
	fflush(stdout);
	status = regressed ? 1 : 0;
	if (o->svg && write_flamegraph(o, &base, bi, &new, ni) < 0)
		status = EXIT_FATAL;
	free(m);
	strtab_free(&names);
	pprof_file_free(&base);
	pprof_file_free(&new);
	return status;
}
