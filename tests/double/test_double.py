#!/usr/bin/env python3
"""Tests of the Stripe API double; prints TAP.

    python3 tests/double/test_double.py [-j JOBS] [NAME-SUBSTRING...]

Every test starts its own double on port 0 (waiting for its "listening on"
line), so tests run in parallel (-j, default 4) and never collide. The
performance test runs alone at the end.
"""

import email.utils
import hashlib
import http.client
import json
import os
import re
import signal
import sys
import tempfile
import threading
import time
import traceback
import zlib
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_double  # noqa: E402
from double_client import (APP_SECRET, KEY, LIVE_KEY, PLATFORM,  # noqa: E402
                           REFRESH_TOKEN, RESTRICTED_KEY, Double, connected)

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = []
ID_RE = {p: re.compile(r"^%s_[A-Za-z0-9]{24}$" % p)
         for p in ("ch", "py", "po", "evt", "re", "dp", "pi", "txn")}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test(description, alone=False):
    def register(fn):
        TESTS.append((description, fn, alone))
        return fn
    return register


class Context:
    """Per-test diagnostics (printed as '# ' lines)."""

    def __init__(self):
        self.lines = []

    def diag(self, message):
        self.lines.append(str(message))


def check(condition, message="check failed"):
    if not condition:
        raise AssertionError(message)


def equal(got, want, what=""):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


def api_error(d, path, status, key=KEY, account=None):
    """The error object of a request that must fail with status."""
    got, body, headers = d.get(path, key, account)
    equal(got, status, "status of " + path)
    check(headers.get("request-id", "").startswith("req_"), "Request-Id")
    return body["error"]


def oauth(d, token, secret=APP_SECRET):
    return d.api("/v1/oauth/token", key=secret, basic=True, method="POST",
                 headers=FORM, body="grant_type=refresh_token&"
                 "refresh_token=" + token)


def mutate(d, *ops, step=1):
    return d.ctl("POST", "/_double/mutate", {"ops": list(ops),
                                             "step": step})["applied"]


def truth(d, account=PLATFORM, mode="test", api_version=None):
    return d.ctl("GET", "/_double/truth?account=%s&mode=%s%s"
                 % (account, mode, "&api_version=" + api_version
                    if api_version else ""))


def version_header(name):
    return {"Stripe-Version": name}


def first(items, predicate, what):
    for item in items:
        if predicate(item):
            return item
    raise AssertionError("no " + what)


# -- 1. start-up -----------------------------------------------------------

@test("start-up: listening line, port file, health, shutdown, SIGTERM")
def t_startup(t):
    with tempfile.TemporaryDirectory() as tmp:
        port_file = os.path.join(tmp, "port")
        d = Double("--charges", "5", "--port-file", port_file)
        try:
            check(re.match(r"^listening on 127\.0\.0\.1:\d+$", d.line))
            with open(port_file) as f:
                equal(f.read(), "%d\n" % d.port, "port file")
            resp = d.request("GET", "/_double/health")
            equal((resp.status, resp.json()), (200, {"ok": True}), "health")
            check(resp.headers["request-id"].startswith("req_"))
            d.ctl("POST", "/_double/shutdown")
            equal(d.proc.wait(10), 0, "exit status after shutdown")
        finally:
            d.close()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with Double("--charges", "5") as d:
            d.proc.send_signal(sig)
            equal(d.proc.wait(10), 0, "exit status after %s" % sig)


# -- 2. data ---------------------------------------------------------------

def _load_fixture(name):
    with open(os.path.join(HERE, "stripe-objects", name + ".json")) as f:
        return json.load(f)


def _same_keys(ours, theirs, where):
    """Same keys at every level where both sides are objects."""
    equal(sorted(ours), sorted(theirs), "keys of " + where)
    for key, value in theirs.items():
        if key == "metadata":
            continue        # free-form
        if isinstance(value, dict) and isinstance(ours[key], dict):
            _same_keys(ours[key], value, where + "." + key)


@test("data: objects have the fixtures' shapes, real id formats, livemode")
def t_shapes(t):
    with Double("--charges", "2000", "--payouts", "40",
                "--frozen-clock") as d:
        tr = truth(d)
        charges = tr["charges"]
        card = first(charges, lambda c: c["id"].startswith("ch_"), "card")
        # The fixture is basil-era with `refunds` expanded; at 2024-06-20
        # (truth's default) a charge has `invoice` and no `refunds`, at
        # 2020-08-27 both (see versions.py).
        fixture = _load_fixture("charge")
        no_refunds = {k: v for k, v in fixture.items() if k != "refunds"}
        _same_keys(card, dict(no_refunds, invoice=None), "charge")
        basil = truth(d, api_version="2025-03-31.basil")["charges"]
        _same_keys(first(basil, lambda c: c["id"] == card["id"], "card"),
                   no_refunds, "basil charge")
        old = truth(d, api_version="2020-08-27")["charges"]
        _same_keys(first(old, lambda c: c["id"] == card["id"], "card"),
                   dict(fixture, invoice=None, refunds=dict(
                       fixture["refunds"], total_count=0)), "old charge")
        _same_keys(tr["payouts"][0], _load_fixture("payout"), "payout")
        event = first(tr["events"], lambda e: True, "event")
        fixture_event = _load_fixture("event")
        _same_keys({k: v for k, v in event.items() if k != "data"},
                   {k: v for k, v in fixture_event.items() if k != "data"},
                   "event")
        for c in charges:
            check(ID_RE[c["id"][:2]].match(c["id"]), c["id"])
            check(ID_RE["pi"].match(c["payment_intent"]))
            equal(c["livemode"], False, "livemode")
            if c["customer"] is not None:
                check(re.match(r"^cus_[A-Za-z0-9]{14}$", c["customer"]))
        py = sum(c["id"].startswith("py_") for c in charges)
        t.diag("py_ charges: %d of %d" % (py, len(charges)))
        check(0.01 * len(charges) <= py <= 0.06 * len(charges), "py_ share")
        check(all(ID_RE["po"].match(p["id"]) for p in tr["payouts"]))
        check(all(ID_RE["evt"].match(e["id"]) for e in tr["events"]))
        statuses = {c["status"] for c in charges}
        equal(statuses, {"succeeded", "pending", "failed"}, "statuses")
        check(len({c["currency"] for c in charges}) >= 4, "currencies")
        refunded = first(old, lambda c: c["refunds"]["data"], "refund")
        _same_keys(refunded["refunds"]["data"][0], _load_fixture("refund"),
                   "refund")
        types = {e["type"] for e in tr["events"]}
        for want in ("charge.succeeded", "charge.failed", "charge.refunded",
                     "charge.dispute.created", "payout.created",
                     "payout.paid"):
            check(want in types, "event type %s in the history" % want)
        dispute = first(tr["events"],
                        lambda e: e["type"] == "charge.dispute.created",
                        "dispute event")["data"]["object"]
        _same_keys(dispute, _load_fixture("dispute"), "dispute")


@test("data: --full-objects gives charges of real size, the fixture's keys, "
      "the same ids")
def t_full_objects(t):
    args = ("--charges", "1000", "--payouts", "0", "--frozen-clock")
    with Double(*args) as plain, Double(*args, "--full-objects") as full:
        small, big = truth(plain)["charges"], truth(full)["charges"]
        equal([c["id"] for c in big], [c["id"] for c in small], "same ids")
        fixture = _load_fixture("charge")
        no_refunds = {k: v for k, v in fixture.items() if k != "refunds"}
        sizes = []
        for c in big:
            if c["id"].startswith("ch_"):
                _same_keys(c, dict(no_refunds, invoice=None), "charge")
            sizes.append(len(json.dumps(c, separators=(",", ":"),
                                        ensure_ascii=False).encode()))
        mean = sum(sizes) / len(sizes)
        t.diag("mean charge %.0f bytes minified (%d to %d)"
               % (mean, min(sizes), max(sizes)))
        check(2300 <= mean <= 2700, "mean size %.0f" % mean)
        cards = [c["payment_method_details"]["card"] for c in big
                 if c["id"].startswith("ch_")]
        secured = [c for c in cards if c["three_d_secure"]]
        check(0.35 * len(cards) < len(secured) < 0.65 * len(cards),
              "3-D Secure share")
        _same_keys(secured[0]["three_d_secure"],
                   fixture["payment_method_details"]["card"][
                       "three_d_secure"], "three_d_secure")
        check(any(c["wallet"] for c in cards), "a wallet")
        check(all(c["billing_details"]["address"]["line1"] for c in big),
              "street addresses")


@test("data: creation events carry the object as created; same seed, "
      "same data")
def t_deterministic(t):
    args = ("--charges", "300", "--payouts", "20", "--frozen-clock",
            "--retention-days", "1000")
    with Double(*args) as a, Double(*args) as b, \
            Double(*args, "--seed", "2") as c:
        ta = a.request("GET", "/_double/truth").body
        equal(ta, b.request("GET", "/_double/truth").body, "same seed")
        check(ta != c.request("GET", "/_double/truth").body, "other seed")
        tr = truth(a)
        by_id = {ch["id"]: ch for ch in tr["charges"]}
        first_event = {}
        for e in reversed(tr["events"]):      # oldest first
            obj_id = e["data"]["object"]["id"]
            if obj_id in by_id and e["type"] in (
                    "charge.succeeded", "charge.pending", "charge.failed"):
                first_event.setdefault(obj_id, e)
        equal(len(first_event), 300, "one creation event per charge")
        for e in first_event.values():
            obj = e["data"]["object"]
            equal(e["created"], obj["created"], "creation event created")
            if not by_id[obj["id"]]["refunded"] and \
                    not by_id[obj["id"]]["disputed"]:
                equal(obj["amount"], by_id[obj["id"]]["amount"], "amount")


@test("data: big integers and UTF-8 survive byte-exact")
def t_big_integers(t):
    with Double("--charges", "200", "--frozen-clock") as d:
        big = d.ctl("GET", "/_double/state")["specials"][
            "big_integer_charge"]["test"]
        raw = d.api("/v1/charges/" + big).body
        for needle in (b'"amount":99999999999,',
                       b'"application_fee_amount":9007199254740993,',
                       b'"big_number":"123456789012345678901234567890"',
                       "☕ — 東京".encode()):
            check(needle in raw, "%r in the charge" % needle)
        created = json.loads(raw)["created"]
        page = d.api("/v1/charges?created=%d&limit=100" % created).body
        check(raw in page, "the list page carries the same bytes")
        check(raw in d.request("GET", "/_double/truth").body, "truth")


# -- 2. list semantics -------------------------------------------------------

@test("lists: 250 charges in one second page exactly once, in order")
def t_same_second(t):
    with Double("--charges", "400", "--same-second", "250",
                "--frozen-clock") as d:
        x = d.ctl("GET", "/_double/state")["same_second_at"]
        seen, cursor, shape = [], None, []
        while True:
            url = "/v1/charges?limit=100&created=%d" % x
            if cursor:
                url += "&starting_after=" + cursor
            status, page, _ = d.get(url)
            equal(status, 200, url)
            equal((page["object"], page["url"]), ("list", "/v1/charges"),
                  "envelope")
            shape.append((len(page["data"]), page["has_more"]))
            seen.extend(page["data"])
            if not page["has_more"]:
                break
            cursor = page["data"][-1]["id"]
        equal(shape, [(100, True), (100, True), (50, False)], "pages")
        ids = [c["id"] for c in seen]
        equal(len(set(ids)), 250, "distinct")
        check(all(c["created"] == x for c in seen), "all in that second")
        equal(ids, sorted(ids, reverse=True), "id desc inside the second")
        everything = d.list_all("/v1/charges")
        keys = [(c["created"], c["id"]) for c in everything]
        equal(len(set(keys)), 400, "full listing distinct")
        equal(keys, sorted(keys, reverse=True), "created desc, id desc")
        equal([c["id"] for c in everything],
              [c["id"] for c in truth(d)["charges"]], "listing = truth")
        _ending_before(d, x, ids)
        _created_bounds(d, x)


def _ending_before(d, x, ids):
    """Walk back up from the oldest charge of the second."""
    got, cursor, shape = [], ids[-1], []
    while True:
        status, page, _ = d.get("/v1/charges?limit=100&created=%d&"
                                "ending_before=%s" % (x, cursor))
        equal(status, 200, "ending_before")
        shape.append((len(page["data"]), page["has_more"]))
        got = page["data"] + got
        if not page["has_more"]:
            break
        cursor = page["data"][0]["id"]
    equal(shape, [(100, True), (100, True), (49, False)],
          "ending_before pages")
    equal([c["id"] for c in got], ids[:-1], "ending_before order")


def _count(d, query):
    return len(d.list_all("/v1/charges?" + query))


def _created_bounds(d, x):
    equal(_count(d, "created[gte]=%d&created[lte]=%d" % (x, x)), 250, "gte")
    above = _count(d, "created[gt]=%d" % x)
    below = _count(d, "created[lt]=%d" % x)
    equal(above + below + 250, 400, "gt + lt + the second")
    equal(_count(d, "created[gt]=%d&created[lt]=%d" % (x - 1, x + 1)), 250,
          "gt/lt around the second")


@test("lists: 400 errors name the parameter")
def t_bad_params(t):
    cases = [
        ("/v1/charges?limit=0", "limit"), ("/v1/charges?limit=101", "limit"),
        ("/v1/charges?limit=abc", "limit"), ("/v1/charges?foo=1", "foo"),
        ("/v1/charges?created=abc", "created"),
        ("/v1/charges?created[gte]=x", "created[gte]"),
        ("/v1/charges?created[foo]=1", "created[foo]"),
        ("/v1/charges?starting_after=", "starting_after"),
        ("/v1/charges?starting_after=ch_a&ending_before=ch_b",
         "ending_before"),
        ("/v1/events?type=charge.*&types[]=charge.failed", "types"),
        ("/v1/payouts?status=bogus", "status"),
        ("/v1/events?status=paid", "status"),
        ("/v1/charges/ch_x?limit=3", "limit"),
    ]
    with Double("--charges", "20") as d:
        for path, param in cases:
            err = api_error(d, path, 400)
            equal(err["type"], "invalid_request_error", path)
            equal(err["param"], param, "param of " + path)
        err = api_error(d, "/v1/charges?starting_after=ch_a&ending_before=b",
                        400)
        check("ending_before, starting_after" in err["message"])


@test("lists: unknown ids and cursors are 404 resource_missing")
def t_not_found(t):
    with Double("--charges", "20", "--payouts", "3") as d:
        for param in ("starting_after", "ending_before"):
            err = api_error(d, "/v1/charges?%s=ch_nope" % param, 404)
            equal((err["code"], err["param"]), ("resource_missing", param),
                  param)
            equal(err["message"], "No such charge: 'ch_nope'", "message")
        payout = d.get("/v1/payouts?limit=1")[1]["data"][0]["id"]
        api_error(d, "/v1/charges?starting_after=" + payout, 404)
        err = api_error(d, "/v1/charges/ch_nope", 404)
        equal((err["code"], err["param"]), ("resource_missing", "id"), "id")
        api_error(d, "/v1/events/evt_nope", 404)
        err = api_error(d, "/v1/coupons", 404)
        check(err["message"].startswith("Unrecognized request URL"))


@test("lists: retrieve by id, filters (types, type wildcard, status, "
      "customer)")
def t_retrieve_and_filters(t):
    with Double("--charges", "300", "--payouts", "40", "--frozen-clock",
                "--retention-days", "1000") as d:
        for resource in ("charges", "payouts", "events"):
            obj = d.get("/v1/%s?limit=1" % resource)[1]["data"][0]
            status, got, _ = d.get("/v1/%s/%s" % (resource, obj["id"]))
            equal((status, got), (200, obj), "retrieve " + resource)
        events = d.list_all("/v1/events?types[]=payout.paid")
        check(events and all(e["type"] == "payout.paid" for e in events))
        both = d.list_all("/v1/events?types[0]=payout.paid&"
                          "types[1]=payout.created")
        equal({e["type"] for e in both}, {"payout.paid", "payout.created"},
              "indexed types")
        star = d.list_all("/v1/events?type=payout.*")
        check(star and all(e["type"].startswith("payout.") for e in star))
        equal(len(d.list_all("/v1/events?type=*")),
              len(d.list_all("/v1/events")), "type=*")
        paid = d.list_all("/v1/payouts?status=paid")
        check(paid and all(p["status"] == "paid" for p in paid))
        cus = first(d.list_all("/v1/charges"), lambda c: c["customer"],
                    "customer")["customer"]
        mine = d.list_all("/v1/charges?customer=" + cus)
        check(mine and all(c["customer"] == cus for c in mine))
        pending = d.list_all("/v1/events?delivery_success=false")
        check(all(e["pending_webhooks"] > 0 for e in pending))


@test("lists: a deep page of a 60,000-charge dataset is fast")
def t_large(t):
    with Double("--charges", "60000", "--payouts", "10",
                "--frozen-clock") as d:
        tr_ids = d.request("GET", "/_double/truth?account=" + PLATFORM).body
        middle = re.findall(rb'"id":"(ch_[A-Za-z0-9]{24})","object":"charge"',
                            tr_ids)[30000].decode()
        times = []
        for _ in range(5):
            started = time.monotonic()
            status, page, _ = d.get("/v1/charges?limit=100&starting_after="
                                    + middle)
            times.append(time.monotonic() - started)
            equal((status, len(page["data"])), (200, 100), "deep page")
        times.sort()
        t.diag("deep page of 100 charges: median %.1f ms" % (times[2] * 1e3))
        check(times[2] < 0.05, "median deep page under 50 ms")


# -- 3. auth -----------------------------------------------------------------

@test("auth: 401 without or with a bad key (masked), Basic auth, 403 "
      "rak_payout_read")
def t_auth(t):
    with Double("--charges", "20", "--payouts", "3") as d:
        err = api_error(d, "/v1/charges", 401, key=None)
        check(err["message"].startswith("You did not provide an API key."))
        bad = "sk_test_this_is_wrong_WXYZ"
        resp = d.api("/v1/charges", key=bad)
        equal(resp.status, 401, "bad key")
        equal(resp.json()["error"]["message"],
              "Invalid API Key provided: sk_test_****WXYZ", "message")
        check(b"this_is_wrong" not in resp.body, "key not echoed")
        equal(d.api("/v1/charges", basic=True).status, 200, "Basic auth")
        err = api_error(d, "/v1/payouts", 403, key=RESTRICTED_KEY)
        equal(err["message"],
              "The provided key 'rk_test_****outs' does not have the "
              "required permissions for this endpoint on account "
              "'acct_1DoublePlatform00'. Having the 'rak_payout_read' "
              "permission would allow this request to continue.",
              "403 message")
        equal(err["type"], "invalid_request_error", "type")
        for path in ("/v1/charges", "/v1/events"):
            equal(d.api(path, key=RESTRICTED_KEY).status, 200, path)


@test("auth: Stripe-Account selects a connected account; modes separate "
      "data")
def t_accounts_and_modes(t):
    with Double("--accounts", "2", "--mode", "both", "--charges", "50",
                "--payouts", "5", "--frozen-clock") as d:
        mine = {c["id"] for c in d.list_all("/v1/charges")}
        theirs = d.list_all("/v1/charges", account=connected(1))
        check(not mine & {c["id"] for c in theirs}, "disjoint accounts")
        equal([c["id"] for c in theirs],
              [c["id"] for c in truth(d, connected(1))["charges"]],
              "connected listing = its truth")
        events = d.list_all("/v1/events", account=connected(2))
        check(events and all(e["account"] == connected(2) for e in events))
        check(all("account" not in e for e in d.list_all("/v1/events")))
        charge = theirs[0]["id"]
        api_error(d, "/v1/charges/" + charge, 404)
        equal(d.api("/v1/charges/" + charge, account=connected(1)).status,
              200, "retrieve with Stripe-Account")
        err = api_error(d, "/v1/charges", 403, account="acct_1Unknown")
        equal(err["code"], "account_invalid", "unknown account")
        check("sk_test_****form" in err["message"])
        err = api_error(d, "/v1/charges", 403, key=RESTRICTED_KEY,
                        account=connected(1))
        check("does not have any Connect permissions" in err["message"])
        live = d.list_all("/v1/charges", key=LIVE_KEY)
        equal(len(live), 50, "live charges")
        check(all(c["livemode"] is True for c in live), "livemode true")
        check(not mine & {c["id"] for c in live}, "modes disjoint")



@test("connect: GET /v1/accounts pages newest first with created filters; "
      "created and revoked accounts; truth per account")
def t_connect_accounts(t):
    with Double("--accounts", "7", "--charges", "4", "--payouts", "1",
                "--frozen-clock") as d:
        listed = d.list_all("/v1/accounts")
        equal([a["id"] for a in listed],
              [connected(n) for n in range(7, 0, -1)], "newest first")
        first = listed[0]
        equal(first["object"], "account", "object")
        check(set(first) >= {"id", "created", "type", "charges_enabled",
                             "payouts_enabled", "capabilities",
                             "requirements", "settings"}, "Account shape")
        equal(list(first)[:2], ["id", "object"], "id, object first")
        pages, cursor = [], None
        while True:
            url = "/v1/accounts?limit=3" + (
                "&starting_after=" + cursor if cursor else "")
            _, page, _ = d.get(url)
            pages.append([a["id"] for a in page["data"]])
            if not page["has_more"]:
                break
            cursor = page["data"][-1]["id"]
        equal([len(p) for p in pages], [3, 3, 1], "pages of 3")
        _, back, _ = d.get("/v1/accounts?limit=2&ending_before=" +
                           connected(3))
        equal([a["id"] for a in back["data"]], [connected(5), connected(4)],
              "ending_before")
        created4 = listed[3]["created"]
        _, page, _ = d.get("/v1/accounts?limit=100&created[gte]=%d"
                           % created4)
        equal([a["id"] for a in page["data"]],
              [connected(n) for n in range(7, 3, -1)], "created[gte]")
        _, page, _ = d.get("/v1/accounts?created[lt]=%d" % created4)
        equal(len(page["data"]), 3, "created[lt]")
        api_error(d, "/v1/accounts?limit=101", 400)
        api_error(d, "/v1/accounts?status=x", 400)
        err = api_error(d, "/v1/accounts?starting_after=acct_1Nope", 404)
        equal(err["code"], "resource_missing", "unknown cursor")
        _, mine, _ = d.get("/v1/accounts", account=connected(1))
        equal(mine["data"], [], "a connected account lists none")
        # connect two more, with data of their own, and revoke one
        got = d.ctl("POST", "/_double/connect",
                    {"create": 2, "charges": 3, "payouts": 1,
                     "revoke": [connected(2)]})
        equal(got["created"], [connected(8), connected(9)], "created ids")
        now = d.ctl("GET", "/_double/clock")["now"]
        ids = [a["id"] for a in d.list_all("/v1/accounts")]
        equal(ids[:2], [connected(9), connected(8)], "new ones newest")
        check(connected(2) not in ids, "a revoked account is not listed")
        _, page, _ = d.get("/v1/accounts?created[gte]=%d" % int(now))
        equal(len(page["data"]), 2, "created now")
        err = api_error(d, "/v1/charges", 403, account=connected(2))
        equal(err["code"], "account_invalid", "revoked: account_invalid")
        check("revoked" in err["message"], err["message"])
        charges = d.list_all("/v1/charges", account=connected(8))
        equal(len(charges), 3, "own charges")
        equal([c["id"] for c in charges],
              [c["id"] for c in truth(d, connected(8))["charges"]],
              "new account's listing = its truth")
        other = {c["id"] for c in d.list_all("/v1/charges",
                                             account=connected(9))}
        check(not other & {c["id"] for c in charges}, "own data")
        check(len(d.list_all("/v1/events", account=connected(8))) >= 3,
              "events of the new account")
        state = d.ctl("GET", "/_double/connect")["accounts"]
        equal([a["revoked_at"] is not None for a in state],
              [n == 2 for n in range(1, 10)], "revoked_at")
        # revoked after its next 2 requests, then restored
        d.ctl("POST", "/_double/connect",
              {"revoke_after": {connected(3): 2}})
        for _ in range(2):
            d.get("/v1/charges?limit=1", account=connected(3))
        err = api_error(d, "/v1/payouts", 403, account=connected(3))
        equal(err["code"], "account_invalid", "revoked after 2 requests")
        check(connected(3) not in [a["id"] for a in
                                   d.list_all("/v1/accounts")],
              "no longer listed")
        d.ctl("POST", "/_double/connect",
              {"restore": [connected(2), connected(3)]})
        equal(len(d.list_all("/v1/charges", account=connected(3))),
              len(truth(d, connected(3))["charges"]), "restored: readable")
        check(connected(2) in [a["id"] for a in d.list_all("/v1/accounts")],
              "restored: listed again")

# -- 4. OAuth ----------------------------------------------------------------

@test("oauth: refresh rotates the token, invalid_grant, access token "
      "expiry")
def t_oauth(t):
    with Double("--accounts", "1", "--charges", "30",
                "--frozen-clock") as d:
        resp = oauth(d, REFRESH_TOKEN)
        equal(resp.status, 200, "refresh")
        tok = resp.json()
        equal({k: tok[k] for k in ("livemode", "scope", "stripe_user_id",
                                   "token_type")},
              {"livemode": False, "scope": "stripe_apps",
               "stripe_user_id": connected(1), "token_type": "bearer"},
              "token fields")
        check("expires_in" not in tok, "no expires_in by default")
        check(tok["refresh_token"] != REFRESH_TOKEN, "rotated")
        ids = [c["id"] for c in d.list_all("/v1/charges",
                                           key=tok["access_token"])]
        equal(ids, [c["id"] for c in truth(d, connected(1))["charges"]],
              "the token reads its account")
        again = oauth(d, REFRESH_TOKEN)
        equal((again.status, again.json()["error"]), (400, "invalid_grant"),
              "old refresh token")
        check("error_description" in again.json())
        equal(oauth(d, REFRESH_TOKEN, secret="sk_test_wrong").json()["error"],
              "invalid_client", "wrong app secret")
        second = oauth(d, tok["refresh_token"])
        equal(second.status, 200, "new refresh token works")
        d.ctl("POST", "/_double/clock", {"advance": 3600})
        err = api_error(d, "/v1/charges", 401, key=tok["access_token"])
        equal(err["code"], "api_key_expired", "expired")
        equal(d.ctl("GET", "/_double/state")["oauth_refreshes"], 2,
              "refresh count")
        log = d.request("GET", "/_double/requests").body
        check(REFRESH_TOKEN.encode() not in log and
              tok["access_token"].encode() not in log and
              tok["refresh_token"].encode() not in log, "no secret in log")
        check(b"refresh_token=rt_****" in log, "masked form body logged")
    with Double("--charges", "5", config={
            "oauth": {"expires_in": True, "access_ttl": 60}}) as d:
        equal(oauth(d, REFRESH_TOKEN).json()["expires_in"], 60,
              "expires_in when configured")


# -- 5. change over time ------------------------------------------------------

def _events(d, applied):
    return [d.get("/v1/events/" + e["id"])[1] for e in applied["events"]]


@test("mutations: dispute, refunds, update, capture emit Stripe's events")
def t_charge_mutations(t):
    with Double("--charges", "300", "--frozen-clock") as d:
        charges = truth(d)["charges"]
        ok = [c for c in charges if c["status"] == "succeeded" and
              c["captured"] and not c["refunded"] and not c["disputed"] and
              c["amount_refunded"] == 0]
        now = d.ctl("GET", "/_double/clock")["now"]
        (disp,) = mutate(d, {"op": "dispute", "id": ok[0]["id"]})
        equal(disp["time"], now + 1, "step advances the clock")
        (ev,) = _events(d, disp)
        equal((ev["type"], ev["created"]),
              ("charge.dispute.created", now + 1), "dispute event")
        equal((ev["data"]["object"]["object"], ev["data"]["object"]["charge"]),
              ("dispute", ok[0]["id"]), "data.object is a Dispute")
        equal(d.get("/v1/charges/" + ok[0]["id"])[1]["disputed"], False,
              "reads show the change only after the consistency lag")
        d.ctl("POST", "/_double/clock", {"advance": 5})
        equal(d.get("/v1/charges/" + ok[0]["id"])[1]["disputed"], True,
              "disputed")
        (ref,) = mutate(d, {"op": "refund_full", "id": ok[1]["id"]})
        refunded, _, refund, _ = _events(d, ref)
        equal([refunded["type"], refund["type"]],
              ["charge.refunded", "charge.refund.updated"], "refund events")
        obj = refunded["data"]["object"]
        equal((obj["refunded"], obj["amount_refunded"]),
              (True, obj["amount_captured"]), "fully refunded")
        check("refunds" not in obj, "no embedded refunds at 2024-06-20")
        equal(refund["data"]["object"]["charge"], ok[1]["id"],
              "the refund names its charge")
        (part,) = mutate(d, {"op": "refund_partial", "id": ok[2]["id"],
                             "amount": 1})
        obj = _events(d, part)[0]["data"]["object"]
        equal((obj["refunded"], obj["amount_refunded"]), (False, 1),
              "partial")
        (upd,) = mutate(d, {"op": "update", "id": ok[3]["id"],
                            "metadata": {"k": "v"}})
        (ev,) = _events(d, upd)
        equal(ev["type"], "charge.updated", "update")
        equal(ev["data"]["previous_attributes"], {"metadata": {"k": None}},
              "previous_attributes")
        d.ctl("POST", "/_double/clock", {"advance": 5})
        equal(d.get("/v1/charges/" + ok[3]["id"])[1]["metadata"]["k"], "v",
              "metadata")
        auth = first(charges, lambda c: c["status"] == "succeeded" and
                     not c["captured"], "uncaptured")
        (cap,) = mutate(d, {"op": "capture", "id": auth["id"]})
        equal(_events(d, cap)[0]["type"], "charge.captured", "capture")
        resp = d.request("POST", "/_double/mutate", body=json.dumps(
            {"ops": [{"op": "capture", "id": auth["id"]}]}))
        equal(resp.status, 400, "capture twice")


@test("mutations: payouts and new objects; random mutations are seeded")
def t_payout_and_random_mutations(t):
    args = ("--charges", "200", "--payouts", "30", "--frozen-clock")
    with Double(*args) as d, Double(*args) as twin:
        (created,) = mutate(d, {"op": "new_payout", "amount": 5000})
        pending = d.get("/v1/payouts/" + created["id"])[1]
        equal((pending["status"], pending["amount"]), ("pending", 5000),
              "new payout")
        equal(_events(d, created)[0]["type"], "payout.created", "event")
        (paid,) = mutate(d, {"op": "payout_paid", "id": pending["id"]})
        updated, done = _events(d, paid)
        equal([updated["type"], done["type"]],
              ["payout.updated", "payout.paid"], "payout events")
        equal(updated["data"]["previous_attributes"], {"status": "pending"},
              "previous status")
        resp = d.request("POST", "/_double/mutate", body=json.dumps(
            {"ops": [{"op": "payout_canceled", "id": pending["id"]}]}))
        equal(resp.status, 400, "cancel a paid payout")
        (new,) = mutate(d, {"op": "new_charge", "amount": 1234})
        top = d.get("/v1/charges?limit=1")[1]["data"][0]
        equal((top["id"], top["amount"]), (new["id"], 1234), "new charge")
        equal(_events(d, new)[0]["type"], "charge.succeeded", "its event")
        body = {"count": 40, "seed": 7}
        got = d.ctl("POST", "/_double/mutate", body)["applied"]
        kinds = {a["op"] for a in got if "skipped" not in a}
        check(len(kinds) >= 6, "many kinds: %s" % kinds)
        check(all(a.get("events") for a in got if "skipped" not in a))
        twin.ctl("POST", "/_double/mutate", {"ops": [
            {"op": "new_payout", "amount": 5000},
            {"op": "payout_paid", "id": pending["id"]},
            {"op": "new_charge", "amount": 1234}]})
        again = twin.ctl("POST", "/_double/mutate", body)["applied"]
        equal([(a["op"], a.get("id")) for a in again],
              [(a["op"], a.get("id")) for a in got], "same seed, same ops")


@test("clock: Date header is the double's clock; set, advance, freeze")
def t_clock(t):
    with Double("--charges", "50", "--clock", "1800000000",
                "--frozen-clock") as d:
        _, _, headers = d.get("/v1/charges")
        equal(email.utils.parsedate_to_datetime(headers["date"]).timestamp(),
              1800000000, "Date")
        equal(d.ctl("POST", "/_double/clock", {"advance": 60})["now"],
              1800000060, "advance")
        end = d.ctl("GET", "/_double/state")["end"]
        d.ctl("POST", "/_double/clock", {"set": end - 10 * 86400})
        newest = d.get("/v1/charges?limit=1")[1]["data"][0]
        check(newest["created"] <= end - 10 * 86400, "no future objects")
        state = d.ctl("POST", "/_double/clock", {"freeze": False})
        equal(state["frozen"], False, "unfrozen")
        check(d.ctl("GET", "/_double/clock")["now"] >= end - 10 * 86400)


@test("retention: events older than 30 days are neither listed nor "
      "retrievable")
def t_retention(t):
    with Double("--charges", "200", "--frozen-clock") as d:
        now = d.ctl("GET", "/_double/clock")["now"]
        events = d.list_all("/v1/events")
        oldest = events[-1]
        check(oldest["created"] >= now - 30 * 86400, "within 30 days")
        equal(d.get("/v1/events/" + oldest["id"])[0], 200, "retrievable")
        d.ctl("POST", "/_double/clock",
              {"advance": oldest["created"] + 30 * 86400 + 1 - now})
        later = d.list_all("/v1/events")
        check(oldest["id"] not in {e["id"] for e in later}, "dropped")
        equal(d.get("/v1/events/" + oldest["id"])[0], 404, "404 now")
        equal(truth(d)["events"], later, "truth events = list")
    with Double("--charges", "200", "--frozen-clock",
                "--retention-days", "1000") as d:
        check(len(d.list_all("/v1/events")) > len(events), "retention option")


# -- 6. rough edges -----------------------------------------------------------

@test("visibility lag: new objects appear in lists only after the lag")
def t_visibility_lag(t):
    with Double("--charges", "50", "--frozen-clock",
                "--visibility-lag", "5", config={"late_fraction": 0}) as d:
        (new,) = mutate(d, {"op": "new_charge"}, step=0)
        listed = {c["id"] for c in d.get("/v1/charges?limit=5")[1]["data"]}
        check(new["id"] not in listed, "hidden")
        equal(d.get("/v1/charges/" + new["id"])[0], 200, "retrieve works")
        check(new["events"][0]["id"] not in
              {e["id"] for e in d.get("/v1/events?limit=5")[1]["data"]})
        check(new["id"] in {c["id"] for c in truth(d)["charges"]}, "truth")
        d.ctl("POST", "/_double/clock", {"advance": 5})
        listed = {c["id"] for c in d.get("/v1/charges?limit=5")[1]["data"]}
        check(new["id"] in listed, "visible after 5 s")
    with Double("--charges", "50", "--frozen-clock", "--visibility-lag", "5",
                config={"visibility_lag_fraction": 0.5,
                        "late_fraction": 0}) as d:
        got = mutate(d, *([{"op": "new_charge"}] * 40), step=0)
        listed = {c["id"] for c in d.get("/v1/charges?limit=100")[1]["data"]}
        hidden = [a["id"] for a in got if a["id"] not in listed]
        t.diag("fraction 0.5: %d of 40 hidden" % len(hidden))
        check(0 < len(hidden) < 40, "a subset lags")
        for a in got:
            lagged = zlib.crc32(a["id"].encode()) % 10000 < 5000
            equal(a["id"] in hidden, lagged, "documented subset rule")


def late_delay(item_id, fraction, late_max, seed=1):
    """The documented late-visibility rule (README, Rough edges)."""
    h = int.from_bytes(hashlib.blake2b(
        ("late/" + item_id).encode(), digest_size=8,
        key=str(seed).encode()).digest(), "big")
    if h % 10000 >= fraction * 10000:
        return 0
    return 1 + (h // 10000) % late_max


@test("late visibility: a seeded fraction of new objects and events is "
      "listed up to late_max s after created")
def t_late_visibility(t):
    with Double("--charges", "50", "--frozen-clock") as d:
        limits = d.ctl("GET", "/_double/limits")
        equal((limits["late_fraction"], limits["late_max"]), (0.02, 300),
              "defaults")
        got = mutate(d, *([{"op": "new_charge"}] * 300), step=0)
        late = [a["id"] for a in got if late_delay(a["id"], 0.02, 300)]
        t.diag("default 2%%: %d of 300 charges late" % len(late))
        check(1 <= len(late) <= 15, "about 2% late")
        listed = {c["id"] for c in d.list_all("/v1/charges")}
        equal({a["id"] for a in got} - listed, set(late), "the late ones")
        d.ctl("POST", "/_double/clock", {"advance": 300})
        listed = {c["id"] for c in d.list_all("/v1/charges")}
        check(set(late) <= listed, "all listed after late_max")
    with Double("--charges", "50", "--frozen-clock", "--seed", "3") as d:
        d.ctl("POST", "/_double/limits", {"late_fraction": 0.5,
                                          "late_max": 20})
        got = mutate(d, *([{"op": "new_charge"}] * 30), step=0)
        start = got[0]["time"]
        charges = {a["id"]: late_delay(a["id"], 0.5, 20, 3) for a in got}
        events = {e["id"]: late_delay(e["id"], 0.5, 20, 3)
                  for a in got for e in a["events"]}
        check(any(bool(charges[a["id"]]) != bool(events[a["events"][0]["id"]])
                  for a in got), "objects and events chosen independently")
        for second in range(0, 22):
            want = {i for i, late in charges.items() if late <= second}
            listed = {c["id"] for c in d.list_all("/v1/charges")}
            equal(listed & set(charges), want, "charges at +%d s" % second)
            want = {i for i, late in events.items() if late <= second}
            listed = d.list_all("/v1/events")
            equal({e["id"] for e in listed} & set(events), want,
                  "events at +%d s" % second)
            tr = truth(d)
            equal(tr["events"], listed, "truth events = the list")
            check(set(charges) <= {c["id"] for c in tr["charges"]},
                  "truth has every charge")
            if second == 0:
                hidden = next(i for i, late in charges.items() if late)
                equal(d.get("/v1/charges/" + hidden)[0], 200, "retrieve")
            d.ctl("POST", "/_double/clock", {"set": start + second + 1})
        resp = d.request("POST", "/_double/limits", body=json.dumps(
            {"late_fraction": 2}))
        equal(resp.status, 400, "bad fraction")


@test("event disorder: ids roughly ordered, unique, evt_ + 24 alnum")
def t_event_disorder(t):
    args = ("--charges", "500", "--frozen-clock", "--retention-days", "1000")
    with Double(*args) as d:
        events = d.list_all("/v1/events")
        ids = [e["id"] for e in events]
        equal(ids, sorted(ids, reverse=True), "ordered without disorder")
    with Double(*args, "--event-disorder", "0.3") as d:
        mutate(d, *([{"op": "new_charge"}] * 40), step=1)
        events = d.list_all("/v1/events")
        ids = [e["id"] for e in events]
        equal(len(set(ids)), len(ids), "unique")
        check(all(ID_RE["evt"].match(i) for i in ids), "format")
        keys = [(e["created"], e["id"]) for e in events]
        equal(keys, sorted(keys, reverse=True), "list order")
        check(ids != sorted(ids, reverse=True), "ids not in created order")


@test("refund events: refund.created/updated since 2024-10-28; refund_failed "
      "emits only refund events")
def t_refund_events(t):
    with Double("--charges", "300", "--frozen-clock") as d:
        charges = truth(d)["charges"]
        ok = [c for c in charges if c["status"] == "succeeded" and
              c["captured"] and not c["disputed"] and
              c["amount_refunded"] == 0]
        (ref,) = mutate(d, {"op": "refund_full", "id": ok[0]["id"]})
        events = _events(d, ref)
        equal([e["type"] for e in events],
              ["charge.refunded", "refund.created", "charge.refund.updated",
               "refund.updated"], "refund events")
        created, crud, rud = events[1], events[2], events[3]
        refund = rud["data"]["object"]
        equal((refund["object"], refund["charge"], refund["status"]),
              ("refund", ok[0]["id"], "succeeded"), "refund.updated object")
        equal(crud["data"]["object"], refund, "same refund in both updates")
        equal((rud["data"]["previous_attributes"],
               crud["data"]["previous_attributes"]),
              ({"status": "pending"}, {"status": "pending"}), "previous")
        equal(created["data"]["object"], dict(refund, status="pending"),
              "refund.created: the refund as created")
        check("previous_attributes" not in created["data"], "no previous")
        d.ctl("POST", "/_double/clock", {"advance": 10})
        (fail,) = mutate(d, {"op": "refund_failed", "id": refund["id"],
                             "failure_reason": "expired_or_canceled_card"})
        equal(fail["id"], ok[0]["id"], "the entry names the charge")
        events = _events(d, fail)
        equal([e["type"] for e in events],
              ["refund.failed", "refund.updated", "charge.refund.updated"],
              "refund failure events")
        check(all(e["data"]["object"]["object"] == "refund"
                  for e in events), "no event carries the charge")
        failed = events[0]["data"]["object"]
        equal((failed["id"], failed["status"], failed["failure_reason"]),
              (refund["id"], "failed", "expired_or_canceled_card"), "failed")
        check(ID_RE["txn"].match(failed["failure_balance_transaction"]),
              "failure balance transaction")
        _same_keys(failed, dict(_load_fixture("refund"),
                                failure_balance_transaction=None,
                                failure_reason=None), "failed refund")
        for e in events[1:]:
            equal((e["data"]["object"], e["data"]["previous_attributes"]),
                  (failed, {"status": "succeeded"}), e["type"])
        d.ctl("POST", "/_double/clock", {"advance": 10})
        equal(d.get("/v1/refunds/" + refund["id"])[1], failed, "retrieve")
        charge = d.get("/v1/charges/" + ok[0]["id"])[1]
        equal((charge["amount_refunded"], charge["refunded"]), (0, False),
              "the charge no longer counts the refund")
        old = d.get("/v1/charges/" + ok[0]["id"],
                    headers=version_header("2020-08-27"))[1]
        equal(old["refunds"]["data"], [failed], "embedded refund failed")
        for op in ({"op": "refund_failed", "id": refund["id"]},
                   {"op": "refund_failed", "id": ok[0]["id"]},
                   {"op": "refund_failed", "id": ok[1]["id"]}):
            resp = d.request("POST", "/_double/mutate",
                             body=json.dumps({"ops": [op]}))
            equal(resp.status, 400, "refund_failed twice or without refund")
        mutate(d, {"op": "refund_partial", "id": ok[1]["id"], "amount": 1},
               {"op": "refund_partial", "id": ok[1]["id"], "amount": 2})
        (fail,) = mutate(d, {"op": "refund_failed", "id": ok[1]["id"]})
        equal(_events(d, fail)[0]["data"]["object"]["amount"], 2,
              "by charge id: its newest refund fails")
        got = d.ctl("POST", "/_double/mutate", {
            "count": 3, "seed": 4, "kinds": ["refund_failed"]})["applied"]
        equal([a["op"] for a in got], ["refund_failed"] * 3, "random kind")
        check(all([e["type"] for e in a["events"]] ==
                  ["refund.failed", "refund.updated", "charge.refund.updated"]
                  for a in got), "random refund failures' events")
    with Double("--charges", "300", "--frozen-clock", "--end", "1720000000",
                "--retention-days", "1000") as d:
        types = {e["type"] for e in d.list_all("/v1/events")}
        check("charge.refund.updated" in types and
              not any(x.startswith("refund.") for x in types),
              "before 2024-10-28: no refund.* events (%s)" % sorted(types))
        charge = first(truth(d)["charges"], lambda c: c["status"] ==
                       "succeeded" and c["captured"] and not c["disputed"]
                       and c["amount_refunded"] == 0, "refundable")
        (ref,) = mutate(d, {"op": "refund_partial", "id": charge["id"]})
        equal([e["type"] for e in ref["events"]],
              ["charge.refunded", "charge.refund.updated"], "old refund")


# -- eventual consistency -----------------------------------------------------

def _charge_at(d, charge_id, created):
    """(retrieved charge, the same charge as a list shows it)."""
    got = d.get("/v1/charges/" + charge_id)[1]
    page = d.get("/v1/charges?limit=100&created=%d" % created)[1]["data"]
    return got, first(page, lambda c: c["id"] == charge_id, "listed")


def _refundables(d, n):
    return [c for c in truth(d)["charges"] if c["status"] == "succeeded" and
            c["captured"] and not c["disputed"] and
            c["amount_refunded"] == 0][:n]


@test("consistency: lists and retrieves show the previous state until "
      "change time + lag; events and truth at once")
def t_consistency(t):
    args = ("--charges", "300", "--payouts", "30", "--frozen-clock")
    seen = []
    for _ in range(2):
        with Double(*args) as d:
            waits = []
            for charge in _refundables(d, 6):
                (ref,) = mutate(d, {"op": "refund_full", "id": charge["id"]})
                ev = d.get("/v1/events/" + ref["events"][0]["id"])[1]
                equal(ev["created"], ref["time"], "event stamped at once")
                check(ev["id"] in {e["id"] for e in d.get(
                    "/v1/events?limit=10")[1]["data"]}, "event listed")
                real = first(truth(d)["charges"],
                             lambda c: c["id"] == charge["id"], "truth")
                equal(real["amount_refunded"], charge["amount"], "truth")
                wait = 0
                while True:
                    got, listed = _charge_at(d, charge["id"],
                                             charge["created"])
                    equal(got, listed, "list = retrieve")
                    if got["amount_refunded"]:
                        equal(got, real, "then the new state")
                        break
                    equal(got, charge, "the previous state")
                    wait += 1
                    check(wait <= 5, "lag within [1, 5]")
                    d.ctl("POST", "/_double/clock", {"advance": 1})
                waits.append(wait)
            t.diag("lags seen: %s" % waits)
            check(min(waits) >= 1 and len(set(waits)) > 1, "drawn per change")
            seen.append(waits)
    equal(seen[0], seen[1], "same seed, same lags")
    with Double(*args) as d:
        charge = _refundables(d, 1)[0]
        d.ctl("POST", "/_double/limits", {"consistency_lag": [10, 10]})
        mutate(d, {"op": "update", "id": charge["id"], "description": "a"},
               step=0)
        d.ctl("POST", "/_double/limits", {"consistency_lag": [1, 1]})
        mutate(d, {"op": "update", "id": charge["id"], "description": "b"},
               step=1)
        shown = []
        for _ in range(11):
            shown.append(_charge_at(d, charge["id"], charge["created"])[0][
                "description"])
            d.ctl("POST", "/_double/clock", {"advance": 1})
        old = charge["description"]
        equal(shown, [old] + ["b"] * 10,
              "the newest state whose change time + lag has passed")
        # payout status filters see the shown state too
        (payout,) = mutate(d, {"op": "new_payout"})
        d.ctl("POST", "/_double/limits", {"consistency_lag": [3, 3]})
        mutate(d, {"op": "payout_paid", "id": payout["id"]})
        ids = {p["id"] for p in d.list_all("/v1/payouts?status=pending")}
        check(payout["id"] in ids, "still listed as pending")
        equal(d.get("/v1/payouts/" + payout["id"])[1]["status"], "pending",
              "retrieved as pending")
        check(d.ctl("GET", "/_double/state")["pending_changes"] >= 1,
              "a change is pending")
        d.ctl("POST", "/_double/clock", {"advance": 3})
        ids = {p["id"] for p in d.list_all("/v1/payouts?status=paid")}
        check(payout["id"] in ids, "listed as paid after the lag")
        equal(d.ctl("GET", "/_double/state")["pending_changes"], 0,
              "settled changes are forgotten")
        # a refund failure: the refund and the charge both lag
        charge = _refundables(d, 2)[1]
        (ref,) = mutate(d, {"op": "refund_full", "id": charge["id"]})
        d.ctl("POST", "/_double/clock", {"advance": 3})
        refund_id = d.get("/v1/events/" + ref["events"][-1]["id"])[1][
            "data"]["object"]["id"]
        mutate(d, {"op": "refund_failed", "id": refund_id})
        equal(d.get("/v1/refunds/" + refund_id)[1]["status"], "succeeded",
              "refund read before the lag")
        equal(d.get("/v1/charges/" + charge["id"])[1]["amount_refunded"],
              charge["amount"], "charge read before the lag")
        d.ctl("POST", "/_double/clock", {"advance": 3})
        equal(d.get("/v1/refunds/" + refund_id)[1]["status"], "failed",
              "refund read after the lag")
        # new objects are not delayed by this; [0, 0] turns it off
        (new,) = mutate(d, {"op": "new_charge", "amount": 777})
        equal(d.get("/v1/charges/" + new["id"])[1]["amount"], 777, "new")
        d.ctl("POST", "/_double/limits", {"consistency_lag": [0, 0]})
        mutate(d, {"op": "update", "id": new["id"], "description": "now"})
        equal(d.get("/v1/charges/" + new["id"])[1]["description"], "now",
              "no lag")
        equal(d.ctl("GET", "/_double/limits")["consistency_lag"], [0, 0],
              "limits")
        resp = d.request("POST", "/_double/limits", body=json.dumps(
            {"consistency_lag": [5, 1]}))
        equal(resp.status, 400, "bad range")


@test("rough preset: --smooth / \"rough\": false give an exactly "
      "predictable double")
def t_rough(t):
    with Double("--accounts", "2", "--charges", "60", "--frozen-clock",
                "--smooth") as d:
        limits = d.ctl("GET", "/_double/limits")
        equal((limits["consistency_lag"], limits["late_fraction"]),
              ([0, 0], 0.0), "no consistency lag, no late items")
        equal({a["api_version"] for a in
               d.ctl("GET", "/_double/accounts")["accounts"]},
              {"2024-06-20"}, "every account at the platform's version")
        charge = _refundables(d, 1)[0]
        mutate(d, {"op": "refund_full", "id": charge["id"]})
        equal(d.get("/v1/charges/" + charge["id"])[1]["refunded"], True,
              "changes read at once")
        got = mutate(d, *([{"op": "new_charge"}] * 200), step=0)
        listed = {c["id"] for c in d.list_all("/v1/charges")}
        check({a["id"] for a in got} <= listed, "new charges listed at once")
        d.ctl("POST", "/_double/limits", {"rough": True})
        limits = d.ctl("GET", "/_double/limits")
        equal((limits["consistency_lag"], limits["late_fraction"]),
              ([1, 5], 0.02), "rough again at run time")
        d.ctl("POST", "/_double/limits", {"rough": False,
                                          "late_fraction": 0.5})
        limits = d.ctl("GET", "/_double/limits")
        equal((limits["consistency_lag"], limits["late_fraction"]),
              ([0, 0], 0.5), "explicit keys win over the preset")
    cfg = {"rough": False, "consistency_lag": [2, 2],
           "accounts": [{"id": PLATFORM},
                        {"id": connected(1), "api_version": "2019-02-19"},
                        {"id": connected(2)}]}
    with Double("--charges", "5", config=cfg) as d:
        limits = d.ctl("GET", "/_double/limits")
        equal((limits["consistency_lag"], limits["late_fraction"]),
              ([2, 2], 0.0), "config: explicit key, preset for the rest")
        equal([a["api_version"] for a in
               d.ctl("GET", "/_double/accounts")["accounts"]],
              ["2024-06-20", "2019-02-19", "2024-06-20"],
              "an explicit account version stays")


# -- API versions -------------------------------------------------------------

def _raw_event_object(d, event_id, account=None):
    """The raw bytes of an event's data.object (it is followed by
    previous_attributes or by the end of data)."""
    body = d.api("/v1/events/" + event_id, account=account).body
    start = body.index(b'"data":{"object":') + len(b'"data":{"object":')
    end = body.index(b'},"livemode":', start)
    obj = body[start:end]
    cut = obj.find(b',"previous_attributes":')
    return obj[:cut] if cut >= 0 else obj


@test("versions: events keep their account's version at creation; answers "
      "follow Stripe-Version")
def t_versions(t):
    with Double("--accounts", "2", "--charges", "60", "--payouts", "5",
                "--frozen-clock") as d:
        got = d.ctl("GET", "/_double/accounts")["accounts"]
        equal([(a["id"], a["api_version"]) for a in got],
              [(PLATFORM, "2024-06-20"), (connected(1), "2020-08-27"),
               (connected(2), "2024-06-20")], "default versions")
        by_account = {}
        for account in (PLATFORM, connected(1)):
            charge = first(truth(d, account)["charges"],
                           lambda c: c["captured"] and c["status"] ==
                           "succeeded" and not c["disputed"] and
                           c["amount_refunded"] == 0, "refundable")
            (ref,) = mutate(d, {"op": "refund_partial", "id": charge["id"],
                                "amount": 1})
            ev = _events_of(d, ref, account)[0]
            equal(ev["type"], "charge.refunded", "first refund event")
            by_account[account] = (charge["id"], ev)
        d.ctl("POST", "/_double/clock", {"advance": 5})   # consistency lag
        # connected(1) is at 2020-08-27: the charge embeds its refunds
        charge_id, ev = by_account[connected(1)]
        equal(ev["api_version"], "2020-08-27", "event version")
        refunds = ev["data"]["object"]["refunds"]
        equal({k: refunds[k] for k in ("object", "has_more", "total_count",
                                       "url")},
              {"object": "list", "has_more": False, "total_count": 1,
               "url": "/v1/charges/%s/refunds" % charge_id}, "refunds list")
        equal((refunds["data"][0]["object"], refunds["data"][0]["charge"],
               refunds["data"][0]["amount"]), ("refund", charge_id, 1),
              "the refund")
        check("invoice" in ev["data"]["object"], "invoice before basil")
        # the platform is at 2024-06-20: no refunds
        charge_id, ev = by_account[PLATFORM]
        equal(ev["api_version"], "2024-06-20", "platform event version")
        check("refunds" not in ev["data"]["object"], "no refunds")
        check("invoice" in ev["data"]["object"], "invoice before basil")
        # lists and retrieves follow Stripe-Version, else the default
        path = "/v1/charges/" + charge_id
        for name, has_refunds, has_invoice in (
                ("2020-08-27", True, True), ("2024-06-20", False, True),
                ("2025-03-31.basil", False, False),
                ("2025-04-30.basil", False, False)):
            status, obj, headers = d.get(path,
                                         headers=version_header(name))
            equal((status, headers["stripe-version"]), (200, name), name)
            equal(("refunds" in obj, "invoice" in obj),
                  (has_refunds, has_invoice), "shape at " + name)
            page = d.get("/v1/charges?limit=100",
                         headers=version_header(name))[1]["data"]
            equal({"refunds" in c for c in page}, {has_refunds},
                  "list at " + name)
        status, obj, headers = d.get("/v1/charges?limit=3",
                                     account=connected(1))
        equal(headers["stripe-version"], "2020-08-27", "account default")
        check(all("refunds" in c for c in obj["data"]), "default shape")
        # same object, same version: same bytes everywhere
        for account in (PLATFORM, connected(1)):
            charge_id, ev = by_account[account]
            raw = d.api("/v1/charges/" + charge_id, account=account,
                        headers=version_header(ev["api_version"])).body
            equal(_raw_event_object(d, ev["id"], account), raw,
                  "event bytes = retrieve bytes")
            check(raw in d.api("/v1/charges?limit=100", account=account,
                               headers=version_header(
                                   ev["api_version"])).body, "list bytes")
            check(raw in d.request("GET", "/_double/truth?account=%s&"
                                   "api_version=%s" % (
                                       account, ev["api_version"])).body,
                  "truth bytes")
        check(all("refunds" not in c for c in truth(d)["charges"]),
              "truth defaults to 2024-06-20")
        # payouts before 2017-04-06 are transfers; data never changes
        d.ctl("POST", "/_double/accounts", {"account": connected(2),
                                            "api_version": "2017-01-27"})
        (old,) = mutate(d, {"op": "new_payout", "account": connected(2)})
        d.ctl("POST", "/_double/accounts", {"account": connected(2),
                                            "api_version": "2024-06-20"})
        (new,) = mutate(d, {"op": "new_payout", "account": connected(2)})
        ev_old = _events_of(d, old, connected(2))[0]
        ev_new = _events_of(d, new, connected(2))[0]
        equal((ev_old["api_version"], ev_old["data"]["object"]["object"],
               ev_old["data"]["object"]["id"]),
              ("2017-01-27", "transfer", old["id"]), "old payout event")
        equal((ev_new["api_version"], ev_new["data"]["object"]["object"]),
              ("2024-06-20", "payout"), "new payout event")
        equal(d.get("/v1/payouts/" + old["id"], account=connected(2),
                    headers=version_header("2016-07-06"))[1]["object"],
              "transfer", "payout rendered at an old version")
        equal(d.get("/v1/payouts/" + old["id"],
                    account=connected(2))[1]["object"], "payout", "default")
        resp = d.request("POST", "/_double/accounts", body=json.dumps(
            {"account": PLATFORM, "api_version": "latest"}))
        equal(resp.status, 400, "bad version")
    cfg = {"accounts": [{"id": PLATFORM, "api_version": "2019-02-19"},
                        {"id": connected(1)}, {"id": connected(2)}],
           "api_version": "2025-03-31.basil"}
    with Double("--charges", "5", "--payouts", "1", config=cfg) as d:
        equal([a["api_version"] for a in
               d.ctl("GET", "/_double/accounts")["accounts"]],
              ["2019-02-19", "2020-08-27", "2025-03-31.basil"],
              "config: per account, then the platform default")
        equal({e["api_version"] for e in d.list_all("/v1/events")},
              {"2019-02-19"}, "dataset events at the account's version")


def _events_of(d, applied, account):
    return [d.get("/v1/events/" + e["id"], account=account)[1]
            for e in applied["events"]]


# -- 7. rate limits -----------------------------------------------------------

@test("rate limits: global, per endpoint and concurrency give 429 without "
      "Retry-After")
def t_rate_limits(t):
    with Double("--charges", "20", "--payouts", "3",
                "--global-rps", "5") as d:
        statuses = [d.api("/v1/charges") for _ in range(15)]
        limited = [r for r in statuses if r.status == 429]
        t.diag("global 5 rps: %d of 15 limited" % len(limited))
        equal([r.status for r in statuses[:5]], [200] * 5, "a full bucket")
        check(limited, "some limited")
        for r in limited:
            err = r.json()["error"]
            equal((err["type"], err["code"]),
                  ("invalid_request_error", "rate_limit"), "429 body")
            check(err["message"].startswith("Too many requests hit the API"))
            check("retry-after" not in r.headers, "no Retry-After")
            check(r.headers["request-id"].startswith("req_"))
        check(all(d.request("GET", "/_double/health").status == 200
                  for _ in range(20)), "control never limited")
        equal(d.ctl("GET", "/_double/state")["status_429"], len(limited),
              "state counts 429s")
        d.ctl("POST", "/_double/limits", {"global_rps": 0,
                                          "endpoint_rps": 3})
        charges = [d.api("/v1/charges").status for _ in range(6)]
        payouts = [d.api("/v1/payouts").status for _ in range(3)]
        check(429 in charges, "endpoint limited")
        equal(payouts, [200] * 3, "another endpoint has its own bucket")
        d.ctl("POST", "/_double/limits", {"endpoint_rps": 0,
                                          "max_concurrency": 2,
                                          "latency_ms": 500})
        results = []
        threads = [threading.Thread(target=lambda: results.append(
            d.api("/v1/charges"))) for _ in range(6)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        reasons = [r.headers.get("stripe-rate-limited-reason")
                   for r in results if r.status == 429]
        t.diag("concurrency 2: %d of 6 limited" % len(reasons))
        check(reasons and set(reasons) == {"global-concurrency"},
              "concurrency limiter")


# -- 7b. the co-tenant (the merchant's own traffic on the same account) -------

COTENANT_ARGS = ("--charges", "20", "--payouts", "3", "--accounts", "1",
                 "--global-rps", "100")


def _keepalive_get(conn, path):
    """(status, Stripe-Rate-Limited-Reason) of one GET on a kept-alive
    connection."""
    conn.request("GET", path, headers={"Authorization": "Bearer " + KEY})
    resp = conn.getresponse()
    resp.read()
    return resp.status, resp.getheader("Stripe-Rate-Limited-Reason")


def _client(d, seconds, rps=None):
    """GET /v1/charges for `seconds` on one keep-alive connection, as fast
    as it can (rps None) or at rps evenly spaced requests per second;
    returns {status: count} and the set of 429 reasons."""
    conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
    counts, reasons = {}, set()
    try:
        start = next_at = time.monotonic()
        while time.monotonic() < start + seconds:
            if rps is not None:
                pause = next_at - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                next_at += 1.0 / rps
            status, reason = _keepalive_get(conn, "/v1/charges?limit=1")
            counts[status] = counts.get(status, 0) + 1
            if status == 429:
                reasons.add(reason)
    finally:
        conn.close()
    return counts, reasons


def _with_client(d, seconds, rps=None):
    """Run _client in a thread beside the running co-tenant (counters
    reset first); returns (client counts, 429 reasons, co-tenant state)."""
    d.ctl("DELETE", "/_double/cotenant")
    out = {}
    thread = threading.Thread(target=lambda: out.update(
        zip(("counts", "reasons"), _client(d, seconds, rps))))
    thread.start()
    thread.join(seconds + 30)
    check(not thread.is_alive(), "client thread finished")
    return out["counts"], out["reasons"], d.ctl("GET", "/_double/cotenant")


def _beside_cotenant(rps=None):
    """A client for 2 s (paced at rps, or as fast as it can) beside a
    co-tenant at 60 rps; returns what _with_client does."""
    with Double(*COTENANT_ARGS) as d:
        d.ctl("POST", "/_double/cotenant", {"rps": 60})
        return _with_client(d, 2.0, rps)


@test("co-tenant: 60 rps alone under a 100 rps global limit is never "
      "refused, evenly paced; control API, config key, stop, reset")
def t_cotenant_alone(t):
    config = {"cotenant": {"rps": 60}, "limits": {"cotenant_endpoint_rps": 0}}
    with Double(*COTENANT_ARGS, config=config) as d:
        state = d.ctl("GET", "/_double/cotenant")
        equal((state["rps"], state["account"], state["mode"],
               state["endpoint"], state["running"]),
              (60.0, PLATFORM, "test", "POST /v1/payment_intents", True),
              "started by the config key")
        equal(d.ctl("GET", "/_double/limits")["cotenant_endpoint_rps"], 0.0,
              "limits show cotenant_endpoint_rps")
        d.ctl("DELETE", "/_double/cotenant")
        samples = []
        for _ in range(8):                  # ~2 s in windows of 0.25 s
            time.sleep(0.25)
            samples.append(d.ctl("GET", "/_double/cotenant"))
        state = samples[-1]
        pace = state["attempts"] / state["elapsed_s"]
        t.diag("alone: %d attempts in %.2f s (%.1f/s), %d refused, "
               "behind %.3f s" % (state["attempts"], state["elapsed_s"],
                                  pace, state["refused"], state["behind_s"]))
        equal((state["refused"], state["share_refused"]), (0, 0.0),
              "60 of 100 rps: nothing refused")
        check(50 <= pace <= 62, "pace %.1f/s ~ 60" % pace)
        windows = [(b["attempts"] - a["attempts"])
                   / (b["elapsed_s"] - a["elapsed_s"])
                   for a, b in zip(samples, samples[1:])]
        t.diag("attempts/s per 0.25 s window: %s"
               % " ".join("%.0f" % w for w in windows))
        check(all(20 <= w <= 120 for w in windows),
              "evenly spaced, not bursts: %s" % windows)
        stopped = d.ctl("POST", "/_double/cotenant", {"rps": 0})
        equal((stopped["rps"], stopped["running"]), (0.0, False), "stopped")
        time.sleep(0.3)
        equal(d.ctl("GET", "/_double/cotenant")["attempts"],
              stopped["attempts"], "no attempts once stopped")
        equal(d.ctl("DELETE", "/_double/cotenant")["attempts"], 0, "reset")
        other = d.ctl("POST", "/_double/cotenant", {
            "rps": 100, "account": connected(1), "mode": "live",
            "endpoint": "GET /v1/customers"})
        equal((other["rps"], other["account"], other["mode"],
               other["endpoint"]),
              (100.0, connected(1), "live", "GET /v1/customers"),
              "account, mode, endpoint")
        for body in ({"rps": -1}, {"rps": "60"}, {"rps": 5000},
                     {"rps": 5, "account": "acct_nope"},
                     {"rps": 5, "mode": "sandbox"}, {"rate": 5}, {}):
            r = d.request("POST", "/_double/cotenant", {}, json.dumps(body))
            equal(r.status, 400, "POST /_double/cotenant %s" % body)
        equal(d.ctl("GET", "/_double/cotenant")["account"], connected(1),
              "a refused POST changes nothing")


@test("co-tenant: a client hammering GET /v1/charges takes its tokens "
      "(> 5 % refused); the client's 429s say global-rate")
def t_cotenant_hammered(t):
    counts, reasons, state = _beside_cotenant()
    ok = counts.get(200, 0)
    granted = ok + state["attempts"] - state["refused"]
    t.diag("client: %s; co-tenant: %d attempts, %d refused (%.1f %%), "
           "behind %.3f s; tokens granted %d in %.2f s"
           % (counts, state["attempts"], state["refused"],
              100 * state["share_refused"], state["behind_s"], granted,
              state["elapsed_s"]))
    check(state["share_refused"] > 0.05,
          "co-tenant refused %.3f > 5 %%" % state["share_refused"])
    equal(state["refused_by"]["global-rate"], state["refused"],
          "refused by the global bucket")
    check(counts.get(429), "the client was limited too")
    equal(reasons, {"global-rate"}, "Stripe-Rate-Limited-Reason")
    check(granted <= 100 + 100 * state["elapsed_s"] + 2,
          "one bucket: %d tokens granted <= capacity + refill" % granted)
    check(state["attempts"] >= 0.8 * 60 * state["elapsed_s"],
          "the co-tenant kept its pace under load")


@test("co-tenant: a client paced at 30 rps leaves the co-tenant at 60 rps "
      "< 1 % refused")
def t_cotenant_paced(t):
    counts, _, state = _beside_cotenant(rps=30)
    t.diag("client at 30 rps: %s; co-tenant: %d attempts, %d refused"
           % (counts, state["attempts"], state["refused"]))
    check(state["share_refused"] < 0.01,
          "co-tenant refused %.3f < 1 %%" % state["share_refused"])
    equal(set(counts), {200}, "the client was never limited")
    check(state["attempts"] >= 0.8 * 60 * state["elapsed_s"],
          "the co-tenant kept its pace")


# -- 8. faults ----------------------------------------------------------------

def _fault_once(d, kind, extra=None):
    """Install kind on the 2nd request to /v1/charges; returns the
    outcome of that request (Response or exception)."""
    spec = {"kind": kind, "nth": 2, "path": "/v1/charges",
            "should_retry": True}
    spec.update(extra or {})
    d.ctl("POST", "/_double/faults", {"faults": [spec]})
    equal(d.api("/v1/charges?limit=3").status, 200, "1st request")
    equal(d.api("/v1/payouts").status, 200, "other path")
    started = time.monotonic()
    try:
        outcome = d.api("/v1/charges?limit=3")
    except (OSError, http.client.HTTPException) as err:
        outcome = err
    elapsed = time.monotonic() - started
    equal(d.api("/v1/charges?limit=3").status, 200, "3rd request")
    entry = [e for e in d.ctl("GET", "/_double/requests")["requests"]
             if e["fault"]][-1]
    equal(entry["fault"], kind, "logged fault")
    return outcome, elapsed


@test("faults by nth: every kind, Stripe-Should-Retry, path prefix")
def t_faults_nth(t):
    with Double("--charges", "30", "--payouts", "3") as d:
        for kind in ("500", "502", "503"):
            r, _ = _fault_once(d, kind)
            equal((r.status, r.json()["error"]["type"]),
                  (int(kind), "api_error"), kind)
            equal(r.headers.get("stripe-should-retry"), "true", "header")
        r, _ = _fault_once(d, "lock_timeout", {"should_retry": False})
        equal((r.status, r.json()["error"]["code"]), (429, "lock_timeout"),
              "lock_timeout")
        equal(r.headers.get("stripe-should-retry"), "false", "header false")
        r, _ = _fault_once(d, "rate_limit")
        equal((r.status, r.json()["error"]["code"]), (429, "rate_limit"),
              "rate_limit")
        check("retry-after" not in r.headers)
        equal(r.headers.get("stripe-rate-limited-reason"), "global-rate",
              "rate_limit: the global limit by default")
        r, _ = _fault_once(d, "rate_limit", {"reason": "endpoint-rate"})
        equal(r.headers.get("stripe-rate-limited-reason"), "endpoint-rate",
              "rate_limit: the reason asked for")
        r, _ = _fault_once(d, "html")
        equal((r.status, r.headers["content-type"]), (200, "text/html"),
              "html")
        r, _ = _fault_once(d, "bad_json")
        equal(r.status, 200, "bad_json status")
        try:
            json.loads(r.body)
            raise AssertionError("bad_json parsed")
        except ValueError:
            pass
        r, _ = _fault_once(d, "truncated")
        check(isinstance(r, http.client.IncompleteRead), "truncated: %r" % r)
        r, _ = _fault_once(d, "reset")
        check(isinstance(r, ConnectionResetError), "reset: %r" % r)
        r, elapsed = _fault_once(d, "slow", {"delay_ms": 300})
        check(r.status == 200 and elapsed >= 0.3, "slow %.3f" % elapsed)
        d.ctl("POST", "/_double/faults", {"faults": [
            {"kind": "503", "nth": 1, "count": 3}]})
        equal([d.api("/v1/charges").status for _ in range(4)],
              [503, 503, 503, 200], "count 3")
        d.ctl("DELETE", "/_double/faults")
        equal(d.api("/v1/charges").status, 200, "cleared")
    with Double("--charges", "5", config={
            "faults": [{"kind": "502", "nth": 2}]}) as d:
        equal([d.api("/v1/events").status for _ in range(3)],
              [200, 502, 200], "config faults: Nth request overall")


@test("faults by probability: seeded and reproducible, count limit")
def t_faults_probability(t):
    with Double("--charges", "10") as d:
        patterns = []
        for _ in range(2):
            d.ctl("POST", "/_double/faults", {"seed": 42, "faults": [
                {"kind": "500", "probability": 0.3}]})
            patterns.append([d.api("/v1/charges").status
                             for _ in range(40)])
        equal(patterns[0], patterns[1], "same seed, same faults")
        t.diag("500s with p=0.3: %d of 40" % patterns[0].count(500))
        check(4 <= patterns[0].count(500) <= 20, "about 30%")
        d.ctl("POST", "/_double/faults", {"seed": 43, "faults": [
            {"kind": "500", "probability": 0.3}]})
        other = [d.api("/v1/charges").status for _ in range(40)]
        check(other != patterns[0], "another seed differs")
        d.ctl("POST", "/_double/faults", {"faults": [
            {"kind": "503", "probability": 1.0, "count": 2}]})
        equal([d.api("/v1/charges").status for _ in range(4)],
              [503, 503, 200, 200], "count limit")


# -- 9. latency ---------------------------------------------------------------

def _cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@test("latency: fixed and jittered delays, by sleeping")
def t_latency(t):
    with Double("--charges", "10", "--latency-ms", "150") as d:
        started = time.monotonic()
        d.api("/v1/charges")
        check(time.monotonic() - started >= 0.15, "fixed latency")
        d.ctl("POST", "/_double/limits", {"latency_ms": 100,
                                          "jitter_ms": 100})
        spent = []
        for _ in range(5):
            started = time.monotonic()
            d.api("/v1/charges")
            spent.append(time.monotonic() - started)
        check(all(0.1 <= s < 0.5 for s in spent), "jitter %s" % spent)
        d.ctl("POST", "/_double/limits", {"latency_ms": 500,
                                          "jitter_ms": 0})
        cpu = _cpu_seconds(d.proc.pid)
        threads = [threading.Thread(target=d.api, args=("/v1/charges",))
                   for _ in range(20)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        used = _cpu_seconds(d.proc.pid) - cpu
        t.diag("CPU for 20 requests of 500 ms: %.2f s" % used)
        check(used < 0.3, "sleeping, not spinning")


# -- 10. control and inspection -----------------------------------------------

@test("request log: exact entries, masked keys, control requests not "
      "logged")
def t_request_log(t):
    with Double("--accounts", "1", "--charges", "20",
                "--frozen-clock") as d:
        d.api("/v1/charges")
        d.ctl("DELETE", "/_double/requests")
        resp = d.api("/v1/charges?limit=3&created[gte]=5",
                     account=connected(1),
                     headers={"Stripe-Version": "2025-04-30.basil",
                              "User-Agent": "stripe-reader/0.1",
                              "Idempotency-Key": "ik-1"})
        d.ctl("GET", "/_double/state")
        d.api("/v1/events", key="sk_live_secret_value_9876")
        rows = d.ctl("GET", "/_double/requests")["requests"]
        equal(len(rows), 2, "two API requests")
        now = d.ctl("GET", "/_double/clock")["now"]
        want = {"method": "GET", "path": "/v1/charges",
                "query": "limit=3&created[gte]=5",
                "account": connected(1), "key": "sk_test_****form",
                "status": 200, "request_id": resp.headers["request-id"],
                "time": now, "fault": None, "rate_limited": None,
                "stripe_version": "2025-04-30.basil",
                "user_agent": "stripe-reader/0.1",
                "idempotency_key": "ik-1", "body": None}
        equal({k: rows[0][k] for k in want}, want, "entry")
        equal(rows[1]["n"], rows[0]["n"] + 1, "n increases")
        equal((rows[1]["key"], rows[1]["status"]),
              ("sk_live_****9876", 401), "bad key entry")
        text = d.request("GET", "/_double/requests").body
        check(b"sk_test_double_platform" not in text and
              b"secret_value" not in text, "no secret")
        equal(len(d.ctl("GET", "/_double/requests?since=%d"
                        % rows[0]["n"])["requests"]), 1, "since")
        d.ctl("DELETE", "/_double/requests")
        equal(d.ctl("GET", "/_double/requests")["requests"], [], "cleared")


@test("truth: every account, equals the lists, can be written to a file")
def t_truth(t):
    with Double("--accounts", "1", "--charges", "120", "--payouts", "8",
                "--frozen-clock") as d:
        everything = d.ctl("GET", "/_double/truth")
        equal(sorted(everything), sorted([PLATFORM, connected(1)]),
              "keyed by account")
        for account in (PLATFORM, connected(1)):
            part = everything[account]
            for resource in ("charges", "payouts", "events"):
                equal(part[resource],
                      d.list_all("/v1/" + resource, account=account,
                                 headers=version_header("2024-06-20")),
                      "%s %s" % (account, resource))
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "truth.json")
            got = d.ctl("POST", "/_double/truth", {"file": path,
                                                   "account": PLATFORM})
            with open(path, "rb") as f:
                data = f.read()
            equal(got["bytes"], len(data), "bytes")
            equal(data, d.request("GET", "/_double/truth?account="
                                  + PLATFORM).body, "file = GET")


@test("state and control: counters, limits, errors of the control API")
def t_state(t):
    with Double("--charges", "10") as d:
        d.api("/v1/charges")
        d.api("/v1/charges", key=None)
        state = d.ctl("GET", "/_double/state")
        equal((state["requests"], state["by_status"]),
              (2, {"200": 1, "401": 1}), "counters")
        check(state["in_flight_peak"] >= 1 and state["now"] > 0)
        d.ctl("DELETE", "/_double/state")
        equal(d.ctl("GET", "/_double/state")["requests"], 0, "reset")
        limits = d.ctl("POST", "/_double/limits", {"global_rps": 7})
        equal(limits["global_rps"], 7, "limits")
        equal(d.request("GET", "/_double/nothing").status, 404, "unknown")
        equal(d.request("POST", "/_double/clock", body="{").status, 400,
              "bad JSON")
        equal(d.request("POST", "/_double/faults", body=json.dumps(
            {"faults": [{"kind": "boom", "nth": 1}]})).status, 400,
              "bad fault")


@test("config file: accounts, keys, permissions, limits; options override")
def t_config(t):
    cfg = {"seed": 5,
           "accounts": [{"id": "acct_1CustomPlatform0", "charges": 20,
                         "payouts": 3},
                        {"id": "acct_1CustomConnA00", "charges": 7}],
           "keys": [{"key": "sk_test_custom", "mode": "test",
                     "account": "acct_1CustomPlatform0",
                     "connect": ["acct_1CustomConnA00"]},
                    {"key": "rk_test_custom", "mode": "test",
                     "account": "acct_1CustomPlatform0",
                     "permissions": {"charges": "none", "events": "read"}}],
           "limits": {"endpoint_rps": 1000}, "latency_ms": 1}
    with Double("--payouts", "4", config=cfg) as d:
        state = d.ctl("GET", "/_double/state")
        equal(state["objects"]["acct_1CustomPlatform0"]["test"]["payouts"],
              4, "option overrides the file")
        equal(state["objects"]["acct_1CustomConnA00"]["test"]["charges"], 7,
              "per-account size")
        equal(len(d.list_all("/v1/charges", key="sk_test_custom")), 20,
              "custom key")
        equal(len(d.list_all("/v1/charges", key="sk_test_custom",
                             account="acct_1CustomConnA00")), 7, "connect")
        api_error(d, "/v1/charges", 401)
        err = api_error(d, "/v1/charges", 403, key="rk_test_custom")
        check("'rak_charge_read'" in err["message"])
        limits = d.ctl("GET", "/_double/limits")
        equal((limits["endpoint_rps"], limits["latency_ms"]), (1000, 1),
              "limits from the file")


# -- performance --------------------------------------------------------------

@test("performance: >= 500 pages of 100 charges/s; 64 connections at once",
      alone=True)
def t_performance(t):
    with Double("--charges", "20000", "--payouts", "10") as d:
        rate = bench_double.pages_per_second(d.port, 6, 2.0)
        t.diag("6 keep-alive connections: %.0f pages of 100 charges per "
               "second" % rate)
        elapsed = bench_double.wide(d.port, 64, 250)
        t.diag("64 connections, 250 ms latency each: all answered in "
               "%.3f s" % elapsed)
        check(rate >= 500, "pages/s %.0f >= 500" % rate)
        check(elapsed < 1.0, "64 connections in %.3f s" % elapsed)


# -- runner -------------------------------------------------------------------

def run(fn):
    ctx = Context()
    try:
        fn(ctx)
        return True, ctx.lines
    except Exception:  # noqa: BLE001 (a failing test of any kind)
        return False, ctx.lines + traceback.format_exc().splitlines()


def main(argv):
    jobs = 4
    if argv[:1] == ["-j"]:
        jobs, argv = int(argv[1]), argv[2:]
    selected = [(i, test_) for i, test_ in enumerate(TESTS)
                if not argv or any(a in test_[0] for a in argv)]
    results = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {i: pool.submit(run, fn)
                   for i, (_, fn, alone) in selected if not alone}
        for i, future in futures.items():
            results[i] = future.result()
    for i, (_, fn, alone) in selected:
        if alone:
            results[i] = run(fn)
    failed = 0
    for number, (i, (description, _, _)) in enumerate(selected, 1):
        ok, lines = results[i]
        failed += not ok
        print("%s %d - %s" % ("ok" if ok else "not ok", number, description))
        for line in lines:
            print("# " + line)
    print("1..%d" % len(selected))
    return 1 if failed else 0


if __name__ == "__main__":
    # the streams of issue 14; streams_tests imports this file's helpers
    import streams_tests
    TESTS[-1:-1] = streams_tests.TESTS     # before the performance test
    sys.exit(main(sys.argv[1:]))
