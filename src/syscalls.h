/*
 * Names of the x86_64 system calls that threads are commonly found
 * sleeping in.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_SYSCALLS_H
# define PIDPROF_SYSCALLS_H

# include "common.h"

/* NULL when the number is not in the table. */
const char *syscall_name(long nr);
/* Whether the call's first argument is the file descriptor it waits on. */
bool syscall_waits_on_fd(long nr);

/* What a file descriptor is, from its /proc/PID/fd/N link. */
enum fd_kind {
	FD_KIND_NONE = 0,	/* not known, or not shown */
	FD_KIND_FILE,
	FD_KIND_SOCKET,
	FD_KIND_PIPE,
	FD_KIND_EVENTFD,
	FD_KIND_TIMERFD,
	FD_KIND_SIGNALFD,
	FD_KIND_EPOLL,
	FD_KIND_INOTIFY,
	FD_KIND_TTY,
	FD_KIND_DEVICE,
	FD_KIND_ANON,
};

/* "socket:[123]" -> FD_KIND_SOCKET, "/dev/pts/1" -> FD_KIND_TTY... */
enum fd_kind fd_kind_from_link(const char *link);
const char *fd_kind_name(enum fd_kind k);

/*
 * The leaf pseudo-frame of a thread asleep in a system call, as a stored
 * pc: PROFILE_PC_WAIT, the call's number, and for a call on a file
 * descriptor the descriptor and its kind (@fd < 0: none).  It holds all
 * it names, so it means the same in every profile.
 */
uint64_t wait_frame_pc(long nr, int fd, enum fd_kind kind);
/* Its name: "[wait: epoll_wait]", "[wait: read fd=12 socket]". */
void wait_frame_name(uint64_t pc, char *buf, size_t len);
/* The call's name for the wait label: "futex", "syscall_999". */
void wait_call_name(long nr, char *buf, size_t len);

#endif /* !PIDPROF_SYSCALLS_H */
