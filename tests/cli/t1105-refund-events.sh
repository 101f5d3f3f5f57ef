#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 11.5: events that change a charge without carrying it.  A failed
# refund lowers the charge's amount_refunded, and only refund.failed,
# refund.updated and charge.refund.updated (each carrying the Refund) say
# so: the reader re-reads the charge.
. "$(dirname "$0")/lib.sh"

double_history 5 --seed 71 --charges 300 --payouts 20 --smooth
profile_for plat
DB=$TMP/r.db

run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "first sync"
ch=$(sqlite3 "$DB" "SELECT id FROM charges WHERE status = 'succeeded' AND captured = 1
    AND refunded = 0 AND amount_refunded = 0 AND disputed = 0 ORDER BY id LIMIT 1")
dctl POST /_double/mutate "{\"ops\":[{\"op\":\"refund_full\",\"id\":\"$ch\"}],\"step\":1}" >/dev/null
dctl POST /_double/clock '{"advance":30}' >/dev/null
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$(sqlite3 "$DB" "SELECT refunded || ' ' || (amount_refunded = amount) FROM charges WHERE id = '$ch'")" \
    "1 1" "the refund reached the charge"
dctl POST /_double/mutate "{\"ops\":[{\"op\":\"refund_failed\",\"id\":\"$ch\"}],\"step\":1}" >/dev/null
dctl POST /_double/clock '{"advance":30}' >/dev/null
dctl DELETE /_double/requests >/dev/null
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "sync after the refund failed"
t_is "$(sqlite3 "$DB" "SELECT type FROM events WHERE json_extract(raw, '\$.data.object.charge') = '$ch'
    AND type IN ('refund.failed') ")" "refund.failed" "the refund.failed event is stored"
t_is "$(request_paths | grep -c "^GET /v1/charges/$ch\$")" 1 \
    "the charge was re-read once for the refund events"
t_is "$(sqlite3 "$DB" "SELECT refunded || ' ' || amount_refunded || ' ' || source FROM charges WHERE id = '$ch'")" \
    "0 0 retrieve" "the failed refund lowered amount_refunded in the database"
truth_to "$TMP/t.json" $PLATFORM
t_ok "the database equals the truth" compare_db "$DB" "$TMP/t.json"
run "$BIN" streams
t_match "$OUT" "re-read after .*refund\\.\\* events carrying a refund" \
    "stripe-reader streams names the refund route"
t_done
