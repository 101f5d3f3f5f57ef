/* SPDX-License-Identifier: MIT */
/*
 * Windows of a pass (reader/windows.c): picking, splitting, measuring and
 * bounding them.  Pure functions over a stream_state.
 */
#ifndef READER_WINDOWS_H
#define READER_WINDOWS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stream_state;
struct window;

/* A window neither busy nor done, or NULL. */
struct window *window_pick_idle(struct stream_state *st);

/*
 * Split the window with the most objects left, at the middle of what it
 * has left; the new window takes the older half.  NULL when none is
 * worth splitting.
 */
struct window *window_split(struct stream_state *st);

/* Update a window's density from a stored page: 'stored' items created
 * from 'newest' down to 'oldest'. */
void window_measure(struct window *w, size_t stored, int64_t newest,
                    int64_t oldest);

/*
 * Bound an open window by Stripe's clock ('date' of its first reply, less
 * 'settle'), within its cap and floor.  True when the floor raised its
 * lower end (older objects are out of Stripe's reach).
 */
bool window_bound(struct window *w, int64_t date, int64_t settle);
#endif
