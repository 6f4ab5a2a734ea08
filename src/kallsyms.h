/*
 * The kernel's function symbols from /proc/kallsyms (lines "ADDR TYPE
 * NAME", and "\t[MODULE]" after the name of a module's): text symbols
 * (t, T, w, W) sorted by address, to name the kernel frames of perf
 * events' callchains.  Pure but for kallsyms_read().
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_KALLSYMS_H
# define PIDPROF_KALLSYMS_H

# include "common.h"
# include "err.h"

/* No kernel function is longer: an address further past the last
 * symbol below it is in no function we know. */
# define KALLSYMS_FUNC_MAX	(1u << 21)

struct kallsyms;

/*
 * The text symbols of @len bytes of /proc/kallsyms text.  NULL with @err
 * set when there is none, or when every address is zero: the kernel hides
 * them from this reader (kernel.kptr_restrict).
 */
struct kallsyms *kallsyms_parse(const char *text, size_t len,
				struct pp_err *err);
/* The same, from the file at @path, read once. */
struct kallsyms *kallsyms_read(const char *path, struct pp_err *err);
void kallsyms_free(struct kallsyms *k);
/*
 * The function holding @addr, or NULL.  @module (when not NULL) receives
 * its module's name without brackets, or "" for the kernel's own code.
 * The strings live as long as @k.
 */
const char *kallsyms_lookup(const struct kallsyms *k, uint64_t addr,
			    const char **module);
/* The number of symbols kept. */
size_t kallsyms_count(const struct kallsyms *k);

#endif /* !PIDPROF_KALLSYMS_H */
