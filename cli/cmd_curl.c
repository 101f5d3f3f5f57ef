/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "cli/cli.h"
#include "core/err.h"

int cmd_curl(int argc, char **argv, struct err *err)
{
    return cmd_stub("curl", "stripe-reader curl PATH [options]",
                "Send one GET through the adapter.", argc, argv, err);
}
