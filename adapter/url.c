/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "adapter/url.h"

#include "core/buf.h"

static bool is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
           c == '~';
}

static void encode_n(struct buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (is_unreserved(c)) {
            buf_addch(out, (char)c);
        }
        else {
            char esc[3] = { '%', hex[c >> 4], hex[c & 15] };

            buf_add(out, esc, sizeof(esc));
        }
    }
}

void url_encode(struct buf *out, const char *s)
{
    encode_n(out, s, strlen(s));
}

static void add_separator(struct buf *path)
{
    buf_addch(path, strchr(path->buf, '?') ? '&' : '?');
}

void url_query_add(struct buf *path, const char *key, const char *value)
{
    add_separator(path);
    url_encode(path, key);
    buf_addch(path, '=');
    url_encode(path, value);
}

void url_query_add_pair(struct buf *path, const char *pair)
{
    const char *eq = strchr(pair, '=');

    add_separator(path);
    if (!eq) {
        url_encode(path, pair);
        buf_addch(path, '=');
        return;
    }
    encode_n(path, pair, (size_t)(eq - pair));
    buf_addch(path, '=');
    url_encode(path, eq + 1);
}

void url_endpoint(const char *path, char *out, size_t size)
{
    size_t end = strcspn(path, "?#");
    size_t o = 0;
    int seg = -1;
    const char *p = path;

    if (!size) {
        return;
    }
    /* walk the segments; replace ids from the third segment on */
    while (p < path + end && o + 1 < size) {
        size_t n;

        if (*p == '/') {
            out[o++] = '/';
            p++;
            seg++;
            continue;
        }
        n = strcspn(p, "/?#");
        if ((size_t)(p - path) + n > end) {
            n = end - (size_t)(p - path);
        }
        if (seg >= 2 && memchr(p, '_', n)) {
            const char *id = "{id}";

            for (size_t i = 0; id[i] && o + 1 < size; i++) {
                out[o++] = id[i];
            }
        }
        else {
            for (size_t i = 0; i < n && o + 1 < size; i++) {
                out[o++] = p[i];
            }
        }
        p += n;
    }
    out[o] = '\0';
}
