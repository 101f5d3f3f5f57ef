#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Talk to the Stripe API double's control interface from shell tests.

    dctl.py URL METHOD PATH [JSON_BODY]

Prints the response body; exits 0 on 2xx, 1 otherwise.  Stdlib only.
"""
import sys
import urllib.error
import urllib.request


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: dctl.py URL METHOD PATH [JSON]")
    url, method, path = sys.argv[1:4]
    body = sys.argv[4].encode() if len(sys.argv) > 4 else None
    req = urllib.request.Request(url + path, data=body, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            sys.stdout.write(resp.read().decode())
    except urllib.error.HTTPError as e:
        sys.stdout.write(e.read().decode())
        sys.exit(1)


if __name__ == "__main__":
    main()
