"""The control and inspection API under /_double/ (see README.md).

Control requests need no key, are not logged, not rate limited, not
delayed and never hit by faults. Bodies are JSON; errors are
{"error": "message"} with status 400 or 404.
"""

import json
import os
import random
import tempfile
from urllib.parse import parse_qsl

import billing_ops
import connect
import dataset
import listing
import streams
from model import ROUGH, SMOOTH, fraction, lag_range, seconds
from mutations import ALL_KINDS, DEFAULT_KINDS, NEW_KINDS, OpError
from shapes import dumps
from versions import PINNED, era_of, valid


class ControlError(Exception):
    def __init__(self, status, message):
        Exception.__init__(self, message)
        self.status = status


class Control:
    """Routes /_double/ requests; each handler returns a JSON-able value
    or JSON text."""

    def __init__(self, app):
        self.app = app
        self.routes = {
            ("GET", "health"): lambda q, b: {"ok": True},
            ("GET", "clock"): self.get_clock,
            ("POST", "clock"): self.post_clock,
            ("POST", "mutate"): self.mutate,
            ("GET", "faults"): lambda q, b: self.faults_state(),
            ("POST", "faults"): self.post_faults,
            ("DELETE", "faults"): self.delete_faults,
            ("GET", "limits"): lambda q, b: self.limits_state(),
            ("POST", "limits"): self.post_limits,
            ("GET", "requests"): self.get_requests,
            ("DELETE", "requests"): self.delete_requests,
            ("GET", "truth"): self.get_truth,
            ("POST", "truth"): self.post_truth,
            ("GET", "accounts"): lambda q, b: self.accounts_state(),
            ("POST", "accounts"): self.post_accounts,
            ("GET", "connect"): lambda q, b: self.app.store.connect.describe(),
            ("POST", "connect"): self.post_connect,
            ("GET", "cotenant"): lambda q, b: self.app.cotenant.describe(),
            ("POST", "cotenant"): lambda q, b: self.app.cotenant.configure(
                b),
            ("DELETE", "cotenant"): lambda q, b: self.app.cotenant.reset(),
            ("GET", "state"): self.get_state,
            ("DELETE", "state"): self.delete_state,
            ("POST", "shutdown"): self.shutdown,
        }

    def handle(self, method, target, body):
        """(status, JSON text, callable to run after answering or None)."""
        path, _, query = target.partition("?")
        handler = self.routes.get((method, path[len("/_double/"):]))
        if handler is None:
            return 404, dumps({"error": "no control endpoint %s %s"
                               % (method, path)}), None
        try:
            data = json.loads(body) if body.strip() else {}
            if not isinstance(data, dict):
                raise ControlError(400, "the body must be a JSON object")
            result = handler(dict(parse_qsl(query)), data)
        except json.JSONDecodeError as err:
            return 400, dumps({"error": "invalid JSON body: %s" % err}), None
        except (ControlError, OpError, ValueError, KeyError,
                TypeError) as err:
            status = getattr(err, "status", 400)
            extra = getattr(err, "extra", {})
            return status, dumps(dict(error=str(err), **extra)), None
        after = None
        if path == "/_double/shutdown":
            after = self.app.stopping.set
        if not isinstance(result, bytes):
            result = dumps(result)
        return 200, result, after

    # -- clock -----------------------------------------------------------

    def get_clock(self, query, body):
        clock = self.app.clock
        return {"now": clock.now(), "frozen": clock.frozen}

    def post_clock(self, query, body):
        clock = self.app.clock
        if "set" in body:
            clock.set(int(body["set"]))
        if "advance" in body:
            clock.advance(float(body["advance"]))
        if "freeze" in body:
            clock.freeze(bool(body["freeze"]))
        return self.get_clock(query, body)

    # -- mutations -------------------------------------------------------

    def _ledger(self, spec):
        store = self.app.store
        account = spec.get("account") or store.platform
        mode = spec.get("mode") or store.modes[0]
        ledger = store.ledger(account, mode)
        if ledger is None:
            raise ControlError(400, "unknown account/mode %s/%s"
                               % (account, mode))
        return ledger

    def mutate(self, query, body):
        """Random mutations ({"count", "kinds", "seed"...}) or explicit
        ones ({"ops": [...]})."""
        step = float(body.get("step", 1))
        store = self.app.store
        with store.lock:
            store.prune(self.app.clock.now())
            if "ops" in body:
                applied = self._explicit(body["ops"], step, body)
            else:
                applied = self._random(body, step)
        return {"applied": applied, "now": self.app.clock.now()}

    def _apply(self, kind, ledger, rec, step, rng, args):
        clock = self.app.clock
        clock.advance(step)
        t = clock.now()
        try:
            rec, events = self.app.mutator.apply(kind, ledger, rec, t, rng,
                                                 args)
        except OpError:
            clock.advance(-step)      # a refused op takes no time
            raise
        return {"op": kind, "id": rec.id, "object": rec.resource[:-1],
                "account": ledger.account, "mode": ledger.mode, "time": t,
                "events": [{"id": ev.id, "type": ev.type} for ev in events]}

    def _explicit(self, ops, step, body):
        applied = []
        rng = random.Random(body["seed"]) if "seed" in body else self.app.rng
        for op in ops:
            kind = op.get("op")
            if kind in billing_ops.KINDS:
                try:
                    if kind in billing_ops.NEW_OPS:
                        ledger, rec = self._ledger(op), None
                    else:
                        rec = billing_ops.target(self.app.store, kind,
                                                 op.get("id"))
                        ledger = rec.ledger
                    applied.append(self._apply_billing(kind, ledger, rec,
                                                       step, rng, op))
                except OpError as err:
                    raise _op_error(str(err), applied)
                continue
            if kind not in ALL_KINDS:
                raise _op_error("unknown op %r" % kind, applied)
            if kind in NEW_KINDS:
                ledger, rec = self._ledger(op), None
            else:
                rec = self.app.store.lookup(op.get("id", ""))
                if rec is None or rec.resource not in (
                        "charges", "payouts", "refunds"):
                    raise _op_error("no charge, payout or refund %r"
                                    % op.get("id"), applied)
                ledger = rec.ledger
            try:
                applied.append(self._apply(kind, ledger, rec, step, rng, op))
            except OpError as err:
                raise _op_error(str(err), applied)
        return applied

    def _apply_billing(self, kind, ledger, doc, step, rng, args):
        """An op of billing_ops.py, timed like _apply."""
        clock = self.app.clock
        clock.advance(step)
        t = clock.now()
        args = {k: v for k, v in args.items() if k not in ("op", "id")}
        try:
            doc, events = billing_ops.run(self.app.store, kind, ledger, doc,
                                          t, rng, args)
        except OpError:
            clock.advance(-step)      # a refused op takes no time
            raise
        return {"op": kind, "id": doc.id, "object": streams.noun_of(doc),
                "account": ledger.account, "mode": ledger.mode, "time": t,
                "events": [{"id": ev.id, "type": ev.type} for ev in events]}

    def _random_billing(self, kind, ledger, step, rng):
        store = self.app.store
        t = self.app.clock.now() + int(step)
        if kind in billing_ops.NEW_OPS:
            args = billing_ops.random_args(store, kind, ledger, t, rng)
            if args is None:
                return {"op": kind, "skipped": "no eligible object"}
            return self._apply_billing(kind, ledger, None, step, rng, args)
        for doc in billing_ops.pick(store, kind, ledger, t, rng):
            try:
                return self._apply_billing(kind, ledger, doc, step, rng, {})
            except OpError:
                continue
        return {"op": kind, "skipped": "no eligible object"}

    def _random(self, body, step):
        kinds = body.get("kinds") or list(DEFAULT_KINDS)
        unknown = [k for k in kinds if k not in ALL_KINDS
                   and k not in billing_ops.KINDS]
        if unknown:
            raise ControlError(400, "unknown kinds: %s" % unknown)
        rng = random.Random(body["seed"]) if "seed" in body else self.app.rng
        ledger = self._ledger(body)
        applied = []
        for _ in range(int(body.get("count", 1))):
            kind = rng.choice(kinds)
            if kind in billing_ops.KINDS:
                applied.append(self._random_billing(kind, ledger, step, rng))
                continue
            rec = self.app.mutator.pick(kind, ledger,
                                        self.app.clock.now() + int(step), rng)
            if rec is None and kind not in NEW_KINDS:
                applied.append({"op": kind, "skipped": "no eligible object"})
                continue
            applied.append(self._apply(kind, ledger, rec, step, rng, {}))
        return applied

    # -- faults and limits -----------------------------------------------

    def faults_state(self):
        return {"faults": self.app.faults.describe()}

    def post_faults(self, query, body):
        self.app.faults.install(body.get("faults") or [],
                                body.get("seed", 0))
        return self.faults_state()

    def delete_faults(self, query, body):
        self.app.faults.clear()
        return self.faults_state()

    def limits_state(self):
        app = self.app
        state = app.limiter.describe()
        settings = app.store.settings
        state.update(latency_ms=app.latency.latency_ms,
                     jitter_ms=app.latency.jitter_ms,
                     visibility_lag=settings.visibility_lag,
                     consistency_lag=list(settings.consistency_lag),
                     late_fraction=settings.late_fraction,
                     late_max=settings.late_max)
        return state

    def post_limits(self, query, body):
        app = self.app
        if any(key in body for key in ("global_rps", "endpoint_rps",
                                       "max_concurrency",
                                       "cotenant_endpoint_rps")):
            app.limiter.configure(body.get("global_rps"),
                                  body.get("endpoint_rps"),
                                  body.get("max_concurrency"),
                                  body.get("cotenant_endpoint_rps"))
        if "latency_ms" in body:
            app.latency.latency_ms = float(body["latency_ms"])
        if "jitter_ms" in body:
            app.latency.jitter_ms = float(body["jitter_ms"])
        settings = app.store.settings
        if "rough" in body:
            # the preset first; explicit keys of the same body win
            if not isinstance(body["rough"], bool):
                raise ControlError(400, "rough must be true or false")
            preset = ROUGH if body["rough"] else SMOOTH
            settings.consistency_lag = lag_range(preset["consistency_lag"])
            settings.late_fraction = preset["late_fraction"]
        if "visibility_lag" in body:
            settings.visibility_lag = int(body["visibility_lag"])
        if "consistency_lag" in body:
            # changes made from now on; earlier ones keep their lag
            settings.consistency_lag = lag_range(body["consistency_lag"])
        if "late_fraction" in body:
            settings.late_fraction = fraction(body["late_fraction"])
        if "late_max" in body:
            settings.late_max = seconds(body["late_max"], "late_max")
        return self.limits_state()

    # -- accounts --------------------------------------------------------

    def accounts_state(self):
        store = self.app.store
        return {"accounts": [
            {"id": account, "api_version": store.account_version(
                account).name} for account in store.accounts]}

    def post_accounts(self, query, body):
        """{"account": "acct_..." (default: the platform), "api_version":
        "2020-08-27"}: the account's default version from now on."""
        store = self.app.store
        account = body.get("account") or store.platform
        if account not in store.accounts:
            raise ControlError(400, "unknown account %s" % account)
        name = body.get("api_version")
        if not valid(name):
            raise ControlError(400, "api_version must look like 2024-06-20 "
                               "or 2025-03-31.basil, not %r" % (name,))
        with store.lock:
            store.set_account_version(account, name)
        return self.accounts_state()

    def post_connect(self, query, body):
        """{"create": N, "charges": C, "payouts": P} connects N new
        accounts (created now, each with C charges and P payouts of its
        own from the week before); {"revoke": ["acct_..."]} revokes the
        platform's access to accounts (connect.py). Both may be given."""
        app = self.app
        store = app.store
        sizes = {"charges": int(body.get("charges", 3)),
                 "payouts": int(body.get("payouts", 1)),
                 "billing": 0}
        created = []
        with store.lock:
            now = int(app.clock.now())
            for _ in range(int(body.get("create", 0))):
                n = len(store.connect.order) + 1
                acct = connect.account_id(n)
                dataset.add_account(store, app.cfg, acct, sizes, now, n)
                created.append(acct)
            for acct in body.get("revoke", []):
                meta = store.connect.metas.get(acct)
                if meta is None:
                    raise ControlError(400, "unknown connected account %s"
                                       % acct)
                meta.revoked_at = now
        result = store.connect.describe()
        result["created"] = created
        return result

    # -- request log and state -------------------------------------------

    def get_requests(self, query, body):
        rows = self.app.log.select(int(query.get("since", 0)),
                                   query.get("path", ""))
        return {"requests": rows}

    def delete_requests(self, query, body):
        self.app.log.clear()
        return {"ok": True}

    def get_state(self, query, body):
        app = self.app
        log, store = app.log, app.store
        objects = {}
        with store.lock:
            store.prune(app.clock.now())
            hidden = len(store.pending)
            for (account, mode), ledger in store.ledgers.items():
                if mode in store.modes or any(
                        len(t) for t in ledger.tables.values()):
                    objects.setdefault(account, {})[mode] = {
                        name: len(table)
                        for name, table in ledger.tables.items()}
        with log.lock:
            counters = {"requests": log.total,
                        "by_status": dict(log.by_status),
                        "status_429": log.by_status.get("429", 0),
                        "rate_limited": log.rate_limited,
                        "faults": log.faults, "last_n": log.n}
        counters.update(
            oauth_refreshes=app.auth.refreshes, now=app.clock.now(),
            frozen=app.clock.frozen, in_flight=app.limiter.in_flight,
            in_flight_peak=app.limiter.peak, accounts=store.accounts,
            platform=store.platform, modes=store.modes,
            start=app.cfg["start"], end=app.cfg["end"],
            same_second_at=app.cfg["same_second_at"],
            specials=store.specials, objects=objects,
            pending_changes=hidden)
        return counters

    def delete_state(self, query, body):
        app = self.app
        with app.log.lock:
            app.log.reset_counters()
        with app.limiter.lock:
            app.limiter.peak = app.limiter.in_flight
        return {"ok": True}

    def shutdown(self, query, body):
        return {"ok": True}

    # -- truth -----------------------------------------------------------

    def get_truth(self, query, body):
        return self._truth_text(query)

    def post_truth(self, query, body):
        path = body.get("file")
        if not path:
            raise ControlError(400, "POST /_double/truth needs 'file'")
        text = self._truth_text(body)
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".truth-")
        with os.fdopen(fd, "wb") as out:
            out.write(text)
        os.replace(tmp, path)
        return {"file": path, "bytes": len(text)}

    def _truth_text(self, spec):
        store = self.app.store
        mode = spec.get("mode") or store.modes[0]
        name = spec.get("api_version") or PINNED
        if not valid(name):
            raise ControlError(400, "api_version must look like 2024-06-20, "
                               "not %r" % (name,))
        era = era_of(name)
        now = self.app.clock.now()
        with store.lock:
            if spec.get("account"):
                ledger = self._ledger({"account": spec["account"],
                                       "mode": mode})
                return _ledger_truth(store, ledger, now, era)
            parts = [b'"%s":%s' % (account.encode(), _ledger_truth(
                store, store.ledger(account, mode), now, era))
                for account in store.accounts]
        return b"{" + b",".join(parts) + b"}"


def _op_error(message, applied):
    err = ControlError(400, message)
    err.extra = {"applied": applied}
    return err


def _ledger_truth(store, ledger, now, era):
    """{"charges","payouts","events"} of one ledger, newest first:
    every charge and payout created up to now (visibility lag ignored)
    rendered at era's shape, and exactly the events a list would return
    now (each at its own version)."""
    parts = []
    for name in ("charges", "payouts"):
        items = [it for it in reversed(ledger.tables[name].items)
                 if it.created <= now]
        parts.append(_json_array(name, items, era))
    q = listing.ListQuery()
    q.limit = len(ledger.tables["events"]) + 1
    events, _ = listing.run_list(store, ledger, "events", q, now)
    parts.append(_json_array("events", events, era))
    parts += streams.truth_parts(store, ledger, now, era)
    return b"{" + b",".join(parts) + b"}"


def _json_array(name, items, era):
    """b'"name":[...]' (not through the cache: truth reads everything)."""
    return b'"%s":[%s]' % (name.encode(), b",".join(
        it.render(era).encode("utf-8") for it in items))
