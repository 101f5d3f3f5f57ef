/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/buf.h"
#include "core/err.h"
#include "model/streams.h"
#include "sinks/schema.h"
#include "tests/check.h"

#include <cjson/cJSON.h>

/* Fields of the envelope besides the typed columns: stream, account, then
 * version, source, source_event_id, source_api_version, extracted_at,
 * object, deleted, deleted_at. */
#define HEAD 2
#define TAIL 8

/* Every name the sinks put beside the typed columns. */
static const char *const meta_names[] = {
    "stream",          "account",
    "version",         "source",
    "source_event_id", "source_api_version",
    "extracted_at",    "raw",
    "object",          "deleted",
    "deleted_at",
};

static size_t nr_visible(void)
{
    size_t n = 0;

    for (size_t i = 0; i < nr_streams; i++) {
        n += !stream_hidden(&streams[i]);
    }
    return n;
}

static const char *str_of(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool is(const cJSON *obj, const char *key, const char *want)
{
    const char *got = str_of(obj, key);

    return got && !strcmp(got, want);
}

static void test_format_parse(void)
{
    struct err err = ERR_INIT;
    enum schema_format f = SCHEMA_POSTGRES;

    CHECK(schema_format_parse("bigquery", &f, &err) == 0 &&
              f == SCHEMA_BIGQUERY,
          "bigquery parsed");
    CHECK(schema_format_parse("postgres", &f, &err) == 0 &&
              f == SCHEMA_POSTGRES,
          "postgres parsed");
    CHECK(schema_format_parse("postgresql", &f, &err) == 0 &&
              f == SCHEMA_POSTGRES,
          "postgresql is an alias");
    CHECK_INT(schema_format_parse("snowflake", &f, &err), -1,
              "unknown format refused");
    CHECK_INT(err.kind, ERR_USAGE, "as a usage error");
    CHECK_STR(err.msg,
              "unknown schema format 'snowflake' (formats: bigquery, "
              "postgres)",
              "the message names the formats");
}

static const char *bq_type(enum col_type t)
{
    return t == COL_INT ? "INTEGER" : t == COL_BOOL ? "BOOLEAN" : "STRING";
}

/* One stream's array against the stream table. */
static void check_bigquery_array(const cJSON *arr, const struct stream *s)
{
    char what[128];
    int n = cJSON_GetArraySize(arr);
    bool ok = true;
    const cJSON *last;

    snprintf(what, sizeof(what), "%s: one field per envelope key", s->name);
    CHECK_INT(n, HEAD + (int)s->nr_columns + TAIL, what);
    if (n != HEAD + (int)s->nr_columns + TAIL) {
        return;
    }
    last = cJSON_GetArrayItem(arr, n - 3);
    ok = is(cJSON_GetArrayItem(arr, 0), "name", "stream") &&
         is(cJSON_GetArrayItem(arr, 1), "name", "account") &&
         is(cJSON_GetArrayItem(arr, 1), "mode", "REQUIRED") &&
         is(cJSON_GetArrayItem(arr, HEAD + (int)s->nr_columns), "name",
            "version") &&
         is(last, "name", "object") && is(last, "type", "JSON") &&
         is(cJSON_GetArrayItem(arr, n - 2), "name", "deleted") &&
         is(cJSON_GetArrayItem(arr, n - 2), "type", "BOOLEAN") &&
         is(cJSON_GetArrayItem(arr, n - 2), "mode", "NULLABLE") &&
         is(cJSON_GetArrayItem(arr, n - 1), "name", "deleted_at") &&
         is(cJSON_GetArrayItem(arr, n - 1), "type", "INTEGER");
    snprintf(what, sizeof(what),
             "%s: stream, account (required), the typed columns, version "
             "... object (JSON), deleted (nullable), deleted_at",
             s->name);
    CHECK(ok, what);
    ok = true;
    for (size_t i = 0; i < s->nr_columns; i++) {
        const cJSON *f = cJSON_GetArrayItem(arr, HEAD + (int)i);
        const struct column *c = &s->columns[i];
        bool key = !strcmp(c->name, "id") || !strcmp(c->name, "livemode");

        ok = ok && is(f, "name", c->name) && is(f, "type", bq_type(c->type)) &&
             is(f, "description", c->doc) &&
             is(f, "mode", key ? "REQUIRED" : "NULLABLE");
    }
    snprintf(what, sizeof(what),
             "%s: typed columns in table order, types, docs, modes", s->name);
    CHECK(ok, what);
}

static void test_bigquery(void)
{
    struct buf b = BUF_INIT;
    cJSON *doc;

    schema_generate(&b, SCHEMA_BIGQUERY, NULL);
    doc = cJSON_Parse(b.buf);
    CHECK(cJSON_IsObject(doc), "all streams: one JSON object");
    CHECK_INT(cJSON_GetArraySize(doc), nr_visible(),
              "one key per stream that is not a hidden twin");
    for (size_t i = 0; i < nr_streams; i++) {
        const cJSON *arr =
            cJSON_GetObjectItemCaseSensitive(doc, streams[i].name);
        char what[64];

        if (stream_hidden(&streams[i])) {
            snprintf(what, sizeof(what), "%s: hidden, no schema",
                     streams[i].name);
            CHECK(arr == NULL, what);
            continue;
        }
        snprintf(what, sizeof(what), "%s: an array", streams[i].name);
        CHECK(cJSON_IsArray(arr), what);
        if (cJSON_IsArray(arr)) {
            check_bigquery_array(arr, &streams[i]);
        }
    }
    cJSON_Delete(doc);

    buf_reset(&b);
    schema_generate(&b, SCHEMA_BIGQUERY, stream_find("payouts"));
    doc = cJSON_Parse(b.buf);
    CHECK(cJSON_IsArray(doc), "one stream: a bare array");
    if (cJSON_IsArray(doc)) {
        check_bigquery_array(doc, stream_find("payouts"));
    }
    CHECK(b.len > 0 && b.buf[b.len - 1] == '\n', "newline-terminated");
    cJSON_Delete(doc);
    buf_release(&b);
}

static bool contains(const char *hay, const char *needle)
{
    return strstr(hay, needle) != NULL;
}

static void test_postgres(void)
{
    struct buf b = BUF_INIT, line = BUF_INIT;
    const struct stream *ch = stream_find("charges");
    const char *head = "CREATE TABLE IF NOT EXISTS charges (\n"
                       "  account text NOT NULL,\n"
                       "  id text NOT NULL,\n"
                       "  livemode boolean NOT NULL,\n"
                       "  created bigint,\n";
    const char *p;
    bool in_order = true;

    schema_generate(&b, SCHEMA_POSTGRES, ch);
    CHECK(!strncmp(b.buf, head, strlen(head)),
          "the table starts with account and the key columns");
    CHECK(contains(b.buf, "  amount bigint,\n"), "integer -> bigint");
    CHECK(contains(b.buf, "  paid boolean,\n"), "boolean -> boolean");
    CHECK(contains(b.buf, "  currency text,\n"), "text -> text");
    CHECK(contains(b.buf, "  version bigint NOT NULL,\n"
                          "  source text NOT NULL,\n"
                          "  source_event_id text,\n"
                          "  source_api_version text,\n"
                          "  extracted_at bigint,\n"
                          "  object jsonb NOT NULL,\n"
                          "  deleted boolean NOT NULL DEFAULT false,\n"
                          "  deleted_at bigint,\n"
                          "  PRIMARY KEY (account, livemode, id)\n);\n"),
          "the metadata columns, the object as jsonb, deleted, the key");
    CHECK(contains(b.buf, ");\nALTER TABLE charges ADD COLUMN IF NOT EXISTS "
                          "deleted boolean NOT NULL DEFAULT false;\n"
                          "ALTER TABLE charges ADD COLUMN IF NOT EXISTS "
                          "deleted_at bigint;\n"),
          "an older table gains deleted and deleted_at");
    CHECK(!contains(b.buf, "  stream "), "no stream column in a table");
    CHECK(contains(b.buf, "CREATE INDEX IF NOT EXISTS charges_created ON "
                          "charges (created);\n"),
          "an index on created");
    CHECK(contains(b.buf, "COMMENT ON COLUMN charges.account IS "
                          "'connected account (Stripe-Account), '''' for "
                          "the key''s own';\n"),
          "comments quote single quotes");
    CHECK(contains(b.buf, "COMMENT ON COLUMN charges.payment_method_type IS "
                          "'card, sepa_debit, ...';\n"),
          "a comment per column, from its doc");
    /* every typed column, in table order */
    p = b.buf;
    for (size_t i = 0; i < ch->nr_columns && in_order; i++) {
        buf_reset(&line);
        buf_addf(&line, "\n  %s ", ch->columns[i].name);
        p = strstr(p, line.buf);
        in_order = p != NULL;
    }
    CHECK(in_order, "every typed column, in table order");
    CHECK(!contains(b.buf, "payouts"), "only the stream asked for");

    buf_reset(&b);
    schema_generate(&b, SCHEMA_POSTGRES, NULL);
    for (size_t i = 0; i < nr_streams; i++) {
        buf_reset(&line);
        buf_addf(&line, "CREATE TABLE IF NOT EXISTS %s (\n", streams[i].name);
        CHECK(contains(b.buf, line.buf) == !stream_hidden(&streams[i]),
              streams[i].name);
    }
    CHECK(contains(b.buf, "COMMENT ON TABLE invoice_line_items IS 'Stripe "
                          "line_item objects embedded in invoices.lines, "),
          "a child stream's table says where its objects come from");
    CHECK(contains(b.buf, "  pending_webhooks bigint,\n"),
          "the events table has its own columns");
    buf_release(&line);
    buf_release(&b);
}

/* A typed column named like a metadata column would be a duplicate
 * column in every sink (balance transactions have a "source"). */
static void test_no_collision(void)
{
    for (size_t i = 0; i < nr_streams; i++) {
        const struct stream *s = &streams[i];

        for (size_t k = 0; k < s->nr_columns; k++) {
            for (size_t m = 0; m < ARRAY_SIZE(meta_names); m++) {
                char what[128];

                if (strcmp(s->columns[k].name, meta_names[m])) {
                    continue;
                }
                snprintf(what, sizeof(what),
                         "%s.%s: a typed column named like a metadata one",
                         s->name, s->columns[k].name);
                CHECK(false, what);
            }
        }
    }
    CHECK(true, "no typed column is named like a metadata column");
}

int main(void)
{
    test_no_collision();
    test_format_parse();
    test_bigquery();
    test_postgres();
    return check_done();
}
