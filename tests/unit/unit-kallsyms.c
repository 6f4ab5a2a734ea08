/*
 * /proc/kallsyms: text symbols kept and sorted, modules, ties, the
 * addresses kptr_restrict hides, and the lookups' edges.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kallsyms.h"
#include "unit.h"

#include <errno.h>
#include <stdint.h>

/* As the kernel lists them: not sorted (modules last, out of order),
 * data symbols mixed in, several names at one address. */
static const char text[] =
	"ffffffff81000000 T srso_alias_untrain_ret\n"
	"ffffffff81000000 t _stext_local\n"
	"ffffffff81000000 T _stext\n"
	"ffffffff81000100 t read_zero\n"
	"ffffffff81000200 D some_data\n"
	"ffffffff81000300 W weak_fn\n"
	"ffffffff81000400 r rodata_sym\n"
	"ffffffffc0300000 t nft_do_chain\t[nf_tables]\n"
	"ffffffffc0200000 t ext4_read\t[ext4]\n"
	"ffffffffc0200040 T ext4_write\t[ext4]\n"
	"ffffffff81000180 w weak_local\n"
	"garbage line\n"
	"ffffffff810002 x\n"
	"ffffffff81000500 T last_fn";

static void
test_lookup(void)
{
	static const struct {
		uint64_t addr;
		const char *name, *module;	/* name NULL: none */
	} rows[] = {
		{ 0xffffffff80ffffffull, NULL, NULL },
		/* The first global name at an address wins. */
		{ 0xffffffff81000000ull, "srso_alias_untrain_ret", "" },
		{ 0xffffffff810000ffull, "srso_alias_untrain_ret", "" },
		{ 0xffffffff81000100ull, "read_zero", "" },
		{ 0xffffffff8100017full, "read_zero", "" },
		{ 0xffffffff81000180ull, "weak_local", "" },
		/* Data symbols are not functions: weak_local holds it. */
		{ 0xffffffff81000250ull, "weak_local", "" },
		{ 0xffffffff81000333ull, "weak_fn", "" },
		{ 0xffffffff81000450ull, "weak_fn", "" },
		{ 0xffffffff81000500ull, "last_fn", "" },
		/* Past any function's length: nothing. */
		{ 0xffffffff81000500ull + KALLSYMS_FUNC_MAX, NULL, NULL },
		{ 0xffffffffc0200000ull, "ext4_read", "ext4" },
		{ 0xffffffffc0200041ull, "ext4_write", "ext4" },
		{ 0xffffffffc0300010ull, "nft_do_chain", "nf_tables" },
	};
	struct pp_err err;
	struct kallsyms *k = kallsyms_parse(text, sizeof(text) - 1, &err);

	CHECK(k != NULL, "parse: %s", err.text);
	if (!k)
		return;
	/* 10 text lines, 3 of them at one address. */
	CHECK(kallsyms_count(k) == 8, "%zu symbols", kallsyms_count(k));
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *mod = "unset";
		const char *name = kallsyms_lookup(k, rows[i].addr, &mod);

		if (!rows[i].name) {
			CHECK(name == NULL, "%#llx: '%s'",
			      (unsigned long long) rows[i].addr, name);
			continue;
		}
		CHECK_STREQ(name, rows[i].name);
		CHECK_STREQ(mod, rows[i].module);
	}
	kallsyms_free(k);
}

static void
test_hidden(void)
{
	static const char hidden[] =
		"0000000000000000 T _stext\n"
		"0000000000000000 t read_zero\n"
		"0000000000000000 t nft_do_chain\t[nf_tables]\n";
	static const char no_text[] = "ffffffff81000200 D some_data\n";
	struct pp_err err;

	CHECK(kallsyms_parse(hidden, sizeof(hidden) - 1, &err) == NULL,
	      "hidden addresses parsed");
	CHECK(err.errnum == EPERM && strstr(err.text, "kptr_restrict"),
	      "%s", err.text);
	CHECK(kallsyms_parse(no_text, sizeof(no_text) - 1, &err) == NULL,
	      "no text symbol parsed");
	CHECK(kallsyms_parse("", 0, &err) == NULL, "empty text parsed");
	CHECK(kallsyms_read("/nonexistent/kallsyms", &err) == NULL &&
	      err.errnum == ENOENT, "%s", err.text);
}

int
main(void)
{
	test_lookup();
	test_hidden();
	return unit_done("unit-kallsyms");
}
