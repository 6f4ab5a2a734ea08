/*
 * Which interrupted system calls pidprof makes again, and which signals
 * it keeps from the target because the target ignores them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "restart.h"
#include "unit.h"

#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>

static void
test_syscalls(void)
{
	static const struct {
		long nr;
		bool safe;
	} rows[] = {
		/* plain EINTR, nothing done: made again */
		{ SYS_epoll_wait, true },
		{ SYS_epoll_pwait, true },
		{ 441 /* epoll_pwait2 */, true },
		{ SYS_semop, true },
		{ SYS_semtimedop, true },
		{ SYS_rt_sigtimedwait, true },
		{ SYS_io_getevents, true },
		{ SYS_recvfrom, true },
		{ SYS_recvmsg, true },
		{ SYS_accept, true },
		{ SYS_accept4, true },
		/* the descriptor is gone before the flush can fail */
		{ SYS_close, false },
		{ 436 /* close_range */, false },
		/* a filesystem may have acted; data may have moved */
		{ SYS_read, false },
		{ SYS_write, false },
		{ SYS_pread64, false },
		{ SYS_openat, false },
		{ SYS_open, false },
		{ SYS_fsync, false },
		{ SYS_ioctl, false },
		{ SYS_sendto, false },
		{ SYS_sendmsg, false },
		{ SYS_sendmmsg, false },
		{ SYS_recvmmsg, false },
		{ SYS_connect, false },
		/* restarted by the kernel: nothing for us to do */
		{ SYS_futex, false },
		{ SYS_nanosleep, false },
		{ SYS_poll, false },
		{ SYS_wait4, false },
		{ SYS_io_pgetevents, false },
		{ -1, false },
		{ 100000, false },
	};
	uint64_t args[6] = { 0 };
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		CHECK(syscall_repeat_safe(rows[i].nr, args) == rows[i].safe,
		      "syscall %ld: expected %s", rows[i].nr,
		      rows[i].safe ? "made again" : "left alone");

	/* io_uring_enter(fd, to_submit, min_complete, flags, ...): only a
	 * wait for completions that submits nothing. */
	args[1] = 0;
	args[3] = 1;	/* IORING_ENTER_GETEVENTS */
	CHECK(syscall_repeat_safe(SYS_io_uring_enter, args), "wait only");
	args[1] = 4;
	CHECK(!syscall_repeat_safe(SYS_io_uring_enter, args),
	      "submit and wait");
	args[1] = 0;
	args[3] = 2;	/* IORING_ENTER_SQ_WAKEUP */
	CHECK(!syscall_repeat_safe(SYS_io_uring_enter, args), "no wait");
}

static const char status_text[] =
	"Name:\tsleepy\n"
	"SigQ:\t0/63461\n"
	"SigPnd:\t0000000000000000\n"
	"ShdPnd:\t0000000000000000\n"
	"SigBlk:\t0000000000010000\n"
	"SigIgn:\t0000000000001000\n"	/* SIGPIPE */
	"SigCgt:\t0000000180004002\n"	/* SIGINT, SIGTERM, 32, 33 */
	"CapInh:\t0000000000000000\n";

static void
test_dispositions(void)
{
	struct sig_disp d;

	CHECK(parse_sig_disp(status_text, &d) == 0, "parse");
	CHECK(d.ignored == 0x1000, "SigIgn %llx",
	      (unsigned long long) d.ignored);
	CHECK(d.caught == 0x180004002ull, "SigCgt %llx",
	      (unsigned long long) d.caught);
	CHECK(parse_sig_disp("Name:\tx\nSigIgn:\t0\n", &d) < 0, "no SigCgt");
	CHECK(parse_sig_disp("SigIgn:\tzz\nSigCgt:\t0\n", &d) < 0,
	      "malformed SigIgn");
	CHECK(parse_sig_disp("", &d) < 0, "empty");

	/* The default dispositions: only the four default-ignored. */
	d.ignored = 0;
	d.caught = 0;
	CHECK(signal_is_ignored(SIGCHLD, &d), "SIGCHLD default");
	CHECK(signal_is_ignored(SIGWINCH, &d), "SIGWINCH default");
	CHECK(signal_is_ignored(SIGURG, &d), "SIGURG default");
	CHECK(signal_is_ignored(SIGCONT, &d), "SIGCONT default");
	CHECK(!signal_is_ignored(SIGTERM, &d), "SIGTERM default kills");
	CHECK(!signal_is_ignored(SIGUSR1, &d), "SIGUSR1 default kills");
	CHECK(!signal_is_ignored(SIGTSTP, &d), "SIGTSTP default stops");
	CHECK(!signal_is_ignored(SIGSTOP, &d), "SIGSTOP");
	CHECK(!signal_is_ignored(SIGKILL, &d), "SIGKILL");
	CHECK(!signal_is_ignored(SIGRTMIN, &d), "real-time default");
	CHECK(!signal_is_ignored(0, &d) && !signal_is_ignored(65, &d),
	      "out of range");

	/* A handler: delivered, whatever the default. */
	d.caught = (1ull << (SIGCHLD - 1)) | (1ull << (SIGURG - 1));
	CHECK(!signal_is_ignored(SIGCHLD, &d), "SIGCHLD caught");
	CHECK(!signal_is_ignored(SIGURG, &d), "SIGURG caught (Go)");
	CHECK(signal_is_ignored(SIGWINCH, &d), "SIGWINCH still default");

	/* SIG_IGN: dropped, whatever the default. */
	d.caught = 0;
	d.ignored = (1ull << (SIGUSR1 - 1)) | (1ull << (SIGPIPE - 1)) |
		    (1ull << (64 - 1));
	CHECK(signal_is_ignored(SIGUSR1, &d), "SIGUSR1 SIG_IGN");
	CHECK(signal_is_ignored(SIGPIPE, &d), "SIGPIPE SIG_IGN");
	CHECK(signal_is_ignored(64, &d), "signal 64 SIG_IGN");
	CHECK(!signal_is_ignored(SIGUSR2, &d), "SIGUSR2 default");
}

int
main(void)
{
	test_syscalls();
	test_dispositions();
	return unit_done("unit-restart");
}
