#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 13 §2: scripts/cpu-profile, which `make bench` uses to say where
# the CPU of a run goes, puts each perf sample in the layer of the first
# frame from main that enters one (sink, parse, http; else other).  Fed
# `perf script -F ip,sym` text made by hand, so that no perf is needed.
. "$(dirname "$0")/lib.sh"

CP=$TOP/scripts/cpu-profile
# five samples, leaf first as perf prints them; the second is JSON
# scanning below the NDJSON sink: the sink's, not the parser's
cat >"$TMP/script.txt" <<'EOF'

	ffffffff8167d04a copy_folio_from_iter_atomic
	    7f0000001234 sqlite3BtreeInsert
	    550000001234 sqlite_write
	    550000001200 apply_write
	    550000001100 engine_run
	    550000001000 main

	    550000002234 jscan_skip
	    550000002200 ndjson_write
	    550000001100 engine_run
	    550000001000 main

	    550000003234 jscan_minify_members
	    550000003200 page_parse_list
	    550000003100 apply_parse_page
	    550000001100 engine_run
	    550000001000 main

	ffffffff81000000 __sys_recvfrom
	    7f0000004234 curl_multi_perform
	    550000004200 adapter_next
	    550000001100 engine_run

	    7f0000005234 malloc
	    550000001100 engine_run
	    550000001000 main
EOF
run "$PYTHON" "$CP" --script "$TMP/script.txt" --json "$TMP/out.json"
t_is "$RC" 0 "cpu-profile --script reads perf script's text"
t_is "$OUT" "5 samples: sink 40.0 %, parse 20.0 %, http 20.0 %, other 20.0 %" \
    "each sample in the layer of the first frame from main that enters one"
t_is "$(jq -c '[.samples, .layers.sink, .layers.parse, .layers.http, .layers.other, .exit]' "$TMP/out.json")" \
    "[5,2,1,1,1,0]" "the same as JSON"
run "$PYTHON" "$CP" --script - <"$TMP/script.txt"
t_match "$OUT" "^5 samples" "from standard input"

# without perf: exit 3 and the package to install
mkdir "$TMP/bin"
# the interpreter itself (a pyenv shim on PATH needs bash and more)
ln -s "$("$PYTHON" -c 'import sys; print(sys.executable)')" "$TMP/bin/python3"
RC=0
PATH="$TMP/bin" "$TMP/bin/python3" "$CP" -- true 2>"$TMP/noperf.err" || RC=$?
t_is "$RC" 3 "no perf: exit 3"
t_match "$(cat "$TMP/noperf.err")" "cannot run perf.*linux-perf" \
    "  ... naming the package"
run "$PYTHON" "$CP"
t_is "$RC" 2 "no command: a usage error"
t_done
