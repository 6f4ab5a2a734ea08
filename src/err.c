/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
pp_err_set(struct pp_err *e, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	e->errnum = errnum;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	return -1;
}

void
pp_err_clear(struct pp_err *e)
{
	if (!e)
		return;
	e->errnum = 0;
	e->text[0] = '\0';
}
