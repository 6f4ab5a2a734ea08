/*
 * The parts of a process's memory that unwinding needs besides the stack:
 * read-only file mappings (served from the files, opened through
 * /proc/PID/map_files or /proc/PID/root so deleted binaries and other
 * mount namespaces work) and the vDSO (copied once, it has no file).
 * Nothing here stops or even touches the target's threads.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_PROCIMG_H
# define PIDPROF_PROCIMG_H

# include "common.h"
# include "err.h"
# include "maps.h"

struct procimg_file {
	uint64_t dev, inode;
	const uint8_t *data;	/* the file, mapped read-only, or NULL */
	size_t size;
	bool tried;
};

struct procimg {
	pid_t pid;
	struct maps maps;
	struct procimg_file *files;
	size_t nfiles, files_cap;
	uint8_t *vdso;		/* copy of [vdso] */
	uint64_t vdso_start, vdso_end;
	/* The process was gone at the last refresh; its last maps stay. */
	bool gone;
};

int procimg_open(struct procimg *img, pid_t pid, struct pp_err *err);
void procimg_close(struct procimg *img);
/* Re-reads the maps (after dlopen, new threads); files stay mapped.
 * Once the process is gone, sets gone and keeps the last maps. */
void procimg_refresh(struct procimg *img);
/* Opens the file behind @e as the target sees it; returns an fd or -1.
 * @path_out (optional) receives the path that worked.  A file opened
 * once stays reachable after the target exits (procimg.c: kept files). */
int procimg_open_file(const struct procimg *img, const struct map_entry *e,
		      char *path_out, size_t path_len);
/* Contents of the whole file behind mapping @e (mapped on first use). */
const struct procimg_file *procimg_file(struct procimg *img,
					const struct map_entry *e);
/* Reads @len bytes at @addr from read-only file mappings or the vDSO.
 * Writable mappings are refused: their contents differ from the file. */
bool procimg_read(struct procimg *img, uint64_t addr, void *buf, size_t len);

#endif /* !PIDPROF_PROCIMG_H */
