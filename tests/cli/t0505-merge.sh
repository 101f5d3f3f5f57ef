#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 15, past one machine: `stripe-reader merge` puts SQLite shards
# into one database.  Two accounts synced into two files (as two shards
# would be) merge into the union of both truths; merging again changes
# nothing; after changes, syncing the shards and merging again brings the
# output up to date.  A broken, foreign, truncated or missing input is
# refused with exit 3 naming it, and the output is left as it was (or
# absent); bad command lines exit 2.
. "$(dirname "$0")/lib.sh"

two_accounts 20 60 --seed 5 --charges 200 --payouts 30
A=$TMP/shard-0.db
B=$TMP/shard-1.db
ALL=$TMP/all.db

sync_shards() {
    run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$A"
    [ "$RC" = 0 ] || { echo "# sync plat: $ERR"; return 1; }
    run "$BIN" sync --profile "$TMP/conn.yaml" --sink "sqlite:$B"
    [ "$RC" = 0 ] || { echo "# sync conn: $ERR"; return 1; }
}
# every row of every stream table (no per-run metadata), sorted
dump() {
    local t
    for t in $("$BIN" streams --schema bigquery | jq -r 'keys[]'); do
        sqlite3 "$1" "SELECT '$t', account, livemode, id, version, source,
            coalesce(source_event_id, ''), deleted, raw FROM $t"
    done | sort
}
rows() { dump "$1" | wc -l | tr -d ' '; }
both_truths() {
    truths
    compare_db "$ALL" "$TMP/tp.json" "" &&
        compare_db "$ALL" "$TMP/tc.json" $CONNECTED
}

dctl POST /_double/clock '{"advance":600}' >/dev/null
t_ok "each account synced into a file of its own" sync_shards
na=$(rows "$A")
nb=$(rows "$B")
run "$BIN" merge --into "sqlite:$ALL" "sqlite:$A" "sqlite:$B"
t_is "$RC" 0 "merge succeeds"
t_is "$OUT" "merged 2 databases into $ALL: $((na + nb)) rows read, $((na + nb)) rows new or newer" \
    "it reports the rows read and written"
t_is "$ERR" "" "nothing on stderr"
t_ok "the merged file equals the truth of both accounts" both_truths
t_is "$(dump "$ALL")" "$( (dump "$A"; dump "$B") | sort)" \
    "every stream's rows are the union of the shards' rows"
t_is "$(sqlite3 "$ALL" 'SELECT (SELECT count(*) FROM state) || " " || (SELECT count(*) FROM runs)')" \
    "0 0" "the output holds no checkpoints and no run history"
t_is "$(sqlite3 "$ALL" 'PRAGMA user_version')" \
    "$(sqlite3 "$A" 'PRAGMA user_version')" "with the sink's schema version"

before=$(dump "$ALL")
run "$BIN" merge --into "sqlite:$ALL" "$A" "$B"
t_is "$RC $OUT" "0 merged 2 databases into $ALL: $((na + nb)) rows read, 0 rows new or newer" \
    "merging again (plain paths) writes nothing"
t_is "$(dump "$ALL")" "$before" "and changes no row"
run "$BIN" merge -q --into "sqlite:$ALL" "$B" "$A"
t_is "$RC $OUT" "0 " "-q: no output; the order of the inputs does not matter"
t_is "$(dump "$ALL")" "$before" "no row changed"

# changes in both accounts, the shards synced again, merged again
more_changes 40 20
dctl POST /_double/clock '{"advance":600}' >/dev/null
t_ok "both shards synced after changes" sync_shards
run "$BIN" merge --into "sqlite:$ALL" "sqlite:$A" "sqlite:$B"
t_match "$RC $OUT" "^0 merged 2 databases into $ALL: $(($(rows "$A") + $(rows "$B"))) rows read, [1-9][0-9]* rows new or newer$" \
    "the next merge writes the new and changed rows"
t_ok "the merged file equals the new truth of both accounts" both_truths
t_is "$(dump "$ALL")" "$( (dump "$A"; dump "$B") | sort)" \
    "and the union of the shards"

# ------------------------------------------------------------- refusals
before=$(dump "$ALL")
sum_all() { sha256sum "$ALL" "$ALL-wal" 2>/dev/null | cut -d' ' -f1; }
sqlite3 "$ALL" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
bytes=$(sum_all)
echo "just text, not a database, long enough to have a header......" \
    >"$TMP/not.db"
run "$BIN" merge --into "sqlite:$ALL" "sqlite:$A" "sqlite:$TMP/not.db"
t_is "$RC" 3 "an input that is not SQLite: exit 3"
t_is "$ERR" "stripe-reader: error: cannot read '$TMP/not.db': file is not a database" \
    "the error names the file"
t_is "$(sum_all)" "$bytes" "the output is not touched (not even the rows of the good input)"

sqlite3 "$TMP/other.db" 'CREATE TABLE t (a); INSERT INTO t VALUES (1)'
run "$BIN" merge --into "sqlite:$ALL" "$TMP/other.db"
t_is "$RC" 3 "an SQLite file of another program: exit 3"
t_is "$ERR" "stripe-reader: error: '$TMP/other.db' is not a stripe-reader database (no schema version or no charges table)" \
    "naming it"
run "$BIN" merge --into "sqlite:$ALL" "$TMP/missing.db"
t_is "$RC" 3 "a missing input: exit 3"
t_is "$ERR" "stripe-reader: error: cannot open '$TMP/missing.db': unable to open database file" \
    "naming it"
t_ok "the missing input was not created" test ! -e "$TMP/missing.db"

# damaged in its second half (the data pages; the schema, written at
# the first open, is in the first ones): found while copying, after rows
# of the good input went into the output's transaction; all rolled back
sqlite3 "$B" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
cp "$B" "$TMP/cut.db"
size=$(stat -c %s "$B")
head -c $((size - size / 2)) /dev/zero | tr '\0' X |
    dd of="$TMP/cut.db" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
t_is "$(sqlite3 "$TMP/cut.db" "PRAGMA user_version; SELECT count(*) > 0 FROM pragma_table_info('charges')" | tr '\n' ' ')" \
    "$(sqlite3 "$A" 'PRAGMA user_version') 1 " \
    "the damaged copy still shows its schema version and tables (it passes the checks)"
run "$BIN" merge --into "sqlite:$ALL" "$A" "$TMP/cut.db"
t_is "$RC" 3 "a damaged input: exit 3"
t_match "$ERR" "^stripe-reader: error: cannot read '$TMP/cut.db': database disk image is malformed" \
    "naming it"
t_is "$(dump "$ALL")" "$before" "the output holds what it held before"
run "$BIN" merge --into "sqlite:$TMP/new.db" "$A" "$TMP/cut.db"
t_is "$RC" 3 "the same into a new output: exit 3"
t_is "$(ls "$TMP" | grep -c '^new\.db')" 0 \
    "and the output it created is removed (no file, no -wal, no -shm)"
run "$BIN" merge --into "sqlite:$TMP/new2.db" "$A" "$TMP/not.db"
t_is "$RC $(ls "$TMP" | grep -c '^new2\.db')" "3 0" \
    "an input refused by the checks: no output is created"

run "$BIN" merge --into "sqlite:$ALL" "$ALL"
t_is "$RC" 2 "the output as an input: exit 2"
t_is "$ERR" "stripe-reader: error: input '$ALL' is the output of the merge
hint: run 'stripe-reader merge --help' for usage" \
    "with the reason"
run "$BIN" merge --into "sqlite:$ALL" "ndjson:$TMP/nd"
t_is "$RC" 2 "an NDJSON folder: exit 2"
t_match "$ERR" "merge takes SQLite databases, not 'ndjson:$TMP/nd' \(an input\); NDJSON folders are loaded together by scripts/load-postgres" \
    "pointing to the loader"
run "$BIN" merge "$A"
t_is "$RC $ERR" "2 stripe-reader: error: merge needs '--into sqlite:PATH'
hint: run 'stripe-reader merge --help' for usage" \
    "no --into: exit 2"
run "$BIN" merge --into "sqlite:$ALL"
t_is "$RC $ERR" "2 stripe-reader: error: merge needs at least one input
hint: run 'stripe-reader merge --help' for usage" \
    "no input: exit 2"
t_is "$(dump "$ALL")" "$before" "after all the refusals the output is unchanged"

# a deletion ties with an update of the same second whose event id is the
# larger (soak seed 7101): the deletion wins, in either order of inputs
cp "$A" "$TMP/alive.db"
cp "$A" "$TMP/dead.db"
cid=$(sqlite3 "$A" "SELECT id FROM charges ORDER BY id LIMIT 1")
sqlite3 "$TMP/alive.db" "UPDATE charges SET version = 1800000000, source = 'event',
    source_event_id = 'evt_9', deleted = 0, deleted_at = NULL WHERE id = '$cid'"
sqlite3 "$TMP/dead.db" "UPDATE charges SET version = 1800000000, source = 'event',
    source_event_id = 'evt_1', deleted = 1, deleted_at = 1800000000 WHERE id = '$cid'"
for order in "alive dead" "dead alive"; do
    set -- $order
    rm -f "$TMP/tie.db"
    run "$BIN" merge -q --into "sqlite:$TMP/tie.db" "$TMP/$1.db" "$TMP/$2.db"
    t_is "$RC $(sqlite3 "$TMP/tie.db" "SELECT deleted, source_event_id FROM charges WHERE id = '$cid'")" \
        "0 1|evt_1" "a deletion wins a tie with a larger event id ($1, then $2)"
done

run "$BIN" merge --help
t_is "$RC" 0 "merge --help"
t_match "$OUT" "usage: stripe-reader merge --into sqlite:ALL.db" "shows the usage"
run "$BIN" --help
t_match "$OUT" "  merge +merge SQLite shards" "the command list names merge"
t_done
