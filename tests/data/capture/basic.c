/*
 * Captured for smaps-basic.txt, smaps-rollup.txt and status.txt (see
 * ../README): one malloc (served by mmap), then pause().
 *   gcc -O0 -g -o /tmp/pidprof-fixtures/basic basic.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(void)
{
	char *p = malloc(200000);

	memset(p, 1, 200000);
	printf("ready\n");
	fflush(stdout);
	pause();
	return 0;
}
