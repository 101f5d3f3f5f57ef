/* SPDX-License-Identifier: MIT */
/*
 * A typed column value of a record, as the reader extracts it from the
 * object's text (reader/fields.h) and every sink stores it.
 */
#ifndef MODEL_COLUMNS_H
#define MODEL_COLUMNS_H

#include <stdint.h>

enum colval_kind { COLVAL_NULL, COLVAL_TEXT, COLVAL_INT, COLVAL_BOOL };

/*
 * A value of the wrong type for its column, and an integer beyond +-2^53
 * (which other tools cannot hold exactly), are NULL: the raw JSON beside
 * the typed columns keeps them exactly.
 */
struct colval {
    enum colval_kind kind;
    const char *text; /* COLVAL_TEXT: unescaped, NUL-terminated */
    int64_t i;        /* COLVAL_INT, COLVAL_BOOL */
};

#endif
