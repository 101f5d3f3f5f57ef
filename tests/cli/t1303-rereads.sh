#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 13.3: no redundant requests.  Disputes and refunds make their
# charge owed a re-read; a backfill that lists the charges anyway makes
# none of them into SQLite (the sink holds a newer copy), and every one
# (once per charge) into NDJSON, which cannot tell.  A later sync makes
# exactly the re-reads its events need, once per charge.
. "$(dirname "$0")/lib.sh"

END=1767225600
START=$((END - 10 * 86400))
double_start --seed 91 --charges 2000 --payouts 100 --start $START --end $END \
    --frozen-clock --smooth --quiet
profile_for plat
truth_to "$TMP/t.json" $PLATFORM
field() { # field SUMMARY PYTHON-EXPR
    "$PYTHON" -c "import json,sys; s=json.load(open(sys.argv[1])); print($2)" "$1"
}

dctl DELETE /_double/requests >/dev/null
run "$BIN" backfill --profile "$TMP/plat.yaml" --since $START \
    --sink "sqlite:$TMP/b.db" --summary-json "$TMP/b.sum"
t_is "$RC" 0 "a backfill of charges, payouts and events into SQLite"
owed=$(field "$TMP/b.sum" 's["streams"]["charges"]["reread_skipped"]')
t_ok "events name $owed charges to re-read" test "$owed" -gt 20
t_is "$(request_paths | grep -c '^GET /v1/charges/')" 0 \
    "none is requested: SQLite holds a newer copy from the listing"
t_is "$(field "$TMP/b.sum" 's["streams"]["charges"]["retrieved"]')" 0 "the summary says so"
t_is "$(field "$TMP/b.sum" 's["rereads_owed"]')" 0 "nothing is left owed"
t_ok "the database equals the truth" compare_db "$TMP/b.db" "$TMP/t.json"

dctl DELETE /_double/requests >/dev/null
run "$BIN" backfill --profile "$TMP/plat.yaml" --since $START \
    --sink "ndjson:$TMP/nd" --summary-json "$TMP/n.sum"
t_is "$RC" 0 "the same backfill into NDJSON"
n=$(request_paths | grep -c '^GET /v1/charges/')
t_is "$n" "$(request_paths | grep '^GET /v1/charges/' | sort -u | wc -l)" \
    "NDJSON cannot tell, so it re-reads ($n), each charge once"
t_is "$(field "$TMP/n.sum" 's["streams"]["charges"]["retrieved"]')" "$n" \
    "the summary counts them"
t_is "$(field "$TMP/n.sum" 's["streams"]["charges"]["retrieved"] + s["streams"]["charges"]["reread_skipped"]')" \
    "$owed" "the others were settled by a list copy stored after the event"
t_ok "the NDJSON folder equals the truth" nd_check "$TMP/nd" --truth "$TMP/t.json"

# a sync after disputes of old charges needs exactly those re-reads
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$TMP/b.db"
ids=$(sqlite3 "$TMP/b.db" "SELECT id FROM charges WHERE status = 'succeeded'
    AND captured = 1 AND disputed = 0 AND refunded = 0 ORDER BY id LIMIT 5")
mutate_each "$ids" '{"op":"dispute","id":"ID"}'
mutate_each "$ids" '{"op":"update","id":"ID","description":"after"}'
mutate_each "$ids" '{"op":"refund_partial","id":"ID"}'
dctl POST /_double/clock '{"advance":30}' >/dev/null
dctl DELETE /_double/requests >/dev/null
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$TMP/b.db" \
    --summary-json "$TMP/s.sum"
t_is "$RC" 0 "a sync after disputes, updates and refunds of 5 old charges"
t_is "$(request_paths | grep -c '^GET /v1/charges/')" 5 \
    "re-reads each charge once, whatever the number of events naming it"
truth_to "$TMP/t2.json" $PLATFORM
t_ok "the database equals the truth" compare_db "$TMP/b.db" "$TMP/t2.json"
t_done
