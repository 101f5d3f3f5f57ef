/* SPDX-License-Identifier: MIT */
/*
 * The SQLite sink: one table per stream, state and run history in the
 * same database, and a commit that writes rows and state in one
 * transaction.  WAL mode with synchronous=FULL: a committed transaction
 * survives a crash of the process or the machine.
 */
#include "core/compat.h"
#include "sinks/sink.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "model/streams.h"
#include "model/columns.h"
#include "model/record.h"
#include "sinks/sqlite_schema.h"

#include <sqlite3.h>
#include <time.h>

struct sqlite_ctx {
    sqlite3 *db;
    char *path;
    int in_tx;
    bool broken; /* a write or commit failed: nothing more is accepted */
    sqlite3_stmt *upsert[MAX_STREAMS];
    sqlite3_stmt *lookup[MAX_STREAMS];
};

static struct sqlite_ctx *ctx_of(struct sink *s)
{
    return s->ctx;
}

static int db_error(struct sqlite_ctx *c, const char *what, struct err *err)
{
    int code = sqlite3_extended_errcode(c->db);
    enum err_kind kind = ERR_IO;

    if ((code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB) {
        kind = ERR_CONFIG;
    }
    return err_set(err, kind, "%s in '%s': %s", what, c->path,
                   sqlite3_errmsg(c->db));
}

static int exec(struct sqlite_ctx *c, const char *sql, const char *what,
                struct err *err)
{
    if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        return db_error(c, what, err);
    }
    return 0;
}

static int check_version(struct sqlite_ctx *c, struct err *err)
{
    sqlite3_stmt *st = NULL;
    int version = 0;
    int ret = 0;

    if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &st, NULL) !=
        SQLITE_OK) {
        return db_error(c, "cannot read the schema version", err);
    }
    if (sqlite3_step(st) == SQLITE_ROW) {
        version = sqlite3_column_int(st, 0);
    }
    else {
        ret = db_error(c, "cannot read the schema version", err);
    }
    sqlite3_finalize(st);
    if (ret == 0 && version > SQLITE_SCHEMA_VERSION) {
        return err_set(err, ERR_CONFIG,
                       "database '%s' has schema version %d; this "
                       "stripe-reader understands up to %d (upgrade it)",
                       c->path, version, SQLITE_SCHEMA_VERSION);
    }
    return ret;
}

static int create_schema(struct sqlite_ctx *c, struct err *err)
{
    struct buf sql = BUF_INIT;
    int ret = -1;

    buf_addstr(&sql, "BEGIN IMMEDIATE;\n");
    sqlite_schema_ddl(&sql);
    /* the upgrade looks at the tables inside the transaction: two runs
     * opening an old database at once do not both add a column */
    if (sqlite3_exec(c->db, sql.buf, NULL, NULL, NULL) != SQLITE_OK) {
        db_error(c, "cannot create the schema", err);
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        goto out;
    }
    buf_reset(&sql);
    if (sqlite_schema_upgrade(c->db, &sql) < 0) {
        db_error(c, "cannot upgrade the schema", err);
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        goto out;
    }
    buf_addf(&sql, "PRAGMA user_version = %d;\nCOMMIT;\n",
             SQLITE_SCHEMA_VERSION);
    if (sqlite3_exec(c->db, sql.buf, NULL, NULL, NULL) != SQLITE_OK) {
        db_error(c, "cannot create the schema", err);
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        goto out;
    }
    ret = 0;
out:
    buf_release(&sql);
    return ret;
}

static int sqlite_open(struct sink *s, const char *arg,
                       const struct sink_opts *o UNUSED, struct err *err)
{
    struct sqlite_ctx *c = ctx_of(s);
    int flags =
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;

    c->path = xstrdup(arg);
    if (sqlite3_open_v2(arg, &c->db, flags, NULL) != SQLITE_OK) {
        return db_error(c, "cannot open the database", err);
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, 10000);
    /*
     * Rows carry a ~3 KB raw object: 16 KiB pages hold several per page
     * instead of one per 4 KiB page (a third fewer bytes written).  Takes
     * effect only in a new database, before WAL is enabled.
     */
    if (exec(c, "PRAGMA page_size = 16384", "cannot set the page size", err) <
            0 ||
        exec(c, "PRAGMA journal_mode = WAL", "cannot enable WAL", err) < 0 ||
        exec(c, "PRAGMA synchronous = FULL", "cannot set synchronous", err) <
            0 ||
        check_version(c, err) < 0 || create_schema(c, err) < 0) {
        return -1;
    }
    return 0;
}

static int sqlite_load_state(struct sink *s, const char *key, char **json,
                             struct err *err)
{
    struct sqlite_ctx *c = ctx_of(s);
    sqlite3_stmt *st = NULL;
    int rc, ret = 0;

    *json = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT json FROM state WHERE key = ?1", -1,
                           &st, NULL) != SQLITE_OK) {
        return db_error(c, "cannot read the state", err);
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *json = xstrdup((const char *)sqlite3_column_text(st, 0));
    }
    else if (rc != SQLITE_DONE) {
        ret = db_error(c, "cannot read the state", err);
    }
    sqlite3_finalize(st);
    return ret;
}

static int sqlite_list_states(struct sink *s,
                              int (*fn)(const struct sink_state *, void *),
                              void *data, struct err *err)
{
    struct sqlite_ctx *c = ctx_of(s);
    sqlite3_stmt *st = NULL;
    int rc, ret = 0;

    if (sqlite3_prepare_v2(c->db,
                           "SELECT key, json, updated_at FROM state "
                           "ORDER BY key",
                           -1, &st, NULL) != SQLITE_OK) {
        return db_error(c, "cannot read the state", err);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct sink_state ss;

        ss.key = (const char *)sqlite3_column_text(st, 0);
        ss.json = (const char *)sqlite3_column_text(st, 1);
        ss.updated_at = sqlite3_column_int64(st, 2);
        if (fn(&ss, data) < 0) {
            ret = -1;
            break;
        }
    }
    if (ret == 0 && rc != SQLITE_DONE) {
        ret = db_error(c, "cannot read the state", err);
    }
    sqlite3_finalize(st);
    return ret;
}

static int sqlite_delete_state(struct sink *s, const char *key, struct err *err)
{
    struct sqlite_ctx *c = ctx_of(s);
    sqlite3_stmt *st = NULL;
    int ret = 0;

    if (sqlite3_prepare_v2(c->db, "DELETE FROM state WHERE key = ?1", -1, &st,
                           NULL) != SQLITE_OK) {
        return db_error(c, "cannot reset the state", err);
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) {
        ret = db_error(c, "cannot reset the state", err);
    }
    sqlite3_finalize(st);
    return ret;
}

/*
 * A write, a lookup or a commit failed: SQLite may have rolled the
 * transaction back already (SQLITE_FULL, IOERR, NOMEM), so nothing staged
 * can be trusted.  Roll back what is left and accept nothing more: a
 * later commit would store a checkpoint over rows that are gone.  The run
 * itself can still be recorded (outside any transaction).
 */
static int abandon(struct sqlite_ctx *c, int ret)
{
    if (!sqlite3_get_autocommit(c->db)) {
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    }
    c->in_tx = 0;
    c->broken = true;
    return ret;
}

static int begin(struct sqlite_ctx *c, struct err *err)
{
    if (c->broken) {
        return err_set(err, ERR_IO,
                       "the SQLite sink failed earlier in this run; nothing "
                       "more is stored");
    }
    if (c->in_tx) {
        return 0;
    }
    if (exec(c, "BEGIN IMMEDIATE", "cannot start a transaction", err) < 0) {
        return -1;
    }
    c->in_tx = 1;
    return 0;
}

static sqlite3_stmt *upsert_stmt(struct sqlite_ctx *c,
                                 const struct stream *stream, struct err *err)
{
    size_t i = stream_index(stream);
    struct buf sql = BUF_INIT;

    if (i >= MAX_STREAMS) {
        err_set(err, ERR_INTERNAL, "too many streams");
        return NULL;
    }
    if (!c->upsert[i]) {
        sqlite_schema_upsert(&sql, stream);
        if (sqlite3_prepare_v2(c->db, sql.buf, (int)sql.len, &c->upsert[i],
                               NULL) != SQLITE_OK) {
            db_error(c, "cannot prepare the upsert", err);
            c->upsert[i] = NULL;
        }
        buf_release(&sql);
    }
    return c->upsert[i];
}

static void bind_column(sqlite3_stmt *st, int idx, const struct colval *v)
{
    switch (v->kind) {
    case COLVAL_NULL:
        sqlite3_bind_null(st, idx);
        break;
    case COLVAL_TEXT:
        sqlite3_bind_text(st, idx, v->text, -1, SQLITE_STATIC);
        break;
    case COLVAL_INT:
    case COLVAL_BOOL:
        sqlite3_bind_int64(st, idx, v->i);
        break;
    }
}

static void bind_opt_text(sqlite3_stmt *st, int idx, const char *s)
{
    if (s) {
        sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
    }
    else {
        sqlite3_bind_null(st, idx);
    }
}

static int sqlite_write(struct sink *s, const struct record *rec,
                        struct err *err)
{
    struct sqlite_ctx *c = ctx_of(s);
    const struct stream *stream = sink_stream(rec->stream);
    sqlite3_stmt *st;
    int idx = 1, rc;

    if (begin(c, err) < 0) {
        return -1;
    }
    st = upsert_stmt(c, stream, err);
    if (!st) {
        return -1;
    }
    /* 'rec' and its values outlive sqlite3_step: SQLITE_STATIC */
    sqlite3_bind_text(st, idx++, rec->account, -1, SQLITE_STATIC);
    for (size_t i = 0; i < stream->nr_columns; i++) {
        bind_column(st, idx++, &rec->cols[i]);
    }
    sqlite3_bind_int64(st, idx++, rec->version);
    sqlite3_bind_text(st, idx++, record_source_name(rec->source), -1,
                      SQLITE_STATIC);
    bind_opt_text(st, idx++, rec->event_id);
    bind_opt_text(st, idx++, rec->api_version);
    sqlite3_bind_int64(st, idx++, rec->extracted_at);
    sqlite3_bind_text(st, idx++, rec->raw, (int)rec->raw_len, SQLITE_STATIC);
    sqlite3_bind_int(st, idx++, rec->deleted);
    if (rec->deleted) {
        sqlite3_bind_int64(st, idx, rec->deleted_at);
    }
    else {
        sqlite3_bind_null(st, idx);
    }
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) {
        return abandon(c, db_error(c, "cannot store a record", err));
    }
    return 0;
}

/* The connection sees its own uncommitted writes: a copy staged by this
 * run counts, and is committed with whatever relies on it. */
static int sqlite_stored_version(struct sink *s, const struct stream *stream,
                                 const char *account, bool livemode,
                                 const char *id, int64_t *version,
                                 struct err *err)
{
    struct sqlite_ctx *c = ctx_of(s);
    size_t i;
    sqlite3_stmt *st;
    int rc;

    stream = sink_stream(stream);
    i = stream_index(stream);
    if (!c->lookup[i]) {
        char *sql = xstrfmt("SELECT max(version) FROM %s WHERE account = ?1 "
                            "AND livemode = ?2 AND id = ?3",
                            stream->name);

        rc = sqlite3_prepare_v2(c->db, sql, -1, &c->lookup[i], NULL);
        free(sql);
        if (rc != SQLITE_OK) {
            c->lookup[i] = NULL;
            return db_error(c, "cannot prepare a lookup", err);
        }
    }
    st = c->lookup[i];
    sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, livemode);
    sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        *version = sqlite3_column_int64(st, 0);
        rc = 1;
    }
    else {
        rc = rc == SQLITE_ROW ? 0 : -1;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc < 0 ? abandon(c, db_error(c, "cannot look up a stored copy", err))
                  : rc;
}

static int put_state(struct sqlite_ctx *c, const char *key, const char *json,
                     struct err *err)
{
    sqlite3_stmt *st = NULL;
    int ret = 0;

    if (sqlite3_prepare_v2(c->db,
                           "INSERT INTO state (key, json, updated_at) "
                           "VALUES (?1, ?2, ?3) ON CONFLICT (key) DO UPDATE "
                           "SET json = excluded.json, "
                           "updated_at = excluded.updated_at",
                           -1, &st, NULL) != SQLITE_OK) {
        return db_error(c, "cannot store the state", err);
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, json, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
    if (sqlite3_step(st) != SQLITE_DONE) {
        ret = db_error(c, "cannot store the state", err);
    }
    sqlite3_finalize(st);
    return ret;
}

static int sqlite_commit(struct sink *s, const char *key,
                         const char *state_json, struct err *err)
{
    struct sqlite_ctx *c = ctx_of(s);

    if (begin(c, err) < 0) {
        return -1;
    }
    if (put_state(c, key, state_json, err) < 0 ||
        exec(c, "COMMIT", "cannot commit", err) < 0) {
        return abandon(c, -1);
    }
    c->in_tx = 0;
    return 0;
}

static int sqlite_record_run(struct sink *s, const char *run_json,
                             struct err *err)
{
    struct sqlite_ctx *c = ctx_of(s);
    sqlite3_stmt *st = NULL;
    int ret = 0;

    if (c->in_tx) {
        return err_set(err, ERR_INTERNAL, "run recorded inside a commit");
    }
    if (sqlite3_prepare_v2(
            c->db,
            "INSERT INTO runs (profile, command, started_at, ended_at, "
            "status, exit_code, summary) SELECT json_extract(?1, "
            "'$.profile'), json_extract(?1, '$.command'), "
            "json_extract(?1, '$.started_at'), json_extract(?1, "
            "'$.ended_at'), json_extract(?1, '$.status'), "
            "json_extract(?1, '$.exit_code'), ?1",
            -1, &st, NULL) != SQLITE_OK) {
        return db_error(c, "cannot record the run", err);
    }
    sqlite3_bind_text(st, 1, run_json, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        ret = db_error(c, "cannot record the run", err);
    }
    sqlite3_finalize(st);
    return ret;
}

static void sqlite_close(struct sink *s)
{
    struct sqlite_ctx *c = ctx_of(s);

    for (size_t i = 0; i < MAX_STREAMS; i++) {
        sqlite3_finalize(c->upsert[i]);
        sqlite3_finalize(c->lookup[i]);
    }
    if (c->db) {
        if (c->in_tx) {
            sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        }
        sqlite3_close(c->db);
    }
    free(c->path);
}

/* The run lock: one per profile, beside the database (several profiles
 * may share one database; SQLite serialises their commits). */
static int sqlite_lock_path(const char *arg, const char *profile,
                            const struct sink_opts *o UNUSED, char **path,
                            char **what, struct err *err UNUSED)
{
    *path = xstrfmt("%s.%s.lock", arg, profile);
    *what = xstrfmt("profile '%s' in 'sqlite:%s'", profile, arg);
    return 0;
}

const struct sink_type sink_sqlite = {
    .name = "sqlite",
    .arg_doc = "PATH",
    .arg_what = "file",
    .description = "a SQLite database file (the default)",
    .lock_path = sqlite_lock_path,
    .ctx_size = sizeof(struct sqlite_ctx),
    .commit_ms = 2000,
    .open = sqlite_open,
    .load_state = sqlite_load_state,
    .list_states = sqlite_list_states,
    .delete_state = sqlite_delete_state,
    .write = sqlite_write,
    .stored_version = sqlite_stored_version,
    .commit = sqlite_commit,
    .record_run = sqlite_record_run,
    .close = sqlite_close,
};
