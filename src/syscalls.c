/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "common.h"
#include "syscalls.h"

static const struct {
	long nr;
	const char *name;
} table[] = {
	{ 0, "read" }, { 1, "write" }, { 7, "poll" }, { 17, "pread64" },
	{ 18, "pwrite64" }, { 19, "readv" }, { 20, "writev" },
	{ 23, "select" }, { 24, "sched_yield" }, { 34, "pause" },
	{ 35, "nanosleep" }, { 42, "connect" }, { 43, "accept" },
	{ 44, "sendto" }, { 45, "recvfrom" }, { 46, "sendmsg" },
	{ 47, "recvmsg" }, { 61, "wait4" }, { 65, "semop" },
	{ 70, "msgrcv" }, { 72, "fcntl" }, { 73, "flock" },
	{ 74, "fsync" }, { 128, "rt_sigtimedwait" },
	{ 130, "rt_sigsuspend" }, { 202, "futex" },
	{ 208, "io_getevents" }, { 219, "restart_syscall" },
	{ 220, "semtimedop" }, { 230, "clock_nanosleep" },
	{ 232, "epoll_wait" }, { 247, "waitid" }, { 270, "pselect6" },
	{ 271, "ppoll" }, { 281, "epoll_pwait" }, { 288, "accept4" },
	{ 299, "recvmmsg" }, { 307, "sendmmsg" },
	{ 426, "io_uring_enter" }, { 441, "epoll_pwait2" },
};

const char *
syscall_name(long nr)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(table); i++)
		if (table[i].nr == nr)
			return table[i].name;
	return NULL;
}
