#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A new checkout session is announced by no event (only completed and
# expired ones, reference/stripe-streams.md §3), so its list is the only
# source of it; Stripe has listed new objects minutes after their
# 'created' (reference/stripe-api.md §9).  A session listed 120 s late,
# past two syncs, must still be read: the checkout sessions' passes look
# back as far as the events' (10 minutes), not the 60 s overlap of
# streams whose new objects come with events (soak seed 8304 lost one).
. "$(dirname "$0")/lib.sh"

double_history 5 --seed 86 --charges 20 --payouts 2 --billing 4 --smooth
profile_for plat
DB=$TMP/s.db
sync_db() { run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"; }
stored() { sqlite3 "$DB" "SELECT count(*) FROM checkout_sessions WHERE id = '$1'"; }

sync_db
t_is "$RC" 0 "a first sync"
dctl POST /_double/limits '{"visibility_lag":120}' >/dev/null
dctl POST /_double/mutate '{"kinds":["new_checkout_session"],"count":1,"seed":5,"step":1}' >"$TMP/m.json"
cs=$("$PYTHON" -c 'import json,sys; print([a["id"] for a in json.load(open(sys.argv[1]))["applied"] if a["id"].startswith("cs_")][0])' "$TMP/m.json")
t_match "$cs" "^cs_test_" "a new checkout session, listed 120 s late"

dctl POST /_double/clock '{"advance":10}' >/dev/null
sync_db
t_is "$RC:$(stored "$cs")" "0:0" "a sync 10 s later does not see it yet"
dctl POST /_double/clock '{"advance":90}' >/dev/null
sync_db
t_is "$RC:$(stored "$cs")" "0:0" "nor one 100 s later (its mark passes 60 s beyond it)"
dctl POST /_double/clock '{"advance":100}' >/dev/null
sync_db
t_is "$RC:$(stored "$cs")" "0:1" "the sync 200 s later reads it"
t_done
