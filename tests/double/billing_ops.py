"""POST /_double/mutate operations on the streams of issue 14.

Two kinds of op (see README "Mutations of the issue-14 streams"):
- on an object, {"op": "customer_delete", "id": "cus_..."}: TARGET_OPS
  names the resource it applies to and the writer method;
- new objects, {"op": "new_customer", "account": ..., "mode": ...}:
  NEW_OPS.
Random mutations ({"kinds": [...]}) pick an eligible object of the
ledger for target ops. Every entry lists all the events the op emitted,
those of derived objects included (payment intents, charges of invoices).
"""

import json

from billing_data import writers
from books import OpError
from generate import FIRST, LAST

# op -> (resource of the "id", writer ("billing" or "payments"), method,
#        fixed args)
TARGET_OPS = {
    "customer_update": ("customers", "billing", "customer_update", {}),
    "customer_discount": ("customers", "billing", "customer_discount", {}),
    "customer_delete": ("customers", "billing", "customer_delete", {}),
    "product_update": ("products", "billing", "product_update", {}),
    "product_archive": ("products", "billing", "product_update",
                        {"active": False}),
    "product_delete": ("products", "billing", "product_delete", {}),
    "price_update": ("prices", "billing", "price_update", {}),
    "price_archive": ("prices", "billing", "price_update", {"active": False}),
    "price_activate": ("prices", "billing", "price_update", {"active": True}),
    "price_delete": ("prices", "billing", "price_delete", {}),
    "subscription_update": ("subscriptions", "billing",
                            "subscription_update", {}),
    "subscription_cancel": ("subscriptions", "billing",
                            "subscription_cancel", {}),
    "subscription_renew": ("subscriptions", "billing", "subscription_renew",
                           {}),
    "subscription_item_add": ("subscriptions", "billing", "item_add", {}),
    "subscription_item_remove": ("subscription_items", "billing",
                                 "item_remove", {}),
    "subscription_item_update": ("subscription_items", "billing",
                                 "item_update", {}),
    "invoice_upcoming": ("subscriptions", "billing", "invoice_upcoming", {}),
    "invoice_add_lines": ("invoices", "billing", "invoice_add_lines", {}),
    "invoice_update": ("invoices", "billing", "invoice_update", {}),
    "invoice_finalize": ("invoices", "billing", "invoice_finalize", {}),
    "invoice_pay": ("invoices", "billing", "invoice_pay", {}),
    "invoice_fail": ("invoices", "billing", "invoice_fail", {}),
    "invoice_void": ("invoices", "billing", "invoice_void", {}),
    "invoice_delete": ("invoices", "billing", "invoice_delete", {}),
    "credit_note_create": ("invoices", "billing", "credit_note_create", {}),
    "credit_note_void": ("credit_notes", "billing", "credit_note_void", {}),
    "credit_note_update": ("credit_notes", "billing", "credit_note_update",
                           {}),
    "checkout_complete": ("checkout_sessions", "payments",
                          "checkout_complete", {}),
    "checkout_expire": ("checkout_sessions", "payments", "checkout_expire",
                        {}),
    "checkout_async_succeeded": ("checkout_sessions", "payments",
                                 "checkout_async", {}),
    "checkout_async_failed": ("checkout_sessions", "payments",
                              "checkout_async", {"ok": False}),
    "transfer_update": ("transfers", "payments", "transfer_update", {}),
    "transfer_reverse": ("transfers", "payments", "transfer_reverse", {}),
    "application_fee_refund": ("application_fees", "payments", "fee_refund",
                               {}),
    "fee_refund_update": ("fee_refunds", "payments", "fee_refund_update", {}),
    "payment_intent_cancel": ("payment_intents", "payments", "pi_cancel", {}),
    "payment_intent_update": ("payment_intents", "payments", "pi_update", {}),
    "dispute_update": ("disputes", "payments", "dispute_update", {}),
    "dispute_close": ("disputes", "payments", "dispute_close", {}),
    "refund_update": ("refunds", "payments", "refund_update", {}),
}
NEW_OPS = ("new_customer", "new_product", "new_price", "new_subscription",
           "new_invoice", "new_checkout_session", "new_transfer",
           "new_application_fee", "new_payment_intent")
KINDS = tuple(TARGET_OPS) + NEW_OPS


def _arg_doc(store, args, key, resource, required=True):
    doc = store.lookup(args.get(key) or "")
    if doc is None or doc.resource != resource:
        if not required and not args.get(key):
            return None
        raise OpError("%s must name a %s, not %r" % (key, resource[:-1],
                                                     args.get(key)))
    return doc


def _new(w, kind, ledger, t, rng, args):
    """(doc, events) of a new_* op."""
    store = w.billing.store
    bill, pay = w.billing, w.payments
    if kind == "new_customer":
        name = args.get("name") or "%s %s" % (rng.choice(FIRST),
                                              rng.choice(LAST))
        email = args.get("email") or "new.%d@example.com" % rng.randrange(
            10 ** 6)
        return bill.customer_create(ledger, t, rng, name, email)
    if kind == "new_product":
        return bill.product_create(ledger, t, rng,
                                   args.get("name") or "New product")
    if kind == "new_price":
        product = _arg_doc(store, args, "product", "products")
        return bill.price_create(ledger, t, rng, product,
                                 args.get("amount", 1500),
                                 args.get("interval", "month"),
                                 args.get("nickname") or "New price")
    if kind == "new_subscription":
        customer = _arg_doc(store, args, "customer", "customers")
        prices = [_arg_doc(store, {"price": p}, "price", "prices")
                  for p in args.get("prices") or ()]
        if not prices:
            live = bill.live(ledger, "prices", t, lambda p: (
                p.status == "active" and
                p.attrs["recurring[interval]"] == "month"))
            prices = rng.sample(live, min(len(live), args.get("items", 1)))
        if not prices:
            raise OpError("new_subscription: no active monthly price")
        return bill.subscription_create(ledger, t, rng, customer, prices,
                                        args.get("quantity", 1))
    if kind == "new_invoice":
        customer = _arg_doc(store, args, "customer", "customers")
        return bill.invoice_create(ledger, t, rng, customer,
                                   lines=args.get("lines", 1))
    if kind == "new_checkout_session":
        customer = _arg_doc(store, args, "customer", "customers", False)
        return pay.checkout_create(ledger, t, rng, json.loads(customer.doc)
                                   if customer else None, args.get("amount"))
    if kind == "new_transfer":
        destination = args.get("destination") or store.accounts[-1]
        if destination not in store.accounts[1:]:
            raise OpError("new_transfer: destination must be a connected "
                          "account")
        return pay.transfer_create(ledger, t, rng, destination,
                                   args.get("amount"))
    if kind == "new_application_fee":
        charge = store.lookup(args.get("charge") or "")
        if charge is None or charge.resource != "charges" or \
                charge.ledger.is_platform:
            raise OpError("new_application_fee: charge must name a charge "
                          "of a connected account")
        return pay.fee_create(ledger, t, rng, charge.to_dict(),
                              charge.ledger.account)
    return pay.pi_create(ledger, t, rng, args.get("customer"),
                         args.get("amount"), args.get("currency"))


def run(store, kind, ledger, doc, t, rng, args):
    """Apply kind at t; returns (doc, [every event emitted])."""
    w = writers(store)
    emitted = []
    observer = store.observer

    def collect(led, ev):
        emitted.append(ev)
        observer(led, ev)
    store.observer = collect
    try:
        if kind in NEW_OPS:
            doc, _ = _new(w, kind, ledger, t, rng, args)
        else:
            _, writer, method, fixed = TARGET_OPS[kind]
            if method == "checkout_async":
                w.payments.checkout_async(doc, t, rng, args, **fixed)
            else:
                getattr(getattr(w, writer), method)(
                    doc, t, rng, dict(args, **fixed))
    finally:
        store.observer = observer
    return doc, emitted


def random_args(store, kind, ledger, t, rng):
    """The args of a new_* op drawn as a random kind ({"kinds": [...]}):
    what its explicit form names, drawn from the ledger (a live customer,
    an active product, a captured charge of a connected account); None
    when nothing is eligible. Transfers and application fees are the
    platform's: "transfers ... to a connected account", "fees ... taken
    from" one (stripe-streams.md §8), so a connected ledger draws none."""
    bill = writers(store).billing
    if kind in ("new_subscription", "new_invoice"):
        live = bill.live(ledger, "customers", t)
        return {"customer": rng.choice(live).id} if live else None
    if kind == "new_price":
        live = bill.live(ledger, "products", t,
                         lambda p: p.status == "active")
        return {"product": rng.choice(live).id,
                "amount": rng.choice((500, 1500, 2900, 9900)),
                "interval": rng.choice(("month", "month", "year"))} \
            if live else None
    if kind in ("new_transfer", "new_application_fee"):
        connected = [store.ledger(a, ledger.mode)
                     for a in store.accounts[1:]]
        connected = [led for led in connected if led is not None]
        if not ledger.is_platform or not connected:
            return None
        if kind == "new_transfer":
            return {"destination": rng.choice(connected).account}
        charges = [rec for led in connected
                   for rec in led.tables["charges"].items
                   if rec.created <= t and rec.captured
                   and rec.status == "succeeded"]
        return {"charge": rng.choice(charges).id} if charges else None
    return {}


def target(store, kind, item_id):
    """The object an explicit target op names, or raises OpError."""
    resource = TARGET_OPS[kind][0]
    doc = store.lookup(item_id or "")
    if doc is None or doc.resource != resource:
        raise OpError("%s applies to %s, not %r" % (kind, resource, item_id))
    if doc.deleted_at is not None:
        raise OpError("%s does not apply to %s: it is deleted"
                      % (kind, item_id))
    return doc


def pick(store, kind, ledger, t, rng):
    """Random eligible objects for a target op (shuffled; the caller tries
    them in turn), [] for new_* ops."""
    if kind in NEW_OPS:
        return []
    resource = TARGET_OPS[kind][0]
    if resource == "subscription_items":     # not in a table
        docs = [c for s in ledger.tables["subscriptions"].items
                for c in s.attrs["children"]]
    elif resource == "fee_refunds":
        docs = [store.lookup(r["id"])
                for f in ledger.tables["application_fees"].items
                for r in json.loads(f.doc)["refunds"]["data"]]
    else:
        docs = ledger.tables[resource].items
    docs = [d for d in docs if d.created <= t and not d.deleted(t)]
    rng.shuffle(docs)
    return docs[:50]
