/*
 * Aggregation, the protobuf writer, pprof encoding and folded stacks, on
 * a profile built by hand with a fake symbol source.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "folded.h"
#include "pb.h"
#include "pprof.h"
#include "pprof-read.h"
#include "profile.h"
#include "syscalls.h"
#include "top.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static void
test_varint(void)
{
	static const struct {
		uint64_t v;
		const char *bytes;
		size_t n;
	} rows[] = {
		{ 0, "\x00", 1 }, { 1, "\x01", 1 }, { 127, "\x7f", 1 },
		{ 128, "\x80\x01", 2 }, { 300, "\xac\x02", 2 },
		{ UINT64_MAX, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf b;

		buf_init(&b);
		pb_varint(&b, rows[i].v);
		CHECK(b.len == rows[i].n &&
		      memcmp(b.data, rows[i].bytes, b.len) == 0,
		      "varint %llu", (unsigned long long) rows[i].v);
		buf_free(&b);
	}
}

static const struct sym_frame frames_a[] = {
	{ "leaf_inlined", "a.c", 3, true, "/bin/t", false },
	{ "a", "a.c", 10, false, "/bin/t", false },
};
static const struct sym_frame frames_main[] = {
	{ "main", "m.c", 5, false, "/bin/t", false },
};
static const struct sym_frame frames_semi[] = {
	{ "odd;name", NULL, 0, false, "/lib/x.so", false },
};

static size_t
fake_frames(void *arg, uint64_t pc, bool exact, const struct sym_frame **out)
{
	switch (pc) {
	case 0x1000: *out = frames_a; return 2;
	case 0x2000: *out = frames_main; return 1;
	case 0x3000: *out = frames_semi; return 1;
	default: return 0;
	}
}

static bool
fake_mapping(void *arg, uint64_t pc, struct pprof_mapping *m)
{
	m->start = 0x1000;
	m->limit = 0x4000;
	m->file = "/bin/t";
	m->build_id = "abcd";
	m->has_functions = true;
	return true;
}

static bool
has_string(const struct pprof_file *f, const char *s)
{
	for (size_t i = 0; i < f->nstrings; i++)
		if (strcmp(f->strings[i], s) == 0)
			return true;
	return false;
}

/* The stack of sample @s as "leaf;...;root", inlined frames innermost
 * first, from the decoded locations. */
static void
sample_stack(const struct pprof_file *f, const struct pprof_sample *s,
	     char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < s->nlocations; k++) {
		const struct pprof_location *l = &f->locations[s->locations[k]];

		for (size_t j = 0; j < l->nlines; j++) {
			const char *name =
				f->functions[l->lines[j].function].name;

			used += snprintf(buf + used,
					 used < len ? len - used : 0, "%s%s",
					 used ? ";" : "", name);
		}
	}
}

/* The profile of test_profile, encoded, decoded again by the reader:
 * the tables say what was put in. */
static void
check_encoding(const struct buf *out)
{
	struct pprof_file f;
	struct pp_err err;
	int64_t cpu = 0, count = 0;
	bool seen_inl = false, seen_semi = false;
	char stack[256];

	if (pprof_read(out->data, out->len, &f, &err) < 0) {
		CHECK(false, "pprof_read: %s", err.text);
		return;
	}
	CHECK(f.nstrings > 0 && strcmp(f.strings[0], "") == 0,
	      "the string table does not start with \"\"");
	CHECK(f.ntypes == 2 && strcmp(f.types[0].type, "samples") == 0 &&
	      strcmp(f.types[0].unit, "count") == 0 &&
	      strcmp(f.types[1].type, "cpu") == 0 &&
	      strcmp(f.types[1].unit, "nanoseconds") == 0, "sample types");
	CHECK(f.period_type.type && strcmp(f.period_type.type, "cpu") == 0 &&
	      strcmp(f.period_type.unit, "nanoseconds") == 0 &&
	      f.period == 10000000, "period %lld", (long long) f.period);
	/* One sample per stack and label set: tid 7 twice, 8, 7 asleep. */
	CHECK(f.nsamples == 3, "%zu samples", f.nsamples);
	for (size_t i = 0; i < f.nsamples; i++) {
		const struct pprof_sample *s = &f.samples[i];

		count += s->values[0];
		cpu += s->values[1];
		sample_stack(&f, s, stack, sizeof(stack));
		if (strcmp(stack, "leaf_inlined;a;main") == 0)
			seen_inl = true;
		else if (strcmp(stack, "odd;name;main") == 0)
			seen_semi = true;
		else
			CHECK(false, "sample %zu: stack %s", i, stack);
	}
	CHECK(count == 4 && cpu == 40, "totals %lld samples, %lld ns",
	      (long long) count, (long long) cpu);
	CHECK(seen_inl, "no sample leaf_inlined;a;main (inlined in one "
	      "location, innermost first)");
	CHECK(seen_semi, "no sample odd;name;main (names kept as they are)");
	CHECK(has_string(&f, "thread_id") && has_string(&f, "thread_name") &&
	      has_string(&f, "worker"), "thread labels");
	CHECK(has_string(&f, "/bin/t"), "file names");
	pprof_file_free(&f);
}

static void
test_profile(void)
{
	struct profile p;
	struct frame_source src = { NULL, fake_frames, fake_mapping, 0 };
	uint64_t s1[] = { 0x1000 | PROFILE_PC_EXACT, 0x2000 };
	uint64_t s2[] = { 0x3000 | PROFILE_PC_EXACT, 0x2000 };
	int64_t v[2] = { 1, 10 };
	uint32_t a, b, c, name;
	struct folded f;
	struct buf out;

	profile_init(&p);
	p.nvalues = 2;
	p.types[0] = (struct profile_value_type) { "samples", "count" };
	p.types[1] = (struct profile_value_type) { "cpu", "nanoseconds" };
	p.period_type = p.types[1];
	p.period = 10000000;
	a = profile_stack(&p, s1, 2);
	b = profile_stack(&p, s2, 2);
	c = profile_stack(&p, s1, 2);
	CHECK(a == 1 && b == 2 && c == a, "stack ids %u %u %u", a, b, c);
	name = profile_string(&p, "worker");
	profile_add(&p, a, 7, name, THREAD_RUNNING, v);
	profile_add(&p, a, 7, name, THREAD_RUNNING, v);
	profile_add(&p, a, 8, name, THREAD_RUNNING, v);
	profile_add(&p, b, 7, name, THREAD_SLEEPING, v);
	CHECK(p.nsamples == 3, "%zu samples: same labels merge", p.nsamples);
	CHECK(profile_total(&p, 1) == 40, "total %lld",
	      (long long) profile_total(&p, 1));

	folded_build(&f, &p, &src, 1);
	buf_init(&out);
	folded_write(&f, &out);
	buf_putc(&out, '\0');
	/* Root first, the inlined callee after its caller, tids merged,
	 * ';' in a name replaced, sorted. */
	CHECK_STREQ((char *) out.data,
		    "main;a;leaf_inlined 30\nmain;odd:name 10\n");
	folded_free(&f);
	buf_free(&out);

	buf_init(&out);
	pprof_encode(&p, &src, NULL, 0, &out);
	check_encoding(&out);
	buf_free(&out);

	/* Merging a window into another: same stacks and labels add up,
	 * new ones are interned, and the window covers both. */
	{
		struct profile q;
		uint64_t s3[] = { 0x2000 };

		profile_init(&q);
		q.nvalues = 2;
		q.time_nanos = 5000;
		q.duration_nanos = 1000;
		profile_add(&q, profile_stack(&q, s3, 1), 9,
			    profile_string(&q, "other"), THREAD_RUNNING, v);
		profile_add(&q, profile_stack(&q, s1, 2), 7,
			    profile_string(&q, "worker"), THREAD_RUNNING, v);
		p.time_nanos = 1000;
		p.duration_nanos = 1000;
		profile_merge(&p, &q);
		CHECK(p.nsamples == 4, "%zu samples after merge", p.nsamples);
		CHECK(p.nstacks == 3, "%zu stacks after merge", p.nstacks);
		CHECK(profile_total(&p, 1) == 60, "merged total %lld",
		      (long long) profile_total(&p, 1));
		CHECK(p.samples[0].values[0] == 3, "worker tid 7 now %lld",
		      (long long) p.samples[0].values[0]);
		CHECK(p.time_nanos == 1000 && p.duration_nanos == 5000,
		      "window %lld+%lld", (long long) p.time_nanos,
		      (long long) p.duration_nanos);
		profile_free(&q);
	}
	profile_free(&p);
}

/* Wait frames, the view by thread, and top's own and total shares. */
static void
test_threads(void)
{
	struct profile p, g;
	struct frame_source src = { NULL, fake_frames, fake_mapping, 0 };
	uint64_t waits[] = { wait_frame_pc(232, -1, FD_KIND_NONE), 0x2000 };
	uint64_t runs[] = { 0x1000 | PROFILE_PC_EXACT, 0x2000 };
	int64_t v[2] = { 1, 30 }, w[2] = { 1, 10 };
	struct top_row *rows;
	struct folded f;
	struct buf out;
	size_t n, i;

	profile_init(&p);
	p.nvalues = 2;
	p.types[0] = (struct profile_value_type) { "samples", "count" };
	p.types[1] = (struct profile_value_type) { "wall", "nanoseconds" };
	profile_add_wait(&p, profile_stack(&p, waits, 2), 11,
			 profile_string(&p, "poller"), THREAD_SLEEPING, 233, v);
	profile_add(&p, profile_stack(&p, runs, 2), 12,
		    profile_string(&p, "worker"), THREAD_RUNNING, w);

	profile_group_by_thread(&p, &g);
	folded_build(&f, &g, &src, 1);
	buf_init(&out);
	folded_write(&f, &out);
	buf_putc(&out, '\0');
	CHECK(strstr((char *) out.data,
		     "thread poller (11);main;[wait: epoll_wait] 30\n") != NULL,
	      "grouped: %s", (char *) out.data);
	CHECK(strstr((char *) out.data, "thread worker (12);main;") != NULL,
	      "grouped: %s", (char *) out.data);
	buf_free(&out);

	n = top_rows(&f, true, &rows);
	CHECK(n >= 4, "%zu rows", n);
	CHECK_STREQ(rows[0].name, "main");
	CHECK(rows[0].total == 40 && rows[0].own == 0, "main: %lld %lld",
	      (long long) rows[0].total, (long long) rows[0].own);
	free(rows);
	n = top_rows(&f, false, &rows);
	CHECK_STREQ(rows[0].name, "[wait: epoll_wait]");
	CHECK(rows[0].own == 30, "own %lld", (long long) rows[0].own);
	for (i = 0; i < n; i++)
		CHECK(rows[i].own <= rows[i].total, "%s", rows[i].name);
	free(rows);
	folded_free(&f);

	profile_free(&g);
	profile_free(&p);
}

int
main(void)
{
	test_varint();
	test_profile();
	test_threads();
	return unit_done("unit-profile");
}
