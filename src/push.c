/*
 * pidprof push.  Three threads:
 *
 *  - the tracer owns ptrace: it samples, cuts a window at every
 *    wall-clock boundary, reads memory and threads at the window's end,
 *    and hands the window over without waiting for anything;
 *  - the uploader encodes each window's profiles with its own
 *    symbolizer and delivers them to every sink that wants them: one
 *    queue per sink, in order, retried with backoff, kept in the spool
 *    directory while a sink cannot take them;
 *  - the main thread handles signals (stop, reload) and the status line.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "push.h"
#include "attach.h"
#include "conffile.h"
#include "heap.h"
#include "http.h"
#include "msg.h"
#include "output.h"
#include "procfs.h"
#include "pidsel.h"
#include "procsyms.h"
#include "signals.h"
#include "sink.h"
#include "spool.h"
#include "symbols.h"
#include "units.h"
#include "xmalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Windows waiting for the uploader; past this the oldest is dropped. */
#define QUEUE_MAX		16
/* What pending uploads get after a stop before the rest is spooled. */
#define FLUSH_DEADLINE_NS	(5 * 1000000000ull)
#define BACKOFF_BASE_NS		(500 * 1000000ull)
#define BACKOFF_CAP_NS		(30 * 1000000000ull)
#define LATENCIES		4096
#define STACK_SIZE		(32 * 1024)

/* A plan shared by the windows sampled under it. */
struct plan_ref {
	struct push_plan p;
	int refs;
};

struct window {
	struct window *next;
	unsigned seq;
	struct plan_ref *plan;	/* the one it was sampled under */
	pid_t pid;		/* of several, the first */
	bool several;		/* samples labelled with their process */
	struct profile prof;	/* cpu or wall */
	bool has_threads, has_mem;
	struct profile threads;
	struct mem_reading mem;
	uint64_t samples, missed, truncated;
	uint64_t target_cpu_ns, profiler_cpu_ns;
	bool perf;		/* perf events took its samples */
};

/* One request to one sink: a profile of one window. */
struct item {
	struct item *next;
	struct spool_meta m;
	struct buf body;	/* empty while it is only in its file */
	size_t size;
	char *file;		/* its spool file, or NULL */
	unsigned seq;
	unsigned attempts;
	uint64_t next_try;	/* monotonic ns */
};

/* The queue of one sink, which outlives reloads that keep the sink. */
struct fifo {
	char *name;
	struct plan_ref *plan;	/* whose sink settings are used */
	size_t sink;
	struct item *head, *tail;
	size_t n;
	bool down;		/* tries fail: new items go to the spool */
	unsigned failures;	/* failed tries in this outage */
	long refused_status;	/* the last refusal logged */
	uint64_t sent;
	unsigned failed_total;	/* failed tries, never reset */
	unsigned flush_base;	/* failed_total when the flush began */
	/* Its sink changed kind in a reload: what it holds is encoded for
	 * the old kind and drains with the old settings, under a new
	 * queue's name. */
	bool retired;
};

static volatile sig_atomic_t push_stop;
static volatile sig_atomic_t stop_count;
static volatile sig_atomic_t reload_requested;

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* wakes the uploader */
	struct plan_ref *plan;	/* the current one */
	struct window *qhead, *qtail;
	size_t qlen;
	bool tracer_done, uploader_done, hurry;
	bool attach_failed;
	struct pp_err tracer_err;
	pid_t pid;
	bool spawned, target_exited;
	int exit_status;
	/* counters */
	uint64_t windows, windows_dropped, empty;
	uint64_t queued, sent, retried, refused, dropped_full;
	uint64_t spooled, lost, waiting;
	uint64_t bytes_sent;
	uint32_t lat_ms[LATENCIES];
	uint64_t nlat, lat_max_ns;
	uint64_t tracer_cpu_ns;
	/* The uploader's image of the target, opened by the tracer. */
	struct target_image *image;
	/* The processes (one, a command, or several), the tracer's results
	 * for each (kept until the uploader is done), and for several the
	 * symbols the uploader names their frames by. */
	struct sampler_procs follow;
	struct sampler_result *res;
	bool several;
	struct pid_args who;	/* names for follow.rescan */
	struct procsyms syms;
} st;

/*
 * The uploader's own image and symbolizer of the target (the tracer's
 * is not thread-safe).  The tracer opens it as soon as it has attached,
 * while the target surely lives, and hands it over: the uploader may
 * get to its first window only after the target exited, when neither
 * the maps nor the files of the process can be read any more.  Files
 * opened later come from procimg's kept files.
 */
struct target_image {
	pid_t pid;
	struct procimg img;
	struct symbols *syms;
};

static struct target_image *
target_image_open(pid_t pid)
{
	struct target_image *ti = xcalloc(1, sizeof(*ti));
	struct pp_err err;

	ti->pid = pid;
	if (procimg_open(&ti->img, pid, &err) < 0) {
		debug_msg("no symbols for the profiles: %s", err.text);
		free(ti);
		return NULL;
	}
	ti->syms = symbols_open(&ti->img, &err);
	if (!ti->syms)
		debug_msg("no symbols for the profiles: %s", err.text);
	return ti;
}

static void
target_image_close(struct target_image *ti)
{
	if (!ti)
		return;
	symbols_close(ti->syms);
	procimg_close(&ti->img);
	free(ti);
}

static struct plan_ref *
plan_get(void)
{
	struct plan_ref *p;

	pthread_mutex_lock(&st.lock);
	p = st.plan;
	p->refs++;
	pthread_mutex_unlock(&st.lock);
	return p;
}

static void
plan_put(struct plan_ref *p)
{
	bool last;

	if (!p)
		return;
	pthread_mutex_lock(&st.lock);
	last = --p->refs == 0;
	pthread_mutex_unlock(&st.lock);
	if (last) {
		push_plan_free(&p->p);
		free(p);
	}
}

static uint64_t
wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

static uint64_t
process_cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
	       1000000000ull +
	       (uint64_t) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

/* "12:00:10" (UTC) */
static void
clock_text(int64_t ns, char *buf, size_t len)
{
	time_t t = (time_t) (ns / 1000000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
}

/* --- settings ---------------------------------------------------------- */

int
push_load(const struct push_opts *o, struct push_config *c,
	  struct pp_err *err)
{
	struct pp_err e;
	size_t i;

	push_config_init(c);
	if (o->config_path) {
		struct config f;

		if (config_read_file(o->config_path, &f, err) < 0)
			goto fail;
		if (push_config_apply_file(c, &f, err) < 0) {
			config_free(&f);
			goto fail;
		}
		config_free(&f);
	}
	/* Processes on the command line replace the file's. */
	for (i = 0; i < o->nargs; i++)
		if (strcmp(o->args[i].key, "pid") == 0 ||
		    strcmp(o->args[i].key, "name") == 0 ||
		    strcmp(o->args[i].key, "pidfile") == 0) {
			push_config_forget_processes(c);
			break;
		}
	for (i = 0; i < o->nargs; i++) {
		if (push_config_set(c, NULL, o->args[i].key, o->args[i].value,
				    &e) < 0) {
			pp_err_set(err, e.errnum, "--%s: %s", o->args[i].key,
				   e.text);
			goto fail;
		}
	}
	c->current = NULL;
	return 0;
fail:
	push_config_free(c);
	return -1;
}

void
push_opts_free(struct push_opts *o)
{
	size_t i;

	for (i = 0; i < o->nowned; i++)
		free(o->owned[i]);
	free(o->owned);
	free(o->args);
	memset(o, 0, sizeof(*o));
}

/* The service name when none is given: the program's, in the
 * characters Pyroscope takes. */
static char *
default_app(const struct push_opts *o, const struct pid_args *who)
{
	char comm[64] = "", *p;
	struct pp_err err;
	pid_t pid = who->npids ? who->pids[0] : 0;

	if (!pid && !who->nnames && who->npidfiles &&
	    pidsel_read_pidfile(who->pidfiles[0], &pid, &err) < 0)
		pid = 0;
	if (o->argv) {
		const char *b = strrchr(o->argv[0], '/');

		snprintf(comm, sizeof(comm), "%s", b ? b + 1 : o->argv[0]);
	} else if (pid) {
		procfs_thread_comm(pid, pid, comm, sizeof(comm));
	} else if (who->nnames) {
		snprintf(comm, sizeof(comm), "%s", who->names[0]);
	}
	for (p = comm; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_./-", *p)))
			*p = '_';
	return xstrdup(comm[0] ? comm : "pidprof");
}

/* Whether @a names processes (else: a command, or the running ones). */
static bool
names_processes(const struct pid_args *a)
{
	return a->npids || a->nnames || a->npidfiles;
}

/* Secrets of @p are masked in every message from now on. */
static void
register_secrets(const struct push_plan *p)
{
	size_t i, k;

	for (i = 0; i < p->nsinks; i++) {
		const struct push_sink *s = &p->sinks[i];
		char *pw = url_password(s->url);

		msg_add_secret(s->token);
		msg_add_secret(s->basic_password);
		msg_add_secret(pw);
		free(pw);
		for (k = 0; k < s->nheaders; k++) {
			const char *v = strchr(s->headers[k], ':') + 1;

			while (*v == ' ' || *v == '\t')
				v++;
			if (header_is_secret(s->headers[k]))
				msg_add_secret(v);
		}
	}
}

static void
describe_plan(const struct push_plan *p, char *buf, size_t len)
{
	size_t i, n;

	n = snprintf(buf, len, "%s mode%s, %d Hz, %.3g s windows; ",
		     sample_mode_name(p->mode),
		     p->mode == MODE_WALL && p->no_idle ? " (no idle)" : "",
		     p->rate_hz, p->window_ns / 1e9);
	for (i = 0; i < p->nsinks && n < len; i++) {
		char types[64];

		push_types_format(p->sinks[i].types, types, sizeof(types));
		n += snprintf(buf + n, len - n, "%s%s %s (%s: %s)",
			      i ? ", " : "", p->sinks[i].name,
			      p->sinks[i].url_shown, p->sinks[i].app, types);
	}
}

/* A token or a password that would cross the network unencrypted. */
static void
warn_cleartext(const struct push_plan *p)
{
	size_t i;

	for (i = 0; i < p->nsinks; i++) {
		const struct push_sink *s = &p->sinks[i];
		struct url_parts u;
		bool token, basic;

		if (strncmp(s->url, "http://", 7) != 0 ||
		    url_is_loopback(s->url))
			continue;
		url_split(s->url, &u);
		token = s->token && !s->basic_user;
		basic = s->basic_user || u.has_password;
		if (!token && !basic)
			continue;
		warning_msg("sink %s: %s%s%s would be sent unencrypted to %s over http://; use https://",
			    s->name, token ? "a bearer token" : "",
			    token && basic ? " and " : "",
			    basic ? "a basic authentication password" : "",
			    s->url_shown);
	}
}

static void
warn_rate(const struct push_plan *p)
{
	if (p->rate_asked != p->rate_hz)
		warning_msg("rate %ld Hz is outside %d..%d Hz: using %d Hz",
			    p->rate_asked, RATE_MIN, RATE_MAX, p->rate_hz);
}

/* --- the tracer thread -------------------------------------------------- */

/* The monotonic time of the next multiple of @window on the wall clock;
 * a window would be too short when it ends within @min of now. */
static uint64_t
next_boundary(uint64_t window, uint64_t min)
{
	uint64_t real = wall_ns(), mono = now_ns();
	uint64_t b = (real / window + 1) * window;

	if (b - real < min)
		b += window;
	return mono + (b - real);
}

static void
enqueue(struct window *w)
{
	struct window *old = NULL;

	pthread_mutex_lock(&st.lock);
	st.windows++;
	if (st.qlen == QUEUE_MAX) {
		old = st.qhead;
		st.qhead = old->next;
		if (!st.qhead)
			st.qtail = NULL;
		st.qlen--;
		st.windows_dropped++;
	}
	if (st.qtail)
		st.qtail->next = w;
	else
		st.qhead = w;
	st.qtail = w;
	st.qlen++;
	pthread_cond_broadcast(&st.cond);
	pthread_mutex_unlock(&st.lock);
	if (old) {
		warning_msg("the uploads fall behind: window %u was dropped before it was sent",
			    old->seq);
		profile_free(&old->prof);
		if (old->has_threads)
			profile_free(&old->threads);
		if (old->has_mem)
			mem_reading_free(&old->mem);
		plan_put(old->plan);
		free(old);
	}
}

struct tracer_arg {
	struct push_opts *o;
};

/* Several processes: the uploader's symbols of those that came since,
 * and of those that ended, before their samples are queued. */
static void
share_symbols(const struct sampler_group *g)
{
	/* No lock: a render under way is not waited for. */
	if (st.several)
		procsyms_update(&st.syms, g, &st.follow, st.res);
}

static void *
tracer_thread(void *arg)
{
	struct tracer_arg *ta = arg;
	struct sampler_opts so;
	struct sampler_result *res = &st.res[0];
	struct sampler_stats *win = xmalloc(sizeof(*win));
	struct plan_ref *plan = plan_get();
	struct target_image *image = NULL;
	struct sampler_group *s;
	bool first = true, mem_warned = false;
	unsigned seq = 0;
	int64_t last_end = 0;

	stop_signals_block();
	memset(&so, 0, sizeof(so));
	so.pid = plan->p.pid;
	so.argv = ta->o->argv;
	so.mode = plan->p.mode;
	so.rate_hz = plan->p.rate_hz;
	so.no_idle = plan->p.no_idle;
	so.sampler = plan->p.sampler;
	so.quiet = plan->p.quiet;
	so.stack_size = STACK_SIZE;
	so.unwinder = &unwinder_dwfl;
	so.stop = &push_stop;
	s = sampler_group_open(&so, &st.follow, st.res);
	if (!s) {
		pthread_mutex_lock(&st.lock);
		st.attach_failed = true;
		st.tracer_err = res->err;
		pthread_mutex_unlock(&st.lock);
		goto done;
	}
	if (!st.several)
		image = target_image_open(res->pid);
	share_symbols(s);
	pthread_mutex_lock(&st.lock);
	st.pid = res->pid;
	st.spawned = res->spawned;
	st.image = image;
	pthread_mutex_unlock(&st.lock);

	for (;;) {
		uint64_t window = plan->p.window_ns;
		/* The first window runs to the second boundary when the
		 * first is less than half a window away. */
		uint64_t deadline = next_boundary(window, first ? window / 2 :
						  window / 10);
		enum sampler_state state = sampler_group_poll(s, deadline);
		struct plan_ref *next = plan_get();
		struct window *w = xcalloc(1, sizeof(*w));
		struct pp_err err;

		first = false;
		if (next->p.mode != plan->p.mode ||
		    next->p.rate_hz != plan->p.rate_hz ||
		    next->p.no_idle != plan->p.no_idle)
			sampler_group_reconfigure(s, next->p.mode,
						  next->p.rate_hz,
						  next->p.no_idle);
		sampler_group_cut(s, &w->prof, win);
		share_symbols(s);
		/* Windows meet exactly: each starts where the one before
		 * ended (the wall clock read at a cut can differ by some
		 * microseconds from the end its monotonic length gives). */
		if (last_end && w->prof.time_nanos + w->prof.duration_nanos >
				last_end) {
			w->prof.duration_nanos += w->prof.time_nanos - last_end;
			w->prof.time_nanos = last_end;
		}
		last_end = w->prof.time_nanos + w->prof.duration_nanos;
		w->seq = ++seq;
		w->plan = plan;
		w->pid = res->pid;
		w->several = st.several;
		w->samples = win->stopped + win->blocked + win->reused +
			     win->perf_samples;
		w->missed = win->missed;
		w->truncated = win->truncated;
		w->target_cpu_ns = win->target_cpu_ns;
		w->perf = win->perf_now;
		w->profiler_cpu_ns = win->profiler_cpu_ns;
		if (plan->p.types & PUSH_THREADS) {
			sampler_group_threads(s, &w->threads);
			w->has_threads = true;
		}
		if ((plan->p.types & PUSH_MEMORY) && state != SAMPLER_ENDED) {
			/* Of several, the first process's. */
			if (heap_read(res->pid, &w->mem, &err) == 0) {
				w->has_mem = true;
			} else if (!mem_warned) {
				warning_msg("no memory profile: %s", err.text);
				mem_warned = true;
			}
		}
		pthread_mutex_lock(&st.lock);
		st.tracer_cpu_ns += win->profiler_cpu_ns;
		pthread_mutex_unlock(&st.lock);
		enqueue(w);
		plan = next;
		if (state != SAMPLER_DUE)
			break;
	}
	sampler_group_close(s);
	pthread_mutex_lock(&st.lock);
	st.target_exited = res->target_exited;
	st.exit_status = res->exit_status;
	pthread_mutex_unlock(&st.lock);
done:
	pthread_mutex_lock(&st.lock);
	st.tracer_done = true;
	pthread_cond_broadcast(&st.cond);
	pthread_mutex_unlock(&st.lock);
	plan_put(plan);
	free(win);
	return NULL;
}

/* --- the uploader thread ------------------------------------------------ */

struct uploader {
	struct fifo *fifos;
	size_t nfifos, fifos_cap;
	struct plan_ref *plan;	/* the newest it has seen */
	char *spool_dir;
	uint64_t spool_max;
	bool spool_failing;	/* the last spool write failed */
	uint64_t spool_failed;	/* writes failed since it began */
	bool dropping;		/* dropping for the limit, said once */
	uint64_t dropped_since;	/* dropped since it began */
	uint64_t total;		/* bytes of every waiting item */
	unsigned seq;
	uint64_t rng;
	struct target_image *image;	/* or NULL */
	bool final;
};

static uint64_t
rnd(struct uploader *u)
{
	u->rng ^= u->rng << 13;
	u->rng ^= u->rng >> 7;
	u->rng ^= u->rng << 17;
	return u->rng;
}

static const struct push_sink *
fifo_sink(const struct fifo *f)
{
	return &f->plan->p.sinks[f->sink];
}

static struct fifo *
find_fifo(struct uploader *u, const char *name)
{
	size_t i;

	for (i = 0; i < u->nfifos; i++)
		if (!u->fifos[i].retired && strcmp(u->fifos[i].name, name) == 0)
			return &u->fifos[i];
	return NULL;
}

static enum sink_kind
fifo_kind(const struct fifo *f)
{
	return f->plan->p.sinks[f->sink].kind;
}

/* The queue of sink @name that takes profiles encoded for @kind: a
 * window sampled before a reload that changed the kind goes to the old,
 * retired queue. */
static struct fifo *
find_fifo_of_kind(struct uploader *u, const char *name, enum sink_kind kind)
{
	struct fifo *f = find_fifo(u, name);
	size_t i;

	if (f && f->plan && fifo_kind(f) == kind)
		return f;
	for (i = u->nfifos; i-- > 0;)
		if (u->fifos[i].retired && u->fifos[i].plan &&
		    fifo_kind(&u->fifos[i]) == kind &&
		    strcmp(u->fifos[i].name, name) == 0)
			return &u->fifos[i];
	return NULL;
}

/* Points every queue of a sink in @plan at its new settings, and makes
 * the queues of new sinks.  Queues of removed sinks drain with the
 * settings they had. */
static void
adopt_plan(struct uploader *u, struct plan_ref *plan)
{
	size_t i;

	for (i = 0; i < plan->p.nsinks; i++) {
		const char *name = plan->p.sinks[i].name;
		struct fifo *f = find_fifo(u, name);

		if (f && f->plan && fifo_kind(f) != plan->p.sinks[i].kind) {
			f->retired = true;
			f = NULL;
		}
		if (!f) {
			u->fifos = xgrow(u->fifos, &u->fifos_cap,
					 u->nfifos + 1, sizeof(*u->fifos));
			f = &u->fifos[u->nfifos++];
			memset(f, 0, sizeof(*f));
			f->name = xstrdup(name);
		}
		pthread_mutex_lock(&st.lock);
		plan->refs++;
		pthread_mutex_unlock(&st.lock);
		plan_put(f->plan);
		f->plan = plan;
		f->sink = i;
	}
	plan_put(u->plan);
	u->plan = plan;
	u->spool_max = plan->p.spool_max;
}

/* The path and query of a request for a profile of type @type (a name)
 * of the window [@from, @until) to sink @s: from the sink's own
 * settings, never from a spool file. */
static char *
item_path(const struct push_sink *s, const char *type, int64_t from,
	  int64_t until, int rate_hz)
{
	struct push_tag tags[PUSH_MAX_TAGS + 1];
	const char *pt;
	char *name, *path;
	size_t n = s->ntags;

	if (s->kind == SINK_PYROSCOPE) {
		name = pyroscope_name(s->app, s->tags, s->ntags);
		path = pyroscope_path(name, from, until, rate_hz);
		free(name);
		return path;
	}
	pt = profefe_type(type);
	memcpy(tags, s->tags, n * sizeof(*tags));
	/* Wall and threads profiles are both "other": a label tells them
	 * apart. */
	if (strcmp(pt, "other") == 0) {
		tags[n].key = (char *) "pidprof_type";
		tags[n].value = (char *) type;
		n++;
	}
	return profefe_path(s->app, pt, tags, n);
}

/* "cpu 12:00:10Z", for messages. */
static char *
item_what(const char *type, int64_t from)
{
	char clock[16];

	clock_text(from, clock, sizeof(clock));
	return xasprintf("%s %sZ", type, clock);
}

static void
item_free(struct item *it)
{
	spool_meta_free(&it->m);
	buf_free(&it->body);
	free(it->file);
	free(it);
}

/* Writes @it to the spool directory, if there is one, and frees its
 * body from memory. */
static int
spill(struct uploader *u, struct item *it)
{
	struct pp_err err;
	char *name;

	if (it->file || !u->spool_dir)
		return 0;
	name = spool_file_name(it->m.time_ns, it->seq, it->m.sink);
	it->file = xasprintf("%s/%s", u->spool_dir, name);
	free(name);
	if (spool_write(it->file, &it->m, it->body.data, it->body.len,
			&err) < 0) {
		/* Said once, not at every retry of every profile. */
		if (!u->spool_failing)
			error_msg("spool full or not writable: %s; profiles wait in memory (up to --spool-max) until it can be written again",
				  err.text);
		u->spool_failing = true;
		u->spool_failed++;
		free(it->file);
		it->file = NULL;
		return -1;
	}
	if (u->spool_failing) {
		info_msg("spool %s can be written again (%" PRIu64 " writes had failed)",
			 u->spool_dir, u->spool_failed);
		u->spool_failing = false;
		u->spool_failed = 0;
	}
	buf_free(&it->body);
	buf_init(&it->body);
	pthread_mutex_lock(&st.lock);
	st.spooled++;
	pthread_mutex_unlock(&st.lock);
	return 0;
}

static struct item *
fifo_pop(struct uploader *u, struct fifo *f)
{
	struct item *it = f->head;

	f->head = it->next;
	if (!f->head)
		f->tail = NULL;
	f->n--;
	u->total -= it->size;
	if (it->file) {
		unlink(it->file);
		pthread_mutex_lock(&st.lock);
		st.spooled--;
		pthread_mutex_unlock(&st.lock);
	}
	pthread_mutex_lock(&st.lock);
	st.waiting--;
	pthread_mutex_unlock(&st.lock);
	return it;
}

/* Drops the oldest waiting profiles while they take more than the
 * spool's limit. */
static void
enforce_limit(struct uploader *u)
{
	while (u->total > u->spool_max) {
		struct fifo *oldest = NULL;
		struct item *it;
		char lim[32];
		uint64_t dropped;
		size_t i;

		for (i = 0; i < u->nfifos; i++) {
			struct item *h = u->fifos[i].head;

			if (h && (!oldest || h->m.time_ns <
				  oldest->head->m.time_ns ||
				  (h->m.time_ns == oldest->head->m.time_ns &&
				   h->seq < oldest->head->seq)))
				oldest = &u->fifos[i];
		}
		if (!oldest)
			break;
		it = fifo_pop(u, oldest);
		pthread_mutex_lock(&st.lock);
		dropped = ++st.dropped_full;
		pthread_mutex_unlock(&st.lock);
		units_size(u->spool_max, lim, sizeof(lim));
		u->dropped_since++;
		if (!u->dropping || msg_verbose() >= 1)
			warning_msg("the spool is over its limit of %s: dropped the oldest profile (%s for %s); %" PRIu64 " dropped so far%s",
				    lim, it->m.what, it->m.sink, dropped,
				    u->dropping ? "" :
				    "; the next ones are counted, not shown");
		u->dropping = true;
		item_free(it);
	}
}

static void
fifo_push(struct uploader *u, struct fifo *f, struct item *it)
{
	if (f->tail)
		f->tail->next = it;
	else
		f->head = it;
	f->tail = it;
	f->n++;
	u->total += it->size;
	pthread_mutex_lock(&st.lock);
	st.waiting++;
	pthread_mutex_unlock(&st.lock);
	/* The sink is down: it would wait in memory, keep it on disk. */
	if (f->down)
		spill(u, it);
	enforce_limit(u);
}

/* The spool of an earlier run goes first, in order. */
static void
load_spool(struct uploader *u)
{
	char **names, unknown[256] = "";
	size_t n, i, nunknown = 0, loaded = 0;
	struct pp_err err;

	if (!u->spool_dir)
		return;
	if (spool_dir_list(u->spool_dir, &names, &n, &err) < 0) {
		error_msg_err(&err);
		return;
	}
	for (i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", u->spool_dir, names[i]);
		struct item *it = xcalloc(1, sizeof(*it));
		struct fifo *f;
		struct buf body;

		buf_init(&body);
		buf_init(&it->body);
		if (spool_read(path, &it->m, &body, &err) < 0) {
			warning_msg("spool: %s; left as it is", err.text);
			free(path);
			buf_free(&body);
			free(it);
			continue;
		}
		f = find_fifo(u, it->m.sink);
		if (!f || strcmp(it->m.kind,
				 sink_kind_name(fifo_sink(f)->kind)) != 0) {
			size_t l = strlen(unknown);

			if (!strstr(unknown, it->m.sink) &&
			    l + 40 < sizeof(unknown))
				snprintf(unknown + l, sizeof(unknown) - l,
					 "%s%s", l ? ", " : "", it->m.sink);
			nunknown++;
			free(path);
			buf_free(&body);
			item_free(it);
			continue;
		}
		/* The request is the sink's, whatever the file says. */
		it->m.path = item_path(fifo_sink(f), it->m.type,
				       it->m.time_ns, it->m.until_ns,
				       it->m.rate_hz);
		it->m.what = item_what(it->m.type, it->m.time_ns);
		it->file = path;
		it->size = body.len;
		buf_free(&body);
		pthread_mutex_lock(&st.lock);
		st.spooled++;
		pthread_mutex_unlock(&st.lock);
		fifo_push(u, f, it);
		loaded++;
	}
	if (loaded)
		info_msg("spool %s: %zu profiles from an earlier run are sent first",
			 u->spool_dir, loaded);
	if (nunknown)
		warning_msg("spool %s: %zu profiles for sinks that are not configured (%s) are left there",
			    u->spool_dir, nunknown, unknown);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* A copy of @p without per-sample labels, samples of equal stacks
 * merged: Pyroscope would make a series of every string label. */
static void
strip_labels(const struct profile *p, struct profile *out)
{
	size_t i;

	profile_init(out);
	out->nvalues = p->nvalues;
	memcpy(out->types, p->types, sizeof(out->types));
	out->period_type = p->period_type;
	out->period = p->period;
	out->time_nanos = p->time_nanos;
	out->duration_nanos = p->duration_nanos;
	out->display_value = p->display_value;
	out->thread_labels = false;
	out->name_label = NULL;
	/* Of several processes, each sample keeps its process: a series
	 * per process name (the pid, a number, is not made a series). */
	out->process_labels = p->process_labels;
	for (i = 0; i < p->nsamples; i++) {
		const struct profile_sample *s = &p->samples[i];
		const struct profile_stack *k = &p->stacks[s->stack - 1];
		struct profile_sample key = {
			.stack = profile_stack(out, p->pcs + k->off, k->n),
			.name = profile_string(out, ""),
			.state = THREAD_OTHER,
			.pid = s->pid,
		};

		if (s->pid)
			key.proc_name = profile_string(out,
					p->strings.v[s->proc_name]);
		profile_add_sample(out, &key, s->values);
	}
}

static void
open_symbols(struct uploader *u, pid_t pid)
{
	if (u->image && u->image->pid == pid) {
		procimg_refresh(&u->image->img);
		if (u->image->syms)
			symbols_refresh(u->image->syms);
		return;
	}
	target_image_close(u->image);
	u->image = NULL;
	pthread_mutex_lock(&st.lock);
	if (st.image && st.image->pid == pid) {
		u->image = st.image;
		st.image = NULL;
	}
	pthread_mutex_unlock(&st.lock);
	if (!u->image)
		u->image = target_image_open(pid);
}

static int
render(struct uploader *u, const struct window *w, const struct profile *p,
       struct buf *out)
{
	const struct push_plan *plan = &w->plan->p;
	char c0[256], c1[256];
	const char *comments[2] = { c0, c1 };
	struct render_info info = { "", "", comments, 2 };
	struct frame_sources set = { NULL, 0 };
	struct frame_source src;
	struct pp_err err;
	int rc = 0;

	snprintf(c0, sizeof(c0), "pidprof %s push: %s mode, %d Hz, %s %d, window %u, %s",
		 PACKAGE_VERSION, sample_mode_name(plan->mode), plan->rate_hz,
		 w->several ? "several processes (label pid), the first" :
		 "pid", (int) w->pid, w->seq,
		 w->perf ? "perf events" : "ptrace");
	snprintf(c1, sizeof(c1), "samples: %" PRIu64 ", %" PRIu64
		 " missed, %" PRIu64 " truncated; profiler CPU %.1f ms",
		 w->samples, w->missed, w->truncated,
		 w->profiler_cpu_ns / 1e6);
	if (w->several) {
		procsyms_source(&st.syms, &set, &src);
	} else if (u->image && u->image->syms) {
		symbols_frame_source(u->image->syms, &src);
	} else {
		empty_frame_source(&src);
	}
	if (output_render(FORMAT_PPROF, p, &src, &info, out, &err) < 0) {
		error_msg_err(&err);
		rc = -1;
	}
	free((void *) set.v);
	return rc;
}

/* The request for one profile of window @w to sink @s. */
static struct item *
make_item(struct uploader *u, const struct window *w, const struct push_sink *s,
	  unsigned type, const struct buf *pprof)
{
	struct item *it = xcalloc(1, sizeof(*it));
	int64_t from = w->prof.time_nanos;
	int64_t until = from + w->prof.duration_nanos;

	buf_init(&it->body);
	it->seq = ++u->seq;
	it->m.sink = xstrdup(s->name);
	it->m.kind = xstrdup(sink_kind_name(s->kind));
	it->m.type = xstrdup(push_type_name(type));
	it->m.time_ns = from;
	it->m.until_ns = until;
	it->m.rate_hz = w->plan->p.rate_hz;
	it->m.what = item_what(it->m.type, from);
	it->m.path = item_path(s, it->m.type, from, until, it->m.rate_hz);
	if (s->kind == SINK_PYROSCOPE) {
		it->m.content_type = pyroscope_multipart(pprof->data,
							 pprof->len, rnd(u),
							 &it->body);
	} else {
		it->m.content_type = xstrdup("application/octet-stream");
		buf_append(&it->body, pprof->data, pprof->len);
	}
	it->size = it->body.len;
	return it;
}

static void
encode_window(struct uploader *u, struct window *w)
{
	const struct push_plan *plan = &w->plan->p;
	unsigned sampled = strcmp(w->prof.types[1].type, "cpu") == 0 ?
			   PUSH_CPU : PUSH_WALL;
	unsigned order[3] = { sampled, PUSH_MEMORY, PUSH_THREADS };
	char sinks[256] = "";
	size_t t, i, queued = 0;

	if (!w->several)
		open_symbols(u, w->pid);
	for (t = 0; t < 3; t++) {
		unsigned type = order[t];
		const struct profile *p = NULL;
		struct buf full, bare;
		bool have_full = false, have_bare = false, failed = false;

		if (!(plan->types & type))
			continue;
		buf_init(&full);
		buf_init(&bare);
		if (type == sampled) {
			p = &w->prof;
			if (!p->nsamples) {
				pthread_mutex_lock(&st.lock);
				st.empty++;
				pthread_mutex_unlock(&st.lock);
				debug_msg("window %u: no %s sample, nothing to send",
					  w->seq, push_type_name(type));
				continue;
			}
		} else if (type == PUSH_THREADS) {
			if (!w->has_threads || !w->threads.nsamples)
				continue;
			p = &w->threads;
		} else {
			struct pp_err err;

			if (!w->has_mem || !w->mem.n)
				continue;
			if (heap_render(&w->mem, w->pid, FORMAT_PPROF, &full,
					&err) < 0) {
				error_msg_err(&err);
				buf_free(&full);
				continue;
			}
			have_full = have_bare = true;
		}
		for (i = 0; i < plan->nsinks && !failed; i++) {
			const struct push_sink *s = &plan->sinks[i];
			bool pyro = s->kind == SINK_PYROSCOPE;
			struct fifo *f = find_fifo_of_kind(u, s->name, s->kind);

			if (!(s->types & type) || !f)
				continue;
			if (pyro && !have_bare) {
				struct profile stripped;

				strip_labels(p, &stripped);
				failed = render(u, w, &stripped, &bare) < 0;
				profile_free(&stripped);
				have_bare = true;
			} else if (!pyro && !have_full) {
				failed = render(u, w, p, &full) < 0;
				have_full = true;
			}
			if (failed)
				break;
			fifo_push(u, f, make_item(u, w, s, type,
						  pyro && type != PUSH_MEMORY ?
						  &bare : &full));
			queued++;
			if (!strstr(sinks, s->name) &&
			    strlen(sinks) + strlen(s->name) + 3 < sizeof(sinks))
				snprintf(sinks + strlen(sinks),
					 sizeof(sinks) - strlen(sinks), "%s%s",
					 sinks[0] ? ", " : "", s->name);
		}
		buf_free(&full);
		buf_free(&bare);
	}
	pthread_mutex_lock(&st.lock);
	st.queued += queued;
	pthread_mutex_unlock(&st.lock);
	if (msg_verbose() >= 1) {
		char clock[16], len[UNITS_LEN], cpu[UNITS_LEN];

		clock_text(w->prof.time_nanos, clock, sizeof(clock));
		units_duration(w->prof.duration_nanos, len, sizeof(len));
		units_duration(w->profiler_cpu_ns, cpu, sizeof(cpu));
		info_msg("window %u %sZ +%s: %s, %" PRIu64 " samples (%"
			 PRIu64 " missed, %s), profiler CPU %s; %zu profiles for %s",
			 w->seq, clock, len, push_type_name(sampled),
			 w->samples, w->missed,
			 w->perf ? "perf events" : "ptrace", cpu, queued,
			 sinks[0] ? sinks : "no sink");
	}
}

static void
window_free(struct window *w)
{
	profile_free(&w->prof);
	if (w->has_threads)
		profile_free(&w->threads);
	if (w->has_mem)
		mem_reading_free(&w->mem);
	plan_put(w->plan);
	free(w);
}

static void
record_latency(uint64_t ns, size_t bytes)
{
	pthread_mutex_lock(&st.lock);
	st.lat_ms[st.nlat % LATENCIES] = (uint32_t) (ns / 1000000);
	st.nlat++;
	if (ns > st.lat_max_ns)
		st.lat_max_ns = ns;
	st.bytes_sent += bytes;
	st.sent++;
	pthread_mutex_unlock(&st.lock);
}

/* One try to deliver the head of @f; @deadline (0: none) caps the
 * request's time. */
static void
attempt(struct uploader *u, struct fifo *f, uint64_t deadline)
{
	const struct push_sink *s = fifo_sink(f);
	struct item *it = f->head;
	const char *hdrs[PUSH_MAX_HEADERS + 4];
	char *ctype = NULL, *auth = NULL, *tenant = NULL, *url;
	struct http_request rq;
	struct http_reply rp;
	struct sink_reply reply;
	enum sink_verdict v;
	struct pp_err err;
	struct buf body;
	size_t nh = 0, i;
	uint64_t now = now_ns(), cap;
	int rc;

	buf_init(&body);
	if (it->file && !it->body.len) {
		struct spool_meta m;

		if (spool_read(it->file, &m, &body, &err) < 0) {
			error_msg("%s; the profile is lost", err.text);
			item_free(fifo_pop(u, f));
			pthread_mutex_lock(&st.lock);
			st.lost++;
			pthread_mutex_unlock(&st.lock);
			return;
		}
		spool_meta_free(&m);
	}
	if (it->m.content_type) {
		ctype = xasprintf("Content-Type: %s", it->m.content_type);
		hdrs[nh++] = ctype;
	}
	if (s->token && !s->basic_user) {
		auth = xasprintf("Authorization: Bearer %s", s->token);
		hdrs[nh++] = auth;
	}
	if (s->tenant) {
		tenant = xasprintf("X-Scope-OrgID: %s", s->tenant);
		hdrs[nh++] = tenant;
	}
	/* Headers given last win (curl sends the last of a name). */
	for (i = 0; i < s->nheaders; i++)
		hdrs[nh++] = s->headers[i];
	url = xasprintf("%s%s", s->url, it->m.path);
	memset(&rq, 0, sizeof(rq));
	rq.url = url;
	rq.headers = hdrs;
	rq.nheaders = nh;
	rq.user = s->basic_user;
	rq.password = s->basic_password;
	rq.body = it->file && !it->body.len ? body.data : it->body.data;
	rq.len = it->file && !it->body.len ? body.len : it->body.len;
	rq.connect_timeout_ns = s->connect_timeout_ns;
	rq.timeout_ns = s->timeout_ns;
	if (deadline) {
		cap = deadline > now ? deadline - now : 1000000;
		if (rq.timeout_ns > cap)
			rq.timeout_ns = cap;
		if (rq.connect_timeout_ns > cap)
			rq.connect_timeout_ns = cap;
	}
	rc = http_post(&rq, &rp, &err);
	if (rc < 0) {
		v = SINK_RETRY;
		snprintf(reply.message, sizeof(reply.message), "%.500s",
			 err.text);
	} else {
		sink_parse_reply(rp.body.data, rp.body.len, &reply);
		v = sink_judge(s->kind, rp.status, &reply);
	}
	if (v == SINK_OK) {
		record_latency(rp.elapsed_ns, rq.len);
		if (f->down)
			info_msg("sink %s (%s) takes profiles again after %u failed tries; %zu waiting are sent in order",
				 s->name, s->url_shown, f->failures, f->n - 1);
		else if (msg_verbose() >= 2) {
			char took[UNITS_LEN];

			units_duration(rp.elapsed_ns, took, sizeof(took));
			debug_msg("sink %s: sent %s in %s", s->name,
				  it->m.what, took);
		}
		if (u->dropping) {
			info_msg("spool: %" PRIu64 " profiles were dropped for the limit while sinks were down",
				 u->dropped_since);
			u->dropping = false;
			u->dropped_since = 0;
		}
		f->down = false;
		f->failures = 0;
		f->refused_status = 0;
		f->sent++;
		item_free(fifo_pop(u, f));
	} else if (v == SINK_RETRY) {
		char why[600];

		if (rc < 0)
			snprintf(why, sizeof(why), "%s", reply.message);
		else
			snprintf(why, sizeof(why), "HTTP %ld%s%s", rp.status,
				 reply.message[0] ? ": " : "", reply.message);
		it->attempts++;
		f->failures++;
		f->failed_total++;
		if (!f->down || msg_verbose() >= 1)
			warning_msg("sink %s (%s): cannot deliver %s: %s; %s, trying again",
				    s->name, s->url_shown, it->m.what, why,
				    u->spool_dir ? "kept in the spool" :
				    "kept in memory");
		f->down = true;
		pthread_mutex_lock(&st.lock);
		st.retried++;
		pthread_mutex_unlock(&st.lock);
		it->next_try = now_ns() +
			       sink_backoff_ns(it->attempts, BACKOFF_BASE_NS,
					       u->plan->p.window_ns <
					       BACKOFF_CAP_NS ?
					       u->plan->p.window_ns :
					       BACKOFF_CAP_NS, rnd(u));
		for (struct item *o = it; o; o = o->next)
			if (spill(u, o) < 0)
				break;
	} else {
		if (f->refused_status != rp.status || msg_verbose() >= 1)
			warning_msg("sink %s (%s) refused %s: HTTP %ld%s%s; it is dropped, not sent again",
				    s->name, s->url_shown, it->m.what,
				    rp.status, reply.message[0] ? ": " : "",
				    reply.message);
		f->refused_status = rp.status;
		f->down = false;
		f->failures = 0;
		pthread_mutex_lock(&st.lock);
		st.refused++;
		pthread_mutex_unlock(&st.lock);
		item_free(fifo_pop(u, f));
	}
	if (rc == 0)
		buf_free(&rp.body);
	buf_free(&body);
	free(url);
	free(ctype);
	free(auth);
	free(tenant);
}

/* The earliest time a queue's head may be tried, or UINT64_MAX. */
static uint64_t
next_due(const struct uploader *u)
{
	uint64_t due = UINT64_MAX;
	size_t i;

	for (i = 0; i < u->nfifos; i++)
		if (u->fifos[i].head && u->fifos[i].head->next_try < due)
			due = u->fifos[i].head->next_try;
	return due;
}

static void
wait_until(uint64_t when)
{
	struct timespec ts;

	ts.tv_sec = (time_t) (when / 1000000000ull);
	ts.tv_nsec = (long) (when % 1000000000ull);
	pthread_cond_timedwait(&st.cond, &st.lock, &ts);
}

/* Tries at the end for a sink that fails again before it is given up:
 * waiting for the deadline would only delay the exit. */
#define FLUSH_TRIES	3

/* After the end: pending uploads get until the deadline (a second stop
 * signal cuts it short); what is left goes to the spool. */
static void
flush(struct uploader *u)
{
	uint64_t deadline = now_ns() + FLUSH_DEADLINE_NS;
	size_t i;
	uint64_t left = 0, spooled = 0;

	for (i = 0; i < u->nfifos; i++) {
		u->fifos[i].flush_base = u->fifos[i].failed_total;
		if (u->fifos[i].head)
			u->fifos[i].head->next_try = 0;
	}
	for (;;) {
		uint64_t now = now_ns(), due;
		bool hurry;

		pthread_mutex_lock(&st.lock);
		hurry = st.hurry;
		pthread_mutex_unlock(&st.lock);
		if (hurry || now >= deadline)
			break;
		due = UINT64_MAX;
		for (i = 0; i < u->nfifos; i++) {
			struct fifo *f = &u->fifos[i];

			if (!f->head ||
			    f->failed_total >= f->flush_base + FLUSH_TRIES)
				continue;
			if (f->head->next_try <= now)
				attempt(u, f, deadline);
			if (f->head && f->failed_total <
			    f->flush_base + FLUSH_TRIES &&
			    f->head->next_try < due)
				due = f->head->next_try;
		}
		if (due == UINT64_MAX)
			break;
		pthread_mutex_lock(&st.lock);
		if (!st.hurry && due > now_ns())
			wait_until(due < deadline ? due : deadline);
		pthread_mutex_unlock(&st.lock);
	}
	for (i = 0; i < u->nfifos; i++) {
		struct item *it;

		for (it = u->fifos[i].head; it; it = it->next) {
			left++;
			if (u->spool_dir && spill(u, it) == 0)
				spooled++;
		}
	}
	if (!left)
		return;
	if (u->spool_dir) {
		info_msg("%" PRIu64 " profiles could not be delivered in time: they wait in %s for the next start",
			 spooled, u->spool_dir);
	}
	if (left > spooled) {
		error_msg("%" PRIu64 " profiles could not be delivered and are lost%s",
			  left - spooled, u->spool_dir ? "" :
			  " (--spool-dir keeps them for the next start)");
		pthread_mutex_lock(&st.lock);
		st.lost += left - spooled;
		pthread_mutex_unlock(&st.lock);
	}
}

static void *
uploader_thread(void *arg)
{
	struct uploader *u = arg;
	size_t i;

	stop_signals_block();
	load_spool(u);
	for (;;) {
		struct window *ws, *w;
		struct plan_ref *plan;
		bool done;
		uint64_t due = next_due(u);

		pthread_mutex_lock(&st.lock);
		while (!st.qhead && !st.tracer_done && st.plan == u->plan &&
		       due > now_ns())
			wait_until(due != UINT64_MAX && due < now_ns() +
				   1000000000ull ? due :
				   now_ns() + 1000000000ull);
		ws = st.qhead;
		st.qhead = st.qtail = NULL;
		st.qlen = 0;
		done = st.tracer_done;
		plan = st.plan;
		if (plan != u->plan)
			plan->refs++;
		else
			plan = NULL;
		pthread_mutex_unlock(&st.lock);

		if (plan)
			adopt_plan(u, plan);
		while ((w = ws)) {
			ws = w->next;
			encode_window(u, w);
			window_free(w);
		}
		if (done)
			break;
		/* Once a stop is asked for, the flush (with its deadline)
		 * takes over: a dead sink's timeouts must not hold it back. */
		for (i = 0; i < u->nfifos && !push_stop; i++)
			if (u->fifos[i].head &&
			    u->fifos[i].head->next_try <= now_ns())
				attempt(u, &u->fifos[i], 0);
	}
	flush(u);
	pthread_mutex_lock(&st.lock);
	st.uploader_done = true;
	pthread_mutex_unlock(&st.lock);
	return NULL;
}

static void
uploader_free(struct uploader *u)
{
	size_t i;

	for (i = 0; i < u->nfifos; i++) {
		struct fifo *f = &u->fifos[i];

		while (f->head) {
			struct item *it = f->head;

			f->head = it->next;
			item_free(it);
		}
		plan_put(f->plan);
		free(f->name);
	}
	free(u->fifos);
	plan_put(u->plan);
	target_image_close(u->image);
	/* Handed over, never taken: no window came. */
	target_image_close(st.image);
	st.image = NULL;
	free(u->spool_dir);
}

/* --- the main thread ---------------------------------------------------- */

static void
on_stop(int sig)
{
	push_stop = sig;
	stop_count++;
}

static void
on_reload(int sig)
{
	reload_requested = 1;
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_reload;
	sigaction(SIGHUP, &sa, NULL);
}

static void
reload(struct push_opts *o, const char *app, const struct push_plan *cur)
{
	struct push_config c;
	struct plan_ref *p, *old;
	struct pp_err err;
	char desc[1024];

	if (!o->config_path) {
		info_msg("SIGHUP: there is no configuration file (-c) to read again");
		return;
	}
	if (push_load(o, &c, &err) < 0) {
		error_msg("%s; the running configuration is kept", err.text);
		return;
	}
	p = xcalloc(1, sizeof(*p));
	if (push_config_resolve(&c, app, &p->p, &err) < 0) {
		error_msg("%s: %s; the running configuration is kept",
			  o->config_path, err.text);
		push_config_free(&c);
		free(p);
		return;
	}
	push_config_free(&c);
	if ((names_processes(&p->p.who) &&
	     !push_pid_args_equal(&p->p.who, &cur->who)) ||
	    p->p.sampler != cur->sampler ||
	    ((p->p.spool_dir || cur->spool_dir) &&
	     (!p->p.spool_dir || !cur->spool_dir ||
	      strcmp(p->p.spool_dir, cur->spool_dir) != 0))) {
		/* The sampler is chosen once: its line was said, and a
		 * refusal of perf events ended the start, not a reload. */
		error_msg("%s: %s cannot change while pidprof runs (restart it); the running configuration is kept",
			  o->config_path,
			  names_processes(&p->p.who) &&
			  !push_pid_args_equal(&p->p.who, &cur->who) ?
			  "the processes (pid, name, pidfile, children)" :
			  p->p.sampler != cur->sampler ? "sampler" :
			  "spool-dir");
		push_plan_free(&p->p);
		free(p);
		return;
	}
	if (!names_processes(&p->p.who))
		push_pid_args_copy(&p->p.who, &cur->who);
	p->p.pid = cur->pid;
	warn_rate(&p->p);
	register_secrets(&p->p);
	warn_cleartext(&p->p);
	msg_set_verbose(p->p.verbose);
	p->refs = 1;
	describe_plan(&p->p, desc, sizeof(desc));
	if (!p->p.quiet)
		info_msg("reloaded %s: %s; from the next window on",
			 o->config_path, desc);
	pthread_mutex_lock(&st.lock);
	old = st.plan;
	st.plan = p;
	pthread_cond_broadcast(&st.cond);
	pthread_mutex_unlock(&st.lock);
	plan_put(old);
}

static uint64_t
latency_quantile(double q)
{
	uint32_t *v;
	size_t n, i;
	uint64_t r;

	pthread_mutex_lock(&st.lock);
	n = st.nlat < LATENCIES ? st.nlat : LATENCIES;
	v = xmalloc((n ? n : 1) * sizeof(*v));
	memcpy(v, st.lat_ms, n * sizeof(*v));
	pthread_mutex_unlock(&st.lock);
	if (!n) {
		free(v);
		return 0;
	}
	/* insertion sort: a few thousand values at the end of a run */
	for (i = 1; i < n; i++) {
		uint32_t x = v[i];
		size_t j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	r = v[(size_t) (q * (n - 1))];
	free(v);
	return r;
}

static void
status_line(void)
{
	uint64_t w, sent, waiting, spooled, dropped;

	pthread_mutex_lock(&st.lock);
	w = st.windows;
	sent = st.sent;
	waiting = st.waiting;
	spooled = st.spooled;
	dropped = st.refused + st.dropped_full + st.lost;
	pthread_mutex_unlock(&st.lock);
	status_msg("%" PRIu64 " windows  %" PRIu64 " sent  %" PRIu64
		   " waiting  %" PRIu64 " in the spool  %" PRIu64 " dropped",
		   w, sent, waiting, spooled, dropped);
}

static void
summary(uint64_t start_ns)
{
	struct rusage ru;
	uint64_t ns = now_ns() - start_ns;
	double secs = ns / 1e9;
	uint64_t cpu = process_cpu_ns();
	char len[UNITS_LEN], sent[UNITS_LEN], med[UNITS_LEN], p99[UNITS_LEN];
	char max[UNITS_LEN], cpu_s[UNITS_LEN], per_w[UNITS_LEN];
	char samp_w[UNITS_LEN], rss[UNITS_LEN];

	getrusage(RUSAGE_SELF, &ru);
	units_duration(ns, len, sizeof(len));
	units_size(st.bytes_sent, sent, sizeof(sent));
	info_msg("%s, %" PRIu64 " windows: %" PRIu64 " profiles sent (%s), %"
		 PRIu64 " tries failed and were retried, %" PRIu64
		 " in the spool, %" PRIu64 " refused, %" PRIu64
		 " dropped, %" PRIu64 " lost; %" PRIu64 " empty windows not sent",
		 len, st.windows, st.sent, sent, st.retried,
		 st.spooled, st.refused, st.dropped_full + st.windows_dropped,
		 st.lost, st.empty);
	units_duration(latency_quantile(0.5) * 1e6, med, sizeof(med));
	units_duration(latency_quantile(0.99) * 1e6, p99, sizeof(p99));
	units_duration(st.lat_max_ns, max, sizeof(max));
	units_duration(cpu, cpu_s, sizeof(cpu_s));
	units_duration(st.windows ? (double) cpu / st.windows : 0, per_w,
		       sizeof(per_w));
	units_duration(st.windows ? (double) st.tracer_cpu_ns / st.windows :
		       0, samp_w, sizeof(samp_w));
	units_size((uint64_t) ru.ru_maxrss * 1024, rss, sizeof(rss));
	info_msg("upload time: median %s, p99 %s, max %s; profiler CPU %s (%.2f%% of one core), %s per window, sampling %s per window; max RSS %s",
		 med, p99, max, cpu_s,
		 secs > 0 ? 100.0 * cpu / 1e9 / secs : 0, per_w, samp_w, rss);
}

/* What the settings say of the processes, before any is looked for: 0,
 * or an exit status. */
static int
check_processes(const struct push_opts *o, const struct push_plan *p)
{
	if (!names_processes(&p->who) && !o->argv) {
		error_msg("push needs a process: -p PID, --name, --pidfile ('pid =', 'name =', 'pidfile =' in the configuration file), or -- COMMAND");
		return EXIT_USAGE;
	}
	if (names_processes(&p->who) && o->argv) {
		error_msg("push takes processes (-p, --name, --pidfile) or a command, not both");
		return EXIT_USAGE;
	}
	if (p->who.children && o->argv) {
		error_msg("push --children takes -p, --name or --pidfile, not a command (record --children takes one)");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < p->who.npids; i++)
		if (p->who.pids[i] == getpid()) {
			error_msg("refusing to attach to pidprof itself (pid %d)",
				  (int) p->who.pids[i]);
			return EXIT_USAGE;
		}
	return 0;
}

/* --name, once a second: processes of those names that appeared since
 * are sampled too. */
static void
rescan_names(struct sampler_procs *f, void *arg)
{
	const struct pid_args *who = arg;

	pidsel_new_by_name(who->names, who->nnames, f->pids, &f->n, f->max);
}

/* The processes into @f (the command's: one entry, pid 0) and p->pid;
 * 0, or an exit status. */
static int
resolve_processes(const struct push_opts *o, struct push_plan *p,
		  struct sampler_procs *f)
{
	struct pid_args a = p->who;	/* the plan keeps them as given */
	struct pp_err err;

	memset(f, 0, sizeof(*f));
	f->pids = xcalloc(PIDSEL_MAX_PIDS + 1, sizeof(*f->pids));
	f->max = PIDSEL_MAX_PIDS;
	if (o->argv) {
		f->n = 1;
		return 0;
	}
	/* With --children, those forked already too. */
	if (msg_outcome(pidsel_resolve_args(&a, &err), &err) < 0)
		return EXIT_FATAL;
	memcpy(f->pids, a.pids, a.npids * sizeof(*f->pids));
	f->n = a.npids;
	/* Room for every process the run may follow. */
	if (a.children)
		f->max = a.max_processes > a.npids ? a.max_processes :
			 a.npids;
	f->children = a.children;
	/* Its argument, a copy of the names, is set by push_run. */
	if (a.nnames)
		f->rescan = rescan_names;
	p->pid = f->pids[0];
	return 0;
}

int
push_run(struct push_opts *o)
{
	struct push_config c;
	struct plan_ref *plan;
	struct uploader u;
	struct tracer_arg ta = { o };
	pthread_t tracer, uploader;
	pthread_condattr_t ca;
	struct sampler_procs follow;
	struct pp_err err;
	char *app, desc[1024];
	uint64_t start = now_ns(), last_status = 0;
	bool tty, quiet, hurry_sent = false;
	int rc, status = EXIT_COMPLETE;

	if (push_load(o, &c, &err) < 0) {
		error_msg_err(&err);
		return EXIT_USAGE;
	}
	app = default_app(o, &c.who);
	plan = xcalloc(1, sizeof(*plan));
	if (push_config_resolve(&c, app, &plan->p, &err) < 0) {
		if (o->config_path && !strstr(err.text, o->config_path))
			error_msg("%s: %s", o->config_path, err.text);
		else
			error_msg_err(&err);
		push_config_free(&c);
		free(plan);
		free(app);
		return EXIT_USAGE;
	}
	push_config_free(&c);
	memset(&follow, 0, sizeof(follow));
	rc = check_processes(o, &plan->p);
	if (rc == 0)
		rc = resolve_processes(o, &plan->p, &follow);
	if (rc != 0) {
		free(follow.pids);
		push_plan_free(&plan->p);
		free(plan);
		free(app);
		return rc;
	}
	/* What is wrong with the settings is said whatever the target. */
	msg_set_verbose(plan->p.verbose);
	register_secrets(&plan->p);
	warn_rate(&plan->p);
	warn_cleartext(&plan->p);
	/* Before the banner: a process that cannot be profiled. */
	if (plan->p.pid && procfs_check_target(plan->p.pid, &err) < 0) {
		error_msg_err(&err);
		free(follow.pids);
		push_plan_free(&plan->p);
		free(plan);
		free(app);
		return EXIT_FATAL;
	}
	plan->refs = 1;
	if ((plan->p.spool_dir &&
	     spool_dir_prepare(plan->p.spool_dir, &err) < 0) ||
	    http_global_init(&err) < 0) {
		error_msg_err(&err);
		free(follow.pids);
		plan_put(plan);
		free(app);
		return EXIT_FATAL;
	}
	quiet = plan->p.quiet;
	tty = !quiet && isatty(STDERR_FILENO);
	describe_plan(&plan->p, desc, sizeof(desc));
	if (!quiet)
		info_msg("pushing: %s", desc);

	memset(&st, 0, sizeof(st));
	pthread_mutex_init(&st.lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&st.cond, &ca);
	pthread_condattr_destroy(&ca);
	st.plan = plan;
	st.follow = follow;
	/* The names to look for again: the plan goes at a reload. */
	push_pid_args_copy(&st.who, &plan->p.who);
	st.follow.arg = &st.who;
	st.res = xcalloc(follow.max + 1, sizeof(*st.res));
	st.several = follow.n > 1 || follow.rescan || follow.children;
	if (st.several)
		procsyms_init(&st.syms, follow.max);
	push_stop = 0;
	stop_count = 0;
	reload_requested = 0;
	install_signals();

	memset(&u, 0, sizeof(u));
	u.spool_dir = plan->p.spool_dir ? xstrdup(plan->p.spool_dir) : NULL;
	u.rng = now_ns() ^ ((uint64_t) getpid() << 32) ^ 0x9e3779b97f4a7c15ull;
	u.rng |= 1;
	/* One reference for u.plan, which adopt_plan takes over. */
	plan->refs++;
	adopt_plan(&u, plan);
	rc = pthread_create(&uploader, NULL, uploader_thread, &u);
	if (rc == 0) {
		rc = pthread_create(&tracer, NULL, tracer_thread, &ta);
		if (rc != 0) {
			pthread_mutex_lock(&st.lock);
			st.tracer_done = true;
			pthread_cond_broadcast(&st.cond);
			pthread_mutex_unlock(&st.lock);
			pthread_join(uploader, NULL);
		}
	}
	if (rc != 0) {
		error_msg("cannot start a thread: %s", strerror(rc));
		uploader_free(&u);
		http_global_cleanup();
		free(app);
		return EXIT_FATAL;
	}

	for (;;) {
		struct timespec ts = { 0, 100000000 };
		bool tdone, udone;

		nanosleep(&ts, NULL);
		pthread_mutex_lock(&st.lock);
		tdone = st.tracer_done;
		udone = st.uploader_done;
		pthread_mutex_unlock(&st.lock);
		if (stop_count >= 2 && !hurry_sent) {
			pthread_mutex_lock(&st.lock);
			st.hurry = true;
			pthread_cond_broadcast(&st.cond);
			pthread_mutex_unlock(&st.lock);
			hurry_sent = true;
		}
		if (reload_requested && !tdone) {
			struct plan_ref *cur = plan_get();

			reload_requested = 0;
			if (tty)
				status_clear();
			reload(o, app, &cur->p);
			plan_put(cur);
		}
		if (udone)
			break;
		if (tty && !msg_verbose() &&
		    now_ns() - last_status >= 1000000000ull) {
			status_line();
			last_status = now_ns();
		}
	}
	pthread_join(tracer, NULL);
	pthread_join(uploader, NULL);
	if (tty)
		status_clear();
	/* The uploader named the frames of several by these till now. */
	if (st.several)
		procsyms_free(&st.syms);
	for (size_t i = 0; i < st.follow.n; i++)
		sampler_result_free(&st.res[i]);
	free(st.res);
	free(st.follow.pids);
	push_pid_args_free(&st.who);

	if (st.attach_failed) {
		error_msg_err(&st.tracer_err);
		status = EXIT_FATAL;
	} else {
		if (!quiet)
			summary(start);
		if (st.spawned && st.target_exited) {
			int s = st.exit_status;

			if (WIFEXITED(s))
				info_msg("command exited with status %d",
					 WEXITSTATUS(s));
			else if (WIFSIGNALED(s))
				info_msg("command was killed by signal %d (%s)",
					 WTERMSIG(s), strsignal(WTERMSIG(s)));
		}
		if (st.refused || st.dropped_full || st.windows_dropped ||
		    st.lost)
			status = EXIT_PARTIAL;
	}
	uploader_free(&u);
	plan_put(st.plan);
	while (st.qhead) {
		struct window *w = st.qhead;

		st.qhead = w->next;
		window_free(w);
	}
	http_global_cleanup();
	msg_clear_secrets();
	free(app);
	return status;
}
