/* SPDX-License-Identifier: MIT */
/*
 * Reply headers as libcurl hands them to the adapter (one line per call):
 * Request-Id, Stripe-Should-Retry, Retry-After, Date, and what the retry
 * policy makes of them.  No server needed.
 */
#include "core/compat.h"
#include "adapter/adapter_int.h"

#include <limits.h>
#include <time.h>

#include "adapter/retry.h"
#include "tests/check.h"

struct fake {
    struct xfer x;
    struct http_req req;
};

static void fake_init(struct fake *f)
{
    memset(f, 0, sizeof(*f));
    http_req_init(&f->req);
    f->x.req = &f->req;
    f->x.retry_after_ms = -1;
}

static void feed(struct fake *f, const char *line)
{
    char copy[512];
    size_t n = strlen(line);

    /* libcurl's buffer is not NUL-terminated: neither is this copy's end */
    memcpy(copy, line, n);
    copy[n] = 'X';
    reply_on_header(copy, 1, n, &f->x);
}

/* The delay the retry policy gives a 429 with this Retry-After. */
static long delay_for(const char *value)
{
    struct fake f;
    struct retry_input in;
    struct retry_decision d;
    struct retry_policy pol = { 500, 20000 };
    char line[256];

    fake_init(&f);
    feed(&f, "HTTP/1.1 429 Too Many Requests\r\n");
    snprintf(line, sizeof(line), "Retry-After: %s\r\n", value);
    feed(&f, line);
    memset(&in, 0, sizeof(in));
    in.attempt = 1;
    in.max_attempts = 5;
    in.status = 429;
    in.body_json = true;
    in.retry_after_ms = f.x.retry_after_ms;
    retry_decide(&in, &pol, 0.5, &d);
    http_req_release(&f.req);
    return d.retry ? d.delay_ms : -1;
}

static void test_retry_after(void)
{
    struct fake f;

    fake_init(&f);
    feed(&f, "HTTP/1.1 429 Too Many Requests\r\n");
    feed(&f, "Retry-After: 7\r\n");
    CHECK_INT(f.x.retry_after_ms, 7000, "Retry-After in seconds");
    feed(&f, "retry-after:   12 \r\n");
    CHECK_INT(f.x.retry_after_ms, 12000, "names are case-insensitive");
    feed(&f, "Retry-After: soon\r\n");
    CHECK_INT(f.x.retry_after_ms, -1, "an unreadable value is absent");
    feed(&f, "Retry-After: 9223372036854776\r\n");
    CHECK_INT(f.x.retry_after_ms, LONG_MAX,
              "Retry-After 9223372036854776 s saturates (no overflow)");
    feed(&f, "Retry-After: 99999999999999999999999\r\n");
    CHECK_INT(f.x.retry_after_ms, LONG_MAX, "beyond long long saturates");
    feed(&f, "Retry-After: -5\r\n");
    CHECK_INT(f.x.retry_after_ms, -1, "a negative value is unreadable");
    feed(&f, "Retry-After: Fri, 31 Dec 9999 23:59:59 GMT\r\n");
    CHECK(f.x.retry_after_ms > 1000L * 3600 * 24 * 365,
          "an HTTP date far ahead is a long wait");
    feed(&f, "Retry-After: Thu, 01 Jan 1970 00:00:01 GMT\r\n");
    CHECK_INT(f.x.retry_after_ms, 0, "an HTTP date in the past is now");
    http_req_release(&f.req);

    CHECK_INT(delay_for("2"), 2000, "the policy waits as asked");
    CHECK_INT(delay_for("9223372036854776"), 60000,
              "a huge Retry-After is capped at the policy's maximum, not "
              "wrapped to a short wait");
}

static void test_other_headers(void)
{
    struct fake f;

    fake_init(&f);
    feed(&f, "HTTP/2 200\r\n");
    feed(&f, "Request-Id: req_123\r\n");
    feed(&f, "Stripe-Should-Retry: true\r\n");
    feed(&f, "Date: Thu, 01 Jan 2026 00:00:00 GMT\r\n");
    CHECK_STR(f.req.request_id, "req_123", "Request-Id kept");
    CHECK_INT(f.x.should_retry, RETRY_HEADER_TRUE, "Stripe-Should-Retry");
    CHECK_INT(f.req.server_date, 1767225600, "Date read");
    feed(&f, "HTTP/2 200\r\n");
    CHECK_STR(f.req.request_id, "", "a new status line forgets the last");
    CHECK_INT(f.x.should_retry, RETRY_HEADER_ABSENT, "and its retry header");
    http_req_release(&f.req);
}

int main(void)
{
    test_retry_after();
    test_other_headers();
    return check_done();
}
