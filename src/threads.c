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
#include "pprof.h"
#include "xmalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct group {
	size_t first;		/* index of its first thread in the capture */
	size_t *members;
	size_t n, cap;
};

struct grouping {
	struct capture *c;
	struct strtab keys;	/* function-name stacks, one per group */
	struct group *v;
	size_t n, cap;
};

/* "f;g;h": the functions of a thread's stack, inlined ones included. */
static void
stack_key(struct capture *c, const struct thread_stack *th, struct buf *key)
{
	size_t i, j;

	key->len = 0;
	if (!th->raw) {
		buf_printf(key, "[not captured]");
		buf_putc(key, '\0');
		return;
	}
	for (i = 0; i < th->raw->n; i++) {
		const struct raw_frame *f = &th->raw->frames[i];
		const struct sym_frame *sf;
		size_t n = symbols_lookup(c->syms, f->pc, f->activation, &sf);

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
	for (i = 0; i < g->c->n; i++) {
		uint32_t id;
		struct group *gr;

		stack_key(g->c, &g->c->threads[i], &key);
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
	const char *name = g->c->threads[gr->first].name;
	size_t i;

	for (i = 0; i < gr->n; i++)
		if (strcmp(g->c->threads[gr->members[i]].name, name) != 0)
			return NULL;
	return name;
}

static void
write_text(const struct grouping *g, struct buf *out)
{
	size_t i, k, j;

	buf_printf(out, "threads profile: total %zu\n", g->c->n);
	for (i = 0; i < g->n; i++) {
		const struct group *gr = &g->v[i];
		const struct thread_stack *th = &g->c->threads[gr->first];

		buf_printf(out, "\n%zu @", gr->n);
		for (k = 0; th->raw && k < th->raw->n; k++)
			buf_printf(out, " 0x%" PRIx64, th->raw->frames[k].pc);
		buf_printf(out, "\n# threads:");
		for (k = 0; k < gr->n; k++) {
			const struct thread_stack *m =
				&g->c->threads[gr->members[k]];

			buf_printf(out, " %d (%s)", (int) m->snap.tid, m->name);
		}
		buf_putc(out, '\n');
		if (!th->raw) {
			buf_printf(out, "#\t(no stack: %s)\n",
				   th->error ? th->error : "unknown");
			continue;
		}
		for (k = 0; k < th->raw->n; k++) {
			const struct raw_frame *f = &th->raw->frames[k];
			const struct sym_frame *sf;
			size_t n = symbols_lookup(g->c->syms, f->pc,
						  f->activation, &sf);

			for (j = 0; j < n; j++) {
				char tmp[256];

				buf_printf(out, "#\t0x%" PRIx64 "\t%s", f->pc,
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
json_str(struct buf *out, const char *s)
{
	char *p = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&p, &len);

	if (!f)
		return;
	json_string(f, s);
	fclose(f);
	buf_append(out, p, len);
	free(p);
}

static void
write_json(const struct grouping *g, struct buf *out)
{
	size_t i, k, j;

	buf_printf(out, "{\"pid\":%d,\"threads\":%zu,\"groups\":[",
		   (int) g->c->pid, g->c->n);
	for (i = 0; i < g->n; i++) {
		const struct group *gr = &g->v[i];
		const struct thread_stack *th = &g->c->threads[gr->first];
		bool first = true;

		buf_printf(out, "%s{\"count\":%zu,\"tids\":[", i ? "," : "",
			   gr->n);
		for (k = 0; k < gr->n; k++) {
			const struct thread_stack *m =
				&g->c->threads[gr->members[k]];

			buf_printf(out, "%s%d", k ? "," : "",
				   (int) m->snap.tid);
		}
		buf_printf(out, "],\"names\":[");
		for (k = 0; k < gr->n; k++) {
			if (k)
				buf_putc(out, ',');
			json_str(out, g->c->threads[gr->members[k]].name);
		}
		buf_printf(out, "],\"frames\":[");
		for (k = 0; th->raw && k < th->raw->n; k++) {
			const struct raw_frame *f = &th->raw->frames[k];
			const struct sym_frame *sf;
			size_t n = symbols_lookup(g->c->syms, f->pc,
						  f->activation, &sf);

			for (j = 0; j < n; j++) {
				buf_printf(out, "%s{\"pc\":\"0x%" PRIx64
					   "\",\"function\":", first ? "" : ",",
					   f->pc);
				json_str(out, sf[j].function);
				buf_printf(out, ",\"file\":");
				json_str(out, sf[j].file);
				buf_printf(out, ",\"line\":%d,\"inlined\":%s,"
					   "\"module\":", sf[j].line,
					   sf[j].inlined ? "true" : "false");
				json_str(out, sf[j].module);
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
	uint64_t *pcs = NULL;
	size_t cap = 0, i, k;

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
		const struct thread_stack *th = &g->c->threads[gr->first];
		const char *name = common_name(g, gr);
		int64_t v = gr->n;
		size_t n = th->raw ? th->raw->n : 0;

		pcs = xgrow(pcs, &cap, n + 1, sizeof(*pcs));
		for (k = 0; k < n; k++)
			pcs[k] = th->raw->frames[k].pc |
				 (th->raw->frames[k].activation ?
				  PROFILE_PC_EXACT : 0);
		profile_add(p, profile_stack(p, pcs, n), 0,
			    profile_string(p, name ? name : ""),
			    THREAD_OTHER, &v);
	}
	free(pcs);
}

int
threads_run(const struct threads_opts *o)
{
	struct capture c;
	struct grouping g;
	struct frame_source src;
	struct profile p;
	struct pp_err err;
	struct render_info info = { "Threads by stack", NULL, NULL, 0 };
	size_t i;
	int status = EXIT_COMPLETE;

	if (!outputs_check(o->outputs, o->noutputs))
		return EXIT_FATAL;
	if (capture_process(&c, o->pid, o->stack_size, o->unwinder,
			    &err) < 0) {
		error_msg_err(&err);
		capture_free(&c);
		return EXIT_FATAL;
	}
	memset(&g, 0, sizeof(g));
	g.c = &c;
	group_threads(&g);
	build_profile(&g, &p);
	symbols_frame_source(c.syms, &src);
	for (i = 0; i < o->noutputs; i++) {
		const struct output *op = &o->outputs[i];
		struct buf out;
		int rc = 0;

		buf_init(&out);
		if (op->format == FORMAT_TEXT)
			write_text(&g, &out);
		else if (op->format == FORMAT_JSON)
			write_json(&g, &out);
		else
			rc = output_render(op->format, &p, &src, &info, &out,
					   &err);
		if (rc < 0)
			error_msg_err(&err);
		if (rc < 0 || output_deliver(op, &out, o->quiet) < 0)
			status = EXIT_PARTIAL;
		buf_free(&out);
	}
	if (c.incomplete && status == EXIT_COMPLETE) {
		if (!o->quiet)
			warning_msg("%zu of %zu stacks are incomplete",
				    c.incomplete, c.n);
		status = EXIT_PARTIAL;
	}
	profile_free(&p);
	grouping_free(&g);
	capture_free(&c);
	return status;
}
