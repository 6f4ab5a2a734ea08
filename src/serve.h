/*
 * pidprof serve: stay attached to a process and answer the pprof HTTP
 * endpoints of Go's net/http/pprof for it (cpu and wall profiles of N
 * seconds, memory, threads), plus a status and metrics of its own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_SERVE_H
# define PIDPROF_SERVE_H

# include "httpd.h"
# include "pidsel.h"
# include "sampler.h"

/* seconds= of a profile request: the default and the bounds. */
# define SERVE_SECONDS_DEFAULT	30
# define SERVE_SECONDS_MAX	300
/* Profile requests waiting or running at once; more get 503. */
# define SERVE_MAX_PROFILES	16
/* A profile request waits this long at most for its turn (requests of
 * the other mode running), then gets 503 with a Retry-After. */
# define SERVE_QUEUE_WAIT_S	10
/* How often a waiting or running request looks whether its client is
 * still there (a client gone cancels it). */
# define SERVE_CLIENT_CHECK_MS	200

# define SERVE_LISTEN_DEFAULT	"127.0.0.1:6060"

/* Exit status when the target exited (or called execve) while served. */
# define EXIT_TARGET_ENDED	3

struct serve_opts {
	/* The processes, resolved by serve_run; pid is the first. */
	struct pid_args who;
	pid_t pid;
	int rate_hz;
	enum sampler_kind sampler;
	const struct unwinder_ops *unwinder;
	size_t stack_size;
	bool no_idle;		/* wall: leave out threads asleep */
	const char *listen;	/* as given, for messages */
	struct httpd_opts http;
	const char *token_file;	/* else PIDPROF_SERVE_TOKEN, else none */
	bool public_status;
	bool insecure;		/* a remote address without TLS and auth */
	bool quiet;
};

/* Returns an exit status: EXIT_COMPLETE after a stop signal,
 * EXIT_TARGET_ENDED, EXIT_FATAL or EXIT_USAGE. */
int serve_run(struct serve_opts *o);

#endif /* !PIDPROF_SERVE_H */
