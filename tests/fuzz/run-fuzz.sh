#!/bin/sh
# Builds a libFuzzer harness of tests/fuzz with ASan and UBSan, and runs
# it for a bounded time, seeded with the fixtures of tests/data:
#   smaps        fuzz-smaps.c: the smaps and status parsers (the default)
#   pprof        fuzz-pprof.c: the pprof reader and report's totals
#   conffile     fuzz-conffile.c: the configuration file parser
#   push-config  fuzz-push-config.c: push's settings from such a file
#   spool        fuzz-spool.c: the spool file header
#   reply        fuzz-reply.c: what a sink's reply means
#   gopclntab    fuzz-gopclntab.c: the Go function table reader
#
#   [top_srcdir=DIR] [top_builddir=DIR] [FUZZ_SECONDS=30] \
#       tests/fuzz/run-fuzz.sh [smaps|pprof|conffile|push-config|spool|reply|
#                               gopclntab]
#
# The parser's sources (and what they call) are compiled here with the
# fuzzer's flags, not linked from src/libpidprof.a, which gcc builds
# without coverage instrumentation.
# top_builddir must hold config.h (run ./configure first).
#
# Environment: CLANG (default clang), FUZZ_SECONDS (default 30),
# FUZZ_MAX_LEN (default 32768: longer inputs are cut), FUZZ_JOBS (default
# 1), FUZZ_ARTIFACTS (where a crashing input is copied; default the
# current directory).
#
# Exit status: 0 no finding, 1 a finding (crash, leak, sanitizer report,
# timeout; its input is kept), 77 clang or libFuzzer missing, 99 setup
# error.
#
# Not part of `make check` (CI calls it).
#
# SPDX-License-Identifier: GPL-2.0-or-later

here=$(cd "$(dirname "$0")" && pwd) || exit 99
target=${1:-smaps}
case $target in
smaps)	sources="smaps.c maps.c err.c xmalloc.c"
	libs=
	seeds="smaps-*.txt status.txt"
	dict="-dict=$here/smaps.dict" ;;
pprof)	sources="pprof-read.c gz.c buf.c strtab.c idtab.c err.c xmalloc.c"
	libs=-lz
	seeds="pprof-*.pb pprof-*.pb.gz"
	dict= ;;
conffile)
	sources="conffile.c buf.c procfs.c maps.c err.c xmalloc.c"
	libs=
	seeds="push-*.conf"
	dict= ;;
push-config)
	sources="push-config.c conffile.c sink.c sink-pyroscope.c parse.c buf.c procfs.c maps.c err.c xmalloc.c"
	libs=
	seeds="push-*.conf"
	dict= ;;
spool)	sources="spool-file.c buf.c err.c xmalloc.c"
	libs=
	seeds="spool-*.push"
	dict= ;;
reply)	sources="sink.c buf.c err.c xmalloc.c"
	libs=
	seeds="reply-*.txt"
	dict= ;;
gopclntab)
	sources="gopclntab.c err.c"
	libs=-lelf
	seeds="gopclntab-*.bin"
	dict= ;;
*)	printf 'run-fuzz: unknown target %s (smaps, pprof, conffile, push-config, spool, reply or gopclntab)\n' "$1" >&2
	exit 99 ;;
esac
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$top_srcdir}"
: "${CLANG:=clang}"
: "${FUZZ_SECONDS:=30}"
: "${FUZZ_MAX_LEN:=32768}"
: "${FUZZ_JOBS:=1}"
: "${FUZZ_ARTIFACTS:=$(pwd)}"
top_srcdir=$(cd "$top_srcdir" && pwd) || exit 99
top_builddir=$(cd "$top_builddir" && pwd) || exit 99

die() { printf 'run-fuzz: %s\n' "$*" >&2; exit 99; }
skip() { printf 'run-fuzz: skipped: %s\n' "$*" >&2; exit 77; }

[ -f "$top_builddir/config.h" ] ||
	die "no config.h in $top_builddir: run ./configure (or set top_builddir)"
[ -f "$top_srcdir/src/smaps.c" ] || die "no src/smaps.c in $top_srcdir"
command -v "$CLANG" > /dev/null 2>&1 || skip "$CLANG not found"

work=$(mktemp -d "${TMPDIR:-/tmp}/run-fuzz.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$work"' 0
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# Split on purpose where it is used.
FLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"

# has_files DIR: DIR holds at least one file.
has_files() {
	for f_ in "$1"/* "$1"/.[!.]*; do
		[ -e "$f_" ] && return 0
	done
	return 1
}

# Does this clang have libFuzzer at all?
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void) d; (void) n; return 0; }' \
	> "$work/probe.c"
# shellcheck disable=SC2086
"$CLANG" $FLAGS -o "$work/probe" "$work/probe.c" > "$work/probe.log" 2>&1 ||
	skip "$CLANG cannot build a libFuzzer program: $(head -n 3 "$work/probe.log")"

srcs=
for f in $sources; do
	srcs="$srcs $top_srcdir/src/$f"
done
# shellcheck disable=SC2086
"$CLANG" $FLAGS -std=gnu11 -Wall -I"$top_builddir" -I"$top_srcdir/src" \
	-o "$work/fuzz-$target" "$here/fuzz-$target.c" $srcs $libs ||
	die "cannot build fuzz-$target"

# Seed corpus: the fixtures, minus the big one (cut to FUZZ_MAX_LEN
# anyway, it would only slow every run).
mkdir "$work/corpus" "$work/artifacts" || die "mkdir failed"
for f in $(cd "$here/../data" && echo $seeds); do
	f=$here/../data/$f
	[ -f "$f" ] || continue
	[ "$(wc -c < "$f")" -le 1048576 ] || continue
	cp "$f" "$work/corpus/" || die "cannot copy $f"
done
has_files "$work/corpus" || die "no seed in $here/../data"

echo "run-fuzz: fuzzing $target for $FUZZ_SECONDS s"
jobs=
if [ "$FUZZ_JOBS" -gt 1 ]; then
	jobs="-jobs=$FUZZ_JOBS -workers=$FUZZ_JOBS"
fi
# From $work: with -jobs, libFuzzer writes fuzz-N.log files there.
# shellcheck disable=SC2086
(cd "$work" && exec "./fuzz-$target" -max_total_time="$FUZZ_SECONDS" \
	-max_len="$FUZZ_MAX_LEN" -timeout=10 -rss_limit_mb=2048 \
	$dict -print_final_stats=1 $jobs \
	-artifact_prefix="$work/artifacts/" \
	corpus) > "$work/fuzz.log" 2>&1
st=$?
for l in "$work"/fuzz.log "$work"/fuzz-*.log; do
	[ -f "$l" ] && tail -n 40 "$l" >&2
done
if [ "$st" -eq 0 ] && ! has_files "$work/artifacts"; then
	echo "run-fuzz: no finding"
	exit 0
fi
mkdir -p "$FUZZ_ARTIFACTS" || die "cannot create $FUZZ_ARTIFACTS"
cp "$work/fuzz-$target" "$FUZZ_ARTIFACTS/" ||
	die "cannot copy fuzz-$target"
for a in "$work"/artifacts/*; do
	[ -f "$a" ] || continue
	cp "$a" "$FUZZ_ARTIFACTS/" &&
		echo "run-fuzz: finding kept in $FUZZ_ARTIFACTS/${a##*/} (reproduce: $FUZZ_ARTIFACTS/fuzz-$target FILE)" >&2
done
echo "run-fuzz: FAILED (libFuzzer exit status $st)" >&2
exit 1
