/*
 * ptrace control of a live target.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "attach.h"
#include "procfs.h"
#include "restart.h"
#include "xmalloc.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CAP_SYS_PTRACE_BIT	19

uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + ts.tv_nsec;
}

void
target_block_sigchld(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* The tracer thread's nice value, when we may raise it. */
#define TRACER_NICE	(-10)
/* The stop window's real-time class: the lowest SCHED_FIFO priority,
 * for at most this much of the tracer's CPU per window, and a kernel
 * limit on real-time CPU used without blocking, in case of a bug. */
#define TRACER_RT_PRIO		1
#define RT_BUDGET_NS		1000000ull
/* A whole second: the per-tick budget is the real bound; this one is
 * for a bug, and must not catch the first unwinding in a big module. */
#define RT_LIMIT_US		1000000

/* A live tracee with tid *key; a gone thread's tid may be reused by a
 * new thread, so gone ones never match. */
static bool
tracee_eq(const void *ctx, uint32_t id, const void *key)
{
	const struct tracee *tr = &((const struct target *) ctx)->t[id - 1];

	return tr->tid == *(const pid_t *) key && !tr->gone;
}

static struct tracee *
find_tracee(struct target *t, pid_t tid)
{
	uint32_t id = idtab_find(&t->tid_index, hash_u64((uint64_t) tid),
				 tracee_eq, t, &tid);

	return id ? &t->t[id - 1] : NULL;
}

/*
 * The targets of this tracer thread.  Several processes are followed by
 * one thread, which reaps every stop with waitpid(-1): a status is
 * handled by the target that owns its tid.  With one target, nothing
 * changes.  Thread-local: serve and push each run a tracer thread of
 * their own.
 */
static __thread struct target *targets;

static void
target_link(struct target *t)
{
	t->next = targets;
	targets = t;
	t->linked = true;
}

static void
target_unlink(struct target *t)
{
	struct target **pp;

	if (!t->linked)
		return;
	for (pp = &targets; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	t->next = NULL;
	t->linked = false;
}

/* The thread group of @tid, from /proc/TID/status; 0 if unknown. */
static pid_t
tgid_of(pid_t tid)
{
	char path[64], line[128];
	pid_t tgid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int) tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

/* The target with leader @pid, or NULL. */
static struct target *
target_of_pid(pid_t pid)
{
	struct target *o;

	for (o = targets; o; o = o->next)
		if (o->pid == pid)
			return o;
	return NULL;
}

/*
 * --children: a process forked by a followed one arrives seized, in its
 * first stop (PTRACE_O_TRACEFORK, TRACEVFORK, inherited by its own
 * children).  It is resumed at once and kept here until the sampling loop
 * gives it a target of its own (target_adopt), between ticks; the stops
 * of such a process meanwhile are resumed, its signals delivered.  With no
 * room left, a new process is let go in its first stop.  Thread-local, as
 * the targets are.
 */
static __thread struct {
	bool follow;
	size_t room;		/* processes that may still be followed */
	size_t let_go;		/* detached in their first stop: no room */
	pid_t *pids;		/* resumed, not adopted yet */
	size_t n, cap;
} kids;

void
target_follow_children(size_t room)
{
	kids.follow = true;
	kids.room = room;
}

size_t
target_take_children(pid_t *out, size_t max)
{
	size_t n = kids.n < max ? kids.n : max;

	/* kids.pids is NULL until the first child is queued. */
	if (!n)
		return 0;
	memcpy(out, kids.pids, n * sizeof(*out));
	memmove(kids.pids, kids.pids + n, (kids.n - n) * sizeof(*out));
	kids.n -= n;
	return n;
}

bool
target_children_reserve(void)
{
	if (!kids.room)
		return false;
	kids.room--;
	return true;
}

size_t
target_children_let_go(void)
{
	return kids.let_go;
}

static bool
kid_pending(pid_t pid)
{
	size_t i;

	for (i = 0; i < kids.n; i++)
		if (kids.pids[i] == pid)
			return true;
	return false;
}

static void
kid_forget(pid_t pid)
{
	size_t i;

	for (i = 0; i < kids.n; i++)
		if (kids.pids[i] == pid) {
			kids.pids[i] = kids.pids[--kids.n];
			return;
		}
}

/* A stop of @tid, which no target follows: a new process in its first
 * stop, or a stop of a process (or of a thread of one) not adopted yet.
 * Returns false when @tid is a new thread of a followed process. */
static bool
kid_stop(pid_t tid, int status)
{
	pid_t tgid = tgid_of(tid);
	int event = (unsigned int) status >> 16;

	if (tgid <= 0 || target_of_pid(tgid))
		return false;
	/* A new process's first stop; any other stop of one no target
	 * has is a pending one's, or one left unfollowed (no room). */
	if (tgid == tid && event == PTRACE_EVENT_STOP && !kid_pending(tid)) {
		if (!kids.room) {
			ptrace(PTRACE_DETACH, tid, 0, 0);
			kids.let_go++;
			return true;
		}
		/* Resumed before anything is allocated for it. */
		ptrace(PTRACE_CONT, tid, 0, 0);
		kids.room--;
		kids.pids = xgrow(kids.pids, &kids.cap, kids.n + 1,
				  sizeof(*kids.pids));
		kids.pids[kids.n++] = tid;
		return true;
	}
	/* A signal-delivery stop keeps its signal; the others resume. */
	ptrace(PTRACE_CONT, tid, 0, event == 0 ? WSTOPSIG(status) : 0);
	return true;
}

/* The options of every seize: threads, execve, with --children the
 * processes forked, and with TARGET_EXIT_STOPS the threads' exits.  A
 * thread or process made by one that is traced inherits them (so a
 * process adopted has the options of the one that forked it). */
static long
seize_options(const struct target *t)
{
	long opts = PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC;

	opts |= (kids.follow ? PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK : 0);

	if (t->flags & TARGET_EXIT_STOPS)
		opts |= PTRACE_O_TRACEEXIT;
	return opts;
}

/* Whether @tid is traced by this thread already (a child of a followed
 * process, seized by the kernel for us). */
static bool
traced_by_us(pid_t tid)
{
	char buf[32];
	int tracer;

	if (procfs_status_field(tid, "TracerPid", buf, sizeof(buf)) < 0)
		return false;
	tracer = atoi(buf);
	return tracer == (int) syscall(SYS_gettid) || tracer == getpid();
}

/* The target whose live tracee @tid is (*trp), @t when none is. */
static struct target *
owner_of(struct target *t, pid_t tid, struct tracee **trp)
{
	struct target *o;

	*trp = find_tracee(t, tid);
	if (*trp || !targets || !targets->next)
		return t;
	for (o = targets; o; o = o->next)
		if (o != t && (*trp = find_tracee(o, tid)))
			return o;
	return t;
}

size_t
target_forget_gone(struct target *t, size_t *map)
{
	size_t i, k = 0;

	for (i = 0; i < t->n; i++) {
		struct tracee *tr = &t->t[i];

		if (tr->gone) {
			if (tr->stat_fd >= 0)
				close(tr->stat_fd);
			free(tr->snap.stack);
			map[i] = SIZE_MAX;
			continue;
		}
		if (k != i)
			t->t[k] = *tr;
		map[i] = k++;
	}
	i = t->n - k;
	t->n = k;
	/* The indexes moved: index the live ones again. */
	idtab_free(&t->tid_index);
	for (k = 0; k < t->n; k++)
		idtab_insert(&t->tid_index, hash_u64((uint64_t) t->t[k].tid),
			     (uint32_t) k + 1);
	return i;
}

/* Not called while any thread is stopped by us: it allocates. */
static struct tracee *
add_tracee(struct target *t, pid_t tid)
{
	struct tracee *tr;

	t->t = xgrow(t->t, &t->cap, t->n + 1, sizeof(*t->t));
	tr = &t->t[t->n++];
	memset(tr, 0, sizeof(*tr));
	tr->tid = tid;
	idtab_insert(&t->tid_index, hash_u64((uint64_t) tid),
		     (uint32_t) t->n);
	tr->stat_fd = -1;
	tr->snap.tid = tid;
	tr->snap.stack_cap = t->stack_size + SNAP_RED_ZONE;
	tr->snap.stack = xmalloc(tr->snap.stack_cap);
	return tr;
}

static bool
has_cap_sys_ptrace(void)
{
	char buf[64];
	unsigned long long caps;

	if (procfs_status_field(getpid(), "CapEff", buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "%llx", &caps) != 1)
		return geteuid() == 0;
	return caps & (1ull << CAP_SYS_PTRACE_BIT);
}

static int
read_int_file(const char *path)
{
	char *text;
	int v;

	if (procfs_read_file(path, &text, NULL, NULL) < 0)
		return -1;
	v = atoi(text);
	free(text);
	return v;
}

/* Why PTRACE_SEIZE said EPERM, with the fix to apply (strace's hints). */
static int
diagnose_eperm(pid_t pid, struct pp_err *err)
{
	char buf[128], comm[64];
	unsigned int uid = 0;
	int tracer = 0, scope;

	if (procfs_status_field(pid, "TracerPid", buf, sizeof(buf)) == 0)
		tracer = atoi(buf);
	if (tracer > 0) {
		char path[64], *text = NULL;

		snprintf(path, sizeof(path), "/proc/%d/comm", tracer);
		if (procfs_read_file(path, &text, NULL, NULL) == 0) {
			snprintf(comm, sizeof(comm), "%.*s",
				 (int) strcspn(text, "\n"), text);
			free(text);
		} else {
			snprintf(comm, sizeof(comm), "?");
		}
		return pp_err_set(err, EPERM,
				  "cannot attach to process %d: it is already traced by process %d (%s); detach that tracer first",
				  (int) pid, tracer, comm);
	}
	if (procfs_status_field(getpid(), "Seccomp", buf, sizeof(buf)) == 0 &&
	    atoi(buf) == 2)
		return pp_err_set(err, EPERM,
				  "cannot attach to process %d: a seccomp filter forbids ptrace to pidprof; in a container, start it with --cap-add SYS_PTRACE (or --security-opt seccomp=unconfined)",
				  (int) pid);
	if (procfs_status_field(pid, "Uid", buf, sizeof(buf)) == 0)
		sscanf(buf, "%u", &uid);
	if (!has_cap_sys_ptrace() && uid != geteuid())
		return pp_err_set(err, EPERM,
				  "cannot attach to process %d: it belongs to uid %u and pidprof runs as uid %u without CAP_SYS_PTRACE; run pidprof as that user or as root (in a container: --cap-add SYS_PTRACE)",
				  (int) pid, uid, (unsigned int) geteuid());
	scope = read_int_file("/proc/sys/kernel/yama/ptrace_scope");
	if (scope == 3)
		return pp_err_set(err, EPERM,
				  "cannot attach to process %d: kernel.yama.ptrace_scope is 3, ptrace is disabled until reboot",
				  (int) pid);
	if (scope >= 1 && !has_cap_sys_ptrace())
		return pp_err_set(err, EPERM,
				  "cannot attach to process %d: kernel.yama.ptrace_scope is %d; run pidprof with CAP_SYS_PTRACE (as root, or in a container with --cap-add SYS_PTRACE), or allow it with 'sysctl kernel.yama.ptrace_scope=0'",
				  (int) pid, scope);
	if (!has_cap_sys_ptrace())
		return pp_err_set(err, EPERM,
				  "cannot attach to process %d: permission denied; the process may be non-dumpable (setuid, prctl PR_SET_DUMPABLE): run pidprof as root or with CAP_SYS_PTRACE",
				  (int) pid);
	return pp_err_set(err, EPERM,
			  "cannot attach to process %d: %s (a security module such as SELinux or AppArmor may forbid ptrace)",
			  (int) pid, strerror(EPERM));
}

/* Seizes every thread not yet known (@adopt: takes those this thread
 * traces already).  Returns how many were added. */
static int
seize_new_threads(struct target *t, bool adopt, struct pp_err *err)
{
	pid_t *tids;
	size_t n, i;
	int added = 0;

	if (procfs_list_tasks(t->pid, &tids, &n, err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (find_tracee(t, tids[i]))
			continue;
		if (ptrace(PTRACE_SEIZE, tids[i], 0,
			   (void *) seize_options(t)) < 0) {
			int e = errno;

			if (e == ESRCH)
				continue;	/* exited meanwhile */
			if (e == EPERM && adopt && traced_by_us(tids[i])) {
				add_tracee(t, tids[i]);
				added++;
				continue;
			}
			if (e == EPERM && t->n == 0) {
				free(tids);
				return diagnose_eperm(t->pid, err);
			}
			if (e == EPERM)
				continue;	/* TRACECLONE seized it */
			free(tids);
			return pp_err_set(err, e,
					  "cannot attach to thread %d of process %d: %s",
					  (int) tids[i], (int) t->pid,
					  strerror(e));
		}
		add_tracee(t, tids[i]);
		added++;
	}
	free(tids);
	return added;
}

/*
 * A thread we stopped waits for this one to resume it.  When the tracer
 * shares the CPUs with the target's busy threads, the scheduler may let
 * a busy thread finish its time slice before the tracer runs again, and
 * the stopped thread then waits milliseconds instead of microseconds
 * (500 threads, 2 busy, 2 CPUs: p99 stop 4.6 ms, against 50 us with this
 * thread at nice -10).  Only this thread is raised, and only where it is
 * allowed (CAP_SYS_NICE); otherwise nothing changes.
 */
static void
boost_tracer(void)
{
	pid_t tid = (pid_t) syscall(SYS_gettid);
	int cur;

	errno = 0;
	cur = getpriority(PRIO_PROCESS, tid);
	if (errno == 0 && cur > TRACER_NICE)
		setpriority(PRIO_PROCESS, tid, TRACER_NICE);
}

/*
 * A thread that has stopped waits for the tracer, and on a host whose
 * CPUs are all busy even nice -10 can leave the tracer queued behind
 * other tasks for milliseconds: between a reaped stop and its
 * PTRACE_CONT, at the tick's start, or in its middle, so that the tick
 * falls behind.  While it samples, the tracer thread alone runs as
 * SCHED_FIFO at the lowest priority: it sleeps until the tick, chooses
 * the threads, takes their stops, unwinds and adds the stacks, and
 * sleeps again, and nothing of the time-sharing class delays it.  (It
 * must stay in the class through its sleep: a thread that leaves it is
 * at once queued behind the others, and the tick is late.)
 *
 * It is bounded so that the host is never starved: each tick may use
 * rt_budget_ns of CPU in the class (the sampler gives a tenth of the
 * period), and the stop round a budget of its own; past it the tick
 * goes on at nice -10 until the next one, but for the stop path of a
 * stop that comes late (tens of microseconds each): about 20 % of one
 * CPU at the very worst, while a tick of a few threads takes tens of
 * microseconds.
 * Work that is no tick's (maps and debug information, windows, output)
 * leaves the class.  RLIMIT_RTTIME makes the kernel end pidprof if it
 * ever ran RT_LIMIT_US in the class without blocking (the kernel then
 * detaches the target: SEIZE, no EXITKILL); SCHED_RESET_ON_FORK keeps
 * the class from any child.  Only where it is allowed (CAP_SYS_NICE or
 * RLIMIT_RTPRIO), and not with PIDPROF_RT=0.
 */
static bool
rt_set(bool on)
{
	struct sched_param sp = { .sched_priority = on ? TRACER_RT_PRIO : 0 };
	pid_t tid = (pid_t) syscall(SYS_gettid);

	return sched_setscheduler(tid, (on ? SCHED_FIFO : SCHED_OTHER) |
				  SCHED_RESET_ON_FORK, &sp) == 0;
}

static uint64_t
thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static void
rt_probe(struct target *t)
{
	const char *env = getenv("PIDPROF_RT");
	struct rlimit rl;

	t->rt_ok = false;
	if (env && strcmp(env, "0") == 0)
		return;
	if (getrlimit(RLIMIT_RTTIME, &rl) == 0 &&
	    (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > RT_LIMIT_US)) {
		rl.rlim_cur = RT_LIMIT_US;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < RT_LIMIT_US)
			rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_RTTIME, &rl) < 0)
			return;
	}
	if (rt_set(true))
		t->rt_ok = rt_set(false);
}

/* Enters the class, or, already in it, gives it a new CPU budget. */
static void
stop_window_begin(struct target *t)
{
	if (!t->rt_ok)
		return;
	t->rt_cpu0 = thread_cpu_ns();
	if (!t->rt_on)
		t->rt_on = rt_set(true);
}

void
target_rt_end(struct target *t)
{
	if (t->rt_on)
		rt_set(false);
	t->rt_on = false;
}

static void
stop_window_end(struct target *t)
{
	target_rt_end(t);
}

/* A window that used its CPU budget goes on at nice -10. */
void
target_rt_check(struct target *t)
{
	uint64_t budget = t->rt_budget_ns ? t->rt_budget_ns : RT_BUDGET_NS;

	if (t->rt_on && thread_cpu_ns() - t->rt_cpu0 > budget)
		target_rt_end(t);
}

static int
attach(struct target *t, pid_t pid, size_t stack_size, bool adopt,
       unsigned int flags, struct pp_err *err)
{
	sigset_t set;
	int added, pass;

	memset(t, 0, sizeof(*t));
	t->flags = flags;
	t->pid = pid;
	t->stack_size = stack_size;
	t->sigchld_fd = -1;
	if (procfs_check_target(pid, err) < 0)
		return -1;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	t->sigchld_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (t->sigchld_fd < 0)
		return pp_err_set(err, errno, "signalfd: %s", strerror(errno));

	target_link(t);
	/* Threads created while we list are caught by TRACECLONE once their
	 * parent is seized; rescan until a pass finds nothing new. */
	for (pass = 0; pass < 16; pass++) {
		added = seize_new_threads(t, adopt, err);
		if (added < 0) {
			target_release(t);
			return -1;
		}
		if (added == 0 && t->n > 0)
			break;
	}
	if (t->n == 0) {
		target_release(t);
		return pp_err_set(err, ESRCH, "no process with pid %d",
				  (int) pid);
	}
	if (procfs_read_maps(pid, &t->maps, err) < 0) {
		target_release(t);
		return -1;
	}
	boost_tracer();
	rt_probe(t);
	return 0;
}

int
target_attach(struct target *t, pid_t pid, size_t stack_size,
	      unsigned int flags, struct pp_err *err)
{
	return attach(t, pid, stack_size, false, flags, err);
}

int
target_adopt(struct target *t, pid_t pid, size_t stack_size,
	     unsigned int flags, struct pp_err *err)
{
	return attach(t, pid, stack_size, true, flags, err);
}

/* Copies the stack from just below SP to the end of its mapping, at most
 * stack_cap bytes: one process_vm_readv, no allocation. */
static void
read_stack(struct target *t, struct snapshot *s, uint64_t sp)
{
	const struct map_entry *vma = maps_find(&t->maps, sp);
	uint64_t base = sp >= SNAP_RED_ZONE ? sp - SNAP_RED_ZONE : 0;
	size_t want = s->stack_cap;
	struct iovec local, remote;
	ssize_t r;

	if (vma) {
		if (base < vma->start)
			base = vma->start;
		if (vma->end - base < want)
			want = vma->end - base;
		s->stack_limit = vma->end;
	} else {
		s->stack_limit = 0;
		t->maps_stale = true;
	}
	local.iov_base = s->stack;
	local.iov_len = want;
	remote.iov_base = (void *) (uintptr_t) base;
	remote.iov_len = want;
	r = process_vm_readv(t->pid, &local, 1, &remote, 1, 0);
	s->stack_base = base;
	s->stack_len = r > 0 ? (size_t) r : 0;
}

static void
mark_gone(struct tracee *tr)
{
	if (tr->stat_fd >= 0)
		close(tr->stat_fd);
	tr->stat_fd = -1;
	tr->gone = true;
	tr->interrupted = false;
	tr->stopped = false;
}

/*
 * A thread can fall asleep between the moment we saw it running and our
 * PTRACE_INTERRUPT.  If it went into epoll_wait, semop, sigtimedwait or
 * a socket call with a timeout, the interrupt makes that call fail with
 * EINTR (man 7 signal); so does a signal the target ignores (see
 * signal_stop()).  When the stop shows exactly that (a syscall just
 * returned -EINTR, and no signal of the thread's own is pending to
 * explain it), and the call is one that may be made again
 * (syscall_repeat_safe(): never close), put the thread back before the
 * syscall instruction so that it is made again: the target never sees
 * our EINTR.  Any other call keeps its EINTR.  Only ptrace requests and
 * a two-byte read: this is still the stop path.
 */
static bool
undo_our_eintr(struct target *t, struct tracee *tr,
	       struct user_regs_struct *regs)
{
	struct __ptrace_peeksiginfo_args q = { .off = 0, .nr = 1 };
	struct iovec iov = { regs, sizeof(*regs) }, local, remote;
	uint64_t args[6] = {
		regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8, regs->r9
	};
	unsigned char insn[2];
	siginfo_t si;

	if ((long) regs->orig_rax < 0 || (long) regs->rax != -EINTR ||
	    regs->rip < 2)
		return false;
	if (!syscall_repeat_safe((long) regs->orig_rax, args))
		return false;
	/* A pending signal explains the EINTR: it is the target's own. */
	q.flags = 0;
	if (ptrace(PTRACE_PEEKSIGINFO, tr->tid, &q, &si) != 0)
		return false;
	q.flags = PTRACE_PEEKSIGINFO_SHARED;
	if (ptrace(PTRACE_PEEKSIGINFO, tr->tid, &q, &si) != 0)
		return false;
	/* The thread must sit right after a syscall instruction. */
	local.iov_base = insn;
	local.iov_len = sizeof(insn);
	remote.iov_base = (void *) (uintptr_t) (regs->rip - 2);
	remote.iov_len = sizeof(insn);
	if (process_vm_readv(t->pid, &local, 1, &remote, 1, 0) != 2 ||
	    insn[0] != 0x0f || insn[1] != 0x05)
		return false;
	regs->rax = regs->orig_rax;
	regs->rip -= 2;
	if (ptrace(PTRACE_SETREGSET, tr->tid, (void *) NT_PRSTATUS, &iov) < 0)
		return false;
	tr->rewound_ip = regs->rip;
	t->syscalls_restarted++;
	return true;
}

/* Whether @regs show the call undo_our_eintr() set to be made again,
 * before the thread made it. */
static bool
still_rewound(const struct tracee *tr, const struct user_regs_struct *regs)
{
	return tr->rewound_ip && regs->rip == tr->rewound_ip &&
	       regs->rax == regs->orig_rax;
}

/* The stop path: registers, stack, resume.  Syscalls only. */
static void
snapshot_stopped(struct target *t, struct tracee *tr, uint64_t reaped_ns,
		 bool listen)
{
	struct snapshot *s = &tr->snap;
	struct iovec iov = { &s->regs, sizeof(s->regs) };
	uint64_t end;
	long rc;

	tr->interrupted = false;
	if (ptrace(PTRACE_GETREGSET, tr->tid, (void *) NT_PRSTATUS,
		   &iov) < 0) {
		s->how = SNAP_NONE;
	} else {
		read_stack(t, s, s->regs.rsp);
		s->how = SNAP_INTERRUPTED;
		s->syscall_nr = -1;
		if (!still_rewound(tr, &s->regs))
			tr->rewound_ip = 0;
		if ((long) s->regs.rax == -EINTR) {
			struct user_regs_struct fix = s->regs;

			undo_our_eintr(t, tr, &fix);
		}
	}
	rc = ptrace(listen ? PTRACE_LISTEN : PTRACE_CONT, tr->tid, 0, 0);
	end = now_ns();
	if (rc < 0 && errno == ESRCH)
		mark_gone(tr);
	tr->stopped = false;
	tr->late = !t->in_round;
	s->time_ns = reaped_ns;
	s->stop_ns = end - reaped_ns;
	s->wait_ns = reaped_ns - tr->interrupt_ns;
	s->total_ns = end - tr->interrupt_ns;
}

/* The stop path of an exit stop: registers and stack, no resume. */
static void
snapshot_exit(struct target *t, struct tracee *tr)
{
	struct snapshot *snap = &tr->snap;
	struct iovec iov = { &snap->regs, sizeof(snap->regs) };

	snap->how = SNAP_NONE;
	if (ptrace(PTRACE_GETREGSET, tr->tid, (void *) NT_PRSTATUS,
		   &iov) < 0)
		return;
	read_stack(t, snap, snap->regs.rsp);
	snap->how = SNAP_INTERRUPTED;
	snap->syscall_nr = -1;
	snap->wait_ns = 0;
	tr->exit_snapped = true;
}

static void
resume(struct tracee *tr, int request, int sig)
{
	if (ptrace(request, tr->tid, 0, (void *) (long) sig) < 0 &&
	    errno == ESRCH)
		mark_gone(tr);
	tr->stopped = false;
}

static bool
is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
	       sig == SIGTTOU;
}

/*
 * Whether the process ignores @sig now: SIG_IGN, or no handler and a
 * default action of ignoring it.  Read at each signal-delivery-stop, as
 * a handler may be installed at any time, from the stopped thread's own
 * status (a leader that has exited shows no dispositions).  When in
 * doubt, the answer is no: the signal is then passed on, as it was sent.
 */
static bool
target_ignores(const struct target *t, pid_t tid, int sig)
{
	char path[64], buf[4096];
	struct sig_disp d;
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int) t->pid,
		 (int) tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return false;
	buf[r] = '\0';
	return parse_sig_disp(buf, &d) == 0 && signal_is_ignored(sig, &d);
}

/*
 * A signal-delivery-stop.  The kernel drops a signal that an untraced
 * process ignores when it is sent, so no thread wakes; a traced thread
 * is woken first, and a call such as epoll_wait has already returned
 * EINTR when we see the stop.  Such a signal is dropped here instead of
 * passed on, and its EINTR undone where that is safe.  Every other
 * signal is passed on untouched, so a handler interrupts a call exactly
 * as it would untraced: if we had just set that call to be made again,
 * it gets its EINTR back, once.
 */
static void
signal_stop(struct target *t, struct tracee *tr, int sig)
{
	struct user_regs_struct regs;
	struct iovec iov = { &regs, sizeof(regs) };
	bool have_regs;

	have_regs = ptrace(PTRACE_GETREGSET, tr->tid, (void *) NT_PRSTATUS,
			   &iov) == 0;
	if (!have_regs || !still_rewound(tr, &regs))
		tr->rewound_ip = 0;
	if (target_ignores(t, tr->tid, sig)) {
		t->signals_suppressed++;
		if (have_regs && (long) regs.rax == -EINTR)
			undo_our_eintr(t, tr, &regs);
		resume(tr, PTRACE_CONT, 0);
		return;
	}
	if (tr->rewound_ip) {
		regs.rax = (uint64_t) -EINTR;
		regs.rip += 2;
		ptrace(PTRACE_SETREGSET, tr->tid, (void *) NT_PRSTATUS, &iov);
		tr->rewound_ip = 0;
	}
	t->signals_passed++;
	resume(tr, PTRACE_CONT, sig);
}

static uint64_t
timeval_ns(const struct timeval *tv)
{
	return (uint64_t) tv->tv_sec * 1000000000ull +
	       (uint64_t) tv->tv_usec * 1000;
}

static void
handle_status(struct target *t, pid_t tid, int status, uint64_t reaped_ns,
	      const struct rusage *ru)
{
	struct tracee *tr;
	struct target *leader;
	int event, sig;

	t = owner_of(t, tid, &tr);
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		if (tr)
			mark_gone(tr);
		else if (kids.n)
			kid_forget(tid);
		if (t->on_thread_exit)
			t->on_thread_exit(t->on_arg, tid);
		leader = tid == t->pid ? t : target_of_pid(tid);
		if (leader) {
			leader->leader_exited = true;
			leader->exit_status = status;
			leader->exit_cpu_ns = timeval_ns(&ru->ru_utime) +
					      timeval_ns(&ru->ru_stime);
		}
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	event = (unsigned int) status >> 16;
	sig = WSTOPSIG(status);

	if (!tr && kids.follow && kid_stop(tid, status))
		return;
	if (!tr) {
		/* A thread auto-attached by TRACECLONE, in its first stop,
		 * possibly reported before its parent's PTRACE_EVENT_CLONE.
		 * Resume it before allocating anything for it; its events
		 * are opened first (no allocation), so that it runs none of
		 * its instructions unsampled. */
		bool routed = false;

		leader = NULL;
		if (targets && targets->next) {
			/* Whose thread it is, when we follow several
			 * processes: read while it waits only where its
			 * process has events to open for it (a read of
			 * /proc, some microseconds); else once it runs. */
			for (leader = targets; leader; leader = leader->next)
				if (leader->on_thread_new)
					break;
			if (leader) {
				leader = target_of_pid(tgid_of(tid));
				routed = true;
			}
			if (leader)
				t = leader;
		}
		/* Not on another process's events: unknown is none. */
		if (t->on_thread_new && (!routed || leader))
			t->on_thread_new(t->on_arg, tid);
		if (ptrace(PTRACE_CONT, tid, 0, 0) < 0 && errno == ESRCH)
			return;
		if (targets && targets->next && !leader) {
			leader = target_of_pid(tgid_of(tid));
			if (leader)
				t = leader;
		}
		add_tracee(t, tid)->born_ns = reaped_ns;
		t->new_threads++;
		if (!t->young_ns)
			t->young_ns = reaped_ns;
		return;
	}
	tr->stopped = true;
	switch (event) {
	case PTRACE_EVENT_CLONE: {
		unsigned long msg = 0;

		ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg);
		resume(tr, PTRACE_CONT, 0);
		/* The new thread reports its own first stop; it is added
		 * then, as an unknown tid, once it runs again. */
		break;
	}
	case PTRACE_EVENT_STOP:
		if (is_stop_signal(sig)) {
			/* Group-stop: keep the job-control stop in force. */
			tr->group_stopped = true;
			if (tr->interrupted)
				snapshot_stopped(t, tr, reaped_ns, true);
			else
				resume(tr, PTRACE_LISTEN, 0);
		} else if (tr->interrupted) {
			snapshot_stopped(t, tr, reaped_ns, tr->group_stopped);
		} else {
			/* SIGCONT ended a group-stop, or a stale trap. */
			tr->group_stopped = false;
			resume(tr, PTRACE_CONT, 0);
		}
		break;
	case PTRACE_EVENT_EXIT:
		/* A thread born since the attach that no sample caught has
		 * its exit's stack for its own, through the stop path
		 * (registers and a stack copy), unless a stop of ours that
		 * the sampler has not taken yet is there; one there at the
		 * attach had its ticks (a command that ends before the
		 * first has no sample).  Resumed at once: it is a zombie
		 * until we reap it, so its /proc entry outlives the resume
		 * for on_thread_last.  No stop of ours comes any more (an
		 * interrupt sent is void). */
		if (tr->born_ns && !tr->sampled &&
		    tr->snap.how != SNAP_INTERRUPTED)
			snapshot_exit(t, tr);
		resume(tr, PTRACE_CONT, 0);
		if (tr->exit_snapped) {
			tr->snap.stop_ns = now_ns() - reaped_ns;
			tr->snap.total_ns = tr->snap.stop_ns;
			tr->snap.time_ns = reaped_ns;
		}
		tr->interrupted = false;
		tr->exiting = true;
		tr->exit_ns = reaped_ns;
		t->exit_stops++;
		if (t->on_thread_last)
			t->on_thread_last(t->on_arg, (size_t) (tr - t->t));
		break;
	case PTRACE_EVENT_EXEC:
		/* Every other thread is gone; the image is new. */
		t->exec_seen = true;
		resume(tr, PTRACE_CONT, 0);
		break;
	case 0:
		signal_stop(t, tr, sig);
		break;
	default:
		resume(tr, PTRACE_CONT, 0);
		break;
	}
}

static size_t
count_interrupted(const struct target *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->n; i++)
		if (t->t[i].interrupted && !t->t[i].gone)
			n++;
	return n;
}

/* Whether a target of this thread that wants to know has threads born
 * since its sampler looked. */
static bool
young_waiting(void)
{
	const struct target *o;

	for (o = targets; o; o = o->next)
		if (o->young_wake && o->young_ns)
			return true;
	return false;
}

/* Reaps stops as they arrive until none is awaited or @deadline passes;
 * a wait between ticks (!@until_all_reaped) also ends at a birth that a
 * sampler wants to know of (young_wake). */
static void
reap(struct target *t, uint64_t deadline, bool until_all_reaped)
{
	for (;;) {
		struct signalfd_siginfo si;
		struct pollfd pfd;
		struct timespec ts;
		struct rusage ru;
		int status;
		pid_t tid;
		int64_t left;

		while ((tid = wait4(-1, &status, __WALL | WNOHANG, &ru)) > 0)
			handle_status(t, tid, status, now_ns(), &ru);
		target_rt_check(t);
		if (tid < 0 && errno == ECHILD)
			return;
		if (until_all_reaped && count_interrupted(t) == 0)
			return;
		if (!until_all_reaped && young_waiting())
			return;
		left = (int64_t) (deadline - now_ns());
		if (left <= 0)
			return;
		pfd.fd = t->sigchld_fd;
		pfd.events = POLLIN;
		ts.tv_sec = left / 1000000000;
		ts.tv_nsec = left % 1000000000;
		/* SIGCHLD is a standard signal: one is pending at most, and
		 * one read clears it. */
		if (ppoll(&pfd, 1, &ts, NULL) > 0 &&
		    read(t->sigchld_fd, &si, sizeof(si)) < 0)
			continue;
	}
}

void
target_poll_events(struct target *t, uint64_t timeout_ns)
{
	/* Threads that reach their stop after the capture's deadline are
	 * resumed here, within the same bounds as in the stop window. */
	if (t->pending)
		stop_window_begin(t);
	reap(t, now_ns() + timeout_ns, false);
	stop_window_end(t);
	if (t->pending)
		t->pending = count_interrupted(t);
}

void
target_wait_tick(struct target *t, uint64_t timeout_ns)
{
	stop_window_begin(t);
	reap(t, now_ns() + timeout_ns, false);
	if (t->pending)
		t->pending = count_interrupted(t);
	/* The budget of the tick's start counts from its wake-up. */
	if (t->rt_on)
		t->rt_cpu0 = thread_cpu_ns();
}

/* The state letter of @tr, through a stat file kept open: two syscalls
 * fewer per thread and tick than opening it each time. */
static char
tracee_state(const struct target *t, struct tracee *tr)
{
	char buf[512];
	ssize_t r;

	if (tr->stat_fd < 0) {
		snprintf(buf, sizeof(buf), "/proc/%d/task/%d/stat",
			 (int) t->pid, (int) tr->tid);
		tr->stat_fd = open(buf, O_RDONLY | O_CLOEXEC);
		if (tr->stat_fd < 0)
			return 0;
	}
	r = pread(tr->stat_fd, buf, sizeof(buf) - 1, 0);
	if (r <= 0)
		return 0;
	buf[r] = '\0';
	return parse_stat_state(buf);
}

static void
interrupt(struct tracee *tr)
{
	tr->snap.how = SNAP_NONE;
	tr->interrupt_ns = now_ns();
	if (ptrace(PTRACE_INTERRUPT, tr->tid, 0, 0) < 0) {
		if (errno == ESRCH)
			mark_gone(tr);
		return;
	}
	tr->interrupted = true;
}

/*
 * A sleeping thread's stack cannot change while it sleeps, and the kernel
 * tells its SP and PC without stopping it; interrupting it instead would
 * make epoll_wait, semop, sigtimedwait and timed socket calls fail with
 * EINTR in the target.  The syscall record is read again after the copy:
 * if the thread woke up meanwhile, the copy is not trusted.
 * Returns false when the thread turned out to be running.
 */
static bool
snapshot_blocked(struct target *t, struct tracee *tr)
{
	struct snapshot *s = &tr->snap;
	struct syscall_state a, b;
	int tries;

	for (tries = 0; tries < 6; tries++) {
		if (procfs_thread_syscall(t->pid, tr->tid, &a) < 0) {
			if (!procfs_pid_exists(tr->tid))
				mark_gone(tr);
			return true;
		}
		/* Awake for a moment: a short wait usually finds it asleep
		 * again, and reading it beats interrupting it. */
		if (a.running && tries < 5) {
			struct timespec ts = { 0, 200000 };

			nanosleep(&ts, NULL);
			continue;
		}
		if (a.running)
			return false;
		memset(&s->regs, 0, sizeof(s->regs));
		s->regs.rsp = a.sp;
		s->regs.rip = a.pc;
		s->time_ns = now_ns();
		read_stack(t, s, a.sp);
		if (procfs_thread_syscall(t->pid, tr->tid, &b) < 0)
			return true;
		if (b.running)
			continue;
		if (b.sp == a.sp && b.pc == a.pc && b.nr == a.nr) {
			s->how = SNAP_BLOCKED;
			s->syscall_nr = a.nr;
			s->syscall_arg0 = a.args[0];
			s->stop_ns = 0;
			s->wait_ns = 0;
			s->total_ns = 0;
			return true;
		}
	}
	return true;
}

/* Interrupts the threads marked in @go, all at once, and reaps their
 * stops until @deadline: the stop window. */
static void
stop_round(struct target *t, const bool *go, size_t n, uint64_t deadline)
{
	bool in_tick = t->rt_on;
	size_t i;

	stop_window_begin(t);
	t->in_round = true;
	for (i = 0; i < n; i++)
		if (go[i] && !t->t[i].gone)
			interrupt(&t->t[i]);
	reap(t, deadline, true);
	t->in_round = false;
	/* A tick that is in the class stays in it. */
	if (!in_tick)
		stop_window_end(t);
}

void
target_reap_pending(struct target *t)
{
	struct pollfd pfd = { .fd = t->sigchld_fd, .events = POLLIN };
	struct signalfd_siginfo si;
	bool enter = false;

	if (!t->pending || t->sigchld_fd < 0)
		return;
	/* A stop makes SIGCHLD pending: one look at the signalfd, where a
	 * wait4 would go through every tracee (500 threads, a call every
	 * 16 of them: 2 ms of CPU a tick). */
	if (poll(&pfd, 1, 0) <= 0)
		return;
	/* Read first: a stop after the read leaves it pending again. */
	if (read(t->sigchld_fd, &si, sizeof(si)) < 0 && errno != EAGAIN)
		return;
	/* Past the tick's budget, the stop path still runs in the class. */
	if (t->rt_ok && !t->rt_on) {
		stop_window_begin(t);
		enter = true;
	}
	reap(t, 0, false);
	if (enter)
		stop_window_end(t);
	t->pending = count_interrupted(t);
}

int
target_capture(struct target *t, const bool *due, bool running_only,
	       uint64_t wait_ns, struct capture_stats *st)
{
	uint64_t deadline = now_ns() + wait_ns;
	uint64_t budget_end;
	size_t n = t->n, i, k;
	bool *blocked = xcalloc(n ? n : 1, sizeof(*blocked));
	bool *asked = xcalloc(n ? n : 1, sizeof(*asked));
	bool *run = xcalloc(n ? n : 1, sizeof(*run));
	bool *woke = xcalloc(n ? n : 1, sizeof(*woke));
	int again = 0;

	memset(st, 0, sizeof(*st));
	/* Every state first: no /proc read is made while a thread we
	 * interrupted may be waiting in its stop. */
	for (i = 0; i < n; i++) {
		struct tracee *tr;
		char state;

		if ((i & 15) == 15) {
			/* A stop that came late is not kept waiting
			 * behind the reads of every state.  (Reaping may
			 * add tracees: t->t may move.) */
			target_reap_pending(t);
			if ((i & 63) == 63)
				target_rt_check(t);
		}
		tr = &t->t[i];
		tr->deferred = false;
		if (tr->gone || tr->exiting || (due && !due[i])) {
			/* A late snapshot waits for a capture that wants
			 * it: the thread has not run since; so does that
			 * of an exit, for the sampler. */
			if (!tr->late && !tr->exiting)
				tr->snap.how = SNAP_NONE;
			continue;
		}
		asked[i] = true;
		if (tr->late && tr->snap.how == SNAP_INTERRUPTED) {
			/* It stopped after the last deadline: that stop
			 * is this capture's sample, not a second one. */
			tr->late = false;
			st->late++;
			continue;
		}
		tr->late = false;
		tr->snap.how = SNAP_NONE;
		if (tr->interrupted)
			continue;	/* its stop may come in this round */
		state = tracee_state(t, tr);
		if (state == 0 || state == 'Z' || state == 'X') {
			mark_gone(tr);
			continue;
		}
		tr->snap.state = state;
		if (state == 'R' && t->asleep_only) {
			asked[i] = false;	/* perf events sample it */
		} else if (state == 'R') {
			run[i] = true;
		} else if (running_only) {
			asked[i] = false;
			st->asleep++;
		} else {
			blocked[i] = true;
		}
	}
	/* Then every running thread is interrupted and reaped: only the
	 * stop path until the last is resumed or the deadline passes. */
	stop_round(t, run, n, deadline);
	t->pending = count_interrupted(t);

	/* Then the sleepers, without stopping them, for as long as the
	 * budget allows, starting where the last capture left off; those
	 * that woke up meanwhile go through the stop path after all, in a
	 * round of their own, so that none waits behind these reads. */
	budget_end = t->asleep_budget_ns ? now_ns() + t->asleep_budget_ns : 0;
	for (k = 0; k < n; k++) {
		struct tracee *tr;

		i = (t->asleep_next + k) % n;
		if (!blocked[i] || t->t[i].gone)
			continue;
		if (budget_end && now_ns() >= budget_end) {
			t->t[i].deferred = true;
			continue;
		}
		target_reap_pending(t);
		tr = &t->t[i];
		if (!snapshot_blocked(t, tr) && !t->asleep_only) {
			woke[i] = true;
			again++;
		}
	}
	if (n && budget_end) {
		/* The next capture starts with the first one left out. */
		for (k = 0; k < n; k++) {
			i = (t->asleep_next + k) % n;
			if (t->t[i].deferred)
				break;
		}
		t->asleep_next = k < n ? i : 0;
	}
	if (again) {
		uint64_t d = now_ns() + wait_ns;

		stop_round(t, woke, n, deadline > d ? deadline : d);
		t->pending = count_interrupted(t);
	}
	free(blocked);
	free(run);
	free(woke);

	for (i = 0; i < n; i++) {
		struct tracee *tr = &t->t[i];

		if (!asked[i])
			continue;
		if (tr->gone)
			st->gone++;
		else if (tr->snap.how == SNAP_INTERRUPTED)
			st->interrupted++;
		else if (tr->snap.how == SNAP_BLOCKED)
			st->blocked++;
		else if (tr->deferred)
			st->deferred++;
		else
			st->missed++;
	}
	free(asked);
	return 0;
}

bool
target_alive(const struct target *t)
{
	size_t i;

	if (t->leader_exited)
		return false;
	for (i = 0; i < t->n; i++)
		if (!t->t[i].gone)
			return true;
	return false;
}

int
spawn_command(char *const *argv, bool die_with_parent, struct spawned *sp,
	      struct pp_err *err)
{
	int go[2], fail[2], e = 0;
	pid_t parent = getpid();
	sigset_t none;
	pid_t pid;

	memset(sp, 0, sizeof(*sp));
	sp->go_fd = sp->fail_fd = -1;
	sp->name = argv[0];
	if (pipe2(go, O_CLOEXEC) < 0)
		return pp_err_set(err, errno, "pipe: %s", strerror(errno));
	if (pipe2(fail, O_CLOEXEC) < 0) {
		e = errno;
		close(go[0]); close(go[1]);
		return pp_err_set(err, e, "pipe: %s", strerror(e));
	}
	pid = fork();
	if (pid < 0) {
		e = errno;
		close(go[0]); close(go[1]); close(fail[0]); close(fail[1]);
		return pp_err_set(err, e, "fork: %s", strerror(e));
	}
	if (pid == 0) {
		char c;

		/* The command starts with a clean signal state (our stop
		 * handlers are not its own, even before the exec), then
		 * waits until it is seized, so its first instruction is
		 * seen. */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* If pidprof dies, even by SIGKILL, so does the command;
		 * a parent already gone before the prctl counts too. */
		if (die_with_parent &&
		    (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
		     getppid() != parent))
			_exit(127);
		close(go[1]);
		close(fail[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		execvp(argv[0], argv);
		e = errno;
		if (write(fail[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(fail[1]);
	sp->pid = pid;
	sp->go_fd = go[1];
	sp->fail_fd = fail[0];
	return 0;
}

static void
spawned_close(struct spawned *sp)
{
	if (sp->go_fd >= 0)
		close(sp->go_fd);
	if (sp->fail_fd >= 0)
		close(sp->fail_fd);
	sp->go_fd = sp->fail_fd = -1;
}

int
target_spawned(struct target *t, struct spawned *sp, size_t stack_size,
	       unsigned int flags, struct pp_err *err)
{
	pid_t pid = sp->pid;
	ssize_t r;
	int e = 0;

	memset(t, 0, sizeof(*t));
	t->flags = flags;
	t->stack_size = stack_size;
	t->sigchld_fd = -1;
	t->pid = pid;
	if (ptrace(PTRACE_SEIZE, pid, 0, (void *) seize_options(t)) < 0) {
		e = errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		sp->reaped = true;
		spawned_close(sp);
		return pp_err_set(err, e, "cannot trace the command: %s",
				  strerror(e));
	}
	target_link(t);
	add_tracee(t, pid);
	if (write(sp->go_fd, "x", 1) != 1)
		e = errno;
	/* EOF: the exec closed the pipe; an errno: it failed. */
	do
		r = read(sp->fail_fd, &e, sizeof(e));
	while (r < 0 && errno == EINTR);
	spawned_close(sp);
	if (r == sizeof(e)) {
		waitpid(pid, NULL, __WALL);
		sp->reaped = true;
		target_release(t);
		return pp_err_set(err, e, "cannot run %s: %s", sp->name,
				  strerror(e));
	}
	{
		sigset_t set;

		sigemptyset(&set);
		sigaddset(&set, SIGCHLD);
		t->sigchld_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
		if (t->sigchld_fd < 0) {
			e = errno;
			target_release(t);
			return pp_err_set(err, e, "signalfd: %s", strerror(e));
		}
	}
	/* The exec stop arrives now; the maps are those of the command
	 * only after it.  A command that is already gone is no error: it
	 * was just quick, and its exit status is in @t. */
	while (!t->exec_seen && target_alive(t))
		target_poll_events(t, 1000000);
	if (target_alive(t))
		procfs_read_maps(pid, &t->maps, NULL);
	/* After the fork: the command keeps the priority it was given. */
	boost_tracer();
	rt_probe(t);
	return 0;
}

int
target_spawn(struct target *t, char *const *argv, size_t stack_size,
	     unsigned int flags, struct pp_err *err)
{
	struct spawned sp;

	memset(t, 0, sizeof(*t));
	t->sigchld_fd = -1;
	if (spawn_command(argv, false, &sp, err) < 0)
		return -1;
	return target_spawned(t, &sp, stack_size, flags, err);
}

void
target_release(struct target *t)
{
	size_t i;

	/* Take the stops that are already pending, so nothing we caused is
	 * left behind; stops that come later are cleared by the kernel when
	 * this (tracer) thread exits. */
	if (t->sigchld_fd >= 0 && t->n)
		reap(t, now_ns(), false);
	for (i = 0; i < t->n; i++) {
		struct tracee *tr = &t->t[i];

		if (tr->stopped && !tr->gone)
			ptrace(PTRACE_DETACH, tr->tid, 0, 0);
		if (tr->stat_fd >= 0)
			close(tr->stat_fd);
		free(tr->snap.stack);
	}
	free(t->t);
	t->t = NULL;
	t->n = t->cap = 0;
	idtab_free(&t->tid_index);
	maps_free(&t->maps);
	if (t->sigchld_fd >= 0)
		close(t->sigchld_fd);
	t->sigchld_fd = -1;
	target_unlink(t);
}
