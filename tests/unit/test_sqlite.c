/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "model/streams.h"
#include "model/record.h"
#include "core/buf.h"
#include "sinks/sink.h"
#include "sinks/sqlite_schema.h"
#include "tests/check.h"
#include "tests/unit/records.h"

#include <sqlite3.h>
#include <unistd.h>

static char dir[] = "/tmp/test_sqlite.XXXXXX";
static char uri[160], path[128];

static int write_charge(struct sink *s, const char *id, int64_t version,
                        int64_t amount, struct err *err)
{
    char raw[256];
    struct record rec;
    struct colval cols[MAX_COLUMNS];
    const struct stream *st = stream_find("charges");
    int ret;

    snprintf(raw, sizeof(raw),
             "{\"id\":\"%s\",\"object\":\"charge\",\"created\":1700000000,"
             "\"amount\":%lld,\"livemode\":false,\"paid\":true,"
             "\"customer\":{\"id\":\"cus_1\",\"object\":\"customer\"},"
             "\"big\":123456789012345678901234567890}",
             id, (long long)amount);
    charge_cols(cols, id, amount);
    cols[stream_column(st, "customer")].kind = COLVAL_TEXT;
    cols[stream_column(st, "customer")].text = "cus_1";
    memset(&rec, 0, sizeof(rec));
    rec.stream = stream_find("charges");
    rec.id = id;
    rec.account = "";
    rec.created = 1700000000;
    rec.version = version;
    rec.source = SOURCE_LIST;
    rec.extracted_at = 1;
    rec.raw = raw;
    rec.raw_len = strlen(raw);
    rec.cols = cols;
    ret = s->type->write(s, &rec, err);
    return ret;
}

/* A price of stream 'stream' (prices, or its hidden twin), deleted at
 * 'deleted_at' unless 0. */
static int write_price(struct sink *s, const char *stream, const char *id,
                       int64_t version, int64_t deleted_at, struct err *err)
{
    char raw[160];
    struct record rec;
    struct colval cols[MAX_COLUMNS];

    snprintf(raw, sizeof(raw),
             "{\"id\":\"%s\",\"object\":\"price\",\"created\":1700000000,"
             "\"version\":%lld}",
             id, (long long)version);
    test_record(&rec, cols, stream, id, version, deleted_at, raw);
    return s->type->write(s, &rec, err);
}

static char *query(const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char *out = NULL;

    sqlite3_open(path, &db);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);

        out = xstrdup(t ? (const char *)t : "(null)");
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out ? out : xstrdup("(no row)");
}

#define CHECK_QUERY(sql, want, what)                                           \
    do {                                                                       \
        char *q_ = query(sql);                                                 \
        CHECK_STR(q_, want, what);                                             \
        free(q_);                                                              \
    } while (0)

static int count_states(const struct sink_state *ss, void *data)
{
    (*(int *)data)++;
    return ss->key ? 0 : -1;
}

static void test_versions(void)
{
    struct sink *s = NULL;
    struct err err = ERR_INIT;
    char *state = NULL;
    int n = 0;

    CHECK_INT(sink_open(&s, uri, NULL, &err), 0, "open creates the database");
    CHECK_INT(write_charge(s, "ch_1", 100, 500, &err), 0, "write");
    CHECK_INT(write_charge(s, "ch_1", 90, 400, &err), 0, "older write");
    CHECK_INT(s->type->commit(s, "prof", "{\"a\":1}", &err), 0, "commit");
    CHECK_QUERY("SELECT amount || '/' || version FROM charges", "500/100",
                "an older version never replaces a newer one");
    CHECK_INT(write_charge(s, "ch_1", 100, 600, &err), 0, "equal version");
    CHECK_INT(s->type->commit(s, "prof", "{\"a\":2}", &err), 0, "commit");
    CHECK_QUERY("SELECT amount FROM charges", "600",
                "an equal version replaces");
    CHECK_QUERY("SELECT customer FROM charges", "cus_1",
                "a text column is stored");
    CHECK_QUERY("SELECT json_extract(raw, '$.big') IS NOT NULL AND "
                "instr(raw, '123456789012345678901234567890') > 0 "
                "FROM charges",
                "1", "raw JSON keeps big numbers exactly");
    CHECK_INT(write_charge(s, "ch_2", 200, 1, &err), 0, "uncommitted write");
    sink_close(s);
    CHECK_QUERY("SELECT count(*) FROM charges", "1",
                "uncommitted writes are discarded at close");
    CHECK_INT(sink_open(&s, uri, NULL, &err), 0, "reopen");
    CHECK_INT(s->type->load_state(s, "prof", &state, &err), 0, "load state");
    CHECK_STR(state, "{\"a\":2}", "state from the last commit");
    free(state);
    CHECK_INT(s->type->load_state(s, "other", &state, &err), 0,
              "load missing state");
    CHECK(state == NULL, "missing state is NULL");
    CHECK_INT(s->type->list_states(s, count_states, &n, &err), 0, "list");
    CHECK_INT(n, 1, "one state listed");
    CHECK_INT(s->type->record_run(s,
                                  "{\"profile\":\"prof\",\"command\":\"sync\","
                                  "\"status\":\"ok\",\"exit_code\":0}",
                                  &err),
              0, "record a run");
    CHECK_INT(s->type->delete_state(s, "prof", &err), 0, "delete state");
    sink_close(s);
    CHECK_QUERY("SELECT profile || ' ' || status FROM runs", "prof ok",
                "run history columns filled from the JSON");
    CHECK_QUERY("SELECT count(*) FROM state", "0", "state deleted");
    CHECK_QUERY("PRAGMA journal_mode", "wal", "WAL mode");
}

static void test_errors(void)
{
    struct sink *s = NULL;
    struct err err = ERR_INIT;
    sqlite3 *db = NULL;
    char bad[200];

    CHECK_INT(sink_open(&s, "sqlite:", NULL, &err), -1, "empty path refused");
    CHECK_STR(err.msg, "sink 'sqlite:' names no file", "message");
    CHECK_INT(sink_open(&s, "parquet:x", NULL, &err), -1, "unknown scheme");
    CHECK_INT(err.kind, ERR_CONFIG, "unknown sink is a config error");
    snprintf(bad, sizeof(bad), "sqlite:%s/no/such/dir/x.db", dir);
    CHECK_INT(sink_open(&s, bad, NULL, &err), -1, "unwritable path refused");
    CHECK_INT(err.kind, ERR_IO, "an unopenable database is an I/O error");
    CHECK(strstr(err.msg, "cannot open the database") != NULL,
          "message says what failed");
    sqlite3_open(path, &db);
    sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL);
    sqlite3_close(db);
    CHECK_INT(sink_open(&s, uri, NULL, &err), -1, "newer schema refused");
    CHECK(strstr(err.msg, "schema version 99") != NULL, "version named");
    CHECK(s == NULL, "no sink on failure");
}

/* Deletes are marked rows; a hidden twin's records are its stream's. */
static void test_deleted(void)
{
    struct sink *s = NULL;
    struct err err = ERR_INIT;
    int64_t v = 0;

    CHECK_INT(sink_open(&s, uri, NULL, &err), 0, "open");
    CHECK_INT(write_price(s, "prices", "price_1", 100, 0, &err), 0,
              "write a price");
    CHECK_INT(write_price(s, "prices_inactive", "price_2", 100, 0, &err), 0,
              "write an inactive price (the hidden twin)");
    CHECK_INT(s->type->stored_version(s, stream_find("prices_inactive"), "",
                                      false, "price_2", &v, &err),
              1, "the twin's copy is found through the twin");
    CHECK_INT(v, 100, "  ... with its version");
    CHECK_INT(s->type->commit(s, "prof", "{}", &err), 0, "commit");
    CHECK_QUERY("SELECT count(*) || ' ' || sum(deleted) || ' ' || "
                "count(deleted_at) FROM prices",
                "2 0 0", "both in prices, deleted = 0, deleted_at NULL");
    CHECK_QUERY("SELECT count(*) FROM sqlite_master WHERE name LIKE "
                "'%inactive%'",
                "0", "no table for the hidden twin");
    CHECK_INT(write_price(s, "prices", "price_1", 200, 200, &err), 0,
              "a delete");
    CHECK_INT(write_price(s, "prices", "price_1", 150, 0, &err), 0,
              "an older copy after it");
    CHECK_INT(s->type->commit(s, "prof", "{}", &err), 0, "commit");
    CHECK_QUERY("SELECT deleted || ' ' || deleted_at || ' ' || version || ' ' "
                "|| json_extract(raw, '$.version') || ' ' || source_event_id "
                "FROM prices WHERE id = 'price_1'",
                "1 200 200 200 evt_del",
                "the row is kept, marked deleted, with its last state");
    CHECK_INT(write_price(s, "prices", "price_1", 300, 0, &err), 0,
              "a newer copy that is not deleted");
    CHECK_INT(s->type->commit(s, "prof", "{}", &err), 0, "commit");
    CHECK_QUERY("SELECT deleted || ' ' || coalesce(deleted_at, 'null') FROM "
                "prices WHERE id = 'price_1'",
                "0 null", "the version rule is unchanged: newest wins");
    sink_close(s);
}

/* The schema of version 1: the tables of the first three streams,
 * without deleted and deleted_at. */
static void make_old_database(const char *file)
{
    struct buf ddl = BUF_INIT;
    sqlite3 *db = NULL;
    char *p;

    sqlite_schema_ddl(&ddl);
    while ((p = strstr(ddl.buf, "  deleted"))) {
        char *eol = strchr(p, '\n');

        memmove(p, eol + 1, strlen(eol + 1) + 1);
    }
    sqlite3_open(file, &db);
    sqlite3_exec(db, ddl.buf, NULL, NULL, NULL);
    sqlite3_exec(db,
                 "DROP TABLE invoices; DROP TABLE customers;"
                 "INSERT INTO charges (account, id, livemode, version, "
                 "source, extracted_at, raw) VALUES ('', 'ch_old', 0, 5, "
                 "'list', 1, '{}');"
                 "PRAGMA user_version = 1;",
                 NULL, NULL, NULL);
    sqlite3_close(db);
    buf_release(&ddl);
}

static void test_upgrade(void)
{
    char file[128], old_uri[160];
    struct sink *s = NULL;
    struct err err = ERR_INIT;

    snprintf(file, sizeof(file), "%s/old.db", dir);
    snprintf(old_uri, sizeof(old_uri), "sqlite:%s", file);
    make_old_database(file);
    memcpy(path, file, sizeof(path)); /* for query() */
    CHECK_QUERY("SELECT count(*) FROM pragma_table_info('charges') WHERE "
                "name LIKE 'deleted%'",
                "0", "an old database without deleted columns");
    CHECK_INT(sink_open(&s, old_uri, NULL, &err), 0, "the old database opens");
    CHECK_INT(write_charge(s, "ch_new", 10, 1, &err), 0, "a write");
    CHECK_INT(write_price(s, "prices", "price_9", 10, 10, &err), 0,
              "a deleted price");
    CHECK_INT(s->type->commit(s, "prof", "{}", &err), 0, "commit");
    sink_close(s);
    CHECK_QUERY("SELECT group_concat(name || ' ' || type || ' ' || \"notnull\" "
                "|| ' ' || coalesce(dflt_value, 'null'), ', ') FROM "
                "pragma_table_info('payouts') WHERE name LIKE 'deleted%'",
                "deleted INTEGER 1 0, deleted_at INTEGER 0 null",
                "the old tables gained deleted and deleted_at");
    CHECK_QUERY("SELECT group_concat(id || ' ' || deleted, ', ') FROM "
                "(SELECT * FROM charges ORDER BY id)",
                "ch_new 0, ch_old 0", "old rows are not deleted");
    CHECK_QUERY("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                "name IN ('invoices', 'customers')",
                "2", "the missing tables were created");
    CHECK_QUERY("PRAGMA user_version", "2", "schema version 2");
    CHECK_INT(sink_open(&s, old_uri, NULL, &err), 0, "it opens again");
    sink_close(s);
    unlink(file);
    snprintf(path, sizeof(path), "%s/t.db", dir);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(path, sizeof(path), "%s/t.db", dir);
    snprintf(uri, sizeof(uri), "sqlite:%s", path);
    test_versions();
    test_deleted();
    test_upgrade();
    test_errors();
    unlink(path);
    {
        char p2[200];

        snprintf(p2, sizeof(p2), "%s-wal", path);
        unlink(p2);
        snprintf(p2, sizeof(p2), "%s-shm", path);
        unlink(p2);
    }
    rmdir(dir);
    return check_done();
}
