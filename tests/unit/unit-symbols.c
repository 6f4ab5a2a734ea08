/*
 * Inline frames: a function inlined into itself at the line it runs is
 * one frame.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "demangle.h"
#include "symbols.h"
#include "unit.h"

#include <stdlib.h>

static void
test_fold(void)
{
	static const struct {
		struct sym_frame callee, caller;
		bool folded;
		bool inlined;	/* the callee's flag afterwards */
	} rows[] = {
		/* glibc: __GI___libc_write inlined into __libc_write, both
		 * named after the same function, at the same line. */
		{ { "write", "write.c", 26, true, "libc.so.6", false },
		  { "write", "write.c", 26, false, "libc.so.6", false },
		  true, false },
		/* The caller is itself inlined further out. */
		{ { "f", "a.c", 10, true, "m", false },
		  { "f", "a.c", 10, true, "m", false }, true, true },
		/* Recursion: the same function at another line is a frame. */
		{ { "f", "a.c", 10, true, "m", false },
		  { "f", "a.c", 12, false, "m", false }, false, true },
		{ { "g", "a.c", 10, true, "m", false },
		  { "f", "a.c", 10, false, "m", false }, false, true },
		/* Unknown functions never fold. */
		{ { NULL, NULL, 0, true, "m", false },
		  { NULL, NULL, 0, false, "m", false }, false, true },
		{ { "f", "a.c", 10, true, "m", false },
		  { NULL, "a.c", 10, false, "m", false }, false, true },
		{ { NULL, "a.c", 10, true, "m", false },
		  { "f", "a.c", 10, false, "m", false }, false, true },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct sym_frame f = rows[i].callee;
		bool folded = sym_frame_fold_caller(&f, &rows[i].caller);

		CHECK(folded == rows[i].folded, "row %zu: folded %d", i,
		      (int) folded);
		CHECK(f.inlined == rows[i].inlined, "row %zu: inlined %d", i,
		      (int) f.inlined);
		/* Only the flag changes: the callee keeps its place. */
		CHECK(f.function == rows[i].callee.function &&
		      f.file == rows[i].callee.file &&
		      f.line == rows[i].callee.line &&
		      f.module == rows[i].callee.module,
		      "row %zu: the callee changed", i);
	}
}

/* The walk of symbols.c's resolve(): each caller of an inlined frame is
 * folded into it or appended; the walk ends at a frame not inlined. */
static size_t
walk(const struct sym_frame *chain, size_t n, struct sym_frame *out)
{
	size_t k = 0, j;

	out[k++] = chain[0];
	for (j = 1; out[k - 1].inlined && j < n; j++)
		if (!sym_frame_fold_caller(&out[k - 1], &chain[j]))
			out[k++] = chain[j];
	return k;
}

static void
test_chain(void)
{
	/* leaf inlined into f, f inlined into itself at line 10, f out of
	 * line: three frames, leaf, f:10 (not inlined) ... and no more. */
	static const struct sym_frame chain[] = {
		{ "leaf", "a.c", 3, true, "m", false },
		{ "f", "a.c", 10, true, "m", false },
		{ "f", "a.c", 10, true, "m", false },
		{ "f", "a.c", 10, false, "m", false },
		{ "main", "a.c", 20, false, "m", false },
	};
	struct sym_frame out[5];
	size_t n = walk(chain, 5, out);

	CHECK(n == 2, "%zu frames", n);
	CHECK_STREQ(out[0].function, "leaf");
	CHECK(out[0].inlined, "leaf is inlined");
	CHECK_STREQ(out[1].function, "f");
	CHECK(out[1].line == 10, "f at line %d", out[1].line);
	CHECK(!out[1].inlined, "f is the out-of-line copy");
}

static void
test_demangle(void)
{
	static const struct {
		const char *mangled, *name;
	} rows[] = {
		/* Rust's legacy mangling, the hash left out. */
		{ "_ZN7mycrate6module8function17h3cf702f296f3fb35E",
		  "mycrate::module::function" },
		{ "_ZN4core3ops8function6FnOnce40call_once$u7b$$u7b$vtable.shim$u7d$$u7d$17h15d6285698238b27E",
		  "core::ops::function::FnOnce::call_once{{vtable.shim}}" },
		/* v0, -C symbol-mangling-version=v0. */
		{ "_RNvNtCs9ouqcdLKNTu_7mycrate6module8function",
		  "mycrate::module::function" },
		{ "_RNvCs9ouqcdLKNTu_7mycrate4main", "mycrate::main" },
		/* C++ still goes through the C++ demangler. */
		{ "_ZN2ns3fooEv", "ns::foo()" },
		{ "_ZNSt6vectorIiSaIiEE9push_backERKi",
		  "std::vector<int, std::allocator<int> >::push_back(int const&)" },
		/* Not mangled. */
		{ "main", NULL },
		{ "_Rubbish", NULL },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *d = pp_demangle(rows[i].mangled);

		if (rows[i].name)
			CHECK_STREQ(d, rows[i].name);
		else
			CHECK(d == NULL, "%s gave %s", rows[i].mangled, d);
		free(d);
	}
}

int
main(void)
{
	test_fold();
	test_chain();
	test_demangle();
	return unit_done("unit-symbols");
}
