"""List and retrieve semantics of /v1/charges, /v1/payouts and /v1/events.

Parameters are validated like Stripe validates them (400 with 'param'), and
a page is found with a bisect on the (created, id)-sorted table plus a walk
of at most 'limit + 1' matching items (more only when filters skip items).
"""

import re
from urllib.parse import parse_qsl

from errors import ApiError

RANGE_OPS = ("gt", "gte", "lt", "lte")
PAYOUT_STATUSES = ("pending", "paid", "failed", "canceled", "in_transit")
NOUN = {"charges": "charge", "payouts": "payout", "events": "event",
        "refunds": "refund", "disputes": "dispute"}
_KEY_RE = re.compile(r"([a-z_]+)(?:\[([a-z0-9_]*)\])?$")
_INT_RE = re.compile(r"-?[0-9]+$")

# Per endpoint: scalar filters, range filters and array parameters.
SPECS = {
    "charges": (("customer", "payment_intent", "transfer_group"),
                ("created",), ()),
    "payouts": (("status", "destination"), ("created", "arrival_date"), ()),
    "events": (("type", "delivery_success"), ("created",), ("types",)),
}
COMMON_SCALARS = ("limit", "starting_after", "ending_before")
# resource -> function(q, ledger, store, now) giving the filter predicate
# of a stream served by streams.py (which also adds its SPECS and NOUN)
PREDICATES = {}


class ListQuery:
    """A validated list request."""

    def __init__(self):
        self.limit = 10
        self.starting_after = None
        self.ending_before = None
        self.ranges = {}      # name -> [lo, hi, ops]: inclusive bounds
        #                      (None: open) and the operators seen
        self.filters = {}     # scalar filters
        self.types = []
        self.arrays = {}      # other array parameters: name -> [values]


def parse_pairs(query):
    return parse_qsl(query, keep_blank_values=True)


def _int(value, param):
    if not _INT_RE.match(value):
        raise ApiError(400, "Invalid integer: %s" % value, param=param,
                       code="parameter_invalid_integer")
    return int(value)


def _nonempty(value, param):
    if value == "":
        raise ApiError(
            400, "You passed an empty string for '%s'. We assume empty "
            "values are an attempt to unset a parameter; however '%s' "
            "cannot be unset. You should remove '%s' from your request or "
            "supply a non-empty value." % (param, param, param),
            param=param, code="parameter_invalid_empty")
    return value


def _unknown(key):
    return ApiError(400, "Received unknown parameter: %s" % key, param=key,
                    code="parameter_unknown")


def _apply_range(q, name, op, value, key):
    bounds = q.ranges.setdefault(name, [None, None, set()])
    n = _int(value, key)
    bounds[2].add(op or "eq")
    if "eq" in bounds[2] and len(bounds[2]) > 1:
        raise ApiError(400, "You may only specify one of these parameters: "
                       "%s, %s[gt|gte|lt|lte]." % (name, name), param=name)
    lo, hi = {"gt": (n + 1, None), "gte": (n, None), "lt": (None, n - 1),
              "lte": (None, n), None: (n, n)}[op]
    if lo is not None:
        bounds[0] = lo if bounds[0] is None else max(bounds[0], lo)
    if hi is not None:
        bounds[1] = hi if bounds[1] is None else min(bounds[1], hi)


def _is_array_index(sub):
    """'types[]' and 'types[3]' are array elements."""
    return sub is not None and (sub == "" or sub.isdigit())


def parse_list(resource, query):
    """A ListQuery from the raw query string, or raises ApiError(400)."""
    scalars, ranges, arrays = SPECS[resource]
    q = ListQuery()
    for key, value in parse_pairs(query):
        m = _KEY_RE.match(key)
        if not m:
            raise _unknown(key)
        name, sub = m.group(1), m.group(2)
        if name in ranges and (sub is None or sub in RANGE_OPS):
            _apply_range(q, name, sub, value, key)
        elif name in arrays + ("expand",) and _is_array_index(sub):
            if name == "types":
                q.types.append(_nonempty(value, key))
            elif name != "expand":
                q.arrays.setdefault(name, []).append(_nonempty(value, key))
        elif sub is not None and key in scalars:    # recurring[interval]
            q.filters[key] = _nonempty(value, key)
        elif sub is not None:
            raise _unknown(key)
        elif name == "limit":
            q.limit = _int(value, "limit")
        elif name in ("starting_after", "ending_before"):
            setattr(q, name, _nonempty(value, name))
        elif name in scalars:
            q.filters[name] = _nonempty(value, name)
        else:
            raise _unknown(key)
    _check(q, resource)
    return q


def _check(q, resource):
    if q.limit < 1:
        raise ApiError(400, "This value must be greater than or equal to 1.",
                       param="limit", code="parameter_invalid_integer")
    if q.limit > 100:
        raise ApiError(400, "This value must be less than or equal to 100 "
                       "(it currently is '%d')." % q.limit, param="limit",
                       code="parameter_invalid_integer")
    if q.starting_after is not None and q.ending_before is not None:
        raise ApiError(400, "You may only specify one of these parameters: "
                       "ending_before, starting_after.",
                       param="ending_before")
    if "type" in q.filters and q.types:
        raise ApiError(400, "You may only specify one of these parameters: "
                       "type, types.", param="types")
    if len(q.types) > 20:
        raise ApiError(400, "You can only pass up to 20 types.",
                       param="types")
    status = q.filters.get("status")
    if resource == "payouts" and status and status not in PAYOUT_STATUSES:
        raise ApiError(400, "Invalid status: must be one of pending, paid, "
                       "failed, canceled, or in_transit", param="status")
    ds = q.filters.get("delivery_success")
    if ds is not None and ds not in ("true", "false"):
        raise ApiError(400, "Invalid boolean: %s" % ds,
                       param="delivery_success")


def check_retrieve_params(query):
    """Retrieve endpoints accept only expand[]."""
    for key, _ in parse_pairs(query):
        m = _KEY_RE.match(key)
        if not m or m.group(1) != "expand":
            raise _unknown(key)


def _type_matcher(pattern):
    if pattern.endswith("*"):
        prefix = pattern[:-1]
        return lambda t: t.startswith(prefix)
    return lambda t: t == pattern


def _predicate(resource, q, ledger, store, now):
    """A function item -> bool for the query's filters, or None."""
    if resource in PREDICATES:
        return PREDICATES[resource](q, ledger, store, now)
    tests = []
    f = q.filters
    if resource == "charges":
        if "customer" in f:
            tests.append(lambda it, v=f["customer"]: it.customer == v)
        if "payment_intent" in f:
            pi = f["payment_intent"]
            tests.append(lambda it: "pi_" + it.id[3:] == pi)
        if "transfer_group" in f:
            tests.append(lambda it: False)
    elif resource == "payouts":
        if "status" in f:
            # the status reads show now (eventual consistency, model.py)
            tests.append(lambda it, v=f["status"]: (
                it.status if it.hist is None
                else store.shown_status(it, now)) == v)
        if "destination" in f:
            ok = f["destination"] == ledger.gen.destination[1:-1]
            tests.append(lambda it: ok)
        if "arrival_date" in q.ranges:
            lo, hi, _ = q.ranges["arrival_date"]
            tests.append(lambda it: (lo is None or it.arrival_date >= lo)
                         and (hi is None or it.arrival_date <= hi))
    else:
        if q.types:
            wanted = set(q.types)
            tests.append(lambda it: it.type in wanted)
        if "type" in f:
            match = _type_matcher(f["type"])
            tests.append(lambda it: match(it.type))
        if "delivery_success" in f:
            want = f["delivery_success"] == "true"
            tests.append(lambda it: (it.pending_webhooks == 0) == want)
    if not tests:
        return None
    if len(tests) == 1:
        return tests[0]
    return lambda it: all(t(it) for t in tests)


def find_cursor(store, ledger, resource, cursor, param, now=None):
    """The table index of the cursor object, or raises 404 (unknown) or
    400 (deleted, see deleted_cursor)."""
    item = store.lookup(cursor)
    table = ledger.tables[resource]
    i = table.index_of(item) if item is not None and \
        item.ledger is ledger else -1
    if i < 0:
        raise ApiError(404, "No such %s: '%s'" % (NOUN[resource], cursor),
                       param=param, code="resource_missing")
    if now is not None and getattr(item, "deleted_at", None) is not None \
            and item.deleted_at <= now:
        raise deleted_cursor(NOUN[resource], cursor, param)
    return i


def deleted_cursor(noun, cursor, param):
    """A cursor naming an object deleted since: "Stripe then refuses
    `starting_after` with 400 `resource_missing`" (issue 14); tap-stripe
    patches ListObject.list because paging with starting_after=<deleted
    line id> "returns 400 'No such invoice item'" (stripe-streams.md §5,
    singer-io/tap-stripe); dj-stripe#1799 shows the same message for a
    line cursor Stripe does not know. That an unknown cursor is a 404
    while a deleted one is a 400 is this double's (rougher) choice."""
    return ApiError(400, "No such %s: '%s'" % (noun, cursor), param=param,
                    code="resource_missing")


def run_list(store, ledger, resource, q, now):
    """(items newest first, has_more) for ListQuery q at second now."""
    table = ledger.tables[resource]
    lo_c, hi_c, _ = q.ranges.get("created", (None, None, None))
    lo_c = -2 ** 62 if lo_c is None else lo_c
    hi_c = now if hi_c is None else min(hi_c, now)
    if resource == "events":
        lo_c = max(lo_c, store.retention_floor(now))
    if lo_c > hi_c:
        lo, hi = 0, 0
    else:
        lo, hi = table.bounds(lo_c, hi_c)
    if q.starting_after is not None:
        hi = min(hi, find_cursor(store, ledger, resource, q.starting_after,
                                 "starting_after", now))
    if q.ending_before is not None:
        lo = max(lo, find_cursor(store, ledger, resource, q.ending_before,
                                 "ending_before", now) + 1)
    pred = _predicate(resource, q, ledger, store, now)
    if q.ending_before is not None:
        indices = range(lo, hi)
    else:
        indices = range(hi - 1, lo - 1, -1)
    picked, has_more = _walk(store, table.items, indices, pred, q.limit, now)
    if q.ending_before is not None:
        picked.reverse()
    return picked, has_more


def _walk(store, items, indices, pred, limit, now):
    """Up to limit matching, visible items along indices; has_more tells
    whether one more exists."""
    horizon = store.horizon()
    young = now - horizon
    picked = []
    for i in indices:
        item = items[i]
        if horizon and item.created > young and not store.visible(item, now):
            continue
        if pred is not None and not pred(item):
            continue
        if len(picked) == limit:
            return picked, True
        picked.append(item)
    return picked, False


def list_bytes(store, items, has_more, url, era, now):
    """The list envelope (UTF-8 bytes) with the items' JSON (at era's
    shape, as reads show them at second now) joined in."""
    item_bytes = store.item_bytes
    return b"".join((
        b'{"object":"list","data":[',
        b",".join([item_bytes(it, era, now) for it in items]),
        b'],"has_more":true,"url":"' if has_more
        else b'],"has_more":false,"url":"',
        url.encode("utf-8"), b'"}'))


def retrieve(store, ledger, resource, item_id, now, era):
    """The item's JSON (bytes) at era's shape, or raises 404 like
    Stripe."""
    item = store.lookup(item_id)
    ok = (item is not None and item.ledger is ledger
          and item.resource == resource and item.created <= now)
    if ok and resource == "events":
        ok = item.created >= store.retention_floor(now)
    if not ok:
        raise ApiError(404, "No such %s: '%s'" % (NOUN[resource], item_id),
                       param="id", code="resource_missing")
    return store.item_bytes(item, era, now)
