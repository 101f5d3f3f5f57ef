#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Seeded soak test: random sequences against the Stripe API double, the
sinks compared with the double's truth after every step (issue 11).

    soak.py --seed S --steps N [--sink sqlite|ndjson|both] [--tap]
            [--layout shared|separate] [--weight ACTION=W ...] [--keep]

Starts its own double (port 0, frozen clock, a small dataset of two
accounts: the platform at the pinned API version and one connected account,
usually at an older one, each with a modest --billing dataset, so every
stream of issue 14 has data), and two profiles, one per account, each read
into SQLite and/or NDJSON (into one sink shared by both profiles, or one
sink each); every stream is read and compared (the soak checks at start
that its list is the reader's and the truth's).  What an older double lacks (a mutation kind, a limits knob,
account versions) is probed at start and left out.  Then, for N steps, one
action drawn from random.Random("S:step") (so step K is the same action
whatever the steps before it did, and STEPS=K replays a failure exactly):

  mutate      random mutations (kinds, bursts, clock steps) on one account:
              charges' and payouts', or (60%) the issue-14 kinds of 1-4
              streams drawn by weight (BILLING: every kind of the double,
              deletes, cancels, items, drafts, checkouts, transfers and
              fees on the platform)
  ops         explicit ops on chosen objects: updates, refunds, disputes,
              captures, payout changes, new charges and payouts backdated
              up to 290 s (late inserts)
  billing     explicit issue-14 ops: a draft grown past its 10 embedded
              lines, items added and removed, cancels, renewals, async
              checkouts, a product deleted with its prices, deletes
  clock       advance the clock: seconds, minutes, hours or days (never
              more than 25 days past the last settle: the events retention
              guard is hit only on purpose, by long_gap); balance
              transactions become available as it passes available_on
  sync        one reader, no deadline (exit 0)
  deadline    one reader with --max-duration 3-4 s under latency (0 or 8)
  sync_all    every reader (0)
  busy        a sync while a burst of changes lands (0, or 8 with a deadline)
  kill9       kill -9 of a running sync at a random moment
  sigterm     SIGTERM of a running sync (8, or 0 if it had finished)
  knobs       latency, visibility lag, and where the double has them,
              consistency_lag (a change shows in lists and retrieves 1-5 s
              after its event), late_fraction and late_max (objects and
              events listed up to 5 minutes late)
  faults      503/500/502/429 fault rules (bounded), or none
  versions    an account's default API version changes (its events are
              rendered at it; where the double has /_double/accounts)
  long_gap    31-40 days pass: sync exits 6, sync --rescan 0, then the
              sink must equal the truth (rare)
  disk_full   changes land, then one reader syncs with its disk full but
              for 16 KiB to 1 MiB (0 or 9); space returns after it.  The
              sinks live on a tmpfs mounted in the temp folder; where none
              can be mounted (not root), the action draws the same and
              does nothing, so a seed replays alike

Every few steps (and after the last one) a settle step: faults off, latency
0, the clock advanced past every lag plus the reader's settle margin and
overlap, every reader synced to completion (exit 0), and every sink must
EQUAL the truth: every object of every stream field for field (newest copy
for NDJSON), deleted ones with their marks (SQLite deleted/deleted_at, the
NDJSON envelope's), except objects deleted before Stripe's 30 days of
events reach back that a reader never saw deleted (only after long_gap);
and exactly the events the double still lists, plus only events that
expired since they were read.  After every step, the invariants that hold
at any time: no duplicate row per (stream, account, id) in SQLite and per
(stream, account, id, version, source, deleted) in NDJSON (its
documented guarantee, as nd_check.py checks it), a consistent manifest,
every stored id exists in the truth of its account, nothing stored
deleted that the truth has live, stored events equal Stripe's copy, every
exit code expected.

On a failure: one line 'soak: FAILED seed=S step=K action=... replay: make
soak SEED=S STEPS=K ...', the temp folder (soak.log, runs.log, sinks, the
double's log) is kept, exit 1.  --tap prints one TAP line per step.
--keep-going reports every failed step; --debug runs the binary with -vv
(every request in runs.log) for a replay.  Stdlib only (plus
tests/cli/sr_compare.py and nd_check.py, and tests/double/double_client.py).
"""
import argparse
import contextlib
import http.client
import io
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "cli"))
sys.path.insert(0, os.path.join(TOP, "tests", "double"))
import nd_check  # noqa: E402
from double_client import stop_process  # noqa: E402
import sr_compare  # noqa: E402

PLATFORM = "acct_1DoublePlatform00"
CONNECTED = "acct_1DoubleConn000001"
KEY = "sk_test_double_platform"
PINNED = "2024-06-20"             # the reader's pinned Stripe-Version
END = 1767225600
DAY = 86400
RETENTION_DAYS = 30
OVERLAP = 60                      # the reader's default overlap
SETTLE = 5                        # and settle margin
LATE_LIMIT = 290                  # issue 11 §4: up to 5 minutes late
KEEP_WITHIN = 25 * DAY            # last settle to now, except long_gap
# every stream the reader has (checked at start against 'stripe-reader
# streams' and the double's truth: the soak covers every stream)
STREAMS = ("charges", "events", "payouts", "balance_transactions", "refunds",
           "disputes", "customers", "payment_intents", "invoices",
           "invoice_line_items", "subscriptions", "subscription_items",
           "products", "prices", "transfers", "application_fees",
           "checkout_sessions", "credit_notes")
OBJECTS = tuple(s for s in STREAMS if s != "events")
# the issue-14 mutation kinds of the double (tests/double/README.md), by the
# stream they change most, with the weight of the stream in a random draw:
# each stream changes often.  Balance transactions change with charges,
# refunds, payouts, fees and transfers, and as the clock passes their
# available_on (no event); invoice lines and subscription items with their
# parents.  Transfers and application fees are the platform's.
BILLING = {
    "customers": (3, ("new_customer", "new_customer", "customer_update",
                      "customer_discount", "customer_delete")),
    "products": (2, ("new_product", "new_product", "product_update",
                     "product_archive", "product_delete")),
    "prices": (2, ("new_price", "new_price", "price_update", "price_archive",
                   "price_activate", "price_delete")),
    "subscriptions": (3, ("new_subscription", "new_subscription",
                          "subscription_update", "subscription_cancel",
                          "subscription_renew")),
    "subscription_items": (3, ("subscription_item_add",
                               "subscription_item_add",
                               "subscription_item_remove",
                               "subscription_item_update")),
    "invoices": (3, ("new_invoice", "invoice_update", "invoice_finalize",
                     "invoice_pay", "invoice_fail", "invoice_void",
                     "invoice_delete", "invoice_upcoming")),
    "invoice_line_items": (2, ("new_invoice", "invoice_add_lines")),
    "credit_notes": (2, ("credit_note_create", "credit_note_update",
                         "credit_note_void")),
    "checkout_sessions": (2, ("new_checkout_session", "new_checkout_session",
                              "checkout_complete", "checkout_expire",
                              "checkout_async_succeeded",
                              "checkout_async_failed")),
    "payment_intents": (2, ("new_payment_intent", "payment_intent_cancel")),
    "transfers": (1.5, ("new_transfer", "transfer_update",
                        "transfer_reverse")),
    "application_fees": (1.5, ("new_application_fee",
                               "application_fee_refund",
                               "fee_refund_update")),
    "disputes": (1.5, ("dispute", "dispute_update", "dispute_close")),
    "refunds": (1.5, ("refund_partial", "refund_full", "refund_update")),
}
PLATFORM_ONLY = ("transfers", "application_fees")
# Changes no event announces and no list by 'created' shows again: no
# incremental reader can see them (payment intents have no .updated event,
# reference/stripe-streams.md §1), so the soak does not make them.
UNSEEN = {"payment_intent_update"}
# what appears once across an NDJSON manifest's files (docs/warehouse.md,
# tests/cli/nd_check.py): a list read and the object's event of the same
# second are two copies of one version, ranked by source; so are an update
# and a deletion of the same second, the deletion first
ND_KEY = ("stream", "account", "id", "version", "source", "deleted")

ACTIONS = {"mutate": 16, "ops": 12, "billing": 8, "clock": 12, "sync": 10,
           "deadline": 10, "sync_all": 3, "busy": 6, "kill9": 6,
           "sigterm": 5, "knobs": 7, "faults": 4, "versions": 2,
           "long_gap": 0.6, "disk_full": 2}
OPTIONAL_KINDS = ("refund_failed",)
# knobs of POST /_double/limits a double may not have (used when its
# answer echoes them)
OPTIONAL_KNOBS = ("consistency_lag", "late_fraction", "late_max")
VERSIONS = ("2024-06-20", "2024-06-20", "2022-11-15", "2020-08-27",
            "2016-07-06", "2025-03-31.basil")


class Failure(Exception):
    pass


# -- the double ------------------------------------------------------------

class Double:
    def __init__(self, folder, config):
        self.folder = folder
        self.proc = None
        self.start(config)

    def start(self, config):
        path = os.path.join(self.folder, "double-config.json")
        with open(path, "w") as f:
            json.dump(config, f, indent=1)
        self.err = open(os.path.join(self.folder, "double.err"), "a")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(TOP, "tests", "double",
                                          "stripe_double.py"),
             "--port", "0", "--quiet", "--config", path],
            stdout=subprocess.PIPE, stderr=self.err, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening on 127.0.0.1:"):
            self.proc.wait()
            self.err.flush()
            with open(os.path.join(self.folder, "double.err")) as f:
                tail = f.read()[-500:]
            raise RuntimeError("double did not start: %s" % tail.strip())
        self.port = int(line.rsplit(":", 1)[1])
        self.url = "http://127.0.0.1:%d" % self.port

    def stop(self):
        if self.proc:
            stop_process(self.proc)
            self.proc.stdout.close()
            self.err.close()
        self.proc = None

    def call(self, method, path, body=None):
        """(status, parsed JSON) of a control request."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            data = json.dumps(body) if body is not None else None
            conn.request(method, path, body=data,
                         headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            raw = resp.read()
        finally:
            conn.close()
        try:
            return resp.status, json.loads(raw)
        except ValueError:
            return resp.status, {"error": raw[:200].decode("latin-1")}

    def ctl(self, method, path, body=None):
        status, answer = self.call(method, path, body)
        if status != 200:
            raise Failure("double: %s %s -> %d %s" % (method, path, status,
                                                      str(answer)[:300]))
        return answer

    def now(self):
        return int(self.ctl("GET", "/_double/clock")["now"])


# -- readers and sinks -------------------------------------------------------

class Reader:
    """One profile (account) read into one sink."""

    def __init__(self, name, account, kind, uri, profile):
        self.name = name                   # plat | conn
        self.account = account             # the sink's account ('' = own)
        self.truth_account = account or PLATFORM
        self.kind = kind                   # sqlite | ndjson
        self.uri = uri
        self.path = uri.split(":", 1)[1]
        self.profile = profile
        self.ever_ok = False               # a run has exited 0

    def label(self):
        return "%s/%s" % (self.name, self.kind)


PROFILE = """apiVersion: stripe-reader/v1
kind: Profile
metadata: {name: %(name)s}
spec:
  mode: test
  auth:
    apiKey: ${{ SR_KEY }}
%(account)s  adapter: double
---
apiVersion: stripe-reader/adapters/v1
kind: HTTP
metadata: {name: double}
spec:
  baseUrl: ${{ SR_URL }}
  timeouts: {connect: 5s, total: 30s}
  retry: {maxAttempts: 8, initialBackoff: 20ms, maxBackoff: 100ms}
  rateLimit: {globalRps: 1000, endpointRps: 1000, maxInFlight: 32}
"""


def load_sqlite(reader, problems):
    """{stream: {id: object}} of reader's account; problems appended.  A
    row marked deleted gets the truth's marks back ("deleted": true,
    "deleted_at"), as sr_compare.load_sqlite does."""
    out = {}
    if not os.path.exists(reader.path):
        return {s: {} for s in STREAMS}
    db = sqlite3.connect(reader.path, timeout=30)
    try:
        check = db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            problems.append("%s: quick_check: %s" % (reader.path, check))
        tables = {r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        for stream in STREAMS:
            rows = []
            if stream in tables:
                cols = [r[1] for r in db.execute("PRAGMA table_info(%s)"
                                                 % stream)]
                marks = "deleted, deleted_at" if "deleted" in cols \
                    else "0, NULL"
                rows = db.execute("SELECT id, raw, %s FROM %s WHERE account "
                                  "= ?" % (marks, stream),
                                  (reader.account,)).fetchall()
            got = {}
            for oid, raw, deleted, deleted_at in rows:
                if oid in got:
                    problems.append("%s: duplicate %s row %s"
                                    % (reader.label(), stream, oid))
                got[oid] = json.loads(raw)
                if deleted:
                    got[oid]["deleted"] = True
                    got[oid]["deleted_at"] = deleted_at
            out[stream] = got
    finally:
        db.close()
    return out


class NdjsonCache:
    """Parsed NDJSON files by (path, sha256): a listed file never changes."""

    def __init__(self):
        self.files = {}

    def load(self, folder, problems):
        path = os.path.join(folder, "manifest.json")
        if not os.path.exists(path):
            return [], None
        with open(path) as f:
            manifest = json.load(f)
        records = []
        for entry in manifest["files"]:
            key = (folder, entry["path"], entry["sha256"])
            if key not in self.files:
                buf = io.StringIO()
                try:
                    with contextlib.redirect_stdout(buf):
                        recs, good = nd_check.read_file(folder, entry)
                except (OSError, ValueError) as err:
                    recs, good = [], False
                    buf.write("# %s: %s\n" % (entry["path"], err))
                if not good:
                    problems.append("%s: %s" % (folder,
                                                buf.getvalue().strip()))
                    continue
                self.files[key] = recs
            records.extend(self.files[key])
        keys = [tuple(bool(r.get(k)) if k == "deleted" else r[k]
                      for k in ND_KEY) for r in records]
        if len(keys) != len(set(keys)):
            seen, dup = set(), []
            for k in keys:
                if k in seen:
                    dup.append(k)
                seen.add(k)
            problems.append("%s: %d duplicate (%s), e.g. %s"
                            % (folder, len(dup), ", ".join(ND_KEY),
                                                   list(dup[0])))
        return records, manifest


def newest_by_id(records, stream, account):
    by_id = {}
    for r in records:
        if r["stream"] == stream and r["account"] == account:
            by_id.setdefault(r["id"], []).append(r)
    return {i: nd_check.shown(nd_check.newest(c)) for i, c in by_id.items()}


def embedded_items(truth):
    """The subscription items that an event of their subscription showed
    (data.object or previous_attributes), or a subscription shows now."""
    seen = {i["id"] for o in truth["subscriptions"]
            for i in o["items"]["data"]}
    for e in truth["events"]:
        data = e["data"]
        for part in (data.get("object"), data.get("previous_attributes")):
            items = part.get("items") if isinstance(part, dict) else None
            if isinstance(items, dict):
                seen.update(i["id"] for i in items.get("data", []))
    return seen


def out_of_reach(truth, stored, floor):
    """Ids that no reader can have: deleted before 'floor' (Stripe's 30
    days of events reach back no further), with the lines of such
    invoices, that no reader saw deleted: missing, or stored as they were
    before (a --rescan re-lists, and lists no longer show them);
    sr_compare and nd_check skip the missing ones, this adds the stale
    ones.  Stored marked deleted, they must equal the truth.  And the
    lines of a deleted invoice and the subscription items that were never
    read (below)."""
    gone = sr_compare.gone_ids(truth, floor)
    out = set()
    # lines past the 10 an invoice embeds, of an invoice deleted before a
    # sync read its sub-list: the sub-list is a 404 after the delete and
    # the events embed the first 10 (stripe-streams.md §4, §5)
    embedded = {l["id"] for o in truth["invoices"] if o.get("deleted")
                for l in o["lines"]["data"]}
    stored_lines = stored.get("invoice_line_items", {})
    out.update(o["id"] for o in truth["invoice_line_items"]
               if o.get("deleted") and o["id"] not in stored_lines
               and o["id"] not in embedded)
    # subscription items past the 10 a subscription embeds, added and
    # removed between two reads: they have no events of their own, the
    # subscription's events embed the first 10 (stripe-streams.md §1, §3)
    # and its sub-list no longer lists them (soak seed 7306)
    shown = embedded_items(truth)
    stored_items = stored.get("subscription_items", {})
    out.update(o["id"] for o in truth["subscription_items"]
               if o.get("deleted") and o["id"] not in stored_items
               and o["id"] not in shown)
    if not gone:
        return out
    for stream in OBJECTS:
        for oid, obj in stored.get(stream, {}).items():
            if (oid in gone or obj.get("invoice") in gone) and \
                    not obj.get("deleted"):
                out.add(oid)
    return out


# -- the soak ----------------------------------------------------------------

def mount_tmpfs(path):
    """A tmpfs at path (for disk_full), or None where mount fails.  Its
    size is what disk_full fills (RAM, while it is full): a soak's sinks
    take tens of MB."""
    os.makedirs(path, exist_ok=True)
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512m",
                               "tmpfs", path], stdin=subprocess.DEVNULL,
                              capture_output=True).returncode == 0
    except OSError:
        done = False
    return path if done else None


def unmount_tmpfs(path, keep):
    """Unmount the sinks' tmpfs; with keep, copy what it holds beside
    first.  A busy mount (a reader still closing) is detached lazily."""
    try:
        if keep:
            shutil.copytree(path, path + "-kept", dirs_exist_ok=True)
    except OSError as err:
        print("soak: could not copy %s: %s" % (path, err), flush=True)
    finally:
        for argv in (["umount", path], ["umount", "-l", path]):
            if subprocess.run(argv, stdin=subprocess.DEVNULL,
                              capture_output=True).returncode == 0:
                break
        else:
            print("soak: could not unmount %s" % path, flush=True)


class Soak:
    def __init__(self, args, folder):
        self.a = args
        self.seed = args.seed
        self.folder = folder
        self.log_file = open(os.path.join(folder, "soak.log"), "w")
        self.runs_log = open(os.path.join(folder, "runs.log"), "w")
        self.nd_cache = NdjsonCache()
        self.nd_loaded = {}
        self.reported = set()
        self.events_seen = {}      # account -> {event id: object}
        self.truth = None
        self.truth_query = ""
        self.kinds = []
        self.knobs = {"latency_ms": 0, "jitter_ms": 0, "visibility_lag": 0}
        self.optional_knobs = set()
        self.versions = None
        self.max_lag = 0
        self.anchor = 0            # clock of the last settle
        self.counts = {}
        self.exits = {}
        self.run_n = 0
        self.step = 0
        self.failures = []
        self.action = "start"
        self.readers = []
        self.double = None
        self.env = None
        self.disk = None           # the sinks' tmpfs, when mounted
        self.t0 = time.monotonic()

    # -- output ----------------------------------------------------------

    def log(self, text):
        self.log_file.write(text + "\n")
        self.log_file.flush()
        if self.a.verbose:
            print(text, flush=True)

    # -- set-up ----------------------------------------------------------

    def setup(self):
        rng = random.Random("%d:setup" % self.seed)
        back = rng.choice([20, 20, 45])
        conn_version = rng.choice(["2020-08-27", "2020-08-27",
                                   "2016-07-06", PINNED])
        config = {
            "seed": rng.randrange(1, 10 ** 6), "mode": "test",
            "start": END - back * DAY, "end": END, "frozen_clock": True,
            "api_version": PINNED,
            "accounts": [
                {"id": PLATFORM, "charges": rng.randint(150, 400),
                 "payouts": rng.randint(15, 40),
                 "same_second": rng.choice([0, 0, 120])},
                {"id": CONNECTED, "charges": rng.randint(100, 300),
                 "payouts": rng.randint(10, 30),
                 "api_version": conn_version}],
            "visibility_lag_fraction": rng.choice([1.0, 1.0, 0.3]),
            "event_disorder": rng.choice([0, 0, 0.2]),
            "retention_days": RETENTION_DAYS,
            "fault_seed": rng.randrange(10 ** 6),
        }
        # the issue-14 streams: a modest dataset (a step stays fast), drawn
        # apart so that the rest of the set-up is what it was
        brng = random.Random("%d:billing" % self.seed)
        config["accounts"][0]["billing"] = brng.randint(6, 14)
        config["accounts"][1]["billing"] = brng.randint(4, 10)
        layout = self.a.layout or rng.choice(["shared", "separate"])
        late_max = rng.choice([300, 300, 120, 60])
        knobs = {"consistency_lag": rng.choice([[1, 5], [1, 5], [0, 0],
                                                [0, 3]]),
                 "late_fraction": rng.choice([0.02, 0.02, 0, 0.1]),
                 "late_max": late_max}
        try:
            self.double = Double(self.folder, config)
        except RuntimeError as err:
            # an older double may not know a connected account's version
            self.log("# double refused the config (%s); retrying without "
                     "the connected account's api_version" % err)
            del config["accounts"][1]["api_version"]
            self.double = Double(self.folder, config)
        self.env = dict(os.environ, SR_KEY=KEY, SR_URL=self.double.url)
        for var, sub in (("STRIPE_READER_CONFIG_DIR", "config"),
                         ("XDG_CONFIG_HOME", "xdg-config"),
                         ("XDG_STATE_HOME", "xdg-state"),
                         ("STRIPE_READER_STATE_DIR", "state"),
                         ("HOME", "home")):
            self.env[var] = os.path.join(self.folder, sub)
            os.makedirs(self.env[var], exist_ok=True)
        for var in ("STRIPE_READER_PROFILE", "STRIPE_API_KEY",
                    "STRIPE_READER_PROFILE_PATH"):
            self.env.pop(var, None)
        profiles = {}
        for name, account in (("plat", ""), ("conn", CONNECTED)):
            path = os.path.join(self.folder, name + ".yaml")
            with open(path, "w") as f:
                f.write(PROFILE % {"name": name, "account": (
                    "  accountId: %s\n" % account if account else "")})
            profiles[name] = path
        self.make_readers(layout, profiles)
        self.probe(knobs)
        self.log("# soak seed=%d steps=%d sink=%s layout=%s double=%s "
                 "config=%s" % (self.seed, self.a.steps, self.a.sink, layout,
                                self.double.url, json.dumps(config)))
        self.log("# sinks on %s" % (
            "a tmpfs, %s (disk_full fills it)" % self.disk if self.disk else
            "the temp folder (no tmpfs: disk_full changes data only)"))
        self.log("# kinds=%s knobs=%s truth query=%r accounts=%s"
                 % (self.kinds, self.knobs, self.truth_query,
                    self.versions))
        self.anchor = self.double.now()
        self.fetch_truth()

    def probe(self, knobs):
        """What this double supports: mutation kinds, limits knobs, account
        versions, the truth's api_version parameter (a 400 means no)."""
        base = ["capture", "refund_partial", "refund_full", "dispute",
                "update", "payout_paid", "payout_failed", "payout_canceled",
                "new_charge", "new_payout", "pending_succeeded",
                "pending_failed", "payout_update"]
        self.kinds = list(base)
        for kind in OPTIONAL_KINDS:
            status, _ = self.double.call("POST", "/_double/mutate",
                                         {"kinds": [kind], "count": 0,
                                          "seed": 1})
            if status == 200:
                self.kinds.append(kind)
        self.billing = {}
        for stream, (weight, kinds) in BILLING.items():
            known = []
            for kind in kinds:
                status, _ = self.double.call(
                    "POST", "/_double/mutate",
                    {"kinds": [kind], "count": 0, "seed": 1})
                if status == 200:
                    known.append(kind)
            known = [k for k in known if k not in self.a.no_kind]
            if known:
                self.billing[stream] = (weight, known)
        self.kinds = [k for k in self.kinds if k not in self.a.no_kind]
        self.check_coverage()
        for knob in OPTIONAL_KNOBS:
            status, answer = self.double.call("POST", "/_double/limits",
                                              {knob: knobs[knob]})
            if status == 200 and knob in answer:
                self.optional_knobs.add(knob)
        self.set_limits(knobs)
        status, answer = self.double.call("GET", "/_double/accounts")
        self.versions = {a["id"]: a["api_version"] for a in
                         answer["accounts"]} if status == 200 else None
        status, _ = self.double.call(
            "GET", "/_double/truth?account=%s&mode=test&api_version=%s"
            % (PLATFORM, PINNED))
        self.truth_query = "&api_version=" + PINNED if status == 200 else ""

    def make_readers(self, layout, profiles):
        """The readers (profile x sink), their sinks on a tmpfs when one
        can be mounted (disk_full fills it)."""
        kinds = ["sqlite", "ndjson"] if self.a.sink == "both" \
            else [self.a.sink]
        self.disk = mount_tmpfs(os.path.join(self.folder, "disk"))
        for kind in kinds:
            for name, account in (("plat", ""), ("conn", CONNECTED)):
                suffix = "" if layout == "shared" else "-" + name
                uri = ("sqlite:%s/sink%s.db" if kind == "sqlite"
                       else "ndjson:%s/nd%s") % (self.disk or self.folder,
                                                 suffix)
                self.readers.append(Reader(name, account, kind, uri,
                                           profiles[name]))

    def check_coverage(self):
        """The soak covers every stream of the reader and of the double's
        truth, and every mutation kind of the double."""
        out = subprocess.run([self.a.bin, "streams"], capture_output=True,
                             text=True, env=self.env).stdout
        reader = {l.split()[0] for l in out.splitlines()
                  if l.strip() and not l.startswith(" ")}
        truth = self.double.ctl("GET", "/_double/truth?mode=test&account=%s"
                                % PLATFORM)
        problems = []
        for what, names in (("the reader", reader), ("the truth", truth)):
            if set(names) != set(STREAMS):
                problems.append("%s has streams %s, the soak %s" % (
                    what, sorted(set(names) - set(STREAMS)),
                    sorted(set(STREAMS) - set(names))))
        try:
            import billing_ops
            drawn = {k for _, kinds in BILLING.values() for k in kinds}
            left = sorted(set(billing_ops.KINDS) - drawn - UNSEEN)
            if left:
                problems.append("mutation kinds the soak never draws: %s"
                                % left)
        except ImportError:
            pass
        if problems:
            raise Failure("coverage: " + "; ".join(problems))

    # -- truth -------------------------------------------------------------

    def fetch_truth(self):
        truth = self.double.ctl("GET", "/_double/truth?mode=test"
                                + self.truth_query)
        self.truth = {}
        for account, parts in truth.items():
            t = {s: {o["id"]: o for o in parts[s]} for s in STREAMS}
            t["lists"] = parts
            self.truth[account] = t
            seen = self.events_seen.setdefault(account, {})
            for oid, ev in t["events"].items():
                old = seen.get(oid)
                if old is not None and old != ev:
                    raise Failure("the double changed event %s" % oid)
                seen[oid] = ev
        self.now = self.double.now()

    # -- running the binary -----------------------------------------------

    def start_run(self, reader, extra):
        self.run_n += 1
        argv = [self.a.bin] + (["-vv"] if self.a.debug else []) + [
            "sync", "--profile", reader.profile, "--sink", reader.uri] + extra
        self.runs_log.write("\n=== run %d step %d %s: %s\n"
                            % (self.run_n, self.step, reader.label(),
                               " ".join(argv[1:])))
        self.runs_log.flush()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=self.runs_log, stderr=self.runs_log,
                                env=self.env, cwd=self.folder)
        return proc

    def finish_run(self, reader, proc, expected, what, timeout=180):
        try:
            rc = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise Failure("%s: %s did not end within %d s"
                          % (reader.label(), what, timeout))
        self.runs_log.write("=== exit %d\n" % rc)
        self.runs_log.flush()
        self.exits[rc] = self.exits.get(rc, 0) + 1
        if rc not in expected:
            raise Failure("%s: %s exited %d, expected %s (runs.log run %d)"
                          % (reader.label(), what, rc,
                             "/".join(str(e) for e in sorted(expected)),
                             self.run_n))
        if rc == 0:
            reader.ever_ok = True
        return rc

    def run(self, reader, extra, expected, what="sync"):
        proc = self.start_run(reader, extra)
        return self.finish_run(reader, proc, expected, what)

    def run_opts(self, rng):
        """Random --concurrency / --commit-interval (always drawn)."""
        conc = rng.choice([None, None, 1, 2, 4, 12])
        commit = rng.choice([None, None, "1s"])
        extra = []
        if conc:
            extra += ["--concurrency", str(conc)]
        if commit:
            extra += ["--commit-interval", commit]
        return extra

    # -- double controls ---------------------------------------------------

    def set_limits(self, changes):
        body = {k: v for k, v in changes.items()
                if k not in OPTIONAL_KNOBS or k in self.optional_knobs}
        if body.get("late_max") == 0:
            body["late_fraction"] = 0
        if body:
            self.double.ctl("POST", "/_double/limits", body)
            self.knobs.update(body)
        lag = self.knobs.get("visibility_lag", 0) + \
            self.knobs.get("late_max", 0) + \
            max(self.knobs.get("consistency_lag", [0, 0]))
        self.max_lag = max(self.max_lag, lag)

    def mutate(self, body):
        status, answer = self.double.call("POST", "/_double/mutate", body)
        if status != 200:
            return 0, "refused: %s" % str(answer.get("error"))[:80]
        applied = answer.get("applied", [])
        done = [a for a in applied if "skipped" not in a]
        return len(done), ""

    def need_latency(self, rng):
        """Deadline, kill and signal runs need a run that lasts."""
        lat = rng.choice([300, 600, 900])
        if self.knobs["latency_ms"] < 250:
            self.set_limits({"latency_ms": lat})
            return " latency=%d" % lat
        return ""

    # -- actions -----------------------------------------------------------

    def billing_kinds(self, rng, account, groups):
        """Random kinds of 'groups' streams drawn by their weight (a kind
        listed twice is drawn twice as often)."""
        pool = {s: wk for s, wk in self.billing.items()
                if account == PLATFORM or s not in PLATFORM_ONLY}
        kinds = []
        for _ in range(groups):
            if not pool:
                break
            names = sorted(pool)
            stream = rng.choices(names, [pool[n][0] for n in names])[0]
            kinds += pool.pop(stream)[1]
        return kinds

    def act_mutate(self, rng):
        account = rng.choice([PLATFORM, CONNECTED])
        r = rng.random()
        if self.billing and r < 0.6:
            # the issue-14 streams, now and then mixed with charges'
            kinds = self.billing_kinds(rng, account, rng.randint(1, 4))
            if rng.random() < 0.2:
                kinds += rng.sample(self.kinds, rng.randint(1, 4))
        else:
            kinds = None if r < 0.7 else rng.sample(
                self.kinds, rng.randint(1, len(self.kinds)))
        count = rng.choice([1, 2, 3, 5, 8]) if rng.random() < 0.8 \
            else rng.randint(20, 60)
        step = rng.choice([0, 1, 1, 5, 30, 120])
        body = {"count": count, "seed": rng.randrange(2 ** 31),
                "account": account, "mode": "test", "step": step}
        if kinds:
            body["kinds"] = kinds
        n, note = self.mutate(body)
        return "%s count=%d step=%d kinds=%s -> %d applied %s" % (
            account[-6:], count, step, ",".join(kinds) if kinds else
            "default", n, note)

    def act_ops(self, rng):
        account = rng.choice([PLATFORM, CONNECTED])
        truth = self.truth[account]["lists"]
        charges, payouts = truth["charges"], truth["payouts"]
        done, notes = 0, []
        for _ in range(rng.randint(1, 4)):
            op = self.pick_op(rng, account, charges, payouts)
            if op is None:
                continue
            n, note = self.mutate({"ops": [op], "step": rng.choice([0, 1]),
                                   "seed": rng.randrange(2 ** 31)})
            done += n
            notes.append(op["op"] + ("!" if note else ""))
        return "%s %s -> %d applied" % (account[-6:], " ".join(notes), done)

    def pick_op(self, rng, account, charges, payouts):
        kinds = ["update", "update", "refund_partial", "refund_full",
                 "dispute", "capture", "payout", "new_charge", "new_charge",
                 "new_payout"]
        if "refund_failed" in self.kinds:
            kinds.append("refund_failed")
        kind = rng.choice(kinds)
        now = self.double.now()
        if kind == "new_charge":
            return {"op": "new_charge", "account": account, "mode": "test",
                    "amount": rng.randint(50, 500000),
                    "currency": rng.choice(["usd", "eur", "gbp", "jpy"]),
                    "status": rng.choice(["succeeded", "succeeded",
                                          "uncaptured", "pending",
                                          "failed"]),
                    "sepa": rng.random() < 0.1,
                    "created": now - rng.choice([0, 1, 30, 70, 200,
                                                 LATE_LIMIT])}
        if kind == "new_payout":
            return {"op": "new_payout", "account": account,
                    "amount": rng.randint(100, 900000),
                    "created": now - rng.choice([0, 2, 90, LATE_LIMIT])}
        if kind == "update":
            pool = charges if rng.random() < 0.7 or not payouts else payouts
            if not pool:
                return None
            obj = rng.choice(pool)
            op = {"op": "update", "id": obj["id"]}
            if rng.random() < 0.5:
                op["description"] = rng.choice(
                    ["Order #%d" % rng.randint(1, 99999), "Café crème ☕",
                     "Quote \"VIP\" \\ x", None])
            else:
                op["metadata"] = {rng.choice(["k", "order", "soak"]):
                                  rng.choice(["v%d" % rng.randint(1, 99),
                                              "", "ünï"])}
            return op
        if kind == "payout":
            pool = [p for p in payouts
                    if p["status"] in ("pending", "in_transit", "paid")]
            if not pool:
                return None
            p = rng.choice(pool)
            if p["status"] == "paid":
                return {"op": "payout_failed", "id": p["id"]}
            ops = ["payout_paid", "payout_failed"]
            if p["status"] == "pending":
                ops.append("payout_canceled")
            return {"op": rng.choice(ops), "id": p["id"]}
        if kind == "capture":
            pool = [c for c in charges
                    if c["status"] == "succeeded" and not c["captured"]]
        elif kind == "refund_failed":
            pool = [c for c in charges if c["amount_refunded"] > 0]
        else:
            pool = [c for c in charges if c["captured"]
                    and c["status"] == "succeeded"
                    and c["amount"] - c["amount_refunded"] >=
                    (2 if kind == "refund_partial" else 1)
                    and not (kind == "dispute" and c["disputed"])]
        if not pool:
            return None
        c = rng.choice(pool)
        op = {"op": kind, "id": c["id"]}
        if kind == "refund_partial":
            op["amount"] = rng.randint(1, c["amount"] - c["amount_refunded"]
                                       - 1)
        return op

    def act_billing(self, rng):
        """Explicit changes of the issue-14 streams that random kinds reach
        rarely: a draft grown past its embedded 10 lines, items added and
        removed, a cancel, a renewal, an async checkout, a product deleted
        with its prices, a customer deleted."""
        if not self.billing:
            return "(this double has no issue-14 mutations)"
        account = rng.choice([PLATFORM, CONNECTED])
        done, notes = 0, []
        for _ in range(rng.randint(1, 3)):
            ops = [o for o in self.pick_billing(rng, account)
                   if o["op"] not in self.a.no_kind]
            if not ops:
                continue
            n, note = self.mutate({"ops": ops, "step": rng.choice([0, 1]),
                                   "seed": rng.randrange(2 ** 31)})
            done += n
            notes.append("+".join(o["op"] for o in ops) + ("!" if note
                                                           else ""))
        return "%s %s -> %d applied" % (account[-6:], " ".join(notes), done)

    def pick_billing(self, rng, account):
        truth = self.truth[account]["lists"]

        def live(stream, test=lambda o: True):
            return [o for o in truth[stream]
                    if not o.get("deleted") and test(o)]
        what = rng.choice(["lines", "lines", "new_lines", "item_add",
                           "item_remove", "cancel", "renew", "checkout",
                           "checkout_async", "product_purge",
                           "customer_delete", "price_delete"])
        if what == "lines":
            pool = live("invoices", lambda o: o["status"] == "draft")
            if pool:
                return [{"op": "invoice_add_lines",
                         "id": rng.choice(pool)["id"],
                         "lines": rng.randint(3, 14)}]
            what = "new_lines"
        if what == "new_lines":
            pool = live("customers")
            return [{"op": "new_invoice", "account": account, "mode": "test",
                     "customer": rng.choice(pool)["id"],
                     "lines": rng.randint(8, 14)}] if pool else []
        if what in ("item_add", "cancel", "renew"):
            pool = live("subscriptions",
                        lambda o: o["status"] not in ("canceled",
                                                      "incomplete_expired"))
            if not pool:
                return []
            sub = rng.choice(pool)["id"]
            if what == "item_add":
                return [{"op": "subscription_item_add", "id": sub}]
            if what == "cancel":
                return [{"op": "subscription_cancel", "id": sub}]
            return [{"op": "subscription_renew", "id": sub,
                     "pay": rng.random() < 0.7}]
        if what == "item_remove":
            subs = {o["id"] for o in live(
                "subscriptions", lambda o: o["status"] != "canceled")}
            pool = live("subscription_items",
                        lambda o: o["subscription"] in subs)
            return [{"op": "subscription_item_remove",
                     "id": rng.choice(pool)["id"]}] if pool else []
        if what in ("checkout", "checkout_async"):
            unpaid = live("checkout_sessions", lambda o: (
                o["status"] == "complete" and o["payment_status"] == "unpaid"))
            if what == "checkout_async" and unpaid:
                return [{"op": rng.choice(["checkout_async_succeeded",
                                           "checkout_async_failed"]),
                         "id": rng.choice(unpaid)["id"]}]
            pool = live("checkout_sessions", lambda o: o["status"] == "open")
            if not pool:
                return [{"op": "new_checkout_session", "account": account,
                         "mode": "test"}]
            return [{"op": "checkout_complete", "id": rng.choice(pool)["id"],
                     "async": what == "checkout_async"}]
        if what == "product_purge":
            pool = live("products") if not {"price_delete", "product_delete"
                                            } & set(self.a.no_kind) else []
            if not pool:
                return []
            prod = rng.choice(pool)["id"]
            return [{"op": "price_delete", "id": p["id"]}
                    for p in live("prices", lambda o: o["product"] == prod)
                    ] + [{"op": "product_delete", "id": prod}]
        stream = "customers" if what == "customer_delete" else "prices"
        pool = live(stream) if what not in self.a.no_kind else []
        return [{"op": what, "id": rng.choice(pool)["id"]}] if pool else []

    def act_clock(self, rng):
        scale = rng.choices(["s", "m", "h", "d"], [35, 35, 20, 10])[0]
        adv = {"s": rng.randint(1, 59), "m": rng.randint(1, 59) * 60,
               "h": rng.randint(1, 12) * 3600,
               "d": rng.randint(1, 5) * DAY}[scale]
        now = self.double.now()
        room = self.anchor + KEEP_WITHIN - now
        capped = max(0, min(adv, room))
        if capped:
            self.double.ctl("POST", "/_double/clock", {"advance": capped})
        return "+%ds%s" % (capped, "" if capped == adv
                           else " (of %d: 25 days since the last settle)"
                           % adv)

    def act_sync(self, rng):
        r = rng.choice(self.readers)
        extra = self.run_opts(rng)
        rc = self.run(r, extra, {0})
        return "%s %s -> %d" % (r.label(), " ".join(extra), rc)

    def act_deadline(self, rng):
        r = rng.choice(self.readers)
        secs = rng.choice([3, 3, 4])
        extra = self.run_opts(rng) + ["--max-duration", "%ds" % secs]
        note = self.need_latency(rng)
        rc = self.run(r, extra, {0, 8}, "sync --max-duration %ds" % secs)
        return "%s %s%s -> %d" % (r.label(), " ".join(extra), note, rc)

    def act_sync_all(self, rng):
        order = list(self.readers)
        rng.shuffle(order)
        out = []
        for r in order:
            out.append("%s:%d" % (r.label(), self.run(r, [], {0})))
        return " ".join(out)

    def act_busy(self, rng):
        r = rng.choice(self.readers)
        deadline = rng.random() < 0.3
        extra = self.run_opts(rng)
        if deadline:
            extra += ["--max-duration", "3s"]
        delay = rng.uniform(0.05, 0.8)
        kinds = rng.sample(self.kinds, rng.randint(2, 6))
        if self.billing and rng.random() < 0.6:
            kinds += self.billing_kinds(rng, r.truth_account,
                                        rng.randint(1, 3))
        body = {"count": rng.randint(3, 30), "seed": rng.randrange(2 ** 31),
                "account": r.truth_account, "mode": "test",
                "step": rng.choice([0, 1, 2]), "kinds": kinds}
        note = self.need_latency(rng)
        proc = self.start_run(r, extra)
        time.sleep(delay)
        n, _ = self.mutate(body)
        rc = self.finish_run(r, proc, {0, 8} if deadline else {0},
                             "sync during changes")
        return "%s %s%s, %d changes after %.2fs -> %d" % (
            r.label(), " ".join(extra), note, n, delay, rc)

    def act_kill9(self, rng):
        r = rng.choice(self.readers)
        extra = self.run_opts(rng)
        delay = rng.uniform(0.02, 1.5)
        note = self.need_latency(rng)
        proc = self.start_run(r, extra)
        time.sleep(delay)
        if proc.poll() is None:
            proc.kill()
        rc = self.finish_run(r, proc, {0, -signal.SIGKILL}, "killed sync")
        return "%s %s%s kill -9 after %.2fs -> %d" % (
            r.label(), " ".join(extra), note, delay, rc)

    def act_sigterm(self, rng):
        r = rng.choice(self.readers)
        extra = self.run_opts(rng)
        delay = rng.uniform(0.3, 1.5)    # after its handlers are set
        note = self.need_latency(rng)
        proc = self.start_run(r, extra)
        time.sleep(delay)
        running = proc.poll() is None
        if running:
            proc.send_signal(signal.SIGTERM)
        t = time.monotonic()
        rc = self.finish_run(r, proc, {0, 8}, "sync stopped by SIGTERM",
                             timeout=60)
        waited = time.monotonic() - t
        if running and waited > 10:
            raise Failure("%s: SIGTERM took %.1f s to stop the run"
                          % (r.label(), waited))
        return "%s %s%s SIGTERM after %.2fs%s -> %d in %.1fs" % (
            r.label(), " ".join(extra), note, delay,
            "" if running else " (had ended)", rc, waited)

    def act_knobs(self, rng):
        vis = rng.choice([0, 0, 2, 10, 30, 90, 200, LATE_LIMIT])
        # objects and events listed at most 5 minutes late (issue 11 §4)
        late_max = min(rng.choice([0, 60, 180, 300]), 300 - vis)
        changes = {
            "latency_ms": rng.choice([0, 0, 50, 150, 400, 800]),
            "jitter_ms": rng.choice([0, 20, 100]),
            "visibility_lag": vis,
            "consistency_lag": rng.choice([[0, 0], [1, 3], [1, 5], [0, 5]]),
            "late_fraction": rng.choice([0, 0.02, 0.05, 0.2]),
            "late_max": late_max,
        }
        self.set_limits(changes)
        return " ".join("%s=%s" % kv for kv in sorted(self.knobs.items()))

    def act_faults(self, rng):
        rules = []
        if rng.random() < 0.25:
            self.double.ctl("DELETE", "/_double/faults")
            return "none"
        for _ in range(rng.randint(1, 2)):
            rule = {"kind": rng.choice(["503", "500", "502", "rate_limit",
                                        "lock_timeout"]),
                    "path": rng.choice(["", "", "/v1/events", "/v1/charges",
                                        "/v1/payouts", "/v1/customers",
                                        "/v1/invoices",
                                        "/v1/subscriptions",
                                        "/v1/subscription_items",
                                        "/v1/balance_transactions",
                                        "/v1/prices",
                                        "/v1/checkout/sessions"])}
            if rng.random() < 0.5:
                rule.update(nth=rng.randint(1, 10), count=rng.randint(1, 3))
            else:
                rule.update(probability=rng.choice([0.02, 0.05, 0.1]),
                            count=rng.randint(3, 20))
            if rng.random() < 0.3:
                rule["should_retry"] = True
            rules.append(rule)
        self.double.ctl("POST", "/_double/faults",
                        {"faults": rules, "seed": rng.randrange(10 ** 6)})
        return json.dumps(rules)

    def act_versions(self, rng):
        """An account moves to another default API version (its events
        from now on are rendered at it)."""
        account = rng.choice([PLATFORM, CONNECTED])
        version = rng.choice(VERSIONS)
        if self.versions is None:
            return "(this double has no account versions)"
        answer = self.double.ctl("POST", "/_double/accounts",
                                 {"account": account,
                                  "api_version": version})
        self.versions = {a["id"]: a["api_version"]
                         for a in answer["accounts"]}
        return "%s -> %s" % (account[-6:], version)

    def act_long_gap(self, rng):
        days = rng.randint(31, 40)
        order = list(self.readers)
        rng.shuffle(order)
        self.double.ctl("DELETE", "/_double/faults")
        self.set_limits({"latency_ms": 0, "jitter_ms": 0})
        self.double.ctl("POST", "/_double/clock", {"advance": days * DAY})
        out = []
        for r in order:
            state = self.has_state(r)
            expected = {6} if r.ever_ok else ({0, 6} if state else {0})
            rc = self.run(r, [], expected, "sync after %d days" % days)
            out.append("%s:%d" % (r.label(), rc))
        # someone reads the message, then runs --rescan
        later = rng.randint(10, 600)
        self.double.ctl("POST", "/_double/clock", {"advance": later})
        out.append("+%ds" % later)
        for r in order:
            rc = self.run(r, ["--rescan"], {0}, "sync --rescan")
            out.append("%s rescan:%d" % (r.label(), rc))
        self.fetch_truth()
        self.settle(rng, "after the long gap")
        return "+%d days; %s" % (days, " ".join(out))

    def act_disk_full(self, rng):
        r = rng.choice(self.readers)
        slack = rng.choice([16, 64, 256, 1024])
        extra = self.run_opts(rng)
        kinds = rng.sample(self.kinds, rng.randint(2, 5))
        body = {"count": rng.randint(20, 120), "seed": rng.randrange(2 ** 31),
                "account": r.truth_account, "mode": "test", "step": 1,
                "kinds": kinds}
        n, _ = self.mutate(body)
        self.double.ctl("POST", "/_double/clock", {"advance": 5})
        if not self.disk:
            return "%d changes; no tmpfs: nothing else" % n
        filler = os.path.join(self.disk, "filler")
        st = os.statvfs(self.disk)
        fill = st.f_bavail * st.f_frsize - slack * 1024
        try:
            if fill > 0:
                with open(filler, "wb") as f:
                    os.posix_fallocate(f.fileno(), 0, fill)
            rc = self.run(r, extra, {0, 9}, "sync with the disk full")
        finally:
            if os.path.exists(filler):
                os.unlink(filler)
        return "%d changes; %s %s with %d KiB free -> %d" % (
            n, r.label(), " ".join(extra), slack, rc)

    def has_state(self, r):
        if r.kind == "sqlite":
            if not os.path.exists(r.path):
                return False
            db = sqlite3.connect(r.path, timeout=30)
            try:
                if not db.execute("SELECT 1 FROM sqlite_master WHERE name = "
                                  "'state'").fetchone():
                    return False
                return db.execute("SELECT count(*) FROM state WHERE key = ?",
                                  (r.name,)).fetchone()[0] > 0
            finally:
                db.close()
        path = os.path.join(r.path, "manifest.json")
        if not os.path.exists(path):
            return False
        with open(path) as f:
            return r.name in (json.load(f).get("states") or {})

    def act_settle(self, rng):
        return self.settle(rng, "")

    def settle(self, rng, why):
        """Faults off, latency 0, the clock past every lag, every reader
        synced to completion: each sink must equal the truth."""
        self.double.ctl("DELETE", "/_double/faults")
        saved = {k: self.knobs[k] for k in ("latency_ms", "jitter_ms")}
        self.set_limits({"latency_ms": 0, "jitter_ms": 0})
        adv = self.max_lag + SETTLE + OVERLAP + 10
        self.double.ctl("POST", "/_double/clock", {"advance": adv})
        order = list(self.readers)
        rng.shuffle(order)
        for r in order:
            self.run(r, [], {0}, "settle sync")
        self.fetch_truth()
        self.compare_all()
        self.anchor = self.now
        self.set_limits(saved)
        return "%s+%ds, %d readers equal the truth" % (
            why + ": " if why else "", adv, len(order))

    # -- checks ------------------------------------------------------------

    def sink_rows(self, r, problems):
        """{stream: {id: object}}: SQLite rows, or the newest NDJSON copy;
        also checks that stored events never differ."""
        if r.kind == "sqlite":
            return load_sqlite(r, problems)
        records = self.nd_records(r.path, problems)
        out = {s: newest_by_id(records, s, r.account) for s in OBJECTS}
        events = {}
        for rec in records:
            if rec["stream"] == "events" and rec["account"] == r.account:
                if rec["id"] in events and events[rec["id"]] != rec["object"]:
                    problems.append("%s: two different copies of event %s"
                                    % (r.label(), rec["id"]))
                events[rec["id"]] = rec["object"]
        out["events"] = events
        return out

    def nd_records(self, folder, problems):
        """An NDJSON folder's records, read (and checked) once a check."""
        if folder not in self.nd_loaded:
            self.nd_loaded[folder] = self.nd_cache.load(folder, problems)[0]
        return self.nd_loaded[folder]

    def check_invariants(self):
        """What must hold at any time."""
        self.nd_loaded = {}
        problems = []
        rows = []
        for r in self.readers:
            stored = self.sink_rows(r, problems)
            truth = self.truth[r.truth_account]
            seen = self.events_seen[r.truth_account]
            for stream in OBJECTS:
                bad = [i for i in stored[stream] if i not in truth[stream]]
                if bad:
                    problems.append("%s: %d stored %s not in the truth of "
                                    "%s, e.g. %s" % (r.label(), len(bad),
                                                     stream, r.truth_account,
                                                     bad[0]))
                # a delete is for ever: nothing stored deleted lives
                bad = [i for i, o in stored[stream].items() if o.get(
                    "deleted") and i in truth[stream] and not truth[stream][
                        i].get("deleted")]
                if bad:
                    problems.append("%s: %d %s stored deleted that the "
                                    "truth has live, e.g. %s"
                                    % (r.label(), len(bad), stream, bad[0]))
            bad = [i for i in stored["events"] if i not in seen]
            if bad:
                problems.append("%s: %d stored events the double never "
                                "listed for %s, e.g. %s"
                                % (r.label(), len(bad), r.truth_account,
                                   bad[0]))
            differ = [i for i, ev in stored["events"].items()
                      if i in seen and ev != seen[i]]
            if differ:
                problems.append("%s: %d stored events differ from Stripe's "
                                "copy, e.g. %s" % (r.label(), len(differ),
                                                   differ[0]))
            rows.append("%s %d/%d/%d+%d" % (
                r.label(), len(stored["charges"]), len(stored["payouts"]),
                len(stored["events"]), sum(len(stored[s]) for s in OBJECTS
                                           if s not in ("charges",
                                                        "payouts"))))
        if problems:
            raise Failure("; ".join(problems))
        return " ".join(rows)

    def compare_all(self):
        """Every sink equals the truth (after a settle)."""
        self.nd_loaded = {}
        out = io.StringIO()
        ok = True
        floor = self.now - RETENTION_DAYS * DAY
        problems = []
        for r in self.readers:
            truth = self.truth[r.truth_account]["lists"]
            seen = self.events_seen[r.truth_account]
            out.write("# %s (%s):\n" % (r.label(), r.uri))
            with contextlib.redirect_stdout(out):
                stored = self.sink_rows(r, problems)
                skip = out_of_reach(truth, stored, floor)
                if skip:
                    print("# out of reach (deleted before %d and stored "
                          "as before, or lines of a deleted invoice never "
                          "read): %d, e.g. %s" % (floor, len(skip),
                                                  sorted(skip)[:3]))
                gone = sr_compare.gone_ids(truth, floor)
                if r.kind == "sqlite":
                    good = True
                    for stream in STREAMS:
                        good = sr_compare.compare(
                            stream, [o for o in truth[stream]
                                     if o["id"] not in skip],
                            {i: o for i, o in stored[stream].items()
                             if i not in skip},
                            subset=stream == "events", gone=gone) and good
                    events = stored["events"]
                else:
                    records = [x for x in self.nd_records(r.path, problems)
                               if x["account"] != r.account
                               or x["id"] not in skip]
                    good = nd_check.check_truth(
                        records, {s: [o for o in objs if o["id"] not in skip]
                                  for s, objs in truth.items()},
                        r.account, True, floor, "all")
                    extra = nd_check.leftovers(r.path, {
                        e["path"] for e in json.load(open(os.path.join(
                            r.path, "manifest.json")))["files"]})
                    if extra:
                        print("# files the manifest does not list: %s"
                              % extra[:5])
                        good = False
                    events = {x["id"]: x["object"] for x in records
                              if x["stream"] == "events"
                              and x["account"] == r.account}
            want = {e["id"] for e in truth["events"]}
            extra = [i for i in events if i not in want]
            # events stored beyond the truth: only those expired since
            bad = [i for i in extra if i not in seen
                   or seen[i]["created"] >= floor or events[i] != seen[i]]
            out.write("# events beyond the truth: %d (expired since "
                      "read), %d not explained\n" % (len(extra), len(bad)))
            for i in bad[:3]:
                out.write("#   unexpected event %s\n" % i)
            if not good or bad:
                ok = False
                problems.append("%s differs from the truth" % r.label())
        self.log(out.getvalue().rstrip())
        if problems or not ok:
            summary = [l.strip("# ") for l in out.getvalue().splitlines()
                       if l.startswith("#   ") or re.search(
                           r"(missing|unexpected|differs?|duplicated) [1-9]",
                           l)]
            raise Failure("; ".join(problems) + (
                " [" + " | ".join(summary)[:600] + "]" if summary else ""))

    # -- the loop ----------------------------------------------------------

    def choose(self, rng, step):
        if step > self.a.steps or step % self.settle_every == 0:
            return "settle"
        weights = dict(ACTIONS)
        for w in self.a.weight:
            name, value = w.split("=", 1)
            weights[name] = float(value)
        names = sorted(weights)
        return rng.choices(names, [weights[n] for n in names])[0]

    def go(self):
        """The steps; returns the number of failed steps."""
        self.settle_every = random.Random("%d:settle" % self.seed).randint(
            4, 8)
        self.setup()
        self.log("# settle every %d steps" % self.settle_every)
        self.check_invariants()
        for step in range(1, self.a.steps + 2):
            self.step = step
            rng = random.Random("%d:%d" % (self.seed, step))
            self.action = self.choose(rng, step)
            name = self.action if step <= self.a.steps else "settle (final)"
            t = time.monotonic()
            self.counts[self.action] = self.counts.get(self.action, 0) + 1
            try:
                detail = getattr(self, "act_" + self.action)(rng)
                self.fetch_truth()
                rows = self.check_invariants()
            except Failure as err:
                self.fail(str(err))
                if not self.a.keep_going:
                    return
                continue
            line = "step %d %s: %s | rows %s | clock %d | %.1fs" % (
                step, name, detail, rows, self.now, time.monotonic() - t)
            self.log(line)
            if self.a.tap:
                print("ok %d - %s" % (step, line[:200]), flush=True)
            elif step % 25 == 0:
                print("soak: step %d/%d, %.0f s" % (
                    step, self.a.steps, time.monotonic() - self.t0),
                    flush=True)

    def fail(self, message):
        """Report a failed step: one line with the replay command."""
        a = self.a
        self.failures.append(self.step)
        opts = ""
        if a.weight:
            opts += " SOAK_OPTS='%s'" % " ".join("--weight " + w
                                                for w in a.weight)
        if a.no_kind:
            opts = (opts[:-1] + " " if opts else " SOAK_OPTS='") + \
                " ".join("--no-kind " + k for k in a.no_kind) + "'"
        if a.tap:
            opts = (opts[:-1] + " " if opts else " SOAK_OPTS='") + "--tap'"
        if a.layout:
            opts += " LAYOUT=%s" % a.layout
        line = ("soak: FAILED seed=%d step=%d action=%s: %s; replay: make "
                "soak SEED=%d STEPS=%d SINK=%s%s; kept %s" % (
                    a.seed, self.step, self.action, message, a.seed,
                    max(1, min(self.step, a.steps)), a.sink, opts,
                    self.folder))
        self.log(line)
        key = re.sub(r"[0-9]+", "N", message)
        if key in self.reported:
            line = "soak: FAILED again seed=%d step=%d action=%s (as " \
                   "before)" % (a.seed, self.step, self.action)
        self.reported.add(key)
        if a.tap:
            print("not ok %d - step %d %s: %s" % (
                max(self.step, 1), self.step, self.action, message[:300]))
            print("# " + line, flush=True)
        elif not a.verbose:
            print(line, flush=True)

    def summary(self):
        return "soak: seed=%d steps=%d sink=%s: %s; exits %s; %s; %.0f s" % (
            self.seed, self.a.steps, self.a.sink,
            ", ".join("%s %d" % kv for kv in sorted(self.counts.items())),
            ", ".join("%d:%d" % kv for kv in sorted(self.exits.items())),
            "failed steps %s" % self.failures if self.failures
            else "no failure", time.monotonic() - self.t0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--sink", choices=["sqlite", "ndjson", "both"],
                    default="both")
    ap.add_argument("--layout", choices=["shared", "separate"])
    ap.add_argument("--weight", action="append", default=[],
                    metavar="ACTION=W", help="change an action's weight")
    ap.add_argument("--bin", default=os.environ.get("BIN") or os.path.join(
        TOP, "build", "stripe-reader"))
    ap.add_argument("--no-kind", action="append", default=[],
                    metavar="KIND", help="never draw this mutation kind "
                    "(to look past a known failure; say so in a report)")
    ap.add_argument("--tap", action="store_true")
    ap.add_argument("--keep", action="store_true",
                    help="keep the temp folder even on success")
    ap.add_argument("--keep-going", action="store_true",
                    help="report every failed step instead of stopping "
                         "at the first (later ones may be consequences)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print the step log as it is written")
    ap.add_argument("--debug", action="store_true",
                    help="run the binary with -vv (every request in "
                         "runs.log): for replays")
    a = ap.parse_args()
    if a.seed is None:
        a.seed = random.SystemRandom().randrange(1, 10 ** 6)
    a.bin = os.path.abspath(a.bin)
    for w in a.weight:
        if w.split("=", 1)[0] not in ACTIONS or "=" not in w:
            ap.error("--weight %s: ACTION=W with ACTION one of %s"
                     % (w, ", ".join(sorted(ACTIONS))))
    folder = tempfile.mkdtemp(prefix="sr-soak-%d." % a.seed)
    soak = Soak(a, folder)
    if not a.tap:
        print("soak: seed=%d steps=%d sink=%s in %s" % (a.seed, a.steps,
                                                        a.sink, folder),
              flush=True)
    ended = False
    try:
        soak.go()
        ended = True
    except (Failure, RuntimeError, OSError) as err:
        soak.fail("%s: %s" % (type(err).__name__, err))
        ended = True
    except KeyboardInterrupt:
        soak.fail("interrupted")
        ended = True
    finally:
        try:
            if soak.double:
                soak.double.stop()
        finally:
            if soak.disk:
                unmount_tmpfs(soak.disk, a.keep or bool(soak.failures)
                              or not ended)
    summary = soak.summary()
    soak.log(summary)
    soak.log_file.close()
    soak.runs_log.close()
    if a.tap:
        print("# " + summary)
        print("1..%d" % (a.steps + 1 if a.keep_going or not soak.failures
                         else max(soak.step, 1)))
    elif not a.verbose:
        print(summary)
    if not soak.failures:
        if not a.keep:
            shutil.rmtree(folder, ignore_errors=True)
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
