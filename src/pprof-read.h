/*
 * The pprof reader: a gzipped or plain profile.proto file in, its tables
 * out, with every id and string index checked.  Reads pidprof's files,
 * Go's runtime/pprof ones and go tool pprof's.  Pure.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_PPROF_READ_H
# define PIDPROF_PPROF_READ_H

# include "common.h"
# include "err.h"

struct pprof_value_type {
	const char *type, *unit;
};

struct pprof_line {
	size_t function;	/* index into functions[] */
	int64_t line;
};

struct pprof_location {
	uint64_t id, address;
	struct pprof_line *lines;	/* innermost (inlined) first */
	size_t nlines;
};

struct pprof_function {
	uint64_t id;
	const char *name, *filename;
};

struct pprof_sample {
	size_t *locations;	/* indexes into locations[], leaf first */
	size_t nlocations;
	int64_t *values;	/* one per sample type */
	int64_t tid;		/* label thread_id; 0 when absent */
	const char *thread_name;	/* label thread_name; "" when absent */
	int64_t pid;		/* label pid; 0 when absent */
	const char *process_name;	/* label process_name; "" if absent */
};

struct pprof_file {
	struct pprof_value_type *types;
	size_t ntypes;
	struct pprof_sample *samples;
	size_t nsamples;
	struct pprof_location *locations;
	size_t nlocations;
	struct pprof_function *functions;
	size_t nfunctions;
	char **strings;
	size_t nstrings;
	struct pprof_value_type period_type;
	int64_t period, time_nanos, duration_nanos;
	const char *default_type;	/* NULL: the last sample type */
};

/* Decodes @data (gzip is detected); on error nothing is left allocated.
 * A profile whose tables would take more than 32 MiB plus 128 times
 * @len of memory, or over 512 MiB decompressed, is refused (EFBIG). */
int pprof_read(const uint8_t *data, size_t len, struct pprof_file *out,
	       struct pp_err *err);
void pprof_file_free(struct pprof_file *f);
/* Index of the sample type named @type, or of the default one when
 * @type is NULL; -1 when there is none of that name. */
int pprof_type_index(const struct pprof_file *f, const char *type);

/* Per function: flat and cumulative value of one sample type. */
struct func_total {
	const char *name;
	int64_t flat, cum;
};

/* @a + @b, saturated at INT64_MIN and INT64_MAX. */
int64_t pprof_sat_add(int64_t a, int64_t b);

/* Totals of sample type @vi by function name, largest flat first,
 * saturated rather than wrapped.  Pure; the names point into @f. */
size_t pprof_function_totals(const struct pprof_file *f, int vi,
			     struct func_total **out, int64_t *total);

#endif /* !PIDPROF_PPROF_READ_H */
