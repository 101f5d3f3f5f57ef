/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "reader/jscan.h"
#include "tests/check.h"

static char *slice(const char *a, const char *b)
{
    static char out[256];

    snprintf(out, sizeof(out), "%.*s", (int)(b - a), a);
    return out;
}

static void test_page(void)
{
    const char *page = "{\n  \"object\": \"list\",\n  \"data\": [\n"
                       "    {\"id\": \"ch_1\", \"amount\": 99999999999999999,"
                       " \"s\": \"a \\\"}] b\"},\n"
                       "    {\"id\": \"py_2\", \"n\": [1, {\"x\": []}]}\n  ],"
                       "\n  \"has_more\": true, \"url\": \"/v1/charges\"\n}";
    const char *end = page + strlen(page);
    const char *v = NULL, *ve = NULL;
    char copy[512];
    const char *after = NULL;
    char *dst;

    CHECK_INT(jscan_member(page, end, "has_more", &v, &ve), 1,
              "member after the data array found");
    CHECK_STR(slice(v, ve), "true", "has_more value");
    CHECK_INT(jscan_member(page, end, "nope", &v, &ve), 0, "absent member");
    CHECK_INT(jscan_member(page, end, "data", &v, &ve), 1, "data found");
    v = jscan_ws(v + 1, ve); /* past '[' to the first element */
    ve = jscan_skip(v, end);
    CHECK(ve != NULL, "first element");
    /* in place, as the reader does: into the same buffer, behind the read
     * position */
    snprintf(copy, sizeof(copy), "%.*s", (int)(ve - v), v);
    dst = jscan_minify_into(copy, copy, copy + strlen(copy), &after);
    CHECK(dst && after == copy + (ve - v), "the whole value is consumed");
    *dst = '\0';
    CHECK_STR(copy,
              "{\"id\":\"ch_1\",\"amount\":99999999999999999,"
              "\"s\":\"a \\\"}] b\"}",
              "minified slice keeps numbers and string content exactly");
    v = jscan_ws(jscan_ws(ve, end) + 1, end); /* past ',' */
    ve = jscan_skip(v, end);
    CHECK_STR(slice(v, ve), "{\"id\": \"py_2\", \"n\": [1, {\"x\": []}]}",
              "nested element sliced whole");
}

static void test_malformed(void)
{
    const char *v = NULL, *ve = NULL;
    const char *cut = "{\"data\": [{\"id\": \"ch_1\"}, {\"id\": \"ch";
    const char *bad = "{\"data\": [1 2]}";
    const char *html = "<html>oops</html>";
    char deep[2000];

    CHECK_INT(jscan_member(cut, cut + strlen(cut), "data", &v, &ve), -1,
              "a body cut short is malformed");
    CHECK_INT(jscan_member(html, html + strlen(html), "data", &v, &ve), -1,
              "HTML is not an object");
    CHECK_INT(jscan_member(bad, bad + strlen(bad), "data", &v, &ve), 1,
              "structure found (element syntax is the page parser's)");
    {
        char mis[] = "{\"a\": [1, 2}";
        char cut2[] = "{\"a\": \"x";
        const char *after = NULL;

        CHECK(jscan_minify_into(mis, mis, mis + strlen(mis), &after) == NULL,
              "in-place minify refuses mismatched brackets");
        CHECK(jscan_minify_into(cut2, cut2, cut2 + strlen(cut2), &after) ==
                  NULL,
              "in-place minify refuses a value cut short");
    }
    memset(deep, '[', sizeof(deep) - 1);
    deep[sizeof(deep) - 1] = '\0';
    CHECK(jscan_skip(deep, deep + strlen(deep)) == NULL,
          "deep nesting refused without recursion");
    CHECK(jscan_skip("12", (const char *)"12" + 2) == NULL,
          "a number running into the end may be cut short");
    CHECK(jscan_skip("\"a\\", (const char *)"\"a\\" + 3) == NULL,
          "an escape at the end is cut short");
}

/* Minify 'in' (a copy) with member recording; the output, NUL-terminated,
 * in 'out', or NULL if refused. */
static char *minify(const char *in, char *out, size_t size,
                    struct jscan_members *m)
{
    const char *after = NULL;
    char *dst;

    snprintf(out, size, "%s", in);
    dst = jscan_minify_members(out, out, out + strlen(out), &after, m);
    if (!dst) {
        return NULL;
    }
    *dst = '\0';
    return out;
}

static void test_members(void)
{
    struct jscan_members m = JSCAN_MEMBERS_INIT;
    char buf[512];
    const char *pretty = "{\n  \"id\": \"ch_1\",\n  \"n\" : [ 1, { \"x\": "
                         "{} } ],\n  \"pmd\": {\n    \"card\": {\"a\": 1},\n"
                         "    \"type\": \"card\"\n  },\n  \"e\": {}\n}";
    char *out = minify(pretty, buf, sizeof(buf), &m);

    CHECK_STR(out,
              "{\"id\":\"ch_1\",\"n\":[1,{\"x\":{}}],\"pmd\":{\"card\":{\"a\":"
              "1},\"type\":\"card\"},\"e\":{}}",
              "pretty text minified");
    CHECK_INT(m.nr, 6, "members at depth 1 and 2 (not inside arrays)");
    if (m.nr == 6) {
        CHECK_STR(slice(m.m[0].k, m.m[0].ke), "\"id\"", "first key");
        CHECK_STR(slice(m.m[0].v, m.m[0].ve), "\"ch_1\"", "first value");
        CHECK_STR(slice(m.m[1].v, m.m[1].ve), "[1,{\"x\":{}}]", "an array");
        CHECK_STR(slice(m.m[2].v, m.m[2].ve),
                  "{\"card\":{\"a\":1},\"type\":\"card\"}", "an object");
        CHECK_INT(m.m[2].parent, -1, "depth 1");
        CHECK_STR(slice(m.m[3].k, m.m[3].ke), "\"card\"", "depth 2 key");
        CHECK_INT(m.m[3].parent, 2, "under its member");
        CHECK_STR(slice(m.m[4].v, m.m[4].ve), "\"card\"", "depth 2 value");
        CHECK_INT(m.m[4].parent, 2, "under its member too");
        CHECK_STR(slice(m.m[5].v, m.m[5].ve), "{}", "the last member");
    }
    CHECK_STR(minify("[{\"a\": {\"b\": 1}}]", buf, sizeof(buf), &m),
              "[{\"a\":{\"b\":1}}]", "an array minified");
    CHECK_INT(m.nr, 0, "no members in an array");
    CHECK_STR(minify("{\"s\": \"a\\\\\\\"b\\\\\", \"t\": \"12345678\\\\\"}",
                     buf, sizeof(buf), &m),
              "{\"s\":\"a\\\\\\\"b\\\\\",\"t\":\"12345678\\\\\"}",
              "escaped quotes and backslashes, before and after 8 bytes");
    CHECK_INT(m.nr, 2, "both members");
    jscan_members_release(&m);
}

static void test_structure(void)
{
    static const char *const bad[] = {
        "[1 2]",
        "{\"a\" 1}",
        "{\"a\":1,}",
        "{\"a\":1 \"b\":2}",
        "[1,]",
        "{,}",
        "{\"a\":}",
        "[:]",
        "{1:2}",
        "{\"a\":1]",
        "[\"a\":1]",
        "{\"a\"}",
        "{\"a\":\"b\" x}",
        "{\"a\":[1],,2}",
        "{\"a\":tr ue}",
    };
    char buf[64];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char what[96];

        snprintf(what, sizeof(what), "refused: %s", bad[i]);
        CHECK(minify(bad[i], buf, sizeof(buf), NULL) == NULL, what);
    }
    CHECK_STR(minify("{ \"a\" : [ ] , \"b\" : { } }", buf, sizeof(buf), NULL),
              "{\"a\":[],\"b\":{}}", "empty containers");
}

int main(void)
{
    test_page();
    test_malformed();
    test_members();
    test_structure();
    return check_done();
}
