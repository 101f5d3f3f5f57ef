# SPDX-License-Identifier: MIT
# Shell library for tests that drive the stripe-reader binary (TAP output).
#
#   . "$(dirname "$0")/lib.sh"
#   double_start [double options]   start a Stripe API double on 127.0.0.1
#                                   (OS-chosen port); sets DOUBLE_URL, DOUBLE_PID
#   double_history DAYS [options]   one with DAYS of history, its clock frozen
#   dctl METHOD PATH [JSON]         call the double's control interface
#   small_disk SIZE WHAT            a tmpfs at $DISK (skips WHAT where none mounts)
#   requests_count [PATH_PREFIX]    number of API requests in the double's log
#   run CMD...                      run, capturing $OUT (stdout), $ERR (stderr)
#                                   and $RC (exit code); never fails the script
#   t_ok DESC CMD...                ok if CMD succeeds
#   t_is GOT WANT DESC              ok if GOT = WANT
#   t_match TEXT REGEX DESC         ok if TEXT matches the extended regex
#   t_nomatch TEXT REGEX DESC       ok if it does not
#   t_skip DESC REASON              a skipped test
#   t_done                          print the plan; exit status
#
# $BIN is the binary under test, $TMP a private temp dir (removed at exit),
# $TOP the repository root, $PYTHON the Python interpreter.
set -u
TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${BIN:-$TOP/build/stripe-reader}
PYTHON=${PYTHON:-python3}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sr-test.XXXXXX")
T_N=0
T_FAILED=0
DOUBLE_PIDS=""
export STRIPE_READER_CONFIG_DIR="$TMP/config"   # never read the user's own
export XDG_CONFIG_HOME="$TMP/xdg-config"
export XDG_STATE_HOME="$TMP/xdg-state"
export HOME="$TMP/home"
mkdir -p "$HOME"
unset STRIPE_READER_PROFILE STRIPE_API_KEY

t_cleanup() {
    for p in $DOUBLE_PIDS; do
        kill "$p" 2>/dev/null
    done
    for p in $DOUBLE_PIDS; do
        wait "$p" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap t_cleanup EXIT

# double_start [options]: waits for the "listening on" line (no sleeps).
double_start() {
    local fifo="$TMP/double.$RANDOM.out" line
    mkfifo "$fifo"
    "$PYTHON" "$TOP/tests/double/stripe_double.py" --port 0 "$@" \
        >"$fifo" 2>"$TMP/double.err" &
    DOUBLE_PID=$!
    DOUBLE_PIDS="$DOUBLE_PIDS $DOUBLE_PID"
    exec 9<"$fifo"
    if ! IFS= read -r -t 120 line <&9; then
        echo "# double did not start:"; sed 's/^/# /' "$TMP/double.err"
        exit 1
    fi
    # keep draining its stdout so it never blocks on a full pipe
    cat <&9 >/dev/null &
    exec 9<&-
    rm -f "$fifo"
    DOUBLE_URL="http://${line#listening on }"
    SR_URL=$DOUBLE_URL
    export DOUBLE_URL DOUBLE_PID SR_URL
}

# double_history DAYS [options]: a double (double_start) holding DAYS days
# of history up to END (2026-01-01 00:00 UTC), from START, its clock frozen
# at END; sets END and START.
double_history() {
    END=1767225600
    START=$((END - $1 * 86400))
    shift
    double_start "$@" --start $START --end $END --frozen-clock --quiet
}

# small_disk SIZE WHAT: a tmpfs of SIZE (e.g. 64m) at $DISK, unmounted at
# exit; where none can be mounted (not root), WHAT is skipped and the
# script ends here
small_disk() {
    DISK=$TMP/disk
    mkdir -p "$DISK"
    if ! mount -t tmpfs -o size="$1" tmpfs "$DISK" 2>/dev/null; then
        t_skip "$2" "cannot mount a tmpfs here (needs root)"
        t_done
        exit
    fi
    trap 'umount "$DISK" 2>/dev/null; t_cleanup' EXIT
}

double_stop() {
    kill "$DOUBLE_PID" 2>/dev/null
    wait "$DOUBLE_PID" 2>/dev/null
}

dctl() {
    "$PYTHON" "$TOP/tests/cli/dctl.py" "$DOUBLE_URL" "$@"
}

# number of API requests logged by the double (optionally under a path)
requests_count() {
    dctl GET /_double/requests | "$PYTHON" -c '
import json, sys
prefix = sys.argv[1] if len(sys.argv) > 1 else ""
reqs = json.load(sys.stdin)["requests"]
print(sum(1 for r in reqs if r["path"].startswith(prefix)))' "$@"
}

run() {
    OUT=$("$@" 2>"$TMP/stderr")
    RC=$?
    ERR=$(cat "$TMP/stderr")
    return 0
}

t_report() { # ok? desc
    T_N=$((T_N + 1))
    if [ "$1" = 0 ]; then
        echo "ok $T_N - $2"
    else
        echo "not ok $T_N - $2"
        T_FAILED=$((T_FAILED + 1))
    fi
}

t_ok() {
    local desc=$1
    shift
    "$@" >"$TMP/t_ok.out" 2>&1
    local rc=$?
    t_report $rc "$desc"
    [ $rc = 0 ] || sed 's/^/#   /' "$TMP/t_ok.out" | tail -20
}

# t_result RC DESC FORMAT ARGS...: ok if RC is 0, else not ok with the
# diagnostic printf FORMAT ARGS... (at most 40 lines)
t_result() {
    local rc=$1 desc=$2 format=$3
    shift 3
    t_report "$rc" "$desc"
    if [ "$rc" != 0 ]; then
        printf "$format" "$@" | head -40
    fi
}

t_is() {
    local rc=0
    [ "$1" = "$2" ] || rc=1
    t_result $rc "$3" '#   got:  %s\n#   want: %s\n' "$1" "$2"
}

t_match() {
    local rc=0
    printf '%s' "$1" | grep -qE -- "$2" || rc=1
    t_result $rc "$3" '#   text: %s\n#   regex: %s\n' "$1" "$2"
}

t_nomatch() {
    local rc=0
    printf '%s' "$1" | grep -qE -- "$2" && rc=1
    t_result $rc "$3" '#   text: %s\n#   regex: %s\n' "$1" "$2"
}

t_skip() {
    T_N=$((T_N + 1))
    echo "ok $T_N - $1 # SKIP $2"
}

t_done() {
    echo "1..$T_N"
    [ "$T_FAILED" = 0 ]
}

# profile_yaml NAME AUTH SPEC ADAPTER LINE...: a test-mode profile NAME
# (YAML, on stdout): AUTH the lines of its spec.auth, SPEC more lines of its
# spec ("" for none), ADAPTER the name of its HTTP adapter document, each
# LINE a line of that document's spec.
profile_yaml() {
    printf '%s\n' "apiVersion: stripe-reader/v1" "kind: Profile" \
        "metadata: {name: $1}" "spec:" "  mode: test" "  auth:" "$2"
    if [ -n "$3" ]; then
        printf '%s\n' "$3"
    fi
    printf '%s\n' "  adapter: $4" "---" "apiVersion: stripe-reader/adapters/v1" \
        "kind: HTTP" "metadata: {name: $4}" "spec:"
    shift 4
    printf '%s\n' "$@"
}

# profile_for NAME [ACCOUNT]: write $TMP/NAME.yaml, a test-mode profile for
# the double (key from $SR_KEY, URL from $SR_URL, fast retries, limits from
# $SR_RPS and $SR_ENDPOINT_RPS, then the lines of $PROFILE_EXTRA), holding
# no literal secret.
profile_for() {
    local name=$1 account=${2:-} rps=${SR_RPS:-1000}
    profile_yaml "$name" '    apiKey: ${{ SR_KEY }}' \
        "${account:+  accountId: $account}" double \
        '  baseUrl: ${{ SR_URL }}' \
        '  retry: {initialBackoff: 20ms, maxBackoff: 100ms}' \
        "  rateLimit: {globalRps: $rps, endpointRps: ${SR_ENDPOINT_RPS:-$rps}, maxInFlight: 32}" \
        ${PROFILE_EXTRA:+"$PROFILE_EXTRA"} >"$TMP/$name.yaml"
}
export SR_KEY=sk_test_double_platform
PLATFORM=acct_1DoublePlatform00

# python_with MODULE: the Python that imports MODULE ($PYTHON, else the
# system's python3), printed; false when neither does
python_with() {
    local py
    for py in "$PYTHON" /usr/bin/python3; do
        if "$py" -c "import $1" 2>/dev/null; then
            echo "$py"
            return 0
        fi
    done
    return 1
}
CONNECTED=acct_1DoubleConn000001

# key_profile FILE NAME [SPEC LINES]: a test-mode profile NAME on the double,
# the key from $STRIPE_TEST_KEY, the URL from $DOUBLE_URL, short timeouts
# and fast retries; SPEC LINES are added to the profile's spec.
key_profile() {
    profile_yaml "$2" '    apiKey: ${{ STRIPE_TEST_KEY }}' "${3:-}" double \
        '  baseUrl: ${{ DOUBLE_URL }}' \
        '  timeouts: {connect: 5s, total: 20s}' \
        '  retry: {maxAttempts: 3, initialBackoff: 10ms, maxBackoff: 50ms}' >"$1"
}

# mutate_accounts COUNT SEED STEP: COUNT random changes to each account
# (the platform and the connected one): captures, refunds, disputes,
# updates and payout changes, STEP seconds apart
mutate_accounts() {
    local acct kinds='["capture","refund_partial","refund_full","dispute","update","payout_paid","payout_failed","payout_canceled"]'
    for acct in $PLATFORM $CONNECTED; do
        dctl POST /_double/mutate "{\"count\":$1,\"seed\":$2,\"account\":\"$acct\",\"kinds\":$kinds,\"step\":$3}" >/dev/null
    done
}

# two_accounts DAYS CHANGES [options]: double_history DAYS [options] with
# the platform and a connected account, CHANGES changes to each
# (mutate_accounts), the clock 30 s on; profiles plat and conn
two_accounts() {
    local days=$1 changes=$2
    shift 2
    double_history "$days" --accounts 1 "$@"
    mutate_accounts "$changes" 5 1
    dctl POST /_double/clock '{"advance":30}' >/dev/null
    profile_for plat
    profile_for conn $CONNECTED
}

# more_changes CHANGES NEW: CHANGES more changes to each account
# (mutate_accounts), NEW new charges and payouts, the clock 30 s on
more_changes() {
    mutate_accounts "$1" 9 2
    dctl POST /_double/mutate "{\"count\":$2,\"seed\":11,\"kinds\":[\"new_charge\",\"new_payout\"],\"step\":1}" >/dev/null
    dctl POST /_double/clock '{"advance":30}' >/dev/null
}

# truth_to FILE ACCOUNT: the double's truth for ACCOUNT (test mode)
truth_to() {
    dctl GET "/_double/truth?account=$2&mode=test" >"$1"
}

# truths: the double's truth of the platform into $TMP/tp.json, of the
# connected account into $TMP/tc.json
truths() {
    truth_to "$TMP/tp.json" $PLATFORM
    truth_to "$TMP/tc.json" $CONNECTED
}

# The platform read into an SQLite file and an NDJSON folder (a test may
# name others): sync_sinks syncs both, sinks_are_truth checks both.
DB=$TMP/stripe.db
ND=$TMP/nd

# sync_sinks: a sync of profile plat into $DB, then (if it exits 0) into
# $ND; fails unless both exit 0
sync_sinks() {
    run "$BIN" sync --profile "$TMP/plat.yaml" --sink "sqlite:$DB"
    [ "$RC" = 0 ] || return 1
    run "$BIN" sync --profile "$TMP/plat.yaml" --sink "ndjson:$ND"
    [ "$RC" = 0 ]
}

# sinks_are_truth DESC_SQLITE DESC_NDJSON: $DB, and the newest copies in
# $ND, equal the double's truth of the platform
sinks_are_truth() {
    truth_to "$TMP/t.json" $PLATFORM
    t_ok "$1" compare_db "$DB" "$TMP/t.json"
    t_ok "$2" nd_check "$ND" --truth "$TMP/t.json"
}

# compare_db DB TRUTH [DB_ACCOUNT] [STREAMS]: the database equals the truth
compare_db() {
    "$PYTHON" "$TOP/tests/cli/sr_compare.py" sqlite "$1" "$2" \
        --db-account "${3:-}" --streams "${4:-charges,payouts,events}" \
        ${COMPARE_OPTS:-}
}

# db_dump DB: every data row (without per-run metadata), sorted
db_dump() {
    local t
    for t in charges payouts events; do
        sqlite3 "$1" "SELECT '$t', account, id, version, source,
            coalesce(source_event_id, ''), raw FROM $t ORDER BY account, id"
    done
}

# mutate_each IDS OP...: one explicit change per OP (a JSON object with
# ID standing for the id) for each charge of IDS, all in the same second
mutate_each() {
    local ids=$1 ops="" id op
    shift
    for id in $ids; do
        for op in "$@"; do
            ops="$ops${op//ID/$id},"
        done
    done
    dctl POST /_double/mutate "{\"ops\":[${ops%,}],\"step\":0}" >/dev/null
}

# request_paths: "METHOD PATH" of every API request in the double's log
request_paths() {
    dctl GET /_double/requests | "$PYTHON" -c '
import json, sys
for r in json.load(sys.stdin)["requests"]:
    print(r["method"], r["path"])'
}

# nd_check DIR [options]: check an NDJSON folder (tests/cli/nd_check.py)
nd_check() {
    "$PYTHON" "$TOP/tests/cli/nd_check.py" "$@"
}

# oauth_profile FILE: an OAuth (Stripe Apps) test-mode profile for the double:
# the app's secret from $APP_SECRET, the refresh token from $REFRESH_TOKEN,
# the token store at $TOKEN_STORE, token URL and base URL from $DOUBLE_URL.
oauth_profile() {
    profile_yaml app '    oauth:
      clientSecret: ${{ APP_SECRET }}
      refreshToken: ${{ REFRESH_TOKEN }}
      tokenUrl: ${{ DOUBLE_URL }}/v1/oauth/token
      tokenStore: ${{ TOKEN_STORE }}' "" double \
        '  baseUrl: ${{ DOUBLE_URL }}' \
        '  timeouts: {connect: 5s, total: 30s}' \
        '  retry: {maxAttempts: 3, initialBackoff: 10ms, maxBackoff: 50ms}' >"$1"
}
