/* SPDX-License-Identifier: MIT */
/*
 * What a Singer target holds, as far as the tap can recall it across runs
 * (issue 16).  A Singer target keeps the last copy of an object it is
 * sent; a run resumed from a state re-reads what came after it (an events
 * history, a look-back), which can bring copies older than ones the target
 * already got.  So the STATE carries a recall: for the newest objects sent
 * (by rank: version, then a deletion, then event < list < retrieve), the
 * rank of the last copy sent; and per stream, the highest rank of a copy sent
 * and no longer recalled ('below').  A copy of an object not recalled that
 * ranks below it may be older than what the target holds: the reader re-reads
 * the object by id instead of sending it (sinks/sink.h, doubts).
 *
 * Both travel as strings in the state value (runners may deep-merge
 * states, never strings): "charges:ch_1=7071234567,..." and
 * "charges=7071234560,...".  The events stream is never recalled: an
 * event's copy never changes.
 */
#ifndef SINKS_SINGER_RECALL_H
#define SINKS_SINGER_RECALL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/strset.h"
#include "model/streams.h"

struct buf;
struct err;

/* Objects recalled by default: some 50 bytes each in every STATE. */
#define SINGER_RECALL_DEFAULT 10000

struct singer_recall {
    struct strset ranks;        /* "<stream>:<id>" -> rank of the last copy */
    int64_t below[MAX_STREAMS]; /* forgotten ranks are at most this */
};

/* Empty: nothing recalled, nothing forgotten. */
void singer_recall_init(struct singer_recall *r);
void singer_recall_release(struct singer_recall *r);

/*
 * Fill 'r' (initialised) from the state's strings 'ranks' and 'below'.
 * ERR_CONFIG naming what is damaged (the caller adds the file).
 */
int singer_recall_parse(struct singer_recall *r, const char *ranks,
                        const char *below, struct err *err);

/* The rank recalled for object 'id' of stream 's': true and *rank. */
bool singer_recall_get(const struct singer_recall *r, const struct stream *s,
                       const char *id, int64_t *rank);

/*
 * The strings of the next STATE: what 'loaded' recalls, updated by 'sent'
 * (per stream index, id -> rank of the last copy sent in this run), as
 * JSON strings appended to 'ranks' and 'below'.  At most 'max' objects
 * are recalled, the newest; the ranks of the others raise 'below'.
 */
void singer_recall_write(const struct singer_recall *loaded,
                         const struct strset *sent, size_t max,
                         struct buf *ranks, struct buf *below);

#endif
