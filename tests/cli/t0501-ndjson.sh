#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 5: the backfill and mutation scenarios of the reader issue with the
# NDJSON sink: the newest version of each (account, id) across the
# manifest's files equals the double's truth, every event appears exactly
# once, every line parses, gzip files pass gzip -t; raw format; ndjson:-.
. "$(dirname "$0")/lib.sh"

two_accounts 25 1600 --seed 3 --charges 5000 --payouts 1000
ND=$TMP/out

# nd_is_truth DESC_PLATFORM DESC_CONNECTED: in $ND, the newest version of
# each object of each account equals the double's truth, every event once
nd_is_truth() {
    truths
    t_ok "$1" nd_check "$ND" --no-leftovers --truth "$TMP/tp.json"
    t_ok "$2" nd_check "$ND" --truth "$TMP/tc.json" --account $CONNECTED
}

run "$BIN" backfill --profile "$TMP/plat.yaml" --sink "ndjson:$ND" --gzip --since $START
t_is "$RC" 0 "backfill into NDJSON (gzip), platform"
run "$BIN" backfill --profile "$TMP/conn.yaml" --sink "ndjson:$ND" --gzip --since $START \
    --rotate-records 3000
t_is "$RC" 0 "backfill into NDJSON (gzip), connected account, small files"
nd_is_truth "platform: newest versions equal the truth, every event once" \
    "connected account: newest versions equal the truth, every event once"
n=$(ls "$ND"/charges/*.ndjson.gz | wc -l)
t_ok "files were rotated at 3,000 records ($n charges files)" test "$n" -ge 3
t_is "$(find "$ND" -name '*.gz' -exec gzip -t {} + && echo ok)" ok "every file passes gzip -t"
t_ok "jq parses every line of every file" \
    sh -c "zcat '$ND'/*/*.ndjson.gz | jq -c 'select(.stream and .object)' >/dev/null"
t_is "$(ls "$ND/charges" | sort | tr '\n' ' ')" \
    "$("$PYTHON" -c 'import json,sys; print(" ".join(sorted(f["path"].split("/")[1] for f in json.load(open(sys.argv[1]))["files"] if f["stream"]=="charges")))' "$ND/manifest.json") " \
    "file names sort in commit order and match the manifest"
line=$(zcat "$ND"/charges/000000000001-000.ndjson.gz | head -1)
t_match "$line" '^\{"stream":"charges","account":"","id":"(ch|py)_[A-Za-z0-9]+","livemode":false,"created":[0-9]+,' \
    "envelope: stream, account, typed columns first"
t_match "$line" '"version":[0-9]+,"source":"(list|event|retrieve)","source_event_id":(null|"evt_[A-Za-z0-9]+"),"source_api_version":(null|"[^"]+"),"extracted_at":[0-9]+,"object":\{"' \
    "envelope: version, source, event id, API version, extraction time, object"
big=$(dctl GET /_double/state | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["specials"]["big_integer_charge"]["test"])')
t_ok "the object is written losslessly (an integer beyond 2^53 byte for byte)" \
    sh -c "zcat '$ND'/charges/*.gz | grep '\"id\":\"$big\"' | grep -q '9007199254740993'"

# mutations, then sync: newest versions follow
more_changes 300 40
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "ndjson:$ND" --gzip
t_is "$RC" 0 "sync after mutations (platform)"
run "$BIN" sync --profile "$TMP/conn.yaml" --sink "ndjson:$ND" --gzip
t_is "$RC" 0 "sync after mutations (connected)"
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "ndjson:$ND" --gzip
t_is "$RC" 0 "a second sync (the overlap is re-read)"
nd_is_truth \
    "after sync: platform newest versions equal the truth, events exactly once" \
    "after sync: connected account too"
t_is "$(wc -l <"$ND/runs.ndjson")" 5 "the run history has every run"

# raw format: bare Stripe objects
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "ndjson:$TMP/raw" --ndjson-format raw --streams payouts
t_is "$RC" 0 "raw format"
t_match "$(head -1 "$TMP"/raw/payouts/*.ndjson)" '^\{"[a-z_]+":' "raw lines are objects"
t_nomatch "$(head -1 "$TMP"/raw/payouts/*.ndjson)" '"stream":"payouts"' "with no envelope"
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "ndjson:$TMP/raw" --ndjson-format xml
t_is "$RC" 2 "an unknown --ndjson-format is a usage error"

# ndjson:- : lines on stdout, state in --state FILE
run "$BIN" sync --profile "$TMP/plat.yaml" --sink ndjson:- --streams payouts
t_is "$RC" 2 "ndjson:- without --state is refused"
t_match "$ERR" "'ndjson:-' needs --state FILE" "and says why"
"$BIN" sync --profile "$TMP/plat.yaml" --sink ndjson:- --state "$TMP/st.json" -q >"$TMP/stdout1"
t_is "$?" 0 "ndjson:- writes to stdout"
t_is "$(grep '"stream":"payouts","account":""' "$TMP/stdout1" | jq -r .id | sort -u | wc -l)" \
    "$("$PYTHON" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["payouts"]))' "$TMP/tp.json")" \
    "every payout is on stdout"
t_ok "the state file holds the checkpoint" \
    sh -c "jq -e '.states.plat.checkpoint.streams.charges.hwm' '$TMP/st.json' >/dev/null"
dctl POST /_double/clock '{"advance":120}' >/dev/null
"$BIN" sync --profile "$TMP/plat.yaml" --sink ndjson:- --state "$TMP/st.json" -q >"$TMP/stdout2"
t_ok "the next run continues from the state: only the overlap is re-sent ($(wc -l <"$TMP/stdout2") of $(wc -l <"$TMP/stdout1") lines)" \
    test "$(($(wc -l <"$TMP/stdout2") * 20))" -lt "$(wc -l <"$TMP/stdout1")"
t_done
