/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/redact.h"
#include "tests/check.h"

static void test_mask(void)
{
    char m[64];

    secret_mask("sk_test_51abcdefghijklmnopqrstuvwxyz1234", m, sizeof(m));
    CHECK_STR(m, "sk_test_...1234", "secret key: prefix and last 4");
    secret_mask("rk_live_0123456789abcdefWXYZ", m, sizeof(m));
    CHECK_STR(m, "rk_live_...WXYZ", "restricted live key");
    secret_mask("rt_0123456789abcdef9876", m, sizeof(m));
    CHECK_STR(m, "rt_...9876", "refresh token: one prefix");
    secret_mask("abcdefghijklmnop", m, sizeof(m));
    CHECK_STR(m, "...mnop", "no prefix: last 4 only");
    secret_mask("sk_test_abcd", m, sizeof(m));
    CHECK_STR(m, "...abcd", "short key: never more than half shown");
}

static void test_redact(void)
{
    struct buf b = BUF_INIT;
    char s[128];
    FILE *fp = tmpfile();
    char line[256] = "";

    secret_register("sk_test_SECRETSECRETSECRET9999");
    secret_register("tiny");
    buf_addstr(&b, "key sk_test_SECRETSECRETSECRET9999 and "
                   "sk_test_SECRETSECRETSECRET9999 end");
    redact_buf(&b);
    CHECK_STR(b.buf, "key sk_test_...9999 and sk_test_...9999 end",
              "every occurrence masked");
    buf_release(&b);

    snprintf(s, sizeof(s), "Bearer sk_test_SECRETSECRETSECRET9999");
    redact_str(s, sizeof(s));
    CHECK_STR(s, "Bearer sk_test_...9999", "redact_str");
    snprintf(s, sizeof(s), "a tiny word");
    redact_str(s, sizeof(s));
    CHECK_STR(s, "a tiny word", "strings under 8 bytes are not secrets");

    log_set_stream(fp);
    log_set_level(LOG_DEBUG);
    log_debug("sending %s", "sk_test_SECRETSECRETSECRET9999");
    rewind(fp);
    CHECK(fgets(line, sizeof(line), fp) != NULL, "log line written");
    CHECK_STR(line, "stripe-reader: debug: sending sk_test_...9999\n",
              "log lines are redacted");
    log_set_format(LOG_FORMAT_JSON);
    rewind(fp);
    log_warn("q\"uote");
    rewind(fp);
    CHECK(fgets(line, sizeof(line), fp) && strstr(line, "\"level\":\"warn\"") &&
              strstr(line, "\"msg\":\"q\\\"uote\"}"),
          "json log lines are escaped objects");
    log_set_stream(NULL);
    log_set_format(LOG_FORMAT_TEXT);
    log_set_level(LOG_WARN);
    fclose(fp);
    secret_clear_all();
}

int main(void)
{
    test_mask();
    test_redact();
    return check_done();
}
