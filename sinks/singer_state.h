/* SPDX-License-Identifier: MIT */
/*
 * The checkpoints a Singer state carries (issue 16), and the state's
 * value as text.  The reader commits under a key: the profile's name for
 * a run of one account, "<profile>/<acct_id>" (and "<profile>/accounts",
 * the known accounts) for a run of several.  The profile's name is not
 * part of the state (one state per tap configuration), so a key is kept
 * by what follows its '/':
 *
 *   one account:  {"stripe_reader": {"format": 2, "checkpoint": "{...}",
 *                  "recall": "...", "below": "..."}}
 *   several:      {"stripe_reader": {"format": 2, "checkpoints":
 *                  {"accounts": "{...}", "acct_1": "{...}", ...},
 *                  "recall": "...", "below": "..."}}
 *
 * Each checkpoint is a JSON *string* (see sinks/singer.c for why).  A
 * state of the other shape is refused: a run of several accounts does not
 * start over silently from a one-account state (at load), nor the
 * reverse (singer_states_refuse()); `state show` lists either.
 */
#ifndef SINKS_SINGER_STATE_H
#define SINKS_SINGER_STATE_H

#include "core/strset.h"

struct buf;
struct err;
struct singer_recall;

struct singer_states {
    bool several;        /* a run of several accounts */
    bool from_several;   /* read from a state of several (`state show`) */
    char *single;        /* one account: its checkpoint, NULL: none yet */
    struct strset index; /* several: key suffix -> index in 'items' */
    struct singer_checkpoint {
        char *name; /* an account id, or "accounts" */
        char *json;
    } * items;
    size_t nr, alloc;
};

void singer_states_init(struct singer_states *st, bool several);
void singer_states_release(struct singer_states *st);

/*
 * Read the state file 'path' (missing or empty: nothing, logged) into
 * 'st' and the recall 'r'.  -1 with ERR_CONFIG naming the file: not JSON,
 * not a stripe-reader state, another format, or of the other shape.
 */
int singer_states_load(struct singer_states *st, struct singer_recall *r,
                       const char *path, struct err *err);

/* -1 with ERR_CONFIG naming 'path' when a run of one account asks for
 * 'key' in a state of several accounts; else 0. */
int singer_states_refuse(const struct singer_states *st, const char *key,
                         const char *path, struct err *err);

/* The checkpoint kept for 'key' (NULL: none); owned by 'st'. */
const char *singer_states_get(const struct singer_states *st, const char *key);

/* Keep 'json' (copied) as the checkpoint of 'key'. */
void singer_states_set(struct singer_states *st, const char *key,
                       const char *json);

/* Call 'fn' for each checkpoint kept, with a key as the reader's but for
 * the profile's name, "singer" ("singer", "singer/acct_1",
 * "singer/accounts"); stops at the first non-zero return, returned. */
int singer_states_each(const struct singer_states *st,
                       int (*fn)(const char *key, const char *json, void *),
                       void *data);

/* Append the members "format" and "checkpoint" or "checkpoints" of the
 * object "stripe_reader" of a state value. */
void singer_states_write(const struct singer_states *st, struct buf *out);

#endif
