/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "push-config.h"
#include "parse.h"
#include "xmalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TIMEOUT_MAX_NS		(600 * 1000000000ull)
#define SPOOL_MAX_MIN		(64 * 1024ull)
#define SPOOL_MAX_MAX		(1024ull * 1024 * 1024 * 1024)
#define SINK_NAME_MAX		64

static const char *const type_names[PUSH_NTYPES] = {
	"cpu", "wall", "memory", "threads",
};

const char *
push_type_name(unsigned type)
{
	size_t i;

	for (i = 0; i < PUSH_NTYPES; i++)
		if (type == 1u << i)
			return type_names[i];
	return "?";
}

void
push_types_format(unsigned types, char *buf, size_t len)
{
	size_t i, n = 0;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < PUSH_NTYPES; i++) {
		if (!(types & (1u << i)))
			continue;
		n += snprintf(buf + n, n < len ? len - n : 0, "%s%s",
			      n ? "," : "", type_names[i]);
	}
}

int
push_types_parse(const char *s, unsigned *out, struct pp_err *err)
{
	const char *p = s;

	*out = 0;
	while (*p) {
		size_t n = strcspn(p, ","), i;

		for (i = 0; i < PUSH_NTYPES; i++)
			if (strlen(type_names[i]) == n &&
			    strncmp(p, type_names[i], n) == 0)
				break;
		if (i == PUSH_NTYPES)
			return pp_err_set(err, EINVAL,
					  "'%s': unknown profile type '%.*s' (expected cpu or wall, memory, threads)",
					  s, (int) n, p);
		*out |= 1u << i;
		p += n;
		if (*p == ',')
			p++;
	}
	if (!*out)
		return pp_err_set(err, EINVAL, "no profile type given");
	return 0;
}

void
push_config_init(struct push_config *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = MODE_WALL;
	c->rate = 100;
	c->sampler = SAMPLER_AUTO;
	c->who.max_processes = PIDSEL_MAX_PIDS;
}

void
push_pid_args_free(struct pid_args *a)
{
	size_t i;

	for (i = 0; i < a->nnames; i++)
		free((char *) a->names[i]);
	for (i = 0; i < a->npidfiles; i++)
		free((char *) a->pidfiles[i]);
	a->nnames = a->npidfiles = 0;
}

void
push_pid_args_copy(struct pid_args *dst, const struct pid_args *a)
{
	size_t i;

	*dst = *a;
	for (i = 0; i < a->nnames; i++)
		dst->names[i] = xstrdup(a->names[i]);
	for (i = 0; i < a->npidfiles; i++)
		dst->pidfiles[i] = xstrdup(a->pidfiles[i]);
}

void
push_config_forget_processes(struct push_config *c)
{
	push_pid_args_free(&c->who);
	c->who.npids = 0;
}

bool
push_pid_args_equal(const struct pid_args *a, const struct pid_args *b)
{
	size_t i;

	if (a->npids != b->npids || a->nnames != b->nnames ||
	    a->npidfiles != b->npidfiles || a->children != b->children ||
	    a->max_processes != b->max_processes)
		return false;
	for (i = 0; i < a->npids; i++)
		if (a->pids[i] != b->pids[i])
			return false;
	for (i = 0; i < a->nnames; i++)
		if (strcmp(a->names[i], b->names[i]) != 0)
			return false;
	for (i = 0; i < a->npidfiles; i++)
		if (strcmp(a->pidfiles[i], b->pidfiles[i]) != 0)
			return false;
	return true;
}

/* pid: a process id or a comma list, appended (each once). */
static int
add_pids(struct pid_args *a, const char *v, struct pp_err *err)
{
	const char *p = v, *why;
	char tok[32];

	for (;;) {
		size_t len = strcspn(p, ",");
		pid_t pid;
		size_t i;

		if (len >= sizeof(tok))
			return pp_err_set(err, EINVAL, "'%s': not a process id",
					  v);
		memcpy(tok, p, len);
		tok[len] = '\0';
		if (parse_pid(tok, &pid, &why) < 0)
			return pp_err_set(err, EINVAL, "'%s': %s", v, why);
		for (i = 0; i < a->npids && a->pids[i] != pid; i++)
			;
		if (i == a->npids) {
			if (a->npids == PIDSEL_MAX_PIDS)
				return pp_err_set(err, EINVAL,
						  "too many processes: %d at most",
						  PIDSEL_MAX_PIDS);
			a->pids[a->npids++] = pid;
		}
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

/* name or pidfile: a copy appended. */
static int
add_source(struct pid_args *a, bool is_name, const char *v,
	   struct pp_err *err)
{
	if (!*v)
		return pp_err_set(err, EINVAL, "empty");
	if (a->nnames + a->npidfiles == PIDSEL_MAX_SOURCES)
		return pp_err_set(err, EINVAL,
				  "too many names and pidfiles: %d at most",
				  PIDSEL_MAX_SOURCES);
	if (is_name)
		a->names[a->nnames++] = xstrdup(v);
	else
		a->pidfiles[a->npidfiles++] = xstrdup(v);
	return 0;
}

static void
sink_opts_free(struct push_sink_opts *o)
{
	size_t i;

	free(o->app);
	for (i = 0; i < o->ntags; i++) {
		free(o->tags[i].key);
		free(o->tags[i].value);
	}
	free(o->token_env);
	free(o->basic_user);
	free(o->basic_password_env);
	free(o->tenant);
	for (i = 0; i < o->nheaders; i++)
		free(o->headers[i]);
	memset(o, 0, sizeof(*o));
}

void
push_config_free(struct push_config *c)
{
	size_t i;

	for (i = 0; i < c->nsinks; i++) {
		free(c->sinks[i].name);
		free(c->sinks[i].url);
		free(c->sinks[i].where);
		sink_opts_free(&c->sinks[i].o);
	}
	free(c->spool_dir);
	sink_opts_free(&c->defaults);
	push_pid_args_free(&c->who);
	memset(c, 0, sizeof(*c));
}

static void
set_string(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static struct push_sink_conf *
find_sink(struct push_config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nsinks; i++)
		if (strcmp(c->sinks[i].name, name) == 0)
			return &c->sinks[i];
	return NULL;
}

static struct push_sink_conf *
new_sink(struct push_config *c, const char *name, struct pp_err *err)
{
	struct push_sink_conf *s;

	if (c->nsinks == PUSH_MAX_SINKS) {
		pp_err_set(err, E2BIG, "too many sinks (at most %d)",
			   PUSH_MAX_SINKS);
		return NULL;
	}
	s = &c->sinks[c->nsinks++];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	return s;
}

static int
check_env_name(const char *v, struct pp_err *err)
{
	const char *p;

	if (!*v)
		return pp_err_set(err, EINVAL,
				  "expected the name of an environment variable");
	for (p = v; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      *p == '_' || (p > v && *p >= '0' && *p <= '9')))
			/* Not repeated: it may be the secret itself,
			 * given where its variable's name belongs. */
			return pp_err_set(err, EINVAL,
					  "not the name of an environment variable (the variable's name is wanted, not its value)");
	return 0;
}

static int
check_text(const char *v, const char *what, struct pp_err *err)
{
	const char *p;

	if (!*v)
		return pp_err_set(err, EINVAL, "empty %s", what);
	for (p = v; *p; p++)
		if ((unsigned char) *p < ' ' || *p == 0x7f)
			return pp_err_set(err, EINVAL,
					  "a %s cannot hold control characters",
					  what);
	return 0;
}

static int
set_tag(struct push_sink_opts *o, const char *v, struct pp_err *err)
{
	const char *eq = strchr(v, '='), *ks = v, *ke, *vs, *ve;
	size_t i, klen;

	if (!eq)
		return pp_err_set(err, EINVAL, "'%s': expected KEY=VALUE", v);
	/* Blanks around the key and the value do not count. */
	ke = eq;
	while (ks < ke && (*ks == ' ' || *ks == '\t'))
		ks++;
	while (ke > ks && (ke[-1] == ' ' || ke[-1] == '\t'))
		ke--;
	vs = eq + 1;
	while (*vs == ' ' || *vs == '\t')
		vs++;
	ve = vs + strlen(vs);
	while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\t'))
		ve--;
	if (ks == ke)
		return pp_err_set(err, EINVAL, "'%s': expected KEY=VALUE", v);
	klen = (size_t) (ke - ks);
	for (i = 0; i < o->ntags; i++) {
		if (strlen(o->tags[i].key) == klen &&
		    strncmp(o->tags[i].key, ks, klen) == 0) {
			free(o->tags[i].value);
			o->tags[i].value = xstrndup(vs, (size_t) (ve - vs));
			return 0;
		}
	}
	if (o->ntags == PUSH_MAX_TAGS)
		return pp_err_set(err, E2BIG, "too many tags (at most %d)",
				  PUSH_MAX_TAGS);
	o->tags[o->ntags].key = xstrndup(ks, klen);
	o->tags[o->ntags].value = xstrndup(vs, (size_t) (ve - vs));
	o->ntags++;
	return 0;
}

static int
set_duration(uint64_t *dst, const char *v, uint64_t lo, uint64_t hi,
	     struct pp_err *err)
{
	const char *why;
	uint64_t ns;

	if (parse_duration(v, &ns, &why) < 0)
		return pp_err_set(err, EINVAL, "'%s': %s", v, why);
	if (ns < lo || ns > hi)
		return pp_err_set(err, ERANGE, "'%s': out of range (%gs to %gs)",
				  v, lo / 1e9, hi / 1e9);
	*dst = ns;
	return 0;
}

/* A setting a sink may have of its own; 1 when @key is not one. */
static int
set_sink_opt(struct push_sink_opts *o, const char *key, const char *v,
	     struct pp_err *err)
{
	if (strcmp(key, "app") == 0) {
		if (check_text(v, "application name", err) < 0)
			return -1;
		set_string(&o->app, v);
	} else if (strcmp(key, "tag") == 0) {
		return set_tag(o, v, err);
	} else if (strcmp(key, "types") == 0) {
		return push_types_parse(v, &o->types, err);
	} else if (strcmp(key, "auth-token-env") == 0) {
		if (check_env_name(v, err) < 0)
			return -1;
		set_string(&o->token_env, v);
	} else if (strcmp(key, "basic-user") == 0) {
		if (check_text(v, "user name", err) < 0)
			return -1;
		if (strchr(v, ':'))
			return pp_err_set(err, EINVAL,
					  "a user name cannot hold ':'");
		set_string(&o->basic_user, v);
	} else if (strcmp(key, "basic-password-env") == 0) {
		if (check_env_name(v, err) < 0)
			return -1;
		set_string(&o->basic_password_env, v);
	} else if (strcmp(key, "tenant") == 0) {
		if (tenant_check(v, err) < 0)
			return -1;
		set_string(&o->tenant, v);
	} else if (strcmp(key, "header") == 0) {
		if (header_check(v, err) < 0)
			return -1;
		if (o->nheaders == PUSH_MAX_HEADERS)
			return pp_err_set(err, E2BIG,
					  "too many headers (at most %d)",
					  PUSH_MAX_HEADERS);
		o->headers[o->nheaders++] = xstrdup(v);
	} else if (strcmp(key, "connect-timeout") == 0) {
		return set_duration(&o->connect_timeout_ns, v, 1000000,
				    TIMEOUT_MAX_NS, err);
	} else if (strcmp(key, "timeout") == 0) {
		return set_duration(&o->timeout_ns, v, 1000000,
				    TIMEOUT_MAX_NS, err);
	} else {
		return 1;
	}
	return 0;
}

static int
parse_bool(const char *v, bool *out, struct pp_err *err)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	if (!v) {
		*out = true;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return pp_err_set(err, EINVAL, "'%s': expected yes or no", v);
}

/* A top-level setting; 1 when @key is not one. */
static int
set_global(struct push_config *c, const char *key, const char *v,
	   struct pp_err *err)
{
	const char *why;

	if (strcmp(key, "pid") == 0) {
		return add_pids(&c->who, v, err);
	} else if (strcmp(key, "name") == 0 || strcmp(key, "pidfile") == 0) {
		return add_source(&c->who, key[1] == 'a', v, err);
	} else if (strcmp(key, "children") == 0) {
		return parse_bool(v, &c->who.children, err);
	} else if (strcmp(key, "max-processes") == 0) {
		long n;

		if (parse_int(v, &n, &why) < 0 ||
		    ((n < 1 || n > PIDSEL_MAX_PIDS) &&
		     (why = "from 1 to 256")))
			return pp_err_set(err, EINVAL, "'%s': %s", v, why);
		c->who.max_processes = (size_t) n;
	} else if (strcmp(key, "mode") == 0) {
		if (strcmp(v, "wall") == 0)
			c->mode = MODE_WALL;
		else if (strcmp(v, "cpu") == 0)
			c->mode = MODE_CPU;
		else
			return pp_err_set(err, EINVAL,
					  "'%s': expected wall or cpu", v);
		c->mode_set = true;
	} else if (strcmp(key, "sampler") == 0) {
		if (strcmp(v, "auto") == 0)
			c->sampler = SAMPLER_AUTO;
		else if (strcmp(v, "perf") == 0)
			c->sampler = SAMPLER_PERF;
		else if (strcmp(v, "ptrace") == 0)
			c->sampler = SAMPLER_PTRACE;
		else
			return pp_err_set(err, EINVAL,
					  "'%s': expected auto, perf or ptrace",
					  v);
	} else if (strcmp(key, "rate") == 0) {
		if (parse_int(v, &c->rate, &why) < 0)
			return pp_err_set(err, EINVAL, "'%s': %s", v, why);
		c->rate_set = true;
	} else if (strcmp(key, "window") == 0) {
		return set_duration(&c->window_ns, v, PUSH_MIN_WINDOW_NS,
				    PUSH_MAX_WINDOW_NS, err);
	} else if (strcmp(key, "spool-dir") == 0) {
		if (check_text(v, "directory name", err) < 0)
			return -1;
		set_string(&c->spool_dir, v);
	} else if (strcmp(key, "spool-max") == 0) {
		if (parse_size(v, SPOOL_MAX_MIN, SPOOL_MAX_MAX, &c->spool_max,
			       &why) < 0)
			return pp_err_set(err, EINVAL,
					  "'%s': %s (64K to 1024G)", v, why);
	} else if (strcmp(key, "quiet") == 0) {
		return parse_bool(v, &c->quiet, err);
	} else if (strcmp(key, "no-idle") == 0) {
		return parse_bool(v, &c->no_idle, err);
	} else if (strcmp(key, "idle") == 0) {
		bool keep;

		if (parse_bool(v, &keep, err) < 0)
			return -1;
		c->no_idle = !keep;
	} else if (strcmp(key, "verbose") == 0) {
		long n;

		if (!v) {
			c->verbose++;
			return 0;
		}
		if (parse_int(v, &n, &why) < 0 || n < 0 || n > 9)
			return pp_err_set(err, EINVAL,
					  "'%s': expected 0 to 9", v);
		c->verbose = (int) n;
	} else {
		return 1;
	}
	return 0;
}

static bool
sink_name_ok(const char *n)
{
	const char *p;

	if (!*n || strlen(n) > SINK_NAME_MAX)
		return false;
	for (p = n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_.-", *p)))
			return false;
	return true;
}

/* The sink of section "sink NAME", created when new. */
static struct push_sink_conf *
section_sink(struct push_config *c, const char *section, struct pp_err *err)
{
	struct push_sink_conf *s;
	const char *name;

	if (strncmp(section, "sink", 4) != 0 ||
	    (section[4] != ' ' && section[4] != '\t')) {
		pp_err_set(err, EINVAL,
			   "unknown section [%s]: expected [sink NAME]",
			   section);
		return NULL;
	}
	name = section + 5;
	while (*name == ' ' || *name == '\t')
		name++;
	if (!sink_name_ok(name)) {
		pp_err_set(err, EINVAL,
			   "sink name '%s': use 1 to %d letters, digits, _ . or -",
			   name, SINK_NAME_MAX);
		return NULL;
	}
	s = find_sink(c, name);
	return s ? s : new_sink(c, name, err);
}

static enum sink_kind
kind_by_name(const char *v)
{
	if (strcmp(v, "pyroscope") == 0)
		return SINK_PYROSCOPE;
	if (strcmp(v, "profefe") == 0)
		return SINK_PROFEFE;
	return SINK_NONE;
}

static int
set_url(struct push_sink_conf *s, const char *v, struct pp_err *err)
{
	if (url_check(v, err) < 0)
		return -1;
	set_string(&s->url, v);
	return 0;
}

int
push_config_set(struct push_config *c, const char *section, const char *key,
		const char *value, struct pp_err *err)
{
	struct push_sink_conf *s = NULL;
	enum sink_kind kind = kind_by_name(key);
	int rc;

	if (strcmp(key, "verbose") != 0 && strcmp(key, "quiet") != 0 &&
	    strcmp(key, "idle") != 0 && strcmp(key, "no-idle") != 0 &&
	    strcmp(key, "children") != 0 && !value)
		return pp_err_set(err, EINVAL, "needs a value");
	if (section) {
		s = section_sink(c, section, err);
		if (!s)
			return -1;
		if (strcmp(key, "kind") == 0) {
			s->kind = kind_by_name(value);
			if (!s->kind)
				return pp_err_set(err, EINVAL,
						  "'%s': expected pyroscope or profefe",
						  value);
			return 0;
		}
		if (strcmp(key, "url") == 0)
			return set_url(s, value, err);
		if (kind) {
			s->kind = kind;
			return set_url(s, value, err);
		}
		rc = set_sink_opt(&s->o, key, value, err);
		if (rc > 0)
			return pp_err_set(err, EINVAL,
					  "not a setting of a sink (put it before the first section)");
		return rc;
	}
	if (kind) {
		char name[SINK_NAME_MAX + 8];
		int n = 1;

		snprintf(name, sizeof(name), "%s", key);
		while (find_sink(c, name))
			snprintf(name, sizeof(name), "%s-%d", key, ++n);
		if (url_check(value, err) < 0)
			return -1;
		s = new_sink(c, name, err);
		if (!s)
			return -1;
		s->kind = kind;
		s->url = xstrdup(value);
		c->current = s;
		return 0;
	}
	if (strcmp(key, "kind") == 0 || strcmp(key, "url") == 0)
		return pp_err_set(err, EINVAL, "only inside a [sink NAME] section");
	rc = set_sink_opt(c->current ? &c->current->o : &c->defaults, key,
			  value, err);
	if (rc <= 0)
		return rc;
	rc = set_global(c, key, value, err);
	if (rc > 0)
		return pp_err_set(err, EINVAL, "unknown setting");
	return rc;
}

int
push_config_apply_file(struct push_config *c, const struct config *f,
		       struct pp_err *err)
{
	struct pp_err e;
	size_t i;

	/* Sections make their sinks in file order, even empty ones. */
	for (i = 0; i < f->nsections; i++) {
		struct push_sink_conf *s;

		s = section_sink(c, f->sections[i].name, &e);
		if (!s)
			return pp_err_set(err, e.errnum, "%s:%d: %s", f->file,
					  f->sections[i].line, e.text);
		if (!s->where)
			s->where = xasprintf("%s:%d", f->file,
					     f->sections[i].line);
	}
	/* The file's top level acts as the start of a command line. */
	c->current = NULL;
	for (i = 0; i < f->n; i++) {
		const struct config_entry *ent = &f->v[i];

		if (strcmp(ent->key, "config") == 0)
			return pp_err_set(err, EINVAL,
					  "%s:%d: config: a file cannot name another",
					  f->file, ent->line);
		if (strcmp(ent->key, "help") == 0)
			return pp_err_set(err, EINVAL, "%s:%d: help: unknown setting",
					  f->file, ent->line);
		if (push_config_set(c, ent->section, ent->key, ent->value,
				    &e) < 0)
			return pp_err_set(err, e.errnum, "%s:%d: %s: %s",
					  f->file, ent->line, ent->key,
					  e.text);
	}
	c->current = NULL;
	return 0;
}

/* --- resolution ------------------------------------------------------ */

static void
merge_tags(const struct push_sink_opts *d, const struct push_sink_opts *o,
	   struct push_sink *out)
{
	const struct push_sink_opts *src[2] = { d, o };
	size_t k, i, j;

	out->ntags = 0;
	for (k = 0; k < 2; k++) {
		for (i = 0; i < src[k]->ntags; i++) {
			const struct push_tag *t = &src[k]->tags[i];

			for (j = 0; j < out->ntags; j++)
				if (strcmp(out->tags[j].key, t->key) == 0)
					break;
			if (j == out->ntags) {
				if (j == PUSH_MAX_TAGS)
					continue;
				out->tags[j].key = xstrdup(t->key);
				out->tags[j].value = NULL;
				out->ntags++;
			}
			free(out->tags[j].value);
			out->tags[j].value = xstrdup(t->value);
		}
	}
	/* An empty value removes a tag the sink would inherit. */
	for (i = j = 0; i < out->ntags; i++) {
		if (!*out->tags[i].value) {
			free(out->tags[i].key);
			free(out->tags[i].value);
			continue;
		}
		out->tags[j++] = out->tags[i];
	}
	out->ntags = j;
	for (i = 1; i < out->ntags; i++) {
		struct push_tag t = out->tags[i];

		for (j = i; j > 0 && strcmp(out->tags[j - 1].key, t.key) > 0;
		     j--)
			out->tags[j] = out->tags[j - 1];
		out->tags[j] = t;
	}
}

static bool
same_header_name(const char *a, const char *b)
{
	size_t n = strcspn(a, ":");

	return n == strcspn(b, ":") && strncasecmp(a, b, n) == 0;
}

static void
merge_headers(const struct push_sink_opts *d, const struct push_sink_opts *o,
	      struct push_sink *out)
{
	size_t i, j;

	out->nheaders = 0;
	for (i = 0; i < d->nheaders; i++) {
		for (j = 0; j < o->nheaders; j++)
			if (same_header_name(d->headers[i], o->headers[j]))
				break;
		if (j == o->nheaders)
			out->headers[out->nheaders++] = xstrdup(d->headers[i]);
	}
	for (i = 0; i < o->nheaders && out->nheaders < PUSH_MAX_HEADERS; i++)
		out->headers[out->nheaders++] = xstrdup(o->headers[i]);
}

static const char *
pick(const char *own, const char *def)
{
	return own ? own : def;
}

/* A secret from variable @name; @given: the name was set explicitly. */
static int
read_secret(const char *name, bool given, char **out, const char *what,
	    struct pp_err *err)
{
	const char *v = getenv(name);

	*out = NULL;
	if (v && *v) {
		*out = xstrdup(v);
		return 0;
	}
	if (!given)
		return 0;
	/* A token given where its variable's name belongs can pass for a
	 * name; only a name spelled like one (PIDPROF_AUTH_TOKEN) is
	 * repeated. */
	if (name[strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")] ||
	    strlen(name) > 40)
		return pp_err_set(err, ENOENT,
				  "%s: the environment variable named is %s",
				  what, v ? "empty" : "not set");
	return pp_err_set(err, ENOENT, "%s: environment variable %s is %s",
			  what, name, v ? "empty" : "not set");
}

static int
resolve_sink(const struct push_config *c, const struct push_sink_conf *sc,
	     const char *default_app, struct push_sink *s, struct pp_err *err)
{
	const struct push_sink_opts *d = &c->defaults, *o = &sc->o;
	const char *env;
	char *pw;
	bool url_has_password;
	size_t i;

	s->name = xstrdup(sc->name);
	s->kind = sc->kind;
	if (!sc->kind)
		return pp_err_set(err, EINVAL,
				  "no kind: add 'kind = pyroscope' or 'kind = profefe'");
	if (!sc->url)
		return pp_err_set(err, EINVAL, "no URL: add 'url = http://...'");
	s->url = xstrdup(sc->url);
	i = strlen(s->url);
	while (i > 0 && s->url[i - 1] == '/')
		s->url[--i] = '\0';
	s->url_shown = url_mask_password(s->url);
	s->app = xstrdup(pick(o->app, pick(d->app, default_app)));
	if (s->kind == SINK_PYROSCOPE &&
	    pyroscope_check_app(s->app, err) < 0)
		return -1;
	merge_tags(d, o, s);
	for (i = 0; i < s->ntags; i++) {
		if (s->kind == SINK_PYROSCOPE &&
		    pyroscope_check_tag(s->tags[i].key, s->tags[i].value,
					err) < 0)
			return -1;
		if (check_text(s->tags[i].value, "tag value", err) < 0)
			return -1;
	}
	s->types = o->types ? o->types : d->types;
	env = pick(o->token_env, d->token_env);
	if (read_secret(env ? env : PUSH_DEFAULT_TOKEN_ENV, env != NULL,
			&s->token, "--auth-token-env", err) < 0)
		return -1;
	s->basic_user = o->basic_user || d->basic_user ?
			xstrdup(pick(o->basic_user, d->basic_user)) : NULL;
	env = pick(o->basic_password_env, d->basic_password_env);
	if (s->basic_user) {
		if (read_secret(env ? env : PUSH_DEFAULT_PASSWORD_ENV, true,
				&s->basic_password,
				"--basic-user needs a password", err) < 0)
			return -1;
	} else if (env) {
		return pp_err_set(err, EINVAL,
				  "--basic-password-env without --basic-user");
	}
	pw = url_password(s->url);
	url_has_password = pw != NULL;
	free(pw);
	if (url_has_password && s->basic_user)
		return pp_err_set(err, EINVAL,
				  "a user in the URL and --basic-user: give one of them");
	s->tenant = o->tenant || d->tenant ?
		    xstrdup(pick(o->tenant, d->tenant)) : NULL;
	merge_headers(d, o, s);
	s->connect_timeout_ns = o->connect_timeout_ns ? o->connect_timeout_ns :
				d->connect_timeout_ns ? d->connect_timeout_ns :
				PUSH_DEFAULT_CONNECT_TIMEOUT_NS;
	s->timeout_ns = o->timeout_ns ? o->timeout_ns :
			d->timeout_ns ? d->timeout_ns : PUSH_DEFAULT_TIMEOUT_NS;
	return 0;
}

int
push_config_resolve(const struct push_config *c, const char *default_app,
		    struct push_plan *p, struct pp_err *err)
{
	unsigned given = 0, sampled, modebit;
	char what[SINK_NAME_MAX + 256];
	struct pp_err e;
	size_t i;

	memset(p, 0, sizeof(*p));
	if (!c->nsinks)
		return pp_err_set(err, EINVAL,
				  "no sink: give --pyroscope URL or --profefe URL, or a [sink NAME] section in the -c file");
	for (i = 0; i < c->nsinks; i++) {
		const struct push_sink_conf *sc = &c->sinks[i];

		if (sc->where)
			snprintf(what, sizeof(what), "%s: sink %s", sc->where,
				 sc->name);
		else
			snprintf(what, sizeof(what), "sink %s", sc->name);
		p->nsinks++;
		if (resolve_sink(c, sc, default_app, &p->sinks[i], &e) < 0) {
			pp_err_set(err, e.errnum, "%s: %s", what, e.text);
			goto fail;
		}
		given |= p->sinks[i].types;
	}
	sampled = given & (PUSH_CPU | PUSH_WALL);
	if (sampled == (PUSH_CPU | PUSH_WALL)) {
		pp_err_set(err, EINVAL,
			   "--types: cpu and wall are both asked for, but the sampler runs in one mode at a time");
		goto fail;
	}
	if (c->mode_set) {
		p->mode = c->mode;
		modebit = c->mode == MODE_CPU ? PUSH_CPU : PUSH_WALL;
		if (sampled && sampled != modebit) {
			pp_err_set(err, EINVAL,
				   "--types asks for %s profiles, but --mode is %s",
				   push_type_name(sampled),
				   sample_mode_name(c->mode));
			goto fail;
		}
	} else {
		p->mode = sampled == PUSH_CPU ? MODE_CPU : MODE_WALL;
		modebit = sampled ? sampled : PUSH_WALL;
	}
	for (i = 0; i < p->nsinks; i++) {
		if (!p->sinks[i].types)
			p->sinks[i].types = modebit | PUSH_MEMORY;
		p->types |= p->sinks[i].types;
	}
	push_pid_args_copy(&p->who, &c->who);
	p->pid = c->who.npids ? c->who.pids[0] : 0;
	p->rate_asked = c->rate;
	p->no_idle = c->no_idle;
	p->sampler = c->sampler;
	p->rate_hz = c->rate < RATE_MIN ? RATE_MIN :
		     c->rate > RATE_MAX ? RATE_MAX : (int) c->rate;
	p->window_ns = c->window_ns ? c->window_ns : PUSH_DEFAULT_WINDOW_NS;
	p->spool_dir = c->spool_dir ? xstrdup(c->spool_dir) : NULL;
	p->spool_max = c->spool_max ? c->spool_max : PUSH_DEFAULT_SPOOL_MAX;
	p->quiet = c->quiet;
	p->verbose = c->verbose;
	return 0;
fail:
	push_plan_free(p);
	return -1;
}

void
push_plan_free(struct push_plan *p)
{
	size_t i, k;

	for (i = 0; i < p->nsinks; i++) {
		struct push_sink *s = &p->sinks[i];

		free(s->name);
		free(s->url);
		free(s->url_shown);
		free(s->app);
		for (k = 0; k < s->ntags; k++) {
			free(s->tags[k].key);
			free(s->tags[k].value);
		}
		free(s->token);
		free(s->basic_user);
		free(s->basic_password);
		free(s->tenant);
		for (k = 0; k < s->nheaders; k++)
			free(s->headers[k]);
	}
	free(p->spool_dir);
	push_pid_args_free(&p->who);
	memset(p, 0, sizeof(*p));
}
