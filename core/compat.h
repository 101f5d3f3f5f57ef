/* SPDX-License-Identifier: MIT */
/*
 * First include of every .c file: feature macros, the standard headers
 * nearly every file needs, and a few portable attribute macros.
 */
#ifndef CORE_COMPAT_H
#define CORE_COMPAT_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* strptime() */
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1 /* flock(), timegm(), strcasecmp() on glibc */
#endif

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define UNUSED __attribute__((unused))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))
#else
#define UNUSED
#define PRINTF_LIKE(f, a)
#define NORETURN
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#ifndef STRIPE_READER_VERSION
#define STRIPE_READER_VERSION "0.1.0"
#endif

#endif
