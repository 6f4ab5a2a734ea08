/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "json.h"

#include <stdlib.h>

void
json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *) s;

	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void
json_buf_string(struct buf *out, const char *s)
{
	char *p = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&p, &len);

	if (!f)
		return;
	json_string(f, s);
	fclose(f);
	buf_append(out, p, len);
	free(p);
}
