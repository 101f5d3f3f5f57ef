"""Changes to charges and payouts, each emitting the events Stripe emits.

Every operation works on one record at second t, updates the record's
current JSON, and emits its events with data.object as of that moment.
The same operations build the dataset's history and serve
POST /_double/mutate.
"""

import json
import re

from ids import rand_alnum
from model import API_REQUEST, NULL_REQUEST, Charge, Doc, Payout
from shapes import dispute_dict, dumps, refund_dict

CHARGE_KINDS = ("capture", "refund_partial", "refund_full", "dispute",
                "update", "pending_succeeded", "pending_failed",
                "refund_failed")
PAYOUT_KINDS = ("payout_paid", "payout_failed", "payout_canceled",
                "payout_update")
NEW_KINDS = ("new_charge", "new_payout")
DEFAULT_KINDS = ("capture", "refund_partial", "refund_full", "dispute",
                 "update", "payout_paid", "payout_failed", "payout_canceled",
                 "new_charge", "new_payout")
ALL_KINDS = CHARGE_KINDS + PAYOUT_KINDS + NEW_KINDS

# "refund.created, refund.updated, refund.failed now apply to all types of
# refunds, including those without a corresponding charge. ... Previously,
# these events were only sent for refunds without a corresponding charge."
# (docs.stripe.com/changelog/acacia/2024-10-28/refund-webhook-update,
# reference/stripe-api.md §9.3). The double emits them for changes made at
# or after 2024-10-28T00:00:00Z. Whether Stripe also ties this to the
# account's API version is unconfirmed (stripe-streams.md §3).
REFUND_EVENTS_SINCE = 1730073600
# Refund.failure_reason: "If the refund failed, the reason for refund
# failure if known. Possible values are lost_or_stolen_card,
# expired_or_canceled_card, or unknown." (Stripe API reference, Refund
# object)
REFUND_FAILURE_REASONS = ("expired_or_canceled_card", "lost_or_stolen_card",
                          "unknown")
LIVE_REFUND = ("succeeded", "pending")


def _live_refunds(charge):
    """The charge's refunds that can still fail, oldest first."""
    return [r for r in charge.refunds or () if r.status in LIVE_REFUND]


ELIGIBLE = {
    "capture": lambda r: r.status == "succeeded" and not r.captured,
    "refund_failed": lambda r: r.refunds is not None and any(
        x.status in LIVE_REFUND for x in r.refunds),
    "refund_partial": lambda r: r.captured and r.refundable >= 2,
    "refund_full": lambda r: r.captured and r.refundable >= 1,
    "dispute": lambda r: (r.captured and r.refundable >= 1
                          and not r.disputed),
    "update": lambda r: True,
    "pending_succeeded": lambda r: r.status == "pending",
    "pending_failed": lambda r: r.status == "pending",
    "payout_paid": lambda p: p.status in ("pending", "in_transit"),
    "payout_failed": lambda p: p.status in ("pending", "in_transit", "paid"),
    "payout_canceled": lambda p: p.status == "pending",
    "payout_update": lambda p: True,
}


def _embed_refund(refunds, refund):
    """Put refund first in the charge's embedded list (canonical shape,
    shown before 2022-11-15): "The 10 most recent refunds are always
    available by default on the Charge object" (stripe-node Refunds.ts,
    stripe-streams.md §2)."""
    data = refunds["data"]
    data.insert(0, refund)
    refunds["total_count"] += 1
    if len(data) > 10:
        del data[10:]
        refunds["has_more"] = True


class OpError(Exception):
    """An operation that does not apply to the object (HTTP 400)."""


def _amount(args):
    """The integer 'amount' of an op, or None."""
    amount = args.get("amount")
    if amount is None:
        return None
    if not isinstance(amount, int) or isinstance(amount, bool) or \
            amount < 0:
        raise OpError("amount must be a non-negative integer")
    return amount


def creation_type(status):
    return {"pending": "charge.pending",
            "failed": "charge.failed"}.get(status, "charge.succeeded")


class Mutator:
    """Applies operations to the store (caller holds store.lock)."""

    def __init__(self, store):
        self.store = store

    def _emit(self, ledger, etype, t, snap, previous=None,
              request=NULL_REQUEST):
        return self.store.emit(ledger, etype, t, snap, previous, request)

    def apply(self, kind, ledger, rec, t, rng, args=None):
        """Apply kind to rec (None for new_*); returns (record, events)."""
        args = args or {}
        if kind == "update" and isinstance(rec, Payout):
            kind = "payout_update"
        if kind == "refund_failed" and isinstance(rec, Doc) and \
                rec.resource == "refunds":
            args = dict(args, refund=rec)
            rec = rec.parent
        if kind in NEW_KINDS:
            return getattr(self, kind)(ledger, t, rng, args)
        want = Charge if kind in CHARGE_KINDS else Payout
        if not isinstance(rec, want):
            raise OpError("%s applies to %s, not %s" % (
                kind, want.__name__.lower() + "s", rec.id))
        if not ELIGIBLE[kind](rec):
            raise OpError("%s does not apply to %s in its current state"
                          % (kind, rec.id))
        before = rec.state()
        events = getattr(self, kind)(ledger, rec, t, rng, args)
        self.store.changed(rec, before, t, events[0].id)
        return rec, events

    # -- charges ---------------------------------------------------------

    def new_charge(self, ledger, t, rng, args):
        status = args.get("status")
        if status not in (None, "succeeded", "uncaptured", "pending",
                          "failed"):
            raise OpError("status must be succeeded, uncaptured, pending "
                          "or failed")
        currency = args.get("currency")
        if currency is not None and not re.match(r"^[a-z]{3}$", currency):
            raise OpError("currency must be a lower-case ISO code")
        rec = ledger.gen.charge(rng, int(args.get("created", t)),
                                status=status,
                                amount=_amount(args), currency=currency,
                                sepa=args.get("sepa"))
        self.store.register(ledger, rec)
        ev = self._emit(ledger, creation_type(rec.status), rec.created, rec,
                        request=API_REQUEST)
        return rec, [ev]

    def capture(self, ledger, rec, t, rng, args):
        obj = rec.to_dict()
        obj["captured"] = True
        obj["amount_captured"] = obj["amount"]
        obj["balance_transaction"] = "txn_" + rec.id[3:]
        rec.sync(obj)
        snap = rec.set_dict(obj)
        return [self._emit(ledger, "charge.captured", t, snap,
                           request=API_REQUEST)]

    def refund_full(self, ledger, rec, t, rng, args):
        return self._refund(ledger, rec, t, rng, rec.refundable)

    def refund_partial(self, ledger, rec, t, rng, args):
        amount = args.get("amount")
        if amount is None:
            amount = rng.randint(1, rec.refundable - 1)
        if not isinstance(amount, int) or not 1 <= amount <= rec.refundable:
            raise OpError("refund amount must be 1..%d" % rec.refundable)
        return self._refund(ledger, rec, t, rng, amount)

    def _refund(self, ledger, rec, t, rng, amount):
        """A refund created pending that succeeds in the same second."""
        obj = rec.to_dict()
        refund_id = self.store.new_id(ledger, "re", t)
        refund = refund_dict(refund_id, obj, amount, t, "succeeded",
                             "txn_" + refund_id[3:])
        obj["amount_refunded"] += amount
        obj["refunded"] = obj["amount_refunded"] >= obj["amount_captured"]
        _embed_refund(obj["refunds"], refund)
        rec.sync(obj)
        snap = rec.set_dict(obj)
        refund_json = dumps(refund)
        doc = Doc(refund_id, t, "refunds", refund_json, "succeeded", rec)
        self.store.register(ledger, doc)
        rec.refunds = (rec.refunds or []) + [doc]
        previous = '{"status":"pending"}'
        events = [self._emit(ledger, "charge.refunded", t, snap,
                             request=API_REQUEST)]
        if t >= REFUND_EVENTS_SINCE:
            # "refund.created: Occurs whenever a refund is created."
            # (docs.stripe.com/api/refunds); as created: pending.
            events.append(self._emit(
                ledger, "refund.created", t,
                dumps(dict(refund, status="pending")), request=API_REQUEST))
        # "charge.refund.updated: Occurs whenever a refund is updated on
        # selected payment methods. For updates on all refunds, listen to
        # refund.updated instead." (docs.stripe.com/api/refunds)
        events.append(self._emit(ledger, "charge.refund.updated", t,
                                 refund_json, previous=previous))
        if t >= REFUND_EVENTS_SINCE:
            events.append(self._emit(ledger, "refund.updated", t,
                                     refund_json, previous=previous))
        return events

    def refund_failed(self, ledger, rec, t, rng, args):
        """A succeeded or pending refund of the charge rec fails (args
        'refund': that refund's Doc; default: the newest that can fail).

        Refund.failure_balance_transaction: "If the refund failed, this
        balance transaction describes the adjustment made on your account
        balance that reverses the initial balance transaction." (Stripe API
        reference, Refund object). The charge therefore no longer counts
        the amount as refunded (amount_refunded goes down, refunded is
        false) - an inference: no Stripe page found states it for the
        charge. No charge.* event carries the charge: only refund events
        (docs.stripe.com/api/refunds: "refund.failed: Occurs whenever a
        refund has failed."; charge.refund.updated "on selected payment
        methods"), so a consumer must re-read the charge.
        """
        live = _live_refunds(rec)
        target = args.get("refund")
        if target is None:
            target = live[-1]
        elif target not in live:
            raise OpError("refund_failed does not apply to %s in its "
                          "current state" % target.id)
        reason = args.get("failure_reason") or rng.choice(
            REFUND_FAILURE_REASONS)
        if reason not in REFUND_FAILURE_REASONS:
            raise OpError("failure_reason must be one of %s"
                          % ", ".join(REFUND_FAILURE_REASONS))
        before = target.state()
        refund = json.loads(target.doc)
        previous = dumps({"status": refund["status"]})
        failed = {}
        for key, value in refund.items():
            failed[key] = value
            if key == "destination_details":
                failed["failure_balance_transaction"] = (
                    "txn_1" + rand_alnum(rng, 23))
                failed["failure_reason"] = reason
        failed["status"] = "failed"
        refund_json = target.set_doc(failed)
        obj = rec.to_dict()
        obj["amount_refunded"] -= refund["amount"]
        obj["refunded"] = obj["amount_refunded"] >= obj["amount_captured"]
        embedded = obj["refunds"]["data"]
        for i, item in enumerate(embedded):
            if item["id"] == target.id:
                embedded[i] = failed
        rec.sync(obj)
        rec.set_dict(obj)
        events = []
        if t >= REFUND_EVENTS_SINCE:
            events.append(self._emit(ledger, "refund.failed", t,
                                     refund_json))
            events.append(self._emit(ledger, "refund.updated", t,
                                     refund_json, previous=previous))
        events.append(self._emit(ledger, "charge.refund.updated", t,
                                 refund_json, previous=previous))
        self.store.changed(target, before, t, events[0].id)
        return events

    def dispute(self, ledger, rec, t, rng, args):
        obj = rec.to_dict()
        dispute_id = self.store.new_id(ledger, "dp", t)
        reason = args.get("reason") or rng.choice(
            ("fraudulent", "product_not_received", "duplicate", "general"))
        dispute_json = dumps(dispute_dict(dispute_id, obj, t, reason))
        obj["disputed"] = True
        rec.sync(obj)
        rec.set_dict(obj)
        self.store.register(ledger, Doc(dispute_id, t, "disputes",
                                        dispute_json, "needs_response", rec))
        return [self._emit(ledger, "charge.dispute.created", t, dispute_json)]

    def update(self, ledger, rec, t, rng, args):
        obj = rec.to_dict()
        previous = {}
        changes = dict(args)
        changes.pop("id", None)
        changes.pop("op", None)
        if not changes:
            if rng.random() < 0.5:
                changes = {"description": "Updated order #%d"
                           % rng.randrange(10000)}
            else:
                changes = {"metadata": {"double_note": "rev-%d"
                                        % rng.randrange(10000)}}
        if "description" in changes:
            previous["description"] = obj["description"]
            obj["description"] = changes["description"]
        if "metadata" in changes:
            meta = obj["metadata"] if obj["metadata"] is not None else {}
            previous["metadata"] = {k: meta.get(k)
                                    for k in changes["metadata"]}
            for key, value in changes["metadata"].items():
                if value in ("", None):
                    meta.pop(key, None)
                else:
                    meta[key] = str(value)
            obj["metadata"] = meta
        if not previous:
            raise OpError("update takes 'description' and/or 'metadata'")
        if isinstance(rec, Charge):
            rec.sync(obj)
        snap = rec.set_dict(obj)
        etype = ("charge.updated" if isinstance(rec, Charge)
                 else "payout.updated")
        return [self._emit(ledger, etype, t, snap, previous=dumps(previous),
                           request=API_REQUEST)]

    def pending_succeeded(self, ledger, rec, t, rng, args):
        obj = rec.to_dict()
        obj["status"] = "succeeded"
        obj["paid"] = True
        rec.sync(obj)
        return [self._emit(ledger, "charge.succeeded", t, rec.set_dict(obj))]

    def pending_failed(self, ledger, rec, t, rng, args):
        obj = rec.to_dict()
        obj.update(status="failed", paid=False,
                   failure_code="insufficient_funds",
                   failure_message="The customer's account has insufficient "
                                   "funds to cover this payment.",
                   failure_balance_transaction="txn_1" + rand_alnum(rng, 23))
        rec.sync(obj)
        return [self._emit(ledger, "charge.failed", t, rec.set_dict(obj))]

    # -- payouts ---------------------------------------------------------

    def new_payout(self, ledger, t, rng, args):
        rec = ledger.gen.payout(rng, int(args.get("created", t)),
                                amount=_amount(args))
        self.store.register(ledger, rec)
        return rec, [self._emit(ledger, "payout.created", rec.created, rec)]

    def _payout_status(self, ledger, rec, t, status, changes):
        obj = rec.to_dict()
        previous = {"status": obj["status"]}
        obj["status"] = status
        obj.update(changes)
        rec.status = status
        snap = rec.set_dict(obj)
        return [self._emit(ledger, "payout.updated", t, snap,
                           previous=dumps(previous)),
                self._emit(ledger, "payout." + status, t, snap)]

    def payout_paid(self, ledger, rec, t, rng, args):
        changes = {"trace_id": {"status": "supported",
                                "value": "%015d" % rng.randrange(10 ** 15)}}
        if '"automatic":true' in rec.json():
            changes["reconciliation_status"] = "completed"
        return self._payout_status(ledger, rec, t, "paid", changes)

    def payout_failed(self, ledger, rec, t, rng, args):
        changes = {"failure_code": "account_closed",
                   "failure_message": "The bank account has been closed.",
                   "failure_balance_transaction": "txn_1" + rand_alnum(rng,
                                                                       23)}
        return self._payout_status(ledger, rec, t, "failed", changes)

    def payout_canceled(self, ledger, rec, t, rng, args):
        return self._payout_status(ledger, rec, t, "canceled", {})

    def payout_update(self, ledger, rec, t, rng, args):
        return self.update(ledger, rec, t, rng, args)

    # -- choosing objects ------------------------------------------------

    def pick(self, kind, ledger, t, rng):
        """A random record of ledger eligible for kind, created <= t, or
        None."""
        if kind in NEW_KINDS:
            return None
        table = ledger.tables["charges" if kind in CHARGE_KINDS
                              else "payouts"]
        hi = table.bounds(-2 ** 62, t)[1]
        if hi == 0:
            return None
        ok = ELIGIBLE[kind]
        items = table.items
        for _ in range(64):
            rec = items[rng.randrange(hi)]
            if ok(rec):
                return rec
        start = rng.randrange(hi)
        for i in range(hi):
            rec = items[(start + i) % hi]
            if ok(rec):
                return rec
        return None
