#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# valgrind finds no leak and no memory error in the main commands (skipped
# for the sanitizer build, whose binary cannot run under valgrind).
. "$(dirname "$0")/lib.sh"

case "$BIN" in
*build-san*)
    t_skip "valgrind on the main commands" "sanitizer build (covered by ASan/LSan)"
    t_done
    exit
    ;;
esac
if ! command -v valgrind >/dev/null; then
    t_skip "valgrind on the main commands" "valgrind is not installed"
    t_done
    exit
fi

double_history 10 --seed 9 --charges 300 --payouts 40
dctl POST /_double/mutate '{"count":40,"seed":1,"kinds":["dispute","refund_full","capture"],"step":1}' >/dev/null
dctl POST /_double/clock '{"advance":30}' >/dev/null
profile_for plat

vg() {
    valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
        --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
        --log-file="$TMP/vg.%p" "$BIN" "$@" >/dev/null 2>&1
    local rc=$?
    cat "$TMP"/vg.* 2>/dev/null | sed 's/^/# /' | head -30
    rm -f "$TMP"/vg.*
    return $rc
}

t_ok "sync (SQLite)" vg sync --profile "$TMP/plat.yaml" --sink "sqlite:$TMP/v.db"
t_ok "backfill (NDJSON gzip)" vg backfill --profile "$TMP/plat.yaml" --sink "ndjson:$TMP/nd" --gzip --since $((END - 10 * 86400))
t_ok "sync (NDJSON, incremental)" vg sync --profile "$TMP/plat.yaml" --sink "ndjson:$TMP/nd"
t_ok "check" vg check --profile "$TMP/plat.yaml"
t_ok "curl" vg curl /v1/charges -d limit=3 --profile "$TMP/plat.yaml"
t_ok "state show" vg state show --sink "sqlite:$TMP/v.db"
t_ok "profiles show" vg profiles show "$TMP/plat.yaml"
t_ok "streams --schema postgres" vg streams --schema postgres
SR_KEY=sk_test_nope_nope_nope valgrind -q --leak-check=full \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
    "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$TMP/v.db" >/dev/null 2>"$TMP/vgerr"
t_is "$?" 4 "a failing run (bad key) exits 4 and frees everything (no valgrind error)"

# the Singer tap, of one account and of two connected accounts, each
# resumed from its last STATE
printf '{"profile": "%s"}\n' "$TMP/plat.yaml" >"$TMP/one.json"
"$BIN" singer --config "$TMP/one.json" -q | tail -n 1 | jq -c .value >"$TMP/one.state"
t_ok "singer" vg singer --config "$TMP/one.json"
t_ok "singer --state" vg singer --config "$TMP/one.json" --state "$TMP/one.state"
double_history 10 --accounts 2 --charges 20 --payouts 2 --seed 3
profile_for multi
sed -i 's/^  mode: test$/  mode: test\n  accounts: all/' "$TMP/multi.yaml"
printf '{"profile": "%s"}\n' "$TMP/multi.yaml" >"$TMP/multi.json"
"$BIN" singer --config "$TMP/multi.json" -q | tail -n 1 | jq -c .value >"$TMP/multi.state"
t_ok "singer, two connected accounts" vg singer --config "$TMP/multi.json"
t_ok "... --state" vg singer --config "$TMP/multi.json" --state "$TMP/multi.state"
t_ok "singer --discover" vg singer --config "$TMP/multi.json" --discover
t_done
