/* SPDX-License-Identifier: MIT */
/*
 * Secret redaction, the last line of defence: every secret the program
 * learns (API keys, access and refresh tokens, client secrets) is
 * registered here as soon as it is read, and everything the program
 * prints (logs, error messages, command output) passes through
 * redact_buf()/redact_str(), which replace any registered secret with its
 * masked form.
 *
 * The masked form shows only what identifies a key: its prefix up to and
 * including the second '_' (e.g. "sk_test_") when it has one, and its last
 * four characters: "sk_test_...abcd".  Strings shorter than 8 characters
 * are not accepted as secrets.
 */
#ifndef CORE_REDACT_H
#define CORE_REDACT_H

#include <stddef.h>

struct buf;

/* Remember 's' as a secret (copied).  Strings under 8 bytes are ignored. */
void secret_register(const char *s);
/* Forget all secrets (tests). */
void secret_clear_all(void);
/* Write the masked form of 'secret' into 'out' (size >= 32). */
void secret_mask(const char *secret, char *out, size_t size);
/* Replace every registered secret in 'b' by its masked form. */
void redact_buf(struct buf *b);
/* Same for a NUL-terminated string in a fixed-size array. */
void redact_str(char *s, size_t size);

#endif
