#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 15 into NDJSON: a run over several connected accounts into one
# ndjson folder, killed (-9) while it reads its 2nd, 3rd, then 4th account
# (the moment: the double has seen requests for that many accounts; its
# latency keeps each account's read longer than a poll), and again after
# changes in several accounts; after every kill the manifest
# lists only complete files, each (id, version, source) once; the resumed
# run completes, and the newest copy of each object of each account equals
# that account's truth, with no duplicate and no leftover file.
. "$(dirname "$0")/lib.sh"

N=5
double_history 12 --accounts $N --charges 300 --payouts 20 --seed 17 \
    --latency-ms 100 --jitter-ms 20
ND=$TMP/nd
KINDS='["capture","refund_partial","refund_full","dispute","update","payout_paid","payout_failed","new_charge","new_payout"]'
acct() { printf 'acct_1DoubleConn%06d' "$1"; }
profile_yaml multi '    apiKey: ${{ SR_KEY }}' "  accounts: all" double \
    '  baseUrl: ${{ SR_URL }}' \
    '  retry: {initialBackoff: 20ms, maxBackoff: 100ms}' \
    '  rateLimit: {globalRps: 1000, endpointRps: 1000, maxInFlight: 32}' \
    >"$TMP/multi.yaml"

# seen K: the double has been asked something for K accounts
seen() {
    dctl GET /_double/requests | "$PYTHON" -c '
import json, sys
reqs = json.load(sys.stdin)["requests"]
sys.exit(len({q["account"] for q in reqs if q.get("account")}) < int(sys.argv[1]))' "$1"
}

# killed_at K: a sync killed -9 once the double saw requests for K
# accounts; "killed" if the run was still going, then the folder checked
killed_at() {
    local pid i
    dctl DELETE /_double/requests >/dev/null
    "$BIN" sync --profile "$TMP/multi.yaml" --sink "ndjson:$ND" \
        --commit-interval 100ms --rotate-records 120 -q >/dev/null 2>&1 &
    pid=$!
    for i in $(seq 1 1200); do  # polls a condition, up to a minute
        seen "$1" && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if kill -9 "$pid" 2>/dev/null; then
        echo killed
    else
        echo "ended first"
    fi
    wait "$pid" 2>/dev/null
}

# all_truth DESC: each account's newest copies equal its truth; no
# duplicate, no leftover
all_truth() {
    local n bad=""
    for n in $(seq 1 $N); do
        truth_to "$TMP/t$n.json" "$(acct "$n")"
        nd_check "$ND" --no-leftovers --truth "$TMP/t$n.json" \
            --account "$(acct "$n")" >"$TMP/nd$n.out" 2>&1 || bad="$bad $(acct "$n")"
    done
    t_is "${bad:-none}" none "$1"
}

for k in 2 3 4; do
    t_is "$(killed_at $k)" killed "first sync killed -9 while its account $k is read"
    t_ok "after the kill, the manifest lists only complete files, each (id, version, source) once" \
        nd_check "$ND"
done
t_match "$(cat "$ND/manifest.json")" "multi/$(acct 2)" \
    "the manifest keeps the checkpoints of the accounts read"
run "$BIN" sync --profile "$TMP/multi.yaml" --sink "ndjson:$ND" --rotate-records 120
t_is "$RC" 0 "the resumed run completes"
t_match "$ERR" "accounts: $N ok, 0 failed; ok" "every account ok"
all_truth "every account's newest copies equal its truth, nothing duplicated or left over"

# changes in three accounts; a sync killed in the middle, then resumed
for n in 2 3 5; do
    dctl POST /_double/mutate "{\"count\":80,\"seed\":$n,\"account\":\"$(acct "$n")\",\"kinds\":$KINDS,\"step\":1}" >/dev/null
done
dctl POST /_double/clock '{"advance":30}' >/dev/null
t_is "$(killed_at 2)" killed "a sync after changes killed -9 while its 2nd account is read"
t_ok "the manifest is whole after that kill" nd_check "$ND"
dctl POST /_double/clock '{"advance":720}' >/dev/null
run "$BIN" sync --profile "$TMP/multi.yaml" --sink "ndjson:$ND" --rotate-records 120
t_is "$RC" 0 "the resumed sync completes"
all_truth "then every account equals its truth again, nothing lost or duplicated"
t_done
