/* SPDX-License-Identifier: MIT */
/*
 * The stream table: everything the reader knows about each Stripe list
 * endpoint it reads, one row per stream.  Adding a list endpoint (refunds,
 * balance transactions, ...) is one entry in 'streams[]' plus its column
 * array in streams.c; the SQLite schema, `stripe-reader streams` and the
 * loader schemas are all generated from this table.  The table is static
 * and const; pointers into it stay valid for the whole run.
 */
#ifndef MODEL_STREAMS_H
#define MODEL_STREAMS_H

#include <stdbool.h>
#include <stddef.h>

struct err;

enum col_type { COL_TEXT, COL_INT, COL_BOOL };

/* A typed column projected from the object. */
struct column {
    const char *name; /* column name in every sink */
    enum col_type type;
    /*
     * Dotted path of the value in the Stripe object ("amount",
     * "data.object.id").  An expandable reference (a string id, or an
     * expanded object with an "id") is read as its id.
     */
    const char *path;
    const char *doc; /* one line, for `streams` and schemas */
    size_t key_len;  /* length of the first segment of 'path' */
};

/*
 * How events update a stream.  The events scan routes an event by the
 * type of its data.object, not by its name (charge.refunded carries a
 * Charge, charge.refund.updated a Refund), and the event's type prefix
 * narrows a route where one object type means different things.
 */
enum route_how {
    /*
     * data.object is this stream's object: stored as a new version
     * (event.created) when rendered at the pinned API version, else
     * re-read by its id (event payloads follow the account's API version,
     * not Stripe-Version: reference §9.1).
     */
    ROUTE_SELF,
    /* data.object names this stream's object in member 'ref' (a Dispute's
     * "charge"): the event changed it without carrying it; re-read it */
    ROUTE_REREAD
};

struct event_route {
    const char *object;      /* data.object.object: "charge", "refund" */
    const char *type_prefix; /* event types it applies to; "" = every one */
    enum route_how how;
    const char *ref; /* ROUTE_REREAD: the member holding the object's id */
};

struct stream {
    const char *name;       /* "charges": table name, --streams value */
    const char *path;       /* list endpoint, "/v1/charges" */
    const char *object;     /* the "object" value of its items, "charge" */
    const char *permission; /* restricted-key permission to read it,
                             * e.g. "rak_charge_read" (403 messages) */
    bool is_events;         /* the /v1/events stream, scanned for updates */
    const struct column *columns;
    size_t nr_columns;
    /* the events that update it (none: never updated after creation) */
    const struct event_route *routes;
    size_t nr_routes;
    /* what its list requests add ("active=true"; a twin's
     * "status=canceled": what the stream's list hides), NULL: nothing */
    const char *list_query;
    /* the event type that deletes its object ("customer.deleted"): the
     * event's data.object is the last state, stored marked deleted */
    const char *delete_type;
    /*
     * A child stream has no list by 'created': its objects are embedded
     * in each object of 'parent' (member 'embed', a list object with
     * has_more) and all of them are listed by 'sub_path' ("%s": the
     * parent's id, then "?" or "&" query).  'parent_column' names the
     * parent in the child's objects.
     */
    const struct stream *parent;
    const char *embed;
    const char *sub_path;
    /*
     * A child that can leave its parent with no event of its own (a
     * subscription item removed: SS §4): past the embedded page no event
     * shows it go, so the ids of each complete sub-list read are kept
     * (checkpoint 'kids') and one missing from the next read is stored
     * deleted (reader/children.c).
     */
    bool removable;
    /* ... while the parent's status is this one (invoice lines: "draft");
     * NULL: whatever it is */
    const char *removable_while;
    /* the parent's side: its child stream, or NULL */
    const struct stream *child;
    /*
     * A hidden twin lists what the stream's list hides by default
     * (inactive prices, canceled subscriptions): not a --streams name nor
     * a table; its objects are stored as 'store_as', read whenever that
     * stream is.
     */
    const struct stream *store_as;
    /*
     * State that changes with no event: an object whose column
     * 'relist_until' (unix seconds) is still in the future when read is
     * read again once it has passed (a balance transaction's
     * 'available_on': its status goes from pending to available).
     */
    const char *relist_until;
    /*
     * No event announces a new object (checkout sessions: only completed
     * and expired, SS §3): its list is the only source of new ones, so a
     * pass looks back as far as the events do for those listed late
     * (soak seed 8304).
     */
    bool no_create_event;
};

/* Every stream's first three columns (model/streams.c COMMON_COLUMNS). */
enum common_column { COLUMN_ID = 0, COLUMN_LIVEMODE = 1, COLUMN_CREATED = 2 };

/* The events stream's columns the reader routes by, in the order of
 * event_columns in model/streams.c (tests/unit/test_streams.c checks). */
enum event_column {
    EVENT_COLUMN_TYPE = 3,
    EVENT_COLUMN_API_VERSION = 4,
    EVENT_COLUMN_OBJECT_ID = 5,
    EVENT_COLUMN_OBJECT_TYPE = 6
};

#define MAX_COLUMNS 32

/*
 * The most streams the table may hold: arrays indexed by stream are sized
 * by it, and stream sets travel as bit masks of an 'unsigned' (32 bits).
 * model/streams.c checks the table against it at compile time.
 */
#define MAX_STREAMS 32

/* Hidden twins are no tables and no --streams names. */
static inline bool stream_hidden(const struct stream *s)
{
    return s->store_as != NULL;
}

/* 's' is 'of', or the hidden twin read with it: what a user knows as
 * 'of' (its marks, its resets, its counts). */
static inline bool stream_part_of(const struct stream *s,
                                  const struct stream *of)
{
    return s == of || s->store_as == of;
}

/* Index of the column named 'name' in 's', or -1. */
int stream_column(const struct stream *s, const char *name);

extern const struct stream streams[];
extern const size_t nr_streams;

/*
 * The route by which an event of 'type' carrying a data.object of type
 * 'object' updates 's', or NULL.
 */
const struct event_route *stream_route(const struct stream *s, const char *type,
                                       const char *object);

/* The stream called 'name', or NULL. */
const struct stream *stream_find(const char *name);
/* Index of 's' in streams[]. */
size_t stream_index(const struct stream *s);
/* The name a user knows 's' by, into 'buf': a hidden twin's is its
 * stream's and its list, "subscriptions (its status=canceled list)". */
#define STREAM_LABEL_MAX 96
const char *stream_label(const struct stream *s, char *buf, size_t size);

/*
 * Parse a comma-separated list of stream names ("charges,payouts") into
 * 'out' (at most 'max' entries, duplicates dropped, in the order given);
 * NULL or "" selects every stream in table order.  Returns the count, or
 * -1 with ERR_USAGE naming an unknown stream (with a did-you-mean hint).
 */
int stream_select(const char *list, const struct stream **out, size_t max,
                  struct err *err);
/* The same as a bit mask over streams[] (bit i = streams[i]), closed
 * with streams_closure(). */
int streams_parse(const char *list, unsigned *mask, struct err *err);
/* 'mask' with what its streams need read with them: a child's parent, a
 * stream's hidden twin. */
unsigned streams_closure(unsigned mask);

const char *col_type_name(enum col_type t);

#endif
