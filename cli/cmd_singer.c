/* SPDX-License-Identifier: MIT */
/*
 * `stripe-reader singer` (also installed as `tap-stripe-reader`): a Singer
 * tap (issue 16).  The same engine as `sync`, with the profile from the
 * Singer config (profiles/singer_config.c), the streams from the catalog,
 * and the Singer sink (sinks/singer.c) on standard output.  Logs go to
 * stderr only: standard output carries nothing but messages.
 */
#include "core/compat.h"
#include "cli/cli.h"
#include "cli/run.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "profiles/profile.h"
#include "sinks/singer.h"

#define TAP_NAME "tap-stripe-reader"

struct singer_opts {
    struct common_opts common;
    const char *config;
    const char *state;
    const char *catalog;
    const char *properties; /* the older name of --catalog */
    int discover;
    int about;
    const char *format;
    const char *commit_interval;
    const char *max_duration;
    const char *state_recall;
    const char *summary_json;
    int version;
};

static const char singer_usage[] =
    "stripe-reader singer --config FILE [--state FILE] [--catalog FILE]\n"
    "   or: stripe-reader singer --config FILE --discover\n"
    "   or: stripe-reader singer --about [--format json]\n"
    "   (tap-stripe-reader is the same command)";
static const char singer_desc[] =
    "A Singer tap: SCHEMA, RECORD and STATE messages on standard output,\n"
    "for any Singer target or Meltano; logs go to stderr only.\n\n"
    "The config (JSON) is {\"profile\": \"NAME|PATH\"}, or the settings\n"
    "inline: api_key and mode (required), account_id or accounts,\n"
    "accounts_in_progress, start_date, streams, overlap, max_duration,\n"
    "base_url, user_agent, rate_share.\n"
    "--discover prints the catalog: every stream, its JSON Schema, key\n"
    "'id' (with accounts: 'id' and '_sdc_account', the acct_ id a record\n"
    "was read from), replication key 'created'.  A run reads the streams\n"
    "the catalog selects (without one: every stream the key can read),\n"
    "like `sync`: what is new or changed since the state.  A RECORD is\n"
    "the Stripe object as sent; a deleted one carries _sdc_deleted_at.  A\n"
    "STATE follows every commit (with accounts: at most one per\n"
    "--commit-interval, and one at the end); --state FILE (the value of\n"
    "the last STATE the target confirmed) resumes from it.  Delivery is\n"
    "at-least-once: the target must upsert on the key properties.";

static const struct opt singer_options[] = {
    OPT_STRING('c', "config", struct singer_opts, config, "FILE",
               "the Singer config (JSON)"),
    OPT_STRING('s', "state", struct singer_opts, state, "FILE",
               "the state to resume from (a STATE message's value)"),
    OPT_STRING(0, "catalog", struct singer_opts, catalog, "FILE",
               "the catalog: the streams it selects are read"),
    OPT_STRING('p', "properties", struct singer_opts, properties, "FILE",
               "the same as --catalog (older runners)"),
    OPT_BOOL('d', "discover", struct singer_opts, discover,
             "print the catalog and exit"),
    OPT_BOOL(0, "about", struct singer_opts, about,
             "describe the tap (capabilities, settings) and exit"),
    OPT_STRING(0, "format", struct singer_opts, format, "FORMAT",
               "--about: text (default) or json"),
    OPT_STRING(0, "commit-interval", struct singer_opts, commit_interval,
               "DURATION", "a STATE at least this often (default 10s)"),
    OPT_STRING(0, "max-duration", struct singer_opts, max_duration, "DURATION",
               "stop at a commit point before this (exit 8; default: the "
               "config's max_duration)"),
    OPT_STRING(0, "state-recall", struct singer_opts, state_recall, "N",
               "objects a STATE recalls the target's copy of (default "
               "10000); an older event copy of another is re-read"),
    OPT_STRING(0, "summary-json", struct singer_opts, summary_json, "FILE",
               "write the run's summary as JSON to FILE"),
    OPT_BOOL(0, "version", struct singer_opts, version,
             "print the version and exit"),
    OPT_COMMON(struct singer_opts),
    OPT_END(),
};

static const char *const capabilities[] = { "catalog", "discover", "state",
                                            "about" };

static void about_json(struct buf *out)
{
    const struct singer_setting *s;

    buf_addstr(out, "{\"name\":\"" TAP_NAME "\",\"description\":"
                    "\"Stripe, incrementally, with stripe-reader\","
                    "\"version\":\"" STRIPE_READER_VERSION "\","
                    "\"capabilities\":[");
    for (size_t i = 0; i < ARRAY_SIZE(capabilities); i++) {
        buf_addf(out, "%s\"%s\"", i ? "," : "", capabilities[i]);
    }
    buf_addstr(out, "],\"settings\":{\"type\":\"object\",\"properties\":{");
    for (s = profile_singer_settings; s->name; s++) {
        buf_addf(out, "%s\"%s\":{\"type\":\"%s\"",
                 s == profile_singer_settings ? "" : ",", s->name,
                 strcmp(s->kind, "integer") ? "string" : "integer");
        if (!strcmp(s->kind, "password")) {
            buf_addstr(out, ",\"secret\":true,\"writeOnly\":true");
        }
        else if (!strcmp(s->kind, "date_iso8601")) {
            buf_addstr(out, ",\"format\":\"date-time\"");
        }
        buf_addstr(out, ",\"description\":");
        json_quote(out, s->doc);
        buf_addch(out, '}');
    }
    buf_addstr(out, "}}}\n");
}

static void about_text(struct buf *out)
{
    buf_addstr(out, "Name: " TAP_NAME " (stripe-reader singer)\n"
                    "Version: " STRIPE_READER_VERSION "\nCapabilities:");
    for (size_t i = 0; i < ARRAY_SIZE(capabilities); i++) {
        buf_addf(out, " %s", capabilities[i]);
    }
    buf_addstr(out, "\nSettings:\n");
    for (const struct singer_setting *s = profile_singer_settings; s->name;
         s++) {
        buf_addf(out, "  %-13s %s\n", s->name, s->doc);
    }
}

static int about(const struct singer_opts *o, struct err *err)
{
    struct buf out = BUF_INIT;

    if (o->format && strcmp(o->format, "json") && strcmp(o->format, "text")) {
        return err_set(err, ERR_USAGE,
                       "option '--format' expects 'text' or 'json', got '%s'",
                       o->format);
    }
    if (o->format && !strcmp(o->format, "json")) {
        about_json(&out);
    }
    else {
        about_text(&out);
    }
    fputs(out.buf, stdout);
    buf_release(&out);
    return 0;
}

/*
 * --discover: the config is checked when given, then the catalog (whose
 * key properties depend on whether the config reads several accounts).
 */
static int discover(const struct singer_opts *o, struct err *err)
{
    struct buf out = BUF_INIT;
    struct profile p;
    bool several = false;

    if (o->config) {
        if (profile_load_singer(o->config, &p, err) < 0) {
            return -1;
        }
        several = p.accounts != NULL;
        profile_release(&p);
    }
    singer_catalog(&out, several);
    fputs(out.buf, stdout);
    buf_release(&out);
    return 0;
}

static int extract(const struct singer_opts *o, struct err *err)
{
    struct run_opts ro = RUN_OPTS_INIT;
    const char *catalog = o->catalog ? o->catalog : o->properties;
    struct buf list = BUF_INIT;
    int ret;

    if (!o->config) {
        return err_set(err, ERR_USAGE, "singer needs --config FILE");
    }
    if (o->summary_json && !strcmp(o->summary_json, "-")) {
        return err_set(err, ERR_USAGE,
                       "--summary-json needs a file: standard output "
                       "carries Singer messages only");
    }
    if (catalog && singer_catalog_select(catalog, &list, err) < 0) {
        buf_release(&list);
        return -1;
    }
    ro.common = o->common;
    ro.profile = o->config;
    ro.load_profile = profile_load_singer;
    ro.sink = "singer:-";
    ro.state_file = o->state;
    ro.streams = catalog ? list.buf : NULL;
    ro.commit_interval = o->commit_interval;
    ro.max_duration = o->max_duration;
    ro.state_recall = o->state_recall;
    ro.summary_json = o->summary_json;
    ret = run_extract(RUN_SYNC, &ro, err);
    buf_release(&list);
    return ret;
}

int cmd_singer(int argc, char **argv, struct err *err)
{
    struct singer_opts o;
    int ret;

    memset(&o, 0, sizeof(o));
    ret = cli_parse_options(singer_usage, singer_desc, singer_options, &o, argc,
                            argv, err);
    if (ret != 0) {
        return ret < 0 ? -1 : 0;
    }
    if (o.catalog && o.properties) {
        return err_set(err, ERR_USAGE,
                       "give --catalog or --properties, not both");
    }
    if (o.version) {
        printf("%s %s\n", TAP_NAME, STRIPE_READER_VERSION);
        return 0;
    }
    if (common_apply(&o.common, err) < 0) {
        return -1;
    }
    if (o.about) {
        return about(&o, err);
    }
    if (o.format) {
        return err_set(err, ERR_USAGE, "--format goes with --about");
    }
    return o.discover ? discover(&o, err) : extract(&o, err);
}
