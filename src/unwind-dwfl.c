/*
 * The libdw unwinder: libdwfl's frame walker, fed from the snapshot by
 * our own thread callbacks (dwfl_attach_state), on the Dwfl that
 * symbols.c keeps for the process.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "unwind.h"
#include "symbols.h"
#include "xmalloc.h"

#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unwinder {
	Dwfl *dwfl;
	const struct snapshot *snap;	/* the one being unwound */
	struct unwind_mem mem;
	struct raw_stack *out;
	struct fp_retry fp;
	struct symbols *syms;
	bool go;		/* the walk stopped at Go code without CFI */
	uint64_t go_sp;		/* its SP */
};

static pid_t
next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	struct unwinder *u = arg;

	if (*thread_argp || !u->snap)
		return 0;
	*thread_argp = u;
	return u->snap->tid;
}

static bool
get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	struct unwinder *u = arg;

	if (!u->snap || u->snap->tid != tid)
		return false;
	*thread_argp = u;
	return true;
}

/* libdwfl passes the process-wide argument here, not the thread's. */
static bool
memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct unwinder *u = arg;

	return unwind_mem_read(&u->mem, addr, result, sizeof(*result));
}

static bool
set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct unwinder *u = arg;
	const struct user_regs_struct *r = &u->snap->regs;
	/* DWARF register order for x86_64. */
	Dwarf_Word regs[17] = {
		r->rax, r->rdx, r->rcx, r->rbx, r->rsi, r->rdi, r->rbp,
		r->rsp, r->r8, r->r9, r->r10, r->r11, r->r12, r->r13,
		r->r14, r->r15, r->rip,
	};

	if (u->snap->how == SNAP_BLOCKED) {
		/* Only SP and PC are known for a thread read while asleep. */
		if (!dwfl_thread_state_registers(thread, 7, 1, &regs[7]))
			return false;
		if (u->fp.use_rbp &&
		    !dwfl_thread_state_registers(thread, 6, 1, &u->fp.rbp))
			return false;
	} else if (!dwfl_thread_state_registers(thread, 0, 17, regs)) {
		return false;
	}
	dwfl_thread_state_register_pc(thread, r->rip);
	return true;
}

static const Dwfl_Thread_Callbacks callbacks = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

static struct unwinder *
dwfl_open(struct procimg *img, struct symbols *syms, struct pp_err *err)
{
	struct unwinder *u = xcalloc(1, sizeof(*u));

	u->dwfl = symbols_dwfl(syms);
	u->syms = syms;
	u->mem.img = img;
	if (!dwfl_attach_state(u->dwfl, NULL, img->pid, &callbacks, u)) {
		pp_err_set(err, 0, "cannot set up libdw unwinding: %s",
			   dwfl_errmsg(-1));
		free(u);
		return NULL;
	}
	return u;
}

static int
frame_cb(Dwfl_Frame *frame, void *arg)
{
	struct unwinder *u = arg;
	struct raw_stack *out = u->out;
	Dwarf_Addr pc;
	bool activation;

	if (!dwfl_frame_pc(frame, &pc, &activation))
		return DWARF_CB_ABORT;
	if (unwind_full(out))
		return DWARF_CB_ABORT;
	{
		Dwarf_Word sp;

		if (dwfl_frame_reg(frame, 7, &sp) == 0)
			u->fp.last_sp = sp;
	}
	out->frames[out->n].pc = pc;
	out->frames[out->n].activation = activation;
	out->n++;
	/* libdw would walk Go code without CFI by frame pointers, which
	 * skip callers of frameless functions: the Go table takes over. */
	if (unwind_go_starts(u->syms, pc, activation)) {
		Dwarf_Word sp;

		if (dwfl_frame_reg(frame, 7, &sp) == 0) {
			u->go = true;
			u->go_sp = sp;
			return DWARF_CB_ABORT;
		}
	}
	return DWARF_CB_OK;
}

static void
walk(void *backend, const struct snapshot *snap, struct raw_stack *out)
{
	struct unwinder *u = backend;
	int rc;

	out->n = 0;
	out->end = UNWIND_END_COMPLETE;
	out->reason[0] = '\0';
	u->snap = snap;
	u->out = out;
	u->mem.snap = snap;
	u->mem.past_snapshot = false;
	u->go = false;
	rc = dwfl_getthread_frames(u->dwfl, snap->tid, frame_cb, u);
	if (u->go)
		unwind_go(&u->mem, u->syms, u->go_sp, out);
	else
		unwind_finish(out, &u->mem, rc != 0, dwfl_errmsg(-1));
	u->snap = NULL;
}

static void
dwfl_unwind(struct unwinder *u, const struct snapshot *snap,
	     struct raw_stack *out)
{
	unwind_with_retry(&u->fp, &u->mem, snap, out, walk, u);
}

static void
dwfl_close(struct unwinder *u)
{
	free(u->fp.stack);
	free(u);
}

const struct unwinder_ops unwinder_dwfl = {
	.name = "dwfl",
	.open = dwfl_open,
	.unwind = dwfl_unwind,
	.close = dwfl_close,
};
