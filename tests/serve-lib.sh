#!/bin/sh
# Helpers of the serve tests: a test PKI made with openssl, pidprof serve
# in the background, and curl against it (loopback or a unix socket
# only).  Sourced after init.sh.
#
# SPDX-License-Identifier: GPL-2.0-or-later

require_curl() {
	command -v curl > /dev/null 2>&1 || skip_ "curl is needed"
}

require_openssl() {
	command -v openssl > /dev/null 2>&1 || skip_ "openssl is needed"
}

# make_certs: in $tmpdir/pki, a CA (ca.pem), a server certificate for
# 127.0.0.1 that it signed (server.pem, server.key), a client certificate
# it signed (client.pem, client.key), and a self-signed client
# certificate of no CA of ours (rogue.pem, rogue.key).  EC keys: fast.
make_certs() {
	pki=$tmpdir/pki
	mkdir -p "$pki"
	ec_='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes'
	(
		cd "$pki" || exit 1
		openssl req -x509 $ec_ -keyout ca.key -out ca.pem \
			-subj /CN=pidprof-test-ca -days 2 &&
		printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext &&
		openssl req $ec_ -keyout server.key -out server.csr \
			-subj /CN=127.0.0.1 &&
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
			-CAcreateserial -out server.pem -days 2 \
			-extfile server.ext &&
		printf 'extendedKeyUsage=clientAuth\n' > client.ext &&
		openssl req $ec_ -keyout client.key -out client.csr \
			-subj /CN=pidprof-test-client &&
		openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key \
			-CAcreateserial -out client.pem -days 2 \
			-extfile client.ext &&
		openssl req -x509 $ec_ -keyout rogue.key -out rogue.pem \
			-subj /CN=rogue -days 2
	) > "$tmpdir/openssl.log" 2>&1 ||
		framework_failure_ "openssl could not make the test certificates: $(tail -n 5 "$tmpdir/openssl.log")"
}

# start_serve ARGS...: pidprof serve ARGS in the background, stderr in
# $serve_err (a new file each time); waits (at most 30 s) for its "serving process" line.  Sets
# $serve_pid and $serve_url (scheme://127.0.0.1:PORT, for TCP).
nserves_=0
start_serve() {
	nserves_=$((nserves_ + 1))
	serve_err=$tmpdir/serve$nserves_.err
	: > "$serve_err"
	printf 'pidprof serve %s\n' "$*" > "$tmpdir/cmd"
	"$PIDPROF" serve "$@" > "$tmpdir/serve.out" 2> "$serve_err" &
	serve_pid=$!
	track_pid "$serve_pid"
	i_=0
	until grep -q 'serving process' "$serve_err" 2>/dev/null; do
		if ! kill -0 "$serve_pid" 2>/dev/null; then
			cp "$serve_err" "$tmpdir/err"
			framework_failure_ "pidprof serve exited before serving: $(cat "$serve_err")"
		fi
		i_=$((i_ + 1))
		[ "$i_" -le 600 ] ||
			framework_failure_ "pidprof serve not serving after 30 s"
		sleep 0.05
	done
	serve_url=$(sed -n 's|.* on \(https*://[^/]*\)/debug/pprof/.*|\1|p' \
		"$serve_err" | head -n 1)
}

# stop_serve [SIGNAL]: signals pidprof serve (TERM by default), waits at
# most 30 s for it, sets $rc to its exit status.
stop_serve() {
	kill -"${1:-TERM}" "$serve_pid" 2>/dev/null
	wait_serve
}

# wait_serve: waits (at most 30 s) for pidprof serve to exit by itself;
# $rc is its exit status.
wait_serve() {
	i_=0
	while kill -0 "$serve_pid" 2>/dev/null &&
	      [ "$(task_state_ "/proc/$serve_pid")" != Z ]; do
		i_=$((i_ + 1))
		[ "$i_" -le 300 ] || fail_ "pidprof serve did not exit in 30 s"
		sleep 0.1
	done
	reap_pid "$serve_pid"
	rc=$?
	cp "$serve_err" "$tmpdir/err"
}

# http_get OUT URL [CURL ARGS...]: curl URL into OUT; $code is the HTTP
# status ("000" when there was no answer), $curl_rc curl's exit status.
http_get() {
	out_=$1
	url_=$2
	shift 2
	code=$(curl -sS --max-time 60 -o "$out_" -w '%{http_code}' "$@" \
		"$url_" 2> "$tmpdir/curl.err")
	curl_rc=$?
}

# expect_code CODE WHAT: the last http_get answered CODE.
expect_code() {
	[ "$code" = "$1" ] ||
		fail_ "$2: expected HTTP $1, got $code (curl exit $curl_rc: $(cat "$tmpdir/curl.err")); the server said: $(tail -n 40 "$serve_err" 2>/dev/null)"
}

# assert_never_stopped PID: no thread of PID is in a stop (t or T) now,
# looked at 10 times over a second.
assert_never_stopped() {
	n_=0
	while [ "$n_" -lt 10 ]; do
		for t_ in /proc/$1/task/*; do
			case $(task_state_ "$t_") in
			t|T) fail_ "thread ${t_##*/} of $1 is stopped while pidprof serve idles" ;;
			esac
		done
		n_=$((n_ + 1))
		sleep 0.1
	done
}
