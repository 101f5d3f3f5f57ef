/* SPDX-License-Identifier: MIT */
/*
 * Checkpoints: how far each stream has been read, in a form that resumes
 * exactly after any crash.
 *
 * Per stream: a high-water mark 'hwm' (every object created before it is
 * stored) and, while a pass is under way, the pass's upper bound 'hi' and
 * its windows.  A window [lo, hi) of 'created' seconds is closed (hi is in
 * Stripe's past), so paging inside it with starting_after is stable and
 * (window, last id) resumes it exactly.  Windows are split while they are
 * paged, so a pass may have many; the hwm moves to the pass's 'hi' only
 * when every window of the pass is stored.
 *
 * The checkpoint travels as JSON (checkpoint_to_json / _from_json); sinks
 * store it opaquely, in the same commit as the records it describes.
 */
#ifndef READER_CHECKPOINT_H
#define READER_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/strset.h"

struct buf;
struct err;
struct stream;

#define WINDOW_OPEN INT64_MAX /* hi of a window not yet bounded */

struct window {
    int64_t lo;            /* created >= lo */
    int64_t hi;            /* created < hi, or WINDOW_OPEN */
    char *after;           /* starting_after cursor, NULL before page 1 */
    int64_t after_created; /* created of 'after' */
    /* run time only (not saved) */
    int64_t cap;        /* while hi is WINDOW_OPEN: the most hi may become */
    int64_t floor_secs; /* while hi is WINDOW_OPEN: lo >= clock - this */
    bool busy;          /* a request for it is in flight, or it is held */
    bool done;          /* fully stored */
    double density;     /* objects per second seen, for splitting */
    long pages;
    /* event copies stored for the second 'derived_second' (two events on
     * one object in one second give one copy of that version) */
    int64_t derived_second;
    char **derived_ids;
    size_t nr_derived, alloc_derived;
    /* a hash index of derived_ids (open addressing: 0 is empty, else the
     * id's index + 1), so that a second with many events stays linear */
    size_t *derived_slots;
    size_t nr_slots; /* a power of two, or 0 */
};

/* True if (id) already has an event copy of version 'second' in 'w';
 * otherwise remember it. */
bool window_derived_seen(struct window *w, const char *id, int64_t second);
/* True if (id) has an event copy of version 'second' in 'w' (no change). */
bool window_derived_has(const struct window *w, const char *id, int64_t second);

/* An item stored near the end of a pass: (id, version) and created. */
struct recent {
    char *id;
    int64_t version;
    int64_t created;
};

struct recent_list {
    struct recent *items;
    size_t nr, alloc;
};

struct stream_state {
    const struct stream *stream;
    bool has_hwm;
    int64_t hwm;
    int64_t hi;      /* upper bound of the pass under way, 0 if none */
    int64_t pass_lo; /* lower bound of the pass under way */
    /* the last finished passes [lo, hi), oldest first (passes with the
     * same hi merged) */
    struct pass_range {
        int64_t lo, hi;
    } done[8];
    size_t nr_done;
    struct window **windows;
    size_t nr_windows, alloc_windows;
    /*
     * Exactly once across passes: the next pass re-reads the overlap
     * before the mark, so the items stored in the last 'overlap' seconds
     * of a pass are remembered (with their version).  A re-read item with
     * the same (id, version) is skipped, with everything it implies.
     * 'recent' is sorted (looked up); 'recent_new' collects this pass's.
     */
    struct recent_list recent;
    struct recent_list recent_new;
    /*
     * Events stream: the objects re-read by id during the pass under way
     * ("<stream>:<id>", version), so that a run resumed within the same
     * second never stores the same (id, version) twice.  Sorted.
     */
    struct recent_list retrieved;
    int64_t newest; /* newest 'created' stored, 0 if none (freshness) */
};

/* One stream_state per entry of streams[]. */
struct stream_set {
    struct stream_state *streams;
    size_t nr;
};

/* A backfill's own progress, keyed by its range ("<since>..<until>"). */
struct backfill_state {
    char *range;
    struct stream_set set;
};

/*
 * Everything stored for one profile: the sync's streams and every
 * backfill's, so that one commit updates them together (a finished
 * backfill can move the sync's marks forward in the same transaction).
 */
struct checkpoint {
    char *account;       /* "" for the key's own account */
    char *mode;          /* "test" | "live" */
    int64_t server_skew; /* Stripe's clock minus the host's, last seen */
    int64_t last_ok_at;  /* end of the last successful run (host clock) */
    /*
     * The sync's events stream is the change feed: the cursor from which
     * events must be read to keep the other streams current.  A first
     * sync starts it a short look-back before it begins listing
     * ('feed_start', Stripe's clock), not 30 days back, so a first sync
     * spanning many runs never makes it fall behind Stripe's retention.
     * The events stream's history, the 30 days before 'feed_start', is
     * read by a pass of its own ('history'); what expires before it is
     * read is gone, which is no gap.
     */
    int64_t feed_start;
    /*
     * From when on the feed's stored events are remembered (the sync's
     * events 'recent' list), so that re-reading them stores none twice:
     * a pass never looks back further than this.  0: not recorded (a
     * checkpoint of a version that looked back only the overlap).
     */
    int64_t feed_since;
    struct stream_state history;
    /*
     * Re-reads owed: objects an event changed without supplying a copy at
     * the pinned version (a Dispute names its charge; an event rendered
     * at another API version).  Keyed "<stream>:<id>", the value is the
     * newest such event's 'created'.  Saved with the events page that
     * asked, so the page need not wait for them; an entry goes once the
     * sink holds a copy at least that new (reader/rereads.c).
     */
    struct strset owed;
    /*
     * The children of a parent as its last complete sub-list read listed
     * them, for a 'removable' child stream (reader/children.c): keyed
     * "<stream>:<parent>", the value an index in kid_ids ("id id ...").
     */
    struct strset kids;
    char **kid_ids;
    size_t nr_kid_ids, alloc_kid_ids;
    /*
     * Objects to list again (a stream with relist_until): those read
     * while their 'until' (a balance transaction's available_on) was
     * still ahead, by 'until': the created range [lo, hi] holding them.
     * Once 'until' has passed, a sync lists that range again.
     */
    struct relist {
        const struct stream *stream;
        int64_t until, lo, hi;
    } * relists;
    size_t nr_relists, alloc_relists;
    struct stream_set sync;
    struct backfill_state *backfills;
    size_t nr_backfills, alloc_backfills;
};

void checkpoint_init(struct checkpoint *cp, const char *account,
                     const char *mode);
void checkpoint_release(struct checkpoint *cp);

/* The backfill state for 'range', created empty if absent. */
struct stream_set *checkpoint_backfill(struct checkpoint *cp,
                                       const char *range);

/* Add a window to a stream (the state owns it). */
struct window *stream_state_add_window(struct stream_state *st, int64_t lo,
                                       int64_t hi);
/* Record a finished pass in st->done. */
void stream_state_pass_done(struct stream_state *st, int64_t lo, int64_t hi);
/* Forget everything about a stream: marks, pass, windows, remembered. */
void stream_state_reset(struct stream_state *st);
/* Drop windows that are done; free everything when 'all'. */
void stream_state_prune(struct stream_state *st, bool all);
void window_set_cursor(struct window *w, const char *id, int64_t created);

/* True when (id, version) is in the sorted list 'l'. */
bool recent_list_has(const struct recent_list *l, const char *id,
                     int64_t version);
/* True when (id, version) was stored by an earlier pass. */
bool recent_has(const struct stream_state *st, const char *id, int64_t version);
/* Remember an item stored by this pass. */
void recent_add(struct stream_state *st, const char *id, int64_t version,
                int64_t created);
/*
 * At the end of a pass: keep what the next pass's overlap can re-read
 * (created >= hwm - overlap), from both lists, sorted for lookups.
 */
void recent_roll(struct stream_state *st, int64_t overlap);
/* Sort 'l', drop duplicates and the items created before 'floor'. */
void recent_compact(struct recent_list *l, int64_t floor);
/* True if (key, version) is in 'l'; otherwise insert it (sorted). */
bool recent_seen(struct recent_list *l, const char *key, int64_t version);
/* Copy 'from's remembered items into 'to' (a backfill seeding a sync). */
void recent_merge(struct stream_state *to, const struct stream_state *from);
void recent_list_release(struct recent_list *l);

/* Owe a re-read of 'id' of 's' for an event of 'event_time' (the newest
 * event is kept); the key is "<stream>:<id>". */
/* The ids ("id id ...") of 'parent's children in 'child' as remembered,
 * or NULL; remember 'ids' instead (NULL or "": forget them). */
const char *checkpoint_kids(const struct checkpoint *cp,
                            const struct stream *child, const char *parent);
void checkpoint_set_kids(struct checkpoint *cp, const struct stream *child,
                         const char *parent, const char *ids);

void checkpoint_owe(struct checkpoint *cp, const struct stream *s,
                    const char *id, int64_t event_time);

/* Remember that object 'created' of 's' changes at 'until'. */
void checkpoint_relist(struct checkpoint *cp, const struct stream *s,
                       int64_t until, int64_t created);

/* Serialise (to 'out', appended) and parse.  Parsing checks every field;
 * a checkpoint that does not parse (or a NULL 'json') is ERR_CONFIG
 * naming 'where'. */
void checkpoint_to_json(const struct checkpoint *cp, struct buf *out);
int checkpoint_from_json(struct checkpoint *cp, const char *json,
                         const char *where, struct err *err);

#endif
