/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "unwind.h"
#include "gopclntab.h"
#include "symbols.h"
#include "xmalloc.h"

#include <stdio.h>
#include <string.h>

/* Without a known mapping end, how far above the copy still counts as
 * "the stack we did not copy" rather than a wild pointer. */
#define STACK_GUESS	(8u << 20)

bool
unwind_mem_read(struct unwind_mem *m, uint64_t addr, void *buf, size_t len)
{
	const struct snapshot *s = m->snap;
	uint64_t copy_end = s->stack_base + s->stack_len;
	uint64_t limit = s->stack_limit ? s->stack_limit :
			 copy_end + STACK_GUESS;

	if (addr >= s->stack_base && addr + len <= copy_end) {
		memcpy(buf, s->stack + (addr - s->stack_base), len);
		return true;
	}
	if (addr + len > copy_end && addr < limit && addr >= s->stack_base) {
		m->past_snapshot = true;
		return false;
	}
	return procimg_read(m->img, addr, buf, len);
}

bool
unwind_full(struct raw_stack *out)
{
	if (out->n < UNWIND_MAX_FRAMES)
		return false;
	out->end = UNWIND_END_MAX_FRAMES;
	snprintf(out->reason, sizeof(out->reason), "more than %d frames",
		 UNWIND_MAX_FRAMES);
	return true;
}

void
unwind_finish(struct raw_stack *out, const struct unwind_mem *m, bool failed,
	      const char *reason)
{
	if (out->end == UNWIND_END_MAX_FRAMES)
		return;
	/* An unwinder may take a failed read as the end of the stack and
	 * report success: a read past the copy means the copy was short. */
	if (m->past_snapshot) {
		out->end = UNWIND_END_TRUNCATED;
		snprintf(out->reason, sizeof(out->reason),
			 "stack truncated at %zu bytes",
			 snapshot_stack_above_sp(m->snap));
	} else if (!failed) {
		out->end = UNWIND_END_COMPLETE;
		out->reason[0] = '\0';
	} else {
		out->end = UNWIND_END_ERROR;
		snprintf(out->reason, sizeof(out->reason), "%s",
			 reason ? reason : "unknown error");
	}
}

/* Whether the bytes before @ret encode an x86_64 call instruction. */
static bool
follows_call(struct procimg *img, uint64_t ret)
{
	const struct map_entry *e = maps_find(&img->maps, ret);
	uint8_t b[7];

	if (!e || !(e->perms & MAP_PERM_X) || ret < sizeof(b) ||
	    !procimg_read(img, ret - sizeof(b), b, sizeof(b)))
		return false;
	if (b[2] == 0xe8)			/* call rel32 */
		return true;
	if (b[5] == 0xff && (b[6] & 0xf8) == 0xd0)	/* call *%reg */
		return true;
	if (b[4] == 0xff && (b[5] & 0x38) == 0x10)	/* call *d8(%reg) */
		return true;
	if (b[1] == 0xff && (b[2] & 0x38) == 0x10)	/* call *d32(...) */
		return true;
	if (b[0] == 0xff && (b[1] & 0x38) == 0x10)	/* call *d32(,sib) */
		return true;
	return false;
}

bool
unwind_guess_frame_pointer(struct unwind_mem *m, uint64_t frame_sp,
			   uint64_t *rbp)
{
	const struct snapshot *s = m->snap;
	uint64_t copy_end = s->stack_base + s->stack_len;
	uint64_t p = (frame_sp + 7) & ~7ull;

	if (frame_sp < s->stack_base)
		return false;
	for (; p + 16 <= copy_end; p += 8) {
		uint64_t ret;

		memcpy(&ret, s->stack + (p + 8 - s->stack_base), sizeof(ret));
		if (follows_call(m->img, ret)) {
			*rbp = p;
			return true;
		}
	}
	return false;
}

void
unwind_with_retry(struct fp_retry *r, struct unwind_mem *m,
		  const struct snapshot *snap, struct raw_stack *out,
		  unwind_walk_fn walk, void *backend)
{
	r->use_rbp = false;
	r->last_sp = 0;
	walk(backend, snap, out);
	if (snap->how != SNAP_BLOCKED || !r->last_sp)
		return;
	m->snap = snap;
	if (!unwind_guess_frame_pointer(m, r->last_sp, &r->rbp))
		return;
	if (!r->stack)
		r->stack = xmalloc(sizeof(*r->stack));
	r->use_rbp = true;
	walk(backend, snap, r->stack);
	r->use_rbp = false;
	if (r->stack->n > out->n)
		memcpy(out, r->stack, sizeof(*out));
}

bool
unwind_go_starts(struct symbols *syms, uint64_t pc, bool activation)
{
	uint64_t bias;

	return symbols_go_unwind_table(syms, activation ? pc : pc - 1,
				       &bias) != NULL;
}

void
unwind_go(struct unwind_mem *m, struct symbols *syms, uint64_t sp,
	  struct raw_stack *out)
{
	const char *err = NULL;

	while (out->n > 0) {
		const struct raw_frame *fr = &out->frames[out->n - 1];
		uint64_t addr = fr->activation ? fr->pc : fr->pc - 1;
		uint64_t bias, ret;
		const struct gopclntab *t;
		struct gopcln_func f;
		int32_t delta;

		t = symbols_go_unwind_table(syms, addr, &bias);
		if (!t) {
			err = "return into code that is not Go's";
			break;
		}
		if (!gopclntab_lookup(t, addr - bias, &f)) {
			err = "no Go function holds the address";
			break;
		}
		/* The outermost frame, or one whose SP was switched to
		 * another stack: Go's traceback ends there too. */
		if (f.top || (f.spwrite && out->n > 1))
			break;
		if (!gopclntab_sp_delta(t, &f, addr - bias, &delta)) {
			err = "no SP delta in the Go function table";
			break;
		}
		if (!unwind_mem_read(m, sp + (uint64_t) delta, &ret,
				     sizeof(ret))) {
			err = "cannot read the return address";
			break;
		}
		if (ret == 0)
			break;
		if (unwind_full(out))
			return;
		sp += (uint64_t) delta + 8;
		out->frames[out->n].pc = ret;
		out->frames[out->n].activation = false;
		out->n++;
	}
	unwind_finish(out, m, err != NULL, err);
}

const struct unwinder_ops *
unwinder_by_name(const char *name)
{
	static const struct unwinder_ops *const all[] = {
		&unwinder_dwfl, &unwinder_libunwind,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all); i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}
