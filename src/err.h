/*
 * Errors returned by pure modules: an errno value plus a sentence that
 * names the problem.  Only msg.c prints them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_ERR_H
# define PIDPROF_ERR_H

# include "common.h"

struct pp_err {
	int errnum;		/* errno value, or 0 when none applies */
	char text[768];		/* "cannot open /proc/1/maps: ..." */
};

/* Fills @e (when not NULL) and returns -1, so callers can "return pp_err_set(...)". */
int pp_err_set(struct pp_err *e, int errnum, const char *fmt, ...)
	ATTR_FORMAT(3, 4);
void pp_err_clear(struct pp_err *e);

#endif /* !PIDPROF_ERR_H */
