/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "reader/streams.h"
#include "core/err.h"
#include "core/strutil.h"

/* Columns every stream has first (from the object itself). */
#define COMMON_COLUMNS                                                         \
    { "id", COL_TEXT, "id", "Stripe object id" },                              \
        { "livemode", COL_BOOL, "livemode", "true for live-mode data" },       \
    {                                                                          \
        "created", COL_INT, "created", "creation time, unix seconds"           \
    }

static const struct column charge_columns[] = {
    COMMON_COLUMNS,
    { "amount", COL_INT, "amount", "amount in the smallest currency unit" },
    { "amount_captured", COL_INT, "amount_captured", "amount captured" },
    { "amount_refunded", COL_INT, "amount_refunded", "amount refunded" },
    { "currency", COL_TEXT, "currency", "ISO currency code, lower case" },
    { "status", COL_TEXT, "status", "succeeded, pending or failed" },
    { "paid", COL_BOOL, "paid", "the charge succeeded" },
    { "captured", COL_BOOL, "captured", "the charge was captured" },
    { "refunded", COL_BOOL, "refunded", "fully refunded" },
    { "disputed", COL_BOOL, "disputed", "a dispute was opened" },
    { "customer", COL_TEXT, "customer", "customer id (cus_)" },
    { "payment_intent", COL_TEXT, "payment_intent", "PaymentIntent id" },
    { "balance_transaction", COL_TEXT, "balance_transaction",
      "balance transaction id (txn_)" },
    { "description", COL_TEXT, "description", "description" },
    { "failure_code", COL_TEXT, "failure_code", "failure code" },
    { "receipt_email", COL_TEXT, "receipt_email", "receipt e-mail" },
    { "payment_method_type", COL_TEXT, "payment_method_details.type",
      "card, sepa_debit, ..." },
};

static const struct column payout_columns[] = {
    COMMON_COLUMNS,
    { "arrival_date", COL_INT, "arrival_date", "expected arrival, unix s" },
    { "amount", COL_INT, "amount", "amount in the smallest currency unit" },
    { "currency", COL_TEXT, "currency", "ISO currency code, lower case" },
    { "status", COL_TEXT, "status",
      "paid, pending, in_transit, canceled or failed" },
    { "method", COL_TEXT, "method", "standard or instant" },
    { "type", COL_TEXT, "type", "bank_account or card" },
    { "automatic", COL_BOOL, "automatic", "created by an automatic schedule" },
    { "destination", COL_TEXT, "destination", "bank account or card id" },
    { "balance_transaction", COL_TEXT, "balance_transaction",
      "balance transaction id (txn_)" },
    { "failure_code", COL_TEXT, "failure_code", "failure code" },
    { "description", COL_TEXT, "description", "description" },
};

static const struct column event_columns[] = {
    COMMON_COLUMNS,
    { "type", COL_TEXT, "type", "event type, e.g. charge.captured" },
    { "api_version", COL_TEXT, "api_version",
      "API version data.object is rendered at" },
    { "object_id", COL_TEXT, "data.object.id", "id of data.object" },
    { "object_type", COL_TEXT, "data.object.object",
      "type of data.object (charge, dispute, ...)" },
    { "request_id", COL_TEXT, "request.id",
      "API request that caused it (null: automatic)" },
    { "pending_webhooks", COL_INT, "pending_webhooks",
      "webhooks not yet delivered" },
};

const struct stream streams[] = {
    { "charges", "/v1/charges", "charge", "rak_charge_read", "charge.", false,
      charge_columns, ARRAY_SIZE(charge_columns) },
    { "events", "/v1/events", "event", "rak_event_read", NULL, true,
      event_columns, ARRAY_SIZE(event_columns) },
    { "payouts", "/v1/payouts", "payout", "rak_payout_read", "payout.", false,
      payout_columns, ARRAY_SIZE(payout_columns) },
};

const size_t nr_streams = ARRAY_SIZE(streams);

const struct stream *stream_find(const char *name)
{
    for (size_t i = 0; i < nr_streams; i++) {
        if (!strcmp(streams[i].name, name)) {
            return &streams[i];
        }
    }
    return NULL;
}

int stream_column(const struct stream *s, const char *name)
{
    for (size_t i = 0; i < s->nr_columns; i++) {
        if (!strcmp(s->columns[i].name, name)) {
            return (int)i;
        }
    }
    return -1;
}

size_t stream_index(const struct stream *s)
{
    return (size_t)(s - streams);
}

static int unknown_stream(const char *name, struct err *err)
{
    const char *names[ARRAY_SIZE(streams) + 1];
    const char *hint;

    for (size_t i = 0; i < nr_streams; i++) {
        names[i] = streams[i].name;
    }
    names[nr_streams] = NULL;
    hint = suggest(name, names);
    if (hint) {
        return err_set(err, ERR_USAGE,
                       "unknown stream '%s' (did you mean '%s'?)", name, hint);
    }
    return err_set(err, ERR_USAGE,
                   "unknown stream '%s' (streams: charges, events, "
                   "payouts)",
                   name);
}

int stream_select(const char *list, const struct stream **out, size_t max,
                  struct err *err)
{
    size_t n = 0;
    const char *p = list;

    if (!list || !*list) {
        for (size_t i = 0; i < nr_streams && n < max; i++) {
            out[n++] = &streams[i];
        }
        return (int)n;
    }
    while (*p) {
        char name[64];
        size_t len = strcspn(p, ",");
        const struct stream *s;
        bool dup = false;

        snprintf(name, sizeof(name), "%.*s", (int)len, p);
        p += len;
        if (*p == ',') {
            p++;
        }
        if (!*name) {
            continue;
        }
        s = stream_find(name);
        if (!s) {
            return unknown_stream(name, err);
        }
        for (size_t i = 0; i < n; i++) {
            dup = dup || out[i] == s;
        }
        if (!dup && n < max) {
            out[n++] = s;
        }
    }
    if (n == 0) {
        return err_set(err, ERR_USAGE, "no stream selected");
    }
    return (int)n;
}

int streams_parse(const char *list, unsigned *mask, struct err *err)
{
    const struct stream *sel[16];
    int n = stream_select(list, sel, ARRAY_SIZE(sel), err);

    *mask = 0;
    for (int i = 0; i < n; i++) {
        *mask |= 1u << stream_index(sel[i]);
    }
    return n < 0 ? -1 : 0;
}

const char *col_type_name(enum col_type t)
{
    switch (t) {
    case COL_TEXT:
        return "text";
    case COL_INT:
        return "integer";
    case COL_BOOL:
        return "boolean";
    }
    return "text";
}
