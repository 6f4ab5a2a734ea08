/*
 * What both sinks share: query escaping, URL checks and masking, header
 * and tenant checks, the meaning of a reply, the backoff.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "sink.h"
#include "xmalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *
sink_kind_name(enum sink_kind k)
{
	switch (k) {
	case SINK_PYROSCOPE: return "pyroscope";
	case SINK_PROFEFE: return "profefe";
	default: return "none";
	}
}

void
url_query_escape(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char) *s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			buf_putc(out, c);
		} else if (c == ' ') {
			buf_putc(out, '+');
		} else {
			buf_putc(out, '%');
			buf_putc(out, (uint8_t) hex[c >> 4]);
			buf_putc(out, (uint8_t) hex[c & 15]);
		}
	}
}

int
url_split(const char *url, struct url_parts *u)
{
	const char *a, *at = NULL, *p, *colon;

	memset(u, 0, sizeof(*u));
	if (strncmp(url, "http://", 7) == 0)
		a = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		a = url + 8;
	else
		return -1;
	u->authority = (size_t) (a - url);
	/* The user information ends at the last '@' (RFC 3986 allows
	 * none in it, but a password may hold one unescaped, and '/'):
	 * whatever may be a password is taken as one. */
	for (p = a; *p && *p != '?' && *p != '#'; p++)
		if (*p == '@')
			at = p;
	if (at) {
		u->has_userinfo = true;
		u->user = u->authority;
		colon = memchr(a, ':', (size_t) (at - a));
		if (colon) {
			u->user_len = (size_t) (colon - a);
			u->has_password = true;
			u->password = (size_t) (colon + 1 - url);
			u->password_len = (size_t) (at - colon - 1);
		} else {
			u->user_len = (size_t) (at - a);
		}
		u->host = (size_t) (at + 1 - url);
	} else {
		u->host = u->authority;
	}
	u->host_len = strcspn(url + u->host, "/?#");
	return 0;
}

bool
url_is_loopback(const char *url)
{
	struct url_parts u;
	char host[256];
	size_t n;

	if (url_split(url, &u) < 0 || u.host_len >= sizeof(host))
		return false;
	memcpy(host, url + u.host, u.host_len);
	host[u.host_len] = '\0';
	/* Without the port. */
	if (host[0] == '[') {
		char *end = strchr(host, ']');

		if (end)
			end[1] = '\0';
	} else if ((n = strcspn(host, ":")) < u.host_len) {
		host[n] = '\0';
	}
	return strcasecmp(host, "localhost") == 0 ||
	       strcmp(host, "[::1]") == 0 ||
	       (strncmp(host, "127.", 4) == 0 &&
		strspn(host, "0123456789.") == strlen(host));
}

int
url_check(const char *url, struct pp_err *err)
{
	struct url_parts u;
	const char *p;

	/* Not repeated: without a scheme, user:password@ cannot be told
	 * from the rest, and masked. */
	if (url_split(url, &u) < 0)
		return pp_err_set(err, EINVAL,
				  "expected an http:// or https:// URL");
	for (p = url; *p; p++)
		if ((unsigned char) *p <= ' ' || *p == 0x7f)
			return pp_err_set(err, EINVAL,
					  "a URL cannot hold blanks or control characters");
	if (strpbrk(url, "?#"))
		return pp_err_set(err, EINVAL,
				  "the URL cannot have a query or fragment: give the server's base URL");
	if (u.has_userinfo &&
	    memchr(url + u.user, '/', u.host - 1 - u.user))
		return pp_err_set(err, EINVAL,
				  "a '/' before the URL's last '@': write it as %%2F in a user name or password (and an '@' of the path as %%40)");
	if (u.host_len == 0 || url[u.host] == ':')
		return pp_err_set(err, EINVAL, "the URL has no host");
	return 0;
}

char *
url_password(const char *url)
{
	struct url_parts u;

	if (url_split(url, &u) < 0 || !u.has_password || !u.password_len)
		return NULL;
	return xstrndup(url + u.password, u.password_len);
}

char *
url_mask_password(const char *url)
{
	struct url_parts u;

	if (url_split(url, &u) < 0 || !u.has_password)
		return xstrdup(url);
	return xasprintf("%.*s***%s", (int) u.password, url,
			 url + u.password + u.password_len);
}

static bool
is_tchar(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c);
}

int
header_check(const char *h, struct pp_err *err)
{
	const char *colon = strchr(h, ':'), *p;

	if (!colon || colon == h)
		return pp_err_set(err, EINVAL,
				  "expected 'Name: value'");
	for (p = h; p < colon; p++)
		if (!is_tchar(*p))
			return pp_err_set(err, EINVAL,
					  "bad character in the header name '%.*s'",
					  (int) (colon - h), h);
	for (p = colon + 1; *p; p++)
		if ((unsigned char) *p < ' ' && *p != '\t')
			return pp_err_set(err, EINVAL,
					  "a header value cannot hold control characters");
	return 0;
}

bool
header_is_secret(const char *h)
{
	static const char *const words[] = {
		"auth", "token", "key", "secret", "password", "cookie",
	};
	size_t n = strcspn(h, ":"), i, k;

	for (i = 0; i < ARRAY_SIZE(words); i++) {
		size_t wl = strlen(words[i]);

		for (k = 0; k + wl <= n; k++)
			if (strncasecmp(h + k, words[i], wl) == 0)
				return true;
	}
	return false;
}

int
tenant_check(const char *t, struct pp_err *err)
{
	const char *p;
	size_t n = strlen(t);

	if (n == 0 || n > 150)
		return pp_err_set(err, EINVAL,
				  "a tenant id has 1 to 150 characters");
	if (strcmp(t, ".") == 0 || strcmp(t, "..") == 0)
		return pp_err_set(err, EINVAL, "'%s' cannot be a tenant id", t);
	for (p = t; *p; p++) {
		char c = *p;

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || strchr("!-_.*'()", c)))
			return pp_err_set(err, EINVAL,
					  "character '%c' is not allowed in a tenant id (only letters, digits and !-_.*'())",
					  c);
	}
	return 0;
}

uint64_t
sink_backoff_ns(unsigned attempt, uint64_t base_ns, uint64_t cap_ns,
		uint64_t rnd)
{
	uint64_t d = base_ns;
	unsigned i;

	if (!attempt)
		return 0;
	for (i = 1; i < attempt && d < cap_ns; i++)
		d *= 2;
	if (d > cap_ns)
		d = cap_ns;
	return d / 2 + (d / 2 ? rnd % (d / 2 + 1) : 0);
}

/* --- replies --------------------------------------------------------- */

struct scan {
	const char *p, *end;
};

/* Whether @c is one of @set; never for NUL (strchr would say yes). */
static bool
one_of(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

static void
skip_ws(struct scan *s)
{
	while (s->p < s->end && one_of(*s->p, " \t\r\n"))
		s->p++;
}

/* The largest "code" kept: a bigger one is no status anyway. */
#define CODE_MAX	999999999L

/* A JSON integer at s->p, within the buffer (it holds no NUL
 * terminator); saturated at CODE_MAX. */
static bool
scan_int(struct scan *s, long *out)
{
	bool neg = false;
	long v = 0;

	if (s->p < s->end && *s->p == '-') {
		neg = true;
		s->p++;
	}
	if (s->p >= s->end || *s->p < '0' || *s->p > '9')
		return false;
	while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
		v = v * 10 + (*s->p - '0');
		if (v > CODE_MAX)
			v = CODE_MAX;
		s->p++;
	}
	*out = neg ? -v : v;
	return true;
}

/* A JSON string at s->p into @out (printable ASCII, others as '?'). */
static bool
scan_string(struct scan *s, char *out, size_t len)
{
	size_t n = 0;

	if (s->p >= s->end || *s->p != '"')
		return false;
	s->p++;
	while (s->p < s->end && *s->p != '"') {
		char c = *s->p++;

		if (c == '\\' && s->p < s->end) {
			c = *s->p++;
			switch (c) {
			case 'n': case 't': case 'r': c = ' '; break;
			case 'u':
				c = '?';
				s->p += s->end - s->p >= 4 ? 4 : s->end - s->p;
				break;
			case '"': case '\\': case '/': break;
			default: c = '?'; break;
			}
		}
		if ((unsigned char) c < ' ' || (unsigned char) c > '~')
			c = '?';
		if (out && n + 1 < len)
			out[n++] = c;
	}
	if (out && len)
		out[n] = '\0';
	if (s->p >= s->end)
		return false;
	s->p++;
	return true;
}

/* Skips any JSON value (objects and arrays balanced). */
static bool
skip_value(struct scan *s)
{
	int depth = 0;

	do {
		skip_ws(s);
		if (s->p >= s->end)
			return false;
		if (*s->p == '"') {
			if (!scan_string(s, NULL, 0))
				return false;
		} else if (*s->p == '{' || *s->p == '[') {
			depth++;
			s->p++;
		} else if (*s->p == '}' || *s->p == ']') {
			depth--;
			s->p++;
		} else {
			const char *from = s->p;

			while (s->p < s->end && !one_of(*s->p, ",}] \t\r\n"))
				s->p++;
			if (depth == 0)
				return s->p > from;
			/* A ',' or ':' out of place, or a NUL: not JSON, and
			 * no progress would be made. */
			if (s->p == from && *s->p != '}' && *s->p != ']')
				return false;
		}
		skip_ws(s);
		if (depth > 0 && s->p < s->end &&
		    (*s->p == ',' || *s->p == ':'))
			s->p++;
	} while (depth > 0);
	return true;
}

static void
plain_message(const char *body, size_t len, char *out, size_t outlen)
{
	size_t n = 0, i;

	for (i = 0; i < len && n + 1 < outlen; i++) {
		char c = body[i];

		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		if ((unsigned char) c < ' ' || (unsigned char) c > '~')
			c = '?';
		if (c == ' ' && (n == 0 || out[n - 1] == ' '))
			continue;
		out[n++] = c;
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

void
sink_parse_reply(const void *body, size_t len, struct sink_reply *out)
{
	struct scan s;
	char key[32];

	memset(out, 0, sizeof(*out));
	if (!len)
		return;
	s.p = body;
	s.end = s.p + len;
	skip_ws(&s);
	if (s.p >= s.end || *s.p != '{')
		goto plain;
	s.p++;
	for (;;) {
		skip_ws(&s);
		if (s.p < s.end && *s.p == '}')
			break;
		if (!scan_string(&s, key, sizeof(key)))
			goto plain;
		skip_ws(&s);
		if (s.p >= s.end || *s.p++ != ':')
			goto plain;
		skip_ws(&s);
		if (strcmp(key, "code") == 0 && s.p < s.end && *s.p == '"') {
			if (!scan_string(&s, out->code_text,
					 sizeof(out->code_text)))
				goto plain;
		} else if (strcmp(key, "code") == 0) {
			if (!scan_int(&s, &out->code))
				goto plain;
			out->has_code = true;
		} else if ((strcmp(key, "message") == 0 ||
			    strcmp(key, "error") == 0) &&
			   s.p < s.end && *s.p == '"') {
			if (!scan_string(&s, out->message,
					 sizeof(out->message)))
				goto plain;
		} else if (!skip_value(&s)) {
			goto plain;
		}
		skip_ws(&s);
		if (s.p < s.end && *s.p == ',') {
			s.p++;
			continue;
		}
		if (s.p < s.end && *s.p == '}')
			break;
		goto plain;
	}
	out->json = true;
	return;
plain:
	memset(out, 0, sizeof(*out));
	plain_message(body, len < 400 ? len : 400, out->message,
		      sizeof(out->message));
}

static enum sink_verdict
by_status(long status)
{
	if (status >= 200 && status < 300)
		return SINK_OK;
	if (status == 408 || status == 429 || status >= 500)
		return SINK_RETRY;
	return SINK_REFUSED;
}

enum sink_verdict
sink_judge(enum sink_kind kind, long status, const struct sink_reply *r)
{
	enum sink_verdict v = by_status(status);

	/* Profefe's body repeats the status as "code"; believe the worse. */
	if (v == SINK_OK && kind == SINK_PROFEFE && r->json && r->has_code &&
	    r->code != 200)
		v = by_status(r->code);
	return v;
}
