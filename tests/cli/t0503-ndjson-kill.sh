#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 5: kill -9 at 20+ random moments during a backfill into NDJSON,
# plain and gzip, each followed by a re-run: after every kill the manifest
# lists only complete files, and its files hold each (id, version, source) exactly
# once; the final result equals the truth.
. "$(dirname "$0")/lib.sh"

KILLS=${KILLS:-21}
RANDOM=777
double_history 20 --seed 12 --charges 2500 --payouts 500 --latency-ms 40 \
    --jitter-ms 10
KINDS='["capture","refund_partial","refund_full","dispute","update","payout_paid","payout_failed"]'
dctl POST /_double/mutate "{\"count\":1500,\"seed\":3,\"kinds\":$KINDS,\"step\":1}" >/dev/null
dctl POST /_double/clock '{"advance":30}' >/dev/null
profile_for plat
truth_to "$TMP/t.json" $PLATFORM

# chain DIR OPTS...: KILLS killed runs, each checked, then a full run
chain() {
    local dir=$1 hits=0 bad=0 pid i
    shift
    for i in $(seq 1 "$KILLS"); do
        "$BIN" backfill --profile "$TMP/plat.yaml" --since $START \
            --sink "ndjson:$dir" --commit-interval 150ms --rotate-records 400 \
            --concurrency 2 -q "$@" >/dev/null 2>&1 &
        pid=$!
        sleep "$(printf '0.%03d' $((RANDOM % 300 + 30)))" # the crash moment
        if kill -9 "$pid" 2>/dev/null; then
            hits=$((hits + 1))
        fi
        wait "$pid" 2>/dev/null
        if [ -f "$dir/manifest.json" ] && ! nd_check "$dir" >"$TMP/check.$i" 2>&1; then
            bad=$((bad + 1))
            sed 's/^/# after kill '"$i"': /' "$TMP/check.$i" | head -5
        fi
    done
    "$BIN" backfill --profile "$TMP/plat.yaml" --since $START --sink "ndjson:$dir" \
        --rotate-records 400 -q "$@" >/dev/null 2>&1
    echo "$hits $bad $?"
}

for mode in plain gzip; do
    opt=""
    [ $mode = gzip ] && opt=--gzip
    read -r hits bad rc <<<"$(chain "$TMP/$mode" $opt)"
    t_ok "$mode: at least 20 kills hit a running backfill ($hits)" test "$hits" -ge 20
    t_is "$bad" 0 "$mode: after every kill, the manifest lists only complete files, each (id, version, source) once"
    t_is "$rc" 0 "$mode: the re-run after the kills completes"
    t_ok "$mode: no leftover file, no duplicate, newest versions equal the truth" \
        nd_check "$TMP/$mode" --no-leftovers --truth "$TMP/t.json"
done
t_is "$(find "$TMP/gzip" -name '*.gz' -exec gzip -t {} + && echo ok)" ok "gzip files pass gzip -t"
t_done
