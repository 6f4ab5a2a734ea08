#!/usr/bin/env python3
"""Strict stand-ins for a Grafana Pyroscope and a Profefe server.

They check each push as the real servers parse it (see the notes on the
wire rules: the Pyroscope /ingest handler, its label and profile
validation, Profefe's collector) and answer what the real server would,
200 included where it silently accepts a request and stores nothing or
less than was sent; each such case is kept in the record's "problems"
(and "stored" is false when nothing was stored), so a test sees the
mistake in what was sent, whatever the status.

usage: receiver.py --kind pyroscope|profefe --dir DIR
                   [--port N] [--port-file FILE]
                   [--faults CODE,CODE,...] [--auth VALUE]
                   [--require-tenant]

Every request is written to DIR as NNNN.json (method, path, query,
headers, status, error, problems, stored, and what was decoded: app,
tags, type, time window, sample types); an accepted profile is kept as
NNNN.pb (the body as received, gzip or not).  --faults answers the first POSTs with these
HTTP statuses before it accepts any.  --auth requires this exact
Authorization header (401 otherwise); --require-tenant requires
X-Scope-OrgID, as Pyroscope does with multi-tenancy on.  The port chosen
is written to --port-file once the socket listens.
"""

import argparse
import email.parser
import email.policy
import gzip
import http.server
import json
import os
import re
import sys
import threading
import time
import urllib.parse

PYRO_APP = re.compile(r"^[a-zA-Z0-9_./-]+$")
PYRO_KEY = re.compile(r"^[a-zA-Z0-9_.]+$")
PROFEFE_TYPES = {"cpu", "heap", "block", "mutex", "goroutine",
                 "threadcreate", "other", "trace"}


class BadRequest(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


# --- a small protobuf reader, enough for profile.proto -------------------

def varint(buf, i):
    shift = value = 0
    while True:
        if i >= len(buf):
            raise ValueError("truncated varint")
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, i
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def fields(buf):
    """Yields (field number, wire type, value) of a message."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(buf, i)
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 2:
            n, i = varint(buf, i)
            if i + n > len(buf):
                raise ValueError("truncated field %d" % num)
            v, i = buf[i:i + n], i + n
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wt)
        yield num, wt, v


def ints(wt, v):
    """A repeated integer field: packed or not."""
    if wt == 0:
        return [v]
    out, i = [], 0
    while i < len(v):
        x, i = varint(v, i)
        out.append(x)
    return out


def parse_profile(body):
    """Decodes a pprof and checks what Pyroscope's ValidateProfile
    checks; returns a summary dict, or raises ValueError."""
    if body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    strings, sample_types, samples = [], [], []
    locations, functions, mappings = [], [], []
    p = {"time_nanos": 0, "duration_nanos": 0, "period_type": None,
         "period": 0}
    comments = []
    for num, wt, v in fields(body):
        if num == 1:
            st = {}
            for n2, w2, v2 in fields(v):
                st[n2] = v2
            sample_types.append((st.get(1, 0), st.get(2, 0)))
        elif num == 2:
            s = {"loc": [], "values": [], "labels": []}
            for n2, w2, v2 in fields(v):
                if n2 == 1:
                    s["loc"] += ints(w2, v2)
                elif n2 == 2:
                    s["values"] += [x - (1 << 64) if x >> 63 else x
                                    for x in ints(w2, v2)]
                elif n2 == 3:
                    lab = {}
                    for n3, w3, v3 in fields(v2):
                        lab[n3] = v3
                    s["labels"].append(lab)
            samples.append(s)
        elif num == 3:
            mappings.append(dict((n2, v2) for n2, w2, v2 in fields(v)))
        elif num == 4:
            loc = {"lines": []}
            for n2, w2, v2 in fields(v):
                if n2 == 4:
                    loc["lines"].append(dict(
                        (n3, v3) for n3, w3, v3 in fields(v2)))
                else:
                    loc[n2] = v2
            locations.append(loc)
        elif num == 5:
            functions.append(dict((n2, v2) for n2, w2, v2 in fields(v)))
        elif num == 6:
            strings.append(v.decode("utf-8"))
        elif num == 9:
            p["time_nanos"] = v
        elif num == 10:
            p["duration_nanos"] = v
        elif num == 11:
            pt = dict((n2, v2) for n2, w2, v2 in fields(v))
            p["period_type"] = (pt.get(1, 0), pt.get(2, 0))
        elif num == 12:
            p["period"] = v
        elif num == 13:
            comments += ints(wt, v)

    def string(i, what):
        if i >= len(strings):
            raise ValueError("%s: string index %d out of range" % (what, i))
        return strings[i]

    if not strings or strings[0] != "":
        raise ValueError("string 0 should be empty string")
    if not sample_types:
        raise ValueError("empty profile")
    types = [(string(t, "sample_type"), string(u, "sample_type"))
             for t, u in sample_types]
    for t, u in types:
        if "-" in t:
            raise ValueError("sample type contains -")
    loc_ids = set()
    for loc in locations:
        if not loc.get(1):
            raise ValueError("location id is 0")
        loc_ids.add(loc[1])
        for line in loc["lines"]:
            if line.get(1, 0) and line[1] not in \
                    set(f.get(1) for f in functions):
                raise ValueError("line refers to an unknown function")
    for f in functions:
        if not f.get(1):
            raise ValueError("function id is 0")
        for k in (2, 3, 4):
            string(f.get(k, 0), "function")
    for m in mappings:
        if not m.get(1):
            raise ValueError("mapping id is 0")
        string(m.get(5, 0), "mapping filename")
        string(m.get(6, 0), "mapping build_id")
    for s in samples:
        if len(s["values"]) != len(types):
            raise ValueError("sample has %d values for %d types"
                             % (len(s["values"]), len(types)))
        for lid in s["loc"]:
            if lid not in loc_ids:
                raise ValueError("sample refers to unknown location %d"
                                 % lid)
        for lab in s["labels"]:
            string(lab.get(1, 0), "label key")
            string(lab.get(2, 0), "label value")
    labels = set()
    for s in samples:
        for lab in s["labels"]:
            if lab.get(2):
                labels.add(strings[lab.get(1, 0)])
    pt = p["period_type"]
    return {
        "sample_types": ["%s/%s" % tu for tu in types],
        "period_type": "%s/%s" % (string(pt[0], "period_type"),
                                  string(pt[1], "period_type"))
        if pt else None,
        "period": p["period"],
        "time_nanos": p["time_nanos"],
        "duration_nanos": p["duration_nanos"],
        "samples": len(samples),
        "totals": [sum(s["values"][i] for s in samples)
                   for i in range(len(types))],
        "string_labels": sorted(labels),
        "comments": [string(c, "comment") for c in comments],
    }


# --- Pyroscope ------------------------------------------------------------

def parse_name(name):
    """labelset.Parse of the name parameter: app{k=v,...}."""
    if "{" in name:
        app, rest = name.split("{", 1)
        if not rest.endswith("}"):
            raise BadRequest(400, "name: missing closing }")
        rest = rest[:-1]
    else:
        app, rest = name, ""
    app = app.strip()
    if not app:
        raise BadRequest(400, "name: service name is required")
    for ch in app:
        if not PYRO_APP.match(ch):
            raise BadRequest(400, "name: invalid service name: %s: "
                             "character is not allowed: '%s'" % (app, ch))
    tags = {}
    for pair in filter(None, rest.split(",")):
        if "=" not in pair:
            raise BadRequest(400, "name: tag without '=': %s" % pair)
        k, v = (x.strip() for x in pair.split("=", 1))
        if not PYRO_KEY.match(k):
            raise BadRequest(400, "name: invalid tag key %r" % k)
        if "}" in v:
            raise BadRequest(400, "name: invalid tag value %r" % v)
        if v:
            tags[k] = v
    return app, tags


def parse_time(value):
    if value is None:
        return None
    if not value.isdigit():
        raise BadRequest(400, "bad time %r" % value)
    n = len(value)
    scale = {13: 1e-3, 16: 1e-6, 19: 1e-9}.get(n, 1)
    return int(value) * scale


def pyroscope(req, query, body, rec):
    if req.path not in ("/ingest", "/pyroscope/ingest"):
        raise BadRequest(404, "404 page not found")
    name = query.get("name", [""])[0]
    rec["app"], rec["tags"] = parse_name(name)
    rec["from"] = parse_time(query.get("from", [None])[0])
    rec["until"] = parse_time(query.get("until", [None])[0])
    rec["spy_name"] = query.get("spyName", ["unknown"])[0]
    ctype = req.headers.get("Content-Type", "")
    fmt = query.get("format", [None])[0]
    if fmt == "pprof":
        if "multipart/form-data" in ctype:
            # The server parses the multipart bytes as protobuf.
            raise BadRequest(422, "format=pprof with a multipart body: "
                             "the body is read as a raw profile")
        profile = body
        rec["body"] = "raw"
    elif fmt is not None:
        raise BadRequest(400, "unexpected format %r" % fmt)
    elif "multipart/form-data" in ctype:
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
        if not msg.is_multipart():
            raise BadRequest(400, "bad multipart body")
        profile = None
        for part in msg.iter_parts():
            pname = part.get_param("name", header="content-disposition")
            fname = part.get_param("filename",
                                   header="content-disposition")
            if pname == "prev_profile":
                raise BadRequest(422, "unsupported client version")
            if fname is None:
                # The real server reads files only: it ignores this part.
                rec["problems"].append("multipart part %r has no filename: "
                                       "ignored" % pname)
                continue
            if pname == "profile":
                profile = part.get_payload(decode=True)
        rec["body"] = "multipart"
        if not profile:
            # An empty profile: 200, nothing stored.
            rec["problems"].append("no (non-empty) profile part: nothing "
                                   "stored")
            rec["stored"] = False
            return None, 200, b"", "application/json"
    else:
        raise BadRequest(400, "neither format=pprof nor multipart: the "
                         "body would be read as folded text")
    try:
        rec["profile"] = parse_profile(profile)
    except (ValueError, OSError, EOFError) as e:
        raise BadRequest(422, "malformed profile: %s" % e)
    tn = rec["profile"]["time_nanos"]
    now = time.time()
    if tn == 0:
        # Normalize takes the time of arrival.
        rec["problems"].append("profile without time_nanos: taken as now")
        tn = now * 1e9
    if tn / 1e9 < now - 3600 or tn / 1e9 > now + 600:
        raise BadRequest(422, "not_in_ingestion_window")
    if rec["profile"]["samples"] == 0:
        # Normalize leaves no sample: 200, nothing stored.
        rec["problems"].append("no samples: nothing stored")
        rec["stored"] = False
    return profile, 200, b"", "application/json"


# --- Profefe --------------------------------------------------------------

def profefe_labels(s):
    out = {}
    for pair in filter(None, s.split(",")):
        k, _, v = pair.partition("=")
        k = urllib.parse.unquote_plus(k.strip())
        v = urllib.parse.unquote_plus(v.strip())
        if k:
            out[k] = v
    return out


def profefe(req, query, body, rec):
    if req.path != "/api/0/profiles":
        raise BadRequest(404, "404 page not found")
    service = query.get("service", [""])[0].strip()
    if not service:
        raise BadRequest(400, "bad request: missing service")
    ptype = query.get("type", [""])[0].strip()
    if ptype not in PROFEFE_TYPES:
        raise BadRequest(400, "bad request: unknown profile type")
    rec["app"], rec["type"] = service, ptype
    rec["tags"] = profefe_labels(query.get("labels", [""])[0])
    try:
        rec["profile"] = parse_profile(body)
    except (ValueError, OSError, EOFError) as e:
        raise BadRequest(400, "malformed profile (could not parse pprof "
                         "profile: %s)" % e)
    if rec["profile"]["samples"] == 0:
        raise BadRequest(400, "malformed profile (could not parse pprof "
                         "profile: profile is empty: no samples)")
    reply = {"code": 200, "body": {
        "id": "r%04d" % rec["seq"], "type": ptype, "service": service,
        "labels": [{"key": k, "value": v}
                   for k, v in sorted(rec["tags"].items())],
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}}
    # Profefe writes the status before its Content-Type.
    return body, 200, json.dumps(reply).encode(), "text/plain; charset=utf-8"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stdout.write("receiver: " + (fmt % args) + "\n")
        sys.stdout.flush()

    def reply(self, status, body, ctype):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.reply(404, b"404 page not found\n", "text/plain")

    def do_POST(self):
        srv = self.server
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        self.path = url.path
        with srv.lock:
            srv.seq += 1
            seq = srv.seq
            fault = srv.faults.pop(0) if srv.faults else None
        rec = {"seq": seq, "method": "POST", "path": url.path,
               "query": query, "headers": dict(self.headers.items()),
               "time": time.time(), "body_bytes": len(body),
               "problems": [], "stored": True}
        profile = None
        try:
            if fault:
                raise BadRequest(fault, "injected fault %d" % fault)
            auth = self.headers.get("Authorization")
            if srv.auth is not None and auth != srv.auth:
                raise BadRequest(401, "unauthenticated")
            if srv.require_tenant and not self.headers.get("X-Scope-OrgID"):
                raise BadRequest(401, "no org id")
            handler = pyroscope if srv.kind == "pyroscope" else profefe
            profile, status, out, ctype = handler(self, query, body, rec)
        except BadRequest as e:
            status, ctype = e.status, "application/json"
            if srv.kind == "pyroscope":
                code = {400: "invalid_argument", 401: "unauthenticated",
                        429: "resource_exhausted"}.get(status, "unknown")
                out = json.dumps({"code": code, "message": e.message})
            else:
                ctype = "text/plain; charset=utf-8"
                out = json.dumps({"code": status, "error": e.message})
            out = out.encode()
            rec["error"] = e.message
            rec["stored"] = False
        rec["status"] = status
        base = os.path.join(srv.dir, "%04d" % seq)
        if profile is not None:
            with open(base + ".pb", "wb") as f:
                f.write(profile)
            rec["profile_file"] = base + ".pb"
        with open(base + ".json.tmp", "w") as f:
            json.dump(rec, f, indent=1, sort_keys=True)
        os.rename(base + ".json.tmp", base + ".json")
        self.reply(status, out, ctype)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", choices=("pyroscope", "profefe"),
                    required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--faults", default="")
    ap.add_argument("--auth")
    ap.add_argument("--require-tenant", action="store_true")
    a = ap.parse_args()

    http.server.ThreadingHTTPServer.allow_reuse_address = True
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.kind, srv.dir, srv.auth = a.kind, a.dir, a.auth
    srv.require_tenant = a.require_tenant
    srv.faults = [int(x) for x in a.faults.split(",") if x]
    srv.lock = threading.Lock()
    os.makedirs(a.dir, exist_ok=True)
    # Numbering goes on after a restart on the same directory.
    srv.seq = max([int(f[:4]) for f in os.listdir(a.dir)
                   if f.endswith(".json")] or [0])
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(a.port_file + ".tmp", a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
