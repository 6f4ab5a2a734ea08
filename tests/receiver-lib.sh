# Helpers for tests against the fake Pyroscope and Profefe servers of
# receiver.py.  Source after init.sh.
#
# SPDX-License-Identifier: GPL-2.0-or-later

command -v python3 > /dev/null || framework_failure_ "python3 is missing"

# free_port: prints a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
	python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_receiver KIND NAME [receiver.py options...]: starts a receiver
# that keeps requests in $tmpdir/NAME and waits until it listens.  Sets
# $receiver_port, $receiver_pid and $receiver_url (http://127.0.0.1:PORT).
start_receiver() {
	kind_=$1 name_=$2
	shift 2
	rm -f "$tmpdir/$name_.port"
	python3 "$abs_srcdir/receiver.py" --kind "$kind_" \
		--dir "$tmpdir/$name_" --port-file "$tmpdir/$name_.port" \
		"$@" > "$tmpdir/$name_.log" 2>&1 &
	receiver_pid=$!
	track_pid "$receiver_pid"
	i_=0
	until [ -s "$tmpdir/$name_.port" ]; do
		kill -0 "$receiver_pid" 2>/dev/null ||
			framework_failure_ "receiver $name_ did not start: $(cat "$tmpdir/$name_.log")"
		i_=$((i_ + 1))
		[ "$i_" -le 200 ] ||
			framework_failure_ "receiver $name_ not listening after 10 s"
		sleep 0.05
	done
	receiver_port=$(cat "$tmpdir/$name_.port")
	receiver_url=http://127.0.0.1:$receiver_port
}

# received NAME EXPR: prints EXPR (Python, over the record r) for every
# request receiver NAME got, in order.  Example:
#   received pyro 'r["status"], r.get("app")'
received() {
	python3 - "$tmpdir/$1" "$2" <<'PY'
import glob, json, os, sys
d, expr = sys.argv[1], sys.argv[2]
for f in sorted(glob.glob(os.path.join(d, "[0-9]*.json"))):
    r = json.load(open(f))
    v = eval(expr, {}, {"r": r})
    print(*v) if isinstance(v, tuple) else print(v)
PY
}
