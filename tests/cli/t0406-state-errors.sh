#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 4: `state show|reset`, `streams`, the account/mode guard on stored
# state, and the exit codes and messages of sync and backfill failures.
. "$(dirname "$0")/lib.sh"

double_history 10 --seed 5 --charges 300 --payouts 40 --accounts 1
profile_for plat
DB=$TMP/s.db

run "$BIN" streams
t_is "$RC" 0 "streams exits 0"
t_match "$OUT" '^charges  /v1/charges' "streams lists charges with its endpoint"
t_match "$OUT" '  amount_refunded +integer' "streams lists typed columns"
t_match "$OUT" '  raw +json +the Stripe object' "streams lists the raw object"

run "$BIN" state show --sink "sqlite:$DB"
t_is "$RC" 0 "state show on an empty database"
t_match "$OUT" "^no checkpoints in 'sqlite:$DB'" "says there is nothing"

run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "sync"
run "$BIN" state show --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "state show"
t_match "$OUT" "^profile 'plat': account \(the key's own\), test mode" "names profile, account, mode"
t_match "$OUT" 'charges +stored up to 2026-01-01T00:' "shows the charges mark as a date"

run "$BIN" state reset --profile "$TMP/plat.yaml" --sink "sqlite:$DB" </dev/null
t_is "$RC" 2 "reset without --yes off a terminal is refused"
t_match "$ERR" "refusing to reset the checkpoints of profile 'plat'.* without --yes" \
    "the refusal says what and why"
run "$BIN" state reset --profile "$TMP/plat.yaml" --sink "sqlite:$DB" --stream charges --yes
t_is "$RC" 0 "reset one stream with --yes"
run "$BIN" state show --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_match "$OUT" 'charges +nothing complete yet' "the charges mark is gone"
t_match "$OUT" 'payouts +stored up to' "the payouts mark is kept"
dctl DELETE /_double/requests >/dev/null
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_ok "after the reset, charges are listed again from the start ($(requests_count /v1/charges) requests)" \
    test "$(requests_count /v1/charges)" -ge 3
t_is "$(sqlite3 "$DB" 'SELECT count(*) FROM charges')" 300 "and stored once"

# the same profile name pointed at another account: refused
profile_for plat $CONNECTED
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 3 "a state written for another account is refused (exit 3)"
t_match "$ERR" "belongs to account '\(own\)' in test mode, but this run reads account '$CONNECTED'" \
    "the message names both accounts"
profile_for plat

run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$TMP/no/such/dir/x.db"
t_is "$RC" 9 "an unwritable database path exits 9"
t_match "$ERR" "cannot open (the database|lock file)" "says what failed, naming the path"
echo "not a database, just text......................................................" >"$TMP/text.db"
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$TMP/text.db"
t_is "$RC" 3 "a file that is not a database exits 3"
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "csv:x"
t_is "$RC" 3 "an unknown sink exits 3"
t_match "$ERR" "unknown sink 'csv:x' \(use sqlite:PATH, ndjson:DIR or singer:-\)" "names the sink kinds"
t_ok "and leaves no lock file behind" test ! -e x.plat.lock
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB" --gzip
t_is "$RC" 2 "an NDJSON option with a SQLite sink is a usage error"
t_match "$ERR" "^stripe-reader: error: --gzip applies to an ndjson sink only, not 'sqlite:" "and says so, naming the option"
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB" --streams charge
t_is "$RC" 2 "an unknown stream is a usage error"
t_match "$ERR" "unknown stream 'charge' \(did you mean 'charges'\?\)" "with a hint"
run "$BIN" backfill --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 2 "backfill without --since exits 2"
t_match "$ERR" "backfill needs --since DATE" "says so"
run "$BIN" backfill --profile "$TMP/plat.yaml" --sink "sqlite:$DB" --since 2019-02-30x
t_is "$RC" 2 "a bad date exits 2"
t_match "$ERR" "invalid --since '2019-02-30x'" "names the option and the value"

SR_KEY=sk_test_wrong_key_0000 run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 4 "a bad key exits 4"
t_match "$ERR" '401' "names the status"
t_nomatch "$ERR" 'sk_test_wrong_key_0000' "never prints the key"

dctl POST /_double/faults '{"faults":[{"kind":"503","path":"/v1/payouts","probability":1.0}]}' >/dev/null
dctl POST /_double/clock '{"advance":100}' >/dev/null
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 5 "Stripe failing after retries exits 5"
t_match "$ERR" "stream 'payouts': GET /v1/payouts.*503.*Request-Id req_" \
    "the message names the stream, endpoint, status and Request-Id"
t_match "$ERR" "after 5 attempts|5 attempts" "and the attempts made"
dctl DELETE /_double/faults >/dev/null
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "the next sync after the outage succeeds"
for kind in html bad_json truncated; do
    dctl POST /_double/faults "{\"faults\":[{\"kind\":\"$kind\",\"path\":\"/v1/charges\",\"nth\":1}]}" >/dev/null
    dctl POST /_double/clock '{"advance":100}' >/dev/null
    dctl DELETE /_double/requests >/dev/null
    run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB" -v
    t_is "$RC" 0 "a list page answered with $kind is retried and the sync succeeds"
    t_is "$(requests_count /v1/charges)" 2 "$kind: the page was asked for twice"
done
truth_to "$TMP/t.json" $PLATFORM
t_ok "and the database equals the truth" compare_db "$DB" "$TMP/t.json"
t_done
