/* SPDX-License-Identifier: MIT */
/*
 * Typed column values of a record, as every sink projects them from the
 * stream table (reader/streams.h).
 */
#ifndef SINKS_COLUMNS_H
#define SINKS_COLUMNS_H

#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>

struct column;

enum colval_kind {
    COLVAL_NULL,
    COLVAL_TEXT,
    COLVAL_INT,
    COLVAL_BOOL
};

struct colval {
    enum colval_kind kind;
    const char *text; /* COLVAL_TEXT: borrowed from the cJSON tree */
    int64_t i;        /* COLVAL_INT, COLVAL_BOOL */
};

/*
 * The value of 'col' in 'obj'.  A value of the wrong type for the column
 * (or an integer beyond +-2^53, which cJSON cannot hold exactly) is NULL:
 * the raw JSON beside the typed columns keeps it exactly.
 */
void column_value(const struct column *col, const cJSON *obj,
                  struct colval *out);

#endif
