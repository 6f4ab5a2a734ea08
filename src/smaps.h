/*
 * /proc/PID/smaps and smaps_rollup: a pure parser into one record per
 * mapping, and the memory categories pidprof reports them under.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_SMAPS_H
# define PIDPROF_SMAPS_H

# include "common.h"
# include "err.h"
# include "maps.h"

/* Fields in bytes; a field the kernel does not have reads as 0. */
struct smaps_entry {
	uint64_t start, end, pgoff, inode;
	unsigned int dev_major, dev_minor, perms;	/* MAP_PERM_* */
	bool deleted;
	char *path;
	uint64_t size, rss, pss, shared_clean, shared_dirty;
	uint64_t private_clean, private_dirty, anonymous, swap, swap_pss;
	uint64_t locked, anon_huge;
};

struct smaps {
	struct smaps_entry *v;
	size_t n;
};

/*
 * Parses the text of an smaps or smaps_rollup file.  Unknown fields are
 * ignored; a malformed line is an error naming its number.  A file cut
 * short keeps what it has.
 */
int smaps_parse(const char *text, size_t len, struct smaps *out,
		struct pp_err *err);
void smaps_free(struct smaps *s);

enum mem_category {
	MEM_HEAP,	/* [heap] */
	MEM_ANON,	/* private anonymous, named or not */
	MEM_STACK,	/* [stack] and thread stacks */
	MEM_FILE,	/* private file mappings */
	MEM_SHARED,	/* MAP_SHARED */
	MEM_OTHER,	/* [vdso], [vvar] and the rest */
	MEM_NCATEGORIES,
};

const char *mem_category_name(enum mem_category c);
/*
 * The category of @e and the name it is shown under (written to @name):
 * "[heap]", "[anon]", "[anon:NAME]", "[stack]", a path, ...  A positive
 * @stack_tid says an anonymous mapping is that thread's stack, named
 * "[stack:TID]".
 */
enum mem_category smaps_classify(const struct smaps_entry *e,
				 pid_t stack_tid, char *name, size_t len);

/* Values of /proc/PID/status lines, in bytes or counts; 0 if absent. */
struct proc_status {
	uint64_t vm_rss, vm_swap, vm_hwm, rss_anon, rss_file, rss_shmem;
	uint64_t threads;
};

void parse_proc_status(const char *text, struct proc_status *out);

#endif /* !PIDPROF_SMAPS_H */
