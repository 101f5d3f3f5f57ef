#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 15, what goes wrong in one account of many: check --accounts probes
# each account with one request and names the revoked ones; an account
# whose access is revoked in the middle of its read (the double's
# revoke_after) is skipped while the others complete, and nothing it had not
# stored is passed over (restored, it reaches the truth); it is tried again
# each run and named once; an account whose change feed fell behind the
# events retention fails alone with exit 6.
. "$(dirname "$0")/lib.sh"

N=4
double_history 12 --accounts $N --charges 250 --payouts 6 --seed 16
DB=$TMP/f.db
acct() { printf 'acct_1DoubleConn%06d' "$1"; }
A2=$(acct 2)
profile_yaml multi '    apiKey: ${{ SR_KEY }}' "  accounts: all" double \
    '  baseUrl: ${{ SR_URL }}' \
    '  retry: {initialBackoff: 20ms, maxBackoff: 100ms}' \
    '  rateLimit: {globalRps: 1000, endpointRps: 1000, maxInFlight: 32}' \
    >"$TMP/multi.yaml"
profile_for single "$(acct 1)"

# truth_of FIRST LAST...: the rows of each account named equal its truth
truth_of() {
    local desc=$1 n bad=""
    shift
    for n in "$@"; do
        truth_to "$TMP/t$n.json" "$(acct "$n")"
        compare_db "$DB" "$TMP/t$n.json" "$(acct "$n")" >"$TMP/cmp$n.out" 2>&1 ||
            bad="$bad $(acct "$n")"
    done
    t_is "${bad:-none}" none "$desc"
}
# answered ACCT: "200s 403s" of the requests made for ACCT
answered() {
    dctl GET /_double/requests | "$PYTHON" -c '
import json, sys
r = [q["status"] for q in json.load(sys.stdin)["requests"] if q.get("account") == sys.argv[1]]
print(r.count(200), r.count(403))' "$1"
}

# -- check --accounts ----------------------------------------------------------
run "$BIN" check --profile "$TMP/multi.yaml" --streams charges
t_is "$RC" 0 "check of a platform profile (accounts: all): exit 0"
t_is "$(printf '%s\n' "$OUT" | grep -c '^acct_1DoubleConn[0-9]* *readable$')" $N \
    "check lists every connected account as readable"
t_match "$OUT" "^accounts: all \($N\)" "the header says which accounts"
dctl POST /_double/connect "{\"revoke\":[\"$A2\"]}" >/dev/null
dctl DELETE /_double/requests >/dev/null
run "$BIN" check --profile "$TMP/multi.yaml" --streams charges --accounts "$(acct 1),$A2"
t_is "$RC" 4 "check --accounts with a revoked account: exit 4"
t_match "$OUT" "^$A2 +not readable +account_invalid: 403 Forbidden: .*Application access may have been revoked" \
    "the revoked account's line says account_invalid, with Stripe's message"
t_is "$(printf '%s\n' "$ERR" | tail -n 1)" \
    "stripe-reader: error: 1 of 2 accounts not readable: $A2 (account_invalid); the other 1 readable" \
    "the error names it by id"
t_is "$(requests_count) $(answered "$(acct 1)") $(answered "$A2")" "3 1 0 0 1" \
    "one request for the streams, then one per account, with its Stripe-Account"
run "$BIN" check --profile "$TMP/multi.yaml" --streams charges --accounts all
t_is "$RC" 0 "check --accounts all: the revoked account is not listed any more"
run "$BIN" check --profile "$TMP/single.yaml" --accounts all
t_is "$RC" 2 "check --accounts with a one-account profile: exit 2"
run "$BIN" check --profile "$TMP/multi.yaml" --accounts acct_x,,y
t_is "$RC" 2 "check with a bad --accounts list: exit 2"
t_match "$ERR" "option '--accounts' expects 'all' or acct_ ids" "says what it takes"
dctl POST /_double/connect "{\"restore\":[\"$A2\"]}" >/dev/null

# -- access revoked in the middle of an account's first sync -------------------
dctl POST /_double/connect "{\"revoke_after\":{\"$A2\":4}}" >/dev/null
dctl DELETE /_double/requests >/dev/null
run "$BIN" sync --profile "$TMP/multi.yaml" --sink "sqlite:$DB" --summary-json "$TMP/s1.json"
t_is "$RC" 4 "access revoked mid-read: exit 4"
t_is "$(answered "$A2" | cut -d' ' -f1)" 4 "the double answered the account's first 4 requests"
t_match "$ERR" "error: account $A2 skipped: stream '[a-z_]+': GET /v1/[a-z_/]+: 403 Forbidden: .*Application access may have been revoked" \
    "the account is named, with the request refused"
t_is "$(printf '%s\n' "$ERR" | tail -n 1 | sed 's/ (first error:.*//')" \
    "stripe-reader: error: 1 of $N accounts not read: $A2 (account_invalid); the other $((N - 1)) completed" \
    "the run's error counts the others as completed"
truth_of "the other accounts equal their truth" 1 3 4
t_is "$("$PYTHON" -c 'import json,sys; i=json.load(open(sys.argv[1]))["accounts"]["items"][sys.argv[2]]; print(i["status"], i["exit_code"])' "$TMP/s1.json" "$A2")" \
    "account_invalid 4" "--summary-json: account_invalid, exit 4"

t_match "$(sqlite3 "$DB" "SELECT json FROM state WHERE key = 'multi/accounts'")" \
    "\\[\"$A2\",[0-9]+,[0-9]+\\]" "the known accounts keep when it was refused"

# tried again the next run (access may come back) with one request, named
# once (its line; the run's error counts it)
dctl DELETE /_double/requests >/dev/null
run "$BIN" sync --profile "$TMP/multi.yaml" --sink "sqlite:$DB"
t_is "$RC" 4 "the next run tries the revoked account again: exit 4"
t_match "$ERR" "error: account $A2 skipped: still refused \(access revoked since 2026-01-01T01:00:00Z\): GET /v1/events: 403 Forbidden" \
    "it says the account is still refused, and since when"
t_is "$(printf '%s\n' "$ERR" | grep -c "$A2")" 2 \
    "it is named twice: the account's line and the run's error"
t_is "$(answered "$A2")" "0 1" "it cost the run one request"
run "$BIN" accounts list --profile "$TMP/multi.yaml" --sink "sqlite:$DB"
t_match "$OUT" "^$A2 +[0-9-]+T[0-9:]+Z +not listed: access revoked, refused since 2026-01-01T01:00:00Z" \
    "accounts list --sink shows the revoked account Stripe no longer lists"
t_is "$(printf '%s\n' "$OUT" | grep -c '^acct_')" $N "and the others as listed"
run "$BIN" accounts list --profile "$TMP/multi.yaml" --sink "sqlite:$DB" --json
t_is "$(printf '%s' "$OUT" | "$PYTHON" -c 'import json,sys; print([(a["id"][-1], a["refused"] > 0) for a in json.load(sys.stdin) if a.get("listed") is False])')" \
    "[('2', True)]" "--json: listed false, with when it was refused"
# access restored: the account resumes from its checkpoint and reaches the
# truth, so nothing it had not stored was passed over
dctl POST /_double/connect "{\"restore\":[\"$A2\"]}" >/dev/null
run "$BIN" sync --profile "$TMP/multi.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "restored: the sync succeeds"
truth_of "every account, the revoked one too, equals its truth" 1 2 3 4
t_match "$(sqlite3 "$DB" "SELECT json FROM state WHERE key = 'multi/accounts'")" \
    "\\[\"$A2\",[0-9]+\\]" "read again, it is no longer marked refused"

# -- a change feed fallen behind the events retention, in one account -------------
# 31 days pass; accounts 1, 3 and 4 are synced meanwhile, account 2 is not
dctl POST /_double/clock '{"advance":2678400}' >/dev/null
run "$BIN" sync --profile "$TMP/multi.yaml" --sink "sqlite:$DB" --accounts "$(acct 1),$(acct 3),$(acct 4)"
t_is "$RC" 6 "accounts behind the retention: exit 6"
COMPARE_OPTS=--events-subset
run "$BIN" sync --profile "$TMP/multi.yaml" --sink "sqlite:$DB" --accounts "$(acct 1),$(acct 3),$(acct 4)" --rescan
t_is "$RC" 0 "--rescan of three accounts"
dctl POST /_double/clock '{"advance":900}' >/dev/null
run "$BIN" sync --profile "$TMP/multi.yaml" --sink "sqlite:$DB" --summary-json "$TMP/s2.json"
t_is "$RC" 6 "one account behind the retention in a multi-account run: exit 6"
t_match "$ERR" "error: account $A2 skipped: .*older than the 30 days Stripe keeps events" \
    "the account is named, with why"
t_is "$(printf '%s\n' "$ERR" | tail -n 1 | sed 's/ (first error:.*//')" \
    "stripe-reader: error: 1 of $N accounts not read: $A2 (retention); the other $((N - 1)) completed" \
    "the run's error names it"
t_is "$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); i=d["accounts"]["items"]; print(d["exit_code"], i[sys.argv[2]]["status"], sorted(v["status"] for k, v in i.items() if k != sys.argv[2]))' "$TMP/s2.json" "$A2")" \
    "6 retention ['ok', 'ok', 'ok']" "--summary-json: the account's retention, the others ok"
truth_of "the others equal their truth" 1 3 4
t_done
