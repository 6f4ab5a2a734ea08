/*
 * Interned strings: each distinct string once, with an id from 0.
 * Pure.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_STRTAB_H
# define PIDPROF_STRTAB_H

# include "idtab.h"

struct strtab {
	char **v;
	size_t n, cap;
	struct idtab index;
};

void strtab_init(struct strtab *t);
void strtab_free(struct strtab *t);
/* The id of @s, adding it if new.  NULL is taken as "". */
uint32_t strtab_intern(struct strtab *t, const char *s);

#endif /* !PIDPROF_STRTAB_H */
