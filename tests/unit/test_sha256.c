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

/* Pieces of every length from 1 to 130 bytes hash like the whole. */
static void pieces(const char *impl)
{
    static char text[9000];
    char whole[65], parts[65], what[96];
    struct sha256 c;
    size_t off = 0, n = 1;

    for (size_t i = 0; i < sizeof(text); i++) {
        text[i] = (char)(i * 7 + i / 13);
    }
    digest(text, sizeof(text), whole);
    sha256_init(&c);
    while (off < sizeof(text)) {
        size_t take = n < sizeof(text) - off ? n : sizeof(text) - off;

        sha256_update(&c, text + off, take);
        off += take;
        n = n % 130 + 1;
    }
    sha256_hex(&c, parts);
    snprintf(what, sizeof(what), "%s: pieces of 1 to 130 bytes", impl);
    CHECK_STR(parts, whole, what);
}

int main(void)
{
    vectors("default (SHA instructions where the CPU has them)");
    pieces("default");
    sha256_use_portable(true);
    vectors("portable");
    pieces("portable");
    return check_done();
}
