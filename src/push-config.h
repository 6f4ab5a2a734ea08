/*
 * The settings of pidprof push: what the command line and the -c file
 * say (the same keys, the long option names), and the plan resolved
 * from them: the sampler's mode and rate, the window, and every sink
 * with its own profile types, tags and credentials.  Pure, but for the
 * credentials, which are read from the environment.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_PUSH_CONFIG_H
# define PIDPROF_PUSH_CONFIG_H

# include "common.h"
# include "conffile.h"
# include "err.h"
# include "pidsel.h"
# include "sampler.h"
# include "sink.h"

/* Profile types, as a bit set. */
enum {
	PUSH_CPU	= 1 << 0,
	PUSH_WALL	= 1 << 1,
	PUSH_MEMORY	= 1 << 2,
	PUSH_THREADS	= 1 << 3,
};
# define PUSH_NTYPES	4

# define PUSH_MAX_SINKS		8
# define PUSH_MAX_HEADERS	16
# define PUSH_DEFAULT_WINDOW_NS	(10 * 1000000000ull)
# define PUSH_MIN_WINDOW_NS	(1000000000ull)
# define PUSH_MAX_WINDOW_NS	(3600 * 1000000000ull)
# define PUSH_DEFAULT_SPOOL_MAX	(256ull * 1024 * 1024)
# define PUSH_DEFAULT_TOKEN_ENV	"PIDPROF_AUTH_TOKEN"
# define PUSH_DEFAULT_PASSWORD_ENV	"PIDPROF_BASIC_PASSWORD"
# define PUSH_DEFAULT_CONNECT_TIMEOUT_NS	(5 * 1000000000ull)
# define PUSH_DEFAULT_TIMEOUT_NS	(15 * 1000000000ull)

/* What a sink inherits from the top level and may override. */
struct push_sink_opts {
	char *app;
	struct push_tag tags[PUSH_MAX_TAGS];
	size_t ntags;
	unsigned types;		/* 0: not given */
	char *token_env;
	char *basic_user;
	char *basic_password_env;
	char *tenant;
	char *headers[PUSH_MAX_HEADERS];
	size_t nheaders;
	uint64_t connect_timeout_ns, timeout_ns;	/* 0: not given */
};

struct push_sink_conf {
	char *name;
	enum sink_kind kind;
	char *url;
	struct push_sink_opts o;
	char *where;		/* "FILE:LINE" of its section, or NULL */
};

struct push_config {
	/* pid (lists, repeatable), name, pidfile, children and
	 * max-processes; names and pidfiles are copies */
	struct pid_args who;
	enum sample_mode mode;
	bool mode_set;
	long rate;		/* as asked: clamped when resolved */
	bool rate_set;
	enum sampler_kind sampler;
	bool no_idle;		/* wall: leave out threads asleep */
	uint64_t window_ns;
	char *spool_dir;
	uint64_t spool_max;
	bool quiet;
	int verbose;
	struct push_sink_opts defaults;
	struct push_sink_conf sinks[PUSH_MAX_SINKS];
	size_t nsinks;
	/* Outside sections, sink settings go to the last sink given by
	 * --pyroscope or --profefe, or to the defaults before any. */
	struct push_sink_conf *current;
};

/* A sink as it is used: every setting resolved, secrets read. */
struct push_sink {
	char *name;
	enum sink_kind kind;
	char *url;		/* without a trailing '/' */
	char *url_shown;	/* a password in it masked */
	char *app;
	struct push_tag tags[PUSH_MAX_TAGS];	/* sorted by key */
	size_t ntags;
	unsigned types;
	char *token;		/* bearer token, or NULL */
	char *basic_user, *basic_password;	/* NULL when unused */
	char *tenant;
	char *headers[PUSH_MAX_HEADERS];
	size_t nheaders;
	uint64_t connect_timeout_ns, timeout_ns;
};

struct push_plan {
	pid_t pid;		/* the first process; 0: from the command */
	struct pid_args who;	/* as configured (copies), at the start only */
	enum sample_mode mode;
	int rate_hz;
	long rate_asked;	/* differs from rate_hz when clamped */
	bool no_idle;		/* wall: leave out threads asleep */
	enum sampler_kind sampler;	/* at the start only */
	uint64_t window_ns;
	char *spool_dir;	/* NULL: memory only */
	uint64_t spool_max;
	bool quiet;
	int verbose;
	unsigned types;		/* of all sinks together */
	struct push_sink sinks[PUSH_MAX_SINKS];
	size_t nsinks;
};

/* @dst: @a with copies of its names and pidfiles (push_plan_free()
 * frees those of a plan). */
void push_pid_args_copy(struct pid_args *dst, const struct pid_args *a);
/* Frees the copies of names and pidfiles of @a (and forgets them). */
void push_pid_args_free(struct pid_args *a);
/* Forgets the processes of @c (pids, names, pidfiles): the command
 * line's replace the file's. */
void push_config_forget_processes(struct push_config *c);
/* Whether two struct pid_args name the same processes alike. */
bool push_pid_args_equal(const struct pid_args *a, const struct pid_args *b);
void push_config_init(struct push_config *c);
void push_config_free(struct push_config *c);
/*
 * Applies one setting: @key is a long option name, @value its argument
 * (NULL for a flag).  @section is NULL on the command line and at the
 * top of a file, else a file's section ("sink NAME").  Errors explain
 * the value; the caller names the option or the file and line.
 */
int push_config_set(struct push_config *c, const char *section,
		    const char *key, const char *value, struct pp_err *err);
/* Applies every entry of a parsed file; errors name its file:line. */
int push_config_apply_file(struct push_config *c, const struct config *f,
			   struct pp_err *err);
/* Checks @c and resolves it into @plan; @default_app names the service
 * when no --app is given.  Secrets are read from the environment. */
int push_config_resolve(const struct push_config *c, const char *default_app,
			struct push_plan *plan, struct pp_err *err);
void push_plan_free(struct push_plan *p);

/* "cpu", "wall", "memory", "threads", for one bit. */
const char *push_type_name(unsigned type);
/* "cpu,memory" */
void push_types_format(unsigned types, char *buf, size_t len);
int push_types_parse(const char *s, unsigned *out, struct pp_err *err);

#endif /* !PIDPROF_PUSH_CONFIG_H */
