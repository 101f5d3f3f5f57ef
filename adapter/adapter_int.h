/* SPDX-License-Identifier: MIT */
/*
 * Internals of the adapter shared by its two files (not an API: use
 * adapter/adapter.h).  adapter.c owns the lifecycle: open, submit, the
 * multi loop, starting transfers; reply.c reads each reply (libcurl
 * callbacks) and decides what a completed attempt means (success, retry,
 * renewal of an OAuth token, final error).
 */
#ifndef ADAPTER_ADAPTER_INT_H
#define ADAPTER_ADAPTER_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <curl/curl.h>

#include "adapter/adapter.h"
#include "adapter/retry.h"

struct adapter_cfg;
struct auth;
struct ratelimit;

#define HEADERS_MAX_BYTES (256 * 1024)

/* A transfer slot: one reused easy handle and one attempt's state. */
struct xfer {
    CURL *easy;
    struct http_req *req; /* NULL: the slot is free */
    struct buf url;
    enum retry_header should_retry;
    long retry_after_ms;
    char rl_reason[32];
    int64_t started_us;
    bool too_big;
    char errbuf[CURL_ERROR_SIZE];
};

struct adapter {
    const struct profile *p;       /* borrowed */
    const struct adapter_cfg *cfg; /* borrowed: &p->adapter */
    char *account; /* Stripe-Account, NULL: the key's own (owned) */
    CURLM *multi;
    struct xfer *xfers;
    int nr_xfers;
    int in_flight;
    struct ratelimit *rl;
    struct auth *auth;
    struct curl_slist *headers;
    unsigned headers_gen;
    /* header lists replaced while transfers still used them */
    struct curl_slist **retired;
    size_t nr_retired, alloc_retired;
    struct http_req *done_head, *done_tail;
    int nr_done;
    struct adapter_stats stats;
    int64_t server_time;
    int64_t skew;
    bool skew_warned;
    uint64_t rng;
    bool auth_failed; /* a renewal failed: later 401s end with auth_err */
    struct err auth_err;
};

/* CLOCK_MONOTONIC in microseconds. */
int64_t adapter_now_us(void);

/* libcurl's write and header callbacks; 'ctx' is the struct xfer. */
size_t reply_on_body(char *data, size_t size, size_t n, void *ctx);
size_t reply_on_header(char *data, size_t size, size_t n, void *ctx);

/*
 * An attempt of 'req' in slot 'x' ended with CURLcode 'rc'.  The caller
 * has removed the handle from the multi and freed the slot (x->req is
 * NULL; the slot's per-attempt fields are still those of this attempt).
 * Queues a retry, or hands the request to the completed list with its
 * final outcome.
 */
void reply_complete(struct adapter *a, struct xfer *x, struct http_req *req,
                    int rc);

#endif
