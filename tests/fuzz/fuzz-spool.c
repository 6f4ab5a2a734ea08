/*
 * libFuzzer harness of the spool file parser (src/spool-file.c): a
 * spool file may have been written by someone else, so any bytes give a
 * checked header or an error, never a crash, a leak or undefined
 * behaviour; an accepted header formats back to one that parses alike.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "spool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spool_meta m, back;
	struct pp_err err;
	struct buf b;
	size_t off, off2;
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (spool_parse(copy, size, &m, &off, &err) == 0) {
		if (off > size || m.path || m.what)
			abort();
		buf_init(&b);
		spool_format(&m, copy + off, size - off, &b);
		if (spool_parse(b.data, b.len, &back, &off2, &err) != 0 ||
		    strcmp(back.sink, m.sink) != 0 ||
		    strcmp(back.type, m.type) != 0 ||
		    back.time_ns != m.time_ns || back.rate_hz != m.rate_hz ||
		    b.len - off2 != size - off)
			abort();
		spool_meta_free(&back);
		spool_meta_free(&m);
		buf_free(&b);
	}
	free(copy);
	return 0;
}
