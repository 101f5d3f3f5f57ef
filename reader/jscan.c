/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "reader/jscan.h"
#include "core/buf.h"

#define JSCAN_MAX_DEPTH 512

static int is_ws(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

const char *jscan_ws(const char *p, const char *end)
{
    while (p < end && is_ws(*p)) {
        p++;
    }
    return p;
}

/* p at the opening quote; returns past the closing quote. */
static const char *skip_string(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if (*p == '\\') {
            if (++p >= end) {
                return NULL;
            }
        }
        else if (*p == '"') {
            return p + 1;
        }
        else if ((unsigned char)*p < 0x20) {
            return NULL;
        }
    }
    return NULL;
}

static const char *skip_scalar(const char *p, const char *end)
{
    const char *start = p;

    while (p < end && !is_ws(*p) && *p != ',' && *p != ']' && *p != '}' &&
           *p != ':' && *p != '"' && *p != '[' && *p != '{') {
        p++;
    }
    /* a scalar that runs into the end of the text may be cut short */
    return p > start && p < end ? p : NULL;
}

/*
 * Nested containers are skipped with an explicit stack of the expected
 * closers, so hostile nesting cannot exhaust the C stack.
 */
static const char *skip_container(const char *p, const char *end)
{
    char stack[JSCAN_MAX_DEPTH];
    int depth = 0;

    while (p < end) {
        char c = *p;

        if (c == '{' || c == '[') {
            if (depth == JSCAN_MAX_DEPTH) {
                return NULL;
            }
            stack[depth++] = c == '{' ? '}' : ']';
            p++;
        }
        else if (c == '}' || c == ']') {
            if (depth == 0 || stack[depth - 1] != c) {
                return NULL;
            }
            p++;
            if (--depth == 0) {
                return p;
            }
        }
        else if (c == '"') {
            p = skip_string(p, end);
            if (!p) {
                return NULL;
            }
        }
        else {
            p++;
        }
    }
    return NULL;
}

const char *jscan_skip(const char *p, const char *end)
{
    p = jscan_ws(p, end);
    if (p >= end) {
        return NULL;
    }
    if (*p == '"') {
        return skip_string(p, end);
    }
    if (*p == '{' || *p == '[') {
        return skip_container(p, end);
    }
    if (*p == '}' || *p == ']' || *p == ',' || *p == ':') {
        return NULL;
    }
    return skip_scalar(p, end);
}

static int key_equals(const char *q, const char *qend, const char *key)
{
    size_t n = (size_t)(qend - q) - 2; /* without the quotes */

    return strlen(key) == n && !memcmp(q + 1, key, n);
}

int jscan_member(const char *p, const char *end, const char *key,
                 const char **vstart, const char **vend)
{
    p = jscan_ws(p, end);
    if (p >= end || *p != '{') {
        return -1;
    }
    p = jscan_ws(p + 1, end);
    if (p < end && *p == '}') {
        return 0;
    }
    while (p < end) {
        const char *k = p, *kend, *v, *vlast;

        if (*k != '"') {
            return -1;
        }
        kend = skip_string(k, end);
        if (!kend) {
            return -1;
        }
        p = jscan_ws(kend, end);
        if (p >= end || *p != ':') {
            return -1;
        }
        v = jscan_ws(p + 1, end);
        vlast = jscan_skip(v, end);
        if (!vlast) {
            return -1;
        }
        if (key_equals(k, kend, key)) {
            *vstart = v;
            *vend = vlast;
            return 1;
        }
        p = jscan_ws(vlast, end);
        if (p < end && *p == '}') {
            return 0;
        }
        if (p >= end || *p != ',') {
            return -1;
        }
        p = jscan_ws(p + 1, end);
    }
    return -1;
}

int jscan_array(struct jscan_iter *it, const char *p, const char *end)
{
    p = jscan_ws(p, end);
    if (p >= end || *p != '[') {
        return -1;
    }
    it->p = p + 1;
    it->end = end;
    it->first = 1;
    return 0;
}

int jscan_next(struct jscan_iter *it, const char **vstart,
               const char **vend)
{
    const char *p = jscan_ws(it->p, it->end);
    const char *v;

    if (p >= it->end) {
        return -1;
    }
    if (*p == ']') {
        it->p = p + 1;
        return 0;
    }
    if (!it->first) {
        if (*p != ',') {
            return -1;
        }
        p = jscan_ws(p + 1, it->end);
    }
    v = jscan_skip(p, it->end);
    if (!v) {
        return -1;
    }
    it->first = 0;
    *vstart = p;
    *vend = v;
    it->p = v;
    return 1;
}

int jscan_minify(struct buf *out, const char *p, const char *end)
{
    const char *run = p;

    if (buf_grow(out, (size_t)(end - p)) < 0) {
        return -1;
    }
    while (p < end) {
        if (*p == '"') {
            const char *s = skip_string(p, end);

            p = s ? s : end;
        }
        else if (is_ws(*p)) {
            buf_add(out, run, (size_t)(p - run));
            p = jscan_ws(p, end);
            run = p;
        }
        else {
            p++;
        }
    }
    return buf_add(out, run, (size_t)(p - run));
}
