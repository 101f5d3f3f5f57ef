/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "sinks/sink.h"
#include "model/record.h"
#include "core/err.h"
#include "core/xalloc.h"

static const struct sink_type *const sink_types[] = {
    &sink_ndjson,
    &sink_sqlite,
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

int sink_open(struct sink **out, const char *uri, const struct sink_opts *o,
              struct err *err)
{
    static const struct sink_opts none;
    const char *colon = strchr(uri, ':');
    size_t n = colon ? (size_t)(colon - uri) : 0;
    struct sink *s;

    *out = NULL;
    for (size_t i = 0; colon && i < ARRAY_SIZE(sink_types); i++) {
        const struct sink_type *t = sink_types[i];

        if (strlen(t->name) != n || strncmp(t->name, uri, n)) {
            continue;
        }
        if (!colon[1]) {
            return err_set(err, ERR_CONFIG, "sink '%s' names no %s", uri,
                           !strcmp(t->name, "sqlite") ? "file" : "folder");
        }
        s = xcalloc(1, sizeof(*s));
        s->type = t;
        s->uri = xstrdup(uri);
        s->ctx = xcalloc(1, t->ctx_size);
        if (t->open(s, colon + 1, o ? o : &none, err) < 0) {
            sink_close(s);
            return err_prefix(err, "sink '%s'", uri);
        }
        *out = s;
        return 0;
    }
    return err_set(err, ERR_CONFIG,
                   "unknown sink '%s' (use sqlite:PATH or ndjson:DIR)", uri);
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
