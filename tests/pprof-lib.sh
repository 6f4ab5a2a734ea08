#!/bin/sh
# Readers of pidprof's outputs for the record tests, built on independent
# judges: go tool pprof for pprof files, awk for collapsed stacks.
# Sourced after init.sh.
#
# SPDX-License-Identifier: GPL-2.0-or-later

# require_go: go tool pprof is the judge of every pprof file.
require_go() {
	[ -n "${GO-}" ] && [ -x "$GO" ] ||
		skip_ "go (golang-go) is needed to read pprof files"
	# go keeps a cache under $HOME; keep it private to the test.
	HOME=$tmpdir/home
	GOCACHE=$tmpdir/gocache
	GOFLAGS=
	GOTOOLCHAIN=local
	export HOME GOCACHE GOFLAGS GOTOOLCHAIN
	mkdir -p "$HOME"
}

# go_cpu_profile FILE: a CPU profile written by Go's own runtime/pprof
# (tests/gen-pprof.go: main.hotA does three times the work of main.hotB
# for about two seconds).  After require_go.
go_cpu_profile() {
	if [ ! -x "$tmpdir/gen-pprof" ]; then
		GOPATH=$tmpdir/gopath GOPROXY=off GO111MODULE=off \
		CGO_ENABLED=0 "$GO" build -o "$tmpdir/gen-pprof" \
			"$abs_srcdir/gen-pprof.go" > "$tmpdir/go-build.log" 2>&1 ||
			framework_failure_ "go build failed: $(cat "$tmpdir/go-build.log")"
	fi
	"$tmpdir/gen-pprof" "$1" || framework_failure_ "gen-pprof failed"
}

# gopprof ARGS...: go tool pprof, its output in $tmpdir/pprof.out.
gopprof() {
	"$GO" tool pprof "$@" > "$tmpdir/pprof.out" 2> "$tmpdir/pprof.err" ||
		fail_ "go tool pprof $* failed: $(cat "$tmpdir/pprof.err")"
}

# top_shares FILE FUNC...: the cumulative share (percent, one decimal)
# of each FUNC among all the FUNCs, from go tool pprof -top.
top_shares() {
	f_=$1
	shift
	gopprof -top -nodecount=1000 "$f_"
	awk -v funcs="$*" '
		BEGIN { n = split(funcs, want, " ") }
		$6 != "" { for (i = 1; i <= n; i++) if ($6 == want[i]) {
			v = $5; sub("%", "", v); cum[i] = v } }
		END {
			for (i = 1; i <= n; i++) total += cum[i]
			for (i = 1; i <= n; i++)
				printf "%s %.1f\n", want[i],
				       total ? 100 * cum[i] / total : 0
		}' "$tmpdir/pprof.out"
}

# folded_shares FILE FUNC...: the same from a collapsed-stacks file: the
# share of the weight of the stacks that hold each FUNC.
folded_shares() {
	f_=$1
	shift
	awk -v funcs="$*" '
		BEGIN { n = split(funcs, want, " ") }
		{
			v = $NF
			st = ";" substr($0, 1, length($0) - length($NF) - 1) ";"
			for (i = 1; i <= n; i++)
				if (index(st, ";" want[i] ";")) cum[i] += v
		}
		END {
			for (i = 1; i <= n; i++) total += cum[i]
			for (i = 1; i <= n; i++)
				printf "%s %.1f\n", want[i],
				       total ? 100 * cum[i] / total : 0
		}' "$f_"
}

# shares_near SHARES FUNC EXPECTED POINTS: the share of FUNC in SHARES
# (lines "func pct") is within POINTS of EXPECTED.
shares_near() {
	printf '%s\n' "$1" | awk -v f="$2" -v e="$3" -v p="$4" '
		$1 == f { d = $2 - e; if (d < 0) d = -d; ok = (d <= p) }
		END { exit !ok }'
}

# folded_total FILE: the sum of the values of a collapsed-stacks file.
folded_total() {
	awk '{ t += $NF } END { printf "%.0f\n", t }' "$1"
}

# raw_thread_totals FILE: "tid total" per thread_id label, value index 1
# (the weighted one), from go tool pprof -raw.
raw_thread_totals() {
	gopprof -raw "$1"
	awk '
		/^Samples:/ { insamples = 1; next }
		/^Locations/ { insamples = 0 }
		insamples && /^ *[0-9]+ +[0-9]+:/ { v = $2; sub(":", "", v) }
		insamples && /thread_id:\[/ {
			t = $0; sub(/.*thread_id:\[/, "", t); sub(/\].*/, "", t)
			tot[t] += v
		}
		END { for (t in tot) printf "%s %.0f\n", t, tot[t] }' \
		"$tmpdir/pprof.out"
}

# proc_cpu_ns PID: utime + stime of a process, in ns.
proc_cpu_ns() {
	hz_=$(getconf CLK_TCK)
	sed 's/.*) //' "/proc/$1/stat" |
		awk -v hz="$hz_" '{ printf "%.0f\n", ($12 + $13) * 1e9 / hz }'
}

# raw_folded FILE: the collapsed stacks of FILE's second sample type as
# go tool pprof -raw shows its samples and locations (root first, an
# inlined callee after its caller, equal stacks summed), sorted: the
# judge of pidprof's own collapsed output.  Names with blanks are cut at
# the first one.
raw_folded() {
	gopprof -raw "$1"
	awk '
		/^Samples:/ { sec = "s"; getline; next }
		/^Locations/ { sec = "l"; next }
		/^Mappings/ { sec = "m"; next }
		sec == "s" && /^ *[0-9]+ +[0-9]+:/ {
			n++; v[n] = $2; sub(":", "", v[n]); locs[n] = ""
			for (i = 3; i <= NF; i++) locs[n] = locs[n] " " $i
			next
		}
		# A line is "NAME FILE:LINE s=N"; a name may hold blanks
		# ("[wait: epoll_wait]"), a file name does not.
		function name(from,  i, s) {
			s = ""
			for (i = from; i <= NF - 2; i++)
				s = s (s == "" ? "" : " ") $i
			return s
		}
		sec == "l" && /^ *[0-9]+: 0x/ {
			cur = $1; sub(":", "", cur); nf[cur] = 1
			fn[cur, 1] = name($3 ~ /^M=/ ? 4 : 3)
			next
		}
		sec == "l" && cur != "" && NF { nf[cur]++; fn[cur, nf[cur]] = name(1) }
		END {
			for (k = 1; k <= n; k++) {
				m = split(locs[k], L, " "); st = ""
				for (i = m; i >= 1; i--)
					for (j = nf[L[i]]; j >= 1; j--)
						st = st (st == "" ? "" : ";") fn[L[i], j]
				tot[st] += v[k]
			}
			for (s in tot) printf "%s %.0f\n", s, tot[s]
		}' "$tmpdir/pprof.out" | LC_ALL=C sort
}

# func_names FILE: the function names of a pprof file, sorted, one a
# line (go tool pprof -top; a name may hold blanks).
func_names() {
	gopprof -top -nodecount=100000 "$1"
	awk 'go { for (i = 0; i < 5; i++) sub(/^ *[^ ]+/, "")
		 sub(/^ +/, ""); if ($0 != "") print }
	     $1 == "flat" && $2 == "flat%" { go = 1 }' \
		"$tmpdir/pprof.out" | LC_ALL=C sort -u
}

# outlive_check LIVE AFTER: the profile AFTER, written after its target
# exited, names every function that the profile LIVE of the same
# workload, written while it ran, names; and main, f0..f3 of
# tests/target-fcall; and it is named after that executable (its first
# mapping).
outlive_check() {
	# Kernel frames come from /proc/kallsyms, not from the target's
	# files, and each is in a sample or not by chance: left out.
	func_names "$1" | grep -v '^\[k\] ' > "$tmpdir/names.live"
	func_names "$2" > "$tmpdir/names.after"
	gopprof -top -nodecount=100000 "$2"
	for f_ in main f0 f1 f2 f3; do
		grep -qx "$f_" "$tmpdir/names.live" ||
			framework_failure_ "the live profile lacks $f_: $(cat "$tmpdir/names.live")"
	done
	grep -qx 'File: target-fcall' "$tmpdir/pprof.out" ||
		fail_ "the profile written after the exit is not named after the executable:
$(cat "$tmpdir/pprof.out")"
	lost_=$(LC_ALL=C comm -23 "$tmpdir/names.live" "$tmpdir/names.after")
	[ -z "$lost_" ] || fail_ "names lost after the exit: $(echo $lost_)
$(cat "$tmpdir/pprof.out")"
}

# raw_by_pid FILE: a line per sample of the pprof FILE, from go tool
# pprof -raw: "PID<TAB>PROCESS_NAME<TAB>STACK<TAB>VALUE", STACK root
# first with ";" between the names, VALUE the first value; PID and
# PROCESS_NAME "-" when the sample has no such label.
raw_by_pid() {
	gopprof -raw "$1"
	awk '
		/^Samples:/ { sec = "s"; getline; next }
		/^Locations/ { sec = "l"; next }
		/^Mappings/ { sec = "m"; next }
		sec == "s" && /^ *[0-9 ]+:( [0-9]+)* *$/ {
			n++; v[n] = $1; sub(":", "", v[n]); locs[n] = ""
			pid[n] = "-"; pn[n] = "-"
			for (i = 1; i <= NF && $i !~ /:$/; i++)
				;
			for (i++; i <= NF; i++) locs[n] = locs[n] " " $i
			next
		}
		sec == "s" && n && match($0, /pid:\[[0-9]+\]/) {
			pid[n] = substr($0, RSTART + 5, RLENGTH - 6)
		}
		sec == "s" && n && match($0, /process_name:\[[^]]*\]/) {
			pn[n] = substr($0, RSTART + 14, RLENGTH - 15)
		}
		function name(from,  i, s) {
			s = ""
			for (i = from; i <= NF - 2; i++)
				s = s (s == "" ? "" : " ") $i
			return s
		}
		sec == "l" && /^ *[0-9]+: 0x/ {
			cur = $1; sub(":", "", cur); nf[cur] = 1
			fn[cur, 1] = name($3 ~ /^M=/ ? 4 : 3)
			next
		}
		sec == "l" && cur != "" && NF { nf[cur]++; fn[cur, nf[cur]] = name(1) }
		END {
			for (k = 1; k <= n; k++) {
				m = split(locs[k], L, " "); st = ""
				for (i = m; i >= 1; i--)
					for (j = nf[L[i]]; j >= 1; j--)
						st = st (st == "" ? "" : ";") fn[L[i], j]
				printf "%s\t%s\t%s\t%s\n", pid[k], pn[k], st, v[k]
			}
		}' "$tmpdir/pprof.out"
}
