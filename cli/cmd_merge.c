/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "cli/cli.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "sinks/sink.h"
#include "sinks/sqlite_merge.h"

struct merge_opts {
    struct common_opts common;
    const char *into; /* --into sqlite:PATH */
};

static const char merge_usage[] =
    "stripe-reader merge --into sqlite:ALL.db sqlite:A.db [sqlite:B.db ...]";
static const char merge_desc[] =
    "Merge SQLite databases written by stripe-reader (the shards of a\n"
    "sharded sync, one file per shard, or the files of several profiles)\n"
    "into one, to query them together.  Every stream's rows of every\n"
    "input go into the output's table, the newest copy of each (account,\n"
    "livemode, id) winning as in a sync; merging the same inputs again\n"
    "changes nothing, so merging after every round of syncs keeps the\n"
    "output current.  The output (created when missing) gets the data\n"
    "only, not the checkpoints or run history: keep syncing into the\n"
    "inputs.\n\n"
    "Inputs are sqlite:PATH or plain paths (so that a shell glob works).\n"
    "All or nothing: every input is checked first, and the output is\n"
    "written in one transaction; if anything fails (exit 3: an input is\n"
    "not a stripe-reader SQLite database, named in the message; exit 9:\n"
    "the output cannot be written) the output is as it was, or absent.\n"
    "Prints 'merged N databases into PATH: R rows read, W rows new or\n"
    "newer' (not with -q).";

/* The path of an SQLite URI or plain path; NULL (err set) for another
 * sink's URI. */
static const char *sqlite_path(const char *arg, const char *what,
                               struct err *err)
{
    const struct sink_type *t = sink_type_of(arg);

    if (t && t != &sink_sqlite) {
        err_set(err, ERR_USAGE,
                "merge takes SQLite databases, not '%s' (%s); NDJSON "
                "folders are loaded together by scripts/load-postgres",
                arg, what);
        return NULL;
    }
    if (t) {
        arg = strchr(arg, ':') + 1;
    }
    if (!*arg) {
        err_set(err, ERR_USAGE, "%s names no file", what);
        return NULL;
    }
    return arg;
}

static int parse(struct merge_opts *o, struct strlist *args, int argc,
                 char **argv, struct err *err)
{
    const struct opt table[] = {
        OPT_STRING(0, "into", struct merge_opts, into, "sqlite:PATH",
                   "the database to merge into (created when missing)"),
        OPT_COMMON(struct merge_opts),
        OPT_END(),
    };
    int ret =
        cli_parse(merge_usage, merge_desc, table, o, argc, argv, args, err);

    if (ret != 0) {
        return ret;
    }
    if (common_apply(&o->common, err) < 0) {
        return -1;
    }
    if (!o->into) {
        return err_set(err, ERR_USAGE, "merge needs '--into sqlite:PATH'");
    }
    if (args->nr == 0) {
        return err_set(err, ERR_USAGE, "merge needs at least one input");
    }
    return 0;
}

int cmd_merge(int argc, char **argv, struct err *err)
{
    struct merge_opts o = { { 0, NULL }, NULL };
    struct strlist args = STRLIST_INIT;
    struct sqlite_merge_counts counts = { 0, 0 };
    const char **inputs = NULL;
    const char *into;
    int ret = parse(&o, &args, argc, argv, err);

    if (ret != 0) {
        ret = ret < 0 ? -1 : 0;
        goto out;
    }
    ret = -1;
    into = sqlite_path(o.into, "--into", err);
    if (!into) {
        goto out;
    }
    inputs = xcalloc(args.nr, sizeof(*inputs));
    for (size_t i = 0; i < args.nr; i++) {
        inputs[i] = sqlite_path(args.items[i], "an input", err);
        if (!inputs[i]) {
            goto out;
        }
    }
    if (sqlite_merge(into, inputs, args.nr, &counts, err) < 0) {
        goto out;
    }
    if (o.common.verbose >= 0) {
        printf("merged %zu database%s into %s: %lld rows read, %lld rows "
               "new or newer\n",
               args.nr, args.nr == 1 ? "" : "s", into, counts.read,
               counts.written);
    }
    ret = 0;
out:
    free(inputs);
    strlist_release(&args);
    return ret;
}
