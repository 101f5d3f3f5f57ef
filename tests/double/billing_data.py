"""The dataset of the issue-14 streams (opt-in: `--billing N`).

For a ledger with billing N > 0 (dataset.py calls these after its charges
and payouts, with the observer of payments.py on from the start, so every
charge has its payment intent and balance transaction, every refund and
payout its balance transaction):

- a catalog: 8 + N/50 products with two monthly prices and one yearly
  price each; one product archived (with its prices), one product without
  prices deleted, one more price deleted, one price archived;
- the customers of the charges (created in the 30 days before start) and N
  subscribers, each with a subscription (one to three items; every tenth
  twelve items, past the embedded page; every seventh a yearly price),
  renewed every period up to `end` with the invoice.upcoming three days
  before and the period's invoice paid one hour after it was drafted;
  8% canceled, 3% of the customers deleted, items added, removed and
  changed, discounts, customer updates, one last renewal in five failing;
- N/5 + 2 one-off invoices (every third with 12-15 lines), paid, open,
  voided or left draft (one draft deleted); credit notes on paid invoices
  (some voided); N/3 + 2 checkout sessions (completed, async, expired and
  one still open); N/10 + 1 payment intents without a charge (half
  canceled); the disputes of the charges' history updated and closed;
- on the platform, N/10 + 2 transfers to the connected accounts and
  application fees on N/5 + 2 captured charges of the connected accounts
  (build_connect), some reversed or refunded.

Everything is drawn from random.Random("<seed>/<account>/<mode>/billing"):
the same seed and sizes give the same objects and events.
"""

import json
import random

from billing import Billing
from books import OpError, add_month
from generate import FIRST, LAST
from payments import Payments

DAY = 86400
PRODUCTS = ("Starter", "Team", "Business", "Analytics add-on", "Storage 1 TB",
            "Priority support", "Café seats", "Übersetzung API", "SMS pack",
            "東京 region", "Audit log", "SSO")


class Writers:
    """The two writers of one store (billing and payments)."""

    def __init__(self, store):
        self.payments = Payments(store)
        self.billing = Billing(store, self.payments)


def writers(store):
    """The store's Writers (made once), with the observer installed."""
    w = getattr(store, "writers", None)
    if w is None:
        w = store.writers = Writers(store)
        store.observer = w.payments.on_event
    return w


def _timeline(actions, end):
    """Run (time, fn) actions in time order up to end; fn(t) may return
    False to stop the rest of its timeline."""
    for t, fn in sorted(actions, key=lambda a: a[0]):
        if t > end or fn(t) is False:
            return


def build_billing(store, ledger, n, seed, start, end):
    w = writers(store)
    bill, pay = w.billing, w.payments
    rng = random.Random("%s/%s/%s/billing" % (seed, ledger.account,
                                              ledger.mode))
    monthly, yearly = _catalog(bill, ledger, rng, n, start)
    for prof in ledger.gen.customers:
        billing = json.loads(prof.billing)
        bill.customer_create(ledger, start - rng.randint(DAY, 30 * DAY), rng,
                             billing["name"], billing["email"],
                             cid=prof.customer_id)
    subscribers = []
    for i in range(n):
        t = rng.randint(start, end - 3600)
        name = "%s %s" % (rng.choice(FIRST), rng.choice(LAST))
        email = "sub%d.%d@example.com" % (i, rng.randrange(1000))
        cust, _ = bill.customer_create(ledger, t, rng, name, email)
        subscribers.append(cust)
        if i % 10 == 3:
            prices = rng.sample(monthly, 12)
        elif i % 7 == 5:
            prices = [rng.choice(yearly)]
        else:
            prices = rng.sample(monthly, rng.choice((1, 1, 1, 2, 3)))
        _subscriber(bill, ledger, rng, cust, prices, t + 60, end)
    _one_offs(bill, ledger, rng, subscribers, n, start, end)
    _checkouts(pay, ledger, rng, subscribers, n, start, end)
    for _ in range(n // 10 + 1):
        t = rng.randint(start, end - 3600)
        pi, _ = pay.pi_create(ledger, t, rng)
        if rng.random() < 0.5:
            pay.pi_cancel(pi, t + 3600, rng, {})
    for dp in list(ledger.tables["disputes"].items):
        r = rng.random()
        if r < 0.5 and dp.created + 3 * DAY <= end:
            pay.dispute_update(dp, dp.created + 3 * DAY, rng, {})
            if r < 0.3 and dp.created + 10 * DAY <= end:
                pay.dispute_close(dp, dp.created + 10 * DAY, rng, {})


def _catalog(bill, ledger, rng, n, start):
    """(usable monthly prices, usable yearly prices)."""
    monthly, yearly = [], []
    products = []
    for i in range(8 + n // 50):
        t = start + i * 60
        name = PRODUCTS[i % len(PRODUCTS)] + (" %d" % (i // len(PRODUCTS))
                                              if i >= len(PRODUCTS) else "")
        prod, _ = bill.product_create(ledger, t, rng, name)
        products.append(prod)
        amount = rng.choice((500, 900, 1500, 2900, 4900, 9900))
        prices = [bill.price_create(ledger, t + 1, rng, prod, amount, "month",
                                    name + " monthly")[0],
                  bill.price_create(ledger, t + 2, rng, prod, amount * 4 // 5,
                                    "month", name + " monthly (partner)")[0],
                  bill.price_create(ledger, t + 3, rng, prod, amount * 10,
                                    "year", name + " yearly")[0]]
        if i == 1:
            continue        # archived below
        monthly += prices[:2]
        yearly.append(prices[2])
    archived = products[1]
    for price_id in archived.attrs["prices"]:
        bill.price_update(bill.store.lookup(price_id), start + 7 * DAY, rng,
                          {"active": False})
    bill.product_update(archived, start + 7 * DAY + 1, rng, {"active": False})
    gone, _ = bill.product_create(ledger, start + 3600, rng, "Beta (retired)")
    bill.product_delete(gone, start + 5 * DAY, rng, {})
    extra, _ = bill.price_create(ledger, start + 3601, rng, products[0], 100,
                                 "month", "Test price")
    bill.price_delete(extra, start + 10 * DAY, rng, {})
    old = monthly.pop()
    bill.price_update(old, start + 8 * DAY, rng, {"active": False})
    bill.price_update(monthly[0], start + 9 * DAY, rng,
                      {"nickname": "Starter monthly (2026)"})
    return monthly, yearly


def _subscriber(bill, ledger, rng, cust, prices, t0, end):
    sub, _ = bill.subscription_create(ledger, t0, rng, cust, prices)
    r, r2 = rng.random(), rng.random()
    actions = []
    stop = end + 1
    if r < 0.08:
        stop = rng.randint(t0 + DAY, end + 60 * DAY)
        actions.append((stop, lambda t: bill.subscription_cancel(
            sub, t, rng, {}) and False))
    elif r < 0.11:
        stop = rng.randint(t0 + DAY, end + 60 * DAY)
        actions.append((stop, lambda t: bill.customer_delete(
            cust, t, rng, {}) and False))
    when = rng.randint(t0 + 600, t0 + 40 * DAY)
    if r2 < 0.10:
        actions.append((when, lambda t: _quiet(bill.item_add, sub, t, rng)))
    elif r2 < 0.15:
        actions.append((when, lambda t: _quiet(
            bill.item_remove, sub.attrs["children"][0], t, rng)))
    elif r2 < 0.20:
        actions.append((when, lambda t: _quiet(
            bill.item_update, sub.attrs["children"][0], t, rng)))
    elif r2 < 0.25:
        actions.append((when, lambda t: _quiet(bill.customer_discount, cust,
                                               t, rng)))
    elif r2 < 0.35:
        actions.append((when, lambda t: _quiet(bill.customer_update, cust, t,
                                               rng)))
    fails = rng.random() < 0.2
    renew = json.loads(sub.doc)["current_period_end"]
    while renew <= min(end, stop):
        at = renew
        if at - 3 * DAY > t0:
            actions.append((at - 3 * DAY, lambda t: _quiet(
                bill.invoice_upcoming, sub, t, rng)))
        actions.append((at, lambda t: _renew(bill, sub, t, rng, end, fails)))
        renew = _next(renew, sub)
    _timeline(actions, end)


def _next(renew, sub):
    interval = json.loads(sub.doc)["items"]["data"][0]["price"][
        "recurring"]["interval"]
    return add_month(renew, 12 if interval == "year" else 1)


def _quiet(fn, doc, t, rng, args=None):
    """Apply fn unless it does not apply (an OpError) or the object is
    gone (a canceled subscription, a deleted customer)."""
    try:
        fn(doc, t, rng, args or {})
    except OpError:
        pass


def _renew(bill, sub, t, rng, end, fails):
    """The period's invoice, drafted at t, finalized and paid one hour
    later (or its payment failing, for the last renewal of one
    subscription in five)."""
    if sub.status == "canceled":
        return False
    bill.subscription_renew(sub, t, rng, {"pay": False})
    inv = bill.store.lookup(json.loads(sub.doc)["latest_invoice"])
    if t + 3600 <= end:
        bill.invoice_finalize(inv, t + 3600, rng, {})
        last = json.loads(sub.doc)["current_period_end"] > end
        if fails and last:
            bill.invoice_fail(inv, t + 3600, rng, {})
        else:
            bill.invoice_pay(inv, t + 3600, rng, {})
    return True


def _one_offs(bill, ledger, rng, subscribers, n, start, end):
    deleted_one = False
    for k in range(n // 5 + 2):
        t = rng.randint(start, end - 3 * DAY)
        cust = rng.choice(subscribers) if subscribers else None
        if cust is None or cust.deleted(t) or cust.created > t:
            continue
        lines = rng.randint(12, 15) if k % 3 == 0 else rng.randint(1, 4)
        inv, _ = bill.invoice_create(ledger, t, rng, cust, lines=lines)
        r = rng.random()
        if r < 0.2:
            if not deleted_one:
                bill.invoice_delete(inv, t + DAY, rng, {})
                deleted_one = True
            continue
        bill.invoice_finalize(inv, t + 3600, rng, {})
        if r < 0.35:
            continue
        if r < 0.45:
            bill.invoice_void(inv, t + 2 * DAY, rng, {})
            continue
        bill.invoice_pay(inv, t + 7200, rng, {})
        if rng.random() < 0.25 and t + 3 * DAY <= end:
            cn, _ = bill.credit_note_create(inv, t + 2 * DAY, rng, {})
            if rng.random() < 0.3:
                bill.credit_note_void(cn, t + 3 * DAY, rng, {})


def _checkouts(pay, ledger, rng, subscribers, n, start, end):
    for k in range(n // 3 + 2):
        t = end - 600 if k == 0 else rng.randint(start, end - DAY)
        cust = rng.choice(subscribers) if subscribers and \
            rng.random() < 0.5 else None
        if cust is not None and (cust.deleted(t) or cust.created > t):
            cust = None
        cs, _ = pay.checkout_create(
            ledger, t, rng, json.loads(cust.doc) if cust else None)
        r = rng.random()
        if k == 0:
            continue                    # still open at end: no event yet
        if r < 0.6:
            pay.checkout_complete(cs, t + rng.randint(60, 3600), rng, {})
        elif r < 0.7:
            pay.checkout_complete(cs, t + 600, rng, {"async": True})
            if t + 2 * DAY <= end:
                pay.checkout_async(cs, t + 2 * DAY, rng, {},
                                   ok=rng.random() < 0.8)
        else:
            pay.checkout_expire(cs, t + DAY, rng, {})


def build_connect(store, platform, connected, n, seed, start, end):
    """Transfers from the platform to its connected accounts and
    application fees on their charges (stripe-streams.md §8)."""
    if not connected:
        return
    pay = writers(store).payments
    rng = random.Random("%s/%s/%s/connect" % (seed, platform.account,
                                              platform.mode))
    for _ in range(n // 10 + 2):
        t = rng.randint(start, end - 3 * DAY)
        tr, _ = pay.transfer_create(platform, t, rng,
                                    rng.choice(connected).account)
        r = rng.random()
        if r < 0.2:
            pay.transfer_reverse(tr, t + DAY, rng, {})
        elif r < 0.4:
            pay.transfer_update(tr, t + DAY, rng, {})
    charges = [(ledger, rec) for ledger in connected
               for rec in ledger.tables["charges"].items
               if rec.captured and rec.status == "succeeded"
               and rec.created <= end - 3 * DAY]
    for ledger, rec in rng.sample(charges, min(len(charges), n // 5 + 2)):
        fee, _ = pay.fee_create(platform, rec.created, rng, rec.to_dict(),
                                ledger.account)
        if rng.random() < 0.25:
            pay.fee_refund(fee, rec.created + 2 * DAY, rng, {})
            if rng.random() < 0.5:
                fr = store.lookup(json.loads(fee.doc)["refunds"]["data"][0][
                    "id"])
                pay.fee_refund_update(fr, rec.created + 3 * DAY, rng, {})
