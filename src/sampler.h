/*
 * The sampling loop: every tick, choose the threads that are due, take
 * their snapshots, unwind them after they run again, and add the stacks
 * to the profile with their weights.  Runs in the tracer thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_SAMPLER_H
# define PIDPROF_SAMPLER_H

# include "common.h"
# include "attach.h"
# include "err.h"
# include "procimg.h"
# include "profile.h"
# include "symbols.h"
# include "unwind.h"

# include <signal.h>

enum sample_mode {
	MODE_WALL,	/* every thread, on or off CPU, weighted by wall time */
	MODE_CPU,	/* threads on a CPU, weighted by the CPU they used */
};

/* What takes the samples (--sampler). */
enum sampler_kind {
	SAMPLER_PTRACE = 0,	/* ptrace stops */
	SAMPLER_AUTO,		/* perf events where permitted, else ptrace */
	SAMPLER_PERF,		/* perf events, or fail */
};

# define RATE_MIN	1
# define RATE_MAX	250

struct sampler_opts {
	pid_t pid;		/* attach to it, or 0 ... */
	char *const *argv;	/* ... start this command ... */
	/* ... or seize this one, forked already (spawn_command): its
	 * reaped flag is set when its exit status was collected */
	struct spawned *spawned;
	enum sample_mode mode;
	enum sampler_kind sampler;
	int rate_hz;
	uint64_t duration_ns;	/* 0: until the target exits or a stop */
	size_t stack_size;
	const struct unwinder_ops *unwinder;
	/* wall mode: leave out the samples of threads asleep (state S) */
	bool no_idle;
	bool status_line;	/* a live line on stderr */
	/* pid is a child of a followed process, traced by this thread
	 * already (--children; see target_adopt) */
	bool adopt;
	/* an execve ends the sampler quietly: the process is followed
	 * again with its new image (--children) */
	bool follow_exec;
	/* other processes are traced already (a process found later under
	 * --name): no debuginfod download before the attach, which would
	 * hold up their stops */
	bool no_prefetch;
	/* no line saying which sampler takes the samples (--sampler) */
	bool quiet;
	volatile sig_atomic_t *stop;	/* set by signal handlers */
};

/* Stop times in 1 µs buckets up to 10 ms, for median and p99. */
# define STOP_HIST_BUCKETS	10001

struct sampler_stats {
	uint64_t ticks;
	uint64_t ticks_late;	/* ticks skipped because the loop fell behind */
	uint64_t stopped;	/* snapshots through the stop path */
	uint64_t blocked;	/* snapshots of sleeping threads, not stopped */
	uint64_t reused;	/* stacks reused: the thread had not run */
	uint64_t missed;	/* due, but no snapshot will come */
	uint64_t stopped_late;	/* stopped after a tick's wait: sampled at
				 * the next tick (in stopped too) */
	uint64_t idle;		/* samples of asleep threads left out */
	uint64_t idle_ns;	/* the wall time they weighed */
	uint64_t truncated, unwind_errors;
	uint64_t threads_seen;
	uint64_t syscalls_restarted;	/* EINTRs we caused and undid */
	/* signals the target ignores, dropped */
	uint64_t signals_suppressed;
	uint64_t stop_max_ns;	/* stop reaped -> resumed: ours */
	uint64_t stop_hist[STOP_HIST_BUCKETS];
	/* interrupt sent -> stop reaped: the thread reaching its stop
	 * (waiting for a CPU, when the host is busy), then our reaping */
	uint64_t wait_max_ns;
	uint64_t wait_hist[STOP_HIST_BUCKETS];
	uint64_t span_max_ns;	/* interrupt sent -> resumed: the upper bound */
	uint64_t span_hist[STOP_HIST_BUCKETS];
	uint64_t wall_ns;	/* sampling window */
	uint64_t target_cpu_ns;	/* CPU the target used in the window */
	uint64_t profiler_cpu_ns;
	/* perf events: samples the kernel took, records it lost (rings
	 * full), times it throttled the events, threads without events */
	uint64_t perf_samples, perf_lost, perf_throttled, perf_no_event;
	/* ptrace: threads born since the start sampled soon after their
	 * birth (early ticks: rounds of those only), and threads that
	 * ended: what their exit stop charged to their last stack, and
	 * those that ended before any sample, with their CPU: at their
	 * exit's stack, or, without one, in no stack (lost) */
	uint64_t early, early_ticks;
	uint64_t exits, exit_charged_ns;
	uint64_t exit_unsampled, exit_unsampled_ns, exit_lost_ns;
	/* cpu mode: CPU of live threads since their last sample, charged
	 * to that sample's stack at a window's end */
	uint64_t carried_ns;
	/* perf events: CPU after the last sample of threads that ended,
	 * charged to that sample's stack */
	uint64_t perf_tail_ns;
	bool perf_now;		/* perf events took the samples at the end */
};

struct sampler_result {
	pid_t pid;
	struct profile profile;
	struct procimg img;	/* symbols of the profile's pcs stay valid */
	struct symbols *syms;
	struct sampler_stats stats;
	bool spawned;
	bool perf;		/* perf events took the samples */
	bool perf_kernel;	/* with those in kernel mode */
	bool target_exited;
	bool exit_known;	/* exit_status holds the command's */
	bool attached;		/* sampler_run_many: this one was */
	char comm[64];		/* the process's name when it was attached */
	int exit_status;	/* wait status of a spawned command */
	struct pp_err err;
};

/*
 * A sampler that runs for long, cut into windows: open it, poll it until
 * each window's end, cut the window's profile out, and close it.  All of
 * it from one thread, the tracer thread, which owns the ptrace
 * relationship.  @res keeps the current window's profile, the symbols
 * and image the unwinder uses, and the running totals.
 */
struct sampler;

enum sampler_state {
	SAMPLER_DUE,		/* the deadline passed */
	SAMPLER_STOP,		/* *o->stop was set */
	SAMPLER_ENDED,		/* the target exited or called execve */
};

/* Attaches or starts the command.  NULL with res->err set on failure. */
struct sampler *sampler_open(const struct sampler_opts *o,
			     struct sampler_result *res);
/* Samples until @until_ns (CLOCK_MONOTONIC; 0: no deadline), a stop
 * request or the target's end. */
enum sampler_state sampler_poll(struct sampler *s, uint64_t until_ns);
/* Ends the current window (with a last tick, so every thread's time is
 * counted up to now), moves its profile into @out and starts the next.
 * @win, if not NULL, gets the counters of the window alone. */
void sampler_cut(struct sampler *s, struct profile *out,
		 struct sampler_stats *win);
/* Handles ptrace events (new threads, exits, signals to pass on) until
 * @until_ns, a stop request or the target's end, without sampling: no
 * thread is stopped, and perf events are closed.  For a sampler that
 * has nothing to do for a while; call sampler_skip() before sampling
 * again (it opens the events again). */
enum sampler_state sampler_idle(struct sampler *s, uint64_t until_ns);
/* Drops the current window and begins a new one now: the CPU and wall
 * time threads spent since their last sample (idle time) are counted in
 * no window, and the next window's counters start here. */
void sampler_skip(struct sampler *s);
/* The next window samples with this mode, rate and no_idle: the change
 * is made by the next sampler_cut or sampler_skip, between two windows.
 * With --sampler=auto, perf events close there for wall mode and open
 * for cpu mode. */
void sampler_reconfigure(struct sampler *s, enum sample_mode mode,
			 int rate_hz, bool no_idle);
/* Every live thread's current stack as a threads/count profile (one
 * sample per thread, labelled with its id and name).  Threads with no
 * known stack yet are read now, sleeping ones without stopping them. */
void sampler_threads(struct sampler *s, struct profile *out);
/* Final accounting into res->stats, then detaches.  @res stays valid. */
void sampler_close(struct sampler *s);

/* open, poll until the duration ends, close.  Returns 0, or -1 with
 * res->err set when nothing could be started. */
int sampler_run(const struct sampler_opts *o, struct sampler_result *res);
/*
 * Several processes in one tracer thread: a sampler each (@o with pid
 * set to each of p->pids), ticking in turn, sharing one reaper.  A process
 * that cannot be attached is reported and left out; one that exits is
 * closed at once with a line.  Runs until the duration ends, a stop
 * request or every process is gone.  Fills res[i] for each pid (room
 * for p->max; res[i].attached says whether it was).  Returns 0, or -1
 * when not one could be attached (res[0].err says why).
 */
struct sampler_procs {
	pid_t *pids;		/* n of them, with room for max */
	size_t n, max;
	/* When not NULL, called about once a second: appends to pids the
	 * processes that appeared since (--name), which are sampled too. */
	void (*rescan)(struct sampler_procs *p, void *arg);
	void *arg;
	/* --children: the processes they fork are sampled too, from their
	 * first instruction, and again after each execve (a new entry of
	 * pids); max bounds every entry of the run */
	bool children;
};
int sampler_run_many(const struct sampler_opts *o, struct sampler_procs *p,
		     struct sampler_result *res);
/*
 * The same, cut into windows as a single sampler is: the functions of
 * struct sampler above, for every process of @p at once.  A window's
 * profile holds each process's samples with their pid and process name
 * (process number i + 1 for p->pids[i], whose symbols are res[i].syms),
 * those of processes that ended during it included.  With one process
 * and neither rescan nor children, it is that process's sampler (errors
 * and profile as sampler_open and sampler_cut have them), even after
 * it ended.  Open returns NULL when not one could be attached (res[0].err
 * says why).  Poll says SAMPLER_ENDED when every process is gone.
 */
struct sampler_group;
struct sampler_group *sampler_group_open(const struct sampler_opts *o,
					 struct sampler_procs *p,
					 struct sampler_result *res);
enum sampler_state sampler_group_poll(struct sampler_group *g,
				      uint64_t until_ns);
void sampler_group_cut(struct sampler_group *g, struct profile *out,
		       struct sampler_stats *win);
enum sampler_state sampler_group_idle(struct sampler_group *g,
				      uint64_t until_ns);
void sampler_group_skip(struct sampler_group *g);
void sampler_group_reconfigure(struct sampler_group *g, enum sample_mode mode,
			       int rate_hz, bool no_idle);
void sampler_group_threads(struct sampler_group *g, struct profile *out);
/* How many processes are sampled now. */
size_t sampler_group_live(const struct sampler_group *g);
/* Whether entry @i is sampled no more: its res[i] (symbols included)
 * is no longer touched by the group. */
bool sampler_group_closed(const struct sampler_group *g, size_t i);
void sampler_group_close(struct sampler_group *g);
/* Adds the counters of @s to @d (maxima as maxima). */
void sampler_stats_add(struct sampler_stats *d, const struct sampler_stats *s);
void sampler_result_free(struct sampler_result *res);
/* Median or other quantile (0..1) of a stop-time histogram, in ns. */
uint64_t hist_quantile(const uint64_t *hist, uint64_t max_ns, double q);
void hist_add(uint64_t *hist, uint64_t *max_ns, uint64_t ns);
/* Late ticks as a share (%) of the ticks that were due: taken + late. */
double ticks_late_pct(const struct sampler_stats *st);
const char *sample_mode_name(enum sample_mode m);

#endif /* !PIDPROF_SAMPLER_H */
