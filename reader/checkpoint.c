/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "reader/checkpoint.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "model/streams.h"
#include "reader/checkpoint_int.h"

static void set_init(struct stream_set *set)
{
    set->nr = nr_streams;
    set->streams = xcalloc(nr_streams, sizeof(*set->streams));
    for (size_t i = 0; i < nr_streams; i++) {
        set->streams[i].stream = &streams[i];
    }
}

void recent_list_release(struct recent_list *l)
{
    for (size_t i = 0; i < l->nr; i++) {
        free(l->items[i].id);
    }
    FREE_AND_NULL(l->items);
    l->nr = l->alloc = 0;
}

void recent_push(struct recent_list *l, const char *id, int64_t version,
                 int64_t created)
{
    struct recent *r;

    ALLOC_GROW(l->items, l->nr + 1, l->alloc);
    r = &l->items[l->nr++];
    r->id = xstrdup(id);
    r->version = version;
    r->created = created;
}

static int recent_cmp(const void *a, const void *b)
{
    const struct recent *x = a, *y = b;
    int c = strcmp(x->id, y->id);

    if (c) {
        return c;
    }
    return x->version < y->version ? -1 : x->version > y->version;
}

bool recent_list_has(const struct recent_list *l, const char *id,
                     int64_t version)
{
    struct recent key = { (char *)(uintptr_t)id, version, 0 };

    return l->nr &&
           bsearch(&key, l->items, l->nr, sizeof(key), recent_cmp) != NULL;
}

bool recent_has(const struct stream_state *st, const char *id, int64_t version)
{
    return recent_list_has(&st->recent, id, version);
}

bool recent_seen(struct recent_list *l, const char *key, int64_t version)
{
    struct recent probe = { (char *)(uintptr_t)key, version, 0 };
    size_t lo = 0, hi = l->nr;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = recent_cmp(&l->items[mid], &probe);

        if (c == 0) {
            return true;
        }
        if (c < 0) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    ALLOC_GROW(l->items, l->nr + 1, l->alloc);
    memmove(l->items + lo + 1, l->items + lo, (l->nr - lo) * sizeof(*l->items));
    l->items[lo].id = xstrdup(key);
    l->items[lo].version = version;
    l->items[lo].created = version; /* its age, for recent_compact() */
    l->nr++;
    return false;
}

void recent_add(struct stream_state *st, const char *id, int64_t version,
                int64_t created)
{
    recent_push(&st->recent_new, id, version, created);
}

/* Keep items created at or after 'floor'; sort; drop duplicates. */
void recent_compact(struct recent_list *l, int64_t floor)
{
    size_t kept = 0;

    for (size_t i = 0; i < l->nr; i++) {
        if (l->items[i].created >= floor) {
            l->items[kept++] = l->items[i];
        }
        else {
            free(l->items[i].id);
        }
    }
    l->nr = kept;
    if (l->nr > 1) {
        qsort(l->items, l->nr, sizeof(*l->items), recent_cmp);
    }
    kept = 0;
    for (size_t i = 0; i < l->nr; i++) {
        if (kept && !recent_cmp(&l->items[kept - 1], &l->items[i])) {
            free(l->items[i].id);
            continue;
        }
        l->items[kept++] = l->items[i];
    }
    l->nr = kept;
}

void recent_roll(struct stream_state *st, int64_t overlap)
{
    for (size_t i = 0; i < st->recent_new.nr; i++) {
        ALLOC_GROW(st->recent.items, st->recent.nr + 1, st->recent.alloc);
        st->recent.items[st->recent.nr++] = st->recent_new.items[i];
    }
    FREE_AND_NULL(st->recent_new.items);
    st->recent_new.nr = st->recent_new.alloc = 0;
    recent_compact(&st->recent, st->hwm - overlap);
    recent_list_release(&st->retrieved);
}

void recent_merge(struct stream_state *to, const struct stream_state *from)
{
    const struct recent_list *lists[2] = { &from->recent, &from->recent_new };

    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < lists[k]->nr; i++) {
            const struct recent *r = &lists[k]->items[i];

            recent_push(&to->recent, r->id, r->version, r->created);
        }
    }
    recent_compact(&to->recent, INT64_MIN);
}

void stream_state_reset(struct stream_state *st)
{
    stream_state_prune(st, true);
    recent_list_release(&st->recent);
    recent_list_release(&st->recent_new);
    recent_list_release(&st->retrieved);
    st->has_hwm = false;
    st->hwm = 0;
    st->hi = 0;
    st->pass_lo = 0;
    st->nr_done = 0;
    st->newest = 0;
}

static void set_release(struct stream_set *set)
{
    for (size_t i = 0; set->streams && i < set->nr; i++) {
        stream_state_reset(&set->streams[i]);
    }
    FREE_AND_NULL(set->streams);
    set->nr = 0;
}

void checkpoint_init(struct checkpoint *cp, const char *account,
                     const char *mode)
{
    memset(cp, 0, sizeof(*cp));
    cp->account = xstrdup(account ? account : "");
    cp->mode = xstrdup(mode ? mode : "test");
    set_init(&cp->sync);
    cp->history.stream = stream_find("events");
    strset_init(&cp->owed);
    strset_init(&cp->kids);
}

void checkpoint_relist(struct checkpoint *cp, const struct stream *s,
                       int64_t until, int64_t created)
{
    struct relist *r;

    /* few entries: Stripe's available_on falls on whole days */
    for (size_t i = 0; i < cp->nr_relists; i++) {
        r = &cp->relists[i];
        if (r->stream == s && r->until == until) {
            r->lo = created < r->lo ? created : r->lo;
            r->hi = created > r->hi ? created : r->hi;
            return;
        }
    }
    ALLOC_GROW(cp->relists, cp->nr_relists + 1, cp->alloc_relists);
    cp->relists[cp->nr_relists++] =
        (struct relist){ s, until, created, created };
}

void checkpoint_owe(struct checkpoint *cp, const struct stream *s,
                    const char *id, int64_t event_time)
{
    char *key = xstrfmt("%s:%s", s->name, id);
    struct strset_entry *e = strset_find(&cp->owed, key);

    if (!e) {
        strset_set(&cp->owed, key, event_time);
    }
    else if (e->value < event_time) {
        e->value = event_time;
    }
    free(key);
}

const char *checkpoint_kids(const struct checkpoint *cp,
                            const struct stream *child, const char *parent)
{
    char *key = xstrfmt("%s:%s", child->name, parent);
    int64_t i = -1;

    strset_get(&cp->kids, key, &i);
    free(key);
    return i >= 0 ? cp->kid_ids[i] : NULL;
}

void checkpoint_set_kids(struct checkpoint *cp, const struct stream *child,
                         const char *parent, const char *ids)
{
    char *key = xstrfmt("%s:%s", child->name, parent);
    int64_t i;

    if (strset_get(&cp->kids, key, &i)) {
        /* a slot let go stays empty until the next load compacts */
        FREE_AND_NULL(cp->kid_ids[i]);
        strset_remove(&cp->kids, key);
    }
    if (ids && *ids) {
        ALLOC_GROW(cp->kid_ids, cp->nr_kid_ids + 1, cp->alloc_kid_ids);
        cp->kid_ids[cp->nr_kid_ids] = xstrdup(ids);
        strset_set(&cp->kids, key, (int64_t)cp->nr_kid_ids++);
    }
    free(key);
}

void checkpoint_release(struct checkpoint *cp)
{
    set_release(&cp->sync);
    stream_state_reset(&cp->history);
    strset_release(&cp->owed);
    strset_release(&cp->kids);
    for (size_t i = 0; i < cp->nr_kid_ids; i++) {
        free(cp->kid_ids[i]);
    }
    FREE_AND_NULL(cp->kid_ids);
    cp->nr_kid_ids = cp->alloc_kid_ids = 0;
    FREE_AND_NULL(cp->relists);
    cp->nr_relists = cp->alloc_relists = 0;
    for (size_t i = 0; i < cp->nr_backfills; i++) {
        free(cp->backfills[i].range);
        set_release(&cp->backfills[i].set);
    }
    FREE_AND_NULL(cp->backfills);
    cp->nr_backfills = cp->alloc_backfills = 0;
    FREE_AND_NULL(cp->account);
    FREE_AND_NULL(cp->mode);
}

struct stream_set *backfill_add(struct checkpoint *cp, const char *range)
{
    struct backfill_state *b;

    ALLOC_GROW(cp->backfills, cp->nr_backfills + 1, cp->alloc_backfills);
    b = &cp->backfills[cp->nr_backfills++];
    b->range = xstrdup(range);
    set_init(&b->set);
    return &b->set;
}

struct stream_set *checkpoint_backfill(struct checkpoint *cp, const char *range)
{
    for (size_t i = 0; i < cp->nr_backfills; i++) {
        if (!strcmp(cp->backfills[i].range, range)) {
            return &cp->backfills[i].set;
        }
    }
    return backfill_add(cp, range);
}

struct window *stream_state_add_window(struct stream_state *st, int64_t lo,
                                       int64_t hi)
{
    struct window *w = xcalloc(1, sizeof(*w));

    w->lo = lo;
    w->hi = hi;
    w->after_created = hi;
    w->cap = INT64_MAX;
    ALLOC_GROW(st->windows, st->nr_windows + 1, st->alloc_windows);
    st->windows[st->nr_windows++] = w;
    return w;
}

static void derived_clear(struct window *w)
{
    for (size_t i = 0; i < w->nr_derived; i++) {
        free(w->derived_ids[i]);
    }
    w->nr_derived = 0;
    if (w->nr_slots) {
        memset(w->derived_slots, 0, w->nr_slots * sizeof(*w->derived_slots));
    }
}

static size_t id_hash(const char *s)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a 64 */

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return (size_t)h;
}

/* The slot of 'id' in w's index: where it is, or the empty one to use. */
static size_t *derived_slot(const struct window *w, const char *id)
{
    size_t mask = w->nr_slots - 1;
    size_t i = id_hash(id) & mask;

    while (w->derived_slots[i] &&
           strcmp(w->derived_ids[w->derived_slots[i] - 1], id)) {
        i = (i + 1) & mask;
    }
    return &w->derived_slots[i];
}

/* Keep the index at most half full. */
static void derived_grow(struct window *w)
{
    if (2 * (w->nr_derived + 1) <= w->nr_slots) {
        return;
    }
    w->nr_slots = w->nr_slots ? 2 * w->nr_slots : 16;
    free(w->derived_slots);
    w->derived_slots = xcalloc(w->nr_slots, sizeof(*w->derived_slots));
    for (size_t i = 0; i < w->nr_derived; i++) {
        *derived_slot(w, w->derived_ids[i]) = i + 1;
    }
}

bool window_derived_seen(struct window *w, const char *id, int64_t second)
{
    size_t *slot;

    if (second != w->derived_second) {
        derived_clear(w);
        w->derived_second = second;
    }
    derived_grow(w);
    slot = derived_slot(w, id);
    if (*slot) {
        return true;
    }
    ALLOC_GROW(w->derived_ids, w->nr_derived + 1, w->alloc_derived);
    w->derived_ids[w->nr_derived++] = xstrdup(id);
    *slot = w->nr_derived;
    return false;
}

bool window_derived_has(const struct window *w, const char *id, int64_t second)
{
    return second == w->derived_second && w->nr_slots &&
           *derived_slot(w, id) != 0;
}

static void window_free(struct window *w)
{
    if (w) {
        derived_clear(w);
        free(w->derived_ids);
        free(w->derived_slots);
        free(w->after);
        free(w);
    }
}

void stream_state_prune(struct stream_state *st, bool all)
{
    size_t kept = 0;

    for (size_t i = 0; i < st->nr_windows; i++) {
        struct window *w = st->windows[i];

        if (all || (w->done && !w->busy)) {
            window_free(w);
        }
        else {
            st->windows[kept++] = w;
        }
    }
    st->nr_windows = kept;
    if (all) {
        FREE_AND_NULL(st->windows);
        st->alloc_windows = 0;
    }
}

void window_set_cursor(struct window *w, const char *id, int64_t created)
{
    free(w->after);
    w->after = id ? xstrdup(id) : NULL;
    w->after_created = id ? created : w->hi;
}

void stream_state_pass_done(struct stream_state *st, int64_t lo, int64_t hi)
{
    struct pass_range *last = st->nr_done ? &st->done[st->nr_done - 1] : NULL;

    if (last && last->hi == hi) {
        if (lo < last->lo) {
            last->lo = lo;
        }
        return;
    }
    if (st->nr_done == ARRAY_SIZE(st->done)) {
        memmove(st->done, st->done + 1,
                (st->nr_done - 1) * sizeof(st->done[0]));
        st->nr_done--;
    }
    st->done[st->nr_done].lo = lo;
    st->done[st->nr_done].hi = hi;
    st->nr_done++;
}
