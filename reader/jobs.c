/* SPDX-License-Identifier: MIT */
/*
 * The engine's job pool: a job is one request (a list page or a re-read)
 * with its reply; finished jobs are reused.
 */
#include "core/compat.h"
#include "core/xalloc.h"
#include "reader/engine_int.h"

struct job *job_get(struct job_pool *p, enum job_kind kind)
{
    struct job *j = p->free;

    if (j) {
        p->free = j->next;
    }
    else {
        j = xcalloc(1, sizeof(*j));
        http_req_init(&j->req);
        j->items = (struct page_items)PAGE_ITEMS_INIT;
        ALLOC_GROW(p->all, p->nr + 1, p->alloc);
        p->all[p->nr++] = j;
    }
    j->kind = kind;
    j->lane = NULL;
    j->st = NULL;
    j->w = NULL;
    j->rstream = NULL;
    j->date = 0;
    j->next = NULL;
    j->req.user = j;
    return j;
}

void job_put(struct job_pool *p, struct job *j)
{
    page_items_clear(&j->items);
    http_req_reset(&j->req);
    FREE_AND_NULL(j->key);
    FREE_AND_NULL(j->parent_id);
    j->next = p->free;
    p->free = j;
}

void job_pool_release(struct job_pool *p)
{
    for (size_t i = 0; i < p->nr; i++) {
        struct job *j = p->all[i];

        page_items_release(&j->items);
        http_req_release(&j->req);
        free(j->key);
        free(j->parent_id);
        free(j);
    }
    FREE_AND_NULL(p->all);
    p->nr = p->alloc = 0;
    p->free = NULL;
}
