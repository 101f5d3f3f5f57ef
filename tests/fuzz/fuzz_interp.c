/* SPDX-License-Identifier: MIT */
/* ${{ VAR }} references in a profile value (profiles/interp.c). */
#include "core/compat.h"
#include "tests/fuzz/fuzz.h"

#include "core/err.h"
#include "profiles/interp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_string(data, size);
    char *out = NULL;
    struct err err = ERR_INIT;

    if (interp_expand(s, "'spec.x'", &out, &err) == 0) {
        free(out);
    }
    (void)interp_is_reference(s);
    free(s);
    return 0;
}
