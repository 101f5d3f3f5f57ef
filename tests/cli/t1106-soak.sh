#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issues 11 and 14: the short soak.  A fixed seed drives random actions
# against the double (changes of every stream, deletes, sub-lists past their
# embedded page, late inserts, lags, faults, clock jumps, deadlines,
# kill -9, SIGTERM, a long gap and --rescan) on two accounts into SQLite and
# NDJSON, and checks the sinks after every step, equality with the truth of
# every stream at every settle step (tests/soak/soak.py).  One TAP line per step; a failure
# prints the 'make soak SEED=... STEPS=...' that replays it and keeps its
# folder.  The long run is 'make soak'.
. "$(dirname "$0")/lib.sh"

"$PYTHON" "$TOP/tests/soak/soak.py" --tap --seed "${SOAK_SEED:-747}" \
    --steps "${SOAK_STEPS:-50}" --sink both --bin "$BIN"
