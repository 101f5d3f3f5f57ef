/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "sinks/sink.h"
#include "model/record.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/lockfile.h"
#include "core/xalloc.h"

/* The registry: every sink type, the default's first. */
static const struct sink_type *const sink_types[] = {
    &sink_sqlite,
    &sink_ndjson,
    &sink_singer,
};

const char *record_source_name(enum record_source s)
{
    switch (s) {
    case SOURCE_LIST:
        return "list";
    case SOURCE_EVENT:
        return "event";
    case SOURCE_RETRIEVE:
        return "retrieve";
    }
    return "list";
}

void sink_opts_add(struct sink_opts *o, const char *name, const char *value,
                   const char *flag)
{
    if (value && o->nr < SINK_MAX_OPTIONS) {
        o->items[o->nr].name = name;
        o->items[o->nr].value = value;
        o->items[o->nr].flag = flag;
        o->nr++;
    }
}

const char *sink_opts_get(const struct sink_opts *o, const char *name)
{
    for (size_t i = 0; o && i < o->nr; i++) {
        if (!strcmp(o->items[i].name, name)) {
            return o->items[i].value;
        }
    }
    return NULL;
}

const struct sink_type *sink_type_of(const char *uri)
{
    const char *colon = strchr(uri, ':');
    size_t n = colon ? (size_t)(colon - uri) : 0;

    for (size_t i = 0; colon && i < ARRAY_SIZE(sink_types); i++) {
        if (strlen(sink_types[i]->name) == n &&
            !strncmp(sink_types[i]->name, uri, n)) {
            return sink_types[i];
        }
    }
    return NULL;
}

/* "use sqlite:PATH or ndjson:DIR", from the registry */
static const char *schemes_hint(void)
{
    static char hint[128];

    if (!*hint) {
        size_t len = 0;

        for (size_t i = 0; i < ARRAY_SIZE(sink_types); i++) {
            const char *sep = i == 0                           ? "use "
                              : i + 1 < ARRAY_SIZE(sink_types) ? ", "
                                                               : " or ";

            len +=
                (size_t)snprintf(hint + len, sizeof(hint) - len, "%s%s:%s", sep,
                                 sink_types[i]->name, sink_types[i]->arg_doc);
        }
    }
    return hint;
}

const char *sink_uri_problem(const char *uri)
{
    const struct sink_type *t = sink_type_of(uri);

    return t && strchr(uri, ':')[1] ? NULL : schemes_hint();
}

bool sink_takes_option(const struct sink_type *t, const char *name)
{
    for (size_t i = 0; t->options && t->options[i]; i++) {
        if (!strcmp(t->options[i], name)) {
            return true;
        }
    }
    return false;
}

/* The first sink type that takes every option 't' refuses, for the hint. */
static const struct sink_type *taker(const struct sink_type *t,
                                     const struct sink_opts *o)
{
    for (size_t k = 0; k < ARRAY_SIZE(sink_types); k++) {
        bool all = true;

        for (size_t i = 0; i < o->nr; i++) {
            all = all && (sink_takes_option(t, o->items[i].name) ||
                          sink_takes_option(sink_types[k], o->items[i].name));
        }
        if (all && sink_types[k] != t) {
            return sink_types[k];
        }
    }
    return NULL;
}

int sink_check_opts(const char *uri, const struct sink_opts *o, struct err *err)
{
    const struct sink_type *t = sink_type_of(uri), *other;
    struct buf flags = BUF_INIT;
    size_t bad = 0;

    for (size_t i = 0; t && o && i < o->nr; i++) {
        if (!sink_takes_option(t, o->items[i].name)) {
            buf_addf(&flags, "%s%s", bad++ ? ", " : "", o->items[i].flag);
        }
    }
    if (!bad) {
        buf_release(&flags);
        return 0;
    }
    other = taker(t, o);
    if (other) {
        err_set(err, ERR_USAGE, "%s appl%s to an %s sink only, not '%s'",
                flags.buf, bad > 1 ? "y" : "ies", other->name, uri);
    }
    else {
        err_set(err, ERR_USAGE, "%s do%s not apply to '%s'", flags.buf,
                bad > 1 ? "" : "es", uri);
    }
    buf_release(&flags);
    return -1;
}

int sink_lock(struct lockfile *l, const char *uri, const char *profile,
              const struct sink_opts *o, struct err *err)
{
    const struct sink_type *t = sink_type_of(uri);
    char *path = NULL, *what = NULL;
    int ret = 0;

    if (!t || !strchr(uri, ':')[1] || !t->lock_path) {
        return 0; /* sink_open() says what is wrong */
    }
    if (t->lock_path(strchr(uri, ':') + 1, profile, o, &path, &what, err) < 0) {
        return -1;
    }
    if (path) {
        ret = lockfile_acquire(l, path, what, err);
    }
    free(path);
    free(what);
    return ret;
}

int sink_open(struct sink **out, const char *uri, const struct sink_opts *o,
              struct err *err)
{
    static const struct sink_opts none;
    const struct sink_type *t = sink_type_of(uri);
    struct sink *s;

    *out = NULL;
    if (!t) {
        return err_set(err, ERR_CONFIG, "unknown sink '%s' (%s)", uri,
                       schemes_hint());
    }
    if (!strchr(uri, ':')[1]) {
        return err_set(err, ERR_CONFIG, "sink '%s' names no %s", uri,
                       t->arg_what);
    }
    if (sink_check_opts(uri, o, err) < 0) {
        return -1;
    }
    s = xcalloc(1, sizeof(*s));
    s->type = t;
    s->uri = xstrdup(uri);
    s->ctx = xcalloc(1, t->ctx_size);
    if (t->open(s, strchr(uri, ':') + 1, o ? o : &none, err) < 0) {
        sink_close(s);
        return err_prefix(err, "sink '%s'", uri);
    }
    *out = s;
    return 0;
}

void sink_close(struct sink *s)
{
    if (!s) {
        return;
    }
    if (s->type && s->ctx) {
        s->type->close(s);
    }
    free(s->ctx);
    free(s->uri);
    free(s);
}
