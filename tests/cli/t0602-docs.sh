#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 6, packaging and docs: the man page renders without a warning and
# documents every command, every option of every --help and every exit
# code; 'make install' installs the binary and the man page; the
# deployment examples of docs/examples/ parse (YAML, systemd units, the
# crontab) and, moved into a temporary folder, really run against the
# Stripe API double with a test-mode profile named like theirs.
. "$(dirname "$0")/lib.sh"

MAN=$TOP/docs/stripe-reader.1
EX=$TOP/docs/examples
HELPER=$TOP/tests/cli/t0602-helper.py
COMMANDS="sync backfill check curl state profiles streams accounts merge"

# --- the man page renders cleanly ---------------------------------------
if command -v man >/dev/null 2>&1; then
    run man --warnings -l "$MAN"
    t_is "$RC:$ERR" "0:" "man --warnings -l docs/stripe-reader.1: no warning"
    (cd "$TOP" && MANWIDTH=80 man --warnings ./docs/stripe-reader.1 >/dev/null 2>"$TMP/man80.err")
    t_is "$?:$(cat "$TMP/man80.err")" "0:" "MANWIDTH=80 man --warnings ./docs/stripe-reader.1: no warning"
    # wide and in ASCII, so that no option is broken across lines
    page=$(LC_ALL=C MANWIDTH=250 man -l "$MAN" 2>&1)
else
    page=""
    t_skip "the man page" "man-db is not installed (scripts/install-deps --test installs it)"
fi

# section TITLE: the text of one .SH section of the rendered page
section() {
    printf '%s\n' "$page" | awk -v t="$1" '
        /^[A-Z]/ { on = ($0 == t) ; next }
        on { print }'
}
# subsection NAME: the text of one .SS of COMMANDS
subsection() {
    section COMMANDS | awk -v t="   $1" '
        /^   [^ ]/ { on = ($0 == t); next }
        on { print }'
}
# has TEXT OPTION: OPTION occurs in TEXT as a whole word
has() {
    printf '%s\n' "$1" | grep -qE -- "(^|[^A-Za-z0-9-])$2([^A-Za-z0-9-]|\$)"
}
flat() { tr -s ' \t\n' ' '; }

if [ -n "$page" ]; then
    global=$(section "GLOBAL OPTIONS")
    t_match "$(section SYNOPSIS)" "stripe-reader \[-v\|-q\] command" "SYNOPSIS"
    for cmd in $COMMANDS; do
        sub=$(subsection "$cmd")
        t_ok "COMMANDS has a subsection '$cmd'" test -n "$sub"
        t_match "$(section SYNOPSIS)" "stripe-reader $cmd" "SYNOPSIS shows '$cmd'"
        "$BIN" "$cmd" --help >"$TMP/help.txt" 2>&1
        # every --long option the help names (the option table and the text),
        # and every -x of the option table
        opts=$( (grep -oE -- '--[a-z][a-z0-9-]*' "$TMP/help.txt";
                 grep -oE -- '^ +-[a-zA-Z],' "$TMP/help.txt" | tr -d ' ,') | sort -u)
        missing=""
        for o in $opts; do
            if ! has "$sub" "$o" && ! has "$global" "$o"; then
                missing="$missing $o"
            fi
        done
        t_is "$missing" "" "every option of '$cmd --help' ($(echo $opts | wc -w)) is in the man page under '$cmd' or GLOBAL OPTIONS"
    done
    "$BIN" --help >"$TMP/help.txt"
    missing=""
    for o in $(grep -oE -- '--[a-z][a-z0-9-]*' "$TMP/help.txt" | sort -u); do
        has "$global" "$o" || missing="$missing $o"
    done
    t_is "$missing" "" "the options of 'stripe-reader --help' are in GLOBAL OPTIONS"

    # every exit code, with the meaning --help gives it
    exits=$(section "EXIT STATUS" | flat)
    n=0
    missing=""
    while read -r code meaning; do
        n=$((n + 1))
        case "$exits" in
        *" $code $meaning "*) ;;
        *) missing="$missing $code" ;;
        esac
    done < <(sed -n '/^Exit codes:/,$p' "$TMP/help.txt" | grep -E '^  [0-9] ')
    t_is "$n" 10 "--help lists exit codes 0 to 9"
    t_is "$missing" "" "EXIT STATUS has each code with the meaning --help gives"

    env_text=$(section ENVIRONMENT)
    missing=""
    for v in STRIPE_READER_PROFILE STRIPE_READER_PROFILE_PATH STRIPE_READER_CONFIG_DIR \
             XDG_CONFIG_HOME XDG_STATE_HOME STRIPE_READER_STATE_DIR \
             STRIPE_READER_TEST_INTERNAL_ERROR STRIPE_READER_TEST_CRASH_AFTER_TOKEN_STORE; do
        has "$env_text" "$v" || missing="$missing $v"
    done
    t_is "$missing" "" "ENVIRONMENT names every variable"
    t_is "$(printf '%s\n' "$env_text" | grep -c 'Test only')" 2 "the two test hooks are marked test-only"

    # every profile key of docs/profiles.md's tables, in PROFILES
    prof=$(section PROFILES)
    missing=""
    keys=$(grep -oE '^\| `[a-zA-Z.]+` \|' "$TOP/docs/profiles.md" | grep -oE '[a-zA-Z.]+' |
           grep -vE '^(apiVersion|kind|metadata\.name|spec)$' | sort -u)
    for k in $keys; do
        has "$prof" "$(printf '%s' "$k" | sed 's/\./\\./g')" || missing="$missing $k"
    done
    t_is "$missing" "" "PROFILES has every key of docs/profiles.md ($(echo $keys | wc -w))"
    t_match "$(section SINKS | flat)" "sqlite:PATH .* ndjson:DIR .* manifest\.json .* ndjson:- " \
        "SINKS: SQLite, NDJSON with its manifest, ndjson:-"
    for s in NAME SYNOPSIS DESCRIPTION "INCREMENTAL MODEL" FILES EXAMPLES "SEE ALSO"; do
        t_ok "section $s" test -n "$(section "$s")"
    done
fi

# --- make install ----------------------------------------------------------
build=$(basename "$(dirname "$BIN")")
case "$build" in build|build-san) ;; *) build=build ;; esac
# -o: install the binary under test as it is, never rebuild it here
run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    make -C "$TOP" --no-print-directory BUILD="$build" -o "$build/stripe-reader" \
    install DESTDIR="$TMP/inst" PREFIX=/usr
t_is "$RC" 0 "make install DESTDIR=\$TMP/inst PREFIX=/usr"
t_ok "it installs the binary" test -x "$TMP/inst/usr/bin/stripe-reader"
t_ok "and the man page" cmp -s "$MAN" "$TMP/inst/usr/share/man/man1/stripe-reader.1"
t_is "$("$TMP/inst/usr/bin/stripe-reader" --version)" "$("$BIN" --version)" "the installed binary runs"
if command -v man >/dev/null 2>&1; then
    run env MANPATH="$TMP/inst/usr/share/man" man --warnings -w stripe-reader
    t_is "$OUT" "$TMP/inst/usr/share/man/man1/stripe-reader.1" "'man stripe-reader' finds it under \$MANDIR/man1"
fi

# --- the deployment examples -----------------------------------------------
if "$PYTHON" -c 'import yaml' 2>/dev/null; then
    YPY=$PYTHON
elif /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
    YPY=/usr/bin/python3
else
    YPY=""
fi
helper() { "$PYTHON" "$HELPER" "$@"; }

# a small account with a few fresh events (so that lag_seconds is small)
double_start --seed 7 --charges 40 --payouts 6 --quiet
dctl POST /_double/mutate '{"count":5,"seed":1,"kinds":["capture","new_charge"],"step":1}' >/dev/null
dctl POST /_double/clock '{"advance":30}' >/dev/null   # past the settle margin

# root DIR: a folder standing for '/', holding the test-mode profile 'prod'
# (the key from STRIPE_API_KEY, like docs/examples/prod.yaml; the double's
# URL from SR_URL) and its env file
make_root() {
    local r=$1
    mkdir -p "$r/etc/stripe-reader/profiles" "$r/var/lib/stripe-reader" "$r/data" "$r/home"
    profile_for prod
    sed 's/SR_KEY/STRIPE_API_KEY/' "$TMP/prod.yaml" >"$r/etc/stripe-reader/profiles/prod.yaml"
    echo "STRIPE_API_KEY=${2:-$SR_KEY}" >"$r/etc/stripe-reader/prod.env"
    chmod 600 "$r/etc/stripe-reader/prod.env"
}
# relocate ROOT: the examples' absolute paths moved under ROOT
relocate() {
    sed -E -e "s#/usr/local/bin/stripe-reader#$BIN#g" \
        -e "s#/etc/stripe-reader#$1/etc/stripe-reader#g" \
        -e "s#/var/lib/stripe-reader#$1/var/lib/stripe-reader#g" \
        -e "s#(^|[:= \"])/data(/|\$|\")#\1$1/data\2#g"
}
summary_ok() {
    "$PYTHON" "$TOP/tests/cli/json_schema_check.py" "$TOP/docs/summary.schema.json" "$1"
}
charges_in() { sqlite3 "$1" 'SELECT count(*) FROM charges' 2>/dev/null; }
want_charges=$(dctl GET '/_double/truth?account=acct_1DoublePlatform00&mode=test' |
               jq '.charges | length')

# the profile of the examples is valid (a live key, never sent anywhere)
run env STRIPE_API_KEY=rk_live_0000000000000000000000000000 "$BIN" profiles show "$EX/prod.yaml"
t_is "$RC" 0 "docs/examples/prod.yaml is a valid profile"

# --- crontab
R=$TMP/cron
make_root "$R"
helper cron "$EX/crontab" env >"$TMP/cron.env"
t_is "$?" 0 "the crontab parses (variables; no unescaped %)"
helper cron "$EX/crontab" jobs >"$TMP/cron.jobs"
t_is "$(wc -l <"$TMP/cron.jobs")" 2 "two jobs: the sync and the freshness alarm"
sync_job=$(grep -- ' sync ' "$TMP/cron.jobs" | head -1)
fresh_job=$(grep -v -- ' sync ' "$TMP/cron.jobs" | head -1)
sched=${sync_job%%$'\t'*}
every=$(printf '%s' "$sched" | sed -nE 's#^\*/([0-9]+) \* \* \* \*$#\1#p')
maxd=$(printf '%s' "$sync_job" | grep -oE -- '--max-duration [^ ]+' | cut -d' ' -f2)
t_ok "the sync job's --max-duration ($maxd) is shorter than its interval ($every min)" \
    test "$(helper seconds "$maxd")" -lt "$((every * 60))"
t_nomatch "$sync_job" 'flock' "it relies on the built-in lock, not flock(1)"
mapfile -t cenv < <(relocate "$R" <"$TMP/cron.env")
cron_run() { # COMMAND: as cron would, in a bare environment
    env -i HOME="$R/home" LOGNAME=stripe-reader SR_URL="$SR_URL" "${cenv[@]}" \
        /bin/sh -c "$(printf '%s' "$1" | relocate "$R")"
}
run cron_run "${sync_job#*$'\t'}"
t_is "$RC:$OUT$ERR" "0:" "the crontab's sync line runs against the double: exit 0, no output"
t_is "$(charges_in "$R/var/lib/stripe-reader/stripe.db")" "$want_charges" "and stores the account's charges"
t_ok "and writes a summary that validates" summary_ok "$R/var/lib/stripe-reader/prod.last-run.json"
run cron_run "${fresh_job#*$'\t'}"
t_is "$RC:$OUT$ERR" "0:" "the freshness line is quiet after a fresh run"
jq '.ended_at -= 7200' "$R/var/lib/stripe-reader/prod.last-run.json" >"$TMP/old.json" &&
    cp "$TMP/old.json" "$R/var/lib/stripe-reader/prod.last-run.json"
run cron_run "${fresh_job#*$'\t'}"
t_match "$OUT" "profile prod is stale" "and speaks up when no run finished for 2 h"
# the lock held (an flock, as a run takes it): exit 7, which the line keeps quiet
"$PYTHON" -c 'import fcntl, sys, time
f = open(sys.argv[1], "a")
fcntl.flock(f, fcntl.LOCK_EX)
time.sleep(30)' "$R/var/lib/stripe-reader/stripe.db.prod.lock" &
holder=$!
for _ in $(seq 1 200); do
    flock -n "$R/var/lib/stripe-reader/stripe.db.prod.lock" true 2>/dev/null || break
    sleep 0.02
done
run env -i SR_URL="$SR_URL" STRIPE_API_KEY="$SR_KEY" "${cenv[@]}" \
    "$BIN" sync -q --profile prod --sink "sqlite:$R/var/lib/stripe-reader/stripe.db"
t_is "$RC" 7 "with the lock held, the sync exits 7"
run cron_run "${sync_job#*$'\t'}"
t_is "$RC:$OUT$ERR" "0:" "and the crontab line keeps quiet about it"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
echo "STRIPE_API_KEY=sk_test_not_a_valid_key" >"$R/etc/stripe-reader/prod.env"
run cron_run "${sync_job#*$'\t'}"
t_match "$OUT" "^stripe-reader: error: " "a refused key: the line prints the error (cron mails it)"
t_match "$OUT" "prod: exit status 4\$" "and the exit status, 4"

# --- systemd service and timer
SVC=$EX/stripe-reader-sync.service
TIMER=$EX/stripe-reader-sync.timer
R=$TMP/systemd
make_root "$R"
unitval() { helper unit "$1" "$2" "$3"; }
t_is "$(unitval "$SVC" Service Type)" oneshot "service: Type=oneshot"
t_is "$(unitval "$SVC" Service KillSignal)" SIGTERM "service: KillSignal=SIGTERM"
t_match "$(unitval "$SVC" Service EnvironmentFile)" '^/etc/stripe-reader/' "service: the key from EnvironmentFile="
t_is "$(unitval "$SVC" Service SuccessExitStatus)" "7 8" "service: SuccessExitStatus=7 8 (the documented choice)"
exec_start=$(unitval "$SVC" Service ExecStart)
maxd=$(printf '%s' "$exec_start" | grep -oE -- '--max-duration [^ ]+' | cut -d' ' -f2)
t_ok "service: TimeoutStartSec ($(unitval "$SVC" Service TimeoutStartSec)) is above --max-duration ($maxd)" \
    test "$(helper seconds "$(unitval "$SVC" Service TimeoutStartSec)")" -gt "$(helper seconds "$maxd")"
for k in NoNewPrivileges ProtectSystem ProtectHome PrivateTmp CapabilityBoundingSet; do
    t_ok "service: hardening $k=" grep -q "^$k=" "$SVC"
done
t_is "$(unitval "$TIMER" Timer Unit)" "$(basename "$SVC")" "timer: starts the service"
cal=$(unitval "$TIMER" Timer OnCalendar)
if command -v systemd-analyze >/dev/null 2>&1; then
    mapfile -t ticks < <(systemd-analyze calendar --iterations=3 "$cal" 2>/dev/null |
        sed -nE 's/.*(Next elapse|Iter\. #[0-9]+): (.*)$/\2/p')
    interval=$(( $(date -d "${ticks[2]}" +%s) - $(date -d "${ticks[1]}" +%s) ))
else
    interval=$(( $(printf '%s' "$cal" | sed -nE 's#^\*:0?0/([0-9]+)$#\1#p') * 60 ))
fi
delay=$(unitval "$TIMER" Timer RandomizedDelaySec)
t_ok "timer: --max-duration ($maxd) plus RandomizedDelaySec (${delay:-0}) is shorter than OnCalendar's interval (${interval}s)" \
    test "$(( $(helper seconds "$maxd") + $(helper seconds "${delay:-0}") ))" -lt "$interval"
if command -v systemd-analyze >/dev/null 2>&1; then
    mkdir -p "$TMP/units"
    relocate "$R" <"$SVC" >"$TMP/units/$(basename "$SVC")"
    cp "$TIMER" "$TMP/units/"
    run env MANPATH="$TMP/inst/usr/share/man" systemd-analyze verify \
        "$TMP/units/$(basename "$SVC")" "$TMP/units/$(basename "$TIMER")"
    t_is "$RC:$OUT$ERR" "0:" "systemd-analyze verify: the service and the timer"
else
    t_skip "systemd-analyze verify" "systemd is not installed (the units were parsed as INI above)"
fi
# ExecStart=, with Environment= and EnvironmentFile= applied, in a bare environment
mapfile -d '' -t argv < <(helper argv "$(printf '%s' "$exec_start" | relocate "$R")")
mapfile -t senv < <(unitval "$SVC" Service Environment | relocate "$R")
envfile=$(unitval "$SVC" Service EnvironmentFile | relocate "$R")
mapfile -t fenv < <(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$envfile")
workdir=$(unitval "$SVC" Service WorkingDirectory | relocate "$R")
run sh -c 'cd "$1" && shift && exec "$@"' _ "$workdir" \
    env -i PATH=/usr/bin:/bin SR_URL="$SR_URL" "${senv[@]}" "${fenv[@]}" "${argv[@]}"
t_is "$RC" 0 "the service's ExecStart= runs against the double: exit 0"
t_match "$ERR" '^stripe-reader: sync: charges [0-9]+.*; ok$' "the journal gets the one-line summary"
t_is "$(charges_in "$R/var/lib/stripe-reader/stripe.db")" "$want_charges" "and the charges are stored"
t_ok "and the summary validates" summary_ok "$R/var/lib/stripe-reader/prod.last-run.json"

# --- Kubernetes CronJob
K8S=$EX/kubernetes-cronjob.yaml
if [ -n "$YPY" ]; then
    kq() { "$YPY" "$HELPER" k8s "$K8S" "$1"; }
    run kq check
    t_is "$RC:$OUT$ERR" "0:" "the CronJob manifest parses as YAML: Forbid, deadlines, Secret, PVC, mounts"
    t_is "$(kq profile)" "$(cat "$EX/prod.yaml")" "its ConfigMap holds docs/examples/prod.yaml"
    R=$TMP/k8s
    make_root "$R"
    mapfile -d '' -t argv < <(kq argv)
    mapfile -t kenv < <(kq env | relocate "$R" |
        sed -E "s#^(STRIPE_API_KEY)=@secret:.*#\1=$SR_KEY#")
    t_match "$(kq env)" '^STRIPE_API_KEY=@secret:' "the key comes from a Secret"
    mounts=$(kq mounts)
    t_match "$mounts" $'^/data\tpersistentVolumeClaim' "the data is on the PersistentVolumeClaim"
    for i in "${!argv[@]}"; do
        argv[$i]=$(printf '%s' "${argv[$i]}" | relocate "$R")
    done
    run env -i SR_URL="$SR_URL" "${kenv[@]}" "${argv[@]}"
    t_is "$RC" 0 "the CronJob's command and args run against the double: exit 0"
    t_ok "its log lines are JSON" sh -c 'printf "%s\n" "$1" | jq -e . >/dev/null' _ "$ERR"
    t_is "$(charges_in "$R/data/stripe.db")" "$want_charges" "the charges are stored on the volume"
    t_ok "the summary on the volume validates" summary_ok "$R/data/prod.last-run.json"
    t_is "$(find "$R" -newer "$R/etc/stripe-reader/prod.env" -type f | grep -v "^$R/data/" | wc -l)" 0 \
        "nothing is written outside the volume (readOnlyRootFilesystem)"
else
    t_skip "the CronJob manifest parses as YAML" "PyYAML is missing (Debian: python3-yaml)"
fi

# --- the README points at files that exist
missing=""
for f in $(grep -oE 'docs/examples/[A-Za-z0-9_.@-]+' "$TOP/README.md" | sort -u); do
    [ -e "$TOP/$f" ] || missing="$missing $f"
done
t_is "$missing" "" "every docs/examples/ file the README names exists"
t_ok "the README mentions the man page" grep -q 'man \./docs/stripe-reader\.1' "$TOP/README.md"
t_done
