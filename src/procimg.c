/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "procimg.h"
#include "procfs.h"
#include "xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
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

	/* Gone, or a zombie (its maps read empty): the last maps stay,
	 * for the samples taken before. */
	if (procfs_read_maps(img->pid, &m, NULL) < 0) {
		img->gone = true;
		return;
	}
	if (m.n == 0) {
		maps_free(&m);
		img->gone = true;
		return;
	}
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

/*
 * Names outlive the target: each file of the target that is opened here
 * is kept open (one descriptor per file, by device and inode, for the
 * life of pidprof), and an open that /proc can no longer answer once the
 * target has exited is answered from the kept descriptor.  The sampler
 * opens the file of every module it samples while the target lives
 * (symbols_prepare), so whichever symbolizer writes the profile later,
 * record's, serve's renderers or push's uploader, each with its own
 * Dwfl, still finds the files after the exit.  Resolving the addresses
 * eagerly instead would read debug information on the sampling thread
 * (a first lookup can take hundreds of milliseconds) for profiles that
 * may never be written; a kept descriptor costs nothing until it is
 * used.  Bounded by KEEP_MAX files: past it, files are no longer kept.
 */
#define KEEP_MAX 256

struct kept_file {
	dev_t dev;
	ino_t inode;
	int fd;
	char *path;	/* the path it was opened by */
};

static pthread_mutex_t keep_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kept_file *kept;
static size_t nkept, kept_cap;

static struct kept_file *
kept_find(dev_t dev, ino_t inode)
{
	size_t i;

	for (i = 0; i < nkept; i++)
		if (kept[i].dev == dev && kept[i].inode == inode)
			return &kept[i];
	return NULL;
}

static void
keep_file(int fd, const struct map_entry *e, const char *path)
{
	dev_t dev = makedev(e->dev_major, e->dev_minor);
	int copy;

	pthread_mutex_lock(&keep_lock);
	if (!kept_find(dev, e->inode) && nkept < KEEP_MAX) {
		copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (copy >= 0) {
			kept = xgrow(kept, &kept_cap, nkept + 1,
				     sizeof(*kept));
			kept[nkept].dev = dev;
			kept[nkept].inode = e->inode;
			kept[nkept].fd = copy;
			kept[nkept].path = xstrdup(path);
			nkept++;
		}
	}
	pthread_mutex_unlock(&keep_lock);
}

/* A new descriptor of the kept file behind @e, or -1. */
static int
kept_open(const struct map_entry *e, char *path_out, size_t path_len)
{
	struct kept_file *k;
	int fd = -1;

	pthread_mutex_lock(&keep_lock);
	k = kept_find(makedev(e->dev_major, e->dev_minor), e->inode);
	if (k) {
		fd = fcntl(k->fd, F_DUPFD_CLOEXEC, 0);
		if (fd >= 0 && path_out)
			snprintf(path_out, path_len, "%s", k->path);
	}
	pthread_mutex_unlock(&keep_lock);
	/* Each descriptor has its own offset: libelf reads with pread. */
	return fd;
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
	return kept_open(e, path_out, path_len);
found:
	keep_file(fd, e, path);
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
