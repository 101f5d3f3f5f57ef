/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "cli/cli.h"
#include "core/err.h"

int cmd_profiles(int argc, char **argv, struct err *err)
{
    return cmd_stub("profiles", "stripe-reader profiles list|show NAME",
                "List the profiles found, or show one resolved.", argc, argv,
                err);
}
