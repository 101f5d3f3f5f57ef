/* SPDX-License-Identifier: MIT */
/* Error envelopes: the API's {"error": {...}} and OAuth's flat form. */
#include "core/compat.h"
#include "tests/fuzz/fuzz.h"

#include "adapter/apierror.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body = fuzz_copy(data, size);
    struct api_error e;

    api_error_parse(body, size, &e);
    if (strlen(e.type) >= sizeof(e.type) || strlen(e.code) >= sizeof(e.code) ||
        strlen(e.message) >= sizeof(e.message)) {
        abort();
    }
    (void)http_status_text(size ? (long)data[0] * 3 : 0);
    free(body);
    return 0;
}
