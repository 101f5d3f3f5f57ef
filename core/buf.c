/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/buf.h"
#include "core/xalloc.h"

char buf_empty[1];

void buf_init(struct buf *b, size_t hint)
{
    b->buf = buf_empty;
    b->len = 0;
    b->alloc = 0;
    b->cap = 0;
    if (hint) {
        buf_grow(b, hint);
    }
}

void buf_init_capped(struct buf *b, size_t cap)
{
    buf_init(b, 0);
    b->cap = cap;
}

void buf_release(struct buf *b)
{
    if (b->alloc) {
        free(b->buf);
    }
    b->buf = buf_empty;
    b->len = 0;
    b->alloc = 0;
}

char *buf_detach(struct buf *b, size_t *len)
{
    char *p = b->alloc ? b->buf : xstrdup("");

    if (len) {
        *len = b->len;
    }
    b->buf = buf_empty;
    b->len = 0;
    b->alloc = 0;
    return p;
}

void buf_reset(struct buf *b)
{
    buf_setlen(b, 0);
}

void buf_setlen(struct buf *b, size_t len)
{
    if (len > b->len) {
        len = b->len;
    }
    b->len = len;
    if (b->alloc) {
        b->buf[len] = '\0';
    }
}

int buf_grow(struct buf *b, size_t extra)
{
    size_t want;

    if (b->cap && (extra > b->cap || b->len > b->cap - extra)) {
        buf_release(b);
        return -1;
    }
    if (extra > SIZE_MAX - b->len - 1) {
        buf_release(b);
        return -1;
    }
    want = b->len + extra + 1;
    if (want <= b->alloc) {
        return 0;
    }
    if (b->alloc && want < b->alloc * 2) {
        want = b->alloc * 2;
    }
    if (want < 64) {
        want = 64;
    }
    if (b->alloc) {
        b->buf = xrealloc(b->buf, want);
    }
    else {
        b->buf = xmalloc(want);
        b->buf[0] = '\0';
    }
    b->alloc = want;
    return 0;
}

int buf_add(struct buf *b, const void *data, size_t n)
{
    if (buf_grow(b, n) < 0) {
        return -1;
    }
    if (n) {
        memcpy(b->buf + b->len, data, n);
    }
    b->len += n;
    b->buf[b->len] = '\0';
    return 0;
}

int buf_addstr(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_addch(struct buf *b, char c)
{
    return buf_add(b, &c, 1);
}

int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int len;

    va_copy(cp, ap);
    len = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (len < 0) {
        return -1;
    }
    if (buf_grow(b, (size_t)len) < 0) {
        return -1;
    }
    vsnprintf(b->buf + b->len, (size_t)len + 1, fmt, ap);
    b->len += (size_t)len;
    return 0;
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int ret;

    va_start(ap, fmt);
    ret = buf_vaddf(b, fmt, ap);
    va_end(ap);
    return ret;
}
