/* SPDX-License-Identifier: MIT */
/*
 * URL and name checks for profiles: the adapter talks https, except to
 * this machine (the Stripe API double, a local proxy), where plain http
 * cannot leak a key to the network.  This is the only place the rule is
 * written: the loader and the adapter both call profile_check_url().
 */
#include "core/compat.h"
#include "profiles/profile.h"
#include "core/err.h"
#include "profiles/load.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <strings.h>

bool profile_host_is_loopback(const char *host)
{
    char buf[64];
    size_t len;
    struct in_addr a4;
    struct in6_addr a6;

    if (!host) {
        return false;
    }
    len = strlen(host);
    if (!strcasecmp(host, "localhost") || !strcasecmp(host, "localhost.")) {
        return true;
    }
    if (inet_pton(AF_INET, host, &a4) == 1) {
        return ((const unsigned char *)&a4.s_addr)[0] == 127;
    }
    if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
        if (len - 2 >= sizeof(buf)) {
            return false;
        }
        memcpy(buf, host + 1, len - 2);
        buf[len - 2] = '\0';
        host = buf;
    }
    if (inet_pton(AF_INET6, host, &a6) == 1) {
        return !memcmp(&a6, &in6addr_loopback, sizeof(a6));
    }
    return false;
}

bool profile_name_valid(const char *name)
{
    size_t len = strlen(name);

    if (!len || len > 64 || !strcmp(name, ".") || !strcmp(name, "..")) {
        return false;
    }
    for (const char *p = name; *p; p++) {
        if (!isalnum((unsigned char)*p) && !strchr("-_.", *p)) {
            return false;
        }
    }
    return true;
}

static bool host_valid(const char *host)
{
    size_t len = strlen(host);
    struct in6_addr a6;
    char buf[64];

    if (!len) {
        return false;
    }
    if (host[0] == '[') {
        if (host[len - 1] != ']' || len - 2 >= sizeof(buf)) {
            return false;
        }
        memcpy(buf, host + 1, len - 2);
        buf[len - 2] = '\0';
        return inet_pton(AF_INET6, buf, &a6) == 1;
    }
    for (const char *p = host; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.') {
            return false;
        }
    }
    return true;
}

static bool port_valid(const char *port)
{
    char *end;
    long v;

    if (!isdigit((unsigned char)*port)) {
        return false;
    }
    v = strtol(port, &end, 10);
    return !*end && v >= 1 && v <= 65535;
}

/*
 * Split "host[:port]" (host possibly "[v6]") into 'host' and 'port'
 * (empty when absent).  -1 when the authority has no recognisable shape.
 */
static int split_authority(const char *auth, size_t len, char *host,
                           size_t hsize, char *port, size_t psize)
{
    const char *colon;

    if (len >= hsize) {
        return -1;
    }
    if (auth[0] == '[') {
        const char *close = memchr(auth, ']', len);

        if (!close) {
            return -1;
        }
        colon = close + 1 < auth + len ? close + 1 : NULL;
        if (colon && *colon != ':') {
            return -1;
        }
    }
    else {
        colon = memchr(auth, ':', len);
    }
    if (!colon) {
        colon = auth + len;
    }
    snprintf(host, hsize, "%.*s", (int)(colon - auth), auth);
    if (colon < auth + len) {
        snprintf(port, psize, "%.*s", (int)(auth + len - colon - 1), colon + 1);
        if ((size_t)(auth + len - colon - 1) >= psize) {
            return -1;
        }
    }
    else {
        port[0] = '\0';
    }
    return 0;
}

static int check_rest(const char *rest, bool allow_path, const char *what,
                      struct err *err)
{
    char shown[80];

    for (const char *p = rest; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f) {
            return err_set(err, ERR_CONFIG,
                           "%s contains a space or control character", what);
        }
    }
    if (allow_path || !*rest || !strcmp(rest, "/")) {
        return 0;
    }
    shown_value(rest, shown, sizeof(shown));
    return err_set(err, ERR_CONFIG,
                   "%s must not have a path, query or fragment ('%s'); "
                   "give only scheme://host[:port]",
                   what, shown);
}

int profile_check_url(const char *url, bool allow_path, const char *what,
                      struct err *err)
{
    char host[256], port[16];
    bool https = url && !strncasecmp(url, "https://", 8);
    const char *auth, *rest;
    size_t alen;

    if (!url || (!https && strncasecmp(url, "http://", 7))) {
        return err_set(err, ERR_CONFIG,
                       "%s must be an http or https URL such as "
                       "https://api.stripe.com",
                       what);
    }
    auth = url + (https ? 8 : 7);
    alen = strcspn(auth, "/?#");
    rest = auth + alen;
    if (memchr(auth, '@', alen)) {
        return err_set(err, ERR_CONFIG,
                       "%s must not contain a user name or password", what);
    }
    if (split_authority(auth, alen, host, sizeof(host), port, sizeof(port)) <
            0 ||
        !host_valid(host)) {
        return err_set(err, ERR_CONFIG, "%s has no valid host", what);
    }
    if (*port && !port_valid(port)) {
        return err_set(err, ERR_CONFIG,
                       "%s has an invalid port '%s' (use 1 to 65535)", what,
                       port);
    }
    if (alen > 0 && auth[alen - 1] == ':') {
        return err_set(err, ERR_CONFIG, "%s has an empty port", what);
    }
    if (check_rest(rest, allow_path, what, err) < 0) {
        return -1;
    }
    if (!https && !profile_host_is_loopback(host)) {
        return err_set(err, ERR_CONFIG,
                       "%s uses http to '%s', which is not a loopback host; "
                       "https is required except for 127.0.0.0/8, ::1 and "
                       "localhost",
                       what, host);
    }
    return 0;
}
