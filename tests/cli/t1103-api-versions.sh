#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 11.3: events carry the account's API version.  The double's first
# connected account is on 2020-08-27 (a charge embeds 'refunds'); later it
# moves to 2017-01-27 (payout events carry "object": "transfer").  Every
# stored copy is at the pinned version (2024-06-20); the events table keeps
# every event as sent; each object is re-read at most once per run.
. "$(dirname "$0")/lib.sh"

double_history 10 --seed 51 --charges 800 --payouts 200 --accounts 1
dctl POST /_double/limits '{"late_fraction":0}' >/dev/null
profile_for conn $CONNECTED
DB=$TMP/v.db
KINDS='["capture","refund_partial","refund_full","dispute","update","payout_paid","payout_failed","new_charge","new_payout"]'

run "$BIN" sync --profile "$TMP/conn.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "first sync of the connected account"
retrieved_twice=0
for i in 1 2 3; do
    dctl POST /_double/mutate "{\"count\":80,\"seed\":$i,\"kinds\":$KINDS,\"step\":2,\"account\":\"$CONNECTED\"}" >/dev/null
    [ $i = 2 ] && dctl POST /_double/accounts "{\"account\":\"$CONNECTED\",\"api_version\":\"2017-01-27\"}" >/dev/null
    dctl POST /_double/clock '{"advance":30}' >/dev/null
    dctl DELETE /_double/requests >/dev/null
    run "$BIN" sync --profile "$TMP/conn.yaml" --sink "sqlite:$DB"
    [ "$RC" = 0 ] || break
    n=$(request_paths | grep -E '^GET /v1/(charges|payouts)/' | sort | uniq -d | wc -l)
    retrieved_twice=$((retrieved_twice + n))
done
t_is "$RC" 0 "three syncs of ordinary changes succeed"
t_is "$retrieved_twice" 0 "no object was re-read twice in one run"
t_ok "old-version events were read" test "$(sqlite3 "$DB" \
    "SELECT count(*) FROM events WHERE api_version = '2020-08-27'")" -gt 0
t_ok "2020-08-27 charge events keep their embedded refunds, exactly as sent" \
    test "$(sqlite3 "$DB" "SELECT count(*) FROM events WHERE api_version = '2020-08-27'
        AND object_type = 'charge' AND json_extract(raw, '\$.data.object.refunds.object') = 'list'")" -gt 0
t_ok "payout events rendered before 2017-04-06 carry a transfer" \
    test "$(sqlite3 "$DB" "SELECT count(*) FROM events WHERE object_type = 'transfer'
        AND type LIKE 'payout.%'")" -gt 0
t_is "$(sqlite3 "$DB" "SELECT count(*) FROM charges WHERE json_type(raw, '\$.refunds') IS NOT NULL")" 0 \
    "no stored charge has the 2020-08-27 shape"
t_is "$(sqlite3 "$DB" "SELECT count(*) FROM payouts WHERE json_extract(raw, '\$.object') <> 'payout'")" 0 \
    "every stored payout is a payout"
t_is "$(sqlite3 "$DB" "SELECT count(*) FROM charges WHERE source = 'event' AND source_api_version <> '2024-06-20'")" 0 \
    "no event copy of another version was stored"
t_ok "changed objects were re-read (hydrated)" test "$(sqlite3 "$DB" \
    "SELECT count(*) FROM charges WHERE source = 'retrieve'")" -gt 0
truth_to "$TMP/t.json" $CONNECTED
t_ok "the connected account equals the truth at the pinned version" \
    compare_db "$DB" "$TMP/t.json" $CONNECTED

# runs cut by a deadline while events that need re-reads come in: an
# events page that arrives after the stop is not stored without its
# re-reads (the next run reads it again), so no update is lost
dctl POST /_double/accounts "{\"account\":\"$CONNECTED\",\"api_version\":\"2020-08-27\"}" >/dev/null
dctl POST /_double/mutate "{\"count\":300,\"seed\":9,\"kinds\":$KINDS,\"step\":1,\"account\":\"$CONNECTED\"}" >/dev/null
dctl POST /_double/clock '{"advance":30}' >/dev/null
dctl POST /_double/limits '{"latency_ms":100}' >/dev/null
codes=""
for i in $(seq 1 30); do
    run "$BIN" sync --profile "$TMP/conn.yaml" --sink "sqlite:$DB" \
        --max-duration 3s --concurrency 2
    codes="$codes$RC "
    [ "$RC" = 8 ] || break
done
dctl POST /_double/limits '{"latency_ms":0}' >/dev/null
t_match "$codes" '^(8 )*0 $' "syncs cut by the deadline, then one that completes: $codes"
truth_to "$TMP/t2.json" $CONNECTED
t_ok "after the cut runs the connected account equals the truth" \
    compare_db "$DB" "$TMP/t2.json" $CONNECTED
t_done
