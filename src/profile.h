/*
 * A profile in memory: stacks of raw PCs aggregated with their labels
 * and values.  Symbols are attached only when it is written out.  Pure.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_PROFILE_H
# define PIDPROF_PROFILE_H

# include "common.h"
# include "idtab.h"
# include "strtab.h"

# define PROFILE_MAX_VALUES	6

/* Bit 63 of a stored pc: the pc is exact, not a return address. */
# define PROFILE_PC_EXACT	(1ull << 63)
/* A pseudo-frame at the root of a stack whose copy was too short. */
# define PROFILE_PC_TRUNCATED	1ull
/* Bit 62: the leaf pseudo-frame of a thread asleep in a system call,
 * which names the call itself (syscalls.h: wait_frame_pc). */
# define PROFILE_PC_WAIT	(1ull << 62)

/* Bit 61: a pseudo-frame named by the profile's string whose id is in
 * the low 32 bits (the root "thread NAME (TID)" of a view by thread).
 * Only for a profile that is written out, never merged into another. */
# define PROFILE_PC_NAMED	(1ull << 61)

/* Bit 60: a kernel frame of a perf events callchain, which keeps the
 * low 48 bits of its address (all the others are ones: the kernel's
 * half of x86-64).  Symbolizers get it back from profile_pc_addr(). */
# define PROFILE_PC_KERNEL	(1ull << 60)
# define PROFILE_PC_KERNEL_LOW	((1ull << 48) - 1)

/* Bits 48 to 59: in a profile of several processes, which one a pc
 * belongs to (1 for the first; 0: the profile is of one process).  User
 * addresses on x86-64 stay below bit 47.  Pseudo-frames carry none. */
# define PROFILE_PC_PROC_SHIFT	48
# define PROFILE_PC_PROC_MAX	4095u
# define PROFILE_PC_PROC_MASK	((uint64_t) PROFILE_PC_PROC_MAX << \
				 PROFILE_PC_PROC_SHIFT)

/* The process number of a stored pc (0: none). */
static inline unsigned int
profile_pc_proc(uint64_t stored)
{
	return (unsigned int) ((stored & PROFILE_PC_PROC_MASK) >>
			       PROFILE_PC_PROC_SHIFT);
}

/* A kernel frame's stored pc (exact: the sampled instruction). */
static inline uint64_t
profile_kernel_pc(uint64_t addr, bool exact)
{
	return PROFILE_PC_KERNEL | (addr & PROFILE_PC_KERNEL_LOW) |
	       (exact ? PROFILE_PC_EXACT : 0);
}

static inline bool
profile_pc_is_kernel(uint64_t stored)
{
	return (stored & PROFILE_PC_KERNEL) != 0;
}

/* The address of a stored pc, without its flags and process number; a
 * kernel frame's whole address (the same again for that address). */
static inline uint64_t
profile_pc_addr(uint64_t stored)
{
	if (profile_pc_is_kernel(stored))
		return stored | ~PROFILE_PC_KERNEL_LOW;
	return stored & ~(PROFILE_PC_EXACT | PROFILE_PC_PROC_MASK);
}

static inline bool
profile_pc_is_wait(uint64_t stored)
{
	return (stored & PROFILE_PC_WAIT) != 0;
}

enum thread_state {
	THREAD_RUNNING,		/* on a CPU or runnable */
	THREAD_SLEEPING,	/* interruptible sleep */
	THREAD_DISK,		/* uninterruptible sleep */
	THREAD_STOPPED,		/* job-control or trace stop */
	THREAD_OTHER,
};

struct profile_stack {
	size_t off;		/* into pcs[] */
	uint32_t n;
};

struct profile_sample {
	uint32_t stack;		/* stack id, from 1 */
	pid_t tid;
	uint32_t name;		/* string id of the thread name */
	uint8_t state;		/* enum thread_state */
	uint16_t wait;		/* system call asleep in, plus one; 0: none */
	pid_t pid;		/* its process, in a profile of several; 0 */
	uint32_t proc_name;	/* string id of the process name, or 0 */
	int64_t values[PROFILE_MAX_VALUES];
};

struct profile_value_type {
	const char *type, *unit;
};

struct profile {
	size_t nvalues;
	struct profile_value_type types[PROFILE_MAX_VALUES];
	struct profile_value_type period_type;
	int64_t period;
	int64_t time_nanos;	/* start, UTC ns since the epoch */
	int64_t duration_nanos;
	/* Samples of threads carry thread_id, thread_name, thread_state;
	 * otherwise a sample's name goes under name_label (if not NULL). */
	bool thread_labels;
	const char *name_label;
	/* Samples carry pid and process_name too (several processes). */
	bool process_labels;
	/* The value folded stacks and flame graphs show; -1: the last. */
	int display_value;

	uint64_t *pcs;		/* leaf first, root last, per stack */
	size_t npcs, pcs_cap;
	struct profile_stack *stacks;
	size_t nstacks, stacks_cap;
	struct idtab stack_index;

	struct profile_sample *samples;
	size_t nsamples, samples_cap;
	struct idtab sample_index;

	struct strtab strings;
};

void profile_init(struct profile *p);
void profile_free(struct profile *p);
/* The id of a stack (leaf first), adding it if new. */
uint32_t profile_stack(struct profile *p, const uint64_t *pcs, size_t n);
uint32_t profile_string(struct profile *p, const char *s);
/* Adds @values to the sample with these labels. */
void profile_add(struct profile *p, uint32_t stack, pid_t tid, uint32_t name,
		 enum thread_state state, const int64_t *values);
/* The same, for a thread asleep in system call @wait - 1 (0: none). */
void profile_add_wait(struct profile *p, uint32_t stack, pid_t tid,
		      uint32_t name, enum thread_state state, uint16_t wait,
		      const int64_t *values);
const char *thread_state_name(enum thread_state s);
enum thread_state thread_state_from_proc(char state);
/* Adds every sample of @src to @dst, whose value types must be the
 * same; @dst's window grows to cover both. */
void profile_merge(struct profile *dst, const struct profile *src);
/* The name of a wait or named pseudo-frame into @buf; false for any
 * other pc. */
bool profile_pseudo_name(const struct profile *p, uint64_t stored,
			 char *buf, size_t len);
/* A copy of @src whose stacks each have a root "thread NAME (TID)". */
void profile_group_by_thread(const struct profile *src, struct profile *out);
/*
 * Adds every sample of @src, the profile of process @pid named
 * @proc_name, to @dst (same value types), as process number @proc (1 to
 * PROFILE_PC_PROC_MAX): its pcs carry that number, so that a frame
 * source can tell whose symbols they need, and its samples the pid and
 * process name.  Sets dst->process_labels.
 */
void profile_add_process(struct profile *dst, const struct profile *src,
			 unsigned int proc, pid_t pid, const char *proc_name);
/* Adds @values to the sample like @key (its stack, labels, pid and
 * process name ids in @p). */
void profile_add_sample(struct profile *p, const struct profile_sample *key,
			const int64_t *values);
/* A copy of @src whose stacks each have a root "process NAME (PID)". */
void profile_group_by_process(const struct profile *src,
			      struct profile *out);
/* Total of value @i over all samples. */
int64_t profile_total(const struct profile *p, size_t i);

#endif /* !PIDPROF_PROFILE_H */
