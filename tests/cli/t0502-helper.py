#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Helpers of tests/cli/t0502-load-postgres.sh.  Stdlib only.

    t0502-helper.py check --dir OUT [--dir OUT2]... --schema S
                          [--truth ACCOUNT=FILE]...
        The PostgreSQL tables (read with $PSQL, default psql, and the PG*
        environment) against the NDJSON output (of every --dir) and the
        double's truth:
        - every (account, livemode, id) of the manifests' files has exactly
          one row, and the row is, column for column and in its object,
          the newest envelope line of that key (version, then a deleted
          line, then source event < list < retrieve, then the larger
          source_event_id);
        - for each ACCOUNT ('' for the platform), the objects equal the
          truth (sr_compare.py's rule: every object, every field).
        Prints '# ' diagnostics; exits 1 on any difference.

    t0502-helper.py fixture --dir OUT --schema-json FILE
        Writes an NDJSON output folder by hand (no sync: independent of the
        reader) from `stripe-reader streams --schema bigquery` in FILE: per
        stream one file, commit 1, with a line for '<stream>_1' and one for
        '<stream>_2'; for customers, prices, products and invoices a newer
        line of '<stream>_2' marks it deleted ("deleted": true,
        "deleted_at"), as the NDJSON sink writes a delete, and '<stream>_3'
        is deleted by an event of the same second as an update whose event
        id is the larger (the deletion must win).  A manifest
        (format 1) names the files with their sizes and sha256.
"""
import argparse
import gzip
import hashlib
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sr_compare  # noqa: E402

STREAMS = ("charges", "payouts", "events")
RANK = {"event": 0, "list": 1, "retrieve": 2}


def read_manifest(folder):
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
        return json.load(f)


def manifest_lines(folder):
    """Every envelope line of the manifest's files, parsed."""
    out = []
    for entry in read_manifest(folder)["files"]:
        with open(os.path.join(folder, entry["path"]), "rb") as f:
            data = f.read()
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise SystemExit("%s: sha256 differs from the manifest"
                             % entry["path"])
        if entry["path"].endswith(".gz"):
            data = gzip.decompress(data)
        for line in data.decode("utf-8").splitlines():
            out.append(json.loads(line))
    return out


def newness(line):
    return (line["version"], bool(line.get("deleted")),
            RANK.get(line["source"], 2), line.get("source_event_id") or "")


def psql_rows(sql):
    psql = os.environ.get("PSQL", "psql")
    p = subprocess.run([psql, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c",
                        sql], capture_output=True, check=False)
    if p.returncode != 0:
        raise SystemExit("psql: " + p.stderr.decode())
    return p.stdout.decode("utf-8").splitlines()


def marked(row):
    """The row's object as the double's truth shows it: a deleted one with
    "deleted": true and "deleted_at"."""
    if not row.get("deleted"):
        return row["object"]
    return dict(row["object"], deleted=True, deleted_at=row["deleted_at"])


def check(a):
    winners = {}
    lines = [line for d in a.dir for line in manifest_lines(d)]
    for line in lines:
        key = (line["stream"], line["account"], line["livemode"], line["id"])
        old = winners.get(key)
        if old is None or newness(line) > newness(old):
            winners[key] = line
    ok = True
    streams = a.streams.split(",")
    if a.streams == "all":
        streams = sorted({k[0] for k in winners})
    gone = set()
    for spec in a.truth:
        with open(spec.split("=", 1)[1], encoding="utf-8") as f:
            gone |= sr_compare.gone_ids(json.load(f), a.deleted_before)
    for stream in streams:
        rows = {}
        for text in psql_rows("SELECT to_jsonb(t)::text FROM %s.%s t"
                              % (a.schema, stream)):
            row = json.loads(text)
            rows[(stream, row["account"], row["livemode"], row["id"])] = row
        want = {k: v for k, v in winners.items() if k[0] == stream}
        missing = [k for k in want if k not in rows]
        extra = [k for k in rows if k not in want]
        differ = []
        for k in want:
            if k in rows:
                line = dict(want[k])
                del line["stream"]
                # only a deleted object's line carries these
                line.setdefault("deleted", False)
                line.setdefault("deleted_at", None)
                if rows[k] != line:
                    differ.append(k)
        print("# %s: %d keys in the files, %d rows, missing %d, unexpected "
              "%d, not the newest line %d" % (stream, len(want), len(rows),
                                              len(missing), len(extra),
                                              len(differ)))
        for k in (missing + extra)[:3]:
            print("#   %s %r" % ("missing" if k in want else "unexpected", k))
        for k in differ[:3]:
            row, line = rows[k], want[k]
            keys = sorted(c for c in row if row.get(c) != line.get(c))
            print("#   %r differs in %s" % (k, ", ".join(keys[:6])))
        ok = ok and not (missing or extra or differ)
        for spec in a.truth:
            account, path = spec.split("=", 1)
            with open(path, encoding="utf-8") as f:
                truth = json.load(f)
            stored = {k[3]: marked(r) for k, r in rows.items()
                      if k[1] == account}
            ok = sr_compare.compare(stream, truth[stream], stored,
                                    gone=gone) and ok
    sys.exit(0 if ok else 1)


DELETABLE = ("customers", "prices", "products", "invoices")
TAIL = ("version", "source", "source_event_id", "source_api_version",
        "extracted_at", "object", "deleted", "deleted_at")


def fixture_line(stream, fields, n, version, deleted_at=None, event=None):
    oid = "%s_%d" % (stream, n)
    line = {"stream": stream, "account": ""}
    for f in fields:
        if f["name"] in ("stream", "account") or f["name"] in TAIL:
            continue
        line[f["name"]] = {"id": oid, "livemode": False,
                           "created": 1700000000 + n}.get(f["name"])
    if deleted_at and not event:
        event = "evt_del_%s" % stream
    line.update(version=version, source="event" if event else "list",
                source_event_id=event,
                source_api_version="2025-03-31.basil" if event else None,
                extracted_at=version,
                object={"id": oid, "n": n, "version": version})
    if deleted_at:
        line.update(deleted=True, deleted_at=deleted_at)
    return json.dumps(line, separators=(",", ":")) + "\n"


def fixture(a):
    with open(a.schema_json, encoding="utf-8") as f:
        schema = json.load(f)
    files = []
    for stream, fields in schema.items():
        text = fixture_line(stream, fields, 1, 1700000100)
        text += fixture_line(stream, fields, 2, 1700000100)
        if stream in DELETABLE:
            text += fixture_line(stream, fields, 2, 1700000200, 1700000200)
            # deleted in the second of an update whose event id is larger
            text += fixture_line(stream, fields, 3, 1700000300, 1700000300,
                                 "evt_1_del")
            text += fixture_line(stream, fields, 3, 1700000300, None,
                                 "evt_9_upd")
        rel = "%s/000000000001-000.ndjson" % stream
        os.makedirs(os.path.join(a.dir, stream), exist_ok=True)
        data = text.encode()
        with open(os.path.join(a.dir, rel), "wb") as f:
            f.write(data)
        files.append({"path": rel, "stream": stream, "commit": 1,
                      "records": text.count("\n"), "bytes": len(data),
                      "sha256": hashlib.sha256(data).hexdigest(),
                      "format": "envelope", "compression": "none"})
    with open(os.path.join(a.dir, "manifest.json"), "w",
              encoding="utf-8") as f:
        json.dump({"format": 1, "sequence": 1, "files": files,
                   "commits": [], "states": {}}, f)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("--dir", required=True, action="append")
    c.add_argument("--schema", default="public")
    c.add_argument("--truth", action="append", default=[])
    c.add_argument("--streams", default="charges,payouts,events",
                   help="'all': every stream the files hold")
    c.add_argument("--deleted-before", type=int, default=None)
    fx = sub.add_parser("fixture")
    fx.add_argument("--dir", required=True)
    fx.add_argument("--schema-json", required=True)
    a = ap.parse_args()
    if a.cmd == "fixture":
        fixture(a)
    else:
        check(a)


if __name__ == "__main__":
    main()
