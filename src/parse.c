/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "parse.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static int
parse_u64(const char *s, uint64_t *out, const char **end, const char **why)
{
	char *e;
	unsigned long long v;

	if (!s || !*s) {
		*why = "empty";
		return -1;
	}
	if (*s < '0' || *s > '9') {
		*why = "not a number";
		return -1;
	}
	errno = 0;
	v = strtoull(s, &e, 10);
	if (errno == ERANGE) {
		*why = "too large";
		return -1;
	}
	*out = v;
	*end = e;
	return 0;
}

int
parse_pid(const char *s, pid_t *out, const char **why)
{
	uint64_t v;
	const char *end;

	if (parse_u64(s, &v, &end, why) < 0)
		return -1;
	if (*end) {
		*why = "not a number";
		return -1;
	}
	if (v == 0 || v > INT_MAX) {
		*why = "out of range";
		return -1;
	}
	*out = (pid_t) v;
	return 0;
}

int
parse_size(const char *s, uint64_t lo, uint64_t hi, uint64_t *out,
	   const char **why)
{
	static const struct {
		const char *suffix;
		uint64_t mult;
	} units[] = {
		{ "", 1 }, { "B", 1 },
		{ "K", 1024 }, { "KiB", 1024 }, { "k", 1024 },
		{ "M", 1024 * 1024 }, { "MiB", 1024 * 1024 },
	};
	uint64_t v;
	const char *end;
	size_t i;

	if (parse_u64(s, &v, &end, why) < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(end, units[i].suffix) != 0)
			continue;
		if (v > UINT64_MAX / units[i].mult) {
			*why = "too large";
			return -1;
		}
		v *= units[i].mult;
		if (v < lo || v > hi) {
			*why = "out of range";
			return -1;
		}
		*out = v;
		return 0;
	}
	*why = "unknown unit";
	return -1;
}

int
parse_duration(const char *s, uint64_t *ns, const char **why)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {
		{ "", 1e9 }, { "s", 1e9 }, { "ms", 1e6 }, { "m", 60e9 },
		{ "h", 3600e9 },
	};
	char *end;
	double v;
	size_t i;

	if (!s || !*s || ((*s < '0' || *s > '9') && *s != '.')) {
		*why = "not a duration";
		return -1;
	}
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s) {
		*why = "not a duration";
		return -1;
	}
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		v *= units[i].ns;
		if (v < 1e6 || v > 30 * 86400e9) {
			*why = "out of range (1ms to 30 days)";
			return -1;
		}
		*ns = (uint64_t) v;
		return 0;
	}
	*why = "unknown unit (use ms, s, m or h)";
	return -1;
}

int
parse_age(const char *s, uint64_t *secs, const char **why)
{
	static const struct {
		const char *unit;
		double secs;
	} units[] = {
		{ "", 1 }, { "s", 1 }, { "m", 60 }, { "h", 3600 },
		{ "d", 86400 },
	};
	char *end;
	double v;
	size_t i;

	if (!s || !*s || ((*s < '0' || *s > '9') && *s != '.')) {
		*why = "not an age";
		return -1;
	}
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s) {
		*why = "not an age";
		return -1;
	}
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		v *= units[i].secs;
		if (v < 1 || v > 36500 * 86400.0) {
			*why = "out of range (1s to 36500 days)";
			return -1;
		}
		*secs = (uint64_t) v;
		return 0;
	}
	*why = "unknown unit (use s, m, h or d)";
	return -1;
}

int
parse_int(const char *s, long *out, const char **why)
{
	char *end;
	long v;

	if (!s || !*s) {
		*why = "empty";
		return -1;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || end == s) {
		*why = "not a number";
		return -1;
	}
	if (errno == ERANGE) {
		*why = "out of range";
		return -1;
	}
	*out = v;
	return 0;
}
