/* SPDX-License-Identifier: MIT */
/*
 * Schemas for warehouse loaders, generated from the stream table (the same
 * source as the SQLite tables), printed by `stripe-reader streams --schema`.
 *
 * Both describe one row of the NDJSON sink's envelope format: "stream"
 * (BigQuery only: a PostgreSQL table holds one stream), "account", the
 * stream's typed columns in table order, then "version", "source",
 * "source_event_id", "source_api_version", "extracted_at", "object",
 * the Stripe object as JSON, and "deleted", "deleted_at" (only in the
 * line of a deleted object).  A hidden twin (inactive prices) has no
 * schema of its own: its lines are its store_as stream's.
 *
 * - BigQuery: a JSON schema (an array of {"name","type","mode",
 *   "description"}) for `bq load --schema=FILE`; text -> STRING,
 *   integer -> INTEGER, boolean -> BOOLEAN, the object -> JSON.
 * - PostgreSQL: `CREATE TABLE IF NOT EXISTS <stream>` (text, bigint,
 *   boolean, jsonb) keyed by (account, livemode, id), an index on
 *   created, ALTER TABLE ... ADD COLUMN IF NOT EXISTS for the columns an
 *   older table lacks (deleted NOT NULL DEFAULT false, deleted_at), and
 *   a COMMENT per table and column.  Names are unqualified: set
 *   search_path to choose the schema.  Idempotent.
 *
 * The output is appended to a struct buf; nothing here fails.
 */
#ifndef SINKS_SCHEMA_H
#define SINKS_SCHEMA_H

struct buf;
struct err;
struct stream;

enum schema_format { SCHEMA_BIGQUERY, SCHEMA_POSTGRES };

/*
 * Parse a format name: "bigquery" or "postgres" ("postgresql" is
 * accepted too).  -1 with ERR_USAGE naming the formats otherwise.
 */
int schema_format_parse(const char *name, enum schema_format *out,
                        struct err *err);

/* The BigQuery schema of one stream: a JSON array, newline-terminated. */
void schema_bigquery(struct buf *out, const struct stream *s);
/* The PostgreSQL DDL of one stream. */
void schema_postgres(struct buf *out, const struct stream *s);

/*
 * The schema of 'only', or of every stream in streams[] when 'only' is
 * NULL: for BigQuery one JSON object {"charges": [...], ...} (a bare array
 * for a single stream), for PostgreSQL the statements one after another.
 */
void schema_generate(struct buf *out, enum schema_format f,
                     const struct stream *only);

#endif
