"""What the writers of the issue-14 streams share (billing.py,
payments.py): making, changing and deleting Docs, emitting their events
and noting each change for the consistency lag (model.Store.changed).

Every writer works at second t for one ledger (caller holds store.lock);
the dataset builder calls the same methods with past times (bulk), the
control API at the double's clock.
"""

import calendar
import datetime
import json

from ids import rand_alnum
from model import API_REQUEST, Doc
from mutations import OpError  # noqa: F401 (re-exported to the writers)
from shapes import dumps


def add_month(ts, months=1):
    """The same day and time `months` calendar months later (UTC), as
    Stripe bills a monthly price; the day is clamped to the month's end."""
    d = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    month = d.month - 1 + months
    year, month = d.year + month // 12, month % 12 + 1
    day = min(d.day, calendar.monthrange(year, month)[1])
    return int(d.replace(year=year, month=month, day=day).timestamp())


class AnyOf(frozenset):
    """A filter value matching any of several ids (a subscription's
    `price` / `plan` filter matches any of its items)."""

    def __eq__(self, other):
        return other in self

    __hash__ = frozenset.__hash__


class Books:
    """Helpers of the issue-14 writers."""

    def __init__(self, store):
        self.store = store

    # -- ids --------------------------------------------------------------

    def new_id(self, ledger, prefix, t):
        return self.store.new_id(ledger, prefix, t)

    def short_id(self, prefix, rng):
        """cus_, prod_, si_: prefix + 14 characters, as in the fixtures."""
        while True:
            item_id = "%s_%s" % (prefix, rand_alnum(rng, 14))
            if self.store.lookup(item_id) is None:
                return item_id

    # -- objects ------------------------------------------------------------

    def new(self, ledger, resource, obj, status, attrs, created=None,
            cls=Doc, parent=None):
        """Register a new Doc of resource with the dict obj."""
        doc = cls(obj["id"], obj["created"] if created is None else created,
                  resource, dumps(obj), status, parent)
        doc.attrs = attrs
        self.store.register(ledger, doc)
        return doc

    @staticmethod
    def obj(doc):
        return json.loads(doc.doc)

    @staticmethod
    def put(doc, obj, status=None):
        """Replace doc's state with the dict obj; returns its JSON text."""
        doc.doc = dumps(obj)
        if status is not None:
            doc.status = status
        doc.cached = None
        return doc.doc

    def emit(self, ledger, etype, t, snap, previous=None,
             request=API_REQUEST):
        """An event whose data.object is snap (a Doc: its current state;
        or JSON text / a dict)."""
        if isinstance(snap, Doc):
            snap = snap.doc
        elif isinstance(snap, dict):
            snap = dumps(snap)
        if isinstance(previous, dict):
            previous = dumps(previous)
        return self.store.emit(ledger, etype, t, snap, previous, request)

    def changed(self, doc, before, t, events):
        """Note the change of doc at t (consistency lag); the first event,
        or the doc and t when the change has no event, seeds the lag."""
        key = events[0].id if events else "%s/%d" % (doc.id, t)
        self.store.changed(doc, before, t, key)

    def change(self, doc, t, fn, status=None):
        """Apply fn(obj) -> (events factory) to doc's dict: fn edits obj
        in place and returns a function of the new JSON text giving the
        events. Notes the change for the consistency lag."""
        before = doc.state()
        obj = self.obj(doc)
        emit_all = fn(obj)
        self.put(doc, obj, status)
        events = emit_all(doc.doc) if emit_all else []
        self.changed(doc, before, t, events)
        return events

    def update(self, doc, t, rng, args, etype, touch=None):
        """A metadata / description (...) change of doc: etype with
        previous_attributes; touch(obj) may edit more."""
        def edit(obj):
            previous = self.metadata_change(obj, args, rng)
            if touch is not None:
                touch(obj)
            return lambda snap: [self.emit(doc.ledger, etype, t, snap,
                                           previous)]
        return self.change(doc, t, edit)

    @staticmethod
    def delete(doc, t):
        doc.deleted_at = t

    def live(self, ledger, resource, t, test=None):
        """The objects of a ledger's table, created <= t, not deleted,
        that pass test."""
        return [d for d in ledger.tables[resource].items
                if d.created <= t and not d.deleted(t)
                and (test is None or test(d))]

    @staticmethod
    def metadata_change(obj, args, rng):
        """Apply args' 'description' / 'metadata' (or a random one) to
        obj; returns previous_attributes. A metadata value of "" or null
        removes the key (as mutations.update)."""
        changes = {k: args[k] for k in ("description", "metadata", "memo",
                                         "nickname", "name", "email")
                   if k in args and k in obj}
        if not changes:
            changes = {"metadata": {"double_note": "rev-%d"
                                    % rng.randrange(10000)}}
        previous = {}
        for key, value in changes.items():
            if key == "metadata":
                meta = obj["metadata"] or {}
                previous["metadata"] = {k: meta.get(k) for k in value}
                for k, v in value.items():
                    if v in ("", None):
                        meta.pop(k, None)
                    else:
                        meta[k] = str(v)
                obj["metadata"] = meta
            else:
                previous[key] = obj[key]
                obj[key] = value
        return previous
