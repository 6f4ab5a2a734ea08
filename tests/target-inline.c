/*
 * Target with an inlined frame, built with -O2 -g: inline_leaf (always
 * inlined) spins on the CPU inside outer_fn (never inlined), called from
 * main.  pidprof must show inline_leaf as an (inlined) frame with the same
 * pc as the outer_fn frame that follows it.
 *
 * Progress: slot 0 counts turns of the spin loop.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "target.h"

void outer_fn(volatile uint64_t *counter);

static ALWAYS_INLINE void
inline_leaf(volatile uint64_t *counter)
{
	for (;;) if (++*counter == 1) target_ready(); /* SPIN */
}

NOINLINE void
outer_fn(volatile uint64_t *counter)
{
	inline_leaf(counter); /* CALL inline_leaf */
	BARRIER();
}

int
main(int argc, char **argv)
{
	target_init(argc, argv);
	outer_fn(progress); /* CALL outer_fn */
	BARRIER();
	return 0;
}
