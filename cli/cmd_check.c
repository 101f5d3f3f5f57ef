/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "cli/cli.h"
#include "core/err.h"

int cmd_check(int argc, char **argv, struct err *err)
{
    return cmd_stub("check", "stripe-reader check [options]",
                "Validate the profile and probe every stream.", argc, argv,
                err);
}
