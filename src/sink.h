/*
 * The wire rules of the push sinks, Pyroscope's /ingest and Profefe's
 * /api/0/profiles (see docs/protocols.md): names, labels and query
 * strings, the multipart body, what a reply means, and the backoff
 * between tries.  Pure: requests are built here and sent by http.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_SINK_H
# define PIDPROF_SINK_H

# include "buf.h"
# include "common.h"
# include "err.h"

enum sink_kind {
	SINK_NONE,
	SINK_PYROSCOPE,
	SINK_PROFEFE,
};

# define PUSH_MAX_TAGS		16

struct push_tag {
	char *key, *value;
};

const char *sink_kind_name(enum sink_kind k);

/* --- shared ---------------------------------------------------------- */

/* Appends @s escaped as a query value, as Go's url.QueryEscape does:
 * A-Z a-z 0-9 - _ . ~ kept, a space as '+', any other byte as %XX. */
void url_query_escape(struct buf *out, const char *s);
/*
 * Where the parts of an http:// or https:// URL are, as offsets into it
 * (RFC 3986): the authority after "scheme://"; the user information up
 * to the last '@' before any query or fragment (so that a password with
 * '@' or '/' is still taken as one), the user up to its first ':', the
 * password after it; the host (and port) up to the next '/'.  The one
 * parser of URLs' authorities: masking, the argument scrubbing and the
 * checks all use it.  Returns -1 without a known scheme.
 */
struct url_parts {
	size_t authority;
	bool has_userinfo, has_password;
	size_t user, user_len;
	size_t password, password_len;
	size_t host, host_len;
};
int url_split(const char *url, struct url_parts *u);
/* Whether the host of @url is localhost, 127.0.0.0/8 or [::1]. */
bool url_is_loopback(const char *url);
/* http:// or https://, then a host; no query or fragment, no '/' in
 * the user information (curl would take it for the path). */
int url_check(const char *url, struct pp_err *err);
/* @url with the password of its user information shown as "***". */
char *url_mask_password(const char *url);
/* The password in @url's user information, or NULL. */
char *url_password(const char *url);
/* "Name: value": a header name of token characters, no CR or LF. */
int header_check(const char *h, struct pp_err *err);
/* Whether the value of header @h may be a secret (Authorization, a
 * key, token, password or cookie). */
bool header_is_secret(const char *h);
/* An X-Scope-OrgID: at most 150 of [0-9a-zA-Z!-_.*'()], not . or .. */
int tenant_check(const char *t, struct pp_err *err);

/*
 * The wait before try @attempt + 1 after @attempt failed tries:
 * exponential from @base_ns, capped at @cap_ns, with "equal jitter"
 * (half fixed, half random from @rnd) so that agents restarted together
 * do not retry in step.
 */
uint64_t sink_backoff_ns(unsigned attempt, uint64_t base_ns, uint64_t cap_ns,
			 uint64_t rnd);

/* What a server's answer says, from its JSON body whatever the
 * Content-Type: Pyroscope {"code":"...","message":"..."}, Profefe
 * {"code":400,"error":"..."} or {"code":200,"body":{...}}. */
struct sink_reply {
	bool json;
	bool has_code;
	long code;		/* a numeric "code" */
	char code_text[64];	/* a string "code" */
	char message[512];	/* "message" or "error", else the start of
				 * a non-JSON body; printable ASCII */
};

void sink_parse_reply(const void *body, size_t len, struct sink_reply *out);

enum sink_verdict {
	SINK_OK,
	SINK_RETRY,		/* 408, 429, 5xx (and network errors) */
	SINK_REFUSED,		/* any other answer: do not send it again */
};

enum sink_verdict sink_judge(enum sink_kind kind, long status,
			     const struct sink_reply *r);

/* --- Pyroscope ------------------------------------------------------- */

/* The application name: [a-zA-Z0-9_./-]+ (the server's rule). */
int pyroscope_check_app(const char *app, struct pp_err *err);
/* A tag: key [a-zA-Z0-9_.]+ and not reserved (__*), value non-empty,
 * without ',' '}' or control characters, no blanks around it. */
int pyroscope_check_tag(const char *key, const char *value,
			struct pp_err *err);
/* "app{k1=v1,k2=v2}", keys sorted; "app" without tags. */
char *pyroscope_name(const char *app, const struct push_tag *tags,
		     size_t ntags);
/* "/ingest?name=...&from=S&until=S&spyName=pidprof&sampleRate=HZ", with
 * from and until in whole seconds (the window rounded outwards). */
char *pyroscope_path(const char *name, int64_t from_ns, int64_t until_ns,
		     int rate_hz);
/* The multipart/form-data body with one part, "profile", that has the
 * filename the server needs; @seed picks the boundary.  Returns the
 * Content-Type (with the boundary) to send with it. */
char *pyroscope_multipart(const uint8_t *pprof, size_t len, uint64_t seed,
			  struct buf *body);

/* --- Profefe --------------------------------------------------------- */

/* The profefe type for a profile of ours ("cpu", "wall", "memory",
 * "threads"): cpu, heap or other. */
const char *profefe_type(const char *ours);
/* "/api/0/profiles?service=...&type=...&labels=k=v,...", each key and
 * value escaped inside the label string, which is escaped again as a
 * query value (profefe unescapes twice). */
char *profefe_path(const char *service, const char *type,
		   const struct push_tag *tags, size_t ntags);

#endif /* !PIDPROF_SINK_H */
