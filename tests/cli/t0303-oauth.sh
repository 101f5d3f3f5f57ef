#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# OAuth (Stripe Apps): refresh and rotation, the token store reused by the
# next run, a kill -9 right after the token reply, two concurrent runs,
# invalid_grant, livemode mismatch.
. "$(dirname "$0")/lib.sh"

export APP_SECRET=sk_test_double_app
export REFRESH_TOKEN=rt_double_initial_0
export TOKEN_STORE=$TMP/state/app.oauth.json

P=$TMP/oauth.yaml
oauth_profile "$P"

# a field of the token store
store() {
    "$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
        "$TOKEN_STORE" "$1"
}

# make the stored access token look old, so that the next run refreshes
age_store() {
    "$PYTHON" - "$TOKEN_STORE" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["expires_at"] = 0
open(sys.argv[1], "w").write(json.dumps(d))
PY
}

# wait (bounded) until the double has answered N token requests and has
# an API request in flight: the run has stored the new tokens (it sends
# nothing else before) and is waiting for its first API reply
wait_token_then_request() {
    "$PYTHON" - "$DOUBLE_URL" "$1" <<'PY'
import json, sys, time, urllib.request
url, want = sys.argv[1], int(sys.argv[2])
def get(path):
    with urllib.request.urlopen(url + path, timeout=60) as r:
        return json.load(r)
for _ in range(1200):
    tokens = len(get("/_double/requests?path=/v1/oauth/token")["requests"])
    if tokens >= want and get("/_double/state")["in_flight"] >= 1:
        sys.exit(0)
    time.sleep(0.05)
sys.exit(1)
PY
}

# --- refresh, rotation, reuse -----------------------------------------------
double_start --accounts 1 --charges 20 --payouts 5
run "$BIN" check --profile "$P" -vv
t_is "$RC" 0 "first run: refreshes and reads every stream"
t_is "$(requests_count /v1/oauth/token)" 1 "one token request"
t_is "$(stat -c %a "$TOKEN_STORE")" 600 "the token store is mode 0600"
rt1=$(store refresh_token)
t_match "$rt1" '^rt_' "the store holds a refresh token"
t_nomatch "$rt1" 'rt_double_initial_0' "... the rotated one, not the initial one"
t_match "$(store access_token)" '^sk_test_oauth_' "the store holds the access token"
t_match "$OUT" '^key: +OAuth access token ' "check names the credential kind"
t_nomatch "$OUT$ERR" "$rt1|$(store access_token)|rt_double_initial_0|sk_test_double_app" \
    "no token or secret printed at -vv"
t_nomatch "$(ls -a "$TMP/state")" '\.tmp\.' "no temporary file left behind"
body=$(dctl GET /_double/requests | "$PYTHON" -c '
import json, sys
print([r["body"] for r in json.load(sys.stdin)["requests"]
       if r["path"] == "/v1/oauth/token"][0])')
t_match "$body" '^grant_type=refresh_token&refresh_token=' "the grant is refresh_token"

run "$BIN" check --profile "$P"
t_is "$RC" 0 "second run: exit 0"
t_is "$(requests_count /v1/oauth/token)" 1 "second run reuses the stored token (no token request)"

# the double's clock passes the token's hour: 401, renew once, go on
dctl POST /_double/clock '{"advance": 7200}' >/dev/null
run "$BIN" check --profile "$P" -v
t_is "$RC" 0 "an expired access token: renewed after the 401"
t_is "$(requests_count /v1/oauth/token)" 2 "one more token request, not one per stream"
rt2=$(store refresh_token)
t_nomatch "$rt2" "^$rt1\$" "the refresh token rotated again"
t_match "$ERR" 'refused \(401\); renewing' "the renewal is logged"

# --- a crash right after the token reply (test hook) ------------------------
age_store
STRIPE_READER_TEST_CRASH_AFTER_TOKEN_STORE=1 run "$BIN" check --profile "$P"
t_is "$RC" 137 "the hook kills the run right after the store write"
t_is "$(requests_count /v1/oauth/token)" 3 "its token request was answered"
rt3=$(store refresh_token)
t_nomatch "$rt3" "^$rt2\$" "the rotated refresh token reached the store"
run "$BIN" check --profile "$P"
t_is "$RC" 0 "the next run works with the stored token"
t_is "$(requests_count /v1/oauth/token)" 3 "... without a token request"
age_store
run "$BIN" check --profile "$P"
t_is "$RC" 0 "and the stored refresh token is the valid one"
t_is "$(requests_count /v1/oauth/token)" 4 "(it refreshed with it)"

# --- a real kill -9 while the first API request after a refresh waits ------
age_store
dctl POST /_double/faults '{"faults": [{"kind": "slow", "path": "/v1/charges", "nth": 1, "count": 1, "delay_ms": 20000}]}' >/dev/null
"$BIN" check --profile "$P" --streams charges >/dev/null 2>&1 &
pid=$!
t_ok "the run stored its tokens and waits for the API" wait_token_then_request 5
{ kill -9 "$pid"; wait "$pid"; } 2>/dev/null
t_is "$(requests_count /v1/oauth/token)" 5 "killed after its token request"
dctl DELETE /_double/faults >/dev/null
age_store
run "$BIN" check --profile "$P"
t_is "$RC" 0 "after kill -9 the stored refresh token still works"
t_is "$(requests_count /v1/oauth/token)" 6 "(it refreshed with it)"

# --- two concurrent runs refresh only once ---------------------------------
double_stop
rm -rf "$TMP/state"
double_start --accounts 1 --charges 20 --payouts 5
# hold the first token request for a second so that the runs overlap
dctl POST /_double/faults '{"faults": [{"kind": "slow", "path": "/v1/oauth/token", "nth": 1, "delay_ms": 1000}]}' >/dev/null
"$BIN" check --profile "$P" >"$TMP/a.out" 2>&1 &
pa=$!
"$BIN" check --profile "$P" >"$TMP/b.out" 2>&1 &
pb=$!
wait "$pa"; ra=$?
wait "$pb"; rb=$?
t_is "$ra $rb" "0 0" "two concurrent runs both succeed"
t_is "$(requests_count /v1/oauth/token)" 1 "two concurrent runs refresh only once"
dctl DELETE /_double/faults >/dev/null

# --- invalid_grant -----------------------------------------------------------
rm -rf "$TMP/state"
dctl DELETE /_double/requests >/dev/null
REFRESH_TOKEN=rt_revoked_by_the_user_000 run "$BIN" check --profile "$P"
t_is "$RC" 4 "invalid_grant: exit 4"
t_match "$ERR" 'invalid_grant' "invalid_grant: named"
t_match "$ERR" 're-authorize the app' "invalid_grant: tells the user to re-authorize"
t_match "$ERR" "token store '$TOKEN_STORE'" "invalid_grant: names the token store"
t_nomatch "$ERR" 'rt_revoked_by_the_user_000' "invalid_grant: the refresh token is not printed"
t_is "$(requests_count /v1/charges)" 0 "invalid_grant: no API request"

# a profile with a new refresh token (re-authorized) wins over the store
double_stop
rm -rf "$TMP/state"
double_start --accounts 1 --charges 20 --payouts 5
run "$BIN" check --profile "$P"
t_is "$RC" 0 "a fresh chain"
age_store
REFRESH_TOKEN=rt_from_a_new_install_0000 run "$BIN" check --profile "$P"
t_match "$ERR" 'invalid_grant' "a changed refresh token in the profile is used instead of the store's"

# --- livemode must match the profile's mode ----------------------------------
double_stop
rm -rf "$TMP/state"
printf '{"oauth": {"livemode": true}}\n' >"$TMP/live.json"
double_start --accounts 1 --charges 20 --payouts 5 --config "$TMP/live.json"
run "$BIN" check --profile "$P"
t_is "$RC" 4 "a live token for a test profile: exit 4"
t_match "$ERR" 'the OAuth token is for live mode but profile .app. is in test mode' \
    "the mismatch is named"
t_match "$(store refresh_token)" '^rt_' "the rotated token is stored all the same"
t_is "$(requests_count /v1/charges)" 0 "no API request with the wrong mode's token"

t_done
