/*
 * pidprof dump: attach, take one snapshot of every thread, let go, then
 * unwind and symbolize the copies and print them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "dump.h"
#include "attach.h"
#include "json.h"
#include "msg.h"
#include "procfs.h"
#include "sampler.h"
#include "symbols.h"
#include "syscalls.h"
#include "xmalloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long running threads get to reach their stop. */
#define DUMP_DEADLINE_MS	500

struct capture_job {
	pid_t pid;
	size_t stack_size;
	struct snapshot *snaps;	/* taken from the tracer, owned here */
	size_t nsnaps;
	struct capture_stats stats;
	struct pp_err err;
	int rc;
};

/*
 * The tracer thread.  Its exit detaches whatever is still attached,
 * without waking sleeping threads (see attach.h).
 */
static void *
capture_thread(void *arg)
{
	struct capture_job *job = arg;
	struct target t;
	size_t i;

	job->rc = target_attach(&t, job->pid, job->stack_size, &job->err);
	if (job->rc < 0)
		return NULL;
	target_capture_all(&t, DUMP_DEADLINE_MS, &job->stats);
	job->snaps = xcalloc(t.n, sizeof(*job->snaps));
	for (i = 0; i < t.n; i++) {
		if (t.t[i].gone)
			continue;
		job->snaps[job->nsnaps++] = t.t[i].snap;
		t.t[i].snap.stack = NULL;	/* ownership moves to the job */
	}
	target_release(&t);
	return NULL;
}

/* Frames that legitimately end a stack: past them there is nothing. */
static bool
is_outermost(const char *function)
{
	static const char *const roots[] = {
		"_start", "__clone", "clone", "__clone3", "clone3",
		/* Go: goroutines end in goexit; threads start in clone;
		 * a g0 stack begins where mcall switched to it. */
		"runtime.goexit", "runtime.goexit.abi0", "runtime.mstart",
		"runtime.mstart.abi0", "runtime.rt0_go", "runtime.rt0_go.abi0",
		"runtime.clone", "runtime.clone.abi0", "runtime.mcall",
		"runtime.morestack", "runtime.morestack.abi0",
	};
	size_t i;

	if (!function)
		return false;
	for (i = 0; i < ARRAY_SIZE(roots); i++)
		if (strcmp(function, roots[i]) == 0)
			return true;
	return false;
}

struct thread_out {
	const struct snapshot *snap;
	char name[64];
	const char *error;	/* why there is no stack */
	struct raw_stack *stack;
	bool complete;
};

static void
print_text_frame(size_t idx, uint64_t pc, const struct sym_frame *f)
{
	printf("  #%zu  0x%016llx in %s", idx, (unsigned long long) pc,
	       f->function ? f->function : "??");
	if (f->file && f->line > 0)
		printf(" at %s:%d", f->file, f->line);
	else if (f->file)
		printf(" at %s", f->file);
	if (f->inlined)
		printf(" (inlined)");
	printf(" [%s]\n", f->module ? module_basename(f->module) : "?");
}

static void
print_json_frame(bool *first, uint64_t pc, const struct sym_frame *f)
{
	printf("%s{\"pc\":\"0x%llx\",\"function\":", *first ? "" : ",",
	       (unsigned long long) pc);
	json_string(stdout, f->function);
	printf(",\"file\":");
	json_string(stdout, f->file);
	printf(",\"line\":%d,\"inlined\":%s,\"module\":", f->line,
	       f->inlined ? "true" : "false");
	json_string(stdout, f->module);
	printf("}");
	*first = false;
}

static const char *
capture_name(const struct snapshot *s)
{
	switch (s->how) {
	case SNAP_INTERRUPTED: return "stopped";
	case SNAP_BLOCKED: return "blocked";
	default: return "none";
	}
}

static void
print_thread(const struct dump_opts *o, struct symbols *syms,
	     struct thread_out *th, bool first_thread)
{
	const struct snapshot *s = th->snap;
	const char *sc = s->how == SNAP_BLOCKED ? syscall_name(s->syscall_nr) :
			 NULL;
	char scbuf[32];
	bool first = true;
	size_t i, j, idx = 0;

	if (s->how == SNAP_BLOCKED && !sc) {
		if (s->syscall_nr >= 0) {
			snprintf(scbuf, sizeof(scbuf), "syscall %ld",
				 s->syscall_nr);
			sc = scbuf;
		}
	}
	if (o->json) {
		printf("%s{\"tid\":%d,\"name\":", first_thread ? "" : ",",
		       (int) s->tid);
		json_string(stdout, th->name);
		printf(",\"state\":\"%c\",\"capture\":\"%s\",\"syscall\":",
		       s->state ? s->state : '?', capture_name(s));
		json_string(stdout, sc);
		if (s->how == SNAP_INTERRUPTED)
			printf(",\"stop_us\":%.1f", s->stop_ns / 1000.0);
		else
			printf(",\"stop_us\":null");
		printf(",\"truncated\":%s,\"error\":",
		       th->stack && th->stack->end == UNWIND_END_TRUNCATED ?
		       "true" : "false");
		if (th->error)
			json_string(stdout, th->error);
		else if (th->stack && !th->complete &&
			 th->stack->end != UNWIND_END_TRUNCATED)
			json_string(stdout, th->stack->reason);
		else
			printf("null");
		printf(",\"frames\":[");
	} else {
		printf("\nThread %d (%s) %c", (int) s->tid, th->name,
		       s->state ? s->state : '?');
		if (s->how == SNAP_INTERRUPTED)
			printf(", stopped %.0f us\n", s->stop_ns / 1000.0);
		else if (s->how == SNAP_BLOCKED && sc)
			printf(" in %s, not stopped\n", sc);
		else if (s->how == SNAP_BLOCKED)
			printf(", not stopped\n");
		else
			printf("\n");
		if (th->error)
			printf("  (no stack: %s)\n", th->error);
	}
	for (i = 0; th->stack && i < th->stack->n; i++) {
		const struct raw_frame *rf = &th->stack->frames[i];
		const struct sym_frame *sf;
		size_t n = symbols_lookup(syms, rf->pc, rf->activation, &sf);

		for (j = 0; j < n; j++, idx++) {
			if (o->json)
				print_json_frame(&first, rf->pc, &sf[j]);
			else
				print_text_frame(idx, rf->pc, &sf[j]);
		}
	}
	if (o->json) {
		printf("]}");
		return;
	}
	if (!th->stack || th->complete)
		return;
	if (th->stack->end == UNWIND_END_TRUNCATED)
		printf("  ... stack truncated at %zu bytes (raise --stack-size)\n",
		       snapshot_stack_above_sp(s));
	else
		printf("  ... unwinding stopped: %s\n", th->stack->reason);
}

/*
 * Whether the unwind reached the real bottom of the stack: a frame that
 * starts a process or thread.  An unwinder may end quietly short of it
 * (a register it needed was unknown), and some outermost frames end the
 * walk with an error (Go's goexit has no caller): the frame decides.
 */
static bool
stack_complete(struct symbols *syms, struct raw_stack *st)
{
	const struct sym_frame *sf;
	size_t n;

	if (st->n == 0 || st->end == UNWIND_END_TRUNCATED ||
	    st->end == UNWIND_END_MAX_FRAMES)
		return false;
	n = symbols_lookup(syms, st->frames[st->n - 1].pc,
			   st->frames[st->n - 1].activation, &sf);
	if (n > 0 && is_outermost(sf[n - 1].function))
		return true;
	if (st->end == UNWIND_END_COMPLETE)
		snprintf(st->reason, sizeof(st->reason),
			 "no caller found for %s",
			 n > 0 && sf[n - 1].function ? sf[n - 1].function :
			 "the last frame");
	return false;
}

static int
cmp_snap(const void *a, const void *b)
{
	const struct snapshot *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

static void
print_stop_summary(const struct capture_job *job)
{
	uint64_t *stop = xcalloc(STOP_HIST_BUCKETS, sizeof(*stop));
	uint64_t *span = xcalloc(STOP_HIST_BUCKETS, sizeof(*span));
	uint64_t stop_max = 0, span_max = 0;
	size_t i, n = 0;

	for (i = 0; i < job->nsnaps; i++) {
		if (job->snaps[i].how != SNAP_INTERRUPTED)
			continue;
		hist_add(stop, &stop_max, job->snaps[i].stop_ns);
		hist_add(span, &span_max, job->snaps[i].total_ns);
		n++;
	}
	if (n) {
		info_msg("stop time per stopped thread: median %.1f us, p99 %.1f us, max %.1f us (%zu stopped, %u read without stopping)",
			 hist_quantile(stop, stop_max, 0.5) / 1e3,
			 hist_quantile(stop, stop_max, 0.99) / 1e3,
			 stop_max / 1e3, n, job->stats.blocked);
		info_msg("interrupt to resume per stopped thread: median %.1f us, p99 %.1f us, max %.1f us",
			 hist_quantile(span, span_max, 0.5) / 1e3,
			 hist_quantile(span, span_max, 0.99) / 1e3,
			 span_max / 1e3);
	} else {
		info_msg("stop time per stopped thread: none stopped (%u read without stopping)",
			 job->stats.blocked);
	}
	free(stop);
	free(span);
}

int
dump_run(const struct dump_opts *o)
{
	struct capture_job job;
	struct procimg img;
	struct symbols *syms = NULL;
	struct unwinder *uw = NULL;
	struct thread_out *threads = NULL;
	struct pp_err err;
	pthread_t thr;
	char comm[64];
	size_t i, incomplete = 0;
	int rc, status = EXIT_COMPLETE;

	memset(&job, 0, sizeof(job));
	job.pid = o->pid;
	job.stack_size = o->stack_size;
	rc = pthread_create(&thr, NULL, capture_thread, &job);
	if (rc != 0) {
		error_msg("cannot start the tracer thread: %s", strerror(rc));
		return EXIT_FATAL;
	}
	pthread_join(thr, NULL);
	if (job.rc < 0) {
		error_msg_err(&job.err);
		return EXIT_FATAL;
	}
	qsort(job.snaps, job.nsnaps, sizeof(*job.snaps), cmp_snap);

	if (procimg_open(&img, o->pid, &err) < 0) {
		error_msg("process %d exited before its stacks were read (%s)",
			  (int) o->pid, err.text);
		status = EXIT_FATAL;
		goto out;
	}
	syms = symbols_open(&img, &err);
	if (syms)
		uw = o->unwinder->open(&img, syms, &err);
	if (!uw) {
		error_msg_err(&err);
		status = EXIT_FATAL;
		goto out_img;
	}

	procfs_thread_comm(o->pid, o->pid, comm, sizeof(comm));
	threads = xcalloc(job.nsnaps + 1, sizeof(*threads));
	for (i = 0; i < job.nsnaps; i++) {
		struct thread_out *th = &threads[i];
		const struct snapshot *s = &job.snaps[i];

		th->snap = s;
		procfs_thread_comm(o->pid, s->tid, th->name,
				   sizeof(th->name));
		if (s->how == SNAP_NONE) {
			th->error = "the thread did not stop in time";
			incomplete++;
			continue;
		}
		th->stack = xmalloc(sizeof(*th->stack));
		o->unwinder->unwind(uw, s, th->stack);
		th->complete = stack_complete(syms, th->stack);
		if (!th->complete)
			incomplete++;
	}

	if (o->json) {
		printf("{\"pid\":%d,\"comm\":", (int) o->pid);
		json_string(stdout, comm);
		printf(",\"unwinder\":\"%s\",\"threads\":[", o->unwinder->name);
	} else {
		printf("Process %d (%s): %zu threads\n", (int) o->pid, comm,
		       job.nsnaps);
	}
	for (i = 0; i < job.nsnaps; i++)
		print_thread(o, syms, &threads[i], i == 0);
	if (o->json)
		printf("]}\n");
	fflush(stdout);

	if (job.nsnaps == 0 || incomplete == job.nsnaps) {
		if (!o->quiet)
			error_msg("no complete stack could be taken from process %d",
				  (int) o->pid);
		status = job.nsnaps == 0 ? EXIT_FATAL : EXIT_PARTIAL;
	} else if (incomplete) {
		if (!o->quiet)
			warning_msg("%zu of %zu stacks are incomplete",
				    incomplete, job.nsnaps);
		status = EXIT_PARTIAL;
	}
	if (msg_verbose())
		print_stop_summary(&job);

	for (i = 0; i < job.nsnaps; i++)
		free(threads[i].stack);
	free(threads);
	o->unwinder->close(uw);
out_img:
	symbols_close(syms);
	procimg_close(&img);
out:
	for (i = 0; i < job.nsnaps; i++)
		free(job.snaps[i].stack);
	free(job.snaps);
	return status;
}
