/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "sinks/sqlite_schema.h"
#include "core/buf.h"
#include "model/streams.h"

#include <sqlite3.h>

/*
 * After the typed columns, every stream table has these.  deleted and
 * deleted_at came with schema version 2: they are last, where ALTER
 * TABLE ADD COLUMN puts them in an older database, so old and new
 * tables have the same columns in the same order.
 */
static const char *const meta_columns[SQLITE_META_COLUMNS][2] = {
    { "version", "INTEGER NOT NULL" },
    { "source", "TEXT NOT NULL" },
    { "source_event_id", "TEXT" },
    { "source_api_version", "TEXT" },
    { "extracted_at", "INTEGER NOT NULL" },
    { "raw", "TEXT NOT NULL" },
    { "deleted", "INTEGER NOT NULL DEFAULT 0" },
    { "deleted_at", "INTEGER" },
};

/* The meta columns an older schema lacks (from this index on). */
#define FIRST_ADDED_META 6

#define SOURCE_RANK(col)                                                       \
    "(CASE " col " WHEN 'event' THEN 0 WHEN 'list' THEN 1 ELSE 2 END)"

static const char *sql_type(enum col_type t)
{
    return t == COL_TEXT ? "TEXT" : "INTEGER";
}

static void table_ddl(struct buf *out, const struct stream *s)
{
    buf_addf(out,
             "CREATE TABLE IF NOT EXISTS %s (\n"
             "  account TEXT NOT NULL,\n",
             s->name);
    for (size_t i = 0; i < s->nr_columns; i++) {
        const struct column *c = &s->columns[i];

        buf_addf(out, "  %s %s%s,\n", c->name, sql_type(c->type),
                 !strcmp(c->name, "id") || !strcmp(c->name, "livemode")
                     ? " NOT NULL"
                     : "");
    }
    for (size_t i = 0; i < SQLITE_META_COLUMNS; i++) {
        buf_addf(out, "  %s %s,\n", meta_columns[i][0], meta_columns[i][1]);
    }
    buf_addstr(out, "  PRIMARY KEY (account, livemode, id)\n);\n");
    buf_addf(out, "CREATE INDEX IF NOT EXISTS %s_created ON %s (created);\n",
             s->name, s->name);
}

void sqlite_schema_ddl(struct buf *out)
{
    for (size_t i = 0; i < nr_streams; i++) {
        /* a hidden twin's records go to its store_as table */
        if (!stream_hidden(&streams[i])) {
            table_ddl(out, &streams[i]);
        }
    }
    buf_addstr(out, "CREATE INDEX IF NOT EXISTS events_object ON events "
                    "(object_id);\n"
                    "CREATE INDEX IF NOT EXISTS events_type ON events (type);\n"
                    "CREATE TABLE IF NOT EXISTS state (\n"
                    "  key TEXT PRIMARY KEY,\n"
                    "  json TEXT NOT NULL,\n"
                    "  updated_at INTEGER NOT NULL\n);\n"
                    "CREATE TABLE IF NOT EXISTS runs (\n"
                    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
                    "  profile TEXT,\n"
                    "  command TEXT,\n"
                    "  started_at INTEGER,\n"
                    "  ended_at INTEGER,\n"
                    "  status TEXT,\n"
                    "  exit_code INTEGER,\n"
                    "  summary TEXT NOT NULL\n);\n"
                    "CREATE VIEW IF NOT EXISTS charges_daily AS\n"
                    "  SELECT date(created, 'unixepoch') AS day, account, "
                    "livemode, currency,\n"
                    "         count(*) AS charges, sum(amount) AS amount,\n"
                    "         sum(amount_captured) AS captured,\n"
                    "         sum(amount_refunded) AS refunded,\n"
                    "         sum(disputed) AS disputed\n"
                    "  FROM charges GROUP BY 1, 2, 3, 4;\n");
}

const char *sqlite_schema_column(const struct stream *s, size_t i)
{
    if (i == 0) {
        return "account";
    }
    if (i - 1 < s->nr_columns) {
        return s->columns[i - 1].name;
    }
    if (i - 1 - s->nr_columns < SQLITE_META_COLUMNS) {
        return meta_columns[i - 1 - s->nr_columns][0];
    }
    return NULL;
}

/* The upsert; 'tie' compares the event ids of two copies equal in
 * version and source: ">=" the later copy wins, ">" the stored one. */
static void upsert_sql(struct buf *out, const struct stream *s, const char *tie)
{
    size_t n = 1;

    buf_addf(out, "INSERT INTO %s (account", s->name);
    for (size_t i = 0; i < s->nr_columns; i++) {
        buf_addf(out, ", %s", s->columns[i].name);
    }
    for (size_t i = 0; i < SQLITE_META_COLUMNS; i++) {
        buf_addf(out, ", %s", meta_columns[i][0]);
    }
    buf_addstr(out, ") VALUES (?1");
    for (size_t i = 0; i < s->nr_columns + SQLITE_META_COLUMNS; i++) {
        buf_addf(out, ", ?%zu", ++n);
    }
    buf_addstr(out, ")\nON CONFLICT (account, livemode, id) DO UPDATE SET ");
    for (size_t i = 0; i < s->nr_columns; i++) {
        buf_addf(out, "%s = excluded.%s, ", s->columns[i].name,
                 s->columns[i].name);
    }
    for (size_t i = 0; i < SQLITE_META_COLUMNS; i++) {
        buf_addf(out, "%s = excluded.%s%s", meta_columns[i][0],
                 meta_columns[i][0], i + 1 < SQLITE_META_COLUMNS ? ", " : "");
    }
    /*
     * A copy replaces the stored one only if it is as new or newer.  Ties
     * (the same second) are broken by a fixed order, so the result never
     * depends on the order in which copies arrive.  A deletion first:
     * nothing follows it (Stripe never reuses an id), so any other copy
     * of its second shows the object before it, whatever the ids say
     * (they are only roughly ordered, reference §2: an update's event may
     * carry the larger id; soak seed 7101).  Then an event's copy, a list
     * read, a retrieve; between events, the larger event id.
     */
    buf_addf(out,
             "\nWHERE excluded.version > %s.version OR "
             "(excluded.version = %s.version AND "
             "(excluded.deleted > %s.deleted OR "
             "(excluded.deleted = %s.deleted AND ",
             s->name, s->name, s->name, s->name);
    buf_addf(out,
             "(" SOURCE_RANK("excluded.source") " > " SOURCE_RANK(
                 "%s.source") " OR ",
             s->name);
    buf_addf(out,
             "(" SOURCE_RANK("excluded.source") " = " SOURCE_RANK(
                 "%s.source") " AND ",
             s->name);
    buf_addf(out,
             "coalesce(excluded.source_event_id, '') %s "
             "coalesce(%s.source_event_id, ''))))))",
             tie, s->name);
}

void sqlite_schema_upsert(struct buf *out, const struct stream *s)
{
    upsert_sql(out, s, ">=");
}

void sqlite_schema_merge_upsert(struct buf *out, const struct stream *s)
{
    upsert_sql(out, s, ">");
}

int sqlite_schema_has_column(sqlite3 *db, const char *table, const char *col)
{
    sqlite3_stmt *st = NULL;
    int rc, found = 0;

    if (sqlite3_prepare_v2(db,
                           "SELECT 1 FROM pragma_table_info(?1) "
                           "WHERE name = ?2",
                           -1, &st, NULL) != SQLITE_OK) {
        return -1;
    }
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        found = 1;
    }
    else if (rc != SQLITE_DONE) {
        found = -1;
    }
    sqlite3_finalize(st);
    return found;
}

int sqlite_schema_upgrade(sqlite3 *db, struct buf *out)
{
    for (size_t i = 0; i < nr_streams; i++) {
        const struct stream *s = &streams[i];

        if (stream_hidden(s)) {
            continue;
        }
        for (size_t k = FIRST_ADDED_META; k < SQLITE_META_COLUMNS; k++) {
            int have =
                sqlite_schema_has_column(db, s->name, meta_columns[k][0]);

            if (have < 0) {
                return -1;
            }
            if (!have) {
                buf_addf(out, "ALTER TABLE %s ADD COLUMN %s %s;\n", s->name,
                         meta_columns[k][0], meta_columns[k][1]);
            }
        }
    }
    return 0;
}
