/*
 * /proc parsers: maps, stat, syscall, status, on captured text.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "maps.h"
#include "procfs.h"
#include "profile.h"
#include "syscalls.h"
#include "unit.h"

static const char maps_text[] =
	"55d4c5a00000-55d4c5a02000 r--p 00000000 fd:01 1234                       /usr/bin/my prog\n"
	"55d4c5a02000-55d4c5a05000 r-xp 00002000 fd:01 1234                       /usr/bin/my prog\n"
	"55d4c6000000-55d4c6021000 rw-p 00000000 00:00 0                          [heap]\n"
	"7f0000000000-7f0000001000 r-xp 00000000 08:02 99                         /tmp/gone (deleted)\n"
	"7f0000001000-7f0000002000 rw-s 00000000 00:05 7                          /dev/zero (deleted)\n"
	"7f0000002000-7f0000003000 rw-p 00000000 00:00 0 \n"
	"7f0000003000-7f0000004000 r--p 00000000 00:00 0                          [anon:my arena]\n"
	"7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]\n"
	"7ffd00100000-7ffd00102000 r-xp 00000000 00:00 0                          [vdso]\n";

static void
test_maps(void)
{
	struct maps m;
	struct pp_err err;
	const struct map_entry *e;

	CHECK(maps_parse(maps_text, sizeof(maps_text) - 1, &m, &err) == 0,
	      "%s", err.text);
	CHECK(m.n == 9, "%zu entries", m.n);
	CHECK_STREQ(m.v[0].path, "/usr/bin/my prog");
	CHECK(m.v[1].pgoff == 0x2000 && (m.v[1].perms & MAP_PERM_X), "exec");
	CHECK(m.v[1].inode == 1234 && m.v[1].dev_major == 0xfd &&
	      m.v[1].dev_minor == 1, "dev/inode");
	CHECK(m.v[3].deleted, "deleted flag");
	CHECK_STREQ(m.v[3].path, "/tmp/gone");
	CHECK(m.v[4].perms & MAP_PERM_SHARED, "shared");
	CHECK_STREQ(m.v[5].path, "");
	CHECK(!map_is_file(&m.v[5]) && map_is_file(&m.v[0]), "is_file");
	CHECK_STREQ(m.v[6].path, "[anon:my arena]");
	e = maps_find(&m, 0x55d4c5a02010);
	CHECK(e == &m.v[1], "find in exec mapping");
	CHECK(maps_find(&m, 0x55d4c5a05000) == NULL, "end is exclusive");
	CHECK(maps_find(&m, 0x7ffd00100fff) == &m.v[8], "vdso");
	CHECK(maps_find(&m, 0x10) == NULL, "below all");
	maps_free(&m);

	CHECK(maps_parse("garbage\n", 8, &m, &err) < 0, "malformed");
	CHECK(strstr(err.text, "line 1") != NULL, "%s", err.text);
	CHECK(maps_parse("1000-2000 r--p 0 0:0 0\nzz\n", 25, &m, &err) < 0,
	      "malformed second line");
	CHECK(strstr(err.text, "line 2") != NULL, "%s", err.text);
	CHECK(maps_parse("", 0, &m, &err) == 0 && m.n == 0, "empty");
	maps_free(&m);
}

static void
test_stat(void)
{
	CHECK(parse_stat_state("123 (bash) S 1 2 3") == 'S', "plain");
	CHECK(parse_stat_state("123 (a) R (b) D 1 2") == 'D',
	      "a ') ' inside the name");
	CHECK(parse_stat_state("123 (x)") == 0, "truncated");
}

static void
test_syscall(void)
{
	struct syscall_state s;

	CHECK(parse_syscall("running\n", &s) == 0 && s.running, "running");
	CHECK(parse_syscall("-1 0x7ffd1000 0x401000\n", &s) == 0 &&
	      s.nr == -1 && s.sp == 0x7ffd1000 && s.pc == 0x401000,
	      "blocked outside a syscall");
	CHECK(parse_syscall("232 0x3 0x7ffc 0x1 0x64 0x0 0x0 0x7ffd2000 0x7f00aa\n",
			    &s) == 0 && s.nr == 232 && s.args[3] == 0x64 &&
	      s.sp == 0x7ffd2000 && s.pc == 0x7f00aa, "epoll_wait");
	CHECK(parse_syscall("232 0x3\n", &s) < 0, "short");
}

static void
test_status(void)
{
	static const char text[] = "Name:\tcat\nTgid:\t42\nTracerPid:\t0\n"
				   "Uid:\t1000\t1000\t1000\t1000\n";
	char buf[32];

	CHECK(parse_status_field(text, "Tgid", buf, sizeof(buf)) == 0, "Tgid");
	CHECK_STREQ(buf, "42");
	CHECK(parse_status_field(text, "Uid", buf, sizeof(buf)) == 0, "Uid");
	CHECK_STREQ(buf, "1000\t1000\t1000\t1000");
	CHECK(parse_status_field(text, "Tracer", buf, sizeof(buf)) < 0,
	      "a prefix is not a key");
	CHECK(parse_status_field(text, "VmRSS", buf, sizeof(buf)) < 0,
	      "absent");
}

static void
test_wait_frames(void)
{
	char buf[96];

	CHECK(fd_kind_from_link("socket:[12345]") == FD_KIND_SOCKET, "socket");
	CHECK(fd_kind_from_link("pipe:[7]") == FD_KIND_PIPE, "pipe");
	CHECK(fd_kind_from_link("anon_inode:[eventfd]") == FD_KIND_EVENTFD,
	      "eventfd");
	CHECK(fd_kind_from_link("anon_inode:[eventpoll]") == FD_KIND_EPOLL,
	      "epoll");
	CHECK(fd_kind_from_link("/dev/pts/3") == FD_KIND_TTY, "tty");
	CHECK(fd_kind_from_link("/dev/null") == FD_KIND_DEVICE, "device");
	CHECK(fd_kind_from_link("/var/log/x (deleted)") == FD_KIND_FILE,
	      "file");
	CHECK(fd_kind_from_link("") == FD_KIND_NONE, "unreadable");

	wait_frame_name(wait_frame_pc(232, -1, FD_KIND_NONE), buf,
			sizeof(buf));
	CHECK_STREQ(buf, "[wait: epoll_wait]");
	wait_frame_name(wait_frame_pc(0, 12, FD_KIND_SOCKET), buf,
			sizeof(buf));
	CHECK_STREQ(buf, "[wait: read fd=12 socket]");
	wait_frame_name(wait_frame_pc(0, 0, FD_KIND_NONE), buf, sizeof(buf));
	CHECK_STREQ(buf, "[wait: read fd=0]");
	wait_frame_name(wait_frame_pc(999, -1, FD_KIND_NONE), buf,
			sizeof(buf));
	CHECK_STREQ(buf, "[wait: syscall_999]");
	CHECK(profile_pc_is_wait(wait_frame_pc(202, -1, FD_KIND_NONE)),
	      "a wait pc is marked");
	CHECK(syscall_waits_on_fd(45) && !syscall_waits_on_fd(202),
	      "recvfrom waits on a descriptor, futex does not");
}

int
main(void)
{
	test_maps();
	test_stat();
	test_syscall();
	test_status();
	test_wait_frames();
	return unit_done("unit-procfs");
}
