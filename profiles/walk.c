/* SPDX-License-Identifier: MIT */
/*
 * The key-table walker over libyaml documents (see load.h), and the value
 * parsers it uses.
 */
#include "core/compat.h"
#include "profiles/load.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/redact.h"
#include "core/strutil.h"
#include "core/xalloc.h"
#include "profiles/interp.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>

#define PATH_MAX_LEN 256
#define TABLE_MAX 32

struct fpos node_pos(const yaml_node_t *node)
{
    struct fpos pos = { (int)node->start_mark.line + 1,
                        (int)node->start_mark.column + 1, true };

    return pos;
}

static int ld_verror(struct loader *ld, const struct fpos *pos, const char *fmt,
                     va_list ap) PRINTF_LIKE(3, 0);
/*
 * Quote the file's own key names: every "'spec.x'" that ld->names lists
 * becomes "'its name'" (the checks after the walk are the profile's, and
 * name the profile's keys).
 */
static void rename_keys(const struct loader *ld, char *msg, size_t size)
{
    struct buf out = BUF_INIT;
    const char *p = msg;

    while (ld->names && *p) {
        size_t i = 0;

        for (; ld->names[i][0]; i++) {
            size_t n = strlen(ld->names[i][0]);

            if (p[0] == '\'' && !strncmp(p + 1, ld->names[i][0], n) &&
                p[n + 1] == '\'') {
                break;
            }
        }
        if (!ld->names[i][0]) {
            buf_addch(&out, *p++);
            continue;
        }
        buf_addf(&out, "'%s'", ld->names[i][1]);
        p += strlen(ld->names[i][0]) + 2;
    }
    if (ld->names) {
        snprintf(msg, size, "%s", out.buf);
    }
    buf_release(&out);
}

static int ld_verror(struct loader *ld, const struct fpos *pos, const char *fmt,
                     va_list ap)
{
    char msg[ERR_MSG_MAX];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    rename_keys(ld, msg, sizeof(msg));
    if (pos && pos->set) {
        return err_set(ld->err, ERR_CONFIG, "%s:%d:%d: %s", ld->file, pos->line,
                       pos->col, msg);
    }
    return err_set(ld->err, ERR_CONFIG, "%s: %s", ld->file, msg);
}

int ld_error_at(struct loader *ld, const struct fpos *pos, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    ld_verror(ld, pos, fmt, ap);
    va_end(ap);
    return -1;
}

int ld_error(struct loader *ld, const yaml_node_t *node, const char *fmt, ...)
{
    struct fpos pos = node_pos(node);
    va_list ap;

    va_start(ap, fmt);
    ld_verror(ld, &pos, fmt, ap);
    va_end(ap);
    return -1;
}

static bool is_null(const yaml_node_t *node)
{
    const char *v = (const char *)node->data.scalar.value;

    if (node->type != YAML_SCALAR_NODE ||
        node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        return false;
    }
    return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
           !strcmp(v, "NULL");
}

const char *node_kind_name(const yaml_node_t *node)
{
    switch (node->type) {
    case YAML_MAPPING_NODE:
        return "a mapping";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_SCALAR_NODE:
        return is_null(node) ? "an empty value" : "a string";
    case YAML_NO_NODE:
        break;
    }
    return "nothing";
}

int node_type_error(struct loader *ld, yaml_node_t *node, const char *path,
                    const char *want)
{
    if (!*path) {
        return ld_error(ld, node, "the document must be %s, not %s", want,
                        node_kind_name(node));
    }
    return ld_error(ld, node, "'%s' must be %s, not %s", path, want,
                    node_kind_name(node));
}

void shown_value(const char *value, char *out, size_t size)
{
    static const char *const secretish[] = { "sk_",    "rk_", "rt_",
                                             "whsec_", "ac_", NULL };

    for (size_t i = 0; secretish[i]; i++) {
        if (starts_with(value, secretish[i])) {
            secret_mask(value, out, size);
            return;
        }
    }
    if (strlen(value) > 60) {
        snprintf(out, size, "%.57s...", value);
        return;
    }
    snprintf(out, size, "%s", value);
}

void fval_release(struct fval *v)
{
    FREE_AND_NULL(v->s);
    memset(v, 0, sizeof(*v));
}

char *fval_take(struct fval *v)
{
    char *s = v->s;

    v->s = NULL;
    return s;
}

int walk_string(struct loader *ld, yaml_node_t *node, const char *path,
                unsigned flags, struct fval *out)
{
    const char *raw = (const char *)node->data.scalar.value;
    char what[PATH_MAX_LEN + 2];
    struct err ierr = ERR_INIT;
    char *val = NULL;

    if (node->type != YAML_SCALAR_NODE) {
        return node_type_error(ld, node, path, "a string");
    }
    if (is_null(node)) {
        return ld_error(ld, node, "'%s' has no value", path);
    }
    if (strlen(raw) != node->data.scalar.length) {
        return ld_error(ld, node, "'%s' contains a NUL character", path);
    }
    snprintf(what, sizeof(what), "'%s'", path);
    if (interp_expand(raw, what, &val, &ierr) < 0) {
        return ld_error(ld, node, "%s", ierr.msg);
    }
    /* before anything else can print it */
    if (flags & KEY_SECRET) {
        secret_register(val);
    }
    if (!*val) {
        free(val);
        return ld_error(ld, node, "'%s' is empty", path);
    }
    free(out->s);
    out->s = val;
    out->pos = node_pos(node);
    out->literal = !interp_is_reference(raw);
    return 0;
}

/* "1m30s", "500ms", "90" (seconds) into milliseconds; -1 if invalid. */
int parse_ms(const char *s, long *ms)
{
    return parse_duration_ms(s, ms, NULL) < 0 || *ms > KEY_MS_MAX ? -1 : 0;
}

void format_ms(long ms, char *out, size_t size)
{
    if (ms % 1000) {
        snprintf(out, size, "%ldms", ms);
    }
    else if (ms >= 3600000 && ms % 3600000 == 0) {
        snprintf(out, size, "%ldh", ms / 3600000);
    }
    else if (ms >= 60000 && ms % 60000 == 0) {
        snprintf(out, size, "%ldm", ms / 60000);
    }
    else {
        snprintf(out, size, "%lds", ms / 1000);
    }
}

void format_bytes(size_t bytes, char *out, size_t size)
{
    static const char *const units[] = { "GiB", "MiB", "KiB" };

    for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
        unsigned shift = (unsigned)(30 - 10 * i);

        if (bytes && bytes % ((size_t)1 << shift) == 0) {
            snprintf(out, size, "%zu%s", bytes >> shift, units[i]);
            return;
        }
    }
    snprintf(out, size, "%zu", bytes);
}

char *ld_resolve_path(const struct loader *ld, const char *path)
{
    const char *slash = strrchr(ld->file, '/');

    if (path[0] == '/' || !slash) {
        return xstrdup(path);
    }
    return xstrfmt("%.*s/%s", (int)(slash - ld->file), ld->file, path);
}

/* "65536", "512KiB", "32MiB", "1GiB" into bytes; -1 if invalid. */
int parse_bytes(const char *s, size_t *bytes)
{
    return parse_size(s, KEY_BYTES_MAX, bytes, NULL);
}

static int parse_count(const char *s, int *out)
{
    char *end;
    long v;

    if (!isdigit((unsigned char)*s)) {
        return -1;
    }
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < 1 || v > KEY_COUNT_MAX) {
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* A decimal number (an underflow such as 1e-400 reads as a tiny one). */
static int parse_real(const char *s, double *out)
{
    char *end;

    errno = 0;
    *out = strtod(s, &end);
    if (end == s || *end || isnan(*out) || (errno && fabs(*out) >= 1)) {
        return -1;
    }
    return 0;
}

/* 0, or -1 when not a number, -2 below KEY_RATE_MIN, -3 above the max. */
static int parse_rate(const char *s, double *out)
{
    double v;

    if (parse_real(s, &v) < 0) {
        return -1;
    }
    if (!(v >= KEY_RATE_MIN)) {
        return -2;
    }
    if (v > KEY_RATE_MAX) {
        return -3;
    }
    *out = v;
    return 0;
}

/* A share of a limit: 0.01 to 1. */
static int parse_share(const char *s, double *out)
{
    double v;

    if (parse_real(s, &v) < 0 || !(v >= 0.01 && v <= 1)) {
        return -1;
    }
    *out = v;
    return 0;
}

/* "'PATH' must be WHAT, not 'SHOWN'", WHAT formatted from 'fmt'. */
static int must_be(struct loader *ld, yaml_node_t *node, const char *path,
                   const char *shown, const char *fmt, ...) PRINTF_LIKE(5, 6);
static int must_be(struct loader *ld, yaml_node_t *node, const char *path,
                   const char *shown, const char *fmt, ...)
{
    char what[128];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return ld_error(ld, node, "'%s' must be %s, not '%s'", path, what, shown);
}

/* Parse the scalar 'v' (found at 'node') for a numeric key 'k'. */
static int convert_number(struct loader *ld, const struct key *k,
                          yaml_node_t *node, const char *path, const char *v,
                          void *field)
{
    char shown[80];
    long ms = 0;

    shown_value(v, shown, sizeof(shown));
    switch (k->type) {
    case KEY_MS:
    case KEY_SECS:
        if (parse_ms(v, &ms) < 0) {
            return ld_error(ld, node,
                            "invalid duration '%s' in '%s' (use e.g. 500ms, "
                            "30s, 10m, 1h)",
                            shown, path);
        }
        if (k->type == KEY_MS && ms == 0) {
            return ld_error(ld, node, "'%s' must be longer than 0", path);
        }
        if (k->type == KEY_MS) {
            *(long *)field = ms;
        }
        else if (ms % 1000) {
            return must_be(ld, node, path, shown, "a whole number of seconds");
        }
        else {
            *(int64_t *)field = ms / 1000;
        }
        return 0;
    case KEY_COUNT:
        if (parse_count(v, field) < 0) {
            return must_be(ld, node, path, shown, "a whole number from 1 to %d",
                           KEY_COUNT_MAX);
        }
        return 0;
    case KEY_SHARE:
        if (parse_share(v, field) < 0) {
            return must_be(ld, node, path, shown,
                           "a share from 0.01 to 1 (of Stripe's limit)");
        }
        return 0;
    case KEY_RATE:
        switch (parse_rate(v, field)) {
        case 0:
            return 0;
        case -2:
            /* a rate near 0 would make the limiter's wait overflow */
            return must_be(ld, node, path, shown,
                           "at least %g requests per second", KEY_RATE_MIN);
        case -3:
            return must_be(ld, node, path, shown,
                           "at most %g requests per second", KEY_RATE_MAX);
        default:
            return must_be(ld, node, path, shown,
                           "a number of requests per second from %g to %g",
                           KEY_RATE_MIN, KEY_RATE_MAX);
        }
    case KEY_BYTES:
        if (parse_bytes(v, field) < 0 || !*(size_t *)field) {
            return ld_error(ld, node,
                            "invalid size '%s' in '%s' (use e.g. 65536, "
                            "512KiB, 32MiB; at most 1GiB)",
                            shown, path);
        }
        return 0;
    default:
        break;
    }
    return ld_error(ld, node, "internal error: bad key table for '%s'", path);
}

static int walk_value(struct loader *ld, const struct key *k, yaml_node_t *node,
                      const char *path, void *obj)
{
    /* KEY_NO_OFFSET is no offset: 'obj + offset' would overflow */
    void *field = k->offset == KEY_NO_OFFSET ? NULL : (char *)obj + k->offset;
    struct fval tmp = { NULL, { 0, 0, false }, false };
    int ret;

    switch (k->type) {
    case KEY_STRING:
        return walk_string(ld, node, path, k->flags, field);
    case KEY_MAP:
        if (field) {
            *(struct fpos *)field = node_pos(node);
        }
        return walk_map(ld, node, path, k->sub, obj);
    case KEY_NODE:
        if (node->type != YAML_MAPPING_NODE) {
            return node_type_error(ld, node, path, "a mapping");
        }
        *(yaml_node_t **)field = node;
        return 0;
    case KEY_LIST:
        if (node->type != YAML_SEQUENCE_NODE &&
            !(node->type == YAML_SCALAR_NODE && (k->flags & KEY_SCALAR_OK))) {
            return node_type_error(ld, node, path, "a list");
        }
        return k->list(ld, node, path, obj);
    default:
        break;
    }
    if (node->type != YAML_SCALAR_NODE) {
        return node_type_error(ld, node, path,
                               k->type == KEY_MS || k->type == KEY_SECS
                                   ? "a duration"
                                   : "a number");
    }
    if (walk_string(ld, node, path, 0, &tmp) < 0) {
        return -1;
    }
    ret = convert_number(ld, k, node, path, tmp.s, field);
    fval_release(&tmp);
    return ret;
}

static int unknown_key(struct loader *ld, yaml_node_t *knode, const char *path,
                       const struct key *table)
{
    const char *cands[TABLE_MAX + 1];
    const char *name = (const char *)knode->data.scalar.value;
    char shown[80];
    char in[PATH_MAX_LEN + 8] = "";
    const char *hint;
    size_t n = 0;

    for (; table[n].name && n < TABLE_MAX; n++) {
        cands[n] = table[n].name;
    }
    cands[n] = NULL;
    hint = suggest(name, cands);
    shown_value(name, shown, sizeof(shown));
    if (*path) {
        snprintf(in, sizeof(in), " in '%s'", path);
    }
    if (hint) {
        return ld_error(ld, knode, "unknown key '%s'%s (did you mean '%s'?)",
                        shown, in, hint);
    }
    return ld_error(ld, knode, "unknown key '%s'%s", shown, in);
}

static const struct key *find_key(const struct key *table, const char *name,
                                  size_t *index)
{
    for (size_t i = 0; table[i].name; i++) {
        if (!strcmp(table[i].name, name)) {
            *index = i;
            return &table[i];
        }
    }
    return NULL;
}

static int check_required(struct loader *ld, yaml_node_t *node,
                          const char *path, const struct key *table,
                          const bool *seen)
{
    for (size_t i = 0; table[i].name; i++) {
        if (!(table[i].flags & KEY_REQUIRED) || seen[i]) {
            continue;
        }
        if (!*path) {
            return ld_error(ld, node, "missing required key '%s'",
                            table[i].name);
        }
        return ld_error(ld, node, "missing required key '%s' in '%s'",
                        table[i].name, path);
    }
    return 0;
}

int walk_map(struct loader *ld, yaml_node_t *node, const char *path,
             const struct key *table, void *obj)
{
    bool seen[TABLE_MAX] = { false };
    yaml_node_pair_t *pair;

    if (node->type != YAML_MAPPING_NODE) {
        return node_type_error(ld, node, path, "a mapping");
    }
    for (pair = node->data.mapping.pairs.start;
         pair < node->data.mapping.pairs.top; pair++) {
        yaml_node_t *k = yaml_document_get_node(ld->doc, pair->key);
        yaml_node_t *v = yaml_document_get_node(ld->doc, pair->value);
        char sub[PATH_MAX_LEN];
        const struct key *entry;
        const char *name;
        size_t idx = 0;

        if (k->type != YAML_SCALAR_NODE || is_null(k)) {
            return ld_error(ld, k, "keys must be plain names, not %s",
                            node_kind_name(k));
        }
        name = (const char *)k->data.scalar.value;
        entry = find_key(table, name, &idx);
        if (!entry) {
            return unknown_key(ld, k, path, table);
        }
        if (idx >= TABLE_MAX) {
            return err_set(ld->err, ERR_INTERNAL, "key table too large");
        }
        snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", name);
        if (seen[idx] && !*path) {
            return ld_error(ld, k, "duplicate key '%s'", name);
        }
        if (seen[idx]) {
            return ld_error(ld, k, "duplicate key '%s' in '%s'", name, path);
        }
        seen[idx] = true;
        if (walk_value(ld, entry, v, sub, obj) < 0) {
            return -1;
        }
    }
    return check_required(ld, node, path, table, seen);
}
