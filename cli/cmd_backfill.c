/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "cli/cli.h"
#include "cli/run.h"
#include "core/err.h"

static const char backfill_usage[] =
    "stripe-reader backfill --since DATE [--until DATE] [options]";
static const char backfill_desc[] =
    "Load history: every object created in [--since, --until) (until now\n"
    "if no --until).  Windows of the range are paged concurrently at the\n"
    "rate limits.  Re-running the same command after a crash or ^C\n"
    "continues where it stopped.  A backfill never moves the sync's marks\n"
    "backwards and never overwrites a newer copy of an object; when it\n"
    "covers the sync's start, the next sync starts where it ended.\n"
    "DATE: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or unix seconds (UTC).\n"
    "Events are kept 30 days by Stripe: older ones cannot be backfilled.";

static const struct opt backfill_options[] = {
    OPT_STRING(0, "since", struct run_opts, since, "DATE",
               "start of the range (required)"),
    OPT_STRING(0, "until", struct run_opts, until, "DATE",
               "end of the range, exclusive (default: now)"),
#include "cli/run_opts.def"
    OPT_COMMON(struct run_opts),
    OPT_END(),
};

int cmd_backfill(int argc, char **argv, struct err *err)
{
    return run_command(RUN_BACKFILL, backfill_usage, backfill_desc,
                       backfill_options, argc, argv, err);
}
