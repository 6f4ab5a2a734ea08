/*
 * pidprof serve.
 *
 * One tracer thread owns the sampler (and so ptrace) for the whole run.
 * It samples only while some profile request is running: requests queue
 * here, the tracer takes the oldest one's mode (cpu or wall), lets every
 * waiting request of that mode join, and cuts the sampler's window
 * whenever a request joins or one is due; each cut is merged into every
 * running request's profile.  A request of the other mode waits until
 * those are done (one sampler, one mode at a time), so nothing attaches
 * twice and every request ends: done, or failed when the target ends or
 * a stop signal comes.  With nothing to sample the tracer only handles
 * ptrace events (sampler_idle): no thread is stopped.
 *
 * HTTP requests come in threads of libmicrohttpd (httpd.c), one per
 * connection; they wait on the hub's condition variable, looking every
 * SERVE_CLIENT_CHECK_MS whether their client has gone (then the request
 * leaves the queue at once: the tracer stops sampling when no request
 * is left) and whether they waited too long for their turn; then render
 * with a symbolizer of their own (the tracer's is not thread-safe),
 * behind one lock.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "serve.h"
#include "attach.h"
#include "heap.h"
#include "json.h"
#include "msg.h"
#include "output.h"
#include "parse.h"
#include "procfs.h"
#include "procsyms.h"
#include "signals.h"
#include "threads.h"
#include "xmalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* How often the tracer looks for new requests: idle, and sampling. */
#define IDLE_SLICE_NS	50000000ull
#define BUSY_SLICE_NS	100000000ull
/* A request this close to its length is complete. */
#define DONE_SLACK_NS	5000000ull

enum req_state { REQ_WAITING, REQ_RUNNING, REQ_DONE, REQ_FAILED };

/* A cpu or wall profile request. */
struct preq {
	struct preq *next;
	enum sample_mode mode;
	uint64_t want_ns, covered_ns;
	uint64_t run_start_ns;	/* when it started running */
	enum req_state state;
	bool has_acc;
	struct profile acc;
	/* Counters of the windows it got. */
	uint64_t stopped, blocked, reused, missed, truncated, unwind_errors;
	uint64_t perf_samples;
	bool perf;		/* perf events took its samples */
	uint64_t target_cpu_ns, profiler_cpu_ns;
	const char *why;	/* REQ_FAILED */
};

/* A threads request: the tracer answers it at its next look. */
struct treq {
	struct treq *next;
	bool done, failed;
	struct profile p;
};

/* The tracer's counters, copied under the lock for the HTTP side. */
struct live {
	uint64_t ticks, ticks_late, stopped, blocked, reused, missed;
	uint64_t perf_samples;
	uint64_t truncated, unwind_errors, syscalls_restarted;
	uint64_t signals_suppressed;
	uint64_t stop_p50_ns, stop_p99_ns, stop_max_ns;
	uint64_t wait_p50_ns, wait_p99_ns, wait_max_ns;
	uint64_t profiler_cpu_ns, sampling_ns;
	bool sampling;
	enum sample_mode mode;
	size_t processes;	/* sampled now */
};

struct hub {
	const struct serve_opts *o;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct preq *preqs;	/* oldest first */
	struct treq *treqs;
	size_t nprofiles;
	bool opened, open_failed, stopping, tracer_done, ended;
	struct pp_err open_err;
	struct live live;
	uint64_t served_cpu, served_wall, served_heap, served_threads;
	uint64_t failed, cancelled, queue_timeouts;
	uint64_t start_ns;
	/* The tracer's: a result per process (room for procs.max). */
	struct sampler_procs follow;
	struct sampler_result *res;
	struct sampler_stats totals;	/* of every process */
	struct sampler_group *group;
	bool several;			/* samples carry process labels */

	/* The HTTP side's symbolizers, behind render_lock: of the process,
	 * or of several. */
	pthread_mutex_t render_lock;
	struct procimg img;
	struct symbols *syms;
	struct procsyms procs;
	struct httpd *httpd;
};

/* ---- the tracer thread ---- */

/* h->totals: the counters of every process, as one. */
static void
sum_totals(struct hub *h)
{
	size_t i;

	if (!h->several) {
		h->totals = h->res[0].stats;
		return;
	}
	memset(&h->totals, 0, sizeof(h->totals));
	for (i = 0; i < h->follow.n; i++)
		if (h->res[i].attached)
			sampler_stats_add(&h->totals, &h->res[i].stats);
}

/* Several processes: symbols for the HTTP side, before samples are
 * handed over: of those that came since the last cut, opened now; of
 * those sampled no more, the sampler's. */
static void
share_symbols(struct hub *h)
{
	/* No lock: a render under way is not waited for. */
	if (h->several)
		procsyms_update(&h->procs, h->group, &h->follow, h->res);
}

static void
publish(struct hub *h, bool sampling, enum sample_mode mode,
	uint64_t sampled_ns)
{
	const struct sampler_stats *st = &h->totals;
	struct live *l = &h->live;
	struct preq *r;
	bool running = false;

	pthread_mutex_lock(&h->lock);
	for (r = h->preqs; r; r = r->next)
		running |= r->state == REQ_RUNNING;
	l->ticks = st->ticks;
	l->ticks_late = st->ticks_late;
	l->stopped = st->stopped;
	l->blocked = st->blocked;
	l->reused = st->reused;
	l->perf_samples = st->perf_samples;
	l->missed = st->missed;
	l->truncated = st->truncated;
	l->unwind_errors = st->unwind_errors;
	l->stop_max_ns = st->stop_max_ns;
	l->wait_max_ns = st->wait_max_ns;
	/* Sampling on for requests that are done is not shown. */
	l->sampling = sampling && running;
	l->processes = h->group ? sampler_group_live(h->group) : 0;
	l->mode = mode;
	l->sampling_ns += sampled_ns;
	pthread_mutex_unlock(&h->lock);
}

/* The stop-time quantiles cost a walk of the histogram: at cuts only. */
static void
publish_quantiles(struct hub *h, const struct sampler_stats *st)
{
	uint64_t p50 = hist_quantile(st->stop_hist, st->stop_max_ns, 0.5);
	uint64_t p99 = hist_quantile(st->stop_hist, st->stop_max_ns, 0.99);
	uint64_t w50 = hist_quantile(st->wait_hist, st->wait_max_ns, 0.5);
	uint64_t w99 = hist_quantile(st->wait_hist, st->wait_max_ns, 0.99);

	pthread_mutex_lock(&h->lock);
	h->live.stop_p50_ns = p50;
	h->live.stop_p99_ns = p99;
	h->live.wait_p50_ns = w50;
	h->live.wait_p99_ns = w99;
	h->live.profiler_cpu_ns = st->profiler_cpu_ns;
	h->live.syscalls_restarted = st->syscalls_restarted;
	h->live.signals_suppressed = st->signals_suppressed;
	pthread_mutex_unlock(&h->lock);
}

/* An empty profile with the value types of @like. */
static void
profile_like(struct profile *p, const struct profile *like)
{
	profile_init(p);
	p->nvalues = like->nvalues;
	memcpy(p->types, like->types, sizeof(p->types));
	p->period_type = like->period_type;
	p->period = like->period;
	p->thread_labels = like->thread_labels;
	p->name_label = like->name_label;
	p->display_value = like->display_value;
}

/*
 * Which mode to sample in, given what runs and waits (under the lock):
 * false when nothing is wanted.  *join: some waiting request may join
 * now (none of the other mode is older than it).
 */
static bool
pick(struct hub *h, enum sample_mode cur, enum sample_mode *next,
     bool *join)
{
	struct preq *r;
	bool running = false;

	*join = false;
	for (r = h->preqs; r; r = r->next)
		running |= r->state == REQ_RUNNING;
	if (running) {
		*next = cur;
	} else {
		for (r = h->preqs; r && r->state != REQ_WAITING; r = r->next)
			;
		if (!r)
			return false;
		*next = r->mode;
	}
	for (r = h->preqs; r; r = r->next) {
		if (r->state != REQ_WAITING)
			continue;
		if (r->mode != *next)
			break;
		*join = true;
	}
	return true;
}

static void
start_joiners(struct hub *h, enum sample_mode mode)
{
	struct preq *r;

	pthread_mutex_lock(&h->lock);
	for (r = h->preqs; r; r = r->next) {
		if (r->state != REQ_WAITING)
			continue;
		if (r->mode != mode)
			break;
		r->state = REQ_RUNNING;
		r->run_start_ns = now_ns();
	}
	pthread_mutex_unlock(&h->lock);
}

/* Cuts the window and adds it to every running request; those that
 * are long enough (or all, when @final) are done. */
static void
deliver(struct hub *h, struct sampler_group *s, struct sampler_stats *win,
	bool final)
{
	struct profile chunk;
	struct preq *r;
	uint64_t dur;

	sampler_group_cut(s, &chunk, win);
	share_symbols(h);
	dur = chunk.duration_nanos > 0 ? (uint64_t) chunk.duration_nanos : 0;
	pthread_mutex_lock(&h->lock);
	for (r = h->preqs; r; r = r->next) {
		if (r->state != REQ_RUNNING)
			continue;
		if (!r->has_acc) {
			profile_like(&r->acc, &chunk);
			r->has_acc = true;
		}
		profile_merge(&r->acc, &chunk);
		r->covered_ns += dur;
		r->stopped += win->stopped;
		r->blocked += win->blocked;
		r->reused += win->reused;
		r->perf_samples += win->perf_samples;
		r->perf = win->perf_now;
		r->missed += win->missed;
		r->truncated += win->truncated;
		r->unwind_errors += win->unwind_errors;
		r->target_cpu_ns += win->target_cpu_ns;
		r->profiler_cpu_ns += win->profiler_cpu_ns;
		if (final || r->covered_ns + DONE_SLACK_NS >= r->want_ns)
			r->state = REQ_DONE;
	}
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	profile_free(&chunk);
	sum_totals(h);
	publish_quantiles(h, &h->totals);
}

static void
answer_threads(struct hub *h, struct sampler_group *s)
{
	struct profile p;
	struct treq *t;

	sampler_group_threads(s, &p);
	share_symbols(h);
	pthread_mutex_lock(&h->lock);
	for (t = h->treqs; t; t = t->next) {
		if (t->done)
			continue;
		profile_like(&t->p, &p);
		profile_merge(&t->p, &p);
		t->done = true;
	}
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	profile_free(&p);
}

/* The earliest time a running request is due, from @chunk_start. */
static uint64_t
next_due(struct hub *h, uint64_t chunk_start, uint64_t limit)
{
	struct preq *r;

	pthread_mutex_lock(&h->lock);
	for (r = h->preqs; r; r = r->next) {
		uint64_t left;

		if (r->state != REQ_RUNNING)
			continue;
		left = r->want_ns > r->covered_ns ?
		       r->want_ns - r->covered_ns : 0;
		if (chunk_start + left < limit)
			limit = chunk_start + left;
	}
	pthread_mutex_unlock(&h->lock);
	return limit;
}

static void *
tracer_main(void *arg)
{
	struct hub *h = arg;
	const struct serve_opts *o = h->o;
	struct sampler_opts so;
	struct sampler_group *s;
	struct sampler_stats *win;
	enum sampler_state st = SAMPLER_DUE;
	enum sample_mode mode = MODE_CPU, next;
	bool sampling = false, join, threads, want;
	uint64_t chunk_start = 0, due;
	struct preq *r;
	struct treq *t;

	/* Stop signals go to the main thread. */
	stop_signals_block();
	memset(&so, 0, sizeof(so));
	so.pid = o->pid;
	so.mode = mode;
	so.rate_hz = o->rate_hz;
	so.no_idle = o->no_idle;
	so.sampler = o->sampler;
	so.quiet = o->quiet;
	so.unwinder = o->unwinder;
	so.stack_size = o->stack_size;
	so.stop = &stop_requested;
	s = sampler_group_open(&so, &h->follow, h->res);
	h->group = s;
	if (s)
		share_symbols(h);
	pthread_mutex_lock(&h->lock);
	h->opened = true;
	if (s)
		sum_totals(h);
	if (!s) {
		h->open_failed = true;
		h->open_err = h->res[0].err;
		h->tracer_done = true;
	}
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	if (!s)
		return NULL;
	win = xmalloc(sizeof(*win));

	for (;;) {
		uint64_t t0 = now_ns();

		pthread_mutex_lock(&h->lock);
		if (h->stopping) {
			pthread_mutex_unlock(&h->lock);
			st = SAMPLER_STOP;
			break;
		}
		for (t = h->treqs; t && t->done; t = t->next)
			;
		threads = t != NULL;
		want = pick(h, mode, &next, &join);
		pthread_mutex_unlock(&h->lock);

		if (threads)
			answer_threads(h, s);
		if (!want) {
			sampling = false;
			st = sampler_group_idle(s, t0 + IDLE_SLICE_NS);
			sum_totals(h);
			pthread_mutex_lock(&h->lock);
			h->live.syscalls_restarted =
				h->totals.syscalls_restarted;
			h->live.signals_suppressed =
				h->totals.signals_suppressed;
			pthread_mutex_unlock(&h->lock);
			publish(h, false, mode, 0);
		} else {
			if (!sampling || next != mode) {
				/* The time idle, or of the other mode, goes
				 * nowhere: a fresh window in this mode. */
				mode = next;
				sampler_group_reconfigure(s, mode, o->rate_hz,
							  o->no_idle);
				sampler_group_skip(s);
				sampling = true;
				chunk_start = now_ns();
				start_joiners(h, mode);
			} else if (join) {
				/* New requests start at a cut. */
				deliver(h, s, win, false);
				chunk_start = now_ns();
				start_joiners(h, mode);
			}
			t0 = now_ns();
			due = next_due(h, chunk_start, t0 + BUSY_SLICE_NS);
			st = sampler_group_poll(s, due);
			sum_totals(h);
			if (st == SAMPLER_DUE &&
			    next_due(h, chunk_start, UINT64_MAX) <= now_ns()) {
				deliver(h, s, win, false);
				chunk_start = now_ns();
			}
			publish(h, true, mode, now_ns() - t0);
		}
		if (st != SAMPLER_DUE)
			break;
	}

	/* What ran until the end is delivered as it is; the rest fails. */
	if (sampling)
		deliver(h, s, win, true);
	pthread_mutex_lock(&h->lock);
	h->ended = st == SAMPLER_ENDED;
	/* No request may queue from now on: nobody would answer it. */
	h->stopping = true;
	for (r = h->preqs; r; r = r->next) {
		if (r->state == REQ_WAITING || r->state == REQ_RUNNING) {
			r->state = REQ_FAILED;
			r->why = h->ended ? "the process exited" :
				 "pidprof is stopping";
		}
	}
	for (t = h->treqs; t; t = t->next) {
		if (!t->done)
			t->failed = t->done = true;
	}
	h->live.sampling = false;
	pthread_mutex_unlock(&h->lock);
	/* Detach before anyone is told that we are done. */
	h->group = NULL;
	sampler_group_close(s);
	free(win);
	pthread_mutex_lock(&h->lock);
	h->tracer_done = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* ---- the HTTP side ---- */

static void
reply_text(struct http_response *rs, unsigned int status, bool pprof,
	   const char *fmt, ...) ATTR_FORMAT(4, 5);

static void
reply_text(struct http_response *rs, unsigned int status, bool pprof,
	   const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	rs->status = status;
	rs->content_type = "text/plain; charset=utf-8";
	rs->pprof_error = pprof;
	rs->filename = NULL;
	rs->body.len = 0;
	buf_printf(&rs->body, "%s\n", text);
}

static bool
debug_asked(const struct http_request *rq)
{
	const char *d = http_query(rq, "debug");

	return d && *d && strcmp(d, "0") != 0;
}

static int
render(struct hub *h, enum output_format f, const struct profile *p,
       const struct render_info *info, struct buf *out, struct pp_err *err)
{
	struct frame_sources set = { NULL, 0 };
	struct frame_source src;
	int rc;

	pthread_mutex_lock(&h->render_lock);
	if (h->several) {
		procsyms_source(&h->procs, &set, &src);
	} else {
		/* New mappings since the last request (dlopen, thread
		 * stacks). */
		procimg_refresh(&h->img);
		symbols_refresh(h->syms);
		symbols_frame_source(h->syms, &src);
	}
	if (f == FORMAT_TEXT) {
		threads_profile_text(p, &src, out);
		rc = 0;
	} else {
		rc = output_render(f, p, &src, info, out, err);
	}
	pthread_mutex_unlock(&h->render_lock);
	free((void *) set.v);
	return rc;
}

/* With h->lock held: when the server is stopping or the target gone,
 * lets go of the lock, answers 503 and returns true. */
static bool
refused_closed(struct hub *h, struct http_response *rs)
{
	bool ended = h->ended;

	if (!h->stopping && !h->tracer_done)
		return false;
	pthread_mutex_unlock(&h->lock);
	reply_text(rs, 503, true, "%s", ended ? "the process exited" :
		   "pidprof is stopping");
	return true;
}

enum wait_outcome { WAIT_ENDED, WAIT_CLIENT_GONE, WAIT_TOO_LONG };

/* With h->lock held: the seconds until every running request is due,
 * at least 1. */
static unsigned int
seconds_to_free(struct hub *h)
{
	uint64_t most = 0, now = now_ns();
	struct preq *r;

	for (r = h->preqs; r; r = r->next) {
		uint64_t ran, left;

		if (r->state != REQ_RUNNING)
			continue;
		ran = now - r->run_start_ns;
		left = r->want_ns > ran ? r->want_ns - ran : 0;
		if (left > most)
			most = left;
	}
	return (unsigned int) (most / 1000000000ull) + 1;
}

/*
 * With h->lock held: waits until the tracer is done with @r (WAIT_ENDED:
 * done or failed), its client has gone (WAIT_CLIENT_GONE), or it waited
 * SERVE_QUEUE_WAIT_S for its turn (WAIT_TOO_LONG, *retry set to the
 * seconds after which it may have one).  @r is still queued on return:
 * the caller takes it out under the same lock, so the tracer sees it no
 * more.
 */
static enum wait_outcome
wait_request(struct hub *h, struct preq *r, const struct http_request *rq,
	     unsigned int *retry)
{
	uint64_t queued = now_ns();

	while (r->state == REQ_WAITING || r->state == REQ_RUNNING) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += SERVE_CLIENT_CHECK_MS * 1000000l;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&h->cond, &h->lock, &ts);
		if (r->state != REQ_WAITING && r->state != REQ_RUNNING)
			break;
		if (http_client_gone(rq))
			return WAIT_CLIENT_GONE;
		if (r->state == REQ_WAITING &&
		    now_ns() - queued >= SERVE_QUEUE_WAIT_S * 1000000000ull) {
			*retry = seconds_to_free(h);
			return WAIT_TOO_LONG;
		}
	}
	return WAIT_ENDED;
}

static void
serve_profile(struct hub *h, enum sample_mode mode,
	      const struct http_request *rq, struct http_response *rs)
{
	const char *sec = http_query(rq, "seconds");
	char comments[3][256], title[128];
	const char *cptr[3];
	struct render_info info;
	struct preq *r, **pp;
	struct pp_err err;
	enum wait_outcome outcome;
	unsigned int retry = 0;
	const char *why;
	long n = SERVE_SECONDS_DEFAULT;
	size_t i;

	if (sec && (parse_int(sec, &n, &why) < 0 || n < 1 ||
		    n > SERVE_SECONDS_MAX)) {
		reply_text(rs, 400, true,
			   "bad seconds=%.40s: a whole number of seconds from 1 to %d",
			   sec, SERVE_SECONDS_MAX);
		return;
	}
	r = xcalloc(1, sizeof(*r));
	r->mode = mode;
	r->want_ns = (uint64_t) n * 1000000000ull;
	pthread_mutex_lock(&h->lock);
	if (refused_closed(h, rs)) {
		free(r);
		return;
	}
	if (h->nprofiles >= SERVE_MAX_PROFILES) {
		pthread_mutex_unlock(&h->lock);
		free(r);
		reply_text(rs, 503, true,
			   "%d profile requests are already waiting or running: try again later",
			   SERVE_MAX_PROFILES);
		return;
	}
	for (pp = &h->preqs; *pp; pp = &(*pp)->next)
		;
	*pp = r;
	h->nprofiles++;
	outcome = wait_request(h, r, rq, &retry);
	for (pp = &h->preqs; *pp != r; pp = &(*pp)->next)
		;
	*pp = r->next;
	h->nprofiles--;
	if (outcome == WAIT_CLIENT_GONE)
		h->cancelled++;
	else if (outcome == WAIT_TOO_LONG)
		h->queue_timeouts++;
	else if (r->state == REQ_FAILED)
		h->failed++;
	else if (mode == MODE_CPU)
		h->served_cpu++;
	else
		h->served_wall++;
	pthread_mutex_unlock(&h->lock);

	if (outcome != WAIT_ENDED || r->state == REQ_FAILED) {
		if (outcome == WAIT_CLIENT_GONE) {
			rs->abandon = true;
		} else if (outcome == WAIT_TOO_LONG) {
			reply_text(rs, 503, true,
				   "waited %d s for a %s profile of another mode to end: try again later",
				   SERVE_QUEUE_WAIT_S,
				   mode == MODE_CPU ? "wall" : "cpu");
			rs->retry_after = retry;
		} else {
			reply_text(rs, 503, true, "%s", r->why);
		}
		if (r->has_acc)
			profile_free(&r->acc);
		free(r);
		return;
	}
	snprintf(comments[0], sizeof(comments[0]),
		 "pidprof %s serve: %s mode, %d Hz, %s %d, %.1f s, %s",
		 PACKAGE_VERSION, sample_mode_name(mode), h->o->rate_hz,
		 h->several ? "several processes (label pid), the first" :
		 "pid", (int) h->o->pid, r->covered_ns / 1e9,
		 r->perf ? "perf events" : "ptrace");
	snprintf(comments[1], sizeof(comments[1]),
		 "samples: %" PRIu64 " by perf events, %" PRIu64
		 " stopped, %" PRIu64 " read asleep, %"
		 PRIu64 " reused, %" PRIu64 " missed, %" PRIu64
		 " truncated, %" PRIu64 " unwind errors",
		 r->perf_samples, r->stopped, r->blocked, r->reused,
		 r->missed, r->truncated, r->unwind_errors);
	snprintf(comments[2], sizeof(comments[2]),
		 "target CPU in the window: %.3f s; profiler CPU: %.3f s",
		 r->target_cpu_ns / 1e9, r->profiler_cpu_ns / 1e9);
	for (i = 0; i < 3; i++)
		cptr[i] = comments[i];
	snprintf(title, sizeof(title), "%s time, process %d%s",
		 mode == MODE_CPU ? "CPU" : "Wall", (int) h->o->pid,
		 h->several ? " and others" : "");
	info = (struct render_info) { title, comments[1], cptr, 3 };
	if (render(h, FORMAT_PPROF, &r->acc, &info, &rs->body, &err) < 0) {
		reply_text(rs, 500, true, "%s", err.text);
	} else {
		rs->content_type = "application/octet-stream";
		rs->filename = mode == MODE_CPU ? "profile" : "wall";
	}
	profile_free(&r->acc);
	free(r);
}

static void
serve_threads(struct hub *h, const struct http_request *rq,
	      struct http_response *rs)
{
	struct render_info info = { "Threads by stack", NULL, NULL, 0 };
	bool text = debug_asked(rq);
	struct treq *t, **pp;
	struct pp_err err;

	t = xcalloc(1, sizeof(*t));
	pthread_mutex_lock(&h->lock);
	if (refused_closed(h, rs)) {
		free(t);
		return;
	}
	t->next = h->treqs;
	h->treqs = t;
	while (!t->done)
		pthread_cond_wait(&h->cond, &h->lock);
	for (pp = &h->treqs; *pp != t; pp = &(*pp)->next)
		;
	*pp = t->next;
	if (!t->failed)
		h->served_threads++;
	pthread_mutex_unlock(&h->lock);
	if (t->failed) {
		reply_text(rs, 503, true, "pidprof is stopping");
	} else if (render(h, text ? FORMAT_TEXT : FORMAT_PPROF, &t->p, &info,
			  &rs->body, &err) < 0) {
		reply_text(rs, 500, true, "%s", err.text);
	} else if (text) {
		rs->content_type = "text/plain; charset=utf-8";
	} else {
		rs->content_type = "application/octet-stream";
		rs->filename = "threads";
	}
	profile_free(&t->p);
	free(t);
}

static void
serve_heap(struct hub *h, const struct http_request *rq,
	   struct http_response *rs)
{
	bool text = debug_asked(rq);
	struct mem_reading m;
	struct pp_err err;

	/* /proc only: no ptrace, any thread may read it. */
	if (heap_read(h->o->pid, &m, &err) < 0) {
		reply_text(rs, 503, true, "%s", err.text);
		return;
	}
	if (heap_render(&m, h->o->pid, text ? FORMAT_TABLE : FORMAT_PPROF,
			&rs->body, &err) < 0) {
		reply_text(rs, 500, true, "%s", err.text);
	} else {
		rs->content_type = text ? "text/plain; charset=utf-8" :
				   "application/octet-stream";
		rs->filename = text ? NULL : "heap";
		pthread_mutex_lock(&h->lock);
		h->served_heap++;
		pthread_mutex_unlock(&h->lock);
	}
	mem_reading_free(&m);
}

/* Everything the status and the metrics show, at one moment. */
struct view {
	struct live live;
	struct httpd_counts http;
	uint64_t served_cpu, served_wall, served_heap, served_threads;
	uint64_t failed, cancelled, queue_timeouts;
	size_t waiting, running;
	double uptime_s;
	char comm[64];
	long threads;		/* -1: gone */
};

static void
take_view(struct hub *h, struct view *v)
{
	struct preq *r;
	struct httpd *httpd;
	char buf[32];

	memset(v, 0, sizeof(*v));
	pthread_mutex_lock(&h->lock);
	v->live = h->live;
	v->served_cpu = h->served_cpu;
	v->served_wall = h->served_wall;
	v->served_heap = h->served_heap;
	v->served_threads = h->served_threads;
	v->failed = h->failed;
	v->cancelled = h->cancelled;
	v->queue_timeouts = h->queue_timeouts;
	for (r = h->preqs; r; r = r->next) {
		v->waiting += r->state == REQ_WAITING;
		v->running += r->state == REQ_RUNNING;
	}
	/* Set under the lock: requests may come before httpd_start has
	 * returned it. */
	httpd = h->httpd;
	pthread_mutex_unlock(&h->lock);
	if (httpd)
		httpd_counts(httpd, &v->http);
	v->uptime_s = (now_ns() - h->start_ns) / 1e9;
	procfs_thread_comm(h->o->pid, h->o->pid, v->comm, sizeof(v->comm));
	v->threads = procfs_status_field(h->o->pid, "Threads", buf,
					 sizeof(buf)) < 0 ? -1 :
		     strtol(buf, NULL, 10);
}

static void
serve_status(struct hub *h, struct http_response *rs)
{
	struct view v;
	struct buf *b = &rs->body;

	take_view(h, &v);
	buf_printf(b, "{\"version\":\"%s\",\"target\":{\"pid\":%d,\"comm\":",
		   PACKAGE_VERSION, (int) h->o->pid);
	json_buf_string(b, v.comm);
	buf_printf(b, ",\"threads\":%ld,\"alive\":%s,\"processes\":%zu},",
		   v.threads, v.threads >= 0 ? "true" : "false",
		   v.live.processes);
	buf_printf(b, "\"uptime_seconds\":%.3f,\"sampling\":", v.uptime_s);
	if (v.live.sampling)
		buf_printf(b, "\"%s\"", sample_mode_name(v.live.mode));
	else
		buf_printf(b, "null");
	buf_printf(b, ",\"rate_hz\":%d,", h->o->rate_hz);
	buf_printf(b, "\"profiles\":{\"waiting\":%zu,\"running\":%zu,"
		   "\"served\":{\"cpu\":%" PRIu64 ",\"wall\":%" PRIu64
		   ",\"heap\":%" PRIu64 ",\"threads\":%" PRIu64
		   "},\"failed\":%" PRIu64 ",\"cancelled\":%" PRIu64
		   ",\"queue_timeouts\":%" PRIu64 "},",
		   v.waiting, v.running, v.served_cpu, v.served_wall,
		   v.served_heap, v.served_threads, v.failed, v.cancelled,
		   v.queue_timeouts);
	buf_printf(b, "\"samples\":{\"total\":%" PRIu64 ",\"stopped\":%"
		   PRIu64 ",\"read_asleep\":%" PRIu64 ",\"reused\":%" PRIu64
		   ",\"perf_events\":%" PRIu64
		   "},\"stop_time_us\":{\"median\":%.1f,\"p99\":%.1f,"
		   "\"max\":%.1f},",
		   v.live.stopped + v.live.blocked + v.live.reused +
		   v.live.perf_samples,
		   v.live.stopped, v.live.blocked, v.live.reused,
		   v.live.perf_samples,
		   v.live.stop_p50_ns / 1e3, v.live.stop_p99_ns / 1e3,
		   v.live.stop_max_ns / 1e3);
	buf_printf(b, "\"interrupt_to_stop_us\":{\"median\":%.1f,"
		   "\"p99\":%.1f,\"max\":%.1f},",
		   v.live.wait_p50_ns / 1e3, v.live.wait_p99_ns / 1e3,
		   v.live.wait_max_ns / 1e3);
	buf_printf(b, "\"ticks\":{\"total\":%" PRIu64 ",\"late\":%" PRIu64
		   ",\"late_pct\":%.2f},",
		   v.live.ticks, v.live.ticks_late,
		   v.live.ticks + v.live.ticks_late ?
		   100.0 * v.live.ticks_late /
		   (v.live.ticks + v.live.ticks_late) : 0);
	buf_printf(b, "\"errors\":{\"missed\":%" PRIu64 ",\"truncated\":%"
		   PRIu64 ",\"unwind_errors\":%" PRIu64 ",\"unauthorized\":%"
		   PRIu64 ",\"forbidden\":%" PRIu64 ",\"client_errors\":%"
		   PRIu64 ",\"server_errors\":%" PRIu64 "}}\n",
		   v.live.missed, v.live.truncated, v.live.unwind_errors,
		   v.http.unauthorized, v.http.forbidden,
		   v.http.client_errors, v.http.server_errors);
	rs->content_type = "application/json";
}

struct metric {
	const char *name, *type, *help;
	const char *labels;	/* 'key="value"' pairs, or NULL */
	double value;
};

static size_t
collect_metrics(struct hub *h, struct metric *m, size_t max)
{
	struct view v;
	size_t n = 0;

	take_view(h, &v);
#define M(name_, type_, help_, labels_, value_) do { \
	if (n < max) \
		m[n++] = (struct metric) { (name_), (type_), (help_), \
					   (labels_), (double) (value_) }; \
} while (0)
	M("pidprof_up", "gauge", "1 while pidprof serves the process.", NULL,
	  1);
	M("pidprof_uptime_seconds", "gauge", "Time since pidprof serve started.",
	  NULL, v.uptime_s);
	M("pidprof_target_threads", "gauge", "Threads of the process served (-1: gone).",
	  NULL, v.threads);
	M("pidprof_sampling", "gauge", "1 while a cpu or wall profile is being taken.",
	  "mode=\"cpu\"", v.live.sampling && v.live.mode == MODE_CPU);
	M("pidprof_sampling", NULL, NULL, "mode=\"wall\"",
	  v.live.sampling && v.live.mode == MODE_WALL);
	M("pidprof_sampling_seconds_total", "counter",
	  "Wall time spent sampling.", NULL, v.live.sampling_ns / 1e9);
	M("pidprof_samples_total", "counter", "Stacks taken, by how.",
	  "how=\"stopped\"", v.live.stopped);
	M("pidprof_samples_total", NULL, NULL, "how=\"read_asleep\"",
	  v.live.blocked);
	M("pidprof_samples_total", NULL, NULL, "how=\"reused\"",
	  v.live.reused);
	M("pidprof_samples_total", NULL, NULL, "how=\"perf_events\"",
	  v.live.perf_samples);
	M("pidprof_samples_missed_total", "counter",
	  "Threads due that did not stop in time.", NULL, v.live.missed);
	M("pidprof_samples_truncated_total", "counter",
	  "Stacks cut short by --stack-size.", NULL, v.live.truncated);
	M("pidprof_unwind_errors_total", "counter",
	  "Stacks whose unwinding stopped early.", NULL,
	  v.live.unwind_errors);
	M("pidprof_ticks_total", "counter", "Sampling ticks.", NULL,
	  v.live.ticks);
	M("pidprof_ticks_late_total", "counter",
	  "Ticks skipped because the loop fell behind.", NULL,
	  v.live.ticks_late);
	M("pidprof_stop_time_seconds", "gauge",
	  "Time a thread stays stopped per sample.", "quantile=\"0.5\"",
	  v.live.stop_p50_ns / 1e9);
	M("pidprof_stop_time_seconds", NULL, NULL, "quantile=\"0.99\"",
	  v.live.stop_p99_ns / 1e9);
	M("pidprof_stop_time_seconds", NULL, NULL, "quantile=\"1\"",
	  v.live.stop_max_ns / 1e9);
	M("pidprof_interrupt_to_stop_seconds", "gauge",
	  "Time from an interrupt sent to its stop reaped (a busy host makes the thread wait for a CPU).",
	  "quantile=\"0.5\"", v.live.wait_p50_ns / 1e9);
	M("pidprof_interrupt_to_stop_seconds", NULL, NULL,
	  "quantile=\"0.99\"", v.live.wait_p99_ns / 1e9);
	M("pidprof_interrupt_to_stop_seconds", NULL, NULL, "quantile=\"1\"",
	  v.live.wait_max_ns / 1e9);
	M("pidprof_profiler_cpu_seconds_total", "counter",
	  "CPU the sampling thread used while sampling.", NULL,
	  v.live.profiler_cpu_ns / 1e9);
	M("pidprof_syscalls_restarted_total", "counter",
	  "System calls of the process that an interrupt broke and pidprof made again.",
	  NULL, v.live.syscalls_restarted);
	M("pidprof_signals_suppressed_total", "counter",
	  "Signals the process ignores, dropped instead of waking it.",
	  NULL, v.live.signals_suppressed);
	M("pidprof_profile_requests", "gauge", "Profile requests now, by state.",
	  "state=\"waiting\"", v.waiting);
	M("pidprof_profile_requests", NULL, NULL, "state=\"running\"",
	  v.running);
	M("pidprof_profiles_served_total", "counter", "Profiles answered, by type.",
	  "type=\"cpu\"", v.served_cpu);
	M("pidprof_profiles_served_total", NULL, NULL, "type=\"wall\"",
	  v.served_wall);
	M("pidprof_profiles_served_total", NULL, NULL, "type=\"heap\"",
	  v.served_heap);
	M("pidprof_profiles_served_total", NULL, NULL, "type=\"threads\"",
	  v.served_threads);
	M("pidprof_profiles_failed_total", "counter",
	  "Profile requests that the end of the process or of pidprof cut off.",
	  NULL, v.failed);
	M("pidprof_profiles_cancelled_total", "counter",
	  "Profile requests cancelled because their client went away.", NULL,
	  v.cancelled);
	M("pidprof_profiles_queue_timeouts_total", "counter",
	  "Profile requests that waited too long for their turn (503).", NULL,
	  v.queue_timeouts);
	M("pidprof_http_requests_total", "counter", "HTTP requests.", NULL,
	  v.http.requests);
	M("pidprof_http_errors_total", "counter", "HTTP error answers, by kind.",
	  "kind=\"unauthorized\"", v.http.unauthorized);
	M("pidprof_http_errors_total", NULL, NULL, "kind=\"forbidden\"",
	  v.http.forbidden);
	M("pidprof_http_errors_total", NULL, NULL, "kind=\"client\"",
	  v.http.client_errors);
	M("pidprof_http_errors_total", NULL, NULL, "kind=\"server\"",
	  v.http.server_errors);
	M("pidprof_http_connections_total", "counter",
	  "Connections accepted.", NULL, v.http.connections);
	M("pidprof_http_open_connections", "gauge", "Connections open now.",
	  NULL, v.http.open_connections);
	M("pidprof_http_slow_connections_closed_total", "counter",
	  "Connections closed because their request head came too slowly.",
	  NULL, v.http.slow_closed);
#undef M
	return n;
}

static void
serve_metrics(struct hub *h, bool prometheus, struct http_response *rs)
{
	struct metric m[48];
	size_t n = collect_metrics(h, m, ARRAY_SIZE(m)), i;
	struct buf *b = &rs->body;

	if (prometheus) {
		for (i = 0; i < n; i++) {
			if (m[i].help)
				buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n",
					   m[i].name, m[i].help, m[i].name,
					   m[i].type);
			buf_printf(b, "%s%s%s%s %.9g\n", m[i].name,
				   m[i].labels ? "{" : "",
				   m[i].labels ? m[i].labels : "",
				   m[i].labels ? "}" : "", m[i].value);
		}
		rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
		return;
	}
	buf_printf(b, "{\"metrics\":[");
	for (i = 0; i < n; i++) {
		const char *l = m[i].labels;

		buf_printf(b, "%s{\"name\":\"%s\",\"labels\":{", i ? "," : "",
			   m[i].name);
		if (l) {
			/* key="value": names and values are ours, plain */
			const char *eq = strchr(l, '=');

			buf_printf(b, "\"%.*s\":%s", (int) (eq - l), l, eq + 1);
		}
		buf_printf(b, "},\"value\":%.9g}", m[i].value);
	}
	buf_printf(b, "]}\n");
	rs->content_type = "application/json";
}

static void
serve_index(struct hub *h, struct http_response *rs)
{
	static const struct {
		const char *href, *name, *what;
	} rows[] = {
		{ "profile?seconds=30", "profile",
		  "CPU profile: where the threads that ran spent their CPU over seconds=N (1 to 300, default 30)" },
		{ "wall?seconds=30", "wall",
		  "Wall-clock profile: where every thread, running or waiting, spent its time over seconds=N" },
		{ "heap", "heap",
		  "Memory by category and mapping, from /proc/PID/smaps (debug=1: a table)" },
		{ "threads", "threads",
		  "Stack of every thread now (debug=1: threads grouped by stack, as text)" },
		{ "goroutine", "goroutine",
		  "The same as threads, under the name Go tools and scrapers ask for" },
		{ "/_status", "_status", "pidprof's state as JSON" },
		{ "/_metrics/prometheus", "_metrics",
		  "pidprof's own metrics, Prometheus text (/_metrics: JSON)" },
	};
	struct view v;
	struct buf *b = &rs->body;
	const char *c;
	size_t i;

	take_view(h, &v);
	buf_printf(b, "<html>\n<head><title>/debug/pprof/</title></head>\n"
		   "<body>\n/debug/pprof/\n<p>Process %d (", (int) h->o->pid);
	for (c = v.comm; *c; c++) {
		if (*c == '<')
			buf_printf(b, "&lt;");
		else if (*c == '>')
			buf_printf(b, "&gt;");
		else if (*c == '&')
			buf_printf(b, "&amp;");
		else
			buf_putc(b, (uint8_t) *c);
	}
	buf_printf(b, "), served by pidprof %s.</p>\n<table>\n",
		   PACKAGE_VERSION);
	for (i = 0; i < ARRAY_SIZE(rows); i++)
		buf_printf(b, "<tr><td><a href=\"%s\">%s</a></td><td>%s</td></tr>\n",
			   rows[i].href, rows[i].name, rows[i].what);
	buf_printf(b, "</table>\n</body>\n</html>\n");
	rs->content_type = "text/html; charset=utf-8";
}

static void
handle(void *arg, const struct http_request *rq, struct http_response *rs)
{
	struct hub *h = arg;
	const char *p = rq->path;
	const char *f;

	if (strcmp(p, "/debug/pprof/") == 0 || strcmp(p, "/debug/pprof") == 0)
		serve_index(h, rs);
	else if (strcmp(p, "/debug/pprof/profile") == 0)
		serve_profile(h, MODE_CPU, rq, rs);
	else if (strcmp(p, "/debug/pprof/wall") == 0)
		serve_profile(h, MODE_WALL, rq, rs);
	else if (strcmp(p, "/debug/pprof/heap") == 0)
		serve_heap(h, rq, rs);
	else if (strcmp(p, "/debug/pprof/threads") == 0 ||
		 /* The name Go tools and scrapers ask for. */
		 strcmp(p, "/debug/pprof/goroutine") == 0)
		serve_threads(h, rq, rs);
	else if (strcmp(p, "/_status") == 0)
		serve_status(h, rs);
	else if (strcmp(p, "/_metrics/prometheus") == 0)
		serve_metrics(h, true, rs);
	else if (strcmp(p, "/_metrics") == 0) {
		f = http_query(rq, "format");
		if (f && strcmp(f, "json") != 0 && strcmp(f, "prometheus") != 0)
			reply_text(rs, 400, false,
				   "format must be json or prometheus");
		else
			serve_metrics(h, f && strcmp(f, "prometheus") == 0,
				      rs);
	} else
		reply_text(rs, 404, strncmp(p, "/debug/pprof/", 13) == 0,
			   "not found: see /debug/pprof/");
}

/* ---- the command ---- */

/* The token from --token-file or PIDPROF_SERVE_TOKEN; NULL when none.
 * *bad is set when one was asked for and is unusable (reported). */
static char *
load_token(const struct serve_opts *o, bool *bad)
{
	const char *env = getenv("PIDPROF_SERVE_TOKEN");
	struct pp_err err;
	struct stat st;
	char *text;
	size_t len;

	*bad = false;
	if (!o->token_file)
		return env && *env ? xstrdup(env) : NULL;
	if (procfs_read_file(o->token_file, &text, &len, &err) < 0) {
		error_msg("cannot read the token file: %s", err.text);
		*bad = true;
		return NULL;
	}
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' ||
		       text[len - 1] == ' ' || text[len - 1] == '\t'))
		text[--len] = '\0';
	if (!len || strlen(text) != len || strpbrk(text, "\r\n")) {
		error_msg("the token file %s must hold one line: the token",
			  o->token_file);
		explicit_bzero(text, len);
		free(text);
		*bad = true;
		return NULL;
	}
	if (stat(o->token_file, &st) == 0 && (st.st_mode & 077) && !o->quiet)
		warning_msg("the token file %s can be read by other users (chmod 600 it)",
			    o->token_file);
	return text;
}

/* --name, once a second: processes of those names that appeared since
 * are served too. */
static void
rescan_names(struct sampler_procs *p, void *arg)
{
	const struct serve_opts *o = arg;

	pidsel_new_by_name(o->who.names, o->who.nnames, p->pids, &p->n,
			   p->max);
}

/* -p, --pidfile, --name and --children into h->follow; an exit status
 * on error, -1 when done. */
static int
resolve_pids(struct serve_opts *o, struct hub *h)
{
	struct pid_args *a = &o->who;
	struct pp_err err;

	/* With --children, those forked already too. */
	if (msg_outcome(pidsel_resolve_args(a, &err), &err) < 0)
		return EXIT_FATAL;
	o->pid = a->pids[0];
	/* Room for every process the run may follow: those that appear
	 * under --name and the children take entries of their own. */
	h->follow.max = a->children ?
			(a->max_processes > a->npids ? a->max_processes :
			 a->npids) : PIDSEL_MAX_PIDS;
	h->follow.pids = xcalloc(h->follow.max + 1, sizeof(pid_t));
	memcpy(h->follow.pids, a->pids, a->npids * sizeof(pid_t));
	h->follow.n = a->npids;
	h->follow.children = a->children;
	if (a->nnames) {
		h->follow.rescan = rescan_names;
		h->follow.arg = o;
	}
	h->several = h->follow.n > 1 || h->follow.rescan ||
		     h->follow.children;
	h->res = xcalloc(h->follow.max + 1, sizeof(*h->res));
	procsyms_init(&h->procs, h->follow.max);
	return -1;
}

static void
stop_tracer(struct hub *h, pthread_t thr)
{
	pthread_mutex_lock(&h->lock);
	h->stopping = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	pthread_join(thr, NULL);
}

int
serve_run(struct serve_opts *o)
{
	struct httpd *httpd;
	struct hub *h;
	struct pp_err err;
	pthread_t thr;
	sigset_t stops, old;
	char *token;
	bool bad;
	size_t i;
	int rc, status = EXIT_FATAL;

	token = load_token(o, &bad);
	if (bad)
		return EXIT_FATAL;
	o->http.token = token;
	o->http.public_path = o->public_status ? "/_status" : NULL;
	/* Profiles show a program's insides: off this host only behind
	 * TLS and some proof of who asks. */
	if (!o->http.listen.loopback && !o->insecure &&
	    (!o->http.tls_cert || (!token && !o->http.client_ca))) {
		usage_error_msg("refusing to serve %s to the network without %s: give --tls-cert and --tls-key, with --token-file (or PIDPROF_SERVE_TOKEN) or --client-ca; or --insecure",
				o->listen, o->http.tls_cert ?
				"a token or client certificates" :
				"TLS and authentication");
		free(token);
		return EXIT_USAGE;
	}

	h = xcalloc(1, sizeof(*h));
	h->o = o;
	h->start_ns = now_ns();
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->render_lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	status = resolve_pids(o, h);
	if (status >= 0)
		goto out_free;
	status = EXIT_FATAL;
	stop_requested = 0;
	stop_signals_install();

	rc = pthread_create(&thr, NULL, tracer_main, h);
	if (rc != 0) {
		error_msg("cannot start the tracer thread: %s", strerror(rc));
		goto out_free;
	}
	pthread_mutex_lock(&h->lock);
	while (!h->opened)
		pthread_cond_wait(&h->cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
	if (h->open_failed) {
		error_msg_err(&h->open_err);
		pthread_join(thr, NULL);
		goto out_free;
	}
	if (!h->several &&
	    (procimg_open(&h->img, o->pid, &err) < 0 ||
	     !(h->syms = symbols_open(&h->img, &err)))) {
		error_msg_err(&err);
		stop_tracer(h, thr);
		goto out_free;
	}

	/* The server's threads inherit this mask: signals reach us here. */
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stops, &old);
	httpd = httpd_start(&o->http, handle, h, &err);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_mutex_lock(&h->lock);
	h->httpd = httpd;
	pthread_mutex_unlock(&h->lock);
	if (!h->httpd) {
		error_msg_err(&err);
		stop_tracer(h, thr);
		goto out_free;
	}
	if (!o->quiet && !h->several) {
		char comm[64];

		procfs_thread_comm(o->pid, o->pid, comm, sizeof(comm));
		info_msg("serving process %d (%s) on %s/debug/pprof/%s",
			 (int) o->pid, comm, httpd_url(h->httpd),
			 token ? " (bearer token required)" : "");
	} else if (!o->quiet) {
		char list[128];
		size_t at = 0;

		list[0] = '\0';
		for (i = 0; i < o->who.npids && at < sizeof(list) - 16; i++)
			at += (size_t) snprintf(list + at, sizeof(list) - at,
						"%s%d", i ? "," : "",
						(int) o->who.pids[i]);
		info_msg("serving processes %s%s%s on %s/debug/pprof/%s",
			 list, i < o->who.npids ? ",..." : "",
			 o->who.children ? " and their children" :
			 o->who.nnames ? " and those of that name to come" : "",
			 httpd_url(h->httpd),
			 token ? " (bearer token required)" : "");
	}

	pthread_mutex_lock(&h->lock);
	while (!h->tracer_done && !stop_requested) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&h->cond, &h->lock, &ts);
	}
	pthread_mutex_unlock(&h->lock);
	stop_tracer(h, thr);
	if (h->ended && h->several) {
		error_msg("every process served has exited: stopping");
		status = EXIT_TARGET_ENDED;
	} else if (h->ended) {
		/* The sampler knows: a zombie still has its /proc entry. */
		if (h->res[0].target_exited)
			error_msg("process %d exited: stopping", (int) o->pid);
		else
			error_msg("process %d called execve: stopping (serve it again to profile the new program)",
				  (int) o->pid);
		status = EXIT_TARGET_ENDED;
	} else {
		if (!o->quiet && h->several)
			info_msg("stopped by signal %d: processes detached",
				 (int) stop_requested);
		else if (!o->quiet)
			info_msg("stopped by signal %d: process %d detached",
				 (int) stop_requested, (int) o->pid);
		status = EXIT_COMPLETE;
	}
	httpd_stop(h->httpd);

out_free:
	if (h->syms)
		symbols_close(h->syms);
	if (h->img.pid)
		procimg_close(&h->img);
	for (i = 0; h->res && i < h->follow.n; i++)
		sampler_result_free(&h->res[i]);
	procsyms_free(&h->procs);
	free(h->res);
	free(h->follow.pids);
	pthread_cond_destroy(&h->cond);
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->render_lock);
	free(h);
	if (token) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	return status;
}
