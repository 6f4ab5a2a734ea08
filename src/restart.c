/*
 * Which interrupted system calls are made again, and which signals the
 * target ignores.  Pure: numbers in, a decision out.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "procfs.h"
#include "restart.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>

#ifndef SYS_epoll_pwait2
# define SYS_epoll_pwait2	441
#endif
#ifndef SYS_io_uring_enter
# define SYS_io_uring_enter	426
#endif

/* linux/io_uring.h */
#define IORING_ENTER_GETEVENTS_BIT	1u

/*
 * The kernel turns the restart codes (ERESTARTSYS, ERESTARTNOHAND,
 * ERESTARTNOINTR, ERESTART_RESTARTBLOCK) into a transparent restart when
 * the thread resumes without a signal to handle, so a ptrace stop is
 * invisible to futex, nanosleep, poll, select, pause, wait4, msgrcv,
 * pipe reads and sockets without a timeout.  Only plain -EINTR leaks.
 * Each call below returns plain -EINTR when a signal (or PTRACE_INTERRUPT)
 * comes before it did anything, so making it again from the start with
 * the same arguments is what the thread would have done had it not been
 * woken.  A relative timeout starts again: the call may return later
 * than asked, by at most the time it had already waited.
 *
 * Everything else is left alone, above all close(): the kernel clears
 * the descriptor before the file's flush can be interrupted (fs/open.c
 * maps every restart code to EINTR for that reason), so a second close
 * fails with EBADF, or closes the descriptor another thread has just
 * been given under the same number.  A read or write of a file on an
 * interruptible filesystem (FUSE, NFS intr) is not repeated either: the
 * server may already have acted on it.
 */
bool
syscall_repeat_safe(long nr, const uint64_t args[6])
{
	switch (nr) {
	case SYS_epoll_wait:
	case SYS_epoll_pwait:
	case SYS_epoll_pwait2:
		/* fs/eventpoll.c ep_poll(): -EINTR only when no event was
		 * copied out; the temporary signal mask of the pwait forms
		 * is set again by the new call. */
		return true;
	case SYS_semop:
	case SYS_semtimedop:
		/* ipc/sem.c: on -EINTR the operations were not applied
		 * (they are applied all at once, or not at all). */
		return true;
	case SYS_rt_sigtimedwait:
		/* kernel/signal.c do_sigtimedwait(): -EINTR means no signal
		 * of the set was dequeued (a timeout is -EAGAIN). */
		return true;
	case SYS_io_getevents:
		/* fs/aio.c: -EINTR only when no event was reaped.
		 * (io_pgetevents uses -ERESTARTNOHAND: restarted by the
		 * kernel.) */
		return true;
	case SYS_io_uring_enter:
		/* io_uring/io_uring.c io_cqring_wait(): -EINTR only while
		 * waiting for completions with an empty completion ring.
		 * The call also submits; with a count to submit, submitted
		 * entries are reported instead of an error, but we only
		 * repeat a call that asked to wait and to submit nothing. */
		return (args[3] & IORING_ENTER_GETEVENTS_BIT) && args[1] == 0;
	case SYS_recvfrom:
	case SYS_recvmsg:
	case SYS_accept:
	case SYS_accept4:
		/* Sockets return -EINTR (sock_intr_errno()) only when
		 * SO_RCVTIMEO is set, else -ERESTARTSYS, and only when the
		 * wait came first: TCP and unix stream receives report the
		 * bytes already copied instead, datagram receives wait
		 * before they dequeue (__skb_wait_for_more_packets()), and
		 * accept waits before it takes a connection
		 * (inet_csk_wait_for_connect()).  Sends are not repeated:
		 * a protocol may have queued data before it waited, and
		 * connect goes on in the background after EINTR (a second
		 * one fails with EALREADY). */
		return true;
	default:
		return false;
	}
}

static int
parse_mask(const char *status_text, const char *key, uint64_t *out)
{
	char buf[32], *end;
	unsigned long long v;

	if (parse_status_field(status_text, key, buf, sizeof(buf)) < 0 ||
	    buf[0] == '\0')
		return -1;
	errno = 0;
	v = strtoull(buf, &end, 16);
	if (errno || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

int
parse_sig_disp(const char *status_text, struct sig_disp *out)
{
	struct sig_disp d;

	if (parse_mask(status_text, "SigIgn", &d.ignored) < 0 ||
	    parse_mask(status_text, "SigCgt", &d.caught) < 0)
		return -1;
	*out = d;
	return 0;
}

bool
signal_is_ignored(int sig, const struct sig_disp *d)
{
	uint64_t bit;

	if (sig < 1 || sig > 64 || sig == SIGKILL || sig == SIGSTOP)
		return false;
	bit = 1ull << (sig - 1);
	if (d->ignored & bit)
		return true;
	if (d->caught & bit)
		return false;
	/* SIG_DFL: include/linux/signal.h SIG_KERNEL_IGNORE_MASK. */
	return sig == SIGCHLD || sig == SIGWINCH || sig == SIGURG ||
	       sig == SIGCONT;
}
