/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/err.h"
#include "model/streams.h"
#include "sinks/schema.h"

struct streams_opts {
    struct common_opts common;
    const char *schema; /* --schema FORMAT */
    const char *stream; /* --stream NAME */
};

/* "; updated by events carrying a charge, payout.* events carrying a
 * transfer" for the routes of one kind */
static void print_routes(const struct stream *s, enum route_how how,
                         const char *what)
{
    bool first = true;

    for (size_t i = 0; i < s->nr_routes; i++) {
        const struct event_route *r = &s->routes[i];

        if (r->how != how) {
            continue;
        }
        printf(first ? "; %s " : ", ", what);
        if (*r->type_prefix) {
            printf("%s* ", r->type_prefix);
        }
        printf("events carrying %s %s",
               strchr("aeiou", r->object[0]) ? "an" : "a", r->object);
        first = false;
    }
}

/* The hidden twin read with 's' (inactive prices), or NULL. */
static const struct stream *twin_of(const struct stream *s)
{
    for (size_t i = 0; i < nr_streams; i++) {
        if (streams[i].store_as == s) {
            return &streams[i];
        }
    }
    return NULL;
}

/* A sub-list path with "{id}" for the parent's id and no trailing "?"
 * or "&": "/v1/invoices/{id}/lines". */
static void print_sub_path(const char *p)
{
    const char *id = strstr(p, "%s");
    size_t len = strlen(p);

    while (len && (p[len - 1] == '?' || p[len - 1] == '&')) {
        len--;
    }
    if (!id) {
        printf("%.*s", (int)len, p);
        return;
    }
    printf("%.*s{id}%.*s", (int)(id - p), p, (int)(len - (size_t)(id - p) - 2),
           id + 2);
}

/* How the stream is read, after its endpoint and object type. */
static void print_reading(const struct stream *s)
{
    const struct stream *twin = twin_of(s);

    if (s->parent) {
        printf("; embedded in %s.%s, paged by ", s->parent->name, s->embed);
        print_sub_path(s->sub_path);
        printf(" when has_more");
    }
    else if (twin) {
        printf("; listed by created in two lists, %s and %s",
               s->list_query ? s->list_query : "the default", twin->list_query);
    }
    else if (!s->is_events) {
        printf("; listed by created");
        if (s->list_query) {
            printf(" with %s", s->list_query);
        }
    }
    print_routes(s, ROUTE_SELF, "updated by");
    print_routes(s, ROUTE_REREAD, "re-read after");
    if (s->delete_type) {
        printf("; %s marks the row deleted", s->delete_type);
    }
    if (s->relist_until) {
        printf("; re-read until %s passes (status changes with no event)",
               s->relist_until);
    }
}

/* After the typed columns, every stream's meta columns: name, type, doc. */
static const char *const meta_columns[][3] = {
    { "version", "integer", "when this copy was observed (unix s)" },
    { "source", "text", "list, event or retrieve" },
    { "source_event_id", "text", "the event it came from" },
    { "source_api_version", "text", "that event's api_version" },
    { "extracted_at", "integer", "when stripe-reader stored it (unix s)" },
    { "raw", "json", "the Stripe object, exactly as returned" },
    { "deleted", "boolean", "1: deleted (raw is its last state), else 0" },
    { "deleted_at", "integer",
      "when it was deleted (unix s), NULL unless deleted" },
};

static void print_stream(const struct stream *s)
{
    if (s->path) {
        printf("%s  %s  (%s objects", s->name, s->path, s->object);
    }
    else {
        printf("%s  (%s objects", s->name, s->object);
    }
    print_reading(s);
    printf(")\n");
    printf("  %-22s %-8s %s\n", "account", "text",
           "connected account (Stripe-Account), '' for the key's own");
    for (size_t i = 0; i < s->nr_columns; i++) {
        const struct column *c = &s->columns[i];

        printf("  %-22s %-8s %s\n", c->name, col_type_name(c->type), c->doc);
    }
    for (size_t i = 0; i < ARRAY_SIZE(meta_columns); i++) {
        printf("  %-22s %-8s %s\n", meta_columns[i][0], meta_columns[i][1],
               meta_columns[i][2]);
    }
}

/* --schema FORMAT [--stream NAME]: a loader schema on stdout. */
static int print_schema(const struct streams_opts *o, struct err *err)
{
    enum schema_format f;
    const struct stream *sel[8];
    const struct stream *only = NULL;
    struct buf out = BUF_INIT;
    int ret = -1;

    if (schema_format_parse(o->schema, &f, err) < 0) {
        return -1;
    }
    if (o->stream) {
        int n = stream_select(o->stream, sel, ARRAY_SIZE(sel), err);

        if (n < 0) {
            return -1;
        }
        if (n != 1) {
            return err_set(err, ERR_USAGE,
                           "option '--stream' takes one stream name");
        }
        only = sel[0];
    }
    schema_generate(&out, f, only);
    if (fwrite(out.buf, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
        err_set(err, ERR_IO, "cannot write the schema: %s", strerror(errno));
        goto out;
    }
    ret = 0;
out:
    buf_release(&out);
    return ret;
}

int cmd_streams(int argc, char **argv, struct err *err)
{
    struct streams_opts o = { { 0, NULL }, NULL, NULL };
    struct strlist args = STRLIST_INIT;
    const struct opt table[] = {
        OPT_STRING(0, "schema", struct streams_opts, schema,
                   "bigquery|postgres",
                   "print a loader schema of the NDJSON envelope instead"),
        OPT_STRING(0, "stream", struct streams_opts, stream, "NAME",
                   "with --schema: only this stream (default: all)"),
        OPT_COMMON(struct streams_opts),
        OPT_END(),
    };
    int ret = cli_parse("stripe-reader streams [--schema bigquery|postgres "
                        "[--stream NAME]]",
                        "List the streams, their endpoints and the columns "
                        "every sink stores for them.\n\n"
                        "--schema prints, for warehouse loaders of the "
                        "NDJSON sink's envelope lines,\n"
                        "a BigQuery JSON schema ({\"charges\": [...], "
                        "...}; a bare array with\n"
                        "--stream) or PostgreSQL CREATE TABLE statements, "
                        "generated from the same\n"
                        "stream table as the SQLite columns.",
                        table, &o, argc, argv, &args, err);

    if (ret == 0 && args.nr > 0) {
        ret =
            err_set(err, ERR_USAGE, "unexpected argument '%s'", args.items[0]);
    }
    if (ret == 0 && o.stream && !o.schema) {
        ret = err_set(err, ERR_USAGE, "option '--stream' needs '--schema'");
    }
    strlist_release(&args);
    if (ret != 0) {
        return ret < 0 ? -1 : 0;
    }
    if (o.schema) {
        return print_schema(&o, err);
    }
    for (size_t i = 0, n = 0; i < nr_streams; i++) {
        /* a hidden twin is described with the stream it is stored as */
        if (stream_hidden(&streams[i])) {
            continue;
        }
        if (n++) {
            printf("\n");
        }
        print_stream(&streams[i]);
    }
    return 0;
}
