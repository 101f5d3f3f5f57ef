/* SPDX-License-Identifier: MIT */
/*
 * What a Singer runner hands the tap (cli/cmd_singer.c): the config
 * (profiles/singer_config.c: JSON through the profile loader, null
 * values dropped, a named profile or the settings inline) when the first
 * byte is even, else the catalog whose selection a run reads
 * (sinks/singer_schema.c).
 */
#include "core/compat.h"
#include "tests/fuzz/fuzz.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/redact.h"
#include "profiles/profile.h"
#include "sinks/singer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct err err = ERR_INIT;
    struct buf list = BUF_INIT;
    struct profile p;
    bool catalog = size > 0 && (data[0] & 1);

    if (size > 0) {
        data++, size--;
    }
    if (catalog) {
        (void)singer_catalog_select(fuzz_file(data, size, 0600), &list, &err);
    }
    else if (profile_load_singer(fuzz_file(data, size, 0600), &p, &err) == 0) {
        profile_release(&p);
    }
    buf_release(&list);
    secret_clear_all();
    return 0;
}
