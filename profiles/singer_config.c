/* SPDX-License-Identifier: MIT */
/*
 * A Singer tap's --config file as a profile (issue 16): either
 * {"profile": "NAME|PATH"}, or a profile's settings inline under the flat
 * snake_case names Singer configs use.
 *
 * JSON is read with libyaml (a JSON text is a YAML flow mapping), so the
 * inline settings go through the profile loader itself: the same key
 * walker (unknown keys with a did-you-mean hint, types, durations), the
 * same checks (mode guard, key shape, account id, start date, streams,
 * base URL), and the same one-line errors "FILE:LINE:COL: problem" that
 * quote the config's own key names (ld->names).
 *
 * Two rules differ from a profile file, on purpose:
 * - null values are absent keys (runners write unset settings as null);
 * - a literal api_key in a file others can read is not refused: Meltano
 *   writes the config file itself, with its umask, on every run, so the
 *   rule would refuse every Meltano run.  ${{ VAR }} works as in a
 *   profile, and {"profile": ...} keeps the key out of the file.
 */
#include "core/compat.h"
#include "profiles/profile.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "profiles/load.h"

#include <yaml.h>

/* The profile name of inline settings: the state key, the token store. */
#define SINGER_PROFILE_NAME "singer"

struct singer_doc {
    struct profile_doc prof;
    struct adapter_doc http;
    struct fval profile;
};

#define SOFF(f) offsetof(struct singer_doc, f)

/* profile_read_accounts() fills the struct profile_doc at the walk's
 * object: the config's own document must begin with it */
_Static_assert(SOFF(prof) == 0, "prof first in struct singer_doc");

static const struct key config_keys[] = {
    { "profile", KEY_STRING, 0, SOFF(profile), NULL, NULL },
    { "api_key", KEY_STRING, KEY_SECRET, SOFF(prof.api_key), NULL, NULL },
    { "mode", KEY_STRING, 0, SOFF(prof.mode), NULL, NULL },
    { "account_id", KEY_STRING, 0, SOFF(prof.account_id), NULL, NULL },
    { "accounts", KEY_LIST, KEY_SCALAR_OK, 0, NULL, profile_read_accounts },
    { "accounts_in_progress", KEY_COUNT, 0, SOFF(prof.accounts_in_progress),
      NULL, NULL },
    { "start_date", KEY_STRING, 0, SOFF(prof.start_date), NULL, NULL },
    { "streams", KEY_STRING, 0, SOFF(prof.streams), NULL, NULL },
    { "overlap", KEY_SECS, 0, SOFF(prof.overlap_secs), NULL, NULL },
    { "max_duration", KEY_SECS, 0, SOFF(prof.max_duration_secs), NULL, NULL },
    { "base_url", KEY_STRING, 0, SOFF(http.base_url), NULL, NULL },
    { "user_agent", KEY_STRING, 0, SOFF(http.user_agent), NULL, NULL },
    { "rate_share", KEY_SHARE, 0, SOFF(http.cfg.global_share), NULL, NULL },
    { NULL, KEY_STRING, 0, 0, NULL, NULL },
};

/* What --about says of each key of config_keys (in the same order). */
const struct singer_setting profile_singer_settings[] = {
    { "profile", "string",
      "a profile name or path; then no other setting is given" },
    { "api_key", "password",
      "Stripe secret (sk_) or restricted (rk_) key; ${{ VAR }} reads the "
      "environment" },
    { "mode", "string", "test or live: the keys accepted" },
    { "account_id", "string", "a connected account (acct_...) to read" },
    { "accounts", "string",
      "several connected accounts with the platform's key: all, or acct_ "
      "ids separated by commas; records then carry _sdc_account" },
    { "accounts_in_progress", "integer",
      "with accounts: at most this many first syncs under way (8)" },
    { "start_date", "date_iso8601", "where history starts (default: all)" },
    { "streams", "string",
      "comma-separated streams when no catalog selects them" },
    { "overlap", "string", "re-read this much before the last mark (60s)" },
    { "max_duration", "string", "stop at a commit point before this" },
    { "base_url", "string", "the API's URL (default https://api.stripe.com)" },
    { "user_agent", "string", "the User-Agent sent" },
    { "rate_share", "string",
      "share of Stripe's global rate limit to use, 0.01 to 1 (0.5)" },
    { NULL, NULL, NULL },
};

/* The profile's names in the loader's messages, and the config's. */
static const char *const config_names[][2] = {
    { "spec.mode", "mode" },
    { "spec.auth.apiKey", "api_key" },
    { "spec.auth", "api_key" },
    { "spec.accountId", "account_id" },
    { "spec.accounts", "accounts" },
    { "spec.accountsInProgress", "accounts_in_progress" },
    { "spec.startDate", "start_date" },
    { "spec.streams", "streams" },
    { "spec.baseUrl", "base_url" },
    { "spec.userAgent", "user_agent" },
    { NULL, NULL },
};

static bool null_value(const yaml_node_t *v)
{
    const char *s = (const char *)v->data.scalar.value;

    return v->type == YAML_SCALAR_NODE &&
           v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           (!*s || !strcmp(s, "null") || !strcmp(s, "~"));
}

/* Drop the pairs whose value is null. */
static void prune(struct loader *ld, yaml_node_t *root)
{
    yaml_node_pair_t *in = root->data.mapping.pairs.start;
    yaml_node_pair_t *out = in;

    for (; in < root->data.mapping.pairs.top; in++) {
        if (!null_value(yaml_document_get_node(ld->doc, in->value))) {
            *out++ = *in;
        }
    }
    root->data.mapping.pairs.top = out;
}

/* {"profile": "NAME|PATH"}: that profile, loaded as --profile would. */
static int load_named(struct loader *ld, struct singer_doc *sd,
                      yaml_node_t *root, struct profile *p)
{
    char *path = NULL;
    int ret;

    if (root->data.mapping.pairs.top - root->data.mapping.pairs.start > 1) {
        return ld_error_at(ld, &sd->profile.pos,
                           "'profile' names a profile: put the other "
                           "settings in it, not beside it");
    }
    if (profile_find(sd->profile.s, &path, ld->err) < 0) {
        return err_prefix(ld->err, "%s", ld->file);
    }
    ret = profile_load(path, p, ld->err);
    free(path);
    return ret;
}

static int load_inline(struct loader *ld, struct singer_doc *sd,
                       yaml_node_t *root, struct profile *p)
{
    struct fpos pos = node_pos(root);

    if (!sd->prof.api_key.s) {
        return ld_error_at(ld, &pos,
                           "missing required key 'api_key' (or 'profile', "
                           "naming a profile)");
    }
    if (!sd->prof.mode.s) {
        return ld_error_at(ld, &pos,
                           "missing required key 'mode' ('test' or 'live')");
    }
    sd->prof.name.s = xstrdup(SINGER_PROFILE_NAME);
    sd->http.cfg.name = xstrdup(SINGER_PROFILE_NAME);
    if (adapter_doc_check(ld, &sd->http) < 0 ||
        profile_doc_finish(ld, &sd->prof, &sd->http, 1, p) < 0) {
        return -1;
    }
    p->file = xstrdup(ld->file);
    return 0;
}

static int load_root(struct loader *ld, yaml_parser_t *parser,
                     struct profile *p)
{
    struct singer_doc sd;
    yaml_document_t doc;
    yaml_node_t *root;
    int ret = -1;

    if (!yaml_parser_load(parser, &doc)) {
        struct fpos pos = { (int)parser->problem_mark.line + 1,
                            (int)parser->problem_mark.column + 1, true };

        return ld_error_at(ld, &pos, "invalid JSON: %s",
                           parser->problem ? parser->problem : "?");
    }
    memset(&sd, 0, sizeof(sd));
    profile_doc_init(&sd.prof);
    adapter_doc_init(&sd.http);
    ld->doc = &doc;
    root = yaml_document_get_root_node(&doc);
    if (!root || root->type != YAML_MAPPING_NODE) {
        ld_error_at(ld, NULL, "a Singer config must be a JSON object");
    }
    else {
        prune(ld, root);
        if (walk_map(ld, root, "", config_keys, &sd) == 0) {
            ret = sd.profile.s ? load_named(ld, &sd, root, p)
                               : load_inline(ld, &sd, root, p);
        }
    }
    ld->doc = NULL;
    yaml_document_delete(&doc);
    profile_doc_release(&sd.prof);
    adapter_doc_release(&sd.http);
    fval_release(&sd.profile);
    return ret;
}

int profile_load_singer(const char *path, struct profile *p, struct err *err)
{
    struct loader ld = { path, NULL, NULL, 0, err, config_names };
    struct buf text = BUF_INIT;
    yaml_parser_t parser;
    int ret = -1;

    memset(p, 0, sizeof(*p));
    if (file_read(path, "config", PROFILE_MAX_FILE_BYTES, 0, &text, err) < 0) {
        err->kind = ERR_CONFIG;
        return -1;
    }
    ld.text = text.buf;
    ld.len = text.len;
    if (ld_parser_start(&ld, &parser) == 0) {
        ret = load_root(&ld, &parser, p);
        yaml_parser_delete(&parser);
    }
    buf_release(&text);
    if (ret < 0) {
        profile_release(p);
    }
    return ret;
}
