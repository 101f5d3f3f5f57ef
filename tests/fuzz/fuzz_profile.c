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
