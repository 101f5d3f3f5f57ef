/* SPDX-License-Identifier: MIT */
/*
 * The profile loader: a whole profile file (YAML, every document kind,
 * ${{ VAR }} references, the bounds pass, the key walker, the value
 * parsers, the whole-file checks), then both formats of `profiles show`.
 */
#include "core/compat.h"
#include "tests/fuzz/fuzz.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/redact.h"
#include "profiles/profile.h"

int LLVMFuzzerInitialize(int *argc UNUSED, char ***argv UNUSED)
{
    /* the fixtures' variables (tests/fixtures/profiles/README.md) */
    setenv("SR_TEST_KEY", "sk_test_51HfixtureKEYabcdefghijklmnop0001", 1);
    setenv("SR_TEST_LIVE_KEY", "sk_live_51HfixtureKEYabcdefghijklmnop0002", 1);
    setenv("SR_TEST_RK_KEY", "rk_test_51HfixtureKEYabcdefghijklmnop0003", 1);
    setenv("SR_TEST_RK_LIVE_KEY", "rk_live_51HfixtureKEYabcdefghijklmnop04", 1);
    setenv("SR_TEST_PK_KEY", "pk_test_51HfixtureKEYabcdefghijklmnop0005", 1);
    setenv("SR_TEST_NOT_A_KEY", "hello-world-not-a-key", 1);
    setenv("SR_TEST_REFRESH_TOKEN", "rt_fixtureREFRESHtoken0000000000", 1);
    setenv("SR_TEST_RUN", "7", 1);
    setenv("SR_TEST_JOB", "nightly", 1);
    setenv("SR_URL", "http://127.0.0.1:12111", 1);
    setenv("EMPTY", "", 1);
    /* the examples' (profiles/examples) */
    setenv("STRIPE_TEST_KEY", "sk_test_51HfixtureKEYabcdefghijklmnop0001", 1);
    setenv("STRIPE_API_KEY", "rk_live_51HfixtureKEYabcdefghijklmnop04", 1);
    setenv("STRIPE_APP_SECRET", "sk_live_51HfixtureKEYabcdefghijklmnop0002", 1);
    setenv("STRIPE_REFRESH_TOKEN", "rt_fixtureREFRESHtoken0000000000", 1);
    setenv("STRIPE_PLATFORM_KEY", "sk_live_51HfixtureKEYabcdefghijklmnop0002",
           1);
    setenv("EGRESS_TOKEN", "egress-token", 1);
    setenv("STRIPE_DEMO_URL", "http://127.0.0.1:40000", 1);
    setenv("STRIPE_READER_STATE_DIR", "/nonexistent/sr-fuzz-state", 1);
    unsetenv("SR_TEST_UNSET_VAR");
    fuzz_quiet();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size, 0600);
    struct profile p;
    struct err err = ERR_INIT;
    struct buf out = BUF_INIT;

    if (profile_load(path, &p, &err) == 0) {
        profile_format_yaml(&p, &out);
        profile_format_json(&p, &out);
    }
    profile_release(&p);
    buf_release(&out);
    secret_clear_all();
    return 0;
}
