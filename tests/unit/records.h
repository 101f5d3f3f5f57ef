/* SPDX-License-Identifier: MIT */
/*
 * For sink unit tests: the typed columns of a test charge (id, created
 * 1700000000, livemode false, amount), as the reader would extract them.
 * Header-only: each test binary is one .c file.
 */
#ifndef TESTS_UNIT_RECORDS_H
#define TESTS_UNIT_RECORDS_H

#include <stdint.h>
#include <string.h>
#include "model/columns.h"
#include "model/streams.h"

static inline void charge_cols(struct colval *cols, const char *id,
                               int64_t amount)
{
    const struct stream *st = stream_find("charges");

    memset(cols, 0, sizeof(*cols) * MAX_COLUMNS);
    cols[COLUMN_ID].kind = COLVAL_TEXT;
    cols[COLUMN_ID].text = id;
    cols[COLUMN_CREATED].kind = COLVAL_INT;
    cols[COLUMN_CREATED].i = 1700000000;
    cols[COLUMN_LIVEMODE].kind = COLVAL_BOOL;
    cols[stream_column(st, "amount")].kind = COLVAL_INT;
    cols[stream_column(st, "amount")].i = amount;
}

#endif
