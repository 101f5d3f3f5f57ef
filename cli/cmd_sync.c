/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "cli/cli.h"
#include "cli/run.h"
#include "core/err.h"

static const char sync_usage[] = "stripe-reader sync [options]";
static const char sync_desc[] =
    "Read what is new or changed since the last run, for cron.\n\n"
    "The first run reads everything since the profile's startDate (all\n"
    "history if none); with --max-duration it may take many runs, each\n"
    "exiting 8 until it is complete.  Later runs list each stream from its\n"
    "high-water mark less the overlap, and read changes from one\n"
    "/v1/events scan (the change feed, 10 minutes of look-back).  A run in\n"
    "which nothing changed costs one list request per stream plus one\n"
    "events request.  If the change feed is older than Stripe keeps events\n"
    "(30 days), the run stops with exit code 6 and writes nothing;\n"
    "--rescan then re-lists every stream since the start date so that the\n"
    "current state of every object is stored.";

static const struct opt sync_options[] = {
#include "cli/run_opts.def"
    OPT_BOOL(0, "rescan", struct run_opts, rescan,
             "re-list every stream since the start date (the remedy "
             "for a retention gap)"),
    OPT_COMMON(struct run_opts),
    OPT_END(),
};

int cmd_sync(int argc, char **argv, struct err *err)
{
    return run_command(RUN_SYNC, sync_usage, sync_desc, sync_options, argc,
                       argv, err);
}
