/*
 * libFuzzer harness of the sink reply parser (src/sink.c): a server's
 * answer, any bytes and not NUL-terminated, gives a verdict and a
 * printable message within its buffer, never a read past the body, a
 * crash or undefined behaviour.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "sink.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 400, 429, 500 };
	struct sink_reply r;
	uint8_t *copy = malloc(size ? size : 1);
	size_t i;
	const char *p;

	if (!copy)
		return 0;
	/* An exact-size heap copy: ASan catches any read past the end. */
	memcpy(copy, data, size);
	sink_parse_reply(copy, size, &r);
	if (!memchr(r.message, '\0', sizeof(r.message)) ||
	    !memchr(r.code_text, '\0', sizeof(r.code_text)))
		abort();
	for (p = r.message; *p; p++)
		if (*p < ' ' || *p > '~')
			abort();
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		sink_judge(SINK_PROFEFE, statuses[i], &r);
		sink_judge(SINK_PYROSCOPE, statuses[i], &r);
	}
	free(copy);
	return 0;
}
