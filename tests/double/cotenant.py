"""The co-tenant: the merchant's own integration, making steady requests on
the account whose rate limit the connector under test also uses.

Stripe's limit belongs to the account, not to one client: "rate limits are
measured in API requests per second, per Stripe account. The global rate
limit applies to total API usage per account" (docs.stripe.com/rate-limits).
A connector that spends the whole budget makes the merchant's own requests
fail with 429; the co-tenant measures exactly that.

It never goes through HTTP. A background thread, at `rps` evenly spaced
instants per second, takes a token from the same (account, mode) global
bucket as API requests, and one from its own endpoint bucket (rate
`cotenant_endpoint_rps`, default unlimited), through Limiter.take_cotenant
under the limiter's lock. A refused token is a 429 the merchant would have
seen. It is not logged, faulted, delayed or counted in max_concurrency.

Pace: a monotonic schedule, next_at += 1/rps. A thread woken late makes
the attempts it missed at once (catching up, which a token bucket of one
second of capacity absorbs). If it falls more than MAX_BEHIND seconds
behind, it does not catch up: it reschedules from now and adds the lateness
to `behind_s`. So attempts ~= rps * (elapsed_s - behind_s). Nothing more
clever than that.
"""

import threading
import time

DEFAULT_ENDPOINT = "POST /v1/payment_intents"
MAX_RPS = 1000.0
MAX_BEHIND = 1.0
KEYS = ("rps", "account", "mode", "endpoint")
MODES = ("test", "live")
REASONS = ("global-rate", "endpoint-rate")


class CoTenant:
    """One co-tenant per double; configure() restarts it."""

    def __init__(self, app):
        self.app = app
        store = app.store
        self.lock = threading.Lock()          # counters and spec
        self.control = threading.Lock()       # one configure() at a time
        self.spec = {"rps": 0.0, "account": store.platform,
                     "mode": store.modes[0], "endpoint": DEFAULT_ENDPOINT}
        self.thread = None
        self.stop_event = None
        self._reset()

    # -- control ---------------------------------------------------------

    def configure(self, body):
        """Start (rps > 0) or stop (rps 0) from a POST body or the config
        key; raises ValueError on a bad body. Starting resets the
        counters; stopping keeps them for reading."""
        spec = self._validate(body)
        with self.control:
            self.stop()
            with self.lock:
                if spec["rps"] == 0:
                    self.spec["rps"] = 0.0
                    return self.describe_locked()
                self.spec = spec
                self._reset()
                self.stop_event = threading.Event()
                self.thread = threading.Thread(
                    target=self._run, name="cotenant", daemon=True,
                    args=(self.stop_event, (spec["account"], spec["mode"]),
                          spec["endpoint"], 1.0 / spec["rps"]))
                self.thread.start()
                return self.describe_locked()

    def stop(self):
        """Stop the thread (if any) and wait for it; counters stay."""
        with self.lock:
            thread, event = self.thread, self.stop_event
            self.thread = self.stop_event = None
        if thread is not None:
            event.set()
            thread.join()
            with self.lock:
                self.ended = time.monotonic()

    def reset(self):
        """DELETE: zero the counters; a running co-tenant keeps running."""
        with self.lock:
            self._reset()
            if self.thread is None:
                self.ended = self.started
            return self.describe_locked()

    def describe(self):
        with self.lock:
            return self.describe_locked()

    def describe_locked(self):
        end = self.ended if self.ended is not None else time.monotonic()
        attempts, refused = self.attempts, sum(self.refused.values())
        return {"rps": self.spec["rps"] if self.thread else 0.0,
                "account": self.spec["account"], "mode": self.spec["mode"],
                "endpoint": self.spec["endpoint"],
                "endpoint_rps": self.app.limiter.cotenant_endpoint_rps,
                "running": self.thread is not None,
                "attempts": attempts, "refused": refused,
                "refused_by": dict(self.refused),
                "share_refused": round(refused / attempts, 4)
                if attempts else 0.0,
                "behind_s": round(self.behind_s, 3),
                "since": self.since,
                "elapsed_s": round(end - self.started, 3)}

    # -- internals -------------------------------------------------------

    def _reset(self):
        self.attempts = 0
        self.refused = dict.fromkeys(REASONS, 0)
        self.behind_s = 0.0
        self.since = self.app.clock.now()
        self.started = time.monotonic()
        self.ended = None

    def _validate(self, body):
        if not isinstance(body, dict):
            raise ValueError("cotenant must be a JSON object")
        unknown = sorted(set(body) - set(KEYS))
        if unknown:
            raise ValueError("unknown cotenant keys: %s" % unknown)
        if "rps" not in body:
            raise ValueError("cotenant needs 'rps' (0 stops it)")
        rps = body["rps"]
        if isinstance(rps, bool) or not isinstance(rps, (int, float)) \
                or not 0 <= rps <= MAX_RPS:
            raise ValueError("rps must be a number from 0 to %g, not %r"
                             % (MAX_RPS, rps))
        store = self.app.store
        account = body.get("account") or store.platform
        if account not in store.accounts:
            raise ValueError("unknown account %r" % (account,))
        mode = body.get("mode") or store.modes[0]
        if mode not in MODES:
            raise ValueError("mode must be test or live, not %r" % (mode,))
        endpoint = body.get("endpoint") or DEFAULT_ENDPOINT
        if not isinstance(endpoint, str):
            raise ValueError("endpoint must be a string")
        return {"rps": float(rps), "account": account, "mode": mode,
                "endpoint": endpoint}

    def _run(self, stop, scope, endpoint, interval):
        limiter = self.app.limiter
        next_at = time.monotonic()
        while not stop.is_set():
            now = time.monotonic()
            if now < next_at:
                stop.wait(next_at - now)
                continue
            if now - next_at > MAX_BEHIND:
                with self.lock:
                    self.behind_s += now - next_at
                next_at = now
            reason = limiter.take_cotenant(scope, endpoint)
            with self.lock:
                self.attempts += 1
                if reason is not None:
                    self.refused[reason] += 1
            next_at += interval
