/*
 * The pure parts of push: the configuration file's syntax (fixtures in
 * data/push-*.conf), the settings and how sinks inherit them, the wire
 * rules of Pyroscope and Profefe (names, queries, multipart body,
 * replies), the backoff, the spool file format, and the checks that
 * keep a spool directory, a spool file and a temporary file pidprof's own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "conffile.h"
#include "output.h"
#include "push-config.h"
#include "sink.h"
#include "spool.h"
#include "unit.h"
#include "xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *
data_path(const char *name)
{
	static char path[4096];
	const char *dir = getenv("srcdir");

	snprintf(path, sizeof(path), "%s/data/%s", dir ? dir : ".", name);
	return path;
}

static const char *
test_env(const char *name, void *arg)
{
	if (strcmp(name, "A") == 0)
		return "alpha";
	if (strcmp(name, "EMPTY") == 0)
		return "";
	return NULL;
}

/* Parses @text; returns 0 or -1 with the message in @err. */
static int
parse_text(const char *text, struct config *c, struct pp_err *err)
{
	return config_parse(text, strlen(text), "t.conf", test_env, NULL, c,
			    err);
}

static void
test_conffile_syntax(void)
{
	static const struct {
		const char *text, *error;
	} bad[] = {
		{ "a = 1\n[sink x\n", "t.conf:2: '[' without its ']'" },
		{ "[ ]\n", "t.conf:1: empty section name" },
		{ "[a] b\n", "t.conf:1: text after the section header" },
		{ "\n\n  just words\n", "t.conf:3: expected 'key = value' or '[section]'" },
		{ "= 5\n", "t.conf:1: no key before '='" },
		{ "Key = 5\n", "t.conf:1: bad character 'K' in key 'Key'" },
		{ "a = ${A\n", "t.conf:1: ${ without its closing }" },
		{ "a = ${A-B}\n", "t.conf:1: bad character '-' in the variable name" },
		{ "a = x${A", "t.conf:1: ${ without its closing }" },
		{ "a = ${}\n", "t.conf:1: empty variable name in ${}" },
		{ "a = ${NOPE}\n", "t.conf:1: environment variable NOPE is not set" },
		{ "a = \"open\n", "t.conf:1: a quoted value must start and end with '\"'" },
	};
	struct config c;
	struct pp_err err;
	size_t i;
	int rc;

	rc = parse_text("# comment\n"
			"  # indented comment\n"
			"top = 1\r\n"
			"\n"
			"[sink one]\n"
			"k-1 = ${A}-${EMPTY}-$$-$x\n"
			"quoted = \"  keep  \"\n"
			"url = http://h/#not-a-comment\n"
			"[ sink two ]\n"
			"eq = a=b\n", &c, &err);
	CHECK(rc == 0, "parse failed: %s", err.text);
	if (rc == 0) {
		CHECK(c.n == 5, "%zu entries", c.n);
		CHECK(c.nsections == 2, "%zu sections", c.nsections);
		CHECK(c.v[0].section == NULL, "top is in a section");
		CHECK_STREQ(c.v[0].key, "top");
		CHECK_STREQ(c.v[0].value, "1");
		CHECK(c.v[0].line == 3, "line %d", c.v[0].line);
		CHECK_STREQ(c.v[1].section, "sink one");
		CHECK_STREQ(c.v[1].value, "alpha--$-$x");
		CHECK_STREQ(c.v[2].value, "  keep  ");
		CHECK_STREQ(c.v[3].value, "http://h/#not-a-comment");
		CHECK_STREQ(c.v[4].section, "sink two");
		CHECK_STREQ(c.v[4].value, "a=b");
		CHECK(c.v[4].line == 10, "line %d", c.v[4].line);
		CHECK(c.sections[1].line == 9, "line %d", c.sections[1].line);
		config_free(&c);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		rc = parse_text(bad[i].text, &c, &err);
		CHECK(rc < 0, "'%s' was accepted", bad[i].text);
		if (rc == 0) {
			config_free(&c);
			continue;
		}
		CHECK(strncmp(err.text, bad[i].error,
			      strlen(bad[i].error)) == 0,
		      "'%s': got '%s', want '%s'", bad[i].text, err.text,
		      bad[i].error);
	}
	rc = config_parse("a = 1\0b", 7, "nul.conf", test_env, NULL, &c, &err);
	CHECK(rc < 0 && strstr(err.text, "NUL"), "a NUL byte: %s", err.text);
}

static void
test_config_file(void)
{
	struct push_config c;
	struct push_plan p;
	struct config f;
	struct pp_err err;
	const struct push_sink *g, *a;
	int rc;

	setenv("TEST_ENV", "prod", 1);
	setenv("TEST_PASSWORD", "s3cret-pw", 1);
	unsetenv("PIDPROF_AUTH_TOKEN");
	rc = config_read_file(data_path("push-agent.conf"), &f, &err);
	CHECK(rc == 0, "push-agent.conf: %s", err.text);
	if (rc < 0)
		return;
	push_config_init(&c);
	rc = push_config_apply_file(&c, &f, &err);
	CHECK(rc == 0, "apply: %s", err.text);
	config_free(&f);
	rc = push_config_resolve(&c, "fallback", &p, &err);
	CHECK(rc == 0, "resolve: %s", err.text);
	push_config_free(&c);
	if (rc < 0)
		return;
	CHECK(p.pid == 4242, "pid %d", (int) p.pid);
	CHECK(p.mode == MODE_CPU, "mode");
	CHECK(p.rate_hz == 50, "rate %d", p.rate_hz);
	CHECK(p.window_ns == 15000000000ull, "window");
	CHECK_STREQ(p.spool_dir, "/var/spool/pidprof");
	CHECK(p.spool_max == 64ull << 20, "spool-max");
	CHECK(p.nsinks == 2, "%zu sinks", p.nsinks);
	CHECK(p.types == (PUSH_CPU | PUSH_MEMORY), "types %u", p.types);
	g = &p.sinks[0];
	a = &p.sinks[1];
	CHECK_STREQ(g->name, "grafana");
	CHECK(g->kind == SINK_PYROSCOPE, "kind");
	CHECK_STREQ(g->url, "https://profiles.example.net");
	CHECK_STREQ(g->app, "checkout");
	CHECK(g->ntags == 2, "%zu tags", g->ntags);
	if (g->ntags == 2) {
		CHECK_STREQ(g->tags[0].key, "env");
		CHECK_STREQ(g->tags[0].value, "prod");
		CHECK_STREQ(g->tags[1].key, "host");
		CHECK_STREQ(g->tags[1].value, "web-1");
	}
	CHECK(g->types == (PUSH_CPU | PUSH_MEMORY), "grafana types");
	CHECK_STREQ(g->basic_user, "123456");
	CHECK_STREQ(g->basic_password, "s3cret-pw");
	CHECK(g->token == NULL, "a token without one set");
	CHECK_STREQ(g->tenant, "team-a");
	CHECK(g->nheaders == 1, "headers");
	CHECK_STREQ(g->headers[0], "X-Extra: \"quoted\" value");
	CHECK(g->timeout_ns == PUSH_DEFAULT_TIMEOUT_NS, "default timeout");
	CHECK_STREQ(a->name, "archive");
	CHECK(a->kind == SINK_PROFEFE, "kind");
	CHECK(a->types == PUSH_CPU, "archive types %u", a->types);
	CHECK(a->ntags == 2, "%zu tags", a->ntags);
	if (a->ntags == 2) {
		CHECK_STREQ(a->tags[0].key, "dc");
		CHECK_STREQ(a->tags[0].value, "eu,w3");
		CHECK_STREQ(a->tags[1].key, "env");
	}
	CHECK(a->timeout_ns == 3000000000ull, "timeout");
	CHECK(a->connect_timeout_ns == 500000000ull, "connect-timeout");
	CHECK(a->basic_user == NULL, "inherited no user");
	push_plan_free(&p);
}

static void
test_config_bad_files(void)
{
	static const struct {
		const char *file, *error;
	} rows[] = {
		{ "push-bad-section.conf",
		  "push-bad-section.conf:3: unknown section [sinks broken]" },
		{ "push-bad-var.conf",
		  "push-bad-var.conf:4: environment variable TEST_UNSET_VARIABLE is not set" },
		{ "push-bad-line.conf",
		  "push-bad-line.conf:2: expected 'key = value'" },
		{ "push-bad-value.conf",
		  "push-bad-value.conf:4: rate: not a setting of a sink" },
	};
	size_t i;

	unsetenv("TEST_UNSET_VARIABLE");
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		struct push_config c;
		struct config f;
		struct pp_err err;
		int rc;

		push_config_init(&c);
		rc = config_read_file(data_path(rows[i].file), &f, &err);
		if (rc == 0) {
			rc = push_config_apply_file(&c, &f, &err);
			config_free(&f);
		}
		push_config_free(&c);
		CHECK(rc < 0, "%s was accepted", rows[i].file);
		CHECK(rc == 0 || strstr(err.text, rows[i].error),
		      "%s: '%s' lacks '%s'", rows[i].file, err.text,
		      rows[i].error);
	}
}

/* Applies "key value" pairs as the command line would. */
static int
set_all(struct push_config *c, const char *const *kv, struct pp_err *err)
{
	for (; kv[0]; kv += 2)
		if (push_config_set(c, NULL, kv[0], kv[1], err) < 0)
			return -1;
	return 0;
}

static void
test_config_command_line(void)
{
	static const char *const args[] = {
		"app", "web", "tag", "x=1", "rate", "1000",
		"pyroscope", "http://u:pw@127.0.0.1:4040/", "tag", "y=2",
		"profefe", "http://127.0.0.1:10100", "types", "wall,threads",
		"tag", "x=", "pyroscope", "http://127.0.0.1:4041",
		NULL,
	};
	struct push_config c;
	struct push_plan p;
	struct pp_err err;
	int rc;

	unsetenv("PIDPROF_AUTH_TOKEN");
	push_config_init(&c);
	rc = set_all(&c, args, &err);
	CHECK(rc == 0, "set: %s", err.text);
	rc = push_config_resolve(&c, "fallback", &p, &err);
	CHECK(rc == 0, "resolve: %s", err.text);
	push_config_free(&c);
	if (rc < 0)
		return;
	CHECK(p.rate_hz == 250 && p.rate_asked == 1000, "rate clamp %d",
	      p.rate_hz);
	CHECK(p.mode == MODE_WALL, "mode");
	CHECK(p.nsinks == 3, "%zu sinks", p.nsinks);
	if (p.nsinks == 3) {
		CHECK_STREQ(p.sinks[0].name, "pyroscope");
		CHECK_STREQ(p.sinks[1].name, "profefe");
		CHECK_STREQ(p.sinks[2].name, "pyroscope-2");
		CHECK_STREQ(p.sinks[0].url_shown,
			    "http://u:***@127.0.0.1:4040");
		CHECK(p.sinks[0].ntags == 2, "first: %zu tags",
		      p.sinks[0].ntags);
		CHECK(p.sinks[1].ntags == 0, "second: %zu tags",
		      p.sinks[1].ntags);
		CHECK(p.sinks[2].ntags == 1, "third: %zu tags",
		      p.sinks[2].ntags);
		CHECK(p.sinks[0].types == (PUSH_WALL | PUSH_MEMORY),
		      "first types %u", p.sinks[0].types);
		CHECK(p.sinks[1].types == (PUSH_WALL | PUSH_THREADS),
		      "second types %u", p.sinks[1].types);
		CHECK_STREQ(p.sinks[2].app, "web");
	}
	push_plan_free(&p);
}

/* idle and no-idle: flags on the command line, yes/no in a file; one
 * setting of the whole push, not of a sink. */
static void
test_config_idle(void)
{
	static const struct {
		const char *const args[8];
		bool no_idle;
	} rows[] = {
		{ { "pyroscope", "http://h", NULL }, false },
		{ { "no-idle", NULL, "pyroscope", "http://h", NULL }, true },
		{ { "pyroscope", "http://h", "no-idle", NULL, "idle", NULL,
		    NULL }, false },
		{ { "no-idle", "yes", "pyroscope", "http://h", NULL }, true },
		{ { "idle", "no", "pyroscope", "http://h", NULL }, true },
		{ { "no-idle", "off", "pyroscope", "http://h", NULL }, false },
	};
	struct push_config c;
	struct push_plan p;
	struct pp_err err;
	size_t i;
	int rc;

	unsetenv("PIDPROF_AUTH_TOKEN");
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		push_config_init(&c);
		rc = set_all(&c, rows[i].args, &err);
		CHECK(rc == 0, "row %zu: set: %s", i, err.text);
		if (rc == 0) {
			rc = push_config_resolve(&c, "app", &p, &err);
			CHECK(rc == 0, "row %zu: resolve: %s", i, err.text);
			if (rc == 0) {
				CHECK(p.no_idle == rows[i].no_idle,
				      "row %zu: no_idle %d", i, p.no_idle);
				push_plan_free(&p);
			}
		}
		push_config_free(&c);
	}
	push_config_init(&c);
	CHECK(push_config_set(&c, NULL, "no-idle", "maybe", &err) < 0,
	      "no-idle = maybe taken");
	CHECK(push_config_set(&c, "sink a", "no-idle", "yes", &err) < 0,
	      "no-idle taken in a sink section");
	push_config_free(&c);
}

static void
test_config_errors(void)
{
	static const struct {
		const char *const args[10];
		const char *error;
	} rows[] = {
		{ { "pyroscope", "http://h", "types", "cpu", "profefe",
		    "http://h", "types", "wall", NULL },
		  "cpu and wall are both asked for" },
		{ { "mode", "cpu", "pyroscope", "http://h", "types", "wall",
		    NULL }, "--types asks for wall profiles, but --mode is cpu" },
		{ { "app", "my app", "pyroscope", "http://h", NULL },
		  "character ' ' is not allowed by Pyroscope" },
		{ { "tag", "bad-key=1", "pyroscope", "http://h", NULL },
		  "tag key 'bad-key': character '-'" },
		{ { "tag", "k=a,b", "pyroscope", "http://h", NULL },
		  "character ',' cannot be in a Pyroscope tag value" },
		{ { "tag", "__name__=x", "profefe", "http://h", "pyroscope",
		    "http://h", NULL }, "reserved" },
		{ { "app", "web", NULL }, "no sink" },
		{ { "auth-token-env", "TEST_NO_TOKEN", "pyroscope", "http://h",
		    NULL }, "environment variable TEST_NO_TOKEN is not set" },
		{ { "basic-user", "me", "pyroscope", "http://h", NULL },
		  "PIDPROF_BASIC_PASSWORD is not set" },
	};
	static const struct {
		const char *key, *value, *error;
	} values[] = {
		{ "types", "cpu,heap", "unknown profile type 'heap'" },
		{ "mode", "fast", "expected wall or cpu" },
		{ "window", "100ms", "out of range" },
		{ "pyroscope", "ftp://h", "expected an http:// or https:// URL" },
		{ "pyroscope", "http://h/?x=1", "cannot have a query" },
		{ "profefe", "http://", "has no host" },
		{ "tenant", "a b", "not allowed in a tenant id" },
		{ "tenant", "..", "cannot be a tenant id" },
		{ "header", "NoColon", "expected 'Name: value'" },
		{ "header", "Bad Name: v", "bad character in the header name" },
		{ "auth-token-env", "abc-def", "not the name of an environment variable" },
		{ "tag", "novalue", "expected KEY=VALUE" },
		{ "spool-max", "1K", "out of range" },
		{ "url", "http://h", "only inside a [sink NAME] section" },
		{ "colour", "blue", "unknown setting" },
	};
	size_t i;

	unsetenv("TEST_NO_TOKEN");
	unsetenv("PIDPROF_BASIC_PASSWORD");
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		struct push_config c;
		struct push_plan p;
		struct pp_err err;
		int rc;

		push_config_init(&c);
		rc = set_all(&c, rows[i].args, &err);
		CHECK(rc == 0, "row %zu: set: %s", i, err.text);
		if (rc == 0) {
			rc = push_config_resolve(&c, "app", &p, &err);
			if (rc == 0)
				push_plan_free(&p);
		}
		push_config_free(&c);
		CHECK(rc < 0, "row %zu was accepted", i);
		CHECK(rc == 0 || strstr(err.text, rows[i].error),
		      "row %zu: '%s' lacks '%s'", i, err.text, rows[i].error);
	}
	for (i = 0; i < ARRAY_SIZE(values); i++) {
		struct push_config c;
		struct pp_err err;
		int rc;

		push_config_init(&c);
		rc = push_config_set(&c, NULL, values[i].key, values[i].value,
				     &err);
		push_config_free(&c);
		CHECK(rc < 0, "--%s=%s was accepted", values[i].key,
		      values[i].value);
		CHECK(rc == 0 || strstr(err.text, values[i].error),
		      "--%s=%s: '%s' lacks '%s'", values[i].key,
		      values[i].value, err.text, values[i].error);
	}
}

static void
test_wire(void)
{
	struct push_tag tags[] = {
		{ (char *) "host", (char *) "a" },
		{ (char *) "env", (char *) "ci" },
	};
	struct push_tag pf[] = {
		{ (char *) "region", (char *) "eu,w3" },
		{ (char *) "host", (char *) "b1" },
	};
	struct buf b;
	char *s, *ct;
	const uint8_t data[] = { 0x1f, 0x8b, 0, 1, 2, 3 };

	buf_init(&b);
	url_query_escape(&b, "a b{c=d,e}~_.-/");
	buf_putc(&b, '\0');
	CHECK_STREQ((char *) b.data, "a+b%7Bc%3Dd%2Ce%7D~_.-%2F");
	buf_free(&b);

	s = pyroscope_name("app", tags, 2);
	CHECK_STREQ(s, "app{env=ci,host=a}");
	free(s);
	s = pyroscope_name("app", NULL, 0);
	CHECK_STREQ(s, "app");
	free(s);
	s = pyroscope_path("app{env=ci}", 1700000000500000000ll,
			   1700000010200000000ll, 100);
	CHECK_STREQ(s, "/ingest?name=app%7Benv%3Dci%7D&from=1700000000500000000&until=1700000010200000000&spyName=pidprof&sampleRate=100");
	free(s);
	/* Short windows, one after the other: exact, no overlap. */
	s = pyroscope_path("app", 1700000878400000000ll,
			   1700000880900000000ll, 100);
	CHECK_STREQ(s, "/ingest?name=app&from=1700000878400000000&until=1700000880900000000&spyName=pidprof&sampleRate=100");
	free(s);
	s = pyroscope_path("app", 1700000880900000000ll,
			   1700000883400000000ll, 100);
	CHECK_STREQ(s, "/ingest?name=app&from=1700000880900000000&until=1700000883400000000&spyName=pidprof&sampleRate=100");
	free(s);

	buf_init(&b);
	ct = pyroscope_multipart(data, sizeof(data), 42, &b);
	CHECK(strncmp(ct, "multipart/form-data; boundary=", 30) == 0,
	      "content type '%s'", ct);
	buf_putc(&b, '\0');
	CHECK(strstr((char *) b.data, "Content-Disposition: form-data; name=\"profile\"; filename=\"profile.pprof\"\r\n"),
	      "no profile part with a filename");
	CHECK(strncmp((char *) b.data + 2, ct + 30, strlen(ct + 30)) == 0,
	      "the body does not start with the boundary");
	CHECK(b.len > 6 && memcmp(b.data + b.len - 5, "--\r\n", 4) == 0,
	      "no closing boundary");
	free(ct);
	buf_free(&b);

	s = profefe_path("svc", "cpu", pf, 2);
	CHECK_STREQ(s, "/api/0/profiles?service=svc&type=cpu&labels=region%3Deu%252Cw3%2Chost%3Db1");
	free(s);
	s = profefe_path("my svc", "other", NULL, 0);
	CHECK_STREQ(s, "/api/0/profiles?service=my+svc&type=other&labels=");
	free(s);
	CHECK_STREQ(profefe_type("cpu"), "cpu");
	CHECK_STREQ(profefe_type("memory"), "heap");
	CHECK_STREQ(profefe_type("wall"), "other");
	CHECK_STREQ(profefe_type("threads"), "other");

	s = url_mask_password("https://user:pa:ss@host:1/x");
	CHECK_STREQ(s, "https://user:***@host:1/x");
	free(s);
	s = url_mask_password("http://user@host/");
	CHECK_STREQ(s, "http://user@host/");
	free(s);
	s = url_password("http://u:secret@h");
	CHECK_STREQ(s, "secret");
	free(s);
	/* An '@' after a '/' may end a password with a '/': taken as one
	 * (masked), and such a URL is refused with a hint. */
	s = url_password("http://h/a:b@c");
	CHECK_STREQ(s, "b");
	free(s);
	CHECK(url_check("http://h/a:b@c", NULL) < 0, "'/' before '@'");
	CHECK(header_is_secret("X-Api-Key: 1"), "api key");
	CHECK(header_is_secret("authorization: x"), "authorization");
	CHECK(!header_is_secret("X-Team: a"), "not a secret");
	CHECK(tenant_check("team-a_1.(x)*'!", NULL) == 0, "tenant");
}

/* The one parser of a URL's authority: user, password and host. */
static void
test_url_parts(void)
{
	static const struct {
		const char *url;
		const char *user, *password, *host, *masked;
		bool ok;
	} rows[] = {
		{ "http://host", NULL, NULL, "host", "http://host", true },
		{ "https://h:4040/base", NULL, NULL, "h:4040",
		  "https://h:4040/base", true },
		{ "http://admin:admin@host", "admin", "admin", "host",
		  "http://admin:***@host", true },
		{ "http://u@h:1", "u", NULL, "h:1", "http://u@h:1", true },
		{ "http://u:@h", "u", "", "h", "http://u:***@h", true },
		{ "http://u:p@ss@h/x", "u", "p@ss", "h", "http://u:***@h/x",
		  true },
		{ "http://u:pa:ss@h", "u", "pa:ss", "h", "http://u:***@h",
		  true },
		/* a '/' in a password: still a password, and refused */
		{ "http://u:pa/ss@h:1/x", "u", "pa/ss", "h:1",
		  "http://u:***@h:1/x", false },
		{ "http://u:p/a/s@[::1]:80", "u", "p/a/s", "[::1]:80",
		  "http://u:***@[::1]:80", false },
		{ "http://:pw@h", "", "pw", "h", "http://:***@h", true },
		{ "http://u:pw@", "u", "pw", "", "http://u:***@", false },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		const char *url = rows[i].url;
		struct url_parts u;
		char *m;

		CHECK(url_split(url, &u) == 0, "%s: not split", url);
		if (rows[i].user) {
			CHECK(u.has_userinfo && u.user_len ==
			      strlen(rows[i].user) &&
			      strncmp(url + u.user, rows[i].user,
				      u.user_len) == 0, "%s: user", url);
		} else {
			CHECK(!u.has_userinfo, "%s: a user", url);
		}
		if (rows[i].password) {
			CHECK(u.has_password && u.password_len ==
			      strlen(rows[i].password) &&
			      strncmp(url + u.password, rows[i].password,
				      u.password_len) == 0,
			      "%s: password at %zu, %zu bytes", url,
			      u.password, u.password_len);
		} else {
			CHECK(!u.has_password, "%s: a password", url);
		}
		CHECK(u.host_len == strlen(rows[i].host) &&
		      strncmp(url + u.host, rows[i].host, u.host_len) == 0,
		      "%s: host %.*s", url, (int) u.host_len, url + u.host);
		m = url_mask_password(url);
		CHECK_STREQ(m, rows[i].masked);
		free(m);
		CHECK((url_check(url, NULL) == 0) == rows[i].ok,
		      "%s: url_check", url);
	}
	{
		struct url_parts u;

		CHECK(url_split("ftp://h", &u) < 0, "ftp accepted");
	}
	CHECK(url_is_loopback("http://127.0.0.1:4040"), "127.0.0.1");
	CHECK(url_is_loopback("http://u:p@localhost/x"), "localhost");
	CHECK(url_is_loopback("http://[::1]:80"), "[::1]");
	CHECK(!url_is_loopback("http://127.0.0.1.example.com"), "a name");
	CHECK(!url_is_loopback("http://127.0.0.1@example.com"),
	      "a user that looks like a loopback host");
	CHECK(!url_is_loopback("http://pyroscope:4040"), "pyroscope");
}

static void
test_replies(void)
{
	static const struct {
		const char *body;
		bool json;
		long code;
		const char *code_text, *message;
	} rows[] = {
		{ "{\"code\":\"invalid_argument\",\"message\":\"name: invalid service name\"}",
		  true, 0, "invalid_argument", "name: invalid service name" },
		{ "{\"code\":200,\"body\":{\"id\":\"x\",\"labels\":[{\"key\":\"a\",\"value\":\"b\"}],\"code\":1}}",
		  true, 200, "", "" },
		{ "{\"code\": 400, \"error\": \"bad request: unknown \\\"type\\\"\"}",
		  true, 400, "", "bad request: unknown \"type\"" },
		{ "<html>\n<b>502 Bad Gateway</b>\n</html>", false, 0, "",
		  "<html> <b>502 Bad Gateway</b> </html>" },
		{ "{\"code\": 4", false, 0, "", "{\"code\": 4" },
		{ "", false, 0, "", "" },
	};
	static const struct {
		enum sink_kind kind;
		long status;
		const char *body;
		enum sink_verdict v;
	} verdicts[] = {
		{ SINK_PYROSCOPE, 200, "", SINK_OK },
		{ SINK_PYROSCOPE, 408, "", SINK_RETRY },
		{ SINK_PYROSCOPE, 429, "", SINK_RETRY },
		{ SINK_PYROSCOPE, 500, "", SINK_RETRY },
		{ SINK_PYROSCOPE, 503, "", SINK_RETRY },
		{ SINK_PYROSCOPE, 400, "", SINK_REFUSED },
		{ SINK_PYROSCOPE, 401, "", SINK_REFUSED },
		{ SINK_PYROSCOPE, 413, "", SINK_REFUSED },
		{ SINK_PYROSCOPE, 422, "", SINK_REFUSED },
		{ SINK_PYROSCOPE, 301, "", SINK_REFUSED },
		{ SINK_PROFEFE, 200, "{\"code\":200,\"body\":{}}", SINK_OK },
		{ SINK_PROFEFE, 200, "{\"code\":500,\"error\":\"x\"}", SINK_RETRY },
		{ SINK_PROFEFE, 200, "{\"code\":400,\"error\":\"x\"}", SINK_REFUSED },
		{ SINK_PROFEFE, 400, "{\"code\":400,\"error\":\"x\"}", SINK_REFUSED },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		struct sink_reply r;

		sink_parse_reply(rows[i].body, strlen(rows[i].body), &r);
		CHECK(r.json == rows[i].json, "row %zu: json %d", i, r.json);
		CHECK(r.code == rows[i].code, "row %zu: code %ld", i, r.code);
		CHECK_STREQ(r.code_text, rows[i].code_text);
		CHECK_STREQ(r.message, rows[i].message);
	}
	{
		/* A NUL is no blank, and a number ends with the buffer: a
		 * body of exactly 256 bytes, "code" last and unclosed (ASan
		 * sees a read past it). */
		static const char nul[] = "{\"code\":\0 200}";
		struct sink_reply r;
		char *b = malloc(256);

		sink_parse_reply(nul, sizeof(nul) - 1, &r);
		CHECK(!r.json && !r.has_code, "a NUL taken for a blank: code %ld",
		      r.code);
		memset(b, '0', 256);
		memcpy(b, "{\"code\":", 8);
		sink_parse_reply(b, 256, &r);
		CHECK(!r.json, "an unclosed object taken as JSON");
		memcpy(b + 250, "200}  ", 6);
		sink_parse_reply(b, 256, &r);
		CHECK(r.json && r.has_code && r.code == 200,
		      "a zero-padded code: %d %ld", r.json, r.code);
		memset(b + 8, '9', 240);
		sink_parse_reply(b, 256, &r);
		CHECK(r.json && r.code == 999999999L, "a huge code: %ld",
		      r.code);
		free(b);
	}
	for (i = 0; i < ARRAY_SIZE(verdicts); i++) {
		struct sink_reply r;

		sink_parse_reply(verdicts[i].body, strlen(verdicts[i].body),
				 &r);
		CHECK(sink_judge(verdicts[i].kind, verdicts[i].status, &r) ==
		      verdicts[i].v, "verdict row %zu (%ld)", i,
		      verdicts[i].status);
	}
}

static void
test_backoff(void)
{
	const uint64_t base = 500, cap = 30000;
	uint64_t prev_max = 0;
	unsigned a;

	CHECK(sink_backoff_ns(0, base, cap, 7) == 0, "no wait before a try");
	for (a = 1; a < 40; a++) {
		uint64_t d = base, lo, hi, r, wmin, wmax;

		for (unsigned i = 1; i < a && d < cap; i++)
			d *= 2;
		if (d > cap)
			d = cap;
		lo = d / 2;
		hi = d;
		wmin = UINT64_MAX;
		wmax = 0;
		for (r = 0; r < 2000; r += 97) {
			uint64_t w = sink_backoff_ns(a, base, cap,
						     r * 0x9E3779B97F4A7C15ull);

			CHECK(w >= lo && w <= hi, "attempt %u: %llu not in [%llu, %llu]",
			      a, (unsigned long long) w,
			      (unsigned long long) lo,
			      (unsigned long long) hi);
			if (w < wmin)
				wmin = w;
			if (w > wmax)
				wmax = w;
		}
		/* What sink_backoff_ns gave, not the model above: the
		 * waits grow, stop at the cap, and half of each is random. */
		CHECK(wmax >= prev_max, "attempt %u: waits up to %llu, shorter "
		      "than before", a, (unsigned long long) wmax);
		CHECK(wmax <= cap, "attempt %u: %llu over the cap", a,
		      (unsigned long long) wmax);
		CHECK(wmax > wmin && wmax - wmin >= hi / 4,
		      "attempt %u: waits only in [%llu, %llu]", a,
		      (unsigned long long) wmin, (unsigned long long) wmax);
		prev_max = wmax;
	}
	/* The documented ends: 0.25..0.5 s first, the 30 s cap at last. */
	CHECK(sink_backoff_ns(1, base, cap, 0) <= 500 &&
	      sink_backoff_ns(1, base, cap, 0) >= 250, "first wait");
	CHECK(sink_backoff_ns(39, base, cap, 12345) >= cap / 2 &&
	      sink_backoff_ns(39, base, cap, 12345) <= cap, "last wait");
}

static int
parse_text_spool(const char *text, struct spool_meta *m, size_t *off,
		 struct pp_err *err)
{
	return spool_parse((const uint8_t *) text, strlen(text), m, off, err);
}

static void
test_spool_format(void)
{
	struct spool_meta m = {
		.sink = (char *) "grafana", .kind = (char *) "pyroscope",
		.type = (char *) "cpu",
		.path = (char *) "/ingest?name=a&from=1",
		.content_type = (char *) "multipart/form-data; boundary=x0",
		.what = (char *) "cpu 12:00:10Z", .time_ns = 1700000000123ll,
		.until_ns = 1700000010123ll, .rate_hz = 99,
	}, back;
	static const char *const refused[] = {
		/* format 1 carried a path: never read again */
		"pidprof-spool 1\nsink a\nkind pyroscope\ntime 1\npath @127.0.0.1:9/x\n\n",
		"pidprof-spool 2\nsink a\n\n",
		"something else",
		"pidprof-spool 2\nsink a/b\nkind profefe\ntype cpu\ntime 1\nuntil 2\nrate 10\ncontent-type application/octet-stream\n\n",
		"pidprof-spool 2\nsink a\nkind ftp\ntype cpu\ntime 1\nuntil 2\nrate 10\ncontent-type application/octet-stream\n\n",
		"pidprof-spool 2\nsink a\nkind profefe\ntype cpu\ntime 1\nuntil 2\nrate 10\ncontent-type text/html\n\n",
		"pidprof-spool 2\nsink a\nkind pyroscope\ntype cpu\ntime 1\nuntil 2\nrate 10\ncontent-type multipart/form-data; boundary=a\r\nX: y\n\n",
		"pidprof-spool 2\nsink a\nkind profefe\ntype heap\ntime 1\nuntil 2\nrate 10\ncontent-type application/octet-stream\n\n",
		"pidprof-spool 2\nsink a\nkind profefe\ntype cpu\ntime 3\nuntil 2\nrate 10\ncontent-type application/octet-stream\n\n",
		"pidprof-spool 2\nsink a\nkind profefe\ntype cpu\ntime 1\nuntil 2\nrate 1000\ncontent-type application/octet-stream\n\n",
		"pidprof-spool 2\nsink a\nkind profefe\ntype cpu\ntime -1\nuntil 2\nrate 10\ncontent-type application/octet-stream\n\n",
		"pidprof-spool 2\nsink a\nsink b\nkind profefe\ntype cpu\ntime 1\nuntil 2\nrate 10\ncontent-type application/octet-stream\n\n",
		"pidprof-spool 2\nsink a\nkind profefe\ntype cpu\ntime 1\nuntil 2\nrate 10\ncontent-type application/octet-stream\n",
	};
	const char body[] = "\x1f\x8b\n\nbinary\0body";
	struct pp_err err;
	struct buf b;
	size_t off, i;
	char *n1, *n2;
	int rc;

	buf_init(&b);
	spool_format(&m, body, sizeof(body), &b);
	CHECK(!memmem(b.data, b.len, "/ingest", 7),
	      "the path is written in the spool file");
	rc = spool_parse(b.data, b.len, &back, &off, &err);
	CHECK(rc == 0, "parse: %s", err.text);
	if (rc == 0) {
		CHECK_STREQ(back.sink, m.sink);
		CHECK_STREQ(back.kind, m.kind);
		CHECK_STREQ(back.type, m.type);
		CHECK(back.path == NULL, "a path is read from a spool file");
		CHECK(back.what == NULL, "what is read from a spool file");
		CHECK_STREQ(back.content_type, m.content_type);
		CHECK(back.time_ns == m.time_ns, "time");
		CHECK(back.until_ns == m.until_ns, "until");
		CHECK(back.rate_hz == m.rate_hz, "rate");
		CHECK(b.len - off == sizeof(body) &&
		      memcmp(b.data + off, body, sizeof(body)) == 0,
		      "the body changed");
		spool_meta_free(&back);
	}
	buf_free(&b);
	/* A path field planted in a file is not taken. */
	rc = parse_text_spool("pidprof-spool 2\nsink a\nkind profefe\ntype cpu\ntime 1\nuntil 2\nrate 10\npath @127.0.0.1:9/x\ncontent-type application/octet-stream\n\nBODY",
			      &back, &off, &err);
	CHECK(rc == 0, "a file with an unknown field: %s", err.text);
	if (rc == 0) {
		CHECK(back.path == NULL, "the planted path was taken");
		spool_meta_free(&back);
	}
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		rc = parse_text_spool(refused[i], &back, &off, &err);
		CHECK(rc < 0, "accepted: %s", refused[i]);
		if (rc == 0)
			spool_meta_free(&back);
	}

	n1 = spool_file_name(999999999, 12, "a");
	n2 = spool_file_name(1000000000, 3, "a");
	CHECK(strcmp(n1, n2) < 0, "'%s' sorts after '%s'", n1, n2);
	CHECK_STREQ(n1, "0000000000999999999-000012-a.push");
	free(n1);
	free(n2);
}

/* A spool directory and spool files that are not pidprof's own are
 * refused (run as root, the test gives them to another uid). */
static void
test_spool_trust(void)
{
	char dir[] = "/tmp/unit-push.XXXXXX", *sub, *f, *lnk, *fifo, *big;
	struct spool_meta m = {
		.sink = (char *) "a", .kind = (char *) "profefe",
		.type = (char *) "cpu",
		.content_type = (char *) "application/octet-stream",
		.time_ns = 1, .until_ns = 2, .rate_hz = 10,
	}, back;
	struct pp_err err;
	struct buf body;
	int rc, fd;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	sub = xasprintf("%s/spool", dir);
	lnk = xasprintf("%s/link", dir);
	f = xasprintf("%s/spool/1-1-a.push", dir);
	fifo = xasprintf("%s/spool/2-1-a.push", dir);
	big = xasprintf("%s/spool/3-1-a.push", dir);

	CHECK(spool_dir_prepare(sub, &err) == 0, "a new directory: %s",
	      err.text);
	chmod(sub, 0777);
	rc = spool_dir_prepare(sub, &err);
	CHECK(rc < 0 && strstr(err.text, "written by others"),
	      "a directory of mode 0777 accepted (%s)", rc ? err.text : "");
	chmod(sub, 0700);
	CHECK(symlink(sub, lnk) == 0, "symlink");
	rc = spool_dir_prepare(lnk, &err);
	CHECK(rc < 0 && strstr(err.text, "symbolic link"),
	      "a symbolic link accepted (%s)", rc ? err.text : "");
	chmod(dir, 0777);
	rc = spool_dir_prepare(sub, &err);
	CHECK(rc < 0 && strstr(err.text, "its parent"),
	      "a parent of mode 0777 accepted (%s)", rc ? err.text : "");
	chmod(dir, 01777);
	CHECK(spool_dir_prepare(sub, &err) == 0,
	      "a sticky parent refused: %s", err.text);
	chmod(dir, 0700);

	buf_init(&body);
	CHECK(spool_write(f, &m, "x", 1, &err) == 0, "write: %s", err.text);
	rc = spool_read(f, &back, &body, &err);
	CHECK(rc == 0, "read: %s", err.text);
	if (rc == 0)
		spool_meta_free(&back);
	if (geteuid() == 0) {
		CHECK(chown(f, 65534, 65534) == 0, "chown");
		rc = spool_read(f, &back, &body, &err);
		CHECK(rc < 0 && strstr(err.text, "owned by uid 65534"),
		      "a spool file of another user accepted (%s)",
		      rc ? err.text : "");
		if (rc == 0)
			spool_meta_free(&back);
		CHECK(chown(sub, 65534, 65534) == 0, "chown");
		rc = spool_dir_prepare(sub, &err);
		CHECK(rc < 0 && strstr(err.text, "owned by uid 65534"),
		      "a directory of another user accepted (%s)",
		      rc ? err.text : "");
		CHECK(chown(sub, 0, 0) == 0, "chown");
	}
	/* A FIFO is not waited on; a big file is not read. */
	CHECK(mkfifo(fifo, 0600) == 0, "mkfifo");
	rc = spool_read(fifo, &back, &body, &err);
	CHECK(rc < 0 && strstr(err.text, "not a regular file"),
	      "a FIFO accepted (%s)", rc ? err.text : "");
	fd = open(big, O_WRONLY | O_CREAT, 0600);
	CHECK(fd >= 0 && ftruncate(fd, (off_t) SPOOL_FILE_MAX + 1) == 0,
	      "a sparse file");
	if (fd >= 0)
		close(fd);
	rc = spool_read(big, &back, &body, &err);
	CHECK(rc < 0 && strstr(err.text, "over the limit"),
	      "a file over the limit accepted (%s)", rc ? err.text : "");
	unlink(big);
	unlink(f);
	unlink(fifo);
	unlink(lnk);
	rmdir(sub);
	rmdir(dir);
	buf_free(&body);
	free(sub);
	free(f);
	free(lnk);
	free(fifo);
	free(big);
}

/* A temporary file is never opened through a planted link. */
static void
test_output_temp(void)
{
	char dir[] = "/tmp/unit-push.XXXXXX", *out, *victim, *planted;
	struct pp_err err;
	char got[16] = "";
	int fd;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	out = xasprintf("%s/out.txt", dir);
	victim = xasprintf("%s/victim", dir);
	planted = xasprintf("%s/out.txt.tmp.%d", dir, (int) getpid());
	fd = open(victim, O_WRONLY | O_CREAT, 0600);
	CHECK(fd >= 0 && write(fd, "keep", 4) == 4, "victim");
	if (fd >= 0)
		close(fd);
	CHECK(symlink(victim, planted) == 0, "symlink");
	CHECK(output_write_file(out, "new", 3, 0600, &err) == 0,
	      "write: %s", err.text);
	fd = open(victim, O_RDONLY);
	CHECK(fd >= 0 && read(fd, got, sizeof(got) - 1) >= 0, "read");
	if (fd >= 0)
		close(fd);
	CHECK_STREQ(got, "keep");
	unlink(out);
	unlink(victim);
	unlink(planted);
	rmdir(dir);
	free(out);
	free(victim);
	free(planted);
}

int
main(void)
{
	test_conffile_syntax();
	test_config_file();
	test_config_bad_files();
	test_config_command_line();
	test_config_idle();
	test_config_errors();
	test_wire();
	test_url_parts();
	test_replies();
	test_backoff();
	test_spool_format();
	test_spool_trust();
	test_output_temp();
	return unit_done("unit-push");
}
