/*
 * HTTP POST through libcurl: the only user of libcurl.  One easy handle
 * per request; connect and total timeouts; no signals (the uploader is
 * one thread among others); no redirects followed (credentials would go
 * along); http and https only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_HTTP_H
# define PIDPROF_HTTP_H

# include "buf.h"
# include "common.h"
# include "err.h"

/* The part of a reply's body that is kept. */
# define HTTP_REPLY_MAX	(64 * 1024)

struct http_request {
	const char *url;
	const char *const *headers;	/* "Name: value" */
	size_t nheaders;
	const char *user, *password;	/* basic authentication, or NULL */
	const void *body;
	size_t len;
	uint64_t connect_timeout_ns, timeout_ns;
};

struct http_reply {
	long status;
	struct buf body;	/* at most HTTP_REPLY_MAX bytes */
	uint64_t elapsed_ns;
};

/* Once, before any thread starts. */
int http_global_init(struct pp_err *err);
void http_global_cleanup(void);
/* 0 with @rp->status set when a reply came (whatever its status), -1
 * when none did (@err says why).  @rp->body must be freed. */
int http_post(const struct http_request *rq, struct http_reply *rp,
	      struct pp_err *err);
/* "curl 7.88.1" */
const char *http_version(void);

#endif /* !PIDPROF_HTTP_H */
