/*
 * The pprof encoder (profile.proto): a profile plus the symbols of its
 * PCs in, protobuf bytes out (not yet gzipped).  Pure: symbols come
 * through the frame_source callbacks.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_PPROF_H
# define PIDPROF_PPROF_H

# include "buf.h"
# include "profile.h"
# include "symbols.h"

struct pprof_mapping {
	uint64_t start, limit, offset;
	const char *file;
	const char *build_id;	/* hex, or NULL */
	bool has_functions, has_filenames, has_line_numbers, has_inlines;
};

struct frame_source {
	void *arg;
	/* The frames at @pc, innermost first (see symbols_lookup). */
	size_t (*frames)(void *arg, uint64_t pc, bool exact,
			 const struct sym_frame **out);
	/* The mapping holding @pc; false when none. */
	bool (*mapping)(void *arg, uint64_t pc, struct pprof_mapping *m);
	/* An address in the main executable, whose mapping is written
	 * first (readers name a profile after it); 0 when unknown. */
	uint64_t main_addr;
};

/* A source that knows no frame and no mapping. */
void empty_frame_source(struct frame_source *src);

/* The sources of the processes of one profile, the first for process
 * number 1 (profile_add_process). */
struct frame_sources {
	const struct frame_source *v;
	size_t n;
};
/* A source that answers each pc from the source of its process, with
 * the process number taken off.  @set must outlive @src. */
void multi_frame_source(const struct frame_sources *set,
			struct frame_source *src);

void pprof_encode(const struct profile *p, const struct frame_source *src,
		  const char *const *comments, size_t ncomments,
		  struct buf *out);

/* The name a frame goes by in every output: its function, else its
 * module in brackets, else "??". */
const char *frame_display_name(const struct sym_frame *f, char *buf,
			       size_t len);

#endif /* !PIDPROF_PPROF_H */
