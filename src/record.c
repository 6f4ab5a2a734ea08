/*
 * pidprof record: check the outputs, sample in a tracer thread, then
 * symbolize, encode and write every output.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "record.h"
#include "attach.h"
#include "msg.h"
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

static void
print_summary(const struct record_opts *o, const struct sampler_result *res)
{
	const struct sampler_stats *st = &res->stats;
	uint64_t samples = st->stopped + st->blocked + st->reused;
	char a[UNITS_LEN], b[UNITS_LEN];

	units_duration(st->wall_ns, a, sizeof(a));
	info_msg("%s, %" PRIu64 " samples (%" PRIu64 " stopped, %" PRIu64
		 " read asleep, %" PRIu64 " reused), %" PRIu64 " missed, %"
		 PRIu64 " truncated, %" PRIu64 " unwind errors, %" PRIu64
		 " threads",
		 a, samples, st->stopped, st->blocked,
		 st->reused, st->missed, st->truncated, st->unwind_errors,
		 st->threads_seen);
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
		 st->stopped + st->blocked ?
		 st->profiler_cpu_ns / 1e3 / (st->stopped + st->blocked) : 0,
		 st->ticks, st->ticks_late, ticks_late_pct(st));
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

size_t
record_write(const struct record_opts *o, const struct sampler_result *res)
{
	struct pp_err err;
	struct frame_source src;
	char comments[4][256], title[160], subtitle[256];
	const char *cptr[5];
	struct render_info info;
	struct profile grouped;
	bool have_grouped = false;
	size_t i, written = 0;

	/* Without symbols (nothing could be sampled), frames stay empty. */
	if (res->syms)
		symbols_frame_source(res->syms, &src);
	else
		empty_frame_source(&src);
	snprintf(comments[0], sizeof(comments[0]),
		 "pidprof %s: %s mode, %d Hz, pid %d", PACKAGE_VERSION,
		 sample_mode_name(o->sampler.mode), o->sampler.rate_hz,
		 (int) res->pid);
	snprintf(comments[1], sizeof(comments[1]),
		 "samples: %" PRIu64 " stopped, %" PRIu64 " read asleep, %"
		 PRIu64 " reused, %" PRIu64 " missed, %" PRIu64
		 " truncated, %" PRIu64 " unwind errors",
		 res->stats.stopped, res->stats.blocked,
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
	snprintf(title, sizeof(title), "%s time, process %d",
		 o->sampler.mode == MODE_CPU ? "CPU" : "Wall",
		 (int) res->pid);
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

		if (o->group_by_thread &&
		    output_groups_threads(o->outputs[i].format)) {
			if (!have_grouped)
				profile_group_by_thread(p, &grouped);
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

uint64_t
record_samples(const struct sampler_result *res)
{
	return res->stats.stopped + res->stats.blocked + res->stats.reused -
	       res->stats.idle;
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
