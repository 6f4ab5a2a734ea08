/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "sampler.h"
#include "attach.h"
#include "msg.h"
#include "procfs.h"
#include "xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* How long due threads get to reach their stop within a tick. */
#define TICK_DEADLINE_MS	50
/* Maps are re-read at most this often when something new shows up. */
#define REFRESH_NS		200000000ull

/* What the sampler remembers of each thread between ticks. */
struct book {
	bool ready;
	int sched_fd;		/* task/TID/schedstat, kept open */
	uint64_t last_cpu;	/* ns of CPU at the last sample */
	uint64_t last_wall;	/* when it was last sampled */
	uint32_t stack;		/* its last stack, 0 before the first */
	uint32_t name;
	uint64_t name_read_ns;	/* when its comm was last read */
	uint8_t state;
};

struct sampler {
	const struct sampler_opts *o;
	struct sampler_result *res;
	struct target t;
	struct unwinder *uw;
	struct book *books;
	size_t nbooks, books_cap;
	size_t initial_threads;
	struct raw_stack *raw;
	uint64_t *pcs;
	uint64_t start_ns, last_refresh_ns;
	/* CPU of the whole process at the start and at the last tick */
	uint64_t cpu0, cpu_last;
	uint64_t rng;
	bool need_refresh;
};

const char *
sample_mode_name(enum sample_mode m)
{
	return m == MODE_CPU ? "cpu" : "wall";
}

static uint64_t
read_cpu(struct sampler *s, struct book *b, pid_t tid)
{
	char buf[96];
	ssize_t r;

	if (b->sched_fd < 0) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat",
			 (int) s->t.pid, (int) tid);
		b->sched_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (b->sched_fd < 0)
			return 0;
	}
	r = pread(b->sched_fd, buf, sizeof(buf) - 1, 0);
	if (r <= 0)
		return 0;
	buf[r] = '\0';
	return strtoull(buf, NULL, 10);
}

/* Books for threads that appeared since the last tick. */
static void
sync_books(struct sampler *s, uint64_t now)
{
	s->books = xgrow(s->books, &s->books_cap, s->t.n ? s->t.n : 1,
			 sizeof(*s->books));
	for (; s->nbooks < s->t.n; s->nbooks++) {
		struct book *b = &s->books[s->nbooks];

		memset(b, 0, sizeof(*b));
		b->sched_fd = -1;
		b->last_wall = now;
		/* Threads there at the start count from the start; new
		 * ones from their birth, at zero CPU. */
		if (s->nbooks < s->initial_threads)
			b->last_cpu = read_cpu(s, b, s->t.t[s->nbooks].tid);
		b->ready = true;
		s->res->stats.threads_seen++;
	}
}

static uint64_t
process_cpu_ns(pid_t pid)
{
	char path[64], *text;
	const char *p;
	unsigned long long ut, st;
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t ns = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
	if (procfs_read_file(path, &text, NULL, NULL) < 0)
		return 0;
	p = strrchr(text, ')');
	/* Fields 14 and 15 (utime, stime); field 3 follows ") ". */
	if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			&ut, &st) == 2 && hz > 0)
		ns = (ut + st) * (1000000000ull / hz);
	free(text);
	return ns;
}

void
hist_add(uint64_t *hist, uint64_t *max_ns, uint64_t ns)
{
	uint64_t us = ns / 1000;

	hist[us < STOP_HIST_BUCKETS - 1 ? us : STOP_HIST_BUCKETS - 1]++;
	if (ns > *max_ns)
		*max_ns = ns;
}

uint64_t
hist_quantile(const uint64_t *hist, uint64_t max_ns, double q)
{
	uint64_t total = 0, seen = 0, want;
	size_t i;

	for (i = 0; i < STOP_HIST_BUCKETS; i++)
		total += hist[i];
	if (!total)
		return 0;
	want = (uint64_t) (q * (total - 1));
	for (i = 0; i < STOP_HIST_BUCKETS - 1; i++) {
		seen += hist[i];
		if (seen > want)
			return i * 1000 + 500;
	}
	/* Past the last bucket only the maximum is known. */
	return max_ns;
}

static int
open_image(struct sampler *s)
{
	struct sampler_result *res = s->res;

	if (procimg_open(&res->img, s->t.pid, &res->err) < 0)
		return -1;
	res->syms = symbols_open(&res->img, &res->err);
	if (!res->syms)
		return -1;
	s->uw = s->o->unwinder->open(&res->img, res->syms, &res->err);
	return s->uw ? 0 : -1;
}

/* dlopen, new thread stacks: learn the new mappings, outside any stop. */
static void
refresh_maps(struct sampler *s, uint64_t now)
{
	struct maps m;

	if (now - s->last_refresh_ns < REFRESH_NS)
		return;
	s->last_refresh_ns = now;
	s->need_refresh = false;
	s->t.maps_stale = false;
	if (procfs_read_maps(s->t.pid, &m, NULL) == 0) {
		maps_free(&s->t.maps);
		s->t.maps = m;
	}
	procimg_refresh(&s->res->img);
	symbols_refresh(s->res->syms);
}

static void
add_snapshot(struct sampler *s, size_t i, uint64_t cpu, uint64_t now)
{
	struct tracee *tr = &s->t.t[i];
	const struct snapshot *snap = &tr->snap;
	struct book *b = &s->books[i];
	struct sampler_stats *st = &s->res->stats;
	struct raw_stack *raw = s->raw;
	int64_t values[2];
	char name[64];
	size_t k, n = 0;

	s->o->unwinder->unwind(s->uw, snap, raw);
	if (raw->end == UNWIND_END_TRUNCATED)
		st->truncated++;
	else if (raw->end != UNWIND_END_COMPLETE)
		st->unwind_errors++;
	for (k = 0; k < raw->n; k++) {
		const struct raw_frame *f = &raw->frames[k];

		s->pcs[n++] = f->pc | (f->activation ? PROFILE_PC_EXACT : 0);
		/* Open the module's file while the target's files are
		 * reachable; symbolization waits for the output, since a
		 * first lookup can read debug information for hundreds of
		 * milliseconds, and a tick that late would give its one
		 * sample the CPU of all that time. */
		symbols_prepare(s->res->syms, f->pc);
		if (!maps_find(&s->res->img.maps, f->pc))
			s->need_refresh = true;
	}
	if (raw->end == UNWIND_END_TRUNCATED)
		s->pcs[n++] = PROFILE_PC_TRUNCATED;

	/* Names change rarely (pthread_setname_np after start): once a
	 * second is often enough, and saves three syscalls a sample. */
	if (!b->name_read_ns || now - b->name_read_ns >= 1000000000ull) {
		procfs_thread_comm(s->t.pid, tr->tid, name, sizeof(name));
		b->name = profile_string(&s->res->profile, name);
		b->name_read_ns = now;
	}
	b->stack = profile_stack(&s->res->profile, s->pcs, n);
	b->state = thread_state_from_proc(snap->state);
	values[0] = 1;
	values[1] = s->o->mode == MODE_CPU ? (int64_t) (cpu - b->last_cpu) :
		    (int64_t) (now - b->last_wall);
	profile_add(&s->res->profile, b->stack, tr->tid, b->name, b->state,
		    values);
	b->last_cpu = cpu;
	b->last_wall = now;
	if (snap->how == SNAP_INTERRUPTED) {
		st->stopped++;
		hist_add(st->stop_hist, &st->stop_max_ns, snap->stop_ns);
		hist_add(st->span_hist, &st->span_max_ns, snap->total_ns);
	} else {
		st->blocked++;
	}
}

static void
tick(struct sampler *s)
{
	uint64_t now = now_ns(), *cpu;
	struct capture_stats cst;
	bool *due, any = false;
	size_t i, n;

	sync_books(s, now);
	n = s->t.n;
	due = xcalloc(n + 1, sizeof(*due));
	cpu = xcalloc(n + 1, sizeof(*cpu));
	for (i = 0; i < n; i++) {
		struct book *b = &s->books[i];
		bool ran;

		if (s->t.t[i].gone) {
			if (b->sched_fd >= 0)
				close(b->sched_fd);
			b->sched_fd = -1;
			continue;
		}
		cpu[i] = read_cpu(s, b, s->t.t[i].tid);
		ran = cpu[i] != b->last_cpu;
		if (s->o->mode == MODE_CPU) {
			due[i] = ran;
		} else if (ran || !b->stack) {
			due[i] = true;
		} else {
			/* It has not run: its stack cannot have changed. */
			int64_t v[2] = { 1, (int64_t) (now - b->last_wall) };

			profile_add(&s->res->profile, b->stack, s->t.t[i].tid,
				    b->name, b->state, v);
			b->last_wall = now;
			s->res->stats.reused++;
		}
		any |= due[i];
	}
	if (any) {
		target_capture(&s->t, due, s->o->mode == MODE_CPU,
			       TICK_DEADLINE_MS, &cst);
		now = now_ns();
		for (i = 0; i < n; i++) {
			const struct snapshot *snap = &s->t.t[i].snap;

			if (!due[i] || s->t.t[i].gone)
				continue;
			if (snap->how == SNAP_NONE) {
				/* Its weight is carried to the next tick; in
				 * cpu mode, to the next time it is caught on
				 * a CPU. */
				if (snap->state == 'R' ||
				    s->o->mode != MODE_CPU)
					s->res->stats.missed++;
				continue;
			}
			add_snapshot(s, i, cpu[i], now);
		}
	}
	free(due);
	free(cpu);
	s->res->stats.ticks++;
	/* Known even if the process vanishes before the end. */
	now = process_cpu_ns(s->t.pid);
	if (now)
		s->cpu_last = now;
	if (s->need_refresh || s->t.maps_stale)
		refresh_maps(s, now);
}

static uint64_t
next_interval(struct sampler *s)
{
	uint64_t period = 1000000000ull / s->o->rate_hz;

	/* xorshift; ±20 % so ticks never lock step with the target's timers */
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return period * 8 / 10 + s->rng % (period * 4 / 10 + 1);
}

static uint64_t
rusage_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
	       1000000000ull +
	       (uint64_t) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

static void
status(struct sampler *s, uint64_t now)
{
	const struct sampler_stats *st = &s->res->stats;
	size_t i, live = 0;

	for (i = 0; i < s->t.n; i++)
		live += !s->t.t[i].gone;
	status_msg("%.0fs  %" PRIu64 " samples  %zu threads  %" PRIu64
		   " missed  %" PRIu64 " truncated",
		   (now - s->start_ns) / 1e9,
		   st->stopped + st->blocked + st->reused, live, st->missed,
		   st->truncated);
}

int
sampler_run(const struct sampler_opts *o, struct sampler_result *res)
{
	struct sampler s;
	struct profile *p = &res->profile;
	struct timespec wall;
	uint64_t next, end = 0, last_status = 0, prof0;
	int rc;

	memset(&s, 0, sizeof(s));
	s.o = o;
	s.res = res;
	memset(res, 0, sizeof(*res));
	profile_init(p);
	p->nvalues = 2;
	p->types[0] = (struct profile_value_type) { "samples", "count" };
	p->types[1] = o->mode == MODE_CPU ?
		(struct profile_value_type) { "cpu", "nanoseconds" } :
		(struct profile_value_type) { "wall", "nanoseconds" };
	p->period_type = p->types[1];
	p->period = 1000000000 / o->rate_hz;

	if (o->argv) {
		rc = target_spawn(&s.t, o->argv, o->stack_size, &res->err);
		res->spawned = rc == 0 || s.t.pid > 0;
	} else {
		rc = target_attach(&s.t, o->pid, o->stack_size, &res->err);
	}
	res->pid = s.t.pid;
	if (rc < 0) {
		target_release(&s.t);
		return -1;
	}
	s.t.exec_seen = false;
	if (target_alive(&s.t) && open_image(&s) < 0) {
		/* A command may have exited while we looked: its /proc
		 * entry is then a zombie's.  Collect its exit first. */
		for (int i = 0; i < 50 && target_alive(&s.t); i++)
			target_poll_events(&s.t, 10000000);
		if (target_alive(&s.t)) {
			target_release(&s.t);
			return -1;
		}
	}
	s.raw = xmalloc(sizeof(*s.raw));
	s.pcs = xmalloc((UNWIND_MAX_FRAMES + 1) * sizeof(*s.pcs));
	s.initial_threads = s.t.n;
	s.rng = now_ns() | 1;
	prof0 = rusage_ns();
	s.cpu0 = s.cpu_last = process_cpu_ns(s.t.pid);
	clock_gettime(CLOCK_REALTIME, &wall);
	p->time_nanos = (int64_t) wall.tv_sec * 1000000000 + wall.tv_nsec;
	s.start_ns = now_ns();
	s.last_refresh_ns = s.start_ns;
	sync_books(&s, s.start_ns);
	if (o->duration_ns)
		end = s.start_ns + o->duration_ns;
	next = s.start_ns + next_interval(&s);

	for (;;) {
		uint64_t now = now_ns();

		if (*o->stop || !target_alive(&s.t) || s.t.exec_seen || !s.uw)
			break;
		if (end && now >= end)
			break;
		if (now < next) {
			uint64_t until = end && end < next ? end : next;

			target_poll_events(&s.t, until - now);
			continue;
		}
		tick(&s);
		next += next_interval(&s);
		now = now_ns();
		if (now > next) {
			/* Fell behind: skip the ticks that were due rather
			 * than burst, and count each one skipped. */
			uint64_t period = 1000000000ull / o->rate_hz;

			res->stats.ticks_late += (now - next) / period + 1;
			next = now + next_interval(&s);
		}
		if (o->status_line && now - last_status >= 1000000000ull) {
			status(&s, now);
			last_status = now;
		}
	}
	/* Account for the time since the last tick, while still attached. */
	if (s.uw && target_alive(&s.t) && !s.t.exec_seen)
		tick(&s);
	if (o->status_line)
		status_clear();
	if (s.t.exec_seen)
		warning_msg("process %d called execve: sampling stopped there",
			    (int) s.t.pid);

	res->stats.wall_ns = now_ns() - s.start_ns;
	p->duration_nanos = (int64_t) res->stats.wall_ns;
	if (s.t.leader_exited && res->spawned) {
		res->stats.target_cpu_ns = s.t.exit_cpu_ns;
	} else {
		uint64_t cpu = process_cpu_ns(s.t.pid);

		if (cpu)
			s.cpu_last = cpu;
		res->stats.target_cpu_ns = s.cpu_last > s.cpu0 ?
					   s.cpu_last - s.cpu0 : 0;
	}
	res->target_exited = !target_alive(&s.t);
	res->stats.syscalls_restarted = s.t.syscalls_restarted;
	res->exit_status = s.t.exit_status;
	res->stats.profiler_cpu_ns = rusage_ns() - prof0;

	for (size_t i = 0; i < s.nbooks; i++)
		if (s.books[i].sched_fd >= 0)
			close(s.books[i].sched_fd);
	free(s.books);
	free(s.raw);
	free(s.pcs);
	if (s.uw)
		o->unwinder->close(s.uw);
	target_release(&s.t);
	return 0;
}

void
sampler_result_free(struct sampler_result *res)
{
	profile_free(&res->profile);
	symbols_close(res->syms);
	procimg_close(&res->img);
	res->syms = NULL;
}
