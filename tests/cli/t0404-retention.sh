#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 4: the retention guard.  A state older than the events retention
# gives its own exit code and writes nothing; --rescan then brings the
# database back to the double's truth.
. "$(dirname "$0")/lib.sh"

double_history 20 --seed 13 --charges 600 --payouts 80
profile_for plat
DB=$TMP/r.db

run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "first sync"
# 31 days pass; meanwhile charges are refunded and disputed, payouts fail
dctl POST /_double/mutate '{"count":120,"seed":2,"kinds":["refund_full","dispute","capture","update","payout_failed","new_charge"],"step":600}' >/dev/null
dctl POST /_double/clock '{"advance":2678400}' >/dev/null
db_dump "$DB" >"$TMP/before.dump"
state_before=$(sqlite3 "$DB" 'SELECT json FROM state')
dctl DELETE /_double/requests >/dev/null

run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 6 "a state older than the events retention exits 6"
t_match "$ERR" "older than the 30 days Stripe keeps events" "the message says why"
t_match "$ERR" "stripe-reader sync --rescan" "the message gives the remedy"
t_match "$ERR" "nothing was written" "the message says nothing was written"
t_is "$(request_paths)" "GET /v1/events" "only the first events request was made"
db_dump "$DB" >"$TMP/after.dump"
t_ok "no row was written" cmp -s "$TMP/before.dump" "$TMP/after.dump"
t_is "$(sqlite3 "$DB" 'SELECT json FROM state')" "$state_before" "the state is unchanged"
t_is "$(sqlite3 "$DB" "SELECT status || ' ' || exit_code FROM runs ORDER BY id DESC LIMIT 1")" \
    "retention 6" "the failed run is in the run history"

run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB" --rescan
t_is "$RC" 0 "sync --rescan succeeds"
truth_to "$TMP/t.json" $PLATFORM
COMPARE_OPTS=--events-subset t_ok \
    "after --rescan every charge and payout equals the truth, every listed event is stored" \
    compare_db "$DB" "$TMP/t.json"
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "the next sync runs normally"
t_done
