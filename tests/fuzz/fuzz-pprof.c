/*
 * libFuzzer harness of the pprof reader (src/pprof-read.c) and of what
 * report computes from it: any bytes must give a profile or an error,
 * never a crash, a leak or undefined behaviour (see run-fuzz.sh).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "pprof-read.h"
#include <string.h>

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pprof_file f;
	struct pp_err err;
	struct func_total *t;
	int64_t total;
	uint8_t *copy;
	int vi;

	/* An exact-size heap copy: ASan catches any read past the end. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (pprof_read(copy, size, &f, &err) == 0) {
		vi = pprof_type_index(&f, NULL);
		if (vi >= 0) {
			pprof_function_totals(&f, vi, &t, &total);
			free(t);
		}
		pprof_file_free(&f);
	}
	free(copy);
	return 0;
}
