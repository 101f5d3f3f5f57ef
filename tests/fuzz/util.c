/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE 1 /* memfd_create() */
#include "core/compat.h"
#include "tests/fuzz/fuzz.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xalloc.h"

char *fuzz_string(const uint8_t *data, size_t size)
{
    char *s = xmalloc(size + 1);

    if (size) {
        memcpy(s, data, size);
    }
    s[size] = '\0';
    return s;
}

char *fuzz_copy(const uint8_t *data, size_t size)
{
    char *s = xmalloc(size ? size : 1);

    if (size) {
        memcpy(s, data, size);
    }
    return s;
}

const char *fuzz_file(const uint8_t *data, size_t size, mode_t mode)
{
    static int fd = -1;
    static char path[64];
    size_t done = 0;

    if (fd < 0) {
        fd = memfd_create("fuzz-input", 0);
        if (fd < 0) {
            perror("memfd_create");
            abort();
        }
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) < 0 || fchmod(fd, mode) < 0) {
        perror("fuzz_file");
        abort();
    }
    while (done < size) {
        ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);

        if (n <= 0) {
            perror("pwrite");
            abort();
        }
        done += (size_t)n;
    }
    return path;
}

void fuzz_quiet(void)
{
    static FILE *null;

    if (!null) {
        null = fopen("/dev/null", "w");
    }
    log_set_level(LOG_ERROR);
    if (null) {
        log_set_stream(null);
    }
}
