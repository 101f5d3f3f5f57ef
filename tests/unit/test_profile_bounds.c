/* SPDX-License-Identifier: MIT */
/*
 * Profiles that would take more than linear time (issue 13, found by
 * fuzzing): deep '['/'{' nesting and many anchors (libyaml's scanner and
 * loader are quadratic in them), many headers.  Each is refused with its
 * file position, in well under a second.
 */
#include "core/compat.h"
#include "profiles/profile.h"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/redact.h"
#include "tests/check.h"

#define KEY_TEST "sk_test_51Bounds0000000000000000000000"

static char path[] = "/tmp/sr-bounds-XXXXXX";

static double cpu_seconds(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

/* Load 'text'; the error message in 'err'; the CPU time in *secs. */
static int load(const struct buf *text, struct err *err, double *secs)
{
    struct profile p;
    FILE *fp = fopen(path, "w");
    double t;
    int ret;

    if (fp) {
        fwrite(text->buf, 1, text->len, fp);
        fclose(fp);
    }
    chmod(path, 0600);
    t = cpu_seconds();
    ret = profile_load(path, &p, err);
    *secs = cpu_seconds() - t;
    profile_release(&p);
    secret_clear_all();
    return ret;
}

static void head(struct buf *b)
{
    buf_reset(b);
    buf_addstr(b, "apiVersion: stripe-reader/v1\nkind: Profile\n"
                  "metadata: {name: b}\nspec:\n  mode: test\n  auth:\n"
                  "    apiKey: ${{ SR_TEST_KEY }}\n");
}

static void nest(struct buf *b, int depth)
{
    buf_addstr(b, "  sink: ");
    for (int i = 0; i < depth; i++) {
        buf_addch(b, '[');
    }
    for (int i = 0; i < depth; i++) {
        buf_addch(b, ']');
    }
    buf_addch(b, '\n');
}

static void test_nesting(void)
{
    struct buf b = BUF_INIT;
    struct err err = ERR_INIT;
    char want[256];
    double secs;

    head(&b);
    nest(&b, 100000);
    CHECK_INT(load(&b, &err, &secs), -1, "100,000 nested '[' are refused");
    snprintf(want, sizeof(want), "%s:8:41: '[' and '{' nested deeper than 32",
             path);
    CHECK_STR(err.msg, want, "at the first one too deep, with its position");
    CHECK(secs < 0.5, "in well under a second (was 20-28 s)");
    printf("# 100000 nested '[': %.3f s\n", secs);

    head(&b);
    nest(&b, 33);
    CHECK_INT(load(&b, &err, &secs), -1, "33 levels are refused");
    CHECK(strstr(err.msg, "nested deeper than 32") != NULL, "as too deep");

    head(&b);
    nest(&b, 32);
    CHECK_INT(load(&b, &err, &secs), -1, "32 levels are not too deep");
    CHECK(strstr(err.msg, "'spec.sink' must be a string, not a list") != NULL,
          "(the value is refused for its type instead)");

    head(&b);
    buf_addstr(&b, "  sink: {a: [{b: {c: [[1]]}}]}\n");
    for (int i = 0; i < 40; i++) {
        buf_addstr(&b, "# [[[[[[[[[[ '[' in comments and quotes count for "
                       "nothing: \"{{{{{{{{\"\n");
    }
    CHECK_INT(load(&b, &err, &secs), -1,
              "brackets in comments are not nesting");
    CHECK(strstr(err.msg, "must be a string, not a mapping") != NULL,
          "(the value is refused for its type)");
    buf_release(&b);
}

static void test_anchors(void)
{
    struct buf b = BUF_INIT;
    struct err err = ERR_INIT;
    const char *line;
    char want[256];
    double secs;

    head(&b);
    buf_addstr(&b, "  sink: [");
    for (int i = 0; i < 80000; i++) {
        buf_addf(&b, "%s&a%d x", i ? ", " : "", i);
    }
    buf_addstr(&b, "]\n");
    CHECK_INT(load(&b, &err, &secs), -1, "80,000 anchors are refused");
    line = strstr(b.buf, "  sink: [");
    snprintf(want, sizeof(want), "%s:8:%d: more than 100 anchors ('&name')",
             path, (int)(strstr(line, "&a100 ") - line) + 1);
    CHECK_STR(err.msg, want, "at the 101st, with its position");
    CHECK(secs < 0.5, "in well under a second (was 8.4 s)");
    printf("# 80000 anchors: %.3f s (%s)\n", secs, err.msg);

    head(&b);
    buf_addstr(&b, "  sink: [");
    for (int i = 0; i < 100; i++) {
        buf_addf(&b, "%s&a%d x", i ? ", " : "", i);
    }
    buf_addstr(&b, "]\n");
    CHECK_INT(load(&b, &err, &secs), -1, "100 anchors are not too many");
    CHECK(strstr(err.msg, "must be a string, not a list") != NULL,
          "(the value is refused for its type)");
    buf_release(&b);
}

static void adapter_with_headers(struct buf *b, int n, const char *extra)
{
    head(b);
    buf_addstr(b, "  adapter: h\n---\napiVersion: stripe-reader/adapters/v1\n"
                  "kind: HTTP\nmetadata: {name: h}\nspec:\n  headers:\n");
    for (int i = 0; i < n; i++) {
        buf_addf(b, "    - {name: H%d, value: v}\n", i);
    }
    buf_addstr(b, extra);
}

static void test_headers(void)
{
    struct buf b = BUF_INIT;
    struct err err = ERR_INIT;
    double secs;

    adapter_with_headers(&b, 30000, "");
    CHECK_INT(load(&b, &err, &secs), -1, "30,000 headers are refused");
    CHECK(strstr(err.msg, ":15:5: 'spec.headers' has 30000 entries; at most "
                          "256") != NULL,
          "as too many, naming the list");
    CHECK(secs < 1.0, "in well under a second (was 2.25 s)");
    printf("# 30000 headers: %.3f s\n", secs);

    adapter_with_headers(&b, 256, "");
    CHECK_INT(load(&b, &err, &secs), 0, "256 headers load");

    adapter_with_headers(&b, 255, "    - {name: h17, value: again}\n");
    CHECK_INT(load(&b, &err, &secs), -1, "a duplicate among 256 is found");
    CHECK(strstr(err.msg, ":270:14: duplicate header 'h17' in "
                          "'spec.headers[255]'") != NULL,
          "the later one, without case, with its position");
    buf_release(&b);
}

int main(void)
{
    int fd = mkstemp(path);

    if (fd < 0) {
        perror("mkstemp");
        return 1;
    }
    close(fd);
    setenv("SR_TEST_KEY", KEY_TEST, 1);
    test_nesting();
    test_anchors();
    test_headers();
    unlink(path);
    return check_done();
}
