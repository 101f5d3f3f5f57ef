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

#include <stddef.h>

struct err;
struct record;
struct sink;

/* One stored state, for listing. */
struct sink_state {
    const char *key;
    const char *json;
    long long updated_at;
};

/* Options of the sinks that use them (zero: defaults). */
struct sink_opts {
    int gzip;                  /* ndjson: .ndjson.gz files */
    const char *ndjson_format; /* ndjson: "envelope" (default) | "raw" */
    long rotate_records;       /* ndjson: records per file (100000) */
    long long rotate_bytes;    /* ndjson: bytes per file (128 MiB) */
    const char *state_file;    /* ndjson:- : where the state is kept */
};

struct sink_type {
    const char *name;        /* URI scheme: "sqlite", "ndjson" */
    const char *description; /* one line */
    size_t ctx_size;         /* private state, zeroed by sink_open() */
    long commit_ms;          /* default commit interval for this sink */

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

extern const struct sink_type sink_sqlite;
extern const struct sink_type sink_ndjson;

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
