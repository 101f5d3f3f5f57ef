/* SPDX-License-Identifier: MIT */
/*
 * One run at a time: an exclusive flock() on a lock file that records the
 * holder's pid and start time.  The kernel releases the lock when the
 * holder dies (crash, kill -9, reboot), so a stale file never blocks the
 * next run; the file itself is left in place.
 */
#ifndef CORE_LOCKFILE_H
#define CORE_LOCKFILE_H

struct err;

struct lockfile {
    int fd;
    char *path;
};

#define LOCKFILE_INIT                                                          \
    {                                                                          \
        -1, NULL                                                               \
    }

/*
 * Take the lock on 'path' without waiting.  -1 with ERR_LOCKED ("another
 * run holds the lock on '<what>' (pid N, started T)") when it is held, or
 * ERR_IO when the file cannot be opened.  'what' names what is locked.
 */
int lockfile_acquire(struct lockfile *l, const char *path, const char *what,
                     struct err *err);
/* Release (NULL-safe, idempotent). */
void lockfile_release(struct lockfile *l);

#endif
