/*
 * Target with a known call chain: main -> f0 -> f1 -> f2 -> f3, each
 * function noinline in its own file (the idea of strace's stack-fcall);
 * f3 spins on the CPU for ever.  The tests find the expected line numbers
 * with grep -n on the CALL and SPIN markers.
 *
 * Progress: slot 0 counts turns of the spin loop.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "target.h"
#include "target-fcall.h"

int
main(int argc, char **argv)
{
	target_init(argc, argv);
	f0(argc); /* CALL f0 */
	BARRIER();
	return 0;
}
