/* SPDX-License-Identifier: MIT */
/*
 * The SQL of the SQLite sink, generated from the stream table so that the
 * tables, the upserts and `stripe-reader streams` never disagree.
 */
#ifndef SINKS_SQLITE_SCHEMA_H
#define SINKS_SQLITE_SCHEMA_H

struct buf;
struct sqlite3;
struct stream;

/*
 * Schema version stored in PRAGMA user_version; bump with a migration.
 * 2: the columns deleted and deleted_at (issue 14).
 */
#define SQLITE_SCHEMA_VERSION 2

/* CREATE TABLE / INDEX / VIEW statements for everything (idempotent):
 * a table per stream that is not a hidden twin. */
void sqlite_schema_ddl(struct buf *out);
/*
 * After the DDL, in the same transaction: the ALTER TABLE ... ADD COLUMN
 * statements that give an older database's tables the columns they lack
 * (a database of schema 1 has no deleted, deleted_at).  -1 when the
 * tables cannot be inspected (sqlite3_errmsg says why).
 */
int sqlite_schema_upgrade(struct sqlite3 *db, struct buf *out);
/* Whether table 'table' has column 'col': 1 yes, 0 no (also when there
 * is no such table), -1 the query failed (sqlite3_errmsg says why). */
int sqlite_schema_has_column(struct sqlite3 *db, const char *table,
                             const char *col);
/* The upsert of one stream's record (placeholders ?1..?N in column
 * order: account, the typed columns, then the metadata columns). */
void sqlite_schema_upsert(struct buf *out, const struct stream *s);
/*
 * The same upsert for merging databases (sinks/sqlite_merge.h): a copy
 * replaces the stored one only if it is strictly newer, so merging the
 * same rows again changes nothing (sqlite3_changes() is 0).
 */
void sqlite_schema_merge_upsert(struct buf *out, const struct stream *s);
/* Number of metadata columns after the typed ones. */
#define SQLITE_META_COLUMNS 8
/* The name of column 'i' (0-based) of the table of 's', in the upsert's
 * placeholder order; NULL past the last (static strings). */
const char *sqlite_schema_column(const struct stream *s, size_t i);

#endif
