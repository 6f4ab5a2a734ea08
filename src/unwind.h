/*
 * Offline unwinders: a snapshot (registers + stack copy) in, return
 * addresses out.  The target is running again by the time they work.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_UNWIND_H
# define PIDPROF_UNWIND_H

# include "common.h"
# include "err.h"
# include "procimg.h"
# include "snapshot.h"

# define UNWIND_MAX_FRAMES	1024

struct raw_frame {
	uint64_t pc;
	/* pc is exact (frame 0, signal frame), not a return address */
	bool activation;
};

enum unwind_end {
	UNWIND_END_COMPLETE,	/* reached the outermost frame */
	UNWIND_END_TRUNCATED,	/* needed stack beyond the copied slice */
	UNWIND_END_ERROR,	/* stopped early; reason says why */
	UNWIND_END_MAX_FRAMES,	/* UNWIND_MAX_FRAMES reached */
};

struct raw_stack {
	struct raw_frame frames[UNWIND_MAX_FRAMES];
	size_t n;
	enum unwind_end end;
	char reason[160];
};

/* Memory as the unwinders see it: the stack copy, then read-only file
 * mappings and the vDSO.  Notes reads that fell past the copy. */
struct unwind_mem {
	struct procimg *img;
	const struct snapshot *snap;
	bool past_snapshot;
};

bool unwind_mem_read(struct unwind_mem *m, uint64_t addr, void *buf,
		     size_t len);
/* Sets out->end from how the backend stopped. */
/* Whether @out holds UNWIND_MAX_FRAMES frames; then it is marked so and
 * the unwinder must stop. */
bool unwind_full(struct raw_stack *out);
void unwind_finish(struct raw_stack *out, const struct unwind_mem *m,
		   bool failed, const char *reason);

/*
 * A thread read while blocked gives only SP and PC.  Code built with
 * frame pointers needs RBP to find the caller's frame; this finds the
 * frame record of the frame where unwinding stopped: the first slot at or
 * above @frame_sp (that frame's SP) holding a return address (an address
 * in executable code right after a call instruction), the word below it
 * being the saved RBP.  Returns false when none is found.
 */
bool unwind_guess_frame_pointer(struct unwind_mem *m, uint64_t frame_sp,
				uint64_t *rbp);

/*
 * A blocked thread's second chance: when the walk from SP and PC alone
 * stops, walk again with the RBP that unwind_guess_frame_pointer() finds
 * above the last frame, and keep the longer stack.  Each backend keeps
 * one of these and honours use_rbp when it serves registers.
 */
struct fp_retry {
	bool use_rbp;
	uint64_t rbp;
	uint64_t last_sp;		/* SP of the last frame, or 0 */
	struct raw_stack *stack;	/* the second walk */
};

typedef void (*unwind_walk_fn)(void *backend, const struct snapshot *snap,
			       struct raw_stack *out);

void unwind_with_retry(struct fp_retry *r, struct unwind_mem *m,
		       const struct snapshot *snap, struct raw_stack *out,
		       unwind_walk_fn walk, void *backend);

struct symbols;
struct unwinder;

/*
 * Go code without CFI (a binary linked with -ldflags='-s -w') is walked
 * as Go's own traceback does: the SP delta of .gopclntab at each PC
 * gives the return address (at SP + delta) and the caller's SP (8 bytes
 * above it); frame pointers would skip the caller of every frameless
 * leaf.  unwind_go_starts() says whether the frame at @pc is such code;
 * unwind_go() then continues @out, whose last frame it is, from that
 * frame's stack pointer @sp, and sets out->end.
 */
bool unwind_go_starts(struct symbols *syms, uint64_t pc, bool activation);
void unwind_go(struct unwind_mem *m, struct symbols *syms, uint64_t sp,
	       struct raw_stack *out);

struct unwinder_ops {
	const char *name;
	struct unwinder *(*open)(struct procimg *img, struct symbols *syms,
				 struct pp_err *err);
	void (*unwind)(struct unwinder *u, const struct snapshot *snap,
		       struct raw_stack *out);
	void (*close)(struct unwinder *u);
};

extern const struct unwinder_ops unwinder_dwfl;
extern const struct unwinder_ops unwinder_libunwind;

/* NULL when no unwinder has that name. */
const struct unwinder_ops *unwinder_by_name(const char *name);

#endif /* !PIDPROF_UNWIND_H */
