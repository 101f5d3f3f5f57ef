/* SPDX-License-Identifier: MIT */
/*
 * The live progress display of sync and backfill, on a terminal only:
 * one line per stream with objects stored, requests, objects per second,
 * and, while a pass has a known end, the share of its time range done and
 * an ETA.  Redrawn in place at most four times a second; log lines are
 * printed above it (log.h hooks).  Never drawn on a non-terminal stderr
 * unless forced, so cron mail stays clean.
 */
#ifndef CLI_PROGRESS_H
#define CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/buf.h"

struct stream_set;
struct engine_stream_stats;

struct progress {
    bool on;
    FILE *fp;
    unsigned mask; /* streams shown */
    int64_t start_ms;
    int lines;       /* lines currently drawn */
    struct buf text; /* the last frame */
};

/* 'force': 1 on, 0 off, -1 when stderr is a terminal. */
void progress_init(struct progress *p, int force, unsigned mask);
/* engine_opts.progress callback */
void progress_update(void *data, const struct stream_set *set,
                     const struct engine_stream_stats *stats);
/* Erase the display and detach from the log. */
void progress_finish(struct progress *p);

#endif
