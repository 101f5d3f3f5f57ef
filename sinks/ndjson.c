/* SPDX-License-Identifier: MIT */
/*
 * The NDJSON sink: one folder per stream, files that appear only when
 * complete, and a manifest that is the only commit point (manifest.h).
 *
 * A commit finishes every file written since the last one (fsync, rename,
 * fsync of the folder), then replaces the manifest, which names the files
 * and holds the checkpoint they complete.  A crash before the manifest is
 * replaced leaves files the manifest does not name; they are removed at
 * the next start and their records are read again, so the manifest's
 * files hold every (id, version) exactly once.
 *
 * `ndjson:-` writes the lines to standard output instead and keeps the
 * checkpoint in --state FILE: at-least-once (lines written before a crash
 * may be written again by the next run).
 */
#include "core/compat.h"
#include "sinks/sink.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/file.h"
#include "core/json.h"
#include "core/sha256.h"
#include "core/strutil.h"
#include "core/xalloc.h"
#include "model/streams.h"
#include "model/columns.h"
#include "sinks/manifest.h"
#include "sinks/ndjson_part.h"
#include "model/record.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NDJSON_ROTATE_RECORDS 100000L
#define NDJSON_ROTATE_BYTES (128LL * 1024 * 1024)

/* One stream's files in the commit under way. */
struct out {
    struct part cur;
    bool open;
    struct part *done;
    size_t nr_done, alloc_done;
    int next_part;
};

struct ndjson_ctx {
    char *dir; /* NULL for standard output */
    bool raw;
    bool gzip;
    long rotate_records;
    long long rotate_bytes;
    struct manifest m;
    bool have_manifest;
    struct out outs[MAX_STREAMS];
    struct buf line;
    bool broken; /* a commit failed: nothing more is accepted */
};

static struct ndjson_ctx *ctx_of(struct sink *s)
{
    return s->ctx;
}

static int make_dir(const char *path, struct err *err)
{
    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        return err_set(err, ERR_IO, "cannot create folder '%s': %s", path,
                       strerror(errno));
    }
    return 0;
}

static int open_dir(struct ndjson_ctx *c, const char *dir, struct err *err)
{
    const char *names[MAX_STREAMS];
    size_t n = 0;
    char *path;
    int ret;

    c->dir = xstrdup(dir);
    if (make_dir(dir, err) < 0) {
        return -1;
    }
    for (size_t i = 0; i < nr_streams; i++) {
        if (stream_hidden(&streams[i])) {
            continue; /* stored in its store_as stream's folder */
        }
        names[n++] = streams[i].name;
        path = xstrfmt("%s/%s", dir, streams[i].name);
        ret = make_dir(path, err);
        free(path);
        if (ret < 0) {
            return -1;
        }
    }
    path = xstrfmt("%s/%s", dir, MANIFEST_NAME);
    ret = manifest_load(&c->m, path, err);
    free(path);
    if (ret < 0) {
        return -1;
    }
    c->have_manifest = true;
    return manifest_cleanup(&c->m, dir, names, n, err);
}

/* The options: --ndjson-format, --gzip, --rotate-records, --rotate-size. */
static int parse_opts(struct ndjson_ctx *c, const struct sink_opts *o,
                      struct err *err)
{
    const char *format = sink_opts_get(o, "format");
    const char *records = sink_opts_get(o, "rotate-records");
    const char *size = sink_opts_get(o, "rotate-size");
    size_t bytes = 0;
    char *end;

    if (format && strcmp(format, "envelope") && strcmp(format, "raw")) {
        return err_set(err, ERR_USAGE,
                       "option '--ndjson-format' expects 'envelope' or "
                       "'raw', got '%s'",
                       format);
    }
    c->raw = format && !strcmp(format, "raw");
    c->gzip = sink_opts_get(o, "gzip") != NULL;
    c->rotate_records = NDJSON_ROTATE_RECORDS;
    if (records) {
        errno = 0;
        c->rotate_records = strtol(records, &end, 10);
        if (errno || *end || c->rotate_records <= 0) {
            return err_set(err, ERR_USAGE,
                           "option '--rotate-records' expects a positive "
                           "number");
        }
    }
    if (size && parse_size(size, (size_t)1 << 40, &bytes, err) < 0) {
        return -1;
    }
    c->rotate_bytes = bytes ? (long long)bytes : NDJSON_ROTATE_BYTES;
    return 0;
}

/* The run lock: the folder's (its manifest is shared by every profile),
 * or beside the state file of ndjson:- */
static int ndjson_lock_path(const char *arg, const char *profile UNUSED,
                            const struct sink_opts *o, char **path, char **what,
                            struct err *err)
{
    const char *state = sink_opts_get(o, "state");

    if (!strcmp(arg, "-") && !state) {
        return 0; /* refused by open: it needs --state */
    }
    if (strcmp(arg, "-") && mkdir(arg, 0755) < 0 && errno != EEXIST) {
        return err_set(err, ERR_IO, "cannot create folder '%s': %s", arg,
                       strerror(errno));
    }
    *path = !strcmp(arg, "-") ? xstrfmt("%s.lock", state)
                              : xstrfmt("%s/.lock", arg);
    *what = xstrfmt("'ndjson:%s'", arg);
    return 0;
}

static int ndjson_open(struct sink *s, const char *arg,
                       const struct sink_opts *o, struct err *err)
{
    struct ndjson_ctx *c = ctx_of(s);
    const char *state = sink_opts_get(o, "state");

    if (parse_opts(c, o, err) < 0) {
        return -1;
    }
    if (strcmp(arg, "-")) {
        return open_dir(c, arg, err);
    }
    if (!state) {
        return err_set(err, ERR_USAGE,
                       "'ndjson:-' needs --state FILE to keep its "
                       "checkpoint");
    }
    if (manifest_load(&c->m, state, err) < 0) {
        return -1;
    }
    c->have_manifest = true;
    return 0;
}

/*
 * The envelope is built for every record, from some forty pieces (a third
 * of an NDJSON run's own CPU once went to printf-style formatting): keys
 * and integers are appended directly, and a piece that fits in the line's
 * memory is copied without a call to buf_add.
 */
static void put(struct buf *b, const char *s, size_t n)
{
    if (n < b->alloc - b->len) { /* room for the piece and the NUL */
        memcpy(b->buf + b->len, s, n);
        b->len += n;
        b->buf[b->len] = '\0';
    }
    else {
        buf_add(b, s, n);
    }
}

static void put_str(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void add_int(struct buf *b, int64_t v)
{
    char tmp[24], *p = tmp + sizeof(tmp);
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) {
        *--p = '-';
    }
    put(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* ,"key": */
static void add_key(struct buf *b, const char *key)
{
    put(b, ",\"", 2);
    put_str(b, key);
    put(b, "\":", 2);
}

static void add_value(struct buf *b, const struct colval *v)
{
    switch (v->kind) {
    case COLVAL_NULL:
        put(b, "null", 4);
        break;
    case COLVAL_TEXT:
        json_quote(b, v->text);
        break;
    case COLVAL_INT:
        add_int(b, v->i);
        break;
    case COLVAL_BOOL:
        put_str(b, v->i ? "true" : "false");
        break;
    }
}

static void add_opt_string(struct buf *b, const char *key, const char *s)
{
    add_key(b, key);
    if (s) {
        json_quote(b, s);
    }
    else {
        put(b, "null", 4);
    }
}

/*
 * A deleted object's line says so; other lines carry nothing more, so
 * files and loaders of the earlier format stay valid.
 */
static void add_deleted(struct buf *b, const struct record *rec)
{
    if (rec->deleted) {
        put_str(b, ",\"deleted\":true");
        add_key(b, "deleted_at");
        add_int(b, rec->deleted_at);
    }
}

/*
 * The envelope, what a loader needs to deduplicate and audit, up to the
 * object: the object itself (rec->raw) and the "}
" after it are written
 * from where they are, not copied into the line first.
 */
static void envelope(struct buf *b, const struct record *rec)
{
    const struct stream *s = sink_stream(rec->stream);

    put_str(b, "{\"stream\":\"");
    put_str(b, s->name);
    put_str(b, "\",\"account\":");
    json_quote(b, rec->account);
    for (size_t i = 0; i < s->nr_columns; i++) {
        add_key(b, s->columns[i].name);
        add_value(b, &rec->cols[i]);
    }
    add_key(b, "version");
    add_int(b, rec->version);
    add_key(b, "source");
    json_quote(b, record_source_name(rec->source));
    add_opt_string(b, "source_event_id", rec->event_id);
    add_deleted(b, rec);
    add_opt_string(b, "source_api_version", rec->api_version);
    add_key(b, "extracted_at");
    add_int(b, rec->extracted_at);
    put_str(b, ",\"object\":");
}

/* A line: the envelope (or nothing), the object, its end. */
struct line {
    const char *piece[3];
    size_t len[3];
};

static int broken(struct err *err)
{
    return err_set(err, ERR_IO,
                   "the NDJSON sink failed earlier in this run; nothing "
                   "more is written");
}

static int rotate(struct ndjson_ctx *c, struct out *o, struct err *err)
{
    int ret = part_finish(&o->cur, err);

    ALLOC_GROW(o->done, o->nr_done + 1, o->alloc_done);
    o->done[o->nr_done++] = o->cur;
    o->open = false;
    if (ret < 0) {
        c->broken = true;
    }
    return ret;
}

static int write_file(struct ndjson_ctx *c, const struct record *rec,
                      const struct line *l, struct err *err)
{
    const struct stream *st = sink_stream(rec->stream);
    struct out *o = &c->outs[stream_index(st)];

    if (!o->open) {
        if (part_open(&o->cur, c->dir, st->name, c->m.sequence + 1,
                      o->next_part++, c->gzip, err) < 0) {
            c->broken = true;
            return -1;
        }
        o->open = true;
    }
    for (int i = 0; i < 3; i++) {
        if (part_write(&o->cur, l->piece[i], l->len[i], err) < 0) {
            c->broken = true;
            return -1;
        }
    }
    o->cur.records++;
    if (rec->created < o->cur.min_created) {
        o->cur.min_created = rec->created;
    }
    if (rec->created > o->cur.max_created) {
        o->cur.max_created = rec->created;
    }
    if (o->cur.records >= c->rotate_records ||
        o->cur.raw_bytes >= c->rotate_bytes) {
        return rotate(c, o, err);
    }
    return 0;
}

static int ndjson_write(struct sink *s, const struct record *rec,
                        struct err *err)
{
    struct ndjson_ctx *c = ctx_of(s);
    struct line l;

    if (c->broken) {
        return broken(err);
    }
    buf_reset(&c->line);
    if (!c->raw) {
        envelope(&c->line, rec);
    }
    l = (struct line){ { c->line.buf, rec->raw, c->raw ? "\n" : "}\n" },
                       { c->line.len, rec->raw_len, c->raw ? 1u : 2u } };
    if (!c->dir) {
        for (int i = 0; i < 3; i++) {
            if (fwrite(l.piece[i], 1, l.len[i], stdout) != l.len[i]) {
                c->broken = true;
                return err_set(err, ERR_IO,
                               "cannot write to standard output: %s",
                               strerror(errno));
            }
        }
        return 0;
    }
    return write_file(c, rec, &l, err);
}

/* The manifest entry of a published file. */
static int file_entry(struct ndjson_ctx *c, struct part *p, const char *stream,
                      long long now, cJSON *files, struct err *err)
{
    char sha[65];
    uint64_t size = 0;
    cJSON *f;

    if (part_digest(p, sha, &size, err) < 0) {
        return -1;
    }
    f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "path", p->rel);
    cJSON_AddStringToObject(f, "stream", stream);
    cJSON_AddNumberToObject(f, "commit", (double)(c->m.sequence + 1));
    cJSON_AddNumberToObject(f, "records", (double)p->records);
    cJSON_AddNumberToObject(f, "bytes", (double)size);
    cJSON_AddStringToObject(f, "sha256", sha);
    cJSON_AddNumberToObject(f, "min_created", (double)p->min_created);
    cJSON_AddNumberToObject(f, "max_created", (double)p->max_created);
    cJSON_AddStringToObject(f, "format", c->raw ? "raw" : "envelope");
    cJSON_AddStringToObject(f, "compression", c->gzip ? "gzip" : "none");
    cJSON_AddNumberToObject(f, "committed_at", (double)now);
    cJSON_AddItemToArray(files, f);
    return 0;
}

/* Finish, publish and describe every file of this commit. */
static int publish_all(struct ndjson_ctx *c, long long now, cJSON *files,
                       int *count, struct err *err)
{
    for (size_t i = 0; i < nr_streams; i++) {
        struct out *o = &c->outs[i];
        char *sdir;

        if (o->open && rotate(c, o, err) < 0) {
            return -1;
        }
        for (size_t k = 0; k < o->nr_done; k++) {
            if (part_publish(&o->done[k], err) < 0 ||
                file_entry(c, &o->done[k], streams[i].name, now, files, err) <
                    0) {
                return -1;
            }
            (*count)++;
        }
        if (o->nr_done) {
            sdir = xstrfmt("%s/%s", c->dir, streams[i].name);
            if (fsync_dir(sdir, err) < 0) {
                free(sdir);
                return -1;
            }
            free(sdir);
        }
    }
    return 0;
}

static void commit_entry(struct ndjson_ctx *c, const char *key,
                         const char *state_json, long long now, int files)
{
    cJSON *e = cJSON_CreateObject();
    cJSON *cps = cJSON_AddObjectToObject(e, "checkpoints");
    cJSON *st = cJSON_Parse(state_json);
    const cJSON *ss = cJSON_GetObjectItemCaseSensitive(st, "streams");
    const cJSON *one;

    cJSON_AddNumberToObject(e, "commit", (double)(c->m.sequence + 1));
    cJSON_AddNumberToObject(e, "time", (double)now);
    cJSON_AddStringToObject(e, "profile", key);
    cJSON_AddNumberToObject(e, "files", files);
    cJSON_ArrayForEach(one, ss)
    {
        cJSON *x = cJSON_AddObjectToObject(cps, one->string);
        const cJSON *hwm = cJSON_GetObjectItemCaseSensitive(one, "hwm");
        const cJSON *hi = cJSON_GetObjectItemCaseSensitive(one, "hi");

        if (cJSON_IsNumber(hwm)) {
            cJSON_AddNumberToObject(x, "hwm", hwm->valuedouble);
        }
        cJSON_AddNumberToObject(x, "hi",
                                cJSON_IsNumber(hi) ? hi->valuedouble : 0);
    }
    cJSON_Delete(st);
    cJSON_AddItemToArray(manifest_commits(&c->m), e);
}

static void forget_done(struct ndjson_ctx *c)
{
    for (size_t i = 0; i < nr_streams; i++) {
        struct out *o = &c->outs[i];

        for (size_t k = 0; k < o->nr_done; k++) {
            part_release(&o->done[k]);
        }
        o->nr_done = 0;
        o->next_part = 0;
    }
}

static int ndjson_commit(struct sink *s, const char *key,
                         const char *state_json, struct err *err)
{
    struct ndjson_ctx *c = ctx_of(s);
    long long now = (long long)time(NULL);
    cJSON *files;
    int count = 0;

    if (c->broken) {
        return broken(err);
    }
    if (!c->dir) {
        if (fflush(stdout) != 0) {
            c->broken = true;
            return err_set(err, ERR_IO, "cannot write to standard output: %s",
                           strerror(errno));
        }
    }
    else {
        files = manifest_files(&c->m);
        if (publish_all(c, now, files, &count, err) < 0) {
            c->broken = true;
            return -1;
        }
        if (count) {
            commit_entry(c, key, state_json, now, count);
        }
    }
    if (manifest_set_state(&c->m, key, state_json, now, err) < 0) {
        return -1;
    }
    c->m.sequence++;
    if (manifest_save(&c->m, err) < 0) {
        c->broken = true;
        return -1;
    }
    forget_done(c);
    return 0;
}

static int ndjson_load_state(struct sink *s, const char *key, char **json,
                             struct err *err)
{
    const cJSON *cp = NULL;
    char *text;

    *json = NULL;
    if (manifest_state(&ctx_of(s)->m, key, &cp, NULL, err) < 0) {
        return -1;
    }
    if (cp) {
        text = cJSON_PrintUnformatted(cp);
        *json = xstrdup(text);
        cJSON_free(text);
    }
    return 0;
}

static int ndjson_list_states(struct sink *s,
                              int (*fn)(const struct sink_state *, void *),
                              void *data, struct err *err)
{
    struct ndjson_ctx *c = ctx_of(s);
    const cJSON *states = cJSON_GetObjectItemCaseSensitive(c->m.root, "states");
    const cJSON *it;

    cJSON_ArrayForEach(it, states)
    {
        struct sink_state ss;
        long long updated = 0;
        const cJSON *cp = NULL;
        char *text;
        int ret;

        if (manifest_state(&c->m, it->string, &cp, &updated, err) < 0) {
            return -1;
        }
        text = cJSON_PrintUnformatted(cp);
        ss.key = it->string;
        ss.json = text;
        ss.updated_at = updated;
        ret = fn(&ss, data);
        cJSON_free(text);
        if (ret < 0) {
            return -1;
        }
    }
    return 0;
}

static int ndjson_delete_state(struct sink *s, const char *key, struct err *err)
{
    struct ndjson_ctx *c = ctx_of(s);

    manifest_delete_state(&c->m, key);
    return manifest_save(&c->m, err);
}

static int ndjson_record_run(struct sink *s, const char *run_json,
                             struct err *err)
{
    struct ndjson_ctx *c = ctx_of(s);
    char *path;
    int fd, ok;
    size_t len = strlen(run_json);

    if (!c->dir) {
        return 0; /* standard output carries data only */
    }
    path = xstrfmt("%s/runs.ndjson", c->dir);
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    ok = fd >= 0 && write_all(fd, run_json, len) == 0 &&
         write_all(fd, "\n", 1) == 0 && fsync(fd) == 0;
    if (!ok) {
        err_set(err, ERR_IO, "cannot append to '%s': %s", path,
                strerror(errno));
    }
    if (fd >= 0) {
        close(fd);
    }
    free(path);
    return ok ? 0 : -1;
}

static void ndjson_close(struct sink *s)
{
    struct ndjson_ctx *c = ctx_of(s);

    for (size_t i = 0; i < nr_streams; i++) {
        struct out *o = &c->outs[i];

        if (o->open) {
            part_discard(&o->cur);
        }
        for (size_t k = 0; k < o->nr_done; k++) {
            part_discard(&o->done[k]);
        }
        free(o->done);
    }
    if (c->have_manifest) {
        manifest_release(&c->m);
    }
    buf_release(&c->line);
    free(c->dir);
}

static const char *const ndjson_options[] = { "gzip",           "format",
                                              "rotate-records", "rotate-size",
                                              "state",          NULL };

const struct sink_type sink_ndjson = {
    .name = "ndjson",
    .arg_doc = "DIR",
    .arg_what = "folder",
    .description = "NDJSON files in a folder, with a manifest",
    .options = ndjson_options,
    .lock_path = ndjson_lock_path,
    .ctx_size = sizeof(struct ndjson_ctx),
    .commit_ms = 60000,
    .open = ndjson_open,
    .load_state = ndjson_load_state,
    .list_states = ndjson_list_states,
    .delete_state = ndjson_delete_state,
    .write = ndjson_write,
    .commit = ndjson_commit,
    .record_run = ndjson_record_run,
    .close = ndjson_close,
};
