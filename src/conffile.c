/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "conffile.h"
#include "buf.h"
#include "procfs.h"
#include "xmalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Larger files are surely not configuration. */
#define CONFIG_MAX_BYTES	(1024 * 1024)

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* [start, end) without the blanks around it. */
static void
trim(const char **start, const char **end)
{
	while (*start < *end && is_blank(**start))
		(*start)++;
	while (*end > *start && is_blank((*end)[-1]))
		(*end)--;
}

static bool
is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

static bool
is_var_char(char c, bool first)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/* Appends [p, end) with ${VAR} and $$ expanded. */
static int
expand(const char *p, const char *end, config_env_fn env, void *arg,
       struct buf *out, const char *file, int line, struct pp_err *err)
{
	while (p < end) {
		const char *name, *val;
		char *var;

		if (*p != '$' || p + 1 == end ||
		    (p[1] != '{' && p[1] != '$')) {
			buf_putc(out, (uint8_t) *p++);
			continue;
		}
		if (p[1] == '$') {
			buf_putc(out, '$');
			p += 2;
			continue;
		}
		name = p + 2;
		for (p = name; p < end && *p != '}'; p++)
			if (!is_var_char(*p, p == name))
				return pp_err_set(err, EINVAL,
						  "%s:%d: bad character '%c' in the variable name after ${ (write $$ for a plain $)",
						  file, line, *p);
		if (p == end)
			return pp_err_set(err, EINVAL,
					  "%s:%d: ${ without its closing }",
					  file, line);
		if (p == name)
			return pp_err_set(err, EINVAL,
					  "%s:%d: empty variable name in ${}",
					  file, line);
		var = xstrndup(name, (size_t) (p - name));
		val = env ? env(var, arg) : NULL;
		if (!val) {
			pp_err_set(err, EINVAL,
				   "%s:%d: environment variable %s is not set",
				   file, line, var);
			free(var);
			return -1;
		}
		free(var);
		buf_append(out, val, strlen(val));
		p++;
	}
	return 0;
}

static char *
buf_string(struct buf *b)
{
	char *s;

	buf_putc(b, '\0');
	s = (char *) b->data;
	buf_init(b);
	return s;
}

static int
parse_section(struct config *c, const char *p, const char *end, int line,
	      struct pp_err *err)
{
	struct config_section *s;
	const char *close = memchr(p, ']', (size_t) (end - p));
	const char *ns, *ne;

	if (!close)
		return pp_err_set(err, EINVAL, "%s:%d: '[' without its ']'",
				  c->file, line);
	ns = close + 1;
	ne = end;
	trim(&ns, &ne);
	if (ns != ne)
		return pp_err_set(err, EINVAL,
				  "%s:%d: text after the section header",
				  c->file, line);
	ns = p + 1;
	ne = close;
	trim(&ns, &ne);
	if (ns == ne)
		return pp_err_set(err, EINVAL, "%s:%d: empty section name",
				  c->file, line);
	c->sections = xgrow(c->sections, &c->sections_cap, c->nsections + 1,
			    sizeof(*c->sections));
	s = &c->sections[c->nsections++];
	s->name = xstrndup(ns, (size_t) (ne - ns));
	s->line = line;
	return 0;
}

static int
parse_pair(struct config *c, const char *p, const char *end, int line,
	   config_env_fn env, void *arg, struct pp_err *err)
{
	const char *eq = memchr(p, '=', (size_t) (end - p));
	const char *ks = p, *ke, *vs, *ve, *k;
	struct config_entry *e;
	struct buf val;

	if (!eq)
		return pp_err_set(err, EINVAL,
				  "%s:%d: expected 'key = value' or '[section]'",
				  c->file, line);
	ke = eq;
	trim(&ks, &ke);
	if (ks == ke)
		return pp_err_set(err, EINVAL, "%s:%d: no key before '='",
				  c->file, line);
	for (k = ks; k < ke; k++)
		if (!is_key_char(*k))
			return pp_err_set(err, EINVAL,
					  "%s:%d: bad character '%c' in key '%.*s'",
					  c->file, line, *k, (int) (ke - ks),
					  ks);
	vs = eq + 1;
	ve = end;
	trim(&vs, &ve);
	if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
		vs++;
		ve--;
	} else if (vs < ve && (*vs == '"' || ve[-1] == '"')) {
		return pp_err_set(err, EINVAL,
				  "%s:%d: a quoted value must start and end with '\"'",
				  c->file, line);
	}
	buf_init(&val);
	if (expand(vs, ve, env, arg, &val, c->file, line, err) < 0) {
		buf_free(&val);
		return -1;
	}
	c->v = xgrow(c->v, &c->cap, c->n + 1, sizeof(*c->v));
	e = &c->v[c->n++];
	e->section = c->nsections ? c->sections[c->nsections - 1].name : NULL;
	e->key = xstrndup(ks, (size_t) (ke - ks));
	e->value = buf_string(&val);
	e->line = line;
	return 0;
}

int
config_parse(const char *text, size_t len, const char *file,
	     config_env_fn env, void *arg, struct config *out,
	     struct pp_err *err)
{
	const char *p = text, *end = text + len;
	int line = 0;

	memset(out, 0, sizeof(*out));
	out->file = xstrdup(file);
	if (memchr(text, '\0', len)) {
		pp_err_set(err, EINVAL, "%s: not a text file (it holds a NUL byte)",
			   file);
		goto fail;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		const char *le = nl ? nl : end, *s = p, *e;

		line++;
		p = nl ? nl + 1 : end;
		e = le;
		if (e > s && e[-1] == '\r')
			e--;
		trim(&s, &e);
		if (s == e || *s == '#')
			continue;
		if (*s == '[') {
			if (parse_section(out, s, e, line, err) < 0)
				goto fail;
		} else if (parse_pair(out, s, e, line, env, arg, err) < 0) {
			goto fail;
		}
	}
	return 0;
fail:
	config_free(out);
	return -1;
}

static const char *
process_env(const char *name, void *arg)
{
	return getenv(name);
}

int
config_read_file(const char *path, struct config *out, struct pp_err *err)
{
	char *text;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	if (procfs_read_file(path, &text, &len, err) < 0)
		return -1;
	if (len > CONFIG_MAX_BYTES) {
		free(text);
		return pp_err_set(err, EFBIG, "%s: too large for a configuration file",
				  path);
	}
	rc = config_parse(text, len, path, process_env, NULL, out, err);
	free(text);
	return rc;
}

void
config_free(struct config *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].key);
		free(c->v[i].value);
	}
	for (i = 0; i < c->nsections; i++)
		free(c->sections[i].name);
	free(c->v);
	free(c->sections);
	free(c->file);
	memset(c, 0, sizeof(*c));
}
