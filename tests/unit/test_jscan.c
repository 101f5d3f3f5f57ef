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

int main(void)
{
    test_page();
    test_malformed();
    return check_done();
}
