/* SPDX-License-Identifier: MIT */
/*
 * Typed getters for cJSON objects that say where a bad value is.
 *
 * Each getter looks up 'key' in the object 'obj', whose own JSON path is
 * 'path' (e.g. "data[3]"; "" for the root).  It returns:
 *    1  found, with the right type; the value is stored in *out
 *    0  absent or null, and JSON_REQUIRED was not given; *out untouched
 *   -1  wrong type, or absent/null while required: err is set (ERR_DATA)
 *       to e.g. "'data[3].created': expected an integer, got a string"
 * 'obj' itself must be an object (a NULL or non-object 'obj' is reported
 * the same way, at 'path').
 *
 * Returned strings and nodes are borrowed from the cJSON tree.
 * Integers are checked to be whole numbers within +-2^53 (cJSON keeps
 * numbers as doubles; larger values cannot be represented exactly and
 * are reported rather than silently rounded).
 */
#ifndef CORE_JSON_H
#define CORE_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>

struct err;
struct buf;

enum json_flags { JSON_REQUIRED = 1 << 0 };

int json_get_string(const cJSON *obj, const char *path, const char *key,
                    int flags, const char **out, struct err *err);
int json_get_int64(const cJSON *obj, const char *path, const char *key,
                   int flags, int64_t *out, struct err *err);
/*
 * The one checked conversion of a JSON number to an integer: 0 with *out
 * set when 'item' is a number that is whole and within +-2^53 (NaN,
 * infinities, fractions and larger magnitudes are refused before any
 * conversion), else -1 with *out untouched.  Every JSON number read into
 * an integer goes through this (or json_get_int64, which uses it).
 */
int json_int64(const cJSON *item, int64_t *out);

int json_get_bool(const cJSON *obj, const char *path, const char *key,
                  int flags, bool *out, struct err *err);
int json_get_object(const cJSON *obj, const char *path, const char *key,
                    int flags, const cJSON **out, struct err *err);
int json_get_array(const cJSON *obj, const char *path, const char *key,
                   int flags, const cJSON **out, struct err *err);

/* "a string", "an integer", ... for messages. */
const char *json_type_name(const cJSON *item);
/* Append 's' to 'out' as a JSON string literal, quotes included. */
void json_quote(struct buf *out, const char *s);
/* Parse 'len' bytes of 'text'; ERR_DATA naming 'what' on failure. */
cJSON *json_parse(const char *text, size_t len, const char *what,
                  struct err *err);

#endif
