/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/redact.h"
#include "core/buf.h"
#include "core/xalloc.h"

/*
 * A process-wide list: secrets are registered by whichever layer reads
 * them, and must be redacted by every layer that prints.  It is the one
 * piece of global state that is deliberate (git's trace2 redaction works
 * the same way).
 */
static char **secrets;
static size_t nr_secrets, alloc_secrets;

void secret_register(const char *s)
{
    /* shorter strings are not credentials Stripe issues; masking them
     * would mangle ordinary text */
    if (!s || strlen(s) < 8) {
        return;
    }
    for (size_t i = 0; i < nr_secrets; i++) {
        if (!strcmp(secrets[i], s)) {
            return;
        }
    }
    ALLOC_GROW(secrets, nr_secrets + 1, alloc_secrets);
    secrets[nr_secrets++] = xstrdup(s);
}

void secret_clear_all(void)
{
    for (size_t i = 0; i < nr_secrets; i++) {
        free(secrets[i]);
    }
    FREE_AND_NULL(secrets);
    nr_secrets = alloc_secrets = 0;
}

void secret_mask(const char *secret, char *out, size_t size)
{
    size_t len = strlen(secret);
    size_t prefix = 0;
    int underscores = 0;

    if (len < 8) {
        snprintf(out, size, "***");
        return;
    }
    while (prefix < len && prefix < 12) {
        if (secret[prefix++] == '_' && ++underscores == 2) {
            break;
        }
    }
    if (underscores == 0) {
        prefix = 0;
    }
    else if (underscores == 1) {
        prefix = (size_t)(strchr(secret, '_') - secret) + 1;
    }
    /* never show more than a third of a short secret */
    if (prefix + 4 > len / 2) {
        prefix = 0;
    }
    snprintf(out, size, "%.*s...%s", (int)prefix, secret, secret + len - 4);
}

static void redact_one(struct buf *b, const char *secret)
{
    char mask[64];
    size_t slen = strlen(secret);
    size_t mlen;
    char *hit;

    secret_mask(secret, mask, sizeof(mask));
    mlen = strlen(mask);
    while ((hit = strstr(b->buf, secret))) {
        size_t at = (size_t)(hit - b->buf);
        size_t tail = b->len - at - slen;

        /* masks are shorter than secrets of >= 8 chars, so this shrinks */
        memcpy(hit, mask, mlen);
        memmove(hit + mlen, hit + slen, tail + 1);
        b->len -= slen - mlen;
    }
}

void redact_buf(struct buf *b)
{
    for (size_t i = 0; i < nr_secrets && b->alloc; i++) {
        redact_one(b, secrets[i]);
    }
}

void redact_str(char *s, size_t size)
{
    struct buf b = BUF_INIT;

    if (!nr_secrets) {
        return;
    }
    buf_addstr(&b, s);
    redact_buf(&b);
    snprintf(s, size, "%s", b.buf);
    buf_release(&b);
}
