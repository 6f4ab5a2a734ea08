/*
 * The pure parts of pidprof snapshot: file names made and parsed back,
 * retention's choice, --types, and the time of a memory.tsv row.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "snapdir.h"
#include "unit.h"

#include <stdlib.h>

/* 2026-11-23T19:50:00Z */
#define T0	((time_t) 1795463400)

static void
test_names(void)
{
	static const struct {
		const char *file;
		int ok;
		const char *name;
		int pid;
		time_t stamp;
		enum snapdir_type type;
	} rows[] = {
		{ "api-1234-20261123T195000Z-cpu.pb.gz", 1, "api", 1234, T0,
		  SNAPDIR_CPU },
		{ "my-service-7-20261123T195000Z-threads.pb.gz", 1,
		  "my-service", 7, T0, SNAPDIR_THREADS },
		{ "a-b-1-20261123T195001Z-memory.pb.gz", 1, "a-b", 1, T0 + 1,
		  SNAPDIR_MEMORY },
		{ "x-99-20261123T195000Z-wall.pb.gz", 1, "x", 99, T0,
		  SNAPDIR_WALL },
		{ "api-1234-20261123T195000Z-cpu.pb", 0, NULL, 0, 0, 0 },
		{ "api-1234-20261123T195000Z-disk.pb.gz", 0, NULL, 0, 0, 0 },
		{ "api-12a4-20261123T195000Z-cpu.pb.gz", 0, NULL, 0, 0, 0 },
		{ "api-0-20261123T195000Z-cpu.pb.gz", 0, NULL, 0, 0, 0 },
		{ "-1234-20261123T195000Z-cpu.pb.gz", 0, NULL, 0, 0, 0 },
		{ "1234-20261123T195000Z-cpu.pb.gz", 0, NULL, 0, 0, 0 },
		{ "api-1234-20261323T195000Z-cpu.pb.gz", 0, NULL, 0, 0, 0 },
		{ "api-1234-20261123X195000Z-cpu.pb.gz", 0, NULL, 0, 0, 0 },
		{ "api-1234-2026112T195000Z-cpu.pb.gz", 0, NULL, 0, 0, 0 },
		{ "cpu.pb.gz", 0, NULL, 0, 0, 0 },
		{ ".pb.gz", 0, NULL, 0, 0, 0 },
		{ "memory.tsv", 0, NULL, 0, 0, 0 },
		{ ".lock", 0, NULL, 0, 0, 0 },
		{ "api-1234-20261123T195000Z-cpu.pb.gz.tmp.77", 0, NULL, 0, 0,
		  0 },
	};
	struct snapdir_file f;
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bool ok = snapdir_parse_file(rows[i].file, &f);

		CHECK(ok == (bool) rows[i].ok, "parse '%s' = %d", rows[i].file,
		      ok);
		if (!ok || !rows[i].ok)
			continue;
		CHECK_STREQ(f.name, rows[i].name);
		CHECK(f.pid == rows[i].pid, "'%s': pid %d", rows[i].file,
		      (int) f.pid);
		CHECK(f.stamp == rows[i].stamp, "'%s': stamp %ld",
		      rows[i].file, (long) f.stamp);
		CHECK(f.type == rows[i].type, "'%s': type %d", rows[i].file,
		      (int) f.type);
		/* and the name is made back the same */
		snapdir_file_name(buf, sizeof(buf), f.name, f.pid, f.stamp,
				  f.type);
		CHECK_STREQ(buf, rows[i].file);
	}

	snapdir_clean_name("my service/v2", buf, sizeof(buf));
	CHECK_STREQ(buf, "my_service_v2");
	snapdir_clean_name("a.b+c-d_e", buf, sizeof(buf));
	CHECK_STREQ(buf, "a.b+c-d_e");
	snapdir_clean_name("", buf, sizeof(buf));
	CHECK_STREQ(buf, "process");
}

static void
add(struct snapdir_file *v, size_t *n, pid_t pid, time_t stamp,
    enum snapdir_type t)
{
	char name[256];

	snapdir_file_name(name, sizeof(name), "api", pid, stamp, t);
	CHECK(snapdir_parse_file(name, &v[*n]), "parse '%s'", name);
	(*n)++;
}

/* The sets (pid:stamp-T0) that survive, newest first, as one string. */
static void
survivors(const struct snapdir_file *v, size_t n, char *out, size_t len)
{
	size_t i, at = 0;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (v[i].remove || (i && v[i].pid == v[i - 1].pid &&
				    v[i].stamp == v[i - 1].stamp))
			continue;
		at += snprintf(out + at, len - at, "%s%d:%ld", at ? " " : "",
			       (int) v[i].pid, (long) (v[i].stamp - T0));
	}
}

static void
test_retention(void)
{
	struct snapdir_file v[32];
	char got[256];
	size_t n = 0, marked;
	int k;

	/* Sets a minute apart, pid 10 then (after a restart) pid 20. */
	for (k = 0; k < 4; k++) {
		add(v, &n, 10, T0 + 60 * k, SNAPDIR_CPU);
		add(v, &n, 10, T0 + 60 * k, SNAPDIR_MEMORY);
	}
	add(v, &n, 20, T0 + 300, SNAPDIR_MEMORY);

	marked = snapdir_retention(v, n, 2, 0, 20, T0 + 300);
	survivors(v, n, got, sizeof(got));
	CHECK_STREQ(got, "20:300 10:180");
	CHECK(marked == 6, "keep 2 marked %zu", marked);

	marked = snapdir_retention(v, n, 0, 0, 20, T0 + 300);
	CHECK(marked == 0, "no limit marked %zu", marked);

	/* Older than T0 + 100: the sets of 0 and 60 go. */
	marked = snapdir_retention(v, n, 0, T0 + 100, 20, T0 + 300);
	survivors(v, n, got, sizeof(got));
	CHECK_STREQ(got, "20:300 10:180 10:120");
	CHECK(marked == 4, "max age marked %zu", marked);

	/* Both: the stricter wins. */
	snapdir_retention(v, n, 3, T0 + 150, 20, T0 + 300);
	survivors(v, n, got, sizeof(got));
	CHECK_STREQ(got, "20:300 10:180");

	/* This run's set always stays, even with a clock set back. */
	snapdir_retention(v, n, 1, T0 + 10000, 10, T0 + 60);
	survivors(v, n, got, sizeof(got));
	CHECK_STREQ(got, "10:60");
}

static void
test_types(void)
{
	unsigned int t = 0;
	const char *bad = NULL;

	CHECK(snapdir_parse_types("cpu,memory", &t, &bad) == 0, "cpu,memory");
	CHECK(t == (SNAPDIR_CPU | SNAPDIR_MEMORY), "cpu,memory = %u", t);
	CHECK(snapdir_parse_types("threads", &t, &bad) == 0, "threads");
	CHECK(t == SNAPDIR_THREADS, "threads = %u", t);
	CHECK(snapdir_parse_types("wall,cpu,wall", &t, &bad) == 0, "wall");
	CHECK(t == (SNAPDIR_WALL | SNAPDIR_CPU), "wall,cpu = %u", t);
	CHECK(snapdir_parse_types("cpu,disk,wall", &t, &bad) < 0, "disk");
	CHECK(bad && strncmp(bad, "disk,", 5) == 0, "bad '%s'", bad);
	CHECK(snapdir_parse_types("", &t, &bad) < 0, "empty");
	CHECK(snapdir_parse_types("cpu,", &t, &bad) < 0, "trailing comma");
}

static void
test_row_time(void)
{
	CHECK(snapdir_row_time("2026-11-23T19:50:00Z\theap\t1") == T0,
	      "row time");
	CHECK(snapdir_row_time("2026-11-23T19:50:00Z") == T0, "bare time");
	CHECK(snapdir_row_time("time\tcategory\trss") == (time_t) -1,
	      "header");
	CHECK(snapdir_row_time("2026-11-23 19:50:00Z\t") == (time_t) -1,
	      "space");
	CHECK(snapdir_row_time("2026-13-23T19:50:00Z\t") == (time_t) -1,
	      "month 13");
	CHECK(snapdir_row_time("") == (time_t) -1, "empty");
}

int
main(void)
{
	test_names();
	test_retention();
	test_types();
	test_row_time();
	return unit_done("unit-snapdir");
}
