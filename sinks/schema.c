/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "sinks/schema.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "model/streams.h"

enum field_type { FIELD_TEXT, FIELD_INT, FIELD_BOOL, FIELD_JSON };

/* One field of the envelope, typed column or metadata. */
struct field {
    const char *name;
    enum field_type type;
    bool required;
    const char *doc;
    /* PostgreSQL: the value of a line without the field, and the
     * column's definition when an older table lacks it (ADD COLUMN) */
    const char *pg_default;
    bool added;
};

/*
 * The envelope around the typed columns, in the order of an NDJSON line.
 * "stream" exists only where several streams share a table (BigQuery
 * loads keep it; a PostgreSQL table is one stream).
 */
static const struct field head_fields[] = {
    { "stream", FIELD_TEXT, true,
      "the stream, as `stripe-reader streams` names it", NULL, false },
    { "account", FIELD_TEXT, true,
      "connected account (Stripe-Account), '' for the key's own", NULL, false },
};

static const struct field tail_fields[] = {
    { "version", FIELD_INT, true,
      "when this copy was observed (unix s); the newest copy wins", NULL,
      false },
    { "source", FIELD_TEXT, true, "list, event or retrieve", NULL, false },
    { "source_event_id", FIELD_TEXT, false,
      "id of the event the copy came from, if any", NULL, false },
    { "source_api_version", FIELD_TEXT, false, "that event's api_version", NULL,
      false },
    { "extracted_at", FIELD_INT, false,
      "when stripe-reader extracted it (unix s)", NULL, false },
    { "object", FIELD_JSON, true, "the Stripe object, exactly as returned",
      NULL, false },
    /*
     * Only a deleted object's line has them (its object is the last
     * state).  Last, where ADD COLUMN puts them in an older table.
     */
    { "deleted", FIELD_BOOL, false,
      "true: the object was deleted (kept, marked); else absent or false",
      "false", true },
    { "deleted_at", FIELD_INT, false,
      "when it was deleted (unix s), NULL unless deleted", NULL, true },
};

static enum field_type column_field_type(enum col_type t)
{
    switch (t) {
    case COL_INT:
        return FIELD_INT;
    case COL_BOOL:
        return FIELD_BOOL;
    case COL_TEXT:
        break;
    }
    return FIELD_TEXT;
}

/* The i-th field of the envelope of 's' ("stream" is field 0); false past
 * the last one. */
static bool envelope_field(const struct stream *s, size_t i, struct field *f)
{
    size_t nr_head = ARRAY_SIZE(head_fields);

    if (i < nr_head) {
        *f = head_fields[i];
        return true;
    }
    i -= nr_head;
    if (i < s->nr_columns) {
        const struct column *c = &s->columns[i];

        f->name = c->name;
        f->type = column_field_type(c->type);
        /* the key, as in the SQLite tables */
        f->required = !strcmp(c->name, "id") || !strcmp(c->name, "livemode");
        f->doc = c->doc;
        f->pg_default = NULL;
        f->added = false;
        return true;
    }
    i -= s->nr_columns;
    if (i < ARRAY_SIZE(tail_fields)) {
        *f = tail_fields[i];
        return true;
    }
    return false;
}

int schema_format_parse(const char *name, enum schema_format *out,
                        struct err *err)
{
    if (!strcmp(name, "bigquery")) {
        *out = SCHEMA_BIGQUERY;
        return 0;
    }
    if (!strcmp(name, "postgres") || !strcmp(name, "postgresql")) {
        *out = SCHEMA_POSTGRES;
        return 0;
    }
    return err_set(err, ERR_USAGE,
                   "unknown schema format '%s' (formats: bigquery, "
                   "postgres)",
                   name);
}

static const char *bigquery_type(enum field_type t)
{
    switch (t) {
    case FIELD_INT:
        return "INTEGER";
    case FIELD_BOOL:
        return "BOOLEAN";
    case FIELD_JSON:
        return "JSON";
    case FIELD_TEXT:
        break;
    }
    return "STRING";
}

/* The array of one stream, its lines indented by 'indent' spaces. */
static void bigquery_array(struct buf *out, const struct stream *s, int indent)
{
    struct field f;

    buf_addstr(out, "[\n");
    for (size_t i = 0; envelope_field(s, i, &f); i++) {
        buf_addf(out, "%*s{\"name\": ", indent + 2, "");
        json_quote(out, f.name);
        buf_addf(out,
                 ", \"type\": \"%s\", \"mode\": \"%s\", "
                 "\"description\": ",
                 bigquery_type(f.type), f.required ? "REQUIRED" : "NULLABLE");
        json_quote(out, f.doc);
        buf_addstr(out, "}");
        if (envelope_field(s, i + 1, &f)) {
            buf_addch(out, ',');
        }
        buf_addch(out, '\n');
    }
    buf_addf(out, "%*s]", indent, "");
}

void schema_bigquery(struct buf *out, const struct stream *s)
{
    bigquery_array(out, s, 0);
    buf_addch(out, '\n');
}

static const char *postgres_type(enum field_type t)
{
    switch (t) {
    case FIELD_INT:
        return "bigint";
    case FIELD_BOOL:
        return "boolean";
    case FIELD_JSON:
        return "jsonb";
    case FIELD_TEXT:
        break;
    }
    return "text";
}

/* 's' as an SQL string literal (standard_conforming_strings). */
static void sql_quote(struct buf *out, const char *s)
{
    buf_addch(out, '\'');
    for (; *s; s++) {
        if (*s == '\'') {
            buf_addch(out, '\'');
        }
        buf_addch(out, *s);
    }
    buf_addch(out, '\'');
}

void schema_postgres(struct buf *out, const struct stream *s)
{
    struct field f;

    buf_addf(out, "CREATE TABLE IF NOT EXISTS %s (\n", s->name);
    /* from 1: the table is the stream, no "stream" column */
    for (size_t i = 1; envelope_field(s, i, &f); i++) {
        buf_addf(out, "  %s %s%s", f.name, postgres_type(f.type),
                 f.required ? " NOT NULL" : "");
        if (f.pg_default) {
            buf_addf(out, " NOT NULL DEFAULT %s", f.pg_default);
        }
        buf_addstr(out, ",\n");
    }
    buf_addstr(out, "  PRIMARY KEY (account, livemode, id)\n);\n");
    /* a table created by an earlier stripe-reader gains the new columns */
    for (size_t i = 1; envelope_field(s, i, &f); i++) {
        if (f.added) {
            buf_addf(out, "ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s",
                     s->name, f.name, postgres_type(f.type));
            if (f.pg_default) {
                buf_addf(out, " NOT NULL DEFAULT %s", f.pg_default);
            }
            buf_addstr(out, ";\n");
        }
    }
    buf_addf(out, "CREATE INDEX IF NOT EXISTS %s_created ON %s (created);\n",
             s->name, s->name);
    buf_addf(out, "COMMENT ON TABLE %s IS ", s->name);
    if (s->parent) {
        buf_addf(out, "'Stripe %s objects embedded in %s.%s", s->object,
                 s->parent->name, s->embed);
    }
    else {
        buf_addf(out, "'Stripe %s objects from %s", s->object, s->path);
    }
    buf_addstr(out, ", loaded from stripe-reader NDJSON: the newest version "
                    "of each (account, livemode, id)';\n");
    for (size_t i = 1; envelope_field(s, i, &f); i++) {
        buf_addf(out, "COMMENT ON COLUMN %s.%s IS ", s->name, f.name);
        sql_quote(out, f.doc);
        buf_addstr(out, ";\n");
    }
}

void schema_generate(struct buf *out, enum schema_format f,
                     const struct stream *only)
{
    if (only) {
        if (f == SCHEMA_BIGQUERY) {
            schema_bigquery(out, only);
        }
        else {
            schema_postgres(out, only);
        }
        return;
    }
    /* a hidden twin's lines are its store_as stream's: no table */
    if (f == SCHEMA_POSTGRES) {
        for (size_t i = 0; i < nr_streams; i++) {
            if (!stream_hidden(&streams[i])) {
                schema_postgres(out, &streams[i]);
            }
        }
        return;
    }
    buf_addstr(out, "{");
    for (size_t i = 0, n = 0; i < nr_streams; i++) {
        if (stream_hidden(&streams[i])) {
            continue;
        }
        buf_addstr(out, n++ ? ",\n  " : "\n  ");
        json_quote(out, streams[i].name);
        buf_addstr(out, ": ");
        bigquery_array(out, &streams[i], 2);
    }
    buf_addstr(out, "\n}\n");
}
