/* SPDX-License-Identifier: MIT */
/*
 * struct err: what went wrong, as a kind (which decides the exit code) and
 * one line of text.
 *
 * Functions that can fail return int, 0 on success and -1 on failure, and
 * take a 'struct err *err' as their last parameter.  err_set() returns -1
 * so that 'return err_set(err, ERR_IO, "cannot open '%s'", path);' reads
 * naturally.  Messages follow git's rules: lower case, no trailing period,
 * the problem first, names in single quotes.  Context is added while
 * unwinding with err_prefix() by the layer that knows it (profile, stream,
 * Request-Id).  Messages never contain a secret.
 *
 * 'err' may be NULL: the error is then dropped.
 */
#ifndef CORE_ERR_H
#define CORE_ERR_H

#include <stdarg.h>

enum err_kind {
    ERR_NONE = 0,
    ERR_INTERNAL,  /* a bug or an unexpected system failure */
    ERR_USAGE,     /* bad command line */
    ERR_CONFIG,    /* bad profile, option value, or state mismatch */
    ERR_AUTH,      /* 401/403, invalid_grant, mode mismatch at run time */
    ERR_API,       /* Stripe or network failure after retries */
    ERR_DATA,      /* a reply that is not what Stripe sends */
    ERR_RETENTION, /* the events cursor is older than Stripe keeps events */
    ERR_LOCKED,    /* another run holds the lock */
    ERR_PARTIAL,   /* stopped early (deadline or signal); resumable */
    ERR_IO,        /* the sink or a local file could not be written */
    /* 403 account_invalid: the key may not act for that connected account
     * (unknown, or the platform's access was revoked); exit code of auth */
    ERR_ACCOUNT,
    ERR_KIND_MAX
};

#define ERR_MSG_MAX 1024

struct err {
    enum err_kind kind;
    char msg[ERR_MSG_MAX];
};

#define ERR_INIT                                                               \
    {                                                                          \
        ERR_NONE,                                                              \
        {                                                                      \
            0                                                                  \
        }                                                                      \
    }

/* Record an error; returns -1. */
int err_set(struct err *err, enum err_kind kind, const char *fmt, ...)
    PRINTF_LIKE(3, 4);
int err_vset(struct err *err, enum err_kind kind, const char *fmt, va_list ap)
    PRINTF_LIKE(3, 0);
/* Prepend context: "<prefix>: <old message>".  Returns -1. */
int err_prefix(struct err *err, const char *fmt, ...) PRINTF_LIKE(2, 3);
void err_clear(struct err *err);

/* The documented exit code of a kind (see the table in err.c). */
int err_exit_code(enum err_kind kind);
/* A short stable name of a kind, e.g. "config" (used in JSON output). */
const char *err_kind_name(enum err_kind kind);

/* Exit codes, documented in README, --help and the man page. */
enum exit_code {
    EXIT_OK = 0,
    EXIT_INTERNAL = 1,
    EXIT_USAGE = 2,
    EXIT_CONFIG = 3,
    EXIT_AUTH = 4,
    EXIT_API = 5,
    EXIT_RETENTION = 6,
    EXIT_LOCKED = 7,
    EXIT_PARTIAL = 8,
    EXIT_IO = 9
};

#endif
