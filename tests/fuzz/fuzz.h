/* SPDX-License-Identifier: MIT */
/*
 * What the libFuzzer targets (tests/fuzz/fuzz_*.c) share.  Each target is
 * one LLVMFuzzerTestOneInput over a real parser of bytes from outside;
 * see docs/fuzzing.md.  Nothing here is part of the program.
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/*
 * Every target's setup, in util.c (weak, so that a target may have its
 * own): the variables that profile values in the inputs may name are set
 * (SR_TEST_UNSET_VAR is unset), and the logs are quiet (fuzz_quiet()).
 */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A NUL-terminated copy of the input (the caller's, free()). */
char *fuzz_string(const uint8_t *data, size_t size);
/* An exact-size copy (no terminator), so that ASan sees any over-read. */
char *fuzz_copy(const uint8_t *data, size_t size);
/*
 * The input as a file, for APIs that take a path: an in-memory file
 * (memfd, with 'mode'), rewritten on every call.  The path is borrowed.
 */
const char *fuzz_file(const uint8_t *data, size_t size, mode_t mode);
/* Errors only, to /dev/null: a target's messages are noise. */
void fuzz_quiet(void);

#endif
