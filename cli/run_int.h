/* SPDX-License-Identifier: MIT */
/*
 * The state of one `sync` or `backfill` run, shared by cli/run.c (which
 * wires the layers and runs it) and cli/summary.c (which reports it).
 */
#ifndef CLI_RUN_INT_H
#define CLI_RUN_INT_H
#include <stdbool.h>
#include <stdint.h>
#include "cli/progress.h"
#include "cli/run.h"
#include "core/lockfile.h"
#include "profiles/profile.h"
#include "reader/checkpoint.h"
#include "reader/engine.h"

struct adapter;
struct buf;
struct err;
struct sink;

struct run {
    enum run_kind kind;
    const struct run_opts *o;
    struct profile p;
    struct sink *sink;
    struct adapter *ad;
    struct checkpoint cp;
    bool have_cp;
    const char *sink_uri;
    unsigned mask;
    int64_t overlap, settle;
    long commit_ms;
    int64_t since, until; /* backfill */
    int64_t max_duration;
    struct lockfile lock;
    struct progress progress;
    char range[80]; /* backfill's key */
    int64_t started_at;
    int64_t started_ms;
    struct engine_result res;
};

/* The run's summary as JSON (docs/summary.schema.json), appended. */
void summary_json(const struct run *r, int rc, const struct err *err,
                  struct buf *out);
/* The one-line summary on stderr (log level notice). */
void summary_print(const struct run *r, int rc, const struct err *err);
/* Into the sink's run history, and --summary-json if asked. */
void summary_record(struct run *r, int rc, const struct err *err);
/* Write the JSON to 'path' ("-": stdout); a failure is logged. */
void summary_write(const char *path, const struct buf *json);
#endif
