/*
 * The smaps parser and the memory categories, on real captures
 * (tests/data/README says where each comes from).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "heap.h"
#include "procfs.h"
#include "smaps.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static char *
fixture(const char *name, size_t *len)
{
	const char *dir = getenv("srcdir");
	char path[4096];
	char *text;
	struct pp_err err;

	snprintf(path, sizeof(path), "%s/data/%s", dir ? dir : ".", name);
	if (procfs_read_file(path, &text, len, &err) < 0) {
		fprintf(stderr, "unit-smaps: %s\n", err.text);
		exit(99);
	}
	return text;
}

static const struct smaps_entry *
find_path(const struct smaps *s, const char *path)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].path && strcmp(s->v[i].path, path) == 0)
			return &s->v[i];
	return NULL;
}

static void
test_basic(const char *file)
{
	struct smaps s;
	struct pp_err err;
	const struct smaps_entry *e;
	size_t len;
	char *text = fixture(file, &len);

	CHECK(smaps_parse(text, len, &s, &err) == 0, "%s: %s", file, err.text);
	CHECK(s.n == 24, "%s: %zu mappings", file, s.n);
	e = find_path(&s, "[heap]");
	CHECK(e && e->size == 132 * 1024 && e->rss == 8 * 1024, "%s: heap",
	      file);
	CHECK(find_path(&s, "[stack]") && find_path(&s, "[vdso]"),
	      "%s: stack, vdso", file);
	/* The unnamed anonymous mapping of the 200000-byte malloc. */
	e = NULL;
	for (size_t i = 0; i < s.n; i++)
		if (!s.v[i].path[0] && s.v[i].anonymous >= 196 * 1024)
			e = &s.v[i];
	CHECK(e != NULL, "%s: the malloc'd mapping", file);
	smaps_free(&s);
	free(text);
}

static void
test_special(void)
{
	struct smaps s;
	struct pp_err err;
	const struct smaps_entry *e;
	char name[256];
	size_t len;
	char *text = fixture("smaps-special.txt", &len);

	CHECK(smaps_parse(text, len, &s, &err) == 0, "%s", err.text);
	CHECK(s.n == 33, "%zu mappings", s.n);
	e = find_path(&s, "/tmp/pidprof-fixtures/dir with spaces/data file.bin");
	CHECK(e && !e->deleted, "path with spaces");
	CHECK(e && smaps_classify(e, 0, name, sizeof(name)) == MEM_FILE,
	      "file category");
	e = find_path(&s, "/tmp/pidprof-fixtures/dir with spaces/gone file.bin");
	CHECK(e && e->deleted, "deleted file with spaces");
	CHECK(e && smaps_classify(e, 0, name, sizeof(name)) == MEM_FILE &&
	      strstr(name, " (deleted)"), "deleted name %s", name);
	e = find_path(&s, "/dev/shm/pidprof-fixture");
	CHECK(e && smaps_classify(e, 0, name, sizeof(name)) == MEM_SHARED,
	      "shared file");
	e = find_path(&s, "[anon:pidprof-test]");
	CHECK(e && smaps_classify(e, 0, name, sizeof(name)) == MEM_ANON,
	      "named anonymous");
	CHECK_STREQ(name, "[anon:pidprof-test]");
	e = NULL;
	for (size_t i = 0; i < s.n; i++)
		if (s.v[i].anon_huge == 4096 * 1024)
			e = &s.v[i];
	CHECK(e != NULL, "AnonHugePages of the THP mapping");
	e = find_path(&s, "[heap]");
	CHECK(e && smaps_classify(e, 0, name, sizeof(name)) == MEM_HEAP,
	      "heap");
	CHECK(e && smaps_classify(e, 42, name, sizeof(name)) == MEM_HEAP,
	      "heap stays heap");
	smaps_free(&s);
	free(text);
}

static void
test_errors(void)
{
	struct smaps s;
	struct pp_err err;
	size_t len;
	char *text;

	text = fixture("smaps-malformed.txt", &len);
	CHECK(smaps_parse(text, len, &s, &err) < 0, "malformed accepted");
	CHECK_STREQ(err.text, "smaps line 12: malformed field line");
	free(text);
	text = fixture("smaps-malformed-header.txt", &len);
	CHECK(smaps_parse(text, len, &s, &err) < 0, "bad header accepted");
	CHECK_STREQ(err.text, "smaps line 51: malformed mapping header");
	free(text);
	text = fixture("smaps-truncated.txt", &len);
	CHECK(smaps_parse(text, len, &s, &err) == 0, "truncated: %s",
	      err.text);
	CHECK(s.n == 6, "truncated: %zu entries", s.n);
	if (s.n == 6) {
		const struct smaps_entry *e = &s.v[5];

		CHECK_STREQ(e->path, "[heap]");
		CHECK(e->size == 132 * 1024 && e->rss == 8 * 1024 &&
		      e->private_dirty == 8 * 1024 && e->anonymous == 0 &&
		      e->swap == 0, "truncated heap fields");
	}
	smaps_free(&s);
	free(text);
	CHECK(smaps_parse("Rss: 4 kB\n", 10, &s, &err) < 0,
	      "a field before any header");
	CHECK(smaps_parse("1000-2000 r--p 0 0:0 0\nRss: x kB\n", 33, &s,
			  &err) < 0, "a value that is not a number");
}

static void
test_rollup_status(void)
{
	struct smaps s;
	struct pp_err err;
	struct proc_status st;
	size_t len;
	char *text = fixture("smaps-rollup.txt", &len);

	CHECK(smaps_parse(text, len, &s, &err) == 0, "%s", err.text);
	CHECK(s.n == 1 && strcmp(s.v[0].path, "[rollup]") == 0 &&
	      s.v[0].rss > 0, "rollup");
	smaps_free(&s);
	free(text);
	text = fixture("status.txt", &len);
	parse_proc_status(text, &st);
	CHECK(st.vm_rss == 1428 * 1024, "VmRSS %llu",
	      (unsigned long long) st.vm_rss);
	CHECK(st.rss_anon == 300 * 1024 && st.threads == 1,
	      "RssAnon, Threads");
	free(text);
}

static void
test_many(void)
{
	struct smaps s;
	struct pp_err err;
	struct mem_reading r;
	size_t len;
	char *text = fixture("smaps-10000.txt", &len);

	CHECK(smaps_parse(text, len, &s, &err) == 0, "%s", err.text);
	CHECK(s.n == 10024, "%zu mappings", s.n);
	mem_aggregate(&s, NULL, 0, &r);
	/* The 10000 pages merge into one row; rows are sorted by rss. */
	CHECK(r.n < 40, "%zu rows", r.n);
	for (size_t i = 1; i < r.n; i++)
		CHECK(r.rows[i - 1].rss >= r.rows[i].rss, "sorted at %zu", i);
	mem_reading_free(&r);
	smaps_free(&s);
	free(text);
}

/* suspect(VALUES...): the leak rule of heap --watch and trend on a
 * series of readings a minute apart. */
static bool
suspect(size_t n, const uint64_t *v, size_t *grew)
{
	struct mem_series s;
	bool r;

	memset(&s, 0, sizeof(s));
	for (size_t i = 0; i < n; i++)
		mem_series_add(&s, (int64_t) i * 60000000000ll, v[i]);
	r = mem_series_leak_suspect(&s, grew);
	mem_series_free(&s);
	return r;
}

/* The edges of the documented rule: grew in at least 80 % of the
 * intervals, never shrank by more than 1 %, grew by 1 MiB or more. */
static void
test_leak_rule(void)
{
	const uint64_t M = 1 << 20, B = 100 * M;
	/* 5 intervals, 4 growing, one flat: 80 % */
	const uint64_t at80[] = { B, B + M, B + M, B + 2 * M, B + 3 * M,
				  B + 4 * M };
	/* 3 growing of 5: 60 % */
	const uint64_t at60[] = { B, B + M, B + M, B + M, B + 2 * M,
				  B + 3 * M };
	/* a shrink of exactly 1 %, then of 1 % and a byte */
	const uint64_t shrink1[] = { B, B + 2 * M,
				     B + 2 * M - (B + 2 * M) / 100,
				     B + 3 * M, B + 4 * M, B + 5 * M };
	const uint64_t shrink1b[] = { B, B + 2 * M,
				      B + 2 * M - (B + 2 * M) / 100 - 1,
				      B + 3 * M, B + 4 * M, B + 5 * M };
	/* growth of exactly 1 MiB, and a byte less */
	const uint64_t mib[] = { B, B + M / 4, B + M / 2, B + 3 * M / 4,
				 B + M };
	const uint64_t mib1[] = { B, B + M / 4, B + M / 2, B + 3 * M / 4,
				  B + M - 1 };
	size_t grew;

	CHECK(suspect(6, at80, &grew) && grew == 4, "80 %%: grew %zu", grew);
	CHECK(!suspect(6, at60, &grew) && grew == 3, "60 %%: grew %zu", grew);
	CHECK(suspect(6, shrink1, &grew), "a shrink of 1 %% is allowed");
	CHECK(!suspect(6, shrink1b, &grew), "a shrink of over 1 %%");
	CHECK(suspect(5, mib, &grew), "1 MiB of growth");
	CHECK(!suspect(5, mib1, &grew), "1 MiB less a byte");
	CHECK(!suspect(2, mib, &grew), "two readings are too few");
}

int
main(void)
{
	test_leak_rule();
	test_basic("smaps-basic.txt");
	test_basic("smaps-old-kernel.txt");
	test_special();
	test_errors();
	test_rollup_status();
	test_many();
	return unit_done("unit-smaps");
}
