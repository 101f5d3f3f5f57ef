#!/usr/bin/env python3
"""Local Stripe API double for stripe-reader's tests, demo and benchmark.

    python3 tests/double/stripe_double.py [--port N] [--config FILE] ...

Prints "listening on 127.0.0.1:PORT" once ready. See README.md beside this
file for every option, the config file and the /_double/ control API.
"""

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dataset import build_store  # noqa: E402
from generate import LedgerGen  # noqa: E402
from model import ROUGH, SMOOTH  # noqa: E402
from server import App, Server  # noqa: E402
from versions import (OLD_CONNECTED_DEFAULT, PLATFORM_DEFAULT,  # noqa: E402
                      valid)

HOST = "127.0.0.1"
DAY = 86400
DEFAULT_END = 1767225600          # 2026-01-01T00:00:00Z
PLATFORM = "acct_1DoublePlatform00"
DEFAULTS = {
    "seed": 1, "mode": "test", "end": DEFAULT_END, "start": None,
    "clock": None, "frozen_clock": False, "charges": 1000, "payouts": 50,
    "billing": 0,
    "same_second": 0, "same_second_at": None, "latency_ms": 0,
    "jitter_ms": 0, "visibility_lag": 0, "visibility_lag_fraction": 1.0,
    "event_disorder": 0.0, "retention_days": 30,
    "api_version": PLATFORM_DEFAULT, "rough": True,
    "consistency_lag": None, "late_fraction": None, "late_max": 300,
    "full_objects": False,
}
LIMIT_KEYS = ("global_rps", "endpoint_rps", "max_concurrency",
              "cotenant_endpoint_rps")
CONFIG_KEYS = set(DEFAULTS) | set(LIMIT_KEYS) | {
    "accounts", "keys", "oauth", "limits", "faults", "fault_seed",
    "cache_objects", "request_log_limit", "cotenant"}


def connected_id(n):
    return "acct_1DoubleConn%06d" % n


def default_keys(platform):
    return [
        {"key": "sk_test_double_platform", "mode": "test",
         "account": platform, "connect": "*"},
        {"key": "sk_live_double_platform", "mode": "live",
         "account": platform, "connect": "*"},
        {"key": "rk_test_double_nopayouts", "mode": "test",
         "account": platform, "connect": [],
         "permissions": {"charges": "read", "payouts": "none",
                         "events": "read"}},
    ]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    add = p.add_argument
    add("--port", type=int, default=0, help="TCP port (0: OS chooses)")
    add("--port-file", help="write PORT\\n here (atomically) when ready")
    add("--config", help="JSON configuration file")
    for name, kind in (("seed", int), ("charges", int), ("payouts", int),
                       ("billing", int),
                       ("accounts", int), ("start", int), ("end", int),
                       ("clock", int), ("latency-ms", float),
                       ("jitter-ms", float), ("global-rps", float),
                       ("endpoint-rps", float), ("max-concurrency", int),
                       ("visibility-lag", int), ("retention-days", float),
                       ("same-second", int), ("event-disorder", float)):
        add("--" + name, type=kind, default=None)
    add("--mode", choices=("test", "live", "both"), default=None)
    add("--frozen-clock", action="store_true", default=None)
    add("--full-objects", action="store_true", default=None,
        help="charges carry what real ones do (3-D Secure, wallet, street "
        "address, metadata...): about 2.5 KB each instead of 2.2 KB")
    add("--smooth", action="store_true", default=None,
        help='"rough": false: no consistency lag, no late visibility, '
        "every account at the platform's API version")
    add("--quiet", action="store_true",
        help="print nothing but the listening line")
    return p.parse_args(argv)


def load_config(args):
    """The normalised configuration: defaults < config file < options."""
    cfg = dict(DEFAULTS)
    cfg.update(global_rps=0, endpoint_rps=0, max_concurrency=0,
               cotenant_endpoint_rps=0)
    if args.config:
        with open(args.config, encoding="utf-8") as f:
            data = json.load(f)
        unknown = sorted(set(data) - CONFIG_KEYS)
        if unknown:
            raise ValueError("unknown configuration keys: %s" % unknown)
        cfg.update(data)
    cfg.update(cfg.pop("limits", None) or {})
    for key, value in vars(args).items():
        if value is not None and key not in ("port", "port_file", "config",
                                             "quiet", "accounts", "smooth"):
            cfg[key] = value
    if args.smooth:
        cfg["rough"] = False
    if not isinstance(cfg["rough"], bool):
        raise ValueError("rough must be true or false")
    for key, value in (ROUGH if cfg["rough"] else SMOOTH).items():
        if cfg[key] is None:
            cfg[key] = value
    cfg["start"] = cfg["start"] if cfg["start"] is not None else \
        cfg["end"] - 90 * DAY
    cfg["clock"] = cfg["clock"] if cfg["clock"] is not None else \
        cfg["end"] + 3600
    if cfg["same_second_at"] is None:
        cfg["same_second_at"] = cfg["end"] - 3600
    cfg["modes"] = ["test", "live"] if cfg["mode"] == "both" else \
        [cfg["mode"]]
    if not valid(cfg["api_version"]):
        raise ValueError("bad api_version %r" % (cfg["api_version"],))
    cfg["accounts"] = _accounts(cfg, args)
    platform = cfg["accounts"][0]["id"]
    cfg.setdefault("keys", default_keys(platform))
    cfg["oauth"] = _oauth(cfg, platform)
    return cfg


def _accounts(cfg, args):
    """The account list: config 'accounts' or generated, then options."""
    listed = cfg.get("accounts")
    if not isinstance(listed, list):
        n = int(listed or 0)
        listed = [{"id": PLATFORM, "same_second": cfg["same_second"]}] + [
            {"id": connected_id(i)} for i in range(1, n + 1)]
    listed = [dict(a) for a in listed]
    if args.accounts is not None:
        connected = listed[1:1 + args.accounts]
        connected += [{"id": connected_id(i)}
                      for i in range(len(connected) + 1, args.accounts + 1)]
        listed = listed[:1] + connected
    for i, account in enumerate(listed):
        for name in ("charges", "payouts", "billing"):
            if getattr(args, name) is not None or name not in account:
                account[name] = cfg[name]
        if i == 0 and args.same_second is not None:
            account["same_second"] = args.same_second
        account.setdefault("api_version", _default_version(cfg, i))
        if not valid(account["api_version"]):
            raise ValueError("bad api_version %r of account %s" % (
                account["api_version"], account.get("id")))
    return listed


def _default_version(cfg, index):
    """The default API version of the index-th account (0: the platform):
    the platform's ('api_version'), except the first connected account,
    which keeps an old one unless "rough" is false (reference/stripe-api.md
    §9.1: "Connected accounts keep their own default version, often an old
    one")."""
    if index == 1 and cfg["rough"]:
        return OLD_CONNECTED_DEFAULT
    return cfg["api_version"]


def _oauth(cfg, platform):
    oauth = {"app_secret": "sk_test_double_app",
             "refresh_tokens": ["rt_double_initial_0"], "access_ttl": 3600,
             "livemode": False, "expires_in": False,
             "account": (cfg["accounts"][1]["id"] if len(cfg["accounts"]) > 1
                         else platform)}
    oauth.update(cfg.get("oauth") or {})
    return oauth


def write_port_file(path, port):
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".port-")
    with os.fdopen(fd, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.monotonic()
    try:
        cfg = load_config(args)
        LedgerGen.full_objects = bool(cfg["full_objects"])
        store = build_store(cfg)
        app = App(cfg, store)
    except (OSError, ValueError, KeyError, TypeError) as err:
        print("stripe_double: bad configuration: %s" % err, file=sys.stderr)
        return 2
    server = Server((HOST, args.port), app)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: app.stopping.set())
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    port = server.server_address[1]
    if args.port_file:
        write_port_file(args.port_file, port)
    if not args.quiet:
        print("stripe_double: %d objects built in %.1f s"
              % (len(store.by_id), time.monotonic() - started),
              file=sys.stderr, flush=True)
    print("listening on %s:%d" % (HOST, port), flush=True)
    while not app.stopping.wait(3600):
        pass
    app.cotenant.stop()
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
