/* SPDX-License-Identifier: MIT */
/*
 * The options every libcurl easy handle of the adapter gets, in one
 * place, so the API requests and the OAuth token requests cannot drift
 * apart: TLS verification always on (CURLOPT_SSL_VERIFYPEER/HOST are
 * never touched; CURLOPT_CAINFO from the config), http and https only,
 * no redirects, no signals, the connect and per-attempt timeouts, the
 * user agent, and compressed replies.
 */
#ifndef ADAPTER_EASY_H
#define ADAPTER_EASY_H

#include <stddef.h>
#include <curl/curl.h>

struct adapter_cfg;

/* Set the common options on 'h' (after curl_easy_init or _reset). */
void easy_setup(CURL *h, const struct adapter_cfg *cfg);

/* The User-Agent value: cfg->user_agent or "stripe-reader/<version>". */
const char *easy_user_agent(const struct adapter_cfg *cfg);

/* Initialise libcurl once per process (idempotent, not thread-safe). */
void easy_global_init(void);

#endif
