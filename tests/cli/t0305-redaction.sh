#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 3: no command ever prints a key, an access token or a refresh
# token.  Every command runs at the highest verbosity, with succeeding and
# failing requests, API keys and OAuth; no secret may appear in stdout,
# stderr or any file written (except the token store, which exists to
# hold the tokens, mode 0600).
. "$(dirname "$0")/lib.sh"

double_history 5 --seed 2 --charges 150 --payouts 20
dctl POST /_double/mutate '{"count":20,"seed":1,"kinds":["dispute","refund_full"],"step":1}' >/dev/null
dctl POST /_double/clock '{"advance":30}' >/dev/null
profile_for plat
export APP_SECRET=sk_test_double_app REFRESH_TOKEN=rt_double_initial_0
export TOKEN_STORE=$TMP/state/app.oauth.json
oauth_profile "$TMP/oauth.yaml"
mkdir -p "$TMP/out"
LOG=$TMP/out/all.log

# every command, -vv, stdout and stderr into one log
each() {
    "$BIN" "$@" -vv >>"$LOG" 2>&1
    echo "exit $? for: $*" >>"$LOG"
}
for fmt in text json; do
    each check --profile "$TMP/plat.yaml" --log-format $fmt
    each curl /v1/charges -i -d limit=2 --profile "$TMP/plat.yaml" --log-format $fmt
    each sync --profile "$TMP/plat.yaml" --sink "sqlite:$TMP/out/a.db" --log-format $fmt \
        --summary-json "$TMP/out/summary.json"
    each backfill --profile "$TMP/plat.yaml" --sink "ndjson:$TMP/out/nd" --since $((END - 5 * 86400)) \
        --log-format $fmt
    each check --profile "$TMP/oauth.yaml" --log-format $fmt
    each sync --profile "$TMP/oauth.yaml" --sink "sqlite:$TMP/out/b.db" --log-format $fmt
    each curl /v1/payouts -i --profile "$TMP/oauth.yaml" --log-format $fmt
done
each state show --sink "sqlite:$TMP/out/a.db"
each profiles show "$TMP/plat.yaml"
each profiles show --json "$TMP/oauth.yaml"
each streams
# failures: a bad key, a restricted key, faults, an expired grant
SR_KEY=sk_test_this_key_is_wrong_0123 each sync --profile "$TMP/plat.yaml" --sink "sqlite:$TMP/out/c.db"
SR_KEY=rk_test_double_nopayouts each check --profile "$TMP/plat.yaml"
dctl POST /_double/faults '{"faults":[{"kind":"500","probability":1.0}]}' >/dev/null
each curl /v1/charges --profile "$TMP/plat.yaml"
each sync --profile "$TMP/oauth.yaml" --sink "sqlite:$TMP/out/b.db"
dctl DELETE /_double/faults >/dev/null
REFRESH_TOKEN=rt_not_a_valid_refresh_token_1 TOKEN_STORE=$TMP/state/other.json \
    each check --profile "$TMP/oauth.yaml"

t_ok "the token store holds the rotated tokens" test -s "$TOKEN_STORE"
t_is "$(stat -c %a "$TOKEN_STORE")" 600 "with mode 0600"
access=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_token"])' "$TOKEN_STORE")
refresh=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["refresh_token"])' "$TOKEN_STORE")
t_match "$(cat "$LOG")" 'exit 4 for: sync' "a failing run was among them"
t_match "$(cat "$LOG")" 'exit 0 for: check --profile .*oauth' "an OAuth run succeeded"
for secret in sk_test_double_platform sk_test_this_key_is_wrong_0123 rk_test_double_nopayouts \
    sk_test_double_app rt_double_initial_0 rt_not_a_valid_refresh_token_1 "$access" "$refresh"; do
    found=$(grep -rlF -- "$secret" "$TMP/out" 2>/dev/null | head -3)
    t_is "$found" "" "no file written and no output holds ${secret:0:8}...${secret: -4}"
done
t_done
