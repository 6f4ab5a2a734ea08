/*
 * libFuzzer harness of push's settings (src/push-config.c over
 * src/conffile.c): a configuration file is parsed, applied and resolved
 * into a plan, as push and its reload do; any bytes give a plan or an
 * error, never a crash, a leak or undefined behaviour.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "conffile.h"
#include "push-config.h"
#include "sampler.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* sampler.c (and the ptrace code it pulls in) is not linked: its one
 * function that the settings use, for messages. */
const char *
sample_mode_name(enum sample_mode m)
{
	return m == MODE_CPU ? "cpu" : "wall";
}

static const char *
env(const char *name, void *arg)
{
	(void) arg;
	return strcmp(name, "HOST") == 0 ? "127.0.0.1" : NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct push_config pc;
	struct push_plan plan;
	struct config c;
	struct pp_err err;
	char *copy = malloc(size ? size : 1);
	size_t i;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (config_parse(copy, size, "fuzz.conf", env, NULL, &c, &err) == 0) {
		push_config_init(&pc);
		if (push_config_apply_file(&pc, &c, &err) == 0 &&
		    push_config_resolve(&pc, "app", &plan, &err) == 0) {
			for (i = 0; i < plan.nsinks; i++)
				if (!plan.sinks[i].url ||
				    !plan.sinks[i].url_shown)
					abort();
			push_plan_free(&plan);
		}
		push_config_free(&pc);
		config_free(&c);
	}
	free(copy);
	return 0;
}
