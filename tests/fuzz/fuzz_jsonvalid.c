/* SPDX-License-Identifier: MIT */
/* The adapter's JSON validator and shape check (adapter/jsonvalid.c). */
#include "core/compat.h"
#include "tests/fuzz/fuzz.h"

#include "adapter/jsonvalid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_copy(data, size);

    (void)json_valid(text, size);
    (void)json_shape_ok(text, size);
    free(text);
    return 0;
}
