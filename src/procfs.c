/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "procfs.h"
#include "xmalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
procfs_read_file(const char *path, char **buf, size_t *len,
		 struct pp_err *err)
{
	size_t cap = 4096, n = 0;
	char *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return pp_err_set(err, errno, "cannot open %s: %s", path,
				  strerror(errno));
	p = xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			cap *= 2;
			p = xrealloc(p, cap);
		}
		r = read(fd, p + n, cap - n - 1);
		if (r < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			close(fd);
			free(p);
			return pp_err_set(err, e, "cannot read %s: %s", path,
					  strerror(e));
		}
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	p[n] = '\0';
	*buf = p;
	if (len)
		*len = n;
	return 0;
}

int
procfs_read_maps(pid_t pid, struct maps *out, struct pp_err *err)
{
	char path[64], *text;
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int) pid);
	if (procfs_read_file(path, &text, &len, err) < 0)
		return -1;
	rc = maps_parse(text, len, out, err);
	free(text);
	return rc;
}

static int
cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *) a, y = *(const pid_t *) b;

	return (x > y) - (x < y);
}

int
procfs_list_tasks(pid_t pid, pid_t **tids, size_t *n, struct pp_err *err)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	size_t cap = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int) pid);
	d = opendir(path);
	if (!d)
		return pp_err_set(err, errno, "cannot open %s: %s", path,
				  strerror(errno));
	*tids = NULL;
	*n = 0;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long t = strtol(de->d_name, &end, 10);

		if (*end || t <= 0)
			continue;
		*tids = xgrow(*tids, &cap, *n + 1, sizeof(**tids));
		(*tids)[(*n)++] = (pid_t) t;
	}
	closedir(d);
	qsort(*tids, *n, sizeof(**tids), cmp_pid);
	return 0;
}

static int
read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, buf, len - 1);
	close(fd);
	if (r < 0)
		return -1;
	buf[r] = '\0';
	return (int) r;
}

void
procfs_fd_link(pid_t pid, int fd, char *buf, size_t len)
{
	char path[64];
	ssize_t r;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int) pid, fd);
	r = readlink(path, buf, len - 1);
	buf[r > 0 ? r : 0] = '\0';
}

void
procfs_thread_comm(pid_t pid, pid_t tid, char *buf, size_t len)
{
	char path[64];
	int r;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int) pid,
		 (int) tid);
	r = read_small(path, buf, len);
	if (r <= 0) {
		buf[0] = '\0';
		return;
	}
	if (buf[r - 1] == '\n')
		buf[r - 1] = '\0';
}

char
parse_stat_state(const char *stat_text)
{
	/* The name in parentheses may hold ") ": search from the end. */
	const char *p = strrchr(stat_text, ')');

	if (!p || p[1] != ' ' || !p[2])
		return 0;
	return p[2];
}

unsigned long
parse_stat_flags(const char *stat_text)
{
	const char *p = strrchr(stat_text, ')');
	int field;

	if (!p || p[1] != ' ')
		return 0;
	/* state ppid pgrp session tty_nr tpgid, then flags */
	for (field = 0, p += 2; field < 6 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return p ? strtoul(p, NULL, 10) : 0;
}

char
procfs_thread_state(pid_t pid, pid_t tid)
{
	char path[64], buf[1024];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int) pid,
		 (int) tid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return 0;
	return parse_stat_state(buf);
}

int
parse_syscall(const char *text, struct syscall_state *out)
{
	long nr;
	unsigned long long a[6], sp, pc;

	memset(out, 0, sizeof(*out));
	if (strncmp(text, "running", 7) == 0) {
		out->running = true;
		return 0;
	}
	/* Blocked outside a syscall: "-1 SP PC". */
	if (sscanf(text, "%ld", &nr) == 1 && nr == -1) {
		if (sscanf(text, "%ld %llx %llx", &nr, &sp, &pc) != 3)
			return -1;
		out->nr = -1;
		out->sp = sp;
		out->pc = pc;
		return 0;
	}
	if (sscanf(text, "%ld %llx %llx %llx %llx %llx %llx %llx %llx",
		   &nr, &a[0], &a[1], &a[2], &a[3], &a[4], &a[5], &sp,
		   &pc) != 9)
		return -1;
	out->nr = nr;
	for (int i = 0; i < 6; i++)
		out->args[i] = a[i];
	out->sp = sp;
	out->pc = pc;
	return 0;
}

int
procfs_thread_syscall(pid_t pid, pid_t tid, struct syscall_state *out)
{
	char path[64], buf[512];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int) pid,
		 (int) tid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return -1;
	return parse_syscall(buf, out);
}

int
parse_status_field(const char *status_text, const char *key, char *buf,
		   size_t len)
{
	size_t klen = strlen(key);
	const char *p = status_text;

	while (p && *p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':') {
			const char *v = p + klen + 1;
			size_t n;

			while (*v == ' ' || *v == '\t')
				v++;
			n = strcspn(v, "\n");
			if (n >= len)
				n = len - 1;
			memcpy(buf, v, n);
			buf[n] = '\0';
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

int
procfs_status_field(pid_t pid, const char *key, char *buf, size_t len)
{
	char path[64], *text;
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
	if (procfs_read_file(path, &text, NULL, NULL) < 0)
		return -1;
	rc = parse_status_field(text, key, buf, len);
	free(text);
	return rc;
}

bool
procfs_pid_exists(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d", (int) pid);
	return access(path, F_OK) == 0;
}

int
procfs_check_target(pid_t pid, struct pp_err *err)
{
	char path[64], buf[1024], tgid[32];
	char state;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return pp_err_set(err, ESRCH, "no process with pid %d",
				  (int) pid);
	if (parse_stat_flags(buf) & PF_KTHREAD)
		return pp_err_set(err, EINVAL,
				  "PID %d is a kernel thread: nothing to profile",
				  (int) pid);
	if (procfs_status_field(pid, "Tgid", tgid, sizeof(tgid)) == 0 &&
	    atoi(tgid) != pid)
		return pp_err_set(err, EINVAL,
				  "%d is a thread of process %s; give the process id",
				  (int) pid, tgid);
	state = parse_stat_state(buf);
	if (state == 'Z' || state == 'X')
		return pp_err_set(err, ESRCH,
				  "process %d is a zombie: it has exited",
				  (int) pid);
	return 0;
}

uint64_t
procfs_thread_cpu_ns(pid_t pid, pid_t tid)
{
	char path[64], buf[128];
	unsigned long long ns;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int) pid,
		 (int) tid);
	if (read_small(path, buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "%llu", &ns) != 1)
		return 0;
	return ns;
}
