/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "strtab.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

void
strtab_init(struct strtab *t)
{
	memset(t, 0, sizeof(*t));
}

void
strtab_free(struct strtab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	idtab_free(&t->index);
	memset(t, 0, sizeof(*t));
}

static bool
str_eq(const void *ctx, uint32_t id, const void *key)
{
	const struct strtab *t = ctx;

	return strcmp(t->v[id - 1], key) == 0;
}

uint32_t
strtab_intern(struct strtab *t, const char *s)
{
	uint64_t h;
	uint32_t id;

	if (!s)
		s = "";
	h = hash_bytes(s, strlen(s));
	id = idtab_find(&t->index, h, str_eq, t, s);
	if (id)
		return id - 1;
	t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof(*t->v));
	t->v[t->n++] = xstrdup(s);
	idtab_insert(&t->index, h, t->n);
	return t->n - 1;
}
