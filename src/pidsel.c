/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "pidsel.h"
#include "parse.h"
#include "procfs.h"
#include "xmalloc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool
pidsel_read_stat(pid_t pid, char *comm, size_t len, char *state,
	  unsigned long *flags)
{
	char path[64], *text, *open, *close;
	unsigned long f = 0;
	size_t n;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
	if (procfs_read_file(path, &text, NULL, NULL) < 0)
		return false;
	open = strchr(text, '(');
	close = strrchr(text, ')');
	if (!open || !close || close < open || close[1] != ' ') {
		free(text);
		return false;
	}
	n = close - open - 1;
	if (n >= len)
		n = len - 1;
	memcpy(comm, open + 1, n);
	comm[n] = '\0';
	*state = close[2];
	/* state ppid pgrp session tty_nr tpgid flags */
	for (field = 0, open = close + 2; field < 6 && open; field++) {
		open = strchr(open, ' ');
		if (open)
			open++;
	}
	if (open)
		f = strtoul(open, NULL, 10);
	*flags = f;
	free(text);
	return true;
}

/* Whether process @pid is called @name: its comm, or the file name of
 * its executable. */
static bool
named(pid_t pid, const char *name)
{
	char comm[64], path[64], exe[4096], *base;
	unsigned long flags;
	char state;
	ssize_t n;

	if (!pidsel_read_stat(pid, comm, sizeof(comm), &state, &flags) ||
	    state == 'Z' || state == 'X' || (flags & PF_KTHREAD))
		return false;
	if (strcmp(comm, name) == 0)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int) pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	if (n > 10 && strcmp(exe + n - 10, " (deleted)") == 0)
		exe[n - 10] = '\0';
	base = strrchr(exe, '/');
	return strcmp(base ? base + 1 : exe, name) == 0;
}

int
pidsel_by_name(const char *name, pid_t *out, size_t max, size_t *n,
	       struct pp_err *err)
{
	pid_t self = getpid();
	struct dirent *de;
	DIR *d = opendir("/proc");

	*n = 0;
	if (!d)
		return pp_err_set(err, errno, "cannot read /proc: %s",
				  strerror(errno));
	while ((de = readdir(d)) != NULL) {
		char *end;
		long pid;

		if (!isdigit((unsigned char) de->d_name[0]))
			continue;
		pid = strtol(de->d_name, &end, 10);
		if (*end || pid < 1 || pid == self || !named(pid, name))
			continue;
		if (*n < max)
			out[*n] = pid;
		(*n)++;
	}
	closedir(d);
	return 0;
}

int
pidsel_read_pidfile(const char *path, pid_t *pid, struct pp_err *err)
{
	char *text;
	const char *why;
	size_t len;

	if (procfs_read_file(path, &text, &len, err) < 0)
		return pp_err_set(err, err->errnum,
				  "cannot read the pidfile %s: %s", path,
				  strerror(err->errnum));
	text[strcspn(text, "\n")] = '\0';
	len = strlen(text);
	while (len && isspace((unsigned char) text[len - 1]))
		text[--len] = '\0';
	if (parse_pid(text + strspn(text, " \t"), pid, &why) < 0) {
		pp_err_set(err, EINVAL, "the pidfile %s holds no process id ('%.40s': %s)",
			   path, text, why);
		free(text);
		return -1;
	}
	free(text);
	return 0;
}

/* The parent of live process @pid (no zombie), from /proc/PID/stat; 0
 * when gone. */
static pid_t
parent_of(pid_t pid)
{
	char path[64], *text, *close;
	pid_t ppid = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
	if (procfs_read_file(path, &text, NULL, NULL) < 0)
		return 0;
	close = strrchr(text, ')');
	/* ") S PPID ..." */
	if (close && close[1] == ' ' && close[2] && close[2] != 'Z' &&
	    close[2] != 'X' && close[3] == ' ')
		ppid = (pid_t) strtol(close + 4, NULL, 10);
	free(text);
	return ppid;
}

int
pidsel_descendants(pid_t *pids, size_t *n, size_t max, struct pp_err *err)
{
	pid_t self = getpid(), *all = NULL, *parent = NULL;
	size_t nall = 0, cap = 0, pcap = 0, i, j;
	struct dirent *de;
	DIR *d = opendir("/proc");
	bool grew;

	if (!d)
		return pp_err_set(err, errno, "cannot read /proc: %s",
				  strerror(errno));
	while ((de = readdir(d)) != NULL) {
		char *end;
		long pid;
		pid_t pp;

		if (!isdigit((unsigned char) de->d_name[0]))
			continue;
		pid = strtol(de->d_name, &end, 10);
		if (*end || pid < 1 || pid == self)
			continue;
		pp = parent_of((pid_t) pid);
		if (!pp)
			continue;
		all = xgrow(all, &cap, nall + 1, sizeof(*all));
		parent = xgrow(parent, &pcap, nall + 1, sizeof(*parent));
		all[nall] = (pid_t) pid;
		parent[nall++] = pp;
	}
	closedir(d);
	/* Until a pass adds nothing: a child may come before its parent
	 * in /proc's order. */
	do {
		grew = false;
		for (i = 0; i < nall && *n < max; i++) {
			if (!all[i])
				continue;
			for (j = 0; j < *n && pids[j] != parent[i]; j++)
				;
			if (j == *n)
				continue;
			for (j = 0; j < *n && pids[j] != all[i]; j++)
				;
			if (j == *n) {
				pids[(*n)++] = all[i];
				grew = true;
			}
			all[i] = 0;
		}
	} while (grew && *n < max);
	free(all);
	free(parent);
	return 0;
}

int
pidsel_resolve(struct pidsel *ps, struct pp_err *err)
{
	size_t i, j, k, nfound;
	pid_t pid, *found;

	ps->truncated = false;
	for (i = 0; i < ps->npidfiles; i++) {
		if (pidsel_read_pidfile(ps->pidfiles[i], &pid, err) < 0)
			return -1;
		if (pid == getpid())
			return pp_err_set(err, EINVAL,
					  "the pidfile %s names pidprof itself",
					  ps->pidfiles[i]);
		for (j = 0; j < *ps->n && ps->pids[j] != pid; j++)
			;
		if (j < *ps->n)
			continue;
		if (*ps->n == ps->max) {
			ps->truncated = true;
			break;
		}
		ps->pids[(*ps->n)++] = pid;
	}
	found = xcalloc(ps->max + 1, sizeof(*found));
	for (i = 0; i < ps->nnames; i++) {
		if (pidsel_by_name(ps->names[i], found, ps->max, &nfound,
				   err) < 0) {
			free(found);
			return -1;
		}
		if (!nfound) {
			free(found);
			return pp_err_set(err, ESRCH,
					  "no process is named %s (its name or its executable's)",
					  ps->names[i]);
		}
		for (k = 0; k < nfound && k < ps->max; k++) {
			for (j = 0; j < *ps->n && ps->pids[j] != found[k];
			     j++)
				;
			if (j < *ps->n)
				continue;
			if (*ps->n == ps->max) {
				ps->truncated = true;
				break;
			}
			ps->pids[(*ps->n)++] = found[k];
		}
	}
	free(found);
	if (ps->children && *ps->n < ps->max) {
		if (pidsel_descendants(ps->pids, ps->n, ps->max, err) < 0)
			return -1;
		/* Full: some may have been left out. */
		if (*ps->n == ps->max)
			ps->truncated = true;
	}
	return 0;
}

size_t
pidsel_new_by_name(const char *const *names, size_t nnames, pid_t *pids,
		   size_t *n, size_t max)
{
	pid_t *found = xcalloc(max + 1, sizeof(*found));
	struct pp_err err;
	size_t i, j, k, nfound, added = 0;

	for (i = 0; i < nnames; i++) {
		if (pidsel_by_name(names[i], found, max, &nfound, &err) < 0)
			continue;
		for (k = 0; k < nfound && k < max && *n < max; k++) {
			for (j = 0; j < *n && pids[j] != found[k]; j++)
				;
			if (j < *n)
				continue;
			pids[(*n)++] = found[k];
			added++;
		}
	}
	free(found);
	return added;
}

int
pidsel_resolve_args(struct pid_args *a, struct pp_err *err)
{
	struct pidsel ps = {
		.pids = a->pids, .n = &a->npids, .max = PIDSEL_MAX_PIDS,
		.names = a->names, .nnames = a->nnames,
		.pidfiles = a->pidfiles, .npidfiles = a->npidfiles,
		.children = a->children,
	};

	/* --max-processes bounds the descendants too (where given). */
	if (a->children && a->max_processes &&
	    a->max_processes < PIDSEL_MAX_PIDS)
		ps.max = a->max_processes > a->npids ? a->max_processes :
			 a->npids;

	if (pidsel_resolve(&ps, err) < 0)
		return -1;
	if (!ps.truncated)
		return 0;
	pp_err_set(err, E2BIG, "more than %zu processes: the others are left out",
		   ps.max);
	return 1;
}
