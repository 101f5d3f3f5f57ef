#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 6: one run at a time (flock; a dead holder never blocks), the
# deadline, SIGTERM/SIGINT, progress on a terminal only, --summary-json
# against its JSON Schema, and every exit code of the table.
. "$(dirname "$0")/lib.sh"

double_history 20 --seed 41 --charges 3000 --payouts 400 --latency-ms 60 \
    --jitter-ms 20
profile_for plat
DB=$TMP/c.db
LOCK=$DB.plat.lock

# wait_lock PID [LOCKFILE]: until the lock file names PID (a bounded poll)
wait_lock() {
    local i lock=${2:-$LOCK}
    for i in $(seq 1 500); do
        if grep -q "^$1 " "$lock" 2>/dev/null; then
            return 0
        fi
        kill -0 "$1" 2>/dev/null || return 1
        sleep 0.01
    done
    return 1
}

# --- one run at a time -------------------------------------------------
"$BIN" backfill --profile "$TMP/plat.yaml" --sink "sqlite:$DB" --since $START \
    --concurrency 1 -q 2>"$TMP/first.err" &
first=$!
t_ok "the first run takes the lock" wait_lock $first
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 7 "a second run finds the lock held: exit 7"
t_match "$ERR" "^stripe-reader: error: another run holds the lock on profile 'plat' in 'sqlite:$DB' \(pid $first, started [0-9T:-]+Z\)" \
    "one line naming the holder's pid and start time"
t_is "$(echo "$ERR" | wc -l)" 1 "exactly one line"
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB" --summary-json "$TMP/locked.json"
t_is "$(jq -r '.status + " " + (.exit_code|tostring)' "$TMP/locked.json")" "locked 7" \
    "--summary-json still tells a monitor the run found the lock held"
t_ok "and that summary validates against the schema" \
    "$PYTHON" "$TOP/tests/cli/json_schema_check.py" "$TOP/docs/summary.schema.json" "$TMP/locked.json"
run "$BIN" state reset --profile "$TMP/plat.yaml" --sink "sqlite:$DB" --yes
t_is "$RC" 7 "state reset does not race a running sync: exit 7"
kill -9 $first
wait $first 2>/dev/null
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "after kill -9 of the holder, the next run proceeds"
t_is "$(sqlite3 "$DB" 'SELECT count(*) FROM charges')" 3000 "and does the work"

# --- the deadline --------------------------------------------------------
rm -f "$TMP"/d.db*
t0=$(date +%s%N)
run "$BIN" backfill --profile "$TMP/plat.yaml" --sink "sqlite:$TMP/d.db" --since $START \
    --concurrency 1 --max-duration 3s
elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
t_is "$RC" 8 "--max-duration stops the backfill with the partial code"
t_ok "it stops before the deadline (${elapsed_ms} ms for 3 s)" test "$elapsed_ms" -lt 3600
t_match "$ERR" "stopped early \(--max-duration reached\)" "and says why"
t_is "$(sqlite3 "$TMP/d.db" "SELECT status || ' ' || exit_code FROM runs ORDER BY id DESC LIMIT 1")" \
    "partial 8" "the run is recorded as partial"
t_ok "some data was committed" test "$(sqlite3 "$TMP/d.db" 'SELECT count(*) FROM charges')" -gt 0
run "$BIN" backfill --profile "$TMP/plat.yaml" --sink "sqlite:$TMP/d.db" --since $START
t_is "$RC" 0 "the re-run completes"
"$BIN" backfill --profile "$TMP/plat.yaml" --sink "sqlite:$TMP/clean.db" --since $START -q
db_dump "$TMP/clean.db" >"$TMP/clean.dump"
db_dump "$TMP/d.db" >"$TMP/d.dump"
t_ok "the result equals a clean run" cmp -s "$TMP/clean.dump" "$TMP/d.dump"

# --- signals -------------------------------------------------------------
for sig in TERM INT; do
    rm -f "$TMP"/s.db*
    "$BIN" backfill --profile "$TMP/plat.yaml" --sink "sqlite:$TMP/s.db" --since $START \
        --concurrency 1 -q 2>"$TMP/sig.err" &
    pid=$!
    wait_lock $pid "$TMP/s.db.plat.lock"
    sleep 1   # let it work a while: the moment of the signal, not a synchronisation
    t0=$(date +%s%N)
    kill -$sig $pid
    wait $pid
    rc=$?
    elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    t_is "$rc" 8 "SIG$sig mid-backfill exits 8"
    t_ok "within 5 s (${elapsed_ms} ms)" test "$elapsed_ms" -lt 5000
    t_match "$(cat "$TMP/sig.err")" "stopped early \(signal\)" "SIG$sig: says why"
    "$BIN" backfill --profile "$TMP/plat.yaml" --sink "sqlite:$TMP/s.db" --since $START -q
    db_dump "$TMP/s.db" >"$TMP/s.dump"
    t_ok "SIG$sig: the result after the re-run equals a clean run" cmp -s "$TMP/clean.dump" "$TMP/s.dump"
done
rm -f "$TMP"/s.db*
"$BIN" backfill --profile "$TMP/plat.yaml" --sink "sqlite:$TMP/s.db" --since $START \
    --concurrency 1 -q 2>/dev/null &
pid=$!
wait_lock $pid "$TMP/s.db.plat.lock"
sleep 0.5
t0=$(date +%s%N)
kill -TERM $pid; kill -TERM $pid
wait $pid
rc=$?
elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
t_is "$rc" 8 "a second signal exits at once with the partial code"
t_ok "immediately (${elapsed_ms} ms)" test "$elapsed_ms" -lt 1000
t_is "$(sqlite3 "$TMP/s.db" 'PRAGMA integrity_check')" ok "without corrupting the database"
"$BIN" backfill --profile "$TMP/plat.yaml" --sink "sqlite:$TMP/s.db" --since $START -q
db_dump "$TMP/s.db" >"$TMP/s.dump"
t_ok "and the re-run equals a clean run" cmp -s "$TMP/clean.dump" "$TMP/s.dump"

# --- progress ------------------------------------------------------------
rm -f "$TMP"/p.db*
script -qfec "'$BIN' backfill --profile '$TMP/plat.yaml' --sink 'sqlite:$TMP/p.db' --since $START --concurrency 1" \
    "$TMP/typescript" >/dev/null 2>&1
tty_out=$(tr '\r' '\n' <"$TMP/typescript")
t_match "$tty_out" 'charges +[0-9]+ stored +[0-9]+ requests +[0-9]+ objects/s' \
    "on a terminal: objects stored, requests and objects/s per stream"
t_match "$tty_out" '[0-9]+%  ETA [0-9]+m[0-9]{2}s' "and the share done with an ETA"
rm -f "$TMP"/p.db*
"$BIN" backfill --profile "$TMP/plat.yaml" --sink "sqlite:$TMP/p.db" --since $START \
    --concurrency 1 2>"$TMP/stderr.txt"
t_nomatch "$(cat "$TMP/stderr.txt")" 'objects/s|ETA' "stderr to a file: no progress output"
t_is "$(wc -l <"$TMP/stderr.txt")" 1 "only the summary line"

# --- the summary ---------------------------------------------------------
dctl POST /_double/mutate '{"count":50,"seed":3,"kinds":["capture","refund_full","dispute","new_charge"],"step":1}' >/dev/null
dctl POST /_double/clock '{"advance":30}' >/dev/null
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB" --summary-json "$TMP/summary.json"
t_is "$RC" 0 "sync with --summary-json"
t_match "$ERR" '^stripe-reader: sync: charges [0-9]+.*; [0-9]+ requests, [0-9]+ retries, [0-9]+ 429s, [0-9.]+ s; ok$' \
    "one summary line on stderr: counts, requests, retries, 429s, duration, status"
t_ok "the summary validates against docs/summary.schema.json" \
    "$PYTHON" "$TOP/tests/cli/json_schema_check.py" "$TOP/docs/summary.schema.json" "$TMP/summary.json"
t_is "$(jq -c '[.streams.charges.listed, .streams.events.listed]' "$TMP/summary.json")" \
    "$(sqlite3 "$DB" "SELECT '[' || (SELECT count(*) FROM charges WHERE extracted_at = (SELECT max(extracted_at) FROM charges) AND source = 'list') || ',' || (SELECT count(*) FROM events WHERE extracted_at = (SELECT max(extracted_at) FROM events)) || ']'")" \
    "its counts match what the sink stored in this run"
t_is "$(jq -r '.streams.events.checkpoint.hwm' "$TMP/summary.json")" \
    "$(sqlite3 "$DB" "SELECT json_extract(json, '$.streams.events.hwm') FROM state")" \
    "it reports the checkpoint reached"
t_ok "and the lag between the newest stored event and now" \
    sh -c "jq -e '.lag_seconds >= 0 and .newest_event_created > 0' '$TMP/summary.json' >/dev/null"
t_is "$(sqlite3 "$DB" 'SELECT summary FROM runs ORDER BY id DESC LIMIT 1' | jq -S -c 'del(.ended_at, .duration_ms)')" \
    "$(jq -S -c 'del(.ended_at, .duration_ms)' "$TMP/summary.json")" "the run history holds the same record"
"$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB" -q --summary-json - >"$TMP/s2.json"
t_ok "--summary-json - writes to stdout" \
    "$PYTHON" "$TOP/tests/cli/json_schema_check.py" "$TOP/docs/summary.schema.json" "$TMP/s2.json"
run "$BIN" state show --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_match "$OUT" 'last successful run: [0-9T:-]+Z \([0-9]+ s ago\)' "state show: the last successful run"
t_match "$OUT" 'events +stored up to .*; newest object [0-9]+ s old' "state show: the lag per stream"

# --- every exit code of the table --------------------------------------
STRIPE_READER_TEST_INTERNAL_ERROR=1 run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 1 "exit 1: internal error (test hook)"
t_done
