/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "adapter/url.h"

#include <arpa/inet.h>
#include <strings.h>
#include <curl/curl.h>

#include "core/buf.h"
#include "core/err.h"

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

bool url_is_loopback_host(const char *host)
{
    char tmp[64];
    size_t len;
    unsigned char addr[16];

    if (!host || !*host) {
        return false;
    }
    len = strlen(host);
    if (len >= sizeof(tmp)) {
        return false;
    }
    memcpy(tmp, host, len + 1);
    if (tmp[0] == '[' && tmp[len - 1] == ']') {
        memmove(tmp, tmp + 1, len - 2);
        tmp[len - 2] = '\0';
        len -= 2;
    }
    if (len > 0 && tmp[len - 1] == '.') {
        tmp[--len] = '\0';
    }
    if (!strcasecmp(tmp, "localhost")) {
        return true;
    }
    if (inet_pton(AF_INET, tmp, addr) == 1) {
        return addr[0] == 127;
    }
    if (inet_pton(AF_INET6, tmp, addr) == 1) {
        static const unsigned char one[16] = { [15] = 1 };

        return !memcmp(addr, one, sizeof(one));
    }
    return false;
}

int url_check_base(const char *base_url, const char *what, struct err *err)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *query = NULL, *frag = NULL;
    int ret = -1;

    if (!u) {
        return err_set(err, ERR_INTERNAL, "out of memory");
    }
    if (!base_url || curl_url_set(u, CURLUPART_URL, base_url, 0) ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
        curl_url_get(u, CURLUPART_HOST, &host, 0)) {
        err_set(err, ERR_CONFIG, "invalid %s '%s'", what,
                base_url ? base_url : "");
        goto out;
    }
    curl_url_get(u, CURLUPART_QUERY, &query, 0);
    curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
    if (query || frag) {
        err_set(err, ERR_CONFIG, "%s '%s' must not have a query or a fragment",
                what, base_url);
        goto out;
    }
    if (!strcasecmp(scheme, "https")) {
        ret = 0;
    }
    else if (!strcasecmp(scheme, "http")) {
        if (url_is_loopback_host(host)) {
            ret = 0;
        }
        else {
            err_set(err, ERR_CONFIG,
                    "%s '%s' must use https (plain http is allowed "
                    "only for loopback hosts)",
                    what, base_url);
        }
    }
    else {
        err_set(err, ERR_CONFIG, "%s '%s' must use https, not '%s'", what,
                base_url, scheme);
    }
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(query);
    curl_free(frag);
    curl_url_cleanup(u);
    return ret;
}
