/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "profile.h"
#include "syscalls.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
profile_init(struct profile *p)
{
	memset(p, 0, sizeof(*p));
	strtab_init(&p->strings);
	p->thread_labels = true;
	p->display_value = -1;
}

void
profile_free(struct profile *p)
{
	free(p->pcs);
	free(p->stacks);
	free(p->samples);
	idtab_free(&p->stack_index);
	idtab_free(&p->sample_index);
	strtab_free(&p->strings);
	memset(p, 0, sizeof(*p));
}

struct stack_key {
	const uint64_t *pcs;
	size_t n;
};

static bool
stack_eq(const void *ctx, uint32_t id, const void *key)
{
	const struct profile *p = ctx;
	const struct stack_key *k = key;
	const struct profile_stack *s = &p->stacks[id - 1];

	return s->n == k->n &&
	       memcmp(p->pcs + s->off, k->pcs, k->n * sizeof(*k->pcs)) == 0;
}

uint32_t
profile_stack(struct profile *p, const uint64_t *pcs, size_t n)
{
	struct stack_key k = { pcs, n };
	uint64_t h = hash_bytes(pcs, n * sizeof(*pcs));
	uint32_t id = idtab_find(&p->stack_index, h, stack_eq, p, &k);
	struct profile_stack *s;

	if (id)
		return id;
	p->pcs = xgrow(p->pcs, &p->pcs_cap, p->npcs + n, sizeof(*p->pcs));
	/* An empty stack (a process gone before it could be read) into an
	 * empty profile: p->pcs is still NULL. */
	if (n)
		memcpy(p->pcs + p->npcs, pcs, n * sizeof(*pcs));
	p->stacks = xgrow(p->stacks, &p->stacks_cap, p->nstacks + 1,
			  sizeof(*p->stacks));
	s = &p->stacks[p->nstacks++];
	s->off = p->npcs;
	s->n = n;
	p->npcs += n;
	idtab_insert(&p->stack_index, h, p->nstacks);
	return p->nstacks;
}

uint32_t
profile_string(struct profile *p, const char *s)
{
	return strtab_intern(&p->strings, s);
}

static bool
sample_eq(const void *ctx, uint32_t id, const void *key)
{
	const struct profile *p = ctx;
	const struct profile_sample *a = &p->samples[id - 1], *b = key;

	return a->stack == b->stack && a->tid == b->tid &&
	       a->name == b->name && a->state == b->state &&
	       a->wait == b->wait && a->pid == b->pid &&
	       a->proc_name == b->proc_name;
}

/* Adds @values to the sample like @key (stack, labels). */
void
profile_add_sample(struct profile *p, const struct profile_sample *key,
	   const int64_t *values)
{
	uint64_t h = hash_u64((uint64_t) key->stack << 32 ^
			      (uint64_t) key->tid << 8 ^
			      (uint64_t) key->name << 40 ^ key->state ^
			      (uint64_t) key->wait << 20 ^
			      (uint64_t) key->pid << 12 ^
			      (uint64_t) key->proc_name << 52);
	uint32_t id = idtab_find(&p->sample_index, h, sample_eq, p, key);
	struct profile_sample *s;
	size_t i;

	if (!id) {
		p->samples = xgrow(p->samples, &p->samples_cap,
				   p->nsamples + 1, sizeof(*p->samples));
		p->samples[p->nsamples] = *key;
		memset(p->samples[p->nsamples].values, 0,
		       sizeof(p->samples[p->nsamples].values));
		id = ++p->nsamples;
		idtab_insert(&p->sample_index, h, id);
	}
	s = &p->samples[id - 1];
	for (i = 0; i < p->nvalues; i++)
		s->values[i] += values[i];
}

void
profile_add(struct profile *p, uint32_t stack, pid_t tid, uint32_t name,
	    enum thread_state state, const int64_t *values)
{
	profile_add_wait(p, stack, tid, name, state, 0, values);
}

void
profile_add_wait(struct profile *p, uint32_t stack, pid_t tid, uint32_t name,
		 enum thread_state state, uint16_t wait, const int64_t *values)
{
	struct profile_sample key = {
		.stack = stack, .tid = tid, .name = name, .state = state,
		.wait = wait,
	};

	profile_add_sample(p, &key, values);
}

void
profile_merge(struct profile *dst, const struct profile *src)
{
	int64_t end = dst->time_nanos + dst->duration_nanos;
	int64_t src_end = src->time_nanos + src->duration_nanos;
	size_t i;

	for (i = 0; i < src->nsamples; i++) {
		const struct profile_sample *s = &src->samples[i];
		const struct profile_stack *st = &src->stacks[s->stack - 1];
		struct profile_sample key = *s;

		key.stack = profile_stack(dst, src->pcs + st->off, st->n);
		key.name = profile_string(dst, src->strings.v[s->name]);
		/* Of several processes: which one each sample is of. */
		key.proc_name = s->pid ?
			profile_string(dst, src->strings.v[s->proc_name]) : 0;
		profile_add_sample(dst, &key, s->values);
	}
	dst->process_labels |= src->process_labels;
	if (!dst->time_nanos || (src->time_nanos &&
				 src->time_nanos < dst->time_nanos))
		dst->time_nanos = src->time_nanos;
	if (src_end > end)
		end = src_end;
	dst->duration_nanos = end - dst->time_nanos;
}

const char *
thread_state_name(enum thread_state s)
{
	static const char *const names[] = {
		[THREAD_RUNNING] = "running",
		[THREAD_SLEEPING] = "sleeping",
		[THREAD_DISK] = "disk",
		[THREAD_STOPPED] = "stopped",
		[THREAD_OTHER] = "other",
	};

	return s < ARRAY_SIZE(names) ? names[s] : "other";
}

enum thread_state
thread_state_from_proc(char state)
{
	switch (state) {
	case 'R': return THREAD_RUNNING;
	case 'S': case 'I': return THREAD_SLEEPING;
	case 'D': return THREAD_DISK;
	case 'T': case 't': return THREAD_STOPPED;
	default: return THREAD_OTHER;
	}
}

int64_t
profile_total(const struct profile *p, size_t i)
{
	int64_t t = 0;
	size_t k;

	for (k = 0; k < p->nsamples; k++)
		t += p->samples[k].values[i];
	return t;
}

bool
profile_pseudo_name(const struct profile *p, uint64_t stored, char *buf,
		    size_t len)
{
	uint64_t pc = stored & ~PROFILE_PC_EXACT;

	if (profile_pc_is_wait(pc)) {
		wait_frame_name(pc, buf, len);
		return true;
	}
	if (pc & PROFILE_PC_NAMED) {
		uint32_t id = (uint32_t) pc;

		snprintf(buf, len, "%s", id < p->strings.n ?
			 p->strings.v[id] : "?");
		return true;
	}
	return false;
}

/* An empty profile with @src's types and window. */
static void
profile_like(const struct profile *src, struct profile *out)
{
	profile_init(out);
	out->nvalues = src->nvalues;
	memcpy(out->types, src->types, sizeof(out->types));
	out->period_type = src->period_type;
	out->period = src->period;
	out->time_nanos = src->time_nanos;
	out->duration_nanos = src->duration_nanos;
	out->thread_labels = src->thread_labels;
	out->name_label = src->name_label;
	out->process_labels = src->process_labels;
	out->display_value = src->display_value;
}

/* A pc of @src as @dst stores it: named pseudo-frames name @dst's
 * strings; real pcs carry the process number @proc. */
static uint64_t
pc_for(struct profile *dst, const struct profile *src, uint64_t pc,
       unsigned int proc)
{
	if (pc & PROFILE_PC_NAMED) {
		uint32_t id = (uint32_t) pc;

		return (pc & ~(uint64_t) UINT32_MAX) |
		       profile_string(dst, id < src->strings.n ?
				      src->strings.v[id] : "?");
	}
	if ((pc & PROFILE_PC_WAIT) || profile_pc_addr(pc) ==
	    PROFILE_PC_TRUNCATED || !proc)
		return pc;
	return (pc & ~PROFILE_PC_PROC_MASK) |
	       (uint64_t) proc << PROFILE_PC_PROC_SHIFT;
}

void
profile_add_process(struct profile *dst, const struct profile *src,
		    unsigned int proc, pid_t pid, const char *proc_name)
{
	uint64_t *pcs = NULL;
	size_t cap = 0, i, k;
	uint32_t pname = profile_string(dst, proc_name ? proc_name : "");

	dst->process_labels = true;
	for (i = 0; i < src->nsamples; i++) {
		const struct profile_sample *s = &src->samples[i];
		const struct profile_stack *st = &src->stacks[s->stack - 1];
		struct profile_sample key = *s;

		pcs = xgrow(pcs, &cap, st->n + 1, sizeof(*pcs));
		for (k = 0; k < st->n; k++)
			pcs[k] = pc_for(dst, src, src->pcs[st->off + k],
					proc);
		key.stack = profile_stack(dst, pcs, st->n);
		key.name = profile_string(dst, src->strings.v[s->name]);
		key.pid = pid;
		key.proc_name = pname;
		profile_add_sample(dst, &key, s->values);
	}
	free(pcs);
}

/* The root frame of sample @s: its thread, or its process. */
static void
root_frame(const struct profile *src, const struct profile_sample *s,
	   bool by_process, char *buf, size_t len)
{
	const char *what = by_process ? "process" : "thread";
	const char *name = src->strings.v[by_process ? s->proc_name :
					  s->name];
	int id = by_process ? (int) s->pid : (int) s->tid;

	if (name[0])
		snprintf(buf, len, "%s %s (%d)", what, name, id);
	else
		snprintf(buf, len, "%s %d", what, id);
}

/* @src with a root frame on every stack (see root_frame()). */
static void
group_by(const struct profile *src, struct profile *out, bool by_process)
{
	uint64_t *pcs = NULL;
	size_t cap = 0, i, k;

	profile_like(src, out);
	for (i = 0; i < src->nsamples; i++) {
		const struct profile_sample *s = &src->samples[i];
		const struct profile_stack *st = &src->stacks[s->stack - 1];
		struct profile_sample key = *s;
		char root[128];

		root_frame(src, s, by_process, root, sizeof(root));
		pcs = xgrow(pcs, &cap, st->n + 1, sizeof(*pcs));
		/* Pseudo-frames name strings of @out, not of @src. */
		for (k = 0; k < st->n; k++)
			pcs[k] = pc_for(out, src, src->pcs[st->off + k], 0);
		pcs[st->n] = PROFILE_PC_NAMED | PROFILE_PC_EXACT |
			     profile_string(out, root);
		key.stack = profile_stack(out, pcs, st->n + 1);
		key.name = profile_string(out, src->strings.v[s->name]);
		key.proc_name = profile_string(out,
					       src->strings.v[s->proc_name]);
		profile_add_sample(out, &key, s->values);
	}
	free(pcs);
}

void
profile_group_by_thread(const struct profile *src, struct profile *out)
{
	group_by(src, out, false);
}

void
profile_group_by_process(const struct profile *src, struct profile *out)
{
	group_by(src, out, true);
}
