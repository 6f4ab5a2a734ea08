/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "units.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* @v (at least 1) with three significant digits, then " " and @unit. */
static void
three_digits(const char *sign, double v, const char *unit, char *buf,
	     size_t len)
{
	int decimals = v < 9.995 ? 2 : v < 99.95 ? 1 : 0;

	snprintf(buf, len, "%s%.*f %s", sign, decimals, v, unit);
}

static void
size_text(const char *sign, double bytes, char *buf, size_t len)
{
	static const char *const names[] = { "KiB", "MiB", "GiB", "TiB",
					     "PiB", "EiB" };
	size_t u = 0;
	double v;

	if (bytes < 1023.5) {
		snprintf(buf, len, "%s%.0f B", sign, bytes);
		return;
	}
	v = bytes / 1024;
	/* 1023.6 KiB would round to "1024 KiB": that is 1.00 MiB. */
	while (v >= 1023.5 && u + 1 < ARRAY_SIZE(names)) {
		v /= 1024;
		u++;
	}
	three_digits(sign, v, names[u], buf, len);
}

void
units_size(uint64_t bytes, char *buf, size_t len)
{
	size_text("", (double) bytes, buf, len);
}

void
units_size_signed(double bytes, char *buf, size_t len)
{
	size_text(bytes < 0 ? "-" : "+", fabs(bytes), buf, len);
}

void
units_size_rate(double bytes_per_hour, char *buf, size_t len)
{
	char s[UNITS_LEN];

	units_size_signed(bytes_per_hour, s, sizeof(s));
	snprintf(buf, len, "%s per hour", s);
}

void
units_duration(double ns, char *buf, size_t len)
{
	static const struct {
		double ns;	/* one of this unit */
		double below;	/* used below this many ns */
		const char *name;
	} units[] = {
		{ 1e3, 999.5e3, "us" },
		{ 1e6, 999.5e6, "ms" },
		{ 1e9, 119.5e9, "s" },
		{ 60e9, 7200e9, "min" },
		{ 3600e9, 72 * 3600e9, "h" },
	};
	const char *sign = ns < 0 ? "-" : "";
	size_t i;

	ns = fabs(ns);
	if (ns < 999.5) {
		snprintf(buf, len, "%s%.0f ns", sign, ns);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(units); i++)
		if (ns < units[i].below) {
			three_digits(sign, ns / units[i].ns, units[i].name, buf,
				     len);
			return;
		}
	three_digits(sign, ns / (86400 * 1e9), "days", buf, len);
}

void
units_value(int64_t v, const char *unit, char *buf, size_t len)
{
	if (strcmp(unit, "nanoseconds") == 0) {
		units_duration((double) v, buf, len);
	} else if (strcmp(unit, "bytes") == 0) {
		if (v < 0)
			units_size_signed((double) v, buf, len);
		else
			units_size((uint64_t) v, buf, len);
	} else {
		snprintf(buf, len, "%" PRId64, v);
	}
}
