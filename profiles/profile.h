/* SPDX-License-Identifier: MIT */
/*
 * struct profile: a validated connection profile, as loaded from a
 * profile file (YAML documents: one 'kind: Profile', zero or more
 * 'kind: HTTP' adapters; see README "Profiles").
 *
 * Ownership: every string member is owned by the profile and freed by
 * profile_release().  Secrets (api_key, oauth.client_secret,
 * oauth.refresh_token) are registered with the redactor (core/redact.h)
 * as soon as they are read, so no printed text can contain them.
 */
#ifndef PROFILES_PROFILE_H
#define PROFILES_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;

enum profile_mode {
    PROFILE_MODE_TEST = 0,
    PROFILE_MODE_LIVE
};

enum profile_auth {
    PROFILE_AUTH_API_KEY = 0,
    PROFILE_AUTH_OAUTH
};

struct http_header {
    char *name;
    char *value;
};

/* A 'kind: HTTP' document, or the built-in default (the Stripe API). */
struct adapter_cfg {
    char *name;     /* metadata.name; "stripe" for the built-in default */
    char *base_url; /* scheme://host[:port], no trailing slash */
    struct http_header *headers;
    size_t nr_headers, alloc_headers;
    long connect_timeout_ms;   /* default 30000 */
    long timeout_ms;           /* default 80000 (per attempt) */
    int max_attempts;          /* default 5: the first try + 4 retries */
    long backoff_initial_ms;   /* default 500 */
    long backoff_max_ms;       /* default 20000 */
    double global_rps;         /* default 25 in test mode, 100 in live */
    double endpoint_rps;       /* default 25 */
    int max_in_flight;         /* default 16 */
    char *user_agent;          /* NULL: "stripe-reader/<version>" */
    char *ca_bundle;           /* NULL: the system's CA store */
    size_t max_response_bytes; /* default 32 MiB */
};

struct oauth_cfg {
    char *client_secret; /* the app's secret key (Basic auth username) */
    char *refresh_token; /* the initial refresh token */
    char *token_url;     /* default <baseUrl>/v1/oauth/token */
    char *token_store;   /* file holding the rotated tokens */
};

struct profile {
    char *name; /* metadata.name */
    char *file; /* the file it was loaded from */
    enum profile_mode mode;
    enum profile_auth auth;
    char *api_key; /* PROFILE_AUTH_API_KEY */
    struct oauth_cfg oauth; /* PROFILE_AUTH_OAUTH */
    char *account_id; /* NULL: the key's own account */
    struct adapter_cfg adapter;
    bool has_start_date;
    int64_t start_date; /* unix seconds */
    char *sink;         /* NULL: "sqlite:stripe.db" */
    int64_t overlap_secs;      /* default 60 */
    int64_t max_duration_secs; /* 0: no deadline */
};

#define PROFILE_DEFAULT_BASE_URL "https://api.stripe.com"
#define PROFILE_DEFAULT_STRIPE_VERSION "2024-06-20"

/*
 * Load and validate the profile in 'path'.  On error, -1 with ERR_CONFIG
 * and a one-line message "FILE:LINE:COL: problem" (no secret in it).
 * Nothing touches the network.
 */
int profile_load(const char *path, struct profile *p, struct err *err);
void profile_release(struct profile *p);

/* Fill an adapter_cfg with the built-in defaults for 'mode'. */
void adapter_cfg_defaults(struct adapter_cfg *a, enum profile_mode mode);
void adapter_cfg_release(struct adapter_cfg *a);

/* "test" or "live" */
const char *profile_mode_name(enum profile_mode mode);

#endif
