#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 14: restricted keys.  A sync that names no streams reads the
# streams the key can read and names each of the others once in a
# warning; named streams (--streams, or the profile's 'streams:') that
# the key cannot read are an authentication error (exit 4).
. "$(dirname "$0")/lib.sh"

END=1767225600
double_start --seed 142 --charges 200 --payouts 20 --billing 5 \
    --start $((END - 20 * 86400)) --end $END --frozen-clock --smooth --quiet
# charges read, events read, everything else none (tests/double/README.md)
SR_KEY=rk_test_double_nopayouts profile_for rk
export SR_KEY=rk_test_double_nopayouts
run "$BIN" sync --profile "$TMP/rk.yaml" --sink "sqlite:$TMP/a.db" \
    --summary-json "$TMP/a.sum"
t_is "$RC" 0 "a sync naming no streams succeeds with a restricted key"
t_match "$ERR" "; skipped, the key may not read them: payouts, balance_transactions, disputes, customers, payment_intents, invoices, subscriptions, products, prices, transfers, application_fees, checkout_sessions, credit_notes; ok" \
    "the run summary names the streams it skipped"
t_is "$(jq -c .skipped_streams "$TMP/a.sum")" \
    '["payouts","balance_transactions","disputes","customers","payment_intents","invoices","subscriptions","products","prices","transfers","application_fees","checkout_sessions","credit_notes"]' \
    "and so does --summary-json"
t_is "$(grep -c "stream 'payouts' skipped" <<<"$ERR")" 1 "it names a stream it cannot read once"
t_match "$ERR" "stream 'payouts' skipped: .*rak_payout_read" "with the permission it lacks"
t_match "$ERR" "stream 'invoices' skipped: .*rak_invoice_read" "for every such stream"
t_nomatch "$ERR" "stream '(charges|refunds|events)' skipped" "and not the streams it can read"
t_match "$ERR" "stream 'subscriptions \(its status=canceled list\)' skipped" \
    "a hidden list is named by its stream and its list"
t_nomatch "$ERR" "subscriptions_canceled|prices_inactive" "  ... never by its internal name"
t_nomatch "$ERR$OUT" "rk_test_double_nopayouts" "never printing the key"
truth_to "$TMP/t.json" $PLATFORM
t_ok "what it can read equals the truth" compare_db "$TMP/a.db" "$TMP/t.json" "" charges,events,refunds
t_is "$(sqlite3 "$TMP/a.db" "SELECT count(*) FROM payouts WHERE source != 'event'")" 0 \
    "nothing of the others but the copies the events it reads carry"
run "$BIN" sync --profile "$TMP/rk.yaml" --sink "sqlite:$TMP/a.db"
t_is "$RC" 0 "the next sync too"

run "$BIN" sync --profile "$TMP/rk.yaml" --sink "sqlite:$TMP/b.db" --streams charges,payouts
t_is "$RC" 4 "--streams naming a stream the key cannot read: exit 4"
t_match "$ERR" "rak_payout_read" "saying which permission"

# with_streams NAME LIST: the profile NAME naming its streams
with_streams() {
    profile_for "$1"
    sed -i "s/^  mode: test$/  mode: test\n  streams: $2/" "$TMP/$1.yaml"
}
with_streams named charges,refunds
run "$BIN" sync --profile "$TMP/named.yaml" --sink "sqlite:$TMP/c.db"
t_is "$RC" 0 "the profile's streams: read as named"
t_is "$(sqlite3 "$TMP/c.db" "SELECT count(*) > 0 FROM charges")" 1 "charges read"
t_nomatch "$ERR" "skipped" "nothing to skip"
with_streams named2 charges,payouts
run "$BIN" sync --profile "$TMP/named2.yaml" --sink "sqlite:$TMP/d.db"
t_is "$RC" 4 "the profile naming a stream the key cannot read: exit 4"
with_streams bad charges,invoces
run "$BIN" sync --profile "$TMP/bad.yaml" --sink "sqlite:$TMP/e.db"
t_is "$RC" 3 "an unknown stream in the profile: exit 3"
t_match "$ERR" "bad.yaml:[0-9]+.*invalid streams 'charges,invoces' in 'spec.streams' \\(unknown stream 'invoces' \\(did you mean 'invoices'\\?\\)\\)" \
    "naming the file, the line, the key and the stream"
t_done
