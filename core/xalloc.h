/* SPDX-License-Identifier: MIT */
/*
 * Allocation that never returns NULL: on exhaustion the process prints one
 * line and aborts (this is a command-line tool; there is nothing sensible
 * to unwind to).  Network-sized data is bounded by capped buffers instead
 * (see buf.h), so an oversized reply is an error, never an abort.
 */
#ifndef CORE_XALLOC_H
#define CORE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh string owned by the caller */
char *xstrfmt(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Grow array 'x' (element type *x) so that it can hold 'nr' elements. */
#define ALLOC_GROW(x, nr, alloc)                                               \
    do {                                                                       \
        if ((size_t)(nr) > (alloc)) {                                          \
            (alloc) = (alloc) ? (alloc)*2 : 8;                                 \
            if ((size_t)(nr) > (alloc)) {                                      \
                (alloc) = (size_t)(nr);                                        \
            }                                                                  \
            (x) = xrealloc((x), (alloc) * sizeof(*(x)));                       \
        }                                                                      \
    } while (0)

#define FREE_AND_NULL(p)                                                       \
    do {                                                                       \
        free(p);                                                               \
        (p) = NULL;                                                            \
    } while (0)

#endif
