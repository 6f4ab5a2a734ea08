/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "snapdir.h"
#include "heap.h"
#include "msg.h"
#include "parse.h"
#include "perf-sampler.h"
#include "pidsel.h"
#include "procfs.h"
#include "record.h"
#include "signals.h"
#include "threads.h"
#include "units.h"
#include "xmalloc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* The order a run captures them in: the quick reads first. */
static const enum snapdir_type type_order[] = {
	SNAPDIR_MEMORY, SNAPDIR_THREADS, SNAPDIR_CPU, SNAPDIR_WALL,
};

#define FILE_SUFFIX	".pb.gz"
#define STAMP_LEN	16	/* 20261123T195000Z */
/* Files of a snapshot directory read for retention, at most. */
#define MAX_FILES	100000

const char *
snapdir_type_name(enum snapdir_type t)
{
	switch (t) {
	case SNAPDIR_CPU: return "cpu";
	case SNAPDIR_WALL: return "wall";
	case SNAPDIR_MEMORY: return "memory";
	case SNAPDIR_THREADS: return "threads";
	default: return "?";
	}
}

static enum snapdir_type
type_by_name(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(type_order); i++) {
		const char *n = snapdir_type_name(type_order[i]);

		if (strlen(n) == len && memcmp(n, s, len) == 0)
			return type_order[i];
	}
	return 0;
}

int
snapdir_parse_types(const char *s, unsigned int *types, const char **bad)
{
	unsigned int mask = 0;

	for (;;) {
		size_t len = strcspn(s, ",");
		enum snapdir_type t = type_by_name(s, len);

		if (!t) {
			*bad = s;
			return -1;
		}
		mask |= t;
		if (!s[len])
			break;
		s += len + 1;
	}
	*types = mask;
	return 0;
}

void
snapdir_clean_name(const char *name, char *out, size_t len)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++) {
		unsigned char c = name[i];

		out[i] = isalnum(c) || strchr("._+-", c) ? (char) c : '_';
	}
	out[i] = '\0';
	if (!i)
		snprintf(out, len, "process");
}

void
snapdir_file_name(char *buf, size_t len, const char *name, pid_t pid,
		  time_t stamp, enum snapdir_type type)
{
	struct tm tm;
	char when[32];

	gmtime_r(&stamp, &tm);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, len, "%s-%d-%s-%s" FILE_SUFFIX, name, (int) pid, when,
		 snapdir_type_name(type));
}

/* @n decimal digits at @s, as a number; -1 if one is not a digit. */
static long
digits(const char *s, size_t n)
{
	long v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* YYYY MM DD HH MM SS from the digits at the offsets @at (6 of them). */
static time_t
stamp_from(const char *s, const size_t *at)
{
	static const size_t len[6] = { 4, 2, 2, 2, 2, 2 };
	static const long lo[6] = { 1970, 1, 1, 0, 0, 0 };
	static const long hi[6] = { 9999, 12, 31, 23, 59, 60 };
	long v[6];
	struct tm tm;
	size_t i;

	for (i = 0; i < 6; i++) {
		v[i] = digits(s + at[i], len[i]);
		if (v[i] < lo[i] || v[i] > hi[i])
			return -1;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	return timegm(&tm);
}

bool
snapdir_parse_file(const char *file, struct snapdir_file *out)
{
	static const size_t at[6] = { 0, 4, 6, 9, 11, 13 };
	size_t len = strlen(file), sl = strlen(FILE_SUFFIX);
	const char *type, *stamp, *pid, *end;
	long p;

	memset(out, 0, sizeof(*out));
	if (len >= sizeof(out->file) || len <= sl ||
	    strcmp(file + len - sl, FILE_SUFFIX) != 0)
		return false;
	end = file + len - sl;
	/* From the right: NAME may hold dashes itself. */
	for (type = end; type > file && type[-1] != '-'; type--)
		;
	out->type = type_by_name(type, end - type);
	if (!out->type || type - file < STAMP_LEN + 2)
		return false;
	stamp = type - 1 - STAMP_LEN;
	if (stamp[-1] != '-' || stamp[8] != 'T' || stamp[15] != 'Z')
		return false;
	out->stamp = stamp_from(stamp, at);
	if (out->stamp == (time_t) -1)
		return false;
	for (pid = stamp - 1; pid > file && pid[-1] != '-'; pid--)
		;
	if (pid == file || pid == stamp - 1 || stamp - 1 - pid > 9)
		return false;
	p = digits(pid, stamp - 1 - pid);
	if (p < 1)
		return false;
	out->pid = (pid_t) p;
	memcpy(out->name, file, pid - 1 - file);
	out->name[pid - 1 - file] = '\0';
	if (!out->name[0])
		return false;
	memcpy(out->file, file, len + 1);
	return true;
}

/* Retention's order: this run's set first, then newest first. */
static pid_t sort_pid;
static time_t sort_stamp;

static int
cmp_files(const void *a, const void *b)
{
	const struct snapdir_file *x = a, *y = b;
	bool cx = x->pid == sort_pid && x->stamp == sort_stamp;
	bool cy = y->pid == sort_pid && y->stamp == sort_stamp;

	if (cx != cy)
		return cx ? -1 : 1;
	if (x->stamp != y->stamp)
		return x->stamp > y->stamp ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid > y->pid ? -1 : 1;
	return strcmp(x->file, y->file);
}

size_t
snapdir_retention(struct snapdir_file *v, size_t n, long keep, time_t oldest,
		  pid_t pid, time_t stamp)
{
	size_t i, set = 0, marked = 0;

	sort_pid = pid;
	sort_stamp = stamp;
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_files);
	for (i = 0; i < n; i++) {
		bool current = v[i].pid == pid && v[i].stamp == stamp;

		if (i && (v[i].pid != v[i - 1].pid ||
			  v[i].stamp != v[i - 1].stamp))
			set++;
		v[i].remove = !current &&
			      ((keep > 0 && set >= (size_t) keep) ||
			       (oldest && v[i].stamp < oldest));
		if (v[i].remove)
			marked++;
	}
	return marked;
}

time_t
snapdir_row_time(const char *row)
{
	static const size_t at[6] = { 0, 5, 8, 11, 14, 17 };

	if (strlen(row) < 20 || row[4] != '-' || row[7] != '-' ||
	    row[10] != 'T' || row[13] != ':' || row[16] != ':' ||
	    row[19] != 'Z')
		return -1;
	return stamp_from(row, at);
}

/* --- Finding the processes ------------------------------------------ */

/* One process that pidprof may profile: 0, or -1 (gone, only its
 * zombie), -2 (a kernel thread, a thread id) with @err.  @from names the
 * pidfile it came from, or NULL. */
static int
check_one(pid_t pid, const char *from, char *comm, size_t len,
	  struct pp_err *err)
{
	char state;
	unsigned long flags;

	if (!pidsel_read_stat(pid, comm, len, &state, &flags))
		return pp_err_set(err, ESRCH, "no process with pid %d%s%s%s",
				  (int) pid, from ? " (from " : "",
				  from ? from : "", from ? ")" : "");
	if (procfs_check_target(pid, err) < 0)
		return err->errnum == ESRCH ? -1 : -2;
	return 0;
}

/*
 * The processes into @pids (*@n of them) and the NAME of the files: --name
 * when it is the only selection, else the first process's name.  Returns
 * -1 when there is no process to profile, -2 when the only one cannot be
 * profiled (a kernel thread).  Of several, one that cannot be profiled
 * is left out with a warning.
 */
static int
find_targets(const struct snapdir_opts *o, pid_t *pids, size_t *n,
	     char *name, size_t len, struct pp_err *err)
{
	struct pidsel ps = {
		.pids = pids, .n = n, .max = RECORD_MAX_PIDS,
		.names = o->who.names, .nnames = o->who.nnames,
		.pidfiles = o->who.pidfiles, .npidfiles = o->who.npidfiles,
		.children = o->who.children,
	};
	const char *from = NULL;
	char comm[64], first[64] = "";
	size_t i, kept = 0;
	int rc = -1;

	memcpy(pids, o->who.pids, o->who.npids * sizeof(*pids));
	*n = o->who.npids;
	if (pidsel_resolve(&ps, err) < 0)
		return -1;
	if (ps.truncated && !o->quiet)
		warning_msg("more than %d processes: the others are left out",
			    RECORD_MAX_PIDS);
	if (o->who.npidfiles == 1 && !o->who.npids && !o->who.nnames)
		from = o->who.pidfiles[0];
	for (i = 0; i < *n; i++) {
		rc = check_one(pids[i], from, comm, sizeof(comm), err);
		if (rc < 0 && *n == 1)
			return rc;
		if (rc < 0) {
			if (!o->quiet)
				warning_msg("%s: left out", err->text);
			continue;
		}
		if (!kept)
			memcpy(first, comm, sizeof(first));
		pids[kept++] = pids[i];
	}
	*n = kept;
	if (!kept)
		return pp_err_set(err, ESRCH,
				  "not one of the %zu processes can be profiled",
				  i);
	snapdir_clean_name(o->who.nnames == 1 && !o->who.npids &&
			   !o->who.npidfiles ? o->who.names[0] : first,
			   name, len);
	return 0;
}

/* --- One run --------------------------------------------------------- */

struct run {
	const struct snapdir_opts *o;
	pid_t pid;		/* the first of pids: the files' PID */
	pid_t pids[RECORD_MAX_PIDS];
	size_t npids;
	unsigned int types;	/* to capture */
	char name[256];
	time_t stamp;
	unsigned int written;	/* types whose file was written */
	unsigned int partial;	/* types written, but with something missing */
	bool tsv_failed, retention_failed;
};

static char *
type_path(const struct run *r, enum snapdir_type t)
{
	char file[512];

	snapdir_file_name(file, sizeof(file), r->name, r->pid, r->stamp, t);
	return xasprintf("%s/%s", r->o->dir, file);
}

static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/*
 * A stamp no set of this NAME and PID has yet: runs closer than a second
 * apart (under the lock, so one after the other) wait for the next one.
 */
static void
choose_stamp(struct run *r)
{
	size_t i;

	for (;;) {
		bool taken = false;
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		r->stamp = now.tv_sec;
		for (i = 0; i < ARRAY_SIZE(type_order) && !taken; i++) {
			char *p = type_path(r, type_order[i]);

			taken = exists(p);
			free(p);
		}
		if (!taken)
			return;
		now.tv_sec = 0;
		now.tv_nsec = 1000000000L - now.tv_nsec + 1000000;
		if (now.tv_nsec >= 1000000000L) {
			now.tv_sec = 1;
			now.tv_nsec -= 1000000000L;
		}
		nanosleep(&now, NULL);
	}
}

static void
snap_memory(struct run *r)
{
	struct output op;
	struct mem_reading m;
	struct pp_err err;
	struct buf out;
	char *tsv;
	int fd;

	if (heap_read(r->pid, &m, &err) < 0) {
		error_msg_err(&err);
		return;
	}
	op.path = type_path(r, SNAPDIR_MEMORY);
	op.format = FORMAT_PPROF;
	op.mode = 0600;
	buf_init(&out);
	if (heap_render(&m, r->pid, op.format, &out, &err) < 0)
		error_msg_err(&err);
	else if (output_deliver(&op, &out, !r->o->verbose) == 0)
		r->written |= SNAPDIR_MEMORY;
	buf_free(&out);
	free((char *) op.path);

	tsv = xasprintf("%s/" SNAPDIR_TSV, r->o->dir);
	fd = mem_tsv_open(tsv, 0600, true, &err);
	if (fd < 0 || mem_tsv_append(fd, &m, r->pid, &err) < 0) {
		error_msg_err(&err);
		r->tsv_failed = true;
	}
	if (fd >= 0)
		close(fd);
	free(tsv);
	mem_reading_free(&m);
}

static void
snap_threads(struct run *r)
{
	struct threads_opts to;
	char *path = type_path(r, SNAPDIR_THREADS);
	int rc;

	memset(&to, 0, sizeof(to));
	to.who.pids[0] = r->pid;
	to.who.npids = 1;
	to.outputs[0].path = path;
	to.outputs[0].format = FORMAT_PPROF;
	to.outputs[0].mode = 0600;
	to.noutputs = 1;
	to.unwinder = r->o->unwinder;
	to.stack_size = r->o->stack_size;
	to.quiet = !r->o->verbose;
	rc = threads_run(&to);
	/* threads says 1 both for an incomplete stack and a failed write. */
	if (rc != EXIT_FATAL && exists(path)) {
		r->written |= SNAPDIR_THREADS;
		if (rc != EXIT_COMPLETE)
			r->partial |= SNAPDIR_THREADS;
	}
	free(path);
}

/*
 * cpu or wall of several processes: record's profile of several (one
 * tracer thread, each sample labelled with its pid and process name).
 * A process that cannot be attached is left out; one that exits keeps
 * its samples.  An idle window is no failure, as for one process.
 */
/* The sampler of profile @t (cpu or wall) of @r. */
static void
snap_sampler_opts(const struct run *r, enum snapdir_type t,
		  struct sampler_opts *so)
{
	so->mode = t == SNAPDIR_CPU ? MODE_CPU : MODE_WALL;
	so->rate_hz = 100;
	so->duration_ns = r->o->duration_ns;
	so->stack_size = r->o->stack_size;
	so->unwinder = r->o->unwinder;
	so->no_idle = t == SNAPDIR_WALL && r->o->no_idle;
	so->sampler = r->o->sampler;
	/* For cron: which sampler, only when asked to say what it does. */
	so->quiet = !r->o->verbose;
}

static void
snap_profile_many(struct run *r, enum snapdir_type t)
{
	struct record_opts *ro = xcalloc(1, sizeof(*ro));
	struct sampler_opts *so = &ro->sampler;
	char *path = type_path(r, t);
	int rc;

	memcpy(ro->who.pids, r->pids, r->npids * sizeof(*ro->who.pids));
	ro->who.npids = r->npids;
	snap_sampler_opts(r, t, so);
	ro->outputs[0].path = path;
	ro->outputs[0].format = FORMAT_PPROF;
	ro->outputs[0].mode = 0600;
	ro->noutputs = 1;
	ro->quiet = !r->o->verbose;
	ro->idle_note = t == SNAPDIR_CPU ?
		"idle: the processes used no CPU in the window" :
		"idle: every thread was asleep in the window, and --no-idle left them out";
	rc = record_run(ro);
	if (exists(path)) {
		r->written |= t;
		if (rc != EXIT_COMPLETE)
			r->partial |= t;
	}
	free(path);
	free(ro);
}

static void
snap_profile(struct run *r, enum snapdir_type t)
{
	struct record_opts ro;
	struct sampler_opts *so = &ro.sampler;
	struct sampler_result res;

	memset(&ro, 0, sizeof(ro));
	so->pid = r->pid;
	snap_sampler_opts(r, t, so);
	ro.outputs[0].path = type_path(r, t);
	ro.outputs[0].format = FORMAT_PPROF;
	ro.outputs[0].mode = 0600;
	ro.noutputs = 1;
	ro.quiet = !r->o->verbose;
	if (record_sample(&ro, &res) == 0) {
		/*
		 * A process that used no CPU in the window is idle, not
		 * missing: its cpu profile holds no sample, and says why.
		 * So is its wall profile when --no-idle left every sample
		 * out.
		 */
		bool idle = (t == SNAPDIR_CPU || res.stats.idle) &&
			    !record_samples(&res) && !res.target_exited;

		if (idle)
			ro.note = t == SNAPDIR_CPU ?
				"idle: the process used no CPU in the window" :
				"idle: every thread was asleep in the window, and --no-idle left them out";
		if (record_write(&ro, &res) == 1) {
			r->written |= t;
			if ((!record_samples(&res) && !idle) ||
			    res.target_exited)
				r->partial |= t;
		}
		if (!idle && !record_samples(&res) && !r->o->quiet)
			warning_msg("%s: no samples: %s", snapdir_type_name(t),
				    t == SNAPDIR_CPU ?
				    "the process used no CPU in the window" :
				    "the process ended before the first tick");
		else if (res.target_exited && !r->o->quiet)
			warning_msg("%s: the process exited in the window",
				    snapdir_type_name(t));
		sampler_result_free(&res);
	}
	free((char *) ro.outputs[0].path);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Drops the rows of memory.tsv older than @oldest. */
static void
prune_tsv(struct run *r, time_t oldest)
{
	char *path = xasprintf("%s/" SNAPDIR_TSV, r->o->dir), *text, *line;
	struct pp_err err;
	struct buf keep;
	size_t len, dropped = 0;

	if (procfs_read_file(path, &text, &len, &err) < 0) {
		if (err.errnum != ENOENT) {
			error_msg_err(&err);
			r->retention_failed = true;
		}
		free(path);
		return;
	}
	buf_init(&keep);
	for (line = text; *line;) {
		size_t n = strcspn(line, "\n");
		time_t t = snapdir_row_time(line);

		if (t != (time_t) -1 && t < oldest)
			dropped++;
		else
			buf_append(&keep, line, n + (line[n] == '\n'));
		line += n + (line[n] == '\n');
	}
	if (dropped && output_write_file(path, keep.data, keep.len, 0600,
					 &err) < 0) {
		error_msg_err(&err);
		r->retention_failed = true;
	} else if (dropped && r->o->verbose) {
		char age[UNITS_LEN];

		units_duration(r->o->max_age_s * 1e9, age, sizeof(age));
		info_msg("removed %zu rows older than %s from %s", dropped,
			 age, path);
	}
	buf_free(&keep);
	free(text);
	free(path);
}

static void
retention(struct run *r)
{
	struct snapdir_file *v = NULL;
	size_t n = 0, cap = 0, i, removed = 0;
	time_t oldest = 0;
	struct dirent *de;
	char **sets = NULL;
	DIR *d;

	if (r->o->max_age_s)
		oldest = r->stamp - (time_t) r->o->max_age_s;
	d = opendir(r->o->dir);
	if (!d) {
		error_msg("cannot read %s: %s", r->o->dir, strerror(errno));
		r->retention_failed = true;
		return;
	}
	while ((de = readdir(d)) != NULL && n < MAX_FILES) {
		v = xgrow(v, &cap, n + 1, sizeof(*v));
		if (snapdir_parse_file(de->d_name, &v[n]) &&
		    strcmp(v[n].name, r->name) == 0)
			n++;
	}
	if (snapdir_retention(v, n, r->o->keep, oldest, r->pid, r->stamp)) {
		size_t nsets = 0;

		sets = xcalloc(n, sizeof(*sets));
		for (i = 0; i < n; i++) {
			if (!v[i].remove)
				continue;
			if (unlinkat(dirfd(d), v[i].file, 0) < 0 &&
			    errno != ENOENT) {
				error_msg("cannot remove %s/%s: %s", r->o->dir,
					  v[i].file, strerror(errno));
				r->retention_failed = true;
				continue;
			}
			removed++;
			sets[nsets++] = xasprintf("%d-%ld", (int) v[i].pid,
						  (long) v[i].stamp);
		}
		if (r->o->verbose && removed) {
			size_t distinct = 0;

			qsort(sets, nsets, sizeof(*sets), cmp_names);
			for (i = 0; i < nsets; i++)
				distinct += !i || strcmp(sets[i],
							 sets[i - 1]) != 0;
			info_msg("removed %zu files of %zu old snapshots of %s",
				 removed, distinct, r->name);
		}
		for (i = 0; i < nsets; i++)
			free(sets[i]);
		free(sets);
	}
	closedir(d);
	free(v);
	if (oldest)
		prune_tsv(r, oldest);
}

/* Takes DIR's lock: 0, -1 (reported) on an error, 1 when it is held. */
static int
lock_dir(const char *dir, int *fd)
{
	char *path = xasprintf("%s/" SNAPDIR_LOCK, dir);

	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (*fd < 0) {
		error_msg("cannot open the lock file %s: %s", path,
			  strerror(errno));
		free(path);
		return -1;
	}
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		close(*fd);
		*fd = -1;
		if (e == EWOULDBLOCK) {
			error_msg("another snapshot is running in %s (it holds %s): this one ends",
				  dir, path);
			free(path);
			return 1;
		}
		error_msg("cannot lock %s: %s", path, strerror(e));
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

static int
make_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (errno == EEXIST)
		errno = ENOTDIR;
	error_msg("cannot create the snapshot directory %s: %s", dir,
		  strerror(errno));
	return -1;
}

int
snapshot_run(const struct snapdir_opts *o)
{
	struct run r;
	struct pp_err err;
	size_t i, n;
	int lock_fd, rc, status;

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.types = o->types;
	/* Nothing is created until the processes are known. */
	rc = find_targets(o, r.pids, &r.npids, r.name, sizeof(r.name), &err);
	if (rc < 0) {
		error_msg_err(&err);
		/* A kernel thread or a thread id: nothing to profile. */
		return rc == -2 ? EXIT_FATAL : SNAPSHOT_EXIT_NO_TARGET;
	}
	r.pid = r.pids[0];
	/*
	 * memory and threads are of one process.  Of several, the default
	 * types are cpu alone; asked for, they are a usage error (a --name
	 * may match one process one day and two the next).
	 */
	if (r.npids > 1 && (r.types & (SNAPDIR_MEMORY | SNAPDIR_THREADS))) {
		if (o->types_given) {
			error_msg("--types memory and threads take one process, and %zu are selected; use --types cpu or wall",
				  r.npids);
			return EXIT_USAGE;
		}
		r.types = SNAPDIR_CPU;
		if (o->verbose)
			info_msg("%zu processes: a cpu profile of them all (memory and threads are of one process)",
				 r.npids);
	}
	if (make_dir(o->dir) < 0)
		return EXIT_FATAL;
	rc = lock_dir(o->dir, &lock_fd);
	if (rc)
		return rc > 0 ? SNAPSHOT_EXIT_LOCKED : EXIT_FATAL;
	for (i = n = 0; i < r.npids; i++) {
		if (procfs_pid_exists(r.pids[i]))
			r.pids[n++] = r.pids[i];
		else if (r.npids > 1 && !o->quiet)
			warning_msg("process %d exited before its snapshot: left out",
				    (int) r.pids[i]);
	}
	if (!n) {
		if (r.npids == 1)
			error_msg("process %d exited before its snapshot",
				  (int) r.pid);
		else
			error_msg("the %zu processes exited before their snapshot",
				  r.npids);
		close(lock_fd);
		return SNAPSHOT_EXIT_NO_TARGET;
	}
	r.npids = n;
	/* --sampler=perf where perf events are refused: nothing is
	 * written, as record writes nothing (the types before cpu would
	 * otherwise make it look like a partial snapshot). */
	if (o->sampler == SAMPLER_PERF &&
	    (r.types & (SNAPDIR_CPU | SNAPDIR_WALL))) {
		struct perf_sampler *ps = perf_sampler_open(r.pid, r.pid, 100,
							    4096, &err);

		if (!ps) {
			error_msg_err(&err);
			close(lock_fd);
			return EXIT_FATAL;
		}
		perf_sampler_close(ps);
	}
	/* SIGINT, SIGTERM, SIGHUP: finish the type under way, skip the
	 * others, and still apply retention and unlock. */
	stop_requested = 0;
	stop_signals_install();
	choose_stamp(&r);
	for (i = 0; i < ARRAY_SIZE(type_order); i++) {
		enum snapdir_type t = type_order[i];

		if (!(r.types & t) || stop_requested)
			continue;
		if (t == SNAPDIR_MEMORY)
			snap_memory(&r);
		else if (t == SNAPDIR_THREADS)
			snap_threads(&r);
		else if (r.npids > 1)
			snap_profile_many(&r, t);
		else
			snap_profile(&r, t);
	}
	if (r.written)
		retention(&r);
	close(lock_fd);

	if (!r.written)
		return EXIT_FATAL;
	status = EXIT_COMPLETE;
	if (r.written != r.types || r.partial || r.tsv_failed ||
	    r.retention_failed)
		status = EXIT_PARTIAL;
	if (status != EXIT_COMPLETE && !o->quiet) {
		char what[128] = "";
		size_t at = 0;

		for (i = 0; i < ARRAY_SIZE(type_order); i++) {
			enum snapdir_type t = type_order[i];
			const char *how = !(r.types & t) ? NULL :
					  !(r.written & t) ? "missing" :
					  (r.partial & t) ? "partial" : NULL;

			if (how)
				at += snprintf(what + at, sizeof(what) - at,
					       "%s%s %s", at ? ", " : "",
					       snapdir_type_name(t), how);
		}
		warning_msg("snapshot of %s (pid %d%s) is incomplete%s%s%s%s",
			    r.name, (int) r.pid,
			    r.npids > 1 ? " and others" : "",
			    at ? ": " : "", what,
			    r.tsv_failed ? "; memory.tsv not updated" : "",
			    r.retention_failed ?
			    "; old snapshots not all removed" : "");
	}
	return status;
}
