/* SPDX-License-Identifier: MIT */
/*
 * One NDJSON data file being written: under a temporary name (".NAME.tmp"
 * in its stream folder), plain or gzip, buffered, with a sticky error:
 * after the first failed write every later call fails the same way, and
 * part_finish() reports it.  part_publish() renames it to its final name
 * once it is durable; until then no reader can see it.
 */
#ifndef SINKS_NDJSON_PART_H
#define SINKS_NDJSON_PART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <zlib.h>

#include "core/sha256.h"

struct err;

struct part {
    char *rel;      /* "charges/000000000001-000.ndjson.gz" */
    char *tmp_path; /* "<dir>/charges/.000000000001-000.ndjson.gz.tmp" */
    char *path;     /* "<dir>/charges/000000000001-000.ndjson.gz" */
    FILE *fp;
    char *fp_buffer; /* fp's: glibc ignores setvbuf's size without one */
    gzFile gz;
    long records;
    long long raw_bytes; /* uncompressed */
    int64_t min_created, max_created;
    int error;          /* errno of the first failure, sticky */
    struct sha256 hash; /* plain files: of the bytes as written */
};

/*
 * The digest and size of the file as stored: computed while writing for
 * plain files, read back for gzip ones.  -1 with ERR_IO.
 */
int part_digest(struct part *p, char out[65], uint64_t *size, struct err *err);

int part_open(struct part *p, const char *dir, const char *stream,
              long long commit, int partno, bool gzip, struct err *err);
/* Append; -1 with ERR_IO on (sticky) failure. */
int part_write(struct part *p, const char *data, size_t n, struct err *err);
/* Flush, fsync and close.  -1 with ERR_IO. */
int part_finish(struct part *p, struct err *err);
/* Rename to the final name (after part_finish). */
int part_publish(struct part *p, struct err *err);
/* Close and remove whatever is left; free the names. */
void part_discard(struct part *p);
void part_release(struct part *p);

#endif
