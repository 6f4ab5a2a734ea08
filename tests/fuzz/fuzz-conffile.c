/*
 * libFuzzer harness of the configuration file parser (src/conffile.c):
 * any bytes give entries or an error, never a crash, a leak or undefined
 * behaviour.  ${VAR} is expanded from a fixed, small environment.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "conffile.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *
env(const char *name, void *arg)
{
	(void) arg;
	if (strcmp(name, "HOST") == 0)
		return "127.0.0.1";
	if (strcmp(name, "EMPTY") == 0)
		return "";
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	struct pp_err err;
	char *copy = malloc(size ? size : 1);
	size_t i;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (config_parse(copy, size, "fuzz.conf", env, NULL, &c, &err) == 0) {
		for (i = 0; i < c.n; i++)
			if (!c.v[i].key || !c.v[i].value)
				abort();
		config_free(&c);
	}
	free(copy);
	return 0;
}
