#!/bin/sh
# Runs one test with a time limit (the idea of strace's tests/run.sh).
# Usage: run.sh TEST [ARGS...]; TIMEOUT (seconds) overrides the default.
# SPDX-License-Identifier: GPL-2.0-or-later
if [ -f "$1" ] && [ ! -x "$1" ]; then
	# a script that lost its x bit on the way (tarball, patch)
	set -- /bin/sh "$@"
fi
exec timeout -k 5 "${TIMEOUT:-120}" "$@" </dev/null
