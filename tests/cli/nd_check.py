#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check an NDJSON output folder of stripe-reader.

    nd_check.py DIR [--truth TRUTH.json] [--account A] [--no-leftovers]
                    [--events-subset]

Always: the manifest parses; every file it lists exists with the listed
size and sha256, decompresses if gzip, holds exactly the listed number of
lines, each a complete JSON object ending in a newline; every (stream,
account, id, version, source, deleted) appears exactly once across the
listed files.
--no-leftovers: no data or temporary file exists that the manifest does
not list.  --truth: for account A ('' = the key's own), the newest version
of each object of every stream named by --streams (charges,payouts; 'all':
every stream of the truth) (ties: a deletion, then event < list <
retrieve, then the larger event id) equals the truth's object (a deleted
one's envelope marks as "deleted": true, "deleted_at"), and the events are
exactly the truth's (a superset allowed with --events-subset).
--deleted-before T: objects deleted before T (and their lines) may be
missing: their delete events expired before any read.  Exits 1 on a problem.
"""
import argparse
import gzip
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sr_compare  # noqa: E402

RANK = {"event": 0, "list": 1, "retrieve": 2}


def fail(msg):
    print("# " + msg)
    return False


def read_file(top, entry):
    path = os.path.join(top, entry["path"])
    data = open(path, "rb").read()
    ok = True
    if len(data) != entry["bytes"]:
        ok = fail("%s: %d bytes, manifest says %d" % (entry["path"], len(data),
                                                      entry["bytes"]))
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        ok = fail("%s: sha256 differs from the manifest" % entry["path"])
    if entry["path"].endswith(".gz"):
        data = gzip.decompress(data)
    text = data.decode("utf-8")
    if text and not text.endswith("\n"):
        ok = fail("%s: last line is not complete" % entry["path"])
    lines = text.split("\n")[:-1] if text else []
    if len(lines) != entry["records"]:
        ok = fail("%s: %d lines, manifest says %d" % (entry["path"],
                                                      len(lines),
                                                      entry["records"]))
    return [json.loads(l) for l in lines], ok


def leftovers(top, listed):
    found = []
    for stream in sorted(os.listdir(top)):
        d = os.path.join(top, stream)
        for name in os.listdir(d) if os.path.isdir(d) else []:
            rel = stream + "/" + name
            if rel not in listed:
                found.append(rel)
    return found


def newest(copies):
    return max(copies, key=lambda r: (r["version"], bool(r.get("deleted")),
                                      RANK[r["source"]],
                                      r["source_event_id"] or ""))


def shown(r):
    """The object as the double's truth shows it: a deleted object's last
    state with "deleted": true and "deleted_at"."""
    if not r.get("deleted"):
        return r["object"]
    return dict(r["object"], deleted=True, deleted_at=r["deleted_at"])


def check_truth(records, truth, account, events_subset, gone_before=None,
                streams=("charges", "payouts")):
    ok = True
    gone = {o["id"] for objs in truth.values() for o in objs
            if gone_before is not None and o.get("deleted")
            and o.get("deleted_at", 0) < gone_before}
    if streams == "all":
        streams = [s for s in truth if s != "events"]
    for stream in streams:
        by_id = {}
        for r in records:
            if r["stream"] == stream and r["account"] == account:
                by_id.setdefault(r["id"], []).append(r)
        # deleted before the events reach back: out of any reader's reach
        # (and the lines of a deleted invoice past the 10 it embeds)
        want = {o["id"]: o for o in truth[stream] if o["id"] in by_id or not (
            o["id"] in gone or (stream == "invoice_line_items"
                                and o.get("deleted")))}
        missing = [i for i in want if i not in by_id]
        extra = [i for i in by_id if i not in want]
        differ = [i for i in want if i in by_id and
                  not sr_compare.same(shown(newest(by_id[i])), want[i])]
        print("# %s: truth %d, stored ids %d, missing %d, unexpected %d, "
              "newest differs %d" % (stream, len(want), len(by_id),
                                     len(missing), len(extra), len(differ)))
        for i in (missing + extra + differ)[:3]:
            print("#   " + i)
        ok = ok and not (missing or extra or differ)
    events = [r for r in records
              if r["stream"] == "events" and r["account"] == account]
    ids = [r["id"] for r in events]
    want = {o["id"]: o for o in truth["events"]}
    dup = len(ids) - len(set(ids))
    missing = [i for i in want if i not in set(ids)]
    extra = [] if events_subset else [i for i in ids if i not in want]
    differ = [r["id"] for r in events
              if r["id"] in want and r["object"] != want[r["id"]]]
    print("# events: truth %d, stored %d, duplicated %d, missing %d, "
          "unexpected %d, differ %d" % (len(want), len(ids), dup,
                                        len(missing), len(extra),
                                        len(differ)))
    return ok and not (dup or missing or extra or differ)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--truth")
    ap.add_argument("--account", default="")
    ap.add_argument("--no-leftovers", action="store_true")
    ap.add_argument("--events-subset", action="store_true")
    ap.add_argument("--deleted-before", type=int, default=None)
    ap.add_argument("--streams", default="charges,payouts",
                    help="streams besides events to check, or 'all'")
    a = ap.parse_args()
    manifest = json.load(open(os.path.join(a.dir, "manifest.json")))
    ok = True
    records = []
    for entry in manifest["files"]:
        recs, good = read_file(a.dir, entry)
        ok = ok and good
        records.extend(recs)
    # one copy per (id, version, source, deleted): a list read and the
    # object's event of the same second are two copies of one version, and
    # so are an update and a deletion of the same second, which the loader
    # ranks (deleted first, then event < list < retrieve)
    keys = [(r["stream"], r["account"], r["id"], r["version"], r["source"],
             bool(r.get("deleted"))) for r in records]
    dups = len(keys) - len(set(keys))
    print("# %d files, %d records, %d duplicate (stream, account, id, "
          "version, source, deleted)" % (len(manifest["files"]),
                                         len(records), dups))
    ok = ok and dups == 0
    if a.no_leftovers:
        extra = leftovers(a.dir, {e["path"] for e in manifest["files"]})
        if extra:
            ok = fail("files the manifest does not list: %s" % extra[:5])
    if a.truth:
        truth = json.load(open(a.truth))
        streams = a.streams if a.streams == "all" else a.streams.split(",")
        ok = check_truth(records, truth, a.account, a.events_subset,
                         a.deleted_before, streams) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
