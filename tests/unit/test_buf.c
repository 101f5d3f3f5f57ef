/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/buf.h"
#include "tests/check.h"

static void test_basic(void)
{
    struct buf b = BUF_INIT;

    CHECK(b.buf != NULL && b.buf[0] == '\0', "BUF_INIT is an empty string");
    CHECK_INT(buf_addstr(&b, "hello"), 0, "addstr succeeds");
    CHECK_INT(buf_addch(&b, ' '), 0, "addch succeeds");
    CHECK_INT(buf_addf(&b, "%d-%s", 42, "x"), 0, "addf succeeds");
    CHECK_STR(b.buf, "hello 42-x", "content is appended in order");
    CHECK_INT(b.len, 10, "len tracks content");
    buf_setlen(&b, 5);
    CHECK_STR(b.buf, "hello", "setlen truncates and terminates");
    buf_reset(&b);
    CHECK_STR(b.buf, "", "reset empties");
    CHECK(b.alloc > 0, "reset keeps memory for reuse");
    buf_release(&b);
    CHECK(b.buf == buf_empty && b.alloc == 0, "release returns to INIT");
    buf_release(&b);
    CHECK(b.len == 0, "release is idempotent");
}

static void test_growth(void)
{
    struct buf b = BUF_INIT;
    char chunk[1000];
    int ok = 1;

    memset(chunk, 'a', sizeof(chunk));
    for (int i = 0; i < 1000; i++) {
        ok &= buf_add(&b, chunk, sizeof(chunk)) == 0;
    }
    CHECK(ok, "uncapped buffer grows to 1 MB");
    CHECK_INT(b.len, 1000000, "all bytes kept");
    CHECK(b.buf[b.len] == '\0', "still NUL-terminated");
    buf_release(&b);
}

static void test_cap(void)
{
    struct buf b;

    buf_init_capped(&b, 10);
    CHECK_INT(buf_addstr(&b, "0123456789"), 0, "exactly the cap fits");
    CHECK_INT(buf_addch(&b, 'x'), -1, "one byte over the cap fails");
    CHECK(b.len == 0 && b.buf[0] == '\0', "a failed add empties the buffer");
    CHECK_INT(b.cap, 10, "the cap survives the failure");
    CHECK_INT(buf_addstr(&b, "abc"), 0, "the buffer is usable again");
    CHECK_INT(buf_addf(&b, "%s", "0123456789"), -1, "addf respects the cap");
    buf_release(&b);
}

static void test_detach(void)
{
    struct buf b = BUF_INIT;
    size_t len = 0;
    char *s;

    s = buf_detach(&b, &len);
    CHECK(s && !strcmp(s, "") && len == 0, "detach of empty gives \"\"");
    free(s);
    buf_addstr(&b, "owned");
    s = buf_detach(&b, &len);
    CHECK_STR(s, "owned", "detach hands over the content");
    CHECK(len == 5 && b.len == 0 && b.alloc == 0, "detach resets buffer");
    free(s);
}

int main(void)
{
    test_basic();
    test_growth();
    test_cap();
    test_detach();
    return check_done();
}
