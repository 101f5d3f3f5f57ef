/* SPDX-License-Identifier: MIT */
/*
 * What reader/checkpoint.c (the state) and reader/checkpoint_json.c (its
 * JSON form) share.  Not for use outside them.
 */
#ifndef READER_CHECKPOINT_INT_H
#define READER_CHECKPOINT_INT_H

#include <stdint.h>

struct checkpoint;
struct recent_list;
struct stream_set;

/* Append (id, version, created) to 'l', unsorted. */
void recent_push(struct recent_list *l, const char *id, int64_t version,
                 int64_t created);
/* A new, empty backfill state for 'range' (no lookup). */
struct stream_set *backfill_add(struct checkpoint *cp, const char *range);

#endif
