#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# stripe-reader curl: one GET through the adapter; -i, -d, Stripe-Account,
# exit codes for non-2xx replies.
. "$(dirname "$0")/lib.sh"

double_start --accounts 1 --charges 30 --payouts 5

# profile FILE [SPEC LINES]: a test-mode profile on the double
profile() {
    key_profile "$1" t0302 "${2:-}"
}

# the last request in the double's log, as "FIELD=VALUE ..." for FIELDS
last_request() {
    dctl GET /_double/requests | "$PYTHON" -c '
import json, sys
r = json.load(sys.stdin)["requests"][-1]
print(" ".join("%s=%s" % (f, r[f]) for f in sys.argv[1:]))' "$@"
}

export STRIPE_TEST_KEY=sk_test_double_platform
P=$TMP/curl.yaml
profile "$P"
profile "$TMP/conn.yaml" "  accountId: acct_1DoubleConn000001"

run "$BIN" curl /v1/charges --profile "$P"
t_is "$RC" 0 "curl /v1/charges: exit 0"
t_match "$OUT" '^\{"object":"list","data":\[' "prints the raw body (not a terminal)"
t_is "$(printf '%s' "$OUT" | "$PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)["data"]))')" \
    10 "the list has Stripe's default page of 10"
t_is "$(last_request path query account)" "path=/v1/charges query= account=None" \
    "no Stripe-Account without accountId"

run "$BIN" curl /v1/charges --profile "$TMP/conn.yaml" -d limit=2
t_is "$RC" 0 "with a connected account: exit 0"
t_is "$(last_request account)" "account=acct_1DoubleConn000001" \
    "Stripe-Account sent for the profile's accountId"
t_match "$OUT" '"livemode":false' "the connected account's data"

run "$BIN" curl /v1/charges --profile "$P" -d limit=3 -d 'created[lt]=1767225600'
t_is "$RC" 0 "-d pairs: exit 0"
t_is "$(last_request query)" "query=limit=3&created%5Blt%5D=1767225600" \
    "-d pairs become a percent-encoded query"

run "$BIN" curl '/v1/events?limit=1' --profile "$P" -d 'type=charge.*'
t_is "$(last_request query)" "query=limit=1&type=charge.%2A" \
    "-d appends to a query already in PATH"

run "$BIN" curl v1/payouts --profile "$P" -d limit=1
t_is "$(last_request path)" "path=/v1/payouts" "a PATH without '/' gets one"

run "$BIN" curl /v1/charges --profile "$P" -i -d limit=1
t_is "$RC" 0 "-i: exit 0"
t_match "$(printf '%s' "$OUT" | head -1)" '^HTTP/1.1 200 OK' "-i: the status line first"
t_match "$OUT" 'Request-Id: req_' "-i: the response headers"
t_match "$OUT" '"object":"list"' "-i: then the body"

# pretty JSON on a terminal (script(1) gives the command a tty)
if command -v script >/dev/null 2>&1; then
    script -qec "$BIN curl /v1/charges --profile $P -d limit=1" /dev/null \
        >"$TMP/tty.out" 2>&1 </dev/null
    t_match "$(cat "$TMP/tty.out")" '^\{.?$' "on a terminal the JSON is pretty-printed"
    t_match "$(cat "$TMP/tty.out")" '"object":[[:space:]]+"list"' \
        "pretty: one member per line"
else
    t_skip "pretty JSON on a terminal" "no script(1)"
    t_skip "pretty: one member per line" "no script(1)"
fi

# non-2xx: Stripe's error body on stdout, the error on stderr, exit codes
run "$BIN" curl /v1/charges/ch_doesnotexist --profile "$P"
t_is "$RC" 5 "404: exit 5"
t_match "$OUT" '"code":"resource_missing"' "404: Stripe's error body printed"
t_match "$ERR" "error: GET /v1/charges/ch_doesnotexist: 404 Not Found: No such charge: 'ch_doesnotexist' \(Request-Id req_" \
    "404: the error names the endpoint, status, message and Request-Id"

run "$BIN" curl /v1/charges --profile "$P" -d limit=500
t_is "$RC" 5 "400: exit 5"
t_match "$ERR" '400 Bad Request' "400: named"

STRIPE_TEST_KEY=rk_test_double_nopayouts run "$BIN" curl /v1/payouts --profile "$P"
t_is "$RC" 4 "403: exit 4"
t_match "$OUT" 'rak_payout_read' "403: Stripe's error body printed"
t_match "$ERR" "GET /v1/payouts: 403 Forbidden: The provided key 'rk_test_.*' does not have the required permissions.*'rak_payout_read'.*\(Request-Id req_" \
    "403: the message names the permission and the Request-Id"

STRIPE_TEST_KEY=sk_test_wrong_key_00001 run "$BIN" curl /v1/charges --profile "$P" -vv
t_is "$RC" 4 "401: exit 4"
t_nomatch "$OUT$ERR" 'sk_test_wrong_key_00001' "401: the key is never printed"

# retried faults are invisible to the user but logged at info level
dctl POST /_double/faults '{"faults": [{"kind": "502", "nth": 1}]}' >/dev/null
run "$BIN" curl /v1/charges --profile "$P" -d limit=1 -v
t_is "$RC" 0 "a 502 then 200: exit 0"
t_match "$ERR" 'info: GET /v1/charges: 502 Bad Gateway \(server error; Request-Id req_[A-Za-z0-9]+\); retry 1 of 2 in [0-9]+ ms' \
    "the retry is logged at info level with status and Request-Id"

dctl POST /_double/faults '{"faults": [{"kind": "503", "probability": 1}]}' >/dev/null
run "$BIN" curl /v1/charges --profile "$P"
t_is "$RC" 5 "503 every time: exit 5"
t_match "$ERR" 'GET /v1/charges: 503 Service Unavailable: An unknown error occurred \(Request-Id req_[A-Za-z0-9]+; gave up after 3 attempts\)' \
    "the final error names the status, message, Request-Id and attempts"
dctl DELETE /_double/faults >/dev/null

run "$BIN" curl --profile "$P"
t_is "$RC" 2 "no PATH: usage error"
run "$BIN" curl https://api.stripe.com/v1/charges --profile "$P"
t_is "$RC" 2 "a URL instead of a path: usage error"
run "$BIN" curl /v1/charges --profile "$TMP/nonexistent.yaml"
t_is "$RC" 3 "a missing profile: configuration error"

# plain http to a non-loopback host is refused before any request
profile_yaml remote '    apiKey: ${{ STRIPE_TEST_KEY }}' "" remote \
    '  baseUrl: http://192.0.2.1:80' >"$TMP/remote.yaml"
run "$BIN" curl /v1/charges --profile "$TMP/remote.yaml"
t_is "$RC" 3 "http to a non-loopback host: configuration error"
t_match "$ERR" 'https' "the error says https is required"

t_done
