/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "httpd.h"
#include "attach.h"
#include "msg.h"
#include "procfs.h"
#include "units.h"
#include "xmalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* A connection, from its opening to its end, for the head deadline. */
struct hconn {
	struct hconn *prev, *next;
	int fd;
	uint64_t head_start_ns;	/* opened, or its last answer went out */
	bool head_done;		/* a request's head is in: no deadline */
	bool doomed;		/* shut down by us, about to end */
};

struct httpd {
	struct MHD_Daemon *mhd;
	http_handler_fn *fn;
	void *arg;
	int fd;
	bool tls, client_ca;
	char *cert, *key, *ca;	/* PEM text, kept while MHD runs */
	uint8_t token_hash[32];
	bool token;
	const char *public_path;
	char unix_path[108];	/* to remove at the end */
	char url[160];
	struct httpd_counts counts;	/* atomically updated */
	bool closing;		/* answers close their connection */

	/* The connections (conn_lock) and the thread that closes those
	 * whose request head is late. */
	pthread_mutex_t conn_lock;
	pthread_cond_t sweep_cond;
	struct hconn *conns;
	unsigned int max_connections;
	uint64_t head_timeout_ns;
	bool sweeping, sweep_stop;
	pthread_t sweeper;
};

int
http_listen_parse(const char *spec, struct http_listen *out,
		  const char **why)
{
	char host[64];
	const char *colon, *h, *p;
	size_t hlen;
	char *end;
	long port;

	memset(out, 0, sizeof(*out));
	if (strncmp(spec, "unix:", 5) == 0) {
		struct sockaddr_un *un = (struct sockaddr_un *) &out->addr;

		if (!spec[5]) {
			*why = "unix: needs a path";
			return -1;
		}
		if (strlen(spec + 5) >= sizeof(un->sun_path) ||
		    strlen(spec + 5) >= sizeof(out->path)) {
			*why = "the socket path is too long";
			return -1;
		}
		out->unix_socket = true;
		out->loopback = true;
		snprintf(out->path, sizeof(out->path), "%s", spec + 5);
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, out->path, strlen(out->path) + 1);
		out->addrlen = sizeof(*un);
		return 0;
	}
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (!close || close[1] != ':') {
			*why = "expected [IPV6]:PORT";
			return -1;
		}
		h = spec + 1;
		hlen = close - h;
		colon = close + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon || strchr(spec, ':') != colon) {
			*why = "expected ADDR:PORT, [IPV6]:PORT or unix:PATH";
			return -1;
		}
		h = spec;
		hlen = colon - spec;
	}
	if (hlen == 0 || hlen >= sizeof(host)) {
		*why = "expected an address before the port";
		return -1;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	p = colon + 1;
	errno = 0;
	port = strtol(p, &end, 10);
	if (!*p || *end || errno || port < 0 || port > 65535) {
		*why = "the port must be a number from 0 to 65535";
		return -1;
	}
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (spec[0] != '[') {
		struct sockaddr_in *in = (struct sockaddr_in *) &out->addr;

		if (inet_pton(AF_INET, host, &in->sin_addr) != 1) {
			*why = "not a numeric IPv4 address (IPv6 goes in brackets)";
			return -1;
		}
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t) port);
		out->addrlen = sizeof(*in);
		out->loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &out->addr;

		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1) {
			*why = "not a numeric IPv6 address";
			return -1;
		}
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			/* ::ffff:a.b.c.d is IPv4's a.b.c.d: an IPv6 socket
			 * (IPV6_V6ONLY) cannot bind it, an IPv4 one can. */
			struct sockaddr_in *in = (void *) &out->addr;
			struct in_addr a;

			memcpy(&a, &in6->sin6_addr.s6_addr[12], sizeof(a));
			memset(&out->addr, 0, sizeof(out->addr));
			in->sin_family = AF_INET;
			in->sin_addr = a;
			in->sin_port = htons((uint16_t) port);
			out->addrlen = sizeof(*in);
			out->loopback = (ntohl(a.s_addr) >> 24) == 127;
			return 0;
		}
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t) port);
		out->addrlen = sizeof(*in6);
		out->loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	return 0;
}

const char *
httpd_versions(void)
{
	static char v[96];

	snprintf(v, sizeof(v), "libmicrohttpd %s, GnuTLS %s",
		 MHD_get_version(), gnutls_check_version(NULL));
	return v;
}

char *
http_log_escape(const char *in, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (; *in; in++) {
		unsigned char ch = (unsigned char) *in;
		bool plain = ch >= 0x20 && ch < 0x7f && ch != '\\';

		if (o + (plain ? 1 : 4) >= size)
			break;
		if (plain) {
			out[o++] = (char) ch;
			continue;
		}
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[ch >> 4];
		out[o++] = hex[ch & 15];
	}
	out[o] = '\0';
	return out;
}

/* A stale socket (nobody accepts on it) is removed; anything else at the
 * path is left alone and refused. */
static int
clear_unix_path(const struct http_listen *l, struct pp_err *err)
{
	struct stat st;
	int fd, rc;

	if (lstat(l->path, &st) < 0)
		return errno == ENOENT ? 0 :
		       pp_err_set(err, errno, "cannot use %s: %s", l->path,
				  strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return pp_err_set(err, EEXIST,
				  "cannot listen on %s: it exists and is not a socket",
				  l->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return pp_err_set(err, errno, "socket: %s", strerror(errno));
	rc = connect(fd, (const struct sockaddr *) &l->addr, l->addrlen);
	close(fd);
	if (rc == 0)
		return pp_err_set(err, EADDRINUSE,
				  "cannot listen on %s: another server answers there",
				  l->path);
	if (unlink(l->path) < 0)
		return pp_err_set(err, errno, "cannot remove the stale socket %s: %s",
				  l->path, strerror(errno));
	return 0;
}

/* "127.0.0.1:8080", "[::1]:8080" or "unix:PATH", for a message. */
static void
listen_text(const struct http_listen *l, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (l->unix_socket) {
		snprintf(buf, len, "unix:%s", l->path);
	} else if (l->addr.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *) &l->addr;

		inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%d", a, ntohs(in->sin_port));
	} else {
		const struct sockaddr_in6 *in6 = (const void *) &l->addr;

		inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%d", a, ntohs(in6->sin6_port));
	}
}

static int
open_listener(struct httpd *d, const struct http_listen *l,
	      struct pp_err *err)
{
	int fd, one = 1, rc;
	const char *scheme = d->tls ? "https" : "http";

	if (l->unix_socket && clear_unix_path(l, err) < 0)
		return -1;
	fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return pp_err_set(err, errno, "socket: %s", strerror(errno));
	if (l->unix_socket) {
		/* Created 0600: only our user may connect. */
		mode_t old = umask(0177);

		rc = bind(fd, (const struct sockaddr *) &l->addr, l->addrlen);
		umask(old);
		if (rc == 0) {
			snprintf(d->unix_path, sizeof(d->unix_path), "%s",
				 l->path);
			if (chmod(l->path, 0600) < 0)
				rc = -1;
		}
	} else {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (l->addr.ss_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				   sizeof(one));
		rc = bind(fd, (const struct sockaddr *) &l->addr, l->addrlen);
	}
	if (rc < 0 || listen(fd, 64) < 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		int e = errno;
		char where[160];

		listen_text(l, where, sizeof(where));
		pp_err_set(err, e, "cannot listen on %s: %s", where,
			   strerror(e));
		close(fd);
		return -1;
	}
	d->fd = fd;
	if (l->unix_socket) {
		snprintf(d->url, sizeof(d->url), "%s over unix:%s", scheme,
			 l->path);
	} else {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		char a[INET6_ADDRSTRLEN];
		int port = 0;

		if (getsockname(fd, (struct sockaddr *) &ss, &len) < 0)
			ss = l->addr;
		if (ss.ss_family == AF_INET) {
			const struct sockaddr_in *in = (void *) &ss;

			inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
			port = ntohs(in->sin_port);
			snprintf(d->url, sizeof(d->url), "%s://%s:%d", scheme,
				 a, port);
		} else {
			const struct sockaddr_in6 *in6 = (void *) &ss;

			inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
			port = ntohs(in6->sin6_port);
			snprintf(d->url, sizeof(d->url), "%s://[%s]:%d",
				 scheme, a, port);
		}
	}
	return 0;
}

static void
count(uint64_t *c, int64_t by)
{
	__atomic_add_fetch(c, (uint64_t) by, __ATOMIC_RELAXED);
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char text[512], safe[512];
	size_t n;

	vsnprintf(text, sizeof(text), fmt, ap);
	n = strlen(text);
	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		text[--n] = '\0';
	/* Failed handshakes and bad requests of clients: not our errors.
	 * What a client sent may be quoted: escaped. */
	debug_msg("http: %s", http_log_escape(text, safe, sizeof(safe)));
}

/* With conn_lock held: closes @hc's connection (its thread sees the end
 * of the stream and ends it).  MHD closes the descriptor only after it
 * told us the connection is closed, and then @hc is gone: the
 * descriptor is still the connection's here. */
static void
doom(struct httpd *d, struct hconn *hc)
{
	hc->doomed = true;
	if (hc->fd >= 0)
		shutdown(hc->fd, SHUT_RDWR);
	count(&d->counts.slow_closed, 1);
}

/* With conn_lock held: a new connection over the limit closes the
 * connection whose head has been coming for longest, when that is
 * longer than the grace; otherwise the new one is closed at once. */
static void
make_room(struct httpd *d, struct hconn *fresh, uint64_t now)
{
	struct hconn *hc, *victim = NULL;
	unsigned int live = 0;

	for (hc = d->conns; hc; hc = hc->next) {
		if (hc->doomed)
			continue;
		live++;
		if (hc != fresh && !hc->head_done &&
		    now - hc->head_start_ns >=
		    HTTPD_HEAD_GRACE_MS * 1000000ull &&
		    (!victim || hc->head_start_ns < victim->head_start_ns))
			victim = hc;
	}
	if (live <= d->max_connections)
		return;
	if (victim) {
		doom(d, victim);
	} else {
		fresh->doomed = true;
		shutdown(fresh->fd, SHUT_RDWR);
	}
}

static struct hconn *
conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* The head of a request is in (@done), or its answer went out: the
 * deadline of the next head starts. */
static void
head_mark(struct httpd *d, struct MHD_Connection *c, bool done)
{
	struct hconn *hc = conn_of(c);

	if (!hc)
		return;
	pthread_mutex_lock(&d->conn_lock);
	hc->head_done = done;
	if (!done)
		hc->head_start_ns = now_ns();
	pthread_mutex_unlock(&d->conn_lock);
}

static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
	      enum MHD_ConnectionNotificationCode code)
{
	struct httpd *d = cls;
	const union MHD_ConnectionInfo *ci;
	struct hconn *hc;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		hc = *socket_ctx;
		if (hc) {
			pthread_mutex_lock(&d->conn_lock);
			if (hc->prev)
				hc->prev->next = hc->next;
			else
				d->conns = hc->next;
			if (hc->next)
				hc->next->prev = hc->prev;
			pthread_mutex_unlock(&d->conn_lock);
			free(hc);
			*socket_ctx = NULL;
		}
		count(&d->counts.open_connections, -1);
		return;
	}
	count(&d->counts.connections, 1);
	count(&d->counts.open_connections, 1);
	hc = xcalloc(1, sizeof(*hc));
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	hc->fd = ci ? ci->connect_fd : -1;
	hc->head_start_ns = now_ns();
	*socket_ctx = hc;
	pthread_mutex_lock(&d->conn_lock);
	hc->next = d->conns;
	if (d->conns)
		d->conns->prev = hc;
	d->conns = hc;
	make_room(d, hc, hc->head_start_ns);
	pthread_mutex_unlock(&d->conn_lock);
	if (d->client_ca) {
		ci = MHD_get_connection_info(c,
			MHD_CONNECTION_INFO_GNUTLS_SESSION);

		/* libmicrohttpd only asks for a certificate: require one,
		 * so a client without any fails its handshake.  Whether
		 * the CA signed it is checked on each request. */
		if (ci && ci->tls_session)
			gnutls_certificate_server_set_request(
				(gnutls_session_t) ci->tls_session,
				GNUTLS_CERT_REQUIRE);
	}
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **req_ctx,
	     enum MHD_RequestTerminationCode toe)
{
	(void) toe;
	(void) req_ctx;
	head_mark(cls, c, false);
}

/* Closes, four times a second, the connections whose request head is
 * late (the idle timeout of libmicrohttpd misses a client that sends a
 * byte now and then). */
static void *
sweep_main(void *arg)
{
	struct httpd *d = arg;
	struct hconn *hc;

	pthread_mutex_lock(&d->conn_lock);
	while (!d->sweep_stop) {
		struct timespec ts;
		uint64_t now = now_ns();

		for (hc = d->conns; hc; hc = hc->next) {
			if (!hc->doomed && !hc->head_done &&
			    now - hc->head_start_ns >= d->head_timeout_ns)
				doom(d, hc);
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 250000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&d->sweep_cond, &d->conn_lock, &ts);
	}
	pthread_mutex_unlock(&d->conn_lock);
	return NULL;
}

static bool
client_cert_ok(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	gnutls_session_t s;
	unsigned int status = 0, n = 0;

	if (!ci || !ci->tls_session)
		return false;
	/* A certificate with an extended key usage must name clientAuth:
	 * one made for a server does not prove a client (no such
	 * extension: any use). */
	static char client_auth[] = GNUTLS_KP_TLS_WWW_CLIENT;
	gnutls_typed_vdata_st purpose = {
		GNUTLS_DT_KEY_PURPOSE_OID, (unsigned char *) client_auth, 0
	};

	s = (gnutls_session_t) ci->tls_session;
	if (!gnutls_certificate_get_peers(s, &n) || n == 0)
		return false;
	return gnutls_certificate_verify_peers(s, &purpose, 1, &status) == 0 &&
	       status == 0;
}

/* SHA-256 of the token, so the comparison takes the same time whatever
 * the length or the content of what a client sent. */
static bool
hash_token(const char *t, size_t len, uint8_t out[32])
{
	return gnutls_hash_fast(GNUTLS_DIG_SHA256, t, len, out) == 0;
}

static bool
token_ok(struct httpd *d, struct MHD_Connection *c)
{
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		MHD_HTTP_HEADER_AUTHORIZATION);
	uint8_t h[32];
	unsigned int diff = 0;
	size_t i;

	if (!auth || strncasecmp(auth, "Bearer ", 7) != 0)
		return false;
	auth += 7;
	while (*auth == ' ')
		auth++;
	/* A hash that failed proves nothing: refuse, never let through. */
	if (!hash_token(auth, strlen(auth), h))
		return false;
	for (i = 0; i < sizeof(h); i++)
		diff |= h[i] ^ d->token_hash[i];
	return diff == 0;
}

const char *
http_query(const struct http_request *rq, const char *key)
{
	return MHD_lookup_connection_value(rq->conn,
					   MHD_GET_ARGUMENT_KIND, key);
}

bool
http_client_gone(const struct http_request *rq)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(rq->conn,
					MHD_CONNECTION_INFO_CONNECTION_FD);
	struct pollfd p;

	if (!ci)
		return false;
	/* Only the end of the stream counts: more bytes (a pipelined
	 * request, a TLS record) say nothing of the client leaving. */
	p.fd = ci->connect_fd;
	p.events = POLLRDHUP;
	p.revents = 0;
	if (poll(&p, 1, 0) <= 0)
		return false;
	return (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

static enum MHD_Result
send_response(struct httpd *d, struct MHD_Connection *c,
	      struct http_response *rs)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(rs->body.len,
					    rs->body.data ? rs->body.data :
					    (uint8_t *) "",
					    MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				rs->content_type ? rs->content_type :
				"text/plain; charset=utf-8");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (rs->filename && rs->status == 200) {
		char v[128];

		snprintf(v, sizeof(v), "attachment; filename=\"%s\"",
			 rs->filename);
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION,
					v);
	}
	if (rs->pprof_error)
		MHD_add_response_header(r, "X-Go-Pprof", "1");
	if (rs->status == 401)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"pidprof\"");
	if (rs->status == 405)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET");
	if (rs->status == 503) {
		char v[16];

		snprintf(v, sizeof(v), "%u",
			 rs->retry_after ? rs->retry_after : 5);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, v);
	}
	if (__atomic_load_n(&d->closing, __ATOMIC_RELAXED))
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(c, rs->status, r);
	MHD_destroy_response(r);
	if (rs->status == 401)
		count(&d->counts.unauthorized, 1);
	else if (rs->status == 403)
		count(&d->counts.forbidden, 1);
	else if (rs->status >= 500)
		count(&d->counts.server_errors, 1);
	else if (rs->status >= 400)
		count(&d->counts.client_errors, 1);
	return ret;
}

/* Whether the client may be served: 0, or the refusal (401, 403) put
 * in @rs.  Decided on the head alone, before any body is read. */
static unsigned int
authenticate(struct httpd *d, struct MHD_Connection *c, const char *url,
	     struct http_response *rs)
{
	/* Authentication comes first and says nothing of the rest. */
	if (d->client_ca && !client_cert_ok(c)) {
		rs->status = 403;
		buf_printf(&rs->body, "forbidden\n");
	} else if (d->token && !(d->public_path &&
				 strcmp(url, d->public_path) == 0) &&
		   !token_ok(d, c)) {
		rs->status = 401;
		buf_printf(&rs->body, "unauthorized\n");
	} else {
		return 0;
	}
	return rs->status;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
	   const char *method, const char *version, const char *upload,
	   size_t *upload_size, void **req_ctx)
{
	static int started;
	struct httpd *d = cls;
	struct http_response rs;
	struct http_request rq;
	enum MHD_Result ret;
	char safe_method[32], safe_url[512];
	bool first = !*req_ctx;
	uint64_t t0;

	if (first) {
		/* The head is in: no more deadline for it. */
		*req_ctx = &started;
		head_mark(d, c, true);
	} else if (*upload_size) {
		*upload_size = 0;	/* a body is read and ignored */
		return MHD_YES;
	}
	t0 = now_ns();
	memset(&rs, 0, sizeof(rs));
	buf_init(&rs.body);
	rs.status = 200;
	if (first) {
		/* The head decides: a refused client sends no body to us. */
		if (!authenticate(d, c, url, &rs)) {
			buf_free(&rs.body);
			return MHD_YES;	/* answer once the request is whole */
		}
		count(&d->counts.requests, 1);
	} else {
		count(&d->counts.requests, 1);
		if (strcmp(method, MHD_HTTP_METHOD_GET) != 0) {
			rs.status = 405;
			buf_printf(&rs.body, "only GET is served\n");
		} else {
			rq.path = url;
			rq.conn = c;
			d->fn(d->arg, &rq, &rs);
		}
	}
	/* The path only: a query never holds a secret, but keep the log
	 * short; headers (the token) are never logged.  Both come from the
	 * client: escaped, so that they cannot forge a line. */
	if (msg_verbose() >= 2) {
		char size[UNITS_LEN], took[UNITS_LEN];

		http_log_escape(method, safe_method, sizeof(safe_method));
		http_log_escape(url, safe_url, sizeof(safe_url));
		units_duration(now_ns() - t0, took, sizeof(took));
		if (rs.abandon) {
			debug_msg("%s %s: the client left after %s: cancelled",
				  safe_method, safe_url, took);
		} else {
			units_size(rs.body.len, size, sizeof(size));
			debug_msg("%s %s: %u, %s in %s", safe_method, safe_url,
				  rs.status, size, took);
		}
	}
	if (rs.abandon) {
		buf_free(&rs.body);
		return MHD_NO;	/* closes the connection */
	}
	ret = send_response(d, c, &rs);
	buf_free(&rs.body);
	return ret;
}

static char *
read_pem(const char *what, const char *path, struct pp_err *err)
{
	char *text;
	size_t len;

	if (procfs_read_file(path, &text, &len, err) < 0) {
		pp_err_set(err, err->errnum, "cannot read the %s %s: %s", what,
			   path, strerror(err->errnum ? err->errnum : EIO));
		return NULL;
	}
	if (!strstr(text, "-----BEGIN ")) {
		pp_err_set(err, EINVAL, "the %s %s is not PEM text", what,
			   path);
		free(text);
		return NULL;
	}
	return text;
}

/* The certificates in PEM @text, or -1 when none can be read. */
static int
pem_certs(const char *text, gnutls_x509_crt_t **list)
{
	gnutls_datum_t dt = { (unsigned char *) (uintptr_t) text,
			      (unsigned int) strlen(text) };
	unsigned int n = 0;

	if (gnutls_x509_crt_list_import2(list, &n, &dt, GNUTLS_X509_FMT_PEM,
					 0) < 0 || n == 0)
		return -1;
	return (int) n;
}

static void
free_certs(gnutls_x509_crt_t *list, int n)
{
	int i;

	for (i = 0; i < n; i++)
		gnutls_x509_crt_deinit(list[i]);
	gnutls_free(list);
}

/* A server certificate out of its validity is served (the clock may be
 * the one that is wrong), with a warning: clients will refuse it. */
static void
check_validity(const char *path, const char *text)
{
	gnutls_x509_crt_t *list;
	char when[32];
	time_t t, now = time(NULL);
	struct tm tm;
	int n = pem_certs(text, &list);

	if (n < 0)
		return;		/* libmicrohttpd says what is wrong */
	t = gnutls_x509_crt_get_expiration_time(list[0]);
	if (t != (time_t) -1 && t < now) {
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC",
			 gmtime_r(&t, &tm));
		warning_msg("the certificate %s expired on %s: clients will refuse it",
			    path, when);
	}
	t = gnutls_x509_crt_get_activation_time(list[0]);
	if (t != (time_t) -1 && t > now) {
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC",
			 gmtime_r(&t, &tm));
		warning_msg("the certificate %s is not valid before %s: clients will refuse it",
			    path, when);
	}
	free_certs(list, n);
}

static void
httpd_free(struct httpd *d)
{
	if (d->fd >= 0)
		close(d->fd);
	if (d->unix_path[0])
		unlink(d->unix_path);
	if (d->key) {
		/* The private key does not outlive its use. */
		explicit_bzero(d->key, strlen(d->key));
		free(d->key);
	}
	free(d->cert);
	free(d->ca);
	explicit_bzero(d->token_hash, sizeof(d->token_hash));
	pthread_cond_destroy(&d->sweep_cond);
	pthread_mutex_destroy(&d->conn_lock);
	free(d);
}

struct httpd *
httpd_start(const struct httpd_opts *o, http_handler_fn *fn, void *arg,
	    struct pp_err *err)
{
	static char tls_priorities[] = HTTPD_TLS_PRIORITIES;
	struct httpd *d = xcalloc(1, sizeof(*d));
	struct MHD_OptionItem opts[16];
	/* ITC: a connection thread that ends wakes the listening one,
	 * which then frees its slot at once, not at the next accept (which
	 * a burst of clients would otherwise find still at the limit). */
	unsigned int flags = MHD_USE_THREAD_PER_CONNECTION |
			     MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
			     MHD_USE_ITC | MHD_USE_ERROR_LOG;
	size_t n = 0;

	d->fd = -1;
	d->fn = fn;
	d->arg = arg;
	pthread_mutex_init(&d->conn_lock, NULL);
	pthread_cond_init(&d->sweep_cond, NULL);
	d->max_connections = o->max_connections;
	d->head_timeout_ns = (uint64_t) (o->timeout_s < HTTPD_HEAD_TIMEOUT_S ?
					 o->timeout_s : HTTPD_HEAD_TIMEOUT_S) *
			     1000000000ull;
	d->public_path = o->public_path;
	d->tls = o->tls_cert != NULL;
	d->client_ca = o->client_ca != NULL;
	if (o->token) {
		d->token = true;
		if (!hash_token(o->token, strlen(o->token), d->token_hash)) {
			pp_err_set(err, EIO, "cannot hash the token (GnuTLS)");
			goto fail;
		}
	}
	if (d->tls) {
		if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
			pp_err_set(err, ENOTSUP,
				   "this libmicrohttpd was built without TLS");
			goto fail;
		}
		d->cert = read_pem("certificate", o->tls_cert, err);
		if (!d->cert)
			goto fail;
		d->key = read_pem("key", o->tls_key, err);
		if (!d->key)
			goto fail;
		check_validity(o->tls_cert, d->cert);
		if (o->client_ca) {
			gnutls_x509_crt_t *list;
			int ncas;

			d->ca = read_pem("client CA", o->client_ca, err);
			if (!d->ca)
				goto fail;
			/* Without one, every client would get 403. */
			ncas = pem_certs(d->ca, &list);
			if (ncas < 0) {
				pp_err_set(err, EINVAL,
					   "the client CA file %s holds no certificate",
					   o->client_ca);
				goto fail;
			}
			free_certs(list, ncas);
		}
		flags |= MHD_USE_TLS;
	}
	if (open_listener(d, &o->listen, err) < 0)
		goto fail;

#define OPT(o_, v_, p_) \
	(opts[n++] = (struct MHD_OptionItem) { (o_), (intptr_t) (v_), (p_) })
	OPT(MHD_OPTION_EXTERNAL_LOGGER, mhd_log, d);
	OPT(MHD_OPTION_LISTEN_SOCKET, d->fd, NULL);
	/* Room for the connections that make_room() is closing: it keeps
	 * the limit itself. */
	OPT(MHD_OPTION_CONNECTION_LIMIT, 2 * o->max_connections, NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s, NULL);
	OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, 32 * 1024, NULL);
	OPT(MHD_OPTION_NOTIFY_CONNECTION, on_connection, d);
	OPT(MHD_OPTION_NOTIFY_COMPLETED, on_completed, d);
	if (d->tls) {
		OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, d->cert);
		OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, d->key);
		OPT(MHD_OPTION_HTTPS_PRIORITIES, 0, tls_priorities);
		if (d->ca)
			OPT(MHD_OPTION_HTTPS_MEM_TRUST, 0, d->ca);
	}
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT

	d->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, d,
				  MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!d->mhd) {
		pp_err_set(err, EINVAL, d->tls ?
			   "cannot start the HTTPS server: is the key the one of the certificate, and both PEM? (-vv says more)" :
			   "cannot start the HTTP server (-vv says more)");
		goto fail;
	}
	d->fd = -1;	/* libmicrohttpd closes it when it stops */
	if ((errno = pthread_create(&d->sweeper, NULL, sweep_main, d)) != 0) {
		pp_err_set(err, errno, "cannot start a thread: %s",
			   strerror(errno));
		MHD_stop_daemon(d->mhd);
		goto fail;
	}
	d->sweeping = true;
	return d;
fail:
	httpd_free(d);
	return NULL;
}

const char *
httpd_url(const struct httpd *d)
{
	return d->url;
}

void
httpd_counts(struct httpd *d, struct httpd_counts *out)
{
	uint64_t *src = (uint64_t *) &d->counts, *dst = (uint64_t *) out;
	size_t i;

	for (i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

void
httpd_stop(struct httpd *d)
{
	int i;

	if (!d)
		return;
	/* Answers in flight (a profile cut short by the end of the process)
	 * are sent before the connections are shut: each closes its
	 * connection once sent; a few seconds at most for all. */
	__atomic_store_n(&d->closing, true, __ATOMIC_RELAXED);
	for (i = 0; i < 100; i++) {
		const struct timespec ts = { 0, 50000000 };

		if (!__atomic_load_n(&d->counts.open_connections,
				     __ATOMIC_RELAXED))
			break;
		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(d->mhd);
	if (d->sweeping) {
		pthread_mutex_lock(&d->conn_lock);
		d->sweep_stop = true;
		pthread_cond_signal(&d->sweep_cond);
		pthread_mutex_unlock(&d->conn_lock);
		pthread_join(d->sweeper, NULL);
	}
	httpd_free(d);
}
