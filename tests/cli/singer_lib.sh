# SPDX-License-Identifier: MIT
# What the Singer tests (t1601, t1602) share, sourced after lib.sh: the
# checks of singer_check.py (python3-jsonschema; the test is skipped
# without it), the target's tables against the double's truth, and runs
# killed with kill -9 and resumed from the last STATE the target kept.
# $C is the tap's config.

CHECK=$TOP/tests/cli/singer_check.py
if ! PYJ=$(python_with jsonschema); then
    t_skip "the Singer tap" "python3-jsonschema is missing (scripts/install-deps --test installs it)"
    t_done
    exit
fi
sc() { "$PYJ" "$CHECK" "$@"; }

now() { dctl GET /_double/state | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["now"])'; }
# equal DB [ACCOUNT]: the target's tables equal the truth of ACCOUNT (the
# platform's own when none is named, whose rows have account ''), every
# stream that has objects (events Stripe no longer lists stay in a
# target's table)
equal() {
    truth_to "$TMP/t.json" "${2:-$PLATFORM}"
    COMPARE_OPTS="--deleted-before $(($(now) - 30 * 86400)) --events-subset" compare_db "$1" "$TMP/t.json" "${2:-}" \
        "$("$PYTHON" -c 'import json,sys; print(",".join(k for k, v in json.load(open(sys.argv[1])).items() if v))' "$TMP/t.json")"
}

# lossless DB [ACCOUNT]: equal() shows no object missing and none unexpected
lossless() {
    equal "$@" >"$TMP/equal.out"
    cat "$TMP/equal.out"
    ! grep -qE "(missing|unexpected) [1-9]" "$TMP/equal.out"
}
# kill_runs NAME [TAP OPTION...]: KILLS runs into the target's
# $TMP/NAME.db, each from the last STATE the target kept
# ($TMP/NAME.state); the target kills the tap with kill -9 after a random
# number of STATEs and of lines after the last of them (what it got past
# its state stays in its tables, as a target that flushes early keeps
# it); then a run to the end.  Counts the runs the kill hit in $hits and
# sums "doubted" over the summaries of the runs not killed into $doubted.
kill_runs() {
    local name=$1 i pid rc state
    shift
    hits=0 doubted=0
    for i in $(seq 1 "$KILLS"); do
        state=()
        [ -f "$TMP/$name.state" ] && state=(--state "$TMP/$name.state")
        rm -f "$TMP/sum.json"
        "$BIN" singer --config "$C" "${state[@]}" --commit-interval 100ms \
            --summary-json "$TMP/sum.json" -q "$@" >"$TMP/pipe" 2>/dev/null &
        pid=$!
        # (bash reports the killed job on its stderr: not the target's)
        {
            "$PYJ" "$CHECK" target "$TMP/$name.db" "$TMP/$name.state" --kill "$pid" \
                $((RANDOM % 4 + 1)) $((RANDOM % 200)) <"$TMP/pipe" 2>&3
            wait "$pid"
            rc=$?
        } 3>&2 2>/dev/null
        [ $rc = 137 ] && hits=$((hits + 1))
        [ -f "$TMP/sum.json" ] && doubted=$((doubted + $(sum_doubted)))
    done
    sc target "$TMP/$name.db" "$TMP/$name.state" < <("$BIN" singer --config "$C" \
        --state "$TMP/$name.state" --summary-json "$TMP/sum.json" -q "$@")
    doubted=$((doubted + $(sum_doubted)))
}
sum_doubted() { jq '[.streams[].doubted] | add' "$TMP/sum.json"; }

