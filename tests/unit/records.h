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
#include "model/record.h"
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

/*
 * A record of stream 'stream' (id 'id', created 1700000000, account "")
 * with the id and livemode columns set in 'cols' (MAX_COLUMNS); an event
 * copy marked deleted at 'deleted_at' when it is not 0, else a list copy.
 */
static inline void test_record(struct record *rec, struct colval *cols,
                               const char *stream, const char *id,
                               int64_t version, int64_t deleted_at,
                               const char *raw)
{
    memset(cols, 0, sizeof(*cols) * MAX_COLUMNS);
    cols[COLUMN_ID].kind = COLVAL_TEXT;
    cols[COLUMN_ID].text = id;
    cols[COLUMN_LIVEMODE].kind = COLVAL_BOOL;
    memset(rec, 0, sizeof(*rec));
    rec->stream = stream_find(stream);
    rec->id = id;
    rec->account = "";
    rec->created = 1700000000;
    rec->version = version;
    rec->source = deleted_at ? SOURCE_EVENT : SOURCE_LIST;
    rec->event_id = deleted_at ? "evt_del" : NULL;
    rec->extracted_at = 1;
    rec->deleted = deleted_at != 0;
    rec->deleted_at = deleted_at;
    rec->raw = raw;
    rec->raw_len = strlen(raw);
    rec->cols = cols;
}

#endif
