/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "tests/check.h"

static const char doc[] =
    "{\"id\":\"ch_1\",\"created\":1700000000,\"paid\":true,"
    "\"amount\":12.5,\"big\":18014398509481984,\"customer\":null,"
    "\"meta\":{\"k\":\"v\"},\"list\":[1,2],\"neg\":-42}";

static void test_getters(const cJSON *root)
{
    struct err err = ERR_INIT;
    const char *s = NULL;
    int64_t i = 0;
    bool b = false;
    const cJSON *node = NULL;

    CHECK_INT(json_get_string(root, "", "id", JSON_REQUIRED, &s, &err), 1,
              "string found");
    CHECK_STR(s, "ch_1", "string value");
    CHECK_INT(json_get_int64(root, "", "created", 0, &i, &err), 1,
              "integer found");
    CHECK_INT(i, 1700000000, "integer value");
    CHECK_INT(json_get_int64(root, "", "neg", 0, &i, &err), 1,
              "negative integer found");
    CHECK_INT(i, -42, "negative value");
    CHECK_INT(json_get_bool(root, "", "paid", 0, &b, &err), 1, "bool");
    CHECK(b, "bool value");
    CHECK_INT(json_get_object(root, "", "meta", 0, &node, &err), 1,
              "object found");
    CHECK_INT(json_get_array(root, "", "list", 0, &node, &err), 1,
              "array found");
    s = "unchanged";
    CHECK_INT(json_get_string(root, "", "customer", 0, &s, &err), 0,
              "null optional is 0");
    CHECK_STR(s, "unchanged", "null leaves out untouched");
    CHECK_INT(json_get_string(root, "", "nope", 0, &s, &err), 0,
              "absent optional is 0");
}

static void test_errors(const cJSON *root)
{
    struct err err = ERR_INIT;
    const char *s = NULL;
    int64_t i = 0;
    bool b = false;

    CHECK_INT(json_get_int64(root, "data[3]", "id", 0, &i, &err), -1,
              "wrong type is an error");
    CHECK_STR(err.msg, "'data[3].id': expected an integer, got a string",
              "message names the JSON path and both types");
    CHECK_INT(err.kind, ERR_DATA, "kind is data");
    CHECK_INT(
        json_get_string(root, "data[0]", "customer", JSON_REQUIRED, &s, &err),
        -1, "required null is an error");
    CHECK_STR(err.msg, "'data[0].customer': expected a string, got null",
              "null named");
    CHECK_INT(json_get_bool(root, "", "missing", JSON_REQUIRED, &b, &err), -1,
              "required missing is an error");
    CHECK_STR(err.msg, "'missing': expected a boolean, got nothing (missing)",
              "root path has no leading dot");
    CHECK_INT(json_get_int64(root, "", "amount", 0, &i, &err), -1,
              "fraction is not an integer");
    CHECK_INT(json_get_int64(root, "", "big", 0, &i, &err), -1,
              "integers beyond 2^53 are refused, not rounded");
    CHECK_INT(json_get_string(cJSON_GetObjectItemCaseSensitive(root, "list"),
                              "list", "x", 0, &s, &err),
              -1, "non-object parent is an error");
    CHECK_STR(err.msg, "'list': expected an object, got an array",
              "parent path named");
}

static void test_parse_quote(void)
{
    struct err err = ERR_INIT;
    struct buf b = BUF_INIT;
    cJSON *r = json_parse("{\"a\":", 5, "page of 'charges'", &err);

    CHECK(r == NULL, "truncated JSON fails");
    CHECK(strstr(err.msg, "page of 'charges' is not valid JSON") != NULL,
          "parse error names what was parsed");
    json_quote(&b, "a\"b\\c\n\x01");
    CHECK_STR(b.buf, "\"a\\\"b\\\\c\\n\\u0001\"", "json_quote escapes");
    buf_release(&b);
}

/* Issue 13: numbers out of int64_t's range are refused before any
 * conversion (a cast first is undefined behaviour). */
static void test_int_range(void)
{
    static const struct {
        const char *text;
        int ok;
        int64_t want;
    } cases[] = {
        { "9007199254740992", 1, 9007199254740992LL },
        { "-9007199254740992", 1, -9007199254740992LL },
        { "9007199254740994", 0, 0 },
        { "9223372036854774784", 0, 0 },
        { "9223372036854775807", 0, 0 },
        { "-9223372036854775808", 0, 0 },
        { "1e999", 0, 0 },
        { "-1e999", 0, 0 },
        { "1e300", 0, 0 },
        { "0.5", 0, 0 },
        { "-0", 1, 0 },
        { "1e3", 1, 1000 },
    };
    struct err err = ERR_INIT;

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char text[96], what[128];
        cJSON *root;
        int64_t v = -7;

        snprintf(text, sizeof(text), "{\"n\":%s}", cases[i].text);
        root = json_parse(text, strlen(text), "doc", &err);
        snprintf(what, sizeof(what), "%s is %s", cases[i].text,
                 cases[i].ok ? "an integer" : "refused");
        CHECK_INT(json_get_int64(root, "", "n", 0, &v, &err),
                  cases[i].ok ? 1 : -1, what);
        CHECK_INT(json_int64(cJSON_GetObjectItemCaseSensitive(root, "n"), &v),
                  cases[i].ok ? 0 : -1, "json_int64 agrees");
        CHECK_INT(v, cases[i].ok ? cases[i].want : -7,
                  "value, or untouched when refused");
        cJSON_Delete(root);
    }
    CHECK_INT(json_int64(NULL, NULL), -1, "json_int64(NULL) is refused");
}

int main(void)
{
    struct err err = ERR_INIT;
    cJSON *root = json_parse(doc, strlen(doc), "doc", &err);

    CHECK(root != NULL, "fixture parses");
    if (root) {
        test_getters(root);
        test_errors(root);
    }
    cJSON_Delete(root);
    test_parse_quote();
    test_int_range();
    return check_done();
}
