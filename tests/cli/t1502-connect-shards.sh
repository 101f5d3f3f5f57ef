#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 15: --shard I/N splits the connected accounts by a stable hash of
# their ids: N shard runs ({shard} in the sink URI) are disjoint and their
# union equals a single run's output, row for row; accounts list agrees;
# kill -9 in the middle of a multi-account run loses and duplicates
# nothing.
. "$(dirname "$0")/lib.sh"

N=9
SHARDS=3
double_history 12 --accounts $N --charges 60 --payouts 4 --seed 16 \
    --latency-ms 15
profile_yaml multi '    apiKey: ${{ SR_KEY }}' "  accounts: all" double \
    '  baseUrl: ${{ SR_URL }}' \
    '  retry: {initialBackoff: 20ms, maxBackoff: 100ms}' \
    '  rateLimit: {globalRps: 1000, endpointRps: 1000, maxInFlight: 32}' \
    >"$TMP/multi.yaml"

# accounts_of DB: the accounts with rows in DB, one per line, sorted
accounts_of() {
    sqlite3 "$1" 'SELECT DISTINCT account FROM charges ORDER BY 1'
}

run "$BIN" sync --profile "$TMP/multi.yaml" --sink "sqlite:$TMP/all.db"
t_is "$RC" 0 "a single run over every account"
for i in $(seq 0 $((SHARDS - 1))); do
    run "$BIN" sync --profile "$TMP/multi.yaml" --shard $i/$SHARDS \
        --sink "sqlite:$TMP/shard-{shard}.db" --summary-json "$TMP/s$i.json"
    t_is "$RC" 0 "shard $i/$SHARDS succeeds"
    t_ok "shard $i wrote its own file ({shard} replaced)" test -f "$TMP/shard-$i.db"
    accounts_of "$TMP/shard-$i.db" >"$TMP/acc$i"
    "$BIN" accounts list --profile "$TMP/multi.yaml" --shard $i/$SHARDS --json |
        "$PYTHON" -c 'import json,sys; print("\n".join(sorted(a["id"] for a in json.load(sys.stdin))))' >"$TMP/list$i"
    t_ok "shard $i read exactly the accounts 'accounts list --shard $i/$SHARDS' names" \
        cmp -s "$TMP/acc$i" "$TMP/list$i"
done
cat "$TMP"/acc[0-9] | sort >"$TMP/union"
t_is "$(sort "$TMP/union" | uniq -d | wc -l)" 0 "the shards are disjoint"
accounts_of "$TMP/all.db" >"$TMP/single"
t_ok "their union is every account ($(wc -l <"$TMP/union") of $N)" cmp -s "$TMP/union" "$TMP/single"
t_ok "no shard is empty" test "$(for i in $(seq 0 $((SHARDS - 1))); do [ -s "$TMP/acc$i" ] && echo x; done | wc -l)" = $SHARDS
for i in $(seq 0 $((SHARDS - 1))); do
    db_dump "$TMP/shard-$i.db"
done | sort >"$TMP/shards.dump"
db_dump "$TMP/all.db" | sort >"$TMP/all.dump"
t_ok "the union of the shards' rows equals the single run's, row for row" \
    cmp -s "$TMP/shards.dump" "$TMP/all.dump"
t_is "$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["accounts"]["shard"])' "$TMP/s1.json")" \
    "1/$SHARDS" "--summary-json names the shard"

# kill -9 during a multi-account run: the re-runs lose and duplicate nothing
KINDS='["capture","refund_partial","refund_full","dispute","update","payout_paid","new_charge"]'
RANDOM=1515
hits=0
for i in $(seq 1 8); do
    "$BIN" sync --profile "$TMP/multi.yaml" --sink "sqlite:$TMP/kill.db" \
        --concurrency 2 --commit-interval 50ms -q >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '0.%03d' $((RANDOM % 400 + 50)))" # the crash's moment
    if kill -9 "$pid" 2>/dev/null; then
        hits=$((hits + 1))
    fi
    wait "$pid" 2>/dev/null
done
run "$BIN" sync --profile "$TMP/multi.yaml" --sink "sqlite:$TMP/kill.db" -q
t_is "$RC" 0 "the run after $hits kills completes"
t_ok "at least 4 kills hit a running multi-account sync ($hits)" test "$hits" -ge 4
t_is "$(sqlite3 "$TMP/kill.db" 'PRAGMA integrity_check')" ok "the database is intact"
db_dump "$TMP/kill.db" | sort >"$TMP/kill.dump"
t_ok "after the kills the database equals the clean single run's, row for row" \
    cmp -s "$TMP/kill.dump" "$TMP/all.dump"
bad=""
for n in $(seq 1 $N); do
    a=$(printf 'acct_1DoubleConn%06d' "$n")
    truth_to "$TMP/t.json" "$a"
    compare_db "$TMP/kill.db" "$TMP/t.json" "$a" >/dev/null 2>&1 || bad="$bad $a"
done
t_is "${bad:-none}" none "and every account equals the double's truth"
t_done
