/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "common.h"
#include "syscalls.h"
#include "profile.h"

#include <stdio.h>
#include <string.h>

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

bool
syscall_waits_on_fd(long nr)
{
	static const long fd_calls[] = {
		0, 1, 17, 18, 19, 20, 42, 43, 44, 45, 46, 47, 72, 73, 74,
		288, 299, 307,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fd_calls); i++)
		if (fd_calls[i] == nr)
			return true;
	return false;
}

static const struct {
	const char *prefix;
	enum fd_kind kind;
} fd_links[] = {
	{ "socket:", FD_KIND_SOCKET },
	{ "pipe:", FD_KIND_PIPE },
	{ "anon_inode:[eventfd]", FD_KIND_EVENTFD },
	{ "anon_inode:[timerfd]", FD_KIND_TIMERFD },
	{ "anon_inode:[signalfd]", FD_KIND_SIGNALFD },
	{ "anon_inode:[eventpoll]", FD_KIND_EPOLL },
	{ "anon_inode:inotify", FD_KIND_INOTIFY },
	{ "anon_inode:", FD_KIND_ANON },
	{ "/dev/pts/", FD_KIND_TTY },
	{ "/dev/tty", FD_KIND_TTY },
	{ "/dev/", FD_KIND_DEVICE },
	{ "/", FD_KIND_FILE },
};

enum fd_kind
fd_kind_from_link(const char *link)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fd_links); i++)
		if (strncmp(link, fd_links[i].prefix,
			    strlen(fd_links[i].prefix)) == 0)
			return fd_links[i].kind;
	return FD_KIND_NONE;
}

const char *
fd_kind_name(enum fd_kind k)
{
	static const char *const names[] = {
		[FD_KIND_NONE] = "",
		[FD_KIND_FILE] = "file",
		[FD_KIND_SOCKET] = "socket",
		[FD_KIND_PIPE] = "pipe",
		[FD_KIND_EVENTFD] = "eventfd",
		[FD_KIND_TIMERFD] = "timerfd",
		[FD_KIND_SIGNALFD] = "signalfd",
		[FD_KIND_EPOLL] = "epoll",
		[FD_KIND_INOTIFY] = "inotify",
		[FD_KIND_TTY] = "tty",
		[FD_KIND_DEVICE] = "device",
		[FD_KIND_ANON] = "anon_inode",
	};

	return (size_t) k < ARRAY_SIZE(names) ? names[k] : "";
}

/* Bits of a wait pseudo-frame below PROFILE_PC_WAIT: the descriptor
 * plus one (0: none) in 0..31, the call in 32..41, the kind in 42..45. */
#define WAIT_NR_SHIFT	32
#define WAIT_NR_MASK	0x3ffull
#define WAIT_KIND_SHIFT	42
#define WAIT_KIND_MASK	0xfull

uint64_t
wait_frame_pc(long nr, int fd, enum fd_kind kind)
{
	uint64_t pc = PROFILE_PC_WAIT | PROFILE_PC_EXACT;

	pc |= ((uint64_t) nr & WAIT_NR_MASK) << WAIT_NR_SHIFT;
	if (fd >= 0) {
		pc |= (uint64_t) (uint32_t) (fd + 1);
		pc |= ((uint64_t) kind & WAIT_KIND_MASK) << WAIT_KIND_SHIFT;
	}
	return pc;
}

void
wait_call_name(long nr, char *buf, size_t len)
{
	const char *name = syscall_name(nr);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "syscall_%ld", nr);
}

void
wait_frame_name(uint64_t pc, char *buf, size_t len)
{
	long nr = (long) (pc >> WAIT_NR_SHIFT & WAIT_NR_MASK);
	uint32_t fd1 = (uint32_t) pc;
	enum fd_kind kind = (enum fd_kind) (pc >> WAIT_KIND_SHIFT &
					    WAIT_KIND_MASK);
	char call[32];

	wait_call_name(nr, call, sizeof(call));
	if (!fd1)
		snprintf(buf, len, "[wait: %s]", call);
	else if (kind == FD_KIND_NONE)
		snprintf(buf, len, "[wait: %s fd=%u]", call, fd1 - 1);
	else
		snprintf(buf, len, "[wait: %s fd=%u %s]", call, fd1 - 1,
			 fd_kind_name(kind));
}
