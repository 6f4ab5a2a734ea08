/*
 * The libunwind unwinder, with our own accessors: memory comes from the
 * snapshot and from the mapped files, unwind tables from each module's
 * .eh_frame_hdr found in the file, so no ptrace request and no
 * /proc/PID/maps re-read happen per frame (unlike libunwind-ptrace's
 * _UPT accessors).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "unwind.h"
#include "xmalloc.h"

#include <elf.h>
#include <libunwind.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exported by libunwind-generic; perf declares it the same way. */
extern int _Ux86_64_dwarf_search_unwind_table(unw_addr_space_t as,
					      unw_word_t ip,
					      unw_dyn_info_t *di,
					      unw_proc_info_t *pi,
					      int need_unwind_info, void *arg);

#define DW_EH_PE_udata4		0x03
#define DW_EH_PE_sdata4		0x0b
#define DW_EH_PE_datarel_sdata4	0x3b

/* One loaded instance of a module: where its unwind table lives. */
struct lu_module {
	uint64_t start, end;	/* address range of all its mappings */
	uint64_t eh_hdr;	/* runtime address of .eh_frame_hdr, 0 = none */
	uint64_t fde_count;
};

struct unwinder {
	struct procimg *img;
	unw_addr_space_t as;
	struct unwind_mem mem;
	struct lu_module *mods;
	size_t nmods, mods_cap;
	struct fp_retry fp;
	struct symbols *syms;
};

/* The bytes of the ELF file behind mapping @e, or the vDSO copy. */
static const uint8_t *
module_image(struct procimg *img, const struct map_entry *e, size_t *size)
{
	const struct procimg_file *f;

	if (img->vdso && e->start == img->vdso_start) {
		*size = img->vdso_end - img->vdso_start;
		return img->vdso;
	}
	f = procimg_file(img, e);
	if (!f)
		return NULL;
	*size = f->size;
	return f->data;
}

static bool
same_object(const struct map_entry *a, const struct map_entry *b)
{
	if (!map_is_file(a))
		return a == b;
	return map_is_file(b) && a->inode == b->inode &&
	       a->dev_major == b->dev_major && a->dev_minor == b->dev_minor;
}

/* Reads the module holding @e: its range and its .eh_frame_hdr. */
static void
load_module(struct procimg *img, const struct map_entry *e,
	    struct lu_module *m)
{
	const struct maps *maps = &img->maps;
	const struct map_entry *first = e, *last = e;
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph, *load = NULL, *ehf = NULL;
	const uint8_t *data, *hdr;
	size_t size;
	uint64_t bias;
	int i;

	memset(m, 0, sizeof(*m));
	while (first > maps->v && same_object(first - 1, e))
		first--;
	while (last + 1 < maps->v + maps->n && same_object(last + 1, e))
		last++;
	m->start = first->start;
	m->end = last->end;

	data = module_image(img, e, &size);
	if (!data || size < sizeof(*eh))
		return;
	eh = (const Elf64_Ehdr *) data;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_phoff + (uint64_t) eh->e_phnum * sizeof(*ph) > size)
		return;
	ph = (const Elf64_Phdr *) (data + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_GNU_EH_FRAME)
			ehf = &ph[i];
		if (ph[i].p_type == PT_LOAD &&
		    (ph[i].p_offset & ~0xfffull) <= e->pgoff &&
		    e->pgoff < ph[i].p_offset + ph[i].p_filesz)
			load = &ph[i];
	}
	if (!ehf || !load || ehf->p_offset + 12 > size)
		return;
	bias = e->start - e->pgoff - (load->p_vaddr - load->p_offset);
	hdr = data + ehf->p_offset;
	/* version 1; 4-byte eh_frame_ptr; udata4 count; datarel sdata4
	 * table: what every linker writes, and all that libunwind takes. */
	if (hdr[0] != 1 ||
	    ((hdr[1] & 0x0f) != DW_EH_PE_udata4 &&
	     (hdr[1] & 0x0f) != DW_EH_PE_sdata4) ||
	    hdr[2] != DW_EH_PE_udata4 || hdr[3] != DW_EH_PE_datarel_sdata4)
		return;
	m->fde_count = (uint32_t) (hdr[8] | hdr[9] << 8 | hdr[10] << 16 |
				   (uint32_t) hdr[11] << 24);
	m->eh_hdr = bias + ehf->p_vaddr;
}

static struct lu_module *
find_module(struct unwinder *u, uint64_t ip)
{
	const struct map_entry *e;
	size_t i;

	for (i = 0; i < u->nmods; i++)
		if (ip >= u->mods[i].start && ip < u->mods[i].end)
			return &u->mods[i];
	e = maps_find(&u->img->maps, ip);
	if (!e || !(e->perms & MAP_PERM_X))
		return NULL;
	u->mods = xgrow(u->mods, &u->mods_cap, u->nmods + 1, sizeof(*u->mods));
	load_module(u->img, e, &u->mods[u->nmods]);
	return &u->mods[u->nmods++];
}

static int
find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
	       int need_unwind_info, void *arg)
{
	struct unwinder *u = arg;
	struct lu_module *m = find_module(u, ip);
	unw_dyn_info_t di;

	if (!m || !m->eh_hdr)
		return -UNW_ENOINFO;
	memset(&di, 0, sizeof(di));
	di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di.start_ip = m->start;
	di.end_ip = m->end;
	di.u.rti.segbase = m->eh_hdr;
	di.u.rti.table_data = m->eh_hdr + 12;
	di.u.rti.table_len = m->fde_count * 8 / sizeof(unw_word_t);
	return _Ux86_64_dwarf_search_unwind_table(as, ip, &di, pi,
						  need_unwind_info, arg);
}

static void
put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
	/* libunwind frees table-format info itself. */
}

static int
get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *addr, void *arg)
{
	return -UNW_ENOINFO;
}

static int
access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val, int write,
	   void *arg)
{
	struct unwinder *u = arg;

	if (write)
		return -UNW_EINVAL;
	return unwind_mem_read(&u->mem, addr, val, sizeof(*val)) ?
	       0 : -UNW_EINVAL;
}

static int
access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val, int write,
	   void *arg)
{
	struct unwinder *u = arg;
	const struct snapshot *s = u->mem.snap;
	const struct user_regs_struct *r = &s->regs;

	if (write)
		return -UNW_EREADONLYREG;
	if (s->how == SNAP_BLOCKED && reg == UNW_X86_64_RBP && u->fp.use_rbp) {
		*val = u->fp.rbp;
		return 0;
	}
	if (s->how == SNAP_BLOCKED && reg != UNW_X86_64_RSP &&
	    reg != UNW_X86_64_RIP)
		return -UNW_EBADREG;
	switch (reg) {
	case UNW_X86_64_RAX: *val = r->rax; break;
	case UNW_X86_64_RDX: *val = r->rdx; break;
	case UNW_X86_64_RCX: *val = r->rcx; break;
	case UNW_X86_64_RBX: *val = r->rbx; break;
	case UNW_X86_64_RSI: *val = r->rsi; break;
	case UNW_X86_64_RDI: *val = r->rdi; break;
	case UNW_X86_64_RBP: *val = r->rbp; break;
	case UNW_X86_64_RSP: *val = r->rsp; break;
	case UNW_X86_64_R8: *val = r->r8; break;
	case UNW_X86_64_R9: *val = r->r9; break;
	case UNW_X86_64_R10: *val = r->r10; break;
	case UNW_X86_64_R11: *val = r->r11; break;
	case UNW_X86_64_R12: *val = r->r12; break;
	case UNW_X86_64_R13: *val = r->r13; break;
	case UNW_X86_64_R14: *val = r->r14; break;
	case UNW_X86_64_R15: *val = r->r15; break;
	case UNW_X86_64_RIP: *val = r->rip; break;
	default:
		return -UNW_EBADREG;
	}
	return 0;
}

static int
access_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val,
	     int write, void *arg)
{
	return -UNW_EBADREG;
}

static int
resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
	return -UNW_EINVAL;
}

static int
get_proc_name(unw_addr_space_t as, unw_word_t addr, char *buf, size_t len,
	      unw_word_t *off, void *arg)
{
	return -UNW_ENOINFO;
}

static unw_accessors_t accessors = {
	.find_proc_info = find_proc_info,
	.put_unwind_info = put_unwind_info,
	.get_dyn_info_list_addr = get_dyn_info_list_addr,
	.access_mem = access_mem,
	.access_reg = access_reg,
	.access_fpreg = access_fpreg,
	.resume = resume,
	.get_proc_name = get_proc_name,
};

static struct unwinder *
lu_open(struct procimg *img, struct symbols *syms, struct pp_err *err)
{
	struct unwinder *u = xcalloc(1, sizeof(*u));

	u->img = img;
	u->syms = syms;
	u->mem.img = img;
	u->as = unw_create_addr_space(&accessors, 0);
	if (!u->as) {
		pp_err_set(err, 0, "cannot create a libunwind address space");
		free(u);
		return NULL;
	}
	/* The library default is no caching at all: 10-50x slower. */
	unw_set_caching_policy(u->as, UNW_CACHE_GLOBAL);
	unw_set_cache_size(u->as, 1 << 14, 0);
	return u;
}

static void
walk(void *backend, const struct snapshot *snap, struct raw_stack *out)
{
	struct unwinder *u = backend;
	unw_cursor_t c;
	unw_word_t ip;
	bool after_signal = false;
	int rc;

	out->n = 0;
	out->end = UNWIND_END_COMPLETE;
	out->reason[0] = '\0';
	u->mem.snap = snap;
	u->mem.past_snapshot = false;
	rc = unw_init_remote(&c, u->as, u);
	if (rc < 0) {
		unwind_finish(out, &u->mem, true, unw_strerror(rc));
		return;
	}
	for (;;) {
		if (unw_get_reg(&c, UNW_REG_IP, &ip) < 0 || ip == 0)
			break;
		if (unwind_full(out))
			return;
		out->frames[out->n].pc = ip;
		/* A frame interrupted by a signal has an exact pc. */
		out->frames[out->n].activation = out->n == 0 || after_signal;
		after_signal = unw_is_signal_frame(&c) > 0;
		out->n++;
		/* Go code without CFI: the Go table walks it (unwind.h). */
		if (unwind_go_starts(u->syms, ip,
				     out->frames[out->n - 1].activation)) {
			unw_word_t sp;

			if (unw_get_reg(&c, UNW_REG_SP, &sp) == 0) {
				unwind_go(&u->mem, u->syms, sp, out);
				return;
			}
		}
		rc = unw_step(&c);
		if (rc <= 0)
			break;
		{
			unw_word_t sp;

			if (unw_get_reg(&c, UNW_REG_SP, &sp) == 0)
				u->fp.last_sp = sp;
		}
	}
	unwind_finish(out, &u->mem, rc < 0, unw_strerror(rc));
}

static void
lu_unwind(struct unwinder *u, const struct snapshot *snap,
	   struct raw_stack *out)
{
	unwind_with_retry(&u->fp, &u->mem, snap, out, walk, u);
}

static void
lu_close(struct unwinder *u)
{
	unw_destroy_addr_space(u->as);
	free(u->fp.stack);
	free(u->mods);
	free(u);
}

const struct unwinder_ops unwinder_libunwind = {
	.name = "libunwind",
	.open = lu_open,
	.unwind = lu_unwind,
	.close = lu_close,
};
