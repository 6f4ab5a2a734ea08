/* Part of target-fcall: see target-fcall.c.  SPDX-License-Identifier: GPL-2.0-or-later */
#include "target.h"
#include "target-fcall.h"

NOINLINE int
f2(int n)
{
	int r = f3(n + 1); /* CALL f3 */

	BARRIER();
	return r + 1;
}
