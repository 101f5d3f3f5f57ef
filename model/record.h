/* SPDX-License-Identifier: MIT */
/*
 * struct record: one stored copy of a Stripe object, as the reader hands
 * it to a sink.  Everything in it is borrowed for the duration of the
 * sink's write() call; a sink copies what it keeps.
 */
#ifndef MODEL_RECORD_H
#define MODEL_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/columns.h"

struct stream;

enum record_source {
    SOURCE_LIST,    /* read from a list page */
    SOURCE_EVENT,   /* data.object of an event */
    SOURCE_RETRIEVE /* re-read by id (after a dispute or refund event) */
};

struct record {
    const struct stream *stream;
    const char *id;
    const char *account; /* the connected account, "" for the key's own */
    bool livemode;
    int64_t created;
    /*
     * When Stripe's copy was observed: event.created for an event-derived
     * copy, the response's Date for a list or retrieve read.  A sink
     * replaces a stored copy only with one of an equal or newer version.
     */
    int64_t version;
    enum record_source source;
    const char *event_id;    /* SOURCE_EVENT: the event, else NULL */
    const char *api_version; /* SOURCE_EVENT: event.api_version or NULL */
    int64_t extracted_at;    /* host time of extraction, unix seconds */
    /*
     * The object was deleted (a *.deleted event, or a subscription item
     * gone from its subscription): 'raw' is its last state, 'deleted_at'
     * the time of the delete (= version).  Sinks keep the row, marked.
     */
    bool deleted;
    int64_t deleted_at;
    const char *parent_id; /* a child stream's copy: its parent, or NULL */
    const char *raw;       /* Stripe's JSON text of the object, minified */
    size_t raw_len;
    const struct colval *cols; /* its typed values, one per stream column */
};

const char *record_source_name(enum record_source s);

#endif
