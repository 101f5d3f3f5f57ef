#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 3: every broken profile in tests/fixtures/profiles/broken gives its
# expected one-line error and exit code 3 through the binary, and no
# network connection is even attempted (strace shows no connect()).
. "$(dirname "$0")/lib.sh"

# the values tests/unit/test_profile.c gives the fixtures' variables
export SR_TEST_KEY=sk_test_51HfixtureKEYabcdefghijklmnop0001
export SR_TEST_LIVE_KEY=sk_live_51HfixtureKEYabcdefghijklmnop0002
export SR_TEST_RK_KEY=rk_test_51HfixtureKEYabcdefghijklmnop0003
export SR_TEST_RK_LIVE_KEY=rk_live_51HfixtureKEYabcdefghijklmnop0006
export SR_TEST_PK_KEY=pk_test_51HfixtureKEYabcdefghijklmnop0004
export SR_TEST_NOT_A_KEY=xoxb-0000-fixture-not-a-stripe-key
export SR_TEST_REFRESH_TOKEN=rt_fixtureREFRESHtokenabcdefghij0005
export SR_TEST_RUN=7 SR_TEST_JOB=nightly STRIPE_READER_STATE_DIR=$TMP/state
unset SR_TEST_UNSET_VAR

have_strace=0
command -v strace >/dev/null && strace -f -e trace=connect -o /dev/null true 2>/dev/null &&
    have_strace=1
cd "$TOP"
n=0
for f in tests/fixtures/profiles/broken/*.yaml; do
    n=$((n + 1))
    want="stripe-reader: error: $(sed "s|FILE|$f|g" "${f%.yaml}.expected")"
    "$BIN" check --profile "$f" >/dev/null 2>"$TMP/err"
    rc=$?
    if [ $have_strace = 1 ]; then
        # LeakSanitizer cannot run under ptrace: off for this run only
        ASAN_OPTIONS=detect_leaks=0 strace -f -e trace=connect -o "$TMP/trace" \
            "$BIN" check --profile "$f" >/dev/null 2>&1
        t_nomatch "$(cat "$TMP/trace")" 'connect\(' "$(basename "$f"): no connection attempted"
    fi
    t_is "$rc" 3 "$(basename "$f"): exit 3"
    t_is "$(cat "$TMP/err")" "$want" "$(basename "$f"): its one-line error"
done
t_ok "at least 20 broken profiles ($n)" test "$n" -ge 20
t_done
