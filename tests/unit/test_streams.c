/* SPDX-License-Identifier: MIT */
/*
 * The stream table (model/streams.c) and the planner (reader/plan.c):
 * what the engine and the sinks rely on, checked once here instead of
 * cached at run time.
 */
#include "core/compat.h"
#include "core/err.h"
#include "model/streams.h"
#include "reader/checkpoint.h"
#include "reader/plan.h"
#include "tests/check.h"

static void test_table(void)
{
    const struct stream *ev = stream_find("events");

    for (size_t i = 0; i < nr_streams; i++) {
        const struct stream *s = &streams[i];

        CHECK_STR(s->columns[COLUMN_ID].name, "id", s->name);
        CHECK_STR(s->columns[COLUMN_LIVEMODE].name, "livemode", s->name);
        CHECK_STR(s->columns[COLUMN_CREATED].name, "created", s->name);
        for (size_t c = 0; c < s->nr_columns; c++) {
            CHECK_INT(s->columns[c].key_len, strcspn(s->columns[c].path, "."),
                      s->columns[c].name);
        }
        CHECK(s->nr_columns <= MAX_COLUMNS, "columns fit MAX_COLUMNS");
        /* events, children (updated through their parent), the twin
         * (its stream's routes store it) and the relisted (no event):
         * no routes; every other stream is updated by events */
        CHECK((s->is_events || s->parent || s->store_as || s->relist_until) ==
                  (s->nr_routes == 0),
              "every stream with events is updated by them");
        CHECK(!s->parent || (s->parent->child == s && s->embed && s->sub_path &&
                             strstr(s->sub_path, "%s") && !s->path),
              "a child and its parent name each other; it has no list");
        CHECK(!s->store_as || (s->path && s->list_query &&
                               !strcmp(s->object, s->store_as->object)),
              "a twin lists the objects of its stream");
    }
    CHECK(nr_streams <= MAX_STREAMS, "streams fit MAX_STREAMS");
    CHECK_INT(stream_column(ev, "type"), EVENT_COLUMN_TYPE, "events: type");
    CHECK_INT(stream_column(ev, "api_version"), EVENT_COLUMN_API_VERSION,
              "events: api_version");
    CHECK_INT(stream_column(ev, "object_id"), EVENT_COLUMN_OBJECT_ID,
              "events: object_id");
    CHECK_INT(stream_column(ev, "object_type"), EVENT_COLUMN_OBJECT_TYPE,
              "events: object_type");
}

static void test_routes(void)
{
    const struct stream *ch = stream_find("charges");
    const struct stream *po = stream_find("payouts");
    const struct event_route *r;
    static const char *const rereads[] = {
        "charge.dispute.created", "dispute", "charge.refund.updated", "refund",
        "refund.created",         "refund",  "refund.updated",        "refund",
        "refund.failed",          "refund",
    };

    r = stream_route(ch, "charge.refunded", "charge");
    CHECK(r && r->how == ROUTE_SELF, "charge.refunded carries a charge");
    r = stream_route(ch, "charge.updated", "charge");
    CHECK(r && r->how == ROUTE_SELF, "charge.updated carries a charge");
    for (size_t i = 0; i < ARRAY_SIZE(rereads); i += 2) {
        r = stream_route(ch, rereads[i], rereads[i + 1]);
        CHECK(r && r->how == ROUTE_REREAD && !strcmp(r->ref, "charge"),
              rereads[i]);
    }
    CHECK(!stream_route(ch, "customer.updated", "customer"),
          "a customer does not update charges");
    CHECK(!stream_route(po, "charge.updated", "charge"),
          "a charge does not update payouts");
    r = stream_route(po, "payout.paid", "transfer");
    CHECK(r && r->how == ROUTE_SELF,
          "a payout event rendered before 2017-04-06 carries a transfer");
    CHECK(!stream_route(po, "transfer.created", "transfer"),
          "a transfer event is not a payout's");
}

static struct run_plan plan_of(struct checkpoint *cp, unsigned mask)
{
    struct run_plan rp;
    struct plan_opts o = { mask, 0, 60, EVENTS_LOOKBACK_SECS, 0, 0 };

    memset(&rp, 0, sizeof(rp));
    plan_sync(cp, &o, &rp);
    return rp;
}

static void test_plan(void)
{
    struct checkpoint cp;
    size_t ei = stream_index(stream_find("events"));
    size_t ci = stream_index(stream_find("charges"));
    struct stream_state *feed;
    struct run_plan rp;

    checkpoint_init(&cp, "", "test");
    rp = plan_of(&cp, 1u << ci);
    CHECK(rp.streams[ei].selected, "the change feed is always read");
    CHECK(rp.streams[ei].starts_feed, "a first sync starts the feed");
    CHECK_INT(rp.streams[ei].floor_secs, EVENTS_LOOKBACK_SECS,
              "... 10 minutes back on Stripe's clock, not 30 days");
    CHECK(!rp.history.selected, "no history when events are not selected");
    CHECK_INT(rp.guard_cursor, 0, "a first sync has no retention guard");
    rp = plan_of(&cp, ~0u);
    CHECK(rp.history.selected && rp.history.after_feed,
          "with events selected, the history waits for the feed");
    CHECK_INT(rp.history.floor_secs, EVENT_RETENTION_SECS,
              "the history reaches back 30 days");

    /* a first sync spanning runs: the feed has a mark, the history not */
    feed = &cp.sync.streams[ei];
    feed->has_hwm = true;
    feed->hwm = 1767000000;
    cp.feed_start = 1766999400;
    cp.feed_since = 1766999400;
    rp = plan_of(&cp, ~0u);
    CHECK(!rp.streams[ei].starts_feed, "the feed continues");
    CHECK_INT(rp.streams[ei].lo, 1767000000 - EVENTS_LOOKBACK_SECS,
              "from its mark less the look-back");
    CHECK(rp.history.selected && rp.history.hi_cap == 1766999400,
          "the history is capped by the feed's start");
    CHECK_INT(rp.guard_cursor, 1767000000, "the guard watches the feed only");
    CHECK_INT(rp.guard_secs, EVENT_RETENTION_SECS - RETENTION_MARGIN_SECS,
              "29 days");

    /* the feed never looks back past what it remembers storing */
    CHECK_INT(rp.streams[ei].lo, 1767000000 - EVENTS_LOOKBACK_SECS,
              "a feed that remembers 10 minutes looks back 10 minutes");
    cp.feed_since = 1767000000 - 60;
    rp = plan_of(&cp, ~0u);
    CHECK_INT(rp.streams[ei].lo, 1767000000 - 60,
              "one that remembers 60 s (an older checkpoint) looks back 60 s");
    cp.feed_since = 0;

    /* a feed a backfill seeded (no feed_start): no history */
    cp.feed_start = 0;
    rp = plan_of(&cp, ~0u);
    CHECK(!rp.history.selected,
          "no history for a feed this tool did not start");

    plan_rescan(&cp);
    CHECK(!cp.sync.streams[ei].has_hwm && cp.feed_start == 0,
          "--rescan forgets the feed");
    rp = plan_of(&cp, ~0u);
    CHECK(rp.streams[ei].starts_feed && rp.history.selected,
          "and the next sync starts both again");
    checkpoint_release(&cp);
}

static void test_label(void)
{
    char buf[STREAM_LABEL_MAX];

    CHECK_STR(stream_label(stream_find("charges"), buf, sizeof(buf)), "charges",
              "a stream is labelled by its name");
    CHECK_STR(
        stream_label(stream_find("subscriptions_canceled"), buf, sizeof(buf)),
        "subscriptions (its status=canceled list)",
        "a hidden twin by its stream and its list");
    CHECK_STR(stream_label(stream_find("prices_inactive"), buf, sizeof(buf)),
              "prices (its active=false list)", "  ... inactive prices too");
}

int main(void)
{
    test_table();
    test_label();
    test_routes();
    test_plan();
    return check_done();
}
