/*
 * pidprof heap: where a process's memory is, by category and mapping,
 * from /proc/PID/smaps; once, or every interval to watch it grow.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_HEAP_H
# define PIDPROF_HEAP_H

# include "output.h"
# include "smaps.h"

# define HEAP_MAX_OUTPUTS	16

struct heap_opts {
	pid_t pid;
	struct output outputs[HEAP_MAX_OUTPUTS];
	size_t noutputs;
	uint64_t watch_ns;	/* 0: one reading */
	long count;		/* readings to take with --watch; 0: no limit */
	const char *tsv;
	bool quiet;
};

/* One category+name: the sum of its mappings, in bytes. */
struct mem_row {
	enum mem_category category;
	char *name;
	uint64_t rss, pss, private_dirty, swap, anon;
};

struct mem_reading {
	struct mem_row *rows;	/* sorted by rss, largest first */
	size_t n;
	struct proc_status status;
	int64_t time_nanos;	/* UTC */
};

/* A thread's stack pointer, when known (the thread sleeps). */
struct thread_sp {
	pid_t tid;
	uint64_t sp;
};

/* Sums the mappings of @s by category and name; an anonymous mapping
 * that holds one of @sps is the stack of that thread.  Pure. */
void mem_aggregate(const struct smaps *s, const struct thread_sp *sps,
		   size_t nsps, struct mem_reading *out);
void mem_reading_free(struct mem_reading *r);
/* "0B", "512B", "4.0K", "64.2M", "1.5G" */
void human_size(uint64_t bytes, char *buf, size_t len);

/* One reading of /proc/PID/smaps and status, aggregated. */
int heap_read(pid_t pid, struct mem_reading *r, struct pp_err *err);
/* A reading as a table (FORMAT_TABLE) or as a memory profile in any
 * format of output_render: inuse_space/bytes first, then rss, pss,
 * private_dirty and swap; category at the root, mapping at the leaf. */
int heap_render(const struct mem_reading *r, pid_t pid, enum output_format f,
		struct buf *out, struct pp_err *err);

int heap_run(const struct heap_opts *o);

#endif /* !PIDPROF_HEAP_H */
