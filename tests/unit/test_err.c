/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/err.h"
#include "tests/check.h"

static int fails(struct err *err)
{
    return err_set(err, ERR_IO, "cannot open '%s': %s", "x.db", "denied");
}

int main(void)
{
    struct err err = ERR_INIT;
    char big[2000];

    CHECK_INT(fails(&err), -1, "err_set returns -1");
    CHECK_INT(err.kind, ERR_IO, "kind recorded");
    CHECK_STR(err.msg, "cannot open 'x.db': denied", "message formatted");
    CHECK_INT(err_prefix(&err, "stream '%s'", "charges"), -1,
              "err_prefix returns -1");
    CHECK_STR(err.msg, "stream 'charges': cannot open 'x.db': denied",
              "prefix prepended");
    CHECK_INT(err.kind, ERR_IO, "prefix keeps the kind");
    CHECK_INT(err_set(NULL, ERR_IO, "x"), -1, "NULL err is allowed");

    memset(big, 'y', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    err_set(&err, ERR_DATA, "%s", big);
    CHECK_INT(strlen(err.msg), ERR_MSG_MAX - 1, "long messages truncated");
    err_prefix(&err, "ctx");
    CHECK(!strncmp(err.msg, "ctx: yyy", 8) &&
              strlen(err.msg) == ERR_MSG_MAX - 1,
          "prefix on a full message keeps the prefix and truncates");

    CHECK_INT(err_exit_code(ERR_NONE), 0, "success is 0");
    CHECK_INT(err_exit_code(ERR_USAGE), 2, "usage is 2");
    CHECK_INT(err_exit_code(ERR_CONFIG), 3, "config is 3");
    CHECK_INT(err_exit_code(ERR_AUTH), 4, "auth is 4");
    CHECK_INT(err_exit_code(ERR_API), 5, "api is 5");
    CHECK_INT(err_exit_code(ERR_DATA), 5, "bad replies count as api");
    CHECK_INT(err_exit_code(ERR_RETENTION), 6, "retention is 6");
    CHECK_INT(err_exit_code(ERR_LOCKED), 7, "locked is 7");
    CHECK_INT(err_exit_code(ERR_PARTIAL), 8, "partial is 8");
    CHECK_INT(err_exit_code(ERR_IO), 9, "io is 9");
    CHECK_INT(err_exit_code(ERR_INTERNAL), 1, "internal is 1");
    CHECK_INT(err_exit_code((enum err_kind)99), 1, "unknown kind is 1");
    CHECK_STR(err_kind_name(ERR_RETENTION), "retention", "kind names");
    err_clear(&err);
    CHECK(err.kind == ERR_NONE && err.msg[0] == '\0', "err_clear");
    return check_done();
}
