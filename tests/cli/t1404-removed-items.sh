#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 14: a subscription item removed past the first 10 items its
# subscription embeds has no event that shows it go (the items list in
# events is cut at the same page, SS §5): the next complete read of the
# subscription's items does not list it, and the reader stores it deleted
# (Stripe's deleted stub with its subscription's id, deleted_at the time
# of that read), in SQLite and NDJSON; so does an item whose removal
# leaves the subscription short enough to embed them all.  The lines of a
# deleted draft invoice past its embedded page go with it.  Found by the
# soak (seeds 4 and 14).
. "$(dirname "$0")/lib.sh"

END=1767225600
double_start --seed 144 --charges 20 --payouts 2 --billing 6 --accounts 1 \
    --start $((END - 20 * 86400)) --end $END --frozen-clock --smooth --quiet
profile_for plat
DB=$TMP/s.db
ND=$TMP/nd
now() { dctl GET /_double/state | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["now"])'; }
applied() { # applied FILE OP: the ids the mutation FILE made with OP
    "$PYTHON" -c 'import json,sys; print(" ".join(a["id"] for a in json.load(open(sys.argv[1]))["applied"] if a["op"] == sys.argv[2]))' "$1" "$2"
}
both() { # sync (or backfill ARGS) into SQLite and NDJSON
    run "$BIN" "$@" --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
    [ "$RC" = 0 ] || return 1
    run "$BIN" "$@" --profile "$TMP/plat.yaml" --sink "ndjson:$ND"
    [ "$RC" = 0 ]
}
equal_both() {
    truth_to "$TMP/t.json" $PLATFORM
    compare_db "$DB" "$TMP/t.json" "" subscriptions,subscription_items &&
        nd_check "$ND" --truth "$TMP/t.json" --streams subscriptions,subscription_items
}

# a subscription of 12 items: 12 new monthly prices of one product
prod=$(dctl GET "/_double/truth?account=$PLATFORM&mode=test" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["products"][0]["id"])')
cus=$(dctl GET "/_double/truth?account=$PLATFORM&mode=test" | "$PYTHON" -c 'import json,sys; print([c["id"] for c in json.load(sys.stdin)["customers"] if not c.get("deleted")][0])')
ops=$(for i in $(seq 1 12); do printf '{"op":"new_price","product":"%s","amount":%d},' "$prod" $((100 * i)); done)
dctl POST /_double/mutate "{\"ops\":[${ops%,}],\"step\":1}" >"$TMP/p.json"
prices=$(applied "$TMP/p.json" new_price | "$PYTHON" -c 'import json,sys; print(json.dumps(sys.stdin.read().split()))')
dctl POST /_double/mutate "{\"ops\":[{\"op\":\"new_subscription\",\"customer\":\"$cus\",\"prices\":$prices}],\"step\":1}" >"$TMP/s.json"
sub=$(applied "$TMP/s.json" new_subscription)
dctl POST /_double/clock '{"advance":60}' >/dev/null
t_ok "a backfill with a subscription of 12 items" both backfill --since 2025-01-01
t_is "$(sqlite3 "$DB" "SELECT count(*) FROM subscription_items WHERE subscription = '$sub' AND deleted = 0")" 12 \
    "all 12 are stored"
# which 10 the subscription embeds (its truth), which 2 are past them
truth_to "$TMP/t.json" $PLATFORM
set -- $("$PYTHON" -c '
import json, sys
t = json.load(open(sys.argv[1]))
s = [o for o in t["subscriptions"] if o["id"] == sys.argv[2]][0]
page = [i["id"] for i in s["items"]["data"]]
past = [i["id"] for i in t["subscription_items"]
        if i.get("subscription") == sys.argv[2] and i["id"] not in page]
print(len(page), len(past), s["items"]["has_more"], page[0], *past)' "$TMP/t.json" "$sub")
t_is "$1|$2|$3" "10|2|True" "the subscription embeds 10 items (has_more); 2 are past them"
first=$4 last=$5 eleventh=$6

# an item past the page goes: the subscription's event shows the same first page
dctl POST /_double/mutate "{\"ops\":[{\"op\":\"subscription_item_remove\",\"id\":\"$last\"}],\"step\":1}" >/dev/null
removed_at=$(now)
dctl POST /_double/clock '{"advance":60}' >/dev/null
t_ok "a sync after an item past the page is removed" both sync
t_is "$(sqlite3 "$DB" "SELECT deleted, deleted_at >= $removed_at, json_extract(raw, '$.deleted'), subscription FROM subscription_items WHERE id = '$last'")" \
    "1|1|1|$sub" "it is stored deleted: the stub, its subscription, deleted_at no earlier than the removal"
t_is "$(sqlite3 "$DB" "SELECT count(*) FROM subscription_items WHERE subscription = '$sub' AND deleted = 0")" 11 \
    "the other 11 stay"
t_ok "SQLite and NDJSON equal the truth" equal_both

# the other one past the page goes: the subscription now embeds all 10
# left (has_more false)
dctl POST /_double/mutate "{\"ops\":[{\"op\":\"subscription_item_remove\",\"id\":\"$eleventh\"}],\"step\":1}" >/dev/null
dctl POST /_double/clock '{"advance":60}' >/dev/null
t_ok "a sync after the other one past the page is removed" both sync
t_is "$(sqlite3 "$DB" "SELECT deleted FROM subscription_items WHERE id = '$eleventh'")" 1 \
    "it is stored deleted though the new copy embeds every item left"
t_ok "SQLite and NDJSON equal the truth" equal_both

# an item of the first page goes: its event shows it (its last state)
dctl POST /_double/mutate "{\"ops\":[{\"op\":\"subscription_item_remove\",\"id\":\"$first\"}],\"step\":1}" >/dev/null
first_at=$(now)
dctl POST /_double/clock '{"advance":60}' >/dev/null
t_ok "a sync after the first item is removed" both sync
t_is "$(sqlite3 "$DB" "SELECT deleted, deleted_at, json_extract(raw, '$.price.id') IS NOT NULL FROM subscription_items WHERE id = '$first'")" \
    "1|$first_at|1" "it is stored deleted at its event's time, with its last state"
t_ok "SQLite and NDJSON equal the truth" equal_both

# a draft invoice of 13 lines (3 past its embedded page) is deleted: its
# lines go with it, at the time of its delete; a finalized invoice of 13
# lines is not remembered (its lines can no longer go)
kids() { sqlite3 "$DB" "SELECT json FROM state" | "$PYTHON" -c '
import json, sys
for line in sys.stdin:
    for k in json.loads(line).get("kids", []):
        if k[1] == sys.argv[1]:
            print(len(k[2]))' "$1"; }
dctl POST /_double/mutate "{\"ops\":[{\"op\":\"new_invoice\",\"customer\":\"$cus\",\"lines\":13},
    {\"op\":\"new_invoice\",\"customer\":\"$cus\",\"lines\":13}],\"step\":1}" >"$TMP/i.json"
set -- $(applied "$TMP/i.json" new_invoice)
draft=$1 final=$2
dctl POST /_double/clock '{"advance":60}' >/dev/null
t_ok "a sync after two draft invoices of 13 lines" both sync
t_is "$(kids "$draft")|$(kids "$final")" "13|13" "the lines of both drafts are remembered"
dctl POST /_double/mutate "{\"ops\":[{\"op\":\"invoice_delete\",\"id\":\"$draft\"},
    {\"op\":\"invoice_finalize\",\"id\":\"$final\"}],\"step\":1}" >/dev/null
dctl POST /_double/clock '{"advance":60}' >/dev/null
t_ok "a sync after one is deleted and the other finalized" both sync
t_is "$(sqlite3 "$DB" "SELECT count(*), count(DISTINCT deleted_at) FROM invoice_line_items WHERE invoice = '$draft' AND deleted = 1")" "13|1" \
    "all 13 lines of the deleted draft are stored deleted, at one time"
t_is "$(sqlite3 "$DB" "SELECT i.deleted_at = l.deleted_at FROM invoices i, invoice_line_items l WHERE i.id = '$draft' AND l.invoice = i.id LIMIT 1")" 1 \
    "  ... the time of the invoice's delete"
t_is "$(kids "$draft")|$(kids "$final")" "|" "neither is remembered any more"
t_is "$(sqlite3 "$DB" "SELECT count(*) FROM invoice_line_items WHERE invoice = '$final' AND deleted = 0")" 13 \
    "the finalized invoice keeps its 13 lines"
truth_to "$TMP/t.json" $PLATFORM
t_ok "SQLite and NDJSON equal the truth (invoices and their lines)" \
    compare_db "$DB" "$TMP/t.json" "" invoices,invoice_line_items
t_ok "  ... NDJSON" nd_check "$ND" --truth "$TMP/t.json" --streams invoices,invoice_line_items

# nothing changed: no sub-list is read, nothing more is marked
dctl DELETE /_double/requests >/dev/null
dctl POST /_double/clock '{"advance":60}' >/dev/null
t_ok "a sync with no change" both sync
t_is "$(request_paths | grep -Ec 'subscription_items|lines')" 0 "reads no sub-list"
t_is "$(sqlite3 "$DB" "SELECT count(*) FROM subscription_items WHERE subscription = '$sub' AND deleted = 1")" 3 \
    "and the three removed items stay marked"

# the customer is deleted: its subscription is canceled, and status=all
# no longer lists it (the double's reading of SS §2); a first sync into a
# new database reads it by id from its events and keeps that copy, though
# its created range is listed after the event (soak seed 17)
# (its events at an older API version: the copies they carry are not
# stored, the subscription is re-read)
dctl POST /_double/accounts "{\"account\":\"$PLATFORM\",\"api_version\":\"2020-08-27\"}" >/dev/null
dctl POST /_double/mutate "{\"ops\":[{\"op\":\"customer_delete\",\"id\":\"$cus\"}],\"step\":1}" >/dev/null
dctl POST /_double/clock '{"advance":60}' >/dev/null
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$TMP/fresh.db"
t_is "$RC" 0 "a first sync after the customer is deleted"
t_is "$(sqlite3 "$TMP/fresh.db" "SELECT status FROM subscriptions WHERE id = '$sub'")" canceled \
    "its subscription, no longer listed, is stored (canceled)"
truth_to "$TMP/t.json" $PLATFORM
t_ok "  ... and its subscriptions equal the truth" \
    compare_db "$TMP/fresh.db" "$TMP/t.json" "" subscriptions

# the databases that held it active miss the cancellation's events: they
# expire (31 days later), and --rescan lists the subscriptions again;
# status=all need not show those of a deleted customer, status=canceled
# is documented to (SS §2; soak seed 7301)
t_is "$(sqlite3 "$DB" "SELECT status FROM subscriptions WHERE id = '$sub'")" active \
    "the subscription is active in the database synced before"
dctl POST /_double/clock "{\"advance\":$((31 * 86400))}" >/dev/null
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 6 "31 days later, the events are gone: a retention gap"
t_ok "sync --rescan into SQLite and NDJSON" both sync --rescan
t_is "$(sqlite3 "$DB" "SELECT status FROM subscriptions WHERE id = '$sub'")" canceled \
    "the rescan stores it canceled"
truth_to "$TMP/t.json" $PLATFORM
t_ok "  ... SQLite equals the truth" \
    compare_db "$DB" "$TMP/t.json" "" subscriptions,subscription_items
t_ok "  ... NDJSON" nd_check "$ND" --truth "$TMP/t.json" --events-subset \
    --streams subscriptions,subscription_items
t_done
