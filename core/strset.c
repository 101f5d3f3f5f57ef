/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/strset.h"
#include "core/xalloc.h"

#define STRSET_MIN_SLOTS 16

/*
 * FNV-1a, then a 64-bit finaliser (MurmurHash3's fmix64): FNV alone puts
 * keys that differ only in their last characters (ch_..001, ch_..002)
 * into neighbouring slots, which linear probing turns into long runs.
 */
static uint64_t hash_str(const char *s)
{
    uint64_t h = 14695981039346656037ULL;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

void strset_init(struct strset *s)
{
    s->slots = NULL;
    s->nr = 0;
    s->alloc = 0;
}

void strset_clear(struct strset *s)
{
    for (size_t i = 0; i < s->alloc; i++) {
        FREE_AND_NULL(s->slots[i].key);
    }
    s->nr = 0;
}

void strset_release(struct strset *s)
{
    strset_clear(s);
    free(s->slots);
    strset_init(s);
}

/* The slot holding 'key', or the empty slot where it would go. */
static size_t probe(const struct strset *s, const char *key, uint64_t hash)
{
    size_t mask = s->alloc - 1;
    size_t i = (size_t)hash & mask;

    while (s->slots[i].key &&
           (s->slots[i].hash != hash || strcmp(s->slots[i].key, key) != 0)) {
        i = (i + 1) & mask;
    }
    return i;
}

static void grow(struct strset *s)
{
    struct strset_entry *old = s->slots;
    size_t old_alloc = s->alloc;

    s->alloc = old_alloc ? old_alloc * 2 : STRSET_MIN_SLOTS;
    s->slots = xcalloc(s->alloc, sizeof(*s->slots));
    for (size_t i = 0; i < old_alloc; i++) {
        if (old[i].key) {
            s->slots[probe(s, old[i].key, old[i].hash)] = old[i];
        }
    }
    free(old);
}

struct strset_entry *strset_find(const struct strset *s, const char *key)
{
    size_t i;

    if (!s->nr) {
        return NULL;
    }
    i = probe(s, key, hash_str(key));
    return s->slots[i].key ? &s->slots[i] : NULL;
}

/* The entry of 'key', added with value 0 if absent (*added says which). */
static struct strset_entry *lookup_or_add(struct strset *s, const char *key,
                                          bool *added)
{
    uint64_t hash = hash_str(key);
    size_t i;

    /* at most 3/4 full, so that probe runs stay short */
    if ((s->nr + 1) * 4 > s->alloc * 3) {
        grow(s);
    }
    i = probe(s, key, hash);
    *added = !s->slots[i].key;
    if (*added) {
        s->slots[i].key = xstrdup(key);
        s->slots[i].hash = hash;
        s->slots[i].value = 0;
        s->nr++;
    }
    return &s->slots[i];
}

bool strset_add(struct strset *s, const char *key, int64_t value)
{
    bool added;
    struct strset_entry *e = lookup_or_add(s, key, &added);

    if (added) {
        e->value = value;
    }
    return added;
}

void strset_set(struct strset *s, const char *key, int64_t value)
{
    bool added;

    lookup_or_add(s, key, &added)->value = value;
}

bool strset_contains(const struct strset *s, const char *key)
{
    return strset_find(s, key) != NULL;
}

bool strset_get(const struct strset *s, const char *key, int64_t *value)
{
    const struct strset_entry *e = strset_find(s, key);

    if (e && value) {
        *value = e->value;
    }
    return e != NULL;
}

bool strset_remove(struct strset *s, const char *key)
{
    struct strset_entry *e = strset_find(s, key);
    size_t mask = s->alloc - 1;
    size_t hole, i;

    if (!e) {
        return false;
    }
    FREE_AND_NULL(e->key);
    s->nr--;
    /*
     * Backward shift: move later entries of the run into the hole when
     * their home slot is not between the hole and them, so that every
     * key stays reachable from its home slot without tombstones.
     */
    hole = (size_t)(e - s->slots);
    for (i = (hole + 1) & mask; s->slots[i].key; i = (i + 1) & mask) {
        size_t home = (size_t)s->slots[i].hash & mask;

        if (((i - home) & mask) >= ((i - hole) & mask)) {
            s->slots[hole] = s->slots[i];
            s->slots[i].key = NULL;
            hole = i;
        }
    }
    return true;
}

size_t strset_count(const struct strset *s)
{
    return s->nr;
}

const struct strset_entry *strset_next(const struct strset *s, size_t *iter)
{
    while (*iter < s->alloc) {
        const struct strset_entry *e = &s->slots[(*iter)++];

        if (e->key) {
            return e;
        }
    }
    return NULL;
}

static int cmp_key(const void *a, const void *b)
{
    const struct strset_entry *const *x = a;
    const struct strset_entry *const *y = b;

    return strcmp((*x)->key, (*y)->key);
}

const struct strset_entry **strset_sorted(const struct strset *s)
{
    const struct strset_entry **out;
    const struct strset_entry *e;
    size_t n = 0, it = 0;

    if (!s->nr) {
        return NULL;
    }
    out = xmalloc(s->nr * sizeof(*out));
    while ((e = strset_next(s, &it))) {
        out[n++] = e;
    }
    qsort(out, n, sizeof(*out), cmp_key);
    return out;
}
