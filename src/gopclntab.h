/*
 * Go's function table, .gopclntab: function names, file:line and stack
 * pointer deltas of every Go function, kept by the linker even when
 * -ldflags='-s -w' drops .symtab and DWARF.  Formats of Go 1.16 and
 * later (magic 0xfffffffa, 0xfffffff0, 0xfffffff1).  The table is
 * untrusted input: every read is bounds-checked, and a malformed table
 * gives "not found", never a read outside it.  Pure.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_GOPCLNTAB_H
# define PIDPROF_GOPCLNTAB_H

# include "common.h"
# include "err.h"

# include <gelf.h>

struct gopclntab {
	const uint8_t *data;	/* the table, from its header on */
	size_t size;
	int version;		/* 116 (1.16-1.17), 118 (1.18-1.19), 120 */
	unsigned int quantum, ptrsize;
	uint64_t nfunc, nfiles;
	uint64_t text_start;	/* 1.18+: what entries count from */
	/* Offsets in data of the sub-tables. */
	uint64_t funcname, cu, filetab, pctab, pcln;
};

struct gopcln_func {
	uint64_t entry, end;	/* [entry, end), link-time addresses */
	const char *name;	/* NUL-terminated, inside the table */
	uint64_t rec;		/* offset of its _func record */
	bool top;		/* TOPFRAME: the outermost frame of a stack */
	bool spwrite;		/* writes SP: no caller can be found */
};

/* Checks the header of the table at @data (@size bytes) and fills @t;
 * -1 with @err set when it is not a table this reads. */
int gopclntab_init(struct gopclntab *t, const void *data, size_t size,
		   struct pp_err *err);
/*
 * Finds the table of an ELF file: section .gopclntab, or
 * .data.rel.ro.gopclntab (PIE), or a header found in .data.rel.ro
 * (PIE linked externally).  -1 with @err set when there is none.
 */
int gopclntab_from_elf(struct gopclntab *t, Elf *elf, struct pp_err *err);
/* The function holding @pc (a link-time address); false when none. */
bool gopclntab_lookup(const struct gopclntab *t, uint64_t pc,
		      struct gopcln_func *f);
/* File and line of @pc in @f; false when the table has none. */
bool gopclntab_line(const struct gopclntab *t, const struct gopcln_func *f,
		    uint64_t pc, const char **file, int *line);
/* Bytes between SP and the return address at @pc in @f. */
bool gopclntab_sp_delta(const struct gopclntab *t,
			const struct gopcln_func *f, uint64_t pc,
			int32_t *delta);

#endif /* !PIDPROF_GOPCLNTAB_H */
