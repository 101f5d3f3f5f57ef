/* SPDX-License-Identifier: MIT */
/* ${{ VAR }} references in a profile value (profiles/interp.c). */
#include "core/compat.h"
#include "tests/fuzz/fuzz.h"

#include "core/err.h"
#include "profiles/interp.h"

int LLVMFuzzerInitialize(int *argc UNUSED, char ***argv UNUSED)
{
    setenv("A", "alpha", 1);
    setenv("KEY", "sk_test_51HfixtureKEYabcdefghijklmnop0001", 1);
    setenv("HOST", "127.0.0.1", 1);
    setenv("PORT", "12111", 1);
    setenv("EMPTY", "", 1);
    setenv("BRACES", "${{ A }}", 1);
    return 0;
}

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
