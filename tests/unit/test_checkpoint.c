/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/buf.h"
#include "core/err.h"
#include "reader/checkpoint.h"
#include "model/streams.h"
#include "tests/check.h"

#include <time.h>

static struct stream_state *state_of(struct stream_set *set, const char *n)
{
    return &set->streams[stream_index(stream_find(n))];
}

static void test_roundtrip(void)
{
    struct checkpoint cp, back;
    struct stream_state *st;
    struct window *w;
    struct buf a = BUF_INIT, b = BUF_INIT;
    struct err err = ERR_INIT;

    checkpoint_init(&cp, "acct_1X", "live");
    cp.server_skew = -42;
    st = state_of(&cp.sync, "charges");
    st->has_hwm = true;
    st->hwm = 1700000000;
    st->hi = 1700000600;
    w = stream_state_add_window(st, 1700000000, 1700000300);
    window_set_cursor(w, "ch_\"quoted\"", 1700000200);
    stream_state_add_window(st, 1700000300, 1700000600);
    w = stream_state_add_window(st, 1, 2);
    w->done = true;
    w = stream_state_add_window(st, 5, WINDOW_OPEN);
    st = state_of(checkpoint_backfill(&cp, "2019..now"), "payouts");
    st->has_hwm = true;
    st->hwm = 99;
    checkpoint_owe(&cp, stream_find("charges"), "ch_\"b\"", 1700000100);
    checkpoint_owe(&cp, stream_find("charges"), "ch_a", 1700000200);
    checkpoint_owe(&cp, stream_find("charges"), "ch_a", 1700000150);
    checkpoint_set_kids(&cp, stream_find("subscription_items"), "sub_2",
                        "si_c");
    checkpoint_set_kids(&cp, stream_find("subscription_items"), "sub_1",
                        "si_x");
    checkpoint_set_kids(&cp, stream_find("subscription_items"), "sub_1",
                        "si_b si_a");
    checkpoint_set_kids(&cp, stream_find("subscription_items"), "sub_3",
                        "si_d");
    checkpoint_set_kids(&cp, stream_find("subscription_items"), "sub_3", NULL);
    checkpoint_to_json(&cp, &a);
    CHECK(strstr(a.buf, "\"kids\":[[\"subscription_items\",\"sub_1\","
                        "[\"si_b\",\"si_a\"]],[\"subscription_items\","
                        "\"sub_2\",[\"si_c\"]]]") != NULL,
          "a parent's children: parents sorted, the last ids kept, none "
          "for a parent forgotten");
    CHECK(strstr(a.buf, "\"owed\":[[\"charges\",\"ch_\\\"b\\\"\",1700000100],"
                        "[\"charges\",\"ch_a\",1700000200]]") != NULL,
          "re-reads owed: sorted, the newest event kept, ids quoted");
    CHECK(strstr(a.buf, "\"format\":1") != NULL, "format recorded");
    CHECK(strstr(a.buf, "\"lo\":1,") == NULL, "done windows are not saved");
    CHECK(strstr(a.buf, "\"lo\":5,") == NULL,
          "unbounded windows are not saved");

    checkpoint_init(&back, "", "test");
    CHECK_INT(checkpoint_from_json(&back, a.buf, "test", &err), 0,
              "checkpoint parses back");
    checkpoint_to_json(&back, &b);
    CHECK_STR(b.buf, a.buf, "round trip is exact");
    CHECK_STR(back.account, "acct_1X", "account kept");
    CHECK_STR(back.mode, "live", "mode kept");
    CHECK_INT(back.server_skew, -42, "skew kept");
    st = state_of(&back.sync, "charges");
    CHECK_INT(st->nr_windows, 2, "two open windows restored");
    CHECK_STR(st->windows[0]->after, "ch_\"quoted\"", "cursor restored");
    CHECK_INT(st->windows[0]->after_created, 1700000200, "cursor created");
    CHECK(st->windows[1]->after == NULL &&
              st->windows[1]->after_created == 1700000600,
          "window without cursor starts at its top");
    CHECK_INT(back.nr_backfills, 1, "backfill restored");
    CHECK_INT(state_of(&back.backfills[0].set, "payouts")->hwm, 99,
              "backfill mark restored");
    CHECK_INT((long)strset_count(&back.owed), 2, "re-reads owed restored");
    CHECK_STR(
        checkpoint_kids(&back, stream_find("subscription_items"), "sub_1"),
        "si_b si_a", "children restored");
    CHECK(checkpoint_kids(&back, stream_find("subscription_items"), "sub_3") ==
              NULL,
          "  ... none for a parent forgotten");
    checkpoint_release(&back);
    checkpoint_release(&cp);
    buf_release(&a);
    buf_release(&b);
}

static void test_bad(void)
{
    struct checkpoint cp;
    struct err err = ERR_INIT;

    checkpoint_init(&cp, "", "test");
    CHECK_INT(checkpoint_from_json(&cp, "{\"format\":1}", "state 'x'", &err),
              -1, "missing fields refused");
    CHECK_INT(err.kind, ERR_CONFIG, "a bad checkpoint is a config error");
    CHECK(strstr(err.msg, "state 'x': invalid checkpoint: 'account'") != NULL,
          "message names where and what");
    CHECK_INT(checkpoint_from_json(&cp, "{\"format\":", "s", &err), -1,
              "truncated JSON refused");
    CHECK_INT(checkpoint_from_json(&cp,
                                   "{\"format\":2,\"account\":\"\","
                                   "\"mode\":\"test\",\"streams\":{}}",
                                   "s", &err),
              -1, "future format refused");
    CHECK(strstr(err.msg, "format 2") != NULL, "format named");
    CHECK_INT(checkpoint_from_json(
                  &cp,
                  "{\"format\":1,\"account\":\"\",\"mode\":\"test\","
                  "\"streams\":{\"charges\":{\"hi\":9,\"windows\":[{\"lo\":5,"
                  "\"hi\":3}]}}}",
                  "s", &err),
              -1, "inverted window refused");
    CHECK_INT(checkpoint_from_json(&cp,
                                   "{\"format\":1,\"account\":\"\","
                                   "\"mode\":\"test\",\"streams\":{},"
                                   "\"owed\":[[\"events\",\"evt_1\",5]]}",
                                   "s", &err),
              -1, "a re-read owed of an event refused");
    CHECK(strstr(err.msg, "'owed': expected [stream, id, event time]") != NULL,
          "saying what is expected");
    CHECK_INT(checkpoint_from_json(&cp,
                                   "{\"format\":1,\"account\":\"\","
                                   "\"mode\":\"test\",\"streams\":{},"
                                   "\"owed\":[[\"charges\",\"ch_1\",1e999]]}",
                                   "s", &err),
              -1, "an out-of-range event time refused");
    CHECK_INT(checkpoint_from_json(&cp,
                                   "{\"format\":1,\"account\":\"\","
                                   "\"mode\":\"test\",\"streams\":{},"
                                   "\"kids\":[[\"invoices\","
                                   "\"in_1\",[\"il_1\"]]]}",
                                   "s", &err),
              -1, "children of a stream that is no child refused");
    CHECK(strstr(err.msg, "'kids': expected [stream, parent, [id, ...]]") !=
              NULL,
          "saying what is expected");
    CHECK_INT(checkpoint_from_json(&cp,
                                   "{\"format\":1,\"account\":\"\","
                                   "\"mode\":\"test\",\"streams\":{},"
                                   "\"kids\":[[\"subscription_items\","
                                   "\"sub_1\",[\"si 1\"]]]}",
                                   "s", &err),
              -1, "an id with a space refused");
    CHECK_INT(checkpoint_from_json(&cp,
                                   "{\"format\":1,\"account\":\"\","
                                   "\"mode\":\"test\",\"streams\":{},"
                                   "\"kids\":[[\"subscription_items\","
                                   "\"sub:1\",[\"si_1\"]]]}",
                                   "s", &err),
              -1, "a parent id with ':' refused");
    checkpoint_release(&cp);
}

/* A checkpoint with one member 'extra' in the charges stream. */
static int parse_with(const char *extra, struct err *err)
{
    struct checkpoint cp;
    struct buf json = BUF_INIT;
    int ret;

    buf_addf(&json,
             "{\"format\":1,\"account\":\"\",\"mode\":\"test\","
             "\"streams\":{\"charges\":{%s}}}",
             extra);
    checkpoint_init(&cp, "", "test");
    ret = checkpoint_from_json(&cp, json.buf, "s", err);
    checkpoint_release(&cp);
    buf_release(&json);
    return ret;
}

/* Issue 13: numbers out of range are refused, not converted. */
static void test_numbers(void)
{
    struct err err = ERR_INIT;

    CHECK_INT(parse_with("\"recent\":[[\"ch_1\",1e999,5]]", &err), -1,
              "a version of 1e999 is refused");
    CHECK(strstr(err.msg, "expected [id, version, created] items") != NULL,
          "and named");
    CHECK_INT(parse_with("\"recent\":[[\"ch_1\",5,9223372036854774784]]", &err),
              -1, "a created beyond 2^53 is refused");
    CHECK_INT(parse_with("\"retrieved\":[[\"ch_1\",1.5,5]]", &err), -1,
              "a fraction is refused");
    CHECK_INT(parse_with("\"done\":[[0,1e999]]", &err), -1,
              "a done range with 1e999 is refused");
    CHECK_INT(parse_with("\"done\":[[-1e999,5]]", &err), -1, "and with -1e999");
    CHECK_INT(parse_with("\"hwm\":1e999", &err), -1, "an hwm of 1e999");
    CHECK_INT(parse_with("\"windows\":[{\"lo\":0,\"hi\":"
                         "9223372036854774784}]",
                         &err),
              -1, "a window bound beyond 2^53");
    CHECK_INT(parse_with("\"recent\":[[\"ch_1\",5,6]],\"done\":[[1,2]]", &err),
              0, "good numbers parse");
}

static double cpu_seconds(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

/*
 * Issue 13: 80,000 derived ids in a window and 40,000 backfill ranges
 * took 9.4 s and 5.7 s to load (a linear lookup per entry).  Both are
 * now well under a second.
 */
static void test_linear_loads(void)
{
    struct checkpoint cp;
    struct buf json = BUF_INIT;
    struct err err = ERR_INIT;
    struct stream_state *st;
    double t;
    int n = 80000;

    buf_addstr(&json, "{\"format\":1,\"account\":\"\",\"mode\":\"test\","
                      "\"streams\":{\"events\":{\"hi\":9,\"windows\":[{"
                      "\"lo\":1,\"hi\":9,\"after\":\"evt_1\","
                      "\"after_created\":5,\"derived\":[");
    for (int i = 0; i < n; i++) {
        buf_addf(&json, "%s\"ch_%d\"", i ? "," : "", i);
    }
    buf_addstr(&json, ",\"ch_7\"]}]}}}");
    checkpoint_init(&cp, "", "test");
    t = cpu_seconds();
    CHECK_INT(checkpoint_from_json(&cp, json.buf, "s", &err), 0,
              "80,000 derived ids parse");
    t = cpu_seconds() - t;
    CHECK(t < 1.0, "in well under a second");
    printf("# 80000 derived ids: %.3f s\n", t);
    st = state_of(&cp.sync, "events");
    CHECK_INT(st->nr_windows ? st->windows[0]->nr_derived : 0, n,
              "each id once (the repeated one merged)");
    CHECK(st->nr_windows && window_derived_seen(st->windows[0], "ch_79999", 5),
          "a loaded id is seen");
    CHECK(st->nr_windows && !window_derived_seen(st->windows[0], "ch_x", 5),
          "a new id is not");
    CHECK(st->nr_windows && window_derived_seen(st->windows[0], "ch_x", 5),
          "but is the second time");
    CHECK(st->nr_windows && !window_derived_seen(st->windows[0], "ch_x", 6),
          "a new second starts afresh");
    checkpoint_release(&cp);

    n = 40000;
    buf_reset(&json);
    buf_addstr(&json, "{\"format\":1,\"account\":\"\",\"mode\":\"test\","
                      "\"streams\":{},\"backfills\":{");
    for (int i = 0; i < n; i++) {
        buf_addf(&json, "%s\"%d..now\":{}", i ? "," : "", i);
    }
    buf_addstr(&json, "}}");
    checkpoint_init(&cp, "", "test");
    t = cpu_seconds();
    CHECK_INT(checkpoint_from_json(&cp, json.buf, "s", &err), 0,
              "40,000 backfill ranges parse");
    t = cpu_seconds() - t;
    CHECK(t < 1.0, "in well under a second");
    printf("# 40000 backfill ranges: %.3f s\n", t);
    CHECK_INT(cp.nr_backfills, n, "all kept");
    checkpoint_release(&cp);

    checkpoint_init(&cp, "", "test");
    CHECK_INT(
        checkpoint_from_json(&cp,
                             "{\"format\":1,\"account\":\"\",\"mode\":"
                             "\"test\",\"streams\":{},\"backfills\":{"
                             "\"1..now\":{},\"2..now\":{},\"1..now\":{}}}",
                             "s", &err),
        -1, "a range stored twice is refused");
    CHECK(strstr(err.msg, "'backfills.1..now': stored twice") != NULL,
          "and named");
    checkpoint_release(&cp);
    buf_release(&json);
}

static void test_streams(void)
{
    struct err err = ERR_INIT;
    unsigned mask = 0;

    CHECK_INT(streams_parse(NULL, &mask, &err), 0, "default: all");
    CHECK_INT(mask, (1u << nr_streams) - 1, "all streams selected");
    CHECK_INT(streams_parse("payouts,charges", &mask, &err), 0, "a list");
    CHECK_INT(mask,
              (1u << stream_index(stream_find("payouts"))) |
                  (1u << stream_index(stream_find("charges"))),
              "both selected");
    CHECK_INT(streams_parse("charge", &mask, &err), -1, "unknown stream");
    CHECK_STR(err.msg, "unknown stream 'charge' (did you mean 'charges'?)",
              "did-you-mean for streams");
}

int main(void)
{
    test_roundtrip();
    test_bad();
    test_numbers();
    test_linear_loads();
    test_streams();
    return check_done();
}
