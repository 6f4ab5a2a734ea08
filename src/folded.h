/*
 * Stacks as names: each sample's frames from root to leaf, inlined frames
 * expanded, identical name stacks merged.  Feeds the collapsed-stack and
 * flamegraph writers.  Pure.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_FOLDED_H
# define PIDPROF_FOLDED_H

# include "buf.h"
# include "pprof.h"
# include "profile.h"

struct folded_frame {
	uint32_t name;		/* ids in folded.strings */
	uint32_t module;
};

struct folded_stack {
	size_t off, n;		/* into frames[], root first */
	int64_t value;
};

struct folded {
	struct strtab strings;
	struct folded_frame *frames;
	size_t nframes, frames_cap;
	struct folded_stack *stacks;	/* sorted by their folded text */
	size_t nstacks, stacks_cap;
	int64_t total;
};

/* Folds value @vi of every sample of @p. */
void folded_build(struct folded *f, const struct profile *p,
		  const struct frame_source *src, size_t vi);
void folded_free(struct folded *f);
/* "root;caller;leaf value\n" lines, in the Brendan Gregg format. */
void folded_write(const struct folded *f, struct buf *out);

#endif /* !PIDPROF_FOLDED_H */
