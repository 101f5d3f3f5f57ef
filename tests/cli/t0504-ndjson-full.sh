#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 5: a full disk during a commit.  The NDJSON folder lives on a small
# tmpfs that is filled up: the run fails with a clear I/O error and exit 9,
# the manifest still describes only complete files, and the next run after
# space returns completes correctly.
. "$(dirname "$0")/lib.sh"

small_disk 96m "full disk during a commit"

double_history 10 --seed 31 --charges 800 --payouts 100
profile_for plat
ND=$DISK/out

run "$BIN" sync --profile "$TMP/plat.yaml" --sink "ndjson:$ND"
t_is "$RC" 0 "a first sync fits"
cp "$ND/manifest.json" "$TMP/manifest.before"

# much more data arrives; the disk is nearly full
dctl POST /_double/mutate '{"count":4000,"seed":2,"kinds":["new_charge","capture","update"],"step":1}' >/dev/null
dctl POST /_double/clock '{"advance":30}' >/dev/null
dd if=/dev/zero of="$DISK/filler" bs=64k 2>/dev/null
rm -f "$DISK/filler"
dd if=/dev/zero of="$DISK/filler" bs=1k count=$(( $(df -k --output=avail "$DISK" | tail -1) - 300 )) 2>/dev/null

run "$BIN" sync --profile "$TMP/plat.yaml" --sink "ndjson:$ND"
t_is "$RC" 9 "the run fails with the I/O exit code"
t_match "$ERR" "No space left on device" "the message says the disk is full"
t_match "$ERR" "cannot (write|create|sync|replace|rename)[^:]* '$ND/" "and names the file"
t_ok "the manifest still describes only complete files" nd_check "$ND"
t_ok "the manifest was not replaced by the failed run" \
    cmp -s "$ND/manifest.json" "$TMP/manifest.before"

rm -f "$DISK/filler"
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "ndjson:$ND"
t_is "$RC" 0 "after space returns, the next run completes"
# past the double's late visibility (events listed up to 5 minutes late)
dctl POST /_double/clock '{"advance":400}' >/dev/null
run "$BIN" sync --profile "$TMP/plat.yaml" --sink "ndjson:$ND"
t_is "$RC" 0 "a sync after the late events became visible"
truth_to "$TMP/t.json" $PLATFORM
t_ok "no leftover, no duplicate, and the newest versions equal the truth" \
    nd_check "$ND" --no-leftovers --truth "$TMP/t.json"
t_done
