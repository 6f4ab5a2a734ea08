/*
 * The HTTP server of pidprof serve: the only user of libmicrohttpd and
 * GnuTLS.  It listens (TCP or a unix socket), speaks TLS with an optional
 * client certificate check, requires the bearer token, bounds the
 * connections, their idle time and the time a request head may take,
 * and hands each request that passes to a handler that knows nothing of
 * HTTP libraries.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_HTTPD_H
# define PIDPROF_HTTPD_H

# include "buf.h"
# include "err.h"

# include <sys/socket.h>

/* Where to listen: "ADDR:PORT", "[ADDR6]:PORT", "localhost:PORT" or
 * "unix:PATH". */
struct http_listen {
	bool unix_socket;
	char path[108];		/* sun_path of a unix socket */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	bool loopback;		/* 127.0.0.0/8, ::1, or a unix socket */
};

/* Parses a --listen value.  Pure: 0, or -1 with the reason in @why. */
int http_listen_parse(const char *spec, struct http_listen *out,
		      const char **why);

/* A request head (the TLS handshake, the request line and the headers)
 * must be whole this many seconds after the connection opened or its
 * previous answer went out (fewer when --timeout is shorter). */
# define HTTPD_HEAD_TIMEOUT_S	10
/* When every connection is taken, a new one closes the connection whose
 * head has been coming for longest, when that is this long or more,
 * rather than being refused: a client that sends its head at once gets
 * in among clients that dribble theirs. */
# define HTTPD_HEAD_GRACE_MS	250

/* The GnuTLS priorities: TLS 1.2 and 1.3 only, ECDHE key exchange (so
 * forward secrecy), AEAD ciphers only. */
# define HTTPD_TLS_PRIORITIES \
	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:" \
	"-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:" \
	"-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:" \
	"-MAC-ALL:+AEAD"

struct httpd_opts {
	struct http_listen listen;
	const char *tls_cert, *tls_key;	/* PEM files; both or neither */
	const char *client_ca;	/* PEM file: a client certificate it signed
				 * is required (TLS only) */
	const char *token;	/* bearer token required, or NULL */
	const char *public_path;	/* a path served without the token */
	unsigned int max_connections;
	unsigned int timeout_s;	/* a connection idle that long is closed */
};

struct http_request {
	const char *path;	/* without the query */
	void *conn;		/* for http_query() */
};

/* The value of query parameter @key, or NULL. */
const char *http_query(const struct http_request *rq, const char *key);
/* True when the client of @rq has closed its connection (or shut its
 * sending side): nobody will read the answer.  Does not block. */
bool http_client_gone(const struct http_request *rq);

/* Copies @in, a string a client sent, to @out (@size bytes, at least 1)
 * fit for a log line: control characters, DEL, bytes from 0x80 and the
 * backslash become \xHH; cut short (never mid-escape) when @out is full.
 * Pure.  Returns @out. */
char *http_log_escape(const char *in, char *out, size_t size);

struct http_response {
	unsigned int status;
	const char *content_type;
	const char *filename;	/* Content-Disposition: attachment */
	bool pprof_error;	/* X-Go-Pprof: go tool pprof shows the text */
	unsigned int retry_after;	/* seconds, for a 503 (0: 5) */
	bool abandon;		/* the client is gone: close, answer nothing */
	struct buf body;
};

/* Fills @rs (status 200 and an empty body on entry).  Called from many
 * threads at once, one per connection; it may block. */
typedef void http_handler_fn(void *arg, const struct http_request *rq,
			     struct http_response *rs);

/* Counters of the answers the server gave, for the metrics. */
struct httpd_counts {
	uint64_t requests;
	uint64_t unauthorized;	/* 401: no token, or a wrong one */
	uint64_t forbidden;	/* 403: client certificate refused */
	uint64_t client_errors;	/* other 4xx */
	uint64_t server_errors;	/* 5xx */
	uint64_t connections;	/* accepted since the start */
	uint64_t open_connections;
	uint64_t slow_closed;	/* closed: a request head too slow */
};

struct httpd;

/* Binds, then serves in threads of its own.  NULL with @err set when the
 * address, a certificate or a key is unusable. */
struct httpd *httpd_start(const struct httpd_opts *o, http_handler_fn *fn,
			  void *arg, struct pp_err *err);
/* "http://127.0.0.1:6060" or "unix:/run/x.sock", with the port bound. */
const char *httpd_url(const struct httpd *d);
void httpd_counts(struct httpd *d, struct httpd_counts *out);
/* Lets the answers in flight go out (5 s at most), stops, waits for the
 * connections' threads, removes a unix socket it created. */
void httpd_stop(struct httpd *d);
/* "libmicrohttpd 0.9.75, GnuTLS 3.7.9" */
const char *httpd_versions(void);

#endif /* !PIDPROF_HTTPD_H */
