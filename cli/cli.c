/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "model/streams.h"
#include "cli/cli.h"
#include "profiles/profile.h"
#include "sinks/sink.h"
#include "core/err.h"
#include "core/log.h"
#include "core/redact.h"
#include "core/strutil.h"
#include "core/xalloc.h"

static int run_main(int argc, char **argv);

static const struct command commands[] = {
    { "sync", "read what is new or changed since the last run (for cron)",
      cmd_sync },
    { "backfill", "load history for a date range; resumable", cmd_backfill },
    { "check", "validate the profile and probe every stream", cmd_check },
    { "curl", "send one GET through the adapter and print the reply",
      cmd_curl },
    { "state", "show or reset checkpoints", cmd_state },
    { "profiles", "list the profiles found, or show one resolved",
      cmd_profiles },
    { "streams", "list the streams and their columns", cmd_streams },
    { "accounts", "list the platform's connected accounts and their shards",
      cmd_accounts },
    { "merge", "merge SQLite shards into one database to query together",
      cmd_merge },
    { "singer",
      "a Singer tap for Meltano and Singer targets (also "
      "tap-stripe-reader)",
      cmd_singer },
};

static const struct {
    int code;
    const char *meaning;
} exit_codes[] = {
    { EXIT_OK, "success" },
    { EXIT_INTERNAL, "internal error (a bug; please report it)" },
    { EXIT_USAGE, "usage error (bad command line or option value)" },
    { EXIT_CONFIG, "configuration error (profile, sink, stored state)" },
    { EXIT_AUTH, "authentication or permission error (401, 403, "
                 "invalid_grant, mode mismatch)" },
    { EXIT_API, "Stripe or network failure after retries, or a reply "
                "Stripe would not send" },
    { EXIT_RETENTION, "events retention gap: the change feed (events "
                      "cursor) is older than Stripe keeps events" },
    { EXIT_LOCKED, "another run holds the lock" },
    { EXIT_PARTIAL, "partial run (deadline or signal); the next run "
                    "continues" },
    { EXIT_IO, "I/O error in the sink or a local file" },
};

void cli_print_exit_codes(FILE *fp)
{
    fprintf(fp, "Exit codes:\n");
    for (size_t i = 0; i < ARRAY_SIZE(exit_codes); i++) {
        fprintf(fp, "  %-3d %s\n", exit_codes[i].code, exit_codes[i].meaning);
    }
}

static void print_main_help(FILE *fp)
{
    fprintf(fp, "usage: stripe-reader [-v|-q] <command> [options]\n"
                "       stripe-reader --version | --help\n\n"
                "Reads Stripe charges, events and payouts incrementally "
                "into SQLite or NDJSON.\n\nCommands:\n");
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(fp, "\nRun 'stripe-reader <command> --help' for a command's "
                "options.\n\n");
    cli_print_exit_codes(fp);
}

int common_apply(const struct common_opts *c, struct err *err)
{
    log_set_level(LOG_WARN + c->verbose);
    if (!c->log_format || !strcmp(c->log_format, "text")) {
        log_set_format(LOG_FORMAT_TEXT);
    }
    else if (!strcmp(c->log_format, "json")) {
        log_set_format(LOG_FORMAT_JSON);
    }
    else {
        return err_set(err, ERR_USAGE,
                       "option '--log-format' expects 'text' or 'json', "
                       "got '%s'",
                       c->log_format);
    }
    return 0;
}

int cli_parse(const char *usage, const char *description,
              const struct opt *table, void *opts, int argc, char **argv,
              struct strlist *args, struct err *err)
{
    int ret = opt_parse(table, opts, argc, argv, args, err);

    if (ret == 1) {
        printf("usage: %s\n\n%s\n\nOptions:\n", usage, description);
        opt_print_help(stdout, table);
        printf("\n");
        cli_print_exit_codes(stdout);
    }
    return ret;
}

int cli_parse_options(const char *usage, const char *description,
                      const struct opt *table, void *opts, int argc,
                      char **argv, struct err *err)
{
    struct strlist args = STRLIST_INIT;
    int ret =
        cli_parse(usage, description, table, opts, argc, argv, &args, err);

    if (ret == 0 && args.nr > 0) {
        ret =
            err_set(err, ERR_USAGE, "unexpected argument '%s'", args.items[0]);
    }
    strlist_release(&args);
    return ret;
}

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        if (!strcmp(commands[i].name, name)) {
            return &commands[i];
        }
    }
    return NULL;
}

static int unknown_command(const char *name, struct err *err)
{
    const char *names[ARRAY_SIZE(commands) + 1];
    const char *hint;

    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        names[i] = commands[i].name;
    }
    names[ARRAY_SIZE(commands)] = NULL;
    hint = suggest(name, names);
    if (hint) {
        return err_set(err, ERR_USAGE,
                       "unknown command '%s' (did you mean '%s'?)", name, hint);
    }
    return err_set(err, ERR_USAGE, "unknown command '%s'", name);
}

static void report(const struct err *err, const char *cmd)
{
    char msg[ERR_MSG_MAX];
    char hint[128] = "";

    snprintf(msg, sizeof(msg), "%s", err->msg);
    redact_str(msg, sizeof(msg));
    if (err->kind == ERR_USAGE) {
        snprintf(hint, sizeof(hint), "run 'stripe-reader%s%s --help' for usage",
                 cmd ? " " : "", cmd ? cmd : "");
    }
    if (log_get_format() == LOG_FORMAT_JSON) {
        /* one JSON object per line, the hint inside it */
        log_error("%s%s%s%s", msg, *hint ? " (" : "", hint, *hint ? ")" : "");
        return;
    }
    fprintf(stderr, "stripe-reader: error: %s\n", msg);
    if (*hint) {
        fprintf(stderr, "hint: %s\n", hint);
    }
}

static bool is_global_opt(const char *a)
{
    return !strcmp(a, "-q") || !strcmp(a, "--quiet") ||
           !strcmp(a, "--verbose") || starts_with(a, "--log-format=") ||
           (a[0] == '-' && a[1] == 'v' && strspn(a + 1, "v") == strlen(a + 1));
}

/*
 * Leading global options (-v, -q, --log-format=F) may come before the
 * command; they are moved behind it so that each command parses them.
 * Returns the number of leading global options.
 */
static int hoist_globals(char **args, int nargs)
{
    int n = 0;

    for (;;) {
        if (n < nargs && is_global_opt(args[n])) {
            n++;
        }
        else if (n + 1 < nargs && !strcmp(args[n], "--log-format")) {
            n += 2;
        }
        else {
            break;
        }
    }
    if (n > 0 && n < nargs) {
        char *cmd = args[n];

        memmove(args + 1, args, (size_t)n * sizeof(*args));
        args[0] = cmd;
    }
    return n;
}

/*
 * Errors found while parsing the options must already be printed in the
 * requested log format, so --log-format is looked at before parsing.
 */
static void early_log_format(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) {
            break;
        }
        if (!strcmp(argv[i], "--log-format=json") ||
            (!strcmp(argv[i], "--log-format") && i + 1 < argc &&
             !strcmp(argv[i + 1], "json"))) {
            log_set_format(LOG_FORMAT_JSON);
        }
    }
}

/* For the profile loader: a 'spec.streams' value the table refuses. */
static const char *streams_problem(const char *list)
{
    static struct err err;
    unsigned mask;

    err = (struct err)ERR_INIT;
    return streams_parse(list, &mask, &err) < 0 ? err.msg : NULL;
}

/*
 * Installed as tap-stripe-reader (a link to the binary), it is exactly
 * `stripe-reader singer`: Meltano's 'executable:' names one program.
 * Returns argv with "singer" after argv[0] (a new array), or NULL.
 */
static char **tap_argv(int argc, char **argv)
{
    static char singer[] = "singer";
    const char *base = argv[0] ? strrchr(argv[0], '/') : NULL;
    char **out;

    base = base ? base + 1 : argv[0];
    if (!base || strcmp(base, "tap-stripe-reader")) {
        return NULL;
    }
    out = xcalloc((size_t)argc + 2, sizeof(*out));
    out[0] = argv[0];
    out[1] = singer;
    memcpy(out + 2, argv + 1, (size_t)(argc - 1) * sizeof(*out));
    return out;
}

int cli_main(int argc, char **argv)
{
    char **tap = tap_argv(argc, argv);
    int ret;

    if (!tap) {
        return run_main(argc, argv);
    }
    ret = run_main(argc + 1, tap);
    free(tap);
    return ret;
}

static int run_main(int argc, char **argv)
{
    struct err err = ERR_INIT;
    const struct command *cmd = NULL;
    char **args = argv + 1;
    int nargs = argc - 1;
    int ret;

    early_log_format(argc, argv);
    hoist_globals(args, nargs);
    profile_sink_problem = sink_uri_problem;
    profile_streams_problem = streams_problem;

    if (nargs < 1) {
        print_main_help(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(args[0], "--version") || !strcmp(args[0], "version")) {
        printf("stripe-reader %s\n", STRIPE_READER_VERSION);
        return EXIT_OK;
    }
    if (!strcmp(args[0], "--help") || !strcmp(args[0], "-h") ||
        !strcmp(args[0], "help")) {
        if (nargs > 1 && find_command(args[1])) {
            char help[] = "--help";
            char *hargv[] = { help, NULL };

            return find_command(args[1])->run(1, hargv, &err) < 0
                       ? EXIT_INTERNAL
                       : EXIT_OK;
        }
        print_main_help(stdout);
        return EXIT_OK;
    }
    if (args[0][0] == '-') {
        err_set(&err, ERR_USAGE, "expected a command before '%s'", args[0]);
        report(&err, NULL);
        return EXIT_USAGE;
    }
    cmd = find_command(args[0]);
    if (!cmd) {
        unknown_command(args[0], &err);
        report(&err, NULL);
        return EXIT_USAGE;
    }
    /* a documented test hook: the only way to see exit code 1 on purpose */
    if (getenv("STRIPE_READER_TEST_INTERNAL_ERROR")) {
        err_set(&err, ERR_INTERNAL,
                "internal error requested by "
                "STRIPE_READER_TEST_INTERNAL_ERROR");
        report(&err, cmd->name);
        return EXIT_INTERNAL;
    }
    ret = cmd->run(nargs - 1, args + 1, &err);
    if (ret < 0) {
        report(&err, cmd->name);
        return err_exit_code(err.kind);
    }
    return EXIT_OK;
}
