/* SPDX-License-Identifier: MIT */
/*
 * Stripe's error replies: the API's {"error": {"type", "code", "message",
 * ...}} and OAuth's {"error": "invalid_grant", "error_description": ...},
 * read into fixed-size fields (truncated, never failing), plus the HTTP
 * status texts used in messages ("403 Forbidden").
 */
#ifndef ADAPTER_APIERROR_H
#define ADAPTER_APIERROR_H

#include <stdbool.h>
#include <stddef.h>

struct api_error {
    bool json;         /* the body parsed as JSON */
    bool oauth;        /* it was OAuth's flat form */
    char type[48];     /* error.type, "" if none */
    char code[64];     /* error.code, or OAuth's error */
    char message[640]; /* error.message, or OAuth's error_description */
};

/* Read an error body; fields stay "" where the body has nothing. */
void api_error_parse(const char *body, size_t len, struct api_error *out);

/* "Forbidden" for 403, "" for a status it does not know. */
const char *http_status_text(long status);

#endif
