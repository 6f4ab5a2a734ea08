/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "procimg.h"
#include "procfs.h"
#include "xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

int
procimg_open(struct procimg *img, pid_t pid, struct pp_err *err)
{
	size_t i;

	memset(img, 0, sizeof(*img));
	img->pid = pid;
	if (procfs_read_maps(pid, &img->maps, err) < 0)
		return -1;
	for (i = 0; i < img->maps.n; i++) {
		const struct map_entry *e = &img->maps.v[i];
		struct iovec local, remote;
		size_t len = e->end - e->start;

		if (strcmp(e->path, "[vdso]") != 0 || len > (1u << 20))
			continue;
		img->vdso = xmalloc(len);
		local.iov_base = img->vdso;
		local.iov_len = len;
		remote.iov_base = (void *) (uintptr_t) e->start;
		remote.iov_len = len;
		if (process_vm_readv(pid, &local, 1, &remote, 1, 0) !=
		    (ssize_t) len) {
			free(img->vdso);
			img->vdso = NULL;
			continue;
		}
		img->vdso_start = e->start;
		img->vdso_end = e->end;
	}
	return 0;
}

void
procimg_refresh(struct procimg *img)
{
	struct maps m;

	if (procfs_read_maps(img->pid, &m, NULL) < 0)
		return;
	maps_free(&img->maps);
	img->maps = m;
}

void
procimg_close(struct procimg *img)
{
	size_t i;

	for (i = 0; i < img->nfiles; i++)
		if (img->files[i].data)
			munmap((void *) img->files[i].data,
			       img->files[i].size);
	free(img->files);
	free(img->vdso);
	maps_free(&img->maps);
	memset(img, 0, sizeof(*img));
}

static bool
same_file(int fd, const struct map_entry *e)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	       st.st_ino == e->inode &&
	       major(st.st_dev) == e->dev_major &&
	       minor(st.st_dev) == e->dev_minor;
}

int
procimg_open_file(const struct procimg *img, const struct map_entry *e,
		  char *path_out, size_t path_len)
{
	char path[4200];
	int fd;

	if (!map_is_file(e))
		return -1;
	/* The target's own view of the path: right inside containers. */
	if (!e->deleted) {
		snprintf(path, sizeof(path), "/proc/%d/root%s",
			 (int) img->pid, e->path);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && same_file(fd, e))
			goto found;
		if (fd >= 0)
			close(fd);
	}
	/* The mapped file itself, even if deleted or replaced since. */
	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64,
		 (int) img->pid, e->start, e->end);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		goto found;
	return -1;
found:
	if (path_out)
		snprintf(path_out, path_len, "%s", path);
	return fd;
}

const struct procimg_file *
procimg_file(struct procimg *img, const struct map_entry *e)
{
	struct procimg_file *f;
	struct stat st;
	size_t i;
	int fd;

	for (i = 0; i < img->nfiles; i++) {
		f = &img->files[i];
		if (f->inode == e->inode &&
		    f->dev == makedev(e->dev_major, e->dev_minor))
			return f->data ? f : NULL;
	}
	img->files = xgrow(img->files, &img->files_cap, img->nfiles + 1,
			   sizeof(*img->files));
	f = &img->files[img->nfiles++];
	memset(f, 0, sizeof(*f));
	f->inode = e->inode;
	f->dev = makedev(e->dev_major, e->dev_minor);
	f->tried = true;
	fd = procimg_open_file(img, e, NULL, 0);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		void *p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (p != MAP_FAILED) {
			f->data = p;
			f->size = st.st_size;
		}
	}
	close(fd);
	return f->data ? f : NULL;
}

bool
procimg_read(struct procimg *img, uint64_t addr, void *buf, size_t len)
{
	const struct map_entry *e;
	const struct procimg_file *f;
	uint64_t off;

	if (img->vdso && addr >= img->vdso_start &&
	    addr + len <= img->vdso_end) {
		memcpy(buf, img->vdso + (addr - img->vdso_start), len);
		return true;
	}
	e = maps_find(&img->maps, addr);
	if (!e || addr + len > e->end || (e->perms & MAP_PERM_W) ||
	    !map_is_file(e))
		return false;
	f = procimg_file(img, e);
	if (!f)
		return false;
	off = addr - e->start + e->pgoff;
	if (off + len > f->size)
		return false;
	memcpy(buf, f->data + off, len);
	return true;
}
