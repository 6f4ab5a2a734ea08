#!/bin/sh
# Helpers of the push tests: run pidprof push in the background, wait for
# what the fake servers of receiver.py received, and have go tool pprof
# read every profile they kept.  Source after init.sh, receiver-lib.sh
# and pprof-lib.sh.
#
# SPDX-License-Identifier: GPL-2.0-or-later

# start_push ARGS...: starts pidprof push ARGS in the background, its
# stdout in $tmpdir/push.out and stderr in $tmpdir/push.err.  Sets
# $push_pid.
start_push() {
	printf 'pidprof push %s\n' "$*" > "$tmpdir/cmd"
	# Emptied here, not only by the redirection below: that one runs in
	# the child, later, and a wait for a line must not find the last
	# push's.
	: > "$tmpdir/push.out"
	: > "$tmpdir/push.err"
	"$PIDPROF" push "$@" > "$tmpdir/push.out" 2> "$tmpdir/push.err" &
	push_pid=$!
	track_pid "$push_pid"
}

# stop_push [SIGNAL]: sends SIGNAL (TERM) to the push started last and
# waits for it; its exit status in $rc, its stderr copied to
# $tmpdir/err (for show_last_run_).
stop_push() {
	kill -"${1:-TERM}" "$push_pid" 2>/dev/null
	reap_pid "$push_pid"
	rc=$?
	cp "$tmpdir/push.err" "$tmpdir/err"
}

# wait_push_exit: waits for the push started last to end by itself (at
# most 30 s); its status in $rc.
wait_push_exit() {
	i_=0
	while kill -0 "$push_pid" 2>/dev/null; do
		i_=$((i_ + 1))
		[ "$i_" -le 300 ] || fail_ "pidprof push did not end within 30 s"
		sleep 0.1
	done
	reap_pid "$push_pid"
	rc=$?
	cp "$tmpdir/push.err" "$tmpdir/err"
}

# accepted NAME: how many requests receiver NAME answered with 200 and
# stored with no problem (receiver.py: what a real server takes silently).
accepted() {
	received "$1" 'r["status"] == 200 and r["stored"] and not r["problems"]' |
		grep -c '^True$'
}

# wait_accepted NAME COUNT [SECONDS]: waits until receiver NAME accepted
# COUNT requests or more (at most SECONDS, default 30).
wait_accepted() {
	i_=0
	while [ "$(accepted "$1")" -lt "$2" ]; do
		# A refusal the receiver did not inject is final: a real
		# server refuses the same request again.
		r_=$(received "$1" 'r["status"] in (400, 404, 413, 422) and not r.get("error", "").startswith("injected") and r.get("error", "")' |
			grep -v '^False$' | head -n 1)
		[ -z "$r_" ] || fail_ "receiver $1 refused a push: $r_"
		i_=$((i_ + 1))
		[ "$i_" -le $((${3:-30} * 10)) ] ||
			fail_ "receiver $1 accepted $(accepted "$1") requests, not $2, in ${3:-30} s: $(cat "$tmpdir/push.err")"
		kill -0 "$push_pid" 2>/dev/null ||
			fail_ "pidprof push ended early: $(cat "$tmpdir/push.err")"
		sleep 0.1
	done
}

# check_profiles NAME: go tool pprof -raw reads every profile receiver
# NAME kept.
check_profiles() {
	n_=0
	for f_ in "$tmpdir/$1"/*.pb; do
		[ -f "$f_" ] || continue
		gopprof -raw "$f_"
		grep -q '^Samples:' "$tmpdir/pprof.out" ||
			fail_ "go tool pprof -raw ${f_##*/}: no samples"
		n_=$((n_ + 1))
	done
	[ "$n_" -gt 0 ] || fail_ "receiver $1 kept no profile"
}
