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
/* The upsert of one stream's record (placeholders ?1..?N in column
 * order: account, the typed columns, then the metadata columns). */
void sqlite_schema_upsert(struct buf *out, const struct stream *s);
/* Number of metadata columns after the typed ones. */
#define SQLITE_META_COLUMNS 8

#endif
