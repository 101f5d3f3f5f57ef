#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 15: one profile reads every connected account of a platform.  A run
# over many accounts equals the double's truth for each; changes in several
# accounts reach the next run; a revoked account is named and skipped while
# the others complete (exit 4); discovery is incremental; a no-change sync
# costs at most (streams + 1) x N requests; bad profiles and options.
. "$(dirname "$0")/lib.sh"

N=6
double_history 12 --accounts $N --charges 40 --payouts 4 --seed 15
DB=$TMP/connect.db
KINDS='["capture","refund_partial","refund_full","dispute","update","payout_paid","payout_failed","new_charge","new_payout"]'

# multi_profile NAME SPEC_LINE: a platform profile (the double's key) with
# one more line in its spec
multi_profile() {
    profile_yaml "$1" '    apiKey: ${{ SR_KEY }}' "$2" double \
        '  baseUrl: ${{ SR_URL }}' \
        '  retry: {initialBackoff: 20ms, maxBackoff: 100ms}' \
        '  rateLimit: {globalRps: 1000, endpointRps: 1000, maxInFlight: 32}' \
        >"$TMP/$1.yaml"
}
multi_profile multi "  accounts: all"
acct() { printf 'acct_1DoubleConn%06d' "$1"; }

# all_are_truth DESC FIRST LAST: the rows of accounts FIRST..LAST equal the
# double's truth of each
all_are_truth() {
    local n bad=""
    for n in $(seq "$2" "$3"); do
        truth_to "$TMP/t$n.json" "$(acct "$n")"
        compare_db "$DB" "$TMP/t$n.json" "$(acct "$n")" >"$TMP/cmp$n.out" 2>&1 ||
            bad="$bad $(acct "$n")"
    done
    t_is "${bad:-none}" none "$1"
}

run "$BIN" sync --profile "$TMP/multi.yaml" --sink "sqlite:$DB" \
    --summary-json "$TMP/s1.json"
t_is "$RC" 0 "a sync of every connected account succeeds"
t_match "$ERR" "accounts: $N ok, 0 failed; ok" "the summary line counts the accounts"
all_are_truth "each of the $N accounts equals the double's truth" 1 $N
t_is "$(sqlite3 "$DB" "SELECT count(*) FROM charges WHERE account = ''")" 0 \
    "no row is stored as the platform's own"
t_is "$(sqlite3 "$DB" "SELECT group_concat(key, ' ') FROM (SELECT key FROM state ORDER BY key)")" \
    "multi/accounts $(for n in $(seq 1 $N); do printf 'multi/%s ' "$(acct "$n")"; done | sed 's/ $//')" \
    "one checkpoint per account, and the known accounts"
t_ok "the summary validates against docs/summary.schema.json" \
    "$PYTHON" "$TOP/tests/cli/json_schema_check.py" "$TOP/docs/summary.schema.json" "$TMP/s1.json"
t_is "$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1]))["accounts"]; print(d["total"], d["ok"], d["discovery_requests"], sorted({v["status"] for v in d["items"].values()}))' "$TMP/s1.json")" \
    "$N $N 1 ['ok']" "--summary-json has a per-account section"

# changes in several accounts between runs
for n in 1 3 5; do
    dctl POST /_double/mutate "{\"count\":60,\"seed\":$n,\"account\":\"$(acct "$n")\",\"kinds\":$KINDS,\"step\":1}" >/dev/null
done
dctl POST /_double/clock '{"advance":30}' >/dev/null
run "$BIN" sync --profile "$TMP/multi.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "a sync after changes in three accounts succeeds"
# events may show up minutes late (the double's rough edges): the next
# sync, past the events look-back, has them all
dctl POST /_double/clock '{"advance":720}' >/dev/null
run "$BIN" sync --profile "$TMP/multi.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "the sync after it succeeds"
all_are_truth "then each account equals the truth again" 1 $N

# a quiet no-change sync: at most (streams + 1) per account, + discovery
dctl POST /_double/clock '{"advance":120}' >/dev/null
dctl DELETE /_double/requests >/dev/null
run "$BIN" sync --profile "$TMP/multi.yaml" --sink "sqlite:$DB" --summary-json "$TMP/s2.json"
t_is "$RC" 0 "a no-change sync succeeds"
reqs=$(requests_count)
per=$(request_paths | grep -c -v '^GET /v1/accounts')
streams=$("$PYTHON" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["streams"]))' "$TMP/s2.json")
t_is "$(request_paths | grep -c '^GET /v1/accounts')" 1 "discovery is one request"
t_ok "no-change sync: $reqs requests <= (streams + 1) x $N + 1 = $(((streams + 1) * N + 1))" \
    test "$reqs" -le $(((streams + 1) * N + 1))
t_is "$((per % N))" 0 "every account costs the same ($((per / N)) requests)"

# discovery is incremental: new accounts are found, old ones not re-listed
dctl POST /_double/connect '{"create":2,"charges":5,"payouts":1}' >/dev/null
dctl POST /_double/clock '{"advance":60}' >/dev/null
dctl DELETE /_double/requests >/dev/null
run "$BIN" sync --profile "$TMP/multi.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "a sync after two accounts were connected succeeds"
t_match "$(dctl GET /_double/requests)" 'created%5Bgte%5D=|created\[gte\]=' \
    "discovery lists from the newest known account on (created[gte])"
all_are_truth "the new accounts equal their truth" $((N + 1)) $((N + 2))

# one revoked account does not stop the others
dctl POST /_double/connect "{\"revoke\":[\"$(acct 2)\"]}" >/dev/null
dctl POST /_double/mutate "{\"count\":30,\"seed\":7,\"account\":\"$(acct 4)\",\"kinds\":$KINDS,\"step\":1}" >/dev/null
dctl POST /_double/clock '{"advance":30}' >/dev/null
run "$BIN" sync --profile "$TMP/multi.yaml" --sink "sqlite:$DB" --summary-json "$TMP/s3.json"
t_match "$ERR" "error: account $(acct 2) skipped: stream 'events': GET /v1/events: 403 Forbidden: .*Application access may have been revoked" \
    "a revoked account is named, with Stripe's message"
t_is "$RC" 4 "  ... exit 4 (the worst outcome)"
t_match "$ERR" "error: 1 of $((N + 2)) accounts not read: $(acct 2) \(account_invalid\); the other $((N + 1)) completed" \
    "the run's error names it and counts the others"
t_is "$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); i=d["accounts"]["items"]; print(d["status"], d["exit_code"], i[sys.argv[2]]["status"], i[sys.argv[2]]["exit_code"], sum(v["status"] == "ok" for v in i.values()))' "$TMP/s3.json" "$(acct 2)")" \
    "account_invalid 4 account_invalid 4 $((N + 1))" "--summary-json: the revoked account and the others"
dctl POST /_double/clock '{"advance":720}' >/dev/null
run "$BIN" sync --profile "$TMP/multi.yaml" --sink "sqlite:$DB"
t_is "$RC" 4 "the next sync (past the events look-back) exits 4 again"
all_are_truth "the other accounts were read (account 4's changes included)" 3 $((N + 2))

# state show: one checkpoint per account, the known accounts not shown
run "$BIN" state show --profile "$TMP/multi.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "state show of a multi-account profile"
t_is "$(printf '%s\n' "$OUT" | grep -c "^profile 'multi/acct_")" $((N + 2)) "one checkpoint per account"
run "$BIN" state show --profile "$TMP/multi.yaml" --sink "sqlite:$DB" --accounts "$(acct 3)"
t_match "$OUT" "^profile 'multi/$(acct 3)': account $(acct 3), test mode" "state show --accounts ID: that account"
t_is "$(printf '%s\n' "$OUT" | grep -c "^profile ")" 1 "only it"
run "$BIN" state show --sink "sqlite:$DB"
t_is "$RC" 0 "state show of every key skips the known-accounts entry"

# --accounts overrides the profile: a list, and the accounts list command
rm -f "$TMP/list.db"
run "$BIN" sync --profile "$TMP/multi.yaml" --sink "sqlite:$TMP/list.db" --accounts "$(acct 1),$(acct 3)"
t_is "$RC" 0 "--accounts LIST reads those accounts"
t_is "$(sqlite3 "$TMP/list.db" 'SELECT group_concat(a, " ") FROM (SELECT DISTINCT account a FROM charges ORDER BY a)')" \
    "$(acct 1) $(acct 3)" "only those"
run "$BIN" accounts list --profile "$TMP/multi.yaml" --json
t_is "$RC" 0 "accounts list --json"
t_is "$(printf '%s' "$OUT" | "$PYTHON" -c 'import json,sys; a=json.load(sys.stdin); print(len(a), sorted(a[0]))')" \
    "$((N + 1)) ['charges_enabled', 'created', 'id', 'payouts_enabled', 'shard', 'type']" \
    "it lists the connected accounts (not the revoked one) with their fields"
run "$BIN" accounts list --profile "$TMP/multi.yaml"
t_match "$OUT" "^ID +CREATED +TYPE +CHARGES +PAYOUTS +SHARD" "accounts list: a table"

# profile and option errors
multi_profile both "  accountId: $(acct 1)
  accounts: all"
run "$BIN" sync --profile "$TMP/both.yaml" --sink "sqlite:$TMP/e.db"
t_is "$RC" 3 "accounts with accountId: exit 3"
t_match "$ERR" "both.yaml:[0-9]+:[0-9]+: 'spec.accounts' and 'spec.accountId' cannot be used together" \
    "the message names the file, line and keys"
multi_profile badid "  accounts: [acct_1DoubleConn000001, bob]"
run "$BIN" sync --profile "$TMP/badid.yaml" --sink "sqlite:$TMP/e.db"
t_is "$RC" 3 "an invalid id in spec.accounts: exit 3"
t_match "$ERR" "badid.yaml:[0-9]+:[0-9]+: invalid accounts 'bob' in 'spec.accounts'" "names the id"
multi_profile badall "  accounts: every"
run "$BIN" sync --profile "$TMP/badall.yaml" --sink "sqlite:$TMP/e.db"
t_is "$RC" 3 "spec.accounts neither all nor ids: exit 3"
run "$BIN" sync --profile "$TMP/multi.yaml" --sink "sqlite:$TMP/e.db" --shard 3/3
t_is "$RC" 2 "--shard 3/3: exit 2"
t_match "$ERR" "option '--shard' expects I/N with 0 <= I < N" "says what --shard takes"
run "$BIN" sync --profile "$TMP/multi.yaml" --sink "sqlite:$TMP/e-{shard}.db"
t_is "$RC" 2 "{shard} in the sink without --shard: exit 2"
profile_for single "$(acct 1)"
run "$BIN" sync --profile "$TMP/single.yaml" --sink "sqlite:$TMP/e.db" --accounts all
t_is "$RC" 2 "--accounts with a one-account profile: exit 2"
t_match "$ERR" "cannot be used with profile 'single', which reads one account" "says why"
run "$BIN" sync --profile "$TMP/multi.yaml" --sink "sqlite:$TMP/e.db" --accounts acct_x,,y
t_is "$RC" 2 "a bad --accounts list: exit 2"
t_done
