#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 11.1: a first sync, and a rescan, that need many deadline-bounded
# runs exit only 0 or 8 (never 6) while changes happen and hours and days
# of Stripe time pass between runs, and then equal the double's truth.
. "$(dirname "$0")/lib.sh"

double_history 40 --seed 31 --charges 1500 --payouts 150 --latency-ms 150
profile_for plat
DB=$TMP/f.db
KINDS='["refund_full","refund_partial","dispute","capture","update","payout_paid","new_charge","new_payout"]'

# runs SINK: sync --max-duration again and again until one completes; every
# exit code is recorded; between runs Stripe's clock moves on by hours (and
# once by two days) and the account changes.
runs() {
    local n=0 codes=""
    while [ $n -lt 60 ]; do
        n=$((n + 1))
        run "$BIN" sync --profile "$TMP/plat.yaml" --sink "$1" \
            --max-duration 3s --concurrency 1 ${RESCAN:-}
        RESCAN=
        codes="$codes$RC "
        [ "$RC" = 0 ] && break
        [ "$RC" = 8 ] || break
        dctl POST /_double/mutate "{\"count\":15,\"seed\":$n,\"kinds\":$KINDS,\"step\":60}" >/dev/null
        if [ $n = 3 ]; then
            dctl POST /_double/clock '{"advance":172800}' >/dev/null
        else
            dctl POST /_double/clock '{"advance":7200}' >/dev/null
        fi
    done
    RUNS=$n CODES=$codes
}

runs "sqlite:$DB"
t_match "$CODES" '^(8 )+0 $' "a first sync over $RUNS runs exits 8 until it completes, then 0 (never 6): $CODES"
t_ok "it needed several runs ($RUNS)" test "$RUNS" -ge 3
# settle: past every lag of the double (late visibility, consistency lag)
dctl POST /_double/clock '{"advance":900}' >/dev/null
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "a sync after the first one completes"
truth_to "$TMP/t.json" $PLATFORM
COMPARE_OPTS=--events-subset t_ok \
    "the database equals the truth; every event Stripe still lists is stored" \
    compare_db "$DB" "$TMP/t.json"
t_is "$(sqlite3 "$DB" "SELECT count(*) FROM runs WHERE exit_code = 6")" 0 \
    "no run in the history exited 6"

# the same for --rescan: the first run rescans, the next ones continue it
dctl POST /_double/mutate "{\"count\":40,\"seed\":99,\"kinds\":$KINDS,\"step\":30}" >/dev/null
dctl POST /_double/clock '{"advance":3600}' >/dev/null
RESCAN=--rescan runs "sqlite:$DB"
t_match "$CODES" '^(8 )+0 $' "sync --rescan over $RUNS runs exits 8 until done, then 0: $CODES"
dctl POST /_double/clock '{"advance":900}' >/dev/null
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
truth_to "$TMP/t2.json" $PLATFORM
COMPARE_OPTS=--events-subset t_ok "after the rescan the database equals the truth" \
    compare_db "$DB" "$TMP/t2.json"

# NDJSON: the same first sync over many runs, then the newest version of
# every object equals the truth and every (id, version, source) is written once
ND=$TMP/nd
runs "ndjson:$ND"
t_match "$CODES" '^(8 )+0 $' "NDJSON: a first sync over $RUNS runs exits 8 until done, then 0: $CODES"
dctl POST /_double/clock '{"advance":900}' >/dev/null
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "ndjson:$ND"
t_is "$RC" 0 "NDJSON: a sync after the first one completes"
truth_to "$TMP/t3.json" $PLATFORM
t_ok "NDJSON: newest versions equal the truth, nothing written twice" \
    nd_check "$ND" --truth "$TMP/t3.json" --events-subset

# a change feed that really made no progress for 30 days is a gap (exit 6)
dctl POST /_double/clock '{"advance":2678400}' >/dev/null
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 6 "a change feed 31 days behind exits 6"
t_done
