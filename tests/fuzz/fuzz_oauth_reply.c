/* SPDX-License-Identifier: MIT */
/* The token endpoint's reply (adapter/oauth.c oauth_parse_tokens). */
#include "core/compat.h"
#include "tests/fuzz/fuzz.h"

#include "adapter/oauth.h"
#include "core/err.h"
#include "core/redact.h"
#include "profiles/tokenstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct token_set t = TOKEN_SET_INIT;
    struct err err = ERR_INIT;
    char *body = fuzz_copy(data, size);
    const int64_t now = 1700000000;

    if (oauth_parse_tokens(body, size, now, "https://t", "req_1", &t, &err) ==
        0) {
        /* the lifetime stored is bounded, whatever the reply says */
        if (t.expires_at <= now || t.expires_at > now + OAUTH_MAX_TTL_SECS) {
            abort();
        }
    }
    token_set_release(&t);
    free(body);
    secret_clear_all();
    return 0;
}
