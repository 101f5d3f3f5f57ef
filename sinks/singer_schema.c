/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "sinks/singer.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/file.h"
#include "core/json.h"
#include "model/streams.h"

#define CATALOG_MAX_BYTES ((size_t)16 << 20)

static const char *json_type(enum col_type t)
{
    switch (t) {
    case COL_INT:
        return "integer";
    case COL_BOOL:
        return "boolean";
    case COL_TEXT:
        break;
    }
    return "string";
}

/* The first column of 's' read from the member 'c' reads, or 'c'. */
static bool first_of_member(const struct stream *s, const struct column *c)
{
    for (const struct column *o = s->columns; o < c; o++) {
        if (o->key_len == c->key_len &&
            !strncmp(o->path, c->path, c->key_len)) {
            return false;
        }
    }
    return true;
}

/*
 * A text column that holds a reference to another object: the reader
 * reads an expanded reference as its id, and Stripe embeds some of them
 * whole (a subscription item's price), so the member may be an object.
 * The table says which by the convention of its docs: an id prefix
 * ("customer id (cus_)", "(ch_, py_)") or "... id".
 * TODO(lead): a column flag in model/streams.h would say it outright.
 */
static bool is_reference(const struct column *c)
{
    size_t n = strlen(c->doc);

    return c->type == COL_TEXT &&
           (strstr(c->doc, "_)") || strstr(c->doc, "_, ") ||
            (n > 3 && !strcmp(c->doc + n - 3, " id")));
}

static void add_property(struct buf *out, const struct column *c)
{
    bool nested = c->path[c->key_len] != '\0';

    buf_addch(out, '"');
    buf_add(out, c->path, c->key_len);
    buf_addstr(out, "\":{\"type\":");
    if (!strcmp(c->path, "id")) {
        buf_addstr(out, "\"string\"");
    }
    else if (!nested && is_reference(c)) {
        buf_addstr(out, "[\"string\",\"object\",\"null\"]");
    }
    else {
        /* a column inside a member types only the member: an object */
        buf_addf(out, "[\"%s\",\"null\"]",
                 nested ? "object" : json_type(c->type));
    }
    if (!nested) {
        buf_addstr(out, ",\"description\":");
        json_quote(out, c->doc);
    }
    buf_addch(out, '}');
}

/* The key properties, a JSON array. */
static void key_properties(struct buf *out, bool several)
{
    buf_addstr(out, several ? "[\"id\",\"" SINGER_ACCOUNT "\"]" : "[\"id\"]");
}

void singer_schema(struct buf *out, const struct stream *s, bool several)
{
    buf_addstr(out, "{\"type\":\"object\",\"properties\":{");
    if (several) {
        buf_addstr(out, "\"" SINGER_ACCOUNT "\":{\"type\":\"string\","
                        "\"description\":\"the connected account read "
                        "(acct_)\"},");
    }
    for (size_t i = 0; i < s->nr_columns; i++) {
        if (first_of_member(s, &s->columns[i])) {
            add_property(out, &s->columns[i]);
            buf_addch(out, ',');
        }
    }
    buf_addstr(out, "\"" SINGER_DELETED_AT "\":{\"type\":[\"string\","
                    "\"null\"],\"format\":\"date-time\",\"description\":"
                    "\"when the object was deleted (absent: it exists)\"}},"
                    "\"required\":");
    key_properties(out, several);
    buf_addstr(out, ",\"additionalProperties\":true,\"description\":");
    json_quote(out, s->object);
    buf_addstr(out, "}");
}

void singer_stream_members(struct buf *out, const struct stream *s,
                           bool several)
{
    buf_addstr(out, "\"stream\":");
    json_quote(out, s->name);
    buf_addstr(out, ",\"schema\":");
    singer_schema(out, s, several);
    buf_addstr(out, ",\"key_properties\":");
    key_properties(out, several);
}

/* The metadata of one property ('name', 'len' bytes). */
static void property_metadata(struct buf *out, const char *name, size_t len)
{
    bool automatic = (len == 2 && !strncmp(name, "id", 2)) ||
                     (len == strlen(SINGER_ACCOUNT) &&
                      !strncmp(name, SINGER_ACCOUNT, len)) ||
                     (len == strlen(SINGER_REPLICATION_KEY) &&
                      !strncmp(name, SINGER_REPLICATION_KEY, len));

    buf_addstr(out, ",{\"breadcrumb\":[\"properties\",\"");
    buf_add(out, name, len);
    buf_addf(out, "\"],\"metadata\":{\"inclusion\":\"%s\"}}",
             automatic ? "automatic" : "available");
}

static void catalog_entry(struct buf *out, const struct stream *s, bool several)
{
    buf_addstr(out, "{\"tap_stream_id\":");
    json_quote(out, s->name);
    buf_addch(out, ',');
    singer_stream_members(out, s, several);
    buf_addstr(out, ",\"replication_method\":\"INCREMENTAL\","
                    "\"replication_key\":\"" SINGER_REPLICATION_KEY "\","
                    "\"metadata\":[{\"breadcrumb\":[],\"metadata\":{"
                    "\"selected\":true,\"selected-by-default\":true,"
                    "\"inclusion\":\"available\","
                    "\"table-key-properties\":");
    key_properties(out, several);
    buf_addstr(out,
               ",\"forced-replication-method\":\"INCREMENTAL\","
               "\"valid-replication-keys\":[\"" SINGER_REPLICATION_KEY "\"]}}");
    if (several) {
        property_metadata(out, SINGER_ACCOUNT, strlen(SINGER_ACCOUNT));
    }
    for (size_t i = 0; i < s->nr_columns; i++) {
        if (first_of_member(s, &s->columns[i])) {
            property_metadata(out, s->columns[i].path, s->columns[i].key_len);
        }
    }
    property_metadata(out, SINGER_DELETED_AT, strlen(SINGER_DELETED_AT));
    buf_addstr(out, "]}");
}

void singer_catalog(struct buf *out, bool several)
{
    bool first = true;

    buf_addstr(out, "{\"streams\":[");
    for (size_t i = 0; i < nr_streams; i++) {
        if (stream_hidden(&streams[i])) {
            continue;
        }
        buf_addstr(out, first ? "\n" : ",\n");
        catalog_entry(out, &streams[i], several);
        first = false;
    }
    buf_addstr(out, "\n]}\n");
}

/* "selected": true on the stream's breadcrumb [] (or, older, its schema) */
static bool entry_selected(const cJSON *entry)
{
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(entry, "metadata");
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(entry, "schema");
    const cJSON *m;

    cJSON_ArrayForEach(m, md)
    {
        const cJSON *crumb = cJSON_GetObjectItemCaseSensitive(m, "breadcrumb");
        const cJSON *inner = cJSON_GetObjectItemCaseSensitive(m, "metadata");

        if (cJSON_IsArray(crumb) && cJSON_GetArraySize(crumb) == 0) {
            return cJSON_IsTrue(
                cJSON_GetObjectItemCaseSensitive(inner, "selected"));
        }
    }
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(schema, "selected"));
}

static int select_entries(const cJSON *list, const char *path, struct buf *out,
                          struct err *err)
{
    const cJSON *entry;
    size_t n = 0;

    cJSON_ArrayForEach(entry, list)
    {
        const char *name = NULL;
        const struct stream *s;

        if (json_get_string(entry, "streams[]", "tap_stream_id", JSON_REQUIRED,
                            &name, err) < 0) {
            return err_prefix(err, "catalog '%s'", path);
        }
        s = stream_find(name);
        if (!s || stream_hidden(s)) {
            return err_set(err, ERR_CONFIG,
                           "catalog '%s': unknown stream '%s' ('stripe-reader "
                           "singer --discover' lists the streams)",
                           path, name);
        }
        if (entry_selected(entry)) {
            buf_addf(out, "%s%s", n++ ? "," : "", s->name);
        }
    }
    if (!n) {
        return err_set(err, ERR_CONFIG,
                       "catalog '%s' selects no stream (mark one with "
                       "\"selected\": true in the metadata of its empty "
                       "breadcrumb)",
                       path);
    }
    return 0;
}

int singer_catalog_select(const char *path, struct buf *list, struct err *err)
{
    struct buf text = BUF_INIT;
    const cJSON *streams_node = NULL;
    cJSON *root = NULL;
    int ret = -1;

    if (file_read(path, "catalog", CATALOG_MAX_BYTES, 0, &text, err) < 0) {
        err->kind = ERR_CONFIG;
        goto out;
    }
    root = json_parse(text.buf, text.len, "the catalog", err);
    if (!root || json_get_array(root, "", "streams", JSON_REQUIRED,
                                &streams_node, err) < 0) {
        err->kind = ERR_CONFIG;
        err_prefix(err, "catalog '%s'", path);
        goto out;
    }
    ret = select_entries(streams_node, path, list, err);
out:
    cJSON_Delete(root);
    buf_release(&text);
    return ret;
}
