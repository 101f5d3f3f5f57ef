"""A small Python client for the Stripe API double (used by its tests).

    with Double("--charges", "300") as d:
        status, page, headers = d.get("/v1/charges?limit=100")
        d.ctl("POST", "/_double/clock", {"advance": 60})
"""

import base64
import http.client
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = "sk_test_double_platform"
LIVE_KEY = "sk_live_double_platform"
RESTRICTED_KEY = "rk_test_double_nopayouts"
APP_SECRET = "sk_test_double_app"
REFRESH_TOKEN = "rt_double_initial_0"
PLATFORM = "acct_1DoublePlatform00"


def connected(n):
    return "acct_1DoubleConn%06d" % n


def stop_process(proc, timeout=10):
    """Terminate proc if it still runs; kill it if it has not exited
    within timeout seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers      # dict, lower-case names
        self.body = body            # bytes

    def json(self):
        return json.loads(self.body)


class Double:
    """A double started as a subprocess on port 0 (stopped on exit)."""

    def __init__(self, *args, config=None):
        self._tmp = tempfile.TemporaryDirectory(prefix="double-")
        argv = [sys.executable, os.path.join(HERE, "stripe_double.py"),
                "--port", "0", "--quiet"] + [str(a) for a in args]
        if config is not None:
            path = os.path.join(self._tmp.name, "config.json")
            with open(path, "w") as f:
                json.dump(config, f)
            argv += ["--config", path]
        self.stderr = open(os.path.join(self._tmp.name, "stderr"), "w+")
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE,
                                     stderr=self.stderr, text=True)
        self.line = self.proc.stdout.readline().strip()
        if not self.line.startswith("listening on 127.0.0.1:"):
            self.proc.wait(10)
            errors = self.errors()
            self.close()
            raise RuntimeError("double did not start: %r %s"
                               % (self.line, errors))
        self.port = int(self.line.rsplit(":", 1)[1])

    def errors(self):
        self.stderr.seek(0)
        return self.stderr.read()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        stop_process(self.proc)
        self.proc.stdout.close()
        self.stderr.close()
        self._tmp.cleanup()

    # -- HTTP ------------------------------------------------------------

    def request(self, method, path, headers=None, body=None, timeout=30):
        """One request on a new connection; returns a Response."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                          timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            return Response(resp.status, {k.lower(): v for k, v
                                          in resp.getheaders()}, data)
        finally:
            conn.close()

    def api(self, path, key=KEY, account=None, method="GET", headers=None,
            body=None, basic=False):
        """An API request with a key (Bearer, or Basic when basic=True)."""
        hdrs = dict(headers or {})
        if key is not None:
            if basic:
                token = base64.b64encode((key + ":").encode()).decode()
                hdrs["Authorization"] = "Basic " + token
            else:
                hdrs["Authorization"] = "Bearer " + key
        if account is not None:
            hdrs["Stripe-Account"] = account
        return self.request(method, path, hdrs, body)

    def get(self, path, key=KEY, account=None, **kw):
        """(status, parsed JSON, headers) of an API GET."""
        resp = self.api(path, key, account, **kw)
        return resp.status, resp.json(), resp.headers

    def ctl(self, method, path, body=None):
        """A control request; returns the parsed JSON answer."""
        resp = self.request(method, path, {"Content-Type":
                                           "application/json"},
                            json.dumps(body) if body is not None else None)
        if resp.status != 200:
            raise RuntimeError("%s %s -> %d %s" % (method, path, resp.status,
                                                   resp.body[:300]))
        return resp.json()

    def list_all(self, path, key=KEY, account=None, headers=None):
        """Every object of a list, paging with starting_after (limit
        100)."""
        sep = "&" if "?" in path else "?"
        items, cursor = [], None
        while True:
            url = path + sep + "limit=100"
            if cursor:
                url += "&starting_after=" + cursor
            status, page, _ = self.get(url, key, account, headers=headers)
            if status != 200:
                raise RuntimeError("%s -> %d %s" % (url, status, page))
            items.extend(page["data"])
            if not page["has_more"]:
                return items
            cursor = page["data"][-1]["id"]
