/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/err.h"

static const struct {
    const char *name;
    int exit_code;
} kinds[ERR_KIND_MAX] = {
    [ERR_NONE] = { "ok", EXIT_OK },
    [ERR_INTERNAL] = { "internal", EXIT_INTERNAL },
    [ERR_USAGE] = { "usage", EXIT_USAGE },
    [ERR_CONFIG] = { "config", EXIT_CONFIG },
    [ERR_AUTH] = { "auth", EXIT_AUTH },
    [ERR_API] = { "api", EXIT_API },
    [ERR_DATA] = { "data", EXIT_API },
    [ERR_RETENTION] = { "retention", EXIT_RETENTION },
    [ERR_LOCKED] = { "locked", EXIT_LOCKED },
    [ERR_PARTIAL] = { "partial", EXIT_PARTIAL },
    [ERR_IO] = { "io", EXIT_IO },
    [ERR_ACCOUNT] = { "account_invalid", EXIT_AUTH },
};

int err_vset(struct err *err, enum err_kind kind, const char *fmt, va_list ap)
{
    if (!err) {
        return -1;
    }
    err->kind = kind;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    return -1;
}

int err_set(struct err *err, enum err_kind kind, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    err_vset(err, kind, fmt, ap);
    va_end(ap);
    return -1;
}

int err_prefix(struct err *err, const char *fmt, ...)
{
    char prefix[ERR_MSG_MAX / 2];
    size_t plen, keep;
    va_list ap;

    if (!err) {
        return -1;
    }
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    plen = strlen(prefix);
    keep = strnlen(err->msg, sizeof(err->msg) - 1);
    if (keep > sizeof(err->msg) - 1 - plen - 2) {
        keep = sizeof(err->msg) - 1 - plen - 2;
    }
    memmove(err->msg + plen + 2, err->msg, keep);
    memcpy(err->msg, prefix, plen);
    memcpy(err->msg + plen, ": ", 2);
    err->msg[plen + 2 + keep] = '\0';
    if (err->kind == ERR_NONE) {
        err->kind = ERR_INTERNAL;
    }
    return -1;
}

void err_clear(struct err *err)
{
    if (err) {
        err->kind = ERR_NONE;
        err->msg[0] = '\0';
    }
}

int err_exit_code(enum err_kind kind)
{
    if ((int)kind < 0 || kind >= ERR_KIND_MAX) {
        return EXIT_INTERNAL;
    }
    return kinds[kind].exit_code;
}

const char *err_kind_name(enum err_kind kind)
{
    if ((int)kind < 0 || kind >= ERR_KIND_MAX) {
        return "internal";
    }
    return kinds[kind].name;
}
