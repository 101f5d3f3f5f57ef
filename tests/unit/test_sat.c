/* SPDX-License-Identifier: MIT */
/* Saturating time arithmetic (issue 13). */
#include "core/compat.h"
#include "core/sat.h"
#include "tests/check.h"

#include <math.h>

int main(void)
{
    CHECK_INT(sat_add(1, 2), 3, "add");
    CHECK_INT(sat_add(INT64_MAX, 1), INT64_MAX, "add saturates up");
    CHECK_INT(sat_add(INT64_MIN, -1), INT64_MIN, "add saturates down");
    CHECK_INT(sat_add(INT64_MAX, INT64_MIN), -1, "add of opposite extremes");
    CHECK_INT(sat_sub(5, 7), -2, "sub");
    CHECK_INT(sat_sub(INT64_MIN, 1), INT64_MIN, "sub saturates down");
    CHECK_INT(sat_sub(0, INT64_MIN), INT64_MAX, "0 - INT64_MIN saturates");
    CHECK_INT(sat_sub(1700000000, INT64_MIN + 5), INT64_MAX,
              "a time minus a garbage expiry saturates");
    CHECK_INT(sat_mul(9223372036854776LL, 1000), INT64_MAX,
              "Retry-After: 9223372036854776 seconds in ms saturates");
    CHECK_INT(sat_mul(-4, 1000), -4000, "mul");
    CHECK_INT(sat_mul(INT64_MIN, -1), INT64_MAX, "mul sign");
    CHECK_INT(sat_mul(INT64_MAX, -2), INT64_MIN, "mul saturates down");
    CHECK_INT(sat_from_double(1e300), INT64_MAX, "huge double saturates");
    CHECK_INT(sat_from_double(-1e300), INT64_MIN, "-huge double saturates");
    CHECK_INT(sat_from_double(HUGE_VAL), INT64_MAX, "infinity saturates");
    CHECK_INT(sat_from_double(NAN), 0, "NaN gives 0");
    CHECK_INT(sat_from_double(9223372036854775808.0), INT64_MAX,
              "2^63 saturates");
    CHECK_INT(sat_from_double(-9223372036854775808.0), INT64_MIN, "-2^63");
    CHECK_INT(sat_from_double(-2.9), -2, "truncates toward zero");
    return check_done();
}
