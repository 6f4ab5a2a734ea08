/*
 * Target with a deep stack: main calls recurse(DEPTH), which calls itself
 * DEPTH times (DEPTH + 1 frames of recurse), then spins on the CPU for
 * ever.  A frame of recurse takes about 100 bytes, whatever the -O level
 * (pad): the whole stack, about 25K, fits in pidprof's default
 * --stack-size (32K) but not in 4096 bytes.
 *
 * Progress: slot 0 counts turns of the spin loop.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "target.h"

#define DEPTH 250

int recurse(int n);

/* Never cleared: keeps -Winfinite-recursion quiet. */
static volatile int forever = 1;

NOINLINE int
recurse(int n)
{
	volatile char pad[40];
	int r;

	pad[0] = (char) n;
	if (n == 0) {
		while (forever) if (++progress[0] == 1) target_ready(); /* SPIN */
		return 0;
	}
	r = recurse(n - 1); /* CALL recurse */
	BARRIER();
	return r + pad[0];
}

int
main(int argc, char **argv)
{
	target_init(argc, argv);
	recurse(DEPTH); /* CALL recurse from main */
	BARRIER();
	return 0;
}
