#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 16 with issue 15: a Singer tap over a platform's connected
# accounts ('accounts' in the config).  Discovery and every SCHEMA key
# records on id plus _sdc_account; every RECORD carries the account it was
# read from; one STATE holds every account's checkpoint and resumes each;
# STATEs do not grow with the square of the accounts (at most one per
# --commit-interval, and one at the end); a state of the other shape is
# refused (exit 3); runs killed with kill -9 and resumed lose nothing; a
# minimal target upserting on the key properties equals each account's
# truth, after changes too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/singer_lib.sh"

KILLS=${KILLS:-6}
RANDOM=1602
N=3
double_history 30 --accounts $N --charges 60 --payouts 4 --billing 5 --seed 162 \
    --smooth --latency-ms 10 --jitter-ms 5
acct() { printf 'acct_1DoubleConn%06d' "$1"; }
C=$TMP/config.json
printf '{"api_key": "${{ SR_KEY }}", "mode": "test", "base_url": "%s", "rate_share": 1, "accounts": "all"}\n' \
    "$DOUBLE_URL" >"$C"
# every account's rows in the target DB equal its truth
equal_all() {
    local n
    for n in $(seq 1 $N); do
        equal "$1" "$(acct "$n")" || return 1
    done
}
lossless_all() {
    local n
    for n in $(seq 1 $N); do
        lossless "$1" "$(acct "$n")" || return 1
    done
}

# discovery: the key is id and _sdc_account
run "$BIN" singer --config "$C" --discover
t_is "$RC" 0 "--discover with accounts"
printf '%s\n' "$OUT" >"$TMP/catalog.json"
t_ok "a valid catalog" sc catalog "$TMP/catalog.json"
t_is "$(jq -c '[.streams[] | select(.stream == "charges") | .key_properties, .schema.required, .schema.properties._sdc_account.type,
    (.metadata[] | select(.breadcrumb == []) | .metadata."table-key-properties"),
    (.metadata[] | select(.breadcrumb == ["properties", "_sdc_account"]) | .metadata.inclusion)]' "$TMP/catalog.json")" \
    '[["id","_sdc_account"],["id","_sdc_account"],"string",["id","_sdc_account"],"automatic"]' \
    "key_properties, required, table-key-properties: id and _sdc_account (automatic)"
t_is "$(jq -c '[.streams[].key_properties] | unique' "$TMP/catalog.json")" '[["id","_sdc_account"]]' \
    "... for every stream"

# a run of every account
rm -f "$TMP/sum.json"
run "$BIN" singer --config "$C" --summary-json "$TMP/sum.json"
t_is "$RC" 0 "a run of every connected account"
printf '%s\n' "$OUT" >"$TMP/full.jsonl"
t_match "$ERR" "; accounts: $N ok, 0 failed; ok$" "... all $N ok (the summary on stderr)"
t_ok "every message follows the spec, every RECORD its SCHEMA (with _sdc_account)" sc messages "$TMP/full.jsonl"
t_is "$(jq -c 'select(.type == "SCHEMA") | .key_properties' "$TMP/full.jsonl" | sort -u)" '["id","_sdc_account"]' \
    "every SCHEMA keys on id and _sdc_account"
t_is "$(jq -r 'select(.type == "RECORD") | .record._sdc_account' "$TMP/full.jsonl" | sort -u | tr '\n' ' ')" \
    "$(acct 1) $(acct 2) $(acct 3) " "every RECORD carries the account it was read from"
t_is "$(tail -n 1 "$TMP/full.jsonl" | jq -r '.value.stripe_reader.checkpoints | keys | join(" ")')" \
    "accounts $(acct 1) $(acct 2) $(acct 3)" "the last STATE holds every account's checkpoint and the known accounts"
t_ok "fewer STATEs than commits ($(grep -c '"STATE"' "$TMP/full.jsonl") for $(jq .commits "$TMP/sum.json")): at most one per --commit-interval" \
    test "$(grep -c '"STATE"' "$TMP/full.jsonl")" -lt "$(jq .commits "$TMP/sum.json")"
sc target "$TMP/a.db" "$TMP/a.state" <"$TMP/full.jsonl"
t_ok "the target equals each account's truth" equal_all "$TMP/a.db"

# from the state: little is read; then changes in two accounts
run "$BIN" singer --config "$C" --state "$TMP/a.state"
t_is "$RC" 0 "a run from the last STATE"
t_ok "it reads little: nothing changed" test "$(printf '%s\n' "$OUT" | grep -c '"RECORD"')" -lt 30
printf '%s\n' "$OUT" | sc target "$TMP/a.db" "$TMP/a.state"
KINDS='["customer_update","customer_delete","subscription_item_remove","invoice_delete","refund_full","update","new_charge","new_customer"]'
for n in 1 3; do
    dctl POST /_double/mutate "{\"count\":30,\"seed\":$n,\"account\":\"$(acct $n)\",\"kinds\":$KINDS,\"step\":2}" >/dev/null
done
dctl POST /_double/clock '{"advance":60}' >/dev/null
"$BIN" singer --config "$C" --state "$TMP/a.state" -q >"$TMP/changes.jsonl"
t_ok "after changes in two accounts, its messages follow the spec" sc messages "$TMP/changes.jsonl"
t_is "$(jq -r 'select(.type == "RECORD") | .record._sdc_account' "$TMP/changes.jsonl" | sort -u | grep -c .)" 2 \
    "... it sends records of the two changed accounts only"
sc target "$TMP/a.db" "$TMP/a.state" <"$TMP/changes.jsonl"
t_ok "... and the target equals each account's truth" equal_all "$TMP/a.db"

run "$BIN" state show --sink singer:- --state "$TMP/a.state"
t_is "$RC:$(printf '%s\n' "$OUT" | sed -n "s/^profile '\([^']*\)'.*/\1/p" | tr '\n' ' ')" \
    "0:singer/$(acct 1) singer/$(acct 2) singer/$(acct 3) " "state show lists each account's checkpoint in the state"

# a state of the other shape is refused, not read from the start
printf '{"api_key": "${{ SR_KEY }}", "mode": "test", "base_url": "%s", "account_id": "%s"}\n' \
    "$DOUBLE_URL" "$(acct 2)" >"$TMP/one.json"
run "$BIN" singer --config "$TMP/one.json" --state "$TMP/a.state"
t_match "$RC $ERR" "^3 stripe-reader: error: state '$TMP/a.state' is not a stripe-reader Singer state of this config: it was written by a run of several accounts" \
    "a state of several accounts given to a config of one: exit 3"
t_is "$OUT" "" "... and nothing is written"
"$BIN" singer --config "$TMP/one.json" -q | tail -n 1 | jq -c .value >"$TMP/one.state"
run "$BIN" singer --config "$C" --state "$TMP/one.state"
t_is "$RC:$OUT" 3: "a state of one account given to a config of several: exit 3, nothing written"
t_match "$ERR" "^stripe-reader: error: sink 'singer:-': state '$TMP/one.state' is not a stripe-reader Singer state of this config: it was written by a run of one account, and this config reads several \('accounts'\)" \
    "... the state and the reason named"

# a profile of several accounts named by the config; a list of accounts
profile_for multi
sed -i 's/^  mode: test$/  mode: test\n  accounts: all/' "$TMP/multi.yaml"
printf '{"profile": "%s"}\n' "$TMP/multi.yaml" >"$TMP/named.json"
run "$BIN" singer --config "$TMP/named.json"
t_is "$RC" 0 "a config naming a profile of several accounts"
printf '%s\n' "$OUT" | sc target "$TMP/n.db" "$TMP/n.state"
t_ok "... reads them all: the target equals each account's truth" equal_all "$TMP/n.db"
printf '{"api_key": "${{ SR_KEY }}", "mode": "test", "base_url": "%s", "accounts": ["%s", "%s"]}\n' \
    "$DOUBLE_URL" "$(acct 3)" "$(acct 1)" >"$TMP/two.json"
run "$BIN" singer --config "$TMP/two.json"
t_is "$RC:$(printf '%s\n' "$OUT" | jq -r 'select(.type == "RECORD") | .record._sdc_account' | sort -u | tr '\n' ' ')" \
    "0:$(acct 1) $(acct 3) " "'accounts' as a list reads those accounts only"

# a run stopped by --max-duration (as by Meltano's SIGTERM) ends with a
# STATE that covers what it sent; the next run from it completes
"$BIN" singer --config "$C" --max-duration 1s -q >"$TMP/short.jsonl" 2>"$TMP/short.err"
rc=$?
t_is "$rc:$(tail -n 1 "$TMP/short.jsonl" | jq -r .type)" 8:STATE \
    "--max-duration: exit 8, and the last message is a STATE"
t_match "$(cat "$TMP/short.err")" "stopped early \(--max-duration reached\) with [123] of 3 accounts not reached" \
    "... the accounts not reached said on stderr"
sc target "$TMP/m.db" "$TMP/m.state" <"$TMP/short.jsonl"
"$BIN" singer --config "$C" --state "$TMP/m.state" -q | sc target "$TMP/m.db" "$TMP/m.state"
t_ok "... a run from it completes: each account equals its truth" equal_all "$TMP/m.db"

# first syncs of every account killed with kill -9 again and again, each
# run resumed from the last STATE the target kept, then one to the end
mkfifo "$TMP/pipe"
kill_runs k
t_ok "kill -9 hit running taps ($hits of $KILLS)" test "$hits" -ge $((KILLS / 2))
t_ok "resumed from the last STATE, nothing is lost" lossless_all "$TMP/k.db"
t_ok "... and every object holds its newest copy" equal_all "$TMP/k.db"
t_done
