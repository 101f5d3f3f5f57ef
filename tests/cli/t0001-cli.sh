#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The binary's skeleton: --version, --help, the command table, usage errors.
. "$(dirname "$0")/lib.sh"

run "$BIN" --version
t_is "$RC" 0 "--version exits 0"
t_match "$OUT" '^stripe-reader [0-9]+\.[0-9]+\.[0-9]+$' "--version prints the version"

run "$BIN" --help
t_is "$RC" 0 "--help exits 0"
for cmd in sync backfill check curl state profiles streams; do
    t_match "$OUT" "^  $cmd " "--help lists '$cmd'"
done
t_match "$OUT" '^  7   another run holds the lock' "--help documents exit codes"

run "$BIN"
t_is "$RC" 2 "no command: usage error"
t_match "$ERR" '^usage: stripe-reader' "no command prints the usage to stderr"

run "$BIN" synk
t_is "$RC" 2 "unknown command exits 2"
t_is "$ERR" "stripe-reader: error: unknown command 'synk' (did you mean 'sync'?)
hint: run 'stripe-reader --help' for usage" "unknown command: one error line and a hint"

run "$BIN" sync --bogus
t_is "$RC" 2 "unknown option exits 2"
t_is "$(printf '%s' "$ERR" | head -1)" "stripe-reader: error: unknown option '--bogus'" \
    "unknown option named"
t_match "$ERR" "hint: run 'stripe-reader sync --help' for usage" "hint names the command"

run "$BIN" -v --log-format=json sync --bogus
t_is "$RC" 2 "global options before the command are accepted"
t_match "$ERR" '^\{"time":"[0-9T:-]+Z","level":"error","msg":"unknown option' \
    "--log-format json makes errors JSON lines"

for cmd in sync backfill check curl state profiles streams; do
    run "$BIN" "$cmd" --help
    t_is "$RC" 0 "'$cmd --help' exits 0"
    t_match "$OUT" "^usage: stripe-reader $cmd" "'$cmd --help' prints its usage"
done

run "$BIN" help sync
t_is "$RC" 0 "'help sync' exits 0"
t_match "$OUT" '^usage: stripe-reader sync' "'help sync' shows the sync help"

t_done
