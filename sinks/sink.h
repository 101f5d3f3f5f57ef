/* SPDX-License-Identifier: MIT */
/*
 * The sink interface: where records and the reader's checkpoints go.
 *
 * A sink receives records (write) and makes them durable together with
 * the reader's state (commit): after a crash, what is stored and the state
 * that describes it are always from the same commit, so nothing is lost
 * and a resumed run never duplicates data.  Sinks know nothing of HTTP or
 * of how the reader pages; the reader knows nothing of how a sink stores.
 *
 * State is opaque to sinks: a JSON text per state key (the reader's
 * checkpoint for one profile and run kind), stored and returned as is.
 *
 * Lifecycle: sink_open() -> load_state() -> write()* -> commit() ... ->
 * sink_close().  Writes after the last commit are discarded by close.
 */
#ifndef SINKS_SINK_H
#define SINKS_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/streams.h"

struct err;
struct record;
struct sink;

/* One stored state, for listing. */
struct sink_state {
    const char *key;
    const char *json;
    long long updated_at;
};

/*
 * Options for a sink, by name, as the command line gives them: each sink
 * type declares the names it accepts and parses their values itself, so
 * nothing outside sinks/ knows one sink's options.
 */
struct sink_option {
    const char *name;  /* "gzip", "format", "rotate-records", ... */
    const char *value; /* "1" for a flag */
    const char *flag;  /* the command-line flag, for messages: "--gzip" */
};

#define SINK_MAX_OPTIONS 8
struct sink_opts {
    struct sink_option items[SINK_MAX_OPTIONS];
    size_t nr;
};

/* Add an option (at most SINK_MAX_OPTIONS; 'value' NULL: not given). */
void sink_opts_add(struct sink_opts *o, const char *name, const char *value,
                   const char *flag);
/* The value of option 'name', or NULL. */
const char *sink_opts_get(const struct sink_opts *o, const char *name);

struct sink_type {
    const char *name;           /* URI scheme: "sqlite", "ndjson" */
    const char *arg_doc;        /* what follows the colon: "PATH", "DIR" */
    const char *arg_what;       /* the same in words: "file", "folder" */
    const char *description;    /* one line */
    const char *const *options; /* the option names it takes, NULL-ended */
    size_t ctx_size;            /* private state, zeroed by sink_open() */
    long commit_ms;             /* default commit interval for this sink */

    /*
     * The lock file that keeps two runs on the same destination apart
     * (*path, NULL: none, the configuration is refused by open) and what
     * it guards, in words (*what).  Both new strings.
     */
    int (*lock_path)(const char *arg, const char *profile,
                     const struct sink_opts *o, char **path, char **what,
                     struct err *err);
    /* Open or create the destination named by 'arg' (URI after ':'). */
    int (*open)(struct sink *s, const char *arg, const struct sink_opts *o,
                struct err *err);
    /* The state stored under 'key': *json is a new string (free()) or NULL
     * when there is none. */
    int (*load_state)(struct sink *s, const char *key, char **json,
                      struct err *err);
    /* Call 'fn' for every stored state (for `state show`). */
    int (*list_states)(struct sink *s,
                       int (*fn)(const struct sink_state *st, void *data),
                       void *data, struct err *err);
    /* Remove the state under 'key' (for `state reset`). */
    int (*delete_state)(struct sink *s, const char *key, struct err *err);
    /* Stage one record.  'rec' is borrowed for the call. */
    int (*write)(struct sink *s, const struct record *rec, struct err *err);
    /*
     * Optional (NULL: never), for a destination that keeps the copy it is
     * sent last whatever its version (a Singer target): true when 'rec'
     * may be older than a copy the destination got earlier and the sink
     * cannot tell.  The reader then does not write it but re-reads the
     * object by id (a child: its parent), whose copy is the newest.
     */
    bool (*doubts)(struct sink *s, const struct record *rec);
    /*
     * Optional (NULL: the sink cannot tell).  The version of the newest
     * copy of object 'id' of 'stream' (of 'account' in that mode) the sink
     * holds, staged or committed: 1 and *version, or 0 when it holds none.
     * The reader skips a re-read by id when a copy is new enough.
     */
    int (*stored_version)(struct sink *s, const struct stream *stream,
                          const char *account, bool livemode, const char *id,
                          int64_t *version, struct err *err);
    /* Make every staged record durable, with 'state_json' under 'key'. */
    int (*commit)(struct sink *s, const char *key, const char *state_json,
                  struct err *err);
    /* Append a finished run's record (JSON) to the run history. */
    int (*record_run)(struct sink *s, const char *run_json, struct err *err);
    /* Discard staged writes and release everything; safe after a failed
     * open. */
    void (*close)(struct sink *s);
};

struct sink {
    const struct sink_type *type;
    void *ctx;
    char *uri;
};

/*
 * The stream whose table, files and schema hold the records of 's': a
 * hidden twin (inactive prices) is stored as its 'store_as' stream, so
 * every sink maps the record's stream through this.
 */
static inline const struct stream *sink_stream(const struct stream *s)
{
    return stream_hidden(s) ? s->store_as : s;
}

extern const struct sink_type sink_sqlite;
extern const struct sink_type sink_ndjson;
extern const struct sink_type sink_singer;

/* The sink type of 'uri' ("sqlite:x" -> sink_sqlite), or NULL. */
const struct sink_type *sink_type_of(const char *uri);

/* Does 't' take the option 'name' (its 'options')? */
bool sink_takes_option(const struct sink_type *t, const char *name);

/*
 * NULL when 'uri' names a known sink type and an argument; else a hint
 * naming the known forms: "use sqlite:PATH or ndjson:DIR" (static).
 */
const char *sink_uri_problem(const char *uri);

/*
 * Refuse options the sink of 'uri' does not take (ERR_USAGE naming the
 * flags and the sink type that takes them).  An unknown sink passes: its
 * open says so.
 */
int sink_check_opts(const char *uri, const struct sink_opts *o,
                    struct err *err);

/*
 * Take the run lock of 'uri' for 'profile' (core/lockfile.h); no lock for
 * an unknown sink or one its type refuses (their open says why).
 */
struct lockfile;
int sink_lock(struct lockfile *l, const char *uri, const char *profile,
              const struct sink_opts *o, struct err *err);

/*
 * Open the sink for 'uri' ("sqlite:PATH", "ndjson:DIR", "ndjson:-").  A
 * URI without a known scheme is ERR_CONFIG naming the schemes.  'o' may be
 * NULL.  On failure *out is NULL.
 */
int sink_open(struct sink **out, const char *uri, const struct sink_opts *o,
              struct err *err);
/* Close and free; NULL-safe. */
void sink_close(struct sink *s);

#endif
