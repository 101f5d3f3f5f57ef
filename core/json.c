/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/json.h"
#include "core/buf.h"
#include "core/err.h"

#define JSON_MAX_EXACT 9007199254740992.0 /* 2^53 */

const char *json_type_name(const cJSON *item)
{
    if (!item) {
        return "nothing";
    }
    if (cJSON_IsNull(item)) {
        return "null";
    }
    if (cJSON_IsBool(item)) {
        return "a boolean";
    }
    if (cJSON_IsNumber(item)) {
        return "a number";
    }
    if (cJSON_IsString(item)) {
        return "a string";
    }
    if (cJSON_IsArray(item)) {
        return "an array";
    }
    if (cJSON_IsObject(item)) {
        return "an object";
    }
    return "an invalid value";
}

static int bad_type(const char *path, const char *key, const char *want,
                    const cJSON *got, struct err *err)
{
    return err_set(err, ERR_DATA, "'%s%s%s': expected %s, got %s", path,
                   *path ? "." : "", key, want, json_type_name(got));
}

/*
 * Common lookup: 1 with *item set when present and not null, 0 when
 * absent or null and optional, -1 otherwise.
 */
static int lookup(const cJSON *obj, const char *path, const char *key,
                  int flags, const char *want, const cJSON **item,
                  struct err *err)
{
    const cJSON *it;

    if (!cJSON_IsObject(obj)) {
        return err_set(err, ERR_DATA, "'%s': expected an object, got %s",
                       *path ? path : "(root)", json_type_name(obj));
    }
    it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!it || cJSON_IsNull(it)) {
        if (flags & JSON_REQUIRED) {
            return err_set(err, ERR_DATA, "'%s%s%s': expected %s, got %s", path,
                           *path ? "." : "", key, want,
                           it ? "null" : "nothing (missing)");
        }
        return 0;
    }
    *item = it;
    return 1;
}

int json_get_string(const cJSON *obj, const char *path, const char *key,
                    int flags, const char **out, struct err *err)
{
    const cJSON *it = NULL;
    int ret = lookup(obj, path, key, flags, "a string", &it, err);

    if (ret <= 0) {
        return ret;
    }
    if (!cJSON_IsString(it)) {
        return bad_type(path, key, "a string", it, err);
    }
    *out = it->valuestring;
    return 1;
}

int json_int64(const cJSON *item, int64_t *out)
{
    double v;

    if (!cJSON_IsNumber(item)) {
        return -1;
    }
    v = item->valuedouble;
    /* range first: converting a double out of int64_t's range (or NaN)
     * is undefined behaviour */
    if (!(v >= -JSON_MAX_EXACT && v <= JSON_MAX_EXACT) ||
        v != (double)(int64_t)v) {
        return -1;
    }
    *out = (int64_t)v;
    return 0;
}

int json_get_int64(const cJSON *obj, const char *path, const char *key,
                   int flags, int64_t *out, struct err *err)
{
    const cJSON *it = NULL;
    int ret = lookup(obj, path, key, flags, "an integer", &it, err);

    if (ret <= 0) {
        return ret;
    }
    if (!cJSON_IsNumber(it)) {
        return bad_type(path, key, "an integer", it, err);
    }
    if (json_int64(it, out) < 0) {
        return err_set(err, ERR_DATA,
                       "'%s%s%s': expected an integer, got %.17g", path,
                       *path ? "." : "", key, it->valuedouble);
    }
    return 1;
}

int json_get_bool(const cJSON *obj, const char *path, const char *key,
                  int flags, bool *out, struct err *err)
{
    const cJSON *it = NULL;
    int ret = lookup(obj, path, key, flags, "a boolean", &it, err);

    if (ret <= 0) {
        return ret;
    }
    if (!cJSON_IsBool(it)) {
        return bad_type(path, key, "a boolean", it, err);
    }
    *out = cJSON_IsTrue(it);
    return 1;
}

static int get_node(const cJSON *obj, const char *path, const char *key,
                    int flags, const cJSON **out, struct err *err,
                    const char *want, cJSON_bool (*is)(const cJSON *))
{
    const cJSON *it = NULL;
    int ret = lookup(obj, path, key, flags, want, &it, err);

    if (ret <= 0) {
        return ret;
    }
    if (!is(it)) {
        return bad_type(path, key, want, it, err);
    }
    *out = it;
    return 1;
}

int json_get_object(const cJSON *obj, const char *path, const char *key,
                    int flags, const cJSON **out, struct err *err)
{
    return get_node(obj, path, key, flags, out, err, "an object",
                    cJSON_IsObject);
}

int json_get_array(const cJSON *obj, const char *path, const char *key,
                   int flags, const cJSON **out, struct err *err)
{
    return get_node(obj, path, key, flags, out, err, "an array", cJSON_IsArray);
}

void json_quote(struct buf *out, const char *s)
{
    const char *run = s;

    buf_addch(out, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        const char *esc = NULL;

        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        buf_add(out, run, (size_t)(s - run));
        run = s + 1;
        switch (c) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        default:
            buf_addf(out, "\\u%04x", c);
        }
        if (esc) {
            buf_addstr(out, esc);
        }
    }
    buf_add(out, run, (size_t)(s - run));
    buf_addch(out, '"');
}

cJSON *json_parse(const char *text, size_t len, const char *what,
                  struct err *err)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);

    if (!root) {
        size_t at = end && end >= text ? (size_t)(end - text) : 0;

        err_set(err, ERR_DATA, "%s is not valid JSON (at byte %zu of %zu)",
                what, at, len);
    }
    return root;
}
