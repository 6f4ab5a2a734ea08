/*
 * Captured for smaps-10000.txt (see ../README): 10 000 one-page mappings
 * that cannot merge: one region whose pages alternate between read-write
 * and read-only protections; 2 pages of 3 touched.
 *   gcc -O0 -g -o /tmp/pidprof-fixtures/many many.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#define N 10000

int
main(void)
{
	long pg = sysconf(_SC_PAGESIZE), i;
	char *p = mmap(NULL, N * pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (i = 0; i < N; i++) {
		if (i % 3 != 2)
			memset(p + i * pg, 1, pg);
		if (i % 2 && mprotect(p + i * pg, pg, PROT_READ) < 0) {
			perror("mprotect");
			return 1;
		}
	}
	printf("ready\n");
	fflush(stdout);
	pause();
	return 0;
}
