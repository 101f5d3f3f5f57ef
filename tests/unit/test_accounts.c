/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "reader/accounts.h"
#include "core/buf.h"
#include "core/err.h"
#include "tests/check.h"

static void test_hash(void)
{
    /* FNV-1a 64 reference values (the empty string is the offset basis) */
    CHECK(account_hash("") == 0xcbf29ce484222325ULL, "fnv1a64('')");
    CHECK(account_hash("a") == 0xaf63dc4c8601ec8cULL, "fnv1a64('a')");
    CHECK(account_hash("foobar") == 0x85944171f73967e8ULL, "fnv1a64('foobar')");
    CHECK_INT(account_shard("acct_1DoubleConn000001", 1), 0, "one shard: 0");
    CHECK_INT(account_shard("acct_1DoubleConn000001", 0), 0, "no sharding: 0");
    CHECK_INT(account_shard("acct_1DoubleConn000001", 7),
              (int)(account_hash("acct_1DoubleConn000001") % 7),
              "shard = hash mod N");
}

/* Every account is in exactly one shard (its id alone decides). */
static void test_partition(void)
{
    enum { N = 5, IDS = 2000 };
    size_t per[N] = { 0 }, in = 0;
    char id[40];

    for (int i = 0; i < IDS; i++) {
        size_t hits = 0;

        snprintf(id, sizeof(id), "acct_1Test%014d", i);
        for (unsigned s = 0; s < N; s++) {
            struct shard sh = { s, N };

            hits += shard_has(&sh, id);
        }
        in += hits == 1;
        per[account_shard(id, N)]++;
    }
    CHECK_INT((long)in, IDS, "every account is in exactly one shard");
    for (int s = 0; s < N; s++) {
        CHECK(per[s] > IDS / N / 2 && per[s] < IDS / N * 2,
              "shards are roughly even");
    }
}

static void test_parse(void)
{
    struct shard sh;
    struct err err = ERR_INIT;

    CHECK(shard_parse("2/5", "--shard", &sh, &err) == 0 && sh.index == 2 &&
              sh.count == 5,
          "2/5");
    CHECK(shard_parse("0/1", "--shard", &sh, &err) == 0, "0/1");
    CHECK(shard_parse("5/5", "--shard", &sh, &err) < 0 && err.kind == ERR_USAGE,
          "5/5 refused");
    CHECK_STR(err.msg,
              "--shard expects I/N with 0 <= I < N <= 4096 (e.g. 0/4), got "
              "'5/5'",
              "the message");
    CHECK(shard_parse("-1/5", "--shard", &sh, &err) < 0, "-1/5");
    CHECK(shard_parse("1/0", "--shard", &sh, &err) < 0, "1/0");
    CHECK(shard_parse("1", "--shard", &sh, &err) < 0, "1");
    CHECK(shard_parse("1/2x", "--shard", &sh, &err) < 0, "1/2x");
    CHECK(shard_parse("1/5000", "--shard", &sh, &err) < 0, "too many");
}

static void add(struct account_set *s, const char *id, int64_t created,
                bool started, bool synced, int64_t feed)
{
    struct account_entry *e;

    account_set_add(s, id, created);
    e = &s->items[s->nr - 1];
    e->started = started;
    e->synced = synced;
    e->feed = feed;
}

static void test_order(void)
{
    struct account_set s = ACCOUNT_SET_INIT;
    struct buf got = BUF_INIT;

    add(&s, "acct_synced_new_feed", 1, true, true, 900);
    add(&s, "acct_new_late", 50, false, false, 0);
    add(&s, "acct_synced_old_feed", 2, true, true, 100);
    add(&s, "acct_begun", 99, true, false, 500);
    add(&s, "acct_new_early", 10, false, false, 0);
    add(&s, "acct_synced_mid_b", 3, true, true, 400);
    add(&s, "acct_synced_mid_a", 4, true, true, 400);
    accounts_order(s.items, s.nr);
    for (size_t i = 0; i < s.nr; i++) {
        buf_addf(&got, "%s%s", i ? " " : "", s.items[i].id);
    }
    CHECK_STR(got.buf,
              "acct_begun acct_new_early acct_new_late "
              "acct_synced_old_feed acct_synced_mid_a acct_synced_mid_b "
              "acct_synced_new_feed",
              "unfinished first syncs (begun ones first), then the oldest "
              "change feed");
    buf_release(&got);
    account_set_release(&s);
}

static void test_set(void)
{
    struct account_set s = ACCOUNT_SET_INIT, back = ACCOUNT_SET_INIT;
    struct shard none = { 0, 0 };
    struct buf json = BUF_INIT;
    struct err err = ERR_INIT;

    account_set_from_list(&s, "acct_b,acct_a,acct_b", &none);
    account_set_add(&s, "acct_c", 7);
    account_set_finish(&s);
    CHECK_INT((long)s.nr, 3, "duplicates dropped");
    CHECK(account_set_find(&s, "acct_c") && !account_set_find(&s, "acct_d"),
          "find");
    s.newest_created = 42;
    snprintf(s.shard, sizeof(s.shard), "1/3");
    account_set_to_json(&s, &json);
    CHECK_STR(json.buf,
              "{\"shard\":\"1/3\",\"newest_created\":42,\"accounts\":"
              "[[\"acct_a\",0],[\"acct_b\",0],[\"acct_c\",7]]}",
              "as JSON");
    CHECK(account_set_from_json(&back, json.buf, "test", &err) == 0 &&
              back.nr == 3 && back.newest_created == 42 &&
              !strcmp(back.shard, "1/3") && back.items[2].created == 7,
          "read back");
    account_set_release(&back);
    CHECK(account_set_from_json(&back,
                                "{\"shard\":\"\",\"newest_created\":0,"
                                "\"accounts\":[[\"bob\",1]]}",
                                "test", &err) < 0 &&
              err.kind == ERR_CONFIG,
          "a bad id is refused");
    account_set_release(&back);
    account_set_release(&s);
    buf_release(&json);
}

int main(void)
{
    test_hash();
    test_partition();
    test_parse();
    test_order();
    test_set();
    return check_done();
}
