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

/* Options both commands accept (embedded in their tables). */
#define OPT_RUN_COMMON(st)                                                     \
    OPT_STRING('p', "profile", st, profile, "NAME|PATH",                       \
               "profile to use (default $STRIPE_READER_PROFILE)"),             \
        OPT_STRING(0, "sink", st, sink, "URI",                                 \
                   "sqlite:PATH, ndjson:DIR or ndjson:- (default: the "        \
                   "profile's, or sqlite:stripe.db)"),                         \
        OPT_STRING(                                                            \
            0, "streams", st, streams, "LIST",                                 \
            "comma-separated streams (default: the profile's, else every "     \
            "stream the key can read)"),                                       \
        OPT_INT(0, "concurrency", st, concurrency, "N",                        \
                "list requests in flight per stream (default 12)"),            \
        OPT_STRING(0, "overlap", st, overlap, "DURATION",                      \
                   "re-read this much before the last mark (default: "         \
                   "the profile's, or 60s)"),                                  \
        OPT_STRING(0, "settle", st, settle, "DURATION",                        \
                   "read only objects older than this (default 5s)"),          \
        OPT_STRING(0, "commit-interval", st, commit_interval, "DURATION",      \
                   "commit at least this often (default: sqlite 2s, "          \
                   "ndjson 60s)"),                                             \
        OPT_BOOL(0, "gzip", st, gzip, "ndjson: write .ndjson.gz files"),       \
        OPT_STRING(0, "ndjson-format", st, ndjson_format, "FORMAT",            \
                   "ndjson: envelope (default) or raw"),                       \
        OPT_STRING(0, "rotate-records", st, rotate_records, "N",               \
                   "ndjson: records per file (default 100000)"),               \
        OPT_STRING(0, "rotate-size", st, rotate_size, "SIZE",                  \
                   "ndjson: bytes per file before compression (default "       \
                   "128MiB)"),                                                 \
        OPT_STRING(0, "state", st, state_file, "FILE",                         \
                   "ndjson:- : the file that keeps the checkpoint"),           \
        OPT_STRING(0, "rate-share", st, rate_share, "G[,E]",                   \
                   "use this share of Stripe's global (and per-endpoint) "     \
                   "rate limit (default: the profile's, 0.5,0.8)"),            \
        OPT_STRING(0, "max-duration", st, max_duration, "DURATION",            \
                   "stop at a commit point before this (exit 8; default: "     \
                   "the profile's maxDuration)"),                              \
        OPT_BOOL(0, "progress", st, progress,                                  \
                 "live progress on stderr (default: on a terminal only; "      \
                 "--no-progress)"),                                            \
        OPT_STRING(0, "summary-json", st, summary_json, "FILE",                \
                   "write the run summary as JSON to FILE (- for stdout)"),    \
        OPT_STRING(0, "accounts", st, accounts, "all|LIST",                    \
                   "read these connected accounts with the platform's "        \
                   "key: all, or acct_ ids separated by commas (default: "     \
                   "the profile's spec.accounts)"),                            \
        OPT_STRING(0, "shard", st, shard, "I/N",                               \
                   "read only the accounts of shard I of N (FNV-1a 64 of "     \
                   "the id mod N); {shard} in the sink URI becomes I"),        \
        OPT_INT(0, "accounts-in-progress", st, accounts_in_progress, "N",      \
                "at most N accounts with a first sync under way (default: "    \
                "the profile's accountsInProgress, or 8)")

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
