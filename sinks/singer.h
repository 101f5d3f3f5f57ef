/* SPDX-License-Identifier: MIT */
/*
 * Singer (issue 16): the JSON Schemas of the streams, the catalog that
 * discovery prints, and the selection a run reads from a catalog.  The
 * sink that writes the messages is sink_singer (sinks/singer.c).
 *
 * A stream's schema describes its RECORD, the Stripe object as sent, and
 * is generated from the stream table (model/stream_table.c), the source
 * of the SQLite tables and of `streams --schema` too: each column read
 * from a top-level member types that member (text -> string, integer,
 * boolean, each nullable but "id"); a column read inside a member
 * ("payment_method_details.type") makes the member an object.  Every
 * other member passes (additionalProperties), and "_sdc_deleted_at"
 * (RFC 3339) marks a deleted object.  The key is "id" (one mode per
 * run); when a run reads several connected accounts ('several'), every
 * record also carries "_sdc_account" (the acct_ id it was read from) and
 * the key is ["id", "_sdc_account"].  Not "account": Stripe's application
 * fee and event have an "account" of their own, which a record keeps as
 * sent.  The replication key is "created".
 *
 * Output is appended to a struct buf; only the catalog reader fails.
 */
#ifndef SINKS_SINGER_H
#define SINKS_SINGER_H

struct buf;
struct err;
struct stream;

#define SINGER_DELETED_AT "_sdc_deleted_at"
#define SINGER_REPLICATION_KEY "created"
#define SINGER_ACCOUNT "_sdc_account"

/* The JSON Schema of the records of 's' (one line, no newline). */
void singer_schema(struct buf *out, const struct stream *s, bool several);

/*
 * The members "stream", "schema" and "key_properties" (["id"], or with
 * 'several' accounts ["id", "_sdc_account"]) that a SCHEMA message and a
 * catalog entry share, without braces.
 */
void singer_stream_members(struct buf *out, const struct stream *s,
                           bool several);

/*
 * The catalog of every stream (hidden twins excepted), for a config of
 * one account or of 'several', one JSON object,
 * newline-terminated: tap_stream_id, stream, schema, key_properties,
 * replication_method INCREMENTAL, replication_key, and metadata (the
 * stream's breadcrumb: selected, selected-by-default, inclusion,
 * table-key-properties, forced-replication-method,
 * valid-replication-keys; each property's: inclusion, "automatic" for
 * the key and the replication key).
 */
void singer_catalog(struct buf *out, bool several);

/*
 * The streams the catalog file 'path' selects, as a --streams list
 * appended to 'list' ("charges,payouts"): a stream is selected by
 * "selected": true in the metadata of its empty breadcrumb (or, as older
 * runners write it, in its schema).  ERR_CONFIG naming the file: it does
 * not parse, is not a catalog, names a stream the table does not have,
 * or selects none.
 */
int singer_catalog_select(const char *path, struct buf *list, struct err *err);

#endif
