/*
 * SIGINT, SIGTERM and SIGHUP as a request to stop: long-running commands
 * poll the flag, finish what they were doing, write their outputs and
 * let the target go.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_SIGNALS_H
# define PIDPROF_SIGNALS_H

# include <signal.h>

extern volatile sig_atomic_t stop_requested;
/* When set, the signals are sent on to this process (a command pidprof
 * started) instead of setting stop_requested: the run ends when it
 * does. */
extern volatile sig_atomic_t stop_forward_pid;

void stop_signals_install(void);
/* Blocks them in the calling thread, so that they reach the main one. */
void stop_signals_block(void);

#endif /* !PIDPROF_SIGNALS_H */
