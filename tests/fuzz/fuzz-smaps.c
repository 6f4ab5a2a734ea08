/*
 * libFuzzer harness of the smaps parser (src/smaps.c): any bytes must
 * give either entries or an error naming a line, never a crash, a leak
 * or undefined behaviour (run it under ASan and UBSan: see run-fuzz.sh).
 * The categories and the status parser get the same input.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "smaps.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smaps s = { (struct smaps_entry *) 1, 12345 };
	struct proc_status st;
	struct pp_err err;
	char *copy, name[64];
	size_t i;

	/* An exact-size heap copy: ASan catches any read past the end. */
	copy = malloc(size ? size : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	memset(&err, 0, sizeof(err));
	if (smaps_parse(copy, size, &s, &err) == 0) {
		if (s.n && s.v == NULL)
			abort();
		for (i = 0; i < s.n; i++) {
			const struct smaps_entry *e = &s.v[i];
			enum mem_category c;

			name[0] = '\0';
			c = smaps_classify(e, i % 2 == 0 ? 0 : 1234, name, sizeof(name));
			if ((unsigned) c >= MEM_NCATEGORIES ||
			    strlen(name) >= sizeof(name) ||
			    mem_category_name(c) == NULL)
				abort();
		}
		smaps_free(&s);
	} else {
		/* An error names a line, and leaves nothing allocated. */
		if (strncmp(err.text, "smaps line ", 11) != 0) {
			fprintf(stderr, "unexpected error text: '%s'\n",
				err.text);
			abort();
		}
		if (s.v != NULL || s.n != 0)
			abort();
	}
	smaps_free(&s);	/* a second free of an emptied struct is fine */
	free(copy);

	/* parse_proc_status takes NUL-terminated text. */
	copy = malloc(size + 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	parse_proc_status(copy, &st);
	free(copy);
	return 0;
}
