/*
 * pidprof threads: capture every thread once, group the threads whose
 * stacks name the same functions, and write the groups, largest first.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "threads.h"
#include "capture.h"
#include "json.h"
#include "msg.h"
#include "pidsel.h"
#include "output.h"
#include "pprof.h"
#include "xmalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One thread as the writers see it, from a capture or from a profile. */
struct thread_view {
	pid_t tid;
	const char *name;
	const uint64_t *pcs;	/* leaf first, PROFILE_PC_EXACT flags */
	size_t n;
	bool captured;		/* else no stack, for @error */
	const char *error;
};

struct group {
	size_t first;		/* index of its first thread in the views */
	size_t *members;
	size_t n, cap;
};

struct grouping {
	pid_t pid;
	const struct thread_view *th;	/* sorted by tid */
	size_t nth;
	/* names the frames: of one process, or of several by the
	 * process number in each pc */
	struct frame_source src;
	struct strtab keys;	/* function-name stacks, one per group */
	struct group *v;
	size_t n, cap;
};

static size_t
frames_at(const struct frame_source *src, uint64_t v,
	  const struct sym_frame **sf)
{
	return src->frames(src->arg, v & ~PROFILE_PC_EXACT,
			   (v & PROFILE_PC_EXACT) != 0, sf);
}

/* "f;g;h": the functions of a thread's stack, inlined ones included. */
static void
stack_key(const struct frame_source *src, const struct thread_view *th,
	  struct buf *key)
{
	size_t i, j;

	key->len = 0;
	if (!th->captured) {
		buf_printf(key, "[not captured]");
		buf_putc(key, '\0');
		return;
	}
	for (i = 0; i < th->n; i++) {
		const struct sym_frame *sf;
		size_t n = frames_at(src, th->pcs[i], &sf);

		for (j = 0; j < n; j++) {
			char tmp[256];

			buf_printf(key, "%s;", frame_display_name(&sf[j], tmp,
							       sizeof(tmp)));
		}
	}
	buf_putc(key, '\0');
}

static int
cmp_groups(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return (x->first > y->first) - (x->first < y->first);
}

static void
group_threads(struct grouping *g)
{
	struct buf key;
	size_t i;

	buf_init(&key);
	strtab_init(&g->keys);
	for (i = 0; i < g->nth; i++) {
		uint32_t id;
		struct group *gr;

		stack_key(&g->src, &g->th[i], &key);
		id = strtab_intern(&g->keys, (char *) key.data);
		if (id == g->n) {
			g->v = xgrow(g->v, &g->cap, g->n + 1, sizeof(*g->v));
			memset(&g->v[g->n], 0, sizeof(g->v[g->n]));
			g->v[g->n++].first = i;
		}
		gr = &g->v[id];
		gr->members = xgrow(gr->members, &gr->cap, gr->n + 1,
				    sizeof(*gr->members));
		gr->members[gr->n++] = i;
	}
	buf_free(&key);
	if (g->n > 1)
		qsort(g->v, g->n, sizeof(*g->v), cmp_groups);
}

static void
grouping_free(struct grouping *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->v[i].members);
	free(g->v);
	strtab_free(&g->keys);
}

/* The name all members share, or NULL. */
static const char *
common_name(const struct grouping *g, const struct group *gr)
{
	const char *name = g->th[gr->first].name;
	size_t i;

	for (i = 0; i < gr->n; i++)
		if (strcmp(g->th[gr->members[i]].name, name) != 0)
			return NULL;
	return name;
}

static void
write_text(const struct grouping *g, struct buf *out)
{
	size_t i, k, j;

	buf_printf(out, "threads profile: total %zu\n", g->nth);
	for (i = 0; i < g->n; i++) {
		const struct group *gr = &g->v[i];
		const struct thread_view *th = &g->th[gr->first];

		buf_printf(out, "\n%zu @", gr->n);
		for (k = 0; th->captured && k < th->n; k++)
			buf_printf(out, " 0x%" PRIx64,
				   profile_pc_addr(th->pcs[k]));
		buf_printf(out, "\n# threads:");
		for (k = 0; k < gr->n; k++) {
			const struct thread_view *m = &g->th[gr->members[k]];

			buf_printf(out, " %d (%s)", (int) m->tid, m->name);
		}
		buf_putc(out, '\n');
		if (!th->captured) {
			buf_printf(out, "#\t(no stack: %s)\n",
				   th->error ? th->error : "unknown");
			continue;
		}
		for (k = 0; k < th->n; k++) {
			uint64_t pc = profile_pc_addr(th->pcs[k]);
			const struct sym_frame *sf;
			size_t n = frames_at(&g->src, th->pcs[k], &sf);

			for (j = 0; j < n; j++) {
				char tmp[256];

				buf_printf(out, "#\t0x%" PRIx64 "\t%s", pc,
					   frame_display_name(&sf[j], tmp,
							      sizeof(tmp)));
				if (sf[j].file)
					buf_printf(out, "\t%s:%d", sf[j].file,
						   sf[j].line);
				buf_putc(out, '\n');
			}
		}
	}
}

static void
write_json(const struct grouping *g, struct buf *out)
{
	size_t i, k, j;

	buf_printf(out, "{\"pid\":%d,\"threads\":%zu,\"groups\":[",
		   (int) g->pid, g->nth);
	for (i = 0; i < g->n; i++) {
		const struct group *gr = &g->v[i];
		const struct thread_view *th = &g->th[gr->first];
		bool first = true;

		buf_printf(out, "%s{\"count\":%zu,\"tids\":[", i ? "," : "",
			   gr->n);
		for (k = 0; k < gr->n; k++)
			buf_printf(out, "%s%d", k ? "," : "",
				   (int) g->th[gr->members[k]].tid);
		buf_printf(out, "],\"names\":[");
		for (k = 0; k < gr->n; k++) {
			if (k)
				buf_putc(out, ',');
			json_buf_string(out, g->th[gr->members[k]].name);
		}
		buf_printf(out, "],\"frames\":[");
		for (k = 0; th->captured && k < th->n; k++) {
			uint64_t pc = profile_pc_addr(th->pcs[k]);
			const struct sym_frame *sf;
			size_t n = frames_at(&g->src, th->pcs[k], &sf);

			for (j = 0; j < n; j++) {
				buf_printf(out, "%s{\"pc\":\"0x%" PRIx64
					   "\",\"function\":", first ? "" : ",",
					   pc);
				json_buf_string(out, sf[j].function);
				buf_printf(out, ",\"file\":");
				json_buf_string(out, sf[j].file);
				buf_printf(out, ",\"line\":%d,\"inlined\":%s,"
					   "\"module\":", sf[j].line,
					   sf[j].inlined ? "true" : "false");
				json_buf_string(out, sf[j].module);
				buf_putc(out, '}');
				first = false;
			}
		}
		buf_printf(out, "]}");
	}
	buf_printf(out, "]}\n");
}

static void
build_profile(const struct grouping *g, struct profile *p)
{
	size_t i;

	profile_init(p);
	p->nvalues = 1;
	p->types[0] = (struct profile_value_type) { "threads", "count" };
	p->period_type = p->types[0];
	p->period = 1;
	p->thread_labels = false;
	p->name_label = "thread_name";
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		p->time_nanos = (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
		p->duration_nanos = 1;
	}
	for (i = 0; i < g->n; i++) {
		const struct group *gr = &g->v[i];
		const struct thread_view *th = &g->th[gr->first];
		const char *name = common_name(g, gr);
		int64_t v = gr->n;

		profile_add(p, profile_stack(p, th->pcs,
					     th->captured ? th->n : 0), 0,
			    profile_string(p, name ? name : ""),
			    THREAD_OTHER, &v);
	}
}

/* The threads of a capture, their frames as a profile stores them. */
static struct thread_view *
capture_views(const struct capture *c)
{
	struct thread_view *v = xcalloc(c->n + 1, sizeof(*v));
	size_t i, k;

	for (i = 0; i < c->n; i++) {
		const struct thread_stack *th = &c->threads[i];
		uint64_t *pcs;

		v[i].tid = th->snap.tid;
		v[i].name = th->name;
		v[i].error = th->error;
		if (!th->raw)
			continue;
		pcs = xcalloc(th->raw->n + 1, sizeof(*pcs));
		for (k = 0; k < th->raw->n; k++)
			pcs[k] = th->raw->frames[k].pc |
				 (th->raw->frames[k].activation ?
				  PROFILE_PC_EXACT : 0);
		v[i].pcs = pcs;
		v[i].n = th->raw->n;
		v[i].captured = true;
	}
	return v;
}

static void
views_free(struct thread_view *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free((void *) v[i].pcs);
	free(v);
}

static int
cmp_views(const void *a, const void *b)
{
	const struct thread_view *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

void
threads_profile_text(const struct profile *p, const struct frame_source *src,
		     struct buf *out)
{
	struct thread_view *v = xcalloc(p->nsamples + 1, sizeof(*v));
	struct grouping g;
	size_t i;

	for (i = 0; i < p->nsamples; i++) {
		const struct profile_sample *s = &p->samples[i];
		const struct profile_stack *st = &p->stacks[s->stack - 1];
		const uint64_t *pcs = p->pcs + st->off;
		size_t n = st->n;

		/* The pseudo-frame of a short copy names no function. */
		if (n && pcs[n - 1] == PROFILE_PC_TRUNCATED)
			n--;
		/* Nor does a sleeping thread's wait frame. */
		if (n && profile_pc_is_wait(pcs[0])) {
			pcs++;
			n--;
		}
		v[i].tid = s->tid;
		v[i].name = p->strings.v[s->name] ? p->strings.v[s->name] : "";
		v[i].pcs = pcs;
		v[i].n = n;
		v[i].captured = true;
	}
	if (p->nsamples > 1)
		qsort(v, p->nsamples, sizeof(*v), cmp_views);
	memset(&g, 0, sizeof(g));
	g.th = v;
	g.nth = p->nsamples;
	g.src = *src;
	group_threads(&g);
	write_text(&g, out);
	grouping_free(&g);
	free(v);
}

/* One process's capture, its threads grouped and its profile. */
struct proc_threads {
	pid_t pid;
	bool ok;
	struct capture c;
	struct thread_view *views;
	struct grouping g;
	struct profile p;
};

/* Captures process @pt->pid; false (said) when it cannot be. */
static bool
proc_capture(const struct threads_opts *o, struct proc_threads *pt)
{
	struct pp_err err;

	if (capture_process(&pt->c, pt->pid, o->stack_size, o->unwinder,
			    &err) < 0) {
		error_msg_err(&err);
		capture_free(&pt->c);
		return false;
	}
	pt->views = capture_views(&pt->c);
	memset(&pt->g, 0, sizeof(pt->g));
	pt->g.pid = pt->c.pid;
	pt->g.th = pt->views;
	pt->g.nth = pt->c.n;
	symbols_frame_source(pt->c.syms, &pt->g.src);
	group_threads(&pt->g);
	build_profile(&pt->g, &pt->p);
	pt->ok = true;
	return true;
}

static void
proc_free(struct proc_threads *pt)
{
	if (!pt->ok)
		return;
	profile_free(&pt->p);
	grouping_free(&pt->g);
	views_free(pt->views, pt->c.n);
	capture_free(&pt->c);
}

/* The profile of several processes, @m: every sample labelled with its
 * pid and process name, its pcs with the process's number for @src. */
static void
merge_processes(struct proc_threads *pt, size_t n, struct profile *m,
		struct frame_source *srcs)
{
	bool first = true;
	size_t i;

	profile_init(m);
	for (i = 0; i < n; i++) {
		empty_frame_source(&srcs[i]);
		if (!pt[i].ok)
			continue;
		if (first) {
			m->nvalues = pt[i].p.nvalues;
			memcpy(m->types, pt[i].p.types, sizeof(m->types));
			m->period_type = pt[i].p.period_type;
			m->period = pt[i].p.period;
			m->time_nanos = pt[i].p.time_nanos;
			m->duration_nanos = pt[i].p.duration_nanos;
			m->thread_labels = pt[i].p.thread_labels;
			m->name_label = pt[i].p.name_label;
			first = false;
		}
		symbols_frame_source(pt[i].c.syms, &srcs[i]);
		profile_add_process(m, &pt[i].p, (unsigned int) i + 1,
				    pt[i].pid, pt[i].c.comm);
	}
}

static void
write_blocks(const struct proc_threads *pt, size_t n, bool json,
	     struct buf *out)
{
	size_t i;
	bool first = true;

	for (i = 0; i < n; i++) {
		if (!pt[i].ok)
			continue;
		if (json) {
			/* One object per process, each on its line. */
			write_json(&pt[i].g, out);
			continue;
		}
		if (n > 1)
			buf_printf(out, "%sProcess %d (%s)\n",
				   first ? "" : "\n", (int) pt[i].pid,
				   pt[i].c.comm);
		write_text(&pt[i].g, out);
		first = false;
	}
}

int
threads_run(const struct threads_opts *in)
{
	struct threads_opts o = *in;
	struct proc_threads *pt;
	struct frame_source src, *srcs;
	struct frame_sources set;
	struct profile merged, grouped;
	const struct profile *p;
	struct pp_err err;
	struct render_info info = { "Threads by stack", NULL, NULL, 0 };
	size_t i, captured = 0, incomplete = 0, nthreads = 0;
	bool several, have_grouped = false;
	int status = EXIT_COMPLETE;

	if (!outputs_check(o.outputs, o.noutputs))
		return EXIT_FATAL;
	if (msg_outcome(pidsel_resolve_args(&o.who, &err), &err) < 0)
		return EXIT_FATAL;
	several = o.who.npids > 1;
	pt = xcalloc(o.who.npids, sizeof(*pt));
	srcs = xcalloc(o.who.npids, sizeof(*srcs));
	/* One after the other: a process that cannot be captured is said
	 * and left out. */
	for (i = 0; i < o.who.npids; i++) {
		pt[i].pid = o.who.pids[i];
		if (!proc_capture(&o, &pt[i]))
			continue;
		captured++;
		incomplete += pt[i].c.incomplete;
		nthreads += pt[i].c.n;
	}
	if (!captured) {
		if (several)
			error_msg("not one of the %zu processes could be captured",
				  o.who.npids);
		status = EXIT_FATAL;
		goto out;
	}
	if (several) {
		set.v = srcs;
		set.n = o.who.npids;
		merge_processes(pt, o.who.npids, &merged, srcs);
		multi_frame_source(&set, &src);
		p = &merged;
	} else {
		symbols_frame_source(pt[0].c.syms, &src);
		p = &pt[0].p;
	}
	for (i = 0; i < o.noutputs; i++) {
		const struct output *op = &o.outputs[i];
		const struct profile *pp = p;
		struct buf out;
		int rc = 0;

		/* Several processes: a root frame "process NAME (PID)"
		 * on each stack, as record writes them. */
		if (several && output_groups_threads(op->format)) {
			if (!have_grouped)
				profile_group_by_process(p, &grouped);
			have_grouped = true;
			pp = &grouped;
		}
		buf_init(&out);
		if (op->format == FORMAT_TEXT || op->format == FORMAT_JSON)
			write_blocks(pt, o.who.npids, op->format == FORMAT_JSON,
				     &out);
		else
			rc = output_render(op->format, pp, &src, &info, &out,
					   &err);
		if (rc < 0)
			error_msg_err(&err);
		if (rc < 0 || output_deliver(op, &out, o.quiet) < 0)
			status = EXIT_PARTIAL;
		buf_free(&out);
	}
	if (incomplete && status == EXIT_COMPLETE) {
		if (!o.quiet)
			warning_msg("%zu of %zu stacks are incomplete",
				    incomplete, nthreads);
		status = EXIT_PARTIAL;
	}
	if (captured < o.who.npids)
		status = EXIT_PARTIAL;
	if (have_grouped)
		profile_free(&grouped);
	if (several)
		profile_free(&merged);
out:
	for (i = 0; i < o.who.npids; i++)
		proc_free(&pt[i]);
	free(pt);
	free(srcs);
	return status;
}
