/*
 * Command-line value parsers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "parse.h"
#include "unit.h"

static void
test_pid(void)
{
	static const struct {
		const char *in;
		int ok;
		pid_t want;
		const char *why;
	} rows[] = {
		{ "1", 1, 1, NULL },
		{ "4194304", 1, 4194304, NULL },
		{ "0", 0, 0, "out of range" },
		{ "-5", 0, 0, "not a number" },
		{ "abc", 0, 0, "not a number" },
		{ "12abc", 0, 0, "not a number" },
		{ "", 0, 0, "empty" },
		{ "99999999999", 0, 0, "out of range" },
		{ "999999999999999999999999", 0, 0, "too large" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *why = NULL;
		pid_t pid = 0;
		int rc = parse_pid(rows[i].in, &pid, &why);

		CHECK((rc == 0) == rows[i].ok, "parse_pid('%s') = %d",
		      rows[i].in, rc);
		if (rows[i].ok)
			CHECK(pid == rows[i].want, "pid %d", (int) pid);
		else
			CHECK_STREQ(why, rows[i].why);
	}
}

static void
test_size(void)
{
	static const struct {
		const char *in;
		int ok;
		uint64_t want;
	} rows[] = {
		{ "4096", 1, 4096 }, { "32K", 1, 32768 }, { "32KiB", 1, 32768 },
		{ "1M", 1, 1048576 }, { "1MiB", 1, 1048576 }, { "8k", 1, 8192 },
		{ "1", 0, 0 }, { "2M", 0, 0 }, { "12Q", 0, 0 }, { "K", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *why = NULL;
		uint64_t v = 0;
		int rc = parse_size(rows[i].in, 4096, 1048576, &v, &why);

		CHECK((rc == 0) == rows[i].ok, "parse_size('%s') = %d",
		      rows[i].in, rc);
		if (rows[i].ok)
			CHECK(v == rows[i].want, "'%s' gave %llu", rows[i].in,
			      (unsigned long long) v);
	}
	{
		const char *why = NULL;
		uint64_t v = 0;

		CHECK(parse_size("2G", 1, UINT64_MAX, &v, &why) == 0 &&
		      v == 2ull << 30, "2G gave %llu", (unsigned long long) v);
		CHECK(parse_size("3GiB", 1, UINT64_MAX, &v, &why) == 0 &&
		      v == 3ull << 30, "3GiB gave %llu",
		      (unsigned long long) v);
	}
}

static void
test_duration(void)
{
	static const struct {
		const char *in;
		int ok;
		uint64_t want;
	} rows[] = {
		{ "10", 1, 10000000000ull }, { "10s", 1, 10000000000ull },
		{ "500ms", 1, 500000000ull }, { "1.5s", 1, 1500000000ull },
		{ "2m", 1, 120000000000ull }, { "1h", 1, 3600000000000ull },
		{ "0", 0, 0 }, { "-1", 0, 0 }, { "abc", 0, 0 }, { "5x", 0, 0 },
		{ "31d", 0, 0 }, { "", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *why = NULL;
		uint64_t v = 0;
		int rc = parse_duration(rows[i].in, &v, &why);

		CHECK((rc == 0) == rows[i].ok, "parse_duration('%s') = %d",
		      rows[i].in, rc);
		if (rows[i].ok)
			CHECK(v == rows[i].want, "'%s' gave %llu", rows[i].in,
			      (unsigned long long) v);
	}
}

static void
test_age(void)
{
	static const struct {
		const char *in;
		int ok;
		uint64_t want;
	} rows[] = {
		{ "90", 1, 90 }, { "90s", 1, 90 }, { "30m", 1, 1800 },
		{ "12h", 1, 43200 }, { "7d", 1, 604800 }, { "1.5d", 1, 129600 },
		{ "400d", 1, 34560000 }, { "0", 0, 0 }, { "0.5", 0, 0 },
		{ "-1d", 0, 0 }, { "3w", 0, 0 }, { "d", 0, 0 }, { "", 0, 0 },
		{ "36501d", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *why = NULL;
		uint64_t v = 0;
		int rc = parse_age(rows[i].in, &v, &why);

		CHECK((rc == 0) == rows[i].ok, "parse_age('%s') = %d",
		      rows[i].in, rc);
		if (rows[i].ok)
			CHECK(v == rows[i].want, "'%s' gave %llu", rows[i].in,
			      (unsigned long long) v);
	}
}

int
main(void)
{
	test_pid();
	test_size();
	test_duration();
	test_age();
	return unit_done("unit-parse");
}
