#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 5: `stripe-reader streams --schema`, and scripts/load-postgres
# against a real PostgreSQL server started here (Debian's packages, a unix
# socket in $TMP, no TCP): sync into NDJSON, load, compare the tables with
# the double's truth; mutate, sync, load again (only the new files); a
# third load loads nothing.  Also: refused files, a failure mid-file (no
# half-loaded file), a recreated output folder, bad options.
. "$(dirname "$0")/lib.sh"

LOADER=$TOP/scripts/load-postgres
HELPER=$TOP/tests/cli/t0502-helper.py

# ---------------------------------------------------------------- schemas
run "$BIN" streams --schema bigquery
t_is "$RC" 0 "streams --schema bigquery succeeds"
t_ok "one JSON document, an envelope schema per stream" jq -e '
    (keys == ["application_fees", "balance_transactions", "charges",
              "checkout_sessions", "credit_notes", "customers", "disputes",
              "events", "invoice_line_items", "invoices", "payment_intents",
              "payouts", "prices", "products", "refunds", "subscription_items",
              "subscriptions", "transfers"]) and
    (.invoices[-2:] == [{name: "deleted", type: "BOOLEAN", mode: "NULLABLE",
                         description: "true: the object was deleted (kept, marked); else absent or false"},
                        {name: "deleted_at", type: "INTEGER", mode: "NULLABLE",
                         description: "when it was deleted (unix s), NULL unless deleted"}]) and
    (.charges[0] == {name: "stream", type: "STRING", mode: "REQUIRED",
                     description: "the stream, as `stripe-reader streams` names it"})
    and (.charges | map(.name) | index("amount")) != null
    and (.payouts[-3] | .name == "object" and .type == "JSON")
    and ([.[][] | .type] - ["STRING", "INTEGER", "BOOLEAN", "JSON"] == [])' \
    <<<"$OUT"
run "$BIN" streams --schema bigquery --stream events
t_ok "--stream: the bare array of one stream" \
    jq -e 'type == "array" and (map(.name) | index("pending_webhooks")) != null' \
    <<<"$OUT"
run "$BIN" streams --schema mysql
t_is "$RC" 2 "an unknown format is a usage error"
t_match "$ERR" "unknown schema format 'mysql' \(formats: bigquery, postgres\)" \
    "the error names the formats"
run "$BIN" streams --schema postgres --stream chargs
t_is "$RC" 2 "an unknown stream is a usage error"
t_match "$ERR" "did you mean 'charges'" "with a hint"
run "$BIN" streams --stream charges
t_is "$RC" 2 "--stream without --schema is a usage error"
run "$BIN" streams
t_match "$OUT" "^charges  /v1/charges  \(charge objects; listed by created; updated by events carrying a charge; re-read after charge\.dispute\.\* events carrying a dispute" \
    "without --schema: the listing"

# ------------------------------------------------------------- PostgreSQL
# The server binaries: initdb on PATH (e.g. a link in /usr/local/bin), else
# Debian's /usr/lib/postgresql/<version>/bin.
PGBIN=""
for d in "$(dirname "$(readlink -f "$(command -v initdb || echo /none)")")" \
    $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then
        PGBIN=$d
        break
    fi
done
if [ -z "$PGBIN" ]; then
    t_skip "PostgreSQL loader" "no initdb (scripts/install-deps --test)"
    t_done
    exit
fi
if [ -x "$PGBIN/psql" ]; then
    PSQL=$PGBIN/psql
else
    PSQL=$(command -v psql)
fi
export PSQL

# initdb and postgres refuse to run as root: run them as 'nobody' then.
PGROOT=$TMP/pg
if [ "$(id -u)" = 0 ]; then
    as_pg() { runuser -u nobody -- "$@"; }
    chmod 711 "$TMP"
else
    as_pg() { "$@"; }
fi
mkdir -p "$PGROOT"
[ "$(id -u)" = 0 ] && chown nobody "$PGROOT"
# the socket path must fit sun_path, and the server's user must reach it
if [ ${#PGROOT} -gt 80 ] || ! as_pg test -w "$PGROOT"; then
    PGROOT=$(mktemp -d /tmp/sr-pg.XXXXXX)
    [ "$(id -u)" = 0 ] && chown nobody "$PGROOT"
fi
pg_stop() {
    if [ -f "$PGROOT/data/postmaster.pid" ]; then
        as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -m immediate -w -t 30 stop \
            >/dev/null 2>&1
    fi
    case "$PGROOT" in "$TMP"/*) ;; *) rm -rf "$PGROOT" ;; esac
}
trap 'pg_stop; t_cleanup' EXIT
pg_fail() { # pg_fail LOG: show it and stop
    sed 's/^/# /' "$1" | tail -20
    t_done
    exit 1
}
(cd "$PGROOT" && as_pg "$PGBIN/initdb" -D "$PGROOT/data" -U sr \
    --auth=trust -E UTF8 --locale=C -N) >"$TMP/initdb.log" 2>&1
rc=$?
t_is "$rc" 0 "initdb (as an unprivileged user)"
[ "$rc" = 0 ] || pg_fail "$TMP/initdb.log"
cat >>"$PGROOT/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$PGROOT'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 32MB
max_connections = 20
EOF
(cd "$PGROOT" && as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" \
    -l "$PGROOT/server.log" -w -t 60 start) >"$TMP/pg_ctl.log" 2>&1
rc=$?
t_is "$rc" 0 "the server starts on a unix socket"
[ "$rc" = 0 ] || pg_fail "$PGROOT/server.log"
unset PGPORT PGSERVICE PGSERVICEFILE PGPASSFILE PGPASSWORD PGOPTIONS \
    PGSSLMODE PGHOSTADDR PGCONNECT_TIMEOUT
export PGHOST=$PGROOT PGUSER=sr PGDATABASE=postgres
"$PGBIN/pg_isready" -q -t 30 || pg_fail "$PGROOT/server.log"
"$PSQL" -Xq -c "CREATE DATABASE stripe" >/dev/null
export PGDATABASE=stripe
q() { "$PSQL" -X -At -v ON_ERROR_STOP=1 -c "$1"; }

ddl_twice() {
    q "CREATE DATABASE ddl_check" >/dev/null &&
        "$BIN" streams --schema postgres |
        "$PSQL" -Xq -v ON_ERROR_STOP=1 -d ddl_check &&
        "$BIN" streams --schema postgres |
        "$PSQL" -Xq -v ON_ERROR_STOP=1 -d ddl_check -c \
            'SET client_min_messages = warning' -f -
}
t_ok "the PostgreSQL DDL runs, twice (idempotent)" ddl_twice

# ------------------------------- every stream, deletes, an older table
# NDJSON written by hand (tests/cli/t0502-helper.py fixture), so this part
# does not depend on the reader: two objects per stream, the second of
# customers, prices, products and invoices deleted by a newer line, and a
# third of those deleted by an event of the same second as an update whose
# event id is the larger (the deletion wins: soak seed 7101).
"$BIN" streams --schema bigquery >"$TMP/bq.json"
FIX=$TMP/fixture
"$PYTHON" "$HELPER" fixture --dir "$FIX" --schema-json "$TMP/bq.json"
nstreams=$(jq 'keys | length' "$TMP/bq.json")
# an older stripe-reader's charges table: no deleted, deleted_at
"$PSQL" -Xq -v ON_ERROR_STOP=1 -c 'CREATE SCHEMA fx' >/dev/null
"$BIN" streams --schema postgres --stream charges |
    grep -v -e '^  deleted' -e '^ALTER TABLE' -e '^COMMENT' |
    "$PSQL" -Xq -v ON_ERROR_STOP=1 -c 'SET search_path = fx' -f - >/dev/null
t_is "$(q "SELECT count(*) FROM pg_attribute WHERE attrelid = 'fx.charges'::regclass AND attname LIKE 'deleted%'")" \
    0 "an older charges table without deleted columns"
run "$LOADER" --manifest "$FIX" --schema fx --stripe-reader "$BIN"
t_is "$RC" 0 "the loader loads a file of every stream"
t_match "$OUT" "load-postgres: $nstreams files loaded" "  ... one per stream"
t_nomatch "$(jq -r 'keys[]' "$TMP/bq.json")" '^prices_inactive$' \
    "the hidden twin has no schema (its lines are prices)"
t_is "$(q "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod) || ' ' || attnotnull, ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'fx.charges'::regclass AND attname LIKE 'deleted%'")" \
    "deleted boolean true, deleted_at bigint false" \
    "the older table gained deleted and deleted_at"
rows_ok() {
    local s bad=0
    for s in $(jq -r 'keys[]' "$TMP/bq.json"); do
        got=$(q "SELECT string_agg(id || ' ' || deleted || ' ' || coalesce(deleted_at::text, '-') || ' ' || (object->>'version'), ', ' ORDER BY id) FROM fx.$s")
        case $s in
        customers | prices | products | invoices)
            want="${s}_1 false - 1700000100, ${s}_2 true 1700000200 1700000200, ${s}_3 true 1700000300 1700000300" ;;
        *) want="${s}_1 false - 1700000100, ${s}_2 false - 1700000100" ;;
        esac
        [ "$got" = "$want" ] || { echo "# $s: got '$got', want '$want'"; bad=1; }
    done
    return $bad
}
t_ok "every stream's table holds its rows; a deleted object's row is kept, marked deleted with deleted_at and its last state" rows_ok
run "$LOADER" --manifest "$FIX" --schema fx
t_match "$OUT" "0 files loaded \(0 records\), $nstreams already loaded" \
    "loading again loads nothing"

# ------------------------------------------------- the loader, end to end
# every stream (issue 14): the billing objects too
two_accounts 20 80 --seed 7 --charges 300 --payouts 40 --billing 8
NDJ=$TMP/out

# sync both accounts into one NDJSON folder (the connected one gzipped)
sync_both() {
    run "$BIN" sync --profile "$TMP/plat.yaml" --sink "ndjson:$NDJ"
    [ "$RC" = 0 ] || { echo "sync plat: $ERR"; return 1; }
    run "$BIN" sync --profile "$TMP/conn.yaml" --sink "ndjson:$NDJ" --gzip
    [ "$RC" = 0 ] || { echo "sync conn: $ERR"; return 1; }
}
compare() { # compare TRUTH_PLATFORM TRUTH_CONNECTED [SCHEMA]
    local now
    now=$(dctl GET /_double/state | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["now"])')
    "$PYTHON" "$HELPER" check --dir "$NDJ" --schema "${3:-public}" \
        --truth "=$1" --truth "$CONNECTED=$2" --streams all \
        --deleted-before $((now - 30 * 86400))
}
manifest_paths() { jq -r '.files[].path' "$1/manifest.json" | sort; }
loaded_paths() { q "SELECT path FROM stripe_reader_loaded" | sort; }

# past Stripe's late listing (the double lists 2 % of new objects and
# events up to 300 s late): what the truth holds, a list shows
dctl POST /_double/clock '{"advance":600}' >/dev/null
t_ok "first sync into ndjson:$NDJ (both accounts)" sync_both
manifest_paths "$NDJ" >"$TMP/files1"
run "$LOADER" --manifest "$NDJ" --stripe-reader "$BIN"
t_is "$RC" 0 "first load succeeds"
t_match "$OUT" "load-postgres: $(wc -l <"$TMP/files1" | tr -d ' ') files loaded \([0-9]+ records\), 0 already loaded" \
    "it loads every file of the manifest"
truth_to "$TMP/tp1.json" $PLATFORM
truth_to "$TMP/tc1.json" $CONNECTED
t_ok "the tables of every stream equal the truth and hold the newest line of each key" \
    compare "$TMP/tp1.json" "$TMP/tc1.json"
t_is "$(q 'SELECT count(*) FROM charges')" \
    "$(jq -s '.[0].charges + .[1].charges | length' "$TMP/tp1.json" "$TMP/tc1.json")" \
    "every charge of both accounts"
t_is "$(loaded_paths)" "$(cat "$TMP/files1")" \
    "stripe_reader_loaded lists every file of the manifest"
t_is "$(q "SELECT count(*) FROM stripe_reader_loaded l WHERE records <= 0 OR sha256 !~ '^[0-9a-f]{64}$'")" \
    0 "with its sha256 and record count"
t_is "$(q "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'payouts'::regclass AND attnum > 0")" \
    "$("$BIN" streams --schema bigquery --stream payouts | jq -r 'map(.name) | .[1:] | join(",")')" \
    "the tables were created from stripe-reader's schema"
t_is "$(q "SELECT object->'metadata'->>'big_number' FROM charges WHERE object->'metadata'->>'double_case' = 'big_integers' AND account = ''")" \
    123456789012345678901234567890 "the big-integer charge is intact"
t_is "$(q "SELECT count(*) FROM charges WHERE (object->>'application_fee_amount')::numeric = 9007199254740993")" \
    1 "an integer beyond 2^53 keeps every digit"

# mutate, sync, load again: only the new files
more_changes 60 20
# and billing changes on the platform: deletes, cancels, removed items, lines
dctl POST /_double/mutate '{"count":40,"seed":12,"step":1,"kinds":["customer_update","customer_delete","product_update","price_archive","subscription_cancel","subscription_item_add","subscription_item_remove","invoice_add_lines","invoice_void","credit_note_create","new_customer","new_invoice"]}' >/dev/null
dctl POST /_double/clock '{"advance":600}' >/dev/null
t_ok "second sync after mutations" sync_both
manifest_paths "$NDJ" >"$TMP/files2"
comm -13 "$TMP/files1" "$TMP/files2" >"$TMP/new"
t_ok "the second sync added files" test -s "$TMP/new"

run "$LOADER" --manifest "$NDJ" --dry-run
t_is "$RC" 0 "--dry-run succeeds"
t_is "$(printf '%s\n' "$OUT" | sed -n 's/^would load \([^ ]*\) .*/\1/p' | sort)" \
    "$(cat "$TMP/new")" "--dry-run lists exactly the new files"
t_is "$(loaded_paths)" "$(cat "$TMP/files1")" "--dry-run loads nothing"

run "$LOADER" --manifest "$NDJ" --stripe-reader "$BIN"
t_is "$RC" 0 "second load succeeds"
t_is "$(printf '%s\n' "$OUT" | sed -n 's/^loaded \([^ ]*\) (.*/\1/p' | sort)" \
    "$(cat "$TMP/new")" "it loads exactly the new files"
t_is "$(loaded_paths)" "$(cat "$TMP/files2")" \
    "the bookkeeping table now lists every file"
truth_to "$TMP/tp2.json" $PLATFORM
truth_to "$TMP/tc2.json" $CONNECTED
t_ok "after the second load the tables of every stream equal the new truth" \
    compare "$TMP/tp2.json" "$TMP/tc2.json"
t_ok "disputes reached the charges" \
    test "$(q 'SELECT count(*) FROM charges WHERE disputed')" -gt 0

# a third run loads nothing; files the manifest does not name are ignored
mkdir -p "$NDJ/charges"
echo '{"half a line' >"$NDJ/charges/999999999999-000.ndjson"
before=$(q "SELECT md5(string_agg(to_jsonb(c)::text, '' ORDER BY account, id)) FROM charges c")
run "$LOADER" --manifest "$NDJ"
t_is "$RC" 0 "third load succeeds (no stripe-reader needed: tables exist)"
t_match "$OUT" "load-postgres: 0 files loaded \(0 records\), $(wc -l <"$TMP/files2" | tr -d ' ') already loaded" \
    "the third load loads nothing"
t_is "$(q "SELECT md5(string_agg(to_jsonb(c)::text, '' ORDER BY account, id)) FROM charges c")" \
    "$before" "and changes no row"

# two loaders at once into a new schema: each file is loaded once
"$LOADER" --manifest "$NDJ" --schema par --stripe-reader "$BIN" \
    >"$TMP/par1" 2>&1 &
p1=$!
"$LOADER" --manifest "$NDJ" --schema par --stripe-reader "$BIN" \
    >"$TMP/par2" 2>&1 &
p2=$!
wait $p1
r1=$?
wait $p2
t_is "$r1 $?" "0 0" "two loaders running at once both succeed"
t_is "$(cat "$TMP/par1" "$TMP/par2" | grep -c '^loaded ')" \
    "$(wc -l <"$TMP/files2" | tr -d ' ')" "between them they load each file once"
t_ok "and the result is the same" \
    compare "$TMP/tp2.json" "$TMP/tc2.json" par

# ------------------------------------- several folders (issue 15: shards)
# Each account into a folder of its own (as the shards of `sync --shard`
# write), with the same file names in both: one schema holds both.
SH0=$TMP/shard-0
SH1=$TMP/shard-1
sync_split() {
    run "$BIN" sync --profile "$TMP/plat.yaml" --sink "ndjson:$SH0"
    [ "$RC" = 0 ] || { echo "sync plat: $ERR"; return 1; }
    run "$BIN" sync --profile "$TMP/conn.yaml" --sink "ndjson:$SH1"
    [ "$RC" = 0 ] || { echo "sync conn: $ERR"; return 1; }
}
compare_split() { # compare_split SCHEMA
    "$PYTHON" "$HELPER" check --dir "$SH0" --dir "$SH1" --schema "$1" \
        --truth "=$TMP/tp2.json" --truth "$CONNECTED=$TMP/tc2.json" \
        --streams all --deleted-before $(($(dctl GET /_double/state |
            jq .now) - 30 * 86400))
}
schema_md5() { # every row of every table of schema $1 but the bookkeeping
    local t out=""
    for t in $(q "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = '$1' AND relkind = 'r' AND relname <> 'stripe_reader_loaded' ORDER BY 1"); do
        out="$out $t:$(q "SELECT md5(coalesce(string_agg(to_jsonb(x)::text, '' ORDER BY x.account, x.livemode, x.id), '')) FROM $1.$t x")"
    done
    echo "$out"
}
t_ok "each account synced into a folder of its own" sync_split
n0=$(jq '.files | length' "$SH0/manifest.json")
n1=$(jq '.files | length' "$SH1/manifest.json")
t_ok "the two folders share file names (by path they would collide)" \
    test -n "$(comm -12 <(manifest_paths "$SH0") <(manifest_paths "$SH1"))"
run "$LOADER" --manifest "$SH0" --manifest "$SH1" --schema shards \
    --stripe-reader "$BIN"
t_is "$RC" 0 "two folders load into one schema"
t_match "$OUT" "load-postgres: $((n0 + n1)) files loaded \([0-9]+ records\), 0 already loaded" \
    "every file of both folders is loaded"
t_match "$OUT" "^loaded $SH1/charges/[^ ]+ \([0-9]+ records\)" \
    "with several folders a file is named DIR/PATH"
t_ok "the tables equal the truth of both accounts and the newest line of each key" \
    compare_split shards
t_is "$(q "SELECT count(DISTINCT folder) || ' ' || count(*) FROM shards.stripe_reader_loaded")" \
    "2 $((n0 + n1))" "the bookkeeping holds each file under its folder"
t_is "$(q "SELECT count(*) FROM shards.stripe_reader_loaded WHERE folder = '$(jq -r '.files[0].sha256' "$SH1/manifest.json")'")" \
    "$n1" "a folder is known by the sha256 of its first file"
before=$(schema_md5 shards)
run "$LOADER" --manifest "$SH0" --manifest "$SH1" --schema shards
t_is "$RC" 0 "loading both again succeeds"
t_match "$OUT" "load-postgres: 0 files loaded \(0 records\), $((n0 + n1)) already loaded" \
    "and loads nothing"
t_is "$(schema_md5 shards)" "$before" "no row changed"
cp -r "$SH1" "$TMP/copy-of-shard-1"
run "$LOADER" --manifest "$TMP/copy-of-shard-1" --schema shards
t_match "$RC $OUT" "^0 load-postgres: 0 files loaded \(0 records\), $n1 already loaded" \
    "a folder copied to another path loads nothing twice"
t_is "$(q "SELECT count(*) FROM shards.stripe_reader_loaded")" "$((n0 + n1))" \
    "and adds no bookkeeping row"
t_is "$(schema_md5 shards)" "$before" "no row changed"

# an earlier loader's bookkeeping (keyed by path): shard 0 loaded by it,
# then both folders by this one
run "$LOADER" --manifest "$SH0" --schema legacy --stripe-reader "$BIN" -q
t_is "$RC" 0 "shard 0 loaded into schema legacy"
q "ALTER TABLE legacy.stripe_reader_loaded DROP COLUMN folder; ALTER TABLE legacy.stripe_reader_loaded ADD PRIMARY KEY (path)" >/dev/null
run "$LOADER" --manifest "$SH0" --manifest "$SH1" --schema legacy
t_is "$RC" 0 "the loader takes over an earlier loader's bookkeeping table"
t_match "$OUT" "load-postgres: $n1 files loaded \([0-9]+ records\), $n0 already loaded" \
    "its files count as loaded; the other folder's files of the same names load"
t_is "$(q "SELECT string_agg(a.attname, ',' ORDER BY a.attname) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'legacy.stripe_reader_loaded'::regclass AND i.indisprimary")" \
    "folder,path" "the table is keyed by (folder, path) now"
t_ok "the tables equal the truth of both accounts" compare_split legacy

# ---------------------------------------------------------- refusals
# a copy of the output with a modified manifest: edit_manifest DIR JQ
edit_manifest() {
    jq -c "$2" "$1/manifest.json" >"$1/manifest.tmp" &&
        mv "$1/manifest.tmp" "$1/manifest.json"
}
first=$(jq -r ".files[0].path" "$NDJ/manifest.json")   # the first the loader loads
plain=$(grep -m1 '^charges/.*\.ndjson$' "$TMP/files1")
cp -r "$NDJ" "$TMP/bad"
printf 'X' | dd of="$TMP/bad/$first" bs=1 seek=20 conv=notrunc 2>/dev/null
run "$LOADER" --manifest "$TMP/bad" --schema bad1 --stripe-reader "$BIN"
t_is "$RC" 4 "a file whose sha256 does not match is refused (exit 4)"
t_match "$ERR" "^load-postgres: error: $first: sha256 [0-9a-f]+ does not match the manifest's" \
    "the error names the file"
t_is "$(q 'SELECT count(*) FROM bad1.stripe_reader_loaded')" 0 \
    "nothing was loaded from it or after it"

# a file of the folder (the same first file: the same folder) rewritten
# after it was loaded
second=$(jq -r ".files[1].path" "$NDJ/manifest.json")
cp -r "$NDJ" "$TMP/bad2"
printf 'X' | dd of="$TMP/bad2/$second" bs=1 seek=20 conv=notrunc 2>/dev/null
sum=$(sha256sum "$TMP/bad2/$second" | cut -d' ' -f1)
edit_manifest "$TMP/bad2" "(.files[] | select(.path == \"$second\") | .sha256) = \"$sum\""
run "$LOADER" --manifest "$TMP/bad2"
t_is "$RC" 6 "a file of the folder loaded before with another sha256 stops the loader (exit 6)"
t_match "$ERR" "^load-postgres: error: $second: loaded before with sha256 [0-9a-f]{64}, the manifest now says $sum \(were the folder's files rewritten" \
    "and says so"

# a failure in the middle of a file: nothing of the file is loaded
mkdir -p "$TMP/mid/charges"
cp "$NDJ/$plain" "$TMP/mid/$plain"
lines=$(wc -l <"$TMP/mid/$plain")
sed -i "$((lines / 2))s/.*/{\"stream\":\"charges\",\"broken/" "$TMP/mid/$plain"
sum=$(sha256sum "$TMP/mid/$plain" | cut -d' ' -f1)
size=$(wc -c <"$TMP/mid/$plain")
jq -c --arg p "$plain" --arg s "$sum" --argjson b "$size" \
    '.files |= map(select(.path == $p) | .sha256 = $s | .bytes = $b)' \
    "$NDJ/manifest.json" >"$TMP/mid/manifest.json"
run "$LOADER" --manifest "$TMP/mid" --schema mid --stripe-reader "$BIN"
t_is "$RC" 5 "invalid JSON in the middle of a file: a PostgreSQL error (exit 5)"
t_match "$ERR" "$plain: PostgreSQL: .*invalid input syntax for type json" \
    "the error names the file and the cause"
t_is "$(q 'SELECT count(*) FROM mid.charges') $(q 'SELECT count(*) FROM mid.stripe_reader_loaded')" \
    "0 0" "no row of the file and no bookkeeping row: nothing half-loaded"

cp "$NDJ/$plain" "$TMP/mid/$plain"
sed -i '3s/.*/{"id":"ch_raw","object":"charge"}/' "$TMP/mid/$plain"
sum=$(sha256sum "$TMP/mid/$plain" | cut -d' ' -f1)
size=$(wc -c <"$TMP/mid/$plain")
edit_manifest "$TMP/mid" ".files[0].sha256 = \"$sum\" | .files[0].bytes = $size"
run "$LOADER" --manifest "$TMP/mid" --schema mid
t_is "$RC" 4 "a line that is not an envelope line is refused (exit 4)"
t_match "$ERR" "^load-postgres: error: $plain: line 3: not an envelope line of stream charges; nothing of it was loaded" \
    "naming the file and the line"
t_is "$(q 'SELECT count(*) FROM mid.charges')" 0 "and nothing of it is loaded"

edit_manifest "$TMP/mid" '.files[0].format = "raw"'
run "$LOADER" --manifest "$TMP/mid" --schema mid
t_is "$RC" 4 "raw-format files are refused (exit 4)"
t_match "$ERR" "only envelope lines can be loaded" "with the reason"

run "$LOADER" --manifest "$TMP/nowhere"
t_is "$RC" 3 "no manifest: exit 3"
t_match "$ERR" "no manifest '$TMP/nowhere/manifest.json'" "naming the path"
echo '{"format": 1, "files": [{"path": "../x", "stream": "charges"}]}' \
    >"$TMP/mid/manifest.json"
run "$LOADER" --manifest "$TMP/mid" --schema mid
t_is "$RC" 3 "an invalid manifest: exit 3"
PGHOST=$TMP/no-server run "$LOADER" --manifest "$NDJ"
t_is "$RC" 5 "no server: exit 5"
t_match "$ERR" "^load-postgres: error: .*(connect|No such file)" "with psql's reason"
run "$LOADER" --manifest "$NDJ" --bogus
t_is "$RC" 2 "an unknown option: exit 2"
run "$LOADER" --help
t_is "$RC" 0 "--help"
t_match "$OUT" "Exit codes:" "--help documents the exit codes"
t_done
