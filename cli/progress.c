/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "cli/progress.h"
#include "core/log.h"
#include "core/strutil.h"
#include "reader/checkpoint.h"
#include "reader/engine.h"
#include "model/streams.h"

#include <unistd.h>

static void erase(struct progress *p)
{
    for (int i = 0; i < p->lines; i++) {
        fputs("\033[1A\033[2K", p->fp);
    }
    p->lines = 0;
}

static void draw(struct progress *p)
{
    fwrite(p->text.buf, 1, p->text.len, p->fp);
    p->lines = 0;
    for (size_t i = 0; i < p->text.len; i++) {
        p->lines += p->text.buf[i] == '\n';
    }
    fflush(p->fp);
}

static void before_log(void *data)
{
    erase(data);
    fflush(((struct progress *)data)->fp);
}

static void after_log(void *data)
{
    draw(data);
}

void progress_init(struct progress *p, int force, unsigned mask)
{
    memset(p, 0, sizeof(*p));
    p->fp = stderr;
    p->mask = mask;
    p->start_ms = monotonic_ms();
    p->text = (struct buf)BUF_INIT;
    p->on = force > 0 || (force < 0 && isatty(STDERR_FILENO));
    if (p->on) {
        log_set_hooks(before_log, after_log, p);
    }
}

/* Share of the pass's range stored, -1 when its end is not known. */
static double share_done(const struct stream_state *st)
{
    double remaining = 0;

    if (st->hi == 0) {
        return st->has_hwm ? 1.0 : -1;
    }
    if (st->hi == WINDOW_OPEN || st->hi <= st->pass_lo) {
        return -1;
    }
    for (size_t i = 0; i < st->nr_windows; i++) {
        const struct window *w = st->windows[i];
        int64_t top = w->after ? w->after_created : w->hi;

        if (!w->done && top > w->lo) {
            remaining += (double)(top - w->lo);
        }
    }
    return 1.0 - remaining / (double)(st->hi - st->pass_lo);
}

static void eta(struct buf *b, double share, double secs)
{
    double left;

    if (share <= 0.001 || share >= 1.0) {
        buf_addstr(b, share >= 1.0 ? "  done" : "");
        return;
    }
    left = secs * (1.0 - share) / share;
    buf_addf(b, "  %3.0f%%  ETA %dm%02ds", share * 100, (int)left / 60,
             (int)left % 60);
}

void progress_update(void *data, const struct stream_set *set,
                     const struct engine_stream_stats *stats)
{
    struct progress *p = data;
    char name[STREAM_LABEL_MAX];
    double secs = (double)(monotonic_ms() - p->start_ms) / 1000.0;

    if (!p->on) {
        return;
    }
    buf_reset(&p->text);
    for (size_t i = 0; i < set->nr; i++) {
        const struct engine_stream_stats *s = &stats[i];
        long stored = s->listed + s->updated + s->retrieved;

        if (!(p->mask & (1u << i))) {
            continue;
        }
        buf_addf(&p->text, "%-9s %9ld stored %6ld requests %8.0f objects/s",
                 stream_label(set->streams[i].stream, name, sizeof(name)),
                 stored, s->pages + s->retrieved,
                 secs > 0 ? (double)stored / secs : 0.0);
        eta(&p->text, share_done(&set->streams[i]), secs);
        buf_addch(&p->text, '\n');
    }
    erase(p);
    draw(p);
}

void progress_finish(struct progress *p)
{
    if (p->on) {
        erase(p);
        fflush(p->fp);
        log_set_hooks(NULL, NULL, NULL);
    }
    buf_release(&p->text);
}
