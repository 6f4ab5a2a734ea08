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
/* A byte count with an optional K, KiB, M, MiB, G or GiB suffix, within
 * [lo, hi]. */
int parse_size(const char *s, uint64_t lo, uint64_t hi, uint64_t *out,
	       const char **why);

/* A duration: a number with an optional unit ms, s (default), m or h,
 * fractions allowed ("1.5s"); more than 0 and at most 30 days. */
int parse_duration(const char *s, uint64_t *ns, const char **why);
/* An age in whole seconds: a number with an optional unit s (default),
 * m, h or d, fractions allowed ("1.5d"); 1 s to 36500 days. */
int parse_age(const char *s, uint64_t *secs, const char **why);
/* A whole number, possibly negative. */
int parse_int(const char *s, long *out, const char **why);

#endif /* !PIDPROF_PARSE_H */
