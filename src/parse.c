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
		{ "G", 1024 * 1024 * 1024 }, { "GiB", 1024 * 1024 * 1024 },
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

struct unit_scale {
	const char *unit;
	double scale;
};

/* A number with one of @units' suffixes, scaled, within [min, max]. */
struct unit_rule {
	const struct unit_scale *units;
	size_t nunits;
	double min, max;
	const char *not_one, *range, *unit_help;
};

static int
parse_scaled(const char *s, const struct unit_rule *r, double *out,
	     const char **why)
{
	char *end;
	double v;
	size_t i;

	if (!s || !*s || ((*s < '0' || *s > '9') && *s != '.')) {
		*why = r->not_one;
		return -1;
	}
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s) {
		*why = r->not_one;
		return -1;
	}
	for (i = 0; i < r->nunits; i++) {
		if (strcmp(end, r->units[i].unit) != 0)
			continue;
		v *= r->units[i].scale;
		if (v < r->min || v > r->max) {
			*why = r->range;
			return -1;
		}
		*out = v;
		return 0;
	}
	*why = r->unit_help;
	return -1;
}

int
parse_duration(const char *s, uint64_t *ns, const char **why)
{
	static const struct unit_scale units[] = {
		{ "", 1e9 }, { "s", 1e9 }, { "ms", 1e6 }, { "m", 60e9 },
		{ "h", 3600e9 },
	};
	static const struct unit_rule rule = {
		units, ARRAY_SIZE(units), 1e6, 30 * 86400e9,
		"not a duration", "out of range (1ms to 30 days)",
		"unknown unit (use ms, s, m or h)",
	};
	double v;

	if (parse_scaled(s, &rule, &v, why) < 0)
		return -1;
	*ns = (uint64_t) v;
	return 0;
}

int
parse_age(const char *s, uint64_t *secs, const char **why)
{
	static const struct unit_scale units[] = {
		{ "", 1 }, { "s", 1 }, { "m", 60 }, { "h", 3600 },
		{ "d", 86400 },
	};
	static const struct unit_rule rule = {
		units, ARRAY_SIZE(units), 1, 36500 * 86400.0,
		"not an age", "out of range (1s to 36500 days)",
		"unknown unit (use s, m, h or d)",
	};
	double v;

	if (parse_scaled(s, &rule, &v, why) < 0)
		return -1;
	*secs = (uint64_t) v;
	return 0;
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
