/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/file.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/xalloc.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* "profile '<path>'" or "'<path>'" */
#define NAMED(what) (what) ? (what) : "", (what) ? " " : ""

int file_read(const char *path, const char *what, size_t max, unsigned flags,
              struct buf *out, struct err *err)
{
    char chunk[65536];
    struct stat st;
    const char *why = NULL;
    int fd, e = 0, ret = -1;

    buf_release(out);
    buf_init_capped(out, max);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT && (flags & FILE_MISSING_OK)) {
            return 1;
        }
        e = errno;
        err_set(err, ERR_IO, "cannot read %s%s'%s': %s", NAMED(what), path,
                strerror(e));
        errno = e;
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        e = errno;
        why = strerror(e);
    }
    else if (S_ISDIR(st.st_mode)) {
        e = EISDIR;
        why = "it is a directory";
    }
    else if (!S_ISREG(st.st_mode)) {
        e = EINVAL;
        why = "not a regular file";
    }
    while (!why) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n == 0) {
            ret = 0;
            break;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            e = errno;
            why = strerror(e);
            break;
        }
        if (buf_add(out, chunk, (size_t)n) < 0) {
            e = EFBIG;
            err_set(err, ERR_IO, "%s%s'%s' is larger than %zu bytes",
                    NAMED(what), path, max);
            goto out;
        }
    }
    if (why) {
        err_set(err, ERR_IO, "cannot read %s%s'%s': %s", NAMED(what), path,
                why);
    }
out:
    close(fd);
    if (ret < 0) {
        buf_release(out);
        errno = e;
    }
    return ret;
}

int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* fsync by name: the descriptor that wrote may be gone (gzclose). */
static int sync_path(const char *path, int flags)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | flags);
    int e;

    if (fd < 0) {
        return -1;
    }
    if (fsync(fd) < 0) {
        e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    close(fd);
    return 0;
}

int file_fsync(const char *path, struct err *err)
{
    int e;

    if (sync_path(path, 0) < 0) {
        e = errno;
        err_set(err, ERR_IO, "cannot sync '%s': %s", path, strerror(e));
        errno = e;
        return -1;
    }
    return 0;
}

int fsync_dir(const char *dir, struct err *err)
{
    int e;

    if (sync_path(dir, O_DIRECTORY) < 0) {
        e = errno;
        err_set(err, ERR_IO, "cannot sync folder '%s': %s", dir, strerror(e));
        errno = e;
        return -1;
    }
    return 0;
}

int file_rename(const char *from, const char *to, struct err *err)
{
    int e;

    if (rename(from, to) < 0) {
        e = errno;
        err_set(err, ERR_IO, "cannot rename '%s' to '%s': %s", from, to,
                strerror(e));
        errno = e;
        return -1;
    }
    return 0;
}

/* The folder of 'path': "a/b" -> "a", "/b" -> "/", "b" -> "." */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (!slash) {
        return xstrdup(".");
    }
    if (slash == path) {
        return xstrdup("/");
    }
    return xstrndup(path, (size_t)(slash - path));
}

/* Write the temporary file: create, write all, fsync, close. */
static int write_tmp(const char *tmp, const void *data, size_t len,
                     unsigned flags, struct err *err)
{
    mode_t mode = (flags & FILE_PRIVATE) ? 0600 : 0644;
    int fd, e;

    /* a leftover of a crashed writer; O_EXCL then never follows a link */
    unlink(tmp);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        e = errno;
        err_set(err, ERR_IO, "cannot create '%s': %s", tmp, strerror(e));
        errno = e;
        return -1;
    }
    if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
        e = errno;
        close(fd);
        goto fail;
    }
    if (close(fd) < 0) {
        e = errno;
        goto fail;
    }
    return 0;
fail:
    err_set(err, ERR_IO, "cannot write '%s': %s", tmp, strerror(e));
    errno = e;
    return -1;
}

int file_replace(const char *path, const void *data, size_t len, unsigned flags,
                 struct err *err)
{
    char *tmp = (flags & FILE_UNIQUE_TMP)
                    ? xstrfmt("%s.tmp.%ld", path, (long)getpid())
                    : xstrfmt("%s.tmp", path);
    char *dir = NULL;
    int e, ret = -1;

    if (write_tmp(tmp, data, len, flags, err) < 0 ||
        file_rename(tmp, path, err) < 0) {
        e = errno;
        unlink(tmp);
        errno = e;
        goto out;
    }
    dir = dir_of(path);
    ret = fsync_dir(dir, err);
out:
    free(dir);
    free(tmp);
    return ret;
}
