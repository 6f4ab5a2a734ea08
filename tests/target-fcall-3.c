/* Part of target-fcall: see target-fcall.c.  SPDX-License-Identifier: GPL-2.0-or-later */
#include "target.h"
#include "target-fcall.h"

NOINLINE int
f3(int n)
{
	for (;;) if (++progress[0] == 1) target_ready(); /* SPIN */
	return n;
}
