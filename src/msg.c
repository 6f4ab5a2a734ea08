/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "msg.h"

#include "xmalloc.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SECRETS	64

static int verbose_level;
static const char *usage_command;
static pthread_mutex_t secrets_lock = PTHREAD_MUTEX_INITIALIZER;
static char *secrets[MAX_SECRETS];
static size_t nsecrets;

void
msg_add_secret(const char *secret)
{
	size_t i;

	if (!secret || strlen(secret) < 3)
		return;
	pthread_mutex_lock(&secrets_lock);
	for (i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i], secret) == 0)
			break;
	if (i == nsecrets && nsecrets < MAX_SECRETS)
		secrets[nsecrets++] = xstrdup(secret);
	pthread_mutex_unlock(&secrets_lock);
}

void
msg_clear_secrets(void)
{
	pthread_mutex_lock(&secrets_lock);
	while (nsecrets)
		free(secrets[--nsecrets]);
	pthread_mutex_unlock(&secrets_lock);
}

/* Replaces every registered secret in @buf by "***" (never longer). */
static void
mask_secrets(char *buf)
{
	size_t i;

	pthread_mutex_lock(&secrets_lock);
	for (i = 0; i < nsecrets; i++) {
		size_t sl = strlen(secrets[i]);
		char *hit;

		while ((hit = strstr(buf, secrets[i]))) {
			memmove(hit + 3, hit + sl, strlen(hit + sl) + 1);
			memcpy(hit, "***", 3);
		}
	}
	pthread_mutex_unlock(&secrets_lock);
}

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
	mask_secrets(buf);
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

int
msg_outcome(int rc, const struct pp_err *e)
{
	if (rc < 0) {
		error_msg_err(e);
		return -1;
	}
	if (rc > 0)
		warning_msg("%s", e->text);
	return 0;
}

void
msg_set_command(const char *command)
{
	usage_command = command;
}

void
usage_error_msg(const char *fmt, ...)
{
	char hint[128];
	va_list ap;

	snprintf(hint, sizeof(hint),
		 "\nTry 'pidprof %s%s--help' for more information.",
		 usage_command ? usage_command : "", usage_command ? " " : "");
	va_start(ap, fmt);
	vmsg("", hint, fmt, ap);
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
	mask_secrets(buf);
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
