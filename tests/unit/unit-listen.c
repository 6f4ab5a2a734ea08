/*
 * --listen values of serve: addresses, ports, unix sockets, and which
 * of them stay on this host; and the escaping of what a client sent
 * before it goes to the log.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "httpd.h"
#include "unit.h"

#include <arpa/inet.h>
#include <netinet/in.h>

int
main(void)
{
	static const struct {
		const char *in;
		int ok;
		int family;
		int port;
		int loopback;
	} rows[] = {
		{ "127.0.0.1:6060", 1, AF_INET, 6060, 1 },
		{ "127.1.2.3:0", 1, AF_INET, 0, 1 },
		{ "localhost:80", 1, AF_INET, 80, 1 },
		{ "0.0.0.0:6060", 1, AF_INET, 6060, 0 },
		{ "192.0.2.7:443", 1, AF_INET, 443, 0 },
		{ "[::1]:6060", 1, AF_INET6, 6060, 1 },
		{ "[::]:6060", 1, AF_INET6, 6060, 0 },
		/* mapped IPv4: bound as IPv4 */
		{ "[::ffff:127.0.0.1]:1", 1, AF_INET, 1, 1 },
		{ "[::ffff:192.0.2.7]:2", 1, AF_INET, 2, 0 },
		{ "[2001:db8::1]:65535", 1, AF_INET6, 65535, 0 },
		{ "unix:/run/pidprof.sock", 1, AF_UNIX, 0, 1 },
		{ "127.0.0.1", 0, 0, 0, 0 },
		{ "127.0.0.1:", 0, 0, 0, 0 },
		{ "127.0.0.1:65536", 0, 0, 0, 0 },
		{ "127.0.0.1:-1", 0, 0, 0, 0 },
		{ "127.0.0.1:80x", 0, 0, 0, 0 },
		{ ":6060", 0, 0, 0, 0 },
		{ "::1:6060", 0, 0, 0, 0 },
		{ "[::1]6060", 0, 0, 0, 0 },
		{ "example.com:80", 0, 0, 0, 0 },
		{ "unix:", 0, 0, 0, 0 },
	};
	char longpath[200];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct http_listen l;
		const char *why = NULL;
		int rc = http_listen_parse(rows[i].in, &l, &why);
		int port = -1;

		CHECK((rc == 0) == rows[i].ok, "'%s': %d (%s)", rows[i].in,
		      rc, why ? why : "");
		if (rc != 0 || !rows[i].ok) {
			CHECK(rc != 0 || why != NULL, "'%s': no reason",
			      rows[i].in);
			continue;
		}
		CHECK(l.addr.ss_family == rows[i].family, "'%s': family %d",
		      rows[i].in, l.addr.ss_family);
		if (l.addr.ss_family == AF_INET) {
			struct sockaddr_in *in = (void *) &l.addr;

			port = ntohs(in->sin_port);
		} else if (l.addr.ss_family == AF_INET6) {
			struct sockaddr_in6 *in6 = (void *) &l.addr;

			port = ntohs(in6->sin6_port);
		}
		if (rows[i].family != AF_UNIX)
			CHECK(port == rows[i].port, "'%s': port %d",
			      rows[i].in, port);
		CHECK(l.loopback == rows[i].loopback, "'%s': loopback %d",
		      rows[i].in, l.loopback);
		CHECK(l.unix_socket == (rows[i].family == AF_UNIX),
		      "'%s': unix %d", rows[i].in, l.unix_socket);
	}
	{
		struct http_listen l;
		const char *why = NULL;

		CHECK(http_listen_parse("unix:/run/pidprof.sock", &l,
					&why) == 0, "unix");
		CHECK_STREQ(l.path, "/run/pidprof.sock");
	}
	memset(longpath, 'a', sizeof(longpath) - 1);
	memcpy(longpath, "unix:/", 6);
	longpath[sizeof(longpath) - 1] = '\0';
	{
		struct http_listen l;
		const char *why = NULL;

		CHECK(http_listen_parse(longpath, &l, &why) < 0,
		      "a socket path past sun_path");
		CHECK_STREQ(why, "the socket path is too long");
	}
	{
		static const struct {
			const char *in, *out;
			size_t size;
		} esc[] = {
			{ "/debug/pprof/heap?x=1", "/debug/pprof/heap?x=1", 64 },
			{ "/x\npidprof: process 1 exited",
			  "/x\\x0apidprof: process 1 exited", 64 },
			{ "a\rb\tc\x1b[31md\x7f", "a\\x0db\\x09c\\x1b[31md\\x7f",
			  64 },
			{ "back\\slash", "back\\x5cslash", 64 },
			{ "caf\xc3\xa9", "caf\\xc3\\xa9", 64 },
			{ "", "", 1 },
			{ "abcdef", "abc", 4 },
			/* never half an escape */
			{ "ab\n", "ab", 6 },
			{ "ab\n", "ab\\x0a", 7 },
		};
		char out[64];

		for (size_t i = 0; i < sizeof(esc) / sizeof(esc[0]); i++) {
			memset(out, '#', sizeof(out));
			CHECK(http_log_escape(esc[i].in, out, esc[i].size) ==
			      out, "escape returns its buffer");
			CHECK_STREQ(out, esc[i].out);
		}
	}
	return unit_done("unit-listen");
}
