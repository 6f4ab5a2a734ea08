/* Part of target-fcall: see target-fcall.c.  SPDX-License-Identifier: GPL-2.0-or-later */
#include "target.h"
#include "target-fcall.h"

NOINLINE int
f1(int n)
{
	int r = f2(n + 1); /* CALL f2 */

	BARRIER();
	return r + 1;
}
