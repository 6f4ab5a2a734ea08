/*
 * The speedscope file format (https://www.speedscope.app): one sampled
 * profile per thread, stacks root first as indexes into shared frames
 * that carry name, file and line.  Pure.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_SPEEDSCOPE_H
# define PIDPROF_SPEEDSCOPE_H

# include "buf.h"
# include "pprof.h"
# include "profile.h"

/* Writes value @vi of @p as a speedscope JSON document named @name. */
void speedscope_write(const struct profile *p, const struct frame_source *src,
		      size_t vi, const char *name, struct buf *out);

#endif /* !PIDPROF_SPEEDSCOPE_H */
