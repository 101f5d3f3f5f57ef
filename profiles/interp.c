/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "profiles/interp.h"
#include "core/buf.h"
#include "core/err.h"

#include <ctype.h>

#define OPEN "${{"
#define ESCAPE "$${{"
#define CLOSE "}}"

/*
 * One reference starting at 's' (which begins with "${{"): the name's
 * start and length inside the braces, and the length of the whole
 * reference.  Returns 0, or -1 when the reference is not closed.
 */
static int scan_ref(const char *s, const char **name, size_t *name_len,
                    size_t *ref_len)
{
    const char *p = s + strlen(OPEN);
    const char *close = strstr(p, CLOSE);
    const char *end;

    if (!close) {
        return -1;
    }
    while (p < close && (*p == ' ' || *p == '\t')) {
        p++;
    }
    end = close;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t')) {
        end--;
    }
    *name = p;
    *name_len = (size_t)(end - p);
    *ref_len = (size_t)(close + strlen(CLOSE) - s);
    return 0;
}

static bool name_valid(const char *name, size_t len)
{
    if (!len || isdigit((unsigned char)name[0])) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!isalnum((unsigned char)name[i]) && name[i] != '_') {
            return false;
        }
    }
    return true;
}

static int expand_ref(const char *name, size_t len, const char *what,
                      struct buf *out, struct err *err)
{
    char var[256];
    const char *val;

    if (!len) {
        return err_set(err, ERR_CONFIG, "%s has an empty '${{ }}'", what);
    }
    if (!name_valid(name, len) || len >= sizeof(var)) {
        return err_set(err, ERR_CONFIG,
                       "%s has an invalid variable name '%.*s' in '${{ }}' "
                       "(use letters, digits and '_', not starting with a "
                       "digit)",
                       what, len > 40 ? 40 : (int)len, name);
    }
    memcpy(var, name, len);
    var[len] = '\0';
    val = getenv(var);
    if (!val) {
        return err_set(err, ERR_CONFIG,
                       "%s uses environment variable '%s', which is not set",
                       what, var);
    }
    buf_addstr(out, val);
    return 0;
}

int interp_expand(const char *s, const char *what, char **out, struct err *err)
{
    struct buf b = BUF_INIT;
    int ret = -1;

    while (*s) {
        const char *name;
        size_t name_len, ref_len;

        if (!strncmp(s, ESCAPE, strlen(ESCAPE))) {
            buf_addstr(&b, OPEN);
            s += strlen(ESCAPE);
            continue;
        }
        if (strncmp(s, OPEN, strlen(OPEN))) {
            buf_addch(&b, *s++);
            continue;
        }
        if (scan_ref(s, &name, &name_len, &ref_len) < 0) {
            err_set(err, ERR_CONFIG,
                    "%s has a '${{' without its '}}' (write '$${{' for a "
                    "literal '${{')",
                    what);
            goto out;
        }
        if (expand_ref(name, name_len, what, &b, err) < 0) {
            goto out;
        }
        s += ref_len;
    }
    *out = buf_detach(&b, NULL);
    ret = 0;
out:
    buf_release(&b);
    return ret;
}

bool interp_is_reference(const char *s)
{
    const char *name;
    size_t name_len, ref_len;

    while (*s == ' ' || *s == '\t') {
        s++;
    }
    if (strncmp(s, OPEN, strlen(OPEN)) ||
        scan_ref(s, &name, &name_len, &ref_len) < 0 ||
        !name_valid(name, name_len)) {
        return false;
    }
    s += ref_len;
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    return !*s;
}
