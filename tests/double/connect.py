"""Connect: the platform's connected accounts (issue 15).

- `GET /v1/accounts`, for the platform only (no Stripe-Account, or the
  platform's own): "Returns a list of accounts connected to your platform
  via Connect. If you're not a platform, the list is empty"
  (https://docs.stripe.com/api/accounts/list; stripe-streams.md §8).
  Newest first by `created` ("Time at which the account was connected"),
  then by id; `created` filters, `limit` 1..100, `starting_after` /
  `ending_before`, like every other list (listing.py).
- Revoking: "a connected account can disconnect from your platform at any
  time ... you'll get an account.application.deauthorized webhook"
  (https://docs.stripe.com/connect/webhooks;
  https://docs.stripe.com/connect/oauth-reference, access_token: "may be
  revoked by the user at any time"). Afterwards a request with its
  Stripe-Account is refused with 403 `account_invalid` ("The provided key
  ... does not have access to account ... Application access may have been
  revoked", the message of auth.py), and the account is no longer listed
  (it is no longer connected).
- `POST /_double/connect` creates connected accounts, each with a small
  dataset of its own, and revokes them (control.py, README.md).
"""

import copy
import json
import os

import listing
from errors import ApiError

HERE = os.path.dirname(os.path.abspath(__file__))
DAY = 86400
TYPES = ("standard", "express", "custom")

with open(os.path.join(HERE, "stripe-objects", "account.json")) as _f:
    _TEMPLATE = json.load(_f)


def account_id(n):
    """The id of the n-th connected account (1-based)."""
    return "acct_1DoubleConn%06d" % n


class AccountMeta:
    """What the double knows of one connected account."""

    def __init__(self, acct, created, kind, n):
        self.id = acct
        self.created = created
        self.type = kind
        # deterministic variety: one in five cannot charge yet, one in
        # seven cannot be paid out
        self.charges_enabled = n % 5 != 0
        self.payouts_enabled = n % 7 != 0
        self.revoked_at = None

    def json(self):
        doc = copy.deepcopy(_TEMPLATE)
        doc.update(id=self.id, created=self.created, type=self.type,
                   charges_enabled=self.charges_enabled,
                   payouts_enabled=self.payouts_enabled,
                   details_submitted=self.charges_enabled,
                   email="owner@%s.example" % self.id.lower())
        doc["controller"] = {"type": "application" if self.type != "standard"
                             else "account"}
        doc["external_accounts"]["url"] = (
            "/v1/accounts/%s/external_accounts" % self.id)
        ordered = {"id": doc.pop("id"), "object": doc.pop("object")}
        ordered.update(doc)
        return json.dumps(ordered, separators=(",", ":"))


class Registry:
    """The connected accounts of the platform, in creation order."""

    def __init__(self, entries, start):
        """entries: the account entries of the configuration after the
        platform; an entry's 'created' and 'type' are optional (default:
        the n-th connected DAY * (count - n + 1) before start, so later
        accounts are newer, and the types in turn)."""
        self.metas = {}
        self.order = []
        count = len(entries)
        for n, entry in enumerate(entries, 1):
            created = int(entry.get("created", start - DAY * (count - n + 1)))
            kind = entry.get("type", TYPES[(n - 1) % len(TYPES)])
            if kind not in TYPES:
                raise ValueError("account type must be one of %s, not %r"
                                 % ("/".join(TYPES), kind))
            self.add(AccountMeta(entry["id"], created, kind, n))

    def add(self, meta):
        self.metas[meta.id] = meta
        self.order.append(meta)

    def revoked(self, acct):
        meta = self.metas.get(acct)
        return meta is not None and meta.revoked_at is not None

    def listed(self):
        """The connected accounts a list shows, oldest first."""
        return sorted((m for m in self.order if m.revoked_at is None),
                      key=lambda m: (m.created, m.id))

    def describe(self):
        return {"accounts": [
            {"id": m.id, "created": m.created, "type": m.type,
             "charges_enabled": m.charges_enabled,
             "payouts_enabled": m.payouts_enabled,
             "revoked_at": m.revoked_at} for m in self.order]}


def list_accounts(registry, query, path):
    """The JSON bytes of GET /v1/accounts for the platform."""
    q = _parse(query)
    items = registry.listed()
    lo_c, hi_c, _ = q.ranges.get("created", (None, None, None))
    items = [m for m in items if (lo_c is None or m.created >= lo_c) and
             (hi_c is None or m.created <= hi_c)]
    ids = [m.id for m in items]
    lo, hi = 0, len(items)
    for name in ("starting_after", "ending_before"):
        cursor = getattr(q, name)
        if cursor is None:
            continue
        if cursor not in ids:
            raise ApiError(404, "No such account: '%s'" % cursor,
                           param=name, code="resource_missing")
        i = ids.index(cursor)
        if name == "starting_after":
            hi = i
        else:
            lo = i + 1
    if q.ending_before is not None:
        page = items[lo:hi][:q.limit]
        has_more = hi - lo > q.limit
        page.reverse()
    else:
        window = items[lo:hi]
        page = window[::-1][:q.limit]
        has_more = len(window) > q.limit
    body = '{"object":"list","data":[%s],"has_more":%s,"url":"%s"}' % (
        ",".join(m.json() for m in page), "true" if has_more else "false",
        path)
    return body.encode("utf-8")


def _parse(query):
    q = listing.ListQuery()
    for key, value in listing.parse_pairs(query):
        m = listing._KEY_RE.match(key)
        if not m:
            raise listing._unknown(key)
        name, sub = m.group(1), m.group(2)
        if name == "created" and (sub is None or sub in listing.RANGE_OPS):
            listing._apply_range(q, name, sub, value, key)
        elif name == "expand" and listing._is_array_index(sub):
            continue
        elif sub is not None:
            raise listing._unknown(key)
        elif name == "limit":
            q.limit = listing._int(value, "limit")
        elif name in ("starting_after", "ending_before"):
            setattr(q, name, listing._nonempty(value, name))
        else:
            raise listing._unknown(key)
    listing._check(q, "accounts")
    return q
