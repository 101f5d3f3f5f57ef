#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 15: 'backfill' over a platform's connected accounts: every account
# of 'accounts: all' is backfilled with its own checkpoint and equals its
# truth; --accounts narrows a backfill to the accounts named.
. "$(dirname "$0")/lib.sh"

N=3
double_history 12 --accounts $N --charges 20 --payouts 2 --seed 16
DB=$TMP/b.db
profile_yaml multi '    apiKey: ${{ SR_KEY }}' "  accounts: all" double \
    '  baseUrl: ${{ SR_URL }}' \
    '  retry: {initialBackoff: 20ms, maxBackoff: 100ms}' \
    '  rateLimit: {globalRps: 1000, endpointRps: 1000, maxInFlight: 32}' \
    >"$TMP/multi.yaml"
acct() { printf 'acct_1DoubleConn%06d' "$1"; }
equal_all() { # every account's rows equal its truth
    local n
    for n in $(seq 1 $N); do
        truth_to "$TMP/t$n.json" "$(acct "$n")"
        compare_db "$DB" "$TMP/t$n.json" "$(acct "$n")" || return 1
    done
}

run "$BIN" backfill --profile "$TMP/multi.yaml" --sink "sqlite:$DB" --since $START
t_is "$RC" 0 "a backfill of every connected account"
t_match "$ERR" "; accounts: $N ok, 0 failed; ok$" "  ... all $N ok"
t_ok "  ... each equals its truth" equal_all
t_is "$(sqlite3 "$DB" "SELECT key FROM state ORDER BY key" | tr '\n' ' ')" \
    "multi/accounts multi/$(acct 1) multi/$(acct 2) multi/$(acct 3) " \
    "  ... one checkpoint per account, and the known accounts"

dctl POST /_double/mutate "{\"count\":20,\"seed\":5,\"account\":\"$(acct 2)\",\"kinds\":[\"update\",\"new_charge\"],\"step\":1}" >/dev/null
dctl POST /_double/clock '{"advance":30}' >/dev/null
dctl DELETE /_double/requests >/dev/null
run "$BIN" backfill --profile "$TMP/multi.yaml" --sink "sqlite:$DB" --since $START \
    --accounts "$(acct 2)"
t_is "$RC" 0 "a backfill of one account named by --accounts"
t_match "$ERR" "; accounts: 1 ok, 0 failed; ok$" "  ... that one only"
t_is "$(dctl GET /_double/requests | "$PYTHON" -c '
import json, sys
print(sorted({r["account"] or "" for r in json.load(sys.stdin)["requests"]}))')" \
    "['$(acct 2)']" "  ... every request with its Stripe-Account"
t_ok "  ... and every account equals its truth (the changed one too)" equal_all
t_done
