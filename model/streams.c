/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "model/streams.h"
#include "core/err.h"
#include "core/strutil.h"

/*
 * A column whose value is the member 'path' of the object, and one whose
 * value is 'sub' (dotted) inside the member 'key'.  key_len is the length
 * of the first path segment, which the field extractor matches against
 * each top-level member (reader/fields.c).
 */
#define COL(name, type, path, doc)                                             \
    {                                                                          \
        name, type, path, doc, sizeof(path) - 1                                \
    }
#define COL_AT(name, type, key, sub, doc)                                      \
    {                                                                          \
        name, type, key "." sub, doc, sizeof(key) - 1                          \
    }

/* Columns every stream has first (from the object itself). */
#define COMMON_COLUMNS                                                         \
    COL("id", COL_TEXT, "id", "Stripe object id"),                             \
        COL("livemode", COL_BOOL, "livemode", "true for live-mode data"),      \
        COL("created", COL_INT, "created", "creation time, unix seconds")

static const struct column charge_columns[] = {
    COMMON_COLUMNS,
    COL("amount", COL_INT, "amount", "amount in the smallest currency unit"),
    COL("amount_captured", COL_INT, "amount_captured", "amount captured"),
    COL("amount_refunded", COL_INT, "amount_refunded", "amount refunded"),
    COL("currency", COL_TEXT, "currency", "ISO currency code, lower case"),
    COL("status", COL_TEXT, "status", "succeeded, pending or failed"),
    COL("paid", COL_BOOL, "paid", "the charge succeeded"),
    COL("captured", COL_BOOL, "captured", "the charge was captured"),
    COL("refunded", COL_BOOL, "refunded", "fully refunded"),
    COL("disputed", COL_BOOL, "disputed", "a dispute was opened"),
    COL("customer", COL_TEXT, "customer", "customer id (cus_)"),
    COL("payment_intent", COL_TEXT, "payment_intent", "PaymentIntent id"),
    COL("balance_transaction", COL_TEXT, "balance_transaction",
        "balance transaction id (txn_)"),
    COL("description", COL_TEXT, "description", "description"),
    COL("failure_code", COL_TEXT, "failure_code", "failure code"),
    COL("receipt_email", COL_TEXT, "receipt_email", "receipt e-mail"),
    COL_AT("payment_method_type", COL_TEXT, "payment_method_details", "type",
           "card, sepa_debit, ..."),
};

static const struct column payout_columns[] = {
    COMMON_COLUMNS,
    COL("arrival_date", COL_INT, "arrival_date", "expected arrival, unix s"),
    COL("amount", COL_INT, "amount", "amount in the smallest currency unit"),
    COL("currency", COL_TEXT, "currency", "ISO currency code, lower case"),
    COL("status", COL_TEXT, "status",
        "paid, pending, in_transit, canceled or failed"),
    COL("method", COL_TEXT, "method", "standard or instant"),
    COL("type", COL_TEXT, "type", "bank_account or card"),
    COL("automatic", COL_BOOL, "automatic", "created by an automatic schedule"),
    COL("destination", COL_TEXT, "destination", "bank account or card id"),
    COL("balance_transaction", COL_TEXT, "balance_transaction",
        "balance transaction id (txn_)"),
    COL("failure_code", COL_TEXT, "failure_code", "failure code"),
    COL("description", COL_TEXT, "description", "description"),
};

static const struct column event_columns[] = {
    COMMON_COLUMNS,
    COL("type", COL_TEXT, "type", "event type, e.g. charge.captured"),
    COL("api_version", COL_TEXT, "api_version",
        "API version data.object is rendered at"),
    COL_AT("object_id", COL_TEXT, "data", "object.id", "id of data.object"),
    COL_AT("object_type", COL_TEXT, "data", "object.object",
           "type of data.object (charge, dispute, ...)"),
    COL_AT("request_id", COL_TEXT, "request", "id",
           "API request that caused it (null: automatic)"),
    COL("pending_webhooks", COL_INT, "pending_webhooks",
        "webhooks not yet delivered"),
};

/*
 * Disputes and refunds change a charge without carrying it (reference
 * §2, §9.3): charge.dispute.* carry a Dispute; charge.refund.updated and,
 * since 2024-10-28 for every payment method, refund.created,
 * refund.updated and refund.failed carry a Refund (a failed refund lowers
 * the charge's amount_refunded).
 */
static const struct event_route charge_routes[] = {
    { "charge", "", ROUTE_SELF, NULL },
    { "dispute", "charge.dispute.", ROUTE_REREAD, "charge" },
    { "refund", "charge.refund.", ROUTE_REREAD, "charge" },
    { "refund", "refund.", ROUTE_REREAD, "charge" },
};

/*
 * Before 2017-04-06 payouts were transfers: payout.* events rendered at
 * an older account version carry "object": "transfer"
 * (docs.stripe.com/transfer-payout-split; tap-stripe maps payouts to
 * ['transfer', 'payout']).  Such a copy is never at the pinned version,
 * so it is re-read as a payout.
 */
static const struct event_route payout_routes[] = {
    { "payout", "", ROUTE_SELF, NULL },
    { "transfer", "payout.", ROUTE_SELF, NULL },
};

#define ROUTES(r) r, ARRAY_SIZE(r)

const struct stream streams[] = {
    { "charges", "/v1/charges", "charge", "rak_charge_read", false,
      charge_columns, ARRAY_SIZE(charge_columns), ROUTES(charge_routes) },
    { "events", "/v1/events", "event", "rak_event_read", true, event_columns,
      ARRAY_SIZE(event_columns), NULL, 0 },
    { "payouts", "/v1/payouts", "payout", "rak_payout_read", false,
      payout_columns, ARRAY_SIZE(payout_columns), ROUTES(payout_routes) },
};

const size_t nr_streams = ARRAY_SIZE(streams);

_Static_assert(ARRAY_SIZE(streams) <= MAX_STREAMS,
               "MAX_STREAMS is smaller than the stream table");
_Static_assert(MAX_STREAMS <= 32, "stream masks are 32-bit unsigned");

const struct stream *stream_find(const char *name)
{
    for (size_t i = 0; i < nr_streams; i++) {
        if (!strcmp(streams[i].name, name)) {
            return &streams[i];
        }
    }
    return NULL;
}

const struct event_route *stream_route(const struct stream *s, const char *type,
                                       const char *object)
{
    for (size_t i = 0; i < s->nr_routes; i++) {
        const struct event_route *r = &s->routes[i];

        if (!strcmp(r->object, object) && starts_with(type, r->type_prefix)) {
            return r;
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
    const struct stream *sel[MAX_STREAMS];
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
