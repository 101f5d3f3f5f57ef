/* SPDX-License-Identifier: MIT */
/*
 * The list-page parser (reader/page.c) with its scanners (jscan) and field
 * extraction (fields.c): the first byte picks the stream, the rest is a
 * reply body, parsed as a list page and as a single object; then the
 * event helpers on it.
 */
#include "core/compat.h"
#include "tests/fuzz/fuzz.h"

#include "core/buf.h"
#include "core/err.h"
#include "reader/fields.h"
#include "reader/page.h"
#include "model/streams.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct page_items pi = PAGE_ITEMS_INIT;
    struct err err = ERR_INIT;
    struct buf strings = BUF_INIT;
    const struct stream *s;
    const char *o = NULL, *str = NULL;
    size_t olen = 0;
    char *body;

    if (!size) {
        return 0;
    }
    s = &streams[data[0] % nr_streams];
    data++;
    size--;

    body = fuzz_copy(data, size);
    if (page_parse_list(&pi, s, body, size, "page", &err) == 0) {
        for (size_t i = 0; i < pi.nr; i++) {
            const char *text = page_item_text(&pi, i);

            if (pi.items[i].off + pi.items[i].len > size || !pi.items[i].id) {
                abort();
            }
            (void)page_event_object(text, pi.items[i].len, &o, &olen);
        }
    }
    free(body);

    body = fuzz_copy(data, size);
    (void)page_parse_object(&pi, s, body, size, "object", &err);
    free(body);

    body = fuzz_copy(data, size);
    (void)page_event_object(body, size, &o, &olen);
    (void)fields_string(body, body + size, "object", &strings, &str);
    free(body);

    page_items_release(&pi);
    buf_release(&strings);
    return 0;
}
