/*
 * Human-facing sizes, growth rates and durations.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "units.h"
#include "unit.h"

#include <stdint.h>

static void
test_size(void)
{
	static const struct {
		uint64_t in;
		const char *want;
	} rows[] = {
		{ 0, "0 B" },
		{ 1, "1 B" },
		{ 1023, "1023 B" },
		{ 1024, "1.00 KiB" },
		{ 1536, "1.50 KiB" },
		{ 10 * 1024 - 1, "10.0 KiB" },
		{ 100 * 1024, "100 KiB" },
		{ 1023 * 1024, "1023 KiB" },
		/* Rounds to 1024 KiB: one unit up. */
		{ 1024 * 1024 - 1, "1.00 MiB" },
		{ 64 * 1024 * 1024 + 200 * 1024, "64.2 MiB" },
		{ 1271049446, "1.18 GiB" },
		{ 75ull << 30, "75.0 GiB" },
		{ 3ull << 40, "3.00 TiB" },
		{ UINT64_MAX, "16.0 EiB" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char buf[UNITS_LEN];

		units_size(rows[i].in, buf, sizeof(buf));
		CHECK_STREQ(buf, rows[i].want);
	}
}

static void
test_signed_and_rate(void)
{
	static const struct {
		double in;
		const char *size, *rate;
	} rows[] = {
		{ 0, "+0 B", "+0 B per hour" },
		{ 512, "+512 B", "+512 B per hour" },
		{ -512, "-512 B", "-512 B per hour" },
		{ -1536, "-1.50 KiB", "-1.50 KiB per hour" },
		{ 180.0 * 1024 * 1024, "+180 MiB", "+180 MiB per hour" },
		{ 1271049446.0 * 60, "+71.0 GiB", "+71.0 GiB per hour" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char buf[UNITS_LEN];

		units_size_signed(rows[i].in, buf, sizeof(buf));
		CHECK_STREQ(buf, rows[i].size);
		units_size_rate(rows[i].in, buf, sizeof(buf));
		CHECK_STREQ(buf, rows[i].rate);
	}
}

static void
test_duration(void)
{
	static const struct {
		double ns;
		const char *want;
	} rows[] = {
		{ 0, "0 ns" },
		{ 850, "850 ns" },
		{ 999, "999 ns" },
		{ 999.6, "1.00 us" },
		{ 12500, "12.5 us" },
		{ 999600, "1.00 ms" },
		{ 4872664, "4.87 ms" },
		{ 4872664710.0, "4.87 s" },
		{ 45.25e9, "45.2 s" },
		{ 119e9, "119 s" },
		{ 150e9, "2.50 min" },
		{ 3600e9, "60.0 min" },
		{ 4500e9, "75.0 min" },
		{ 7200e9, "2.00 h" },
		{ 48 * 3600e9, "48.0 h" },
		{ 3.5 * 86400e9, "3.50 days" },
		{ 400 * 86400e9, "400 days" },
		{ -12500, "-12.5 us" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char buf[UNITS_LEN];

		units_duration(rows[i].ns, buf, sizeof(buf));
		CHECK_STREQ(buf, rows[i].want);
	}
}

static void
test_value(void)
{
	static const struct {
		int64_t v;
		const char *unit, *want;
	} rows[] = {
		{ 4872664710, "nanoseconds", "4.87 s" },
		{ 10000000, "nanoseconds", "10.0 ms" },
		{ 1536, "bytes", "1.50 KiB" },
		{ -1536, "bytes", "-1.50 KiB" },
		{ 1234567, "count", "1234567" },
		{ -3, "objects", "-3" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char buf[UNITS_LEN];

		units_value(rows[i].v, rows[i].unit, buf, sizeof(buf));
		CHECK_STREQ(buf, rows[i].want);
	}
}

static void
test_short_buffer(void)
{
	char buf[4];

	units_size(1536, buf, sizeof(buf));
	CHECK_STREQ(buf, "1.5");
	units_duration(4872664710.0, buf, sizeof(buf));
	CHECK_STREQ(buf, "4.8");
}

int
main(void)
{
	test_size();
	test_signed_and_rate();
	test_duration();
	test_value();
	test_short_buffer();
	return unit_done("unit-units");
}
