/* SPDX-License-Identifier: MIT */
/*
 * Whole files, read and written durably: the plumbing every local file of
 * stripe-reader goes through (profiles, the OAuth token store, the NDJSON
 * manifest and data files).
 *
 * A file is read whole into a capped struct buf, so that a runaway file
 * is an error naming it, not an allocation of its size.  A file is
 * replaced atomically: a temporary file beside it is written, fsync'ed
 * and renamed over it, then the folder is fsync'ed, so that a reader
 * sees the old content or the new one, never a mix, and after a crash at
 * any point one of them is on disk.
 *
 * Errors are ERR_IO and name the path: "cannot read '<path>': <reason>".
 * On failure errno is the one of the failing system call (the message
 * has it too), for callers that keep it (a sticky stream error).
 */
#ifndef CORE_FILE_H
#define CORE_FILE_H

#include <stddef.h>

struct buf;
struct err;

enum file_flags {
    /* file_read(): a missing file is not an error (returns 1). */
    FILE_MISSING_OK = 1 << 0,
    /* file_replace(): the file is created with mode 0600, not 0644. */
    FILE_PRIVATE = 1 << 1,
    /*
     * file_replace(): the temporary file is "<path>.tmp.<pid>" rather
     * than "<path>.tmp", for files whose writers are not serialised by a
     * lock.  A crashed writer's temporary file then stays behind.
     */
    FILE_UNIQUE_TMP = 1 << 2,
};

/*
 * Read the regular file 'path' whole into 'out' (released first, then
 * capped at 'max' bytes).  'what' names the file in messages ("profile":
 * "cannot read profile '<path>': ..."), NULL for none.  Returns 0; 1 when
 * the file does not exist and 'flags' has FILE_MISSING_OK ('out' empty);
 * -1 with ERR_IO when it cannot be opened or read, is a directory or not
 * a regular file ("cannot read ...: it is a directory"), or is larger than
 * 'max' ("<what> '<path>' is larger than <max> bytes").  'out' is empty
 * after a failure.
 */
int file_read(const char *path, const char *what, size_t max, unsigned flags,
              struct buf *out, struct err *err);

/*
 * Replace 'path' atomically with 'len' bytes of 'data' (see above),
 * honouring FILE_PRIVATE and FILE_UNIQUE_TMP.  The folder must exist.
 * -1 with ERR_IO ("cannot create/write '<tmp>'", "cannot rename '<tmp>'
 * to '<path>'", "cannot sync folder '<dir>'"); the temporary file is
 * removed, and 'path' keeps its old content unless only the final folder
 * sync failed.
 */
int file_replace(const char *path, const void *data, size_t len, unsigned flags,
                 struct err *err);

/*
 * write() all 'len' bytes to 'fd', retrying short writes and EINTR.
 * 0, or -1 with errno set (git's write_in_full): the caller names the file.
 */
int write_all(int fd, const void *data, size_t len);

/* fsync the file or folder 'path' by name.  -1 with ERR_IO. */
int file_fsync(const char *path, struct err *err);

/*
 * fsync the folder 'dir', so that a rename or a new file in it survives
 * a crash.  -1 with ERR_IO ("cannot sync folder '<dir>': ...").
 */
int fsync_dir(const char *dir, struct err *err);

/*
 * rename(2) 'from' to 'to' (the last step of publishing a temporary
 * file).  -1 with ERR_IO naming both; 'from' is left in place.
 */
int file_rename(const char *from, const char *to, struct err *err);

#endif
