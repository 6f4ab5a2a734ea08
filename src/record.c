/*
 * pidprof record: check the outputs, sample in a tracer thread, then
 * symbolize, encode and write every output.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "record.h"
#include "attach.h"
#include "msg.h"
#include "pidsel.h"
#include "procfs.h"
#include "signals.h"
#include "units.h"
#include "xmalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct job {
	struct record_opts *o;
	/* The caller's: the symbols in it point into it (its procimg), so
	 * it is filled in place, never copied. */
	struct sampler_result *res;
	int rc;
};

static void *
tracer_thread(void *arg)
{
	struct job *job = arg;

	/* Stop signals go to the main thread, which only waits. */
	stop_signals_block();
	job->rc = sampler_run(&job->o->sampler, job->res);
	return NULL;
}

/* Below this share of the target's CPU, a cpu profile is incomplete
 * enough to say so. */
#define CPU_SHARE_MIN	0.9

/*
 * A cpu profile that holds less than 90 % of the CPU the target used
 * says so, with what loses CPU: a thread's CPU is charged when it is
 * next sampled, so what a thread used after its last sample is lost
 * when it ends first (but where its exit stop charges it: ptrace), and
 * a missed sample carries its CPU only to a later one.  Runs shorter
 * than 20 periods are left alone: one sample more or less is more than
 * the margin there.
 */
static void
cpu_share_warning(const struct record_opts *o,
		  const struct sampler_result *res)
{
	const struct sampler_stats *st = &res->stats;
	uint64_t in = (uint64_t) profile_total(&res->profile, 1);
	uint64_t used = st->target_cpu_ns;
	uint64_t period = 1000000000ull / (uint64_t) o->sampler.rate_hz;

	if (used < 20 * period || (double) in >= CPU_SHARE_MIN * used)
		return;
	warning_msg("the profile holds only %.0f%% of the CPU the target used: the CPU a thread used after its last sample is lost when it ends before its next one, unless its exit stop is seen (%" PRIu64 " threads in the run, %" PRIu64 " exit stops), and %" PRIu64 " samples were missed",
		    100.0 * (double) in / (double) used, st->threads_seen,
		    st->exits, st->missed);
}

static void
print_summary(const struct record_opts *o, const struct sampler_result *res)
{
	const struct sampler_stats *st = &res->stats;
	uint64_t samples = st->stopped + st->blocked + st->reused +
			   st->perf_samples;
	char a[UNITS_LEN], b[UNITS_LEN];

	units_duration(st->wall_ns, a, sizeof(a));
	info_msg("%s, %" PRIu64 " samples (%" PRIu64 " stopped, %" PRIu64
		 " read asleep, %" PRIu64 " reused), %" PRIu64 " missed, %"
		 PRIu64 " truncated, %" PRIu64 " unwind errors, %" PRIu64
		 " threads",
		 a, samples, st->stopped, st->blocked,
		 st->reused, st->missed, st->truncated, st->unwind_errors,
		 st->threads_seen);
	/* perf events (--sampler) */
	if (res->perf) {
		units_duration(st->perf_tail_ns, a, sizeof(a));
		info_msg("perf events: %" PRIu64 " samples, %" PRIu64
			 " lost (rings full), %" PRIu64 " throttled, %" PRIu64
			 " threads without events, %s of CPU since the last sample of threads that ended; %" PRIu64
			 " stops",
			 st->perf_samples, st->perf_lost, st->perf_throttled,
			 st->perf_no_event, a, st->stopped);
	}
	if (st->idle) {
		units_duration(st->idle_ns, a, sizeof(a));
		info_msg("--no-idle left out %" PRIu64 " samples of threads asleep (%s of thread time)",
			 st->idle, a);
	}
	if (st->stopped) {
		const uint64_t *sh = st->stop_hist, *wh = st->wait_hist;

		info_msg("stop reaped -> resumed (stop time per sample): median %.1f us, p99 %.1f us, max %.1f us",
			 hist_quantile(sh, st->stop_max_ns, 0.5) / 1e3,
			 hist_quantile(sh, st->stop_max_ns, 0.99) / 1e3,
			 st->stop_max_ns / 1e3);
		info_msg("interrupt sent -> stop reaped: median %.1f us, p99 %.1f us, max %.1f us; %" PRIu64 " stops came after their tick's wait and were sampled at the next tick",
			 hist_quantile(wh, st->wait_max_ns, 0.5) / 1e3,
			 hist_quantile(wh, st->wait_max_ns, 0.99) / 1e3,
			 st->wait_max_ns / 1e3, st->stopped_late);
	}
	/* The stop time and the CPU per stack stay in microseconds: the
	 * figures compared with the design targets, by scripts/bench too. */
	units_duration(st->profiler_cpu_ns, a, sizeof(a));
	info_msg("profiler CPU %s (%.1f%% of one core), %.1f us per stack; %" PRIu64 " ticks, %" PRIu64 " late (skipped), %.2f%% late",
		 a,
		 st->wall_ns ? 100.0 * st->profiler_cpu_ns / st->wall_ns : 0,
		 st->stopped + st->blocked + st->perf_samples ?
		 st->profiler_cpu_ns / 1e3 /
		 (st->stopped + st->blocked + st->perf_samples) : 0,
		 st->ticks, st->ticks_late, ticks_late_pct(st));
	if (st->early || st->exits) {
		char c[UNITS_LEN];

		units_duration(st->exit_charged_ns, a, sizeof(a));
		units_duration(st->exit_unsampled_ns, b, sizeof(b));
		units_duration(st->exit_lost_ns, c, sizeof(c));
		info_msg("threads born in the run: %" PRIu64 " sampled soon after their birth (%" PRIu64 " early ticks); %" PRIu64 " exit stops: %s charged to the last stack of a thread that ended; %" PRIu64 " threads ended before any sample, with %s (at the stack of their exit; in no stack: %s)",
			 st->early, st->early_ticks, st->exits, a,
			 st->exit_unsampled, b, c);
	}
	if (st->carried_ns) {
		units_duration(st->carried_ns, a, sizeof(a));
		info_msg("%s used by threads since they were last caught running charged to that stack at the end",
			 a);
	}
	if (st->syscalls_restarted)
		info_msg("%" PRIu64 " system calls that an interrupt made fail with EINTR were made again",
			 st->syscalls_restarted);
	if (st->signals_suppressed)
		info_msg("%" PRIu64 " signals the target ignores were dropped, as they would have been untraced",
			 st->signals_suppressed);
	if (o->sampler.mode == MODE_CPU) {
		units_duration(profile_total(&res->profile, 1), a, sizeof(a));
		units_duration(st->target_cpu_ns, b, sizeof(b));
		info_msg("CPU in the profile %s; the target used %s", a, b);
		cpu_share_warning(o, res);
	}
}

/* Kills the command we started: it must not outlive a failed run. */
static void
command_kill(struct spawned *cmd)
{
	if (cmd->pid <= 0 || cmd->reaped)
		return;
	kill(cmd->pid, SIGKILL);
	while (waitpid(cmd->pid, NULL, __WALL) < 0 && errno == EINTR)
		;
	cmd->reaped = true;
	stop_forward_pid = 0;
}

/*
 * Sampling ended before the command did (--duration, or it called
 * execve): the tracer thread is gone, so the command runs on untraced;
 * wait for it, as `time` would, sending it the stop signals we get.
 */
static void
command_wait(struct record_opts *o, struct sampler_result *res)
{
	struct spawned *cmd = &o->cmd;
	int st;

	if (!res->spawned || res->exit_known || cmd->pid <= 0 ||
	    cmd->reaped)
		return;
	if (!o->quiet)
		info_msg("sampling ended; waiting for the command (pid %d) to exit",
			 (int) cmd->pid);
	while (waitpid(cmd->pid, &st, __WALL) < 0) {
		if (errno != EINTR)
			return;
	}
	cmd->reaped = true;
	stop_forward_pid = 0;
	res->exit_known = true;
	res->target_exited = true;
	res->exit_status = st;
}

/* The command's exit status when it failed, 0 when it did not. */
static int
command_failed(const struct sampler_result *res)
{
	int s = res->exit_status;

	if (!res->spawned || !res->exit_known)
		return 0;
	if (WIFEXITED(s))
		return WEXITSTATUS(s);
	if (WIFSIGNALED(s))
		return 128 + WTERMSIG(s);
	return 0;
}

static void
report_child(const struct sampler_result *res)
{
	int s = res->exit_status;

	if (!res->spawned || !res->exit_known)
		return;
	if (WIFEXITED(s))
		info_msg("command exited with status %d", WEXITSTATUS(s));
	else if (WIFSIGNALED(s))
		info_msg("command was killed by signal %d (%s)", WTERMSIG(s),
			 strsignal(WTERMSIG(s)));
}

int
record_sample(struct record_opts *o, struct sampler_result *res)
{
	struct job job;
	pthread_t thr;
	int rc;

	stop_requested = 0;
	o->sampler.stop = &stop_requested;
	stop_signals_install();
	memset(&job, 0, sizeof(job));
	memset(res, 0, sizeof(*res));
	memset(&o->cmd, 0, sizeof(o->cmd));
	if (o->sampler.argv) {
		/* Forked here, in the thread that lives as long as pidprof:
		 * the command dies with it (PR_SET_PDEATHSIG is tied to the
		 * forking thread, and the tracer thread ends first). */
		if (spawn_command(o->sampler.argv, true, &o->cmd,
				  &res->err) < 0) {
			error_msg_err(&res->err);
			return -1;
		}
		o->sampler.spawned = &o->cmd;
		stop_forward_pid = o->cmd.pid;
	}
	job.o = o;
	job.res = res;
	rc = pthread_create(&thr, NULL, tracer_thread, &job);
	if (rc != 0) {
		error_msg("cannot start the tracer thread: %s", strerror(rc));
		command_kill(&o->cmd);
		return -1;
	}
	pthread_join(thr, NULL);
	if (job.rc < 0) {
		error_msg_err(&res->err);
		sampler_result_free(res);
		command_kill(&o->cmd);
		return -1;
	}
	if (o->cmd.reaped)
		stop_forward_pid = 0;
	return 0;
}

/*
 * Renders res->profile, whose pcs @src symbolizes, into every output.
 * @who names what was sampled ("pid 12", "pids 12,13"); @by_process
 * gives the collapsed and SVG outputs a root frame per process.
 */
static size_t
write_outputs(const struct record_opts *o, const struct sampler_result *res,
	      const struct frame_source *srcp, const char *who,
	      bool by_process)
{
	struct pp_err err;
	struct frame_source src = *srcp;
	char comments[4][256], title[160], subtitle[256];
	const char *cptr[5];
	struct render_info info;
	struct profile grouped, by_thread;
	bool have_grouped = false;
	size_t i, written = 0;

	snprintf(comments[0], sizeof(comments[0]),
		 "pidprof %s: %s mode, %d Hz, %s, %s", PACKAGE_VERSION,
		 sample_mode_name(o->sampler.mode), o->sampler.rate_hz, who,
		 res->perf ? "perf events" : "ptrace");
	snprintf(comments[1], sizeof(comments[1]),
		 "samples: %" PRIu64 " by perf events, %" PRIu64
		 " stopped, %" PRIu64 " read asleep, %"
		 PRIu64 " reused, %" PRIu64 " missed, %" PRIu64
		 " truncated, %" PRIu64 " unwind errors",
		 res->stats.perf_samples, res->stats.stopped,
		 res->stats.blocked,
		 res->stats.reused, res->stats.missed,
		 res->stats.truncated, res->stats.unwind_errors);
	snprintf(comments[2], sizeof(comments[2]),
		 "stop reaped -> resumed: median %.1f us, p99 %.1f us, max %.1f us; interrupt sent -> stop reaped: median %.1f us, p99 %.1f us; %.2f%% of ticks late",
		 hist_quantile(res->stats.stop_hist,
			       res->stats.stop_max_ns, 0.5) / 1e3,
		 hist_quantile(res->stats.stop_hist,
			       res->stats.stop_max_ns, 0.99) / 1e3,
		 res->stats.stop_max_ns / 1e3,
		 hist_quantile(res->stats.wait_hist,
			       res->stats.wait_max_ns, 0.5) / 1e3,
		 hist_quantile(res->stats.wait_hist,
			       res->stats.wait_max_ns, 0.99) / 1e3,
		 ticks_late_pct(&res->stats));
	snprintf(comments[3], sizeof(comments[3]),
		 "target CPU in the window: %.3f s; profiler CPU: %.3f s",
		 res->stats.target_cpu_ns / 1e9,
		 res->stats.profiler_cpu_ns / 1e9);
	for (i = 0; i < 4; i++)
		cptr[i] = comments[i];
	/* "process 12" for one, "pids 12,13" for several */
	if (strncmp(who, "pid ", 4) == 0)
		snprintf(title, sizeof(title), "%s time, process %s",
			 o->sampler.mode == MODE_CPU ? "CPU" : "Wall",
			 who + 4);
	else
		snprintf(title, sizeof(title), "%s time, %s",
			 o->sampler.mode == MODE_CPU ? "CPU" : "Wall", who);
	snprintf(subtitle, sizeof(subtitle), "%s", comments[1]);
	info.title = title;
	info.subtitle = subtitle;
	info.comments = cptr;
	info.ncomments = 4;
	if (o->note)
		cptr[info.ncomments++] = o->note;

	for (i = 0; i < o->noutputs; i++) {
		const struct profile *p = &res->profile;
		struct buf out;
		int ok;

		if ((o->group_by_thread || by_process) &&
		    output_groups_threads(o->outputs[i].format)) {
			/* The thread's root under the process's. */
			if (!have_grouped && o->group_by_thread &&
			    by_process) {
				profile_group_by_thread(p, &by_thread);
				profile_group_by_process(&by_thread, &grouped);
				profile_free(&by_thread);
			} else if (!have_grouped && by_process) {
				profile_group_by_process(p, &grouped);
			} else if (!have_grouped) {
				profile_group_by_thread(p, &grouped);
			}
			have_grouped = true;
			p = &grouped;
		}
		buf_init(&out);
		ok = output_render(o->outputs[i].format, p, &src, &info, &out,
				   &err) == 0;
		if (!ok)
			error_msg_err(&err);
		if (ok && output_deliver(&o->outputs[i], &out,
					 o->quiet) == 0)
			written++;
		buf_free(&out);
	}
	if (have_grouped)
		profile_free(&grouped);
	return written;
}

size_t
record_write(const struct record_opts *o, const struct sampler_result *res)
{
	struct frame_source src;
	struct sampler_result one;
	char who[32], comm[64];
	size_t written;

	/* Without symbols (nothing could be sampled), frames stay empty. */
	if (res->syms)
		symbols_frame_source(res->syms, &src);
	else
		empty_frame_source(&src);
	snprintf(who, sizeof(who), "pid %d", (int) res->pid);
	if (!o->group_by_process)
		return write_outputs(o, res, &src, who, false);
	/* --group-by process of one process: its pid and name on each
	 * sample, for the root frame. */
	one = *res;
	profile_init(&one.profile);
	one.profile.nvalues = res->profile.nvalues;
	memcpy(one.profile.types, res->profile.types,
	       sizeof(one.profile.types));
	one.profile.period_type = res->profile.period_type;
	one.profile.period = res->profile.period;
	one.profile.time_nanos = res->profile.time_nanos;
	one.profile.duration_nanos = res->profile.duration_nanos;
	procfs_thread_comm(res->pid, res->pid, comm, sizeof(comm));
	profile_add_process(&one.profile, &res->profile, 0, res->pid, comm);
	written = write_outputs(o, &one, &src, who, true);
	profile_free(&one.profile);
	return written;
}

uint64_t
record_samples(const struct sampler_result *res)
{
	return res->stats.stopped + res->stats.blocked + res->stats.reused +
	       res->stats.perf_samples - res->stats.idle;
}

/* -p, --pidfile and --name into o->who.pids; an exit status on error,
 * -1 when done. */
static int
resolve_pids(struct record_opts *o)
{
	struct pidsel ps = {
		.pids = o->who.pids, .n = &o->who.npids, .max = RECORD_MAX_PIDS,
		.names = o->who.names, .nnames = o->who.nnames,
		.pidfiles = o->who.pidfiles, .npidfiles = o->who.npidfiles,
	};
	struct pp_err err;

	if (pidsel_resolve(&ps, &err) < 0) {
		error_msg_err(&err);
		return EXIT_FATAL;
	}
	if (ps.truncated)
		warning_msg("more than %d processes: the others are left out",
			    RECORD_MAX_PIDS);
	if (o->who.npids)
		o->sampler.pid = o->who.pids[0];
	return -1;
}

struct many_job {
	struct record_opts *o;
	struct sampler_result *res;
	char (*names)[64];	/* process names, for the labels */
	struct sampler_procs procs;
	int rc;
};

/* --name, once a second: processes of those names that appeared since
 * are sampled too. */
static void
rescan_names(struct sampler_procs *p, void *arg)
{
	struct many_job *job = arg;
	const struct record_opts *o = job->o;
	size_t i, old = p->n;

	pidsel_new_by_name(o->who.names, o->who.nnames, p->pids, &p->n, p->max);
	for (i = old; i < p->n; i++)
		procfs_thread_comm(p->pids[i], p->pids[i], job->names[i],
				   sizeof(job->names[i]));
}

static void *
many_thread(void *arg)
{
	struct many_job *job = arg;

	stop_signals_block();
	job->rc = sampler_run_many(&job->o->sampler, &job->procs, job->res);
	return NULL;
}

/* record of several processes: one profile, each sample labelled with
 * its pid and process name. */
static int
record_run_many(struct record_opts *o)
{
	size_t n, i, written, nattached = 0;
	struct sampler_result *res = xcalloc(RECORD_MAX_PIDS, sizeof(*res));
	struct frame_source *srcs = xcalloc(RECORD_MAX_PIDS, sizeof(*srcs));
	char (*names)[64] = xcalloc(RECORD_MAX_PIDS, sizeof(*names));
	struct frame_sources set = { srcs, 0 };
	struct sampler_result m;
	struct frame_source src;
	struct many_job job;
	int status = EXIT_COMPLETE, rc;
	char who[256];
	size_t at;
	pthread_t thr;
	bool idle;

	stop_requested = 0;
	o->sampler.stop = &stop_requested;
	stop_signals_install();
	memset(&o->cmd, 0, sizeof(o->cmd));
	if (o->sampler.argv) {
		/* As record_sample does: forked by this thread. */
		if (spawn_command(o->sampler.argv, true, &o->cmd,
				  &res[0].err) < 0) {
			error_msg_err(&res[0].err);
			status = EXIT_FATAL;
			goto out;
		}
		o->sampler.spawned = &o->cmd;
		stop_forward_pid = o->cmd.pid;
		o->who.pids[0] = o->cmd.pid;
		o->who.npids = 1;
	}
	if (o->who.children) {
		struct pp_err err;

		if (pidsel_descendants(o->who.pids, &o->who.npids,
				       o->who.max_processes, &err) < 0)
			warning_msg("%s: processes forked already are not followed",
				    err.text);
	}
	/* Names now: a process that exits takes its name with it. */
	for (i = 0; i < o->who.npids; i++)
		procfs_thread_comm(o->who.pids[i], o->who.pids[i], names[i],
				   sizeof(names[i]));
	memset(&job, 0, sizeof(job));
	job.o = o;
	job.res = res;
	job.names = names;
	job.procs.pids = o->who.pids;
	job.procs.n = o->who.npids;
	job.procs.max = o->who.children ? o->who.max_processes :
			RECORD_MAX_PIDS;
	job.procs.children = o->who.children;
	if (o->who.nnames) {
		job.procs.rescan = rescan_names;
		job.procs.arg = &job;
	}
	rc = pthread_create(&thr, NULL, many_thread, &job);
	if (rc != 0) {
		error_msg("cannot start the tracer thread: %s", strerror(rc));
		command_kill(&o->cmd);
		status = EXIT_FATAL;
		goto out;
	}
	pthread_join(thr, NULL);
	/* With --name or --children, more may have come. */
	n = o->who.npids = job.procs.n;
	set.n = n;
	for (i = 0; i < n; i++) {
		/* Followed children: their names once attached (after an
		 * execve, the new one). */
		if (!names[i][0] || (o->who.children && res[i].comm[0]))
			memcpy(names[i], res[i].comm, sizeof(names[i]));
		/* The command followed again after an execve: its exit
		 * is that entry's. */
		if (i && o->cmd.pid > 0 && res[i].pid == o->cmd.pid &&
		    res[i].exit_known && !res[0].exit_known) {
			res[0].exit_known = true;
			res[0].exit_status = res[i].exit_status;
			o->cmd.reaped = true;
		}
	}
	if (o->cmd.reaped)
		stop_forward_pid = 0;
	if (job.rc < 0) {
		error_msg("not one of the %zu processes could be sampled", n);
		command_kill(&o->cmd);
		status = EXIT_FATAL;
		goto out;
	}
	memset(&m, 0, sizeof(m));
	profile_init(&m.profile);
	at = (size_t) snprintf(who, sizeof(who), "pids");
	for (i = 0; i < n; i++) {
		const struct profile *p = &res[i].profile;

		empty_frame_source(&srcs[i]);
		if (!res[i].attached)
			continue;
		if (!nattached++) {
			m.profile.nvalues = p->nvalues;
			memcpy(m.profile.types, p->types,
			       sizeof(m.profile.types));
			m.profile.period_type = p->period_type;
			m.profile.period = p->period;
			m.profile.time_nanos = p->time_nanos;
		}
		if (p->time_nanos + p->duration_nanos >
		    m.profile.time_nanos + m.profile.duration_nanos)
			m.profile.duration_nanos = p->time_nanos +
				p->duration_nanos - m.profile.time_nanos;
		if (res[i].syms)
			symbols_frame_source(res[i].syms, &srcs[i]);
		profile_add_process(&m.profile, p, (unsigned int) i + 1,
				    o->who.pids[i], names[i]);
		sampler_stats_add(&m.stats, &res[i].stats);
		m.perf |= res[i].perf;
		m.perf_kernel |= res[i].perf_kernel;
		if (at < sizeof(who))
			at += (size_t) snprintf(who + at, sizeof(who) - at,
						"%s%d", nattached > 1 ?
						"," : " ",
						(int) o->who.pids[i]);
	}
	multi_frame_source(&set, &src);
	idle = o->idle_note && !record_samples(&m) &&
	       (o->sampler.mode == MODE_CPU || m.stats.idle);
	if (idle)
		o->note = o->idle_note;
	written = write_outputs(o, &m, &src, who, true);
	if (written < o->noutputs)
		status = EXIT_PARTIAL;
	if (!o->quiet) {
		print_summary(o, &m);
		info_msg("%zu processes sampled of %zu", nattached, n);
	}
	if (o->cmd.pid > 0) {
		command_wait(o, &res[0]);
		report_child(&res[0]);
	}
	if (!written) {
		status = EXIT_FATAL;
	} else if (record_samples(&m) == 0 && !idle) {
		error_msg("no samples: %s",
			  o->sampler.mode == MODE_CPU ?
			  "the processes used no CPU while they were sampled (try --mode wall)" :
			  "they ended before the first tick");
		status = EXIT_FATAL;
	}
	/* A failing command fails the run (see record_run). */
	if (command_failed(&res[0]))
		status = command_failed(&res[0]);
	profile_free(&m.profile);
out:
	for (i = 0; i < o->who.npids; i++)
		sampler_result_free(&res[i]);
	free(res);
	free(srcs);
	free(names);
	return status;
}

int
record_run(struct record_opts *o)
{
	struct sampler_result res;
	size_t written;
	int status = EXIT_COMPLETE;

	/* Nothing is attached when an output cannot be created. */
	if (!outputs_check(o->outputs, o->noutputs))
		return EXIT_FATAL;
	status = resolve_pids(o);
	if (status >= 0)
		return status;
	status = EXIT_COMPLETE;
	/* --name: several processes, and those that come later.  Their
	 * samplers share one tracer thread's loop of ticks, which perf
	 * events (a loop of their own) do not take part in yet. */
	if (o->who.npids > 1 || o->who.nnames || o->who.children)
		return record_run_many(o);
	if (record_sample(o, &res) < 0)
		return EXIT_FATAL;
	written = record_write(o, &res);
	if (written < o->noutputs)
		status = EXIT_PARTIAL;
	if (!o->quiet)
		print_summary(o, &res);
	command_wait(o, &res);
	report_child(&res);

	if (!written) {
		status = EXIT_FATAL;
	} else if (record_samples(&res) == 0) {
		error_msg("no samples: %s",
			  o->sampler.mode == MODE_CPU ?
			  "the process used no CPU while it was sampled (try --mode wall)" :
			  res.stats.idle ?
			  "every thread was asleep, and --no-idle left them out" :
			  "the process ended before the first tick");
		status = EXIT_FATAL;
	}
	/* A failing command fails the run, as in a CI step: its status
	 * wins over ours. */
	if (command_failed(&res))
		status = command_failed(&res);
	sampler_result_free(&res);
	return status;
}
