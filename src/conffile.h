/*
 * Configuration files: "key = value" lines, "[section]" headers, "#"
 * comment lines and ${VAR} taken from the environment.  The syntax only:
 * what a key means is its user's business.  Pure (the environment comes
 * through a callback), except config_read_file, which reads the file.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_CONFFILE_H
# define PIDPROF_CONFFILE_H

# include "common.h"
# include "err.h"

struct config_entry {
	const char *section;	/* the section's name, NULL before any */
	char *key, *value;
	int line;
};

struct config_section {
	char *name;		/* what is inside the brackets, trimmed */
	int line;
};

struct config {
	char *file;		/* the name used in messages */
	struct config_entry *v;
	size_t n, cap;
	struct config_section *sections;
	size_t nsections, sections_cap;
};

/* The value of environment variable @name, or NULL when it is unset. */
typedef const char *(*config_env_fn)(const char *name, void *arg);

/*
 * Parses @text (@len bytes) into @out; @file names it in error messages,
 * which read "FILE:LINE: what is wrong".  Values may be quoted ("...") to
 * keep leading or trailing blanks; ${NAME} is replaced by the value of
 * variable NAME (an error when it is unset), $$ by one $.
 */
int config_parse(const char *text, size_t len, const char *file,
		 config_env_fn env, void *arg, struct config *out,
		 struct pp_err *err);
/* Reads @path and parses it with the process environment. */
int config_read_file(const char *path, struct config *out,
		     struct pp_err *err);
void config_free(struct config *c);

#endif /* !PIDPROF_CONFFILE_H */
