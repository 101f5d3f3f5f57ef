/* SPDX-License-Identifier: MIT */
/*
 * profile_load(): read the file, load its YAML documents one by one
 * (libyaml document API), walk each with the key tables of its kind, then
 * check the file as a whole: one Profile, the secrets rule, the adapter
 * reference.
 */
#include "core/compat.h"
#include "profiles/profile.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/file.h"
#include "core/strutil.h"
#include "core/xalloc.h"
#include "profiles/load.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#define API_VERSION_PROFILE "stripe-reader/v1"
#define API_VERSION_HTTP "stripe-reader/adapters/v1"

/* What every document has: apiVersion, kind, metadata.name, spec. */
struct head {
    struct fval api_version, kind, name;
    struct fpos metadata;
    yaml_node_t *spec;
};

#define HOFF(f) offsetof(struct head, f)

static const struct key metadata_keys[] = {
    { "name", KEY_STRING, KEY_REQUIRED, HOFF(name), NULL, NULL },
    { NULL, KEY_STRING, 0, 0, NULL, NULL },
};

static const struct key head_keys[] = {
    { "apiVersion", KEY_STRING, KEY_REQUIRED, HOFF(api_version), NULL, NULL },
    { "kind", KEY_STRING, KEY_REQUIRED, HOFF(kind), NULL, NULL },
    { "metadata", KEY_MAP, KEY_REQUIRED, HOFF(metadata), metadata_keys, NULL },
    { "spec", KEY_NODE, KEY_REQUIRED, HOFF(spec), NULL, NULL },
    { NULL, KEY_STRING, 0, 0, NULL, NULL },
};

/* Everything read from one file. */
struct file_docs {
    int nr_docs;
    bool have_profile;
    struct profile_doc prof;
    struct adapter_doc *adapters;
    size_t nr_adapters, alloc_adapters;
};

const char *profile_mode_name(enum profile_mode mode)
{
    return mode == PROFILE_MODE_LIVE ? "live" : "test";
}

void profile_release(struct profile *p)
{
    if (!p) {
        return;
    }
    free(p->name);
    free(p->file);
    free(p->api_key);
    free(p->oauth.client_secret);
    free(p->oauth.refresh_token);
    free(p->oauth.token_url);
    free(p->oauth.token_store);
    free(p->account_id);
    free(p->accounts);
    adapter_cfg_release(&p->adapter);
    free(p->sink);
    free(p->streams);
    memset(p, 0, sizeof(*p));
}

/*
 * Read the profile whole, and its mode for check_file(), which refuses
 * literal secrets in a file that others can read.
 */
static int read_profile(const char *path, struct buf *out, mode_t *mode,
                        struct err *err)
{
    struct stat st;

    if (file_read(path, "profile", PROFILE_MAX_FILE_BYTES, 0, out, err) < 0) {
        if (err) {
            err->kind = ERR_CONFIG;
        }
        return -1;
    }
    if (stat(path, &st) < 0) {
        return err_set(err, ERR_CONFIG, "cannot read profile '%s': %s", path,
                       strerror(errno));
    }
    *mode = st.st_mode;
    return 0;
}

/* Line 'line' (0-based) of the file: its start, and its length. */
static const char *file_line(const struct loader *ld, size_t line, size_t *len)
{
    const char *p = ld->text, *end = ld->text + ld->len;
    const char *nl;

    while (line > 0 && p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            p = end;
            break;
        }
        p = nl + 1;
        line--;
    }
    nl = memchr(p, '\n', (size_t)(end - p));
    *len = nl ? (size_t)(nl - p) : (size_t)(end - p);
    return p;
}

/* Column of a tab in the indentation of line 'line' (0-based), or 0. */
static int indent_tab(const struct loader *ld, size_t line)
{
    size_t len;
    const char *p = file_line(ld, line, &len);

    for (size_t i = 0; i < len && (p[i] == ' ' || p[i] == '\t'); i++) {
        if (p[i] == '\t') {
            return (int)i + 1;
        }
    }
    return 0;
}

/*
 * "${{ VAR }}" holds '{' and '}', which end a plain scalar inside a flow
 * collection ({...} or [...]): the most likely cause of a flow error on a
 * line that uses a reference.
 */
static bool flow_reference(const struct loader *ld, const yaml_parser_t *parser)
{
    size_t lines[2] = { parser->problem_mark.line, parser->context_mark.line };

    if (!parser->context || !strstr(parser->context, "flow")) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
        size_t len;
        const char *p = file_line(ld, lines[i], &len);

        for (size_t j = 0; j + 3 <= len; j++) {
            if (!memcmp(p + j, "${{", 3)) {
                return true;
            }
        }
    }
    return false;
}

static int syntax_error(struct loader *ld, const yaml_parser_t *parser)
{
    struct fpos pos = { (int)parser->problem_mark.line + 1,
                        (int)parser->problem_mark.column + 1, true };
    const char *hint = "";
    int tab;

    if (parser->error == YAML_MEMORY_ERROR) {
        return err_set(ld->err, ERR_INTERNAL, "out of memory");
    }
    if (parser->error == YAML_READER_ERROR) {
        /* the reader knows only a byte offset */
        pos.line = 1;
        pos.col = 1;
        for (size_t i = 0; i < parser->problem_offset && i < ld->len; i++) {
            pos.col++;
            if (ld->text[i] == '\n') {
                pos.line++;
                pos.col = 1;
            }
        }
        return ld_error_at(ld, &pos, "invalid YAML: %s", parser->problem);
    }
    tab = indent_tab(ld, parser->problem_mark.line);
    if (parser->error == YAML_SCANNER_ERROR && tab > 0) {
        pos.col = tab;
        return ld_error_at(ld, &pos,
                           "invalid YAML: a tab in the indentation (YAML "
                           "indents with spaces)");
    }
    if (flow_reference(ld, parser)) {
        hint = "; quote a value that uses ${{ }} inside {...} or [...]";
    }
    if (parser->context &&
        parser->context_mark.line != parser->problem_mark.line) {
        return ld_error_at(ld, &pos,
                           "invalid YAML: %s (%s started at line %d, column "
                           "%d)%s",
                           parser->problem, parser->context,
                           (int)parser->context_mark.line + 1,
                           (int)parser->context_mark.column + 1, hint);
    }
    if (parser->context) {
        return ld_error_at(ld, &pos, "invalid YAML: %s (%s)%s", parser->problem,
                           parser->context, hint);
    }
    return ld_error_at(ld, &pos, "invalid YAML: %s", parser->problem);
}

static void head_release(struct head *h)
{
    fval_release(&h->api_version);
    fval_release(&h->kind);
    fval_release(&h->name);
}

/* kind, apiVersion and metadata.name of a walked head. */
static int check_head(struct loader *ld, const struct head *h, bool *is_profile)
{
    static const char *const kinds[] = { "Profile", "HTTP", NULL };
    const char *want, *hint;
    char shown[80];

    shown_value(h->kind.s, shown, sizeof(shown));
    if (strcmp(h->kind.s, "Profile") && strcmp(h->kind.s, "HTTP")) {
        hint = suggest(h->kind.s, kinds);
        if (hint) {
            return ld_error_at(ld, &h->kind.pos,
                               "unknown kind '%s' (did you mean '%s'?)", shown,
                               hint);
        }
        return ld_error_at(ld, &h->kind.pos,
                           "unknown kind '%s' (expected 'Profile' or "
                           "'HTTP')",
                           shown);
    }
    *is_profile = !strcmp(h->kind.s, "Profile");
    want = *is_profile ? API_VERSION_PROFILE : API_VERSION_HTTP;
    if (strcmp(h->api_version.s, want)) {
        char version[80];

        shown_value(h->api_version.s, version, sizeof(version));
        return ld_error_at(ld, &h->api_version.pos,
                           "unsupported apiVersion '%s' for kind '%s' "
                           "(expected '%s')",
                           version, h->kind.s, want);
    }
    if (!profile_name_valid(h->name.s)) {
        shown_value(h->name.s, shown, sizeof(shown));
        return ld_error_at(ld, &h->name.pos,
                           "invalid name '%s' in 'metadata.name' (use up to "
                           "64 letters, digits, '-', '_' and '.')",
                           shown);
    }
    return 0;
}

static int add_profile(struct loader *ld, struct head *h,
                       struct file_docs *docs)
{
    if (docs->have_profile) {
        return ld_error_at(ld, &h->kind.pos,
                           "a second 'kind: Profile' document (the first "
                           "is at line %d); a file holds exactly one",
                           docs->prof.kind_pos.line);
    }
    docs->have_profile = true;
    docs->prof.kind_pos = h->kind.pos;
    docs->prof.name = h->name;
    memset(&h->name, 0, sizeof(h->name));
    return profile_doc_read(ld, h->spec, &docs->prof);
}

static int add_adapter(struct loader *ld, struct head *h,
                       struct file_docs *docs)
{
    struct adapter_doc *d;

    for (size_t i = 0; i < docs->nr_adapters; i++) {
        if (!strcmp(docs->adapters[i].cfg.name, h->name.s)) {
            return ld_error_at(ld, &h->name.pos,
                               "duplicate adapter name '%s' (first defined "
                               "at line %d)",
                               h->name.s, docs->adapters[i].name_pos.line);
        }
    }
    ALLOC_GROW(docs->adapters, docs->nr_adapters + 1, docs->alloc_adapters);
    d = &docs->adapters[docs->nr_adapters++];
    adapter_doc_init(d);
    d->cfg.name = fval_take(&h->name);
    d->name_pos = h->name.pos;
    return adapter_doc_read(ld, h->spec, d);
}

static int load_document(struct loader *ld, yaml_node_t *root, int nr,
                         struct file_docs *docs)
{
    struct head h;
    bool is_profile = false;
    int ret = -1;

    memset(&h, 0, sizeof(h));
    if (root->type != YAML_MAPPING_NODE) {
        return ld_error(ld, root,
                        "document %d must be a mapping with apiVersion, "
                        "kind, metadata and spec, not %s",
                        nr, node_kind_name(root));
    }
    if (walk_map(ld, root, "", head_keys, &h) < 0 ||
        check_head(ld, &h, &is_profile) < 0) {
        goto out;
    }
    if (is_profile) {
        ret = add_profile(ld, &h, docs);
    }
    else {
        ret = add_adapter(ld, &h, docs);
    }
out:
    head_release(&h);
    return ret;
}

static bool is_empty_document(const yaml_node_t *root)
{
    return root->type == YAML_SCALAR_NODE &&
           root->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           !root->data.scalar.length;
}

static int load_documents(struct loader *ld, yaml_parser_t *parser,
                          struct file_docs *docs)
{
    for (;;) {
        yaml_document_t doc;
        yaml_node_t *root;
        int ret = 0;

        if (!yaml_parser_load(parser, &doc)) {
            return syntax_error(ld, parser);
        }
        root = yaml_document_get_root_node(&doc);
        if (!root) {
            yaml_document_delete(&doc);
            return 0;
        }
        /* "---" with nothing under it, e.g. at the end of the file */
        if (!is_empty_document(root)) {
            ld->doc = &doc;
            ret = load_document(ld, root, ++docs->nr_docs, docs);
            ld->doc = NULL;
        }
        yaml_document_delete(&doc);
        if (ret < 0) {
            return -1;
        }
    }
}

static const char *literal_secret(const struct profile_doc *d)
{
    if (d->api_key.s && d->api_key.literal) {
        return "spec.auth.apiKey";
    }
    if (d->client_secret.s && d->client_secret.literal) {
        return "spec.auth.oauth.clientSecret";
    }
    if (d->refresh_token.s && d->refresh_token.literal) {
        return "spec.auth.oauth.refreshToken";
    }
    return NULL;
}

/* The whole-file checks, in the order the messages should come. */
static int check_file(struct loader *ld, struct file_docs *docs, mode_t mode)
{
    const char *secret;

    if (!docs->nr_docs) {
        return ld_error_at(ld, NULL,
                           "empty profile: no 'kind: Profile' document");
    }
    if (!docs->have_profile) {
        return ld_error_at(ld, NULL,
                           "no 'kind: Profile' document (the file has only "
                           "'kind: HTTP' documents)");
    }
    secret = literal_secret(&docs->prof);
    if (secret && (mode & (S_IRGRP | S_IROTH))) {
        return ld_error_at(ld, NULL,
                           "contains a literal secret in '%s' and is "
                           "readable by others; run 'chmod 600 %s' or use "
                           "${{ VAR }}",
                           secret, ld->file);
    }
    return 0;
}

static void file_docs_release(struct file_docs *docs)
{
    profile_doc_release(&docs->prof);
    for (size_t i = 0; i < docs->nr_adapters; i++) {
        adapter_doc_release(&docs->adapters[i]);
    }
    free(docs->adapters);
}

int profile_load(const char *path, struct profile *p, struct err *err)
{
    struct loader ld = { path, NULL, NULL, 0, err, NULL };
    struct buf text = BUF_INIT;
    struct file_docs docs;
    yaml_parser_t parser;
    bool parser_ready = false;
    mode_t mode = 0;
    int ret = -1;

    memset(p, 0, sizeof(*p));
    memset(&docs, 0, sizeof(docs));
    profile_doc_init(&docs.prof);
    if (read_profile(path, &text, &mode, err) < 0) {
        goto out;
    }
    ld.text = text.buf;
    ld.len = text.len;
    if (ld_parser_start(&ld, &parser) < 0) {
        goto out;
    }
    parser_ready = true;
    if (load_documents(&ld, &parser, &docs) < 0 ||
        check_file(&ld, &docs, mode) < 0 ||
        profile_doc_finish(&ld, &docs.prof, docs.adapters, docs.nr_adapters,
                           p) < 0) {
        goto out;
    }
    p->file = xstrdup(path);
    ret = 0;
out:
    if (parser_ready) {
        yaml_parser_delete(&parser);
    }
    file_docs_release(&docs);
    buf_release(&text);
    if (ret < 0) {
        profile_release(p);
    }
    return ret;
}
