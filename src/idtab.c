/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "idtab.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

void
idtab_free(struct idtab *t)
{
	free(t->ids);
	free(t->hashes);
	memset(t, 0, sizeof(*t));
}

uint32_t
idtab_find(const struct idtab *t, uint64_t hash, idtab_eq_fn eq,
	   const void *ctx, const void *key)
{
	size_t i;

	if (!t->cap)
		return 0;
	for (i = hash & (t->cap - 1); t->ids[i]; i = (i + 1) & (t->cap - 1))
		if (t->hashes[i] == hash && eq(ctx, t->ids[i], key))
			return t->ids[i];
	return 0;
}

static void
put(uint32_t *ids, uint64_t *hashes, size_t cap, uint64_t hash, uint32_t id)
{
	size_t i = hash & (cap - 1);

	while (ids[i])
		i = (i + 1) & (cap - 1);
	ids[i] = id;
	hashes[i] = hash;
}

void
idtab_insert(struct idtab *t, uint64_t hash, uint32_t id)
{
	if ((t->n + 1) * 2 > t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64, i;
		uint32_t *ids = xcalloc(ncap, sizeof(*ids));
		uint64_t *hashes = xcalloc(ncap, sizeof(*hashes));

		for (i = 0; i < t->cap; i++)
			if (t->ids[i])
				put(ids, hashes, ncap, t->hashes[i],
				    t->ids[i]);
		free(t->ids);
		free(t->hashes);
		t->ids = ids;
		t->hashes = hashes;
		t->cap = ncap;
	}
	put(t->ids, t->hashes, t->cap, hash, id);
	t->n++;
}

uint64_t
hash_bytes(const void *p, size_t n)
{
	const uint8_t *s = p;
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ull;
	}
	return hash_u64(h);
}

uint64_t
hash_u64(uint64_t v)
{
	/* splitmix64 finaliser: spreads sequential addresses. */
	v ^= v >> 30;
	v *= 0xbf58476d1ce4e5b9ull;
	v ^= v >> 27;
	v *= 0x94d049bb133111ebull;
	v ^= v >> 31;
	return v;
}
