"""Stripe API versions and the object shapes they give.

Every account has a default API version; an event keeps the version of its
account at the event's creation, and list and retrieve answers are rendered
at the request's Stripe-Version (reference/stripe-api.md §9.1):

  "Each event data is rendered according to Stripe API version at its
  creation time, specified in event object api_version attribute (not
  according to your current Stripe API version or Stripe-Version header)."
  (stripe-node src/resources/Events.ts; GET /v1/events)
  "The contents of `data` never change" (Event.api_version, same file)
  "Requests made with curl use your Stripe account's default API version
  ... unless you override it by setting the `Stripe-Version` header."
  (docs.stripe.com/api/versioning, stripe-api.md §4)
  "Connected accounts keep their own default version, often an old one."
  (stripe-api.md §9.1)

The store keeps one canonical JSON text per state of an object: the shape
of the versions in [2017-04-06, 2022-11-15), i.e. a charge with its embedded
`refunds` list and an `invoice` field. render() cuts it down to another
version's shape. Versions compare by their date prefix (YYYY-MM-DD); a
version is mapped to an "era", the range between two shape changes.
"""

import bisect
import functools
import re

from shapes import dumps

# 2017-04-06: "/v1/transfers also meant payouts; split into /v1/payouts +
# /v1/transfers. This is a versioned change" (docs.stripe.com/
# transfer-payout-split; stripe-streams.md §7); "on older versions
# `payout.*` events carry "object": "transfer"; tap-stripe maps payouts to
# objects ['transfer','payout']" (stripe-api.md §9.1).
PAYOUTS_SPLIT = "2017-04-06"
# 2022-11-15: "The `Charge` object no longer auto-expands refunds"
# (docs.stripe.com/changelog/2022-11-15/deprecates-charges-auto-expand,
# stripe-streams.md §2 and §5).
REFUNDS_NOT_EMBEDDED = "2022-11-15"
# 2025-03-31.basil: "Charge/PaymentIntent lose `invoice`" (stripe-node
# CHANGELOG 18.0.0, stripe-streams.md §7; stripe-api.md §9.1).
BASIL = "2025-03-31"
ERA_STARTS = (PAYOUTS_SPLIT, REFUNDS_NOT_EMBEDDED, BASIL)
CANONICAL_ERA = 1        # the shape the store keeps
# The version stripe-reader pins (profiles/profile.h) and the default of
# GET /_double/truth.
PINNED = "2024-06-20"
PLATFORM_DEFAULT = "2024-06-20"
OLD_CONNECTED_DEFAULT = "2020-08-27"

_VERSION_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(\.[a-z]+)?$")

# Pieces of canonical JSON text that render() cuts or rewrites. They are
# unambiguous: the store writes these keys itself (compact JSON, our key
# order), and inside a JSON string a '"' is always escaped.
_REFUNDS_START = ',"refunds":{"object":"list","data":['
_REFUNDS_END = '/refunds"}'        # end of the list's "url", its last key
_INVOICE = ',"invoice":null'
_PAYOUT_OBJECT = '","object":"payout",'
_TRANSFER_OBJECT = '","object":"transfer",'


def valid(name):
    """Whether name looks like a Stripe API version (2024-06-20,
    2025-03-31.basil)."""
    return isinstance(name, str) and bool(_VERSION_RE.match(name))


def era_of(name):
    """0: before 2017-04-06, 1: before 2022-11-15, 2: before 2025-03-31,
    3: later."""
    return bisect.bisect_right(ERA_STARTS, name[:10])


class Version:
    """A version name, its JSON text and its era (shared, immutable)."""

    __slots__ = ("name", "json", "era")

    def __init__(self, name):
        self.name = name
        self.json = dumps(name)
        self.era = era_of(name)


# id prefix (3 characters after '{"id":"') -> function(text, era) giving the
# JSON text of an object whose canonical shape is not the one above
# (invoices and subscriptions, billing_shapes.py).
SHAPERS = {}


@functools.cache
def version(name):
    """The shared Version of name (which must be valid())."""
    return Version(name)


def render(text, era):
    """The canonical JSON text of a charge or payout, at era's shape.
    Other objects (refunds, disputes) have the same shape at every era
    modelled here and are returned as they are."""
    prefix = text[7:10]             # after '{"id":"'
    if SHAPERS and prefix in SHAPERS:
        return SHAPERS[prefix](text, era)
    if era == CANONICAL_ERA:
        return text
    if prefix == "ch_" or prefix == "py_":
        if era > CANONICAL_ERA:
            start = text.find(_REFUNDS_START)
            if start >= 0:
                end = text.find(_REFUNDS_END, start) + len(_REFUNDS_END)
                text = text[:start] + text[end:]
        if era > 2:
            text = text.replace(_INVOICE, "", 1)
    elif prefix == "po_" and era < CANONICAL_ERA:
        text = text.replace(_PAYOUT_OBJECT, _TRANSFER_OBJECT, 1)
    return text
