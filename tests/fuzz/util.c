/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE 1 /* memfd_create() */
#include "core/compat.h"
#include "tests/fuzz/fuzz.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xalloc.h"

char *fuzz_string(const uint8_t *data, size_t size)
{
    char *s = xmalloc(size + 1);

    if (size) {
        memcpy(s, data, size);
    }
    s[size] = '\0';
    return s;
}

char *fuzz_copy(const uint8_t *data, size_t size)
{
    char *s = xmalloc(size ? size : 1);

    if (size) {
        memcpy(s, data, size);
    }
    return s;
}

const char *fuzz_file(const uint8_t *data, size_t size, mode_t mode)
{
    static int fd = -1;
    static char path[64];
    size_t done = 0;

    if (fd < 0) {
        fd = memfd_create("fuzz-input", 0);
        if (fd < 0) {
            perror("memfd_create");
            abort();
        }
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) < 0 || fchmod(fd, mode) < 0) {
        perror("fuzz_file");
        abort();
    }
    while (done < size) {
        ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);

        if (n <= 0) {
            perror("pwrite");
            abort();
        }
        done += (size_t)n;
    }
    return path;
}

void fuzz_quiet(void)
{
    static FILE *null;

    if (!null) {
        null = fopen("/dev/null", "w");
    }
    log_set_level(LOG_ERROR);
    if (null) {
        log_set_stream(null);
    }
}

/*
 * The variables that profile values in the inputs may name: those of the
 * fixtures (tests/fixtures/profiles/README.md), of the examples
 * (profiles/examples), and those of the ${{ VAR }} target's seeds.
 */
static const char *const fuzz_env[][2] = {
    { "SR_TEST_KEY", "sk_test_51HfixtureKEYabcdefghijklmnop0001" },
    { "SR_TEST_LIVE_KEY", "sk_live_51HfixtureKEYabcdefghijklmnop0002" },
    { "SR_TEST_RK_KEY", "rk_test_51HfixtureKEYabcdefghijklmnop0003" },
    { "SR_TEST_RK_LIVE_KEY", "rk_live_51HfixtureKEYabcdefghijklmnop04" },
    { "SR_TEST_PK_KEY", "pk_test_51HfixtureKEYabcdefghijklmnop0005" },
    { "SR_TEST_NOT_A_KEY", "hello-world-not-a-key" },
    { "SR_TEST_REFRESH_TOKEN", "rt_fixtureREFRESHtoken0000000000" },
    { "SR_TEST_RUN", "7" },
    { "SR_TEST_JOB", "nightly" },
    { "SR_URL", "http://127.0.0.1:12111" },
    { "EMPTY", "" },
    { "STRIPE_TEST_KEY", "sk_test_51HfixtureKEYabcdefghijklmnop0001" },
    { "STRIPE_API_KEY", "rk_live_51HfixtureKEYabcdefghijklmnop04" },
    { "STRIPE_APP_SECRET", "sk_live_51HfixtureKEYabcdefghijklmnop0002" },
    { "STRIPE_REFRESH_TOKEN", "rt_fixtureREFRESHtoken0000000000" },
    { "STRIPE_PLATFORM_KEY", "sk_live_51HfixtureKEYabcdefghijklmnop0002" },
    { "EGRESS_TOKEN", "egress-token" },
    { "STRIPE_DEMO_URL", "http://127.0.0.1:40000" },
    { "STRIPE_READER_STATE_DIR", "/nonexistent/sr-fuzz-state" },
    { "A", "alpha" },
    { "KEY", "sk_test_51HfixtureKEYabcdefghijklmnop0001" },
    { "HOST", "127.0.0.1" },
    { "PORT", "12111" },
    { "BRACES", "${{ A }}" },
};

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc UNUSED,
                                               char ***argv UNUSED)
{
    for (size_t i = 0; i < ARRAY_SIZE(fuzz_env); i++) {
        setenv(fuzz_env[i][0], fuzz_env[i][1], 1);
    }
    unsetenv("SR_TEST_UNSET_VAR");
    fuzz_quiet();
    return 0;
}
