/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "pprof.h"
#include "pb.h"
#include "syscalls.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* profile.proto field numbers */
enum {
	PROFILE_SAMPLE_TYPE = 1, PROFILE_SAMPLE, PROFILE_MAPPING,
	PROFILE_LOCATION, PROFILE_FUNCTION, PROFILE_STRING_TABLE,
	PROFILE_TIME_NANOS = 9, PROFILE_DURATION_NANOS,
	PROFILE_PERIOD_TYPE, PROFILE_PERIOD, PROFILE_COMMENT,
	PROFILE_DEFAULT_SAMPLE_TYPE,
};
enum { VT_TYPE = 1, VT_UNIT };
enum { SAMPLE_LOCATION_ID = 1, SAMPLE_VALUE, SAMPLE_LABEL };
enum { LABEL_KEY = 1, LABEL_STR, LABEL_NUM };
enum {
	MAPPING_ID = 1, MAPPING_START, MAPPING_LIMIT, MAPPING_OFFSET,
	MAPPING_FILENAME, MAPPING_BUILD_ID, MAPPING_HAS_FUNCTIONS,
	MAPPING_HAS_FILENAMES, MAPPING_HAS_LINE_NUMBERS,
	MAPPING_HAS_INLINE_FRAMES,
};
enum { LOCATION_ID = 1, LOCATION_MAPPING_ID, LOCATION_ADDRESS, LOCATION_LINE };
enum { LINE_FUNCTION_ID = 1, LINE_LINE };
enum {
	FUNCTION_ID = 1, FUNCTION_NAME, FUNCTION_SYSTEM_NAME,
	FUNCTION_FILENAME,
};

struct u64key_table {
	struct idtab index;
	uint64_t *keys;
	size_t n, cap;
};

static bool
u64_eq(const void *ctx, uint32_t id, const void *key)
{
	const struct u64key_table *t = ctx;

	return t->keys[id - 1] == *(const uint64_t *) key;
}

/* The id of @key (from 1), and whether it was just added. */
static uint32_t
u64_id(struct u64key_table *t, uint64_t key, bool *added)
{
	uint64_t h = hash_u64(key);
	uint32_t id = idtab_find(&t->index, h, u64_eq, t, &key);

	*added = !id;
	if (id)
		return id;
	t->keys = xgrow(t->keys, &t->cap, t->n + 1, sizeof(*t->keys));
	t->keys[t->n++] = key;
	idtab_insert(&t->index, h, t->n);
	return t->n;
}

static void
u64_free(struct u64key_table *t)
{
	idtab_free(&t->index);
	free(t->keys);
}

struct encoder {
	const struct profile *p;
	const struct frame_source *src;
	struct strtab strings;
	struct u64key_table mappings, locations, functions;
	struct buf location_msgs, function_msgs;
	/* Mappings are written last, once it is known whether each of
	 * their locations has a function name: mapping id - 1 indexes. */
	struct pprof_mapping *maps;
	bool *unnamed;
	size_t maps_cap, unnamed_cap;
};

static size_t
no_frames(void *arg, uint64_t pc, bool exact, const struct sym_frame **out)
{
	return 0;
}

static bool
no_mapping(void *arg, uint64_t pc, struct pprof_mapping *m)
{
	return false;
}

void
empty_frame_source(struct frame_source *src)
{
	src->arg = NULL;
	src->frames = no_frames;
	src->mapping = no_mapping;
	src->main_addr = 0;
}

/* The source of @pc's process, or NULL. */
static const struct frame_source *
source_of(const struct frame_sources *set, uint64_t pc)
{
	unsigned int k = profile_pc_proc(pc);

	return k >= 1 && k <= set->n ? &set->v[k - 1] : NULL;
}

static size_t
multi_frames(void *arg, uint64_t pc, bool exact,
	     const struct sym_frame **out)
{
	const struct frame_source *s = source_of(arg, pc);

	return s ? s->frames(s->arg, profile_pc_addr(pc), exact, out) : 0;
}

static bool
multi_mapping(void *arg, uint64_t pc, struct pprof_mapping *m)
{
	const struct frame_source *s = source_of(arg, pc);

	return s && s->mapping(s->arg, profile_pc_addr(pc), m);
}

void
multi_frame_source(const struct frame_sources *set, struct frame_source *src)
{
	src->arg = (void *) set;
	src->frames = multi_frames;
	src->mapping = multi_mapping;
	src->main_addr = 0;
	if (set->n && set->v[0].main_addr)
		src->main_addr = set->v[0].main_addr |
				 (1ull << PROFILE_PC_PROC_SHIFT);
}

const char *
frame_display_name(const struct sym_frame *f, char *buf, size_t len)
{
	if (f->function)
		return f->function;
	if (f->module) {
		const char *m = module_basename(f->module);

		/* "[vdso]", "[anon]" are bracketed already. */
		if (m[0] == '[')
			return m;
		snprintf(buf, len, "[%s]", m);
		return buf;
	}
	return "??";
}

static int64_t
str(struct encoder *e, const char *s)
{
	return strtab_intern(&e->strings, s);
}

static void
value_type(struct encoder *e, struct buf *out, unsigned int field,
	   const struct profile_value_type *vt)
{
	struct buf m;

	buf_init(&m);
	pb_int(&m, VT_TYPE, str(e, vt->type));
	pb_int(&m, VT_UNIT, str(e, vt->unit));
	pb_message(out, field, &m);
	buf_free(&m);
}

static uint64_t
mapping_id(struct encoder *e, uint64_t pc)
{
	struct pprof_mapping m;
	bool added;
	uint32_t id;

	memset(&m, 0, sizeof(m));
	if (!e->src->mapping(e->src->arg, pc, &m))
		return 0;
	id = u64_id(&e->mappings, m.start, &added);
	if (!added)
		return id;
	e->maps = xgrow(e->maps, &e->maps_cap, id, sizeof(*e->maps));
	e->unnamed = xgrow(e->unnamed, &e->unnamed_cap, id,
			   sizeof(*e->unnamed));
	e->maps[id - 1] = m;
	e->unnamed[id - 1] = false;
	return id;
}

/*
 * The mappings, in id order.  One with a location that has no function
 * name (a stripped binary's "module+0xOFF") claims neither functions nor
 * file names nor lines, so that go tool pprof symbolizes it again from
 * the file it finds by build-id or name under $PPROF_BINARY_PATH (it
 * leaves a mapping alone as soon as one of the three is set); without
 * such a file, our names stay.
 */
static void
write_mappings(struct encoder *e, struct buf *out)
{
	struct buf msg;
	size_t i;

	buf_init(&msg);
	for (i = 0; i < e->mappings.n; i++) {
		const struct pprof_mapping *m = &e->maps[i];
		bool named = !e->unnamed[i];

		msg.len = 0;
		pb_uint(&msg, MAPPING_ID, i + 1);
		pb_uint(&msg, MAPPING_START, m->start);
		pb_uint(&msg, MAPPING_LIMIT, m->limit);
		pb_uint(&msg, MAPPING_OFFSET, m->offset);
		pb_int(&msg, MAPPING_FILENAME, str(e, m->file));
		if (m->build_id)
			pb_int(&msg, MAPPING_BUILD_ID, str(e, m->build_id));
		pb_bool(&msg, MAPPING_HAS_FUNCTIONS,
			named && m->has_functions);
		pb_bool(&msg, MAPPING_HAS_FILENAMES,
			named && m->has_filenames);
		pb_bool(&msg, MAPPING_HAS_LINE_NUMBERS,
			named && m->has_line_numbers);
		pb_bool(&msg, MAPPING_HAS_INLINE_FRAMES,
			named && m->has_inlines);
		pb_message(out, PROFILE_MAPPING, &msg);
	}
	buf_free(&msg);
}

static uint64_t
function_id(struct encoder *e, const char *name, const char *file)
{
	int64_t n = str(e, name), f = str(e, file);
	struct buf msg;
	bool added;
	uint32_t id = u64_id(&e->functions, (uint64_t) n << 32 | (uint64_t) f,
			     &added);

	if (!added)
		return id;
	buf_init(&msg);
	pb_uint(&msg, FUNCTION_ID, id);
	pb_int(&msg, FUNCTION_NAME, n);
	pb_int(&msg, FUNCTION_SYSTEM_NAME, n);
	pb_int(&msg, FUNCTION_FILENAME, f);
	pb_message(&e->function_msgs, PROFILE_FUNCTION, &msg);
	buf_free(&msg);
	return id;
}

static uint64_t
location_id(struct encoder *e, uint64_t stored)
{
	bool exact = stored & PROFILE_PC_EXACT, added;
	uint64_t pc = stored & ~PROFILE_PC_EXACT;
	/* The address alone: a process number is the frame source's. */
	uint64_t addr = profile_pc_addr(stored);
	uint32_t id = u64_id(&e->locations, stored, &added);
	const struct sym_frame *frames;
	struct buf msg, line;
	char name[160];
	uint64_t mid;
	size_t n, i;

	if (!added)
		return id;
	buf_init(&msg);
	buf_init(&line);
	pb_uint(&msg, LOCATION_ID, id);
	if (pc == PROFILE_PC_TRUNCATED) {
		pb_uint(&line, LINE_FUNCTION_ID,
			function_id(e, "[truncated]", ""));
		pb_message(&msg, LOCATION_LINE, &line);
	} else if (profile_pseudo_name(e->p, pc, name, sizeof(name))) {
		pb_uint(&line, LINE_FUNCTION_ID, function_id(e, name, ""));
		pb_message(&msg, LOCATION_LINE, &line);
	} else {
		mid = mapping_id(e, pc);
		pb_uint(&msg, LOCATION_MAPPING_ID, mid);
		/* Callers point at the call instruction, not past it. */
		pb_uint(&msg, LOCATION_ADDRESS, exact ? addr : addr - 1);
		n = e->src->frames(e->src->arg, pc, exact, &frames);
		for (i = 0; i < n; i++) {
			char tmp[256];

			if (mid && (frames[i].unnamed || !frames[i].function))
				e->unnamed[mid - 1] = true;

			line.len = 0;
			pb_uint(&line, LINE_FUNCTION_ID,
				function_id(e, frame_display_name(&frames[i],
						tmp, sizeof(tmp)),
					    frames[i].file));
			pb_int(&line, LINE_LINE, frames[i].line);
			pb_message(&msg, LOCATION_LINE, &line);
		}
	}
	pb_message(&e->location_msgs, PROFILE_LOCATION, &msg);
	buf_free(&line);
	buf_free(&msg);
	return id;
}

static void
label(struct buf *out, int64_t key, int64_t s, int64_t num)
{
	struct buf m;

	buf_init(&m);
	pb_int(&m, LABEL_KEY, key);
	pb_int(&m, LABEL_STR, s);
	pb_int(&m, LABEL_NUM, num);
	pb_message(out, SAMPLE_LABEL, &m);
	buf_free(&m);
}

void
pprof_encode(const struct profile *p, const struct frame_source *src,
	     const char *const *comments, size_t ncomments, struct buf *out)
{
	struct encoder e;
	struct buf samples, msg;
	uint64_t *ids = NULL, values[PROFILE_MAX_VALUES];
	size_t ids_cap = 0, i, k;
	int64_t k_tid, k_name, k_state, k_wait, k_pid = 0, k_pname = 0;

	memset(&e, 0, sizeof(e));
	e.p = p;
	e.src = src;
	strtab_init(&e.strings);
	str(&e, "");	/* string_table[0] must be "" */
	buf_init(&samples);
	buf_init(&msg);

	for (i = 0; i < p->nvalues; i++)
		value_type(&e, out, PROFILE_SAMPLE_TYPE, &p->types[i]);
	/* The main executable's mapping first, whatever the first sample's
	 * leaf is: go tool pprof's "File:" is the first mapping's. */
	if (src->main_addr)
		mapping_id(&e, src->main_addr);
	k_tid = k_name = k_state = k_wait = 0;
	if (p->thread_labels) {
		k_tid = str(&e, "thread_id");
		k_name = str(&e, "thread_name");
		k_state = str(&e, "thread_state");
		k_wait = str(&e, "wait");
	}
	if (p->process_labels) {
		k_pid = str(&e, "pid");
		k_pname = str(&e, "process_name");
	}
	for (i = 0; i < p->nsamples; i++) {
		const struct profile_sample *s = &p->samples[i];
		const struct profile_stack *st = &p->stacks[s->stack - 1];

		ids = xgrow(ids, &ids_cap, st->n + 1, sizeof(*ids));
		for (k = 0; k < st->n; k++)
			ids[k] = location_id(&e, p->pcs[st->off + k]);
		msg.len = 0;
		pb_packed(&msg, SAMPLE_LOCATION_ID, ids, st->n);
		for (k = 0; k < p->nvalues; k++)
			values[k] = (uint64_t) s->values[k];
		pb_packed(&msg, SAMPLE_VALUE, values, p->nvalues);
		if (p->process_labels && s->pid) {
			label(&msg, k_pid, 0, s->pid);
			label(&msg, k_pname,
			      str(&e, p->strings.v[s->proc_name]), 0);
		}
		if (p->thread_labels) {
			label(&msg, k_tid, 0, s->tid);
			label(&msg, k_name, str(&e, p->strings.v[s->name]), 0);
			label(&msg, k_state,
			      str(&e, thread_state_name(s->state)), 0);
			if (s->wait) {
				char call[32];

				wait_call_name(s->wait - 1, call,
					       sizeof(call));
				label(&msg, k_wait, str(&e, call), 0);
			}
		} else if (p->name_label && p->strings.v[s->name][0]) {
			label(&msg, str(&e, p->name_label),
			      str(&e, p->strings.v[s->name]), 0);
		}
		pb_message(&samples, PROFILE_SAMPLE, &msg);
	}
	buf_append(out, samples.data, samples.len);
	write_mappings(&e, out);
	buf_append(out, e.location_msgs.data, e.location_msgs.len);
	buf_append(out, e.function_msgs.data, e.function_msgs.len);

	/* Everything else that names a string must come before the table. */
	{
		int64_t pt_type = str(&e, p->period_type.type);
		int64_t pt_unit = str(&e, p->period_type.unit);
		int64_t *cids = xcalloc(ncomments + 1, sizeof(*cids));
		/* Unset, readers show the last type; name ours when the
		 * profile's main value is another (memory: inuse_space). */
		int64_t def = p->display_value >= 0 &&
			      (size_t) p->display_value + 1 < p->nvalues ?
			      str(&e, p->types[p->display_value].type) : 0;

		for (i = 0; i < ncomments; i++)
			cids[i] = str(&e, comments[i]);
		for (i = 0; i < e.strings.n; i++)
			pb_bytes(out, PROFILE_STRING_TABLE, e.strings.v[i],
				 strlen(e.strings.v[i]));
		pb_int(out, PROFILE_TIME_NANOS, p->time_nanos);
		pb_int(out, PROFILE_DURATION_NANOS, p->duration_nanos);
		msg.len = 0;
		pb_int(&msg, VT_TYPE, pt_type);
		pb_int(&msg, VT_UNIT, pt_unit);
		pb_message(out, PROFILE_PERIOD_TYPE, &msg);
		pb_int(out, PROFILE_PERIOD, p->period);
		for (i = 0; i < ncomments; i++)
			pb_int(out, PROFILE_COMMENT, cids[i]);
		if (def)
			pb_int(out, PROFILE_DEFAULT_SAMPLE_TYPE, def);
		free(cids);
	}

	free(ids);
	buf_free(&samples);
	buf_free(&msg);
	free(e.maps);
	free(e.unnamed);
	buf_free(&e.location_msgs);
	buf_free(&e.function_msgs);
	u64_free(&e.mappings);
	u64_free(&e.locations);
	u64_free(&e.functions);
	strtab_free(&e.strings);
}
