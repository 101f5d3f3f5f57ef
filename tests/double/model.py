"""In-memory store of the double: objects, sorted tables, ledgers.

Every (account, mode) pair has a Ledger with three Tables (charges, payouts,
events). A Table keeps its items sorted by (created, id) ascending, so a list
request is a bisect plus a short walk. Charges and payouts keep the
parameters of their creation-time template (cheap to keep, fast to render)
and, once mutated, the JSON text of their current state in 'doc'. Those
texts have the canonical shape of versions.py and are rendered per API
version on the way out. An object changed recently also keeps the states
reads may still show (Item.hist, eventual consistency).
"""

import bisect
import collections
import hashlib
import json
import threading
import zlib

from shapes import dumps, event_json
from versions import CANONICAL_ERA, render, version

NULL_REQUEST = '{"id":null,"idempotency_key":null}'
API_REQUEST = None   # Event.request for a derived API request id
RESOURCES = ("charges", "payouts", "events")
# The sorted tables of the streams of issue 14 (streams.py serves them);
# refunds and disputes fill theirs from the charges' history. The two
# sub-lists (invoice lines, subscription items) live in their parents.
STREAM_TABLES = ("balance_transactions", "refunds", "disputes", "customers",
                 "payment_intents", "invoices", "subscriptions", "products",
                 "prices", "transfers", "application_fees",
                 "checkout_sessions", "credit_notes")
N_ERAS = 4               # versions.era_of() values


class Item:
    """Something with an id and a created second, owned by a Ledger.

    'hist' is None, or the changes whose new state reads may still hide
    (see Store.changed): a list of (visible_at, state before the change),
    oldest change first.
    """

    __slots__ = ("id", "created", "lagged", "ledger", "cached", "hist")
    resource = None
    versioned = False     # whether its shape depends on the API version

    def __init__(self, item_id, created):
        self.id = item_id
        self.created = created
        self.lagged = False
        self.ledger = None
        self.cached = None    # [UTF-8 JSON bytes per era], Store.item_bytes
        self.hist = None

    def render(self, era):
        """JSON text at the shape of era (versions.era_of)."""
        return self.json()

    def state(self):
        """A token of the current state, for render_state()."""
        return (self.doc, self.status)

    def render_state(self, state, era):
        """JSON text of an earlier state() at era's shape."""
        return state[0]


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

    def render_state(self, state, era):
        doc = state[0]
        return render(doc if doc is not None else self.initial_json(), era)

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
    """An object kept as its current JSON text and status (refunds,
    disputes and the streams of streams.py); 'parent' is the charge of a
    refund or dispute, or the parent of a sub-list item. 'attrs' is None
    or a dict of the values list filters compare (billing.py); a deleted
    object keeps its last state and the second of its deletion in
    'deleted_at'."""

    __slots__ = ("doc", "resource", "status", "parent", "attrs",
                 "deleted_at")

    def __init__(self, item_id, created, resource, doc, status, parent):
        Item.__init__(self, item_id, created)
        self.resource = resource
        self.doc = doc
        self.status = status
        self.parent = parent
        self.attrs = None
        self.deleted_at = None

    def deleted(self, now):
        """Whether the object is deleted as of second now."""
        return self.deleted_at is not None and self.deleted_at <= now

    def set_doc(self, obj):
        """Replace the current state with the dict obj; returns its JSON
        text."""
        self.doc = dumps(obj)
        self.status = obj["status"]
        self.cached = None
        return self.doc

    def json(self):
        return self.doc


class VDoc(Doc):
    """A Doc whose shape depends on the API version (invoices and
    subscriptions: versions.SHAPERS)."""

    __slots__ = ()
    versioned = True

    def render(self, era):
        return render(self.doc, era)

    def render_state(self, state, era):
        return render(state[0], era)


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
        self.tables = {name: Table() for name in RESOURCES + STREAM_TABLES}
        self.gen = None      # generate.LedgerGen, set by the dataset builder
        self.billing = 0     # the issue-14 dataset size (billing_data.py)
        self.ids = None      # ids.IdMaker for this ledger
        self.disorder_rng = None


# The settings of the "rough" preset (the default) and of the smooth one
# ("rough": false, --smooth), for the keys not set explicitly.
ROUGH = {"consistency_lag": [1, 5], "late_fraction": 0.02}
SMOOTH = {"consistency_lag": [0, 0], "late_fraction": 0.0}


class Settings:
    """Behaviour settings that may change at run time."""

    def __init__(self, cfg):
        self.seed = cfg.get("seed", 1)
        self.visibility_lag = int(cfg.get("visibility_lag", 0))
        self.lag_fraction = float(cfg.get("visibility_lag_fraction", 1.0))
        self.retention_days = float(cfg.get("retention_days", 30))
        self.event_disorder = float(cfg.get("event_disorder", 0.0))
        self.consistency_lag = lag_range(cfg.get(
            "consistency_lag", ROUGH["consistency_lag"]))
        self.late_fraction = fraction(cfg.get("late_fraction",
                                              ROUGH["late_fraction"]))
        self.late_max = seconds(cfg.get("late_max", 300), "late_max")


def lag_range(value):
    """(min, max) whole seconds from [min, max]; raises ValueError."""
    if not isinstance(value, (list, tuple)) or len(value) != 2 or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0
            for v in value) or value[0] > value[1]:
        raise ValueError("consistency_lag must be [min, max] whole seconds, "
                         "0 <= min <= max, not %r" % (value,))
    return (value[0], value[1])


def fraction(value):
    """A number in [0, 1]; raises ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not 0 <= value <= 1:
        raise ValueError("late_fraction must be a number in [0, 1], not %r"
                         % (value,))
    return float(value)


def seconds(value, name):
    """Whole seconds >= 0; raises ValueError."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("%s must be whole seconds >= 0, not %r"
                         % (name, value))
    return value


def seeded_hash(seed, text):
    """A 64-bit hash of text keyed by the dataset seed."""
    return int.from_bytes(hashlib.blake2b(
        text.encode(), digest_size=8,
        key=str(seed).encode()[:64]).digest(), "big")


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
        self.pending = set()  # items whose 'hist' is not None
        self.by_id = {}      # id -> Item
        # None, or a function (ledger, event) called after every emit:
        # the derived objects of issue 14 (billing.Derived)
        self.observer = None
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

    def ledgers_by_account(self):
        return {account for account, _ in self.ledgers}

    def add_ledger(self, account, mode, api_version):
        """A new, empty ledger (a connected account created at run
        time, connect.py)."""
        ledger = Ledger(account, mode, self.platform, api_version)
        self.ledgers[(account, mode)] = ledger
        return ledger

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
        if self.observer is not None:
            self.observer(ledger, ev)
        return ev

    def item_bytes(self, item, era=CANONICAL_ERA, now=None):
        """The item's JSON at era's shape as UTF-8 bytes, as reads show it
        at second now (None: the current state); cached for the last
        cache_limit items used (caller holds the lock)."""
        if item.hist is not None and now is not None:
            state = self.shown_state(item, now)
            if state is not None:
                return item.render_state(state, era).encode("utf-8")
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

    # -- eventual consistency of reads ------------------------------------
    #
    # "Lists and retrieves are eventually consistent. An event is stamped
    # when the change is made; a list read a few seconds later can still
    # return the object as it was before." (reference/stripe-api.md §9.2)
    # Each change of an existing object (capture, refund, dispute, update,
    # payout status, refund failure...) gets a lag drawn from
    # consistency_lag; its event is created (and listed) at once, but lists
    # and retrieves show the object's previous state until clock >=
    # change time + lag. After several changes, a read at T shows the
    # newest state whose change time + lag <= T. Truth shows the real
    # current state.

    def changed(self, item, before, t, key):
        """Note that item changed at second t from state 'before'; key
        (the change's first event id) seeds the lag."""
        lo, hi = self.settings.consistency_lag
        if self.bulk or (hi == 0 and item.hist is None):
            return
        lag = lo + seeded_hash(self.settings.seed, "lag/" + key) % (
            hi - lo + 1)
        if lag == 0 and item.hist is None:
            return
        entry = (t + lag, before)
        if item.hist is None:
            item.hist = [entry]
            self.pending.add(item)
        else:
            item.hist.append(entry)

    def shown_state(self, item, now):
        """The state reads show at second now: None for the current one,
        else an earlier state(). Forgets the changes reads can no longer
        hide (a clock set back later does not bring them back)."""
        hist = item.hist
        k = len(hist) - 1
        while k >= 0 and hist[k][0] > now:
            k -= 1
        if k == len(hist) - 1:
            item.hist = None
            self.pending.discard(item)
            return None
        if k >= 0:
            del hist[:k + 1]
        return hist[0][1]

    def shown_status(self, item, now):
        """The status reads show at second now (list filters use it)."""
        if item.hist is None:
            return item.status
        state = self.shown_state(item, now)
        return item.status if state is None else state[1]

    def prune(self, now):
        """Forget every change that reads no longer hide at second now
        (keeps memory bounded to the changes of the last max lag s)."""
        for item in list(self.pending):
            self.shown_state(item, now)

    # -- late visibility in lists ------------------------------------------

    def horizon(self):
        """How many seconds after its creation an item may stay unlisted
        (lists check visible() only for items that young)."""
        settings = self.settings
        late = settings.late_max if settings.late_fraction > 0 else 0
        return max(settings.visibility_lag, late)

    def late_delay(self, item):
        """Seconds after its creation before item is listed, for the
        late_fraction of items chosen by a seeded hash of their id (0 for
        the others): uniform in [1, late_max], from the same hash.

        "Under load, events and new objects have been seen in lists
        **minutes** after their `created` (singer-io/tap-stripe#45; the
        tap now looks back 600 s on events, IMMUTABLE_STREAM_LOOKBACK)"
        (reference/stripe-api.md §9.2). Objects and events are chosen
        independently (each by its own id).
        """
        settings = self.settings
        if settings.late_fraction <= 0 or settings.late_max <= 0:
            return 0
        h = seeded_hash(settings.seed, "late/" + item.id)
        if h % 10000 >= settings.late_fraction * 10000:
            return 0
        return 1 + (h // 10000) % settings.late_max

    def visible(self, item, now):
        """Whether a list would show item at second now."""
        if item.created > now:
            return False
        lag = self.settings.visibility_lag
        if lag and item.lagged and item.created + lag > now:
            return False
        late = self.late_delay(item)
        return not (late and item.created + late > now)

    def retention_floor(self, now):
        """Oldest event created second that is still kept."""
        return now - int(self.settings.retention_days * 86400)

    def finish_bulk(self):
        for ledger in self.ledgers.values():
            for table in ledger.tables.values():
                table.resort()
        self.bulk = False
