#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# stripe-reader check: probes every stream through the adapter and prints
# what the credential can read (full key, restricted key, bad key,
# connected account).
. "$(dirname "$0")/lib.sh"

double_start --accounts 1 --charges 30 --payouts 5

# profile FILE [SPEC LINES]: a test-mode profile on the double
profile() {
    key_profile "$1" t0301 "${2:-}"
}

P=$TMP/check.yaml
profile "$P"

# a full key
export STRIPE_TEST_KEY=sk_test_double_platform
dctl DELETE /_double/requests >/dev/null
run "$BIN" check --profile "$P"
t_is "$RC" 0 "full key: exit 0"
t_match "$OUT" '^charges +readable' "full key: charges readable"
t_match "$OUT" '^events +readable' "full key: events readable"
t_match "$OUT" '^payouts +readable' "full key: payouts readable"
t_match "$OUT" "^account: +\(key's own account\)" "shows the account"
t_match "$OUT" '^mode: +test' "shows the mode"
t_nomatch "$OUT$ERR" 'sk_test_double_platform' "the key is never printed"
t_match "$OUT" '^key: +.*\.\.\.form$' "the key is identified by its last 4"
# the streams with a list of their own (children are read with their parent)
listed=$("$BIN" streams | sed -n 's|^[a-z_]*  \(/v1/[a-z_/]*\)  .*|\1?limit=1|p' | sort)
t_is "$(requests_count /v1/)" "$(wc -l <<<"$listed")" \
    "one request per stream with a list"
t_is "$(requests_count /v1/account)" 0 "never calls /v1/account"
q=$(dctl GET /_double/requests | "$PYTHON" -c '
import json, sys
print("\n".join(sorted(r["path"] + "?" + r["query"]
                       for r in json.load(sys.stdin)["requests"])))')
t_is "$q" "$listed" "each probe is a limit=1 list request"
t_is "$(grep -cE '^[a-z_]+ +readable' <<<"$OUT")" \
    "$("$BIN" streams | grep -c '^[a-z]')" "every stream is listed, readable"
t_match "$OUT" '^invoice_line_items +readable +read with invoices$' \
    "a child stream is read with its parent"
t_nomatch "$OUT" 'prices_inactive' "the hidden twin is no stream of its own"
dctl DELETE /_double/requests >/dev/null
run "$BIN" check --profile "$P" --streams subscription_items
t_is "$RC" 0 "a child stream alone"
t_is "$(dctl GET /_double/requests | jq -r '.requests[] | .path + "?" + .query')" \
    "/v1/subscriptions?limit=1" "  ... is probed through its parent's list"
run "$BIN" check --profile "$P" --streams prices_inactive
t_is "$RC" 2 "the hidden twin is no --streams name"

# STRIPE_READER_PROFILE is the default profile
STRIPE_READER_PROFILE=$P run "$BIN" check
t_is "$RC" 0 "--profile defaults to \$STRIPE_READER_PROFILE"

# a restricted key without payouts
export STRIPE_TEST_KEY=rk_test_double_nopayouts
run "$BIN" check --profile "$P" --streams charges,events,payouts
t_is "$RC" 4 "restricted key lacking payouts: exit 4"
t_match "$OUT" '^charges +readable' "restricted key: charges readable"
t_match "$OUT" '^payouts +not readable +missing permission rak_payout_read \(Request-Id req_[A-Za-z0-9]+\)' \
    "restricted key: payouts names rak_payout_read and the Request-Id"
t_match "$ERR" '1 of 3 streams not readable' "the error counts the streams"
t_nomatch "$OUT$ERR" 'rk_test_double_nopayouts' "the restricted key is never printed"

run "$BIN" check --profile "$P" --streams charges,events
t_is "$RC" 0 "--streams: only the selected streams"
t_nomatch "$OUT" '^payouts' "--streams: payouts not probed"

run "$BIN" check --profile "$P" --streams charges,paypouts
t_is "$RC" 2 "--streams with an unknown name: usage error"
t_match "$ERR" "unknown stream 'paypouts' \(did you mean 'payouts'\?\)" \
    "unknown stream: did you mean"

# a bad key
export STRIPE_TEST_KEY=sk_test_not_a_real_key_0000
run "$BIN" check --profile "$P" -vv
t_is "$RC" 4 "bad key: exit 4"
t_match "$OUT" '^charges +not readable +401 Unauthorized: Invalid API Key provided' \
    "bad key: 401 and Stripe's message"
t_nomatch "$OUT$ERR" 'sk_test_not_a_real_key_0000' "the bad key is never printed (-vv)"
t_match "$ERR" 'debug: GET /v1/charges\?limit=1 -> 401 \([0-9]+ ms, req_' \
    "-vv logs each request line with its Request-Id"
t_nomatch "$ERR" 'Authorization|Bearer' "-vv never logs headers"

# a connected account
export STRIPE_TEST_KEY=sk_test_double_platform
profile "$TMP/conn.yaml" "  accountId: acct_1DoubleConn000001"
dctl DELETE /_double/requests >/dev/null
run "$BIN" check --profile "$TMP/conn.yaml"
t_is "$RC" 0 "connected account: exit 0"
t_match "$OUT" '^account: +acct_1DoubleConn000001' "shows the connected account"
accts=$(dctl GET /_double/requests | "$PYTHON" -c '
import json, sys
print(",".join(sorted(set(str(r["account"])
                          for r in json.load(sys.stdin)["requests"]))))')
t_is "$accts" "acct_1DoubleConn000001" "every probe sent Stripe-Account"

# an account the key may not read
profile "$TMP/other.yaml" "  accountId: acct_1NotAnAccountOfOurs"
run "$BIN" check --profile "$TMP/other.yaml"
t_is "$RC" 4 "unknown connected account: exit 4"
t_match "$OUT" "does not have access to account" "Stripe's message shown"

# a failure that is not about auth: exit 5
dctl POST /_double/faults '{"faults": [{"kind": "503", "path": "/v1/events", "probability": 1}]}' >/dev/null
run "$BIN" check --profile "$P"
t_is "$RC" 5 "events failing with 503: exit 5"
t_match "$OUT" '^events +not readable +503 Service Unavailable: .*gave up after 3 attempts' \
    "the 503 and the attempts are shown"
dctl DELETE /_double/faults >/dev/null

run "$BIN" check --profile "$P" extra
t_is "$RC" 2 "an extra argument: usage error"

t_done
