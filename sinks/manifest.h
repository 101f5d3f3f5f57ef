/* SPDX-License-Identifier: MIT */
/*
 * The NDJSON sink's manifest: the only commit point of an NDJSON folder.
 *
 *   {"format": 1, "sequence": N,
 *    "files":   [{"path", "stream", "commit", "records", "bytes", "sha256",
 *                 "min_created", "max_created", "format", "compression",
 *                 "committed_at"}, ...],
 *    "commits": [{"commit", "time", "profile", "files",
 *                 "checkpoints": {"<stream>": {"hwm", "hi"}}}, ...],
 *    "states":  {"<profile>": {"updated_at": T, "checkpoint": {...}}}}
 *
 * It is replaced atomically (file_replace(): temp file, fsync, rename,
 * fsync of the folder) after the data files it names are durable.  A
 * data file whose commit number is above "sequence" was left by a crash
 * before its commit and is removed at the next start.
 *
 * The same structure, without files, is the state file of `ndjson:-`.
 */
#ifndef SINKS_MANIFEST_H
#define SINKS_MANIFEST_H

#include <cjson/cJSON.h>

struct err;

#define MANIFEST_NAME "manifest.json"

struct manifest {
    char *path;  /* the manifest file */
    cJSON *root; /* owned */
    long long sequence;
};

/* Read 'path', or start an empty manifest when it does not exist.
 * A manifest that does not parse is ERR_CONFIG naming the file.  On
 * failure nothing is left to release. */
int manifest_load(struct manifest *m, const char *path, struct err *err);
/* Replace the file atomically.  -1 with ERR_IO. */
int manifest_save(struct manifest *m, struct err *err);
void manifest_release(struct manifest *m);

/*
 * states: the checkpoint stored for 'key' into *cp (borrowed) and its
 * time into *updated_at (may be NULL).  1 found, 0 none (*cp NULL), -1
 * with ERR_CONFIG when the entry is damaged (no checkpoint object, or an
 * updated_at that is not a whole number of seconds): it is never taken
 * for "no state", which would read everything again.
 */
int manifest_state(const struct manifest *m, const char *key, const cJSON **cp,
                   long long *updated_at, struct err *err);
/* Set the state of 'key' from its JSON text.  -1 if it does not parse. */
int manifest_set_state(struct manifest *m, const char *key, const char *json,
                       long long now, struct err *err);
void manifest_delete_state(struct manifest *m, const char *key);
/* The files array, the commits array (borrowed, never NULL). */
cJSON *manifest_files(struct manifest *m);
cJSON *manifest_commits(struct manifest *m);

/*
 * Remove what a crash left in the stream folders under 'dir': temporary
 * files, and data files of commits above the manifest's sequence.
 */
int manifest_cleanup(const struct manifest *m, const char *dir,
                     const char *const *stream_names, size_t n,
                     struct err *err);

#endif
