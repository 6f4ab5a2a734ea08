#!/bin/sh
# Sourced by every *.test script (the idea of strace's tests/init.sh).
#
# Exit statuses, as automake's test driver reads them:
#   0 pass, 1 fail (fail_), 77 skip (skip_), 99 hard error (framework_failure_)
#
# Environment (set by tests/Makefile.am, defaults for a manual run from
# the tests build directory):
#   PIDPROF       the binary under test
#   srcdir        the tests source directory, abs_builddir the build one
#   GO            the go tool, empty if there is none
#   KEEP_TMP=1    keep the temporary directory of a failed test
#
# Each test gets a private directory $tmpdir under the build directory.
# A trap removes it at exit, after it has SIGKILLed every process the test
# started in the background (targets, helpers, pidprof runs), so that no
# stopped or traced process is ever left behind.
#
# SPDX-License-Identifier: GPL-2.0-or-later

ME_=${0##*/}
ME_=${ME_%.test}
LC_ALL=C
export LC_ALL
unset DEBUGINFOD_URLS CDPATH

warn_() { printf '%s\n' "$*" >&2; }

# Shows the last pidprof run in the test log.
show_last_run_() {
	[ -n "${tmpdir-}" ] && [ -f "$tmpdir/cmd" ] || return 0
	warn_ "--- last command: $(cat "$tmpdir/cmd") (exit status ${rc-?})"
	if [ -s "$tmpdir/err" ]; then
		warn_ "--- its stderr:"
		head -n 50 "$tmpdir/err" >&2
	fi
	if [ -s "$tmpdir/out" ]; then
		warn_ "--- its stdout (first 200 lines):"
		head -n 200 "$tmpdir/out" >&2
	fi
	warn_ "---"
}

fail_() { warn_ "$ME_: failed test: $*"; show_last_run_; exit 1; }
skip_() { warn_ "$ME_: skipped test: $*"; exit 77; }
framework_failure_() { warn_ "$ME_: framework failure: $*"; show_last_run_; exit 99; }

: "${srcdir:=.}"
abs_srcdir=$(cd "$srcdir" && pwd) ||
	framework_failure_ "no source directory '$srcdir'"
: "${abs_builddir:=$(pwd)}"
: "${PIDPROF:=$abs_builddir/../src/pidprof}"
export srcdir abs_srcdir abs_builddir PIDPROF

[ -x "$PIDPROF" ] || framework_failure_ "pidprof binary '$PIDPROF' not found"

bg_pids_=
target_pids_=
ntargets_=0

cleanup_() {
	status_=$?
	trap '' HUP INT TERM
	for p_ in $target_pids_ $bg_pids_; do
		kill -KILL "$p_" 2>/dev/null
	done
	for p_ in $target_pids_ $bg_pids_; do
		wait "$p_" 2>/dev/null
	done
	for d_ in ${bg_dirs_-}; do
		rm -rf "$d_"
	done
	if [ "$status_" -ne 0 ] && [ "$status_" -ne 77 ] &&
	   [ -n "${KEEP_TMP-}" ]; then
		warn_ "$ME_: kept $tmpdir"
	else
		cd "$abs_builddir" && rm -rf "$tmpdir"
	fi
	exit "$status_"
}

tmpdir=$abs_builddir/$ME_.dir
rm -rf "$tmpdir"
mkdir "$tmpdir" || framework_failure_ "cannot create $tmpdir"
trap cleanup_ 0
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# Remembers a background process for the cleanup trap.
track_pid() { bg_pids_="$bg_pids_ $1"; }

# reap_pid PID: waits for a tracked background process (killed or about to
# end) and forgets it, as its pid may then be reused.  Returns its status.
reap_pid() {
	wait "$1"
	st_=$?
	l_=
	for p_ in $bg_pids_; do
		[ "$p_" = "$1" ] || l_="$l_ $p_"
	done
	bg_pids_=$l_
	return "$st_"
}

# kill_pid PID: SIGKILLs a tracked background process and reaps it.
kill_pid() {
	kill -KILL "$1" 2>/dev/null
	reap_pid "$1" 2>/dev/null
}

# Skips the test when this system does not let us ptrace.
require_ptrace() {
	if [ -r /proc/sys/kernel/yama/ptrace_scope ] &&
	   [ "$(cat /proc/sys/kernel/yama/ptrace_scope)" = 3 ]; then
		skip_ "ptrace is disabled (kernel.yama.ptrace_scope = 3)"
	fi
	[ -x "$abs_builddir/ptrace-probe" ] ||
		framework_failure_ "$abs_builddir/ptrace-probe is not built"
	"$abs_builddir/ptrace-probe" 2> "$tmpdir/ptrace-probe.err" ||
		skip_ "ptrace does not work here: $(cat "$tmpdir/ptrace-probe.err")"
}

# binary_for_nobody: sets $nobody_bin to a path of $PIDPROF that user
# nobody (65534) can run: $PIDPROF itself, or, when a directory above it
# is closed to others (a 0700 home), a copy in a directory of its own
# under $TMPDIR, removed at the end of the test.  Needs root and setpriv.
binary_for_nobody() {
	nobody_bin=$PIDPROF
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		test -x "$PIDPROF" 2>/dev/null && return 0
	nobody_dir_=$(mktemp -d "${TMPDIR:-/tmp}/pidprof-nobody.XXXXXX") ||
		return 1
	bg_dirs_="${bg_dirs_-} $nobody_dir_"
	chmod 755 "$nobody_dir_" && cp "$PIDPROF" "$nobody_dir_/pidprof" &&
		nobody_bin=$nobody_dir_/pidprof
}

# python3 reads the JSON output (tests/json-frames.py).  The system's one
# is preferred: a version manager's shim costs a lot per call.
require_python3() {
	if [ -z "${PYTHON-}" ]; then
		if [ -x /usr/bin/python3 ]; then
			PYTHON=/usr/bin/python3
		else
			PYTHON=python3
		fi
	fi
	"$PYTHON" -c 'import json' > /dev/null 2>&1 ||
		skip_ "python3 is needed to read JSON output"
}

# xmllint (libxml2-utils) judges every SVG: well-formed XML.
require_xmllint() {
	command -v xmllint > /dev/null 2>&1 ||
		skip_ "xmllint (libxml2-utils) is needed to check SVG files"
}

# xml_ok FILE: FILE is well-formed XML, per xmllint.
xml_ok() {
	xmllint --noout "$1" 2> "$tmpdir/xmllint.err" ||
		fail_ "${1##*/} is not well-formed XML: $(head -n 5 "$tmpdir/xmllint.err")"
}

# Single-character state of a task from its stat file ("" if gone).
task_state_() {
	sed -n 's/.*) \([A-Za-z]\) .*/\1/p' "$1/stat" 2>/dev/null
}

process_alive_() {
	st_=$(task_state_ "/proc/$1")
	[ -n "$st_" ] && [ "$st_" != Z ] && [ "$st_" != X ]
}

# start_target PROG [ARGS...]
# Starts PROG in the background with stdout in $target_out, stderr in
# $target_err, and waits (at most 30 s) until it printed "ready".
# Sets $target_pid.
start_target() {
	ntargets_=$((ntargets_ + 1))
	target_out=$tmpdir/target$ntargets_.out
	target_err=$tmpdir/target$ntargets_.err
	: > "$target_out"
	"$@" > "$target_out" 2> "$target_err" &
	target_pid=$!
	target_pids_="$target_pids_ $target_pid"
	wait_ready "$target_pid" "$target_out" "$1"
}

# wait_ready PID FILE [NAME]: waits (at most 30 s) for "ready" in FILE.
wait_ready() {
	i_=0
	until grep -qx ready "$2" 2>/dev/null; do
		process_alive_ "$1" ||
			framework_failure_ "${3:-process $1} exited before it was ready: $(cat "$target_err" 2>/dev/null)"
		i_=$((i_ + 1))
		[ "$i_" -le 600 ] ||
			framework_failure_ "${3:-process $1} not ready after 30 s"
		sleep 0.05
	done
}

# counter FILE SLOT: prints the progress counter SLOT of a target
# (see target.h: unsigned 64-bit counters at offset 8 * SLOT).
counter() {
	v_=$(od -An -t u8 -j $((8 * $2)) -N 8 "$1" 2>/dev/null | tr -d ' \n')
	[ -n "$v_" ] || framework_failure_ "cannot read counter $2 of $1"
	printf '%s\n' "$v_"
}

# assert_counter FILE SLOT VALUE [WHAT]: the counter has exactly VALUE.
assert_counter() {
	v_=$(counter "$1" "$2")
	[ "$v_" = "$3" ] ||
		fail_ "${4:-counter $2}: expected $3, got $v_"
}

# assert_progress FILE SLOT...: every listed counter advances (the owning
# thread still runs).  Waits at most 30 s: a busy machine is no failure.
assert_progress() {
	f_=$1
	shift
	for s_; do
		eval "b_$s_=\$(counter \"\$f_\" \"\$s_\")"
	done
	i_=0
	while :; do
		late_=
		for s_; do
			eval "b_=\$b_$s_"
			[ "$(counter "$f_" "$s_")" -gt "$b_" ] || late_="$late_ $s_"
		done
		[ -z "$late_" ] && return 0
		i_=$((i_ + 1))
		[ "$i_" -le 300 ] ||
			fail_ "no progress of counter(s)$late_ in ${f_##*/} within 30 s"
		sleep 0.1
	done
}

# assert_running PID: every thread of PID runs on, untraced: its state is
# not t, T, Z or X and its TracerPid is 0.  Waits at most 10 s for that
# (the kernel detaches asynchronously when a tracer is SIGKILLed).
assert_running() {
	i_=0
	while :; do
		bad_=
		found_=
		for t_ in /proc/$1/task/*; do
			[ -d "$t_" ] || continue
			found_=1
			st_=$(task_state_ "$t_")
			tp_=$(sed -n 's/^TracerPid:[[:space:]]*//p' "$t_/status" 2>/dev/null)
			case $st_ in
			''|t|T|Z|X) bad_="$bad_ ${t_##*/}:state=${st_:-gone}" ;;
			esac
			[ "$tp_" = 0 ] || bad_="$bad_ ${t_##*/}:TracerPid=${tp_:-?}"
		done
		[ -n "$found_" ] || fail_ "process $1 is gone"
		[ -z "$bad_" ] && return 0
		i_=$((i_ + 1))
		[ "$i_" -le 100 ] ||
			fail_ "process $1 not running freely after 10 s:$bad_"
		sleep 0.1
	done
}

# switches_ PID TID: the voluntary context switches of a thread.
switches_() {
	v_=$(sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' \
		"/proc/$1/task/$2/status" 2>/dev/null)
	[ -n "$v_" ] || framework_failure_ "no voluntary_ctxt_switches of $2"
	printf '%s\n' "$v_"
}

# unstopped_begin PID PROGRESS ... unstopped_end WHAT PERCENT EXTRA:
# between the two, target-threads' sleeper and epoller were not stopped.
# A thread blocked in nanosleep or epoll_wait makes one voluntary context
# switch per return of its call (slots 2 and 3); a ptrace stop adds one
# more, and the kernel restarts the interrupted call, so no EINTR shows
# it.  Allowed: the returns, plus PERCENT % of them, plus EXTRA (the
# stops of the times pidprof finds a thread awake, or woken and waiting
# for a CPU on a loaded machine: at most about one per return; a sampler
# that stops sleeping threads adds one per tick).
unstopped_begin() {
	us_pid_=$1 us_prog_=$2
	us_s_=$(tid_of "$1" sleeper) us_e_=$(tid_of "$1" epoller)
	us_s0_=$(switches_ "$1" "$us_s_") us_r20_=$(counter "$2" 2)
	us_e0_=$(switches_ "$1" "$us_e_") us_r30_=$(counter "$2" 3)
}
unstopped_end() {
	ds_=$(($(switches_ "$us_pid_" "$us_s_") - us_s0_))
	dr2_=$(($(counter "$us_prog_" 2) - us_r20_))
	de_=$(($(switches_ "$us_pid_" "$us_e_") - us_e0_))
	dr3_=$(($(counter "$us_prog_" 3) - us_r30_))
	[ "$ds_" -le $((dr2_ + dr2_ * $2 / 100 + $3)) ] ||
		fail_ "$1: the sleeping sleeper was stopped: $ds_ context switches for $dr2_ nanosleep returns"
	[ "$de_" -le $((dr3_ + dr3_ * $2 / 100 + $3)) ] ||
		fail_ "$1: the sleeping epoller was stopped: $de_ context switches for $dr3_ epoll_wait returns"
}

# wait_traced PID: waits (at most 30 s) until PID has a tracer, then
# prints the tracer's tid.  A fixed sleep is not enough on a loaded
# machine: attaching and loading symbols can take seconds there.
wait_traced() {
	i_=0
	while :; do
		tp_=$(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
		[ -n "$tp_" ] && [ "$tp_" != 0 ] && break
		i_=$((i_ + 1))
		[ "$i_" -le 600 ] || framework_failure_ "process $1 not traced after 30 s"
		sleep 0.05
	done
	printf '%s\n' "$tp_"
}

# tid_of PID NAME: the thread of PID whose comm is NAME.
tid_of() {
	for t_ in /proc/$1/task/*; do
		if [ "$(cat "$t_/comm" 2>/dev/null)" = "$2" ]; then
			printf '%s\n' "${t_##*/}"
			return 0
		fi
	done
	framework_failure_ "process $1 has no thread named $2"
}

# run_pidprof ARGS...: runs $PIDPROF; stdout in $tmpdir/out, stderr in
# $tmpdir/err, exit status in $rc.  Never fails by itself.
run_pidprof() {
	printf 'pidprof %s\n' "$*" > "$tmpdir/cmd"
	"$PIDPROF" "$@" > "$tmpdir/out" 2> "$tmpdir/err"
	rc=$?
}

# run_dump ARGS...: run_pidprof ARGS, again (5 runs at most) while pidprof
# reports a thread that it could not capture at all (exit status 1 and a
# "(no stack: ...)" line, or "capture": "none" in JSON): on a loaded
# machine a running thread may not stop before pidprof's deadline, which
# is no error of the kind the tests look for.
run_dump() {
	n_=0
	while :; do
		run_pidprof "$@"
		[ "$rc" = 1 ] &&
		grep -Eq '^  \(no stack: |"capture": *"none"' "$tmpdir/out" ||
			return 0
		n_=$((n_ + 1))
		[ "$n_" -lt 5 ] || return 0
		warn_ "$ME_: a thread was not captured, trying again: $(grep -E -m 1 -B 1 '^  \(no stack: ' "$tmpdir/out" | tr '\n' ' ')"
		sleep 0.2
	done
}

# expect_rc N: the last run_pidprof exited with status N.
expect_rc() {
	[ "$rc" = "$1" ] || fail_ "expected exit status $1, got $rc"
}

# line_of FILE MARKER: the line number of the one line of $srcdir/FILE
# holding MARKER (a fixed string).
line_of() {
	l_=$(grep -n -F -e "$2" "$abs_srcdir/$1" | cut -d: -f1)
	case $l_ in
	''|*[!0-9]*) framework_failure_ "marker '$2' not found once in $1" ;;
	esac
	printf '%s\n' "$l_"
}

# ere_escape STRING: STRING as an extended regular expression.
ere_escape() {
	printf '%s\n' "$1" | sed 's/[].[\*^$+?(){}|/]/\\&/g'
}

# thread_block FILE TID|NAME: the lines of one thread in dump's text
# output (from its "Thread" header to the blank line after it).
thread_block() {
	awk -v id="$2" '
		/^Thread / { inb = ($2 == id || $3 == "(" id ")") }
		/^$/ { inb = 0 }
		inb { print }' "$1"
}

# frame_re N FUNC FILE LINE MODULE [inlined]: an ERE for the text line of
# frame #N (FUNC and MODULE are EREs, FILE a basename, any directory).
frame_re() {
	inl_=
	[ "${6-}" = inlined ] && inl_=' \(inlined\)'
	printf '^  #%s  0x[0-9a-f]{16} in %s at ([^ ]*/)?%s:%s%s \[%s\]$\n' \
		"$1" "$2" "$(ere_escape "$3")" "$4" "$inl_" "$5"
}

# expect_frame BLOCKFILE N FUNC FILE LINE MODULE [inlined]
expect_frame() {
	re_=$(frame_re "$2" "$3" "$4" "$5" "$6" "${7-}")
	grep -Eq -e "$re_" "$1" ||
		fail_ "frame #$2 should be $3 at $4:$5 [$6]${7:+ ($7)}, thread:
$(cat "$1")"
}

# json_tool ARGS...: tests/json-frames.py (see there).
json_tool() {
	"${PYTHON:-python3}" "$abs_srcdir/json-frames.py" "$@"
}
