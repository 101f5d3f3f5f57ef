/* SPDX-License-Identifier: MIT */
/*
 * A Singer state (sinks/singer_state.c, singer_recall.c): the file a
 * runner hands the tap with --state, read as a run reads it.  The first
 * byte chooses the run's shape: one account, or several (the other half
 * of the parser); the state is then listed and a checkpoint loaded.
 */
#include "core/compat.h"
#include "tests/fuzz/fuzz.h"

#include "core/err.h"
#include "sinks/sink.h"

static int seen(const struct sink_state *ss, void *data)
{
    size_t *n = data;

    *n += strlen(ss->key) + strlen(ss->json);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sink_opts so;
    struct sink *sink = NULL;
    struct err err = ERR_INIT;
    char *json = NULL;
    size_t n = 0;
    bool several = size > 0 && (data[0] & 1);

    if (size > 0) {
        data++, size--;
    }
    memset(&so, 0, sizeof(so));
    sink_opts_add(&so, "state", fuzz_file(data, size, 0600), "--state");
    sink_opts_add(&so, "several-accounts", several ? "1000" : NULL, "accounts");
    if (sink_open(&sink, "singer:-", &so, &err) < 0) {
        return 0;
    }
    (void)sink->type->list_states(sink, seen, &n, &err);
    (void)sink->type->load_state(sink, several ? "p/acct_1" : "p", &json, &err);
    free(json);
    sink_close(sink);
    return 0;
}
