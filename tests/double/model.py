"""In-memory store of the double: objects, sorted tables, ledgers.

Every (account, mode) pair has a Ledger with three Tables (charges, payouts,
events). A Table keeps its items sorted by (created, id) ascending, so a list
request is a bisect plus a short walk. Charges and payouts keep the
parameters of their creation-time template (cheap to keep, fast to render)
and, once mutated, the JSON text of their current state in 'doc'.
"""

import bisect
import collections
import json
import threading
import zlib

from shapes import dumps, event_json
from versions import CANONICAL_ERA, render, version

NULL_REQUEST = '{"id":null,"idempotency_key":null}'
API_REQUEST = None   # Event.request for a derived API request id
RESOURCES = ("charges", "payouts", "events")
N_ERAS = 4               # versions.era_of() values


class Item:
    """Something with an id and a created second, owned by a Ledger."""

    __slots__ = ("id", "created", "lagged", "ledger", "cached")
    resource = None
    versioned = False     # whether its shape depends on the API version

    def __init__(self, item_id, created):
        self.id = item_id
        self.created = created
        self.lagged = False
        self.ledger = None
        self.cached = None    # [UTF-8 JSON bytes per era], Store.item_bytes

    def render(self, era):
        """JSON text at the shape of era (versions.era_of)."""
        return self.json()


class Record(Item):
    """A charge or payout: template parameters plus optional current doc.
    Its JSON texts are canonical (versions.py) and rendered per era."""

    __slots__ = ("tmpl", "params", "doc")
    versioned = True

    def __init__(self, item_id, created, tmpl, params):
        Item.__init__(self, item_id, created)
        self.tmpl = tmpl
        self.params = params
        self.doc = None

    def json(self):
        """JSON text of the current state."""
        if self.doc is not None:
            return self.doc
        return self.tmpl.fmt % self.params

    def initial_json(self):
        """JSON text of the state at creation."""
        return self.tmpl.fmt % self.params

    def render(self, era):
        return render(self.json(), era)

    def to_dict(self):
        return json.loads(self.json())

    def set_dict(self, obj):
        """Replace the current state; returns its JSON text."""
        self.doc = dumps(obj)
        self.cached = None
        return self.doc


class Charge(Record):
    """A charge; the extra slots mirror its state for filters and for
    choosing mutations without parsing JSON. 'refunds' is None or the list
    of its refund Docs, oldest first."""

    __slots__ = ("customer", "status", "captured", "disputed", "refundable",
                 "refunds")
    resource = "charges"

    def sync(self, obj):
        """Refresh the mirrored fields from the charge dict obj."""
        self.status = obj["status"]
        self.captured = obj["captured"]
        self.disputed = obj["disputed"]
        self.refundable = (obj["amount_captured"] - obj["amount_refunded"]
                           if obj["status"] == "succeeded" else 0)


class Payout(Record):
    __slots__ = ("status", "arrival_date")
    resource = "payouts"


class Doc(Item):
    """A refund or dispute: its current JSON text and status; 'parent' is
    the charge it belongs to."""

    __slots__ = ("doc", "resource", "status", "parent")

    def __init__(self, item_id, created, resource, doc, status, parent):
        Item.__init__(self, item_id, created)
        self.resource = resource
        self.doc = doc
        self.status = status
        self.parent = parent

    def set_doc(self, obj):
        """Replace the current state with the dict obj; returns its JSON
        text."""
        self.doc = dumps(obj)
        self.status = obj["status"]
        self.cached = None
        return self.doc

    def json(self):
        return self.doc


class Event(Item):
    """An event; data.object is 'snap' (canonical JSON text, or a Record
    meaning the Record's creation-time state), rendered at 'ver', the
    account's API version when the event was created."""

    __slots__ = ("type", "snap", "previous", "request", "pending_webhooks",
                 "ver")
    resource = "events"

    def json(self):
        snap = self.snap
        if not isinstance(snap, str):
            snap = snap.initial_json()
        return event_json(self, render(snap, self.ver.era))


def sort_key(item):
    return (item.created, item.id)


class Table:
    """Items sorted by (created, id) ascending."""

    def __init__(self):
        self.items = []

    def __len__(self):
        return len(self.items)

    def add(self, item):
        items = self.items
        if not items or sort_key(item) > sort_key(items[-1]):
            items.append(item)
        else:
            items.insert(bisect.bisect_left(items, sort_key(item),
                                            key=sort_key), item)

    def add_unsorted(self, item):
        """Append during bulk generation; call resort() afterwards."""
        self.items.append(item)

    def resort(self):
        self.items.sort(key=sort_key)

    def index_of(self, item):
        i = bisect.bisect_left(self.items, sort_key(item), key=sort_key)
        if i < len(self.items) and self.items[i] is item:
            return i
        return -1

    def bounds(self, lo_created, hi_created):
        """Index range [lo, hi) of items with lo_created <= created <=
        hi_created."""
        created = _created
        lo = bisect.bisect_left(self.items, lo_created, key=created)
        hi = bisect.bisect_left(self.items, hi_created + 1, key=created)
        return lo, hi


def _created(item):
    return item.created


class Ledger:
    """The data of one account in one mode."""

    def __init__(self, account, mode, platform, api_version):
        self.account = account
        self.mode = mode
        self.is_platform = account == platform
        self.livemode = "true" if mode == "live" else "false"
        self.account_part = ("" if self.is_platform
                             else '"account":"%s",' % account)
        self.version = version(api_version)   # the account's default
        self.tables = {name: Table() for name in RESOURCES}
        self.gen = None      # generate.LedgerGen, set by the dataset builder
        self.ids = None      # ids.IdMaker for this ledger
        self.disorder_rng = None


class Settings:
    """Behaviour settings that may change at run time."""

    def __init__(self, cfg):
        self.visibility_lag = int(cfg.get("visibility_lag", 0))
        self.lag_fraction = float(cfg.get("visibility_lag_fraction", 1.0))
        self.retention_days = float(cfg.get("retention_days", 30))
        self.event_disorder = float(cfg.get("event_disorder", 0.0))


class Store:
    """All ledgers, the id index and the lock that guards them."""

    def __init__(self, accounts, modes, settings, cache_objects=50000,
                 versions=None):
        """versions: account -> its default API version name."""
        self.accounts = list(accounts)
        self.cache_limit = cache_objects
        self.cache_fifo = collections.deque()
        self.platform = self.accounts[0]
        self.modes = list(modes)
        self.settings = settings
        self.lock = threading.RLock()
        self.by_id = {}      # id -> Item
        self.bulk = False    # True while the dataset is generated
        self.ledgers = {}
        versions = versions or {}
        for account in self.accounts:
            for mode in ("test", "live"):
                self.ledgers[(account, mode)] = Ledger(
                    account, mode, self.platform,
                    versions.get(account, "2024-06-20"))

    def ledger(self, account, mode):
        return self.ledgers.get((account, mode))

    def account_version(self, account):
        """The account's default API version (a versions.Version)."""
        return self.ledgers[(account, "test")].version

    def set_account_version(self, account, name):
        """Change the account's default version (both modes). Events
        already created keep theirs."""
        for mode in ("test", "live"):
            self.ledgers[(account, mode)].version = version(name)

    def lookup(self, item_id):
        return self.by_id.get(item_id)

    def register(self, ledger, item):
        """Index item (and add it to its table for listed resources)."""
        item.ledger = ledger
        fraction = self.settings.lag_fraction
        if fraction >= 1.0:
            item.lagged = True
        elif fraction > 0.0:
            item.lagged = (zlib.crc32(item.id.encode()) % 10000
                           < fraction * 10000)
        self.by_id[item.id] = item
        table = ledger.tables.get(item.resource)
        if table is None:
            return
        if self.bulk:
            table.add_unsorted(item)
        else:
            table.add(item)

    def new_id(self, ledger, prefix, ts):
        item_id = ledger.ids.make(prefix, ts)
        while item_id in self.by_id:
            item_id = ledger.ids.make(prefix, ts)
        return item_id

    def emit(self, ledger, etype, ts, snap, previous=None,
             request=NULL_REQUEST):
        """Create and register an event of type etype at second ts."""
        id_ts = ts
        disorder = self.settings.event_disorder
        if disorder > 0 and ledger.disorder_rng.random() < disorder:
            id_ts = ts - ledger.disorder_rng.randint(1, 5)
        ev = Event(self.new_id(ledger, "evt", id_ts), ts)
        ev.type = etype
        ev.snap = snap
        ev.previous = previous
        ev.request = request
        ev.pending_webhooks = 1 if zlib.crc32(ev.id.encode()) % 50 == 0 else 0
        ev.ver = ledger.version
        self.register(ledger, ev)
        return ev

    def item_bytes(self, item, era=CANONICAL_ERA):
        """The item's JSON at era's shape as UTF-8 bytes, cached for the
        last cache_limit items used (caller holds the lock)."""
        if not item.versioned:
            era = 0
        cached = item.cached
        if cached is not None:
            data = cached[era]
            if data is not None:
                return data
        data = item.render(era).encode("utf-8")
        if self.cache_limit > 0:
            if cached is None:
                fifo = self.cache_fifo
                if len(fifo) >= self.cache_limit:
                    fifo.popleft().cached = None
                cached = item.cached = [None] * N_ERAS
                fifo.append(item)
            cached[era] = data
        return data

    def visible(self, item, now):
        """Whether a list would show item at second now."""
        if item.created > now:
            return False
        lag = self.settings.visibility_lag
        return not (lag and item.lagged and item.created + lag > now)

    def retention_floor(self, now):
        """Oldest event created second that is still kept."""
        return now - int(self.settings.retention_days * 86400)

    def finish_bulk(self):
        for ledger in self.ledgers.values():
            for table in ledger.tables.values():
                table.resort()
        self.bulk = False
