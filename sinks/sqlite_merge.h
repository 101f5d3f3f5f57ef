/* SPDX-License-Identifier: MIT */
/*
 * Merging SQLite sink databases into one: the shards of `sync --shard
 * I/N` (one file per shard), or the files of several profiles, into a
 * file that can be queried as one.
 *
 * Every row of every stream table of every input is offered to the
 * output with the SQLite sink's upsert rule, keyed by (account,
 * livemode, id): the newest copy wins (version, then a deletion, then
 * source event < list < retrieve, then the larger source_event_id), and a
 * copy equal to the stored one in all four changes nothing.  Merging the same
 * inputs again is therefore a no-op, and the result does not depend on the
 * order of the inputs (except between copies equal in all four, where
 * the first stored stays).
 *
 * The output gets the data only: not the inputs' checkpoints (state) or
 * run history (runs).  Keep syncing into the shards and merge again; a
 * sync into the merged file would start from nothing.
 *
 * All or nothing: every input is checked before the output is touched,
 * and all rows go into the output in one transaction; on any error it is
 * rolled back, and an output the merge created is removed.
 */
#ifndef SINKS_SQLITE_MERGE_H
#define SINKS_SQLITE_MERGE_H

#include <stddef.h>

struct err;

struct sqlite_merge_counts {
    long long read;    /* rows read from the inputs */
    long long written; /* rows inserted or replaced in the output */
};

/*
 * Merge the databases 'inputs[0..n-1]' (paths) into 'into' (a path,
 * created with the sink's schema when missing).  Errors:
 *   ERR_CONFIG  an input cannot be opened, is not an SQLite database, is
 *               not a stripe-reader one, or has a newer schema; or the
 *               output is not a stripe-reader database (the message
 *               names the file)
 *   ERR_USAGE   an input is the output
 *   ERR_IO      the output cannot be written
 * On failure the output is as it was (or absent, when it was).
 */
int sqlite_merge(const char *into, const char *const *inputs, size_t n,
                 struct sqlite_merge_counts *counts, struct err *err);

#endif
