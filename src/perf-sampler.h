/*
 * Samples taken by the kernel: one software CPU-clock event per (thread,
 * CPU), whose samples (registers and a copy of the user stack) go to one
 * ring per CPU, drained by the tracer thread.  Nobody is stopped: the
 * kernel writes each sample in the thread's own context.
 *
 * Threads are added when ptrace reports them (before they run) and
 * removed when they exit; every call is made from the tracer thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_PERF_SAMPLER_H
# define PIDPROF_PERF_SAMPLER_H

# include "common.h"
# include "err.h"
# include "snapshot.h"

/* The largest user stack copy the kernel makes (below USHRT_MAX,
 * 8-aligned). */
# define PERF_STACK_MAX	65528

/* The kernel frames kept of a sample's callchain, at most. */
# define PERF_KERNEL_FRAMES_MAX	64

struct perf_sampler;

struct perf_counts {
	uint64_t samples;	/* handed to the caller */
	uint64_t lost;		/* PERF_RECORD_LOST: the ring was full */
	uint64_t throttled;	/* PERF_RECORD_THROTTLE: the kernel's limit */
	uint64_t no_event;	/* threads whose event could not be opened */
	/* first samples of regular events, left out (see perf-sampler.c) */
	uint64_t first_dropped;
};

/*
 * Opens the events of @tid on every CPU at @rate_hz of its CPU time,
 * with @stack_size bytes of stack per sample.  Returns NULL with @err
 * set to why perf events cannot be used, in one line such as
 * "perf_event_open: EACCES (perf_event_paranoid=3; ...)".
 */
struct perf_sampler *perf_sampler_open(pid_t pid, pid_t tid, int rate_hz,
				       size_t stack_size, struct pp_err *err);
/* The samplers this thread opens from now on map rings of @pages per
 * CPU at most (rounded up to room for two samples; 0: the default):
 * with several processes, each has rings of its own. */
void perf_sampler_ring_limit(size_t pages);
/* on_thread_new: the thread's events, opened before it runs.  Returns
 * 0, or -1 when they could not be opened (counted in no_event). */
int perf_sampler_add(struct perf_sampler *ps, pid_t tid);
/* on_thread_exit: closes its events; its samples stay in the rings.
 * Drain the rings first: a sample of a thread without its events is
 * weighed as a regular one, not told from its event's first. */
void perf_sampler_remove(struct perf_sampler *ps, pid_t tid);
/* The CPU @tid used after the period its last regular sample closed,
 * on all CPUs, in ns: what no sample stands for.  Read at its exit, after
 * a drain, before perf_sampler_remove. */
uint64_t perf_sampler_tail_ns(struct perf_sampler *ps, pid_t tid);
/* Whether @tid has its events. */
bool perf_sampler_has(const struct perf_sampler *ps, pid_t tid);

/* The words the caller keeps for a thread (PERF_USER_WORDS), zero when
 * its events are opened; NULL when it has none. */
# define PERF_USER_WORDS	3
uint64_t *perf_sampler_user(struct perf_sampler *ps, pid_t tid);

/* One sample: @snap holds the thread's registers and stack (valid
 * during the call only) and, with kernel-mode samples, the kernel's
 * frames (kernel_pcs, leaf first; none in user mode), @weight_ns its
 * period, @user the words the caller keeps for the thread (NULL once
 * the thread is gone). */
typedef void (*perf_sample_fn)(void *arg, struct snapshot *snap,
			       uint64_t weight_ns, uint64_t *user);
/* Reads every ring to its end, calling @fn for each sample. */
void perf_sampler_drain(struct perf_sampler *ps, perf_sample_fn fn,
			void *arg);
/* How often to drain so that no ring fills, in ns. */
uint64_t perf_sampler_drain_interval(const struct perf_sampler *ps);
const struct perf_counts *perf_sampler_counts(const struct perf_sampler *ps);
/* The kernel's sample weight for the user: whether kernel-mode samples
 * are kept (else the time in system calls is not sampled). */
bool perf_sampler_kernel_time(const struct perf_sampler *ps);
void perf_sampler_close(struct perf_sampler *ps);

#endif /* !PIDPROF_PERF_SAMPLER_H */
