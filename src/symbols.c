/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "symbols.h"
#include "debuginfo.h"
#include "demangle.h"
#include "gopclntab.h"
#include "idtab.h"
#include "kallsyms.h"
#include "perfmap.h"
#include "pprof.h"
#include "profile.h"
#include "xmalloc.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <gelf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/*
 * The cache: symbols are a property of the file, so an address is keyed
 * by its module's build-id and its offset in the module; the same
 * library at another address, or in another process, hits the cache.
 */
struct sym_entry {
	uint64_t module;	/* hash of the build-id; 0: no module */
	uint64_t offset;	/* from the module's start, or the address */
	size_t first, n;	/* range in frames[] */
};

/* The FDE table of a module's .eh_frame_hdr, to name code that has no
 * symbol by the start of its function. */
struct fde_table {
	const unsigned char *tab;	/* (initial location, FDE) pairs */
	size_t n;
	uint64_t hdr_vaddr;		/* entries are relative to it */
	const unsigned char *eh;	/* .eh_frame, to read an FDE's range */
	size_t eh_size;
	uint64_t eh_vaddr;
};

struct module_key {
	Dwfl_Module *mod;
	uint64_t key, start;
	const char *build_id;	/* hex, owned; once build_id_read */
	bool build_id_read;
	bool fde_read;
	struct fde_table fde;
	bool go_read, go_ok;
	bool cfi_read, has_cfi;	/* .eh_frame or .debug_frame */
	struct gopclntab go;	/* Go's function table, when go_ok */
};

/* Address ranges of one CU, for modules whose DWARF lacks .debug_aranges
 * (Go binaries): libdw then finds no CU for an address. */
struct cu_range {
	Dwarf_Addr lo, hi;
	Dwarf_Off offset;	/* of the CU DIE */
};

struct cu_index {
	Dwfl_Module *mod;
	Dwarf *dwarf;
	Dwarf_Addr bias;
	struct cu_range *v;
	size_t n;
};

struct symbols {
	struct procimg *img;
	struct cu_index *cu_indexes;
	size_t ncu_indexes, cu_indexes_cap;
	Dwfl *dwfl;
	struct sym_frame *frames;
	size_t nframes, frames_cap;
	struct sym_entry *entries;
	size_t nentries, entries_cap;
	struct idtab index;	/* (module, offset) -> entry id */
	struct module_key *mods;
	size_t nmods, mods_cap;
	size_t last_mod;	/* index of the last module_key() answer */
	struct perfmap *perfmap;	/* JIT code's names */
	uint64_t main_addr;	/* see main_exe_addr(), kept past the exit */
	char **strings;		/* owned strings, freed at close */
	size_t nstrings, strings_cap;
};

static const char deleted_suffix[] = " (deleted)";

/* The kernel's half of x86-64 addresses. */
#define KERNEL_ADDR_MIN		0xffff800000000000ull
/* The cache's module key of kernel frames (odd, as module keys are). */
#define KERNEL_MODULE_KEY	0x6b65726e656cull
#define KERNEL_FILE		"[kernel.kallsyms]"

/* The kernel's symbols: read once by the first caller of
 * symbols_kernel_open(), then shared by every symbolizer, read-only. */
static pthread_mutex_t kernel_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kallsyms *kernel_syms;
static bool kernel_tried;
static struct pp_err kernel_err;

static uint64_t main_exe_addr(const struct symbols *s);

static const char *
own(struct symbols *s, char *str)
{
	if (!str)
		return NULL;
	s->strings = xgrow(s->strings, &s->strings_cap, s->nstrings + 1,
			   sizeof(*s->strings));
	s->strings[s->nstrings++] = str;
	return str;
}

static const char *
demangle(struct symbols *s, const char *name)
{
	char *d;

	if (!name)
		return NULL;
	d = pp_demangle(name);
	return own(s, d ? d : xstrdup(name));
}

/* libdwfl asks for each module's ELF: open it as the target sees it. */
static int
find_elf(Dwfl_Module *mod, void **userdata, const char *modname,
	 Dwarf_Addr base, char **file_name, Elf **elfp)
{
	struct symbols *s = *userdata;
	char name[4096], path[4200];
	size_t len, i;

	if (!s)
		return -1;
	if (strncmp(modname, "[vdso", 5) == 0 && s->img->vdso) {
		*elfp = elf_memory((char *) s->img->vdso,
				   s->img->vdso_end - s->img->vdso_start);
		return -1;
	}
	if (modname[0] != '/')
		return -1;
	snprintf(name, sizeof(name), "%s", modname);
	len = strlen(name);
	if (len > sizeof(deleted_suffix) - 1 &&
	    strcmp(name + len - (sizeof(deleted_suffix) - 1),
		   deleted_suffix) == 0)
		name[len - (sizeof(deleted_suffix) - 1)] = '\0';
	for (i = 0; i < s->img->maps.n; i++) {
		const struct map_entry *e = &s->img->maps.v[i];
		int fd;

		if (!map_is_file(e) || strcmp(e->path, name) != 0)
			continue;
		fd = procimg_open_file(s->img, e, path, sizeof(path));
		if (fd < 0)
			continue;
		*file_name = strdup(path);
		return fd;
	}
	return -1;
}

static Dwfl_Callbacks dwfl_callbacks = {
	.find_elf = find_elf,
	.find_debuginfo = debuginfo_find,
};

static int
set_userdata(Dwfl_Module *mod, void **userdata, const char *name,
	     Dwarf_Addr start, void *arg)
{
	*userdata = arg;
	return DWARF_CB_OK;
}

struct symbols *
symbols_open(struct procimg *img, struct pp_err *err)
{
	struct symbols *s = xcalloc(1, sizeof(*s));
	int rc;

	s->img = img;
	s->perfmap = perfmap_open(img->pid);
	dwfl_callbacks.debuginfo_path = debuginfo_path();
	s->dwfl = dwfl_begin(&dwfl_callbacks);
	if (!s->dwfl) {
		pp_err_set(err, 0, "dwfl_begin: %s", dwfl_errmsg(-1));
		symbols_close(s);
		return NULL;
	}
	dwfl_report_begin(s->dwfl);
	rc = dwfl_linux_proc_report(s->dwfl, img->pid);
	if (dwfl_report_end(s->dwfl, NULL, NULL) != 0 || rc != 0) {
		pp_err_set(err, rc > 0 ? rc : 0,
			   "cannot list the modules of process %d: %s",
			   (int) img->pid,
			   rc > 0 ? strerror(rc) : dwfl_errmsg(-1));
		symbols_close(s);
		return NULL;
	}
	/* find_elf runs lazily and needs to know the process. */
	dwfl_getmodules(s->dwfl, set_userdata, s, 0);
	s->main_addr = main_exe_addr(s);
	return s;
}

void
symbols_prefetch(pid_t pid)
{
	struct procimg img;
	struct symbols *s;
	struct pp_err err;

	if (!debuginfo_fetching() || procimg_open(&img, pid, &err) < 0)
		return;
	s = symbols_open(&img, &err);
	if (s)
		debuginfo_fetch(s->dwfl);
	symbols_close(s);
	procimg_close(&img);
}

void
symbols_refresh(struct symbols *s)
{
	uint64_t main_addr;

	/* Once the process is gone the report would find no module and
	 * drop every one: keep them, with their files, for the samples
	 * taken before the exit. */
	if (s->img->gone)
		return;
	dwfl_report_begin(s->dwfl);
	dwfl_linux_proc_report(s->dwfl, s->img->pid);
	dwfl_report_end(s->dwfl, NULL, NULL);
	dwfl_getmodules(s->dwfl, set_userdata, s, 0);
	/* After an execve; /proc/PID/exe is gone with the process. */
	main_addr = main_exe_addr(s);
	if (main_addr)
		s->main_addr = main_addr;
}

void
symbols_close(struct symbols *s)
{
	size_t i;

	if (!s)
		return;
	if (s->dwfl)
		dwfl_end(s->dwfl);
	perfmap_close(s->perfmap);
	for (i = 0; i < s->ncu_indexes; i++)
		free(s->cu_indexes[i].v);
	free(s->cu_indexes);
	for (i = 0; i < s->nstrings; i++)
		free(s->strings[i]);
	free(s->strings);
	free(s->frames);
	free(s->entries);
	free(s->mods);
	idtab_free(&s->index);
	free(s);
}

static struct module_key *module_key(struct symbols *s, Dwfl_Module *mod);
static bool fde_start(struct module_key *k, uint64_t addr, uint64_t *start);

bool
symbols_module(struct symbols *s, uint64_t pc, struct sym_module *out)
{
	Dwfl_Module *mod = dwfl_addrmodule(s->dwfl, pc);
	struct module_key *k;
	const unsigned char *bits;
	GElf_Addr vaddr;
	Dwarf_Addr bias;
	int len, i;
	char *hex;

	memset(out, 0, sizeof(*out));
	if (!mod)
		return false;
	/* Once per module: every pprof written asks again, and a long
	 * run writes one per window. */
	k = module_key(s, mod);
	if (!k->build_id_read) {
		len = dwfl_module_build_id(mod, &bits, &vaddr);
		if (len > 0) {
			hex = xmalloc(2 * len + 1);
			for (i = 0; i < len; i++)
				snprintf(hex + 2 * i, 3, "%02x", bits[i]);
			k->build_id = own(s, hex);
		}
		k->build_id_read = true;
	}
	out->build_id = k->build_id;
	out->has_lines = dwfl_module_getdwarf(mod, &bias) != NULL;
	return true;
}

bool
symbols_is_entry(struct symbols *s, uint64_t pc, bool activation)
{
	uint64_t addr = activation ? pc : pc - 1;
	Dwfl_Module *mod = dwfl_addrmodule(s->dwfl, addr);
	Dwarf_Addr bias;
	Elf *elf = mod ? dwfl_module_getelf(mod, &bias) : NULL;
	GElf_Ehdr eh;
	uint64_t start;

	return elf && gelf_getehdr(elf, &eh) && eh.e_entry != 0 &&
	       fde_start(module_key(s, mod), addr - bias, &start) &&
	       start == eh.e_entry;
}

void
symbols_prepare(struct symbols *s, uint64_t pc)
{
	Dwfl_Module *mod = dwfl_addrmodule(s->dwfl, pc);
	Dwarf_Addr bias;

	if (mod)
		dwfl_module_getelf(mod, &bias);
}

void *
symbols_dwfl(struct symbols *s)
{
	return s->dwfl;
}

const char *
module_basename(const char *module)
{
	const char *slash;

	if (!module)
		return "?";
	slash = strrchr(module, '/');
	return slash ? slash + 1 : module;
}

static const char *
die_name(struct symbols *s, Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *name;

	name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name,
						     &attr));
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(die,
					DW_AT_MIPS_linkage_name, &attr));
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name,
							     &attr));
	return demangle(s, name);
}

static void
push_frame(struct symbols *s, const char *function, const char *file,
	   int line, bool inlined, const char *module)
{
	struct sym_frame *f;

	s->frames = xgrow(s->frames, &s->frames_cap, s->nframes + 1,
			  sizeof(*s->frames));
	f = &s->frames[s->nframes++];
	f->function = function;
	f->file = file;
	f->line = line;
	f->inlined = inlined;
	f->unnamed = false;
	f->module = module;
}

int
symbols_kernel_open(struct pp_err *err)
{
	struct kallsyms *k;

	pthread_mutex_lock(&kernel_lock);
	if (!kernel_tried) {
		kernel_tried = true;
		k = kallsyms_read("/proc/kallsyms", &kernel_err);
		__atomic_store_n(&kernel_syms, k, __ATOMIC_RELEASE);
	}
	k = kernel_syms;
	if (!k && err)
		*err = kernel_err;
	pthread_mutex_unlock(&kernel_lock);
	return k ? 0 : -1;
}

/* A kernel frame, named as perf names it: "[k] function", in the file
 * "[kernel.kallsyms]" or the module's "[name]". */
static void
resolve_kernel(struct symbols *s, uint64_t addr)
{
	const struct kallsyms *k = __atomic_load_n(&kernel_syms,
						   __ATOMIC_ACQUIRE);
	const char *mod_name = "", *module = KERNEL_FILE, *function = NULL;
	const char *name = k ? kallsyms_lookup(k, addr, &mod_name) : NULL;
	char *buf;

	if (name) {
		size_t len = strlen(name) + 5;

		buf = xmalloc(len);
		snprintf(buf, len, "[k] %s", name);
		function = own(s, buf);
		if (mod_name[0]) {
			len = strlen(mod_name) + 3;
			buf = xmalloc(len);
			snprintf(buf, len, "[%s]", mod_name);
			module = own(s, buf);
		}
	}
	push_frame(s, function, NULL, 0, false, module);
}

static const char *
module_name(struct symbols *s, Dwfl_Module *mod)
{
	const char *name = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL,
					    NULL, NULL);
	size_t len;

	if (!name)
		return NULL;
	if (strncmp(name, "[vdso", 5) == 0)
		return "[vdso]";
	len = strlen(name);
	if (len > sizeof(deleted_suffix) - 1 &&
	    strcmp(name + len - (sizeof(deleted_suffix) - 1),
		   deleted_suffix) == 0)
		return own(s, xstrndup(name,
				       len - (sizeof(deleted_suffix) - 1)));
	return name;
}

static bool
is_function_scope(Dwarf_Die *die)
{
	int tag = dwarf_tag(die);

	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine ||
	       tag == DW_TAG_entry_point;
}

/* The source file named by a DW_AT_call_file index of @cu. */
static const char *
call_file(Dwarf_Die *cu, Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	Dwarf_Word idx;
	Dwarf_Files *files;
	size_t nfiles;

	if (dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attr),
			    &idx) != 0 ||
	    dwarf_getsrcfiles(cu, &files, &nfiles) != 0 || idx >= nfiles)
		return NULL;
	return dwarf_filesrc(files, idx, NULL, NULL);
}

static int
call_line(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	Dwarf_Word line;

	if (dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr),
			    &line) != 0)
		return 0;
	return (int) line;
}

static int
cmp_cu_range(const void *a, const void *b)
{
	const struct cu_range *x = a, *y = b;

	return (x->lo > y->lo) - (x->lo < y->lo);
}

static struct cu_index *
build_cu_index(struct symbols *s, Dwfl_Module *mod)
{
	struct cu_index *ix;
	Dwarf_Off off = 0, next;
	size_t hsize, cap = 0, i;

	for (i = 0; i < s->ncu_indexes; i++)
		if (s->cu_indexes[i].mod == mod)
			return &s->cu_indexes[i];
	s->cu_indexes = xgrow(s->cu_indexes, &s->cu_indexes_cap,
			      s->ncu_indexes + 1, sizeof(*s->cu_indexes));
	ix = &s->cu_indexes[s->ncu_indexes++];
	memset(ix, 0, sizeof(*ix));
	ix->mod = mod;
	ix->dwarf = dwfl_module_getdwarf(mod, &ix->bias);
	if (!ix->dwarf)
		return ix;
	while (dwarf_nextcu(ix->dwarf, off, &next, &hsize, NULL, NULL,
			    NULL) == 0) {
		Dwarf_Die cu;
		Dwarf_Addr base, lo, hi;
		ptrdiff_t r = 0;

		if (dwarf_offdie(ix->dwarf, off + hsize, &cu)) {
			while ((r = dwarf_ranges(&cu, r, &base, &lo,
						 &hi)) > 0) {
				ix->v = xgrow(ix->v, &cap, ix->n + 1,
					      sizeof(*ix->v));
				ix->v[ix->n].lo = lo;
				ix->v[ix->n].hi = hi;
				ix->v[ix->n].offset = off + hsize;
				ix->n++;
			}
		}
		off = next;
	}
	qsort(ix->v, ix->n, sizeof(*ix->v), cmp_cu_range);
	return ix;
}

/* The CU holding @pc found by its ranges, when libdw's lookup fails. */
static Dwarf_Die *
find_cu(struct symbols *s, Dwfl_Module *mod, Dwarf_Addr pc,
	Dwarf_Die *storage, Dwarf_Addr *bias)
{
	struct cu_index *ix = build_cu_index(s, mod);
	size_t lo = 0, hi = ix->n;
	Dwarf_Addr addr = pc - ix->bias;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix->v[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Ranges may nest or overlap: look back a little. */
	for (hi = lo; hi > 0 && lo - hi < 8; hi--) {
		const struct cu_range *r = &ix->v[hi - 1];

		if (addr >= r->lo && addr < r->hi &&
		    dwarf_offdie(ix->dwarf, r->offset, storage)) {
			*bias = ix->bias;
			return storage;
		}
	}
	return NULL;
}

static bool
same_text(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

bool
sym_frame_fold_caller(struct sym_frame *callee,
		      const struct sym_frame *caller)
{
	if (!same_text(callee->function, caller->function) ||
	    callee->line != caller->line)
		return false;
	callee->inlined = caller->inlined;
	return true;
}

/*
 * Code without a symbol is named by its module and the start of its
 * function, from the FDE table of .eh_frame_hdr (LSB Core, "Exception
 * Frames"): version 1, the encodings of eh_frame_ptr, fde_count and the
 * table, then sorted (initial location, FDE address) pairs.  Only the
 * usual table encoding, 4-byte signed relative to the header, is read.
 */
#define DW_EH_PE_datarel_sdata4	0x3b

static uint64_t
read_le(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

/* Bytes taken by a pointer of encoding @enc, 0 when not fixed. */
static size_t
eh_pointer_size(unsigned int enc)
{
	switch (enc & 0x0f) {
	case 0x00: return 8;		/* absptr, 64-bit targets */
	case 0x02: case 0x0a: return 2;
	case 0x03: case 0x0b: return 4;
	case 0x04: case 0x0c: return 8;
	default: return 0;
	}
}

/* The value at @p of the size and sign of encoding @enc. */
static uint64_t
eh_read(const unsigned char *p, unsigned int enc)
{
	size_t n = eh_pointer_size(enc);
	uint64_t v = read_le(p, n);

	if ((enc & 0x08) && n < 8 && (v >> (8 * n - 1)) & 1)
		v |= ~(uint64_t) 0 << (8 * n);
	return v;
}

static const unsigned char *
skip_leb(const unsigned char *p, const unsigned char *end)
{
	while (p < end && (*p & 0x80))
		p++;
	return p < end ? p + 1 : NULL;
}

static void
load_fde_table(Dwfl_Module *mod, struct fde_table *t)
{
	Dwarf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	const unsigned char *hdr = NULL;
	size_t hdr_size = 0;

	memset(t, 0, sizeof(*t));
	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || (strcmp(name, ".eh_frame_hdr") != 0 &&
			      strcmp(name, ".eh_frame") != 0))
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf)
			continue;
		if (strcmp(name, ".eh_frame") == 0) {
			t->eh = d->d_buf;
			t->eh_size = d->d_size;
			t->eh_vaddr = sh.sh_addr;
		} else {
			hdr = d->d_buf;
			hdr_size = d->d_size;
			t->hdr_vaddr = sh.sh_addr;
		}
	}
	if (!hdr || hdr_size < 4 || hdr[0] != 1 ||
	    hdr[3] != DW_EH_PE_datarel_sdata4 ||
	    !eh_pointer_size(hdr[1]) || !eh_pointer_size(hdr[2]) ||
	    4 + eh_pointer_size(hdr[1]) + eh_pointer_size(hdr[2]) > hdr_size)
		return;
	t->n = eh_read(hdr + 4 + eh_pointer_size(hdr[1]), hdr[2]);
	t->tab = hdr + 4 + eh_pointer_size(hdr[1]) + eh_pointer_size(hdr[2]);
	if (t->n > (size_t) (hdr + hdr_size - t->tab) / 8)
		t->n = 0;
}

/* The address range of the FDE at @vaddr: false when it cannot be read. */
static bool
fde_range(const struct fde_table *t, uint64_t vaddr, uint64_t *range)
{
	const unsigned char *p, *end, *cie, *cend, *aug;
	uint64_t off = vaddr - t->eh_vaddr, len, cie_off;
	unsigned int enc = 0;

	if (!t->eh || vaddr < t->eh_vaddr || off + 8 > t->eh_size)
		return false;
	p = t->eh + off;
	len = read_le(p, 4);
	if (len == 0 || len == 0xffffffff || len > t->eh_size - off - 4)
		return false;
	end = p + 4 + len;
	/* The CIE pointer counts back from its own position. */
	cie_off = read_le(p + 4, 4);
	if (cie_off == 0 || cie_off > off + 4)
		return false;
	cie = p + 4 - cie_off;
	len = read_le(cie, 4);
	if (len == 0 || len == 0xffffffff ||
	    len > (uint64_t) (t->eh + t->eh_size - cie) - 4)
		return false;
	cend = cie + 4 + len;
	aug = cie + 9;		/* length, id 0, version */
	p = memchr(aug, '\0', cend - aug);
	if (!p || aug[0] != 'z')
		return false;
	p++;
	p = skip_leb(p, cend);			/* code alignment */
	p = p ? skip_leb(p, cend) : NULL;	/* data alignment */
	if (p && cie[8] == 1)
		p++;				/* return register */
	else if (p)
		p = skip_leb(p, cend);
	p = p ? skip_leb(p, cend) : NULL;	/* augmentation length */
	for (aug++; p && p < cend && *aug; aug++) {
		if (*aug == 'R') {
			enc = *p++;
		} else if (*aug == 'P') {
			size_t n = eh_pointer_size(*p);

			if (!n)
				return false;
			p += 1 + n;
		} else if (*aug == 'L') {
			p++;
		} else if (*aug != 'S' && *aug != 'B') {
			return false;
		}
	}
	if (!p || !eh_pointer_size(enc))
		return false;
	p = t->eh + off + 8 + eh_pointer_size(enc);
	if (p + eh_pointer_size(enc) > end)
		return false;
	*range = eh_read(p, enc & 0x0f);
	return true;
}

/* The start of the function holding @addr (an ELF address of @k's
 * module), from the FDE table; false when no FDE covers it. */
static bool
fde_start(struct module_key *k, uint64_t addr, uint64_t *start)
{
	const struct fde_table *t;
	size_t lo = 0, hi;
	uint64_t first, range;

	if (!k->fde_read) {
		load_fde_table(k->mod, &k->fde);
		k->fde_read = true;
	}
	t = &k->fde;
	hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->hdr_vaddr + eh_read(t->tab + 8 * mid, 0x0b) <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	first = t->hdr_vaddr + eh_read(t->tab + 8 * (lo - 1), 0x0b);
	if (!fde_range(t, t->hdr_vaddr +
		       eh_read(t->tab + 8 * (lo - 1) + 4, 0x0b), &range) ||
	    addr >= first + range)
		return false;
	*start = first;
	return true;
}

/* The offset in its file of the ELF address @addr, as perf shows it. */
static uint64_t
file_offset(Elf *elf, uint64_t addr)
{
	size_t n, i;

	if (elf_getphdrnum(elf, &n) != 0)
		return addr;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, i, &ph) && ph.p_type == PT_LOAD &&
		    addr >= ph.p_vaddr && addr < ph.p_vaddr + ph.p_filesz)
			return addr - ph.p_vaddr + ph.p_offset;
	}
	return addr;
}

/* "module+0xOFFSET": the start of the function holding @pc, else @pc. */
static const char *
unnamed_function(struct symbols *s, Dwfl_Module *mod, const char *module,
		 uint64_t pc)
{
	struct module_key *k = module_key(s, mod);
	Dwarf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	uint64_t addr = pc - bias, start;
	char buf[512];

	if (!elf)
		return NULL;
	if (fde_start(k, addr, &start))
		addr = start;
	snprintf(buf, sizeof(buf), "%s+0x%llx", module_basename(module),
		 (unsigned long long) file_offset(elf, addr));
	return own(s, xstrdup(buf));
}

/* The Go function table of @mod, read once; NULL when it has none. */
static const struct gopclntab *
go_table(struct symbols *s, Dwfl_Module *mod)
{
	struct module_key *k = module_key(s, mod);
	Dwarf_Addr bias;

	if (!k->go_read) {
		k->go_read = true;
		k->go_ok = gopclntab_from_elf(&k->go,
					      dwfl_module_getelf(mod, &bias),
					      NULL) == 0;
	}
	return k->go_ok ? &k->go : NULL;
}

/* Name and file:line of @pc from the Go function table of @mod: for Go
 * binaries without symbols (-ldflags=-s -w). */
static const char *
go_function(struct symbols *s, Dwfl_Module *mod, uint64_t pc,
	    const char **file, int *line)
{
	const struct gopclntab *t = go_table(s, mod);
	struct gopcln_func f;
	Dwarf_Addr bias;
	uint64_t addr;

	if (!t || !dwfl_module_getelf(mod, &bias))
		return NULL;
	addr = pc - bias;
	if (!gopclntab_lookup(t, addr, &f) || !f.name)
		return NULL;
	if (!*file && !gopclntab_line(t, &f, addr, file, line)) {
		*file = NULL;
		*line = 0;
	}
	return f.name;
}

const struct gopclntab *
symbols_go_unwind_table(struct symbols *s, uint64_t pc, uint64_t *bias)
{
	Dwfl_Module *mod = dwfl_addrmodule(s->dwfl, pc);
	struct module_key *k;
	const struct gopclntab *t;
	Dwarf_Addr b;

	if (!mod || !(t = go_table(s, mod)))
		return NULL;
	k = module_key(s, mod);
	if (!k->cfi_read) {
		k->cfi_read = true;
		k->has_cfi = dwfl_module_eh_cfi(mod, &b) ||
			     dwfl_module_dwarf_cfi(mod, &b);
	}
	if (k->has_cfi || !dwfl_module_getelf(mod, &b))
		return NULL;
	*bias = b;
	return t;
}

/*
 * The module holding @pc, NULL when @pc is in an anonymous mapping: a
 * module spans all the mappings of its file, and the gaps between them
 * may hold JIT code (node remaps its own text too).
 */
static Dwfl_Module *
module_at(struct symbols *s, uint64_t pc)
{
	const struct map_entry *e = maps_find(&s->img->maps, pc);

	if (e && !e->path[0])
		return NULL;
	return dwfl_addrmodule(s->dwfl, pc);
}

/* Appends the frames of @pc to s->frames (the eu-stack -i walk). */
static void
resolve(struct symbols *s, uint64_t pc)
{
	Dwfl_Module *mod = module_at(s, pc);
	const char *module, *file = NULL, *sym;
	Dwarf_Die *cu, *scopes = NULL, cu_storage;
	Dwarf_Addr bias = 0;
	Dwfl_Line *l;
	GElf_Sym esym;
	GElf_Off off;
	int line = 0, n, i;
	bool unnamed = false;

	if (!mod) {
		const struct map_entry *e = maps_find(&s->img->maps, pc);
		const char *jit = perfmap_lookup(s->perfmap, pc);

		push_frame(s, jit ? own(s, xstrdup(jit)) : NULL, NULL, 0, false,
			   e && e->path[0] ? e->path : jit ? "[jit]" : NULL);
		return;
	}
	module = module_name(s, mod);
	l = dwfl_module_getsrc(mod, pc);
	if (l)
		file = dwfl_lineinfo(l, NULL, &line, NULL, NULL, NULL);
	cu = dwfl_module_addrdie(mod, pc, &bias);
	if (!cu)
		cu = find_cu(s, mod, pc, &cu_storage, &bias);
	if (!file && cu) {
		Dwarf_Line *dl = dwarf_getsrc_die(cu, pc - bias);

		if (dl) {
			file = dwarf_linesrc(dl, NULL, NULL);
			dwarf_lineno(dl, &line);
		}
	}
	n = cu ? dwarf_getscopes(cu, pc - bias, &scopes) : 0;
	for (i = 0; i < n; i++)
		if (is_function_scope(&scopes[i]))
			break;
	if (n > 0 && i < n) {
		Dwarf_Die *chain = NULL;
		int m = dwarf_getscopes_die(&scopes[i], &chain), j;
		Dwarf_Die *inner = &scopes[i];
		bool inl = dwarf_tag(inner) == DW_TAG_inlined_subroutine;

		push_frame(s, die_name(s, inner), file, line, inl, module);
		/* Each inlined scope's caller is the next function scope
		 * out; its position is the inlined DIE's call site. */
		for (j = 1; inl && j < m; j++) {
			struct sym_frame caller;

			if (!is_function_scope(&chain[j]))
				continue;
			file = call_file(cu, inner);
			line = call_line(inner);
			inl = dwarf_tag(&chain[j]) == DW_TAG_inlined_subroutine;
			caller = (struct sym_frame) {
				.function = die_name(s, &chain[j]),
				.file = file,
				.line = line,
				.inlined = inl,
				.module = module,
			};
			inner = &chain[j];
			if (sym_frame_fold_caller(&s->frames[s->nframes - 1],
						  &caller))
				continue;
			push_frame(s, caller.function, file, line, inl,
				   module);
		}
		free(chain);
		free(scopes);
		return;
	}
	free(scopes);
	/* Go code without DWARF: its own table names it as Go does (the
	 * symbol of an assembly function has an ABI suffix, .abi0), with
	 * file:line. */
	sym = go_function(s, mod, pc, &file, &line);
	if (!sym) {
		sym = dwfl_module_addrinfo(mod, pc, &off, &esym, NULL, NULL,
					   NULL);
		unnamed = !sym;
		sym = sym ? demangle(s, sym) :
		      unnamed_function(s, mod, module, pc);
	}
	push_frame(s, sym, file, line, false, module);
	s->frames[s->nframes - 1].unnamed = unnamed;
}

/* The cache key of @mod: its build-id, else its name and address. */
static struct module_key *
module_key(struct symbols *s, Dwfl_Module *mod)
{
	const unsigned char *bits;
	const char *name;
	struct module_key *k;
	GElf_Addr vaddr;
	Dwarf_Addr start;
	size_t i;
	int len;

	/* The unwinders ask at every frame: consecutive frames are
	 * mostly in one module. */
	if (s->last_mod < s->nmods && s->mods[s->last_mod].mod == mod)
		return &s->mods[s->last_mod];
	for (i = 0; i < s->nmods; i++) {
		if (s->mods[i].mod == mod) {
			s->last_mod = i;
			return &s->mods[i];
		}
	}
	s->mods = xgrow(s->mods, &s->mods_cap, s->nmods + 1,
			sizeof(*s->mods));
	s->last_mod = s->nmods;
	k = &s->mods[s->nmods++];
	memset(k, 0, sizeof(*k));
	k->mod = mod;
	name = dwfl_module_info(mod, NULL, &start, NULL, NULL, NULL, NULL,
				NULL);
	k->start = start;
	len = dwfl_module_build_id(mod, &bits, &vaddr);
	if (len > 0) {
		k->key = hash_bytes(bits, len);
	} else {
		k->key = hash_bytes(name ? name : "", name ? strlen(name) : 0) ^
			 hash_u64(start);
	}
	k->key |= 1;	/* never 0, which means "no module" */
	return k;
}

struct entry_key {
	uint64_t module, offset;
};

static bool
entry_eq(const void *ctx, uint32_t id, const void *key)
{
	const struct symbols *s = ctx;
	const struct entry_key *k = key;
	const struct sym_entry *e = &s->entries[id - 1];

	return e->module == k->module && e->offset == k->offset;
}

size_t
symbols_lookup(struct symbols *s, uint64_t pc, bool activation,
	       const struct sym_frame **out)
{
	uint64_t addr = activation ? pc : pc - 1;
	Dwfl_Module *mod = module_at(s, addr);
	bool kernel = addr >= KERNEL_ADDR_MIN;
	struct entry_key k = { 0, addr };
	struct sym_entry *e;
	uint64_t h;
	uint32_t id;

	if (kernel) {
		k.module = KERNEL_MODULE_KEY | 1;
	} else if (mod) {
		const struct module_key *mk = module_key(s, mod);

		k.module = mk->key;
		k.offset = addr - mk->start;
	} else {
		/* JIT code: the perf map may name it now and not before. */
		const char *jit = perfmap_lookup(s->perfmap, addr);

		if (jit)
			k.module = hash_bytes(jit, strlen(jit)) | 1;
	}
	h = hash_u64(k.module ^ hash_u64(k.offset));
	id = idtab_find(&s->index, h, entry_eq, s, &k);
	if (!id) {
		size_t first = s->nframes;

		if (kernel)
			resolve_kernel(s, addr);
		else
			resolve(s, addr);
		s->entries = xgrow(s->entries, &s->entries_cap,
				   s->nentries + 1, sizeof(*s->entries));
		e = &s->entries[s->nentries++];
		e->module = k.module;
		e->offset = k.offset;
		e->first = first;
		e->n = s->nframes - first;
		id = s->nentries;
		idtab_insert(&s->index, h, id);
	}
	e = &s->entries[id - 1];
	*out = &s->frames[e->first];
	return e->n;
}

/* A profile's pcs: a kernel frame's stands for its whole address. */
static size_t
source_frames(void *arg, uint64_t pc, bool exact, const struct sym_frame **out)
{
	return symbols_lookup(arg, profile_pc_addr(pc), exact, out);
}

static bool
source_mapping(void *arg, uint64_t pc, struct pprof_mapping *m)
{
	struct symbols *s = arg;
	const struct map_entry *e;
	struct sym_module mod;

	pc = profile_pc_addr(pc);
	if (pc >= KERNEL_ADDR_MIN) {
		/* One mapping for the kernel's half, modules included,
		 * named as perf names it; pprof has nothing to add to our
		 * names. */
		m->start = KERNEL_ADDR_MIN;
		m->limit = UINT64_MAX;
		m->offset = 0;
		m->file = KERNEL_FILE;
		m->has_functions = true;
		return true;
	}
	e = maps_find(&s->img->maps, pc);
	if (!e)
		return false;
	m->start = e->start;
	m->limit = e->end;
	m->offset = e->pgoff;
	m->file = e->path[0] ? e->path : "[anon]";
	if (symbols_module(s, pc, &mod)) {
		m->build_id = mod.build_id;
		m->has_functions = true;
		m->has_filenames = m->has_line_numbers = mod.has_lines;
		m->has_inlines = mod.has_lines;
	}
	return true;
}

/* The start of the first mapping of the process's executable, found by
 * its device and inode, which hold in any mount namespace (by its inode
 * alone when an overlay shows another device); 0 if none. */
static uint64_t
main_exe_addr(const struct symbols *s)
{
	char path[64];
	struct stat st;
	size_t i;
	int pass;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int) s->img->pid);
	if (stat(path, &st) < 0)
		return 0;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < s->img->maps.n; i++) {
			const struct map_entry *e = &s->img->maps.v[i];

			if (e->inode == st.st_ino && e->path[0] &&
			    (pass ||
			     (e->dev_major == major(st.st_dev) &&
			      e->dev_minor == minor(st.st_dev))))
				return e->start;
		}
	}
	return 0;
}

void
symbols_frame_source(struct symbols *s, struct frame_source *src)
{
	src->arg = s;
	src->frames = source_frames;
	src->mapping = source_mapping;
	src->main_addr = s->main_addr;
}
