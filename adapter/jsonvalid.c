/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "adapter/jsonvalid.h"

struct scan {
    const char *p, *end;
};

static void skip_ws(struct scan *s)
{
    while (s->p < s->end &&
           (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')) {
        s->p++;
    }
}

/*
 * A string: find its closing quote with memchr (most of a Stripe reply is
 * string bytes, and memchr is vectorised).  A quote preceded by an odd
 * number of backslashes is escaped.  Escape sequences and control
 * characters inside strings are not checked: the reader's parser does
 * that; this check is about replies that are not JSON at all (HTML,
 * bodies cut short), and must cost little next to parsing.
 */
static bool scan_string(struct scan *s)
{
    const char *p = s->p + 1; /* after the opening quote */

    for (;;) {
        const char *q = p, *stop = s->end - p > 16 ? p + 16 : s->end;
        size_t slashes = 0;

        /* most strings are short: look inline before calling memchr */
        while (q < stop && *q != '"') {
            q++;
        }
        if (q == stop) {
            q = memchr(q, '"', (size_t)(s->end - q));
        }

        if (!q) {
            return false;
        }
        while (q - slashes > p && q[-1 - (ptrdiff_t)slashes] == '\\') {
            slashes++;
        }
        p = q + 1;
        if (slashes % 2 == 0) {
            s->p = p;
            return true;
        }
    }
}

static bool scan_digits(struct scan *s)
{
    const char *start = s->p;

    while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
        s->p++;
    }
    return s->p > start;
}

static bool scan_number(struct scan *s)
{
    if (*s->p == '-') {
        s->p++;
    }
    if (s->p < s->end && *s->p == '0') {
        s->p++;
    }
    else if (!scan_digits(s)) {
        return false;
    }
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (!scan_digits(s)) {
            return false;
        }
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-')) {
            s->p++;
        }
        if (!scan_digits(s)) {
            return false;
        }
    }
    return true;
}

static bool scan_literal(struct scan *s, const char *lit)
{
    size_t n = strlen(lit);

    if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n)) {
        return false;
    }
    s->p += n;
    return true;
}

/* A scalar value at s->p. */
static bool scan_scalar(struct scan *s)
{
    switch (*s->p) {
    case '"':
        return scan_string(s);
    case 't':
        return scan_literal(s, "true");
    case 'f':
        return scan_literal(s, "false");
    case 'n':
        return scan_literal(s, "null");
    default:
        return scan_number(s);
    }
}

/* An object key and its colon. */
static bool scan_key(struct scan *s)
{
    skip_ws(s);
    if (s->p >= s->end || *s->p != '"' || !scan_string(s)) {
        return false;
    }
    skip_ws(s);
    if (s->p >= s->end || *s->p != ':') {
        return false;
    }
    s->p++;
    return true;
}

bool json_valid(const char *text, size_t len)
{
    struct scan s = { text, text + len };
    char stack[JSONVALID_MAX_DEPTH];
    size_t depth = 0;
    bool want_value = true;

    for (;;) {
        if (want_value) {
            char c;

            skip_ws(&s);
            if (s.p >= s.end) {
                return false;
            }
            c = *s.p;

            if (c == '{' || c == '[') {
                if (depth == sizeof(stack)) {
                    return false;
                }
                stack[depth++] = c;
                s.p++;
                skip_ws(&s);
                if (s.p < s.end && *s.p == (c == '{' ? '}' : ']')) {
                    s.p++;
                    depth--;
                    want_value = false;
                }
                else if (c == '{' && !scan_key(&s)) {
                    return false;
                }
                continue;
            }
            if (!scan_scalar(&s)) {
                return false;
            }
            want_value = false;
        }
        skip_ws(&s);
        if (depth == 0) {
            return s.p == s.end;
        }
        if (s.p >= s.end) {
            return false;
        }
        if (*s.p == ',') {
            s.p++;
            if (stack[depth - 1] == '{' && !scan_key(&s)) {
                return false;
            }
            want_value = true;
        }
        else if (*s.p == (stack[depth - 1] == '{' ? '}' : ']')) {
            s.p++;
            depth--;
        }
        else {
            return false;
        }
    }
}

bool json_shape_ok(const char *text, size_t len)
{
    const char *p = text, *q = text + len;

    while (p < q && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
        p++;
    }
    while (q > p &&
           (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\n' || q[-1] == '\r')) {
        q--;
    }
    return q - p >= 2 &&
           ((*p == '{' && q[-1] == '}') || (*p == '[' && q[-1] == ']'));
}
