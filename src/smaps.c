/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "smaps.h"
#include "xmalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *key;
	size_t off;
} fields[] = {
	{ "Size", offsetof(struct smaps_entry, size) },
	{ "Rss", offsetof(struct smaps_entry, rss) },
	{ "Pss", offsetof(struct smaps_entry, pss) },
	{ "Shared_Clean", offsetof(struct smaps_entry, shared_clean) },
	{ "Shared_Dirty", offsetof(struct smaps_entry, shared_dirty) },
	{ "Private_Clean", offsetof(struct smaps_entry, private_clean) },
	{ "Private_Dirty", offsetof(struct smaps_entry, private_dirty) },
	{ "Anonymous", offsetof(struct smaps_entry, anonymous) },
	{ "Swap", offsetof(struct smaps_entry, swap) },
	{ "SwapPss", offsetof(struct smaps_entry, swap_pss) },
	{ "Locked", offsetof(struct smaps_entry, locked) },
	{ "AnonHugePages", offsetof(struct smaps_entry, anon_huge) },
};

/* "Key:   1234 kB": the key and the value in bytes.  Returns -1 when
 * the line is not of that shape; *known is false for keys we skip. */
static int
parse_field(const char *line, size_t len, struct smaps_entry *e, bool *known)
{
	const char *colon = memchr(line, ':', len);
	const char *p, *end = line + len;
	unsigned long long v = 0;
	size_t klen, i;

	*known = false;
	if (!colon || colon == line)
		return -1;
	klen = colon - line;
	for (i = 0; i < klen; i++)
		if (line[i] == ' ' || line[i] == '\t')
			return -1;
	/* VmFlags and the like carry words, not sizes. */
	for (i = 0; i < ARRAY_SIZE(fields); i++)
		if (strlen(fields[i].key) == klen &&
		    memcmp(fields[i].key, line, klen) == 0)
			break;
	if (i == ARRAY_SIZE(fields))
		return 0;
	p = colon + 1;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p < '0' || *p > '9')
		return -1;
	while (p < end && *p >= '0' && *p <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*p++ - '0');
	}
	while (p < end && *p == ' ')
		p++;
	if (end - p == 2 && memcmp(p, "kB", 2) == 0) {
		if (v > UINT64_MAX / 1024)
			return -1;
		v *= 1024;
	} else if (p != end) {
		return -1;
	}
	*(uint64_t *) ((char *) e + fields[i].off) = v;
	*known = true;
	return 0;
}

/* A mapping header is a maps line ("start-end perms ..."); a field line
 * is "Key: value".  The first word tells them apart. */
static bool
is_header(const char *line, size_t len)
{
	size_t i;
	bool dash = false;

	for (i = 0; i < len && line[i] != ' ' && line[i] != '\t'; i++) {
		if (line[i] == ':')
			return false;
		if (line[i] == '-')
			dash = true;
	}
	return dash;
}

int
smaps_parse(const char *text, size_t len, struct smaps *out,
	    struct pp_err *err)
{
	const char *p = text, *end = text + len;
	size_t cap = 0, lineno = 0;
	struct smaps_entry *cur = NULL;

	out->v = NULL;
	out->n = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t l = nl ? (size_t) (nl - p) : (size_t) (end - p);
		bool known;

		lineno++;
		if (l == 0) {
			p += 1;
			continue;
		}
		if (is_header(p, l)) {
			struct maps one;
			struct pp_err e2;

			if (maps_parse(p, l, &one, &e2) < 0 || one.n != 1) {
				maps_free(&one);
				smaps_free(out);
				return pp_err_set(err, EINVAL,
						  "smaps line %zu: malformed mapping header",
						  lineno);
			}
			out->v = xgrow(out->v, &cap, out->n + 1,
				       sizeof(*out->v));
			cur = &out->v[out->n++];
			memset(cur, 0, sizeof(*cur));
			cur->start = one.v[0].start;
			cur->end = one.v[0].end;
			cur->pgoff = one.v[0].pgoff;
			cur->inode = one.v[0].inode;
			cur->dev_major = one.v[0].dev_major;
			cur->dev_minor = one.v[0].dev_minor;
			cur->perms = one.v[0].perms;
			cur->deleted = one.v[0].deleted;
			cur->path = one.v[0].path;	/* ownership moves */
			one.v[0].path = NULL;
			free(one.v);
		} else if (!cur || parse_field(p, l, cur, &known) < 0) {
			smaps_free(out);
			return pp_err_set(err, EINVAL,
					  "smaps line %zu: malformed field line",
					  lineno);
		}
		p += l + 1;
	}
	return 0;
}

void
smaps_free(struct smaps *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].path);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

const char *
mem_category_name(enum mem_category c)
{
	static const char *const names[] = {
		[MEM_HEAP] = "heap", [MEM_ANON] = "anonymous",
		[MEM_STACK] = "stack", [MEM_FILE] = "file",
		[MEM_SHARED] = "shared", [MEM_OTHER] = "other",
	};

	return c < MEM_NCATEGORIES ? names[c] : "other";
}

enum mem_category
smaps_classify(const struct smaps_entry *e, pid_t stack_tid, char *name,
	       size_t len)
{
	const char *path = e->path ? e->path : "";

	if (e->perms & MAP_PERM_SHARED) {
		if (path[0])
			snprintf(name, len, "%s%s", path,
				 e->deleted ? " (deleted)" : "");
		else
			snprintf(name, len, "[anon:shared]");
		return MEM_SHARED;
	}
	if (strcmp(path, "[heap]") == 0) {
		snprintf(name, len, "[heap]");
		return MEM_HEAP;
	}
	if (strcmp(path, "[stack]") == 0 || strncmp(path, "[stack:", 7) == 0) {
		snprintf(name, len, "%s", path);
		return MEM_STACK;
	}
	if (path[0] == '/') {
		snprintf(name, len, "%s%s", path,
			 e->deleted ? " (deleted)" : "");
		return MEM_FILE;
	}
	if (strncmp(path, "[anon:", 6) == 0) {
		snprintf(name, len, "%s", path);
		return MEM_ANON;
	}
	if (path[0] == '\0' && stack_tid > 0) {
		snprintf(name, len, "[stack:%d]", (int) stack_tid);
		return MEM_STACK;
	}
	if (path[0] == '\0') {
		snprintf(name, len, "[anon]");
		return MEM_ANON;
	}
	snprintf(name, len, "%s", path);
	return MEM_OTHER;
}

void
parse_proc_status(const char *text, struct proc_status *out)
{
	static const struct {
		const char *key;
		size_t off;
		bool kb;
	} keys[] = {
		{ "VmRSS", offsetof(struct proc_status, vm_rss), true },
		{ "VmSwap", offsetof(struct proc_status, vm_swap), true },
		{ "VmHWM", offsetof(struct proc_status, vm_hwm), true },
		{ "RssAnon", offsetof(struct proc_status, rss_anon), true },
		{ "RssFile", offsetof(struct proc_status, rss_file), true },
		{ "RssShmem", offsetof(struct proc_status, rss_shmem), true },
		{ "Threads", offsetof(struct proc_status, threads), false },
	};
	const char *p = text;

	memset(out, 0, sizeof(*out));
	while (p && *p) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(keys); i++) {
			size_t kl = strlen(keys[i].key);
			unsigned long long v;

			if (strncmp(p, keys[i].key, kl) != 0 || p[kl] != ':' ||
			    sscanf(p + kl + 1, "%llu", &v) != 1)
				continue;
			*(uint64_t *) ((char *) out + keys[i].off) =
				keys[i].kb ? v * 1024 : v;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}
