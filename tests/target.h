/*
 * Common helpers for the test targets: processes with a known call chain
 * that pidprof inspects.  A target links nothing of src/, so that it stays
 * an independent judge of what pidprof prints.
 *
 * Protocol shared by every target:
 *  - main() calls target_init() first: it opens Yama for any tracer
 *    (PR_SET_PTRACER_ANY) and maps the progress file;
 *  - argv[1], when given, names the progress file: PROGRESS_SLOTS unsigned
 *    64-bit little-endian counters, shared with the target through a
 *    MAP_SHARED mapping, so a test reads them with od(1) at any moment
 *    (init.sh: counter FILE SLOT) and the target needs no syscall to
 *    publish them;
 *  - the target writes "ready\n" on stdout once every thread is at its
 *    known place (a spinner prints it from inside its spin loop), then
 *    runs until it is killed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_TESTS_TARGET_H
# define PIDPROF_TESTS_TARGET_H

# include <stdint.h>

# ifdef __cplusplus
extern "C" {
# endif

# define NOINLINE __attribute__((noinline, noclone))
# define ALWAYS_INLINE inline __attribute__((always_inline))
/* Keeps a call out of tail position whatever the optimization level. */
# define BARRIER() __asm__ __volatile__("" ::: "memory")

# define PROGRESS_SLOTS 16

/* The PROGRESS_SLOTS counters (argv[1] or an anonymous mapping). */
extern volatile uint64_t *progress;

void target_init(int argc, char **argv);
/* Writes "ready\n" to stdout at once (write(2), no stdio buffering). */
void target_ready(void);
/* For multi-threaded targets: a thread reached its place. */
void target_arrive(void);
/* Blocks until n threads called target_arrive(), then target_ready(). */
void target_wait_arrivals(int n);

# ifdef __cplusplus
}
# endif

#endif /* !PIDPROF_TESTS_TARGET_H */
