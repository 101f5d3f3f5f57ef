/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "reader/fields.h"
#include "core/buf.h"
#include "reader/jscan.h"
#include "model/streams.h"

#define MAX_EXACT 9007199254740992LL /* 2^53, as everywhere else */

static void put_utf8(struct buf *out, unsigned long c)
{
    if (c < 0x80) {
        buf_addch(out, (char)c);
    }
    else if (c < 0x800) {
        buf_addch(out, (char)(0xc0 | (c >> 6)));
        buf_addch(out, (char)(0x80 | (c & 0x3f)));
    }
    else if (c < 0x10000) {
        buf_addch(out, (char)(0xe0 | (c >> 12)));
        buf_addch(out, (char)(0x80 | ((c >> 6) & 0x3f)));
        buf_addch(out, (char)(0x80 | (c & 0x3f)));
    }
    else {
        buf_addch(out, (char)(0xf0 | (c >> 18)));
        buf_addch(out, (char)(0x80 | ((c >> 12) & 0x3f)));
        buf_addch(out, (char)(0x80 | ((c >> 6) & 0x3f)));
        buf_addch(out, (char)(0x80 | (c & 0x3f)));
    }
}

static int hex4(const char *p, const char *end, unsigned long *v)
{
    *v = 0;
    if (end - p < 4) {
        return -1;
    }
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;

        if (d < 0) {
            return -1;
        }
        *v = *v << 4 | (unsigned long)d;
    }
    return 0;
}

static int unescape_one(const char **pp, const char *end, struct buf *out)
{
    const char *p = *pp;
    unsigned long c, lo;

    switch (*p) {
    case '"':
    case '\\':
    case '/':
        buf_addch(out, *p);
        break;
    case 'b':
        buf_addch(out, '\b');
        break;
    case 'f':
        buf_addch(out, '\f');
        break;
    case 'n':
        buf_addch(out, '\n');
        break;
    case 'r':
        buf_addch(out, '\r');
        break;
    case 't':
        buf_addch(out, '\t');
        break;
    case 'u':
        if (hex4(p + 1, end, &c) < 0) {
            return -1;
        }
        p += 4;
        if (c >= 0xd800 && c < 0xdc00 && end - p > 6 && p[1] == '\\' &&
            p[2] == 'u' && hex4(p + 3, end, &lo) == 0 && lo >= 0xdc00 &&
            lo < 0xe000) {
            c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
            p += 6;
        }
        put_utf8(out, c);
        break;
    default:
        return -1;
    }
    *pp = p + 1;
    return 0;
}

int json_unescape(const char *p, const char *end, struct buf *out)
{
    const char *run;

    if (p >= end || *p != '"') {
        return -1;
    }
    run = ++p;
    while (p < end && *p != '"') {
        if (*p == '\\') {
            buf_add(out, run, (size_t)(p - run));
            p++;
            if (p >= end || unescape_one(&p, end, out) < 0) {
                return -1;
            }
            run = p;
        }
        else {
            p++;
        }
    }
    if (p >= end) {
        return -1;
    }
    buf_add(out, run, (size_t)(p - run));
    buf_addch(out, '\0');
    return 0;
}

/* A JSON integer literal within +-2^53, exactly; else not an integer. */
static int parse_int(const char *p, const char *end, int64_t *out)
{
    bool neg = p < end && *p == '-';
    int64_t v = 0;

    if (neg) {
        p++;
    }
    if (p >= end) {
        return -1;
    }
    for (; p < end; p++) {
        if (*p < '0' || *p > '9' || v > MAX_EXACT / 10) {
            return -1;
        }
        v = v * 10 + (*p - '0');
    }
    if (v > MAX_EXACT) {
        return -1;
    }
    *out = neg ? -v : v;
    return 0;
}

/* The value [v, ve) as a column of type 'type'. */
static void set_value(enum col_type type, const char *v, const char *ve,
                      struct colval *out, struct buf *strings)
{
    const char *idv, *idve;

    if (*v == '{') {
        /* an expanded reference stands for its id */
        if (jscan_member(v, ve, "id", &idv, &idve) != 1) {
            return;
        }
        v = idv;
        ve = idve;
    }
    switch (type) {
    case COL_TEXT:
        if (*v == '"') {
            out->kind = COLVAL_TEXT;
            out->i = (int64_t)strings->len; /* offset; a pointer later */
            if (json_unescape(v, ve, strings) < 0) {
                out->kind = COLVAL_NULL;
            }
        }
        break;
    case COL_INT:
        if (parse_int(v, ve, &out->i) == 0) {
            out->kind = COLVAL_INT;
        }
        break;
    case COL_BOOL:
        if (ve - v == 4 && !memcmp(v, "true", 4)) {
            out->kind = COLVAL_BOOL;
            out->i = 1;
        }
        else if (ve - v == 5 && !memcmp(v, "false", 5)) {
            out->kind = COLVAL_BOOL;
            out->i = 0;
        }
        break;
    }
}

/* The value at the dotted 'rest' of a path inside the object [v, ve). */
static int descend(const char *rest, const char **v, const char **ve)
{
    char part[64];

    while (*rest) {
        size_t n = strcspn(rest, ".");

        if (n >= sizeof(part) || **v != '{') {
            return -1;
        }
        memcpy(part, rest, n);
        part[n] = '\0';
        if (jscan_member(*v, *ve, part, v, ve) != 1) {
            return -1;
        }
        rest += n + (rest[n] == '.');
    }
    return 0;
}

/*
 * The same below member i of 'ms', whose members one level down were
 * recorded by the minifier: the first segment is looked up among them
 * (the first match, as jscan_member finds it), the rest walked.
 */
static int descend_recorded(const struct jscan_members *ms, size_t i,
                            const char *rest, const char **v, const char **ve)
{
    size_t n = strcspn(rest, ".");

    for (size_t j = i + 1; j < ms->nr && ms->m[j].parent == (long)i; j++) {
        const struct jscan_member *c = &ms->m[j];

        if ((size_t)(c->ke - c->k) == n + 2 && !memcmp(c->k + 1, rest, n)) {
            *v = c->v;
            *ve = c->ve;
            return descend(rest + n + (rest[n] == '.'), v, ve);
        }
    }
    return -1;
}

/* Member [k, k + klen) = [v, ve) (key without its quotes); 'ms' and 'i'
 * locate it among recorded members, or ms is NULL. */
static void match_member(const struct stream *s, const char *k, size_t klen,
                         const char *v, const char *ve, struct fields *f,
                         struct buf *strings, const struct jscan_members *ms,
                         size_t i)
{
    if (klen == 6 && !memcmp(k, "object", 6) && *v == '"') {
        size_t off = strings->len;

        if (json_unescape(v, ve, strings) == 0) {
            f->object_off = off;
            f->has_object = true;
        }
    }
    for (size_t c = 0; c < s->nr_columns; c++) {
        const char *path = s->columns[c].path;
        const char *cv = v, *cve = ve;

        if (s->columns[c].key_len != klen || path[0] != k[0] ||
            memcmp(k, path, klen)) {
            continue;
        }
        if (path[klen] &&
            (ms ? descend_recorded(ms, i, path + klen + 1, &cv, &cve)
                : descend(path + klen + 1, &cv, &cve)) < 0) {
            continue;
        }
        if (!(cve - cv == 4 && !memcmp(cv, "null", 4))) {
            set_value(s->columns[c].type, cv, cve, &f->cols[c], strings);
        }
    }
}

static void clear_fields(const struct stream *s, struct fields *f)
{
    for (size_t i = 0; i < s->nr_columns; i++) {
        f->cols[i].kind = COLVAL_NULL;
        f->cols[i].text = NULL;
        f->cols[i].i = 0;
    }
    f->has_object = false;
}

int fields_extract(const struct stream *s, const char *p, const char *end,
                   struct fields *f, struct buf *strings)
{
    struct jscan_iter it;
    const char *k, *ke, *v, *ve;
    int ret;

    clear_fields(s, f);
    if (jscan_object(&it, p, end) < 0) {
        return -1;
    }
    while ((ret = jscan_next_member(&it, &k, &ke, &v, &ve)) == 1) {
        match_member(s, k + 1, (size_t)(ke - k) - 2, v, ve, f, strings, NULL,
                     0);
    }
    return ret < 0 ? -1 : 0;
}

void fields_from_members(const struct stream *s, const struct jscan_members *ms,
                         struct fields *f, struct buf *strings)
{
    clear_fields(s, f);
    for (size_t i = 0; i < ms->nr; i++) {
        const struct jscan_member *mb = &ms->m[i];

        if (mb->parent < 0) {
            match_member(s, mb->k + 1, (size_t)(mb->ke - mb->k) - 2, mb->v,
                         mb->ve, f, strings, ms, i);
        }
    }
}

void fields_finish(struct colval *cols, size_t n, const struct buf *strings)
{
    for (size_t i = 0; i < n; i++) {
        if (cols[i].kind == COLVAL_TEXT) {
            cols[i].text = strings->buf + cols[i].i;
        }
    }
}

int fields_string(const char *p, const char *end, const char *key,
                  struct buf *strings, const char **out)
{
    const char *v, *ve;
    size_t off = strings->len;
    int ret = jscan_member(p, end, key, &v, &ve);

    if (ret <= 0) {
        return ret;
    }
    if (*v != '"' || json_unescape(v, ve, strings) < 0) {
        return 0;
    }
    *out = strings->buf + off;
    return 1;
}
