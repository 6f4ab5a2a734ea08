/*
 * Names of JIT code from the runtime's /tmp/perf-PID.map (lines
 * "START SIZE name", hex without 0x), read through /proc/PID/root with
 * the PID the process has in its own namespace, and read again from
 * where it stopped when the file grew.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_PERFMAP_H
# define PIDPROF_PERFMAP_H

# include "common.h"

struct perfmap;

struct perfmap *perfmap_open(pid_t pid);
void perfmap_close(struct perfmap *pm);
/*
 * The name of the code holding @addr, or NULL.  A miss reads what was
 * appended to the file since.  Valid until the next call.
 */
const char *perfmap_lookup(struct perfmap *pm, uint64_t addr);
/* Adds the lines of @text (@len bytes; complete lines only) to @pm;
 * returns the bytes used.  Pure. */
size_t perfmap_parse(struct perfmap *pm, const char *text, size_t len);

#endif /* !PIDPROF_PERFMAP_H */
