/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "capture.h"
#include "procfs.h"
#include "xmalloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long running threads get to reach their stop. */
#define CAPTURE_DEADLINE_MS	500

struct job {
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
tracer_thread(void *arg)
{
	struct job *job = arg;
	struct target t;
	size_t i;

	job->rc = target_attach(&t, job->pid, job->stack_size, 0,
				&job->err);
	if (job->rc < 0)
		return NULL;
	target_capture_all(&t, CAPTURE_DEADLINE_MS, &job->stats);
	job->snaps = xcalloc(t.n + 1, sizeof(*job->snaps));
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
	if (symbols_is_entry(syms, st->frames[st->n - 1].pc,
			     st->frames[st->n - 1].activation))
		return true;
	if (st->end == UNWIND_END_COMPLETE)
		snprintf(st->reason, sizeof(st->reason),
			 "no caller found for %s",
			 n > 0 && sf[n - 1].function ? sf[n - 1].function :
			 "the last frame");
	return false;
}

static int
cmp_thread(const void *a, const void *b)
{
	const struct thread_stack *x = a, *y = b;

	return (x->snap.tid > y->snap.tid) - (x->snap.tid < y->snap.tid);
}

int
capture_process(struct capture *c, pid_t pid, size_t stack_size,
		const struct unwinder_ops *ops, struct pp_err *err)
{
	struct job job;
	pthread_t thr;
	size_t i;
	int rc;

	memset(c, 0, sizeof(*c));
	c->pid = pid;
	c->ops = ops;
	memset(&job, 0, sizeof(job));
	job.pid = pid;
	job.stack_size = stack_size;
	rc = pthread_create(&thr, NULL, tracer_thread, &job);
	if (rc != 0)
		return pp_err_set(err, rc, "cannot start the tracer thread: %s",
				  strerror(rc));
	pthread_join(thr, NULL);
	if (job.rc < 0) {
		*err = job.err;
		return -1;
	}
	c->stats = job.stats;
	c->threads = xcalloc(job.nsnaps + 1, sizeof(*c->threads));
	c->n = job.nsnaps;
	for (i = 0; i < job.nsnaps; i++)
		c->threads[i].snap = job.snaps[i];
	free(job.snaps);
	qsort(c->threads, c->n, sizeof(*c->threads), cmp_thread);

	/* Every thread runs free again: debuginfod may take its time. */
	symbols_prefetch(pid);
	if (procimg_open(&c->img, pid, err) < 0) {
		pp_err_set(err, ESRCH,
			   "process %d exited before its stacks were read",
			   (int) pid);
		return -1;
	}
	c->syms = symbols_open(&c->img, err);
	if (c->syms)
		c->uw = ops->open(&c->img, c->syms, err);
	if (!c->uw)
		return -1;

	procfs_thread_comm(pid, pid, c->comm, sizeof(c->comm));
	for (i = 0; i < c->n; i++) {
		struct thread_stack *th = &c->threads[i];

		procfs_thread_comm(pid, th->snap.tid, th->name,
				   sizeof(th->name));
		if (th->snap.how == SNAP_NONE) {
			th->error = "the thread did not stop in time";
			c->incomplete++;
			continue;
		}
		th->raw = xmalloc(sizeof(*th->raw));
		ops->unwind(c->uw, &th->snap, th->raw);
		th->complete = stack_complete(c->syms, th->raw);
		if (!th->complete)
			c->incomplete++;
	}
	return 0;
}

void
capture_free(struct capture *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->threads[i].raw);
		free(c->threads[i].snap.stack);
	}
	free(c->threads);
	if (c->uw)
		c->ops->close(c->uw);
	symbols_close(c->syms);
	if (c->img.pid)
		procimg_close(&c->img);
	memset(c, 0, sizeof(*c));
}
