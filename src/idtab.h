/*
 * An open-addressing index from a key to a small integer id (ids start
 * at 1; 0 means absent).  Keys live with the caller; the table keeps
 * only ids and hashes, and asks the caller to compare.  Pure.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_IDTAB_H
# define PIDPROF_IDTAB_H

# include "common.h"

struct idtab {
	uint32_t *ids;
	uint64_t *hashes;
	size_t cap, n;
};

typedef bool (*idtab_eq_fn)(const void *ctx, uint32_t id, const void *key);

void idtab_free(struct idtab *t);
uint32_t idtab_find(const struct idtab *t, uint64_t hash, idtab_eq_fn eq,
		    const void *ctx, const void *key);
/* Adds @id under @hash; the caller has checked it is absent. */
void idtab_insert(struct idtab *t, uint64_t hash, uint32_t id);

uint64_t hash_bytes(const void *p, size_t n);
uint64_t hash_u64(uint64_t v);

#endif /* !PIDPROF_IDTAB_H */
