/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "model/streams.h"
#include "model/record.h"
#include "sinks/sink.h"
#include "tests/check.h"
#include "tests/unit/records.h"
#include "tests/unit/files.h"

#include <cjson/cJSON.h>

static char *dir;
static bool unprivileged;

static int write_charge(struct sink *s, const char *id, int64_t amount,
                        struct err *err)
{
    char raw[160];
    struct record rec;
    struct colval cols[MAX_COLUMNS];
    const struct stream *st = stream_find("charges");

    snprintf(raw, sizeof(raw),
             "{\"id\":\"%s\",\"object\":\"charge\",\"created\":1700000000,"
             "\"amount\":%lld}",
             id, (long long)amount);
    charge_cols(cols, id, amount);
    memset(&rec, 0, sizeof(rec));
    rec.stream = st;
    rec.id = id;
    rec.account = "";
    rec.created = 1700000000;
    rec.version = 1700000100;
    rec.source = SOURCE_LIST;
    rec.extracted_at = 1700000200;
    rec.raw = raw;
    rec.raw_len = strlen(raw);
    rec.cols = cols;
    return s->type->write(s, &rec, err);
}

static int write_charges(struct sink *s, int from, int n, struct err *err)
{
    char id[32];

    for (int i = from; i < from + n; i++) {
        snprintf(id, sizeof(id), "ch_%04d", i);
        if (write_charge(s, id, 100 + i, err) < 0) {
            return -1;
        }
    }
    return 0;
}

/* An inactive price (the hidden twin's), deleted at 'deleted_at'. */
static int write_inactive_price(struct sink *s, int64_t deleted_at,
                                struct err *err)
{
    const char *raw = "{\"id\":\"price_1\",\"object\":\"price\"}";
    struct record rec;
    struct colval cols[MAX_COLUMNS];

    test_record(&rec, cols, "prices_inactive", "price_1", 1700000300,
                deleted_at, raw);
    rec.source = SOURCE_EVENT;
    rec.event_id = NULL;
    rec.extracted_at = 0;
    rec.deleted = true;
    return s->type->write(s, &rec, err);
}

/* The manifest of folder 'top', parsed (cJSON_Delete() it). */
static cJSON *manifest_of(const char *top)
{
    char *path = files_path(top, "manifest.json");
    char *text = files_get(path);
    cJSON *root = text ? cJSON_Parse(text) : NULL;

    free(text);
    free(path);
    return root;
}

static double number(const cJSON *obj, const char *key)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

static const char *string(const cJSON *obj, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

/* A sink's folder below the test's, and its URI ndjson:FOLDER. */
struct place {
    char *top, *uri;
};

static struct place place_of(const char *name)
{
    struct place p;

    p.top = files_path(dir, name);
    p.uri = xstrfmt("ndjson:%s", p.top);
    return p;
}

static void place_free(struct place *p)
{
    free(p->uri);
    free(p->top);
}

static void test_round_trip(void)
{
    struct place at = place_of("rt");
    char *top = at.top, *uri = at.uri;
    char *data = files_path(top, "charges/000000000001-000.ndjson");
    struct sink_opts opts = { 0 };
    struct sink *s = NULL;
    struct err err = ERR_INIT;
    cJSON *m, *f;
    char *state = NULL, *text;

    sink_opts_add(&opts, "rotate-records", "2", "--rotate-records");
    CHECK_INT(sink_open(&s, uri, &opts, &err), 0, "open creates the folder");
    CHECK_INT(write_charges(s, 1, 5, &err), 0, "write 5 charges");
    CHECK_INT(files_count(top, "manifest"), 0, "  ... no manifest yet");
    CHECK_INT(s->type->commit(s, "prof", "{\"streams\":{}}", &err), 0,
              "commit");
    m = manifest_of(top);
    CHECK_INT(number(m, "sequence"), 1, "  ... sequence 1");
    f = cJSON_GetObjectItemCaseSensitive(m, "files");
    CHECK_INT(cJSON_GetArraySize(f), 3, "  ... 2 records a file: 3 files");
    CHECK_STR(string(cJSON_GetArrayItem(f, 0), "path"),
              "charges/000000000001-000.ndjson", "  ... named by commit");
    CHECK_INT(number(cJSON_GetArrayItem(f, 2), "records"), 1,
              "  ... the last holds one record");
    CHECK_INT(
        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "commits")), 1,
        "  ... one commit entry");
    cJSON_Delete(m);
    text = files_get(data);
    CHECK(text && !strncmp(text,
                           "{\"stream\":\"charges\",\"account\":\"\","
                           "\"id\":\"ch_0001\"",
                           47),
          "  ... envelope lines");
    free(text);
    CHECK_INT(files_count(top, ".tmp"), 0, "  ... no temporary file");

    CHECK_INT(write_charges(s, 6, 1, &err), 0, "an uncommitted write");
    CHECK_INT(s->type->record_run(s, "{\"status\":\"ok\"}", &err), 0,
              "record a run");
    sink_close(s);
    CHECK_INT(files_count(top, "runs.ndjson"), 1, "  ... runs.ndjson");
    text = files_path(top, "charges");
    CHECK_INT(files_count(text, "000000000002"), 0,
              "close discards the uncommitted file");
    free(text);

    CHECK_INT(sink_open(&s, uri, &opts, &err), 0, "reopen");
    CHECK_INT(s->type->load_state(s, "prof", &state, &err), 0, "load state");
    CHECK_STR(state, "{\"streams\":{}}", "  ... the committed state");
    free(state);
    CHECK_INT(s->type->delete_state(s, "prof", &err), 0, "delete the state");
    sink_close(s);
    m = manifest_of(top);
    CHECK(!cJSON_GetObjectItemCaseSensitive(
              cJSON_GetObjectItemCaseSensitive(m, "states"), "prof"),
          "  ... gone from the manifest");
    cJSON_Delete(m);
    free(data);
    place_free(&at);
}

/* A deleted record's line says so, others do not; a hidden twin's
 * records are written to its store_as stream's files. */
static void test_deleted(void)
{
    struct place at = place_of("del");
    char *top = at.top, *uri = at.uri;
    char *prices = files_path(top, "prices/000000000001-000.ndjson");
    char *charges = files_path(top, "charges/000000000001-000.ndjson");
    struct sink_opts opts = { 0 };
    struct sink *s = NULL;
    struct err err = ERR_INIT;
    char *text;
    cJSON *line;

    CHECK_INT(sink_open(&s, uri, &opts, &err), 0, "open");
    CHECK_INT(files_count(top, "inactive"), 0, "no folder for a hidden twin");
    CHECK_INT(write_inactive_price(s, 1700000300, &err), 0,
              "write a deleted inactive price");
    CHECK_INT(write_charges(s, 1, 1, &err), 0, "write a charge");
    CHECK_INT(s->type->commit(s, "prof", "{\"streams\":{}}", &err), 0,
              "commit");
    text = files_get(prices);
    line = text ? cJSON_Parse(text) : NULL;
    CHECK_STR(string(line, "stream"), "prices", "  ... stored as prices");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(line, "deleted")),
          "  ... \"deleted\": true");
    CHECK_INT(number(line, "deleted_at"), 1700000300, "  ... and deleted_at");
    CHECK_STR(string(cJSON_GetObjectItemCaseSensitive(line, "object"), "id"),
              "price_1", "  ... the object is its last state");
    cJSON_Delete(line);
    free(text);
    text = files_get(charges);
    CHECK(text && !strstr(text, "deleted"),
          "a line that is not deleted has no deleted field");
    free(text);
    CHECK_INT(files_count(top, "inactive"), 0, "  ... still no twin folder");
    sink_close(s);
    free(charges);
    free(prices);
    place_free(&at);
}

/*
 * A commit that fails midway: the data files are published, then the
 * manifest cannot be replaced (its folder became read-only).  The
 * manifest stays as before, the sink refuses more work, and the next
 * open removes the files of the failed commit.
 */
static void test_failed_commit(const char *name, bool gzip)
{
    struct place at = place_of(name);
    char *top = at.top, *uri = at.uri;
    char *mpath = files_path(top, "manifest.json");
    char *sdir = files_path(top, "charges");
    char *want = xstrfmt("cannot create '%s.tmp': Permission denied", mpath);
    struct sink_opts opts = { 0 };
    struct sink *s = NULL;
    struct err err = ERR_INIT;
    char *before = NULL, *after, *state = NULL;

    sink_opts_add(&opts, "gzip", gzip ? "1" : NULL, "--gzip");
    CHECK_INT(sink_open(&s, uri, &opts, &err), 0, "open");
    CHECK_INT(write_charges(s, 1, 3, &err), 0, "  ... write");
    CHECK_INT(s->type->commit(s, "prof", "{\"n\":1}", &err), 0,
              "  ... commit 1");
    before = files_get(mpath);
    if (!unprivileged) {
        files_skip_as_root("a commit that fails midway");
        sink_close(s);
        goto out;
    }
    CHECK_INT(write_charges(s, 4, 3, &err), 0, "  ... write more");
    chmod(top, 0555);
    CHECK_INT(s->type->commit(s, "prof", "{\"n\":2}", &err), -1,
              "a commit that fails midway");
    CHECK_INT(err.kind, ERR_IO, "  ... ERR_IO");
    CHECK_STR(err.msg, want, "  ... names the manifest");
    after = files_get(mpath);
    CHECK_STR(after, before, "  ... the manifest is as before");
    free(after);
    CHECK_INT(files_count(top, ".tmp"), 0, "  ... no temporary manifest");
    CHECK_INT(write_charges(s, 7, 1, &err), -1, "  ... later writes fail");
    CHECK_STR(err.msg,
              "the NDJSON sink failed earlier in this run; nothing more is "
              "written",
              "  ... saying why");
    sink_close(s);
    chmod(top, 0755);
    CHECK_INT(files_count(sdir, "000000000002"), 1,
              "  ... the failed commit's file was published");

    CHECK_INT(sink_open(&s, uri, &opts, &err), 0, "reopen");
    CHECK_INT(files_count(sdir, "000000000002"), 0,
              "  ... removes the failed commit's file");
    CHECK_INT(files_count(sdir, "000000000001"), 1, "  ... keeps commit 1's");
    CHECK_INT(s->type->load_state(s, "prof", &state, &err), 0, "  ... load");
    CHECK_STR(state, "{\"n\":1}", "  ... the state of commit 1");
    free(state);
    sink_close(s);
out:
    free(before);
    free(want);
    free(sdir);
    free(mpath);
    place_free(&at);
}

static void test_open_errors(void)
{
    struct sink_opts opts = { 0 };
    struct place at = place_of("broken");
    char *top = at.top, *uri = at.uri;
    char *mpath = files_path(top, "manifest.json");
    char *want = xstrfmt("sink '%s': '%s': ", uri, mpath);
    struct sink *s = NULL;
    struct err err = ERR_INIT;

    mkdir(top, 0755);
    files_put(mpath, "{\"format\": 1, \"sequence\": 2, \"fil");
    CHECK_INT(sink_open(&s, uri, &opts, &err), -1, "a torn manifest");
    CHECK_INT(err.kind, ERR_CONFIG, "  ... ERR_CONFIG");
    if (!CHECK(!strncmp(err.msg, want, strlen(want)),
               "  ... names the sink and the manifest")) {
        printf("#   got: '%s'\n", err.msg);
    }
    CHECK(s == NULL, "  ... no sink");
    CHECK_INT(sink_open(&s, "ndjson:-", &opts, &err), -1,
              "ndjson:- without a state file");
    CHECK_INT(err.kind, ERR_USAGE, "  ... ERR_USAGE");
    free(want);
    free(mpath);
    place_free(&at);
}

int main(void)
{
    unprivileged = files_drop_root();
    dir = files_tmpdir("ndjson");
    test_round_trip();
    test_deleted();
    test_failed_commit("plain", false);
    test_failed_commit("gzip", true);
    test_open_errors();
    files_rm_rf(dir);
    free(dir);
    return check_done();
}
