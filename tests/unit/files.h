/* SPDX-License-Identifier: MIT */
/*
 * For unit tests that work on real files: a scratch folder, small file
 * helpers, and a way to make "read-only" mean something when the tests
 * run as root (in CI containers they often do, and root ignores modes).
 *
 *   files_drop_root();               first thing in main(): see below
 *   files_skip_as_root("what");      a TAP skip when that failed
 *   char *dir = files_tmpdir("x");   "/tmp/test_x.XXXXXX", created
 *   char *p = files_path(dir, "a");  "<dir>/a" (free() it)
 *   files_put(p, "text");            create or truncate
 *   char *t = files_get(p);          the content (free() it), NULL if none
 *   files_rm_rf(dir);                remove the scratch folder
 *
 * Header-only: each test binary is one .c file.
 */
#ifndef TESTS_UNIT_FILES_H
#define TESTS_UNIT_FILES_H

#include <dirent.h>
#include <ftw.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "tests/check.h"

/*
 * Run as nobody (65534) when started as root, so that a folder with mode
 * 0555 really refuses new files.  True when the process is unprivileged
 * afterwards; the read-only tests are skipped otherwise.
 */
static UNUSED bool files_drop_root(void)
{
    if (geteuid() != 0) {
        return true;
    }
    if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0) {
        return false;
    }
    /* setuid() cleared it; LeakSanitizer needs it to stop the world */
    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    return geteuid() != 0;
}

/* Report a read-only test as skipped (TAP "# SKIP") when still root. */
static UNUSED void files_skip_as_root(const char *what)
{
    char line[256];

    snprintf(line, sizeof(line), "%s # SKIP root ignores file modes", what);
    CHECK(1, line);
}

static UNUSED char *files_tmpdir(const char *name)
{
    char *dir = xstrfmt("/tmp/test_%s.XXXXXX", name);

    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
    return dir;
}

static UNUSED char *files_path(const char *dir, const char *name)
{
    return xstrfmt("%s/%s", dir, name);
}

static UNUSED void files_put(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");

    if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0) {
        perror(path);
        exit(1);
    }
}

static UNUSED char *files_get(const char *path)
{
    FILE *fp = fopen(path, "rb");
    struct stat st;
    char *text;
    size_t n;

    if (!fp) {
        return NULL;
    }
    if (fstat(fileno(fp), &st) < 0 || !S_ISREG(st.st_mode)) {
        fclose(fp);
        return NULL;
    }
    text = xmalloc((size_t)st.st_size + 1);
    n = fread(text, 1, (size_t)st.st_size, fp);
    text[n] = '\0';
    fclose(fp);
    return text;
}

/* How many entries of 'dir' have a name containing 'part'. */
static UNUSED int files_count(const char *dir, const char *part)
{
    struct dirent *de;
    DIR *d = opendir(dir);
    int n = 0;

    while (d && (de = readdir(d))) {
        n += strstr(de->d_name, part) != NULL;
    }
    if (d) {
        closedir(d);
    }
    return n;
}

static UNUSED int files_unlock(const char *path, const struct stat *st UNUSED,
                               int type, struct FTW *ftw UNUSED)
{
    if (type == FTW_D) {
        chmod(path, 0700); /* a folder a test made read-only */
    }
    return 0;
}

static UNUSED int files_rm_one(const char *path, const struct stat *st UNUSED,
                               int type, struct FTW *ftw UNUSED)
{
    return (type == FTW_DP ? rmdir(path) : unlink(path)) < 0 ? -1 : 0;
}

static UNUSED void files_rm_rf(const char *dir)
{
    nftw(dir, files_unlock, 16, FTW_PHYS);
    nftw(dir, files_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
