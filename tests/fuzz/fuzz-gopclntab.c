/*
 * libFuzzer harness of the Go function table reader (src/gopclntab.c):
 * any bytes as a table give lookups, file:line and SP deltas that stay
 * inside it, never a read past its end, a crash or undefined behaviour.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "gopclntab.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	struct gopclntab t;
	uint64_t pc, step;

	if (!copy)
		return 0;
	/* An exact-size heap copy: ASan catches any read past the end. */
	memcpy(copy, data, size);
	if (gopclntab_init(&t, copy, size, NULL) == 0) {
		/* 64 lookups spread over the first 64 KiB of text. */
		for (pc = t.text_start, step = 1; pc < t.text_start + 0x10000;
		     pc += step, step = step * 2 + 1) {
			struct gopcln_func f;
			const char *file;
			int line;
			int32_t d;

			if (!gopclntab_lookup(&t, pc, &f))
				continue;
			if (f.name && ((const uint8_t *) f.name < copy ||
				       (const uint8_t *) f.name >= copy + size))
				abort();
			if (gopclntab_line(&t, &f, pc, &file, &line) &&
			    ((const uint8_t *) file < copy ||
			     (const uint8_t *) file >= copy + size))
				abort();
			gopclntab_sp_delta(&t, &f, pc, &d);
		}
	}
	free(copy);
	return 0;
}
