/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "adapter/apierror.h"

#include <cjson/cJSON.h>

static void copy_string(const cJSON *obj, const char *key, char *out,
                        size_t size)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (cJSON_IsString(v) && v->valuestring) {
        snprintf(out, size, "%s", v->valuestring);
    }
}

void api_error_parse(const char *body, size_t len, struct api_error *out)
{
    cJSON *root;
    const cJSON *e;

    memset(out, 0, sizeof(*out));
    if (!body || !len) {
        return;
    }
    root = cJSON_ParseWithLengthOpts(body, len, NULL, 0);
    if (!root) {
        return;
    }
    out->json = true;
    e = cJSON_GetObjectItemCaseSensitive(root, "error");
    if (cJSON_IsObject(e)) {
        copy_string(e, "type", out->type, sizeof(out->type));
        copy_string(e, "code", out->code, sizeof(out->code));
        copy_string(e, "message", out->message, sizeof(out->message));
    }
    else if (cJSON_IsString(e)) {
        out->oauth = true;
        copy_string(root, "error", out->code, sizeof(out->code));
        copy_string(root, "error_description", out->message,
                    sizeof(out->message));
    }
    cJSON_Delete(root);
}

const char *http_status_text(long status)
{
    static const struct {
        long status;
        const char *text;
    } texts[] = {
        { 200, "OK" },
        { 201, "Created" },
        { 204, "No Content" },
        { 301, "Moved Permanently" },
        { 302, "Found" },
        { 304, "Not Modified" },
        { 400, "Bad Request" },
        { 401, "Unauthorized" },
        { 402, "Request Failed" },
        { 403, "Forbidden" },
        { 404, "Not Found" },
        { 405, "Method Not Allowed" },
        { 409, "Conflict" },
        { 424, "External Dependency Failed" },
        { 429, "Too Many Requests" },
        { 500, "Internal Server Error" },
        { 502, "Bad Gateway" },
        { 503, "Service Unavailable" },
        { 504, "Gateway Timeout" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
        if (texts[i].status == status) {
            return texts[i].text;
        }
    }
    return "";
}
