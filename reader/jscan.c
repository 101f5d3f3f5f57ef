/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "reader/jscan.h"

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

/*
 * p at the opening quote; returns past the closing quote.  memchr jumps
 * from quote to quote (the hot loop of the reader); a quote preceded by
 * an odd run of backslashes is escaped.  Control characters are not
 * checked here: replies were validated as JSON by the adapter.
 */
static const char *skip_string(const char *p, const char *end)
{
    const char *q = p + 1;

    for (;;) {
        const char *b, *stop = end - q > 16 ? q + 16 : end;
        size_t slashes = 0;

        /* most strings are short: look inline before calling memchr */
        while (q < stop && *q != '"') {
            q++;
        }
        if (q == stop) {
            q = memchr(q, '"', (size_t)(end - q));
        }
        if (!q) {
            return NULL;
        }
        for (b = q - 1; b > p && *b == '\\'; b--) {
            slashes++;
        }
        if (slashes % 2 == 0) {
            return q + 1;
        }
        q++;
    }
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

/* Bytes that matter inside a container: quotes and brackets. */
static const unsigned char special[256] = {
    ['"'] = 1, ['{'] = 1, ['}'] = 1, ['['] = 1, [']'] = 1,
};

/*
 * Nested containers are skipped with an explicit stack of the expected
 * closers, so hostile nesting cannot exhaust the C stack.
 */
static const char *skip_container(const char *p, const char *end)
{
    char stack[JSCAN_MAX_DEPTH];
    int depth = 0;

    while (p < end) {
        char c;

        while (p < end && !special[(unsigned char)*p]) {
            p++;
        }
        if (p >= end) {
            break;
        }
        c = *p;

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

int jscan_object(struct jscan_iter *it, const char *p, const char *end)
{
    p = jscan_ws(p, end);
    if (p >= end || *p != '{') {
        return -1;
    }
    it->p = p + 1;
    it->end = end;
    it->first = 1;
    return 0;
}

int jscan_next_member(struct jscan_iter *it, const char **k, const char **ke,
                      const char **v, const char **ve)
{
    const char *p = jscan_ws(it->p, it->end);

    if (p >= it->end) {
        return -1;
    }
    if (*p == '}') {
        it->p = p + 1;
        return 0;
    }
    if (!it->first) {
        if (*p != ',') {
            return -1;
        }
        p = jscan_ws(p + 1, it->end);
    }
    if (p >= it->end || *p != '"') {
        return -1;
    }
    *k = p;
    *ke = skip_string(p, it->end);
    if (!*ke) {
        return -1;
    }
    p = jscan_ws(*ke, it->end);
    if (p >= it->end || *p != ':') {
        return -1;
    }
    *v = jscan_ws(p + 1, it->end);
    *ve = jscan_skip(*v, it->end);
    if (!*ve) {
        return -1;
    }
    it->first = 0;
    it->p = *ve;
    return 1;
}

int jscan_member(const char *p, const char *end, const char *key,
                 const char **vstart, const char **vend)
{
    struct jscan_iter it;
    const char *k, *ke, *v, *ve;
    size_t n = strlen(key);
    int ret;

    if (jscan_object(&it, p, end) < 0) {
        return -1;
    }
    while ((ret = jscan_next_member(&it, &k, &ke, &v, &ve)) == 1) {
        if ((size_t)(ke - k) == n + 2 && !memcmp(k + 1, key, n)) {
            *vstart = v;
            *vend = ve;
            return 1;
        }
    }
    return ret;
}

char *jscan_minify_into(char *dst, const char *p, const char *end,
                        const char **after)
{
    char stack[JSCAN_MAX_DEPTH];
    const char *run;
    int depth = 0;

    p = jscan_ws(p, end);
    if (p >= end) {
        return NULL;
    }
    if (*p != '{' && *p != '[') {
        const char *ve = jscan_skip(p, end);

        if (!ve) {
            return NULL;
        }
        memmove(dst, p, (size_t)(ve - p));
        *after = ve;
        return dst + (ve - p);
    }
    run = p;
    while (p < end) {
        char ch;

        while (p < end && !special[(unsigned char)*p] && !is_ws(*p)) {
            p++;
        }
        if (p >= end) {
            break;
        }
        ch = *p;
        if (ch == '"') {
            p = skip_string(p, end);
            if (!p) {
                return NULL;
            }
            continue;
        }
        if (is_ws(ch)) {
            memmove(dst, run, (size_t)(p - run));
            dst += p - run;
            p = jscan_ws(p, end);
            run = p;
            continue;
        }
        p++;
        if (ch == '{' || ch == '[') {
            if (depth == JSCAN_MAX_DEPTH) {
                return NULL;
            }
            stack[depth++] = ch == '{' ? '}' : ']';
        }
        else if (depth == 0 || stack[depth - 1] != ch) {
            return NULL;
        }
        else if (--depth == 0) {
            memmove(dst, run, (size_t)(p - run));
            *after = p;
            return dst + (p - run);
        }
    }
    return NULL;
}
