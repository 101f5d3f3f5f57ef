/* SPDX-License-Identifier: MIT */
/*
 * The command-line front end: the command table, options every command
 * accepts, and the help printer.  Commands return 0, or -1 with err set;
 * only cli_main() turns an error kind into an exit code.
 */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdio.h>

#include "core/opt.h"

struct err;

struct command {
    const char *name;
    const char *summary; /* one line, shown by --help */
    int (*run)(int argc, char **argv, struct err *err);
};

/* Options accepted by every command (embedded as 'common'). */
struct common_opts {
    int verbose; /* -v +1, -q -1 */
    const char *log_format;
};

#define OPT_COMMON(st)                                                         \
    OPT_COUNT('v', "verbose", st, common.verbose,                              \
              "more output (-vv: every request)"),                             \
        OPT_DEC('q', "quiet", st, common.verbose, "errors only"),              \
        OPT_STRING(0, "log-format", st, common.log_format, "text|json",        \
                   "format of log lines on stderr (default text)")

/* Apply -v/-q/--log-format.  -1 with ERR_USAGE on a bad value. */
int common_apply(const struct common_opts *c, struct err *err);

/*
 * Parse a command's options; on --help print "usage: <usage>", the
 * description and the options, and return 1.  -1 on a usage error.
 */
int cli_parse(const char *usage, const char *description,
              const struct opt *table, void *opts, int argc, char **argv,
              struct strlist *args, struct err *err);

/* cli_parse() for a command that takes no arguments, only options: an
 * argument is a usage error. */
int cli_parse_options(const char *usage, const char *description,
                      const struct opt *table, void *opts, int argc,
                      char **argv, struct err *err);

/* Print the exit-code table (shared by --help texts). */
void cli_print_exit_codes(FILE *fp);

int cli_main(int argc, char **argv);

int cmd_sync(int argc, char **argv, struct err *err);
int cmd_backfill(int argc, char **argv, struct err *err);
int cmd_check(int argc, char **argv, struct err *err);
int cmd_curl(int argc, char **argv, struct err *err);
int cmd_state(int argc, char **argv, struct err *err);
int cmd_profiles(int argc, char **argv, struct err *err);
int cmd_streams(int argc, char **argv, struct err *err);
int cmd_singer(int argc, char **argv, struct err *err);
int cmd_accounts(int argc, char **argv, struct err *err);
int cmd_merge(int argc, char **argv, struct err *err);

#endif
