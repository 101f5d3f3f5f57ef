/* SPDX-License-Identifier: MIT */
/*
 * Internals of the profile loader, shared by its files (not a public
 * API: use profiles/profile.h).
 *
 * The loader reads a YAML document with libyaml's document API and walks
 * its mappings with key tables: each table lists the keys a mapping
 * accepts, their type, and where the value goes (an offset into the
 * object being filled).  Nested mappings fill the same object, so one
 * flat struct describes a whole 'spec'.  Unknown keys, duplicate keys,
 * wrong types and missing required keys are reported by the walker with
 * the file position of the offending node; checks that need several
 * values run after the walk, using the positions it recorded.
 *
 * Every scalar is copied (and ${{ VAR }}-expanded) while the document is
 * alive; nothing here points into a yaml_document_t after it is deleted.
 */
#ifndef PROFILES_LOAD_H
#define PROFILES_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "profiles/profile.h"

struct err;

/* Where a value was found: 1-based line and column; 'set' once seen. */
struct fpos {
    int line, col;
    bool set;
};

/* A string value: expanded, owned; NULL when the key was absent. */
struct fval {
    char *s;
    struct fpos pos;
    bool literal; /* the YAML text was not exactly one ${{ VAR }} */
};

struct loader {
    const char *file;     /* borrowed: the path as given */
    yaml_document_t *doc; /* borrowed: the document being walked */
    const char *text;     /* borrowed: the file's content */
    size_t len;
    struct err *err;
    /*
     * NULL for a profile file.  A file of another shape that fills the
     * same documents (a Singer config: profiles/singer_config.c) names
     * its keys here, {"spec.auth.apiKey", "api_key"}, ..., NULL-ended:
     * messages quote the file's own names, not the profile's.
     */
    const char *const (*names)[2];
};

enum key_type {
    KEY_STRING, /* struct fval */
    KEY_MAP,    /* struct fpos (or KEY_NO_OFFSET); keys from 'sub' */
    KEY_NODE,   /* yaml_node_t *, must be a mapping (walked later) */
    KEY_LIST,   /* a sequence, handed to 'list' */
    KEY_MS,     /* long: a duration in milliseconds, > 0 */
    KEY_SECS,   /* int64_t: a duration in whole seconds, >= 0 */
    KEY_COUNT,  /* int: a whole number from 1 to KEY_COUNT_MAX */
    KEY_RATE,   /* double: requests per second, KEY_RATE_MIN to _MAX */
    KEY_SHARE,  /* double: a share, 0.01 to 1 */
    KEY_BYTES   /* size_t: bytes, optional KiB/MiB/GiB suffix, > 0 */
};

enum key_flags {
    KEY_REQUIRED = 1 << 0,
    KEY_SECRET = 1 << 1,   /* KEY_STRING: register with the redactor */
    KEY_SCALAR_OK = 1 << 2 /* KEY_LIST: a scalar is handed to 'list' too */
};

#define KEY_NO_OFFSET ((size_t)-1)
#define KEY_COUNT_MAX 1000
#define KEY_RATE_MIN 0.01 /* one request in 100 s */
#define KEY_RATE_MAX 10000.0
#define KEY_MS_MAX (7L * 24 * 3600 * 1000)
#define KEY_BYTES_MAX ((size_t)1 << 30)

struct loader;

struct key {
    const char *name; /* NULL ends a table */
    enum key_type type;
    unsigned flags;
    size_t offset;
    const struct key *sub; /* KEY_MAP */
    /* KEY_LIST: handle the sequence 'node' found at 'path'. */
    int (*list)(struct loader *ld, yaml_node_t *node, const char *path,
                void *obj);
};

/*
 * Walk the mapping 'node' (found at 'path', "" for a document's root)
 * with 'table', filling 'obj'.  Returns 0 or -1 with ld->err set.
 */
int walk_map(struct loader *ld, yaml_node_t *node, const char *path,
             const struct key *table, void *obj);

/* Read the scalar 'node' at 'path' into 'out' (expanded, copied). */
int walk_string(struct loader *ld, yaml_node_t *node, const char *path,
                unsigned flags, struct fval *out);

/* "a mapping", "a list", "a string", "an empty value" */
const char *node_kind_name(const yaml_node_t *node);
/* Type error: "'PATH' must be WANT, not <kind of node>". */
int node_type_error(struct loader *ld, yaml_node_t *node, const char *path,
                    const char *want);

struct fpos node_pos(const yaml_node_t *node);

/* Set ld->err to "FILE:LINE:COL: <message>" (ERR_CONFIG); returns -1. */
int ld_error_at(struct loader *ld, const struct fpos *pos, const char *fmt, ...)
    PRINTF_LIKE(3, 4);
int ld_error(struct loader *ld, const yaml_node_t *node, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

/*
 * Copy 'value' into 'out' for an error message: at most 60 characters,
 * and anything shaped like a Stripe secret is masked, so that a key put
 * in the wrong field never reaches a message.
 */
void shown_value(const char *value, char *out, size_t size);

void fval_release(struct fval *v);
/* Take the string out of 'v' (the caller's); NULL when absent. */
char *fval_take(struct fval *v);

/* Durations and sizes as the profile format writes them. */
int parse_ms(const char *s, long *ms);
int parse_bytes(const char *s, size_t *bytes);
/* The reverse: "500ms", "30s", "10m", "1h"; "32MiB", "1000" */
void format_ms(long ms, char *out, size_t size);
void format_bytes(size_t bytes, char *out, size_t size);

/*
 * A path from the file, made usable: absolute paths are copied, relative
 * ones are taken from the profile file's directory.  The caller's.
 */
char *ld_resolve_path(const struct loader *ld, const char *path);

/*
 * Bounds a profile's YAML must meet, checked by a pass over its tokens
 * before the document is loaded (profiles/yamlcheck.c): libyaml's time
 * grows with the square of the flow nesting and of the anchor count.  A
 * profile needs a few levels and a few anchors.
 */
#define YAML_MAX_FLOW_DEPTH 32
#define YAML_MAX_ANCHORS 100

/* 0, or -1 with ld->err "FILE:LINE:COL: ..." naming the first token
 * beyond a bound.  A syntax error is left to the load (0). */
int yaml_check_bounds(struct loader *ld);

/* Check ld->text against the bounds, then initialise 'parser' on it.
 * On failure (ld->err set) there is no parser to delete. */
int ld_parser_start(struct loader *ld, yaml_parser_t *parser);

/*
 * The 'spec' of each kind (profiles/spec_profile.c, spec_http.c).
 *
 * profile_doc holds a Profile's spec as read; profile_doc_finish()
 * validates it against the file's adapters and moves it into a struct
 * profile.  adapter_doc holds one HTTP document, validated on reading.
 */
struct profile_doc {
    struct fval name;
    struct fpos kind_pos;
    struct fpos spec_pos;
    struct fval mode;
    struct fpos auth, oauth;
    struct fval api_key, client_secret, refresh_token, token_url, token_store;
    struct fval account_id, adapter, start_date, sink, streams;
    struct fval accounts; /* "all" or "acct_a,acct_b" */
    int accounts_in_progress;
    int64_t overlap_secs, max_duration_secs;
};

struct adapter_doc {
    struct adapter_cfg cfg;
    struct fpos name_pos, retry_pos;
    struct fval base_url, user_agent, ca_bundle;
    struct fval budget; /* rateLimit.connectedAccounts */
};

void profile_doc_init(struct profile_doc *d);
void profile_doc_release(struct profile_doc *d);
int profile_doc_read(struct loader *ld, yaml_node_t *spec,
                     struct profile_doc *d);
/* A KEY_LIST reader of accounts ("all", "acct_a,acct_b", or a list of
 * ids) into the struct profile_doc at 'obj' (spec.accounts; a Singer
 * config's accounts). */
int profile_read_accounts(struct loader *ld, yaml_node_t *node,
                          const char *path, void *obj);

void adapter_doc_init(struct adapter_doc *d);
void adapter_doc_release(struct adapter_doc *d);
int adapter_doc_read(struct loader *ld, yaml_node_t *spec,
                     struct adapter_doc *d);
/* The checks adapter_doc_read() makes after the walk (base URL, user
 * agent, CA bundle, backoffs), for a document filled another way. */
int adapter_doc_check(struct loader *ld, struct adapter_doc *d);

/*
 * Validate the Profile 'd' (mode, auth, mode guard, values) and resolve
 * its adapter among 'adapters', then move everything into 'p'.  The
 * chosen adapter's cfg is moved out of its adapter_doc.
 */
int profile_doc_finish(struct loader *ld, struct profile_doc *d,
                       struct adapter_doc *adapters, size_t nr_adapters,
                       struct profile *p);

#endif
