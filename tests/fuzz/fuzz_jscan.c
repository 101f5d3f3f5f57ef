/* SPDX-License-Identifier: MIT */
/*
 * The JSON scanners (reader/jscan.c) on their own: skip, member lookup,
 * member iteration, in-place minification (which must be idempotent) and
 * string unescaping.
 */
#include "core/compat.h"
#include "tests/fuzz/fuzz.h"

#include "core/buf.h"
#include "reader/fields.h"
#include "reader/jscan.h"

static void members(const char *p, const char *end)
{
    struct jscan_iter it;
    const char *k, *ke, *v, *ve;
    struct buf key = BUF_INIT;

    if (jscan_object(&it, p, end) < 0) {
        return;
    }
    while (jscan_next_member(&it, &k, &ke, &v, &ve) == 1) {
        if (k < p || ke > end || v < p || ve > end || k >= ke || v >= ve) {
            abort();
        }
        buf_reset(&key);
        (void)json_unescape(k, ke, &key);
    }
    buf_release(&key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_copy(data, size);
    const char *end = text + size, *after = NULL, *vs, *ve;
    char *dst;

    (void)jscan_skip(text, end);
    (void)jscan_member(text, end, "id", &vs, &ve);
    members(text, end);
    dst = jscan_minify_into(text, text, end, &after);
    /* a minified object or array minifies to itself (not a bare scalar,
     * which is refused when it runs into the end: it may be cut short) */
    if (dst && (*text == '{' || *text == '[')) {
        size_t len = (size_t)(dst - text);
        char *again = fuzz_copy((const uint8_t *)text, len);
        char *dst2 = jscan_minify_into(again, again, again + len, &after);

        if (!dst2 || (size_t)(dst2 - again) != len ||
            memcmp(again, text, len)) {
            abort();
        }
        members(again, again + len);
        free(again);
    }
    free(text);
    return 0;
}
