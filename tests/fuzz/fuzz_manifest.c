/* SPDX-License-Identifier: MIT */
/*
 * The NDJSON manifest (sinks/manifest.c), read the way `state show` and a
 * sync read it: an ndjson:- sink opened on the file as its --state file,
 * every stored state listed and parsed as a checkpoint, and the state of
 * one profile loaded.
 */
#include "core/compat.h"
#include "tests/fuzz/fuzz.h"

#include "core/err.h"
#include "reader/checkpoint.h"
#include "sinks/sink.h"

/* What `state show` does with each state. */
static int show_one(const struct sink_state *ss, void *data)
{
    struct checkpoint cp;
    struct err *err = data;
    int ret;

    checkpoint_init(&cp, "", "test");
    ret = checkpoint_from_json(&cp, ss->json, ss->key, err);
    checkpoint_release(&cp);
    return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sink_opts so;
    struct sink *sink = NULL;
    struct err err = ERR_INIT;
    char *json = NULL;

    memset(&so, 0, sizeof(so));
    sink_opts_add(&so, "state", fuzz_file(data, size, 0600), "--state");
    if (sink_open(&sink, "ndjson:-", &so, &err) < 0) {
        return 0;
    }
    (void)sink->type->list_states(sink, show_one, &err, &err);
    if (sink->type->load_state(sink, "p", &json, &err) == 0 && json) {
        (void)show_one(&(struct sink_state){ "p", json, 0 }, &err);
    }
    free(json);
    sink_close(sink);
    return 0;
}
