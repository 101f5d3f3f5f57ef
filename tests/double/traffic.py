"""Traffic shaping of API requests: rate limits, faults, latency, and the
request log. Control requests (/_double/...) never pass through here."""

import collections
import random
import threading
import time

FAULT_KINDS = ("500", "502", "503", "lock_timeout", "rate_limit", "reset",
               "truncated", "html", "bad_json", "slow")
# Faults that answer instead of the API; the others run the request
# normally and then damage or delay its answer.
REPLACING_FAULTS = ("500", "502", "503", "lock_timeout", "rate_limit",
                    "html")


class TokenBucket:
    """'rate' tokens per second, holding at most max(rate, 1) tokens."""

    def __init__(self, rate):
        self.rate = rate
        self.capacity = max(rate, 1.0)
        self.tokens = self.capacity
        self.last = time.monotonic()

    def take(self):
        now = time.monotonic()
        self.tokens = min(self.capacity,
                          self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class Limiter:
    """Stripe-like limiters: a global rate and a per-endpoint rate per
    account and mode, and a limit on concurrent requests (0 = none)."""

    def __init__(self, global_rps=0, endpoint_rps=0, max_concurrency=0,
                 cotenant_endpoint_rps=0):
        self.lock = threading.Lock()
        self.global_rps = float(global_rps)
        self.endpoint_rps = float(endpoint_rps)
        self.max_concurrency = int(max_concurrency)
        # the co-tenant's own endpoint bucket (cotenant.py); 0 = unlimited
        self.cotenant_endpoint_rps = float(cotenant_endpoint_rps)
        self.buckets = {}
        self.in_flight = 0
        self.peak = 0

    def configure(self, global_rps=None, endpoint_rps=None,
                  max_concurrency=None, cotenant_endpoint_rps=None):
        with self.lock:
            if global_rps is not None:
                self.global_rps = float(global_rps)
            if endpoint_rps is not None:
                self.endpoint_rps = float(endpoint_rps)
            if max_concurrency is not None:
                self.max_concurrency = int(max_concurrency)
            if cotenant_endpoint_rps is not None:
                self.cotenant_endpoint_rps = float(cotenant_endpoint_rps)
            self.buckets.clear()

    def enter(self):
        """Count a request in; returns False if over the concurrency
        limit (it is still counted in until leave())."""
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            limit = self.max_concurrency
            return not limit or self.in_flight <= limit

    def leave(self):
        with self.lock:
            self.in_flight -= 1

    def take(self, scope, endpoint):
        """None if allowed, else the Stripe-Rate-Limited-Reason."""
        return self._take(scope, (scope, endpoint), "endpoint_rps")

    def take_cotenant(self, scope, endpoint):
        """A request of the co-tenant (cotenant.py), exactly as if it had
        arrived over HTTP: a token from the same global bucket of scope
        as API requests, then one from the co-tenant's own endpoint
        bucket (rate cotenant_endpoint_rps; its key cannot collide with
        an API endpoint's). None if allowed, else the reason."""
        return self._take(scope, ("cotenant", scope, endpoint),
                          "cotenant_endpoint_rps")

    def _take(self, scope, endpoint_key, rate_name):
        # One lock around both buckets (and the rates, which configure()
        # changes): request threads and the co-tenant's thread never
        # interleave inside a bucket update.
        with self.lock:
            endpoint_rps = getattr(self, rate_name)
            if self.global_rps and not self._bucket(
                    scope, self.global_rps).take():
                return "global-rate"
            if endpoint_rps and not self._bucket(
                    endpoint_key, endpoint_rps).take():
                return "endpoint-rate"
        return None

    def _bucket(self, key, rate):
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = TokenBucket(rate)
        return bucket

    def describe(self):
        return {"global_rps": self.global_rps,
                "endpoint_rps": self.endpoint_rps,
                "max_concurrency": self.max_concurrency,
                "cotenant_endpoint_rps": self.cotenant_endpoint_rps}


class Fault:
    """One fault rule (see README, POST /_double/faults)."""

    def __init__(self, spec):
        self.kind = str(spec["kind"])
        if self.kind not in FAULT_KINDS:
            raise ValueError("unknown fault kind %r" % self.kind)
        self.should_retry = spec.get("should_retry")
        if self.should_retry not in (True, False, None):
            raise ValueError("should_retry must be true, false or null")
        self.path = spec.get("path") or ""
        self.method = spec.get("method")
        self.nth = spec.get("nth")
        self.probability = spec.get("probability")
        if (self.nth is None) == (self.probability is None):
            raise ValueError("a fault needs exactly one of nth, probability")
        if self.nth is not None and int(self.nth) < 1:
            raise ValueError("nth is 1-based")
        default_count = 1 if self.nth is not None else None
        self.count = spec.get("count", default_count)
        self.delay_ms = float(spec.get("delay_ms", 2000))
        # Stripe-Rate-Limited-Reason of a rate_limit fault (the values
        # the double's own limits send)
        self.reason = spec.get("reason", "global-rate")
        if self.reason not in ("global-rate", "endpoint-rate",
                               "global-concurrency"):
            raise ValueError("reason must be global-rate, endpoint-rate "
                             "or global-concurrency")
        self.seen = 0
        self.fired = 0

    def matches(self, method, path):
        return (path.startswith(self.path)
                and (self.method is None or self.method == method))

    def decide(self, rng):
        """Called for each matching request; whether to fire now."""
        self.seen += 1
        if self.count is not None and self.fired >= self.count:
            return False
        if self.nth is not None:
            fire = self.seen >= int(self.nth)
        else:
            fire = rng.random() < float(self.probability)
        if fire:
            self.fired += 1
        return fire

    def describe(self):
        return {"kind": self.kind, "should_retry": self.should_retry,
                "path": self.path, "method": self.method, "nth": self.nth,
                "probability": self.probability, "count": self.count,
                "delay_ms": self.delay_ms, "reason": self.reason,
                "seen": self.seen,
                "fired": self.fired}


class Faults:
    """The installed fault rules and their seeded random generator."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []
        self.rng = random.Random(0)

    def install(self, specs, seed=0):
        """Replace the rules (raises ValueError on a bad spec)."""
        rules = [Fault(spec) for spec in specs]
        with self.lock:
            self.rules = rules
            self.rng = random.Random(seed)

    def clear(self):
        self.install([])

    def pick(self, method, path):
        """The fault for this request, or None. Every rule matching the
        request counts it (and draws its random number) in rule order; the
        first rule that fires wins."""
        with self.lock:
            chosen = None
            for rule in self.rules:
                if rule.matches(method, path) and rule.decide(self.rng):
                    chosen = chosen or rule
            return chosen

    def describe(self):
        with self.lock:
            return [rule.describe() for rule in self.rules]


class Latency:
    """Per-request delay: latency_ms + uniform(0, jitter_ms)."""

    def __init__(self, latency_ms=0, jitter_ms=0, seed=0):
        self.latency_ms = float(latency_ms)
        self.jitter_ms = float(jitter_ms)
        self.rng = random.Random("%s/latency" % seed)

    def delay(self):
        ms = self.latency_ms
        if self.jitter_ms:
            ms += self.rng.uniform(0, self.jitter_ms)
        return ms / 1000.0


class RequestLog:
    """The last 'limit' API requests (never control requests)."""

    def __init__(self, limit=100000):
        self.lock = threading.Lock()
        self.entries = collections.deque(maxlen=limit)
        self.n = 0
        self.reset_counters()

    def reset_counters(self):
        self.total = 0
        self.by_status = {}
        self.faults = 0
        self.rate_limited = 0

    def next_n(self):
        with self.lock:
            self.n += 1
            return self.n

    def record(self, entry):
        with self.lock:
            self.entries.append(entry)
            self.total += 1
            status = str(entry["status"])
            self.by_status[status] = self.by_status.get(status, 0) + 1
            if entry["fault"] is not None:
                self.faults += 1
            if entry["rate_limited"] is not None:
                self.rate_limited += 1

    def select(self, since=0, path=""):
        with self.lock:
            rows = [e for e in self.entries
                    if e["n"] > since and e["path"].startswith(path)]
        rows.sort(key=lambda e: e["n"])
        return rows

    def clear(self):
        with self.lock:
            self.entries.clear()
