/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/buf.h"
#include "core/err.h"
#include "reader/checkpoint.h"
#include "model/streams.h"
#include "tests/check.h"

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
    checkpoint_to_json(&cp, &a);
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
    checkpoint_release(&cp);
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
    test_streams();
    return check_done();
}
