/* SPDX-License-Identifier: MIT */
/*
 * The Singer sink (sinks/singer.c, singer_recall.c): no copy older than
 * one sent before, within a run and across runs through the state's
 * recall; what it forgets it doubts (the reader re-reads those); a
 * damaged or older state is refused.  Standard output is a file here.
 */
#include "core/compat.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "model/record.h"
#include "model/streams.h"
#include "sinks/sink.h"
#include "tests/check.h"
#include "tests/unit/files.h"
#include "tests/unit/records.h"

#include <fcntl.h>

static char *dir;
static int saved_stdout = -1;

/* Standard output into '<dir>/out' until capture_end(). */
static void capture_begin(void)
{
    char *path = files_path(dir, "out");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    fflush(stdout);
    saved_stdout = dup(1);
    dup2(fd, 1);
    close(fd);
    free(path);
}

/* The captured output (free() it). */
static char *capture_end(void)
{
    char *path = files_path(dir, "out");
    char *text;

    fflush(stdout);
    dup2(saved_stdout, 1);
    close(saved_stdout);
    text = files_get(path);
    free(path);
    return text;
}

static struct sink *open_singer(const char *state, const char *recall)
{
    struct sink_opts o;
    struct sink *s = NULL;
    struct err err = ERR_INIT;

    memset(&o, 0, sizeof(o));
    sink_opts_add(&o, "state", state, "--state");
    sink_opts_add(&o, "recall", recall, "--state-recall");
    if (sink_open(&s, "singer:-", &o, &err) < 0) {
        printf("# %s\n", err.msg);
    }
    return s;
}

/* A copy of charge 'id' at 'version': a list's, or an event's. */
static int put(struct sink *s, const char *id, int64_t version, bool event,
               bool deleted, bool *doubted)
{
    struct record rec;
    struct colval cols[MAX_COLUMNS];
    struct err err = ERR_INIT;
    char raw[96];

    snprintf(raw, sizeof(raw),
             "{\"id\":\"%s\",\"object\":\"charge\",\"v\":%lld}", id,
             (long long)version);
    test_record(&rec, cols, "charges", id, version, 0, raw);
    rec.source = event ? SOURCE_EVENT : SOURCE_LIST;
    rec.event_id = event ? "evt_1" : NULL;
    rec.deleted = deleted;
    rec.deleted_at = deleted ? version : 0;
    *doubted = s->type->doubts(s, &rec);
    return *doubted ? 0 : s->type->write(s, &rec, &err);
}

static size_t count(const char *text, const char *what)
{
    size_t n = 0;

    for (const char *p = text; (p = strstr(p, what)); p++) {
        n++;
    }
    return n;
}

/* The last line of 'text' that starts with 'start' (a new string). */
static char *last_line(const char *text, const char *start)
{
    const char *p = text, *hit = NULL;

    for (; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (!strncmp(p, start, strlen(start))) {
            hit = p;
        }
    }
    return hit ? xstrndup(hit, strcspn(hit, "\n")) : xstrdup("");
}

static void test_one_run(char **state_line)
{
    struct sink *s = open_singer(NULL, "1");
    struct err err = ERR_INIT;
    bool d1, d2, d3, d4;
    char *out;

    capture_begin();
    put(s, "ch_1", 100, false, false, &d1);
    put(s, "ch_1", 90, true, false, &d2); /* older: not sent */
    put(s, "ch_2", 200, true, false, &d3);
    put(s, "ch_1", 150, true, false, &d4);
    s->type->commit(s, "unit", "{\"cp\":1}", &err);
    sink_close(s);
    out = capture_end();
    CHECK(!d1 && !d2 && !d3 && !d4, "a run with no state doubts nothing");
    CHECK_INT((long)count(out, "\"type\":\"RECORD\""), 3,
              "a copy older than one sent in the run is not sent");
    CHECK_INT((long)count(out, "\"type\":\"SCHEMA\""), 1, "one SCHEMA");
    *state_line = last_line(out, "{\"type\":\"STATE\"");
    CHECK(strstr(*state_line, "\"recall\":\"charges:ch_2=800\"") != NULL,
          "the STATE recalls the newest object (--state-recall 1)");
    CHECK(strstr(*state_line, "\"below\":\"charges=600\"") != NULL,
          "and the rank of the one it forgot (ch_1 at 150, an event)");
    free(out);
}

static void test_resumed(const char *state_line)
{
    char *path = files_path(dir, "state.json");
    const char *value = strstr(state_line, "\"value\":") + 8;
    /* the value, without the message's closing brace */
    char *text = xstrndup(value, strlen(value) - 1);
    struct sink *s;
    struct err err = ERR_INIT;
    char *json = NULL, *out;
    int64_t v = 0;
    bool d[6];

    files_put(path, text);
    free(text);
    s = open_singer(path, NULL);
    CHECK_INT(s->type->load_state(s, "unit", &json, &err), 0,
              "the state loads");
    CHECK_STR(json, "{\"cp\":1}", "its checkpoint is the reader's");
    capture_begin();
    put(s, "ch_1", 140, true, false, &d[0]);  /* forgotten, below 600 */
    put(s, "ch_3", 160, true, false, &d[1]);  /* above what was forgotten */
    put(s, "ch_1", 120, false, false, &d[2]); /* a list copy */
    put(s, "ch_4", 10, true, true, &d[3]);    /* a deletion */
    put(s, "ch_2", 190, true, false, &d[4]);  /* recalled, older */
    put(s, "ch_2", 210, true, false, &d[5]);  /* recalled, newer */
    out = capture_end();
    CHECK(d[0], "an older event copy of a forgotten object is doubted");
    CHECK(!d[1], "one newer than all it forgot is not");
    CHECK(!d[2] && !d[3], "nor a list copy, nor a deletion");
    CHECK(!d[4] && !d[5], "nor a copy of a recalled object");
    CHECK(!strstr(out, "\"v\":190"), "which is sent only if newer");
    CHECK(strstr(out, "\"v\":210") != NULL, "(it is)");
    CHECK_INT(s->type->stored_version(s, stream_find("charges"), "", false,
                                      "ch_2", &v, &err),
              1, "the sink says it holds the copy of ch_2 sent last");
    CHECK_INT(v, 210, "at its version");
    CHECK_INT(s->type->stored_version(s, stream_find("charges"), "", false,
                                      "ch_9", &v, &err),
              0, "and none of an object never sent");
    free(out);
    free(json);
    sink_close(s);
    free(path);
}

/* A sink of several accounts whose STATEs are at least 'ms' apart. */
static struct sink *open_several(const char *state, const char *ms,
                                 struct err *err)
{
    struct sink_opts o;
    struct sink *s = NULL;

    memset(&o, 0, sizeof(o));
    sink_opts_add(&o, "state", state, "--state");
    sink_opts_add(&o, "several-accounts", ms, "accounts");
    if (sink_open(&s, "singer:-", &o, err) < 0) {
        printf("# %s\n", err->msg);
    }
    return s;
}

/* A run of several accounts: the key, the account in each record, one
 * state with a checkpoint per account, written at most every 'ms' and
 * at the end; read back by another profile name. */
static void test_several(void)
{
    char *path = files_path(dir, "several.json");
    struct err err = ERR_INIT;
    struct sink *s = open_several(NULL, "600000", &err);
    struct record rec;
    struct colval cols[MAX_COLUMNS];
    char *out, *line, *text, *json = NULL;
    const char *value;

    capture_begin();
    test_record(&rec, cols, "charges", "ch_7", 5, 0, "{\"id\":\"ch_7\"}");
    rec.account = "acct_1a";
    rec.deleted = true;
    rec.deleted_at = 86400;
    s->type->write(s, &rec, &err);
    /* the same id in another account, older: another object */
    rec.account = "acct_1b";
    rec.deleted = false;
    rec.version = 3;
    s->type->write(s, &rec, &err);
    s->type->commit(s, "p/accounts", "{\"a\":1}", &err);
    s->type->commit(s, "p/acct_1a", "{\"cp\":\"1a\"}", &err);
    s->type->commit(s, "p/acct_1b", "{\"cp\":\"1b\"}", &err);
    s->type->commit(s, "p/acct_1a", "{\"cp\":\"1a2\"}", &err);
    sink_close(s);
    out = capture_end();
    CHECK(strstr(out, "\"key_properties\":[\"id\",\"_sdc_account\"]") != NULL,
          "several accounts: the key is id and _sdc_account");
    CHECK(strstr(out, "\"record\":{\"id\":\"ch_7\",\"_sdc_account\":"
                      "\"acct_1a\",\"_sdc_deleted_at\":\"1970-01-02T00:00:"
                      "00Z\"}") != NULL,
          "a record carries its account (and its deletion)");
    CHECK(strstr(out, "\"record\":{\"id\":\"ch_7\",\"_sdc_account\":"
                      "\"acct_1b\"}") != NULL,
          "an id of two accounts is two objects: the older copy is sent");
    CHECK(strstr(line = last_line(out, "{\"type\":\"STATE\""),
                 "\"recall\":\"charges:acct_1") != NULL,
          "and recalled by account and id");
    free(line);
    CHECK_INT((long)count(out, "\"type\":\"STATE\""), 2,
              "four commits: a STATE at the first, the next at the end");
    line = last_line(out, "{\"type\":\"STATE\"");
    CHECK(strstr(line, "\"checkpoints\":{\"accounts\":\"{\\\"a\\\":1}\","
                       "\"acct_1a\":\"{\\\"cp\\\":\\\"1a2\\\"}\","
                       "\"acct_1b\":") != NULL,
          "the last holds every account's newest checkpoint");
    value = strstr(line, "\"value\":") + 8;
    text = xstrndup(value, strlen(value) - 1); /* the message's brace */
    files_put(path, text);
    s = open_several(path, "600000", &err);
    s->type->load_state(s, "q/acct_1b", &json, &err);
    CHECK_STR(json, "{\"cp\":\"1b\"}",
              "resumed under another profile name: each account's own");
    free(json);
    s->type->load_state(s, "q/acct_9", &json, &err);
    CHECK(json == NULL, "an account not in the state has none");
    sink_close(s);
    s = open_singer(path, NULL);
    CHECK_INT(s->type->load_state(s, "p", &json, &err), -1,
              "a run of one account refuses the state of several");
    CHECK(strstr(err.msg, "written by a run of several accounts") != NULL,
          "... saying so");
    sink_close(s);
    free(text);
    free(line);
    free(out);
    free(path);
}

static void test_bad_state(const char *value, const char *msg, const char *what)
{
    char *path = files_path(dir, "bad.json");
    struct sink_opts o;
    struct sink *s = NULL;
    struct err err = ERR_INIT;

    files_put(path, value);
    memset(&o, 0, sizeof(o));
    sink_opts_add(&o, "state", path, "--state");
    CHECK_INT(sink_open(&s, "singer:-", &o, &err), -1, what);
    CHECK_INT(err.kind, ERR_CONFIG, "a config error (exit 3)");
    CHECK(strstr(err.msg, msg) != NULL, msg);
    if (!strstr(err.msg, msg)) {
        printf("# %s\n", err.msg);
    }
    sink_close(s);
    free(path);
}

int main(void)
{
    char *state_line = NULL;

    dir = files_tmpdir("singer");
    test_one_run(&state_line);
    test_resumed(state_line);
    test_several();
    test_bad_state("{\"stripe_reader\":{\"format\":2,\"checkpoint\":\"{}\","
                   "\"recall\":\"charges:ch_1=x\",\"below\":\"\"}}",
                   "'recall' is damaged near 'charges:ch_1=x'",
                   "a damaged recall is refused");
    test_bad_state("{\"stripe_reader\":{\"format\":2,\"checkpoint\":\"{}\","
                   "\"recall\":\"\",\"below\":\"nostream=5\"}}",
                   "'below' is damaged", "a damaged 'below' is refused");
    test_bad_state("{\"stripe_reader\":{\"format\":1,\"checkpoint\":\"{}\"}}",
                   "format 1 is not 2", "a state of format 1 is refused");
    free(state_line);
    files_rm_rf(dir);
    free(dir);
    return check_done();
}
