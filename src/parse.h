/*
 * Pure parsers for command-line values.  Each returns 0, or -1 with the
 * reason in @why (a short phrase such as "not a number").
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_PARSE_H
# define PIDPROF_PARSE_H

# include "common.h"

/* A process id: decimal, 1..INT_MAX (pid_max is below that). */
int parse_pid(const char *s, pid_t *out, const char **why);
/* A byte count with an optional K, KiB, M or MiB suffix, within [lo, hi]. */
int parse_size(const char *s, uint64_t lo, uint64_t hi, uint64_t *out,
	       const char **why);

#endif /* !PIDPROF_PARSE_H */
