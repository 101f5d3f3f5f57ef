#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 14: every stream a finance team models.  A backfill of all 18
# streams equals the double's truth; so does a sync after changes of every
# kind (updates, deletes, canceled subscriptions, invoice lines past the
# embedded page, subscription items removed, checkout sessions completed,
# balance transactions that become available with no event), in SQLite
# and NDJSON.  A no-change sync costs one list request per listed stream
# plus the events page, and no sub-list.
. "$(dirname "$0")/lib.sh"

END=1767225600
START=$((END - 60 * 86400))
double_start --seed 141 --charges 300 --payouts 20 --billing 30 --accounts 1 \
    --start $START --end $END --frozen-clock --smooth --quiet
profile_for plat
DB=$TMP/s.db
ND=$TMP/nd
# what was deleted before the events Stripe still lists is out of reach
now() { dctl GET /_double/state | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["now"])'; }
equal_all() { # equal_all DB: every stream equals the truth
    truth_to "$TMP/t.json" $PLATFORM
    COMPARE_OPTS="--deleted-before $(($(now) - 30 * 86400)) ${COMPARE_OPTS_EXTRA:-}" \
        compare_db "$1" "$TMP/t.json" "" all
}
both() { # sync (or backfill ARGS) into SQLite and NDJSON
    run "$BIN" "$@" --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
    [ "$RC" = 0 ] || return 1
    run "$BIN" "$@" --profile "$TMP/plat.yaml" --sink "ndjson:$ND"
    [ "$RC" = 0 ]
}

# the billing objects reach back before the charges (customers, prices)
t_ok "a backfill of every stream, into SQLite and NDJSON" both backfill --since 2025-01-01
t_ok "SQLite equals the truth, stream by stream" equal_all "$DB"
t_ok "NDJSON: the newest copy of every object equals the truth" \
    nd_check "$ND" --truth "$TMP/t.json" --streams all \
    --deleted-before $(($(now) - 30 * 86400))
t_ok "invoice lines past the embedded 10 are read too" test \
    "$(sqlite3 "$DB" "SELECT max(n) FROM (SELECT count(*) AS n FROM invoice_line_items GROUP BY invoice)")" -gt 10
t_ok "both active and archived prices" test \
    "$(sqlite3 "$DB" "SELECT count(DISTINCT active) FROM prices")" = 2
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "the backfill seeds a sync"

# changes of every kind, then a sync
KINDS='["customer_update","customer_delete","customer_discount","product_update","product_archive","price_archive","price_update","subscription_update","subscription_cancel","subscription_renew","subscription_item_add","subscription_item_remove","subscription_item_update","invoice_add_lines","invoice_finalize","invoice_pay","invoice_void","invoice_delete","credit_note_create","credit_note_void","checkout_complete","checkout_expire","transfer_update","transfer_reverse","application_fee_refund","payment_intent_cancel","dispute_update","refund_update","new_charge","new_customer","new_subscription","new_invoice","new_checkout_session","refund_full","dispute"]'
# and for certain: a customer deleted, a subscription canceled, an item
# removed, a draft invoice grown past its embedded page
cus=$(sqlite3 "$DB" "SELECT id FROM customers ORDER BY id LIMIT 1")
sub=$(sqlite3 "$DB" "SELECT id FROM subscriptions WHERE status = 'active' AND customer != '$cus' ORDER BY id LIMIT 1")
si=$(sqlite3 "$DB" "SELECT min(i.id) FROM subscription_items i JOIN subscriptions s ON s.id = i.subscription
    WHERE s.status = 'active' AND s.id != '$sub' AND s.customer != '$cus'
    GROUP BY s.id HAVING count(*) >= 2 ORDER BY s.id LIMIT 1")
dctl POST /_double/mutate "{\"ops\":[{\"op\":\"customer_delete\",\"id\":\"$cus\"},
    {\"op\":\"subscription_cancel\",\"id\":\"$sub\"},
    {\"op\":\"subscription_item_remove\",\"id\":\"$si\"},
    {\"op\":\"new_invoice\",\"customer\":\"$(sqlite3 "$DB" "SELECT id FROM customers ORDER BY id DESC LIMIT 1")\",\"lines\":3}],\"step\":2}" >"$TMP/m2.json"
inv=$("$PYTHON" -c 'import json,sys; print([a["id"] for a in json.load(open(sys.argv[1]))["applied"] if a["op"] == "new_invoice"][0])' "$TMP/m2.json")
# finalized: the random changes below delete drafts only
dctl POST /_double/mutate "{\"ops\":[{\"op\":\"invoice_add_lines\",\"id\":\"$inv\",\"lines\":11},
    {\"op\":\"invoice_finalize\",\"id\":\"$inv\"}],\"step\":2}" >/dev/null
dctl POST /_double/mutate "{\"count\":150,\"seed\":7,\"kinds\":$KINDS,\"step\":2}" >"$TMP/m.json"
dctl POST /_double/clock '{"advance":60}' >/dev/null
t_ok "a sync after 150 changes of every kind (SQLite and NDJSON)" both sync
t_ok "SQLite equals the truth after the changes" equal_all "$DB"
t_ok "NDJSON equals the truth after the changes" \
    nd_check "$ND" --truth "$TMP/t.json" --streams all \
    --deleted-before $(($(now) - 30 * 86400))
t_ok "canceled subscriptions are listed too (status=canceled)" test \
    "$(sqlite3 "$DB" "SELECT count(*) FROM subscriptions WHERE status = 'canceled'")" -gt 0
t_is "$(sqlite3 "$DB" "SELECT deleted, deleted_at > 0 FROM customers WHERE id = '$cus'")" "1|1" \
    "a deleted customer is kept, marked"
t_is "$(sqlite3 "$DB" "SELECT deleted FROM subscription_items WHERE id = '$si'")" 1 \
    "a removed subscription item is kept, marked"
t_is "$(sqlite3 "$DB" "SELECT status || deleted FROM subscriptions WHERE id = '$sub'")" canceled0 \
    "a canceled subscription is an update, not a delete"
lines=$("$PYTHON" -c 'import json,sys; print(sum(o["invoice"] == sys.argv[2] for o in json.load(open(sys.argv[1]))["invoice_line_items"]))' "$TMP/t.json" "$inv")
t_ok "an invoice grown past its embedded page ($lines lines)" test "$lines" -gt 10
t_is "$(sqlite3 "$DB" "SELECT count(*) FROM invoice_line_items WHERE invoice = '$inv'")" "$lines" \
    "has all its lines"

# balance transactions go from pending to available with no event
pending=$(sqlite3 "$DB" "SELECT count(*) FROM balance_transactions WHERE status = 'pending'")
t_ok "some balance transactions are pending ($pending)" test "$pending" -gt 0
dctl POST /_double/clock '{"advance":864000}' >/dev/null
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB" -v
t_is "$RC" 0 "a sync ten days later"
t_match "$ERR" "listing again what became due" "lists again what became available"
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "ndjson:$ND" -v
t_is "$RC" 0 "the same into NDJSON"
t_match "$ERR" "listing again what became due" "  ... lists again what became available"
# several days come due at once, their created ranges overlapping: each
# object listed once (soak seed 7202 wrote nine twice)
t_ok "  ... one line per (id, version, source, deleted)" nd_check "$ND"
t_is "$(sqlite3 "$DB" "SELECT count(*) FROM balance_transactions WHERE status = 'pending'")" 0 \
    "no balance transaction is left pending"
COMPARE_OPTS_EXTRA=--events-subset t_ok \
    "and the database equals the truth (events expired since are kept)" equal_all "$DB"

# a no-change sync: one list request per listed stream, the events page,
# no sub-list, no re-read
dctl POST /_double/clock '{"advance":60}' >/dev/null
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
dctl DELETE /_double/requests >/dev/null
dctl POST /_double/clock '{"advance":60}' >/dev/null
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "a sync with no change"
t_is "$(request_paths | grep -vc '^GET /v1/events')" 17 \
    "costs one list request per listed stream (15, inactive prices and canceled subscriptions)"
t_is "$(request_paths | grep -c '^GET /v1/events')" 1 "and one events page"
t_is "$(request_paths | grep -Ec 'lines|subscription_items|/v1/[a-z_]+/[a-z]+_')" 0 \
    "no sub-list, no re-read"

# the summary's mark of a stream is what both its lists reached: the
# canceled list lagging (its mark gone), subscriptions has none
sqlite3 "$DB" "UPDATE state SET json = json_set(json, '\$.streams.subscriptions_canceled', json('{\"hi\":0,\"lo\":0,\"windows\":[]}'))"
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB" --streams charges \
    --summary-json "$TMP/lag.json"
t_is "$RC" 0 "a sync of charges"
t_is "$("$PYTHON" -c 'import json,sys; s=json.load(open(sys.argv[1]))["streams"]; print(s["subscriptions"]["checkpoint"]["hwm"], s["prices"]["checkpoint"]["hwm"] is not None)' "$TMP/lag.json")" \
    "None True" "  ... reports no mark for subscriptions while its canceled list has none"

# resetting a stream resets the list of what its own list hides too
run "$BIN" state reset --profile "$TMP/plat.yaml" --sink "sqlite:$DB" \
    --stream subscriptions_canceled --yes
t_is "$RC" 2 "a hidden list is no stream to reset"
t_match "$ERR" "unknown stream 'subscriptions_canceled'" "  ... saying so"
run "$BIN" state reset --profile "$TMP/plat.yaml" --sink "sqlite:$DB" \
    --stream subscriptions --yes
t_is "$RC" 0 "state reset --stream subscriptions"
run "$BIN" state show --profile "$TMP/plat.yaml" --sink "sqlite:$DB" --stream subscriptions
t_is "$(printf '%s\n' "$OUT" | grep -Ec '^ +subscriptions( \(its status=canceled list\))? +nothing complete yet')" 4 \
    "  ... resets both its lists, in the sync and the backfill (state show --stream shows both)"
t_done
