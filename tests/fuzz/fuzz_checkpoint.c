/* SPDX-License-Identifier: MIT */
/*
 * The checkpoint (reader/checkpoint.c): parsed, and when it parses,
 * written and parsed again, which must give the same text (what a run
 * stores is what the next run reads).
 */
#include "core/compat.h"
#include "tests/fuzz/fuzz.h"

#include "core/buf.h"
#include "core/err.h"
#include "reader/checkpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *json = fuzz_string(data, size);
    struct checkpoint cp, back;
    struct buf a = BUF_INIT, b = BUF_INIT;
    struct err err = ERR_INIT;

    checkpoint_init(&cp, "", "test");
    checkpoint_init(&back, "", "test");
    if (checkpoint_from_json(&cp, json, "fuzz", &err) == 0) {
        checkpoint_to_json(&cp, &a);
        if (checkpoint_from_json(&back, a.buf, "again", &err) < 0) {
            fprintf(stderr, "written checkpoint does not parse: %s\n%s\n",
                    err.msg, a.buf);
            abort();
        }
        checkpoint_to_json(&back, &b);
        if (strcmp(a.buf, b.buf)) {
            fprintf(stderr, "not stable:\n%s\n%s\n", a.buf, b.buf);
            abort();
        }
    }
    checkpoint_release(&cp);
    checkpoint_release(&back);
    buf_release(&a);
    buf_release(&b);
    free(json);
    return 0;
}
