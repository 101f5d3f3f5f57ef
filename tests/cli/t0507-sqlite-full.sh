#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A full disk under the SQLite sink: the run fails with exit 9 naming the
# database, and commits nothing after the failure.  SQLite rolls a failed
# COMMIT back; a later, small commit of the state alone fits in the log's
# space again, so a run that went on committing advanced its checkpoint
# over the records the failed commit lost, and the run after it, with
# space back, never read them (found by review; test_engine has the same
# case against a sink in memory).
. "$(dirname "$0")/lib.sh"

small_disk 64m "full disk under SQLite"

double_history 10 --seed 37 --charges 400 --payouts 40
profile_for plat
DB=$DISK/s.db

run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "a first sync fits"

# much more data arrives; the disk is nearly full
dctl POST /_double/mutate '{"count":3000,"seed":3,"kinds":["new_charge","capture","update"],"step":1}' >/dev/null
dctl POST /_double/clock '{"advance":30}' >/dev/null
dd if=/dev/zero of="$DISK/filler" bs=1k count=$(( $(df -k --output=avail "$DISK" | tail -1) - 400 )) 2>/dev/null

run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 9 "the run fails with the I/O exit code"
t_match "$ERR" "database or disk is full" "the message says the disk is full"
t_match "$ERR" "$DB" "and names the database"
t_nomatch "$ERR" "cannot record the run" "and the failed run is recorded"

rm -f "$DISK/filler"
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "after space returns, the next run completes"
# past the double's late visibility (events listed up to 5 minutes late)
dctl POST /_double/clock '{"advance":400}' >/dev/null
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "a sync after the late events became visible"
truth_to "$TMP/t.json" $PLATFORM
t_ok "the database equals the truth: nothing the failed run read is lost" \
    compare_db "$DB" "$TMP/t.json"
t_is "$(sqlite3 "$DB" "SELECT group_concat(status || ':' || exit_code, ' ') FROM runs")" \
    "ok:0 io:9 ok:0 ok:0" "the runs table has every run, the failed one too"
t_done
