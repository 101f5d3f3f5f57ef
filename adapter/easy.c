/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "adapter/easy.h"

#include "profiles/profile.h"

const char *easy_user_agent(const struct adapter_cfg *cfg)
{
    if (cfg->user_agent && *cfg->user_agent) {
        return cfg->user_agent;
    }
    return "stripe-reader/" STRIPE_READER_VERSION;
}

void easy_setup(CURL *h, const struct adapter_cfg *cfg)
{
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 */
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS,
                     (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_USERAGENT, easy_user_agent(cfg));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, cfg->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, cfg->timeout_ms);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    if (cfg->ca_bundle && *cfg->ca_bundle) {
        curl_easy_setopt(h, CURLOPT_CAINFO, cfg->ca_bundle);
    }
}

void easy_global_init(void)
{
    static int done;

    if (!done) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        done = 1;
    }
}
