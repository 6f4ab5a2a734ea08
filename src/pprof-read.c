/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "pprof-read.h"
#include "buf.h"
#include "gz.h"
#include "strtab.h"
#include "xmalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * What reading a profile may take: the tables cost more than their
 * encoding (an empty sample is 2 bytes of protobuf, and a few hundred of
 * memory), so a small file could ask for gigabytes.  The memory the
 * tables will need is counted as they are read, and the profile refused
 * past PPROF_MEM_BASE + PPROF_MEM_RATIO times the size of the input (as
 * given, compressed or not); decompressed, it never exceeds
 * PPROF_MAX_BYTES, nor that budget.
 */
#define PPROF_MAX_BYTES		(512u << 20)
#define PPROF_MEM_BASE		(32u << 20)
#define PPROF_MEM_RATIO		128u
/* A rough cost of one allocation beyond its bytes (header, rounding). */
#define ALLOC_COST		32u

struct reader {
	const uint8_t *p, *end;
};

static int
varint(struct reader *r, uint64_t *v)
{
	unsigned int shift = 0;

	*v = 0;
	while (r->p < r->end && shift < 64) {
		uint8_t b = *r->p++;

		*v |= (uint64_t) (b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
		shift += 7;
	}
	return -1;
}

/* The next field: its number, wire type, and value or bytes. */
static int
field(struct reader *r, unsigned int *num, unsigned int *wire, uint64_t *v,
      struct reader *sub)
{
	uint64_t key, len;

	if (varint(r, &key) < 0 || (key >> 3) == 0 || (key >> 3) > UINT32_MAX)
		return -1;
	*num = key >> 3;
	*wire = key & 7;
	switch (*wire) {
	case 0:
		return varint(r, v);
	case 1:
		if (r->end - r->p < 8)
			return -1;
		memcpy(v, r->p, 8);
		r->p += 8;
		return 0;
	case 5:
		if (r->end - r->p < 4)
			return -1;
		*v = 0;
		memcpy(v, r->p, 4);
		r->p += 4;
		return 0;
	case 2:
		if (varint(r, &len) < 0 || len > (uint64_t) (r->end - r->p))
			return -1;
		sub->p = r->p;
		sub->end = r->p + len;
		r->p += len;
		return 0;
	default:
		return -1;
	}
}

/* A repeated integer field, packed (wire 2) or not (wire 0). */
static int
repeated(unsigned int wire, uint64_t v, struct reader *sub, uint64_t **out,
	 size_t *n, size_t *cap)
{
	if (wire == 0) {
		*out = xgrow(*out, cap, *n + 1, sizeof(**out));
		(*out)[(*n)++] = v;
		return 0;
	}
	if (wire != 2)
		return -1;
	while (sub->p < sub->end) {
		if (varint(sub, &v) < 0)
			return -1;
		*out = xgrow(*out, cap, *n + 1, sizeof(**out));
		(*out)[(*n)++] = v;
	}
	return 0;
}

/* Raw tables, with string indexes and ids still unchecked. */
struct raw_vt { uint64_t type, unit; };
struct raw_label { uint64_t key, str, num; };
struct raw_sample {
	uint64_t *locs, *vals;
	size_t nlocs, nvals, cap_l, cap_v;
	struct raw_label *labels;
	size_t nlabels, cap_lab;
};
struct raw_line { uint64_t function; int64_t line; };
struct raw_location {
	uint64_t id, address;
	struct raw_line *lines;
	size_t nlines, cap;
};
struct raw_function { uint64_t id, name, filename; };

struct raw {
	struct raw_vt *types, period_type;
	size_t ntypes, cap_t;
	struct raw_sample *samples;
	size_t nsamples, cap_s;
	struct raw_location *locs;
	size_t nlocs, cap_l;
	struct raw_function *funcs;
	size_t nfuncs, cap_f;
	struct reader *strings;
	size_t nstrings, cap_str;
	uint64_t period, time_nanos, duration_nanos, default_type;
	size_t mem, mem_max;	/* the tables' estimated memory, its cap */
};

/* Counts @bytes more of memory; false past the budget. */
static bool
charge(struct raw *raw, size_t bytes)
{
	raw->mem += bytes;
	return raw->mem <= raw->mem_max;
}

static int
read_vt(struct reader *m, struct raw_vt *vt)
{
	unsigned int num, wire;
	uint64_t v;
	struct reader sub;

	memset(vt, 0, sizeof(*vt));
	while (m->p < m->end) {
		if (field(m, &num, &wire, &v, &sub) < 0)
			return -1;
		if (wire == 0 && num == 1)
			vt->type = v;
		else if (wire == 0 && num == 2)
			vt->unit = v;
	}
	return 0;
}

static int
read_sample(struct reader *m, struct raw_sample *s)
{
	unsigned int num, wire;
	uint64_t v;
	struct reader sub;

	memset(s, 0, sizeof(*s));
	while (m->p < m->end) {
		if (field(m, &num, &wire, &v, &sub) < 0)
			return -1;
		if (num == 1 && repeated(wire, v, &sub, &s->locs, &s->nlocs,
					 &s->cap_l) < 0)
			return -1;
		if (num == 2 && repeated(wire, v, &sub, &s->vals, &s->nvals,
					 &s->cap_v) < 0)
			return -1;
		if (num == 3) {
			struct raw_label *l;
			unsigned int n2, w2;
			uint64_t v2;
			struct reader sub2;

			if (wire != 2)
				return -1;
			s->labels = xgrow(s->labels, &s->cap_lab,
					  s->nlabels + 1, sizeof(*s->labels));
			l = &s->labels[s->nlabels++];
			memset(l, 0, sizeof(*l));
			while (sub.p < sub.end) {
				if (field(&sub, &n2, &w2, &v2, &sub2) < 0)
					return -1;
				if (w2 == 0 && n2 == 1)
					l->key = v2;
				else if (w2 == 0 && n2 == 2)
					l->str = v2;
				else if (w2 == 0 && n2 == 3)
					l->num = v2;
			}
		}
	}
	return 0;
}

static int
read_location(struct reader *m, struct raw_location *l)
{
	unsigned int num, wire, n2, w2;
	uint64_t v, v2;
	struct reader sub, sub2;

	memset(l, 0, sizeof(*l));
	while (m->p < m->end) {
		if (field(m, &num, &wire, &v, &sub) < 0)
			return -1;
		if (wire == 0 && num == 1)
			l->id = v;
		else if (wire == 0 && num == 3)
			l->address = v;
		else if (wire == 2 && num == 4) {
			struct raw_line *ln;

			l->lines = xgrow(l->lines, &l->cap, l->nlines + 1,
					 sizeof(*l->lines));
			ln = &l->lines[l->nlines++];
			memset(ln, 0, sizeof(*ln));
			while (sub.p < sub.end) {
				if (field(&sub, &n2, &w2, &v2, &sub2) < 0)
					return -1;
				if (w2 == 0 && n2 == 1)
					ln->function = v2;
				else if (w2 == 0 && n2 == 2)
					ln->line = (int64_t) v2;
			}
		}
	}
	return 0;
}

static int
read_function(struct reader *m, struct raw_function *f)
{
	unsigned int num, wire;
	uint64_t v;
	struct reader sub;

	memset(f, 0, sizeof(*f));
	while (m->p < m->end) {
		if (field(m, &num, &wire, &v, &sub) < 0)
			return -1;
		if (wire != 0)
			continue;
		if (num == 1)
			f->id = v;
		else if (num == 2)
			f->name = v;
		else if (num == 4)
			f->filename = v;
	}
	return 0;
}

static int
read_raw(struct reader *r, struct raw *raw)
{
	unsigned int num, wire;
	uint64_t v;
	struct reader sub;

	while (r->p < r->end) {
		if (field(r, &num, &wire, &v, &sub) < 0)
			return -1;
		switch (num) {
		case 1:
			if (wire != 2)
				return -1;
			raw->types = xgrow(raw->types, &raw->cap_t,
					   raw->ntypes + 1,
					   sizeof(*raw->types));
			if (read_vt(&sub, &raw->types[raw->ntypes++]) < 0 ||
			    !charge(raw, 2 * sizeof(struct raw_vt) +
				    sizeof(struct pprof_value_type)))
				return -1;
			break;
		case 2:
			if (wire != 2)
				return -1;
			raw->samples = xgrow(raw->samples, &raw->cap_s,
					     raw->nsamples + 1,
					     sizeof(*raw->samples));
			if (read_sample(&sub,
					&raw->samples[raw->nsamples++]) < 0)
				return -1;
			{
				const struct raw_sample *rs =
					&raw->samples[raw->nsamples - 1];

				/* raw and read: the sample, its arrays */
				if (!charge(raw, 2 * sizeof(*rs) +
					    sizeof(struct pprof_sample) +
					    4 * ALLOC_COST +
					    (rs->cap_l + rs->cap_v +
					     rs->nlocs + rs->nvals + 2) * 8 +
					    rs->cap_lab * sizeof(*rs->labels)))
					return -1;
			}
			break;
		case 4:
			if (wire != 2)
				return -1;
			raw->locs = xgrow(raw->locs, &raw->cap_l,
					  raw->nlocs + 1, sizeof(*raw->locs));
			if (read_location(&sub, &raw->locs[raw->nlocs++]) < 0)
				return -1;
			if (!charge(raw, 2 * sizeof(struct raw_location) +
				    sizeof(struct pprof_location) + 16 +
				    2 * ALLOC_COST +
				    (raw->locs[raw->nlocs - 1].cap + 1) *
				    (sizeof(struct raw_line) +
				     sizeof(struct pprof_line))))
				return -1;
			break;
		case 5:
			if (wire != 2)
				return -1;
			raw->funcs = xgrow(raw->funcs, &raw->cap_f,
					   raw->nfuncs + 1,
					   sizeof(*raw->funcs));
			if (read_function(&sub,
					  &raw->funcs[raw->nfuncs++]) < 0 ||
			    !charge(raw, 2 * sizeof(struct raw_function) +
				    sizeof(struct pprof_function) + 16))
				return -1;
			break;
		case 6:
			if (wire != 2)
				return -1;
			raw->strings = xgrow(raw->strings, &raw->cap_str,
					     raw->nstrings + 1,
					     sizeof(*raw->strings));
			raw->strings[raw->nstrings++] = sub;
			if (!charge(raw, 2 * sizeof(struct reader) +
				    sizeof(char *) + ALLOC_COST +
				    (size_t) (sub.end - sub.p) + 1))
				return -1;
			break;
		case 9: raw->time_nanos = v; break;
		case 10: raw->duration_nanos = v; break;
		case 11:
			if (wire != 2 || read_vt(&sub, &raw->period_type) < 0)
				return -1;
			break;
		case 12: raw->period = v; break;
		case 14: raw->default_type = v; break;
		default:
			break;	/* mappings, comments, ...: not needed */
		}
	}
	return 0;
}

static void
raw_free(struct raw *raw)
{
	size_t i;

	for (i = 0; i < raw->nsamples; i++) {
		free(raw->samples[i].locs);
		free(raw->samples[i].vals);
		free(raw->samples[i].labels);
	}
	for (i = 0; i < raw->nlocs; i++)
		free(raw->locs[i].lines);
	free(raw->types);
	free(raw->samples);
	free(raw->locs);
	free(raw->funcs);
	free(raw->strings);
}

struct id_index {
	uint64_t id;
	size_t at;
};

static int
cmp_id(const void *a, const void *b)
{
	const struct id_index *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Sorted (id, index) pairs; fails on id 0 or a duplicate. */
static struct id_index *
index_ids(const uint64_t *ids, size_t stride, size_t n)
{
	struct id_index *ix = xcalloc(n + 1, sizeof(*ix));
	size_t i;

	for (i = 0; i < n; i++) {
		const char *at = (const char *) ids + i * stride;

		ix[i].id = *(const uint64_t *) at;
		ix[i].at = i;
	}
	qsort(ix, n, sizeof(*ix), cmp_id);
	for (i = 0; i < n; i++) {
		if (ix[i].id == 0 || (i && ix[i].id == ix[i - 1].id)) {
			free(ix);
			return NULL;
		}
	}
	return ix;
}

static bool
lookup_id(const struct id_index *ix, size_t n, uint64_t id, size_t *at)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix[mid].id < id)
			lo = mid + 1;
		else if (ix[mid].id > id)
			hi = mid;
		else {
			*at = ix[mid].at;
			return true;
		}
	}
	return false;
}

static int
string_at(const struct pprof_file *f, uint64_t i, const char **out)
{
	if (i >= f->nstrings)
		return -1;
	*out = f->strings[i];
	return 0;
}

/* Checks the raw tables and builds @f from them. */
static int
resolve(struct raw *raw, struct pprof_file *f, struct pp_err *err)
{
	struct id_index *lix = NULL, *fix = NULL;
	size_t i, k;

	f->nstrings = raw->nstrings;
	f->strings = xcalloc(raw->nstrings + 1, sizeof(*f->strings));
	for (i = 0; i < raw->nstrings; i++) {
		const struct reader *sr = &raw->strings[i];

		f->strings[i] = xstrndup((const char *) sr->p,
					 sr->end - sr->p);
	}
	if (!f->nstrings || f->strings[0][0])
		return pp_err_set(err, EINVAL,
				  "string_table[0] is not the empty string");
	f->ntypes = raw->ntypes;
	f->types = xcalloc(raw->ntypes + 1, sizeof(*f->types));
	for (i = 0; i < raw->ntypes; i++)
		if (string_at(f, raw->types[i].type, &f->types[i].type) < 0 ||
		    string_at(f, raw->types[i].unit, &f->types[i].unit) < 0)
			goto bad_string;
	if (string_at(f, raw->period_type.type, &f->period_type.type) < 0 ||
	    string_at(f, raw->period_type.unit, &f->period_type.unit) < 0)
		goto bad_string;
	if (raw->default_type &&
	    string_at(f, raw->default_type, &f->default_type) < 0)
		goto bad_string;
	f->period = (int64_t) raw->period;
	f->time_nanos = (int64_t) raw->time_nanos;
	f->duration_nanos = (int64_t) raw->duration_nanos;

	fix = index_ids(raw->nfuncs ? &raw->funcs[0].id : NULL,
			sizeof(*raw->funcs), raw->nfuncs);
	if (!fix)
		return pp_err_set(err, EINVAL,
				  "a function id is 0 or used twice");
	f->nfunctions = raw->nfuncs;
	f->functions = xcalloc(raw->nfuncs + 1, sizeof(*f->functions));
	for (i = 0; i < raw->nfuncs; i++) {
		f->functions[i].id = raw->funcs[i].id;
		if (string_at(f, raw->funcs[i].name,
			      &f->functions[i].name) < 0 ||
		    string_at(f, raw->funcs[i].filename,
			      &f->functions[i].filename) < 0)
			goto bad_string;
	}

	lix = index_ids(raw->nlocs ? &raw->locs[0].id : NULL,
			sizeof(*raw->locs), raw->nlocs);
	if (!lix) {
		free(fix);
		return pp_err_set(err, EINVAL,
				  "a location id is 0 or used twice");
	}
	f->nlocations = raw->nlocs;
	f->locations = xcalloc(raw->nlocs + 1, sizeof(*f->locations));
	for (i = 0; i < raw->nlocs; i++) {
		struct pprof_location *l = &f->locations[i];

		l->id = raw->locs[i].id;
		l->address = raw->locs[i].address;
		l->nlines = raw->locs[i].nlines;
		l->lines = xcalloc(l->nlines + 1, sizeof(*l->lines));
		for (k = 0; k < l->nlines; k++) {
			if (!lookup_id(fix, raw->nfuncs,
				       raw->locs[i].lines[k].function,
				       &l->lines[k].function)) {
				pp_err_set(err, EINVAL,
					   "location %llu names function %llu, which does not exist",
					   (unsigned long long) l->id,
					   (unsigned long long)
					   raw->locs[i].lines[k].function);
				goto fail;
			}
			l->lines[k].line = raw->locs[i].lines[k].line;
		}
	}

	f->nsamples = raw->nsamples;
	f->samples = xcalloc(raw->nsamples + 1, sizeof(*f->samples));
	for (i = 0; i < raw->nsamples; i++) {
		struct pprof_sample *s = &f->samples[i];
		const struct raw_sample *rs = &raw->samples[i];

		if (rs->nvals != f->ntypes) {
			pp_err_set(err, EINVAL,
				   "sample %zu has %zu values for %zu sample types",
				   i + 1, rs->nvals, f->ntypes);
			goto fail;
		}
		s->thread_name = "";
		s->process_name = "";
		for (k = 0; k < rs->nlabels; k++) {
			const struct raw_label *l = &rs->labels[k];
			const char *key, *str;

			if (string_at(f, l->key, &key) < 0 ||
			    string_at(f, l->str, &str) < 0)
				goto bad_string;
			if (strcmp(key, "thread_id") == 0)
				s->tid = (int64_t) l->num;
			else if (strcmp(key, "thread_name") == 0)
				s->thread_name = str;
			else if (strcmp(key, "pid") == 0)
				s->pid = (int64_t) l->num;
			else if (strcmp(key, "process_name") == 0)
				s->process_name = str;
		}
		s->values = xcalloc(rs->nvals + 1, sizeof(*s->values));
		for (k = 0; k < rs->nvals; k++)
			s->values[k] = (int64_t) rs->vals[k];
		s->nlocations = rs->nlocs;
		s->locations = xcalloc(rs->nlocs + 1, sizeof(*s->locations));
		for (k = 0; k < rs->nlocs; k++) {
			if (!lookup_id(lix, raw->nlocs, rs->locs[k],
				       &s->locations[k])) {
				pp_err_set(err, EINVAL,
					   "sample %zu names location %llu, which does not exist",
					   i + 1,
					   (unsigned long long) rs->locs[k]);
				goto fail;
			}
		}
	}
	free(lix);
	free(fix);
	return 0;

bad_string:
	pp_err_set(err, EINVAL, "a string index is out of range");
fail:
	free(lix);
	free(fix);
	return -1;
}

int
pprof_read(const uint8_t *data, size_t len, struct pprof_file *out,
	   struct pp_err *err)
{
	struct buf plain;
	struct reader r;
	struct raw raw;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&raw, 0, sizeof(raw));
	buf_init(&plain);
	if (len == 0)
		return pp_err_set(err, EINVAL, "empty input");
	raw.mem_max = len > (SIZE_MAX - PPROF_MEM_BASE) / PPROF_MEM_RATIO ?
		      SIZE_MAX : PPROF_MEM_BASE + len * PPROF_MEM_RATIO;
	if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		size_t limit = raw.mem_max < PPROF_MAX_BYTES ? raw.mem_max :
			       PPROF_MAX_BYTES;

		if (gz_decompress(data, len, &plain, limit, err) < 0) {
			buf_free(&plain);
			if (err->errnum != EFBIG)
				return -1;
			return pp_err_set(err, EFBIG,
					  "decompressed, the profile is over %zu MiB: pidprof reads at most %u MiB plus %u times the file's size, and never over %u MiB",
					  limit >> 20, PPROF_MEM_BASE >> 20,
					  PPROF_MEM_RATIO,
					  PPROF_MAX_BYTES >> 20);
		}
		r.p = plain.data;
		r.end = plain.data + plain.len;
		charge(&raw, plain.cap);
	} else {
		r.p = data;
		r.end = data + len;
	}
	if (read_raw(&r, &raw) < 0) {
		if (raw.mem > raw.mem_max)
			rc = pp_err_set(err, EFBIG,
					"reading the profile would take more than %zu MiB of memory: pidprof allows %u MiB plus %u times the file's size",
					raw.mem_max >> 20,
					PPROF_MEM_BASE >> 20, PPROF_MEM_RATIO);
		else
			rc = pp_err_set(err, EINVAL,
					"not a pprof profile (malformed protocol buffer)");
	} else {
		rc = resolve(&raw, out, err);
	}
	raw_free(&raw);
	buf_free(&plain);
	if (rc < 0)
		pprof_file_free(out);
	return rc;
}

void
pprof_file_free(struct pprof_file *f)
{
	size_t i;

	for (i = 0; i < f->nsamples; i++) {
		free(f->samples[i].locations);
		free(f->samples[i].values);
	}
	for (i = 0; i < f->nlocations; i++)
		free(f->locations[i].lines);
	for (i = 0; i < f->nstrings; i++)
		free(f->strings[i]);
	free(f->samples);
	free(f->locations);
	free(f->functions);
	free(f->strings);
	free(f->types);
	memset(f, 0, sizeof(*f));
}

int
pprof_type_index(const struct pprof_file *f, const char *type)
{
	size_t i;

	if (!f->ntypes)
		return -1;
	if (!type)
		type = f->default_type;
	if (!type)
		return (int) f->ntypes - 1;
	for (i = 0; i < f->ntypes; i++)
		if (strcmp(f->types[i].type, type) == 0)
			return (int) i;
	return -1;
}

static int
cmp_totals(const void *a, const void *b)
{
	const struct func_total *x = a, *y = b;

	if (x->flat != y->flat)
		return x->flat < y->flat ? 1 : -1;
	if (x->cum != y->cum)
		return x->cum < y->cum ? 1 : -1;
	return strcmp(x->name, y->name);
}

int64_t
pprof_sat_add(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

size_t
pprof_function_totals(const struct pprof_file *f, int vi,
		      struct func_total **out, int64_t *total)
{
	struct strtab names;
	struct func_total *t = NULL;
	uint32_t *seen = NULL, stamp = 0;
	size_t cap = 0, seen_cap = 0, n = 0, i, k, j;

	strtab_init(&names);
	*total = 0;
	for (i = 0; i < f->nsamples; i++) {
		const struct pprof_sample *s = &f->samples[i];
		int64_t v = s->values[vi];
		bool leaf = true;

		*total = pprof_sat_add(*total, v);
		stamp++;
		for (k = 0; k < s->nlocations; k++) {
			const struct pprof_location *l =
				&f->locations[s->locations[k]];

			for (j = 0; j < l->nlines; j++) {
				const char *name =
					f->functions[l->lines[j].function].name;
				uint32_t id = strtab_intern(&names, name);

				if (id == n) {
					t = xgrow(t, &cap, n + 1, sizeof(*t));
					seen = xgrow(seen, &seen_cap, n + 1,
						     sizeof(*seen));
					t[n].name = name;
					t[n].flat = t[n].cum = 0;
					seen[n++] = 0;
				}
				/* The innermost frame of the leaf location
				 * is where the value was spent. */
				if (leaf)
					t[id].flat = pprof_sat_add(t[id].flat,
								   v);
				leaf = false;
				/* Recursion counts once per sample. */
				if (seen[id] != stamp) {
					seen[id] = stamp;
					t[id].cum = pprof_sat_add(t[id].cum,
								  v);
				}
			}
		}
	}
	if (n > 1)
		qsort(t, n, sizeof(*t), cmp_totals);
	*out = t;
	free(seen);
	strtab_free(&names);
	return n;
}
