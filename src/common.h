/*
 * Definitions shared by every pidprof source file.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_COMMON_H
# define PIDPROF_COMMON_H

# include "config.h"

# include <stdbool.h>
# include <stddef.h>
# include <stdint.h>
# include <sys/types.h>

# define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
# define ATTR_FORMAT(f, a)	__attribute__((format(printf, f, a)))
# define ATTR_NORETURN		__attribute__((noreturn))
# define likely(x)		__builtin_expect(!!(x), 1)
# define unlikely(x)		__builtin_expect(!!(x), 0)

/* Exit statuses, the same in --help and man/pidprof.1 (eu-stack's scheme). */
enum {
	EXIT_COMPLETE	= 0,	/* everything asked for was done */
	EXIT_PARTIAL	= 1,	/* output written, but something is missing */
	EXIT_FATAL	= 2,	/* nothing useful could be done */
	EXIT_USAGE	= 64,	/* the command line is wrong */
};

#endif /* !PIDPROF_COMMON_H */
