/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "reader/jscan.h"
#include "core/xalloc.h"

#if defined(__GNUC__) && defined(__BYTE_ORDER__) &&                            \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define JSCAN_SWAR 1
#if defined(__SSE2__)
#include <emmintrin.h>
#define JSCAN_SSE2 1
#endif
#endif

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
 * The first '"' or '\\' at or after q, or end: the reader's hot loop (a
 * charge holds about 150 strings).  Sixteen bytes at a time with SSE2
 * (every x86-64), then eight with a word where the byte order allows: a
 * byte equal to c makes (w ^ c*0x01..) zero, and the lowest byte flagged
 * by the zero-byte test is exactly the first such byte (its false
 * positives lie only above a true zero).
 */
static const char *string_stop(const char *q, const char *end)
{
#ifdef JSCAN_SSE2
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');

    while (end - q >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)q);
        int hit = _mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));

        if (hit) {
            return q + __builtin_ctz((unsigned)hit);
        }
        q += 16;
    }
#endif
#ifdef JSCAN_SWAR
    {
        const uint64_t ones = 0x0101010101010101ULL;
        const uint64_t high = 0x8080808080808080ULL;

        while (end - q >= 8) {
            uint64_t w, a, b, hit;

            memcpy(&w, q, 8);
            a = w ^ (ones * '"');
            b = w ^ (ones * '\\');
            hit = ((a - ones) & ~a) | ((b - ones) & ~b);
            if (hit & high) {
                return q + (__builtin_ctzll(hit & high) >> 3);
            }
            q += 8;
        }
    }
#endif
    while (q < end && *q != '"' && *q != '\\') {
        q++;
    }
    return q;
}

/*
 * p at the opening quote; returns past the closing quote.  An escape is
 * stepped over whole, so the quote it may escape is never taken for the
 * end.  Control characters are not checked: the text is stored as Stripe
 * sent it.
 */
static const char *skip_string(const char *p, const char *end)
{
    const char *q = p + 1;

    for (;;) {
        q = string_stop(q, end);
        if (q >= end) {
            return NULL;
        }
        if (*q == '"') {
            return q + 1;
        }
        if (end - q < 2) {
            return NULL;
        }
        q += 2;
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

/* Byte classes outside strings, for the minifier's token loop. */
enum { C_PLAIN, C_WS, C_QUOTE, C_OPEN, C_CLOSE, C_COMMA, C_COLON };

static const unsigned char cls[256] = {
    [' '] = C_WS,    ['\t'] = C_WS,   ['\n'] = C_WS,   ['\r'] = C_WS,
    ['"'] = C_QUOTE, ['{'] = C_OPEN,  ['['] = C_OPEN,  ['}'] = C_CLOSE,
    [']'] = C_CLOSE, [','] = C_COMMA, [':'] = C_COLON,
};

/* Where the minifier is in its container: what may come next. */
enum {
    S_TOP,      /* the value itself */
    S_OBJ_OPEN, /* after '{': a key or '}' */
    S_KEY,      /* after ',' in an object: a key */
    S_COLON,    /* after a key: ':' */
    S_MEMBER,   /* after ':': the member's value */
    S_ARR_OPEN, /* after '[': a value or ']' */
    S_ELEMENT,  /* after ',' in an array: a value */
    S_NEXT,     /* after a value: ',' or the closer */
};

#define VALUE_STATES                                                           \
    (1u << S_TOP | 1u << S_MEMBER | 1u << S_ARR_OPEN | 1u << S_ELEMENT)

/* Members are recorded at depth 1 (the object's) and 2 (one level down). */
#define MEMBER_DEPTHS 2

struct mini {
    char *dst;       /* end of the output so far */
    const char *run; /* input from here to p is copied to dst at the next
                        white space or at the end */
    const char *p, *end;
    struct jscan_members *m;
    int depth, state;
    long cur[MEMBER_DEPTHS + 1]; /* member being read at depth 1, 2 */
    char stack[JSCAN_MAX_DEPTH]; /* the expected closers */
};

/* Where the input byte at x lands in the output. */
static const char *out_at(const struct mini *s, const char *x)
{
    return s->dst + (x - s->run);
}

/*
 * Copy the pending run; in text without white space the output is the
 * input itself, so nothing moves.  Pretty-printed text (Stripe's) has a
 * run per line, a few dozen bytes: once the output is 16 bytes or more
 * behind, it is copied in 16-byte pieces that cannot overlap, rounded up
 * (what lands past the run's end is below the input position and is
 * overwritten next), which costs less than a call to memmove.
 */
static void flush(struct mini *s)
{
    size_t n = (size_t)(s->p - s->run);

    if (s->dst == s->run) {
        s->dst += n;
        return;
    }
    if (s->run - s->dst >= 16 && (size_t)(s->end - s->run) >= n + 16) {
        for (size_t i = 0; i < n; i += 16) {
            memcpy(s->dst + i, s->run + i, 16);
        }
    }
    else {
        memmove(s->dst, s->run, n);
    }
    s->dst += n;
}

/* Without 'm' no member is ever current: cur[] stays -1. */
static bool recording(const struct mini *s)
{
    return s->depth <= MEMBER_DEPTHS && s->cur[s->depth] >= 0;
}

/* A value starts at s->p: it must be allowed here. */
static int value_start(struct mini *s)
{
    if (s->state == S_MEMBER) {
        if (recording(s)) {
            s->m->m[s->cur[s->depth]].v = out_at(s, s->p);
        }
        return 0;
    }
    return (1u << s->state) & VALUE_STATES ? 0 : -1;
}

/* The member being read at this depth ends at s->p (',' or '}'). */
static void member_end(struct mini *s)
{
    if (recording(s)) {
        s->m->m[s->cur[s->depth]].ve = out_at(s, s->p);
    }
}

static void add_key(struct mini *s, const char *k, const char *ke)
{
    struct jscan_members *m = s->m;
    struct jscan_member *mb;

    /* depth 1 only in an object at the top, depth 2 only below one of
     * its members */
    if (!m || s->depth > MEMBER_DEPTHS || s->stack[0] != '}' ||
        (s->depth == 2 && s->cur[1] < 0)) {
        return;
    }
    ALLOC_GROW(m->m, m->nr + 1, m->alloc);
    mb = &m->m[m->nr];
    mb->k = out_at(s, k);
    mb->ke = out_at(s, ke);
    mb->v = mb->ve = NULL;
    mb->parent = s->depth == 1 ? -1 : s->cur[1];
    s->cur[s->depth] = (long)m->nr++;
}

/* Step over white space, if any (pretty text has it after nearly every
 * token): here, not as a token of its own, to spare a dispatch. */
static void blank(struct mini *s)
{
    if (s->p < s->end && cls[(unsigned char)*s->p] == C_WS) {
        flush(s);
        s->p = jscan_ws(s->p, s->end);
        s->run = s->p;
    }
}

/* The ',' at s->p, after a value: what may follow it. */
static void comma(struct mini *s)
{
    if (s->stack[s->depth - 1] == '}') {
        member_end(s);
        s->state = S_KEY;
    }
    else {
        s->state = S_ELEMENT;
    }
    s->p++;
}

/* A value ended at s->p; the ',' that usually follows is taken here. */
static void after_value(struct mini *s)
{
    s->state = S_NEXT;
    blank(s);
    if (s->p < s->end && *s->p == ',') {
        comma(s);
        blank(s);
    }
}

static int string_token(struct mini *s)
{
    const char *q = skip_string(s->p, s->end);

    if (!q) {
        return -1;
    }
    if (s->state == S_OBJ_OPEN || s->state == S_KEY) {
        add_key(s, s->p, q);
        /* the ':' nearly always follows at once: no token of its own */
        s->state = q < s->end && *q == ':' ? S_MEMBER : S_COLON;
        s->p = q + (s->state == S_MEMBER);
        blank(s);
        return 0;
    }
    if (value_start(s) < 0) {
        return -1;
    }
    s->p = q;
    after_value(s);
    return 0;
}

/* A number or a literal (its syntax is not checked, only its extent). */
static int scalar_token(struct mini *s)
{
    const char *p = s->p;

    if (value_start(s) < 0) {
        return -1;
    }
    while (p < s->end && cls[(unsigned char)*p] == C_PLAIN) {
        p++;
    }
    if (p >= s->end) {
        return -1; /* runs into the end: may be cut short */
    }
    s->p = p;
    after_value(s);
    return 0;
}

static int open_token(struct mini *s)
{
    char c = *s->p;

    if (value_start(s) < 0 || s->depth == JSCAN_MAX_DEPTH) {
        return -1;
    }
    s->stack[s->depth++] = c == '{' ? '}' : ']';
    if (s->depth <= MEMBER_DEPTHS) {
        s->cur[s->depth] = -1;
    }
    s->state = c == '{' ? S_OBJ_OPEN : S_ARR_OPEN;
    s->p++;
    blank(s);
    return 0;
}

/* 1 when the outermost container closed, 0 for another, -1 if bad. */
static int close_token(struct mini *s)
{
    char c = *s->p;

    if (s->depth == 0 || s->stack[s->depth - 1] != c ||
        !(s->state == S_NEXT ||
          s->state == (c == '}' ? S_OBJ_OPEN : S_ARR_OPEN))) {
        return -1;
    }
    if (c == '}' && s->state == S_NEXT) {
        member_end(s);
    }
    s->p++;
    if (--s->depth == 0) {
        return 1; /* nothing after the value is taken */
    }
    after_value(s);
    return 0;
}

/* A ':' or ',' that was not taken with the token before it. */
static int punct_token(struct mini *s)
{
    if (*s->p == ':' && s->state == S_COLON) {
        s->state = S_MEMBER;
        s->p++;
        return 0;
    }
    if (*s->p == ',' && s->state == S_NEXT) {
        comma(s);
        return 0;
    }
    return -1;
}

/* One token at s->p: 1 when the value is complete, 0, -1 if bad. */
static int token(struct mini *s)
{
    switch (cls[(unsigned char)*s->p]) {
    case C_WS:
        blank(s);
        return 0;
    case C_QUOTE:
        return string_token(s);
    case C_OPEN:
        return open_token(s);
    case C_CLOSE:
        return close_token(s);
    case C_COMMA:
    case C_COLON:
        return punct_token(s);
    default:
        return scalar_token(s);
    }
}

char *jscan_minify_members(char *dst, const char *p, const char *end,
                           const char **after, struct jscan_members *m)
{
    struct mini s;
    int ret = 0;

    if (m) {
        m->nr = 0;
    }
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
    s.dst = dst;
    s.run = s.p = p;
    s.end = end;
    s.m = m;
    s.depth = 0;
    s.state = S_TOP;
    for (int d = 0; d <= MEMBER_DEPTHS; d++) {
        s.cur[d] = -1;
    }
    while (s.p < s.end && (ret = token(&s)) == 0) {
    }
    if (ret != 1) {
        return NULL;
    }
    flush(&s);
    *after = s.p;
    return s.dst;
}

char *jscan_minify_into(char *dst, const char *p, const char *end,
                        const char **after)
{
    return jscan_minify_members(dst, p, end, after, NULL);
}

void jscan_members_release(struct jscan_members *m)
{
    FREE_AND_NULL(m->m);
    m->nr = m->alloc = 0;
}
