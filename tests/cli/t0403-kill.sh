#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 4 (and 8, split windows): kill -9 at 20+ random moments during a
# backfill and during a sync, each followed by a re-run (itself killed, up
# to the last): the final database equals a clean run's, row for row.
. "$(dirname "$0")/lib.sh"

KILLS=${KILLS:-22}
RANDOM=4242   # reproducible kill moments
# 80 ms of latency: each run is killed after 20-270 ms and resumes the
# last's work, so the whole backfill must outlast the 22 kills (at 40 ms
# the faster sinks of issue 13 finished it first: 17 to 19 kills hit)
double_history 20 --seed 8 --charges 3000 --payouts 600 --latency-ms 80 \
    --jitter-ms 20
profile_for plat
KINDS='["capture","refund_partial","refund_full","dispute","update","payout_paid","payout_failed","new_charge"]'

# kill_chain DB CMD...: run CMD, kill -9 it after a random delay, KILLS times,
# then run it to completion.  Prints how many kills hit a running process.
kill_chain() {
    local db=$1 hits=0 pid delay i
    shift
    for i in $(seq 1 "$KILLS"); do
        "$@" --sink "sqlite:$db" -q >/dev/null 2>&1 &
        pid=$!
        delay=$(printf '0.%03d' $((RANDOM % 250 + 20)))
        sleep "$delay"   # the random moment of the crash, not a synchronisation
        if kill -9 "$pid" 2>/dev/null; then
            hits=$((hits + 1))
        fi
        wait "$pid" 2>/dev/null
        # how many windows the committed checkpoint had (split windows)
        sqlite3 "$db" "SELECT json FROM state" 2>/dev/null |
            grep -o '"lo":[0-9]*,"hi":[0-9]*' | wc -l >>"$TMP/windows.$(basename "$db")"
    done
    "$@" --sink "sqlite:$db" -q >/dev/null 2>"$TMP/final.err"
    echo "$hits $?"
}

# backfill
"$BIN" backfill --profile "$TMP/plat.yaml" --since $START --sink "sqlite:$TMP/clean.db" -q
t_is "$?" 0 "clean backfill"
read -r hits rc <<<"$(kill_chain "$TMP/kill.db" "$BIN" backfill --profile "$TMP/plat.yaml" --since $START --concurrency 2 --commit-interval 100ms)"
t_is "$rc" 0 "the backfill re-run after the kills completes"
t_ok "at least 20 kills hit a running backfill ($hits)" test "$hits" -ge 20
t_ok "the backfill ran in split windows (up to $(sort -n "$TMP/windows.kill.db" | tail -1) in a checkpoint)" \
    test "$(sort -n "$TMP/windows.kill.db" | tail -1)" -ge 2
t_is "$(sqlite3 "$TMP/kill.db" 'PRAGMA integrity_check')" ok "the database is intact"
db_dump "$TMP/clean.db" >"$TMP/clean.dump"
db_dump "$TMP/kill.db" >"$TMP/kill.dump"
t_ok "after $hits kills the backfilled database equals a clean run's, row for row" \
    cmp -s "$TMP/clean.dump" "$TMP/kill.dump"
t_is "$(wc -l <"$TMP/kill.dump")" "$(wc -l <"$TMP/clean.dump")" "same number of rows"

# sync: both databases start from the same state, then the double changes
sqlite3 "$TMP/clean.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$TMP/clean.db" "$TMP/skill.db"
dctl POST /_double/mutate "{\"count\":6000,\"seed\":3,\"kinds\":$KINDS,\"step\":1}" >/dev/null
dctl POST /_double/clock '{"advance":30}' >/dev/null
"$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$TMP/clean.db" -q
t_is "$?" 0 "clean sync"
read -r hits rc <<<"$(kill_chain "$TMP/skill.db" "$BIN" sync --profile "$TMP/plat.yaml" --concurrency 2 --commit-interval 100ms)"
t_is "$rc" 0 "the sync re-run after the kills completes"
t_ok "at least 20 kills hit a running sync ($hits)" test "$hits" -ge 20
db_dump "$TMP/clean.db" >"$TMP/clean2.dump"
db_dump "$TMP/skill.db" >"$TMP/skill.dump"
t_ok "after $hits kills the synced database equals a clean run's, row for row" \
    cmp -s "$TMP/clean2.dump" "$TMP/skill.dump"
truth_to "$TMP/t.json" $PLATFORM
t_ok "and equals the double's truth" compare_db "$TMP/skill.db" "$TMP/t.json"
t_done
