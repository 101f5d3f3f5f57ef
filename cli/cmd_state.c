/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "cli/cli.h"
#include "cli/run.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/lockfile.h"
#include "core/strutil.h"
#include "profiles/profile.h"
#include "reader/checkpoint.h"
#include "model/streams.h"
#include "sinks/sink.h"

#include <time.h>
#include <unistd.h>

struct state_opts {
    struct common_opts common;
    const char *profile;
    const char *sink;
    const char *stream;
    const char *state_file;
    const char *accounts; /* show: "all" or "acct_a,acct_b" */
    int yes;
};

static const char state_usage[] =
    "stripe-reader state show|reset [--profile P] [--sink URI] "
    "[--stream S] [--yes]";
static const char state_desc[] =
    "show: print the checkpoints stored in the sink (all profiles when\n"
    "no profile is given): per stream, the mark before which everything\n"
    "is stored, and the pass under way with its windows.\n"
    "reset: forget the checkpoints of the profile (or of one stream with\n"
    "--stream), so that the next sync reads from the start date again.\n"
    "Stored rows are kept.  Asks for confirmation on a terminal; needs\n"
    "--yes otherwise.";

static void print_mark(const struct stream_state *st, int64_t now)
{
    char t[32], name[STREAM_LABEL_MAX];
    const char *label = stream_label(st->stream, name, sizeof(name));

    if (st->has_hwm) {
        format_time(st->hwm, t, sizeof(t));
        printf("    %-9s stored up to %s", label, t);
    }
    else {
        printf("    %-9s nothing complete yet", label);
    }
    if (st->hi != 0) {
        format_time(st->hi, t, sizeof(t));
        printf("; pass up to %s under way, %zu window(s) left", t,
               st->nr_windows);
    }
    if (st->newest) {
        long long lag = (long long)(now - st->newest);

        printf("; newest object %lld s old", lag > 0 ? lag : 0);
    }
    printf("\n");
}

/* 'filter' names s, or the stream a hidden twin s is read with. */
static bool stream_shown(const struct stream *s, const char *filter)
{
    const struct stream *f = filter ? stream_find(filter) : NULL;

    return !filter || (f && stream_part_of(s, f));
}

static void print_set(const struct stream_set *set, const char *filter,
                      int64_t now)
{
    for (size_t i = 0; i < set->nr; i++) {
        if (stream_shown(set->streams[i].stream, filter)) {
            print_mark(&set->streams[i], now);
        }
    }
}

struct show_ctx {
    const char *only; /* profile name, or NULL for all */
    const char *stream;
    const char *uri;
    int shown;
    struct err *err;
    const char *accounts; /* the profile's accounts to show, or NULL */
};

/* True when 'key' is one of the profile's: its own, or with accounts,
 * "<profile>/<acct>" of an account asked for. */
static bool key_shown(const struct show_ctx *c, const char *key)
{
    size_t n = c->only ? strlen(c->only) : 0;
    const char *acct = key + n + 1;
    size_t len = strlen(acct);
    const char *hit;

    if (!c->only || !strcmp(c->only, key)) {
        return true;
    }
    if (!c->accounts || strncmp(key, c->only, n) || key[n] != '/') {
        return false;
    }
    if (!strcmp(c->accounts, "all")) {
        return true;
    }
    for (hit = strstr(c->accounts, acct); hit; hit = strstr(hit + 1, acct)) {
        if ((hit == c->accounts || hit[-1] == ',') &&
            (hit[len] == ',' || !hit[len])) {
            return true;
        }
    }
    return false;
}

/* The known connected accounts of a profile ("<profile>/accounts"), not a
 * checkpoint (cli/run_accounts.c). */
static bool is_account_set(const struct sink_state *ss)
{
    return ends_with(ss->key, "/accounts") &&
           starts_with(ss->json, "{\"shard\":");
}

static int show_one(const struct sink_state *ss, void *data)
{
    struct show_ctx *c = data;
    struct checkpoint cp;
    char t[32];
    int64_t now;

    if (is_account_set(ss) || !key_shown(c, ss->key)) {
        return 0;
    }
    checkpoint_init(&cp, "", "test");
    if (checkpoint_from_json(&cp, ss->json, ss->key, c->err) < 0) {
        checkpoint_release(&cp);
        return -1;
    }
    /* ages on Stripe's clock, as last seen */
    now = (int64_t)time(NULL) + cp.server_skew;
    format_time(ss->updated_at, t, sizeof(t));
    printf("profile '%s': account %s, %s mode, updated %s\n", ss->key,
           *cp.account ? cp.account : "(the key's own)", cp.mode, t);
    if (cp.last_ok_at) {
        format_time(cp.last_ok_at, t, sizeof(t));
        printf("  last successful run: %s (%lld s ago)\n", t,
               (long long)((int64_t)time(NULL) - cp.last_ok_at));
    }
    else {
        printf("  last successful run: none\n");
    }
    printf("  sync:\n");
    print_set(&cp.sync, c->stream, now);
    for (size_t i = 0; i < cp.nr_backfills; i++) {
        printf("  backfill %s:\n", cp.backfills[i].range);
        print_set(&cp.backfills[i].set, c->stream, now);
    }
    c->shown++;
    checkpoint_release(&cp);
    return 0;
}

static int confirm(const char *what, int yes, struct err *err)
{
    char line[16];

    if (yes) {
        return 0;
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
        return err_set(err, ERR_USAGE,
                       "refusing to %s without --yes (not a terminal)", what);
    }
    fprintf(stderr, "%s? [y/N] ", what);
    if (!fgets(line, sizeof(line), stdin) ||
        (line[0] != 'y' && line[0] != 'Y')) {
        return err_set(err, ERR_USAGE, "not confirmed; nothing changed");
    }
    return 0;
}

/* Reset s and the hidden twin read with it (its canceled or inactive
 * objects are the stream's too). */
static void reset_stream_in(struct checkpoint *cp, const struct stream *s)
{
    for (size_t i = 0; i < nr_streams; i++) {
        if (!stream_part_of(&streams[i], s)) {
            continue;
        }
        stream_state_reset(&cp->sync.streams[i]);
        for (size_t b = 0; b < cp->nr_backfills; b++) {
            stream_state_reset(&cp->backfills[b].set.streams[i]);
        }
    }
}

static int do_reset(struct sink *sink, const char *key, const char *uri,
                    const struct state_opts *o, struct err *err)
{
    const struct stream *s = NULL;
    struct checkpoint cp;
    struct buf json = BUF_INIT;
    char *stored = NULL;
    char what[512];
    int ret = -1;

    if (o->stream && (!(s = stream_find(o->stream)) || stream_hidden(s))) {
        return err_set(err, ERR_USAGE, "unknown stream '%s'", o->stream);
    }
    snprintf(what, sizeof(what),
             "reset the checkpoints of %s%s%sprofile "
             "'%s' in '%s'",
             s ? "stream '" : "", s ? s->name : "", s ? "' of " : "", key, uri);
    if (confirm(what, o->yes, err) < 0) {
        return -1;
    }
    if (!s) {
        ret = sink->type->delete_state(sink, key, err);
        goto out;
    }
    checkpoint_init(&cp, "", "test");
    if (sink->type->load_state(sink, key, &stored, err) == 0 &&
        (!stored || checkpoint_from_json(&cp, stored, key, err) == 0)) {
        reset_stream_in(&cp, s);
        checkpoint_to_json(&cp, &json);
        ret = stored ? sink->type->commit(sink, key, json.buf, err) : 0;
    }
    checkpoint_release(&cp);
out:
    if (ret == 0) {
        printf("reset: %s\n", what + strlen("reset "));
    }
    free(stored);
    buf_release(&json);
    return ret;
}

static int run_state(const char *verb, const struct state_opts *o,
                     struct err *err)
{
    struct profile p;
    struct sink *sink = NULL;
    const char *uri = o->sink;
    const char *name =
        o->profile ? o->profile : getenv("STRIPE_READER_PROFILE");
    struct show_ctx c = { NULL, o->stream, NULL, 0, err, o->accounts };
    struct sink_opts so;
    struct lockfile lock = LOCKFILE_INIT;
    int ret = -1;

    memset(&so, 0, sizeof(so));

    memset(&p, 0, sizeof(p));
    if (name && *name) {
        if (run_load_profile(name, &p, err) < 0) {
            goto out;
        }
        c.only = p.name;
        if (!c.accounts) {
            c.accounts = p.accounts;
        }
        if (!uri) {
            uri = p.sink ? p.sink : PROFILE_DEFAULT_SINK;
        }
    }
    else if (!strcmp(verb, "reset")) {
        ret = err_set(err, ERR_USAGE, "state reset needs --profile");
        goto out;
    }
    if (!uri) {
        uri = PROFILE_DEFAULT_SINK;
    }
    c.uri = uri;
    sink_opts_add(&so, "state", o->state_file, "--state");
    /* a reset must not race a run that would commit the old marks back */
    if (!strcmp(verb, "reset") && sink_lock(&lock, uri, p.name, &so, err) < 0) {
        goto out;
    }
    if (sink_open(&sink, uri, &so, err) < 0) {
        goto out;
    }
    if (!strcmp(verb, "reset")) {
        ret = do_reset(sink, p.name, uri, o, err);
        goto out;
    }
    ret = sink->type->list_states(sink, show_one, &c, err);
    if (ret == 0 && c.shown == 0) {
        printf("no checkpoints%s%s%s in '%s'\n", c.only ? " for profile '" : "",
               c.only ? c.only : "", c.only ? "'" : "", uri);
    }
out:
    sink_close(sink);
    lockfile_release(&lock);
    profile_release(&p);
    return ret;
}

int cmd_state(int argc, char **argv, struct err *err)
{
    struct state_opts o = { { 0, NULL }, NULL, NULL, NULL, NULL, NULL, 0 };
    struct strlist args = STRLIST_INIT;
    const struct opt table[] = {
        OPT_STRING('p', "profile", struct state_opts, profile, "NAME|PATH",
                   "profile (default $STRIPE_READER_PROFILE)"),
        OPT_STRING(0, "sink", struct state_opts, sink, "URI",
                   "sink holding the state (default: the profile's)"),
        OPT_STRING(0, "stream", struct state_opts, stream, "NAME",
                   "only this stream"),
        OPT_STRING(0, "state", struct state_opts, state_file, "FILE",
                   "the state file of an ndjson:- sink"),
        OPT_STRING(0, "accounts", struct state_opts, accounts, "all|LIST",
                   "show: the checkpoints of these connected accounts "
                   "(default: the profile's spec.accounts)"),
        OPT_BOOL('y', "yes", struct state_opts, yes, "reset without asking"),
        OPT_COMMON(struct state_opts),
        OPT_END(),
    };
    int ret =
        cli_parse(state_usage, state_desc, table, &o, argc, argv, &args, err);

    if (ret == 0 && (args.nr != 1 || (strcmp(args.items[0], "show") &&
                                      strcmp(args.items[0], "reset")))) {
        ret = err_set(err, ERR_USAGE, "state needs 'show' or 'reset'");
    }
    if (ret == 0) {
        ret = common_apply(&o.common, err);
    }
    if (ret == 0) {
        ret = run_state(args.items[0], &o, err);
    }
    strlist_release(&args);
    return ret < 0 ? -1 : 0;
}
