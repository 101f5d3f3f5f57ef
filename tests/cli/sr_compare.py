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
    """{id: object}; a row marked deleted gets the truth's marks back
    ("deleted": true, "deleted_at") to compare with the double's truth,
    which keeps a deleted object's last state with them."""
    db = sqlite3.connect(path)
    cols = [r[1] for r in db.execute("PRAGMA table_info(%s)" % stream)]
    marks = "deleted, deleted_at" if "deleted" in cols else "0, NULL"
    rows = db.execute(
        "SELECT id, raw, %s FROM %s WHERE account = ?" % (marks, stream),
        (account,))
    out = {}
    for oid, raw, deleted, deleted_at in rows:
        if oid in out:
            raise SystemExit("%s: duplicate id %s" % (stream, oid))
        out[oid] = json.loads(raw)
        if deleted:
            out[oid]["deleted"] = True
            out[oid]["deleted_at"] = deleted_at
    db.close()
    return out


# A deleted stub ({"id", "object", "deleted": true} and its parent's id:
# a subscription item's or an invoice line's) is stored for a child found
# gone from its parent's complete sub-list:
# no event shows it go, so its deleted_at is the time of that read, not
# the removal's (reader/children.c).
STUB_KEYS = {"id", "object", "deleted", "deleted_at", "subscription", "invoice"}


def same(stored, want):
    """Equal; but a deleted object's last state is its delete event's copy,
    rendered at the event's API version (nothing else can be read once it
    is deleted), so for one deleted in both only the fields both shapes
    have are compared; a stub's deleted_at may be later than the truth's."""
    if stored == want:
        return True
    if not (stored.get("deleted") and want.get("deleted")):
        return False
    keys = set(stored) & set(want)
    if set(stored) <= STUB_KEYS:
        keys.discard("deleted_at")
        if (stored.get("deleted_at") or 0) < (want.get("deleted_at") or 0):
            return False
    return all(stored[k] == want[k] for k in keys)


def gone_ids(truth, before):
    """Objects deleted before 'before' (Stripe's events reach back no
    further): no list shows them and their delete event has expired, so
    no connector can have them.  (Nor the lines of a deleted invoice past
    the 10 it embeds: its sub-list is gone with it; compare() allows.)"""
    if before is None:
        return set()
    return {o["id"] for objs in truth.values() for o in objs
            if o.get("deleted") and o.get("deleted_at", 0) < before}


def compare(stream, truth, stored, subset=False, gone=frozenset()):
    want = {o["id"]: o for o in truth}
    want = {i: o for i, o in want.items() if i in stored or not (
        i in gone or (stream == "invoice_line_items" and o.get("deleted")))}
    problems = []
    missing = [i for i in want if i not in stored]
    extra = [] if subset else [i for i in stored if i not in want]
    differ = [i for i in want if i in stored and not same(stored[i], want[i])]
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
    ap.add_argument("--streams", default="charges,payouts,events",
                    help="a list, or 'all': every stream of the truth")
    ap.add_argument("--deleted-before", type=int, default=None,
                    help="objects deleted before this time may be missing")
    ap.add_argument("--events-subset", action="store_true",
                    help="events Stripe no longer lists may be stored")
    a = ap.parse_args()
    with open(a.truth, encoding="utf-8") as f:
        truth = json.load(f)
    ok = True
    gone = gone_ids(truth, a.deleted_before)
    names = list(truth) if a.streams == "all" else a.streams.split(",")
    for stream in names:
        stored = load_sqlite(a.db, stream, a.db_account)
        subset = a.events_subset and stream == "events"
        ok = compare(stream, truth[stream], stored, subset, gone) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
