/*
 * pidprof heap: read /proc/PID/smaps, sum the mappings by category and
 * name, and write a table, a memory profile, or (with --watch) a row per
 * category and interval with the growth of each at the end.  No ptrace:
 * reading smaps stops nothing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "heap.h"
#include "attach.h"
#include "msg.h"
#include "pidsel.h"
#include "procfs.h"
#include "signals.h"
#include "strtab.h"
#include "units.h"
#include "xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int
cmp_rows(const void *a, const void *b)
{
	const struct mem_row *x = a, *y = b;

	if (x->rss != y->rss)
		return x->rss < y->rss ? 1 : -1;
	if (x->category != y->category)
		return (int) x->category - (int) y->category;
	return strcmp(x->name, y->name);
}

void
mem_aggregate(const struct smaps *s, const struct thread_sp *sps, size_t nsps,
	      struct mem_reading *out)
{
	struct strtab keys;
	size_t cap = 0, i, k;

	strtab_init(&keys);
	out->rows = NULL;
	out->n = 0;
	for (i = 0; i < s->n; i++) {
		const struct smaps_entry *e = &s->v[i];
		pid_t stack_tid = 0;
		enum mem_category c;
		char name[4200], key[4300];
		struct mem_row *r;
		uint32_t id;

		for (k = 0; k < nsps && !stack_tid; k++)
			if (sps[k].sp >= e->start && sps[k].sp < e->end)
				stack_tid = sps[k].tid;
		c = smaps_classify(e, stack_tid, name, sizeof(name));
		snprintf(key, sizeof(key), "%d\t%s", (int) c, name);
		id = strtab_intern(&keys, key);
		if (id == out->n) {
			out->rows = xgrow(out->rows, &cap, out->n + 1,
					  sizeof(*out->rows));
			r = &out->rows[out->n++];
			memset(r, 0, sizeof(*r));
			r->category = c;
			r->name = xstrdup(name);
		}
		r = &out->rows[id];
		r->rss += e->rss;
		r->pss += e->pss;
		r->private_dirty += e->private_dirty;
		r->swap += e->swap;
		r->anon += e->anonymous;
	}
	strtab_free(&keys);
	if (out->n > 1)
		qsort(out->rows, out->n, sizeof(*out->rows), cmp_rows);
}

void
mem_reading_free(struct mem_reading *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->rows[i].name);
	free(r->rows);
	memset(r, 0, sizeof(*r));
}

/* Stack pointers of the threads that sleep (running ones tell none). */
static size_t
thread_sps(pid_t pid, struct thread_sp **sps)
{
	pid_t *tids;
	size_t n, i, k = 0;

	*sps = NULL;
	if (procfs_list_tasks(pid, &tids, &n, NULL) < 0)
		return 0;
	*sps = xcalloc(n + 1, sizeof(**sps));
	for (i = 0; i < n; i++) {
		struct syscall_state ss;

		if (procfs_thread_syscall(pid, tids[i], &ss) == 0 &&
		    !ss.running && ss.sp) {
			(*sps)[k].tid = tids[i];
			(*sps)[k++].sp = ss.sp;
		}
	}
	free(tids);
	return k;
}

int
heap_read(pid_t pid, struct mem_reading *r, struct pp_err *err)
{
	char path[64], *text;
	struct smaps s;
	struct timespec ts;
	struct thread_sp *sps;
	size_t len, nsps;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int) pid);
	if (procfs_read_file(path, &text, &len, err) < 0) {
		int e = err->errnum;

		if (e == ENOENT || e == ESRCH)
			return pp_err_set(err, ESRCH, "no process with pid %d",
					  (int) pid);
		return pp_err_set(err, e, "cannot read %s: %s", path,
				  strerror(e));
	}
	if (smaps_parse(text, len, &s, err) < 0) {
		free(text);
		return -1;
	}
	free(text);
	nsps = thread_sps(pid, &sps);
	mem_aggregate(&s, sps, nsps, r);
	free(sps);
	smaps_free(&s);
	snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
	if (procfs_read_file(path, &text, NULL, NULL) == 0) {
		parse_proc_status(text, &r->status);
		free(text);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	r->time_nanos = (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
	return 0;
}

static void
write_table(const struct mem_reading *r, pid_t pid, struct buf *out)
{
	char comm[64], a[UNITS_LEN], b[UNITS_LEN], c[UNITS_LEN];
	char d[UNITS_LEN];
	int w = 4;
	size_t i;

	procfs_thread_comm(pid, pid, comm, sizeof(comm));
	units_size(r->status.vm_rss, a, sizeof(a));
	units_size(r->status.vm_swap, b, sizeof(b));
	buf_printf(out, "Process %d (%s): RSS total %s, swap %s, %" PRIu64
		   " threads\n", (int) pid, comm, a, b, r->status.threads);
	for (i = 0; i < r->n; i++)
		if ((int) strlen(r->rows[i].name) > w)
			w = strlen(r->rows[i].name);
	if (w > 60)
		w = 60;
	buf_printf(out, "%-10s %-*s %9s %9s %11s %9s\n", "CATEGORY", w,
		   "NAME", "RSS", "PSS", "PRIV_DIRTY", "SWAP");
	for (i = 0; i < r->n; i++) {
		const struct mem_row *m = &r->rows[i];

		units_size(m->rss, a, sizeof(a));
		units_size(m->pss, b, sizeof(b));
		units_size(m->private_dirty, c, sizeof(c));
		units_size(m->swap, d, sizeof(d));
		buf_printf(out, "%-10s %-*s %9s %9s %11s %9s\n",
			   mem_category_name(m->category), w, m->name, a, b, c,
			   d);
	}
}

/* The memory profile: "stacks" are category (root) and name (leaf),
 * whose frames come from a table of names instead of symbols. */
struct mem_frames {
	struct strtab names;
	struct sym_frame *frames;
	size_t cap;
};

static uint64_t
frame_id(struct mem_frames *mf, const char *name)
{
	uint32_t id = strtab_intern(&mf->names, name);

	mf->frames = xgrow(mf->frames, &mf->cap, mf->names.n,
			   sizeof(*mf->frames));
	memset(&mf->frames[id], 0, sizeof(mf->frames[id]));
	mf->frames[id].function = mf->names.v[id];
	/* pcs 0 and 1 mean nothing and "truncated": ids start above. */
	return (uint64_t) (id + 2) | PROFILE_PC_EXACT;
}

static size_t
mem_src_frames(void *arg, uint64_t pc, bool exact,
	       const struct sym_frame **out)
{
	struct mem_frames *mf = arg;

	if (pc < 2 || pc - 2 >= mf->names.n)
		return 0;
	*out = &mf->frames[pc - 2];
	return 1;
}

static bool
mem_src_mapping(void *arg, uint64_t pc, struct pprof_mapping *m)
{
	return false;
}

static void
build_profile(const struct mem_reading *r, struct profile *p,
	      struct mem_frames *mf)
{
	size_t i;

	profile_init(p);
	p->nvalues = 5;
	p->types[0] = (struct profile_value_type) { "inuse_space", "bytes" };
	p->types[1] = (struct profile_value_type) { "rss", "bytes" };
	p->types[2] = (struct profile_value_type) { "pss", "bytes" };
	p->types[3] = (struct profile_value_type) { "private_dirty", "bytes" };
	p->types[4] = (struct profile_value_type) { "swap", "bytes" };
	p->period_type = (struct profile_value_type) { "space", "bytes" };
	p->period = 1;
	p->time_nanos = r->time_nanos;
	p->duration_nanos = 1;
	p->thread_labels = false;
	p->name_label = "category";
	p->display_value = 0;
	for (i = 0; i < r->n; i++) {
		const struct mem_row *m = &r->rows[i];
		uint64_t pcs[2];
		int64_t v[5] = {
			(int64_t) (m->rss + m->swap), (int64_t) m->rss,
			(int64_t) m->pss, (int64_t) m->private_dirty,
			(int64_t) m->swap,
		};
		const char *cat = mem_category_name(m->category);

		if (!m->rss && !m->swap)
			continue;
		pcs[0] = frame_id(mf, m->name);
		pcs[1] = frame_id(mf, cat);
		profile_add(p, profile_stack(p, pcs, 2), 0,
			    profile_string(p, cat), THREAD_OTHER, v);
	}
}

int
heap_render(const struct mem_reading *r, pid_t pid, enum output_format f,
	    struct buf *out, struct pp_err *err)
{
	struct mem_frames mf;
	struct frame_source src = { &mf, mem_src_frames, mem_src_mapping, 0 };
	struct profile p;
	char title[128];
	struct render_info info = { title, "memory by category and mapping",
				    NULL, 0 };
	int rc;

	if (f == FORMAT_TABLE) {
		write_table(r, pid, out);
		return 0;
	}
	memset(&mf, 0, sizeof(mf));
	strtab_init(&mf.names);
	build_profile(r, &p, &mf);
	snprintf(title, sizeof(title), "Memory of process %d", (int) pid);
	rc = output_render(f, &p, &src, &info, out, err);
	profile_free(&p);
	strtab_free(&mf.names);
	free(mf.frames);
	return rc;
}

/* The readings @r of the @n processes @pids in one memory profile,
 * each sample labelled with its process; collapsed and SVG rooted by
 * "process NAME (PID)". */
static int
render_several(const struct mem_reading *r, const pid_t *pids, size_t n,
	       enum output_format f, struct buf *out, struct pp_err *err)
{
	struct mem_frames mf;
	struct frame_source src = { &mf, mem_src_frames, mem_src_mapping, 0 };
	struct profile m, one, grouped;
	char title[128], comm[64];
	struct render_info info = { title, "memory by category and mapping",
				    NULL, 0 };
	size_t i, at;
	int rc;

	memset(&mf, 0, sizeof(mf));
	strtab_init(&mf.names);
	memset(&m, 0, sizeof(m));
	at = (size_t) snprintf(title, sizeof(title), "Memory of processes");
	for (i = 0; i < n; i++) {
		/* One table of names for all: process number 0 each. */
		build_profile(&r[i], &one, &mf);
		if (!i) {
			profile_init(&m);
			m.nvalues = one.nvalues;
			memcpy(m.types, one.types, sizeof(m.types));
			m.period_type = one.period_type;
			m.period = one.period;
			m.time_nanos = one.time_nanos;
			m.duration_nanos = one.duration_nanos;
			m.thread_labels = false;
			m.name_label = one.name_label;
			m.display_value = one.display_value;
		}
		procfs_thread_comm(pids[i], pids[i], comm, sizeof(comm));
		profile_add_process(&m, &one, 0, pids[i], comm);
		profile_free(&one);
		if (at < sizeof(title))
			at += (size_t) snprintf(title + at, sizeof(title) - at,
						"%s%d", i ? "," : " ",
						(int) pids[i]);
	}
	if (output_groups_threads(f)) {
		profile_group_by_process(&m, &grouped);
		rc = output_render(f, &grouped, &src, &info, out, err);
		profile_free(&grouped);
	} else {
		rc = output_render(f, &m, &src, &info, out, err);
	}
	profile_free(&m);
	strtab_free(&mf.names);
	free(mf.frames);
	return rc;
}

/* Every output, of the readings @r of the @n processes @pids. */
static int
write_outputs(const struct heap_opts *o, const struct mem_reading *r,
	      const pid_t *pids, size_t n)
{
	struct pp_err err;
	size_t i, k;
	int status = EXIT_COMPLETE;

	for (i = 0; i < o->noutputs; i++) {
		const struct output *op = &o->outputs[i];
		struct buf out;
		int rc = 0;

		buf_init(&out);
		if (n == 1) {
			rc = heap_render(r, pids[0], op->format, &out, &err);
		} else if (op->format == FORMAT_TABLE) {
			/* A table per process, a blank line between. */
			for (k = 0; k < n; k++) {
				if (k)
					buf_putc(&out, '\n');
				write_table(&r[k], pids[k], &out);
			}
		} else {
			rc = render_several(r, pids, n, op->format, &out,
					    &err);
		}
		if (rc < 0)
			error_msg_err(&err);
		if (rc < 0 || output_deliver(op, &out, o->quiet) < 0)
			status = EXIT_PARTIAL;
		buf_free(&out);
	}
	return status;
}

void
mem_series_add(struct mem_series *s, int64_t t_ns, uint64_t v)
{
	s->t = xgrow(s->t, &s->cap_t, s->n + 1, sizeof(*s->t));
	s->v = xgrow(s->v, &s->cap_v, s->n + 1, sizeof(*s->v));
	s->t[s->n] = t_ns;
	s->v[s->n++] = v;
}

void
mem_series_free(struct mem_series *s)
{
	free(s->t);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void
mem_category_sums(const struct mem_reading *r, uint64_t sums[][4])
{
	size_t i;

	memset(sums, 0, sizeof(uint64_t) * 4 * MEM_NCATEGORIES);
	for (i = 0; i < r->n; i++) {
		const struct mem_row *m = &r->rows[i];

		sums[m->category][0] += m->rss;
		sums[m->category][1] += m->pss;
		sums[m->category][2] += m->anon;
		sums[m->category][3] += m->swap;
	}
}

int
mem_tsv_open(const char *path, mode_t mode, bool pid_column,
	     struct pp_err *err)
{
	const char *hdr = pid_column ? MEM_TSV_HEADER "\tpid\n" :
			  MEM_TSV_HEADER "\n";
	size_t hlen = strlen(hdr);
	struct stat st;
	int fd, e;

	fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, mode);
	if (fd < 0)
		return pp_err_set(err, errno, "cannot write %s: %s", path,
				  strerror(errno));
	if (fstat(fd, &st) < 0)
		goto fail;
	if (st.st_size == 0) {
		if (write(fd, hdr, hlen) != (ssize_t) hlen)
			goto fail;
	} else {
		/* Rows are only added under the header they match. */
		char have[128];
		ssize_t r = pread(fd, have, sizeof(have), 0);

		if (r < 0)
			goto fail;
		if ((size_t) r < hlen || memcmp(have, hdr, hlen) != 0) {
			close(fd);
			return pp_err_set(err, EINVAL,
					  "%s has other columns than the %s ones (%.*s): not appending to it",
					  path,
					  pid_column ? "snapshot" : "--tsv",
					  (int) hlen - 1, hdr);
		}
	}
	return fd;

fail:
	e = errno ? errno : EIO;
	close(fd);
	return pp_err_set(err, e, "cannot write %s: %s", path, strerror(e));
}

int
mem_tsv_append(int fd, const struct mem_reading *r, pid_t pid,
	       struct pp_err *err)
{
	uint64_t sums[MEM_NCATEGORIES][4];
	struct buf b;
	time_t secs = r->time_nanos / 1000000000;
	struct tm tm;
	char when[32];
	int c, rc = 0;

	mem_category_sums(r, sums);
	gmtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_init(&b);
	for (c = 0; c < MEM_NCATEGORIES; c++) {
		buf_printf(&b, "%s\t%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
			   "\t%" PRIu64 "\t%" PRIu64, when,
			   mem_category_name(c), sums[c][0], sums[c][1],
			   sums[c][2], sums[c][3], r->status.threads);
		if (pid)
			buf_printf(&b, "\t%d", (int) pid);
		buf_putc(&b, '\n');
	}
	/* One write: a reading's rows stay together in an appended file. */
	if (write(fd, b.data, b.len) != (ssize_t) b.len)
		rc = pp_err_set(err, errno, "cannot write the TSV file: %s",
				strerror(errno));
	buf_free(&b);
	return rc;
}

double
mem_series_slope(const struct mem_series *s)
{
	double mt = 0, mr = 0, num = 0, den = 0;
	size_t i;

	if (s->n < 2)
		return 0;
	for (i = 0; i < s->n; i++) {
		mt += (s->t[i] - s->t[0]) / 60e9;
		mr += s->v[i];
	}
	mt /= s->n;
	mr /= s->n;
	for (i = 0; i < s->n; i++) {
		double dt = (s->t[i] - s->t[0]) / 60e9 - mt;

		num += dt * (s->v[i] - mr);
		den += dt * dt;
	}
	return den > 0 ? num / den : 0;
}

bool
mem_series_leak_suspect(const struct mem_series *s, size_t *grew)
{
	size_t i;

	*grew = 0;
	if (s->n < 3)
		return false;
	for (i = 1; i < s->n; i++) {
		if (s->v[i] > s->v[i - 1])
			(*grew)++;
		else if (s->v[i - 1] - s->v[i] > s->v[i - 1] / 100)
			return false;
	}
	return *grew * 5 >= (s->n - 1) * 4 &&
	       s->v[s->n - 1] >= s->v[0] + (1u << 20);
}

/* Each category's growth per hour, in the words of pidprof trend. */
static void
print_growth(struct mem_series *series)
{
	int c;

	for (c = 0; c < MEM_NCATEGORIES; c++) {
		struct mem_series *s = &series[c];
		char a[UNITS_LEN], b[UNITS_LEN], rate[2 * UNITS_LEN];
		char span[UNITS_LEN];
		size_t grew;

		if (s->n < 2 || (!s->v[0] && !s->v[s->n - 1]))
			continue;
		units_size_rate(mem_series_slope(s) * 60, rate, sizeof(rate));
		units_size(s->v[0], a, sizeof(a));
		units_size(s->v[s->n - 1], b, sizeof(b));
		units_duration(s->t[s->n - 1] - s->t[0], span, sizeof(span));
		info_msg("%s: %s (from %s to %s over %s)",
			 mem_category_name(c), rate, a, b, span);
		if (mem_series_leak_suspect(s, &grew))
			info_msg("%s: leak suspect: grew in %zu of %zu intervals, %s (from %s to %s)",
				 mem_category_name(c), grew, s->n - 1, rate,
				 a, b);
	}
}

static void
sleep_ns(uint64_t ns)
{
	struct timespec ts = { ns / 1000000000, ns % 1000000000 };

	/* A stop signal interrupts the sleep (no SA_RESTART). */
	nanosleep(&ts, NULL);
}

static int
watch(const struct heap_opts *o)
{
	struct mem_series series[MEM_NCATEGORIES];
	struct mem_reading last;
	struct pp_err err;
	int fd = -1, status = EXIT_COMPLETE, c;
	bool status_shown = false;
	long i;

	memset(series, 0, sizeof(series));
	memset(&last, 0, sizeof(last));
	if (o->tsv) {
		fd = mem_tsv_open(o->tsv, 0644, false, &err);
		if (fd < 0) {
			error_msg_err(&err);
			return EXIT_FATAL;
		}
	}
	stop_requested = 0;
	stop_signals_install();
	for (i = 0; !stop_requested && (!o->count || i < o->count); i++) {
		struct mem_reading r;
		uint64_t sums[MEM_NCATEGORIES][4];

		if (i)
			sleep_ns(o->watch_ns);
		if (stop_requested)
			break;
		if (heap_read(o->who.pids[0], &r, &err) < 0) {
			if (status_shown)
				status_clear();
			status_shown = false;
			if (i == 0) {
				error_msg_err(&err);
				status = EXIT_FATAL;
			} else if (!o->quiet) {
				info_msg("process %d is gone: the watch ends",
					 (int) o->who.pids[0]);
			}
			break;
		}
		mem_category_sums(&r, sums);
		if (fd >= 0 && mem_tsv_append(fd, &r, 0, &err) < 0) {
			if (status_shown)
				status_clear();
			status_shown = false;
			error_msg_err(&err);
			status = EXIT_PARTIAL;
		}
		for (c = 0; c < MEM_NCATEGORIES; c++)
			mem_series_add(&series[c], r.time_nanos, sums[c][0]);
		if (!o->quiet) {
			char h[UNITS_LEN], a[UNITS_LEN];

			units_size(sums[MEM_HEAP][0], h, sizeof(h));
			units_size(sums[MEM_ANON][0], a, sizeof(a));
			if (!o->tsv) {
				printf("%ld: heap %s, anonymous %s, %" PRIu64
				       " threads\n", i + 1, h, a,
				       r.status.threads);
				fflush(stdout);
			} else if (o->verbose) {
				info_msg("%ld: heap %s, anonymous %s, %" PRIu64
					 " threads", i + 1, h, a,
					 r.status.threads);
			} else if (o->status_line) {
				status_msg("reading %ld  heap %s  anonymous %s  %"
					   PRIu64 " threads", i + 1, h, a,
					   r.status.threads);
				status_shown = true;
			}
		}
		mem_reading_free(&last);
		last = r;
	}
	if (status_shown)
		status_clear();
	if (fd >= 0)
		close(fd);
	if (!o->quiet)
		print_growth(series);
	if (last.n && o->noutputs) {
		int s = write_outputs(o, &last, o->who.pids, 1);

		if (s > status)
			status = s;
	}
	mem_reading_free(&last);
	for (c = 0; c < MEM_NCATEGORIES; c++)
		mem_series_free(&series[c]);
	return status;
}

int
heap_run(const struct heap_opts *in)
{
	struct heap_opts o = *in;
	struct mem_reading *r;
	struct pp_err err;
	pid_t *got;
	size_t i, n = 0;
	int status;

	if (msg_outcome(pidsel_resolve_args(&o.who, &err), &err) < 0)
		return EXIT_FATAL;
	if (o.watch_ns && o.who.npids > 1) {
		/* --name can find several only now. */
		error_msg("--watch reads one process, and %zu were found",
			  o.who.npids);
		return EXIT_USAGE;
	}
	if (o.watch_ns) {
		if (procfs_check_target(o.who.pids[0], &err) < 0) {
			error_msg_err(&err);
			return EXIT_FATAL;
		}
		return watch(&o);
	}
	/* Nothing is attached, so no output needs checking first: those
	 * that can be written are, and a failing one makes the status 1.
	 * A process that cannot be read is said and left out. */
	r = xcalloc(o.who.npids, sizeof(*r));
	got = xcalloc(o.who.npids, sizeof(*got));
	for (i = 0; i < o.who.npids; i++) {
		if (procfs_check_target(o.who.pids[i], &err) < 0 ||
		    heap_read(o.who.pids[i], &r[n], &err) < 0) {
			error_msg_err(&err);
			continue;
		}
		got[n++] = o.who.pids[i];
	}
	if (!n) {
		if (o.who.npids > 1)
			error_msg("not one of the %zu processes could be read",
				  o.who.npids);
		status = EXIT_FATAL;
	} else {
		status = write_outputs(&o, r, got, n);
		if (n < o.who.npids)
			status = EXIT_PARTIAL;
	}
	for (i = 0; i < n; i++)
		mem_reading_free(&r[i]);
	free(r);
	free(got);
	return status;
}
