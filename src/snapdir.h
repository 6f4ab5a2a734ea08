/*
 * pidprof snapshot: one cron-safe capture of a process into a snapshot
 * directory.  Each run writes a set of profiles named
 * NAME-PID-YYYYMMDDTHHMMSSZ-TYPE.pb.gz (UTC) and appends its memory
 * reading to DIR/memory.tsv, under a lock that makes an overlapping run
 * exit at once; then old sets go, as --keep and --max-age say.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_SNAPDIR_H
# define PIDPROF_SNAPDIR_H

# include "common.h"
# include "record.h"
# include "sampler.h"
# include "unwind.h"

# include <time.h>

/* Exit statuses of snapshot, besides the common ones. */
enum {
	SNAPSHOT_EXIT_NO_TARGET	= 3,	/* no process to profile */
	SNAPSHOT_EXIT_LOCKED	= 75,	/* another run holds DIR's lock */
};

enum snapdir_type {
	SNAPDIR_CPU	= 1 << 0,
	SNAPDIR_WALL	= 1 << 1,
	SNAPDIR_MEMORY	= 1 << 2,
	SNAPDIR_THREADS	= 1 << 3,
};

# define SNAPDIR_DEFAULT_TYPES	(SNAPDIR_CPU | SNAPDIR_MEMORY | SNAPDIR_THREADS)
# define SNAPDIR_TSV		"memory.tsv"
# define SNAPDIR_LOCK		".lock"

struct snapdir_opts {
	/* The processes: -p (repeatable, comma lists), --pidfile, --name,
	 * --children (their descendants); one profile of each type holds
	 * them all. */
	struct pid_args who;
	const char *dir;
	unsigned int types;	/* enum snapdir_type bits */
	bool types_given;	/* --types, not the default */
	uint64_t duration_ns;	/* of cpu and wall */
	long keep;		/* sets of this name to keep; 0: all */
	uint64_t max_age_s;	/* 0: no age limit */
	enum sampler_kind sampler;
	const struct unwinder_ops *unwinder;
	size_t stack_size;
	bool no_idle;		/* wall: leave out threads asleep */
	bool verbose, quiet;
};

/* Returns an exit status: EXIT_*, SNAPSHOT_EXIT_*. */
int snapshot_run(const struct snapdir_opts *o);

/* The pure parts, for the unit tests. */

/* "cpu", "wall", "memory", "threads". */
const char *snapdir_type_name(enum snapdir_type t);
/* "cpu,memory": the bits in *@types; -1 with *@bad the unknown word
 * (a pointer into @s, up to the next comma). */
int snapdir_parse_types(const char *s, unsigned int *types,
			const char **bad);
/* @name with every byte but [A-Za-z0-9._+-] made '_'; "process" if
 * empty. */
void snapdir_clean_name(const char *name, char *out, size_t len);
/* NAME-PID-YYYYMMDDTHHMMSSZ-TYPE.pb.gz */
void snapdir_file_name(char *buf, size_t len, const char *name, pid_t pid,
		       time_t stamp, enum snapdir_type type);

/* A file of a snapshot directory that has our naming pattern. */
struct snapdir_file {
	char file[256];		/* its name in the directory */
	char name[256];		/* NAME, PID, stamp, TYPE from it */
	pid_t pid;
	time_t stamp;
	enum snapdir_type type;
	bool remove;		/* set by snapdir_retention */
};

/* Parses a file name of ours; false for any other name. */
bool snapdir_parse_file(const char *file, struct snapdir_file *out);
/*
 * Marks for removal the files of @v (all of one NAME) whose set (PID and
 * stamp) is beyond the @keep newest (0: no limit) or older than @oldest
 * (0: no limit), never the set of this run (@pid, @stamp), which counts
 * as the newest.  Sorts @v, newest set first.  Returns the number marked.
 */
size_t snapdir_retention(struct snapdir_file *v, size_t n, long keep,
			 time_t oldest, pid_t pid, time_t stamp);
/* The time of a TSV row ("2026-11-23T19:50:00Z\t..."); -1 when none. */
time_t snapdir_row_time(const char *row);

#endif /* !PIDPROF_SNAPDIR_H */
