/* SPDX-License-Identifier: MIT */
/*
 * Saturating int64_t arithmetic for times and durations: a result that
 * does not fit is clamped to INT64_MIN or INT64_MAX instead of wrapping
 * (signed overflow is undefined behaviour, and a wrapped wait or expiry
 * turns "far in the future" into "in the past").  Values that come from
 * outside (a Retry-After header, a stored expiry, a token endpoint's
 * expires_in, a configured rate) go through these before they take part
 * in time arithmetic.
 */
#ifndef CORE_SAT_H
#define CORE_SAT_H

#include <stdint.h>

int64_t sat_add(int64_t a, int64_t b);
int64_t sat_sub(int64_t a, int64_t b);
int64_t sat_mul(int64_t a, int64_t b);
/* 'v' truncated toward zero and clamped to int64_t's range; NaN gives 0. */
int64_t sat_from_double(double v);

#endif
