/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/lockfile.h"
#include "core/err.h"
#include "core/strutil.h"
#include "core/xalloc.h"

#include <fcntl.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static void holder(int fd, char *out, size_t size)
{
    char text[128] = "";
    ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
    long long pid = 0, started = 0;
    char when[32];

    if (n > 0) {
        text[n] = '\0';
    }
    if (sscanf(text, "%lld %lld", &pid, &started) == 2 && pid > 0) {
        format_time(started, when, sizeof(when));
        snprintf(out, size, " (pid %lld, started %s)", pid, when);
    }
    else {
        snprintf(out, size, " (holder unknown)");
    }
}

int lockfile_acquire(struct lockfile *l, const char *path, const char *what,
                     struct err *err)
{
    char info[96];
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

    if (fd < 0) {
        return err_set(err, ERR_IO, "cannot open lock file '%s': %s", path,
                       strerror(errno));
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int e = errno;

        if (e != EWOULDBLOCK) {
            close(fd);
            return err_set(err, ERR_IO, "cannot lock '%s': %s", path,
                           strerror(e));
        }
        holder(fd, info, sizeof(info));
        close(fd);
        return err_set(err, ERR_LOCKED,
                       "another run holds the lock on %s%s; this run does "
                       "nothing",
                       what, info);
    }
    snprintf(info, sizeof(info), "%lld %lld\n", (long long)getpid(),
             (long long)time(NULL));
    if (ftruncate(fd, 0) < 0 ||
        pwrite(fd, info, strlen(info), 0) != (ssize_t)strlen(info)) {
        /* the lock is held; only the holder's note is missing */
    }
    l->fd = fd;
    l->path = xstrdup(path);
    return 0;
}

void lockfile_release(struct lockfile *l)
{
    if (l->fd >= 0) {
        close(l->fd); /* releases the flock */
        l->fd = -1;
    }
    FREE_AND_NULL(l->path);
}
