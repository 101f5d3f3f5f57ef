/* SPDX-License-Identifier: MIT */
/* The OAuth token store file (profiles/tokenstore.c). */
#include "core/compat.h"
#include "tests/fuzz/fuzz.h"

#include "core/err.h"
#include "core/redact.h"
#include "core/sat.h"
#include "profiles/tokenstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct token_set t = TOKEN_SET_INIT;
    struct err err = ERR_INIT;

    if (tokenstore_read(fuzz_file(data, size, 0600), &t, &err) == 0) {
        /* what the expiry check computes (adapter/auth.c) */
        (void)sat_sub(t.expires_at, 1700000000);
    }
    token_set_release(&t);
    secret_clear_all();
    return 0;
}
