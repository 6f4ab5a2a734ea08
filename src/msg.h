/*
 * The only writer of diagnostics: every message goes to stderr in one
 * write, prefixed with "pidprof: ".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_MSG_H
# define PIDPROF_MSG_H

# include "common.h"
# include "err.h"

void msg_set_verbose(int level);
int msg_verbose(void);

void error_msg(const char *fmt, ...) ATTR_FORMAT(1, 2);
void warning_msg(const char *fmt, ...) ATTR_FORMAT(1, 2);
void info_msg(const char *fmt, ...) ATTR_FORMAT(1, 2);
void debug_msg(const char *fmt, ...) ATTR_FORMAT(1, 2);
/* Prints the error text of @e, prefixed with the context when not NULL. */
void error_msg_err(const struct pp_err *e);
/* An outcome @rc of a call that sets @e: -1 says @e as an error, 1 as a
 * warning (done, with something to say).  Returns -1 on error, else 0. */
int msg_outcome(int rc, const struct pp_err *e);
/* A live status line on a terminal: rewritten in place. */
void status_msg(const char *fmt, ...) ATTR_FORMAT(1, 2);
void status_clear(void);
/* The command whose --help a usage error points to (NULL: the global
 * one). */
void msg_set_command(const char *command);
/* A usage error: the message, then a hint to the command's --help. */
void usage_error_msg(const char *fmt, ...) ATTR_FORMAT(1, 2);
/* Every message printed after this shows "***" in place of @secret (a
 * token or password of 3 characters or more), whoever prints it. */
void msg_add_secret(const char *secret);
void msg_clear_secrets(void);

#endif /* !PIDPROF_MSG_H */
