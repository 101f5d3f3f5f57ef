/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/err.h"
#include "reader/page.h"
#include "model/streams.h"
#include "tests/check.h"

/* The parser minifies in place: give it a writable copy (kept until the
 * next call, as the items point into it). */
static char body[4096];

static int parse(struct page_items *pi, const char *page, struct err *err)
{
    snprintf(body, sizeof(body), "%s", page);
    return page_parse_list(pi, stream_find("charges"), body, strlen(body),
                           "page of 'charges'", err);
}

/* Item i's text as a C string (it is not NUL-terminated in place). */
static const char *text(const struct page_items *pi, size_t i)
{
    static char out[1024];

    snprintf(out, sizeof(out), "%.*s", (int)pi->items[i].len,
             page_item_text(pi, i));
    return out;
}

static void test_list(void)
{
    struct page_items pi = PAGE_ITEMS_INIT;
    struct err err = ERR_INIT;
    const char *page =
        "{\n \"object\": \"list\", \"url\": \"/v1/charges\",\n"
        " \"data\": [\n  {\"id\": \"ch_2\", \"object\": \"charge\", "
        "\"created\": 20, \"amount\": 1.50e2, \"livemode\": true,"
        " \"customer\": {\"id\": \"cus_\\u00e9\", \"object\": \"customer\"},"
        " \"payment_method_details\": {\"type\": \"card\"},"
        " \"description\": \"a \\\"b\\\"\"},\n"
        "  {\"id\": \"py_1\", \"object\": \"charge\", \"created\": 10}\n ],\n"
        " \"has_more\": true\n}";

    CHECK_INT(parse(&pi, page, &err), 0, "a page parses");
    CHECK(pi.has_more, "has_more read");
    CHECK_INT(pi.nr, 2, "two items");
    CHECK_STR(pi.items[0].id, "ch_2", "first id");
    CHECK_INT(pi.items[1].created, 10, "created of the second");
    CHECK_STR(text(&pi, 0),
              "{\"id\":\"ch_2\",\"object\":\"charge\",\"created\":20,"
              "\"amount\":1.50e2,\"livemode\":true,\"customer\":{\"id\":"
              "\"cus_\\u00e9\",\"object\":\"customer\"},"
              "\"payment_method_details\":{\"type\":\"card\"},"
              "\"description\":\"a \\\"b\\\"\"}",
              "item text is Stripe's, minified, numbers untouched");
    CHECK(pi.items[0].livemode, "livemode read");
    CHECK_INT(
        pi.items[0].cols[stream_column(stream_find("charges"), "amount")].kind,
        COLVAL_NULL, "a non-integer amount is NULL, not rounded");
    CHECK_STR(pi.items[0]
                  .cols[stream_column(stream_find("charges"), "customer")]
                  .text,
              "cus_\xc3\xa9", "an expanded reference is its id, unescaped");
    CHECK_STR(
        pi.items[0]
            .cols[stream_column(stream_find("charges"), "payment_method_type")]
            .text,
        "card", "a dotted path descends");
    CHECK_STR(pi.items[0]
                  .cols[stream_column(stream_find("charges"), "description")]
                  .text,
              "a \"b\"", "strings are unescaped");
    CHECK_INT(pi.items[0].len, strlen(text(&pi, 0)), "item length");
    CHECK_STR(pi.items[1].id, "py_1", "py_ ids are charges too");
    CHECK_INT(parse(&pi,
                    "{\"object\":\"list\",\"data\":[],"
                    "\"has_more\":false}",
                    &err),
              0, "empty page");
    CHECK(pi.nr == 0 && !pi.has_more, "empty page has no items");
    page_items_release(&pi);
}

static void test_bad(void)
{
    struct page_items pi = PAGE_ITEMS_INIT;
    struct err err = ERR_INIT;

    CHECK_INT(parse(&pi, "<html>502</html>", &err), -1, "HTML refused");
    CHECK_STR(err.msg, "page of 'charges': the reply is not a JSON object",
              "HTML message");
    CHECK_INT(err.kind, ERR_DATA, "kind data");
    CHECK_INT(parse(&pi, "{\"data\":[]}", &err), -1, "no has_more");
    CHECK_STR(err.msg, "page of 'charges': 'has_more': expected a boolean",
              "has_more message");
    CHECK_INT(parse(&pi,
                    "{\"has_more\":false,\"data\":[{\"id\":\"x\","
                    "\"object\":\"payout\",\"created\":1}]}",
                    &err),
              -1, "wrong object type refused");
    CHECK_STR(err.msg,
              "page of 'charges': 'data[0].object': expected "
              "'charge', got 'payout'",
              "object type message names the JSON path");
    CHECK_INT(parse(&pi,
                    "{\"has_more\":false,\"data\":[{\"id\":\"x\","
                    "\"object\":\"charge\",\"created\":\"1\"}]}",
                    &err),
              -1, "string created refused");
    CHECK_STR(err.msg,
              "page of 'charges': 'data[0].created': expected an "
              "integer",
              "created message");
    CHECK_INT(parse(&pi, "{\"has_more\":false,\"data\":[{\"id\":\"x\"", &err),
              -1, "a body cut short is refused");
    CHECK_INT(parse(&pi,
                    "{\"has_more\":false,\"data\":[{\"id\":\"a\","
                    "\"object\":\"charge\",\"created\":1} {\"id\":\"b\"}]}",
                    &err),
              -1, "a missing comma between items is refused");
    CHECK_STR(err.msg, "page of 'charges': 'data' is malformed", "and named");
    CHECK_INT(parse(&pi, "{\"has_more\":false,\"data\":[[1]]}", &err), -1,
              "an item that is not an object is refused");
    CHECK_STR(err.msg, "page of 'charges': 'data[0]' is not a JSON object",
              "and named");
    CHECK_INT(parse(&pi, "{\"has_more\":false,\"data\":[{\"id\" 1}]}", &err),
              -1, "an item whose members are malformed is refused");
    CHECK_STR(err.msg, "page of 'charges': 'data[0]' is malformed or cut short",
              "and named");
    page_items_release(&pi);
}

static void test_event_object(void)
{
    const char *ev = "{\"id\":\"evt_1\",\"data\":{\"object\":{\"id\":\"dp_1\","
                     "\"charge\":\"ch_1\"},\"previous_attributes\":{}}}";
    const char *start = NULL;
    size_t len = 0;

    CHECK_INT(page_event_object(ev, strlen(ev), &start, &len), 0,
              "data.object found");
    CHECK(len == strlen("{\"id\":\"dp_1\",\"charge\":\"ch_1\"}") &&
              !strncmp(start, "{\"id\":\"dp_1\"", 12),
          "data.object sliced exactly");
    CHECK_INT(page_event_object("{\"id\":\"evt_2\"}", 14, &start, &len), -1,
              "no data.object");
}

int main(void)
{
    test_list();
    test_bad();
    test_event_object();
    return check_done();
}
