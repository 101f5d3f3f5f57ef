/* SPDX-License-Identifier: MIT */
/*
 * Commands whose issue has not landed yet: they accept --help and the
 * common options, then say plainly that they are not implemented.
 */
#include "core/compat.h"
#include "cli/cli.h"
#include "core/err.h"

struct stub_opts {
    struct common_opts common;
};

int cmd_stub(const char *name, const char *usage, const char *desc,
                int argc, char **argv, struct err *err)
{
    struct stub_opts o = { { 0, NULL } };
    struct strlist args = STRLIST_INIT;
    const struct opt table[] = { OPT_COMMON(struct stub_opts), OPT_END() };
    int ret = cli_parse(usage, desc, table, &o, argc, argv, &args, err);

    strlist_release(&args);
    if (ret != 0) {
        return ret < 0 ? -1 : 0;
    }
    return err_set(err, ERR_INTERNAL, "'%s' is not implemented yet", name);
}

int cmd_sync(int argc, char **argv, struct err *err)
{
    return cmd_stub("sync", "stripe-reader sync [options]",
                "Read what is new or changed since the last run.", argc,
                argv, err);
}

int cmd_backfill(int argc, char **argv, struct err *err)
{
    return cmd_stub("backfill", "stripe-reader backfill --since DATE [options]",
                "Load history for a date range.", argc, argv, err);
}

int cmd_state(int argc, char **argv, struct err *err)
{
    return cmd_stub("state", "stripe-reader state show|reset [options]",
                "Show or reset checkpoints.", argc, argv, err);
}

int cmd_streams(int argc, char **argv, struct err *err)
{
    return cmd_stub("streams", "stripe-reader streams [options]",
                "List the streams and their columns.", argc, argv, err);
}
