#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 16: a Singer tap.  Every message follows the specification and
# every RECORD its stream's SCHEMA (Debian's python3-jsonschema, not our
# own validator); discovery prints a valid catalog; a catalog's selection
# is honoured; the config is validated like a profile (file and key
# named, exit 3); runs killed with kill -9 and resumed from the last STATE
# lose nothing; a minimal target upserting on the key properties ends
# equal to the double's truth, after changes too; tap-stripe-reader is
# the same command; docs/examples/meltano.yml names what the binary has.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/singer_lib.sh"

KILLS=${KILLS:-8}
RANDOM=1601
END=1767225600
START=$((END - 30 * 86400))
double_start --seed 161 --charges 300 --payouts 20 --billing 15 --start $START \
    --end $END --frozen-clock --smooth --quiet --latency-ms 15 --jitter-ms 5
profile_for plat
C=$TMP/config.json
printf '{"api_key": "${{ SR_KEY }}", "mode": "test", "base_url": "%s", "rate_share": 1, "account_id": null}\n' \
    "$DOUBLE_URL" >"$C"
printf '{"profile": "%s"}\n' "$TMP/plat.yaml" >"$TMP/named.json"
# --about, --help, the tap-stripe-reader name
run "$BIN" singer --about --format json
t_is "$RC" 0 "--about --format json"
t_is "$(printf '%s' "$OUT" | jq -c '.capabilities')" '["catalog","discover","state","about"]' \
    "capabilities: catalog, discover, state, about"
mkdir -p "$TMP/bin"
ln -s "$BIN" "$TMP/bin/tap-stripe-reader"
t_is "$("$TMP/bin/tap-stripe-reader" --about --format json)" "$OUT" "tap-stripe-reader is stripe-reader singer"
run "$BIN" singer --about
t_match "$RC $(printf '%s' "$OUT" | tr '\n' ' ')" \
    "^0 Name: tap-stripe-reader .*Capabilities: catalog discover state about" "--about (text)"
run "$TMP/bin/tap-stripe-reader" --help
t_match "$RC $OUT" "^0 usage: stripe-reader singer --config FILE" "tap-stripe-reader --help is the singer help"
run "$BIN" help
t_match "$OUT" "singer +a Singer tap" "the command table lists singer"

# the config: validated like a profile, its file and key named, exit 3
bad_config() { # bad_config DESC JSON REGEX
    printf '%s\n' "$2" >"$TMP/bad.json"
    run "$BIN" singer --config "$TMP/bad.json"
    t_match "$RC $ERR" "^3 stripe-reader: error: $TMP/bad.json:$3" "config: $1 (exit 3, file and key named)"
}
bad_config "an unknown key" '{"api_kye": "x"}' "1:2: unknown key 'api_kye' \(did you mean 'api_key'\?\)"
bad_config "no api_key" '{"mode": "test"}' "1:1: missing required key 'api_key'"
bad_config "a live key in test mode" '{"api_key": "sk_live_0123456789abcdef", "mode": "test"}' \
    "1:13: 'api_key' is a live key but the profile's mode is 'test'"
bad_config "a bad start_date" '{"api_key": "${{ SR_KEY }}", "mode": "test", "start_date": "2019-13-01"}' \
    "1:60: invalid date '2019-13-01' in 'start_date'"
bad_config "a bad base_url" '{"api_key": "${{ SR_KEY }}", "mode": "test", "base_url": "ftp://x"}' \
    "1:58: 'base_url' must be an http or https URL"
bad_config "profile beside settings" '{"profile": "prod", "mode": "test"}' \
    "1:13: 'profile' names a profile"
bad_config "accounts beside account_id" \
    '{"api_key": "${{ SR_KEY }}", "mode": "test", "account_id": "acct_1a", "accounts": "all"}' \
    "1:83: 'accounts' and 'account_id' cannot be used together: 'account_id' reads one account, 'accounts' several"
bad_config "a bad id in accounts" \
    '{"api_key": "${{ SR_KEY }}", "mode": "test", "accounts": ["acct_1a", "all"]}' \
    "1:70: invalid account id 'all' in 'accounts\[1\]'"
bad_config "not JSON" '{"api_key": ' "2:1: invalid JSON"
t_nomatch "$(cat "$TMP/stderr")" "0123456789abcdef" "no message shows the key"
run "$BIN" singer --config "$TMP/nowhere.json"
t_match "$RC $ERR" "^3 .*nowhere.json" "a missing config: exit 3"
run "$BIN" singer
t_is "$RC" 2 "no --config: a usage error"

# discovery
run "$BIN" singer --config "$C" --discover
t_is "$RC" 0 "--discover"
printf '%s\n' "$OUT" >"$TMP/catalog.json"
t_ok "discovery prints a valid catalog" sc catalog "$TMP/catalog.json"
truth_to "$TMP/t.json" $PLATFORM
t_is "$(jq -r '[.streams[].stream] | sort | join(",")' "$TMP/catalog.json")" \
    "$(jq -r 'keys | join(",")' "$TMP/t.json")" \
    "every stream is in the catalog (the hidden twin is not)"
t_is "$(jq -c '[.streams[] | select(.stream == "charges") | .key_properties, .replication_method, .replication_key,
    (.metadata[] | select(.breadcrumb == []) | .metadata | .selected, .inclusion, ."table-key-properties")]' "$TMP/catalog.json")" \
    '[["id"],"INCREMENTAL","created",true,"available",["id"]]' \
    "key_properties, INCREMENTAL, replication key, selected, inclusion, table-key-properties"

# a run of every stream, no catalog: the messages, the target
run "$BIN" singer --config "$C"
t_is "$RC" 0 "a run with no catalog (inline config)"
printf '%s\n' "$OUT" >"$TMP/full.jsonl"
t_ok "every message follows the spec, every RECORD its SCHEMA" sc messages "$TMP/full.jsonl"
t_match "$ERR" "stripe-reader: sync: charges [0-9]+" "logs and the summary go to stderr"
t_is "$(jq -c 'select(.type == "SCHEMA") | .schema' "$TMP/full.jsonl" | grep -c .)" \
    "$(jq -r 'select(.type == "SCHEMA") | .stream' "$TMP/full.jsonl" | sort -u | grep -c .)" "one SCHEMA per stream"
t_is "$(jq -c 'select(.type == "SCHEMA" and .stream == "charges") | .schema' "$TMP/full.jsonl")" \
    "$(jq -c '.streams[] | select(.stream == "charges") | .schema' "$TMP/catalog.json")" \
    "the SCHEMA is the catalog's schema"
t_is "$(tail -n 1 "$TMP/full.jsonl" | jq -r .type)" STATE "the output ends with a STATE"
t_is "$(jq -r 'select(.type == "RECORD") | has("time_extracted")' "$TMP/full.jsonl" | sort -u)" true \
    "every RECORD has time_extracted"
sc target "$TMP/a.db" "$TMP/a.state" <"$TMP/full.jsonl"
t_ok "the target equals the truth, every stream" equal "$TMP/a.db"
run "$BIN" singer --config "$C" --state "$TMP/a.state"
t_is "$RC" 0 "a run from the last STATE"
t_ok "it reads little: nothing changed" test "$(printf '%s\n' "$OUT" | grep -c '"RECORD"')" -lt 100

# selection
sc select "$TMP/catalog.json" "$TMP/sel.json" charges customers
run "$BIN" singer --config "$TMP/named.json" --catalog "$TMP/sel.json"
t_is "$RC" 0 "a run with a catalog (config naming a profile)"
printf '%s\n' "$OUT" >"$TMP/sel.jsonl"
t_is "$(sc messages "$TMP/sel.jsonl" | sed -n 's/^streams: //p')" "charges,customers" \
    "only the selected streams are written"
mkdir -p "$STRIPE_READER_CONFIG_DIR"
cp "$TMP/plat.yaml" "$STRIPE_READER_CONFIG_DIR/"
printf '{"profile": "plat"}\n' >"$TMP/byname.json"
run "$BIN" singer --config "$TMP/byname.json" --catalog "$TMP/sel.json"
t_is "$RC:$(printf '%s\n' "$OUT" | grep -c '"RECORD"')" "0:$(grep -c '"RECORD"' "$TMP/sel.jsonl")" \
    "a config naming a profile by its name reads the same"
jq '.streams[0].tap_stream_id = "charge"' "$TMP/catalog.json" >"$TMP/badcat.json"
run "$BIN" singer --config "$C" --catalog "$TMP/badcat.json"
t_match "$RC $ERR" "^3 .*catalog '$TMP/badcat.json': unknown stream 'charge'" "a catalog naming no stream of the table: exit 3"
sc select "$TMP/catalog.json" "$TMP/none.json"
run "$BIN" singer --config "$C" --catalog "$TMP/none.json"
t_match "$RC $ERR" "^3 .*selects no stream" "a catalog that selects nothing: exit 3"

# changes, then runs killed with kill -9, each resumed from the state the
# target confirmed; then one to the end.  The target ends equal to the truth.
KINDS='["customer_update","customer_delete","product_update","price_archive","subscription_update","subscription_cancel","subscription_item_remove","invoice_pay","invoice_void","invoice_delete","checkout_complete","refund_full","dispute","capture","update","payout_paid","new_charge","new_customer","new_invoice"]'
dctl POST /_double/mutate "{\"count\":120,\"seed\":16,\"kinds\":$KINDS,\"step\":2}" >/dev/null
dctl POST /_double/clock '{"advance":60}' >/dev/null
"$BIN" singer --config "$C" --state "$TMP/a.state" -q >"$TMP/changes.jsonl"
t_ok "... its messages follow the spec" sc messages "$TMP/changes.jsonl"
t_is "$(jq -r 'select(.type == "RECORD" and .record._sdc_deleted_at != null) | .stream' "$TMP/changes.jsonl" | sort -u | tr '\n' ' ')" \
    "customers invoice_line_items invoices subscription_items " \
    "deleted objects carry _sdc_deleted_at (customers, draft invoices and their lines, removed items)"
sc target "$TMP/a.db" "$TMP/a.state" <"$TMP/changes.jsonl"
t_ok "after 120 changes of every kind, a run from the state: no object missing" lossless "$TMP/a.db"
t_ok "... and the target equals the truth" equal "$TMP/a.db"

# A first sync killed again and again, each run resumed from the last
# STATE the target kept, then one to the end: a resumed run re-reads the
# events history and look-back, whose copies are older than the ones sent
# before; none may reach the target after a newer one.
mkfifo "$TMP/pipe"
kill_runs k
t_ok "kill -9 hit running taps ($hits of $KILLS)" test "$hits" -ge $((KILLS / 2))
t_ok "resumed from the last STATE, nothing is lost" lossless "$TMP/k.db"
t_ok "... and every object holds its newest copy" equal "$TMP/k.db"
t_is "$doubted" 0 "... the state recalled every object the target held"
# the same with a state that recalls 20 objects: the event copies of
# objects it forgot are re-read by id instead of sent
kill_runs r --state-recall 20
t_ok "--state-recall 20: kill -9 hit running taps ($hits of $KILLS)" test "$hits" -ge $((KILLS / 2))
t_ok "... resumed, every object holds its newest copy" equal "$TMP/r.db"
t_ok "... copies of forgotten objects were re-read ($doubted)" test "$doubted" -gt 0
t_is "$(jq -r '.stripe_reader.recall | split(",") | length' "$TMP/r.state")" 20 \
    "... and the STATE recalls 20 objects"

# docs/examples/meltano.yml
EX=$TOP/docs/examples/meltano.yml
if PYY=$(python_with yaml); then
    "$BIN" singer --about --format json >"$TMP/about.json"
    run "$PYY" - "$EX" "$TMP/about.json" "$TMP/catalog.json" <<'EOF'
import json, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
about = json.load(open(sys.argv[2]))
streams = {s["stream"] for s in json.load(open(sys.argv[3]))["streams"]}
ex = [p for p in doc["plugins"]["extractors"] if p["name"] == "tap-stripe-reader"][0]
assert ex["executable"] == "tap-stripe-reader", ex["executable"]
assert ex["namespace"], "no namespace"
assert ex["capabilities"] == about["capabilities"], ex["capabilities"]
names = {s["name"] for s in ex["settings"]}
assert names == set(about["settings"]["properties"]), names ^ set(about["settings"]["properties"])
assert set(ex["config"]) <= names
for pattern in ex["select"]:
    assert pattern.split(".")[0] in streams, pattern
EOF
    t_is "$RC:$OUT$ERR" "0:" "meltano.yml parses; executable, capabilities, settings and select are the binary's"
else
    t_skip "meltano.yml parses" "PyYAML is missing (Debian: python3-yaml)"
fi
if [ "$BIN" = "$TOP/build/stripe-reader" ]; then
    make -s -C "$TOP" install DESTDIR="$TMP/inst" PREFIX=/usr >/dev/null 2>&1
    t_is "$("$TMP/inst/usr/bin/tap-stripe-reader" --version)" "tap-stripe-reader $("$BIN" --version | cut -d' ' -f2)" \
        "make install installs tap-stripe-reader"
else
    t_skip "make install installs tap-stripe-reader" "not the default build"
fi
t_done
