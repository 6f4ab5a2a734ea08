/*
 * Readers of /proc/PID: tasks, thread names and states, status fields,
 * maps, and the blocked-syscall record.  The parse_* functions are pure.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_PROCFS_H
# define PIDPROF_PROCFS_H

# include "common.h"
# include "err.h"
# include "maps.h"

/* /proc/PID/task/TID/syscall: what a blocked thread is doing. */
struct syscall_state {
	bool running;		/* "running": no record, the thread is on CPU */
	long nr;		/* syscall number, -1 outside a syscall */
	uint64_t args[6];
	uint64_t sp, pc;	/* user stack pointer and return address */
};

/* Reads a whole (small) file; *buf is NUL-terminated and must be freed. */
int procfs_read_file(const char *path, char **buf, size_t *len,
		     struct pp_err *err);
int procfs_read_maps(pid_t pid, struct maps *out, struct pp_err *err);
int procfs_list_tasks(pid_t pid, pid_t **tids, size_t *n, struct pp_err *err);
/* Thread name from comm; "" when the thread is gone. */
void procfs_thread_comm(pid_t pid, pid_t tid, char *buf, size_t len);
/* One-letter state from stat (R, S, D, T, t, Z, X, I); 0 when gone. */
char procfs_thread_state(pid_t pid, pid_t tid);
int procfs_thread_syscall(pid_t pid, pid_t tid, struct syscall_state *out);
/* What /proc/PID/fd/FD links to ("socket:[123]", a path); "" when it
 * cannot be read. */
void procfs_fd_link(pid_t pid, int fd, char *buf, size_t len);
/* Value of "Key:" in /proc/PID/status, trimmed; -1 when absent. */
int procfs_status_field(pid_t pid, const char *key, char *buf, size_t len);
bool procfs_pid_exists(pid_t pid);
/*
 * What every command that takes a PID checks before it reads or attaches:
 * a process with that id exists, @pid is the process and not one of its
 * threads, it has not exited (a zombie), and it is no kernel thread
 * (nothing to profile).  The error's errnum is ESRCH when there is no
 * such process (or only its zombie), EINVAL otherwise.
 */
int procfs_check_target(pid_t pid, struct pp_err *err);
/* CPU time of a thread in ns (schedstat's first field); 0 when gone. */
uint64_t procfs_thread_cpu_ns(pid_t pid, pid_t tid);

char parse_stat_state(const char *stat_text);
/* /proc/PID/stat flags: a kernel thread. */
# define PF_KTHREAD	0x00200000
/* The flags field of /proc/PID/stat (PF_*); 0 when unreadable. */
unsigned long parse_stat_flags(const char *stat_text);
int parse_syscall(const char *text, struct syscall_state *out);
int parse_status_field(const char *status_text, const char *key,
		       char *buf, size_t len);

#endif /* !PIDPROF_PROCFS_H */
