/*
 * pidprof record: sample a process for a while and write profiles.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_RECORD_H
# define PIDPROF_RECORD_H

# include "output.h"
# include "sampler.h"

# define RECORD_MAX_OUTPUTS	16

struct record_opts {
	struct sampler_opts sampler;
	struct output outputs[RECORD_MAX_OUTPUTS];
	size_t noutputs;
	bool quiet;
};

/* Returns an exit status (EXIT_COMPLETE, EXIT_PARTIAL, EXIT_FATAL). */
int record_run(struct record_opts *o);

#endif /* !PIDPROF_RECORD_H */
