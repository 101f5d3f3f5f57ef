/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "sinks/columns.h"
#include "reader/streams.h"

#define MAX_EXACT 9007199254740992.0 /* 2^53 */

static const cJSON *walk(const cJSON *obj, const char *path)
{
    char part[64];

    while (obj && *path) {
        size_t n = strcspn(path, ".");

        if (!cJSON_IsObject(obj) || n >= sizeof(part)) {
            return NULL;
        }
        memcpy(part, path, n);
        part[n] = '\0';
        obj = cJSON_GetObjectItemCaseSensitive(obj, part);
        path += n;
        if (*path == '.') {
            path++;
        }
    }
    /* an expanded reference stands for its id */
    if (cJSON_IsObject(obj)) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(obj, "id");

        return cJSON_IsString(id) ? id : NULL;
    }
    return obj;
}

void column_value(const struct column *col, const cJSON *obj,
                  struct colval *out)
{
    const cJSON *v = walk(obj, col->path);

    out->kind = COLVAL_NULL;
    out->text = NULL;
    out->i = 0;
    if (!v || cJSON_IsNull(v)) {
        return;
    }
    switch (col->type) {
    case COL_TEXT:
        if (cJSON_IsString(v)) {
            out->kind = COLVAL_TEXT;
            out->text = v->valuestring;
        }
        break;
    case COL_INT:
        if (cJSON_IsNumber(v) && v->valuedouble <= MAX_EXACT &&
            v->valuedouble >= -MAX_EXACT &&
            v->valuedouble == (double)(int64_t)v->valuedouble) {
            out->kind = COLVAL_INT;
            out->i = (int64_t)v->valuedouble;
        }
        break;
    case COL_BOOL:
        if (cJSON_IsBool(v)) {
            out->kind = COLVAL_BOOL;
            out->i = cJSON_IsTrue(v) ? 1 : 0;
        }
        break;
    }
}
