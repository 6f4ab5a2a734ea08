#!/bin/sh
# checksrc.sh - mechanical style checks on pidprof's C sources.
#
# Usage: scripts/checksrc.sh [DIR|FILE]...   (default: src)
#
# Reports every problem as FILE:LINE: MESSAGE and exits 1 if there is any,
# 0 if the sources are clean, 2 on a usage error.  Checked in every .c and .h
# file found under the arguments:
#   - C++ style comments (//), outside string and character literals;
#   - lines longer than 80 columns (a tab advances to the next multiple of 8,
#     a UTF-8 character counts as one column), except lines holding a long
#     string literal: as in the kernel, a user-visible message is never
#     split, so that grep finds it;
#   - trailing whitespace;
#   - a missing SPDX-License-Identifier line;
#   - banned functions: sprintf, vsprintf, strcpy, strcat, gets (use
#     snprintf, a bounded copy, or fgets instead).
# Run it as `make checksrc`.  Kernel style itself (tabs, braces) is not
# checked here; see the Hacking section of README.md.
#
# SPDX-License-Identifier: GPL-2.0-or-later

set -u

if [ $# -eq 0 ]; then
	set -- src
fi

for arg do
	if [ ! -e "$arg" ]; then
		echo "checksrc: no such file or directory: $arg" >&2
		exit 2
	fi
done

list=$(mktemp) || exit 2
trap 'rm -f "$list"' EXIT
trap 'exit 2' HUP INT TERM

find "$@" -type f \( -name '*.c' -o -name '*.h' \) -print | LC_ALL=C sort >"$list"

if [ ! -s "$list" ]; then
	echo "checksrc: no .c or .h files under: $*" >&2
	exit 2
fi

# One awk over all files.  mawk and gawk both work; LC_ALL=C makes length()
# count bytes, so UTF-8 continuation bytes are subtracted by hand.
tr '\n' '\0' <"$list" | xargs -0 env LC_ALL=C awk '
function report(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg
	nerr++
}

function endfile() {
	if (curfile != "" && !spdx)
		printf "%s:1: missing SPDX-License-Identifier\n", curfile
	if (curfile != "" && !spdx)
		nerr++
}

# Whether a line holds a string literal of 20 characters or more.
function long_string(s,    n, k, parts) {
	n = split(s, parts, "\"")
	for (k = 2; k < n; k += 2)
		if (length(parts[k]) >= 20)
			return 1
	return 0
}

# Width of a line in columns: tabs to the next multiple of 8, one column
# per UTF-8 character.
function width(s,    i, c, col) {
	gsub(/[\200-\277]/, "", s)
	col = 0
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "\t")
			col = (int(col / 8) + 1) * 8
		else
			col++
	}
	return col
}

# Returns the code of the line with comments and the contents of string
# and character literals blanked out; sets has_cxx when a // comment
# starts on this line.  in_comment carries a /* comment across lines.
function code_of(s,    out, i, n, c, d, q) {
	out = ""
	has_cxx = 0
	n = length(s)
	i = 1
	while (i <= n) {
		c = substr(s, i, 1)
		d = substr(s, i, 2)
		if (in_comment) {
			if (d == "*/") {
				in_comment = 0
				out = out "  "
				i += 2
			} else {
				out = out " "
				i++
			}
		} else if (d == "/*") {
			in_comment = 1
			out = out "  "
			i += 2
		} else if (d == "//") {
			has_cxx = 1
			break
		} else if (c == "\"" || c == "\047") {
			q = c
			out = out q
			i++
			while (i <= n) {
				c = substr(s, i, 1)
				if (c == "\\") {
					out = out "  "
					i += 2
					continue
				}
				if (c == q)
					break
				out = out " "
				i++
			}
			out = out q
			i++
		} else {
			out = out c
			i++
		}
	}
	return out
}

FNR == 1 {
	endfile()
	curfile = FILENAME
	spdx = 0
	in_comment = 0
}

{
	line = $0
	sub(/\r$/, "", line)

	if (line ~ /SPDX-License-Identifier:/)
		spdx = 1

	if ($0 ~ /[ \t\r]+$/)
		report("trailing whitespace")

	w = width(line)
	if (w > 80 && !long_string(line))
		report("line is " w " columns long (max 80)")

	code = code_of(line)
	if (has_cxx)
		report("C++ style comment (//): use /* */")

	# Banned functions: a call, not a longer identifier such as
	# snprintf or fgets.
	split("sprintf vsprintf strcpy strcat gets", banned, " ")
	for (k = 1; k <= 5; k++) {
		re = "(^|[^A-Za-z0-9_])" banned[k] "[ \t]*\\("
		if (code ~ re)
			report("banned function " banned[k] "()")
	}
}

END {
	endfile()
	fflush()
	if (nerr > 0) {
		printf "checksrc: %d problem(s)\n", nerr > "/dev/stderr"
		exit 1
	}
}
'
rc=$?
# xargs exits 123 when awk exited 1 for some batch.
case $rc in
0) exit 0 ;;
1|123) exit 1 ;;
*) echo "checksrc: internal error (status $rc)" >&2; exit 2 ;;
esac
