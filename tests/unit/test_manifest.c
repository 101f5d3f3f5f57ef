/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "sinks/manifest.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "tests/check.h"
#include "tests/unit/files.h"

static char *dir;
static bool unprivileged;

/* One commit as the NDJSON sink makes it: a file, a state, sequence+1. */
static int commit(struct manifest *m, const char *state, struct err *err)
{
    cJSON *f = cJSON_CreateObject();
    char path[64];

    snprintf(path, sizeof(path), "charges/%012lld-000.ndjson", m->sequence + 1);
    cJSON_AddStringToObject(f, "path", path);
    cJSON_AddNumberToObject(f, "commit", (double)(m->sequence + 1));
    cJSON_AddItemToArray(manifest_files(m), f);
    if (manifest_set_state(m, "prof", state, 1700000000 + m->sequence, err) <
        0) {
        return -1;
    }
    m->sequence++;
    return manifest_save(m, err);
}

static void test_round_trip(void)
{
    char *path = files_path(dir, MANIFEST_NAME);
    struct manifest m;
    struct err err = ERR_INIT;
    const cJSON *cp, *last;
    long long updated = 0;
    char *text;

    CHECK_INT(manifest_load(&m, path, &err), 0, "load: missing is empty");
    CHECK_INT(m.sequence, 0, "  ... sequence 0");
    CHECK_INT(cJSON_GetArraySize(manifest_files(&m)), 0, "  ... no files");
    CHECK_INT(cJSON_GetArraySize(manifest_commits(&m)), 0, "  ... no commits");
    CHECK(manifest_state(&m, "prof", &cp, NULL, &err) == 0 && !cp,
          "  ... no state");
    CHECK_INT(commit(&m, "{\"n\":1}", &err), 0, "commit 1");
    CHECK_INT(commit(&m, "{\"n\":2}", &err), 0, "commit 2");
    CHECK_INT(commit(&m, "{\"n\":3,\"big\":\"12345678901234567890\"}", &err), 0,
              "commit 3");
    CHECK_INT(files_count(dir, ".tmp"), 0, "  ... no temporary file left");
    manifest_release(&m);
    manifest_release(&m);

    CHECK_INT(manifest_load(&m, path, &err), 0, "reload");
    CHECK_INT(m.sequence, 3, "  ... the sequence");
    CHECK_INT(cJSON_GetArraySize(manifest_files(&m)), 3, "  ... three files");
    last = cJSON_GetArrayItem(manifest_files(&m), 2);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(last, "path")),
              "charges/000000000003-000.ndjson", "  ... in order");
    CHECK_INT(manifest_state(&m, "prof", &cp, &updated, &err), 1,
              "  ... a state");
    text = cJSON_PrintUnformatted(cp);
    CHECK_STR(text, "{\"n\":3,\"big\":\"12345678901234567890\"}",
              "  ... the last state");
    cJSON_free(text);
    CHECK_INT(updated, 1700000002, "  ... its time");

    CHECK_INT(manifest_set_state(&m, "prof", "{\"n\":", 1, &err), -1,
              "set_state: a state that does not parse");
    CHECK(!strncmp(err.msg, "state 'prof': ", 14), "  ... names the key");
    CHECK(manifest_state(&m, "prof", &cp, NULL, &err) == 1,
          "  ... the old one kept");
    manifest_delete_state(&m, "prof");
    CHECK(manifest_state(&m, "prof", &cp, NULL, &err) == 0 && !cp,
          "delete_state");
    manifest_release(&m);
    free(path);
}

static void test_broken(void)
{
    static const struct {
        const char *name, *text, *desc;
    } rows[] = {
        { "torn", "{\"format\": 1, \"sequence\": 3, \"files\": [{\"pa",
          "a torn manifest" },
        { "empty", "", "an empty manifest" },
        { "garbage", "PK\x03\x04 not json", "a manifest that is not JSON" },
        { "list", "[1, 2, 3]", "a JSON list" },
        { "format",
          "{\"format\": 2, \"sequence\": 0, \"files\": [], "
          "\"commits\": [], \"states\": {}}",
          "an unknown format" },
        { "nofiles",
          "{\"format\": 1, \"sequence\": 0, \"commits\": [], "
          "\"states\": {}}",
          "no files array" },
        { "seq",
          "{\"format\": 1, \"sequence\": \"3\", \"files\": [], "
          "\"commits\": [], \"states\": {}}",
          "a sequence that is not a number" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
        char *path = files_path(dir, rows[i].name);
        char *prefix = xstrfmt("'%s': ", path);
        struct manifest m;
        struct err err = ERR_INIT;

        files_put(path, rows[i].text);
        CHECK_INT(manifest_load(&m, path, &err), -1, rows[i].desc);
        CHECK_INT(err.kind, ERR_CONFIG, "  ... ERR_CONFIG");
        if (!CHECK(!strncmp(err.msg, prefix, strlen(prefix)),
                   "  ... the message names the file")) {
            printf("#   got: '%s'\n", err.msg);
        }
        manifest_release(&m);
        free(prefix);
        free(path);
    }
}

static void test_save_fails(void)
{
    char *ro = files_path(dir, "ro");
    char *path = files_path(ro, MANIFEST_NAME);
    char *before, *after, *want;
    struct manifest m;
    struct err err = ERR_INIT;

    mkdir(ro, 0755);
    CHECK_INT(manifest_load(&m, path, &err), 0, "load in a folder");
    CHECK_INT(commit(&m, "{\"n\":1}", &err), 0, "  ... commit");
    before = files_get(path);
    if (!unprivileged) {
        files_skip_as_root("save: a read-only folder");
        goto out;
    }
    chmod(ro, 0555);
    CHECK_INT(commit(&m, "{\"n\":2}", &err), -1, "save: a read-only folder");
    CHECK_INT(err.kind, ERR_IO, "  ... ERR_IO");
    want = xstrfmt("cannot create '%s.tmp': Permission denied", path);
    CHECK_STR(err.msg, want, "  ... names the file");
    free(want);
    after = files_get(path);
    CHECK_STR(after, before, "  ... the manifest is as before");
    free(after);
    chmod(ro, 0755);
out:
    manifest_release(&m);
    free(before);
    free(path);
    free(ro);
}

static void test_unreadable(void)
{
    char *sub = files_path(dir, "isdir");
    char *want = xstrfmt("cannot read '%s': it is a directory", sub);
    struct manifest m;
    struct err err = ERR_INIT;

    mkdir(sub, 0755);
    CHECK_INT(manifest_load(&m, sub, &err), -1, "load: a folder");
    CHECK_INT(err.kind, ERR_IO, "  ... ERR_IO");
    CHECK_STR(err.msg, want, "  ... says so");
    manifest_release(&m);
    free(want);
    free(sub);
}

static void test_cleanup(void)
{
    static const struct {
        const char *name;
        bool kept;
    } rows[] = {
        { "000000000001-000.ndjson", true },
        { "000000000002-001.ndjson.gz", true },
        { "000000000003-000.ndjson", false },
        { "000000000004-000.ndjson.gz", false },
        { ".000000000003-000.ndjson.tmp", false },
        { "notes.txt", true },
    };
    char *top = files_path(dir, "clean");
    char *sdir = files_path(top, "charges");
    const char *const streams[] = { "charges", "payouts" };
    struct manifest m;
    struct err err = ERR_INIT;

    mkdir(top, 0755);
    mkdir(sdir, 0755);
    for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
        char *p = files_path(sdir, rows[i].name);

        files_put(p, "{}\n");
        free(p);
    }
    memset(&m, 0, sizeof(m));
    m.sequence = 2;
    CHECK_INT(manifest_cleanup(&m, top, streams, 2, &err), 0,
              "cleanup (a stream folder missing is fine)");
    for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
        char *p = files_path(sdir, rows[i].name);
        char what[96];

        snprintf(what, sizeof(what), "  ... %s %s", rows[i].name,
                 rows[i].kept ? "kept" : "removed");
        CHECK((access(p, F_OK) == 0) == rows[i].kept, what);
        free(p);
    }
    free(sdir);
    free(top);
}

int main(void)
{
    unprivileged = files_drop_root();
    dir = files_tmpdir("manifest");
    test_round_trip();
    test_broken();
    test_save_fails();
    test_unreadable();
    test_cleanup();
    files_rm_rf(dir);
    free(dir);
    return check_done();
}
