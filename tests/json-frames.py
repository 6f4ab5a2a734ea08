#!/usr/bin/env python3
# Reads the JSON output of `pidprof dump --json` for the tests.
#
#   json-frames.py check FILE PID UNWINDER
#       validates the document against the contract (keys, types, values);
#       prints each problem and exits 1 if there is any
#   json-frames.py frames FILE TID
#       one line per frame of thread TID, tab-separated:
#       pc function file-basename line inlined module-basename
#   json-frames.py field FILE TID KEY
#       the value of KEY of thread TID, as JSON (strings unquoted)
#
# SPDX-License-Identifier: GPL-2.0-or-later
import json
import os
import re
import signal
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check(doc, pid, unwinder):
    errs = []
    if not isinstance(doc, dict):
        return ["top level is not an object"]
    if doc.get("pid") != pid:
        errs.append("pid is %r, expected %d" % (doc.get("pid"), pid))
    if not isinstance(doc.get("comm"), str) or not doc["comm"]:
        errs.append("comm is %r" % (doc.get("comm"),))
    if doc.get("unwinder") != unwinder:
        errs.append("unwinder is %r, expected %r"
                    % (doc.get("unwinder"), unwinder))
    threads = doc.get("threads")
    if not isinstance(threads, list) or not threads:
        return errs + ["threads is not a non-empty list"]
    tids = set()
    for t in threads:
        where = "thread %r" % (t.get("tid") if isinstance(t, dict) else t,)
        if not isinstance(t, dict):
            errs.append(where + ": not an object")
            continue
        if not is_int(t.get("tid")) or t["tid"] <= 0:
            errs.append(where + ": bad tid")
        elif t["tid"] in tids:
            errs.append(where + ": listed twice")
        else:
            tids.add(t["tid"])
        if not isinstance(t.get("name"), str):
            errs.append(where + ": name is not a string")
        if not isinstance(t.get("state"), str) or len(t["state"]) != 1:
            errs.append(where + ": state %r" % (t.get("state"),))
        cap = t.get("capture")
        if cap not in ("stopped", "blocked", "none"):
            errs.append(where + ": capture %r" % (cap,))
        sc = t.get("syscall", "missing")
        if sc is not None and not isinstance(sc, str):
            errs.append(where + ": syscall %r" % (sc,))
        su = t.get("stop_us", "missing")
        if cap == "stopped" and not (is_num(su) and su >= 0):
            errs.append(where + ": stopped but stop_us is %r" % (su,))
        if cap != "stopped" and su is not None:
            errs.append(where + ": %s but stop_us is %r" % (cap, su))
        if cap == "blocked" and not isinstance(sc, str):
            errs.append(where + ": blocked but syscall is %r" % (sc,))
        if not isinstance(t.get("truncated"), bool):
            errs.append(where + ": truncated is %r" % (t.get("truncated"),))
        er = t.get("error", "missing")
        if er is not None and not isinstance(er, str):
            errs.append(where + ": error %r" % (er,))
        frames = t.get("frames")
        if not isinstance(frames, list):
            errs.append(where + ": frames is not a list")
            continue
        for i, fr in enumerate(frames):
            fw = "%s frame #%d" % (where, i)
            if not isinstance(fr, dict):
                errs.append(fw + ": not an object")
                continue
            if not isinstance(fr.get("pc"), str) or \
                    not re.fullmatch(r"0x[0-9a-f]+", fr["pc"]):
                errs.append(fw + ": pc %r" % (fr.get("pc"),))
            for k in ("function", "file", "module"):
                v = fr.get(k, 0)
                if v is not None and not isinstance(v, str):
                    errs.append(fw + ": %s %r" % (k, v))
            if not is_int(fr.get("line")) or fr["line"] < 0:
                errs.append(fw + ": line %r" % (fr.get("line"),))
            if not isinstance(fr.get("inlined"), bool):
                errs.append(fw + ": inlined %r" % (fr.get("inlined"),))
            elif fr["inlined"]:
                if i + 1 >= len(frames):
                    errs.append(fw + ": inlined into nothing")
                elif frames[i + 1].get("pc") != fr.get("pc"):
                    errs.append(fw + ": inlined but its pc differs from "
                                "the next frame's")
    return errs


def thread(doc, tid):
    for t in doc.get("threads", []):
        if t.get("tid") == tid:
            return t
    sys.exit("json-frames: no thread %d" % tid)


def base(v):
    return "-" if v is None else os.path.basename(v)


def main(argv):
    if len(argv) == 5 and argv[1] == "check":
        errs = check(load(argv[2]), int(argv[3]), argv[4])
        for e in errs:
            print(e)
        return 1 if errs else 0
    if len(argv) == 4 and argv[1] == "frames":
        for fr in thread(load(argv[2]), int(argv[3]))["frames"]:
            print("\t".join([fr["pc"], str(fr["function"]),
                             base(fr["file"]), str(fr["line"]),
                             "inlined" if fr["inlined"] else "-",
                             base(fr["module"])]))
        return 0
    if len(argv) == 5 and argv[1] == "field":
        v = thread(load(argv[2]), int(argv[3])).get(argv[4], "(missing)")
        print(v if isinstance(v, str) else json.dumps(v))
        return 0
    sys.stderr.write("usage: json-frames.py check FILE PID UNWINDER | "
                     "frames FILE TID | field FILE TID KEY\n")
    return 2


if __name__ == "__main__":
    # a reader such as head(1) may stop reading early
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        sys.exit(main(sys.argv))
    except (OSError, ValueError) as e:
        print("json-frames: %s" % e)
        sys.exit(1)
