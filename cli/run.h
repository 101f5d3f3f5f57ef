/* SPDX-License-Identifier: MIT */
/*
 * What `sync` and `backfill` share: loading the profile, opening the sink,
 * reading and checking the checkpoint, running the engine, recording the
 * run and printing its summary.  The only place that knows both the
 * reader and the sinks.
 */
#ifndef CLI_RUN_H
#define CLI_RUN_H

#include "cli/cli.h"

struct err;
struct profile;
struct sink_opts;

struct run_opts {
    struct common_opts common;
    const char *profile;
    const char *sink;
    const char *streams;
    int concurrency;
    const char *overlap;
    const char *settle;
    const char *commit_interval;
    int gzip;
    const char *ndjson_format;
    const char *rotate_records;
    const char *rotate_size;
    const char *state_file;
    const char *state_recall; /* singer: objects a STATE recalls */
    const char *max_duration;
    const char *rate_share; /* "G[,E]": shares of Stripe's limits */
    int progress;           /* -1: on a terminal */
    const char *summary_json;
    int rescan;           /* sync: re-list after a retention gap */
    const char *since;    /* backfill */
    const char *until;    /* backfill */
    const char *accounts; /* "all" or "acct_a,acct_b" (issue 15) */
    const char *shard;    /* "I/N" */
    int accounts_in_progress;
    /* how 'profile' is loaded; NULL: run_load_profile() (`singer` gives
     * its --config file and profile_load_singer()) */
    int (*load_profile)(const char *profile, struct profile *p,
                        struct err *err);
};

#define RUN_OPTS_INIT                                                          \
    {                                                                          \
        .common = { 0, NULL }, .progress = -1                                  \
    }

/*
 * The options both commands accept, entries of their tables: the lines
 * of cli/run_opts.def, included where the table lists them.
 */
#define RUN_STRING(s, l, f, a, h) OPT_STRING(s, l, struct run_opts, f, a, h),
#define RUN_INT(s, l, f, a, h) OPT_INT(s, l, struct run_opts, f, a, h),
#define RUN_BOOL(s, l, f, h) OPT_BOOL(s, l, struct run_opts, f, h),

enum run_kind { RUN_SYNC, RUN_BACKFILL };

/*
 * The command 'kind' from its argv: parse with 'table' (of struct
 * run_opts fields) into options that start as RUN_OPTS_INIT (--help
 * prints 'usage' and 'desc'), refuse positional arguments, then run.
 */
int run_command(enum run_kind kind, const char *usage, const char *desc,
                const struct opt *table, int argc, char **argv,
                struct err *err);

/* Run 'kind' with 'o'; 0, or -1 with err (its kind is the exit code). */
int run_extract(enum run_kind kind, const struct run_opts *o, struct err *err);

/* The sink options of the command line (the sink parses their values). */
void run_sink_opts(const struct run_opts *o, struct sink_opts *so);

/*
 * Load the profile named by --profile (or $STRIPE_READER_PROFILE) into
 * 'p'.  -1 with ERR_CONFIG.
 */
int run_load_profile(const char *name, struct profile *p, struct err *err);

#endif
