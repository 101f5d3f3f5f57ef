"""The HTTP server: request pipeline of API requests and response writing.

An API request goes: concurrency limit -> fault rules -> latency ->
routing -> authentication -> Stripe-Account -> permissions -> rate limits ->
the list/retrieve/OAuth handler -> (damage by a fault) -> request log ->
one sendall. /_double/ requests skip all of that (see control.py).
"""

import http.server
import random
import re
import socket
import struct
import threading
import time
from email.utils import formatdate
from urllib.parse import parse_qsl

import connect
import listing
import streams
from auth import Auth, secret_from_header
from clock import Clock
from control import Control
from cotenant import CoTenant
from errors import ApiError, OAuthError, lock_timeout, rate_limited, \
    server_error
from ids import mask_secret, rand_alnum
from mutations import Mutator
from traffic import REPLACING_FAULTS, Faults, Latency, Limiter, RequestLog
from versions import era_of, valid

REASONS = http.server.BaseHTTPRequestHandler.responses
_RETRIEVE_RE = re.compile(
    r"/v1/(charges|payouts|events|refunds|disputes)/([A-Za-z0-9_]+)$")
LIST_RESOURCES = ("charges", "payouts", "events")
HTML_BODY = (b"<html><head><title>502 Bad Gateway</title></head><body>"
             b"<center><h1>502 Bad Gateway</h1></center><hr>"
             b"<center>nginx</center></body></html>\n")
SECRET_FORM_FIELDS = ("refresh_token", "client_secret", "code")


class Reply:
    """An HTTP answer; damage is None, 'reset' or 'truncated'."""

    def __init__(self, status, body, ctype="application/json",
                 headers=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.ctype = ctype
        self.headers = list(headers or [])
        self.damage = None


class Request:
    """The parts of an API request the pipeline needs."""

    def __init__(self, handler, n, request_id, now):
        self.method = handler.command
        self.path, _, self.query = handler.path.partition("?")
        self.headers = handler.headers
        self.n = n
        self.request_id = request_id
        self.now = now
        self.body = b""
        self.version = None    # the account's default version, once known


def _route(method, path):
    """(kind, resource, id, endpoint) or None."""
    if method == "GET":
        if path.startswith("/v1/") and path[4:] in LIST_RESOURCES:
            return "list", path[4:], None, "GET " + path
        m = _RETRIEVE_RE.match(path)
        if m:
            return ("retrieve", m.group(1), m.group(2),
                    "GET /v1/%s/:id" % m.group(1))
    if method == "GET" and path == "/v1/accounts":
        return "list", "accounts", None, "GET /v1/accounts"
    if method == "POST" and path == "/v1/oauth/token":
        return "oauth", None, None, "POST /v1/oauth/token"
    return streams.route(method, path)


class App:
    """Everything one running double holds."""

    def __init__(self, cfg, store):
        self.cfg = cfg
        self.store = store
        self.clock = Clock(cfg["clock"], cfg["frozen_clock"])
        self.auth = Auth(cfg, store)
        self.limiter = Limiter(cfg["global_rps"], cfg["endpoint_rps"],
                               cfg["max_concurrency"],
                               cfg["cotenant_endpoint_rps"])
        self.faults = Faults()
        self.faults.install(cfg.get("faults") or [], cfg.get("fault_seed",
                                                              0))
        self.latency = Latency(cfg["latency_ms"], cfg["jitter_ms"],
                               cfg["seed"])
        self.log = RequestLog(int(cfg.get("request_log_limit", 100000)))
        self.mutator = Mutator(store)
        self.rng = random.Random("%s/runtime" % cfg["seed"])
        self.id_rng = random.Random()
        self.control = Control(self)
        self.stopping = threading.Event()
        self.cotenant = CoTenant(self)
        if cfg.get("cotenant"):
            self.cotenant.configure(cfg["cotenant"])

    # -- entry point -----------------------------------------------------

    def dispatch(self, handler):
        body = _read_body(handler)
        request_id = "req_" + rand_alnum(self.id_rng, 14)
        if handler.path.startswith("/_double/"):
            status, text, after = self.control.handle(
                handler.command, handler.path, body)
            _send(handler, Reply(status, text), request_id, self.date())
            if after:
                after()
            return
        req = Request(handler, self.log.next_n(), request_id,
                      self.clock.now())
        req.body = body
        allowed = self.limiter.enter()
        try:
            reply, fault = self._process(req, allowed)
        finally:
            self.limiter.leave()
        reply.headers.append(("Stripe-Version",
                              req.headers.get("Stripe-Version")
                              or req.version or self.cfg["api_version"]))
        self._log(req, reply, fault)
        _send(handler, reply, request_id, self.date())

    def date(self):
        return formatdate(self.clock.now_float(), usegmt=True)

    # -- pipeline --------------------------------------------------------

    def _process(self, req, allowed):
        if not allowed:
            return error_reply(rate_limited("global-concurrency"),
                               req), None
        fault = self.faults.pick(req.method, req.path)
        delay = self.latency.delay()
        if fault is not None and fault.kind == "slow":
            delay += fault.delay_ms / 1000.0
        if delay > 0:
            time.sleep(delay)
        if fault is not None and fault.kind in REPLACING_FAULTS:
            reply = _fault_reply(fault, req)
        else:
            reply = self._api(req)
            if fault is not None:
                _damage(reply, fault)
        if fault is not None and fault.should_retry is not None:
            reply.headers.append(("Stripe-Should-Retry",
                                  "true" if fault.should_retry else "false"))
        return reply, fault

    def _api(self, req):
        try:
            route = _route(req.method, req.path)
            if route is None:
                raise ApiError(404, "Unrecognized request URL (%s: %s). "
                               "Please see https://stripe.com/docs or we "
                               "can help at https://support.stripe.com/."
                               % (req.method, req.path))
            kind, resource, item_id, endpoint = route
            if kind == "oauth":
                return self._oauth(req, endpoint)
            key = self.auth.authenticate(req.headers.get("Authorization"),
                                         self.clock.now())
            account = self.auth.account_for(
                key, req.headers.get("Stripe-Account"), self.clock.now())
            self.auth.check_permission(key, resource, account)
            reason = self.limiter.take((account, key.mode), endpoint)
            if reason is not None:
                raise rate_limited(reason)
            ledger = self.store.ledger(account, key.mode)
            default = ledger.version
            req.version = default.name
            # Answers are rendered at the request's Stripe-Version, else at
            # the account's default version (versions.py). A header that
            # is not a version is not rejected (Stripe would): the default
            # is used.
            asked = req.headers.get("Stripe-Version")
            era = era_of(asked) if valid(asked) else default.era
            if resource == "accounts":
                return Reply(200, self._accounts(req, account))
            return Reply(200, self._read(kind, resource, item_id, ledger,
                                         req, era))
        except ApiError as err:
            return error_reply(err, req)

    def _read(self, kind, resource, item_id, ledger, req, era):
        now = self.clock.now()
        if resource in streams.STREAMS and not (
                kind == "retrieve" and resource in ("refunds", "disputes")):
            return streams.read(self.store, ledger, kind, resource, item_id,
                                req.query, req.path, now, era)
        if kind == "retrieve":
            listing.check_retrieve_params(req.query)
            with self.store.lock:
                return listing.retrieve(self.store, ledger, resource,
                                        item_id, now, era)
        q = listing.parse_list(resource, req.query)
        with self.store.lock:
            items, has_more = listing.run_list(self.store, ledger, resource,
                                               q, now)
            return listing.list_bytes(self.store, items, has_more,
                                      req.path, era, now)

    def _accounts(self, req, account):
        """GET /v1/accounts: the platform's connected accounts; empty for
        anyone else ("If you're not a platform, the list is empty",
        connect.py)."""
        if account != self.store.platform:
            return b'{"object":"list","data":[],"has_more":false,"url":"%s"}' \
                % req.path.encode()
        with self.store.lock:
            return connect.list_accounts(self.store.connect, req.query,
                                         req.path)

    def _oauth(self, req, endpoint):
        reason = self.limiter.take("oauth", endpoint)
        if reason is not None:
            return error_reply(rate_limited(reason), req)
        form = dict(parse_qsl(req.body.decode("utf-8", "replace"),
                              keep_blank_values=True))
        try:
            text = self.auth.oauth_token(req.headers.get("Authorization"),
                                         form, self.clock.now())
        except OAuthError as err:
            return Reply(err.status, err.body(req.request_id))
        return Reply(200, text)

    def _log(self, req, reply, fault):
        headers = req.headers
        limited = None
        for name, value in reply.headers:
            if name == "Stripe-Rate-Limited-Reason":
                limited = value
        self.log.record({
            "n": req.n, "method": req.method, "path": req.path,
            "query": req.query,
            "account": headers.get("Stripe-Account"),
            "key": mask_secret(secret_from_header(
                headers.get("Authorization"))),
            "status": reply.status, "request_id": req.request_id,
            "time": req.now, "fault": fault.kind if fault else None,
            "rate_limited": limited,
            "stripe_version": headers.get("Stripe-Version"),
            "user_agent": headers.get("User-Agent"),
            "idempotency_key": headers.get("Idempotency-Key"),
            "body": _masked_form(req.body) if req.body else None,
        })


def _masked_form(body):
    """A form body with its secrets masked."""
    pairs = parse_qsl(body.decode("utf-8", "replace"),
                      keep_blank_values=True)
    return "&".join("%s=%s" % (k, mask_secret(v) if k in SECRET_FORM_FIELDS
                               else v) for k, v in pairs)


def error_reply(err, req):
    """The Reply of an ApiError."""
    return Reply(err.status, err.body(req.request_id), headers=err.headers)


def _fault_reply(fault, req):
    kind = fault.kind
    if kind in ("500", "502", "503"):
        return error_reply(server_error(int(kind)), req)
    if kind == "lock_timeout":
        return error_reply(lock_timeout(), req)
    if kind == "rate_limit":
        return error_reply(rate_limited(fault.reason), req)
    return Reply(200, HTML_BODY, ctype="text/html")


def _damage(reply, fault):
    if fault.kind == "bad_json":
        body = reply.body
        reply.body = body[:max(1, len(body) // 2)] + b"<!-- cut -->"
    elif fault.kind in ("reset", "truncated"):
        reply.damage = fault.kind


def _read_body(handler):
    length = handler.headers.get("Content-Length")
    if length is None:
        if handler.headers.get("Transfer-Encoding"):
            handler.close_connection = True
        return b""
    try:
        return handler.rfile.read(int(length))
    except ValueError:
        handler.close_connection = True
        return b""


def _send(handler, reply, request_id, date):
    """Write the whole answer with one sendall (or damage it)."""
    body = reply.body
    lines = ["HTTP/1.1 %d %s" % (reply.status,
                                 REASONS.get(reply.status, ("",))[0]),
             "Server: nginx", "Date: " + date,
             "Content-Type: " + reply.ctype,
             "Content-Length: %d" % len(body),
             "Request-Id: " + request_id,
             "Cache-Control: no-cache, no-store"]
    lines.extend("%s: %s" % header for header in reply.headers)
    if reply.damage is not None:
        handler.close_connection = True
    if handler.close_connection:
        lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    if reply.damage is None:
        handler.wfile.write(head + body)
        return
    handler.wfile.write(head + body[:len(body) // 2])
    if reply.damage == "reset":
        sock = handler.connection
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack("ii", 1, 0))
        sock.close()   # the real close (an RST) happens in finish()


class Handler(http.server.BaseHTTPRequestHandler):
    """Hands every request to the App; no per-request logging."""

    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    timeout = 600      # idle keep-alive connections are closed after this

    def log_message(self, format, *args):  # noqa: A002 (stdlib name)
        pass

    def do_GET(self):
        self.server.app.dispatch(self)

    do_POST = do_DELETE = do_PUT = do_PATCH = do_GET


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 512
    allow_reuse_address = True

    def __init__(self, address, app):
        self.app = app
        http.server.ThreadingHTTPServer.__init__(self, address, Handler)

    def handle_error(self, request, client_address):
        pass   # clients that hang up are normal for a test double
