/* SPDX-License-Identifier: MIT */
/*
 * stripe-reader profiles list | show [NAME|PATH]
 */
#include "core/compat.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/redact.h"
#include "core/strutil.h"
#include "core/xalloc.h"
#include "profiles/profile.h"

struct profiles_opts {
    struct common_opts common;
    int json;
    const char *profile;
};

static const char usage[] =
    "stripe-reader profiles list [--json]\n"
    "   or: stripe-reader profiles show [NAME|PATH] [--json]";

static const char description[] =
    "List the profile files found and whether each is valid, or show one\n"
    "profile resolved: every effective setting, defaults included, with\n"
    "secrets redacted.  Nothing is sent to Stripe.\n"
    "\n"
    "'list' prints one line per file: name, path, and 'valid' or the\n"
    "error (line:column: problem).  It exits 0 when every profile found is\n"
    "valid (or none is found), 3 when any is invalid.\n"
    "'show' takes a name, a path, --profile, or $STRIPE_READER_PROFILE; it\n"
    "exits 3 for an invalid profile.\n"
    "\n"
    "A NAME is looked up as NAME.yaml or NAME.yml in:\n"
    "  each directory of $STRIPE_READER_PROFILE_PATH (colon-separated),\n"
    "  $STRIPE_READER_CONFIG_DIR, or else\n"
    "  $XDG_CONFIG_HOME/stripe-reader/profiles, or else\n"
    "  ~/.config/stripe-reader/profiles,\n"
    "  ./profiles\n"
    "An argument with a '/' or ending in .yaml/.yml is a path.";

struct status {
    bool valid;
    char msg[ERR_MSG_MAX]; /* the error without the "PATH:" prefix */
};

static void check_one(const struct profile_entry *e, struct status *st)
{
    struct profile p;
    struct err err = ERR_INIT;
    size_t plen = strlen(e->path);
    const char *msg;

    st->valid = profile_load(e->path, &p, &err) == 0;
    profile_release(&p);
    msg = err.msg;
    if (!strncmp(msg, e->path, plen) && msg[plen] == ':') {
        msg += plen + 1;
        msg += msg[0] == ' ';
    }
    snprintf(st->msg, sizeof(st->msg), "%s", msg);
    redact_str(st->msg, sizeof(st->msg));
}

static void list_text(const struct profile_list *l, const struct status *st,
                      struct buf *out)
{
    int wname = 4, wpath = 4;

    for (size_t i = 0; i < l->nr; i++) {
        int n = (int)strlen(l->items[i].name);
        int p = (int)strlen(l->items[i].path);

        wname = n > wname ? n : wname;
        wpath = p > wpath ? p : wpath;
    }
    for (size_t i = 0; i < l->nr; i++) {
        const struct profile_entry *e = &l->items[i];

        buf_addf(out, "%-*s  %-*s  %s%s", wname, e->name, wpath, e->path,
                 st[i].valid ? "valid" : "invalid: ", st[i].msg);
        if (e->shadowed) {
            buf_addstr(out, " (hidden by an earlier file of that name)");
        }
        buf_addch(out, '\n');
    }
}

static void list_json(const struct profile_list *l, const struct status *st,
                      struct buf *out)
{
    buf_addstr(out, "{\"searchPath\": [");
    for (size_t i = 0; i < l->nr_dirs; i++) {
        buf_addstr(out, i ? ", " : "");
        json_quote(out, l->dirs[i]);
    }
    buf_addstr(out, "],\n \"profiles\": [");
    for (size_t i = 0; i < l->nr; i++) {
        buf_addstr(out, i ? ",\n  {\"name\": " : "\n  {\"name\": ");
        json_quote(out, l->items[i].name);
        buf_addstr(out, ", \"path\": ");
        json_quote(out, l->items[i].path);
        buf_addf(out, ", \"valid\": %s, \"shadowed\": %s, \"error\": ",
                 st[i].valid ? "true" : "false",
                 l->items[i].shadowed ? "true" : "false");
        if (st[i].valid) {
            buf_addstr(out, "null}");
        }
        else {
            json_quote(out, st[i].msg);
            buf_addch(out, '}');
        }
    }
    buf_addstr(out, l->nr ? "\n ]}\n" : "]}\n");
}

static int profiles_list(const struct profiles_opts *o, struct err *err)
{
    struct profile_list l = PROFILE_LIST_INIT;
    struct buf out = BUF_INIT;
    struct status *st;
    size_t invalid = 0;

    profile_list_scan(&l);
    st = xcalloc(l.nr + 1, sizeof(*st));
    for (size_t i = 0; i < l.nr; i++) {
        check_one(&l.items[i], &st[i]);
        invalid += !st[i].valid;
    }
    if (o->json) {
        list_json(&l, st, &out);
    }
    else {
        list_text(&l, st, &out);
    }
    redact_buf(&out);
    fputs(out.buf, stdout);
    if (!l.nr && !o->json) {
        fprintf(stderr, "stripe-reader: no profiles found in:\n");
        for (size_t i = 0; i < l.nr_dirs; i++) {
            fprintf(stderr, "  %s\n", l.dirs[i]);
        }
    }
    if (invalid) {
        err_set(err, ERR_CONFIG, "%zu of %zu profiles %s invalid", invalid,
                l.nr, l.nr == 1 ? "is" : "are");
    }
    buf_release(&out);
    free(st);
    profile_list_release(&l);
    return invalid ? -1 : 0;
}

static int profiles_show(const struct profiles_opts *o, const char *arg,
                         struct err *err)
{
    struct profile p;
    struct buf out = BUF_INIT;
    char *path = NULL;
    int ret = -1;

    memset(&p, 0, sizeof(p));
    if (profile_find(arg ? arg : o->profile, &path, err) < 0 ||
        profile_load(path, &p, err) < 0) {
        goto out;
    }
    if (o->json) {
        profile_format_json(&p, &out);
    }
    else {
        profile_format_yaml(&p, &out);
    }
    fputs(out.buf, stdout);
    ret = 0;
out:
    buf_release(&out);
    profile_release(&p);
    free(path);
    return ret;
}

static int dispatch(const struct profiles_opts *o, const struct strlist *args,
                    struct err *err)
{
    static const char *const subs[] = { "list", "show", NULL };
    const char *sub = args->nr ? args->items[0] : NULL;
    const char *hint;

    if (!sub) {
        return err_set(err, ERR_USAGE, "expected 'list' or 'show'");
    }
    if (!strcmp(sub, "list") && args->nr == 1) {
        if (o->profile) {
            return err_set(err, ERR_USAGE,
                           "'list' takes no profile; use 'show'");
        }
        return profiles_list(o, err);
    }
    if (!strcmp(sub, "show") && args->nr <= 2) {
        if (args->nr == 2 && o->profile) {
            return err_set(err, ERR_USAGE,
                           "give the profile as an argument or with "
                           "'--profile', not both");
        }
        return profiles_show(o, args->nr == 2 ? args->items[1] : NULL, err);
    }
    if (!strcmp(sub, "list") || !strcmp(sub, "show")) {
        return err_set(err, ERR_USAGE, "too many arguments for '%s'", sub);
    }
    hint = suggest(sub, subs);
    if (hint) {
        return err_set(err, ERR_USAGE,
                       "unknown subcommand '%s' (did you mean '%s'?)", sub,
                       hint);
    }
    return err_set(err, ERR_USAGE,
                   "unknown subcommand '%s' (expected 'list' or 'show')", sub);
}

int cmd_profiles(int argc, char **argv, struct err *err)
{
    struct profiles_opts o;
    struct strlist args = STRLIST_INIT;
    const struct opt table[] = {
        OPT_COMMON(struct profiles_opts),
        OPT_BOOL(0, "json", struct profiles_opts, json,
                 "machine-readable output"),
        OPT_STRING('p', "profile", struct profiles_opts, profile, "NAME|PATH",
                   "the profile to show (default "
                   "$STRIPE_READER_PROFILE)"),
        OPT_END(),
    };
    int ret;

    memset(&o, 0, sizeof(o));
    ret = cli_parse(usage, description, table, &o, argc, argv, &args, err);
    if (ret == 0) {
        ret = common_apply(&o.common, err);
    }
    if (ret == 0) {
        ret = dispatch(&o, &args, err);
    }
    strlist_release(&args);
    return ret < 0 ? -1 : 0;
}
