/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "sinks/sqlite_merge.h"
#include "core/buf.h"
#include "core/err.h"
#include "model/streams.h"
#include "sinks/sink.h"
#include "sinks/sqlite_schema.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

struct merge {
    sqlite3 *out;
    const char *into; /* borrowed */
    struct sqlite_merge_counts *counts;
};

/* A damaged or foreign file is the user's to fix (ERR_CONFIG); anything
 * else (full disk, permissions) is ERR_IO. */
static int db_fail(sqlite3 *db, const char *what, const char *path,
                   struct err *err)
{
    int code = sqlite3_extended_errcode(db) & 0xff;
    enum err_kind kind = ERR_IO;

    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
        kind = ERR_CONFIG;
    }
    return err_set(err, kind, "%s '%s': %s", what, path, sqlite3_errmsg(db));
}

/* The schema version of 'db' (PRAGMA user_version), -1 on failure. */
static int schema_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int version = -1;

    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        version = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    return version;
}

/* Open an input read-only and check it is a stripe-reader database this
 * version understands.  On failure *db is NULL. */
static int open_input(const char *path, sqlite3 **db, struct err *err)
{
    int version, ret = -1;

    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        err_set(err, ERR_CONFIG, "cannot open '%s': %s", path,
                sqlite3_errmsg(*db));
        goto out;
    }
    sqlite3_extended_result_codes(*db, 1);
    sqlite3_busy_timeout(*db, 10000);
    version = schema_version(*db);
    if (version < 0) {
        db_fail(*db, "cannot read", path, err);
        goto out;
    }
    if (version == 0 || sqlite_schema_has_column(*db, "charges", "id") != 1) {
        err_set(err, ERR_CONFIG,
                "'%s' is not a stripe-reader database (no schema version "
                "or no charges table)",
                path);
        goto out;
    }
    if (version > SQLITE_SCHEMA_VERSION) {
        err_set(err, ERR_CONFIG,
                "database '%s' has schema version %d; this stripe-reader "
                "understands up to %d (upgrade it)",
                path, version, SQLITE_SCHEMA_VERSION);
        goto out;
    }
    ret = 0;
out:
    if (ret < 0) {
        sqlite3_close(*db);
        *db = NULL;
    }
    return ret;
}

/* Every input is readable and none is the output. */
static int check_inputs(const char *into, const char *const *inputs, size_t n,
                        struct err *err)
{
    struct stat out_st, in_st;
    bool have_out = stat(into, &out_st) == 0;

    for (size_t i = 0; i < n; i++) {
        sqlite3 *db = NULL;

        if (have_out && stat(inputs[i], &in_st) == 0 &&
            in_st.st_dev == out_st.st_dev && in_st.st_ino == out_st.st_ino) {
            return err_set(err, ERR_USAGE,
                           "input '%s' is the output of the merge", inputs[i]);
        }
        if (open_input(inputs[i], &db, err) < 0) {
            return -1;
        }
        sqlite3_close(db);
    }
    return 0;
}

/*
 * "SELECT <the columns of the output's table> FROM <table>" for input
 * 'in': a column an older input lacks is read as NULL (deleted as 0).
 * 0 when the input has no table of 's' (nothing to copy).
 */
static int select_sql(sqlite3 *in, const struct stream *s, struct buf *sql)
{
    const char *col;
    int have = sqlite_schema_has_column(in, s->name, "id");

    if (have <= 0) {
        return have;
    }
    buf_addstr(sql, "SELECT ");
    for (size_t i = 0; (col = sqlite_schema_column(s, i)); i++) {
        have = sqlite_schema_has_column(in, s->name, col);
        if (have < 0) {
            return -1;
        }
        buf_addf(sql, "%s%s", i ? ", " : "",
                 have                      ? col
                 : !strcmp(col, "deleted") ? "0"
                                           : "NULL");
    }
    buf_addf(sql, " FROM %s", s->name);
    return 1;
}

/* Offer every row of the table of 's' in 'in' to the output. */
static int copy_stream(struct merge *m, sqlite3 *in, const char *path,
                       const struct stream *s, struct err *err)
{
    struct buf sql = BUF_INIT;
    sqlite3_stmt *sel = NULL, *ins = NULL;
    int rc, ncols, ret = -1;

    rc = select_sql(in, s, &sql);
    if (rc <= 0) {
        ret = rc < 0 ? db_fail(in, "cannot read", path, err) : 0;
        goto out;
    }
    if (sqlite3_prepare_v2(in, sql.buf, -1, &sel, NULL) != SQLITE_OK) {
        ret = db_fail(in, "cannot read", path, err);
        goto out;
    }
    buf_reset(&sql);
    sqlite_schema_merge_upsert(&sql, s);
    if (sqlite3_prepare_v2(m->out, sql.buf, -1, &ins, NULL) != SQLITE_OK) {
        ret = db_fail(m->out, "cannot write", m->into, err);
        goto out;
    }
    ncols = sqlite3_column_count(sel);
    while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
        for (int k = 0; k < ncols; k++) {
            sqlite3_bind_value(ins, k + 1, sqlite3_column_value(sel, k));
        }
        if (sqlite3_step(ins) != SQLITE_DONE) {
            ret = db_fail(m->out, "cannot write", m->into, err);
            goto out;
        }
        m->counts->read++;
        m->counts->written += sqlite3_changes(m->out);
        sqlite3_reset(ins);
        sqlite3_clear_bindings(ins);
    }
    if (rc != SQLITE_DONE) {
        ret = db_fail(in, "cannot read", path, err);
        goto out;
    }
    ret = 0;
out:
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    buf_release(&sql);
    return ret;
}

static int merge_input(struct merge *m, const char *path, struct err *err)
{
    sqlite3 *in = NULL;
    int ret = -1;

    if (open_input(path, &in, err) < 0) {
        return -1;
    }
    /* one read transaction: a consistent snapshot of a shard being synced */
    if (sqlite3_exec(in, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        db_fail(in, "cannot read", path, err);
        goto out;
    }
    for (size_t i = 0; i < nr_streams; i++) {
        /* a hidden twin's rows are in its store_as table */
        if (!stream_hidden(&streams[i]) &&
            copy_stream(m, in, path, &streams[i], err) < 0) {
            goto out;
        }
    }
    ret = 0;
out:
    sqlite3_close(in); /* ends the read transaction */
    return ret;
}

/* Create the output with the SQLite sink's schema, or upgrade it, as a
 * sync would. */
static int prepare_output(const char *into, struct err *err)
{
    struct buf uri = BUF_INIT;
    struct sink *s = NULL;
    int ret;

    buf_addf(&uri, "sqlite:%s", into);
    ret = sink_open(&s, uri.buf, NULL, err);
    sink_close(s);
    buf_release(&uri);
    return ret;
}

static void remove_output(const char *into)
{
    static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
    struct buf p = BUF_INIT;

    for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
        buf_reset(&p);
        buf_addf(&p, "%s%s", into, suffixes[i]);
        unlink(p.buf);
    }
    buf_release(&p);
}

static int merge_all(struct merge *m, const char *const *inputs, size_t n,
                     struct err *err)
{
    if (sqlite3_open_v2(m->into, &m->out, SQLITE_OPEN_READWRITE, NULL) !=
        SQLITE_OK) {
        return db_fail(m->out, "cannot open", m->into, err);
    }
    sqlite3_extended_result_codes(m->out, 1);
    sqlite3_busy_timeout(m->out, 10000);
    if (sqlite3_exec(m->out, "PRAGMA synchronous = FULL; BEGIN IMMEDIATE", NULL,
                     NULL, NULL) != SQLITE_OK) {
        return db_fail(m->out, "cannot write", m->into, err);
    }
    for (size_t i = 0; i < n; i++) {
        if (merge_input(m, inputs[i], err) < 0) {
            sqlite3_exec(m->out, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
    }
    if (sqlite3_exec(m->out, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        db_fail(m->out, "cannot write", m->into, err);
        sqlite3_exec(m->out, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

int sqlite_merge(const char *into, const char *const *inputs, size_t n,
                 struct sqlite_merge_counts *counts, struct err *err)
{
    struct merge m = { NULL, into, counts };
    struct stat st;
    bool existed = stat(into, &st) == 0;
    int ret;

    counts->read = counts->written = 0;
    if (check_inputs(into, inputs, n, err) < 0) {
        return -1;
    }
    if (prepare_output(into, err) < 0) {
        ret = -1;
    }
    else {
        ret = merge_all(&m, inputs, n, err);
    }
    if (sqlite3_close(m.out) != SQLITE_OK && ret == 0) {
        ret = db_fail(m.out, "cannot close", into, err);
    }
    if (ret < 0 && !existed) {
        remove_output(into);
    }
    if (ret < 0) {
        counts->read = counts->written = 0;
    }
    return ret;
}
