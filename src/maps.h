/*
 * /proc/PID/maps: a pure parser into a sorted array, and address lookup.
 *
 *   55d4c5a00000-55d4c5a02000 r--p 00000000 fd:01 1234   /usr/bin/foo
 *   start        end          perm pgoff    dev   inode  path
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_MAPS_H
# define PIDPROF_MAPS_H

# include "common.h"
# include "err.h"

enum {
	MAP_PERM_R = 1,
	MAP_PERM_W = 2,
	MAP_PERM_X = 4,
	MAP_PERM_SHARED = 8,
};

struct map_entry {
	uint64_t start, end;	/* [start, end) */
	uint64_t pgoff;		/* file offset of start */
	uint64_t inode;
	unsigned int dev_major, dev_minor;
	unsigned int perms;	/* MAP_PERM_* */
	bool deleted;		/* path ended in " (deleted)", stripped */
	char *path;		/* "" for anonymous, "[heap]", "/usr/lib/..." */
};

struct maps {
	struct map_entry *v;	/* sorted by start, non-overlapping */
	size_t n;
};

/* Parses the whole text of a maps file.  Errors name the line number. */
int maps_parse(const char *text, size_t len, struct maps *out,
	       struct pp_err *err);
void maps_free(struct maps *m);
const struct map_entry *maps_find(const struct maps *m, uint64_t addr);
/* A mapping backed by a file (not anonymous, not [pseudo]). */
bool map_is_file(const struct map_entry *e);

#endif /* !PIDPROF_MAPS_H */
