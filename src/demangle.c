/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "demangle.h"
#include "common.h"

#include <stdlib.h>
#include <string.h>

#ifdef HAVE_RUST_DEMANGLE
# include <libiberty/demangle.h>
#endif

extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len,
			    int *status);

char *
pp_demangle(const char *name)
{
	char *d;
	int status = -1;

	if (!name)
		return NULL;
#ifdef HAVE_RUST_DEMANGLE
	/* v0 always; legacy Rust is a _ZN name that libiberty recognizes
	 * by its hash, and leaves to the C++ demangler otherwise. */
	if (strncmp(name, "_R", 2) == 0 || strncmp(name, "_ZN", 3) == 0) {
		d = rust_demangle(name, 0);
		if (d)
			return d;
	}
#endif
	if (strncmp(name, "_Z", 2) != 0)
		return NULL;
	d = __cxa_demangle(name, NULL, NULL, &status);
	if (d && status == 0)
		return d;
	free(d);
	return NULL;
}
