/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "trend.h"
#include "flamegraph.h"
#include "heap.h"
#include "msg.h"
#include "output.h"
#include "procfs.h"
#include "snapdir.h"
#include "units.h"
#include "xmalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The chart's geometry, in pixels. */
#define CH_WIDTH	980
#define CH_LEFT		90	/* y axis labels */
#define CH_RIGHT	270	/* the legend */
#define CH_TOP		70	/* title and subtitle */
#define CH_MEM		300	/* the memory panel */
#define CH_GAP		80	/* x labels of the memory panel, a title */
#define CH_THREADS	130	/* the thread panel */
#define CH_BOTTOM	60	/* x labels and axis title */
#define CH_PLOT		(CH_WIDTH - CH_LEFT - CH_RIGHT)
/* Readings drawn as dots with a hover title, at most. */
#define CH_MAX_DOTS	400

static const char *const cat_colour[MEM_NCATEGORIES] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#7f7f7f",
};
#define THREADS_COLOUR	"#17becf"
#define SUSPECT_COLOUR	"#c00000"

/* --- Parsing --------------------------------------------------------- */

enum { COL_TIME, COL_CATEGORY, COL_RSS, COL_THREADS, COL_PID, NCOLS };

static const char *const col_names[NCOLS] = {
	"time", "category", "rss", "threads", "pid",
};

/* Splits @line at tabs, in place; returns the number of fields. */
static size_t
split(char *line, char **f, size_t max)
{
	size_t n = 0;

	for (;;) {
		if (n < max)
			f[n] = line;
		n++;
		line = strchr(line, '\t');
		if (!line)
			return n;
		*line++ = '\0';
	}
}

static bool
number(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !*end && !errno;
}

void
trend_free(struct trend *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

int
trend_parse(const char *text, struct trend *t, struct pp_err *err)
{
	char *copy = xstrdup(text), *line, *next, *f[64];
	int col[NCOLS];
	size_t lineno = 0, nf, i;
	unsigned int seen = 0;	/* categories in the current point */
	int missing = COL_TIME;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < NCOLS; i++)
		col[i] = -1;
	for (line = copy; line; line = next) {
		struct trend_point *p;
		uint64_t rss, threads = 0, pid = 0;
		time_t when;
		int c;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (!*line)
			continue;
		nf = split(line, f, ARRAY_SIZE(f));
		if (nf > ARRAY_SIZE(f))
			nf = ARRAY_SIZE(f);
		if (lineno == 1) {
			for (i = 0; i < nf; i++)
				for (c = 0; c < NCOLS; c++)
					if (strcmp(f[i], col_names[c]) == 0)
						col[c] = i;
			for (c = 0; c <= COL_RSS; c++) {
				missing = c;
				if (col[c] < 0)
					goto bad_header;
			}
			t->has_threads = col[COL_THREADS] >= 0;
			continue;
		}
		for (c = 0; c < NCOLS; c++)
			if (col[c] >= (int) nf)
				goto bad_row;
		when = snapdir_row_time(f[col[COL_TIME]]);
		if (when == (time_t) -1 || !number(f[col[COL_RSS]], &rss) ||
		    (col[COL_THREADS] >= 0 &&
		     !number(f[col[COL_THREADS]], &threads)) ||
		    (col[COL_PID] >= 0 && !number(f[col[COL_PID]], &pid)))
			goto bad_row;
		for (c = 0; c < MEM_NCATEGORIES; c++)
			if (strcmp(f[col[COL_CATEGORY]],
				   mem_category_name(c)) == 0)
				break;
		if (c == MEM_NCATEGORIES)
			continue;	/* a category of a later version */
		/* A reading is a run of rows of one time and process, each
		 * category once (heap --watch can read twice a second). */
		p = t->n ? &t->v[t->n - 1] : NULL;
		if (!p || p->t_ns != (int64_t) when * 1000000000 ||
		    p->pid != (pid_t) pid || (seen & (1u << c))) {
			t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof(*t->v));
			p = &t->v[t->n++];
			memset(p, 0, sizeof(*p));
			p->t_ns = (int64_t) when * 1000000000;
			p->pid = (pid_t) pid;
			seen = 0;
			if (t->n > 1 && p->pid != t->v[t->n - 2].pid)
				t->last_start = t->n - 1;
		}
		seen |= 1u << c;
		p->rss[c] = rss;
		p->threads = threads;
	}
	free(copy);
	if (t->n == 0)
		return pp_err_set(err, EINVAL, "no reading in it");
	return 0;

bad_header:
	free(copy);
	trend_free(t);
	return pp_err_set(err, EINVAL,
			  "not a memory TSV: its header has no '%s' column (expected time, category, rss, ... as heap --tsv and snapshot write)",
			  col_names[missing]);
bad_row:
	free(copy);
	trend_free(t);
	return pp_err_set(err, EINVAL, "line %zu: malformed row", lineno);
}

/* --- Figures ----------------------------------------------------------- */

/* The series of category @c (or of the threads, c < 0) from @from. */
static void
series(const struct trend *t, int c, size_t from, struct mem_series *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = from; i < t->n; i++)
		mem_series_add(s, t->v[i].t_ns,
			       c < 0 ? t->v[i].threads : t->v[i].rss[c]);
}

/* Which categories have memory at any reading. */
static unsigned int
shown_categories(const struct trend *t)
{
	unsigned int mask = 0;
	size_t i;
	int c;

	for (i = 0; i < t->n; i++)
		for (c = 0; c < MEM_NCATEGORIES; c++)
			if (t->v[i].rss[c])
				mask |= 1u << c;
	return mask;
}

struct growth {
	double per_hour;	/* bytes (threads) per hour */
	bool known;		/* two readings or more */
	bool suspect;
	size_t grew, intervals;
};

static void
growth_of(const struct trend *t, int c, struct growth *g)
{
	struct mem_series s;

	series(t, c, t->last_start, &s);
	memset(g, 0, sizeof(*g));
	g->known = s.n >= 2;
	g->per_hour = mem_series_slope(&s) * 60;
	g->intervals = s.n ? s.n - 1 : 0;
	if (c >= 0)
		g->suspect = mem_series_leak_suspect(&s, &g->grew);
	mem_series_free(&s);
}

enum time_format {
	TF_ISO,		/* 2026-11-23T19:50:00Z */
	TF_LONG,	/* 2026-11-23 19:50:00 */
	TF_DATE,	/* 2026-11-23 */
	TF_DAY_TIME,	/* 11-23 19:50 */
	TF_SECONDS,	/* 19:50:00 */
	TF_MINUTES,	/* 19:50 */
};

static void
utc(int64_t t_ns, enum time_format f, char *buf, size_t len)
{
	time_t secs = t_ns / 1000000000;
	struct tm tm;

	gmtime_r(&secs, &tm);
	switch (f) {
	case TF_ISO:
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
		break;
	case TF_LONG:
		strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
		break;
	case TF_DATE:
		strftime(buf, len, "%Y-%m-%d", &tm);
		break;
	case TF_DAY_TIME:
		strftime(buf, len, "%m-%d %H:%M", &tm);
		break;
	case TF_SECONDS:
		strftime(buf, len, "%H:%M:%S", &tm);
		break;
	default:
		strftime(buf, len, "%H:%M", &tm);
		break;
	}
}

void
trend_table(const struct trend *t, struct buf *out)
{
	unsigned int shown = shown_categories(t);
	const struct trend_point *first = &t->v[0], *last = &t->v[t->n - 1];
	char a[32], b[32], span[32];
	struct growth g;
	size_t i;
	int c;

	utc(first->t_ns, TF_ISO, a, sizeof(a));
	utc(last->t_ns, TF_ISO, b, sizeof(b));
	units_duration(last->t_ns - first->t_ns, span, sizeof(span));
	buf_printf(out, "%zu readings from %s to %s (%s); rss by category\n",
		   t->n, a, b, span);
	buf_printf(out, "%-20s", "TIME (UTC)");
	for (c = 0; c < MEM_NCATEGORIES; c++)
		if (shown & (1u << c))
			buf_printf(out, " %10s", mem_category_name(c));
	if (t->has_threads)
		buf_printf(out, " %8s", "threads");
	if (first->pid)
		buf_printf(out, " %8s", "pid");
	buf_putc(out, '\n');
	for (i = 0; i < t->n; i++) {
		const struct trend_point *p = &t->v[i];

		utc(p->t_ns, TF_ISO, a, sizeof(a));
		buf_printf(out, "%-20s", a);
		for (c = 0; c < MEM_NCATEGORIES; c++) {
			if (!(shown & (1u << c)))
				continue;
			units_size(p->rss[c], a, sizeof(a));
			buf_printf(out, " %10s", a);
		}
		if (t->has_threads)
			buf_printf(out, " %8" PRIu64, p->threads);
		if (p->pid)
			buf_printf(out, " %8d", (int) p->pid);
		buf_putc(out, '\n');
	}

	buf_printf(out, "%-20s", "growth per hour");
	for (c = 0; c < MEM_NCATEGORIES; c++) {
		if (!(shown & (1u << c)))
			continue;
		growth_of(t, c, &g);
		if (g.known)
			units_size_signed(g.per_hour, a, sizeof(a));
		buf_printf(out, " %10s", g.known ? a : "-");
	}
	if (t->has_threads) {
		growth_of(t, -1, &g);
		if (g.known)
			buf_printf(out, " %+8.1f", g.per_hour);
		else
			buf_printf(out, " %8s", "-");
	}
	buf_putc(out, '\n');
	if (t->last_start) {
		utc(t->v[t->last_start].t_ns, TF_ISO, a,
		    sizeof(a));
		buf_printf(out, "the process changed (pid %d from %s): growth and leak suspects are of pid %d's %zu readings\n",
			   (int) t->v[t->last_start].pid, a,
			   (int) t->v[t->last_start].pid,
			   t->n - t->last_start);
	}
	for (c = 0; c < MEM_NCATEGORIES; c++) {
		const struct trend_point *f = &t->v[t->last_start];

		growth_of(t, c, &g);
		if (!g.suspect)
			continue;
		units_size(f->rss[c], a, sizeof(a));
		units_size(last->rss[c], b, sizeof(b));
		units_size_rate(g.per_hour, span, sizeof(span));
		buf_printf(out, "%s: leak suspect: grew in %zu of %zu intervals, %s (from %s to %s)\n",
			   mem_category_name(c), g.grew, g.intervals, span, a,
			   b);
	}
}

/* --- The chart ----------------------------------------------------------- */

/* 1, 2, 2.5 or 5 times a power of ten, at least @raw. */
static double
nice_step(double raw)
{
	static const double steps[] = { 1, 2, 2.5, 5, 10 };
	double p = pow(10, floor(log10(raw)));
	size_t i;

	for (i = 0; i < ARRAY_SIZE(steps); i++)
		if (steps[i] * p >= raw)
			return steps[i] * p;
	return 10 * p;
}

struct axis {
	double max;		/* top of the axis, in units */
	double step;		/* between ticks, in units */
	double unit;		/* bytes (or threads) per unit */
	const char *unit_name;
	bool whole;		/* labels without decimals */
};

static void
value_axis(double maxv, bool bytes, struct axis *ax)
{
	static const char *const names[] = { "B", "KiB", "MiB", "GiB",
					     "TiB" };
	size_t u = 0;

	ax->unit = 1;
	ax->unit_name = bytes ? names[0] : "threads";
	while (bytes && maxv >= 1024 * ax->unit && u + 1 < ARRAY_SIZE(names)) {
		ax->unit *= 1024;
		ax->unit_name = names[++u];
	}
	maxv /= ax->unit;
	if (maxv <= 0)
		maxv = 1;
	ax->step = nice_step(maxv / 5);
	if (!bytes && ax->step < 1)
		ax->step = 1;
	ax->max = ceil(maxv / ax->step - 1e-9) * ax->step;
	if (ax->max <= 0)
		ax->max = ax->step;
	ax->whole = ax->step == floor(ax->step);
}

struct chart {
	const struct trend *t;
	int64_t t0, t1;		/* ns, the x axis */
	struct buf *out;
};

static double
x_of(const struct chart *ch, int64_t t_ns)
{
	return CH_LEFT + (double) (t_ns - ch->t0) / (ch->t1 - ch->t0) *
	       CH_PLOT;
}

static void
time_axis(const struct chart *ch, int top, int height)
{
	static const int64_t steps[] = {
		1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600,
		7200, 10800, 21600, 43200, 86400, 172800, 604800, 1209600,
		2592000, 7776000, 31536000,
	};
	int64_t span = (ch->t1 - ch->t0) / 1000000000, step = steps[0], s;
	size_t i;
	char label[32];

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		step = steps[i];
		if (span / step <= 6)
			break;
	}
	for (s = (ch->t0 / 1000000000 + step - 1) / step * step;
	     (int64_t) s * 1000000000 <= ch->t1; s += step) {
		double x = x_of(ch, s * 1000000000);

		buf_printf(ch->out, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' class='grid'/>\n",
			   x, top, x, top + height);
		utc(s * 1000000000, step >= 86400 ? TF_DATE :
		    span >= 86400 ? TF_DAY_TIME :
		    step < 60 ? TF_SECONDS : TF_MINUTES, label,
		    sizeof(label));
		buf_printf(ch->out, "<text x='%.1f' y='%d' text-anchor='middle'>%s</text>\n",
			   x, top + height + 16, label);
	}
}

static void
y_axis(const struct chart *ch, const struct axis *ax, int top, int height,
       const char *title)
{
	double v;

	for (v = 0; v <= ax->max + ax->step / 2; v += ax->step) {
		double y = top + height - v / ax->max * height;

		buf_printf(ch->out, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' class='grid'/>\n",
			   CH_LEFT, y, CH_LEFT + CH_PLOT, y);
		buf_printf(ch->out, ax->whole ?
			   "<text x='%d' y='%.1f' text-anchor='end'>%.0f</text>\n" :
			   "<text x='%d' y='%.1f' text-anchor='end'>%.1f</text>\n",
			   CH_LEFT - 6, y + 4, v);
	}
	buf_printf(ch->out, "<rect x='%d' y='%d' width='%d' height='%d' class='frame'/>\n",
		   CH_LEFT, top, CH_PLOT, height);
	buf_printf(ch->out, "<text x='%d' y='%d' text-anchor='middle' transform='rotate(-90 %d %d)' class='axis'>",
		   22, top + height / 2, 22, top + height / 2);
	xml_text(ch->out, title);
	buf_printf(ch->out, "</text>\n");
}

/* The line of category @c (threads when c < 0), with dots and titles. */
static void
plot_line(const struct chart *ch, const struct axis *ax, int top, int height,
	  int c, const char *colour, double width)
{
	const struct trend *t = ch->t;
	const char *name = c < 0 ? "threads" : mem_category_name(c);
	size_t i;

	/* One polyline per process: a restart is no line. */
	for (i = 0; i < t->n; i++) {
		double v = c < 0 ? t->v[i].threads : t->v[i].rss[c];
		bool start = !i || t->v[i].pid != t->v[i - 1].pid;

		if (start)
			buf_printf(ch->out, "%s<polyline fill='none' stroke='%s' stroke-width='%.1f' points='",
				   i ? "'/>\n" : "", colour, width);
		buf_printf(ch->out, "%s%.1f,%.1f", start ? "" : " ",
			   x_of(ch, t->v[i].t_ns),
			   top + height - v / ax->unit / ax->max * height);
	}
	buf_printf(ch->out, "'/>\n");
	if (t->n > CH_MAX_DOTS)
		return;
	for (i = 0; i < t->n; i++) {
		double v = c < 0 ? t->v[i].threads : t->v[i].rss[c];
		char when[32], val[32];

		utc(t->v[i].t_ns, TF_LONG, when, sizeof(when));
		if (c < 0)
			snprintf(val, sizeof(val), "%" PRIu64,
				 t->v[i].threads);
		else
			units_size(t->v[i].rss[c], val, sizeof(val));
		buf_printf(ch->out, "<circle cx='%.1f' cy='%.1f' r='3' fill='%s'><title>%s %s UTC: %s</title></circle>\n",
			   x_of(ch, t->v[i].t_ns),
			   top + height - v / ax->unit / ax->max * height,
			   colour, name, when, val);
	}
}

/*
 * A legend entry at @y: swatch, name, its growth, and for a leak suspect
 * a third line.  Returns the y of the next entry.
 */
static int
legend(const struct chart *ch, int y, const char *colour, const char *name,
       const char *line2, const char *suspect)
{
	int x = CH_LEFT + CH_PLOT + 20;

	buf_printf(ch->out, "<rect x='%d' y='%d' width='18' height='4' fill='%s'/>\n",
		   x, y - 6, colour);
	buf_printf(ch->out, "<text x='%d' y='%d'>%s</text>\n", x + 26,
		   y, name);
	buf_printf(ch->out, "<text x='%d' y='%d' class='note'>",
		   x + 26, y + 15);
	xml_text(ch->out, line2);
	buf_printf(ch->out, "</text>\n");
	if (!suspect)
		return y + 38;
	buf_printf(ch->out, "<text x='%d' y='%d' class='suspect'>",
		   x + 26, y + 30);
	xml_text(ch->out, suspect);
	buf_printf(ch->out, "</text>\n");
	return y + 52;
}

void
trend_svg(const struct trend *t, const char *title, struct buf *out)
{
	unsigned int shown = shown_categories(t);
	int mem_top = CH_TOP, thr_top = CH_TOP + CH_MEM + CH_GAP;
	int height = thr_top + (t->has_threads ? CH_THREADS : -CH_GAP) +
		     CH_BOTTOM;
	struct chart ch = { t, t->v[0].t_ns, t->v[t->n - 1].t_ns, out };
	struct axis mem, thr;
	struct growth g;
	char a[64], b[64], line2[96], line3[96];
	double maxv = 0, maxt = 0;
	size_t i;
	int c, y;

	if (ch.t1 == ch.t0) {
		/* A single reading: a minute wide. */
		ch.t0 -= 30000000000ll;
		ch.t1 += 30000000000ll;
	} else {
		/* A margin, so that no dot sits on the frame. */
		int64_t m = (ch.t1 - ch.t0) / 40;

		if (m < 1000000000)
			m = 1000000000;
		ch.t0 -= m;
		ch.t1 += m;
	}
	for (i = 0; i < t->n; i++) {
		for (c = 0; c < MEM_NCATEGORIES; c++)
			if (t->v[i].rss[c] > maxv)
				maxv = t->v[i].rss[c];
		if (t->v[i].threads > maxt)
			maxt = t->v[i].threads;
	}
	value_axis(maxv, true, &mem);
	value_axis(maxt, false, &thr);

	buf_printf(out, "<?xml version='1.0' encoding='UTF-8' standalone='no'?>\n"
		   "<svg version='1.1' xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' viewBox='0 0 %d %d'>\n",
		   CH_WIDTH, height, CH_WIDTH, height);
	buf_printf(out, "<style>text{font-family:sans-serif;font-size:12px;fill:#222}"
		   ".title{font-size:17px}.sub{fill:#555}.axis{font-size:13px}"
		   ".note{fill:#666;font-size:11px}"
		   ".suspect{fill:" SUSPECT_COLOUR ";font-size:11px;font-weight:bold}"
		   ".grid{stroke:#ddd;stroke-width:1}"
		   ".frame{fill:none;stroke:#888;stroke-width:1}</style>\n");
	buf_printf(out, "<rect x='0' y='0' width='%d' height='%d' fill='#fff'/>\n",
		   CH_WIDTH, height);
	buf_printf(out, "<text x='%d' y='26' text-anchor='middle' class='title'>",
		   CH_WIDTH / 2);
	xml_text(out, title);
	utc(t->v[0].t_ns, TF_LONG, a, sizeof(a));
	utc(t->v[t->n - 1].t_ns, TF_LONG, b, sizeof(b));
	buf_printf(out, "</text>\n<text x='%d' y='46' text-anchor='middle' class='sub'>%zu readings, %s to %s UTC</text>\n",
		   CH_WIDTH / 2, t->n, a, b);

	/* Memory. */
	buf_printf(out, "<text x='%d' y='%d' class='axis'>Resident memory by category</text>\n",
		   CH_LEFT, mem_top - 6);
	time_axis(&ch, mem_top, CH_MEM);
	snprintf(line2, sizeof(line2), "rss (%s)", mem.unit_name);
	y_axis(&ch, &mem, mem_top, CH_MEM, line2);
	y = mem_top + 12;
	for (c = 0; c < MEM_NCATEGORIES; c++) {
		if (!(shown & (1u << c)))
			continue;
		growth_of(t, c, &g);
		plot_line(&ch, &mem, mem_top, CH_MEM, c, cat_colour[c],
			  g.suspect ? 3.5 : 2);
		if (g.known)
			units_size_rate(g.per_hour, line2, sizeof(line2));
		else
			snprintf(line2, sizeof(line2), "one reading");
		snprintf(line3, sizeof(line3),
			 "LEAK SUSPECT, grew %zu of %zu", g.grew,
			 g.intervals);
		y = legend(&ch, y, cat_colour[c], mem_category_name(c), line2,
			   g.suspect ? line3 : NULL);
	}

	/* Threads. */
	if (t->has_threads) {
		buf_printf(out, "<text x='%d' y='%d' class='axis'>Threads</text>\n",
			   CH_LEFT, thr_top - 6);
		time_axis(&ch, thr_top, CH_THREADS);
		y_axis(&ch, &thr, thr_top, CH_THREADS, "threads");
		plot_line(&ch, &thr, thr_top, CH_THREADS, -1, THREADS_COLOUR,
			  2);
		growth_of(t, -1, &g);
		if (g.known)
			snprintf(line2, sizeof(line2), "%+.1f per hour",
				 g.per_hour);
		else
			snprintf(line2, sizeof(line2), "one reading");
		legend(&ch, thr_top + 12, THREADS_COLOUR, "threads", line2,
		       NULL);
	}

	/* Restarts: a dashed line where the pid changes. */
	for (i = 1; i < t->n; i++) {
		double x;

		if (t->v[i].pid == t->v[i - 1].pid)
			continue;
		x = x_of(&ch, t->v[i].t_ns);
		buf_printf(out, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#444' stroke-dasharray='4,3'/>\n",
			   x, mem_top, x, height - CH_BOTTOM);
		buf_printf(out, "<text x='%.1f' y='%d' class='note'>pid %d</text>\n",
			   x + 3, mem_top + 12, (int) t->v[i].pid);
	}
	buf_printf(out, "<text x='%d' y='%d' text-anchor='middle' class='axis'>time (UTC)</text>\n",
		   CH_LEFT + CH_PLOT / 2, height - 14);
	buf_printf(out, "</svg>\n");
}

/* --- The command --------------------------------------------------------- */

int
trend_run(const struct trend_opts *o)
{
	struct pp_err err;
	struct trend t;
	struct stat st;
	struct buf out;
	char *path, *text, title[512];
	int status = EXIT_COMPLETE;

	if (stat(o->input, &st) == 0 && S_ISDIR(st.st_mode))
		path = xasprintf("%s/" SNAPDIR_TSV, o->input);
	else
		path = xstrdup(o->input);
	if (procfs_read_file(path, &text, NULL, &err) < 0) {
		error_msg_err(&err);
		free(path);
		return EXIT_FATAL;
	}
	if (trend_parse(text, &t, &err) < 0) {
		error_msg("%s: %s", path, err.text);
		free(text);
		free(path);
		return EXIT_FATAL;
	}
	free(text);

	buf_init(&out);
	trend_table(&t, &out);
	if (fwrite(out.data, 1, out.len, stdout) != out.len ||
	    fflush(stdout) != 0) {
		error_msg("cannot write to standard output: %s",
			  strerror(errno));
		status = EXIT_PARTIAL;
	}
	if (o->svg) {
		out.len = 0;
		snprintf(title, sizeof(title), "Memory and threads: %s", path);
		trend_svg(&t, title, &out);
		if (output_write_file(o->svg, out.data, out.len, 0644,
				      &err) < 0) {
			error_msg_err(&err);
			status = EXIT_PARTIAL;
		} else if (!o->quiet) {
			char size[UNITS_LEN];

			units_size(out.len, size, sizeof(size));
			info_msg("wrote %s (svg, %s)", o->svg, size);
		}
	}
	if (o->fail_on_suspect) {
		struct growth g;
		int c;

		for (c = 0; c < MEM_NCATEGORIES; c++) {
			growth_of(&t, c, &g);
			if (g.suspect)
				status = EXIT_PARTIAL;
		}
	}
	buf_free(&out);
	trend_free(&t);
	free(path);
	return status;
}
