/*
 * Names of the x86_64 system calls that threads are commonly found
 * sleeping in.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_SYSCALLS_H
# define PIDPROF_SYSCALLS_H

/* NULL when the number is not in the table. */
const char *syscall_name(long nr);

#endif /* !PIDPROF_SYSCALLS_H */
