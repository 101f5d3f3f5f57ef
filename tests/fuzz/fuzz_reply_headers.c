/* SPDX-License-Identifier: MIT */
/*
 * Reply headers as libcurl hands them over (one line per call, not
 * NUL-terminated): Request-Id, Stripe-Should-Retry, Retry-After (seconds
 * or an HTTP date), Date, Stripe-Rate-Limited-Reason; then what the retry
 * policy and the rate limiter make of them.
 */
#include "core/compat.h"
#include "tests/fuzz/fuzz.h"

#include "adapter/adapter_int.h"
#include "adapter/ratelimit.h"
#include "adapter/retry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xfer x;
    struct http_req req;
    struct retry_input in;
    struct retry_decision d;
    struct retry_policy pol = { 500, 20000 };
    size_t start = 0;

    memset(&x, 0, sizeof(x));
    http_req_init(&req);
    x.req = &req;
    x.retry_after_ms = -1;
    req.keep_headers = size && (data[0] & 1);
    for (size_t i = 0; i <= size; i++) {
        if (i == size || data[i] == '\n') {
            size_t end = i < size ? i + 1 : i;
            char *line = fuzz_copy(data + start, end - start);

            if (end > start) {
                reply_on_header(line, 1, end - start, &x);
            }
            free(line);
            start = end;
        }
    }
    memset(&in, 0, sizeof(in));
    in.attempt = 1;
    in.max_attempts = 5;
    in.status = 429;
    in.should_retry = x.should_retry;
    in.retry_after_ms = x.retry_after_ms;
    in.body_json = true;
    retry_decide(&in, &pol, 0.5, &d);
    if (d.delay_ms < 0) {
        abort(); /* a negative wait is a wrapped-around one */
    }
    (void)rl_scope_parse(x.rl_reason);
    http_req_release(&req);
    return 0;
}
