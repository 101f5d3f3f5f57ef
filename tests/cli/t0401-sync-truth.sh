#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 4: a backfill of 10,000 charges, 2,000 payouts and 20,000+ events
# across 2 accounts equals the double's truth; mutations reach the database
# through sync; a no-change sync costs one request per stream + one events.
. "$(dirname "$0")/lib.sh"

two_accounts 25 1600 --seed 3 --charges 5000 --payouts 1000
DB=$TMP/stripe.db

# db_is_truth DESC_PLATFORM DESC_CONNECTED: each account's rows equal the
# double's truth
db_is_truth() {
    truths
    t_ok "$1" compare_db "$DB" "$TMP/tp.json" ""
    t_ok "$2" compare_db "$DB" "$TMP/tc.json" $CONNECTED
}

# sync_requests [OPTIONS]: a sync of the platform, with the double's
# request log cleared first; RC, and REQUESTS: its requests, sorted
sync_requests() {
    dctl DELETE /_double/requests >/dev/null
    run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB" "$@"
    REQUESTS=$(request_paths | sort | tr '\n' ' ')
}

run "$BIN" backfill --profile "$TMP/plat.yaml" --sink "sqlite:$DB" --since $START
t_is "$RC" 0 "backfill of the platform account succeeds"
t_match "$ERR" 'backfill: charges 5000' "summary line counts the charges"
run "$BIN" backfill --profile "$TMP/conn.yaml" --sink "sqlite:$DB" --since $START
t_is "$RC" 0 "backfill of the connected account succeeds"

db_is_truth "platform rows equal the truth (every object, every field)" \
    "connected-account rows equal the truth"
t_is "$(sqlite3 "$DB" 'SELECT count(*) FROM charges')" 10000 "10,000 charges"
t_is "$(sqlite3 "$DB" 'SELECT count(*) FROM payouts')" 2000 "2,000 payouts"
n=$(sqlite3 "$DB" 'SELECT count(*) FROM events')
t_ok "at least 20,000 events ($n)" test "$n" -ge 20000
t_ok "py_ charges are among them" \
    test "$(sqlite3 "$DB" "SELECT count(*) FROM charges WHERE id LIKE 'py_%'")" -gt 0
big=$(dctl GET /_double/state | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["specials"]["big_integer_charge"]["test"])')
t_ok "a charge with an integer beyond 2^53 keeps it byte for byte" \
    sh -c "sqlite3 '$DB' \"SELECT raw FROM charges WHERE id = '$big'\" | grep -q 99999999999"

# one list request per stream with a list (sorted; prices twice: active
# and inactive; subscriptions twice: not canceled and canceled), the
# children none
ONE_EACH="GET /v1/application_fees GET /v1/balance_transactions GET /v1/charges \
GET /v1/checkout/sessions GET /v1/credit_notes GET /v1/customers GET /v1/disputes \
GET /v1/events GET /v1/invoices GET /v1/payment_intents GET /v1/payouts GET /v1/prices \
GET /v1/prices GET /v1/products GET /v1/refunds GET /v1/subscriptions \
GET /v1/subscriptions GET /v1/transfers "
# the sync starts where the backfill ended: no second full read
sync_requests
t_is "$RC" 0 "first sync after the backfill succeeds"
t_is "$REQUESTS" "$ONE_EACH" \
    "the sync continues from the backfill: one request per stream"

# mutations between runs reach the database
more_changes 300 40
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "sync after mutations succeeds (platform)"
run "$BIN" sync --profile "$TMP/conn.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "sync after mutations succeeds (connected)"
db_is_truth \
    "after sync, every platform charge, payout and event equals the truth" \
    "after sync, the connected account equals the truth"
t_ok "disputes reached their charges" \
    test "$(sqlite3 "$DB" 'SELECT count(*) FROM charges WHERE disputed = 1')" -gt 0
t_ok "dispute events made the reader re-read their charges" \
    test "$(sqlite3 "$DB" "SELECT count(*) FROM charges WHERE source = 'retrieve'")" -gt 0

# a no-change sync of a quiet account (no event in the 10 minutes of events
# look-back before the last sync's end): exactly one list request per stream
# + one events request
dctl POST /_double/clock '{"advance":720}' >/dev/null
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "a sync 12 minutes after the last change succeeds"
dctl POST /_double/clock '{"advance":120}' >/dev/null
sync_requests
t_is "$RC" 0 "no-change sync succeeds"
t_is "$REQUESTS" "$ONE_EACH" \
    "no-change sync: exactly one request per stream plus one events request"
sync_requests --streams charges
t_is "$REQUESTS" "GET /v1/charges GET /v1/events " \
    "--streams charges: one charges request plus the events request"
t_is "$(sqlite3 "$DB" 'SELECT count(*) FROM runs')" 8 "every run is in the run history"
t_done
