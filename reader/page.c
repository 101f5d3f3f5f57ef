/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "reader/page.h"
#include "core/err.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "reader/jscan.h"

void page_items_clear(struct page_items *pi)
{
    for (size_t i = 0; i < pi->nr; i++) {
        cJSON_Delete(pi->items[i].obj);
    }
    pi->nr = 0;
    pi->has_more = false;
    buf_reset(&pi->text);
}

void page_items_release(struct page_items *pi)
{
    page_items_clear(pi);
    FREE_AND_NULL(pi->items);
    pi->alloc = 0;
    buf_release(&pi->text);
}

const char *page_item_text(const struct page_items *pi, size_t i)
{
    return pi->text.buf + pi->items[i].off;
}

/* Minify, parse and check one object; append it to 'pi'. */
static int add_item(struct page_items *pi, const char *v, const char *ve,
                    const char *object, const char *path, struct err *err)
{
    size_t off = pi->text.len;
    struct page_item *it;
    const char *type = NULL;
    cJSON *obj;

    jscan_minify(&pi->text, v, ve);
    obj = cJSON_ParseWithLength(pi->text.buf + off, pi->text.len - off);
    if (!obj) {
        return err_set(err, ERR_DATA, "'%s' is not valid JSON", path);
    }
    ALLOC_GROW(pi->items, pi->nr + 1, pi->alloc);
    it = &pi->items[pi->nr++];
    it->obj = obj;
    it->off = off;
    it->len = pi->text.len - off;
    if (json_get_string(obj, path, "id", JSON_REQUIRED, &it->id, err) < 0 ||
        json_get_int64(obj, path, "created", JSON_REQUIRED, &it->created,
                       err) < 0 ||
        json_get_string(obj, path, "object", JSON_REQUIRED, &type, err) <
            0) {
        return -1;
    }
    if (strcmp(type, object)) {
        return err_set(err, ERR_DATA, "'%s.object': expected '%s', got '%s'",
                       path, object, type);
    }
    /* NUL-separate items so each text is a C string too */
    buf_addch(&pi->text, '\0');
    return 0;
}

static int bad_page(const char *what, const char *why, struct err *err)
{
    return err_set(err, ERR_DATA, "%s: %s", what, why);
}

int page_parse_list(struct page_items *pi, const char *body, size_t len,
                    const char *object, const char *what, struct err *err)
{
    const char *end = body + len, *v = NULL, *ve = NULL;
    struct jscan_iter it;
    char path[32];
    int ret;

    page_items_clear(pi);
    ret = jscan_member(body, end, "has_more", &v, &ve);
    if (ret < 0) {
        return bad_page(what, "the reply is not a JSON object", err);
    }
    if (ret == 0 || (ve - v != 4 && ve - v != 5) ||
        (strncmp(v, "true", 4) && strncmp(v, "false", 5))) {
        return bad_page(what, "'has_more': expected a boolean", err);
    }
    pi->has_more = *v == 't';
    if (jscan_member(body, end, "data", &v, &ve) != 1 ||
        jscan_array(&it, v, ve) < 0) {
        return bad_page(what, "'data': expected an array", err);
    }
    for (int i = 0;; i++) {
        ret = jscan_next(&it, &v, &ve);
        if (ret == 0) {
            break;
        }
        if (ret < 0) {
            return bad_page(what, "'data' is malformed", err);
        }
        snprintf(path, sizeof(path), "data[%d]", i);
        if (add_item(pi, v, ve, object, path, err) < 0) {
            return err_prefix(err, "%s", what);
        }
    }
    return 0;
}

int page_parse_object(struct page_items *pi, const char *body, size_t len,
                      const char *object, const char *what, struct err *err)
{
    const char *end = body + len;
    const char *v = jscan_ws(body, end);
    const char *ve = jscan_skip(v, end);

    page_items_clear(pi);
    if (!ve || *v != '{') {
        return bad_page(what, "the reply is not a JSON object", err);
    }
    if (add_item(pi, v, ve, object, "(root)", err) < 0) {
        return err_prefix(err, "%s", what);
    }
    return 0;
}

int page_event_object(const char *event, size_t len, const char **start,
                      size_t *olen)
{
    const char *end = event + len, *d = NULL, *de = NULL, *o = NULL,
               *oe = NULL;

    if (jscan_member(event, end, "data", &d, &de) != 1 ||
        jscan_member(d, de, "object", &o, &oe) != 1) {
        return -1;
    }
    *start = o;
    *olen = (size_t)(oe - o);
    return 0;
}
