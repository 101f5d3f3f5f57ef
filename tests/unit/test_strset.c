/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/strset.h"
#include "core/xalloc.h"
#include "tests/check.h"

static void test_basics(void)
{
    static const struct {
        const char *key;
        int64_t value;
        bool added; /* strset_add's answer */
    } rows[] = {
        { "ch_3", 30, true },
        { "ch_1", 10, true },
        { "ch_2", 20, true },
        { "ch_1", 99, false },
        { "", 5, true },
        { "ch_10", -1, true },
        { "CH_1", 11, true },
        { "ch_2", 0, false },
        { "py_1", INT64_MAX, true },
        { "py_2", INT64_MIN, true },
    };
    static const char *const sorted[] = {
        "", "CH_1", "ch_1", "ch_10", "ch_2", "ch_3", "py_1", "py_2",
    };
    struct strset s = STRSET_INIT;
    const struct strset_entry **list;
    const struct strset_entry *e;
    size_t it = 0, n = 0;
    int64_t v = 0;
    char what[80];

    CHECK(!strset_contains(&s, "x"), "empty: nothing found");
    CHECK(strset_sorted(&s) == NULL, "empty: sorted is NULL");
    CHECK(strset_next(&s, &it) == NULL, "empty: nothing to walk");
    CHECK(!strset_remove(&s, "x"), "empty: nothing removed");
    for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
        snprintf(what, sizeof(what), "add '%s': %s", rows[i].key,
                 rows[i].added ? "added" : "already there");
        CHECK(strset_add(&s, rows[i].key, rows[i].value) == rows[i].added,
              what);
    }
    CHECK_INT(strset_count(&s), ARRAY_SIZE(sorted), "count");
    CHECK(strset_get(&s, "ch_1", &v) && v == 10,
          "a second add leaves the value alone");
    CHECK(strset_get(&s, "py_1", &v) && v == INT64_MAX, "int64 max kept");
    CHECK(strset_get(&s, "py_2", &v) && v == INT64_MIN, "int64 min kept");
    CHECK(strset_get(&s, "", NULL), "the empty key; NULL value pointer");
    CHECK(!strset_get(&s, "ch_4", &v), "absent key");
    CHECK(!strset_contains(&s, "ch"), "a prefix is not a key");
    strset_set(&s, "ch_1", 12);
    strset_set(&s, "ch_4", 40);
    CHECK(strset_get(&s, "ch_1", &v) && v == 12, "set overwrites");
    CHECK(strset_get(&s, "ch_4", &v) && v == 40, "set adds");
    strset_find(&s, "ch_4")->value++;
    CHECK(strset_get(&s, "ch_4", &v) && v == 41, "find: value writable");
    CHECK(strset_remove(&s, "ch_4"), "remove: present");
    CHECK(!strset_remove(&s, "ch_4"), "remove: no longer present");
    CHECK(!strset_contains(&s, "ch_4"), "removed key not found");

    while ((e = strset_next(&s, &it))) {
        n++;
    }
    CHECK_INT(n, ARRAY_SIZE(sorted), "the walk sees every key once");
    list = strset_sorted(&s);
    for (size_t i = 0; i < ARRAY_SIZE(sorted); i++) {
        snprintf(what, sizeof(what), "sorted[%zu]", i);
        CHECK_STR(list[i]->key, sorted[i], what);
    }
    free(list);

    strset_clear(&s);
    CHECK_INT(strset_count(&s), 0, "clear: empty");
    CHECK(!strset_contains(&s, "ch_1"), "clear: keys gone");
    CHECK(strset_add(&s, "ch_1", 1), "clear: usable again");
    strset_release(&s);
    strset_release(&s);
    CHECK(s.slots == NULL && s.nr == 0, "release: idempotent");
}

/*
 * Random adds and removes against a plain array of flags: removal moves
 * entries back in their probe runs, and every key must stay reachable.
 */
static void test_against_model(void)
{
    enum { KEYS = 3000, OPS = 60000 };
    struct strset s = STRSET_INIT;
    bool *in = xcalloc(KEYS, sizeof(*in));
    unsigned long long x = 12345;
    size_t want = 0, wrong = 0;
    char key[32];

    for (int op = 0; op < OPS; op++) {
        int k;
        bool add;

        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        k = (int)((x >> 33) % KEYS);
        add = (x >> 20) & 1 ? true : op < OPS / 3;
        snprintf(key, sizeof(key), "evt_%d", k);
        if (add) {
            wrong += strset_add(&s, key, k) == in[k];
            want += !in[k];
            in[k] = true;
        }
        else {
            wrong += strset_remove(&s, key) != in[k];
            want -= in[k];
            in[k] = false;
        }
    }
    CHECK_INT(wrong, 0, "model: every add and remove answered right");
    CHECK_INT(strset_count(&s), want, "model: count");
    for (int k = 0; k < KEYS; k++) {
        int64_t v = -1;

        snprintf(key, sizeof(key), "evt_%d", k);
        if (strset_get(&s, key, &v) != in[k] || (in[k] && v != k)) {
            wrong++;
        }
    }
    CHECK_INT(wrong, 0, "model: every key found or not, with its value");
    free(in);
    strset_release(&s);
}

/* Many keys: linear time overall (a quadratic set would take minutes). */
static void test_many(void)
{
    enum { N = 200000 };
    struct strset s = STRSET_INIT;
    const struct strset_entry **list;
    size_t bad = 0;
    char key[32];

    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof(key), "ch_3Nv0FGQ9RKHgCVdK%07d", i);
        bad += !strset_add(&s, key, i);
    }
    CHECK_INT(bad, 0, "200000 distinct keys all added");
    CHECK_INT(strset_count(&s), N, "  ... counted");
    for (int i = 0; i < N; i++) {
        int64_t v = -1;

        snprintf(key, sizeof(key), "ch_3Nv0FGQ9RKHgCVdK%07d", i);
        bad += !strset_get(&s, key, &v) || v != i;
        bad += strset_add(&s, key, -1);
    }
    CHECK_INT(bad, 0, "  ... each found with its value, none added twice");
    for (int i = 0; i < N; i += 2) {
        snprintf(key, sizeof(key), "ch_3Nv0FGQ9RKHgCVdK%07d", i);
        bad += !strset_remove(&s, key);
    }
    CHECK_INT(bad, 0, "  ... half removed");
    CHECK_INT(strset_count(&s), N / 2, "  ... half left");
    list = strset_sorted(&s);
    for (size_t i = 0; i < N / 2; i++) {
        bad += list[i]->value != (int64_t)(2 * i + 1);
    }
    CHECK_INT(bad, 0, "  ... sorted: the odd ones in order");
    free(list);
    strset_release(&s);
}

int main(void)
{
    test_basics();
    test_against_model();
    test_many();
    return check_done();
}
