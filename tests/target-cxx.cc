/*
 * C++ target: the method pidprof_test::Worker::spin() spins on the CPU
 * for ever; pidprof must print its demangled name.
 *
 * Progress: slot 0 counts turns of the spin loop.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "target.h"

namespace pidprof_test {

class Worker {
public:
	explicit Worker(volatile uint64_t *counter) : counter_(counter) {}
	NOINLINE void spin();
private:
	volatile uint64_t *counter_;
};

void
Worker::spin()
{
	for (;;) if (++*counter_ == 1) target_ready(); /* SPIN */
}

} // namespace pidprof_test

int
main(int argc, char **argv)
{
	target_init(argc, argv);
	pidprof_test::Worker w(progress);
	w.spin(); /* CALL spin */
	BARRIER();
	return 0;
}
