/* SPDX-License-Identifier: MIT */
/*
 * Lookups and selection over the stream table (model/stream_table.c).
 */
#include "core/compat.h"
#include "model/streams.h"
#include "core/err.h"
#include "core/strutil.h"
const struct stream *stream_find(const char *name)
{
    for (size_t i = 0; i < nr_streams; i++) {
        if (!strcmp(streams[i].name, name)) {
            return &streams[i];
        }
    }
    return NULL;
}

const char *stream_label(const struct stream *s, char *buf, size_t size)
{
    if (!s->store_as) {
        return s->name;
    }
    snprintf(buf, size, "%s (its %s list)", s->store_as->name, s->list_query);
    return buf;
}

const struct event_route *stream_route(const struct stream *s, const char *type,
                                       const char *object)
{
    for (size_t i = 0; i < s->nr_routes; i++) {
        const struct event_route *r = &s->routes[i];

        if (!strcmp(r->object, object) && starts_with(type, r->type_prefix)) {
            return r;
        }
    }
    return NULL;
}

int stream_column(const struct stream *s, const char *name)
{
    for (size_t i = 0; i < s->nr_columns; i++) {
        if (!strcmp(s->columns[i].name, name)) {
            return (int)i;
        }
    }
    return -1;
}

size_t stream_index(const struct stream *s)
{
    return (size_t)(s - streams);
}

static int unknown_stream(const char *name, struct err *err)
{
    const char *names[MAX_STREAMS + 1];
    const char *hint;
    size_t n = 0;

    for (size_t i = 0; i < nr_streams; i++) {
        if (!stream_hidden(&streams[i])) {
            names[n++] = streams[i].name;
        }
    }
    names[n] = NULL;
    hint = suggest(name, names);
    if (hint) {
        return err_set(err, ERR_USAGE,
                       "unknown stream '%s' (did you mean '%s'?)", name, hint);
    }
    return err_set(err, ERR_USAGE,
                   "unknown stream '%s' (`stripe-reader streams` lists them)",
                   name);
}

int stream_select(const char *list, const struct stream **out, size_t max,
                  struct err *err)
{
    size_t n = 0;
    const char *p = list;

    if (!list || !*list) {
        for (size_t i = 0; i < nr_streams && n < max; i++) {
            if (!stream_hidden(&streams[i])) {
                out[n++] = &streams[i];
            }
        }
        return (int)n;
    }
    while (*p) {
        char name[64];
        size_t len = strcspn(p, ",");
        const struct stream *s;
        bool dup = false;

        snprintf(name, sizeof(name), "%.*s", (int)len, p);
        p += len;
        if (*p == ',') {
            p++;
        }
        if (!*name) {
            continue;
        }
        s = stream_find(name);
        if (!s || stream_hidden(s)) {
            return unknown_stream(name, err);
        }
        for (size_t i = 0; i < n; i++) {
            dup = dup || out[i] == s;
        }
        if (!dup && n < max) {
            out[n++] = s;
        }
    }
    if (n == 0) {
        return err_set(err, ERR_USAGE, "no stream selected");
    }
    return (int)n;
}

unsigned streams_closure(unsigned mask)
{
    for (size_t i = 0; i < nr_streams; i++) {
        const struct stream *s = &streams[i];

        /* a child is read through its parent; a twin with its stream */
        if ((mask & (1u << i)) && s->parent) {
            mask |= 1u << stream_index(s->parent);
        }
        if (s->store_as && (mask & (1u << stream_index(s->store_as)))) {
            mask |= 1u << i;
        }
    }
    return mask;
}

int streams_parse(const char *list, unsigned *mask, struct err *err)
{
    const struct stream *sel[MAX_STREAMS];
    int n = stream_select(list, sel, ARRAY_SIZE(sel), err);

    *mask = 0;
    for (int i = 0; i < n; i++) {
        *mask |= 1u << stream_index(sel[i]);
    }
    *mask = streams_closure(*mask);
    return n < 0 ? -1 : 0;
}

const char *col_type_name(enum col_type t)
{
    switch (t) {
    case COL_TEXT:
        return "text";
    case COL_INT:
        return "integer";
    case COL_BOOL:
        return "boolean";
    }
    return "text";
}
