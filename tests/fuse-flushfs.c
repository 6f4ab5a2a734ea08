/*
 * A FUSE filesystem of one empty file, "slow", whose flush (called by
 * every close) takes a few milliseconds and honours interrupts: when the
 * kernel tells it that the closing thread got a signal, the flush fails
 * with EINTR, and so does close(2), after the descriptor is gone.
 * This is what a network filesystem may do; tests/harm-fuse.test uses it
 * to show that pidprof never makes such a close again.
 *
 * Usage: fuse-flushfs PROGRESS MOUNTPOINT [FLUSH_MS]
 * Writes "ready" once mounted; unmounts on SIGTERM, SIGINT or SIGHUP.
 *
 * Progress slots (see target.h):
 *   0  flushes          1  of them interrupted (answered EINTR)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#define FUSE_USE_VERSION 31
#include "target.h"

#include <errno.h>
#include <fuse_lowlevel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FILE_NAME	"slow"
#define FILE_INO	2

static int flush_ms = 3;

static void
fill_stat(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	if (ino == FUSE_ROOT_ID) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else {
		st->st_mode = S_IFREG | 0644;
		st->st_nlink = 1;
	}
}

static void
fs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;

	if (parent != FUSE_ROOT_ID || strcmp(name, FILE_NAME) != 0) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.ino = FILE_INO;
	e.attr_timeout = 3600;
	e.entry_timeout = 3600;
	fill_stat(FILE_INO, &e.attr);
	fuse_reply_entry(req, &e);
}

static void
fs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	if (ino != FUSE_ROOT_ID && ino != FILE_INO) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill_stat(ino, &st);
	fuse_reply_attr(req, &st, 3600);
}

static void
fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ino != FILE_INO) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	fuse_reply_open(req, fi);
}

static void
fs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
	struct fuse_file_info *fi)
{
	fuse_reply_buf(req, NULL, 0);
}

/* Slow, and stops as soon as the caller is interrupted. */
static void
fs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	const struct timespec step = { 0, 100000 };
	int i;

	__atomic_fetch_add(&progress[0], 1, __ATOMIC_RELAXED);
	for (i = 0; i < flush_ms * 10; i++) {
		if (fuse_req_interrupted(req)) {
			__atomic_fetch_add(&progress[1], 1, __ATOMIC_RELAXED);
			fuse_reply_err(req, EINTR);
			return;
		}
		nanosleep(&step, NULL);
	}
	fuse_reply_err(req, 0);
}

static void
fs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, 0);
}

static const struct fuse_lowlevel_ops ops = {
	.lookup = fs_lookup,
	.getattr = fs_getattr,
	.open = fs_open,
	.read = fs_read,
	.flush = fs_flush,
	.release = fs_release,
};

int
main(int argc, char **argv)
{
	char *fargv[] = { argv[0], NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, fargv);
	struct fuse_session *se;
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: %s PROGRESS MOUNTPOINT [FLUSH_MS]\n",
			argv[0]);
		return 99;
	}
	target_init(argc, argv);
	if (argc > 3)
		flush_ms = atoi(argv[3]);
	se = fuse_session_new(&args, &ops, sizeof(ops), NULL);
	if (!se)
		return 99;
	if (fuse_set_signal_handlers(se) != 0)
		return 99;
	if (fuse_session_mount(se, argv[2]) != 0) {
		fprintf(stderr, "fuse-flushfs: cannot mount on %s\n", argv[2]);
		return 99;
	}
	target_ready();
	rc = fuse_session_loop_mt(se, 0);
	fuse_session_unmount(se);
	fuse_remove_signal_handlers(se);
	fuse_session_destroy(se);
	return rc ? 1 : 0;
}
