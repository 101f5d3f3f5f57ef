/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 (FIPS 180-4), for the checksums in the NDJSON manifest, so that
 * a loader can verify a file with `sha256sum` before loading it.
 */
#ifndef CORE_SHA256_H
#define CORE_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;

struct sha256 {
    uint32_t h[8];
    uint64_t len;
    unsigned char block[64];
    size_t used;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t n);
/* Finish and write the digest as 64 lower-case hex digits + NUL. */
void sha256_hex(struct sha256 *c, char out[65]);
/* Tests: use the portable code even where the CPU has SHA instructions. */
void sha256_use_portable(bool on);
/* Digest and size of a file.  -1 with ERR_IO naming the file. */
int sha256_file(const char *path, char out[65], uint64_t *size,
                struct err *err);

#endif
