/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/sha256.h"
#include "tests/check.h"

static void digest(const char *s, size_t n, char out[65])
{
    struct sha256 c;

    sha256_init(&c);
    sha256_update(&c, s, n);
    sha256_hex(&c, out);
}

static void vectors(const char *impl)
{
    char out[65];
    char million[1000];
    char what[64];
    struct sha256 c;

    digest("", 0, out);
    CHECK_STR(
        out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "empty string");
    snprintf(what, sizeof(what), "%s: abc", impl);
    digest("abc", 3, out);
    CHECK_STR(
        out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        what);
    digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, out);
    CHECK_STR(
        out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
        impl);
    memset(million, 'a', sizeof(million));
    sha256_init(&c);
    for (int i = 0; i < 1000; i++) {
        sha256_update(&c, million, sizeof(million));
    }
    sha256_hex(&c, out);
    CHECK_STR(
        out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
        "a million 'a' in pieces");
}

int main(void)
{
    vectors("default (SHA instructions where the CPU has them)");
    sha256_use_portable(true);
    vectors("portable");
    return check_done();
}
