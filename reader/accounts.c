/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "reader/accounts.h"
#include "adapter/adapter.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/xalloc.h"

#include <stdlib.h>

#define SHARDS_MAX 4096
#define ACCOUNTS_PAGE 100

int shard_parse(const char *s, const char *what, struct shard *out,
                struct err *err)
{
    const char *arg = s;
    char *end;
    unsigned long i, n;

    errno = 0;
    i = strtoul(s, &end, 10);
    if (end == s || *end != '/' || *s == '-' || end[1] == '-') {
        goto bad;
    }
    s = end + 1;
    n = strtoul(s, &end, 10);
    if (end == s || *end || errno || n < 1 || n > SHARDS_MAX || i >= n) {
        goto bad;
    }
    out->index = (unsigned)i;
    out->count = (unsigned)n;
    return 0;
bad:
    return err_set(err, ERR_USAGE,
                   "%s expects I/N with 0 <= I < N <= %d (e.g. 0/4), got "
                   "'%s'",
                   what, SHARDS_MAX, arg);
}

uint64_t account_hash(const char *id)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a 64 offset basis */

    for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL; /* FNV 64 prime */
    }
    return h;
}

unsigned account_shard(const char *id, unsigned count)
{
    return count > 1 ? (unsigned)(account_hash(id) % count) : 0;
}

bool shard_has(const struct shard *sh, const char *id)
{
    return !sh || sh->count == 0 || account_shard(id, sh->count) == sh->index;
}

/* ---- discovery -------------------------------------------------------- */

static int read_account(const cJSON *item, struct account_info *a,
                        struct err *err)
{
    const char *id = NULL, *type = NULL;

    memset(a, 0, sizeof(*a));
    if (json_get_string(item, "account", "id", JSON_REQUIRED, &id, err) < 0 ||
        json_get_int64(item, "account", "created", 0, &a->created, err) < 0 ||
        json_get_string(item, "account", "type", 0, &type, err) < 0 ||
        json_get_bool(item, "account", "charges_enabled", 0,
                      &a->charges_enabled, err) < 0 ||
        json_get_bool(item, "account", "payouts_enabled", 0,
                      &a->payouts_enabled, err) < 0) {
        return -1;
    }
    if (!profile_account_id_valid(id)) {
        return err_set(err, ERR_DATA,
                       "GET /v1/accounts: an account id that is not an "
                       "acct_ id");
    }
    snprintf(a->id, sizeof(a->id), "%s", id);
    snprintf(a->type, sizeof(a->type), "%s", type ? type : "");
    return 0;
}

/* One page: calls 'fn' per account; *last is the page's last id, or "". */
static int discover_page(const struct http_req *req,
                         int (*fn)(const struct account_info *, void *),
                         void *data, char *last, bool *more, struct err *err)
{
    cJSON *root =
        json_parse(req->body.buf, req->body.len, "GET /v1/accounts", err);
    const cJSON *list = NULL, *item;
    struct account_info a;
    int ret = -1;

    *last = '\0';
    if (!root ||
        json_get_array(root, "list", "data", JSON_REQUIRED, &list, err) < 0 ||
        json_get_bool(root, "list", "has_more", JSON_REQUIRED, more, err) < 0) {
        goto out;
    }
    cJSON_ArrayForEach(item, list)
    {
        if (read_account(item, &a, err) < 0 || fn(&a, data) < 0) {
            goto out;
        }
        memcpy(last, a.id, sizeof(a.id));
    }
    ret = 0;
out:
    cJSON_Delete(root);
    return ret;
}

int accounts_discover(struct adapter *ad, int64_t since,
                      int (*fn)(const struct account_info *a, void *data),
                      void *data, long *requests, struct err *err)
{
    struct http_req req = HTTP_REQ_INIT;
    char last[ACCOUNT_ID_MAX + 1] = "";
    bool more = true;
    int ret = 0;

    while (ret == 0 && more) {
        struct buf path = BUF_INIT;

        buf_addf(&path, "/v1/accounts?limit=%d", ACCOUNTS_PAGE);
        if (since > 0) {
            buf_addf(&path, "&created%%5Bgte%%5D=%lld", (long long)since);
        }
        if (*last) {
            buf_addf(&path, "&starting_after=%s", last);
        }
        http_req_reset(&req);
        req.path = buf_detach(&path, NULL);
        (*requests)++;
        ret = adapter_perform(ad, &req, err);
        if (ret == 0) {
            ret = discover_page(&req, fn, data, last, &more, err);
        }
        if (ret == 0 && more && !*last) {
            ret = err_set(err, ERR_DATA,
                          "GET /v1/accounts: has_more with an empty page");
        }
    }
    http_req_release(&req);
    return ret;
}

/* ---- the set ---------------------------------------------------------- */

void account_set_release(struct account_set *s)
{
    free(s->items);
    s->items = NULL;
    s->nr = s->alloc = 0;
}

void account_set_add(struct account_set *s, const char *id, int64_t created)
{
    struct account_entry *e;

    ALLOC_GROW(s->items, s->nr + 1, s->alloc);
    e = &s->items[s->nr++];
    memset(e, 0, sizeof(*e));
    snprintf(e->id, sizeof(e->id), "%s", id);
    e->created = created;
}

static int cmp_id(const void *a, const void *b)
{
    const struct account_entry *x = a, *y = b;

    return strcmp(x->id, y->id);
}

void account_set_finish(struct account_set *s)
{
    size_t n = 0;

    /* stable for equal ids: mergesort is not in C11, so keep the first by
     * marking order in 'feed' before sorting */
    for (size_t i = 0; i < s->nr; i++) {
        s->items[i].feed = (int64_t)i;
    }
    qsort(s->items, s->nr, sizeof(*s->items), cmp_id);
    for (size_t i = 0; i < s->nr; i++) {
        if (n && !strcmp(s->items[n - 1].id, s->items[i].id)) {
            if (s->items[i].feed < s->items[n - 1].feed) {
                s->items[n - 1] = s->items[i];
            }
            continue;
        }
        s->items[n++] = s->items[i];
    }
    s->nr = n;
    for (size_t i = 0; i < s->nr; i++) {
        s->items[i].feed = 0;
    }
}

struct account_entry *account_set_find(struct account_set *s, const char *id)
{
    struct account_entry key;

    snprintf(key.id, sizeof(key.id), "%s", id);
    return bsearch(&key, s->items, s->nr, sizeof(*s->items), cmp_id);
}

void account_set_from_list(struct account_set *s, const char *list,
                           const struct shard *sh)
{
    const char *p = list;

    while (*p) {
        size_t n = strcspn(p, ",");
        char id[ACCOUNT_ID_MAX + 1];

        snprintf(id, sizeof(id), "%.*s", (int)n, p);
        if (*id && shard_has(sh, id)) {
            account_set_add(s, id, 0);
        }
        p += n + (p[n] == ',');
    }
}

void account_set_to_json(const struct account_set *s, struct buf *out)
{
    buf_addstr(out, "{\"shard\":");
    json_quote(out, s->shard);
    buf_addf(out, ",\"newest_created\":%lld,\"accounts\":[",
             (long long)s->newest_created);
    for (size_t i = 0; i < s->nr; i++) {
        buf_addf(out, "%s[\"%s\",%lld]", i ? "," : "", s->items[i].id,
                 (long long)s->items[i].created);
    }
    buf_addstr(out, "]}");
}

static int read_pair(struct account_set *s, const cJSON *pair)
{
    const cJSON *id = cJSON_GetArrayItem(pair, 0);
    int64_t created;

    if (!cJSON_IsArray(pair) || cJSON_GetArraySize(pair) != 2 ||
        !cJSON_IsString(id) || !profile_account_id_valid(id->valuestring) ||
        json_int64(cJSON_GetArrayItem(pair, 1), &created) < 0) {
        return -1;
    }
    account_set_add(s, id->valuestring, created);
    return 0;
}

int account_set_from_json(struct account_set *s, const char *json,
                          const char *where, struct err *err)
{
    cJSON *root = json_parse(json, strlen(json), where, err);
    const cJSON *list = NULL, *pair;
    const char *shard = NULL;
    int ret = -1;

    if (!root ||
        json_get_string(root, where, "shard", JSON_REQUIRED, &shard, err) < 0 ||
        json_get_int64(root, where, "newest_created", JSON_REQUIRED,
                       &s->newest_created, err) < 0 ||
        json_get_array(root, where, "accounts", JSON_REQUIRED, &list, err) <
            0) {
        goto out;
    }
    snprintf(s->shard, sizeof(s->shard), "%s", shard);
    cJSON_ArrayForEach(pair, list)
    {
        if (read_pair(s, pair) < 0) {
            err_set(err, ERR_CONFIG,
                    "%s: an entry of 'accounts' is not "
                    "[\"acct_...\", created]",
                    where);
            goto out;
        }
    }
    account_set_finish(s);
    ret = 0;
out:
    if (ret < 0 && err->kind == ERR_DATA) {
        err->kind = ERR_CONFIG;
    }
    cJSON_Delete(root);
    return ret;
}

/* ---- order ------------------------------------------------------------ */

static int cmp_order(const void *a, const void *b)
{
    const struct account_entry *x = a, *y = b;

    if (x->synced != y->synced) {
        return x->synced ? 1 : -1; /* unfinished first syncs first */
    }
    if (!x->synced) {
        if (x->started != y->started) {
            return x->started ? -1 : 1; /* finish what was begun */
        }
        if (x->created != y->created) {
            return x->created < y->created ? -1 : 1;
        }
    }
    else if (x->feed != y->feed) {
        return x->feed < y->feed ? -1 : 1; /* the oldest feed first */
    }
    return strcmp(x->id, y->id);
}

void accounts_order(struct account_entry *items, size_t nr)
{
    qsort(items, nr, sizeof(*items), cmp_order);
}
