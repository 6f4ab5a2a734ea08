/*
 * Table-driven unit tests of pidprof's pure modules: CHECK() records a
 * failure with its line and goes on; unit_done() gives the exit status
 * automake's driver reads (0 pass, 1 fail).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_UNIT_H
# define PIDPROF_UNIT_H

# include <stdio.h>
# include <string.h>

static int unit_failures;
static int unit_checks;

# define CHECK(cond, ...)						\
	do {								\
		unit_checks++;						\
		if (!(cond)) {						\
			unit_failures++;				\
			fprintf(stderr, "%s:%d: CHECK(%s) failed: ",	\
				__FILE__, __LINE__, #cond);		\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
		}							\
	} while (0)

static inline int
unit_streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

# define CHECK_STREQ(a, b)						\
	CHECK(unit_streq((a), (b)), "'%s' != '%s'",			\
	      unit_streq((a), (a)) ? (a) : "(null)",			\
	      unit_streq((b), (b)) ? (b) : "(null)")

static inline int
unit_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, unit_checks, unit_failures);
	return unit_failures ? 1 : 0;
}

#endif /* !PIDPROF_UNIT_H */
