/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "cli/run.h"
#include "cli/run_int.h"
#include "cli/progress.h"
#include "adapter/adapter.h"
#include "core/lockfile.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/log.h"
#include "core/strutil.h"
#include "core/xalloc.h"
#include "profiles/profile.h"
#include "reader/engine.h"
#include "reader/plan.h"
#include "model/streams.h"
#include "sinks/sink.h"

#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_CONCURRENCY 12
#define DEFAULT_SETTLE_SECS 5

/* Set by SIGINT/SIGTERM; the engine stops at the next commit point. */
volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    if (stop_requested) {
        /* a second signal: leave now; commits are atomic, nothing is
         * half-written */
        _exit(EXIT_PARTIAL);
    }
    stop_requested = sig;
}

static void catch_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int run_load_profile(const char *name, struct profile *p, struct err *err)
{
    char *path = NULL;
    int ret;

    if (profile_find(name, &path, err) < 0) {
        return -1;
    }
    ret = profile_load(path, p, err);
    free(path);
    return ret;
}

void run_sink_opts(const struct run_opts *o, struct sink_opts *so)
{
    memset(so, 0, sizeof(*so));
    sink_opts_add(so, "gzip", o->gzip ? "1" : NULL, "--gzip");
    sink_opts_add(so, "format", o->ndjson_format, "--ndjson-format");
    sink_opts_add(so, "rotate-records", o->rotate_records, "--rotate-records");
    sink_opts_add(so, "rotate-size", o->rotate_size, "--rotate-size");
    sink_opts_add(so, "state", o->state_file, "--state");
    sink_opts_add(so, "recall", o->state_recall, "--state-recall");
}

/* --rate-share G[,E]: the shares of Stripe's limits, each 0.01 to 1. */
static int parse_rate_share(const char *s, struct adapter_cfg *a,
                            struct err *err)
{
    double g, e = a->endpoint_share;
    char *end;
    bool ok;

    errno = 0;
    g = strtod(s, &end);
    ok = end != s && (*end == '\0' || *end == ',');
    if (ok && *end == ',') {
        const char *p = end + 1;

        e = strtod(p, &end);
        ok = end != p && *end == '\0';
    }
    if (!ok || errno || !(g >= 0.01 && g <= 1) || !(e >= 0.01 && e <= 1)) {
        return err_set(err, ERR_USAGE,
                       "option '--rate-share' expects a share from 0.01 to "
                       "1, or two (global,endpoint), got '%s'",
                       s);
    }
    a->global_share = g;
    a->endpoint_share = e;
    return 0;
}

static int parse_options(struct run *r, struct err *err)
{
    const struct run_opts *o = r->o;

    r->overlap = r->p.overlap_secs; /* the loader's default is 60 s */
    r->settle = DEFAULT_SETTLE_SECS;
    r->commit_ms = 0; /* the sink's default */
    if (o->commit_interval &&
        parse_duration_ms(o->commit_interval, &r->commit_ms, err) < 0) {
        return -1;
    }
    if ((o->overlap && parse_duration(o->overlap, &r->overlap, err) < 0) ||
        (o->settle && parse_duration(o->settle, &r->settle, err) < 0) ||
        streams_parse(o->streams ? o->streams : r->p.streams, &r->mask, err) <
            0) {
        return -1;
    }
    if (o->rate_share &&
        parse_rate_share(o->rate_share, &r->p.adapter, err) < 0) {
        return -1;
    }
    r->max_duration = r->p.max_duration_secs;
    if (o->max_duration &&
        parse_duration(o->max_duration, &r->max_duration, err) < 0) {
        return -1;
    }
    if (o->concurrency < 0 || o->concurrency > 64) {
        return err_set(err, ERR_USAGE,
                       "option '--concurrency' expects 1 to 64, got %d",
                       o->concurrency);
    }
    if (r->kind == RUN_BACKFILL) {
        if (!o->since) {
            return err_set(err, ERR_USAGE, "backfill needs --since DATE");
        }
        if (parse_date(o->since, "--since", &r->since, err) < 0) {
            return -1;
        }
        r->until = INT64_MAX;
        if (o->until && parse_date(o->until, "--until", &r->until, err) < 0) {
            return -1;
        }
        if (r->until <= r->since) {
            return err_set(err, ERR_USAGE, "--until must be after --since");
        }
    }
    return 0;
}

/*
 * The checkpoint stored for this profile, or a fresh one.  A stored one
 * written for another account or mode is refused: its marks mean nothing
 * for this key's data.
 */
int run_load_checkpoint(struct run *r, struct err *err)
{
    const char *account = r->account;
    const char *mode = profile_mode_name(r->p.mode);
    char *json = NULL;
    char where[256];

    checkpoint_init(&r->cp, account, mode);
    r->have_cp = true;
    if (r->sink->type->load_state(r->sink, r->state_key, &json, err) < 0) {
        return -1;
    }
    if (!json) {
        return 0;
    }
    snprintf(where, sizeof(where), "state of profile '%s'%s%s in '%s'",
             r->p.name, *account && r->multi ? " for account " : "",
             r->multi ? account : "", r->sink_uri);
    if (checkpoint_from_json(&r->cp, json, where, err) < 0) {
        free(json);
        return -1;
    }
    free(json);
    if (strcmp(r->cp.account, account) || strcmp(r->cp.mode, mode)) {
        return err_set(err, ERR_CONFIG,
                       "the %s belongs to account '%s' in %s mode, but "
                       "this run reads account '%s' in %s mode; use "
                       "another sink, or 'stripe-reader state reset'",
                       where, *r->cp.account ? r->cp.account : "(own)",
                       r->cp.mode, *account ? account : "(own)", mode);
    }
    return 0;
}

/*
 * The retention guard (reader/plan.h): a change-feed cursor older than
 * Stripe keeps events means changes in between cannot be known.  The
 * engine checks it against Stripe's clock at the first events reply and
 * fails before anything is written; this says why and what to do.
 */
static int retention_error(struct run *r, struct err *err)
{
    int64_t cursor = plan_feed_cursor(&r->cp);
    char when[32], start[32];

    format_time(cursor, when, sizeof(when));
    if (r->p.has_start_date) {
        format_time(r->p.start_date, start, sizeof(start));
    }
    else {
        snprintf(start, sizeof(start), "the beginning");
    }
    return err_set(err, ERR_RETENTION,
                   "the events checkpoint of profile '%s'%s%s is from %s, "
                   "older than the 30 days Stripe keeps events: changes to "
                   "charges and payouts since then cannot be read; run "
                   "'stripe-reader sync --rescan%s%s' to re-list them since "
                   "%s and restart the events scan (nothing was written)",
                   r->p.name, r->multi ? " for account " : "",
                   r->multi ? r->account : "", r->multi ? " --accounts " : "",
                   r->multi ? r->account : "", when, start);
}

int run_execute(struct run *r, struct err *err)
{
    struct run_plan plan;
    struct plan_opts po;
    struct engine_opts eo;
    struct stream_set *set = &r->cp.sync;
    int ret;

    memset(&plan, 0, sizeof(plan));
    memset(&eo, 0, sizeof(eo));
    po.mask = r->mask;
    po.start = r->p.has_start_date ? r->p.start_date : 0;
    po.overlap = r->overlap;
    po.events_lookback =
        r->overlap > EVENTS_LOOKBACK_SECS ? r->overlap : EVENTS_LOOKBACK_SECS;
    po.since = r->since;
    po.until = r->until;
    if (r->kind == RUN_SYNC) {
        if (r->o->rescan) {
            plan_rescan(&r->cp);
            log_warn("--rescan: re-listing every stream since %s",
                     r->p.has_start_date ? "the start date" : "the beginning");
        }
        plan_sync(&r->cp, &po, &plan);
    }
    else {
        plan_backfill_range(r->since, r->until, r->range, sizeof(r->range));
        set = checkpoint_backfill(&r->cp, r->range);
        plan_backfill(set, &po, &plan);
        eo.seed_sync = !r->p.has_start_date || r->since <= r->p.start_date;
        eo.seed_since = r->since;
    }
    if (!r->ad && adapter_open(&r->ad, &r->p, err) < 0) {
        return -1;
    }
    /* streams not named: read those the key can read (issue 14) */
    eo.skip_unreadable = !r->o->streams && !r->p.streams;
    eo.state_key = r->state_key;
    eo.account = r->account;
    eo.concurrency =
        r->o->concurrency ? r->o->concurrency : DEFAULT_CONCURRENCY;
    eo.settle_secs = r->settle;
    eo.api_version = adapter_cfg_header(&r->p.adapter, "Stripe-Version");
    eo.commit_records = 20000;
    eo.commit_ms = r->commit_ms;
    eo.stop = &stop_requested;
    if (r->max_duration > 0) {
        eo.deadline_ms = r->started_ms + r->max_duration * 1000;
    }
    progress_init(&r->progress, r->o->progress,
                  r->mask | (r->kind == RUN_SYNC
                                 ? 1u << stream_index(stream_find("events"))
                                 : 0));
    eo.progress = progress_update;
    eo.progress_data = &r->progress;
    ret = engine_run(r->ad, r->sink, &r->cp, set, &plan, &eo, &r->res, err);
    progress_finish(&r->progress);
    if (ret < 0 && err->kind == ERR_RETENTION) {
        return retention_error(r, err);
    }
    if (ret < 0 && err->kind == ERR_PARTIAL) {
        err_set(err, ERR_PARTIAL,
                "stopped early (%s); what was read is committed and the "
                "next run continues where this one stopped",
                stop_requested ? "signal" : "--max-duration reached");
    }
    return ret;
}

int run_command(enum run_kind kind, const char *usage, const char *desc,
                const struct opt *table, int argc, char **argv, struct err *err)
{
    struct run_opts o = RUN_OPTS_INIT;
    int ret = cli_parse_options(usage, desc, table, &o, argc, argv, err);

    if (ret != 0) {
        return ret < 0 ? -1 : 0;
    }
    return run_extract(kind, &o, err);
}

/*
 * A sink that writes records of several accounts differently (a Singer
 * tap's key then includes the account) is told so, with the run's commit
 * interval in ms (how often it may write its state).
 */
static void several_accounts_opt(const struct run *r, struct sink_opts *so,
                                 char *ms, size_t size)
{
    const struct sink_type *t = sink_type_of(r->sink_uri);

    if (r->multi && t && sink_takes_option(t, "several-accounts")) {
        snprintf(ms, size, "%ld", r->commit_ms ? r->commit_ms : t->commit_ms);
        sink_opts_add(so, "several-accounts", ms, "accounts");
    }
}

int run_extract(enum run_kind kind, const struct run_opts *o, struct err *err)
{
    struct run r;
    struct sink_opts so;
    char every_ms[24];
    bool summarized = false;
    int ret = -1;

    memset(&r, 0, sizeof(r));
    r.lock = (struct lockfile)LOCKFILE_INIT;
    stop_requested = 0;
    catch_signals();
    r.kind = kind;
    r.o = o;
    r.started_at = (int64_t)time(NULL);
    r.started_ms = monotonic_ms();
    if (common_apply(&o->common, err) < 0 ||
        (o->load_profile ? o->load_profile : run_load_profile)(o->profile, &r.p,
                                                               err) < 0 ||
        parse_options(&r, err) < 0) {
        goto out;
    }
    r.state_key = r.p.name;
    r.account = r.p.account_id ? r.p.account_id : "";
    run_sink_opts(o, &so);
    if (run_accounts_options(&r, o->accounts, o->shard, err) < 0 ||
        sink_check_opts(r.sink_uri, &so, err) < 0) {
        goto out;
    }
    several_accounts_opt(&r, &so, every_ms, sizeof(every_ms));
    if (sink_lock(&r.lock, r.sink_uri, r.p.name, &so, err) < 0 ||
        sink_open(&r.sink, r.sink_uri, &so, err) < 0 ||
        (!r.multi && run_load_checkpoint(&r, err) < 0)) {
        goto out;
    }
    if (!r.commit_ms) {
        r.commit_ms = r.sink->type->commit_ms;
    }

    ret = r.multi ? run_accounts(&r, err) : run_execute(&r, err);
    summary_print(&r, ret, err);
    summary_record(&r, ret, err);
    summarized = true;
out:
    if (!summarized && o->summary_json) {
        /* a run that stopped early (lock held, bad profile) still tells
         * the monitor reading the summary */
        struct buf json = BUF_INIT;

        summary_json(&r, ret, err, &json);
        summary_write(o->summary_json, &json);
        buf_release(&json);
    }
    adapter_close(r.ad);
    sink_close(r.sink);
    lockfile_release(&r.lock);
    if (r.have_cp) {
        checkpoint_release(&r.cp);
    }
    profile_release(&r.p);
    run_accounts_release(&r);
    return ret;
}
