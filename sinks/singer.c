/* SPDX-License-Identifier: MIT */
/*
 * The Singer sink (`singer:-`, issue 16): Singer messages on standard
 * output, one JSON object a line, for a Singer target (or Meltano).
 *
 * - SCHEMA once per stream, before its first record (sinks/singer.h);
 * - RECORD: the Stripe object as sent, its text copied, not re-encoded
 *   (no number is rounded through a double), with "_sdc_deleted_at"
 *   added for a deleted object, and time_extracted;
 * - STATE after every commit, once the records before it are written.
 *
 * The state belongs to the runner: the tap reads it (--state FILE, the
 * value of the last STATE its target confirmed) and never writes it.
 * Its value holds the reader's checkpoints (sinks/singer_state.h), each
 * as a JSON *string*: runners and targets may deep-merge successive
 * states (Meltano's --merge-state, targets' merge_state_messages), which
 * would revive members of an old checkpoint that a newer one dropped; a
 * string is replaced whole.  'recall' and 'below' say what the target
 * holds (sinks/singer_recall.h).
 *
 * A run of several connected accounts (option several-accounts=MS, set
 * by the run) adds "_sdc_account" to every record and to the key, and
 * keeps a checkpoint per account in one state.  That state grows with the
 * accounts, so it is written at a commit only when MS (the run's commit
 * interval) have passed since the last one, and once more at the end:
 * a STATE per commit would cost the square of the accounts.
 *
 * Delivery is at-least-once: records written after the state a runner
 * kept are written again by the next run, so a target must upsert on
 * the key properties.  It keeps the copy sent last, so no copy is sent
 * after a newer one: within a run the sink remembers what it sent; across
 * runs it recalls the newest objects from the state and says which copies
 * it cannot place (doubts), which the reader re-reads instead.  One state
 * per tap configuration: the key the reader commits under (the profile's
 * name) is not part of it.
 */
#include "core/compat.h"
#include "sinks/sink.h"
#include "sinks/singer.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/file.h"
#include "core/json.h"
#include "core/log.h"
#include "core/strset.h"
#include "core/strutil.h"
#include "core/xalloc.h"
#include "model/record.h"
#include "model/streams.h"
#include "sinks/singer_recall.h"
#include "sinks/singer_state.h"

struct singer_ctx {
    char *state_path; /* --state FILE, NULL: none */
    struct singer_states states;
    long every_ms;      /* several accounts: ms between STATEs, else 0 */
    int64_t last_ms;    /* when the last STATE was written */
    bool state_pending; /* a commit since the last STATE */
    bool schema_sent[MAX_STREAMS];
    /* per stream, id -> rank() of the newest copy written in this run */
    struct strset sent[MAX_STREAMS];
    /* per stream, id -> index in 'evids' of that copy's event, if any */
    struct strset sent_event[MAX_STREAMS];
    char **evids;
    size_t nr_evids, alloc_evids;
    struct singer_recall recall; /* from the state the run resumes */
    size_t recall_max;           /* objects the next states recall */
    struct buf line;
    struct buf key; /* object_key()'s */
    bool broken;    /* standard output failed: nothing more is written */
};

static struct singer_ctx *ctx_of(struct sink *s)
{
    return s->ctx;
}

static int singer_open(struct sink *s, const char *arg,
                       const struct sink_opts *o, struct err *err)
{
    struct singer_ctx *c = ctx_of(s);
    const char *state = sink_opts_get(o, "state");
    const char *recall = sink_opts_get(o, "recall");
    const char *several = sink_opts_get(o, "several-accounts");
    char *end;

    singer_recall_init(&c->recall);
    singer_states_init(&c->states, several != NULL);
    c->every_ms = several ? strtol(several, NULL, 10) : 0;
    if (strcmp(arg, "-")) {
        return err_set(err, ERR_CONFIG,
                       "a Singer tap writes to standard output: use "
                       "'singer:-'");
    }
    c->state_path = state ? xstrdup(state) : NULL;
    c->recall_max = SINGER_RECALL_DEFAULT;
    if (recall) {
        errno = 0;
        c->recall_max = (size_t)strtoull(recall, &end, 10);
        if (errno || *end || !*recall || *recall == '-' ||
            c->recall_max > 10000000) {
            return err_set(err, ERR_USAGE,
                           "option '--state-recall' expects a number of "
                           "objects (0 to 10000000)");
        }
    }
    /* read once, here: a bad state stops the run before anything is read */
    return c->state_path
               ? singer_states_load(&c->states, &c->recall, c->state_path, err)
               : 0;
}

static int singer_load_state(struct sink *s, const char *key, char **json,
                             struct err *err)
{
    struct singer_ctx *c = ctx_of(s);
    const char *cp = singer_states_get(&c->states, key);

    *json = NULL;
    if (singer_states_refuse(&c->states, key, c->state_path, err) < 0) {
        return -1;
    }
    *json = cp ? xstrdup(cp) : NULL;
    return 0;
}

struct listing {
    int (*fn)(const struct sink_state *, void *);
    void *data;
};

static int list_one(const char *key, const char *json, void *data)
{
    struct listing *l = data;
    struct sink_state st = { key, json, 0 };

    return l->fn(&st, l->data);
}

static int singer_list_states(struct sink *s,
                              int (*fn)(const struct sink_state *, void *),
                              void *data, struct err *err UNUSED)
{
    struct listing l = { fn, data };

    return singer_states_each(&ctx_of(s)->states, list_one, &l);
}

static int singer_delete_state(struct sink *s UNUSED, const char *key UNUSED,
                               struct err *err)
{
    return err_set(err, ERR_USAGE,
                   "a Singer state is kept by its runner, not by "
                   "stripe-reader: run without --state (Meltano: 'meltano "
                   "state clear')");
}

/* Write the line in c->line; a failure makes the sink refuse the rest. */
static int emit(struct singer_ctx *c, struct err *err)
{
    if (c->broken) {
        return err_set(err, ERR_IO,
                       "standard output failed earlier in this run; "
                       "nothing more is written");
    }
    if (fwrite(c->line.buf, 1, c->line.len, stdout) != c->line.len) {
        c->broken = true;
        return err_set(err, ERR_IO, "cannot write to standard output: %s",
                       strerror(errno));
    }
    return 0;
}

static void add_schema(struct buf *b, const struct stream *s, bool several)
{
    buf_addstr(b, "{\"type\":\"SCHEMA\",");
    singer_stream_members(b, s, several);
    buf_addstr(b,
               ",\"bookmark_properties\":[\"" SINGER_REPLICATION_KEY "\"]}\n");
}

/*
 * The object with "_sdc_deleted_at" (deleted) and "_sdc_account" (a run
 * of several accounts) added before its closing brace.
 */
static void add_object(struct buf *b, const struct record *rec, bool several)
{
    size_t len = rec->raw_len;
    const char *sep;
    char when[32];

    while (len > 0 && rec->raw[len - 1] != '}') {
        len--; /* minified: nothing follows the brace, but be safe */
    }
    if ((!rec->deleted && !several) || len == 0) {
        buf_add(b, rec->raw, rec->raw_len);
        return;
    }
    sep = len > 2 ? "," : ""; /* "{}" has no member to follow */
    buf_add(b, rec->raw, len - 1);
    if (several) {
        buf_addf(b, "%s\"" SINGER_ACCOUNT "\":", sep);
        json_quote(b, rec->account ? rec->account : "");
        sep = ",";
    }
    if (rec->deleted) {
        format_time(rec->deleted_at, when, sizeof(when));
        buf_addf(b, "%s\"" SINGER_DELETED_AT "\":\"%s\"", sep, when);
    }
    buf_addch(b, '}');
}

/*
 * The order of copies, as the other sinks rank them: version, then for a
 * tie a deletion (nothing follows it: soak seed 7101), then event < list
 * < retrieve.  A deletion's 3 fits the states' encoding (version * 4 +
 * tie) that earlier runs wrote; it leaves two deletions of one second
 * unranked by source (an event's and a stub from a sub-list read: both
 * say deleted, the target keeps the later sent, SQLite the stub).
 */
static int64_t rank(const struct record *rec)
{
    int64_t tie = rec->deleted                  ? 3
                  : rec->source == SOURCE_EVENT ? 0
                  : rec->source == SOURCE_LIST  ? 1
                                                : 2;

    return rec->version * 4 + tie;
}

/*
 * What an object is remembered and recalled by: its id; with several
 * accounts "<account>/<id>", since an id is unique only within an account
 * (a product or a coupon may be given its id: two accounts may both have
 * "gold").  Valid until the next call.
 */
static const char *object_key(struct singer_ctx *c, const char *account,
                              const char *id)
{
    if (!c->states.several) {
        return id;
    }
    buf_reset(&c->key);
    buf_addf(&c->key, "%s/%s", account ? account : "", id);
    return c->key.buf;
}

/*
 * A Singer target keeps the copy that arrives last, but the reader hands
 * over copies in no particular order (windows and events pages are read
 * concurrently, events newest first, overlaps re-read): a copy older than
 * one already written would undo it.  So a run writes a copy only if it
 * is as new as every copy of the object it wrote before, ties broken as
 * the SQLite sink breaks them, and as the copy the state recalls (a tie
 * with an event's copy is the same copy).  The cost is an entry per
 * object written in the run (some 70 bytes, and the event id of an
 * event's copy).
 */
static void remember_event(struct singer_ctx *c, size_t i, const char *key,
                           const struct record *rec)
{
    int64_t k;

    if (rec->source != SOURCE_EVENT || !rec->event_id) {
        strset_remove(&c->sent_event[i], key);
        return;
    }
    if (strset_get(&c->sent_event[i], key, &k)) {
        free(c->evids[k]);
        c->evids[k] = xstrdup(rec->event_id);
        return;
    }
    ALLOC_GROW(c->evids, c->nr_evids + 1, c->alloc_evids);
    c->evids[c->nr_evids] = xstrdup(rec->event_id);
    strset_set(&c->sent_event[i], key, (int64_t)c->nr_evids++);
}

static bool newer(struct singer_ctx *c, size_t i, const struct record *rec)
{
    const char *key = object_key(c, rec->account, rec->id);
    struct strset_entry *e = strset_find(&c->sent[i], key);
    int64_t k, r;

    if (e && rank(rec) < e->value) {
        return false;
    }
    if (!e && singer_recall_get(&c->recall, &streams[i], key, &r) &&
        (rank(rec) < r || (rank(rec) == r && rec->source == SOURCE_EVENT))) {
        return false;
    }
    /* two events of one second: the larger event id, as in SQLite */
    if (e && rank(rec) == e->value && rec->source == SOURCE_EVENT &&
        strset_get(&c->sent_event[i], key, &k) &&
        strcmp(rec->event_id ? rec->event_id : "", c->evids[k]) < 0) {
        return false;
    }
    strset_set(&c->sent[i], key, rank(rec));
    remember_event(c, i, key, rec);
    return true;
}

static int singer_write(struct sink *s, const struct record *rec,
                        struct err *err)
{
    struct singer_ctx *c = ctx_of(s);
    const struct stream *t = sink_stream(rec->stream);
    size_t i = stream_index(t);
    char when[32];

    if (!newer(c, i, rec)) {
        return 0;
    }
    buf_reset(&c->line);
    if (!c->schema_sent[i]) {
        add_schema(&c->line, t, c->states.several);
        c->schema_sent[i] = true;
    }
    buf_addstr(&c->line, "{\"type\":\"RECORD\",\"stream\":");
    json_quote(&c->line, t->name);
    buf_addstr(&c->line, ",\"record\":");
    add_object(&c->line, rec, c->states.several);
    format_time(rec->extracted_at, when, sizeof(when));
    buf_addf(&c->line, ",\"time_extracted\":\"%s\"}\n", when);
    return emit(c, err);
}

/*
 * May 'rec' be older than a copy the target got from an earlier run?  An
 * event's copy of an object this run has not sent, that the state does
 * not recall, ranked below what the state forgot.  A list or a retrieve
 * reads the object as it is now; a deletion is its last state; an
 * event's own copy never changes.
 */
static bool singer_doubts(struct sink *s, const struct record *rec)
{
    struct singer_ctx *c = ctx_of(s);
    const struct stream *t = sink_stream(rec->stream);
    size_t i = stream_index(t);
    const char *key = object_key(c, rec->account, rec->id);
    int64_t r;

    if (rec->source != SOURCE_EVENT || rec->deleted || t->is_events ||
        strset_contains(&c->sent[i], key) ||
        singer_recall_get(&c->recall, t, key, &r)) {
        return false;
    }
    return rank(rec) < c->recall.below[i];
}

/* The version of the last copy sent in this run, or recalled. */
static int singer_stored_version(struct sink *s, const struct stream *stream,
                                 const char *account, bool livemode UNUSED,
                                 const char *id, int64_t *version,
                                 struct err *err UNUSED)
{
    struct singer_ctx *c = ctx_of(s);
    const struct stream *t = sink_stream(stream);
    const char *key = object_key(c, account, id);
    int64_t r;

    if (!strset_get(&c->sent[stream_index(t)], key, &r) &&
        !singer_recall_get(&c->recall, t, key, &r)) {
        return 0;
    }
    *version = r / 4; /* rank() */
    return 1;
}

/* A STATE with every checkpoint kept, after the records it covers. */
static int write_state(struct singer_ctx *c, struct err *err)
{
    struct buf ranks = BUF_INIT, below = BUF_INIT;

    singer_recall_write(&c->recall, c->sent, c->recall_max, &ranks, &below);
    buf_reset(&c->line);
    buf_addstr(&c->line, "{\"type\":\"STATE\",\"value\":{\"stripe_reader\":{");
    singer_states_write(&c->states, &c->line);
    buf_addf(&c->line, ",\"recall\":%s,\"below\":%s}}}\n", ranks.buf,
             below.buf);
    buf_release(&ranks);
    buf_release(&below);
    if (emit(c, err) < 0) {
        return -1;
    }
    c->last_ms = monotonic_ms();
    c->state_pending = false;
    /* the state goes out with the records it covers, not later */
    if (fflush(stdout) != 0) {
        c->broken = true;
        return err_set(err, ERR_IO, "cannot write to standard output: %s",
                       strerror(errno));
    }
    return 0;
}

static int singer_commit(struct sink *s, const char *key,
                         const char *state_json, struct err *err)
{
    struct singer_ctx *c = ctx_of(s);

    singer_states_set(&c->states, key, state_json);
    c->state_pending = true;
    if (c->every_ms && c->last_ms &&
        monotonic_ms() - c->last_ms < c->every_ms) {
        return 0; /* several accounts: the next one, or the last, says it */
    }
    return write_state(c, err);
}

static int singer_record_run(struct sink *s UNUSED, const char *run_json UNUSED,
                             struct err *err UNUSED)
{
    return 0; /* standard output carries messages only */
}

static void singer_close(struct sink *s)
{
    struct singer_ctx *c = ctx_of(s);
    struct err err = ERR_INIT;

    if (c->state_pending && !c->broken && write_state(c, &err) < 0) {
        log_error("the last Singer state: %s", err.msg);
    }
    singer_states_release(&c->states);
    free(c->state_path);
    buf_release(&c->line);
    buf_release(&c->key);
    singer_recall_release(&c->recall);
    for (size_t i = 0; i < MAX_STREAMS; i++) {
        strset_release(&c->sent[i]);
        strset_release(&c->sent_event[i]);
    }
    for (size_t k = 0; k < c->nr_evids; k++) {
        free(c->evids[k]);
    }
    free(c->evids);
}

static const char *const singer_options[] = { "state", "recall",
                                              "several-accounts", NULL };

const struct sink_type sink_singer = {
    .name = "singer",
    .arg_doc = "-",
    .arg_what = "output ('-')",
    .description = "Singer messages on standard output (a Singer tap)",
    .options = singer_options,
    .ctx_size = sizeof(struct singer_ctx),
    .commit_ms = 10000,
    .open = singer_open,
    .load_state = singer_load_state,
    .list_states = singer_list_states,
    .delete_state = singer_delete_state,
    .write = singer_write,
    .doubts = singer_doubts,
    .stored_version = singer_stored_version,
    .commit = singer_commit,
    .record_run = singer_record_run,
    .close = singer_close,
};
