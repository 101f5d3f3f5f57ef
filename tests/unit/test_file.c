/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/file.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "tests/check.h"
#include "tests/unit/files.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>

static char *dir;
static bool unprivileged;

/* Expect file_read() to fail with 'want' (PATH replaced by the path). */
static void read_fails(const char *path, const char *what, size_t max,
                       const char *want, const char *desc)
{
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;
    char msg[512];
    const char *at = strstr(want, "PATH");
    int ret = file_read(path, what, max, 0, &out, &err);

    snprintf(msg, sizeof(msg), "%.*s%s%s", (int)(at - want), want, path,
             at + 4);
    CHECK_INT(ret, -1, desc);
    CHECK_INT(err.kind, ERR_IO, "  ... ERR_IO");
    CHECK_STR(err.msg, msg, "  ... the message names the path");
    CHECK(out.len == 0 && out.buf[0] == '\0', "  ... nothing read");
    buf_release(&out);
}

static void test_read(void)
{
    char *p = files_path(dir, "r.txt");
    char *big = files_path(dir, "big.txt");
    char *missing = files_path(dir, "none.txt");
    char *secret = files_path(dir, "secret.txt");
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;
    char *text = xmalloc(200001);
    FILE *fp;

    files_put(p, "0123456789");
    CHECK_INT(file_read(p, NULL, 10, 0, &out, &err), 0, "read: a file");
    CHECK_STR(out.buf, "0123456789", "  ... whole");
    CHECK_INT(file_read(p, NULL, 10, 0, &out, &err), 0,
              "read again into the same buffer (released first)");
    CHECK_INT(out.len, 10, "  ... not appended");
    buf_release(&out);

    /* larger than one read() chunk */
    memset(text, 'x', 200000);
    text[200000] = '\0';
    files_put(big, text);
    CHECK_INT(file_read(big, NULL, 200000, 0, &out, &err), 0,
              "read: 200000 bytes at a cap of 200000");
    CHECK_INT(out.len, 200000, "  ... all of it");
    buf_release(&out);

    CHECK_INT(file_read(missing, NULL, 10, FILE_MISSING_OK, &out, &err), 1,
              "read: missing with FILE_MISSING_OK is 1");
    CHECK_INT(out.len, 0, "  ... empty");

    read_fails(missing, NULL, 10,
               "cannot read 'PATH': No such file or directory",
               "read: missing is an error");
    read_fails(missing, "profile", 10,
               "cannot read profile 'PATH': No such file or directory",
               "read: 'what' names the file");
    read_fails(p, NULL, 9, "'PATH' is larger than 9 bytes",
               "read: over the cap");
    read_fails(big, "token store", 199999,
               "token store 'PATH' is larger than 199999 bytes",
               "read: over the cap by one byte, several chunks in");
    read_fails(dir, NULL, 10, "cannot read 'PATH': it is a directory",
               "read: a directory");
    read_fails("/dev/null", "manifest", 10,
               "cannot read manifest 'PATH': not a regular file",
               "read: not a regular file");

    fp = fopen(secret, "w");
    fclose(fp);
    CHECK_INT(file_read(secret, NULL, 10, 0, &out, &err), 0,
              "read: an empty file");
    CHECK_INT(out.len, 0, "  ... empty");
    if (unprivileged) {
        chmod(secret, 0);
        read_fails(secret, NULL, 10, "cannot read 'PATH': Permission denied",
                   "read: no permission");
    }
    else {
        files_skip_as_root("read: no permission");
    }
    free(text);
    free(p);
    free(big);
    free(missing);
    free(secret);
}

/* Expect file_replace() to fail with a message starting with 'want'. */
static void replace_fails(const char *path, unsigned flags, const char *want,
                          const char *desc)
{
    struct err err = ERR_INIT;
    int ret = file_replace(path, "new", 3, flags, &err);

    CHECK_INT(ret, -1, desc);
    CHECK_INT(err.kind, ERR_IO, "  ... ERR_IO");
    if (!CHECK(!strncmp(err.msg, want, strlen(want)),
               "  ... the message names the file")) {
        printf("#   got:  '%s'\n#   want: '%s...'\n", err.msg, want);
    }
}

static void test_replace(void)
{
    char *p = files_path(dir, "w.json");
    char *priv = files_path(dir, "private.json");
    char *ro = files_path(dir, "ro");
    char *ro_file = files_path(ro, "w.json");
    char *tmp = xstrfmt("%s.tmp", p);
    char *unique = xstrfmt("%s.tmp.%ld", p, (long)getpid());
    char *in_missing = files_path(dir, "no/such/folder.json");
    char *in_dir = files_path(dir, "adir");
    char *in_dir_file = files_path(dir, "adir/f");
    struct rlimit old_limit, limit;
    struct err err = ERR_INIT;
    struct stat st;
    char *got, *want;
    int ret;

    umask(022);
    CHECK_INT(file_replace(p, "first", 5, 0, &err), 0, "replace: create");
    got = files_get(p);
    CHECK_STR(got, "first", "  ... content");
    free(got);
    CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0644, "  ... mode 0644");
    CHECK_INT(file_replace(p, "second", 6, 0, &err), 0, "replace: replace");
    got = files_get(p);
    CHECK_STR(got, "second", "  ... new content");
    free(got);
    CHECK_INT(files_count(dir, ".tmp"), 0, "  ... no temporary file left");
    CHECK_INT(file_replace(p, "", 0, 0, &err), 0, "replace: with nothing");
    got = files_get(p);
    CHECK_STR(got, "", "  ... empty");
    free(got);
    files_put(p, "old");

    CHECK_INT(file_replace(priv, "s", 1, FILE_PRIVATE | FILE_UNIQUE_TMP, &err),
              0, "replace: FILE_PRIVATE");
    CHECK(stat(priv, &st) == 0 && (st.st_mode & 0777) == 0600,
          "  ... mode 0600");

    /* a leftover temporary file of a crashed writer is replaced */
    files_put(tmp, "leftover");
    CHECK_INT(file_replace(p, "old", 3, 0, &err), 0,
              "replace: over a leftover temporary file");
    CHECK_INT(files_count(dir, ".tmp"), 0, "  ... which is gone");

    /* the temporary names, seen through a folder in their way */
    mkdir(tmp, 0755);
    want = xstrfmt("cannot create '%s': File exists", tmp);
    replace_fails(p, 0, want, "replace: the temporary file is <path>.tmp");
    free(want);
    rmdir(tmp);
    mkdir(unique, 0755);
    want = xstrfmt("cannot create '%s': File exists", unique);
    replace_fails(p, FILE_UNIQUE_TMP, want,
                  "replace: FILE_UNIQUE_TMP: it is <path>.tmp.<pid>");
    free(want);
    rmdir(unique);
    got = files_get(p);
    CHECK_STR(got, "old", "  ... the old content is intact");
    free(got);

    replace_fails(in_missing, 0, "cannot create '", "replace: missing folder");

    /* renaming over a folder fails after the temporary file is written */
    mkdir(in_dir, 0755);
    files_put(in_dir_file, "x");
    want = xstrfmt("cannot rename '%s.tmp' to '%s': Is a directory", in_dir,
                   in_dir);
    replace_fails(in_dir, 0, want, "replace: rename fails");
    free(want);
    CHECK_INT(files_count(dir, ".tmp"), 0, "  ... no temporary file left");

    /* a write that fails midway: a file size limit makes write() fail */
    signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &old_limit);
    limit = old_limit;
    limit.rlim_cur = 2;
    setrlimit(RLIMIT_FSIZE, &limit);
    ret = file_replace(p, "0123456789", 10, 0, &err);
    setrlimit(RLIMIT_FSIZE, &old_limit);
    CHECK_INT(ret, -1, "replace: the write fails (file size limit)");
    want = xstrfmt("cannot write '%s': File too large", tmp);
    CHECK_STR(err.msg, want, "  ... the message names the temporary file");
    free(want);
    got = files_get(p);
    CHECK_STR(got, "old", "  ... the old content is intact");
    free(got);
    CHECK_INT(files_count(dir, ".tmp"), 0, "  ... no temporary file left");

    if (unprivileged) {
        mkdir(ro, 0755);
        files_put(ro_file, "old");
        chmod(ro, 0555);
        want = xstrfmt("cannot create '%s.tmp': Permission denied", ro_file);
        replace_fails(ro_file, 0, want, "replace: a read-only folder");
        free(want);
        got = files_get(ro_file);
        CHECK_STR(got, "old", "  ... the old content is intact");
        free(got);
        CHECK_INT(files_count(ro, ".tmp"), 0, "  ... no temporary file");
        chmod(ro, 0755);
    }
    else {
        files_skip_as_root("replace: a read-only folder");
    }

    /* a name without a folder: the folder synced is "." */
    CHECK(chdir(dir) == 0, "chdir");
    CHECK_INT(file_replace("rel.json", "r", 1, 0, &err), 0,
              "replace: a relative name");
    got = files_get("rel.json");
    CHECK_STR(got, "r", "  ... content");
    free(got);
    CHECK(chdir("/") == 0, "chdir back");

    free(p);
    free(priv);
    free(ro);
    free(ro_file);
    free(tmp);
    free(unique);
    free(in_missing);
    free(in_dir);
    free(in_dir_file);
}

static void test_primitives(void)
{
    char *p = files_path(dir, "prim.txt");
    char *q = files_path(dir, "prim2.txt");
    char *missing = files_path(dir, "gone");
    struct err err = ERR_INIT;
    char *got, *want;
    int fd;

    fd = open("/dev/full", O_WRONLY);
    errno = 0;
    CHECK(fd >= 0 && write_all(fd, "abc", 3) == -1 && errno == ENOSPC,
          "write_all: /dev/full is -1 with ENOSPC");
    if (fd >= 0) {
        close(fd);
    }
    fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0 && write_all(fd, "abc", 3) == 0 && write_all(fd, "", 0) == 0,
          "write_all: a file");
    close(fd);
    got = files_get(p);
    CHECK_STR(got, "abc", "  ... content");
    free(got);

    CHECK_INT(file_fsync(p, &err), 0, "file_fsync: a file");
    CHECK_INT(file_fsync(dir, &err), 0, "file_fsync: a folder");
    CHECK_INT(file_fsync(missing, &err), -1, "file_fsync: missing");
    want = xstrfmt("cannot sync '%s': No such file or directory", missing);
    CHECK_STR(err.msg, want, "  ... names the file");
    free(want);
    CHECK_INT(errno, ENOENT, "  ... errno kept");

    CHECK_INT(fsync_dir(dir, &err), 0, "fsync_dir: a folder");
    CHECK_INT(fsync_dir(p, &err), -1, "fsync_dir: a file is refused");
    want = xstrfmt("cannot sync folder '%s': Not a directory", p);
    CHECK_STR(err.msg, want, "  ... names it");
    free(want);
    CHECK_INT(err.kind, ERR_IO, "  ... ERR_IO");

    CHECK_INT(file_rename(p, q, &err), 0, "file_rename");
    got = files_get(q);
    CHECK_STR(got, "abc", "  ... moved");
    free(got);
    CHECK_INT(file_rename(p, q, &err), -1, "file_rename: missing source");
    want =
        xstrfmt("cannot rename '%s' to '%s': No such file or directory", p, q);
    CHECK_STR(err.msg, want, "  ... names both");
    free(want);
    CHECK_INT(errno, ENOENT, "  ... errno kept");
    free(p);
    free(q);
    free(missing);
}

int main(void)
{
    unprivileged = files_drop_root();
    dir = files_tmpdir("file");
    test_read();
    test_replace();
    test_primitives();
    files_rm_rf(dir);
    free(dir);
    return check_done();
}
