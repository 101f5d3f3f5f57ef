/* SPDX-License-Identifier: MIT */
/*
 * For unit tests that talk to the Stripe API double: start one on
 * 127.0.0.1 with an OS-chosen port (reading its "listening on" line from a
 * pipe, no sleeps), call its /_double/ control API, stop it.
 *
 *   struct double_proc d;
 *   const char *args[] = { "--charges", "50", NULL };
 *   if (double_start(&d, args) < 0) { ... bail out ... }
 *   dctl(&d, "POST", "/_double/faults", "{\"faults\": [...]}", NULL);
 *   n = double_count(&d, "/v1/charges");
 *   double_stop(&d);
 *
 * The double is $TOP/tests/double/stripe_double.py (TOP defaults to the
 * current directory, which tests/run sets to the repository root), run
 * with $PYTHON (default python3).  Header-only: each test binary is one
 * .c file.
 */
#ifndef TESTS_UNIT_DOUBLE_H
#define TESTS_UNIT_DOUBLE_H

#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "profiles/profile.h"

struct double_proc {
    pid_t pid;
    int out; /* the double's stdout */
    char url[160];
};

static inline int double_start(struct double_proc *d, const char *const *extra)
{
    const char *top = getenv("TOP");
    const char *python = getenv("PYTHON");
    char script[4096];
    const char *argv[64];
    char line[128];
    size_t n = 0, len = 0;
    int fds[2];

    memset(d, 0, sizeof(*d));
    d->pid = -1;
    d->out = -1;
    snprintf(script, sizeof(script), "%s/tests/double/stripe_double.py",
             top && *top ? top : ".");
    argv[n++] = python && *python ? python : "python3";
    argv[n++] = script;
    argv[n++] = "--port";
    argv[n++] = "0";
    argv[n++] = "--quiet";
    for (size_t i = 0; extra && extra[i] && n < 62; i++) {
        argv[n++] = extra[i];
    }
    argv[n] = NULL;
    if (pipe(fds) < 0) {
        return -1;
    }
    d->pid = fork();
    if (d->pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (d->pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[0], (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    close(fds[1]);
    d->out = fds[0];
    /* read "listening on 127.0.0.1:PORT\n" (a slow machine: 120 s) */
    while (len + 1 < sizeof(line)) {
        struct pollfd pfd = { d->out, POLLIN, 0 };
        ssize_t r;

        if (poll(&pfd, 1, 120000) <= 0) {
            break;
        }
        r = read(d->out, line + len, 1);
        if (r <= 0) {
            break;
        }
        if (line[len] == '\n') {
            line[len] = '\0';
            if (!strncmp(line, "listening on ", 13)) {
                snprintf(d->url, sizeof(d->url), "http://%s", line + 13);
                return 0;
            }
            len = 0;
            continue;
        }
        len++;
    }
    printf("# the double did not start\n");
    return -1;
}

static inline void double_stop(struct double_proc *d)
{
    if (d->pid > 0) {
        kill(d->pid, SIGTERM);
        waitpid(d->pid, NULL, 0);
    }
    if (d->out >= 0) {
        close(d->out);
    }
    d->pid = -1;
    d->out = -1;
}

static inline size_t dctl_write(char *data, size_t size, size_t n, void *ctx)
{
    buf_add(ctx, data, size * n);
    return size * n;
}

/* Call the control API; returns the HTTP status (0: no answer). */
static inline long dctl(const struct double_proc *d, const char *method,
                        const char *path, const char *json, struct buf *out)
{
    CURL *h = curl_easy_init();
    struct buf url = BUF_INIT, sink = BUF_INIT;
    struct curl_slist *hdrs = NULL;
    long status = 0;

    buf_addf(&url, "%s%s", d->url, path);
    curl_easy_setopt(h, CURLOPT_URL, url.buf);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, dctl_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out ? out : &sink);
    if (json) {
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
    }
    if (curl_easy_perform(h) == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    }
    if (status != 200) {
        printf("# dctl %s %s -> %ld\n", method, path, status);
    }
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    buf_release(&url);
    buf_release(&sink);
    return status;
}

/* GET a control endpoint as parsed JSON (the caller's), NULL on error. */
static inline cJSON *dctl_json(const struct double_proc *d, const char *path)
{
    struct buf out = BUF_INIT;
    cJSON *j = NULL;

    if (dctl(d, "GET", path, NULL, &out) == 200) {
        j = cJSON_ParseWithLength(out.buf, out.len);
    }
    buf_release(&out);
    return j;
}

/* The request log (under 'prefix'): a cJSON array (the caller's). */
static inline cJSON *double_requests(const struct double_proc *d,
                                     const char *prefix)
{
    struct buf path = BUF_INIT;
    cJSON *j, *rows;

    buf_addf(&path, "/_double/requests?path=%s", prefix ? prefix : "");
    j = dctl_json(d, path.buf);
    buf_release(&path);
    if (!j) {
        return NULL;
    }
    rows = cJSON_DetachItemFromObjectCaseSensitive(j, "requests");
    cJSON_Delete(j);
    return rows;
}

/* Number of API requests logged under 'prefix' (-1 on error). */
static inline int double_count(const struct double_proc *d, const char *prefix)
{
    cJSON *rows = double_requests(d, prefix);
    int n = rows ? cJSON_GetArraySize(rows) : -1;

    cJSON_Delete(rows);
    return n;
}

/* A number from GET /_double/state (-1 on error). */
static inline double double_state(const struct double_proc *d, const char *key)
{
    cJSON *j = dctl_json(d, "/_double/state");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    double n = cJSON_IsNumber(v) ? v->valuedouble : -1;

    cJSON_Delete(j);
    return n;
}

/*
 * Wait (up to 30 s) until the double has no API request in flight, so
 * that a request it is still sleeping on (a 'slow' fault the client gave
 * up on) is logged and counted before a test looks.  Returns 0 or -1.
 */
static inline int double_wait_idle(const struct double_proc *d)
{
    for (int i = 0; i < 1500; i++) {
        struct timespec ts = { 0, 20 * 1000 * 1000 };

        if (double_state(d, "in_flight") == 0) {
            return 0;
        }
        nanosleep(&ts, NULL);
    }
    printf("# the double stayed busy\n");
    return -1;
}

/*
 * A test-mode profile for the double: API key 'key', the double's URL,
 * fast retries (2 ms .. 10 ms, 'attempts' tries), no client rate limit.
 */
static inline void double_profile(struct profile *p,
                                  const struct double_proc *d, const char *key,
                                  int attempts)
{
    memset(p, 0, sizeof(*p));
    p->name = xstrdup("unit");
    p->file = xstrdup("(test)");
    p->mode = PROFILE_MODE_TEST;
    p->auth = PROFILE_AUTH_API_KEY;
    p->api_key = xstrdup(key);
    adapter_cfg_defaults(&p->adapter, PROFILE_MODE_TEST);
    free(p->adapter.base_url);
    p->adapter.base_url = xstrdup(d->url);
    p->adapter.max_attempts = attempts;
    p->adapter.backoff_initial_ms = 2;
    p->adapter.backoff_max_ms = 10;
    p->adapter.global_rps = 0;
    p->adapter.endpoint_rps = 0;
}

#endif
