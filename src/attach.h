/*
 * ptrace control of a live target: seize every thread, follow new ones,
 * take snapshots through the stop path, and let go.
 *
 * Every function here must be called from one and the same thread, the
 * tracer: the kernel ties a ptrace relationship to the task that made it.
 * When that thread exits, the kernel detaches every tracee that is not
 * in a ptrace-stop without waking it, so a thread sleeping in epoll_wait
 * is released without the EINTR an explicit PTRACE_DETACH (which needs a
 * stop) would cause.  target_release() relies on this.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_ATTACH_H
# define PIDPROF_ATTACH_H

# include "common.h"
# include "err.h"
# include "idtab.h"
# include "maps.h"
# include "snapshot.h"

struct tracee {
	pid_t tid;
	bool gone;		/* exited, or ESRCH on a request */
	bool interrupted;	/* PTRACE_INTERRUPT sent, stop not reaped yet */
	bool stopped;		/* in a ptrace-stop we have not resumed */
	bool group_stopped;	/* in a job-control stop (we LISTEN) */
	bool deferred;		/* asleep, due, left to a later capture */
	/* snap was taken when a stop came outside its capture's round
	 * (after the deadline): the next capture that wants this thread
	 * takes it as it is */
	bool late;
	uint64_t interrupt_ns;	/* when PTRACE_INTERRUPT was sent */
	int stat_fd;		/* task/TID/stat, kept open: read every tick */
	uint64_t rewound_ip;	/* syscall we set to be made again, not yet */
	struct snapshot snap;	/* the last snapshot; buffer allocated once */
};

struct target {
	pid_t pid;
	struct tracee *t;
	size_t n, cap;
	/* tid -> index in t + 1, so that a status of waitpid(-1) finds its
	 * tracee without a search over every thread (threads that are gone
	 * stay in it until target_forget_gone, but never match) */
	struct idtab tid_index;
	size_t stack_size;	/* bytes copied above SP per snapshot */
	struct maps maps;	/* for clamping stack reads to their mapping */
	bool maps_stale;	/* an SP fell outside every known mapping */
	int sigchld_fd;		/* signalfd: wakes the reaper on tracee stops */
	unsigned int new_threads;	/* followed since attach */
	unsigned int signals_passed;	/* signal-delivery-stops re-injected */
	unsigned int syscalls_restarted;	/* EINTRs we caused, undone */
	unsigned int signals_suppressed;	/* ignored ones, dropped */
	bool exec_seen;		/* the target called execve: maps changed */
	bool leader_exited;	/* the process is gone */
	int exit_status;	/* its wait status, once leader_exited */
	uint64_t exit_cpu_ns;	/* CPU it used in all, when it was our child */
	/* Sleeping threads read per capture, at most this long (0: all);
	 * the others wait for the next capture, oldest first. */
	uint64_t asleep_budget_ns;
	size_t asleep_next;	/* where the next capture's reading starts */
	size_t pending;		/* interrupted, not stopped by the deadline */
	bool in_round;		/* interrupting and reaping a capture's due */
	/* The tick and stop window in SCHED_FIFO (see attach.c) */
	bool rt_ok, rt_on;
	uint64_t rt_cpu0;	/* tracer CPU when the budget began */
	uint64_t rt_budget_ns;	/* its CPU in the class at most (0: 1 ms) */
	/* Events (doc/following.md), called in the tracer thread:
	 * on_thread_new at a new thread's first stop, before it runs;
	 * on_thread_exit when its exit is reaped. */
	void (*on_thread_new)(void *arg, pid_t tid);
	void (*on_thread_exit)(void *arg, pid_t tid);
	void *on_arg;
	/* Captures read sleeping threads only and stop none: perf events
	 * sample the running ones. */
	bool asleep_only;
	/* The targets of one tracer thread share its reaper: waitpid(-1)
	 * returns the tids of all of them, and each status goes to the
	 * target that owns the tid (see attach.c: owner_of). */
	struct target *next;
	bool linked;
};

struct capture_stats {
	unsigned int interrupted;	/* snapshots through the stop path */
	unsigned int blocked;		/* of sleeping threads, not stopped */
	unsigned int missed;		/* did not stop before the deadline */
	unsigned int asleep;		/* asleep, left alone (running_only) */
	unsigned int gone;		/* exited during the round */
	unsigned int deferred;		/* asleep, left to a later capture */
	unsigned int late;		/* snapshots of stops that came after
					 * the last capture's deadline */
};

/*
 * Initialises @t and seizes every thread of @pid (never stopping it),
 * rescanning /proc/PID/task until no new thread appears.  The sigchld
 * signal must already be blocked in every thread (target_block_sigchld).
 * Errors are diagnosed: another tracer, another user, yama, seccomp.
 */
int target_attach(struct target *t, pid_t pid, size_t stack_size,
		  struct pp_err *err);
/*
 * The same for a process this thread traces already: a child of a
 * followed process, seized by the kernel (--children), running.
 */
int target_adopt(struct target *t, pid_t pid, size_t stack_size,
		 struct pp_err *err);
/*
 * --children, for every target of this thread from now on: processes
 * they fork are followed (PTRACE_O_TRACEFORK, TRACEVFORK), @room of them
 * at most; those beyond are let go in their first stop.  The new ones
 * are resumed and wait to be adopted: target_take_children moves up to
 * @max of their pids to @out and returns how many.
 */
void target_follow_children(size_t room);
size_t target_take_children(pid_t *out, size_t max);
/* Takes one of the room left (a process followed again after its
 * execve); false when there is none. */
bool target_children_reserve(void);
/* How many children were let go for want of room. */
size_t target_children_let_go(void);
/*
 * A command forked but not running yet: it waits on a pipe until a
 * tracer has seized it, so that its first instruction is seen.
 */
struct spawned {
	pid_t pid;		/* 0: none */
	int go_fd;		/* a byte written here lets it exec */
	int fail_fd;		/* EOF: the exec worked; an int: its errno */
	const char *name;	/* argv[0], for messages */
	bool reaped;		/* its exit status was collected */
};
/*
 * Forks @argv's child, which waits for target_spawned() before its
 * execvp.  With @die_with_parent, the child gets SIGKILL when the thread
 * that forked it exits (PR_SET_PDEATHSIG): call it from the thread that
 * lives as long as pidprof, so that the command is never left behind.
 */
int spawn_command(char *const *argv, bool die_with_parent,
		  struct spawned *sp, struct pp_err *err);
/*
 * Seizes the child of spawn_command() before it runs its first
 * instruction, lets it exec and sets up @t for it.  In the tracer
 * thread.  Closes the pipes of @sp.
 */
int target_spawned(struct target *t, struct spawned *sp, size_t stack_size,
		   struct pp_err *err);
/* spawn_command() and target_spawned() in one, from the tracer thread. */
int target_spawn(struct target *t, char *const *argv, size_t stack_size,
		 struct pp_err *err);
/*
 * Takes one snapshot of every live thread (or of those with due[i] set,
 * when @due is not NULL; due[] is indexed like t->t at the call): running
 * ones through the stop path (interrupt all, then reap in arrival order
 * for up to @wait_ns), sleeping ones without stopping them.  Results are
 * in t->t[i].snap (how == SNAP_NONE where none was taken).
 */
/* With @running_only, due threads found asleep are left alone (their
 * snapshot stays SNAP_NONE with state set): cpu mode wants stacks of
 * threads on a CPU only. */
int target_capture(struct target *t, const bool *due, bool running_only,
		   uint64_t wait_ns, struct capture_stats *st);
static inline int
target_capture_all(struct target *t, int deadline_ms,
		   struct capture_stats *st)
{
	return target_capture(t, NULL, false,
			      (uint64_t) deadline_ms * 1000000u, st);
}
/* Resumes the threads that were interrupted but reached their stop only
 * after the capture's deadline, without waiting: call it between pieces
 * of other work, so that no stopped thread waits behind that work. */
void target_reap_pending(struct target *t);
/* Frees what the threads that are gone held and closes the gaps, so a
 * target that makes and ends threads all day costs no more than it
 * needs.  Fills map[i] with the new index of tracee i, SIZE_MAX when it
 * was dropped, and returns how many were.  Only between captures. */
size_t target_forget_gone(struct target *t, size_t *map);
/* Whether any thread of the target is still there. */
bool target_alive(const struct target *t);
/* Handles ptrace events (new threads, signals to pass on) for up to
 * @timeout_ns: the way to wait between ticks. */
void target_poll_events(struct target *t, uint64_t timeout_ns);
/* Like target_poll_events, for the wait before a tick: in the real-time
 * class where allowed (see attach.c), which it keeps when it returns, so
 * that the tick does its work without waiting for a CPU, and gives the
 * tick a new CPU budget in it.  target_rt_check() leaves the class once
 * the budget is used; the caller leaves it with target_rt_end() before
 * work that is no tick's. */
void target_wait_tick(struct target *t, uint64_t timeout_ns);
void target_rt_end(struct target *t);
void target_rt_check(struct target *t);
/* Resumes what we stopped, forgets the tracees and frees @t.  The rest of
 * the detach happens when the tracer thread exits (see above). */
void target_release(struct target *t);

/* Blocks SIGCHLD in the calling thread; call in main before any thread. */
void target_block_sigchld(void);
/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);

#endif /* !PIDPROF_ATTACH_H */
