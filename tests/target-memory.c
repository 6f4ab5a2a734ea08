/*
 * Memory target for `pidprof heap`: known allocations, all touched, then
 * the process waits in pause().
 *
 *   target-memory PROGRESS [DIR]
 *
 * (a) SMALL_COUNT blocks of SMALL_REQUEST bytes from malloc(), each
 *     memset: far below the mmap threshold, so glibc carves them out of
 *     the brk heap ([heap], category heap).  SMALL_REQUEST = 1008 makes
 *     every chunk exactly 1024 bytes (request + 8-byte size field, rounded
 *     up to 16), so the blocks occupy SMALL_COUNT * 1024 = 64 MiB of the
 *     heap: slot 1 (requested bytes) <= heap Rss <= slot 5 (chunk bytes)
 *     + what was on the heap before (stdio, a few KiB) + the top pad
 *     (128 KiB).  The target checks that every block lies between the
 *     brk of before and after, i.e. none was mmapped.
 * (b) one malloc(BIG_SIZE) = 256 MiB: above the mmap threshold, glibc
 *     serves it with its own anonymous mmap (one more page for the chunk
 *     header), memset entirely: category anonymous, name "[anon]".
 * (c) a 32 MiB anonymous mmap named "pidprof-test" with
 *     prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME) (Linux >= 5.17 built with
 *     CONFIG_ANON_VMA_NAME), memset: "[anon:pidprof-test]".  Where the
 *     kernel refuses the name (EINVAL), the mapping is unmapped again (it
 *     would only add 32 MiB to "[anon]") and slot 3 is 0.
 * (d) a FILE_SIZE = 16 MiB file DIR/pidprof-memory-PID.bin (DIR defaults
 *     to /tmp), written, then mapped MAP_PRIVATE read-only and read page
 *     by page (fsync'ed first, so the pages are clean): category file,
 *     name = the path (slot 4 = its size).  The
 *     file stays in place: the test removes DIR.
 *
 * Progress slots (see target.h):
 *   0  1 once everything is in place (before "ready")
 *   1  bytes requested by the small mallocs (SMALL_COUNT * SMALL_REQUEST)
 *   2  size requested by the big malloc (BIG_SIZE)
 *   3  size of the named anonymous mapping (0: naming not supported)
 *   4  size of the mapped file (FILE_SIZE)
 *   5  bytes of heap chunks of the small mallocs (SMALL_COUNT * 1024)
 *   6  number of small blocks (SMALL_COUNT)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#ifndef PR_SET_VMA
# define PR_SET_VMA 0x53564d41
#endif
#ifndef PR_SET_VMA_ANON_NAME
# define PR_SET_VMA_ANON_NAME 0
#endif

#define SMALL_REQUEST	1008
#define SMALL_CHUNK	1024
#define SMALL_COUNT	(64 * 1024)	/* 64 MiB of chunks */
#define BIG_SIZE	((size_t) 256 << 20)
#define NAMED_SIZE	((size_t) 32 << 20)
#define FILE_SIZE	((size_t) 16 << 20)

#define SLOT_READY	0
#define SLOT_SMALL	1
#define SLOT_BIG	2
#define SLOT_NAMED	3
#define SLOT_FILE	4
#define SLOT_CHUNKS	5
#define SLOT_NSMALL	6

static void
die(const char *what)
{
	fprintf(stderr, "target-memory: %s: %s\n", what, strerror(errno));
	exit(99);
}

/* Volatile: the compiler must keep every allocation and its memset (the
 * user's CFLAGS may add -O2, and gcc drops a malloc never read). */
static void *volatile small_blocks[SMALL_COUNT];
void *volatile keep_big, *volatile keep_named;
static volatile unsigned long sink;

static void NOINLINE
alloc_small(void)
{
	char *lo = sbrk(0), *hi;
	size_t i;

	for (i = 0; i < SMALL_COUNT; i++) {
		void *b = malloc(SMALL_REQUEST);

		if (b == NULL)
			die("malloc (small)");
		memset(b, 0x5a, SMALL_REQUEST);
		small_blocks[i] = b;
	}
	hi = sbrk(0);
	for (i = 0; i < SMALL_COUNT; i++)
		if ((char *) small_blocks[i] < lo ||
		    (char *) small_blocks[i] >= hi) {
			fprintf(stderr, "target-memory: small block %p is not "
				"on the brk heap [%p, %p)\n",
				small_blocks[i], (void *) lo, (void *) hi);
			exit(99);
		}
	progress[SLOT_SMALL] = (uint64_t) SMALL_COUNT * SMALL_REQUEST;
	progress[SLOT_CHUNKS] = (uint64_t) SMALL_COUNT * SMALL_CHUNK;
	progress[SLOT_NSMALL] = SMALL_COUNT;
}

static void NOINLINE
alloc_big(void)
{
	char *p = malloc(BIG_SIZE);

	if (p == NULL)
		die("malloc (big)");
	memset(p, 0xa5, BIG_SIZE);
	keep_big = p;
	progress[SLOT_BIG] = BIG_SIZE;
}

static void NOINLINE
alloc_named(void)
{
	char *p = mmap(NULL, NAMED_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap (named)");
	if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long) p,
		  NAMED_SIZE, (unsigned long) "pidprof-test") < 0) {
		if (errno != EINVAL)
			die("prctl PR_SET_VMA_ANON_NAME");
		munmap(p, NAMED_SIZE);
		progress[SLOT_NAMED] = 0;
		return;
	}
	memset(p, 0x3c, NAMED_SIZE);
	keep_named = p;
	progress[SLOT_NAMED] = NAMED_SIZE;
}

static void NOINLINE
map_file(const char *dir)
{
	char path[PATH_MAX], buf[65536];
	const volatile char *p;
	long pg = sysconf(_SC_PAGESIZE);
	unsigned long sum = 0;
	size_t done, off;
	int fd;

	snprintf(path, sizeof(path), "%s/pidprof-memory-%ld.bin", dir,
		 (long) getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die(path);
	memset(buf, 0x11, sizeof(buf));
	for (done = 0; done < FILE_SIZE; done += sizeof(buf))
		if (write(fd, buf, sizeof(buf)) != (ssize_t) sizeof(buf))
			die("write");
	/* Written back: the mapped pages are clean (Private_Clean). */
	if (fsync(fd) < 0)
		die("fsync");
	p = mmap(NULL, FILE_SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		die("mmap (file)");
	close(fd);
	for (off = 0; off < FILE_SIZE; off += pg)
		sum += p[off];
	sink = sum;
	progress[SLOT_FILE] = FILE_SIZE;
}

int
main(int argc, char **argv)
{
	target_init(argc, argv);
	alloc_small();
	alloc_big();
	alloc_named();
	map_file(argc > 2 ? argv[2] : "/tmp");
	progress[SLOT_READY] = 1;
	target_ready();
	for (;;)
		pause();
}
