"""JSON shapes of Stripe objects, as fast text templates.

The shapes follow the published fixtures in stripe-objects/ (same fields,
same nesting; "id" and "object" first as the live API does). Charges and
payouts are rendered from a Template: a %-format string compiled once from a
nested structure, so rendering an object is one string formatting of a
tuple of parameters. Rarely created objects (refunds, disputes) are built as
dicts.
"""

import json
import re


def dumps(obj):
    """Compact JSON text, UTF-8 characters kept as they are (like Stripe)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


class Slot:
    """A place for a whole JSON value, supplied already encoded ('null',
    '"usd"', an int...)."""

    def __init__(self, name):
        self.name = name


def raw(name):
    """A place for plain text inside a JSON string (ids: no escaping)."""
    return "\x01%s\x01" % name


def _mark(node):
    if isinstance(node, Slot):
        return "\x00%s\x00" % node.name
    if isinstance(node, dict):
        return {k: _mark(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_mark(v) for v in node]
    return node


_SLOT_RE = re.compile(r'"\\u0000(\w+)\\u0000"|\\u0001(\w+)\\u0001')


class Template:
    """A nested structure compiled to a positional %-format string."""

    def __init__(self, structure):
        text = dumps(_mark(structure)).replace("%", "%%")
        names = []

        def placeholder(match):
            names.append(match.group(1) or match.group(2))
            return "%s"

        self.fmt = _SLOT_RE.sub(placeholder, text)
        self.names = tuple(names)

    def pack(self, values):
        """The parameter tuple for render(), from a dict of slot values."""
        return tuple([values[name] for name in self.names])

    def render(self, params):
        return self.fmt % params


def _card_details():
    return {
        "card": {
            "amount_authorized": Slot("amount"),
            "brand": Slot("brand"),
            "checks": {"address_line1_check": None,
                       "address_postal_code_check": Slot("zip_check"),
                       "cvc_check": Slot("cvc_check")},
            "country": Slot("card_country"),
            "exp_month": Slot("exp_month"),
            "exp_year": Slot("exp_year"),
            "extended_authorization": {"status": "disabled"},
            "fingerprint": raw("fingerprint"),
            "funding": Slot("funding"),
            "incremental_authorization": {"status": "unavailable"},
            "installments": None,
            "last4": raw("last4"),
            "mandate": None,
            "multicapture": {"status": "unavailable"},
            "network": Slot("brand"),
            "network_token": {"used": False},
            "overcapture": {"maximum_amount_capturable": Slot("amount"),
                            "status": "unavailable"},
            "three_d_secure": Slot("three_d_secure"),
            "wallet": Slot("wallet"),
            "authorization_code": Slot("auth_code"),
            "regulated_status": "unregulated",
            "network_transaction_id": Slot("network_txn"),
            "transaction_link_id": None,
        },
        "type": "card",
    }


def _sepa_details():
    return {
        "sepa_debit": {
            "bank_code": Slot("bank_code"),
            "branch_code": None,
            "country": Slot("card_country"),
            "fingerprint": raw("fingerprint"),
            "last4": raw("last4"),
            "mandate": "mandate_" + raw("sfx"),
        },
        "type": "sepa_debit",
    }


def _charge(prefix, details, captured):
    bt = "txn_" + raw("sfx") if captured else None
    return {
        "id": prefix + raw("sfx"),
        "object": "charge",
        "amount": Slot("amount"),
        "amount_captured": Slot("amount_captured"),
        "amount_refunded": 0,
        "application": None,
        "application_fee": None,
        "application_fee_amount": None,
        "balance_transaction": bt,
        "billing_details": Slot("billing_details"),
        "calculated_statement_descriptor": Slot("descriptor"),
        "captured": Slot("captured"),
        "created": Slot("created"),
        "currency": Slot("currency"),
        "customer": Slot("customer"),
        "description": Slot("description"),
        "disputed": False,
        "failure_balance_transaction": None,
        "failure_code": Slot("failure_code"),
        "failure_message": Slot("failure_message"),
        "fraud_details": {},
        # Removed in 2025-03-31.basil (versions.py); kept in the canonical
        # shape and cut by versions.render().
        "invoice": None,
        "livemode": Slot("livemode"),
        "metadata": Slot("metadata"),
        "on_behalf_of": None,
        "outcome": Slot("outcome"),
        "paid": Slot("paid"),
        "payment_intent": "pi_" + raw("sfx"),
        "payment_method": raw("pm"),
        "payment_method_details": details,
        "receipt_email": Slot("receipt_email"),
        "receipt_number": None,
        # receipt: "KP" + the id's suffix, or a real-length token (generate.py)
        "receipt_url": ("https://pay.stripe.com/receipts/payment/CAcaFwoV"
                        + raw("acct_b64") + raw("receipt")),
        "refunded": False,
        # Embedded before 2022-11-15 (versions.py): "The 10 most recent
        # refunds are always available by default on the Charge object"
        # (stripe-node Refunds.ts, stripe-streams.md §2). "url" must stay
        # the last key: versions.render() cuts up to it.
        "refunds": {"object": "list", "data": [], "has_more": False,
                    "total_count": 0,
                    "url": "/v1/charges/" + prefix + raw("sfx") + "/refunds"},
        "review": None,
        "shipping": None,
        "source_transfer": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": Slot("status"),
        "transfer_data": None,
        "transfer_group": None,
        "source": None,
    }


# Charge templates by (sepa, captured): a captured charge has a balance
# transaction "txn_" + the id's last 24 characters (like pi_ ids).
CHARGE_TEMPLATES = {
    (False, False): Template(_charge("ch_", _card_details(), False)),
    (False, True): Template(_charge("ch_", _card_details(), True)),
    (True, False): Template(_charge("py_", _sepa_details(), False)),
    (True, True): Template(_charge("py_", _sepa_details(), True)),
}

PAYOUT = Template({
    "id": "po_" + raw("sfx"),
    "object": "payout",
    "amount": Slot("amount"),
    "application_fee": None,
    "application_fee_amount": None,
    "arrival_date": Slot("arrival_date"),
    "automatic": Slot("automatic"),
    "balance_transaction": "txn_" + raw("sfx"),
    "created": Slot("created"),
    "currency": Slot("currency"),
    "description": Slot("description"),
    "destination": Slot("destination"),
    "failure_balance_transaction": None,
    "failure_code": None,
    "failure_message": None,
    "livemode": Slot("livemode"),
    "metadata": Slot("metadata"),
    "method": Slot("method"),
    "original_payout": None,
    "reconciliation_status": Slot("reconciliation_status"),
    "reversed_by": None,
    "source_type": "card",
    "statement_descriptor": None,
    "status": Slot("status"),
    "type": "bank_account",
    "trace_id": Slot("trace_id"),
    "payout_method": None,
})


def refund_dict(refund_id, charge, amount, created, status, bt_id):
    """A Refund of the charge dict 'charge'."""
    return {
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "balance_transaction": bt_id,
        "charge": charge["id"],
        "created": created,
        "currency": charge["currency"],
        "destination_details": {
            "card": {"type": "refund"},
            "type": "card",
        },
        "metadata": {},
        "payment_intent": charge["payment_intent"],
        "reason": "requested_by_customer",
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": status,
        "transfer_reversal": None,
        "customer": charge["customer"],
        "customer_account": None,
        "payment_method": charge["payment_method"],
    }


_EVIDENCE_FIELDS = (
    "access_activity_log", "billing_address", "cancellation_policy",
    "cancellation_policy_disclosure", "cancellation_rebuttal",
    "customer_communication", "customer_email_address", "customer_name",
    "customer_purchase_ip", "customer_signature",
    "duplicate_charge_documentation", "duplicate_charge_explanation",
    "duplicate_charge_id", "product_description", "receipt",
    "refund_policy", "refund_policy_disclosure",
    "refund_refusal_explanation", "service_date", "service_documentation",
    "shipping_address", "shipping_carrier", "shipping_date",
    "shipping_documentation", "shipping_tracking_number",
    "uncategorized_file", "uncategorized_text")


def dispute_dict(dispute_id, charge, created, reason):
    """A Dispute of the charge dict 'charge' (as in charge.dispute.*)."""
    evidence = {name: None for name in _EVIDENCE_FIELDS}
    evidence["enhanced_evidence"] = {}
    card = charge["payment_method_details"].get("card") or {}
    return {
        "id": dispute_id,
        "object": "dispute",
        "amount": charge["amount_captured"] - charge["amount_refunded"],
        "balance_transactions": [],
        "charge": charge["id"],
        "created": created,
        "currency": charge["currency"],
        "evidence": evidence,
        "evidence_details": {"due_by": created + 14 * 86400 - 1,
                             "has_evidence": False, "past_due": False,
                             "submission_count": 0,
                             "enhanced_eligibility": {}},
        "is_charge_refundable": False,
        "livemode": charge["livemode"],
        "metadata": {},
        "payment_intent": charge["payment_intent"],
        "payment_method_details": {
            "card": {"brand": card.get("brand", "visa"),
                     "case_type": "chargeback",
                     "network_reason_code": "10.4",
                     "network": card.get("network", "visa")},
            "type": "card",
        },
        "reason": reason,
        "status": "needs_response",
        "enhanced_eligibility_types": [],
    }


_EVENT_FMT = ('{"id":"%s","object":"event",%s"api_version":%s,"created":%d,'
              '"data":{"object":%s%s},"livemode":%s,"pending_webhooks":%d,'
              '"request":%s,"type":"%s"}')


_API_REQUEST_FMT = '{"id":"req_%s","idempotency_key":"%s"}'


def event_json(ev, object_json):
    """The JSON text of Event ev whose data.object is object_json (already
    rendered at the event's version ev.ver).

    ev.request is the request JSON text, or None for an API request whose
    id and idempotency key are derived from the event id (saves memory).
    """
    prev = ev.previous
    prev_part = ',"previous_attributes":' + prev if prev is not None else ""
    request = ev.request
    if request is None:
        request = _API_REQUEST_FMT % (ev.id[-14:], "double-" + ev.id[4:])
    ledger = ev.ledger
    return _EVENT_FMT % (ev.id, ledger.account_part, ev.ver.json,
                         ev.created, object_json, prev_part, ledger.livemode,
                         ev.pending_webhooks, request, ev.type)
