/* SPDX-License-Identifier: MIT */
/*
 * struct strset: a set of strings, each with an int64_t value (0 unless
 * set), in a hash table: adding, finding and removing take constant time
 * on average whatever the size (open addressing with linear probing,
 * at most 3/4 full, removal by backward shift, so no tombstones).
 *
 *   struct strset seen = STRSET_INIT;
 *   if (strset_add(&seen, id, version)) { ... first time ... }
 *   if (strset_get(&seen, id, &v)) { ... }
 *   for (size_t it = 0; (e = strset_next(&seen, &it));) { e->key ... }
 *   strset_release(&seen);
 *
 * Iteration order is the table's, which changes as keys come and go; use
 * strset_sorted() where the order shows (serialised state, output).
 *
 * Ownership: the set owns copies of its keys.  Entries returned by
 * strset_next(), strset_find() and strset_sorted() are borrowed and stay
 * valid until the set is next changed (add, set, remove, clear).
 */
#ifndef CORE_STRSET_H
#define CORE_STRSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strset_entry {
    char *key; /* NULL: an empty slot */
    int64_t value;
    uint64_t hash;
};

struct strset {
    struct strset_entry *slots;
    size_t nr;    /* keys in the set */
    size_t alloc; /* slots: 0 or a power of two */
};

#define STRSET_INIT                                                            \
    {                                                                          \
        NULL, 0, 0                                                             \
    }

void strset_init(struct strset *s);
/* Free every key and the table (idempotent, INIT-safe). */
void strset_release(struct strset *s);
/* Remove every key but keep the table for reuse. */
void strset_clear(struct strset *s);

/*
 * Add 'key' with 'value' if it is not in the set.  True when it was
 * added; false when it was there already (its value is left alone).
 */
bool strset_add(struct strset *s, const char *key, int64_t value);
/* Add 'key' or overwrite its value. */
void strset_set(struct strset *s, const char *key, int64_t value);
/* The entry of 'key' (borrowed; its value may be changed), or NULL. */
struct strset_entry *strset_find(const struct strset *s, const char *key);
bool strset_contains(const struct strset *s, const char *key);
/* True and *value set (if 'value' is not NULL) when 'key' is present. */
bool strset_get(const struct strset *s, const char *key, int64_t *value);
/* Remove 'key'; true when it was present. */
bool strset_remove(struct strset *s, const char *key);
size_t strset_count(const struct strset *s);

/*
 * The next entry from '*iter' (start at 0), or NULL at the end.  The set
 * must not change during the walk.
 */
const struct strset_entry *strset_next(const struct strset *s, size_t *iter);

/*
 * Every entry sorted by key (strcmp): an array of strset_count() pointers
 * into the set, the caller's to free() (not the entries).  NULL for an
 * empty set.
 */
const struct strset_entry **strset_sorted(const struct strset *s);

#endif
