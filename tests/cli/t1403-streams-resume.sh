#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 14: every stream survives kill -9 (a backfill killed again and
# again, then run to the end, equals the truth), and a window whose
# resume cursor names an object deleted since (Stripe refuses the cursor:
# 400 resource_missing) resumes from its created bounds instead of
# failing on every run.
. "$(dirname "$0")/lib.sh"

END=1767225600
double_start --seed 143 --charges 600 --payouts 40 --billing 45 --accounts 1 \
    --start $((END - 60 * 86400)) --end $END --frozen-clock --smooth \
    --latency-ms 80 --quiet
profile_for plat
now() { dctl GET /_double/state | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["now"])'; }
GONE=$(($(now) - 30 * 86400))

RANDOM=1403
hits=0
for i in $(seq 1 12); do
    "$BIN" backfill --profile "$TMP/plat.yaml" --since 2025-01-01 \
        --sink "sqlite:$TMP/k.db" --concurrency 2 --commit-interval 50ms -q \
        >/dev/null 2>&1 &
    pid=$!
    sleep "0.$(printf '%03d' $((RANDOM % 300 + 30)))"   # the crash moment
    kill -9 "$pid" 2>/dev/null && hits=$((hits + 1))
    wait "$pid" 2>/dev/null
done
run "$BIN" backfill --profile "$TMP/plat.yaml" --since 2025-01-01 --sink "sqlite:$TMP/k.db"
t_is "$RC" 0 "a backfill of every stream killed $hits times, then run to the end"
t_ok "at least 8 kills hit a running backfill ($hits)" test "$hits" -ge 8
truth_to "$TMP/t.json" $PLATFORM
COMPARE_OPTS="--deleted-before $GONE" t_ok "equals the truth, every stream" \
    compare_db "$TMP/k.db" "$TMP/t.json" "" all

# a run stops between two pages of customers (one request at a time; the
# second page is slow and the run's deadline comes first); the customer its
# cursor names is deleted
DB=$TMP/c.db
dctl POST /_double/limits '{"latency_ms":0}' >/dev/null
dctl POST /_double/faults '{"faults":[{"kind":"slow","path":"/v1/customers","nth":2,"delay_ms":20000}]}' >/dev/null
run "$BIN" backfill --profile "$TMP/plat.yaml" --since 2025-01-01 --sink "sqlite:$DB" \
    --max-duration 6s --concurrency 1
dctl DELETE /_double/faults >/dev/null
t_is "$RC" 8 "a backfill stopped by its deadline while paging customers"
cursor=$(sqlite3 "$DB" "SELECT json FROM state" | "$PYTHON" -c '
import json, sys
for line in sys.stdin:
    st = json.loads(line)
    for set_ in [st["streams"]] + list(st.get("backfills", {}).values()):
        for w in set_.get("customers", {}).get("windows", []):
            if w.get("after"):
                print(w["after"])')
t_match "$cursor" "^cus_" "its checkpoint resumes customers after $cursor"
dctl POST /_double/mutate "{\"ops\":[{\"op\":\"customer_delete\",\"id\":\"$cursor\"}],\"step\":1}" >/dev/null
run "$BIN" backfill --profile "$TMP/plat.yaml" --since 2025-01-01 --sink "sqlite:$DB" -v
t_is "$RC" 0 "the next run completes"
t_match "$ERR" "stream 'customers': cursor '$cursor' is gone; the window resumes from its created bound" \
    "after Stripe refused the deleted cursor"
# the backfill's range ended before the delete: the sync it seeds reads it
dctl POST /_double/clock '{"advance":30}' >/dev/null
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
t_is "$RC" 0 "a sync after it"
t_is "$(sqlite3 "$DB" "SELECT deleted FROM customers WHERE id = '$cursor'")" 1 \
    "marks the customer deleted"
truth_to "$TMP/t2.json" $PLATFORM
COMPARE_OPTS="--deleted-before $GONE" t_ok "and equals the truth" \
    compare_db "$DB" "$TMP/t2.json" "" all
t_done
