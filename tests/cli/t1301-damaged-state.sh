#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 13: a damaged state in an NDJSON manifest or --state file (found
# by fuzzing).  A state entry without its checkpoint crashed 'state show'
# (exit 139) and made a sync silently read everything again; now both say
# the state is damaged (exit 3), and 'state reset' repairs it.  A manifest
# that does not parse is refused without a leak (the sanitizer run of the
# suite checks the exit code), and numbers out of range are refused.
. "$(dirname "$0")/lib.sh"

# no request is expected: the state is read before the adapter opens
export SR_URL=http://127.0.0.1:1
profile_for p
ST=$TMP/state.json
NOCP='{"format":1,"sequence":0,"files":[],"commits":[],"states":{"p":{}}}'

# refused JSON DESC REGEX REGEX_DESC: 'state show' of a --state file
# holding JSON exits 3 (DESC), with a message matching REGEX (REGEX_DESC)
refused() {
    echo "$1" >"$ST"
    run "$BIN" state show --sink ndjson:- --state "$ST"
    t_is "$RC" 3 "$2"
    t_match "$ERR" "$3" "$4"
}

refused "$NOCP" \
    "state show on a state without checkpoint exits 3 (was a crash)" \
    "'$ST': the state of 'p' is damaged \(no checkpoint\)" \
    "and says the state is damaged, naming the file and the profile"
t_match "$ERR" "state reset" "and how to repair it"

run "$BIN" sync --profile "$TMP/p.yaml" --sink ndjson:- --state "$ST"
t_is "$RC" 3 "a sync on it exits 3 instead of reading everything again"
t_match "$ERR" "the state of 'p' is damaged" "with the same message"
t_is "$(cat "$ST")" "$NOCP" "and leaves the file as it was"

mkdir -p "$TMP/nd"
echo "$NOCP" >"$TMP/nd/manifest.json"
run "$BIN" state show --sink "ndjson:$TMP/nd"
t_is "$RC" 3 "the same in an NDJSON folder's manifest"
t_match "$ERR" "manifest.json': the state of 'p' is damaged" "names the manifest"

run "$BIN" state reset --profile "$TMP/p.yaml" --sink ndjson:- --state "$ST" --yes
t_is "$RC" 0 "state reset forgets the damaged state"
run "$BIN" state show --sink ndjson:- --state "$ST"
t_is "$RC" 0 "then state show works"
t_match "$OUT" "^no checkpoints in 'ndjson:-'" "and finds nothing"

refused '{"format":1,"sequence":0,"files":[],"commits":[],"states":{"p":{"updated_at":1e999,"checkpoint":{}}}}' \
    "an updated_at of 1e999 is refused" \
    "'updated_at' is not a time" "and named"

refused '{"format":1,"sequence":0,"files":[],"commits":[],"states":{"p":{"updated_at":5,"checkpoint":{"format":1,"account":"","mode":"test","streams":{"charges":{"hwm":9223372036854774784}}}}}}' \
    "a checkpoint mark beyond 2^53 is refused" \
    "'streams.charges.hwm': expected an integer" "and named"

refused '{"format":1,"sequence":9223372036854774784,"files":[],"commits":[],"states":{}}' \
    "a sequence beyond 2^53 is refused" \
    "'sequence': expected an integer" "and named"

refused '{"format":1,"sequence":0,"files":[' \
    "a manifest cut short exits 3 (and frees what it read)" \
    "is not valid JSON" "says why"

t_done
