/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int verbose_level;

void
msg_set_verbose(int level)
{
	verbose_level = level;
}

int
msg_verbose(void)
{
	return verbose_level;
}

/* One write(2) per message, so lines from threads never interleave. */
static void
vmsg(const char *prefix, const char *suffix, const char *fmt, va_list ap)
{
	char buf[2048];
	int n;

	n = snprintf(buf, sizeof(buf), "pidprof: %s", prefix);
	if (n < 0 || (size_t) n >= sizeof(buf))
		return;
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	n = strlen(buf);
	snprintf(buf + n, sizeof(buf) - n, "%s\n", suffix);
	n = strlen(buf);
	if (write(STDERR_FILENO, buf, n) < 0) {
		/* Nowhere left to report it. */
	}
}

void
error_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", "", fmt, ap);
	va_end(ap);
}

void
warning_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", "", fmt, ap);
	va_end(ap);
}

void
info_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", "", fmt, ap);
	va_end(ap);
}

void
debug_msg(const char *fmt, ...)
{
	va_list ap;

	if (verbose_level < 2)
		return;
	va_start(ap, fmt);
	vmsg("debug: ", "", fmt, ap);
	va_end(ap);
}

void
error_msg_err(const struct pp_err *e)
{
	error_msg("%s", e->text[0] ? e->text : "unknown error");
}

void
usage_error_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", "\nTry 'pidprof --help' for more information.", fmt, ap);
	va_end(ap);
}

void
status_msg(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "\rpidprof: ");
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	n = strlen(buf);
	snprintf(buf + n, sizeof(buf) - n, "\033[K");
	if (write(STDERR_FILENO, buf, strlen(buf)) < 0) {
		/* Nowhere left to report it. */
	}
}

void
status_clear(void)
{
	if (write(STDERR_FILENO, "\r\033[K", 4) < 0) {
		/* Nowhere left to report it. */
	}
}
