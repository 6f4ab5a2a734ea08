/*
 * Minimal JSON output helpers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_JSON_H
# define PIDPROF_JSON_H

# include "buf.h"

# include <stdio.h>

/* Writes @s as a JSON string, or null when @s is NULL. */
void json_string(FILE *f, const char *s);
/* The same, appended to @out. */
void json_buf_string(struct buf *out, const char *s);

#endif /* !PIDPROF_JSON_H */
