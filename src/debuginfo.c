/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "debuginfo.h"
#include "msg.h"
#include "units.h"
#include "xmalloc.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * libdebuginfod is opened at run time, as libdw does: the program runs
 * without it, and a missing library is one warning when asked for.
 * These are the four calls of debuginfod_find_debuginfo(3).
 */
typedef struct debuginfod_client debuginfod_client;
typedef int (*dbgd_progressfn)(debuginfod_client *c, long a, long b);

static struct {
	debuginfod_client *(*begin)(void);
	int (*find_debuginfo)(debuginfod_client *c, const unsigned char *id,
			      int id_len, char **path);
	void (*set_progressfn)(debuginfod_client *c, dbgd_progressfn fn);
	void (*end)(debuginfod_client *c);
} dbgd;

/* A debug file debuginfod gave, by the build-id it belongs to. */
struct fetched {
	unsigned char id[64];
	int id_len;
	char *path;
};

enum dbgd_mode { DBGD_ENV, DBGD_ON, DBGD_OFF };

static struct {
	char **dirs;
	size_t ndirs, dirs_cap;
	enum dbgd_mode mode;
	char *urls;		/* space-separated; NULL: debuginfod off */
	uint64_t timeout_ns, budget_ns;
	bool given_up;		/* a fetch failed: ask no more */
	bool quiet;
	uint64_t spent_ns;
	struct fetched *got;
	size_t ngot, got_cap;
} di = {
	.timeout_ns = DEBUGINFOD_TIMEOUT_DEFAULT_NS,
	.budget_ns = DEBUGINFOD_BUDGET_DEFAULT_NS,
};

/* The search path handed to libdwfl (Dwfl_Callbacks.debuginfo_path):
 * the module's own directory, its .debug, our directories, then the
 * system's.  NULL until debuginfo_setup(): libdwfl's default. */
static char *search_path;

int
debuginfo_add_dir(const char *dir, struct pp_err *err)
{
	char *abs;
	struct stat st;

	if (strchr(dir, ':'))
		return pp_err_set(err, EINVAL, "'%s': a directory name with ':' cannot be searched",
				  dir);
	abs = realpath(dir, NULL);
	if (!abs)
		return pp_err_set(err, errno, "'%s': %s", dir, strerror(errno));
	if (stat(abs, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(abs);
		return pp_err_set(err, ENOTDIR, "'%s': not a directory", dir);
	}
	di.dirs = xgrow(di.dirs, &di.dirs_cap, di.ndirs + 1,
			sizeof(*di.dirs));
	di.dirs[di.ndirs++] = abs;
	return 0;
}

int
debuginfo_use_debuginfod(const char *urls, struct pp_err *err)
{
	char *p;

	if (!urls) {
		urls = getenv("DEBUGINFOD_URLS");
		if (!urls || !urls[strspn(urls, " ")])
			return pp_err_set(err, EINVAL, "no server: give --debuginfod=URLS or set DEBUGINFOD_URLS");
	}
	if (!urls[strspn(urls, " ,")])
		return pp_err_set(err, EINVAL, "no server in '%s'", urls);
	free(di.urls);
	di.urls = xstrdup(urls);
	/* Commas are easier to type; libdebuginfod splits at spaces. */
	for (p = di.urls; *p; p++)
		if (*p == ',')
			*p = ' ';
	di.mode = DBGD_ON;
	return 0;
}

void
debuginfo_no_debuginfod(void)
{
	free(di.urls);
	di.urls = NULL;
	di.mode = DBGD_OFF;
}

void
debuginfo_set_timeout(uint64_t per_file_ns, uint64_t budget_ns)
{
	if (per_file_ns)
		di.timeout_ns = per_file_ns;
	if (budget_ns)
		di.budget_ns = budget_ns;
}

void
debuginfo_quiet(void)
{
	di.quiet = true;
}

void
debuginfo_setup(void)
{
	const char *env = getenv("PIDPROF_DEBUG_DIR");
	const char *urls = getenv("DEBUGINFOD_URLS");
	struct pp_err err;
	size_t size, len, i;

	while (env && *env) {
		size_t n = strcspn(env, ":");
		char *dir = xstrndup(env, n);

		if (n && debuginfo_add_dir(dir, &err) < 0)
			warning_msg("PIDPROF_DEBUG_DIR: %s: not searched",
				    err.text);
		free(dir);
		env += n + (env[n] == ':');
	}
	if (di.mode == DBGD_ENV && urls && urls[strspn(urls, " ")])
		di.urls = xstrdup(urls);
	/* libdw would ask the servers itself, synchronously, for as long
	 * as they take: only debuginfo_fetch() asks. */
	unsetenv("DEBUGINFOD_URLS");

	/* The module's own directory, its .debug, ours, the system's. */
	size = sizeof(":.debug:/usr/lib/debug");
	for (i = 0; i < di.ndirs; i++)
		size += strlen(di.dirs[i]) + 1;
	free(search_path);
	search_path = xmalloc(size);
	len = snprintf(search_path, size, ":.debug");
	for (i = 0; i < di.ndirs; i++)
		len += snprintf(search_path + len, size - len, ":%s",
				di.dirs[i]);
	snprintf(search_path + len, size - len, ":/usr/lib/debug");
}

char **
debuginfo_path(void)
{
	return &search_path;
}

/* di.got grows on the tracer thread while another (serve's HTTP side,
 * push's uploader) may look in it. */
static pthread_mutex_t got_lock = PTHREAD_MUTEX_INITIALIZER;

/* With got_lock held, or from the fetching thread (which alone changes
 * di.got). */
static const struct fetched *
fetched_find(const unsigned char *id, int len)
{
	size_t i;

	for (i = 0; i < di.ngot; i++)
		if (di.got[i].id_len == len &&
		    memcmp(di.got[i].id, id, len) == 0)
			return &di.got[i];
	return NULL;
}

int
debuginfo_find(Dwfl_Module *mod, void **userdata, const char *modname,
	       Dwarf_Addr base, const char *file_name,
	       const char *debuglink_file, GElf_Word debuglink_crc,
	       char **debuginfo_file_name)
{
	const unsigned char *bits;
	const struct fetched *f;
	GElf_Addr vaddr;
	char *path = NULL;
	int fd, len;
	size_t n;

	fd = dwfl_standard_find_debuginfo(mod, userdata, modname, base,
					  file_name, debuglink_file,
					  debuglink_crc, debuginfo_file_name);
	pthread_mutex_lock(&got_lock);
	n = di.ngot;
	pthread_mutex_unlock(&got_lock);
	if (fd >= 0 || !n)
		return fd;
	len = dwfl_module_build_id(mod, &bits, &vaddr);
	pthread_mutex_lock(&got_lock);
	f = len > 0 ? fetched_find(bits, len) : NULL;
	if (f)
		path = strdup(f->path);
	pthread_mutex_unlock(&got_lock);
	if (!path)
		return fd;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		*debuginfo_file_name = path;
	else
		free(path);
	return fd;
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A module to ask for. */
struct want {
	const char *name;	/* basename, for messages */
	unsigned char id[64];
	int id_len;
};

struct want_list {
	struct want *v;
	size_t n, cap;
};

/* Modules with a build-id and no DWARF, neither their own nor found
 * by the search path. */
static int
want_module(Dwfl_Module *mod, void **userdata, const char *name,
	    Dwarf_Addr start, void *arg)
{
	struct want_list *l = arg;
	const unsigned char *bits;
	const char *slash;
	GElf_Addr vaddr;
	Dwarf_Addr bias;
	size_t i;
	int len;

	if (!name || name[0] != '/' || !dwfl_module_getelf(mod, &bias) ||
	    dwfl_module_getdwarf(mod, &bias))
		return DWARF_CB_OK;
	len = dwfl_module_build_id(mod, &bits, &vaddr);
	if (len <= 0 || len > 64 || fetched_find(bits, len))
		return DWARF_CB_OK;
	for (i = 0; i < l->n; i++)
		if (l->v[i].id_len == len && memcmp(l->v[i].id, bits, len) == 0)
			return DWARF_CB_OK;
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	slash = strrchr(name, '/');
	l->v[l->n].name = slash ? slash + 1 : name;
	memcpy(l->v[l->n].id, bits, len);
	l->v[l->n].id_len = len;
	l->n++;
	return DWARF_CB_OK;
}

static bool
load_libdebuginfod(void)
{
	static int loaded;	/* 0 not tried, 1 loaded, -1 missing */
	void *h;

	if (loaded)
		return loaded > 0;
	loaded = -1;
	h = dlopen("libdebuginfod.so.1", RTLD_LAZY | RTLD_LOCAL);
	if (!h) {
		if (!di.quiet)
			warning_msg("debuginfod: libdebuginfod.so.1 is not installed (Debian: libdebuginfod1): debug info is looked for locally only");
		return false;
	}
	*(void **) &dbgd.begin = dlsym(h, "debuginfod_begin");
	*(void **) &dbgd.find_debuginfo = dlsym(h,
						"debuginfod_find_debuginfo");
	*(void **) &dbgd.set_progressfn = dlsym(h,
						"debuginfod_set_progressfn");
	*(void **) &dbgd.end = dlsym(h, "debuginfod_end");
	if (!dbgd.begin || !dbgd.find_debuginfo || !dbgd.set_progressfn ||
	    !dbgd.end) {
		if (!di.quiet)
			warning_msg("debuginfod: libdebuginfod.so.1 lacks the calls of debuginfod_find_debuginfo(3): debug info is looked for locally only");
		dlclose(h);
		return false;
	}
	loaded = 1;
	return true;
}

/* The download under way, for the progress callback. */
static struct {
	const struct want *w;
	char id_hex[24];
	uint64_t deadline_ns, last_ns;
	bool tty, shown, cancelled;
} cur;

static int
progress(debuginfod_client *c, long got, long size)
{
	uint64_t now = mono_ns();
	char a[32], b[32];

	if (now >= cur.deadline_ns) {
		cur.cancelled = true;
		return 1;
	}
	if (!cur.tty || now - cur.last_ns < 200000000ULL)
		return 0;
	cur.last_ns = now;
	cur.shown = true;
	/* Until a server answers, @got counts calls, not bytes. */
	if (size > 0) {
		units_size((uint64_t) got, a, sizeof(a));
		units_size((uint64_t) size, b, sizeof(b));
		status_msg("fetching debug info for %s (build-id %s): %s of %s",
			   cur.w->name, cur.id_hex, a, b);
	} else {
		status_msg("fetching debug info for %s (build-id %s)",
			   cur.w->name, cur.id_hex);
	}
	return 0;
}

static void
set_env_seconds(const char *name, uint64_t s)
{
	char v[32];

	snprintf(v, sizeof(v), "%llu", (unsigned long long) s);
	setenv(name, v, 1);
}

/* One file: 1 fetched, 0 not on the servers, -1 failed (warned). */
static int
fetch_one(debuginfod_client *c, const struct want *w, uint64_t budget_end,
	  size_t left)
{
	uint64_t start = mono_ns(), end, secs;
	char *path = NULL, t[32], sz[32], more[64];
	struct stat st;
	int i, fd;

	memset(&cur, 0, sizeof(cur));
	cur.w = w;
	for (i = 0; i < w->id_len && i < 10; i++)
		snprintf(cur.id_hex + 2 * i, 3, "%02x", w->id[i]);
	if (w->id_len > 10)
		memcpy(cur.id_hex + 20, "...", 4);
	cur.tty = !di.quiet && isatty(STDERR_FILENO);
	/*
	 * libdebuginfod's DEBUGINFOD_MAXTIME ends a query without marking
	 * the file missing in its cache, but counts whole seconds (it ends
	 * the query up to 2 s late): one less.  Its stall limit
	 * (DEBUGINFOD_TIMEOUT) would retry: it is left a second more.  A
	 * cancel from the progress callback, a second after, is the bound.
	 */
	end = start + di.timeout_ns;
	if (end > budget_end)
		end = budget_end;
	secs = (end - start + 999999999ULL) / 1000000000ULL;
	set_env_seconds("DEBUGINFOD_MAXTIME", secs > 1 ? secs - 1 : 1);
	set_env_seconds("DEBUGINFOD_TIMEOUT", secs + 1);
	cur.deadline_ns = end + 1000000000ULL;
	if (!cur.tty && !di.quiet)
		info_msg("fetching debug info for %s (build-id %s)", w->name,
			 cur.id_hex);
	fd = dbgd.find_debuginfo(c, w->id, w->id_len, &path);
	if (cur.shown)
		status_clear();
	di.spent_ns += mono_ns() - start;
	if (fd >= 0) {
		close(fd);
		pthread_mutex_lock(&got_lock);
		di.got = xgrow(di.got, &di.got_cap, di.ngot + 1,
			       sizeof(*di.got));
		memcpy(di.got[di.ngot].id, w->id, w->id_len);
		di.got[di.ngot].id_len = w->id_len;
		di.got[di.ngot].path = path;
		di.ngot++;
		pthread_mutex_unlock(&got_lock);
		if (stat(path, &st) == 0) {
			units_size((uint64_t) st.st_size, sz, sizeof(sz));
			debug_msg("debuginfod: %s (build-id %s): %s in %s",
				  w->name, cur.id_hex, sz, path);
		}
		return 1;
	}
	free(path);
	if (fd == -ENOENT && !cur.cancelled) {
		debug_msg("debuginfod: no debug info for %s (build-id %s)",
			  w->name, cur.id_hex);
		return 0;
	}
	di.given_up = true;
	if (di.quiet)
		return -1;
	units_duration((double) (end - start), t, sizeof(t));
	if (left)
		snprintf(more, sizeof(more), " (and %zu more files not asked for)",
			 left);
	else
		more[0] = '\0';
	if (cur.cancelled || fd == -ETIME)
		warning_msg("debuginfod: no debug info for %s (build-id %s) within %s%s: its frames are named by module and offset%s",
			    w->name, cur.id_hex, t,
			    end == budget_end ? ", the budget" : "", more);
	else
		warning_msg("debuginfod: cannot fetch debug info for %s (build-id %s): %s: its frames are named by module and offset%s",
			    w->name, cur.id_hex, strerror(-fd), more);
	return -1;
}

bool
debuginfo_fetching(void)
{
	return di.urls && !di.given_up;
}

void
debuginfo_fetch(Dwfl *dwfl)
{
	struct want_list l = { NULL, 0, 0 };
	debuginfod_client *c;
	uint64_t budget_end;
	size_t i;

	if (!debuginfo_fetching())
		return;
	dwfl_getmodules(dwfl, want_module, &l, 0);
	if (!l.n || !load_libdebuginfod()) {
		free(l.v);
		return;
	}
	c = dbgd.begin();
	if (!c) {
		if (!di.quiet)
			warning_msg("debuginfod: cannot start a client: debug info is looked for locally only");
		di.given_up = true;
		free(l.v);
		return;
	}
	dbgd.set_progressfn(c, progress);
	setenv("DEBUGINFOD_URLS", di.urls, 1);
	budget_end = mono_ns() + (di.budget_ns > di.spent_ns ?
				  di.budget_ns - di.spent_ns : 0);
	for (i = 0; i < l.n; i++) {
		char t[32];

		if (mono_ns() >= budget_end) {
			units_duration((double) di.budget_ns, t, sizeof(t));
			if (!di.quiet)
				warning_msg("debuginfod: the budget of %s is spent; %zu files not asked for: their frames are named by module and offset",
					    t, l.n - i);
			di.given_up = true;
			break;
		}
		if (fetch_one(c, &l.v[i], budget_end, l.n - i - 1) < 0)
			break;
	}
	unsetenv("DEBUGINFOD_URLS");
	unsetenv("DEBUGINFOD_MAXTIME");
	unsetenv("DEBUGINFOD_TIMEOUT");
	dbgd.end(c);
	free(l.v);
}
