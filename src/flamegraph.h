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
/*
 * A differential flame graph: @new's stacks, each frame coloured by how
 * its share of the total changed from @base at the same place (the same
 * path of names from the root): red when it grew, blue when it shrank,
 * the deeper the larger the change; hover titles give both shares.
 */
void flamegraph_write_diff(const struct folded *base,
			   const struct folded *new,
			   const struct flamegraph_opts *o, struct buf *out);
/* @s as XML text or attribute value (escaped; control bytes dropped). */
void xml_text(struct buf *out, const char *s);

#endif /* !PIDPROF_FLAMEGRAPH_H */
