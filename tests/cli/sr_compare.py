#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compare what stripe-reader stored with the Stripe API double's truth.

    sr_compare.py sqlite DB TRUTH.json [--db-account A] [--streams LIST]

TRUTH.json is the double's /_double/truth for one account and mode:
{"charges": [...], "payouts": [...], "events": [...]}.  Every object of the
truth must be stored, exactly (the raw JSON parsed equal, so every field
and every number), under account A ('' for the key's own), and nothing
else may be stored.  Prints a summary line per stream and the first
differences; exits 1 on any difference.  Stdlib only.
"""
import argparse
import json
import sqlite3
import sys


def load_sqlite(path, stream, account):
    db = sqlite3.connect(path)
    rows = db.execute(
        "SELECT id, raw FROM %s WHERE account = ?" % stream, (account,))
    out = {}
    for oid, raw in rows:
        if oid in out:
            raise SystemExit("%s: duplicate id %s" % (stream, oid))
        out[oid] = json.loads(raw)
    db.close()
    return out


def compare(stream, truth, stored, subset=False):
    want = {o["id"]: o for o in truth}
    problems = []
    missing = [i for i in want if i not in stored]
    extra = [] if subset else [i for i in stored if i not in want]
    differ = [i for i in want if i in stored and stored[i] != want[i]]
    for i in missing[:3]:
        problems.append("missing %s" % i)
    for i in extra[:3]:
        problems.append("unexpected %s" % i)
    for i in differ[:3]:
        keys = sorted(k for k in set(want[i]) | set(stored[i])
                      if want[i].get(k) != stored[i].get(k))
        problems.append("%s differs in %s" % (i, ", ".join(keys[:6])))
    print("# %s: truth %d, stored %d, missing %d, unexpected %d, differ %d"
          % (stream, len(want), len(stored), len(missing), len(extra),
             len(differ)))
    for p in problems:
        print("#   " + p)
    return not (missing or extra or differ)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["sqlite"])
    ap.add_argument("db")
    ap.add_argument("truth")
    ap.add_argument("--db-account", default="")
    ap.add_argument("--streams", default="charges,payouts,events")
    ap.add_argument("--events-subset", action="store_true",
                    help="events Stripe no longer lists may be stored")
    a = ap.parse_args()
    with open(a.truth, encoding="utf-8") as f:
        truth = json.load(f)
    ok = True
    for stream in a.streams.split(","):
        stored = load_sqlite(a.db, stream, a.db_account)
        subset = a.events_subset and stream == "events"
        ok = compare(stream, truth[stream], stored, subset) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
