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

/*
 * Which columns a member key may be the first segment of: one mask by the
 * key's length and one by its first byte, built once per stream, so that
 * a key is compared only with the columns in both (most keys of a charge
 * match none).  Columns past the 64th are compared one by one.
 */
#define MASKED_COLUMNS 64
#define MASKED_LENGTHS 64

struct key_masks {
    bool built;
    uint64_t by_len[MASKED_LENGTHS];
    uint64_t by_first[256];
};

static struct key_masks key_masks[MAX_STREAMS];

static size_t lowest_bit(uint64_t x)
{
#if defined(__GNUC__)
    return (size_t)__builtin_ctzll(x);
#else
    size_t n = 0;

    while (!(x & 1)) {
        x >>= 1;
        n++;
    }
    return n;
#endif
}

static uint64_t candidates(const struct stream *s, const char *k, size_t klen)
{
    size_t n = stream_index(s);
    struct key_masks *km = &key_masks[n < MAX_STREAMS ? n : 0];

    if (n >= MAX_STREAMS) {
        return ~(uint64_t)0; /* not in the table: compare every column */
    }
    if (!km->built) {
        for (size_t c = 0; c < s->nr_columns && c < MASKED_COLUMNS; c++) {
            size_t len = s->columns[c].key_len;

            km->by_len[len < MASKED_LENGTHS ? len : MASKED_LENGTHS - 1] |=
                (uint64_t)1 << c;
            km->by_first[(unsigned char)s->columns[c].path[0]] |= (uint64_t)1
                                                                  << c;
        }
        km->built = true;
    }
    return km->by_len[klen < MASKED_LENGTHS ? klen : MASKED_LENGTHS - 1] &
           km->by_first[(unsigned char)k[0]];
}

/* A member: key [k, k + klen) without its quotes, value [v, ve); 'ms'
 * and 'i' locate it among recorded members, or ms is NULL. */
struct member {
    const char *k, *v, *ve;
    size_t klen;
    const struct jscan_members *ms;
    size_t i;
};

static void match_column(const struct stream *s, size_t c,
                         const struct member *m, struct fields *f,
                         struct buf *strings)
{
    const char *path = s->columns[c].path;
    const char *cv = m->v, *cve = m->ve;
    size_t klen = m->klen;

    if (s->columns[c].key_len != klen || memcmp(m->k, path, klen)) {
        return;
    }
    if (path[klen] &&
        (m->ms ? descend_recorded(m->ms, m->i, path + klen + 1, &cv, &cve)
               : descend(path + klen + 1, &cv, &cve)) < 0) {
        return;
    }
    if (!(cve - cv == 4 && !memcmp(cv, "null", 4))) {
        set_value(s->columns[c].type, cv, cve, &f->cols[c], strings);
    }
}

static void match_member(const struct stream *s, const struct member *m,
                         struct fields *f, struct buf *strings)
{
    uint64_t cand = candidates(s, m->k, m->klen);

    if (m->klen == 6 && !memcmp(m->k, "object", 6) && *m->v == '"') {
        size_t off = strings->len;

        if (json_unescape(m->v, m->ve, strings) == 0) {
            f->object_off = off;
            f->has_object = true;
        }
    }
    while (cand) {
        size_t c = lowest_bit(cand);

        cand &= cand - 1;
        if (c < s->nr_columns) {
            match_column(s, c, m, f, strings);
        }
    }
    for (size_t c = MASKED_COLUMNS; c < s->nr_columns; c++) {
        match_column(s, c, m, f, strings);
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
        struct member m = { k + 1, v, ve, (size_t)(ke - k) - 2, NULL, 0 };

        match_member(s, &m, f, strings);
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
            struct member m = { mb->k + 1, mb->v,
                                mb->ve,    (size_t)(mb->ke - mb->k) - 2,
                                ms,        i };

            match_member(s, &m, f, strings);
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

void fields_default_livemode(struct colval *cols, bool live)
{
    if (cols[COLUMN_LIVEMODE].kind != COLVAL_BOOL) {
        cols[COLUMN_LIVEMODE].kind = COLVAL_BOOL;
        cols[COLUMN_LIVEMODE].text = NULL;
        cols[COLUMN_LIVEMODE].i = live;
    }
}
