/*
 * A process that spends most of its time in the kernel, from a known
 * user function: main -> copy_zeros, which reads 1 MiB of /dev/zero at a
 * time (the kernel clears the buffer it copies to: clear_user and its
 * callers) and counts its reads in progress slot 0.  A tiny spin in
 * user_spin between reads keeps some user time too.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "target.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#define CHUNK	(1u << 20)

static void NOINLINE
user_spin(void)
{
	volatile unsigned int i;

	for (i = 0; i < 1000; i++)
		BARRIER();
}

static void NOINLINE
copy_zeros(int fd, char *buf)
{
	for (;;) {
		if (read(fd, buf, CHUNK) != (ssize_t) CHUNK)
			abort();
		if (++progress[0] == 1)
			target_ready();
		user_spin();
	}
}

int
main(int argc, char **argv)
{
	char *buf = malloc(CHUNK);
	int fd;

	target_init(argc, argv);
	fd = open("/dev/zero", O_RDONLY);
	if (fd < 0 || !buf)
		return 1;
	copy_zeros(fd, buf);
	BARRIER();
	return 0;
}
