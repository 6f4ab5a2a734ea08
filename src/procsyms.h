/*
 * The symbols of the processes of a sampler group, for a thread other
 * than the tracer's (the HTTP side of serve, push's uploader): while a
 * process is sampled, symbols of its own, opened from /proc when it is
 * first seen; once it is not, its sampler's, which the tracer no longer
 * touches and which outlive the process.  procsyms_update() (the
 * tracer) never waits for procsyms_source() (one other thread at a time,
 * the caller serializes those): entries are published with atomic
 * stores, and an entry's own symbols are only ever used by the reader.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_PROCSYMS_H
# define PIDPROF_PROCSYMS_H

# include "pprof.h"
# include "procimg.h"
# include "sampler.h"

struct procsym {
	struct procimg img;
	struct symbols *own;
	struct symbols *syms;	/* own, or the sampler's; NULL: none */
};

struct procsyms {
	struct procsym *v;	/* entry i for process number i + 1 */
	size_t n;		/* entries published (atomic) */
	size_t max;
};

void procsyms_init(struct procsyms *t, size_t max);
/* From the tracer, before samples are handed over: symbols for the
 * processes @g has begun sampling since, and the sampler's for those it
 * no longer samples (@res, @p as given to sampler_group_open). */
void procsyms_update(struct procsyms *t, const struct sampler_group *g,
		     const struct sampler_procs *p,
		     const struct sampler_result *res);
/* A source for a profile of several processes (process number i + 1:
 * entry i), with the new mappings of those still sampled; @set->v is
 * allocated: free it when @src is no longer used. */
void procsyms_source(struct procsyms *t, struct frame_sources *set,
		     struct frame_source *src);
void procsyms_free(struct procsyms *t);

#endif /* !PIDPROF_PROCSYMS_H */
