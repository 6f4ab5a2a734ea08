/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "top.h"
#include "attach.h"
#include "folded.h"
#include "msg.h"
#include "signals.h"
#include "xmalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define REFRESH_NS	1000000000ull
/* Keys are read at least this often. */
#define KEYS_NS		100000000ull

static bool sort_by_total;

static int
cmp_rows(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	int64_t vx = sort_by_total ? x->total : x->own;
	int64_t vy = sort_by_total ? y->total : y->own;

	if (vx != vy)
		return vx > vy ? -1 : 1;
	return strcmp(x->name, y->name);
}

size_t
top_rows(const struct folded *f, bool by_total, struct top_row **out)
{
	size_t nnames = f->strings.n, i, k, n = 0;
	struct top_row *rows = xcalloc(nnames + 1, sizeof(*rows));
	size_t *seen = xcalloc(nnames + 1, sizeof(*seen));

	for (i = 0; i < nnames; i++)
		rows[i].name = f->strings.v[i];
	for (i = 0; i < f->nstacks; i++) {
		const struct folded_stack *st = &f->stacks[i];
		const struct folded_frame *fr = f->frames + st->off;

		if (!st->n)
			continue;
		rows[fr[st->n - 1].name].own += st->value;
		/* Recursion counts once per stack. */
		for (k = 0; k < st->n; k++) {
			if (seen[fr[k].name] == i + 1)
				continue;
			seen[fr[k].name] = i + 1;
			rows[fr[k].name].total += st->value;
		}
	}
	/* Only names of frames (not of modules) have a total. */
	for (i = 0; i < nnames; i++)
		if (rows[i].total)
			rows[n++] = rows[i];
	sort_by_total = by_total;
	qsort(rows, n, sizeof(*rows), cmp_rows);
	free(seen);
	*out = rows;
	return n;
}

struct view {
	const struct top_opts *o;
	struct sampler *s;
	struct sampler_result *res;
	bool tty;
	struct termios saved;
	bool raw;
	/* chosen with w and c; the window being sampled; the one shown */
	enum sample_mode mode, sampling, shown;
	bool by_total, paused;
	uint64_t intervals;
};

static void
tty_raw(struct view *v)
{
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &v->saved) < 0)
		return;
	t = v->saved;
	/* Keys one at a time, not echoed; ^C still stops (ISIG). */
	t.c_lflag &= ~(tcflag_t) (ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
		v->raw = true;
	fputs("\033[?25l", stdout);	/* hide the cursor */
	fflush(stdout);
}

static void
tty_restore(struct view *v)
{
	if (!v->tty)
		return;
	fputs("\033[?25h\n", stdout);
	fflush(stdout);
	if (v->raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &v->saved);
	v->raw = false;
}

static double
share(int64_t v, int64_t total)
{
	return total > 0 ? 100.0 * (double) v / (double) total : 0;
}

static void
show(struct view *v, const struct profile *p)
{
	struct frame_source src;
	struct folded fo;
	struct top_row *rows;
	size_t n, i;
	char clock[16];
	time_t now = time(NULL);
	struct tm tm;

	if (v->res->syms)
		symbols_frame_source(v->res->syms, &src);
	else
		empty_frame_source(&src);
	folded_build(&fo, p, &src, p->nvalues - 1);
	n = top_rows(&fo, v->by_total, &rows);
	localtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	v->intervals++;
	if (!v->tty) {
		/* One line per interval, for a pipe or a file. */
		int64_t val;
		size_t k = 0;

		printf("%s %s", clock, sample_mode_name(v->shown));
		for (i = 0; i < n && k < 5; i++) {
			val = v->by_total ? rows[i].total : rows[i].own;
			if (!val)
				continue;
			printf("%s %.1f%% %s", k++ ? "," : "",
			       share(val, fo.total), rows[i].name);
		}
		printf("%s\n", k ? "" : " (no samples)");
		fflush(stdout);
		free(rows);
		folded_free(&fo);
		return;
	}
	printf("\033[H\033[2J");
	printf("pidprof top  pid %d  %s mode  %d Hz  %s  sorted by %s%s\n",
	       (int) v->res->pid, sample_mode_name(v->shown),
	       v->o->sampler.rate_hz, clock, v->by_total ? "total" : "own",
	       v->paused ? "  [paused]" : "");
	printf("keys: q quit  w wall  c cpu  t sort by total  s sort by own  p pause\n\n");
	printf("%7s %7s  %s\n", "own%", "total%", "function");
	for (i = 0; i < n && (long) i < v->o->rows; i++)
		printf("%6.1f%% %6.1f%%  %s\n", share(rows[i].own, fo.total),
		       share(rows[i].total, fo.total), rows[i].name);
	if (!n)
		printf("  (no samples in the last interval%s)\n",
		       v->shown == MODE_CPU ? ": the process used no CPU" : "");
	fflush(stdout);
	free(rows);
	folded_free(&fo);
}

/* Handles the keys typed since the last call; false on q. */
static bool
keys(struct view *v)
{
	char c;

	if (!v->tty)
		return true;
	while (read(STDIN_FILENO, &c, 1) == 1) {
		switch (c) {
		case 'q':
		case 'Q':
			return false;
		case 'w':
		case 'c':
			v->mode = c == 'w' ? MODE_WALL : MODE_CPU;
			sampler_reconfigure(v->s, v->mode,
					    v->o->sampler.rate_hz,
					    v->o->sampler.no_idle);
			break;
		case 't':
			v->by_total = true;
			break;
		case 's':
			v->by_total = false;
			break;
		case 'p':
			v->paused = !v->paused;
			/* What ran while paused belongs to no interval. */
			if (!v->paused) {
				sampler_skip(v->s);
				v->sampling = v->mode;
			}
			break;
		default:
			break;
		}
	}
	return true;
}

int
top_run(struct top_opts *o)
{
	struct sampler_result res;
	struct view v;
	uint64_t next, end = 0;
	enum sampler_state st = SAMPLER_DUE;

	stop_requested = 0;
	o->sampler.stop = &stop_requested;
	o->sampler.status_line = false;
	stop_signals_install();
	memset(&res, 0, sizeof(res));
	memset(&v, 0, sizeof(v));
	v.o = o;
	v.res = &res;
	v.mode = v.sampling = o->sampler.mode;
	v.s = sampler_open(&o->sampler, &res);
	if (!v.s) {
		error_msg_err(&res.err);
		sampler_result_free(&res);
		return EXIT_FATAL;
	}
	v.tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	if (v.tty)
		tty_raw(&v);
	next = now_ns() + REFRESH_NS;
	if (o->sampler.duration_ns)
		end = now_ns() + o->sampler.duration_ns;
	while (st == SAMPLER_DUE) {
		uint64_t now = now_ns(), until = now + KEYS_NS;

		if (until > next)
			until = next;
		if (end && until > end)
			until = end;
		st = v.paused ? sampler_idle(v.s, until) :
		     sampler_poll(v.s, until);
		if (st != SAMPLER_DUE || !keys(&v))
			break;
		now = now_ns();
		if (now >= next) {
			struct profile win;

			if (!v.paused) {
				/* A new mode begins with the next window. */
				sampler_cut(v.s, &win, NULL);
				v.shown = v.sampling;
				v.sampling = v.mode;
				show(&v, &win);
				profile_free(&win);
			} else if (v.tty) {
				printf("\033[1;1Hpidprof top  pid %d  [paused: p resumes]\033[K",
				       (int) res.pid);
				fflush(stdout);
			}
			next = now + REFRESH_NS;
		}
		if (end && now >= end)
			break;
	}
	sampler_close(v.s);
	tty_restore(&v);
	if (st == SAMPLER_ENDED)
		info_msg("the process ended");
	sampler_result_free(&res);
	return EXIT_COMPLETE;
}
