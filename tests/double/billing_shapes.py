"""Shapes of the objects of issue 14, built on the published fixtures.

Each object starts as a copy of its fixture in stripe-objects/ (the same
fields and nesting; "id" and "object" first as the live API sends them),
with the fixture's placeholder values ("obj_123", random integers) replaced
once by plausible ones (CLEAN) and the object's own values set by the
builders below. Invoices and subscriptions also carry the fields of the
versions before 2025-03-31.basil; versions.SHAPERS cuts each era's shape
from that canonical text (see shape_invoice, shape_subscription).
"""

import copy
import json
import os

from shapes import dumps
from versions import SHAPERS

HERE = os.path.dirname(os.path.abspath(__file__))
BASIL_ERA = 3                  # versions.era_of("2025-03-31")

_NO_PRORATION = {"credited_items": None}

# Fixture fields whose placeholder values are replaced in every object.
CLEAN = {
    "customer": {"discount": None, "shipping": None, "address": None},
    "product": {"package_dimensions": None, "type": "service"},
    "price": {"transform_quantity": None, "custom_unit_amount": None},
    "plan": {"transform_usage": None, "billing_scheme": "per_unit",
             "interval_count": 1},
    "subscription_item": {"billing_thresholds": None},
    "subscription": {
        "billing_cycle_anchor_config": None, "billing_schedules": [],
        "billing_mode": {"flexible": None, "type": "classic"},
        "billing_thresholds": None, "cancel_at": None,
        "cancel_at_period_end": False, "canceled_at": None, "ended_at": None,
        "next_pending_invoice_item_invoice": None, "pause_collection": None,
        "pending_invoice_item_interval": None, "pending_update": None,
        "transfer_data": None, "trial_end": None, "trial_start": None,
        "managed_payments": None},
    "invoice": {
        "amount_overpaid": 0, "customer_shipping": None,
        "shipping_details": None, "shipping_cost": None,
        "from_invoice": None, "last_finalization_error": None,
        "customer_address": None, "total_taxes": [],
        "total_pretax_credit_amounts": [], "webhooks_delivered_at": None,
        "next_payment_attempt": None, "due_date": None},
    "line_item": {"pretax_credit_amounts": [], "taxes": []},
    "payment_intent": {
        "canceled_at": None, "last_payment_error": None, "next_action": None,
        "payment_method_configuration_details": None, "processing": None,
        "transfer_data": None, "managed_payments": None, "shipping": None},
    "checkout.session": {
        "after_expiration": None, "collected_information": None,
        "consent": None, "consent_collection": None,
        "currency_conversion": None, "shipping_address_collection": None,
        "shipping_cost": None, "adaptive_pricing": None,
        "custom_text": {"after_submit": None, "shipping_address": None,
                        "submit": None, "terms_of_service_acceptance": None},
        "invoice_creation": None, "managed_payments": None,
        "payment_method_configuration_details": None, "permissions": None,
        "saved_payment_method_options": None,
        "total_details": {"amount_discount": 0, "amount_shipping": 0,
                          "amount_tax": 0}},
    "credit_note": {"shipping_cost": None, "pretax_credit_amounts": [],
                    "refunds": [], "total_taxes": [],
                    "post_payment_amount": 0, "pre_payment_amount": 0},
    "credit_note_line_item": {"pretax_credit_amounts": [], "taxes": []},
}
_FILES = {"checkout.session": "checkout_session", "line_item":
          "invoice_line_item", "plan": None}


def _load(name):
    with open(os.path.join(HERE, "stripe-objects", name + ".json"),
              encoding="utf-8") as f:
        return json.load(f)


def _first(obj):
    """id and object first, then the fixture's order."""
    head = {k: obj[k] for k in ("id", "object") if k in obj}
    head.update((k, v) for k, v in obj.items() if k not in head)
    return head


_BASES = {}


def base(kind):
    """A fresh copy of the cleaned fixture of object kind."""
    if kind not in _BASES:
        if kind == "plan":
            obj = _load("subscription_item")["plan"]
        else:
            obj = _load(_FILES.get(kind, kind))
        obj.update(copy.deepcopy(CLEAN.get(kind, {})))
        _BASES[kind] = dumps(_first(obj))
    return json.loads(_BASES[kind])      # faster than a deep copy


def build(kind, **values):
    """base(kind) with values set (unknown keys are a bug: KeyError)."""
    obj = base(kind)
    for key, value in values.items():
        if key not in obj:
            raise KeyError("%s has no field %s" % (kind, key))
        obj[key] = value
    return obj


def sub_list(data, has_more, url):
    return {"object": "list", "data": data, "has_more": has_more,
            "url": url}


# -- objects ------------------------------------------------------------

def customer(cid, created, name, email, livemode, prefix):
    return build("customer", id=cid, created=created, name=name, email=email,
                 livemode=livemode, invoice_prefix=prefix, currency=None,
                 description=None, metadata={})


def product(pid, created, name, livemode):
    return build("product", id=pid, created=created, updated=created,
                 name=name, description=None, default_price=None,
                 livemode=livemode, metadata={})


def price(price_id, created, product_id, amount, currency, interval,
          nickname, livemode):
    return build("price", id=price_id, created=created, product=product_id,
                 unit_amount=amount, unit_amount_decimal=str(amount),
                 currency=currency, nickname=nickname, livemode=livemode,
                 lookup_key=None, metadata={},
                 recurring={"interval": interval, "interval_count": 1,
                            "meter": None, "trial_period_days": None,
                            "usage_type": "licensed"})


def plan(price_obj):
    """The legacy Plan of a recurring price (same id, SS §1 note)."""
    rec = price_obj["recurring"]
    return build("plan", id=price_obj["id"], active=price_obj["active"],
                 amount=price_obj["unit_amount"],
                 amount_decimal=price_obj["unit_amount_decimal"],
                 created=price_obj["created"],
                 currency=price_obj["currency"], interval=rec["interval"],
                 livemode=price_obj["livemode"], metadata={},
                 nickname=price_obj["nickname"],
                 product=price_obj["product"])


def subscription_item(si_id, created, price_obj, sub_id, quantity, start,
                      end):
    return build("subscription_item", id=si_id, created=created,
                 current_period_start=start, current_period_end=end,
                 metadata={}, plan=plan(price_obj), price=price_obj,
                 quantity=quantity, subscription=sub_id)


def subscription(sub_id, created, customer_id, currency, livemode, start,
                 end):
    obj = build("subscription", id=sub_id, created=created,
                customer=customer_id, currency=currency, livemode=livemode,
                billing_cycle_anchor=created, start_date=created,
                status="active", latest_invoice=None, metadata={},
                items=sub_list([], False, "/v1/subscription_items"
                               "?subscription=" + sub_id))
    # before 2025-03-31.basil (cut by shape_subscription)
    obj["current_period_start"] = start
    obj["current_period_end"] = end
    obj["discount"] = None
    return obj


def invoice(in_id, created, cust, currency, livemode, sub_id, reason,
            start, end):
    """A draft invoice of the customer dict cust."""
    parent = None
    if sub_id is not None:
        parent = {"quote_details": None,
                  "subscription_details": {"metadata": {},
                                           "subscription": sub_id},
                  "type": "subscription_details"}
    obj = build(
        "invoice", id=in_id, created=created, customer=cust["id"],
        customer_email=cust["email"], customer_name=cust["name"],
        currency=currency, livemode=livemode, subscription=sub_id,
        parent=parent, billing_reason=reason, period_start=start,
        period_end=end, status="draft", number=None, amount_due=0,
        amount_paid=0, amount_remaining=0, subtotal=0,
        subtotal_excluding_tax=0, total=0, total_excluding_tax=0,
        attempt_count=0, attempted=False, auto_advance=True,
        automatically_finalizes_at=created + 3600, effective_at=None,
        hosted_invoice_url=None, invoice_pdf=None, metadata={},
        account_name="Double Platform", starting_balance=0,
        ending_balance=None,
        lines=sub_list([], False, "/v1/invoices/%s/lines" % in_id))
    # before 2025-03-31.basil (cut by shape_invoice)
    obj.update(charge=None, payment_intent=None, paid=False,
               paid_out_of_band=False, discount=None)
    return obj


def line_item(il_id, in_id, amount, currency, livemode, description,
              price_obj, quantity, start, end, sub_id=None, si_id=None,
              ii_id=None):
    if sub_id is not None:
        parent = {"invoice_item_details": None,
                  "subscription_item_details": {
                      "invoice_item": None, "proration": False,
                      "proration_details": _NO_PRORATION,
                      "subscription": sub_id, "subscription_item": si_id},
                  "type": "subscription_item_details"}
    else:
        parent = {"invoice_item_details": {
            "invoice_item": ii_id, "proration": False,
            "proration_details": _NO_PRORATION, "subscription": None},
            "subscription_item_details": None,
            "type": "invoice_item_details"}
    return build("line_item", id=il_id, invoice=in_id, amount=amount,
                 subtotal=amount, currency=currency, livemode=livemode,
                 description=description, metadata={}, parent=parent,
                 period={"end": end, "start": start},
                 pricing={"type": "price_details",
                          "unit_amount_decimal":
                          price_obj["unit_amount_decimal"]},
                 quantity=quantity, subscription=sub_id)


def payment_intent(pi_id, created, amount, currency, customer_id, status,
                   livemode, charge=None):
    """A PaymentIntent; charge: the dict of its latest charge, or None."""
    obj = build(
        "payment_intent", id=pi_id, amount=amount, created=created,
        currency=currency, customer=customer_id, livemode=livemode,
        amount_capturable=0, amount_received=0, metadata={},
        client_secret=pi_id + "_secret_" + pi_id[-24:][::-1],
        capture_method="automatic", description=None, latest_charge=None,
        payment_method=None, receipt_email=None, status=status,
        cancellation_reason=None)
    if charge is not None:
        obj.update(
            latest_charge=charge["id"], description=charge["description"],
            capture_method="automatic" if charge["captured"] or
            charge["status"] != "succeeded" else "manual",
            payment_method=charge["payment_method"],
            payment_method_types=[charge["payment_method_details"]["type"]],
            receipt_email=charge["receipt_email"])
    return obj


def balance_transaction(txn_id, amount, fee, created, available_on,
                        currency, description, kind, category, source):
    details = [] if not fee else [{
        "amount": fee, "application": None, "currency": currency,
        "description": "Stripe processing fees", "type": "stripe_fee"}]
    return build("balance_transaction", id=txn_id, amount=amount, fee=fee,
                 net=amount - fee, fee_details=details, created=created,
                 available_on=available_on, currency=currency,
                 description=description, type=kind,
                 reporting_category=category, source=source,
                 status="pending")


def transfer(tr_id, created, amount, currency, destination, livemode,
             destination_payment):
    return build("transfer", id=tr_id, created=created, amount=amount,
                 currency=currency, destination=destination,
                 destination_payment=destination_payment, livemode=livemode,
                 balance_transaction="txn_" + tr_id[3:], metadata={},
                 description=None, transfer_group=None,
                 reversals=sub_list([], False, "/v1/transfers/%s/reversals"
                                    % tr_id))


def transfer_reversal(trr_id, created, amount, currency, tr_id):
    return build("transfer_reversal", id=trr_id, created=created,
                 amount=amount, currency=currency, transfer=tr_id,
                 balance_transaction="txn_" + trr_id[4:], metadata={},
                 destination_payment_refund=None, source_refund=None)


def application_fee(fee_id, created, amount, currency, account, charge_id,
                    livemode, application):
    return build("application_fee", id=fee_id, created=created,
                 amount=amount, currency=currency, account=account,
                 charge=charge_id, livemode=livemode,
                 application=application,
                 balance_transaction="txn_" + fee_id[4:],
                 fee_source={"charge": charge_id, "type": "charge"},
                 refunds=sub_list([], False, "/v1/application_fees/%s/refunds"
                                  % fee_id))


def fee_refund(fr_id, created, amount, currency, fee_id):
    return build("fee_refund", id=fr_id, created=created, amount=amount,
                 currency=currency, fee=fee_id, metadata={},
                 balance_transaction="txn_" + fr_id[3:])


def checkout_session(cs_id, created, customer_id, email, amount, currency,
                     livemode):
    """An open payment-mode session (24 h lifetime: "By default, this
    value is 24 hours from creation", SS §6)."""
    return build(
        "checkout.session", id=cs_id, created=created,
        expires_at=created + 86400, customer=customer_id,
        customer_email=email, customer_details=None,
        amount_subtotal=amount, amount_total=amount, currency=currency,
        livemode=livemode, mode="payment", status="open",
        payment_status="unpaid", payment_intent=None, metadata={},
        client_reference_id=None, invoice=None, subscription=None,
        url="https://checkout.stripe.com/c/pay/" + cs_id)


def credit_note(cn_id, created, inv, amount, number, livemode, lines):
    return build(
        "credit_note", id=cn_id, created=created, effective_at=created,
        invoice=inv["id"], customer=inv["customer"], currency=inv["currency"],
        amount=amount, subtotal=amount, subtotal_excluding_tax=amount,
        total=amount, total_excluding_tax=amount, post_payment_amount=amount,
        number=number, livemode=livemode, status="issued", voided_at=None,
        reason="order_change", type="post_payment", memo=None, metadata={},
        out_of_band_amount=None, pdf="https://pay.stripe.com/credit_notes/"
        + cn_id + "/pdf",
        lines=sub_list(lines, False, "/v1/credit_notes/%s/lines" % cn_id))


def credit_note_line(cnli_id, amount, line, livemode):
    return build("credit_note_line_item", id=cnli_id, amount=amount,
                 description=line["description"], livemode=livemode,
                 invoice_line_item=line["id"], quantity=1,
                 unit_amount=amount, unit_amount_decimal=str(amount))


def discount(di_id, customer_id, start):
    """A Discount (customer.discount.* events carry one, with
    `customer`; SS §3)."""
    obj = _load("customer")["discount"]
    obj.update(id=di_id, customer=customer_id, start=start,
               source={"coupon": "Z4OV52SU", "type": "coupon"})
    return _first(obj)


def invoice_payment(inpay_id, inv, pi_id, created):
    """An InvoicePayment (invoice_payment.paid carries one, with
    `invoice`; SS §3 and §7: "payments now via InvoicePayment"). No
    fixture in stripe-objects/: fields from stripe-node
    InvoicePayments.ts."""
    return {"id": inpay_id, "object": "invoice_payment",
            "amount_paid": inv["amount_paid"],
            "amount_requested": inv["amount_due"], "created": created,
            "currency": inv["currency"], "invoice": inv["id"],
            "is_default": True, "livemode": inv["livemode"],
            "payment": {"payment_intent": pi_id, "type": "payment_intent"},
            "status": "paid",
            "status_transitions": {"canceled_at": None, "paid_at": created}}


# -- API versions (stripe-streams.md §7) -------------------------------------

# 2025-03-31.basil, Invoice: "removed `subscription` ... → `parent.
# subscription_details.subscription`; removed `charge`, `payment_intent`,
# `paid`, `paid_out_of_band` ... `discount`" (stripe-node 18.0.0). The
# fixture (post-basil) still has "subscription": null, so basil and later
# keep the key, null.
INVOICE_PRE_BASIL = ("charge", "payment_intent", "paid", "paid_out_of_band",
                     "discount")


def shape_invoice(text, era):
    obj = json.loads(text)
    if era >= BASIL_ERA:
        for key in INVOICE_PRE_BASIL:
            obj.pop(key, None)
        obj["subscription"] = None
    else:
        obj.pop("parent", None)
    return dumps(obj)


# 2025-03-31.basil, Subscription: "`current_period_start/end` moved to
# `items.data[]`; `discount` removed" (stripe-node 18.0.0; changelog
# basil/2025-03-31/deprecate-subscription-current-period-start-and-end).
def item_periods(item, era):
    if era < BASIL_ERA:
        item.pop("current_period_start", None)
        item.pop("current_period_end", None)
    return item


def shape_subscription(text, era):
    obj = json.loads(text)
    if era >= BASIL_ERA:
        for key in ("current_period_start", "current_period_end",
                    "discount"):
            obj.pop(key, None)
    else:
        for item in obj["items"]["data"]:
            item_periods(item, era)
    return dumps(obj)


def shape_subscription_item(text, era):
    return dumps(item_periods(json.loads(text), era))


SHAPERS.update({"in_": shape_invoice, "sub": shape_subscription,
                "si_": shape_subscription_item})


def upcoming(text, era):
    """The data.object of invoice.upcoming: the invoice at era's shape
    without an id ("The received Invoice object will not have an invoice
    ID", stripe-node Events.ts; SS §3)."""
    obj = json.loads(shape_invoice(text, era))
    del obj["id"]
    return dumps(obj)
