/* SPDX-License-Identifier: MIT */
/*
 * The report of a run: the JSON summary (--summary-json and the sink's
 * run history) and the one-line summary on stderr.
 */
#include "core/compat.h"
#include "cli/run_int.h"
#include "adapter/adapter.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/log.h"
#include "core/strutil.h"
#include "model/streams.h"
#include "sinks/sink.h"

#include <time.h>

/* Stripe's clock now: the last reply's Date, else the host's clock. */
static int64_t stripe_now(const struct run *r)
{
    int64_t t = r->ad ? adapter_server_time(r->ad) : 0;

    return t ? t : (int64_t)time(NULL) + (r->have_cp ? r->cp.server_skew : 0);
}

static const struct stream_set *run_set(const struct run *r)
{
    for (size_t i = 0; r->kind == RUN_BACKFILL && i < r->cp.nr_backfills; i++) {
        if (!strcmp(r->cp.backfills[i].range, r->range)) {
            return &r->cp.backfills[i].set;
        }
    }
    return &r->cp.sync;
}

/* A stream's mark as a user knows it: with a hidden twin (canceled
 * subscriptions, inactive prices), what both lists have reached. */
struct mark {
    bool has_hwm;
    int64_t hwm, pass_hi, newest;
    size_t windows;
};

static struct mark folded_mark(const struct stream_set *set, size_t i)
{
    struct mark m = { true, INT64_MAX, 0, 0, 0 };

    for (size_t k = 0; k < set->nr; k++) {
        const struct stream_state *st = &set->streams[k];

        if (!stream_part_of(st->stream, set->streams[i].stream)) {
            continue;
        }
        m.has_hwm = m.has_hwm && st->has_hwm;
        m.hwm = st->hwm < m.hwm ? st->hwm : m.hwm;
        if (st->hi != WINDOW_OPEN && st->hi > m.pass_hi) {
            m.pass_hi = st->hi;
        }
        m.newest = st->newest > m.newest ? st->newest : m.newest;
        m.windows += st->nr_windows;
    }
    return m;
}

/* "checkpoint": the mark reached and the pass under way, per stream. */
static void checkpoint_summary(const struct run *r, size_t i, struct buf *out)
{
    struct mark m;

    if (!r->have_cp) {
        buf_addstr(out, ",\"checkpoint\":{\"hwm\":null,\"pass_hi\":0,"
                        "\"windows\":0}");
        return;
    }
    m = folded_mark(run_set(r), i);
    buf_addstr(out, ",\"checkpoint\":{\"hwm\":");
    if (m.has_hwm) {
        buf_addf(out, "%lld", (long long)m.hwm);
    }
    else {
        buf_addstr(out, "null");
    }
    buf_addf(out, ",\"pass_hi\":%lld,\"windows\":%zu}", (long long)m.pass_hi,
             m.windows);
    if (m.newest) {
        buf_addf(out, ",\"newest_created\":%lld", (long long)m.newest);
    }
}

/* The lag between the newest stored event and now, for freshness alerts. */
static void freshness(const struct run *r, struct buf *out)
{
    const struct stream_state *ev;
    int64_t newest = 0;

    if (r->have_cp) {
        ev = &r->cp.sync.streams[stream_index(stream_find("events"))];
        newest = ev->newest;
        for (size_t b = 0; b < r->cp.nr_backfills; b++) {
            const struct stream_state *bs =
                &r->cp.backfills[b].set.streams[stream_index(ev->stream)];

            if (bs->newest > newest) {
                newest = bs->newest;
            }
        }
    }
    buf_addstr(out, ",\"newest_event_created\":");
    if (newest) {
        buf_addf(out, "%lld,\"lag_seconds\":%lld", (long long)newest,
                 (long long)(stripe_now(r) - newest));
    }
    else {
        buf_addstr(out, "null,\"lag_seconds\":null");
    }
}

/*
 * The counts of stream i as a user knows it: a hidden twin's (inactive
 * prices) are added to the stream it is stored as and it has none.
 */
static struct engine_stream_stats folded(const struct run *r, size_t i)
{
    struct engine_stream_stats s = r->res.streams[i];

    for (size_t k = 0; k < nr_streams; k++) {
        const struct engine_stream_stats *t = &r->res.streams[k];

        if (streams[k].store_as == &streams[i]) {
            s.pages += t->pages;
            s.listed += t->listed;
            s.updated += t->updated;
            s.retrieved += t->retrieved;
            s.reread_skipped += t->reread_skipped;
            s.doubted += t->doubted;
        }
    }
    return s;
}

/* The visible streams skipped because the key may not read them (a twin
 * or a child counts as its stream): "a,b" into 'out', or nothing. */
static void skipped_names(const struct run *r, struct buf *out, bool json)
{
    size_t n = 0;

    for (size_t i = 0; i < nr_streams; i++) {
        const struct stream *s = &streams[i];

        if (!(r->res.unreadable & (1u << i)) || stream_hidden(s) ||
            (s->parent &&
             (r->res.unreadable & (1u << stream_index(s->parent))))) {
            continue;
        }
        buf_addstr(out, n++ ? (json ? "," : ", ") : "");
        if (json) {
            json_quote(out, s->name);
        }
        else {
            buf_addstr(out, s->name);
        }
    }
}

void summary_json(const struct run *r, int rc, const struct err *err,
                  struct buf *out)
{
    const struct adapter_stats *as = r->ad ? adapter_stats(r->ad) : NULL;
    int64_t now = (int64_t)time(NULL);

    buf_addstr(out, "{\"profile\":");
    json_quote(out, r->p.name ? r->p.name : "");
    buf_addf(out,
             ",\"command\":\"%s\",\"started_at\":%lld,"
             "\"ended_at\":%lld,\"duration_ms\":%lld,\"status\":\"%s\","
             "\"exit_code\":%d",
             r->kind == RUN_SYNC ? "sync" : "backfill",
             (long long)r->started_at, (long long)now,
             (long long)(monotonic_ms() - r->started_ms),
             rc == 0 ? "ok" : err_kind_name(err->kind),
             rc == 0 ? 0 : err_exit_code(err->kind));
    if (rc != 0) {
        buf_addstr(out, ",\"error\":");
        json_quote(out, err->msg);
    }
    buf_addf(out,
             ",\"requests\":%ld,\"retries\":%ld,\"rate_limited\":%ld,"
             "\"commits\":%ld,",
             as ? as->requests : 0, as ? as->retries : 0,
             as ? as->rate_limited_429 : 0, r->res.commits);
    if (as) {
        buf_addf(out, "\"pace\":{\"budget_rps\":%.2f,\"settled_rps\":%.2f},",
                 as->global_budget, as->global_pace);
    }
    buf_addf(out, "\"rereads_owed\":%zu,\"skipped_streams\":[",
             r->have_cp ? strset_count(&r->cp.owed) : (size_t)0);
    skipped_names(r, out, true);
    buf_addstr(out, "]");
    run_accounts_json(r, out);
    buf_addstr(out, ",\"streams\":{");
    for (size_t i = 0, n = 0; i < nr_streams; i++) {
        struct engine_stream_stats f = folded(r, i);
        const struct engine_stream_stats *s = &f;

        if (stream_hidden(&streams[i])) {
            continue;
        }
        buf_addf(out,
                 "%s\"%s\":{\"pages\":%ld,\"listed\":%ld,"
                 "\"updated\":%ld,\"retrieved\":%ld,\"reread_skipped\":%ld,"
                 "\"doubted\":%ld",
                 n++ ? "," : "", streams[i].name, s->pages, s->listed,
                 s->updated, s->retrieved, s->reread_skipped, s->doubted);
        checkpoint_summary(r, i, out);
        buf_addch(out, '}');
    }
    buf_addch(out, '}');
    freshness(r, out);
    buf_addch(out, '}');
}

void summary_print(const struct run *r, int rc, const struct err *err)
{
    const struct adapter_stats *as = r->ad ? adapter_stats(r->ad) : NULL;
    struct buf line = BUF_INIT;

    buf_addf(&line, "%s:", r->kind == RUN_SYNC ? "sync" : "backfill");
    for (size_t i = 0, n = 0; i < nr_streams; i++) {
        struct engine_stream_stats s = folded(r, i);

        if (stream_hidden(&streams[i])) {
            continue;
        }
        buf_addf(&line, "%s %s %ld", n++ ? "," : "", streams[i].name, s.listed);
        if (s.updated || s.retrieved) {
            buf_addf(&line, " (+%ld updated)", s.updated + s.retrieved);
        }
    }
    buf_addch(&line, ';');
    buf_addf(&line, " %ld requests, %ld retries, %ld 429s, %.1f s",
             as ? as->requests : 0, as ? as->retries : 0,
             as ? as->rate_limited_429 : 0,
             (double)(monotonic_ms() - r->started_ms) / 1000.0);
    if (as && as->rate_limited_429 && as->global_budget > 0) {
        /* where the pace settled after slowing down for 429s */
        buf_addf(&line, " (pace %.1f of %.1f requests/s)", as->global_pace,
                 as->global_budget);
    }
    if (r->multi) {
        buf_addf(&line, "; accounts: %zu ok, %zu failed", r->tally.ok,
                 r->tally.failed);
        if (r->tally.waiting || r->tally.not_reached) {
            buf_addf(&line, ", %zu waiting, %zu not reached", r->tally.waiting,
                     r->tally.not_reached);
        }
    }
    if (r->res.unreadable) {
        buf_addstr(&line, "; skipped, the key may not read them: ");
        skipped_names(r, &line, false);
    }
    buf_addf(&line, "; %s", rc == 0 ? "ok" : err_kind_name(err->kind));
    log_notice("%s", line.buf);
    buf_release(&line);
}

void summary_write(const char *path, const struct buf *json)
{
    FILE *fp = strcmp(path, "-") ? fopen(path, "w") : stdout;
    bool ok = fp && fwrite(json->buf, 1, json->len, fp) == json->len &&
              fputc('\n', fp) != EOF;

    if (fp && fp != stdout) {
        ok = fclose(fp) == 0 && ok;
    }
    else if (fp) {
        ok = fflush(fp) == 0 && ok;
    }
    if (!ok) {
        log_error("cannot write the summary to '%s': %s", path,
                  strerror(errno));
    }
}

void summary_record(struct run *r, int rc, const struct err *err)
{
    struct buf json = BUF_INIT;
    struct err e2 = ERR_INIT;

    summary_json(r, rc, err, &json);
    if (r->sink && r->sink->type->record_run(r->sink, json.buf, &e2) < 0) {
        log_warn("cannot record the run: %s", e2.msg);
    }
    if (r->o->summary_json) {
        summary_write(r->o->summary_json, &json);
    }
    buf_release(&json);
}
