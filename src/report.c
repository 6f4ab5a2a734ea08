/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "report.h"
#include "msg.h"
#include "procfs.h"
#include "strtab.h"
#include "symbols.h"
#include "units.h"
#include "xmalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t
file_src_frames(void *arg, uint64_t pc, bool exact,
		const struct sym_frame **out)
{
	struct file_frames *ff = arg;
	const struct pprof_location *l;
	size_t i, at = pc - 2;

	if (pc < 2 || at >= ff->f->nlocations)
		return 0;
	l = &ff->f->locations[at];
	if (!ff->frames[at]) {
		ff->frames[at] = xcalloc(l->nlines + 1, sizeof(**ff->frames));
		for (i = 0; i < l->nlines; i++) {
			const struct pprof_function *fn =
				&ff->f->functions[l->lines[i].function];

			ff->frames[at][i].function = fn->name;
			ff->frames[at][i].file = fn->filename[0] ?
						 fn->filename : NULL;
			ff->frames[at][i].line = (int) l->lines[i].line;
			ff->frames[at][i].inlined = i + 1 < l->nlines;
		}
	}
	*out = ff->frames[at];
	return l->nlines;
}

static bool
file_src_mapping(void *arg, uint64_t pc, struct pprof_mapping *m)
{
	return false;
}

void
file_frames_init(struct file_frames *ff, const struct pprof_file *f,
		 struct frame_source *src)
{
	ff->f = f;
	ff->frames = xcalloc(f->nlocations + 1, sizeof(*ff->frames));
	src->arg = ff;
	src->frames = file_src_frames;
	src->mapping = file_src_mapping;
	src->main_addr = 0;
}

void
file_frames_free(struct file_frames *ff)
{
	size_t i;

	for (i = 0; i < ff->f->nlocations; i++)
		free(ff->frames[i]);
	free(ff->frames);
	ff->frames = NULL;
}

void
file_profile(const struct pprof_file *f, int vi, struct profile *p)
{
	uint64_t *pcs = NULL;
	size_t cap = 0, i, k;
	uint32_t name;

	profile_init(p);
	p->nvalues = f->ntypes < PROFILE_MAX_VALUES ? f->ntypes :
		     PROFILE_MAX_VALUES;
	for (i = 0; i < p->nvalues; i++) {
		p->types[i].type = f->types[i].type;
		p->types[i].unit = f->types[i].unit;
	}
	p->period_type.type = f->period_type.type;
	p->period_type.unit = f->period_type.unit;
	p->period = f->period;
	p->time_nanos = f->time_nanos;
	p->duration_nanos = f->duration_nanos;
	p->thread_labels = false;
	p->display_value = vi < (int) p->nvalues ? vi : -1;
	for (i = 0; i < f->nsamples; i++) {
		const struct pprof_sample *s = &f->samples[i];
		int64_t v[PROFILE_MAX_VALUES];

		pcs = xgrow(pcs, &cap, s->nlocations + 1, sizeof(*pcs));
		for (k = 0; k < s->nlocations; k++)
			pcs[k] = (uint64_t) (s->locations[k] + 2) |
				 PROFILE_PC_EXACT;
		for (k = 0; k < p->nvalues; k++)
			v[k] = s->values[k];
		name = profile_string(p, s->thread_name);
		if (s->pid) {
			/* Several processes: their labels go on. */
			struct profile_sample key = {
				.stack = profile_stack(p, pcs, s->nlocations),
				.tid = (pid_t) s->tid, .name = name,
				.state = THREAD_OTHER, .pid = (pid_t) s->pid,
				.proc_name = profile_string(p,
							    s->process_name),
			};

			p->process_labels = true;
			profile_add_sample(p, &key, v);
			continue;
		}
		profile_add(p, profile_stack(p, pcs, s->nlocations),
			    (pid_t) s->tid, name, THREAD_OTHER, v);
	}
	free(pcs);
}

static const struct pprof_file *sort_file;

static int
cmp_stacks(const void *a, const void *b)
{
	const struct pprof_sample *x = &sort_file->samples[*(const size_t *) a];
	const struct pprof_sample *y = &sort_file->samples[*(const size_t *) b];
	size_t i;

	if (x->nlocations != y->nlocations)
		return x->nlocations < y->nlocations ? -1 : 1;
	for (i = 0; i < x->nlocations; i++)
		if (x->locations[i] != y->locations[i])
			return x->locations[i] < y->locations[i] ? -1 : 1;
	return 0;
}

/* Distinct stacks among the samples (a stack recorded with different
 * labels, such as threads, is one). */
static size_t
count_stacks(const struct pprof_file *f)
{
	size_t *idx, i, n = 0;

	if (!f->nsamples)
		return 0;
	idx = xcalloc(f->nsamples, sizeof(*idx));
	for (i = 0; i < f->nsamples; i++)
		idx[i] = i;
	sort_file = f;
	qsort(idx, f->nsamples, sizeof(*idx), cmp_stacks);
	for (i = 0; i < f->nsamples; i++)
		n += i == 0 || cmp_stacks(&idx[i - 1], &idx[i]) != 0;
	free(idx);
	return n;
}

/* The samples taken: the sum of a count type named samples, if any. */
static bool
count_samples(const struct pprof_file *f, int64_t *out)
{
	size_t t, i;

	for (t = 0; t < f->ntypes; t++) {
		if (strcmp(f->types[t].type, "samples") != 0 ||
		    strcmp(f->types[t].unit, "count") != 0)
			continue;
		*out = 0;
		for (i = 0; i < f->nsamples; i++)
			*out = pprof_sat_add(*out, f->samples[i].values[t]);
		return true;
	}
	return false;
}

static void
print_top(const struct report_opts *o, const struct pprof_file *f, int vi)
{
	struct func_total *t;
	int64_t total, sum = 0;
	size_t n = pprof_function_totals(f, vi, &t, &total), i;
	const char *unit = f->types[vi].unit;
	char a[UNITS_LEN], b[UNITS_LEN];
	size_t nstacks = count_stacks(f);
	int64_t nsamples;

	units_value(total, unit, a, sizeof(a));
	if (count_samples(f, &nsamples))
		printf("Type: %s (%s), total %s in %" PRId64 " samples of %zu stacks, %zu functions\n",
		       f->types[vi].type, unit, a, nsamples, nstacks, n);
	else
		printf("Type: %s (%s), total %s in %zu stacks, %zu functions\n",
		       f->types[vi].type, unit, a, nstacks, n);
	printf("%10s %6s %6s %10s %6s  %s\n", "flat", "flat%", "sum%", "cum",
	       "cum%", "function");
	for (i = 0; i < n && (long) i < o->top; i++) {
		sum = pprof_sat_add(sum, t[i].flat);
		units_value(t[i].flat, unit, a, sizeof(a));
		units_value(t[i].cum, unit, b, sizeof(b));
		printf("%10s %5.2f%% %5.2f%% %10s %5.2f%%  %s\n", a,
		       total ? 100.0 * t[i].flat / total : 0,
		       total ? 100.0 * sum / total : 0, b,
		       total ? 100.0 * t[i].cum / total : 0, t[i].name);
	}
	free(t);
}

/* Whether sample @s is of thread @sel: its id, or its name. */
static bool
thread_matches(const struct pprof_sample *s, const char *sel)
{
	char id[24];

	snprintf(id, sizeof(id), "%" PRId64, s->tid);
	return (s->tid && strcmp(id, sel) == 0) ||
	       strcmp(s->thread_name, sel) == 0;
}

/* @f's samples that are of thread @sel, or of the same thread as
 * sample @like when @sel is NULL: a view that shares @f's arrays (free
 * only view->samples). */
static void
thread_view(const struct pprof_file *f, const char *sel,
	    const struct pprof_sample *like, struct pprof_file *view)
{
	size_t i;

	*view = *f;
	view->samples = xcalloc(f->nsamples + 1, sizeof(*view->samples));
	view->nsamples = 0;
	for (i = 0; i < f->nsamples; i++) {
		const struct pprof_sample *s = &f->samples[i];

		if (sel ? thread_matches(s, sel) :
		    s->tid == like->tid &&
		    strcmp(s->thread_name, like->thread_name) == 0)
			view->samples[view->nsamples++] = *s;
	}
}

static int
cmp_thread(const void *a, const void *b)
{
	const struct pprof_sample *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return strcmp(x->thread_name, y->thread_name);
}

static int
cmp_process(const void *a, const void *b)
{
	const struct pprof_sample *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return strcmp(x->process_name, y->process_name);
}

/* A table per process (labels pid and process_name), in the order of
 * their ids. */
static void
print_processes(const struct report_opts *o, const struct pprof_file *f,
		int vi)
{
	struct pprof_sample *sorted;
	struct pprof_file view;
	size_t i, k;

	sorted = xcalloc(f->nsamples + 1, sizeof(*sorted));
	memcpy(sorted, f->samples, f->nsamples * sizeof(*sorted));
	qsort(sorted, f->nsamples, sizeof(*sorted), cmp_process);
	for (i = 0; i < f->nsamples; i++) {
		if (i && cmp_process(&sorted[i - 1], &sorted[i]) == 0)
			continue;
		view = *f;
		view.samples = xcalloc(f->nsamples + 1,
				       sizeof(*view.samples));
		view.nsamples = 0;
		for (k = 0; k < f->nsamples; k++)
			if (cmp_process(&f->samples[k], &sorted[i]) == 0)
				view.samples[view.nsamples++] = f->samples[k];
		printf("%sProcess %s (%" PRId64 ")\n", i ? "\n" : "",
		       sorted[i].process_name[0] ? sorted[i].process_name :
		       "?", sorted[i].pid);
		print_top(o, &view, vi);
		free(view.samples);
	}
	free(sorted);
}

/* A table per thread, in the order of their ids. */
static void
print_threads(const struct report_opts *o, const struct pprof_file *f,
	      int vi)
{
	struct pprof_sample *sorted;
	size_t i;

	sorted = xcalloc(f->nsamples + 1, sizeof(*sorted));
	memcpy(sorted, f->samples, f->nsamples * sizeof(*sorted));
	qsort(sorted, f->nsamples, sizeof(*sorted), cmp_thread);
	for (i = 0; i < f->nsamples; i++) {
		struct pprof_file view;

		if (i && cmp_thread(&sorted[i - 1], &sorted[i]) == 0)
			continue;
		thread_view(f, NULL, &sorted[i], &view);
		printf("%sThread %s (%" PRId64 ")\n", i ? "\n" : "",
		       sorted[i].thread_name[0] ? sorted[i].thread_name : "?",
		       sorted[i].tid);
		print_top(o, &view, vi);
		free(view.samples);
	}
	free(sorted);
}

int
report_run(const struct report_opts *o)
{
	struct pprof_file f;
	struct pp_err err;
	char *data;
	size_t len, i;
	int vi, status = EXIT_COMPLETE;

	if (procfs_read_file(o->input, &data, &len, &err) < 0) {
		error_msg_err(&err);
		return EXIT_FATAL;
	}
	if (pprof_read((const uint8_t *) data, len, &f, &err) < 0) {
		error_msg("%s: %s", o->input, err.text);
		free(data);
		return EXIT_FATAL;
	}
	free(data);
	vi = pprof_type_index(&f, o->sample_type);
	if (vi < 0 && f.ntypes) {
		char types[512];
		size_t at = 0;

		for (i = 0; i < f.ntypes && at < sizeof(types); i++)
			at += snprintf(types + at, sizeof(types) - at, "%s%s",
				       i ? ", " : "", f.types[i].type);
		error_msg("%s has no sample type %s: it has %s", o->input,
			  o->sample_type, types);
		pprof_file_free(&f);
		return EXIT_FATAL;
	}
	if (vi < 0) {
		error_msg("%s has no sample type %s", o->input,
			  o->sample_type ? o->sample_type : "at all");
		pprof_file_free(&f);
		return EXIT_FATAL;
	}
	if (o->thread) {
		struct pprof_file view;

		thread_view(&f, o->thread, NULL, &view);
		if (!view.nsamples) {
			error_msg("%s has no samples of thread %s (no thread_id or thread_name label matches)",
				  o->input, o->thread);
			free(view.samples);
			pprof_file_free(&f);
			return EXIT_FATAL;
		}
		/* The view's samples replace the file's (which own the
		 * arrays): the others are freed now. */
		for (i = 0; i < f.nsamples; i++) {
			if (thread_matches(&f.samples[i], o->thread))
				continue;
			free(f.samples[i].locations);
			free(f.samples[i].values);
		}
		free(f.samples);
		f.samples = view.samples;
		f.nsamples = view.nsamples;
	}
	if (!o->noutputs && o->group_by_process) {
		print_processes(o, &f, vi);
	} else if (!o->noutputs && o->group_by_thread) {
		print_threads(o, &f, vi);
	} else if (!o->noutputs) {
		print_top(o, &f, vi);
	} else {
		struct file_frames ff;
		struct frame_source src;
		struct render_info info = { o->input, NULL, NULL, 0 };
		struct profile p;

		file_frames_init(&ff, &f, &src);
		file_profile(&f, vi, &p);
		struct profile grouped, by_thread;
		bool group = o->group_by_thread || o->group_by_process;

		/* A thread's root under its process's. */
		if (o->group_by_thread && o->group_by_process) {
			profile_group_by_thread(&p, &by_thread);
			profile_group_by_process(&by_thread, &grouped);
			profile_free(&by_thread);
		} else if (o->group_by_process) {
			profile_group_by_process(&p, &grouped);
		} else if (o->group_by_thread) {
			profile_group_by_thread(&p, &grouped);
		}
		for (i = 0; i < o->noutputs; i++) {
			const struct profile *use = &p;
			struct buf out;
			int ok;

			if (group &&
			    output_groups_threads(o->outputs[i].format))
				use = &grouped;
			buf_init(&out);
			ok = output_render(o->outputs[i].format, use, &src,
					   &info, &out, &err) == 0;
			if (!ok)
				error_msg_err(&err);
			if (!ok || output_deliver(&o->outputs[i], &out,
						  o->quiet) < 0)
				status = EXIT_PARTIAL;
			buf_free(&out);
		}
		if (group)
			profile_free(&grouped);
		profile_free(&p);
		file_frames_free(&ff);
	}
	pprof_file_free(&f);
	return status;
}
