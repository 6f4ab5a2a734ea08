/*
 * The layout read here (runtime/symtab.go and runtime/runtime2.go of
 * each Go release; all little-endian on the targets we profile):
 *
 *   header: u32 magic, two zero bytes, u8 quantum, u8 ptrSize, then
 *     pointer-sized words: nfunc, nfiles, [textStart, 1.18+],
 *     funcnameOffset, cuOffset, filetabOffset, pctabOffset, pclnOffset,
 *     all offsets counted from the header;
 *   functab at pclnOffset: nfunc + 1 (entry, funcoff) pairs sorted by
 *     entry, the last one holding the end of the text; u32 pairs with
 *     entry relative to textStart (1.18+), pointer-sized pairs with an
 *     absolute entry before; funcoff counts from pclnOffset;
 *   _func: entry (u32, or a pointer before 1.18), i32 nameOff, args,
 *     deferreturn, then u32 pcsp, pcfile, pcln, npcdata, cuOffset,
 *     [i32 startLine, 1.20+], u8 funcID, u8 flag, pad, u8 nfuncdata;
 *   a pc-value table (at pctabOffset + pcsp, pcfile or pcln) is a list
 *     of (zig-zag uvarint value delta, uvarint pc delta x quantum) from
 *     value -1 at the entry; a zero value delta after the first pair
 *     ends it; a value holds from the previous pc up to the new one;
 *   file = filetab + cutab[cuOffset + pcfile value] (u32; ~0: none).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "gopclntab.h"

#include <string.h>

#define MAGIC_116	0xfffffffau
#define MAGIC_118	0xfffffff0u
#define MAGIC_120	0xfffffff1u

/* funcFlag bits (runtime/symtab.go, 1.17+; a pad byte before). */
#define FLAG_TOPFRAME	0x01
#define FLAG_SPWRITE	0x02

static uint64_t
le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

/* @n bytes at @off fit in the table (no overflow on hostile offsets). */
static bool
fits(const struct gopclntab *t, uint64_t off, uint64_t n)
{
	return off <= t->size && n <= t->size - off;
}

static bool
rd(const struct gopclntab *t, uint64_t off, unsigned int n, uint64_t *v)
{
	if (!fits(t, off, n))
		return false;
	*v = le(t->data + off, n);
	return true;
}

/* A NUL-terminated string at @off, or NULL. */
static const char *
str_at(const struct gopclntab *t, uint64_t off)
{
	if (off >= t->size ||
	    !memchr(t->data + off, '\0', t->size - off))
		return NULL;
	return (const char *) t->data + off;
}

int
gopclntab_init(struct gopclntab *t, const void *data, size_t size,
	       struct pp_err *err)
{
	const uint8_t *p = data;
	uint64_t w[8];
	unsigned int nw, i;
	uint32_t magic;

	memset(t, 0, sizeof(*t));
	if (!p || size < 8)
		return pp_err_set(err, 0, "Go function table too short");
	magic = (uint32_t) le(p, 4);
	if (magic == MAGIC_116)
		t->version = 116;
	else if (magic == MAGIC_118)
		t->version = 118;
	else if (magic == MAGIC_120)
		t->version = 120;
	else
		return pp_err_set(err, 0,
				  "unknown Go function table magic 0x%08x",
				  magic);
	t->quantum = p[6];
	t->ptrsize = p[7];
	if (p[4] != 0 || p[5] != 0 ||
	    (t->quantum != 1 && t->quantum != 2 && t->quantum != 4) ||
	    (t->ptrsize != 4 && t->ptrsize != 8))
		return pp_err_set(err, 0, "bad Go function table header");
	t->data = p;
	t->size = size;
	nw = t->version >= 118 ? 8 : 7;
	for (i = 0; i < nw; i++)
		if (!rd(t, 8 + (uint64_t) i * t->ptrsize, t->ptrsize, &w[i]))
			return pp_err_set(err, 0,
					  "Go function table header truncated");
	t->nfunc = w[0];
	t->nfiles = w[1];
	i = 2;
	if (t->version >= 118)
		t->text_start = w[i++];
	t->funcname = w[i++];
	t->cu = w[i++];
	t->filetab = w[i++];
	t->pctab = w[i++];
	t->pcln = w[i];
	if (t->funcname >= size || t->cu >= size || t->filetab >= size ||
	    t->pctab >= size || t->pcln >= size || t->nfunc == 0 ||
	    t->nfunc >= (size - t->pcln) /
			(t->version >= 118 ? 8 : 2 * t->ptrsize))
		return pp_err_set(err, 0,
				  "Go function table offsets out of range");
	return 0;
}

/* Entry and _func offset of functab slot @i (0..nfunc). */
static bool
ftab(const struct gopclntab *t, uint64_t i, uint64_t *entry,
     uint64_t *funcoff)
{
	uint64_t e, f;

	if (t->version >= 118) {
		if (!rd(t, t->pcln + 8 * i, 4, &e) ||
		    !rd(t, t->pcln + 8 * i + 4, 4, &f))
			return false;
		e += t->text_start;
	} else if (!rd(t, t->pcln + 2 * t->ptrsize * i, t->ptrsize, &e) ||
		   !rd(t, t->pcln + 2 * t->ptrsize * i + t->ptrsize,
		       t->ptrsize, &f)) {
		return false;
	}
	*entry = e;
	if (funcoff)
		*funcoff = f;
	return true;
}

/* Offsets of the _func fields after the entry. */
static unsigned int
entry_size(const struct gopclntab *t)
{
	return t->version >= 118 ? 4 : t->ptrsize;
}

#define F_NAME(t)	(entry_size(t))
#define F_PCSP(t)	(entry_size(t) + 12)
#define F_PCFILE(t)	(entry_size(t) + 16)
#define F_PCLN(t)	(entry_size(t) + 20)
#define F_CU(t)		(entry_size(t) + 28)
#define F_FUNCID(t)	(entry_size(t) + 32 + ((t)->version >= 120 ? 4 : 0))
#define F_END(t)	(F_FUNCID(t) + 4)

bool
gopclntab_lookup(const struct gopclntab *t, uint64_t pc,
		 struct gopcln_func *f)
{
	uint64_t lo = 0, hi = t->nfunc, entry, end, funcoff, rec, v;

	if (!t->data)
		return false;
	/* The last slot whose entry is <= pc. */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (!ftab(t, mid, &entry, NULL))
			return false;
		if (entry <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || !ftab(t, lo - 1, &entry, &funcoff) ||
	    !ftab(t, lo, &end, NULL) || pc >= end)
		return false;
	rec = t->pcln + funcoff;
	if (rec < t->pcln || !fits(t, rec, F_END(t)))
		return false;
	/* The record names its own entry: a check on the slot. */
	v = le(t->data + rec, entry_size(t));
	if ((t->version >= 118 ? v + t->text_start : v) != entry)
		return false;
	memset(f, 0, sizeof(*f));
	f->entry = entry;
	f->end = end;
	f->rec = rec;
	v = le(t->data + rec + F_NAME(t), 4);
	f->name = str_at(t, t->funcname + (uint32_t) v);
	v = t->data[rec + F_FUNCID(t) + 1];
	f->top = v & FLAG_TOPFRAME;
	f->spwrite = v & FLAG_SPWRITE;
	return true;
}

/* A uvarint of at most 32 bits at *@p; advances it. */
static bool
uvarint(const struct gopclntab *t, uint64_t *p, uint32_t *out)
{
	uint32_t v = 0;
	unsigned int shift;

	for (shift = 0; shift < 35; shift += 7) {
		uint8_t b;

		if (*p >= t->size)
			return false;
		b = t->data[(*p)++];
		v |= (uint32_t) (b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return true;
		}
	}
	return false;
}

/* The value of the pc-value table of field @field of @f at @pc. */
static bool
pcvalue(const struct gopclntab *t, const struct gopcln_func *f,
	unsigned int field, uint64_t pc, int32_t *out)
{
	uint64_t off = le(t->data + f->rec + field, 4), p, cur = f->entry;
	uint32_t val = 0xffffffffu;
	bool first = true;

	if (off == 0 || pc < f->entry || pc >= f->end)
		return false;
	p = t->pctab + off;
	/* Each step takes at least two bytes: the walk ends. */
	for (;;) {
		uint32_t vd, pd;

		if (p >= t->size)
			return false;
		if (t->data[p] == 0 && !first)
			return false;
		if (!uvarint(t, &p, &vd) || !uvarint(t, &p, &pd))
			return false;
		first = false;
		val += (vd >> 1) ^ (0u - (vd & 1));
		cur += (uint64_t) pd * t->quantum;
		if (pc < cur) {
			*out = (int32_t) val;
			return true;
		}
		if (cur >= f->end)
			return false;
	}
}

bool
gopclntab_line(const struct gopclntab *t, const struct gopcln_func *f,
	       uint64_t pc, const char **file, int *line)
{
	int32_t fileno, ln;
	uint64_t cu, idx, off;

	if (!pcvalue(t, f, F_PCFILE(t), pc, &fileno) || fileno < 0 ||
	    !pcvalue(t, f, F_PCLN(t), pc, &ln) || ln < 0)
		return false;
	cu = le(t->data + f->rec + F_CU(t), 4);
	idx = cu + (uint64_t) fileno;
	if (!rd(t, t->cu + 4 * idx, 4, &off) || off == 0xffffffffu)
		return false;
	*file = str_at(t, t->filetab + off);
	*line = ln;
	return *file != NULL;
}

bool
gopclntab_sp_delta(const struct gopclntab *t, const struct gopcln_func *f,
		   uint64_t pc, int32_t *delta)
{
	return pcvalue(t, f, F_PCSP(t), pc, delta) && *delta >= 0;
}

/* A table inside @data: the first header at an 8-byte boundary that
 * reads, with a first function starting at @text or later. */
static int
scan(struct gopclntab *t, const uint8_t *data, size_t size)
{
	size_t off;

	for (off = 0; off + 64 <= size; off += 8) {
		uint32_t m = (uint32_t) le(data + off, 4);
		struct gopcln_func f;
		uint64_t entry;

		if (m != MAGIC_116 && m != MAGIC_118 && m != MAGIC_120)
			continue;
		if (gopclntab_init(t, data + off, size - off, NULL) == 0 &&
		    ftab(t, 0, &entry, NULL) &&
		    gopclntab_lookup(t, entry, &f) && f.name)
			return 0;
	}
	memset(t, 0, sizeof(*t));
	return -1;
}

int
gopclntab_from_elf(struct gopclntab *t, Elf *elf, struct pp_err *err)
{
	Elf_Scn *scn = NULL;
	Elf_Data *relro = NULL;
	size_t shstrndx;

	memset(t, 0, sizeof(*t));
	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return pp_err_set(err, 0, "not an ELF file with sections");
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name)
			continue;
		if (strcmp(name, ".gopclntab") == 0 ||
		    strcmp(name, ".data.rel.ro.gopclntab") == 0) {
			d = elf_getdata(scn, NULL);
			if (!d || !d->d_buf)
				return pp_err_set(err, 0,
						  "cannot read %s", name);
			return gopclntab_init(t, d->d_buf, d->d_size, err);
		}
		if (strcmp(name, ".data.rel.ro") == 0)
			relro = elf_getdata(scn, NULL);
	}
	if (relro && relro->d_buf && scan(t, relro->d_buf, relro->d_size) == 0)
		return 0;
	return pp_err_set(err, 0, "no Go function table");
}
