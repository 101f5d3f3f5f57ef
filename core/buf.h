/* SPDX-License-Identifier: MIT */
/*
 * struct buf: a growable byte buffer (git's strbuf) with an optional size
 * cap (curl's dynbuf).
 *
 * Invariants: 'buf' is never NULL and always NUL-terminated at 'len', so
 * b.buf can be used as a C string at any time.  Initialise with BUF_INIT
 * or buf_init(); release with buf_release(), which is idempotent.
 *
 * Capped buffers (buf_init_capped) refuse to grow past 'cap' bytes of
 * content: the adding call returns -1 and the buffer is emptied and freed
 * (so a half-filled response never lingers).  Uncapped buffers always
 * succeed (allocation failure aborts, see xalloc.h).
 *
 * Ownership: the buffer owns its memory; buf_detach() hands it over.
 */
#ifndef CORE_BUF_H
#define CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

extern char buf_empty[];

struct buf {
    char *buf;
    size_t len;
    size_t alloc; /* 0 while 'buf' points at buf_empty */
    size_t cap;   /* 0 = no cap */
};

#define BUF_INIT                                                               \
    {                                                                          \
        buf_empty, 0, 0, 0                                                     \
    }

void buf_init(struct buf *b, size_t hint);
void buf_init_capped(struct buf *b, size_t cap);
void buf_release(struct buf *b);
/* Hand the content to the caller (free() it); the buffer is reset. */
char *buf_detach(struct buf *b, size_t *len);
/* Empty the buffer but keep its memory for reuse. */
void buf_reset(struct buf *b);
/* Make room for 'extra' more bytes.  -1 if that would pass the cap. */
int buf_grow(struct buf *b, size_t extra);
/* Shorten to 'len' bytes (len <= b->len). */
void buf_setlen(struct buf *b, size_t len);

/* Append; each returns 0, or -1 when the cap would be passed. */
int buf_add(struct buf *b, const void *data, size_t n);
int buf_addstr(struct buf *b, const char *s);
int buf_addch(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
int buf_vaddf(struct buf *b, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);

#endif
