/*
 * pidprof heap: where a process's memory is, by category and mapping,
 * from /proc/PID/smaps; once, or every interval to watch it grow.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_HEAP_H
# define PIDPROF_HEAP_H

# include "output.h"
# include "pidsel.h"
# include "smaps.h"

# define HEAP_MAX_OUTPUTS	16

struct heap_opts {
	/* -p, --name, --pidfile, --children (their descendants): resolved
	 * by the run; --watch takes one process */
	struct pid_args who;
	struct output outputs[HEAP_MAX_OUTPUTS];
	size_t noutputs;
	uint64_t watch_ns;	/* 0: one reading */
	long count;		/* readings to take with --watch; 0: no limit */
	const char *tsv;
	bool quiet;
	bool verbose;		/* with --tsv: a line per reading on stderr */
	bool status_line;	/* with --tsv: a live status line */
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

/* One reading of /proc/PID/smaps and status, aggregated. */
int heap_read(pid_t pid, struct mem_reading *r, struct pp_err *err);
/* A reading as a table (FORMAT_TABLE) or as a memory profile in any
 * format of output_render: inuse_space/bytes first, then rss, pss,
 * private_dirty and swap; category at the root, mapping at the leaf. */
int heap_render(const struct mem_reading *r, pid_t pid, enum output_format f,
		struct buf *out, struct pp_err *err);

int heap_run(const struct heap_opts *o);

/* Per category: rss, pss, anon, swap. */
void mem_category_sums(const struct mem_reading *r, uint64_t sums[][4]);

/*
 * The TSV of heap --watch and of snapshot directories: a row per
 * category and reading.  Snapshot directories add a pid column.
 */
# define MEM_TSV_HEADER	"time\tcategory\trss\tpss\tanon\tswap\tthreads"
/* Opens @path to append rows, created with @mode, writing the header
 * when it is empty and refusing a file with another header.  Returns
 * the file descriptor, or -1 with @err. */
int mem_tsv_open(const char *path, mode_t mode, bool pid_column,
		 struct pp_err *err);
/* Appends the rows of reading @r in one write; @pid 0: no pid column. */
int mem_tsv_append(int fd, const struct mem_reading *r, pid_t pid,
		   struct pp_err *err);

/* A value over time (a category's rss, a thread count). */
struct mem_series {
	int64_t *t;		/* ns */
	uint64_t *v;
	size_t n, cap_t, cap_v;
};

void mem_series_add(struct mem_series *s, int64_t t_ns, uint64_t v);
void mem_series_free(struct mem_series *s);
/* Least-squares slope, per minute; 0 with fewer than 2 points.  Pure. */
double mem_series_slope(const struct mem_series *s);
/*
 * A steady grower: grew in at least 80 % of the intervals (*@grew of
 * them), never shrank by more than 1 % of its size, and grew by at least
 * 1 MiB in all.  Pure.
 */
bool mem_series_leak_suspect(const struct mem_series *s, size_t *grew);

#endif /* !PIDPROF_HEAP_H */
