"""Builds the deterministic dataset: objects, their events, their history.

For each account and mode: charges spread over [start, end] (10% of them
share the second of the previous one, and 'same_second' of them share the
second 'same_second_at'), payouts spread evenly, one creation event per
object, and a history of mutations that happened before 'end' (captures,
refunds, disputes, updates, pending payments settling, payouts paid, failed
or canceled) with their events.
"""

import gc
import random

import billing_data
import connect
from generate import LedgerGen
from ids import IdMaker
from model import API_REQUEST, Settings, Store
from mutations import Mutator, creation_type

DAY = 86400
BIG_AMOUNT = 99999999999
BIG_FEE = 9007199254740993       # 2**53 + 1: not representable in a double
BIG_METADATA = "123456789012345678901234567890"


def build_store(cfg):
    """A Store filled from the normalised configuration dict cfg.

    The garbage collector is paused while building and the result frozen
    (gc.freeze), so collections never walk the big, long-lived dataset.
    """
    gc.disable()
    try:
        store = _build(cfg)
    finally:
        gc.enable()
    gc.freeze()
    return store


def _build(cfg):
    store = Store([a["id"] for a in cfg["accounts"]], cfg["modes"],
                  Settings(cfg), int(cfg.get("cache_objects", 50000)),
                  {a["id"]: a["api_version"] for a in cfg["accounts"]})
    store.bulk = True
    store.specials = {}
    store.connect = connect.Registry(cfg["accounts"][1:], cfg["start"])
    for account in cfg["accounts"]:
        for mode in ("test", "live"):
            sizes = account if mode in cfg["modes"] else {}
            _build_ledger(store, store.ledger(account["id"], mode), sizes,
                          cfg)
    for mode in cfg["modes"]:
        platform = store.ledger(store.platform, mode)
        if platform.billing:
            billing_data.build_connect(
                store, platform, [store.ledger(a, mode)
                                  for a in store.accounts[1:]],
                platform.billing, cfg["seed"], cfg["start"], cfg["end"])
    store.finish_bulk()
    return store


def add_account(store, cfg, acct, sizes, created, n):
    """Connect a new account at second 'created' (caller holds the
    lock): its ledgers, with a small dataset of 'sizes' (charges,
    payouts) created in the week before, and its registry entry."""
    if acct in store.ledgers_by_account():
        raise ValueError("account %s exists" % acct)
    window = dict(cfg, start=created - 7 * connect.DAY, end=created - 60)
    store.bulk = True
    try:
        store.accounts.append(acct)
        for mode in ("test", "live"):
            ledger = store.add_ledger(acct, mode, cfg["api_version"])
            _build_ledger(store, ledger, sizes if mode in cfg["modes"]
                          else {}, window)
            for table in ledger.tables.values():
                table.resort()
    finally:
        store.bulk = False
    kind = connect.TYPES[(n - 1) % len(connect.TYPES)]
    store.connect.add(connect.AccountMeta(acct, created, kind, n))


def _build_ledger(store, ledger, sizes, cfg):
    seed = cfg["seed"]
    base = "%s/%s/%s" % (seed, ledger.account, ledger.mode)
    rng = random.Random(base)
    ledger.ids = IdMaker(random.Random(base + "/ids"), ledger.account)
    ledger.disorder_rng = random.Random(base + "/disorder")
    n_charges = max(int(sizes.get("charges", 0)),
                    int(sizes.get("same_second", 0)))
    ledger.gen = LedgerGen(store, ledger, seed, n_charges)
    mutator = Mutator(store)
    start, end = cfg["start"], cfg["end"]
    # the streams of issue 14 (opt-in): payment intents and balance
    # transactions follow the charges from their creation on
    ledger.billing = int(sizes.get("billing", 0))
    if ledger.billing:
        billing_data.writers(store)
    times = _charge_times(rng, n_charges, start, end,
                          int(sizes.get("same_second", 0)),
                          cfg["same_second_at"])
    big_index = n_charges * 9 // 10 if ledger.is_platform else -1
    for i, t in enumerate(times):
        if i == big_index:
            rec = _big_charge(store, ledger, rng, t)
        else:
            rec = ledger.gen.charge(rng, t)
            store.register(ledger, rec)
        snap = rec.doc if rec.doc is not None else rec
        store.emit(ledger, creation_type(rec.status), t, snap,
                   request=API_REQUEST)
        _charge_history(mutator, ledger, rec, rng, end)
    for t in _payout_times(rng, int(sizes.get("payouts", 0)), start, end):
        rec = ledger.gen.payout(rng, t)
        store.register(ledger, rec)
        store.emit(ledger, "payout.created", t, rec)
        _payout_history(mutator, ledger, rec, rng, end)
    if ledger.billing:
        billing_data.build_billing(store, ledger, ledger.billing, seed,
                                   start, end)


def _charge_times(rng, n, start, end, same_n, same_at):
    """n sorted created seconds; same_n of them equal to same_at and no
    other one equal to it."""
    same_n = min(same_n, n)
    times = []
    prev = None
    for _ in range(n - same_n):
        if prev is not None and rng.random() < 0.1:
            t = prev
        else:
            t = rng.randint(start, end)
        if t == same_at:
            t -= 1
        times.append(t)
        prev = t
    times.extend([same_at] * same_n)
    times.sort()
    return times


def _payout_times(rng, n, start, end):
    span = max(1, end - start)
    return [start + int((i + rng.random()) * span / n) for i in range(n)]


def _big_charge(store, ledger, rng, t):
    """The charge whose numbers must survive byte-exact (see README)."""
    rec = ledger.gen.charge(rng, t, status="succeeded", currency="usd",
                            sepa=False)
    obj = rec.to_dict()
    obj["amount"] = obj["amount_captured"] = BIG_AMOUNT
    card = obj["payment_method_details"]["card"]
    card["amount_authorized"] = BIG_AMOUNT
    card["overcapture"]["maximum_amount_capturable"] = BIG_AMOUNT
    obj["application_fee_amount"] = BIG_FEE
    obj["description"] = "Big amount ☕ — 東京 \"quoted\""
    obj["metadata"] = {"double_case": "big_integers",
                       "big_number": BIG_METADATA}
    rec.sync(obj)
    rec.set_dict(obj)
    store.register(ledger, rec)
    store.specials.setdefault("big_integer_charge", {}).setdefault(
        ledger.mode, rec.id)
    return rec


def _charge_history(mutator, ledger, rec, rng, end):
    r = rng.random()
    if rec.status == "pending":
        kind = ("pending_succeeded" if r < 0.85 else
                "pending_failed" if r < 0.92 else None)
        delay = rng.randint(2 * DAY, 5 * DAY)
    elif rec.status == "succeeded" and not rec.captured:
        kind = "capture" if r < 0.6 else None
        delay = rng.randint(3600, 5 * DAY)
    elif rec.status == "succeeded":
        kind = ("refund_full" if r < 0.03 else
                "refund_partial" if r < 0.045 else
                "dispute" if r < 0.051 else
                "update" if r < 0.071 else None)
        delay = rng.randint(600, 10 * DAY)
    else:
        return
    if kind is not None and rec.created + delay <= end:
        mutator.apply(kind, ledger, rec, rec.created + delay, rng)


def _payout_history(mutator, ledger, rec, rng, end):
    r = rng.random()
    manual = '"automatic":false' in rec.json()
    if manual and r < 0.1:
        kind, t = "payout_canceled", rec.created + 3600
    elif rec.arrival_date <= end:
        kind, t = ("payout_paid" if r < 0.97 else "payout_failed",
                   max(rec.arrival_date, rec.created))
    else:
        return
    if t <= end:
        mutator.apply(kind, ledger, rec, t, rng)
