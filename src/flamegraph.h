/*
 * A self-contained flamegraph SVG: hover titles, click to zoom, search,
 * frames coloured by module.  Pure.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_FLAMEGRAPH_H
# define PIDPROF_FLAMEGRAPH_H

# include "buf.h"
# include "folded.h"

struct flamegraph_opts {
	const char *title;
	const char *subtitle;
	const char *unit;	/* "ns", "bytes", "samples"... for titles */
};

void flamegraph_write(const struct folded *f,
		      const struct flamegraph_opts *o, struct buf *out);

#endif /* !PIDPROF_FLAMEGRAPH_H */
