/* SPDX-License-Identifier: MIT */
/*
 * The SQL of the SQLite sink, generated from the stream table so that the
 * tables, the upserts and `stripe-reader streams` never disagree.
 */
#ifndef SINKS_SQLITE_SCHEMA_H
#define SINKS_SQLITE_SCHEMA_H

struct buf;
struct stream;

/* Schema version stored in PRAGMA user_version; bump with a migration. */
#define SQLITE_SCHEMA_VERSION 1

/* CREATE TABLE / INDEX / VIEW statements for everything (idempotent). */
void sqlite_schema_ddl(struct buf *out);
/* The upsert of one stream's record (placeholders ?1..?N in column
 * order: account, the typed columns, then the metadata columns). */
void sqlite_schema_upsert(struct buf *out, const struct stream *s);
/* Number of metadata columns after the typed ones. */
#define SQLITE_META_COLUMNS 6

#endif
