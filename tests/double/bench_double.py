#!/usr/bin/env python3
"""Throughput of the Stripe API double.

    python3 tests/double/bench_double.py [--port N] [--charges N]
        [--connections 6] [--seconds 3] [--wide 64] [--wide-latency-ms 250]

Without --port it starts its own double (on port 0) with --charges charges.
Measures:
  1. pages/s: --connections keep-alive HTTP/1.1 clients each paging through
     GET /v1/charges?limit=100 with starting_after, for --seconds seconds;
  2. wide: --wide connections opened at once, each sending one request
     while the double adds --wide-latency-ms to every request; reports the
     time until all are answered.
Prints "pages_per_second=..." and "wide_seconds=..." lines (and a summary).
"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = "sk_test_double_platform"
HEADERS = {"Authorization": "Bearer " + KEY}


def start_double(extra_args):
    """Start a double on port 0; returns (process, port)."""
    proc = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "stripe_double.py"),
         "--port", "0", "--quiet"] + list(extra_args),
        stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line.startswith("listening on "):
        proc.kill()
        raise RuntimeError("the double did not start: %r" % line)
    return proc, int(line.rsplit(":", 1)[1])


def last_charge_id(body):
    """The id of the last charge of a list page, without parsing JSON."""
    best = max(body.rfind(b'{"id":"ch_'), body.rfind(b'{"id":"py_'))
    if best < 0:
        return None
    start = best + len(b'{"id":"')
    return body[start:body.index(b'"', start)].decode()


def pager(port, deadline, counts, index):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    cursor, pages = None, 0
    while time.monotonic() < deadline:
        path = "/v1/charges?limit=100"
        if cursor:
            path += "&starting_after=" + cursor
        conn.request("GET", path, headers=HEADERS)
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise RuntimeError("status %d: %r" % (resp.status, body[:200]))
        pages += 1
        cursor = last_charge_id(body) if b'"has_more":true' in body else None
    conn.close()
    counts[index] = pages


def pages_per_second(port, connections, seconds):
    counts = [0] * connections
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    threads = [threading.Thread(target=pager,
                                args=(port, deadline, counts, i))
               for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.monotonic() - started)


def control(port, method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=json.dumps(body) if body else None)
    data = conn.getresponse().read()
    conn.close()
    return json.loads(data)


def wide(port, connections, latency_ms):
    """Seconds until `connections` simultaneous requests are answered."""
    old = control(port, "GET", "/_double/limits")
    control(port, "POST", "/_double/limits", {"latency_ms": latency_ms,
                                              "jitter_ms": 0})
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=30)
             for _ in range(connections)]
    for c in conns:
        c.connect()
    statuses = []
    barrier = threading.Barrier(connections + 1)

    def one(c):
        barrier.wait()
        c.request("GET", "/v1/charges?limit=1", headers=HEADERS)
        resp = c.getresponse()
        resp.read()
        statuses.append(resp.status)

    threads = [threading.Thread(target=one, args=(c,)) for c in conns]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.monotonic()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    for c in conns:
        c.close()
    control(port, "POST", "/_double/limits",
            {"latency_ms": old["latency_ms"], "jitter_ms": old["jitter_ms"]})
    if statuses.count(200) != connections:
        raise RuntimeError("wide: statuses %s" % statuses)
    return elapsed


def main():
    p = argparse.ArgumentParser(description="Stripe double benchmark")
    p.add_argument("--port", type=int, help="use a running double")
    p.add_argument("--charges", type=int, default=20000)
    p.add_argument("--connections", type=int, default=6)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--wide", type=int, default=64)
    p.add_argument("--wide-latency-ms", type=float, default=250)
    args = p.parse_args()
    proc = None
    port = args.port
    if port is None:
        proc, port = start_double(["--charges", str(args.charges),
                                   "--payouts", "10"])
    try:
        rate = pages_per_second(port, args.connections, args.seconds)
        print("pages_per_second=%.0f" % rate)
        elapsed = wide(port, args.wide, args.wide_latency_ms)
        print("wide_seconds=%.3f" % elapsed)
        print("# %d connections: %.0f pages of 100 charges per second; "
              "%d connections with %.0f ms latency answered in %.3f s"
              % (args.connections, rate, args.wide, args.wide_latency_ms,
                 elapsed))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
