/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/lockfile.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "tests/check.h"
#include "tests/unit/files.h"

#include <sys/wait.h>

static char *dir;

enum child_after { CHILD_KEEPS_NOTE, CHILD_ERASES_NOTE };

/*
 * A child process that takes the lock on 'path' and holds it until
 * told to go (a byte on *go, or the pipe closing).  -1 when it could not
 * take the lock.
 */
static pid_t holder_start(const char *path, enum child_after after, int *go)
{
    int ready[2], wait_go[2];
    char c = 0;
    pid_t pid;

    if (pipe(ready) < 0 || pipe(wait_go) < 0) {
        return -1;
    }
    fflush(stdout); /* the child must not print the parent's buffer */
    pid = fork();
    if (pid == 0) {
        struct lockfile l = LOCKFILE_INIT;
        struct err err = ERR_INIT;
        int ok;

        close(ready[0]);
        close(wait_go[1]); /* or the pipe never reports the parent's close */
        ok = lockfile_acquire(&l, path, "the test", &err) == 0;
        if (ok && after == CHILD_ERASES_NOTE) {
            ok = truncate(path, 0) == 0;
        }
        c = ok ? 'y' : 'n';
        if (write(ready[1], &c, 1) != 1 || read(wait_go[0], &c, 1) < 0) {
            _exit(2);
        }
        _exit(0); /* the kernel drops the lock with the process */
    }
    close(ready[1]);
    close(wait_go[0]);
    *go = wait_go[1];
    if (pid < 0 || read(ready[0], &c, 1) != 1 || c != 'y') {
        close(ready[0]);
        return -1;
    }
    close(ready[0]);
    return pid;
}

static void holder_stop(pid_t pid, int go)
{
    int status;

    close(go);
    waitpid(pid, &status, 0);
}

static void test_held_by_live_process(void)
{
    char *path = files_path(dir, "run.lock");
    struct lockfile l = LOCKFILE_INIT;
    struct err err = ERR_INIT;
    char *want;
    int go = -1;
    pid_t pid = holder_start(path, CHILD_KEEPS_NOTE, &go);

    if (!CHECK(pid > 0, "a child holds the lock")) {
        free(path);
        return;
    }
    CHECK_INT(lockfile_acquire(&l, path, "profile 'plat'", &err), -1,
              "a lock held by a live process is refused");
    CHECK_INT(err.kind, ERR_LOCKED, "  ... ERR_LOCKED");
    want = xstrfmt("another run holds the lock on profile 'plat' (pid %ld, "
                   "started ",
                   (long)pid);
    if (!CHECK(!strncmp(err.msg, want, strlen(want)),
               "  ... naming the holder's pid")) {
        printf("#   got:  '%s'\n", err.msg);
    }
    CHECK(strstr(err.msg, "; this run does nothing") != NULL,
          "  ... and saying nothing is done");
    CHECK(l.fd == -1 && l.path == NULL, "  ... the lock struct stays empty");
    free(want);

    holder_stop(pid, go);
    CHECK_INT(lockfile_acquire(&l, path, "profile 'plat'", &err), 0,
              "the lock of a dead process is taken over");
    want = files_get(path);
    CHECK(want && strtoll(want, NULL, 10) == (long long)getpid(),
          "  ... and records this process's pid");
    free(want);
    lockfile_release(&l);
    lockfile_release(&l);
    CHECK(l.fd == -1 && l.path == NULL, "release: idempotent");
    free(path);
}

static void test_holder_unknown(void)
{
    char *path = files_path(dir, "erased.lock");
    struct lockfile l = LOCKFILE_INIT;
    struct err err = ERR_INIT;
    int go = -1;
    pid_t pid = holder_start(path, CHILD_ERASES_NOTE, &go);

    if (!CHECK(pid > 0, "a child holds a lock without a note")) {
        free(path);
        return;
    }
    CHECK_INT(lockfile_acquire(&l, path, "x", &err), -1, "  ... refused");
    CHECK_STR(err.msg,
              "another run holds the lock on x (holder unknown); this run "
              "does nothing",
              "  ... the holder is unknown");
    holder_stop(pid, go);
    free(path);
}

static void test_stale_files(void)
{
    static const struct {
        const char *note, *desc;
    } rows[] = {
        { "999999999 1700000000\n", "a lock file of a dead pid" },
        { "", "an empty lock file" },
        { "garbage\n", "a lock file with garbage" },
    };
    char *path = files_path(dir, "stale.lock");

    for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
        struct lockfile l = LOCKFILE_INIT;
        struct err err = ERR_INIT;
        char *note;

        files_put(path, rows[i].note);
        CHECK_INT(lockfile_acquire(&l, path, "x", &err), 0, rows[i].desc);
        note = files_get(path);
        CHECK(note && strtoll(note, NULL, 10) == (long long)getpid(),
              "  ... now records this process");
        free(note);
        lockfile_release(&l);
    }
    free(path);
}

static void test_cannot_open(void)
{
    char *path = files_path(dir, "no/such/folder/run.lock");
    char *want =
        xstrfmt("cannot open lock file '%s': No such file or directory", path);
    struct lockfile l = LOCKFILE_INIT;
    struct err err = ERR_INIT;

    CHECK_INT(lockfile_acquire(&l, path, "x", &err), -1,
              "a lock file in a missing folder");
    CHECK_INT(err.kind, ERR_IO, "  ... ERR_IO");
    CHECK_STR(err.msg, want, "  ... names the file");
    lockfile_release(&l);
    free(want);
    free(path);
}

int main(void)
{
    dir = files_tmpdir("lockfile");
    test_held_by_live_process();
    test_holder_unknown();
    test_stale_files();
    test_cannot_open();
    files_rm_rf(dir);
    free(dir);
    return check_done();
}
