/*
 * Symbolization with libdw: function, file:line and the inline chain of
 * an address, cached per address.  It owns the process's Dwfl, which the
 * libdw unwinder borrows.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_SYMBOLS_H
# define PIDPROF_SYMBOLS_H

# include "common.h"
# include "err.h"
# include "procimg.h"

struct sym_frame {
	const char *function;	/* demangled; NULL when unknown */
	const char *file;	/* NULL when unknown */
	int line;		/* 0 when unknown */
	bool inlined;		/* inlined into the next frame of the chain */
	const char *module;	/* path of the mapped file, "[vdso]", or NULL */
	/* function is "module+0xOFF" (no symbol): a reader with the
	 * unstripped file may name it better (pprof's has_functions). */
	bool unnamed;
};

/*
 * A function inlined into itself at the line it runs (glibc's
 * __GI___libc_write) is one frame, its caller's: when @caller, the next
 * frame out of @callee, has the same function and line, @callee takes its
 * inlined flag and true is returned (@caller is not a frame of its own).
 * Frames of unknown function never fold.  Pure.
 */
bool sym_frame_fold_caller(struct sym_frame *callee,
			   const struct sym_frame *caller);

struct symbols;

struct symbols *symbols_open(struct procimg *img, struct pp_err *err);
void symbols_close(struct symbols *s);
/*
 * Fetches from debuginfod, when it is on (debuginfo.h), the debug files
 * process @pid's modules lack, with a throwaway Dwfl (libdwfl remembers
 * a module without debug information as such).  Call it while no
 * thread of @pid is traced: it may take seconds.
 */
void symbols_prefetch(pid_t pid);
/* Reports the modules again after the maps changed; known ones are kept.
 * Nothing changes once procimg_refresh() found the process gone. */
void symbols_refresh(struct symbols *s);
/*
 * The frames for @pc, innermost (inlined) first.  @activation says @pc
 * is exact; otherwise it is a return address and pc - 1 is looked up.
 * The array stays valid until symbols_close().
 */
size_t symbols_lookup(struct symbols *s, uint64_t pc, bool activation,
		      const struct sym_frame **out);
struct sym_module {
	const char *build_id;	/* hex, NULL when the file has none */
	bool has_lines;		/* DWARF line and inline information */
};

/* Facts about the module holding @pc; false when none does. */
bool symbols_module(struct symbols *s, uint64_t pc, struct sym_module *out);
/*
 * Whether @pc is in the function at its executable's entry point, which
 * starts the process: the root of a stack that has no symbol for it.
 */
bool symbols_is_entry(struct symbols *s, uint64_t pc, bool activation);
/*
 * Reads the kernel's symbols (/proc/kallsyms) once for the whole run, so
 * that every symbolizer names kernel frames (addresses in the kernel's
 * half, or a profile's kernel pcs) "[k] function".  -1 with @err set to
 * why not, the same at every call.
 */
int symbols_kernel_open(struct pp_err *err);
struct frame_source;
/* A frame source (pprof.h) answering from @s: symbols and mappings. */
void symbols_frame_source(struct symbols *s, struct frame_source *src);
/*
 * Makes sure the file of the module holding @pc is open, so that @pc can
 * be symbolized later even after the process is gone; cheap, unlike a
 * first lookup, which may read megabytes of debug information.
 */
void symbols_prepare(struct symbols *s, uint64_t pc);
struct gopclntab;
/*
 * The Go function table of the module holding @pc when that module has
 * no CFI (.eh_frame, .debug_frame): a Go binary without DWARF, which
 * unwinders walk with the table's SP deltas.  @bias receives the
 * module's load bias (runtime address - link-time address).  NULL
 * otherwise.
 */
const struct gopclntab *symbols_go_unwind_table(struct symbols *s,
						uint64_t pc, uint64_t *bias);
/* For the libdw unwinder: the Dwfl * of this process. */
void *symbols_dwfl(struct symbols *s);
/* Basename of a module path, for display. */
const char *module_basename(const char *module);

#endif /* !PIDPROF_SYMBOLS_H */
