/* SPDX-License-Identifier: MIT */
/*
 * struct profile: a validated connection profile, as loaded from a
 * profile file (YAML documents: one 'kind: Profile', zero or more
 * 'kind: HTTP' adapters; the format is described in docs/profiles.md).
 *
 * Ownership: every string member is owned by the profile and freed by
 * profile_release().  Secrets (api_key, oauth.client_secret,
 * oauth.refresh_token) are registered with the redactor (core/redact.h)
 * as soon as they are read, so no printed text can contain them.
 *
 * Errors: every function that can fail returns 0 or -1 and fills 'err'
 * with ERR_CONFIG and one line of text.  Messages about a place in a file
 * read "FILE:LINE:COL: problem" (lines and columns from 1); messages about
 * the whole file read "FILE: problem".  No message contains a secret.
 */
#ifndef PROFILES_PROFILE_H
#define PROFILES_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;
struct buf;

enum profile_mode { PROFILE_MODE_TEST = 0, PROFILE_MODE_LIVE };

enum profile_auth { PROFILE_AUTH_API_KEY = 0, PROFILE_AUTH_OAUTH };

enum adapter_budget { ADAPTER_BUDGET_SHARED = 0, ADAPTER_BUDGET_PER_ACCOUNT };

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
    long connect_timeout_ms; /* default 30000 */
    long timeout_ms;         /* default 80000 (per attempt) */
    int max_attempts;        /* default 5: the first try + 4 retries */
    long backoff_initial_ms; /* default 500 */
    long backoff_max_ms;     /* default 20000 */
    double global_rps;       /* default 25 in test mode, 100 in live */
    double endpoint_rps;     /* default 25 */
    int max_in_flight;       /* default 32 */
    /*
     * The shares of Stripe's limits (global_rps, endpoint_rps) the
     * connector may use: the limits are the account's, shared with the
     * merchant's own traffic.  Defaults 0.5 and 0.8.
     */
    double global_share;
    double endpoint_share;
    char *user_agent;          /* NULL: "stripe-reader/<version>" */
    char *ca_bundle;           /* NULL: the system's CA store */
    size_t max_response_bytes; /* default 32 MiB */
    bool builtin;              /* true: no 'kind: HTTP' document, defaults */
    /*
     * Whether requests with Stripe-Account count against the key's one
     * budget (shared, the default: no public source settles it, so the
     * safe assumption) or each connected account has its own.
     */
    enum adapter_budget account_budget;
};

struct oauth_cfg {
    char *client_secret; /* the app's secret key (Basic auth username) */
    char *refresh_token; /* the initial refresh token */
    char *token_url;     /* default <baseUrl>/v1/oauth/token */
    char *token_store;   /* file holding the rotated tokens; a relative
                          * path in the file is resolved against the
                          * profile file's directory */
};

struct profile {
    char *name; /* metadata.name */
    char *file; /* the file it was loaded from */
    enum profile_mode mode;
    enum profile_auth auth;
    char *api_key;          /* PROFILE_AUTH_API_KEY */
    struct oauth_cfg oauth; /* PROFILE_AUTH_OAUTH */
    char *account_id;       /* NULL: the key's own account */
    /* several connected accounts with the platform's key (issue 15):
     * "all" or "acct_a,acct_b"; NULL: one account (account_id) */
    char *accounts;
    int accounts_in_progress; /* 0: the default (cli/run_accounts.c) */
    struct adapter_cfg adapter;
    bool has_start_date;
    int64_t start_date; /* unix seconds */
    char *sink;         /* NULL: "sqlite:stripe.db" */
    /* the streams to read ("charges,invoices"), NULL: every one the key
     * can read */
    char *streams;
    int64_t overlap_secs;      /* default 60 */
    int64_t max_duration_secs; /* 0: no deadline */
};

#define PROFILE_DEFAULT_BASE_URL "https://api.stripe.com"
#define PROFILE_DEFAULT_STRIPE_VERSION "2024-06-20"
#define PROFILE_DEFAULT_SINK "sqlite:stripe.db"

/*
 * How the loader checks 'spec.sink': the program sets it to the sink
 * registry's check (sinks/sink.h sink_uri_problem), so that this layer
 * knows no sink.  NULL (or the hint) for a sink it takes; unset, any
 * "SCHEME:ARGUMENT" passes.
 */
extern const char *(*profile_sink_problem)(const char *uri);
/* The same for 'spec.streams' (the stream table's check); the message is
 * the program's, static. */
extern const char *(*profile_streams_problem)(const char *list);
#define PROFILE_DEFAULT_CONNECT_TIMEOUT_MS 30000L
#define PROFILE_DEFAULT_TIMEOUT_MS 80000L
#define PROFILE_DEFAULT_MAX_ATTEMPTS 5
#define PROFILE_DEFAULT_BACKOFF_INITIAL_MS 500L
#define PROFILE_DEFAULT_BACKOFF_MAX_MS 20000L
#define PROFILE_DEFAULT_GLOBAL_RPS_TEST 25.0
#define PROFILE_DEFAULT_GLOBAL_RPS_LIVE 100.0
#define PROFILE_DEFAULT_ENDPOINT_RPS 25.0
#define PROFILE_DEFAULT_MAX_IN_FLIGHT 32
#define PROFILE_DEFAULT_GLOBAL_SHARE 0.5
#define PROFILE_DEFAULT_ENDPOINT_SHARE 0.8
#define PROFILE_DEFAULT_MAX_RESPONSE_BYTES ((size_t)32 << 20)
#define PROFILE_DEFAULT_OVERLAP_SECS 60

/* Profile files larger than this are refused (they are hand-written). */
#define PROFILE_MAX_FILE_BYTES ((size_t)1 << 20)

/*
 * Load and validate the profile in 'path'.  '*p' is overwritten (its old
 * content is not freed); after a failure it is left empty, so
 * profile_release() is always safe.  Nothing touches the network.
 *
 * ${{ VAR }} references are resolved from the environment.  A literal
 * secret in a file that group or others can read is refused (ERR_CONFIG,
 * "FILE: contains a literal secret in '...' ...").  The mode guard
 * (test keys only in mode test, live keys only in mode live) is applied
 * here, before any request can be made.
 *
 * On error: -1, ERR_CONFIG, "FILE:LINE:COL: problem" or "FILE: problem"
 * (ERR_INTERNAL only if libyaml runs out of memory).
 */
int profile_load(const char *path, struct profile *p, struct err *err);
/* Free everything the profile owns and empty it.  NULL-safe, idempotent. */
void profile_release(struct profile *p);

/*
 * Load a Singer tap's --config JSON file 'path' (profiles/singer_config.c)
 * as a profile: {"profile": "NAME|PATH"} loads that profile (found as
 * --profile finds it); otherwise the settings are inline: api_key and
 * mode (required), account_id, start_date, streams, overlap,
 * max_duration, base_url, user_agent, rate_share, validated like a
 * profile's.  Inline settings make a profile named "singer".  Errors as
 * profile_load()'s, naming 'path' and the config's own keys.
 */
int profile_load_singer(const char *path, struct profile *p, struct err *err);

/* The keys profile_load_singer() takes, for --about: name, Meltano's
 * setting kind ("string", "password", ...), one line; NULL-ended. */
struct singer_setting {
    const char *name;
    const char *kind;
    const char *doc;
};
extern const struct singer_setting profile_singer_settings[];

/*
 * Fill 'a' (overwritten) with the built-in defaults for 'mode': the Stripe
 * API at PROFILE_DEFAULT_BASE_URL with a 'Stripe-Version' header and the
 * PROFILE_DEFAULT_* settings; name "stripe", builtin true.
 */
void adapter_cfg_defaults(struct adapter_cfg *a, enum profile_mode mode);
/* Free everything 'a' owns and zero it.  NULL-safe, idempotent. */
void adapter_cfg_release(struct adapter_cfg *a);
/* Append a header (both strings copied). */
void adapter_cfg_add_header(struct adapter_cfg *a, const char *name,
                            const char *value);
/* The value of header 'name' (case-insensitive), or NULL.  Borrowed. */
const char *adapter_cfg_header(const struct adapter_cfg *a, const char *name);

/*
 * True for a header whose value is likely a credential: its name contains
 * auth, token, secret, key, cookie, password or signature (any case).
 * The loader registers such values with the redactor; 'profiles show'
 * masks them.
 */
bool http_header_is_sensitive(const char *name);

/* The longest account id accepted. */
#define ACCOUNT_ID_MAX 64
/* True for "acct_" followed by letters and digits (at most
 * ACCOUNT_ID_MAX characters in all). */
bool profile_account_id_valid(const char *id);
/*
 * NULL when 'list' is "all" or acct_ ids separated by commas; else what is
 * wrong (static), with the offending item copied into 'bad'.
 */
const char *profile_accounts_problem(const char *list, char *bad, size_t size);

/* "test" or "live" */
const char *profile_mode_name(enum profile_mode mode);

/*
 * Check a URL for the adapter: http or https, a host, an optional port,
 * and (unless 'allow_path') no path, query or fragment; no user
 * information.  Plain http is accepted only for loopback hosts
 * (127.0.0.0/8, ::1, localhost).  'what' names the value in messages
 * (e.g. "'spec.baseUrl'").  -1 with ERR_CONFIG; the message never
 * repeats more of the URL than its scheme and host.  A NULL 'url' is
 * refused like an empty one.  The loader checks baseUrl and tokenUrl
 * with it, and the adapter checks again at open (for profiles not built
 * by the loader).
 */
int profile_check_url(const char *url, bool allow_path, const char *what,
                      struct err *err);
/* True for 127.0.0.0/8, ::1 (with or without brackets) and localhost
 * (any case, with or without a trailing dot); false for NULL. */
bool profile_host_is_loopback(const char *host);

/* True when 'name' is a valid profile or adapter name: [A-Za-z0-9._-]+,
 * at most 64 characters, not "." or "..". */
bool profile_name_valid(const char *name);

/*
 * Finding profiles.
 *
 * A name (an argument without '/' that does not end in .yaml or .yml) is
 * looked up as NAME.yaml, then NAME.yml, in each directory of the search
 * path in order:
 *   1. each directory of $STRIPE_READER_PROFILE_PATH (colon-separated)
 *   2. $STRIPE_READER_CONFIG_DIR if set, else
 *      $XDG_CONFIG_HOME/stripe-reader/profiles, else
 *      $HOME/.config/stripe-reader/profiles
 *   3. ./profiles
 */
struct profile_entry {
    char *name;    /* the file name without .yaml/.yml */
    char *path;    /* directory + "/" + file name */
    bool shadowed; /* an earlier entry has the same name: --profile NAME
                    * never selects this one */
};

struct profile_list {
    char **dirs; /* the search path, in order (directories may not exist) */
    size_t nr_dirs, alloc_dirs;
    struct profile_entry *items; /* in search order, by name within a dir */
    size_t nr, alloc;
};

#define PROFILE_LIST_INIT                                                      \
    {                                                                          \
        NULL, 0, 0, NULL, 0, 0                                                 \
    }

/* Fill l->dirs with the search path (from the environment). */
void profile_search_path(struct profile_list *l);
/* Fill the search path and every *.yaml / *.yml file found in it. */
void profile_list_scan(struct profile_list *l);
/* Free and empty.  NULL-safe, idempotent. */
void profile_list_release(struct profile_list *l);

/*
 * Resolve --profile NAME|PATH into a file path in '*path_out' (the
 * caller's, free() it).  'name_or_path' NULL or "" means
 * $STRIPE_READER_PROFILE.  A path is returned as given, without checking
 * that it exists (profile_load() reports that).  -1 with ERR_CONFIG when
 * no profile is given, the name is invalid, or no file has that name
 * (the message lists the directories searched and suggests a close name).
 */
int profile_find(const char *name_or_path, char **path_out, struct err *err);

/*
 * Showing a profile.  Both append to 'out' all effective settings,
 * defaults included, with every secret masked (secret_mask(): prefix and
 * last four characters).  The YAML form has the shape of a profile file;
 * the JSON form is one object {"file", "profile", "adapter"}.
 */
void profile_format_yaml(const struct profile *p, struct buf *out);
void profile_format_json(const struct profile *p, struct buf *out);

#endif
