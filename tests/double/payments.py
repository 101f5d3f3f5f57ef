"""Payment-side streams of issue 14: payment intents, balance
transactions, checkout sessions, transfers, application fees, and the
changes of refunds and disputes that mutations.py does not make.

Payment intents and balance transactions are derived from the charges,
refunds and payouts: Payments.on_event (model.Store.observer) follows the
events of a ledger whose `billing` is on and keeps them in step. Balance
transactions have no events of their own ("none per object",
stripe-streams.md §1) and change status with the clock (streams.settle).
"""

import json

import billing_shapes as shapes
from books import Books, OpError
from ids import rand_alnum
from model import API_REQUEST, NULL_REQUEST
from mutations import REFUND_EVENTS_SINCE
from shapes import dumps

DAY = 86400
CHARGE_EVENTS = ("charge.succeeded", "charge.pending", "charge.failed",
                 "charge.captured")
# The 8 payment_intent types ("no `.updated`", stripe-streams.md §1), by
# the status a change leads to.
PI_EVENT = {"succeeded": "payment_intent.succeeded",
            "requires_capture": "payment_intent.amount_capturable_updated",
            "processing": "payment_intent.processing",
            "requires_payment_method": "payment_intent.payment_failed",
            "canceled": "payment_intent.canceled",
            "requires_action": "payment_intent.requires_action"}


def midnight(t, days):
    """Midnight UTC `days` days after the day of t: when funds of a
    balance transaction become available (the payouts of the double use
    the same rule for arrival_date)."""
    return (t // DAY + days) * DAY


def pi_status(charge):
    if charge["status"] == "failed":
        return "requires_payment_method"
    if charge["status"] == "pending":
        return "processing"
    return "succeeded" if charge["captured"] else "requires_capture"


class Payments(Books):
    """Writers of the payment-side streams (caller holds store.lock)."""

    # -- derived from the events of charges, refunds and payouts ---------

    def on_event(self, ledger, ev):
        if not getattr(ledger, "billing", 0):
            return
        etype = ev.type
        if etype in CHARGE_EVENTS:
            snap = ev.snap
            rec = snap if not isinstance(snap, str) else \
                self.store.lookup(snap[7:34])
            self._charge_changed(ledger, rec, ev)
        elif etype == "charge.refund.updated":
            self._refund_changed(ledger, json.loads(ev.snap), ev.created)
        elif etype in ("payout.created", "payout.failed"):
            snap = ev.snap
            obj = json.loads(snap if isinstance(snap, str) else snap.json())
            self._payout_changed(ledger, obj, ev.created)

    def _charge_changed(self, ledger, rec, ev):
        charge = rec.to_dict()
        t = ev.created
        status = pi_status(charge)
        pi = self.store.lookup(charge["payment_intent"])
        if pi is None:
            obj = shapes.payment_intent(
                charge["payment_intent"], charge["created"],
                charge["amount"], charge["currency"], charge["customer"],
                status, charge["livemode"], charge)
            _pi_amounts(obj, charge)
            pi = self.new(ledger, "payment_intents", obj, status,
                          {"customer": charge["customer"]})
            self.emit(ledger, "payment_intent.created", t, pi,
                      request=ev.request)
            self.emit(ledger, PI_EVENT[status], t, pi, request=ev.request)
        elif pi.status != status:
            def edit(obj):
                obj["status"] = status
                _pi_amounts(obj, charge)
                return lambda snap: [self.emit(ledger, PI_EVENT[status], t,
                                               snap, request=ev.request)]
            self.change(pi, t, edit, status)
        if charge["balance_transaction"]:
            sepa = charge["id"].startswith("py_")
            amount = charge["amount_captured"]
            fee = min(500, amount // 125) if sepa else \
                (amount * 29 + 500) // 1000 + 30
            self.txn(ledger, charge["balance_transaction"], charge["created"]
                     if ev.type != "charge.captured" else t,
                     amount, fee, 7 if sepa else 2, charge["currency"],
                     charge["description"], "payment" if sepa else "charge",
                     "charge", charge["id"])
        failure = charge["failure_balance_transaction"]
        if failure:
            self.txn(ledger, failure, t, -charge["amount_captured"], 0, 0,
                     charge["currency"], "Payment failure refund",
                     "payment_failure_refund", "charge_failure",
                     charge["id"])

    def _refund_changed(self, ledger, refund, t):
        if refund["status"] == "succeeded" and refund["balance_transaction"]:
            self.txn(ledger, refund["balance_transaction"], t,
                     -refund["amount"], 0, 2, refund["currency"],
                     "REFUND FOR CHARGE", "refund", "refund", refund["id"])
        failure = refund.get("failure_balance_transaction")
        if refund["status"] == "failed" and failure:
            self.txn(ledger, failure, t, refund["amount"], 0, 2,
                     refund["currency"], "REFUND FAILURE", "refund_failure",
                     "refund_failure", refund["id"])

    def _payout_changed(self, ledger, payout, t):
        if payout["status"] == "failed":
            self.txn(ledger, payout["failure_balance_transaction"], t,
                     payout["amount"], 0, 0, payout["currency"],
                     "Payout failure", "payout_failure", "payout_reversal",
                     payout["id"], payout["id"])
        else:
            self.txn(ledger, payout["balance_transaction"], t,
                     -payout["amount"], 0, 0, payout["currency"],
                     payout["description"], "payout", "payout",
                     payout["id"], payout["id"])

    def txn(self, ledger, txn_id, t, amount, fee, days, currency,
            description, kind, category, source, payout=None):
        """A balance transaction (once per id), `pending` until midnight
        UTC `days` days after t (0: available at t). No event."""
        if txn_id is None or self.store.lookup(txn_id) is not None:
            return None
        avail = midnight(t, days) if days else t
        obj = shapes.balance_transaction(txn_id, amount, fee, t, avail,
                                         currency, description, kind,
                                         category, source)
        return self.new(ledger, "balance_transactions", obj, "pending", {
            "currency": currency, "source": source, "type": kind,
            "payout": payout, "available_on": avail})

    # -- charges made by invoices and checkout sessions ---------------------

    def pay(self, ledger, t, rng, customer, amount, currency, description):
        """A new succeeded card charge of customer (a customer dict or
        None) with its creation event; returns the charge record."""
        rec = ledger.gen.charge(rng, t, status="succeeded", amount=amount,
                                currency=currency, sepa=False)
        if customer is not None:
            values = {"customer": dumps(customer["id"]),
                      "receipt_email": dumps(customer["email"]),
                      "description": dumps(description)}
            rec.params = tuple(values.get(name, value) for name, value in
                               zip(rec.tmpl.names, rec.params))
            rec.customer = customer["id"]
        self.store.register(ledger, rec)
        self.store.emit(ledger, "charge.succeeded", t, rec,
                        request=API_REQUEST)
        return rec

    # -- payment intents without a charge -----------------------------------

    def pi_create(self, ledger, t, rng, customer_id=None, amount=None,
                  currency=None):
        """payment_intent.created, status requires_payment_method."""
        pi_id = self.new_id(ledger, "pi", t)
        obj = shapes.payment_intent(
            pi_id, t, amount or rng.choice((990, 2500, 4900)),
            currency or ledger.gen.currency, customer_id,
            "requires_payment_method", ledger.mode == "live")
        pi = self.new(ledger, "payment_intents", obj,
                      "requires_payment_method", {"customer": customer_id})
        return pi, [self.emit(ledger, "payment_intent.created", t, pi)]

    def pi_cancel(self, pi, t, rng, args):
        if pi.status in ("succeeded", "canceled", "processing"):
            raise OpError("payment_intent_cancel does not apply to %s in "
                          "its current state" % pi.id)

        def edit(obj):
            obj.update(status="canceled", canceled_at=t,
                       cancellation_reason="abandoned", amount_capturable=0)
            return lambda snap: [self.emit(pi.ledger,
                                           "payment_intent.canceled", t,
                                           snap)]
        return self.change(pi, t, edit, "canceled")

    def pi_update(self, pi, t, rng, args):
        """A metadata or description change: no event at all, since there
        is no payment_intent.updated (stripe-streams.md §1 and §3: Estuary
        "requests non-existent `payment_intent.updated`"). Inference: the
        change is visible only to lists and retrieves."""
        def edit(obj):
            self.metadata_change(obj, args, rng)
        return self.change(pi, t, edit)

    # -- checkout sessions ------------------------------------------------

    def checkout_create(self, ledger, t, rng, customer=None, amount=None):
        """An open session: no event ("no created/updated event",
        stripe-streams.md §1)."""
        cs_id = "cs_%s_a1%s" % (ledger.mode, rand_alnum(rng, 56))
        cust_id = customer["id"] if customer else None
        email = customer["email"] if customer else None
        obj = shapes.checkout_session(
            cs_id, t, cust_id, email,
            amount or rng.choice((1500, 2900, 4900, 9900)),
            ledger.gen.currency, ledger.mode == "live")
        return self.new(ledger, "checkout_sessions", obj, "open", {
            "customer": cust_id, "customer_details[email]": None,
            "payment_intent": None, "payment_link": None,
            "subscription": None, "customer_account": None}), []

    def _check_open(self, cs, op):
        if cs.status != "open":
            raise OpError("%s does not apply to %s in its current state"
                          % (op, cs.id))

    def checkout_complete(self, cs, t, rng, args):
        """checkout.session.completed; paid by a new charge, or, with
        "async": true, `payment_status: unpaid` until
        checkout_async_succeeded / _failed."""
        self._check_open(cs, "checkout_complete")
        ledger = cs.ledger
        obj = self.obj(cs)
        customer = self._customer_of(obj, rng)
        if args.get("async"):
            pi, _ = self.pi_create(ledger, t, rng, obj["customer"],
                                   obj["amount_total"], obj["currency"])
            self.change(pi, t, _set_status("processing"), "processing")
            pi_id, paid = pi.id, "unpaid"
        else:
            rec = self.pay(ledger, t, rng, customer, obj["amount_total"],
                           obj["currency"], "Checkout " + cs.id[-8:])
            pi_id, paid = "pi_" + rec.id[3:], "paid"
        details = shapes.base("checkout.session")["customer_details"]
        details.update(email=customer["email"], name=customer["name"])

        def edit(o):
            o.update(status="complete", payment_status=paid,
                     payment_intent=pi_id, customer_details=details, url=None)
            return lambda snap: [self.emit(
                ledger, "checkout.session.completed", t, snap)]
        cs.attrs.update(payment_intent=pi_id)
        cs.attrs["customer_details[email]"] = customer["email"]
        return self.change(cs, t, edit, "complete")

    def _customer_of(self, obj, rng):
        if obj["customer"]:
            return self.obj(self.store.lookup(obj["customer"]))
        return {"id": None, "email": "guest.%d@example.com"
                % rng.randrange(1000), "name": "Guest"}

    def checkout_async(self, cs, t, rng, args, ok=True):
        obj = self.obj(cs)
        if cs.status != "complete" or obj["payment_status"] != "unpaid":
            raise OpError("checkout_async_* applies to a completed session "
                          "with payment_status unpaid, not %s" % cs.id)
        pi = self.store.lookup(obj["payment_intent"])
        status = "succeeded" if ok else "requires_payment_method"

        def edit_pi(o):
            o["status"] = status
            return lambda snap: [self.emit(pi.ledger, PI_EVENT[status], t,
                                           snap, request=NULL_REQUEST)]
        events = self.change(pi, t, edit_pi, status)

        def edit(o):
            o["payment_status"] = "paid" if ok else "unpaid"
            kind = "succeeded" if ok else "failed"
            return lambda snap: [self.emit(
                cs.ledger, "checkout.session.async_payment_" + kind, t,
                snap, request=NULL_REQUEST)]
        return self.change(cs, t, edit) + events

    def checkout_expire(self, cs, t, rng, args):
        self._check_open(cs, "checkout_expire")

        def edit(o):
            o.update(status="expired", url=None)
            return lambda snap: [self.emit(
                cs.ledger, "checkout.session.expired", t, snap,
                request=NULL_REQUEST)]
        return self.change(cs, t, edit, "expired")

    # -- Connect: transfers and application fees (platform) -----------------

    def transfer_create(self, ledger, t, rng, destination, amount=None):
        """transfer.created: a transfer "sent to connected accounts", with
        `destination` (stripe-streams.md §8)."""
        tr_id = self.new_id(ledger, "tr", t)
        amount = amount or rng.randint(1000, 200000)
        obj = shapes.transfer(tr_id, t, amount, ledger.gen.currency,
                              destination, ledger.mode == "live",
                              "py_1" + rand_alnum(rng, 23))
        tr = self.new(ledger, "transfers", obj, "paid", {
            "destination": destination, "transfer_group": None})
        self.txn(ledger, obj["balance_transaction"], t, -amount, 0, 0,
                 obj["currency"], None, "transfer", "transfer", tr_id)
        return tr, [self.emit(ledger, "transfer.created", t, tr)]

    def transfer_update(self, tr, t, rng, args):
        return self.update(tr, t, rng, args, "transfer.updated")

    def transfer_reverse(self, tr, t, rng, args):
        obj = self.obj(tr)
        left = obj["amount"] - obj["amount_reversed"]
        amount = args.get("amount") or left
        if not isinstance(amount, int) or not 1 <= amount <= left:
            raise OpError("transfer_reverse amount must be 1..%d" % left)
        ledger = tr.ledger
        trr_id = self.new_id(ledger, "trr", t)
        reversal = shapes.transfer_reversal(trr_id, t, amount,
                                            obj["currency"], tr.id)
        self.txn(ledger, reversal["balance_transaction"], t, amount, 0, 0,
                 obj["currency"], None, "transfer_cancel", "transfer_reversal",
                 trr_id)

        def edit(o):
            o["amount_reversed"] += amount
            o["reversed"] = o["amount_reversed"] >= o["amount"]
            _prepend(o["reversals"], reversal)
            return lambda snap: [self.emit(ledger, "transfer.reversed", t,
                                           snap)]
        return self.change(tr, t, edit)

    def fee_create(self, ledger, t, rng, charge, account):
        """application_fee.created on the platform for a charge of a
        connected account (`account` = "ID of the Stripe account this fee
        was taken from", stripe-streams.md §8). The charge keeps
        `application_fee: null` (the double does not rewrite it)."""
        fee_id = self.new_id(ledger, "fee", t)
        obj = shapes.application_fee(
            fee_id, t, max(1, charge["amount_captured"] // 10),
            charge["currency"], account, charge["id"],
            ledger.mode == "live", "ca_" + rand_alnum(rng, 32))
        fee = self.new(ledger, "application_fees", obj, "collected",
                       {"charge": charge["id"]})
        self.txn(ledger, obj["balance_transaction"], t, obj["amount"], 0, 2,
                 obj["currency"], None, "application_fee",
                 "platform_earning", fee_id)
        return fee, [self.emit(ledger, "application_fee.created", t, fee)]

    def fee_refund(self, fee, t, rng, args):
        """application_fee.refunded (carries the ApplicationFee)."""
        obj = self.obj(fee)
        left = obj["amount"] - obj["amount_refunded"]
        if left < 1:
            raise OpError("application_fee_refund does not apply to %s in "
                          "its current state" % fee.id)
        amount = args.get("amount") or left
        ledger = fee.ledger
        fr = shapes.fee_refund(self.new_id(ledger, "fr", t), t, amount,
                               obj["currency"], fee.id)
        self.new(ledger, "fee_refunds", fr, "succeeded", {}, parent=fee)
        self.txn(ledger, fr["balance_transaction"], t, -amount, 0, 0,
                 obj["currency"], None, "application_fee_refund",
                 "platform_earning_refund", fr["id"])

        def edit(o):
            o["amount_refunded"] += amount
            o["refunded"] = o["amount_refunded"] >= o["amount"]
            _prepend(o["refunds"], fr)
            return lambda snap: [self.emit(ledger, "application_fee.refunded",
                                           t, snap)]
        return self.change(fee, t, edit)

    def fee_refund_update(self, fr, t, rng, args):
        """application_fee.refund.updated: carries the FeeRefund (with
        `fee`), not the fee (stripe-streams.md §3)."""
        fee = fr.parent
        events = self.update(fr, t, rng, args,
                             "application_fee.refund.updated")
        fee_obj = self.obj(fee)
        for i, item in enumerate(fee_obj["refunds"]["data"]):
            if item["id"] == fr.id:
                fee_obj["refunds"]["data"][i] = self.obj(fr)
        self.put(fee, fee_obj)
        return events

    # -- refunds and disputes ---------------------------------------------

    def refund_update(self, refund, t, rng, args):
        """refund.updated (since 2024-10-28, as mutations.py) and
        charge.refund.updated, both carrying the Refund."""
        ledger = refund.ledger

        def edit(obj):
            previous = self.metadata_change(obj, args, rng)

            def events(snap):
                out = []
                if t >= REFUND_EVENTS_SINCE:
                    out.append(self.emit(ledger, "refund.updated", t, snap,
                                         previous))
                out.append(self.emit(ledger, "charge.refund.updated", t,
                                     snap, previous))
                return out
            return events
        return self.change(refund, t, edit)

    def dispute_update(self, dp, t, rng, args):
        """Evidence submitted: charge.dispute.updated, status
        under_review (carries the Dispute, stripe-streams.md §3)."""
        if dp.status != "needs_response":
            raise OpError("dispute_update does not apply to %s in its "
                          "current state" % dp.id)

        def edit(obj):
            obj["status"] = "under_review"
            obj["evidence"]["uncategorized_text"] = "Delivered, signed."
            obj["evidence_details"].update(has_evidence=True,
                                           submission_count=1)
            return lambda snap: [self.emit(
                dp.ledger, "charge.dispute.updated", t, snap,
                {"status": "needs_response"})]
        return self.change(dp, t, edit, "under_review")

    def dispute_close(self, dp, t, rng, args):
        """charge.dispute.closed, status won or lost."""
        if dp.status not in ("needs_response", "under_review"):
            raise OpError("dispute_close does not apply to %s in its "
                          "current state" % dp.id)
        status = args.get("status") or rng.choice(("won", "lost"))
        if status not in ("won", "lost"):
            raise OpError("dispute_close status must be won or lost")

        def edit(obj):
            obj["status"] = status
            return lambda snap: [self.emit(
                dp.ledger, "charge.dispute.closed", t, snap,
                request=NULL_REQUEST)]
        return self.change(dp, t, edit, status)


def _set_status(status):
    def edit(obj):
        obj["status"] = status
    return edit


def _pi_amounts(obj, charge):
    status = obj["status"]
    obj["amount_capturable"] = (charge["amount"]
                                if status == "requires_capture" else 0)
    obj["amount_received"] = (charge["amount_captured"]
                              if status == "succeeded" else 0)
    if status == "requires_payment_method":
        obj["last_payment_error"] = {
            "charge": charge["id"], "code": charge["failure_code"],
            "message": charge["failure_message"], "type": "card_error"}


def _prepend(sub, item):
    """Put item first in an embedded list ("the 10 most recent",
    stripe-streams.md §5)."""
    sub["data"].insert(0, item)
    if len(sub["data"]) > 10:
        del sub["data"][10:]
        sub["has_more"] = True
