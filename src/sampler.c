/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "sampler.h"
#include "attach.h"
#include "msg.h"
#include "perf-sampler.h"
#include "procfs.h"
#include "syscalls.h"
#include "units.h"
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

/* How long due threads get to reach their stop within a tick: a
 * twentieth of the period, 200 us to 50 ms.  A thread on a CPU stops
 * within microseconds; one that is not stopped by then waits for a CPU
 * to take the stop (on a busy host, for milliseconds).  It is counted
 * as missed and the tick goes on: waiting for it would make ticks late.
 * Its stop is taken whenever it comes (and resumed at once), and is its
 * sample at the next tick, which carries its weight. */
#define TICK_WAIT_MIN_NS	200000ull
#define TICK_WAIT_MAX_NS	50000000ull
/* The share of the period a tick spends reading sleeping threads, at
 * most; the others are read at the next ticks (the first tick of a
 * process with hundreds of threads would be late otherwise). */
#define ASLEEP_BUDGET_DIV	5
/* Maps are re-read at most this often when something new shows up. */
#define REFRESH_NS		200000000ull
#define PERF_REFRESH_NS		10000000ull	/* see perf_sample() */
/* Ring pages per CPU of each process when several are sampled. */
#define RING_PAGES_SEVERAL	32
/*
 * A thread born between two ticks would be first sampled at the next
 * one, and one that lives less than a period never: its CPU would be in
 * no stack.  A thread born since the start is due YOUNG_DELAY_NS after
 * its first stop, in an early tick of young threads only (those due
 * within half the delay join it), once it has been given a CPU since
 * that stop: it is in its own code then, past the C library's thread
 * start, which takes microseconds.  (Its CPU time cannot tell: the
 * kernel adds a running thread's time to its schedstat at the
 * scheduler's ticks, 4 ms apart at HZ=250.)  One that has not run yet,
 * or is asleep in cpu mode, is looked at again later (four times after
 * the delay, four after twice the delay, and so on), up to YOUNG_TRIES
 * times (12 ms).  What it uses after that sample is charged
 * to it at its exit stop (charge_exits()).
 */
#define YOUNG_DELAY_NS		200000ull
#define YOUNG_TRIES		16
/* Times given a CPU: once to reach its first stop, then after it. */
#define YOUNG_SLICES		2
/* A thread's own code is called by start_thread, called by clone: a
 * sample of fewer frames caught it before (or after) that code, and it
 * is taken again later. */
#define YOUNG_START_FRAMES	2

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
	uint16_t wait;		/* profile_sample.wait of its last stack */
	uint8_t young_tries;
	bool exit_done;		/* its exit was accounted for */
	bool start_only;	/* its stack is the C library's thread start */
	uint64_t young_due;	/* when an early tick samples it (0: none) */
};

struct sampler {
	/* A copy: mode and rate change between windows. */
	struct sampler_opts opts;
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
	uint64_t last_perf_refresh_ns;
	/* CPU of the whole process at the start and at the last tick */
	uint64_t cpu0, cpu_last;
	uint64_t prof0;		/* our tracer thread's CPU at the start */
	int stat_fd;		/* /proc/PID/stat, kept open */
	uint64_t next_tick, last_status;
	/* The current window: when it began, and the totals then. */
	uint64_t win_start_ns, win_cpu0, win_prof0;
	struct sampler_stats *at_cut;
	uint64_t rng;
	bool need_refresh;
	/* ptrace: young threads are sampled early and the threads that
	 * end are charged at their exit stop; the first young one due */
	bool young, exit_stops;
	uint64_t next_young;
	/* Take every thread without a stack at the next tick (threads). */
	bool fill;
	/* sampler_reconfigure: applied when the window is cut */
	bool reconfigure;
	enum sample_mode next_mode;
	int next_rate;
	bool next_no_idle;
	/* perf events take the samples (cpu mode) when not NULL */
	struct perf_sampler *perf;
	bool perf_discard;	/* drain without keeping: between windows */
	bool kernel_frames;	/* its callchains' kernel frames are named */
	/* auto: perf_event_open was refused once; not asked again */
	bool perf_refused;
	/* The counters of the events closed before the current ones: the
	 * events close while the sampler idles, and open again after. */
	uint64_t perf_lost0, perf_throttled0;
	unsigned int said;	/* SAID_*: each line once */
	bool idle;		/* since sampler_idle, until sampler_skip */
};

/* The lines that say which sampler takes the samples, each said once in
 * a sampler's life, however often the mode changes. */
enum { SAID_PERF = 1, SAID_WALL = 2, SAID_REFUSED = 4, SAID_KERNEL = 8 };

static void perf_drain(struct sampler *s, bool keep);
static void add_sample(struct sampler *s, const struct book *b, pid_t tid,
		       const int64_t *values);
static size_t add_snapshot(struct sampler *s, size_t i, uint64_t cpu,
			   uint64_t now);
static bool perf_wall_running(struct sampler *s, size_t i, uint64_t cpu,
			      uint64_t now);
static bool perf_fill_running(struct sampler *s, size_t i);

const char *
sample_mode_name(enum sample_mode m)
{
	return m == MODE_CPU ? "cpu" : "wall";
}

/* A thread's CPU (ns) from its schedstat, and, with @slices, how many
 * times it was given a CPU. */
static uint64_t
read_sched(struct sampler *s, struct book *b, pid_t tid, uint64_t *slices)
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
	if (slices && sscanf(buf, "%*u %*u %" SCNu64, slices) != 1)
		*slices = 0;
	return strtoull(buf, NULL, 10);
}

static uint64_t
read_cpu(struct sampler *s, struct book *b, pid_t tid)
{
	return read_sched(s, b, tid, NULL);
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
		else if (s->young && s->t.t[s->nbooks].born_ns)
			b->young_due = s->t.t[s->nbooks].born_ns +
				       YOUNG_DELAY_NS;
		if (b->young_due && (!s->next_young ||
				     b->young_due < s->next_young))
			s->next_young = b->young_due;
		b->ready = true;
		s->res->stats.threads_seen++;
	}
	/* Those born so far have their books. */
	s->t.young_ns = 0;
}

/* The first time a young thread is due, after ticks. */
static void
young_next(struct sampler *s)
{
	size_t i;

	s->next_young = 0;
	for (i = 0; i < s->nbooks; i++) {
		struct book *b = &s->books[i];

		if (!b->young_due)
			continue;
		if (s->t.t[i].gone || s->t.t[i].exiting ||
		    (b->stack && !b->start_only)) {
			b->young_due = 0;
			continue;
		}
		if (!s->next_young || b->young_due < s->next_young)
			s->next_young = b->young_due;
	}
}

/* A young thread not sampled yet is looked at again a delay later. */
static void
young_later(struct book *b, uint64_t now)
{
	if (++b->young_tries >= YOUNG_TRIES)
		b->young_due = 0;
	else
		b->young_due = now + (YOUNG_DELAY_NS << b->young_tries / 4);
}

/*
 * A thread's exit stop read its CPU (on_thread_last): what it used
 * since its last sample goes to that sample's stack and thread, as a
 * weight without a sample of its own (samples 0), or, in wall mode,
 * the wall time up to the exit.  A stop that came after its tick's wait
 * is that last sample.  A thread that no sample caught was read at its
 * exit stop (unless a stop of ours was not taken yet: that one is its
 * sample): all it used goes to that stack, its own though no function
 * of its own (the C library's thread start), a sample; without one,
 * it is counted in no stack.  With !@keep (between windows), nothing
 * is added.
 */
static void
charge_exits(struct sampler *s, bool keep)
{
	struct sampler_stats *st = &s->res->stats;
	size_t i;

	for (i = 0; i < s->nbooks && i < s->t.n; i++) {
		struct tracee *tr = &s->t.t[i];
		struct book *b = &s->books[i];
		uint64_t cpu, wall, end;
		int64_t values[2];

		if (!tr->exiting || b->exit_done)
			continue;
		b->exit_done = true;
		b->young_due = 0;
		end = tr->exit_cpu_ns > b->last_cpu ? tr->exit_cpu_ns :
		      b->last_cpu;
		cpu = end - b->last_cpu;
		wall = tr->exit_ns > b->last_wall ?
		       tr->exit_ns - b->last_wall : 0;
		if (!keep) {
			b->last_cpu = end;
			b->last_wall = tr->exit_ns;
			continue;
		}
		st->exits++;
		if (tr->snap.how == SNAP_INTERRUPTED &&
		    (tr->late || !b->stack)) {
			if (!b->stack) {
				st->exit_unsampled++;
				st->exit_unsampled_ns += cpu;
			}
			add_snapshot(s, i, end, tr->exit_ns);
			tr->late = false;
			continue;
		}
		b->last_cpu = end;
		b->last_wall = tr->exit_ns;
		if (!b->stack) {
			st->exit_unsampled++;
			st->exit_unsampled_ns += cpu;
			st->exit_lost_ns += cpu;
			continue;
		}
		values[0] = 0;
		values[1] = (int64_t) (s->o->mode == MODE_CPU ? cpu : wall);
		if (!values[1])
			continue;
		st->exit_charged_ns += (uint64_t) values[1];
		add_sample(s, b, tr->tid, values);
	}
}

/* utime + stime of the whole process, through a stat file kept open. */
static uint64_t
process_cpu_ns(struct sampler *s)
{
	char buf[1024];
	const char *p;
	unsigned long long ut, st;
	long hz = sysconf(_SC_CLK_TCK);
	ssize_t r;

	if (s->stat_fd < 0) {
		snprintf(buf, sizeof(buf), "/proc/%d/stat", (int) s->t.pid);
		s->stat_fd = open(buf, O_RDONLY | O_CLOEXEC);
		if (s->stat_fd < 0)
			return 0;
	}
	r = pread(s->stat_fd, buf, sizeof(buf) - 1, 0);
	if (r <= 0)
		return 0;
	buf[r] = '\0';
	p = strrchr(buf, ')');
	/* Fields 14 and 15 (utime, stime); field 3 follows ") ". */
	if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			&ut, &st) == 2 && hz > 0)
		return (ut + st) * (1000000000ull / hz);
	return 0;
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

double
ticks_late_pct(const struct sampler_stats *st)
{
	uint64_t due = st->ticks + st->ticks_late;

	return due ? 100.0 * (double) st->ticks_late / (double) due : 0;
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

	if (now - s->last_refresh_ns < REFRESH_NS || !s->uw)
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

/* The leaf pseudo-frame naming what a sleeping thread waits in; for
 * a call on a descriptor, the descriptor and its kind. */
static uint64_t
wait_pc(struct sampler *s, const struct snapshot *snap, uint16_t *wait)
{
	long nr = snap->syscall_nr;
	int fd = -1;
	enum fd_kind kind = FD_KIND_NONE;

	*wait = (uint16_t) (nr + 1);
	if (syscall_waits_on_fd(nr) && snap->syscall_arg0 <= INT32_MAX) {
		char link[256];

		fd = (int) snap->syscall_arg0;
		procfs_fd_link(s->t.pid, fd, link, sizeof(link));
		kind = fd_kind_from_link(link);
	}
	return wait_frame_pc(nr, fd, kind);
}

/* Adds a thread's sample, unless it is asleep and idle is left out. */
static void
add_sample(struct sampler *s, const struct book *b, pid_t tid,
	   const int64_t *values)
{
	if (s->o->mode == MODE_WALL && s->o->no_idle &&
	    b->state == THREAD_SLEEPING) {
		s->res->stats.idle++;
		s->res->stats.idle_ns += (uint64_t) values[1];
		return;
	}
	profile_add_wait(&s->res->profile, b->stack, tid, b->name, b->state,
			 b->wait, values);
}

/* Unwinds @snap into s->pcs (after a wait pseudo-frame when @n is 1);
 * returns the frame count. */
static size_t
snapshot_pcs(struct sampler *s, const struct snapshot *snap, size_t n)
{
	struct sampler_stats *st = &s->res->stats;
	struct raw_stack *raw = s->raw;
	size_t k;

	/* No image: a process gone before it could be read (a child
	 * followed after its execve that died at once).  Its last looks
	 * have no frames to give. */
	if (!s->uw) {
		st->unwind_errors++;
		return n;
	}
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
	return n;
}

/* Adds the sample of thread @i's snapshot; returns its frame count. */
static size_t
add_snapshot(struct sampler *s, size_t i, uint64_t cpu, uint64_t now)
{
	struct tracee *tr = &s->t.t[i];
	const struct snapshot *snap = &tr->snap;
	struct book *b = &s->books[i];
	struct sampler_stats *st = &s->res->stats;
	int64_t values[2];
	char name[64];
	size_t n = 0;

	b->wait = 0;
	if (s->o->mode == MODE_WALL && snap->how == SNAP_BLOCKED &&
	    snap->syscall_nr >= 0)
		s->pcs[n++] = wait_pc(s, snap, &b->wait);
	n = snapshot_pcs(s, snap, n);

	/* Names change rarely (pthread_setname_np after start): once a
	 * second is often enough, and saves three syscalls a sample. */
	if (!b->name_read_ns || now - b->name_read_ns >= 1000000000ull) {
		procfs_thread_comm(s->t.pid, tr->tid, name, sizeof(name));
		b->name = profile_string(&s->res->profile, name);
		b->name_read_ns = now;
	}
	b->stack = profile_stack(&s->res->profile, s->pcs, n);
	b->young_due = 0;
	tr->sampled = true;
	b->state = thread_state_from_proc(snap->state);
	if (s->o->mode == MODE_CPU && snap->how == SNAP_BLOCKED) {
		/* Read asleep only to learn its stack (sampler_threads):
		 * the CPU it used belongs to where it ran, so it stays
		 * carried until it is caught running. */
		return n;
	}
	values[0] = 1;
	values[1] = s->o->mode == MODE_CPU ? (int64_t) (cpu - b->last_cpu) :
		    (int64_t) (now - b->last_wall);
	if (s->perf && s->o->mode == MODE_WALL) {
		/* perf events: only the time off a CPU; the samples of
		 * the kernel's CPU clock weigh the time on one. */
		uint64_t on = cpu - b->last_cpu;

		values[1] = now - b->last_wall > on ?
			    (int64_t) (now - b->last_wall - on) : 0;
	}
	add_sample(s, b, tr->tid, values);
	b->last_cpu = cpu;
	b->last_wall = now;
	if (snap->how == SNAP_INTERRUPTED) {
		st->stopped++;
		hist_add(st->stop_hist, &st->stop_max_ns, snap->stop_ns);
		hist_add(st->wait_hist, &st->wait_max_ns, snap->wait_ns);
		hist_add(st->span_hist, &st->span_max_ns, snap->total_ns);
	} else {
		st->blocked++;
	}
	return n;
}

/*
 * cpu mode: a thread's CPU is charged when it is next caught running,
 * and a thread that mostly sleeps (a server's accepting thread) may
 * carry much of it at the end of a window.  Like a thread's exit, the
 * window's end charges it to the last stack the thread ran in, as a
 * weight without a sample; a thread never caught running keeps it.
 */
static void
charge_carried(struct sampler *s)
{
	size_t i;

	for (i = 0; i < s->nbooks && i < s->t.n; i++) {
		const struct tracee *tr = &s->t.t[i];
		struct book *b = &s->books[i];
		int64_t values[2];
		uint64_t cpu;

		/* A stack taken asleep (a wall window's) is not where
		 * the CPU went. */
		if (tr->gone || tr->exiting || !b->stack || b->wait)
			continue;
		cpu = read_cpu(s, b, tr->tid);
		if (cpu <= b->last_cpu)
			continue;
		values[0] = 0;
		values[1] = (int64_t) (cpu - b->last_cpu);
		s->res->stats.carried_ns += (uint64_t) values[1];
		add_sample(s, b, tr->tid, values);
		b->last_cpu = cpu;
	}
}

/* Threads that ended are forgotten once they are many, with their
 * books; the indexes of the two arrays stay in step. */
static void
forget_gone(struct sampler *s)
{
	size_t i, gone = 0, *map;

	for (i = 0; i < s->t.n; i++)
		gone += s->t.t[i].gone;
	if (gone < 32 && gone * 2 < s->t.n)
		return;
	map = xcalloc(s->t.n + 1, sizeof(*map));
	target_forget_gone(&s->t, map);
	for (i = 0; i < s->nbooks; i++) {
		if (map[i] == SIZE_MAX) {
			if (s->books[i].sched_fd >= 0)
				close(s->books[i].sched_fd);
		} else {
			s->books[map[i]] = s->books[i];
		}
	}
	s->nbooks = s->t.n;
	/* Every thread there at the start has had its book since. */
	s->initial_threads = 0;
	free(map);
}

/* Whether an early tick at @now takes the young thread of @b. */
static bool
young_now(const struct book *b, uint64_t now)
{
	return b->young_due && (!b->stack || b->start_only) &&
	       b->young_due <= now + YOUNG_DELAY_NS / 2;
}

/* A tick, or with @young an early tick: the young threads due only. */
static void
tick(struct sampler *s, bool young)
{
	uint64_t now = now_ns(), *cpu, total_cpu;
	struct capture_stats cst;
	bool *due, any = false;
	size_t i, n;

	/* A tenth of the period in the real-time class, at most. */
	s->t.rt_budget_ns = 100000000ull / s->o->rate_hz;

	if (s->perf)
		perf_drain(s, true);
	sync_books(s, now);
	/* Before the books of the threads that ended are dropped. */
	charge_exits(s, true);
	forget_gone(s);
	n = s->t.n;
	due = xcalloc(n + 1, sizeof(*due));
	cpu = xcalloc(n + 1, sizeof(*cpu));
	for (i = 0; i < n; i++) {
		struct book *b = &s->books[i];
		uint64_t slices = 0;
		bool ran;

		if (s->t.t[i].gone) {
			if (b->sched_fd >= 0)
				close(b->sched_fd);
			b->sched_fd = -1;
			continue;
		}
		/* Its last look charges it (charge_exits). */
		if (s->t.t[i].exiting || (young && !young_now(b, now)))
			continue;
		if ((i & 15) == 15) {
			/* Late stops are resumed between the reads. */
			target_reap_pending(&s->t);
			if ((i & 63) == 63)
				target_rt_check(&s->t);
		}
		cpu[i] = read_sched(s, b, s->t.t[i].tid, &slices);
		ran = cpu[i] != b->last_cpu;
		if (young) {
			/* In its own code by now, unless it has not run
			 * yet: then it is looked at again later. */
			due[i] = slices >= YOUNG_SLICES;
			if (!due[i])
				young_later(b, now);
		} else if (s->o->mode == MODE_CPU) {
			due[i] = ran || (s->fill && !b->stack);
		} else if (ran || !b->stack) {
			due[i] = true;
		} else {
			/* It has not run: its stack cannot have changed. */
			int64_t v[2] = { 1, (int64_t) (now - b->last_wall) };

			add_sample(s, b, s->t.t[i].tid, v);
			b->last_wall = now;
			s->res->stats.reused++;
		}
		any |= due[i];
	}
	if (any) {
		uint64_t period = 1000000000ull / s->o->rate_hz;
		uint64_t wait = period / 20;

		if (wait < TICK_WAIT_MIN_NS)
			wait = TICK_WAIT_MIN_NS;
		if (wait > TICK_WAIT_MAX_NS)
			wait = TICK_WAIT_MAX_NS;
		/* A threads request wants every stack now. */
		s->t.asleep_budget_ns = s->fill ? 0 :
					period / ASLEEP_BUDGET_DIV;
		if (s->t.n > n) {
			/* Threads born while the states were read (late
			 * stops were reaped): due[] covers them, not due. */
			size_t cap = n + 1;

			due = xgrow(due, &cap, s->t.n + 1, sizeof(*due));
			memset(due + n + 1, 0, (cap - n - 1) * sizeof(*due));
		}
		target_capture(&s->t, due, s->o->mode == MODE_CPU && !s->fill,
			       wait, &cst);
		s->res->stats.early_ticks += young;
		s->res->stats.stopped_late += cst.late;
		now = now_ns();
		for (i = 0; i < n; i++) {
			const struct snapshot *snap;
			size_t frames;

			/* A thread that stopped after the deadline is
			 * resumed before the next unwinding, not after
			 * them all (reaping may move s->t.t). */
			target_reap_pending(&s->t);
			snap = &s->t.t[i].snap;

			if (!due[i] || s->t.t[i].gone)
				continue;
			if (s->perf && s->o->mode == MODE_WALL &&
			    snap->how == SNAP_NONE && snap->state == 'R' &&
			    perf_wall_running(s, i, cpu[i], now))
				continue;
			if (s->perf && s->fill && s->o->mode == MODE_CPU &&
			    snap->how == SNAP_NONE && snap->state == 'R' &&
			    perf_fill_running(s, i))
				continue;
			if (snap->how == SNAP_NONE || s->t.t[i].late) {
				/* Its weight is carried to the next tick; in
				 * cpu mode, to the next time it is caught on
				 * a CPU.  A stop that came while this tick
				 * unwound is the next tick's sample.  A
				 * sleeper left for a later tick by the
				 * reading budget is not missed. */
				const struct tracee *tr = &s->t.t[i];

				if (!tr->deferred && !tr->late &&
				    !tr->interrupted && !s->perf &&
				    (snap->state == 'R' ||
				     s->o->mode != MODE_CPU))
					s->res->stats.missed++;
				if (young)
					young_later(&s->books[i], now);
				continue;
			}
			target_rt_check(&s->t);
			frames = add_snapshot(s, i, cpu[i], now);
			s->res->stats.early += young;
			/* Caught in the C library's thread start: the
			 * stack of its own code is still to be taken. */
			s->books[i].start_only = frames <= YOUNG_START_FRAMES;
			if (s->books[i].start_only && s->young &&
			    s->t.t[i].born_ns && s->books[i].young_tries <
			    YOUNG_TRIES)
				young_later(&s->books[i], now);
		}
	}

	free(due);
	free(cpu);
	/* Threads that ended while this tick took its samples. */
	charge_exits(s, true);
	if (s->young)
		young_next(s);
	if (young) {
		if (s->need_refresh || s->t.maps_stale) {
			target_rt_end(&s->t);
			target_reap_pending(&s->t);
			refresh_maps(s, now_ns());
		}
		return;
	}
	s->fill = false;
	s->res->stats.ticks++;
	/* Known even if the process vanishes before the end. */
	total_cpu = process_cpu_ns(s);
	if (total_cpu)
		s->cpu_last = total_cpu;
	if (s->need_refresh || s->t.maps_stale) {
		/* Reading maps and debug information is no tick's work. */
		target_rt_end(&s->t);
		target_reap_pending(&s->t);
		refresh_maps(s, now_ns());
	}
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

	getrusage(RUSAGE_THREAD, &ru);
	return (uint64_t) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
	       1000000000ull +
	       (uint64_t) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

static void
status(struct sampler *s, uint64_t now)
{
	const struct sampler_stats *st = &s->res->stats;
	size_t i, live = 0;
	char len[UNITS_LEN];

	for (i = 0; i < s->t.n; i++)
		live += !s->t.t[i].gone;
	units_duration(now - s->start_ns, len, sizeof(len));
	status_msg("%s  %" PRIu64 " samples  %zu threads  %" PRIu64
		   " missed  %" PRIu64 " truncated", len,
		   st->stopped + st->blocked + st->reused + st->perf_samples,
		   live, st->missed,
		   st->truncated);
}

static void
window_begin(struct sampler *s)
{
	const struct sampler_opts *o = s->o;
	struct profile *p = &s->res->profile;
	struct timespec wall;

	profile_init(p);
	p->nvalues = 2;
	p->types[0] = (struct profile_value_type) { "samples", "count" };
	p->types[1] = o->mode == MODE_CPU ?
		(struct profile_value_type) { "cpu", "nanoseconds" } :
		(struct profile_value_type) { "wall", "nanoseconds" };
	p->period_type = p->types[1];
	p->period = 1000000000 / o->rate_hz;
	clock_gettime(CLOCK_REALTIME, &wall);
	p->time_nanos = (int64_t) wall.tv_sec * 1000000000 + wall.tv_nsec;
	s->win_start_ns = now_ns();
	s->win_cpu0 = s->cpu_last;
	s->win_prof0 = rusage_ns();
}

/* ---- perf events (--sampler): the kernel takes the samples ---- */

static void
on_thread_new(void *arg, pid_t tid)
{
	struct sampler *s = arg;

	perf_sampler_add(s->perf, tid);
}

static void
on_thread_exit(void *arg, pid_t tid)
{
	struct sampler *s = arg;

	const uint64_t *u;
	uint64_t tail;

	/* Its samples are all written: read them while its events still
	 * say which regular sample was its first. */
	perf_drain(s, !s->perf_discard);
	/* The CPU it used since its last sample, to its last stack. */
	u = perf_sampler_user(s->perf, tid);
	tail = perf_sampler_tail_ns(s->perf, tid);
	if (tail && u && u[1] >= s->win_start_ns && u[2] &&
	    !s->perf_discard) {
		int64_t values[2] = { 0, (int64_t) tail };

		profile_add_wait(&s->res->profile, (uint32_t) u[2], tid,
				 (uint32_t) u[0], thread_state_from_proc('R'),
				 0, values);
		s->res->stats.perf_tail_ns += tail;
	}
	perf_sampler_remove(s->perf, tid);
}

/* ---- end of perf events' hooks ---- */

/*
 * ptrace: the exit stop of thread @i, resumed already: its CPU, read
 * now while its schedstat is there (charge_exits() uses it at the next
 * tick).  Through the file its ticks keep open; a thread born since the
 * last tick has none yet, and it is opened here, as a new thread's
 * tracee is made while other threads may wait in their stops: a few
 * microseconds, and only the figure of a thread never sampled without.
 */
static void
on_thread_last(void *arg, size_t i)
{
	struct sampler *s = arg;
	struct tracee *tr = &s->t.t[i];
	struct book one = { .sched_fd = -1 };
	struct book *b = i < s->nbooks ? &s->books[i] : &one;

	tr->exit_cpu_ns = read_cpu(s, b, tr->tid);
	if (one.sched_fd >= 0)
		close(one.sched_fd);
}

/* Puts the kernel's frames of @snap on top of the @n user frames of
 * s->pcs (the leaf first): the stack goes from "[k] function" down
 * through the system call's wrapper.  Returns the frame count. */
static size_t
kernel_on_top(struct sampler *s, const struct snapshot *snap, size_t n)
{
	size_t k = s->kernel_frames ? snap->kernel_n : 0, i;

	memmove(s->pcs + k, s->pcs, n * sizeof(*s->pcs));
	for (i = 0; i < k; i++)
		s->pcs[i] = profile_kernel_pc(snap->kernel_pcs[i], i == 0);
	return n + k;
}

/* One sample of the kernel's: unwound now, weighed by its period.
 * @user keeps the thread's name (string, when read). */
static void
perf_sample(void *arg, struct snapshot *snap, uint64_t weight_ns,
	    uint64_t *user)
{
	struct sampler *s = arg;
	const struct map_entry *vma;
	int64_t values[2];
	uint32_t stack, name_id;
	uint64_t now, errors, truncated;
	size_t n;

	if (s->perf_discard)
		return;
	vma = maps_find(&s->t.maps, snap->regs.rsp);
	if (vma)
		snap->stack_limit = vma->end;
	else
		s->t.maps_stale = true;
	errors = s->res->stats.unwind_errors;
	truncated = s->res->stats.truncated;
	n = snapshot_pcs(s, snap, 0);
	/* A frame in memory not mapped at the last look: a library mapped
	 * since (a command's, just after its exec, before the ticks' rate
	 * of refreshes lets a look happen).  Look now and unwind again;
	 * at most every PERF_REFRESH_NS, the rings hold the samples. */
	now = now_ns();
	if (s->need_refresh && now - s->last_perf_refresh_ns >=
	    PERF_REFRESH_NS) {
		s->last_perf_refresh_ns = now;
		s->last_refresh_ns = now - REFRESH_NS;
		refresh_maps(s, now);
		s->res->stats.unwind_errors = errors;
		s->res->stats.truncated = truncated;
		vma = maps_find(&s->t.maps, snap->regs.rsp);
		if (vma)
			snap->stack_limit = vma->end;
		n = snapshot_pcs(s, snap, 0);
	}
	n = kernel_on_top(s, snap, n);
	stack = profile_stack(&s->res->profile, s->pcs, n);
	/* The name is read once a second, and again in a new window
	 * (its strings are the window's). */
	if (user && user[1] >= s->win_start_ns &&
	    now - user[1] < 1000000000ull) {
		name_id = (uint32_t) user[0];
	} else {
		char name[64];

		procfs_thread_comm(s->t.pid, snap->tid, name, sizeof(name));
		name_id = profile_string(&s->res->profile, name);
		if (user) {
			user[0] = name_id;
			user[1] = now;
		}
	}
	if (user)
		user[2] = stack;	/* its last, for wall mode */
	values[0] = 1;
	values[1] = (int64_t) weight_ns;
	profile_add_wait(&s->res->profile, stack, snap->tid, name_id,
			 thread_state_from_proc('R'), 0, values);
	s->res->stats.perf_samples++;
}

static void
perf_drain(struct sampler *s, bool keep)
{
	const struct perf_counts *c = perf_sampler_counts(s->perf);

	s->perf_discard = !keep;
	perf_sampler_drain(s->perf, perf_sample, s);
	s->perf_discard = false;
	s->res->stats.perf_lost = s->perf_lost0 + c->lost;
	s->res->stats.perf_throttled = s->perf_throttled0 + c->throttled;
	s->res->stats.perf_no_event = c->no_event;
}

/* Wall mode on perf events: a thread found running at a tick is not
 * stopped; its samples weigh its time on a CPU, and the rest since its
 * last sample (waiting for a CPU, or asleep between two ticks) goes to
 * its last stack seen by the kernel.  Returns whether it was counted. */
static bool
perf_wall_running(struct sampler *s, size_t i, uint64_t cpu, uint64_t now)
{
	struct book *b = &s->books[i];
	const uint64_t *u = perf_sampler_user(s->perf, s->t.t[i].tid);
	uint64_t on = cpu - b->last_cpu, wall = now - b->last_wall;
	uint32_t stack = b->stack;
	int64_t values[2];

	if (u && u[1] >= s->win_start_ns && u[2]) {
		stack = (uint32_t) u[2];
		b->name = (uint32_t) u[0];
		b->name_read_ns = u[1];
	}
	if (!stack)
		return false;
	b->stack = stack;
	b->state = thread_state_from_proc('R');
	b->wait = 0;
	values[0] = 1;
	values[1] = wall > on ? (int64_t) (wall - on) : 0;
	if (values[1])
		add_sample(s, b, s->t.t[i].tid, values);
	b->last_cpu = cpu;
	b->last_wall = now;
	return true;
}

/* A threads request on perf events in cpu mode: a thread found running
 * is not stopped; its stack is the last the kernel's samples saw in this
 * window (none before: it is left out).  Returns whether it has one. */
static bool
perf_fill_running(struct sampler *s, size_t i)
{
	struct book *b = &s->books[i];
	const uint64_t *u = perf_sampler_user(s->perf, s->t.t[i].tid);

	if (!u || u[1] < s->win_start_ns || !u[2])
		return false;
	b->stack = (uint32_t) u[2];
	b->name = (uint32_t) u[0];
	b->name_read_ns = u[1];
	b->state = thread_state_from_proc('R');
	b->wait = 0;
	return true;
}

/* A line of the sampler's choice, once (SAID_*), unless quiet. */
static bool
say_once(struct sampler *s, unsigned int what)
{
	bool say = !(s->said & what) && !s->o->quiet;

	s->said |= what;
	return say;
}

/* --sampler: perf events in cpu mode where permitted.  Called at the
 * start (@first), and when a new window begins without events (after a
 * change of mode or a pause): says once which sampler takes the
 * samples, and for ptrace why.  -1 with res->err set when perf events
 * were required and cannot be used at the start. */
static int
perf_start(struct sampler *s, bool first)
{
	const struct sampler_opts *o = s->o;
	struct pp_err err;
	pid_t first_tid = 0;
	size_t i;

	if (o->sampler == SAMPLER_PTRACE || s->perf || s->perf_refused)
		return 0;
	if (o->sampler == SAMPLER_AUTO && o->mode == MODE_WALL) {
		/* A thread that runs but has no sample of the kernel's
		 * yet (half a period of CPU on average) would be counted
		 * nowhere by a wall tick that finds it running: a target
		 * that makes short threads all day would lose time. */
		if (say_once(s, SAID_WALL))
			info_msg("sampler: ptrace (wall mode; perf events in wall mode miss running threads before their first sample: --sampler=perf to use them anyway)");
		return 0;
	}
	/* The rings are made on one live thread: one that exits while
	 * they are (ESRCH, a target that makes threads all day) gives
	 * its place to the next. */
	for (i = 0; i < s->t.n && !s->perf; i++) {
		if (s->t.t[i].gone)
			continue;
		first_tid = s->t.t[i].tid;
		s->perf = perf_sampler_open(s->t.pid, first_tid, o->rate_hz,
					    o->stack_size, &err);
		if (!s->perf && err.errnum != ESRCH)
			break;
	}
	if (!first_tid)
		s->perf = perf_sampler_open(s->t.pid, s->t.pid, o->rate_hz,
					    o->stack_size, &err);
	if (!s->perf) {
		/* Permissions do not change while we run: asking again
		 * at every window would only say it again. */
		s->perf_refused = true;
		if (o->sampler == SAMPLER_PERF && first) {
			s->res->err = err;
			return -1;
		}
		if (o->sampler == SAMPLER_PERF)
			warning_msg("%s: ptrace takes the samples from now on",
				    err.text);
		else if (say_once(s, SAID_REFUSED))
			info_msg("sampler: ptrace (%s)", err.text);
		return 0;
	}
	/* Every thread known now; the others as ptrace reports them. */
	for (i = 0; i < s->t.n; i++)
		if (!s->t.t[i].gone)
			perf_sampler_add(s->perf, s->t.t[i].tid);
	s->t.on_thread_new = on_thread_new;
	s->t.on_thread_exit = on_thread_exit;
	s->t.on_arg = s;
	/* Ticks (wall mode, threads requests) stop nobody either. */
	s->t.asleep_only = true;
	s->res->perf = true;
	s->res->perf_kernel = perf_sampler_kernel_time(s->perf);
	if (s->res->perf_kernel && !s->kernel_frames) {
		if (symbols_kernel_open(&err) == 0)
			s->kernel_frames = true;
		else if (say_once(s, SAID_KERNEL))
			info_msg("kernel frames: none: %s", err.text);
	}
	if (say_once(s, SAID_PERF))
		info_msg("sampler: perf events (CPU clock, %s%s%s)",
			 s->res->perf_kernel ? "user and kernel time" :
			 "user time only: kernel-mode samples need CAP_PERFMON",
			 s->kernel_frames ? ", kernel frames" : "",
			 o->mode == MODE_WALL ?
			 "; threads asleep read without stopping them" : "");
	return 0;
}

/* Closes the events: their samples up to now go to the current window
 * (@keep) or nowhere, and ptrace takes the samples until perf_start. */
static void
perf_stop(struct sampler *s, bool keep)
{
	size_t i;

	if (!s->perf)
		return;
	/* The events first, then one drain: the rings hold every sample
	 * there will be, and none is left for the next events. */
	for (i = 0; i < s->t.n; i++)
		if (!s->t.t[i].gone)
			perf_sampler_remove(s->perf, s->t.t[i].tid);
	perf_drain(s, keep);
	s->perf_lost0 = s->res->stats.perf_lost;
	s->perf_throttled0 = s->res->stats.perf_throttled;
	s->t.on_thread_new = NULL;
	s->t.on_thread_exit = NULL;
	s->t.asleep_only = false;
	perf_sampler_close(s->perf);
	s->perf = NULL;
}

/* Before a window ends for a change of mode: auto samples wall time
 * with ptrace, so the events of the cpu windows close with this one. */
static void
perf_leave(struct sampler *s, bool keep)
{
	if (s->reconfigure && s->o->sampler == SAMPLER_AUTO &&
	    s->next_mode == MODE_WALL)
		perf_stop(s, keep);
}

/* ---- end of perf events ---- */

struct sampler *
sampler_open(const struct sampler_opts *o, struct sampler_result *res)
{
	struct sampler *s = xcalloc(1, sizeof(*s));
	unsigned int flags;
	int rc;

	s->opts = *o;
	s->o = &s->opts;
	s->stat_fd = -1;
	s->res = res;
	memset(res, 0, sizeof(*res));
	/* Exit stops where ptrace takes the samples for sure (perf events
	 * may take them in auto cpu mode, and need no stop). */
	s->exit_stops = o->sampler == SAMPLER_PTRACE ||
			(o->sampler == SAMPLER_AUTO && o->mode == MODE_WALL);
	flags = s->exit_stops ? TARGET_EXIT_STOPS : 0;
	/* Reading /proc/kallsyms takes a tenth of a second: not while a
	 * new thread waits in its first stop for its events (perf_start
	 * finds the table read). */
	if (o->sampler == SAMPLER_PERF ||
	    (o->sampler == SAMPLER_AUTO && o->mode == MODE_CPU))
		symbols_kernel_open(NULL);
	if (o->spawned) {
		rc = target_spawned(&s->t, o->spawned, o->stack_size, flags,
				    &res->err);
		res->spawned = rc == 0 || s->t.pid > 0;
	} else if (o->argv) {
		rc = target_spawn(&s->t, o->argv, o->stack_size, flags,
				  &res->err);
		res->spawned = rc == 0 || s->t.pid > 0;
	} else if (o->adopt) {
		/* Running, traced already: no download here (it would hold
		 * up its stops); what is missing is fetched later. */
		rc = target_adopt(&s->t, o->pid, o->stack_size, flags,
				  &res->err);
	} else {
		/* Before the attach: a traced thread must not wait for
		 * a download to answer its stops. */
		if (!o->no_prefetch)
			symbols_prefetch(o->pid);
		rc = target_attach(&s->t, o->pid, o->stack_size, flags,
				   &res->err);
	}
	res->pid = s->t.pid;
	if (s->t.pid > 0)
		procfs_thread_comm(s->t.pid, s->t.pid, res->comm,
				   sizeof(res->comm));
	if (rc < 0)
		goto fail;
	s->t.exec_seen = false;
	if (target_alive(&s->t) && open_image(s) < 0) {
		/* A command may have exited while we looked: its /proc
		 * entry is then a zombie's.  Collect its exit first. */
		for (int i = 0; i < 50 && target_alive(&s->t); i++)
			target_poll_events(&s->t, 10000000);
		if (target_alive(&s->t))
			goto fail;
	}
	if (target_alive(&s->t) && perf_start(s, true) < 0)
		goto fail;
	if (!s->perf) {
		s->young = true;
		s->t.young_wake = true;
		s->t.on_thread_last = on_thread_last;
		s->t.on_arg = s;
	}
	s->raw = xmalloc(sizeof(*s->raw));
	/* The frames, a wait pseudo-frame and a truncation mark, and
	 * with perf events the kernel's frames. */
	s->pcs = xmalloc((UNWIND_MAX_FRAMES + 2 + PERF_KERNEL_FRAMES_MAX) *
			 sizeof(*s->pcs));
	s->at_cut = xcalloc(1, sizeof(*s->at_cut));
	s->initial_threads = s->t.n;
	s->rng = now_ns() | 1;
	s->prof0 = rusage_ns();
	s->cpu0 = s->cpu_last = process_cpu_ns(s);
	window_begin(s);
	s->start_ns = s->last_status = s->win_start_ns;
	s->last_refresh_ns = s->start_ns;
	sync_books(s, s->start_ns);
	s->next_tick = s->start_ns + next_interval(s);
	return s;
fail:
	if (s->uw)
		o->unwinder->close(s->uw);
	/* The caller must know whether the command it forked still has
	 * an exit status to collect. */
	if (o->spawned && s->t.leader_exited)
		o->spawned->reaped = true;
	target_release(&s->t);
	free(s);
	return NULL;
}

static bool
ended(const struct sampler *s)
{
	return !target_alive(&s->t) || s->t.exec_seen || !s->uw;
}

/* Whether a sampling loop ends at @now (deadline @until_ns, 0: none),
 * and in which state. */
static bool
loop_ends(const struct sampler *s, uint64_t now, uint64_t until_ns,
	  enum sampler_state *st)
{
	if (*s->o->stop)
		*st = SAMPLER_STOP;
	else if (ended(s))
		*st = SAMPLER_ENDED;
	else if (until_ns && now >= until_ns)
		*st = SAMPLER_DUE;
	else
		return false;
	return true;
}

/* perf events: no ticks; ptrace events are handled and the rings
 * drained in turn, often enough that none fills. */
/* What a tick is with perf events in cpu mode: the rings drained, the
 * books and maps kept up.  Returns when the next one is due. */
static uint64_t
perf_step(struct sampler *s)
{
	uint64_t now;

	perf_drain(s, true);
	now = now_ns();
	sync_books(s, now);
	forget_gone(s);
	if (s->need_refresh || s->t.maps_stale)
		refresh_maps(s, now);
	if (s->o->status_line && now - s->last_status >= 1000000000ull) {
		status(s, now);
		s->last_status = now;
	}
	return now_ns() + perf_sampler_drain_interval(s->perf);
}

/* Whether perf events take this sampler's samples, with no tick. */
static bool
perf_ticks_none(const struct sampler *s)
{
	return s->perf && s->o->mode == MODE_CPU;
}

static enum sampler_state
poll_perf(struct sampler *s, uint64_t until_ns)
{
	for (;;) {
		uint64_t now = now_ns(), wait;
		enum sampler_state st;

		if (loop_ends(s, now, until_ns, &st))
			return st;
		wait = perf_sampler_drain_interval(s->perf);
		if (until_ns && until_ns - now < wait)
			wait = until_ns - now;
		target_poll_events(&s->t, wait);
		perf_step(s);
	}
}

static enum sampler_state
poll_ticks(struct sampler *s, uint64_t until_ns)
{
	const struct sampler_opts *o = s->o;

	if (s->perf && o->mode == MODE_CPU)
		return poll_perf(s, until_ns);

	for (;;) {
		uint64_t now = now_ns();
		enum sampler_state st;

		if (loop_ends(s, now, until_ns, &st))
			return st;
		/* Threads born while it waited. */
		if (s->t.young_ns)
			sync_books(s, now);
		if (s->next_young && now >= s->next_young &&
		    now < s->next_tick) {
			tick(s, true);
			continue;
		}
		if (now < s->next_tick) {
			uint64_t until = s->next_tick;

			if (s->next_young && s->next_young < until)
				until = s->next_young;
			if (until_ns && until_ns < until)
				until = until_ns;
			target_wait_tick(&s->t, until - now);
			continue;
		}
		tick(s, false);
		s->next_tick += next_interval(s);
		now = now_ns();
		if (now > s->next_tick) {
			/* Fell behind: skip the ticks that were due rather
			 * than burst, and count each one skipped. */
			uint64_t period = 1000000000ull / o->rate_hz;

			s->res->stats.ticks_late +=
				(now - s->next_tick) / period + 1;
			s->next_tick = now + next_interval(s);
		}
		if (o->status_line && now - s->last_status >= 1000000000ull) {
			status(s, now);
			s->last_status = now;
		}
	}
}

enum sampler_state
sampler_poll(struct sampler *s, uint64_t until_ns)
{
	enum sampler_state st = poll_ticks(s, until_ns);

	/* Whatever the caller does next is not the stop window. */
	target_rt_end(&s->t);
	return st;
}

/* The totals of the run up to now. */
static void
window_totals(struct sampler *s)
{
	struct sampler_stats *st = &s->res->stats;

	st->wall_ns = now_ns() - s->start_ns;
	s->res->profile.duration_nanos = (int64_t) (now_ns() - s->win_start_ns);
	/* A command's CPU from its rusage at exit, which counts the
	 * children it waited for: with --children those are sampled on
	 * their own, and the last look at /proc stands instead. */
	if (s->t.leader_exited && s->res->spawned && !s->o->follow_exec) {
		st->target_cpu_ns = s->t.exit_cpu_ns;
		s->cpu_last = s->cpu0 + s->t.exit_cpu_ns;
	} else {
		uint64_t cpu = process_cpu_ns(s);

		if (cpu)
			s->cpu_last = cpu;
		st->target_cpu_ns = s->cpu_last > s->cpu0 ?
				    s->cpu_last - s->cpu0 : 0;
	}
	st->syscalls_restarted = s->t.syscalls_restarted;
	st->signals_suppressed = s->t.signals_suppressed;
	st->profiler_cpu_ns = rusage_ns() - s->prof0;
	st->perf_now = s->perf != NULL;
}

/* A last tick, so the time since the previous one is counted while the
 * threads are still ours, and the totals of the window up to now. */
static void
window_end(struct sampler *s)
{
	if (s->perf)
		perf_drain(s, true);
	/* Wall mode reads the threads asleep at its ticks; an idle
	 * sampler's window is dropped, and its threads are not stopped
	 * for it. */
	if (!ended(s) && !s->idle && !(s->perf && s->o->mode == MODE_CPU))
		tick(s, false);
	/* The threads that ended since, the last ones of a process that
	 * exited too. */
	if (s->exit_stops) {
		sync_books(s, now_ns());
		charge_exits(s, true);
	}
	/* Perf events weigh the CPU themselves. */
	if (s->young && !s->perf && s->o->mode == MODE_CPU)
		charge_carried(s);
	window_totals(s);
}

static void
stats_delta(const struct sampler_stats *now, const struct sampler_stats *then,
	    struct sampler_stats *d)
{
	size_t i;

	d->ticks = now->ticks - then->ticks;
	d->ticks_late = now->ticks_late - then->ticks_late;
	d->stopped = now->stopped - then->stopped;
	d->blocked = now->blocked - then->blocked;
	d->reused = now->reused - then->reused;
	d->missed = now->missed - then->missed;
	d->stopped_late = now->stopped_late - then->stopped_late;
	d->idle = now->idle - then->idle;
	d->idle_ns = now->idle_ns - then->idle_ns;
	d->truncated = now->truncated - then->truncated;
	d->unwind_errors = now->unwind_errors - then->unwind_errors;
	d->threads_seen = now->threads_seen;
	d->syscalls_restarted = now->syscalls_restarted -
				then->syscalls_restarted;
	d->signals_suppressed = now->signals_suppressed -
				then->signals_suppressed;
	d->wall_ns = now->wall_ns - then->wall_ns;
	d->target_cpu_ns = now->target_cpu_ns - then->target_cpu_ns;
	d->profiler_cpu_ns = now->profiler_cpu_ns - then->profiler_cpu_ns;
	d->perf_samples = now->perf_samples - then->perf_samples;
	d->perf_lost = now->perf_lost - then->perf_lost;
	d->perf_throttled = now->perf_throttled - then->perf_throttled;
	d->perf_no_event = now->perf_no_event;
	d->early = now->early - then->early;
	d->early_ticks = now->early_ticks - then->early_ticks;
	d->exits = now->exits - then->exits;
	d->exit_charged_ns = now->exit_charged_ns - then->exit_charged_ns;
	d->exit_unsampled = now->exit_unsampled - then->exit_unsampled;
	d->exit_unsampled_ns = now->exit_unsampled_ns -
			       then->exit_unsampled_ns;
	d->carried_ns = now->carried_ns - then->carried_ns;
	d->exit_lost_ns = now->exit_lost_ns - then->exit_lost_ns;
	d->perf_tail_ns = now->perf_tail_ns - then->perf_tail_ns;
	d->perf_now = now->perf_now;
	/* The maxima are of the whole run: windows do not keep their own. */
	d->stop_max_ns = now->stop_max_ns;
	d->span_max_ns = now->span_max_ns;
	d->wait_max_ns = now->wait_max_ns;
	for (i = 0; i < STOP_HIST_BUCKETS; i++) {
		d->stop_hist[i] = now->stop_hist[i] - then->stop_hist[i];
		d->wait_hist[i] = now->wait_hist[i] - then->wait_hist[i];
		d->span_hist[i] = now->span_hist[i] - then->span_hist[i];
	}
}

/* Moves the window's profile to @old_out and begins the next one. */
static void
window_next(struct sampler *s, struct profile *old_out)
{
	struct profile old;
	size_t i;

	old = s->res->profile;
	if (s->reconfigure) {
		uint64_t now = now_ns();

		/* In cpu mode only threads that ran were brought up to
		 * date: wall time counts from the cut, not from the last
		 * time each thread ran. */
		if (s->next_mode == MODE_WALL && s->opts.mode != MODE_WALL) {
			for (i = 0; i < s->nbooks; i++) {
				s->books[i].last_wall = now;
				/* Nor did perf events keep the CPU. */
				if (s->perf && i < s->t.n && !s->t.t[i].gone)
					s->books[i].last_cpu = read_cpu(s,
						&s->books[i], s->t.t[i].tid);
			}
		}
		s->opts.mode = s->next_mode;
		s->opts.rate_hz = s->next_rate;
		s->opts.no_idle = s->next_no_idle;
		s->reconfigure = false;
	}
	/* Events for the new window, if it takes them and has none. */
	if (!ended(s))
		perf_start(s, false);
	window_begin(s);
	/* The books name stacks and strings of the old window; carry them
	 * over, so threads that do not run keep being reused. */
	for (i = 0; i < s->nbooks; i++) {
		struct book *b = &s->books[i];
		const struct profile_stack *st;

		if (b->stack) {
			st = &old.stacks[b->stack - 1];
			b->stack = profile_stack(&s->res->profile,
						 old.pcs + st->off, st->n);
		}
		if (b->name_read_ns)
			b->name = profile_string(&s->res->profile,
						 old.strings.v[b->name]);
	}
	*old_out = old;
}

void
sampler_cut(struct sampler *s, struct profile *out,
	    struct sampler_stats *win)
{
	window_end(s);
	/* perf events in cpu mode: the kernel's samples saw the threads
	 * that ran, the books did not; their last stacks of this window
	 * go on to the next, as the books' do, for a threads profile. */
	if (s->perf && s->o->mode == MODE_CPU)
		for (size_t i = 0; i < s->nbooks && i < s->t.n; i++)
			if (!s->t.t[i].gone)
				perf_fill_running(s, i);
	perf_leave(s, true);
	if (win)
		stats_delta(&s->res->stats, s->at_cut, win);
	*s->at_cut = s->res->stats;
	window_next(s, out);
}

enum sampler_state
sampler_idle(struct sampler *s, uint64_t until_ns)
{
	/* Nothing samples while idle: the events close (they would fill
	 * their rings with samples nobody wants, at a cost to the
	 * target), and open again at sampler_skip. */
	perf_stop(s, false);
	s->idle = true;
	for (;;) {
		uint64_t now = now_ns();

		/* Signals are dropped and calls made again while idle too. */
		s->res->stats.syscalls_restarted = s->t.syscalls_restarted;
		s->res->stats.signals_suppressed = s->t.signals_suppressed;
		if (*s->o->stop)
			return SAMPLER_STOP;
		if (ended(s))
			return SAMPLER_ENDED;
		if (until_ns && now >= until_ns)
			return SAMPLER_DUE;
		/* Threads keep coming and going while nothing ticks: forget
		 * those that ended here too, or an idle server would grow. */
		sync_books(s, now);
		charge_exits(s, false);
		forget_gone(s);
		target_poll_events(&s->t, until_ns ? until_ns - now :
					  REFRESH_NS);
	}
}

void
sampler_skip(struct sampler *s)
{
	struct profile old;
	uint64_t now = now_ns();
	size_t i;

	/* Threads count from now: the CPU and wall time they spent since
	 * their last sample belong to no window, nor that of threads that
	 * ended meanwhile. */
	sync_books(s, now);
	charge_exits(s, false);
	for (i = 0; i < s->nbooks; i++) {
		struct book *b = &s->books[i];

		b->young_due = 0;
		if (s->t.t[i].gone)
			continue;
		b->last_cpu = read_cpu(s, b, s->t.t[i].tid);
		b->last_wall = now;
		/* It may have run and slept elsewhere since: its stack is
		 * read again at the next tick, not reused, nor a stop that
		 * came late before the pause. */
		b->stack = 0;
		s->t.t[i].late = false;
	}
	s->next_young = 0;
	if (s->perf)
		perf_drain(s, false);
	perf_leave(s, false);
	s->idle = false;
	window_totals(s);
	*s->at_cut = s->res->stats;
	window_next(s, &old);
	profile_free(&old);
	s->next_tick = now_ns() + next_interval(s);
}

void
sampler_reconfigure(struct sampler *s, enum sample_mode mode, int rate_hz,
		    bool no_idle)
{
	/* The window being sampled keeps its mode and rate to its end:
	 * its profile's value types and period say what they were. */
	s->next_mode = mode;
	s->next_rate = rate_hz;
	s->next_no_idle = no_idle;
	s->reconfigure = true;
}

void
sampler_threads(struct sampler *s, struct profile *out)
{
	const struct profile *cur = &s->res->profile;
	struct timespec wall;
	size_t i;

	if (!ended(s)) {
		s->fill = true;
		sync_books(s, now_ns());
		tick(s, false);
	}
	profile_init(out);
	out->nvalues = 1;
	out->types[0] = (struct profile_value_type) { "threads", "count" };
	out->period_type = out->types[0];
	out->period = 1;
	clock_gettime(CLOCK_REALTIME, &wall);
	out->time_nanos = (int64_t) wall.tv_sec * 1000000000 + wall.tv_nsec;
	out->duration_nanos = 1;
	for (i = 0; i < s->nbooks && i < s->t.n; i++) {
		const struct book *b = &s->books[i];
		const struct profile_stack *st;
		int64_t one = 1;

		if (s->t.t[i].gone || !b->stack)
			continue;
		st = &cur->stacks[b->stack - 1];
		profile_add(out, profile_stack(out, cur->pcs + st->off, st->n),
			    s->t.t[i].tid,
			    profile_string(out, b->name_read_ns ?
					   cur->strings.v[b->name] : NULL),
			    b->state, &one);
	}
}

void
sampler_close(struct sampler *s)
{
	struct sampler_result *res = s->res;

	window_end(s);
	if (s->o->status_line)
		status_clear();
	if (s->t.exec_seen && !s->o->follow_exec)
		warning_msg("process %d called execve: sampling stopped there",
			    (int) s->t.pid);
	res->target_exited = !target_alive(&s->t);
	res->exit_known = s->t.leader_exited;
	res->exit_status = s->t.exit_status;
	if (s->o->spawned && s->t.leader_exited)
		s->o->spawned->reaped = true;
	for (size_t i = 0; i < s->nbooks; i++)
		if (s->books[i].sched_fd >= 0)
			close(s->books[i].sched_fd);
	free(s->books);
	free(s->raw);
	free(s->pcs);
	free(s->at_cut);
	if (s->stat_fd >= 0)
		close(s->stat_fd);
	if (s->uw)
		s->o->unwinder->close(s->uw);
	s->t.on_thread_new = NULL;
	s->t.on_thread_exit = NULL;
	s->t.on_thread_last = NULL;
	s->t.young_wake = false;
	perf_sampler_close(s->perf);
	target_release(&s->t);
	free(s);
}

int
sampler_run(const struct sampler_opts *o, struct sampler_result *res)
{
	struct sampler *s = sampler_open(o, res);

	if (!s)
		return -1;
	sampler_poll(s, o->duration_ns ? s->start_ns + o->duration_ns : 0);
	sampler_close(s);
	return 0;
}

/* When @s has work next: its tick, or an early tick before it. */
static uint64_t
next_event(const struct sampler *s)
{
	return s->next_young && s->next_young < s->next_tick ?
	       s->next_young : s->next_tick;
}

/* Opens the sampler of process @i of @p into v[i]; false if it could
 * not be attached (said in a warning).  The first may be a command
 * (o->spawned); @adopt: a child, traced already. */
static bool
open_one(const struct sampler_opts *o, struct sampler_procs *p, size_t i,
	 struct sampler **v, struct sampler_result *res, bool adopt)
{
	struct sampler_opts so = *o;

	so.pid = p->pids[i];
	so.argv = NULL;
	if (i > 0 || adopt)
		so.spawned = NULL;
	so.adopt = adopt;
	so.follow_exec = p->children;
	/* One status line would not tell which process it is; which
	 * sampler takes the samples is said for the first. */
	so.status_line = false;
	so.quiet = o->quiet || i > 0;
	v[i] = sampler_open(&so, &res[i]);
	res[i].pid = p->pids[i];
	if (!v[i]) {
		/* A child that ended before its turn is no news. */
		if (!adopt || res[i].err.errnum != ESRCH)
			warning_msg("process %d left out: %s",
				    (int) p->pids[i], res[i].err.text);
		return false;
	}
	res[i].attached = true;
	return true;
}

/* Sums of the counters of several samplers (one tracer thread). */
void
sampler_stats_add(struct sampler_stats *d, const struct sampler_stats *s)
{
	size_t i;

	d->ticks += s->ticks;
	d->ticks_late += s->ticks_late;
	d->stopped += s->stopped;
	d->blocked += s->blocked;
	d->reused += s->reused;
	d->missed += s->missed;
	d->stopped_late += s->stopped_late;
	d->idle += s->idle;
	d->idle_ns += s->idle_ns;
	d->truncated += s->truncated;
	d->unwind_errors += s->unwind_errors;
	d->threads_seen += s->threads_seen;
	d->syscalls_restarted += s->syscalls_restarted;
	d->signals_suppressed += s->signals_suppressed;
	d->target_cpu_ns += s->target_cpu_ns;
	d->perf_samples += s->perf_samples;
	d->perf_lost += s->perf_lost;
	d->perf_throttled += s->perf_throttled;
	d->perf_no_event += s->perf_no_event;
	d->perf_tail_ns += s->perf_tail_ns;
	d->early += s->early;
	d->early_ticks += s->early_ticks;
	d->exits += s->exits;
	d->exit_charged_ns += s->exit_charged_ns;
	d->exit_unsampled += s->exit_unsampled;
	d->exit_unsampled_ns += s->exit_unsampled_ns;
	d->exit_lost_ns += s->exit_lost_ns;
	d->carried_ns += s->carried_ns;
	d->perf_now |= s->perf_now;
	for (i = 0; i < STOP_HIST_BUCKETS; i++) {
		d->stop_hist[i] += s->stop_hist[i];
		d->wait_hist[i] += s->wait_hist[i];
		d->span_hist[i] += s->span_hist[i];
	}
#define MAX_OF(f) do { if (s->f > d->f) d->f = s->f; } while (0)
	MAX_OF(stop_max_ns);
	MAX_OF(wait_max_ns);
	MAX_OF(span_max_ns);
	/* The same thread's clocks, each since its sampler began. */
	MAX_OF(wall_ns);
	MAX_OF(profiler_cpu_ns);
#undef MAX_OF
}

/* Where each entry of a group stands. */
enum member_state {
	MEMBER_NONE,		/* not attached */
	MEMBER_LIVE,		/* sampled: v[i] */
	MEMBER_ENDED,		/* closed; its last window not cut yet */
	MEMBER_DONE,		/* closed and cut */
};

struct sampler_group {
	/* The caller's, with the mode, rate and no_idle of the last
	 * sampler_group_reconfigure: processes that come later start so. */
	struct sampler_opts so;
	struct sampler_procs *p;
	struct sampler_result *res;
	struct sampler **v;
	enum member_state *state;
	struct sampler_stats *at_cut;	/* each one's totals at the last cut */
	size_t live;
	uint64_t next_scan;
	bool let_go_said;
	bool one;		/* one process, as sampler_open has it */
};

/* Entry @i was opened (or not): its books begin. */
static void
member_opened(struct sampler_group *g, size_t i, bool ok)
{
	g->state[i] = ok ? MEMBER_LIVE : MEMBER_NONE;
	memset(&g->at_cut[i], 0, sizeof(g->at_cut[i]));
	if (ok)
		g->live++;
}

/* --children: a sampler for each process forked since the last look
 * (running, traced already). */
static void
adopt_children(struct sampler_group *g)
{
	struct sampler_procs *p = g->p;
	pid_t kid[64];
	size_t n, k;

	while ((n = target_take_children(kid, 64)) > 0) {
		for (k = 0; k < n && p->n < p->max; k++) {
			p->pids[p->n] = kid[k];
			if (!open_one(&g->so, p, p->n, g->v, g->res, true)) {
				/* Its entry is taken by the next one. */
				sampler_result_free(&g->res[p->n]);
				continue;
			}
			member_opened(g, p->n, true);
			if (!g->so.quiet)
				info_msg("process %d (%s) followed; %zu sampled",
					 (int) kid[k], g->res[p->n].comm,
					 g->live);
			p->n++;
		}
	}
}

/* A process that ended is let go now, with a line; one that called
 * execve is followed again, with its new image (a new entry). */
static void
close_ended(struct sampler_group *g)
{
	struct sampler_procs *p = g->p;
	size_t i, n;

	for (i = 0, n = p->n; i < n; i++) {
		bool exec;

		if (g->state[i] != MEMBER_LIVE || !ended(g->v[i]))
			continue;
		exec = p->children && g->v[i]->t.exec_seen &&
		       target_alive(&g->v[i]->t);
		sampler_close(g->v[i]);
		g->v[i] = NULL;
		g->state[i] = MEMBER_ENDED;
		g->live--;
		if (exec && p->n < p->max && target_children_reserve()) {
			size_t j = p->n;

			p->pids[j] = p->pids[i];
			if (open_one(&g->so, p, j, g->v, g->res, true)) {
				member_opened(g, j, true);
				p->n++;
			} else {
				sampler_result_free(&g->res[j]);
			}
			continue;
		}
		if (!g->so.quiet)
			info_msg("process %d exited; %zu still sampled",
				 (int) p->pids[i], g->live);
	}
}

/* What every poll and idle wait does first: followed children, ended
 * processes, and (once a second) those that appeared since. */
static void
group_follow(struct sampler_group *g, uint64_t now)
{
	struct sampler_procs *p = g->p;
	size_t i, old;

	if (p->children) {
		size_t gone = target_children_let_go();

		adopt_children(g);
		if (gone && !g->let_go_said) {
			warning_msg("%zu processes followed, as many as --max-processes allows: their further children are not",
				    p->max);
			g->let_go_said = true;
		}
	}
	close_ended(g);
	/* Between ticks, no thread is stopped. */
	if (!p->rescan || now < g->next_scan || !g->live)
		return;
	old = p->n;
	p->rescan(p, p->arg);
	for (i = old; i < p->n; i++) {
		bool ok = open_one(&g->so, p, i, g->v, g->res, false);

		member_opened(g, i, ok);
		if (ok && !g->so.quiet)
			info_msg("process %d appeared; %zu sampled",
				 (int) p->pids[i], g->live);
	}
	g->next_scan = now_ns() + 1000000000ull;
}

/* Whether a group's loop ends at @now (deadline @until_ns, 0: none),
 * and in which state; the processes are followed first. */
static bool
group_loop_ends(struct sampler_group *g, uint64_t now, uint64_t until_ns,
		enum sampler_state *st)
{
	if (*g->so.stop) {
		*st = SAMPLER_STOP;
		return true;
	}
	group_follow(g, now);
	if (!g->live)
		*st = SAMPLER_ENDED;
	else if (until_ns && now >= until_ns)
		*st = SAMPLER_DUE;
	else
		return false;
	return true;
}

struct sampler_group *
sampler_group_open(const struct sampler_opts *o, struct sampler_procs *p,
		   struct sampler_result *res)
{
	struct sampler_group *g = xcalloc(1, sizeof(*g));
	size_t i;

	g->so = *o;
	g->p = p;
	g->res = res;
	g->v = xcalloc(p->max + 1, sizeof(*g->v));
	g->state = xcalloc(p->max + 1, sizeof(*g->state));
	g->at_cut = xcalloc(p->max + 1, sizeof(*g->at_cut));
	g->one = p->n == 1 && !p->rescan && !p->children;
	if (g->one) {
		/* Errors as sampler_open says them, and no labels. */
		g->v[0] = sampler_open(o, &res[0]);
		res[0].attached = g->v[0] != NULL;
		member_opened(g, 0, g->v[0] != NULL);
	} else {
		/* Before the first seize: its options follow the forks. */
		if (p->children)
			target_follow_children(p->max > p->n ?
					       p->max - p->n : 0);
		/* Each process has rings of its own: small ones, drained
		 * often, so that memory does not grow by processes x CPUs
		 * x megabytes. */
		perf_sampler_ring_limit(RING_PAGES_SEVERAL);
		for (i = 0; i < p->n; i++)
			member_opened(g, i, open_one(&g->so, p, i, g->v, res,
						     false));
	}
	if (!g->live) {
		perf_sampler_ring_limit(0);
		free(g->v);
		free(g->state);
		free(g->at_cut);
		free(g);
		return NULL;
	}
	g->next_scan = now_ns() + 1000000000ull;
	/* Those found from now on are found while others are traced. */
	g->so.no_prefetch = true;
	return g;
}

enum sampler_state
sampler_group_poll(struct sampler_group *g, uint64_t until_ns)
{
	struct sampler_procs *p = g->p;
	size_t i;

	/* One process stays open to the close, ended or not, as with
	 * sampler_poll. */
	if (g->one)
		return sampler_poll(g->v[0], until_ns);
	for (;;) {
		struct sampler *s = NULL;
		uint64_t now = now_ns();
		enum sampler_state st;

		if (group_loop_ends(g, now, until_ns, &st))
			return st;
		/* The sampler whose tick or early tick comes first (with
		 * the books of threads born while it waited). */
		for (i = 0; i < p->n; i++) {
			/* One that ended since the look above (or was
			 * followed after an execve and is gone already, with
			 * no image) is closed at the next. */
			if (g->state[i] != MEMBER_LIVE || ended(g->v[i]))
				continue;
			if (g->v[i]->t.young_ns)
				sync_books(g->v[i], now);
			if (!s || next_event(g->v[i]) < next_event(s))
				s = g->v[i];
		}
		if (!s)
			continue;
		if (now < next_event(s)) {
			uint64_t wait = next_event(s) - now;

			if (until_ns && until_ns - now < wait)
				wait = until_ns - now;
			if (p->rescan && g->next_scan - now < wait)
				wait = g->next_scan > now ?
				       g->next_scan - now : 0;
			/* The wait reaps the stops of every process. */
			target_wait_tick(&s->t, wait);
			if (now_ns() < next_event(s)) {
				target_rt_end(&s->t);
				continue;
			}
		}
		/* Perf events: no tick, the rings drained in time. */
		if (perf_ticks_none(s)) {
			s->next_tick = perf_step(s);
			target_rt_end(&s->t);
			continue;
		}
		if (next_event(s) < s->next_tick) {
			tick(s, true);
			target_rt_end(&s->t);
			continue;
		}
		tick(s, false);
		s->next_tick += next_interval(s);
		now = now_ns();
		if (now > s->next_tick) {
			uint64_t period = 1000000000ull / s->o->rate_hz;

			s->res->stats.ticks_late +=
				(now - s->next_tick) / period + 1;
			s->next_tick = now + next_interval(s);
		}
		target_rt_end(&s->t);
	}
}

/* The window's profile of entry @i into @out and its counters into
 * @win; false when it has none (not attached, or cut at its end). */
static bool
member_cut(struct sampler_group *g, size_t i, struct profile *out,
	   struct sampler_stats *win)
{
	struct sampler_result *r = &g->res[i];

	switch (g->state[i]) {
	case MEMBER_LIVE:
		sampler_cut(g->v[i], out, NULL);
		break;
	case MEMBER_ENDED:
		/* Closed since the last cut: what it sampled to its end. */
		*out = r->profile;
		profile_init(&r->profile);
		g->state[i] = MEMBER_DONE;
		break;
	default:
		return false;
	}
	stats_delta(&r->stats, &g->at_cut[i], win);
	g->at_cut[i] = r->stats;
	return true;
}

void
sampler_group_cut(struct sampler_group *g, struct profile *out,
		  struct sampler_stats *win)
{
	struct sampler_stats *w = xmalloc(sizeof(*w));
	struct profile one;
	size_t i, n = 0;
	int64_t end = 0;

	if (win)
		memset(win, 0, sizeof(*win));
	if (g->one) {
		if (!member_cut(g, 0, out, w)) {
			profile_init(out);
			memset(w, 0, sizeof(*w));
		}
		if (win)
			*win = *w;
		free(w);
		return;
	}
	profile_init(out);
	for (i = 0; i < g->p->n; i++) {
		if (!member_cut(g, i, &one, w))
			continue;
		if (!n++) {
			out->nvalues = one.nvalues;
			memcpy(out->types, one.types, sizeof(out->types));
			out->period_type = one.period_type;
			out->period = one.period;
			out->time_nanos = one.time_nanos;
		}
		if (one.time_nanos && one.time_nanos < out->time_nanos)
			out->time_nanos = one.time_nanos;
		if (one.time_nanos + one.duration_nanos > end)
			end = one.time_nanos + one.duration_nanos;
		profile_add_process(out, &one, (unsigned int) i + 1,
				    g->p->pids[i], g->res[i].comm);
		profile_free(&one);
		if (win)
			sampler_stats_add(win, w);
	}
	if (n)
		out->duration_nanos = end - out->time_nanos;
	free(w);
}

enum sampler_state
sampler_group_idle(struct sampler_group *g, uint64_t until_ns)
{
	size_t i;

	if (g->one)
		return sampler_idle(g->v[0], until_ns);
	for (i = 0; i < g->p->n; i++)
		if (g->state[i] == MEMBER_LIVE) {
			perf_stop(g->v[i], false);
			g->v[i]->idle = true;
		}
	for (;;) {
		struct sampler *s = NULL;
		uint64_t now = now_ns(), wait;
		enum sampler_state st;

		if (group_loop_ends(g, now, until_ns, &st))
			return st;
		/* Threads keep coming and going while nothing ticks. */
		for (i = 0; i < g->p->n; i++) {
			if (g->state[i] != MEMBER_LIVE)
				continue;
			s = g->v[i];
			/* Those that came since too: nothing samples. */
			if (!s->idle) {
				perf_stop(s, false);
				s->idle = true;
			}
			s->res->stats.syscalls_restarted =
				s->t.syscalls_restarted;
			s->res->stats.signals_suppressed =
				s->t.signals_suppressed;
			sync_books(s, now);
			charge_exits(s, false);
			forget_gone(s);
		}
		wait = until_ns ? until_ns - now : REFRESH_NS;
		if (wait > REFRESH_NS)
			wait = REFRESH_NS;
		if (g->p->rescan && g->next_scan > now &&
		    g->next_scan - now < wait)
			wait = g->next_scan - now;
		/* One wait reaps the events of every process. */
		target_poll_events(&s->t, wait);
	}
}

void
sampler_group_skip(struct sampler_group *g)
{
	size_t i;

	for (i = 0; i < g->p->n; i++) {
		if (g->state[i] == MEMBER_LIVE) {
			sampler_skip(g->v[i]);
		} else if (g->state[i] == MEMBER_ENDED) {
			/* Its last window is dropped with the others. */
			profile_free(&g->res[i].profile);
			profile_init(&g->res[i].profile);
			g->state[i] = MEMBER_DONE;
		}
		g->at_cut[i] = g->res[i].stats;
	}
}

void
sampler_group_reconfigure(struct sampler_group *g, enum sample_mode mode,
			  int rate_hz, bool no_idle)
{
	size_t i;

	g->so.mode = mode;
	g->so.rate_hz = rate_hz;
	g->so.no_idle = no_idle;
	for (i = 0; i < g->p->n; i++)
		if (g->state[i] == MEMBER_LIVE)
			sampler_reconfigure(g->v[i], mode, rate_hz, no_idle);
}

void
sampler_group_threads(struct sampler_group *g, struct profile *out)
{
	struct profile one;
	size_t i, n = 0;

	if (g->one) {
		sampler_threads(g->v[0], out);
		return;
	}
	profile_init(out);
	out->nvalues = 1;
	out->types[0] = (struct profile_value_type) { "threads", "count" };
	out->period_type = out->types[0];
	out->period = 1;
	for (i = 0; i < g->p->n; i++) {
		if (g->state[i] != MEMBER_LIVE)
			continue;
		sampler_threads(g->v[i], &one);
		if (!n++) {
			out->time_nanos = one.time_nanos;
			out->duration_nanos = one.duration_nanos;
		}
		profile_add_process(out, &one, (unsigned int) i + 1,
				    g->p->pids[i], g->res[i].comm);
		profile_free(&one);
	}
}

size_t
sampler_group_live(const struct sampler_group *g)
{
	return g->live;
}

bool
sampler_group_closed(const struct sampler_group *g, size_t i)
{
	return i < g->p->n && g->state[i] != MEMBER_LIVE;
}

void
sampler_group_close(struct sampler_group *g)
{
	size_t i;

	for (i = 0; i < g->p->n; i++)
		if (g->state[i] == MEMBER_LIVE)
			sampler_close(g->v[i]);
	if (!g->one)
		perf_sampler_ring_limit(0);
	free(g->v);
	free(g->state);
	free(g->at_cut);
	free(g);
}

int
sampler_run_many(const struct sampler_opts *o, struct sampler_procs *p,
		 struct sampler_result *res)
{
	struct sampler_group *g = sampler_group_open(o, p, res);
	uint64_t until = 0;

	if (!g)
		return -1;
	/* The duration counts once they are all attached. */
	if (o->duration_ns)
		until = now_ns() + o->duration_ns;
	sampler_group_poll(g, until);
	sampler_group_close(g);
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
