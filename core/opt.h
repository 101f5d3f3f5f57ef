/* SPDX-License-Identifier: MIT */
/*
 * Command-line options from a table (git's parse-options, reduced).
 *
 * A command describes its options as an array of struct opt ending with
 * OPT_END(); each entry names a field of the command's own options struct
 * by offset.  opt_parse() fills that struct, collects the positional
 * arguments, and reports unknown options with a "did you mean" hint.
 * The same table prints the help text, so help never drifts from what is
 * accepted.
 *
 * String values point into argv (borrowed).  Lists (OPT_LIST) collect
 * borrowed pointers into a struct strlist, released with strlist_release().
 */
#ifndef CORE_OPT_H
#define CORE_OPT_H

#include <stddef.h>
#include <stdio.h>

struct err;

enum opt_type {
    OPT_END_,
    OPT_BOOL_,   /* int field: 1 when given; --no-NAME sets 0 */
    OPT_COUNT_,  /* int field: +1 each time (-vv = 2) */
    OPT_DEC_,    /* int field: -1 each time (-q) */
    OPT_STRING_, /* const char * field */
    OPT_INT_,    /* int field, decimal */
    OPT_LIST_    /* struct strlist field: repeated */
};

struct strlist {
    const char **items;
    size_t nr, alloc;
};

#define STRLIST_INIT                                                           \
    {                                                                          \
        NULL, 0, 0                                                             \
    }

void strlist_push(struct strlist *l, const char *s);
void strlist_release(struct strlist *l);

struct opt {
    enum opt_type type;
    char short_name;
    const char *long_name;
    size_t offset;
    const char *argh; /* placeholder in help, e.g. "PATH" */
    const char *help;
};

#define OPT_BOOL(s, l, st, f, h)                                               \
    {                                                                          \
        OPT_BOOL_, s, l, offsetof(st, f), NULL, h                              \
    }
#define OPT_COUNT(s, l, st, f, h)                                              \
    {                                                                          \
        OPT_COUNT_, s, l, offsetof(st, f), NULL, h                             \
    }
#define OPT_DEC(s, l, st, f, h)                                                \
    {                                                                          \
        OPT_DEC_, s, l, offsetof(st, f), NULL, h                               \
    }
#define OPT_STRING(s, l, st, f, a, h)                                          \
    {                                                                          \
        OPT_STRING_, s, l, offsetof(st, f), a, h                               \
    }
#define OPT_INT(s, l, st, f, a, h)                                             \
    {                                                                          \
        OPT_INT_, s, l, offsetof(st, f), a, h                                  \
    }
#define OPT_LIST(s, l, st, f, a, h)                                            \
    {                                                                          \
        OPT_LIST_, s, l, offsetof(st, f), a, h                                 \
    }
#define OPT_END()                                                              \
    {                                                                          \
        OPT_END_, 0, NULL, 0, NULL, NULL                                       \
    }

/*
 * Parse argv[0..argc) (argv[0] is NOT skipped: pass the arguments after
 * the command name).  Positional arguments are appended to 'args'.
 * Returns 0, 1 when -h/--help was given (nothing else is checked), or -1
 * with ERR_USAGE.  "--" ends the options.
 */
int opt_parse(const struct opt *table, void *opts, int argc, char **argv,
              struct strlist *args, struct err *err);

/* Print the options part of a help text. */
void opt_print_help(FILE *fp, const struct opt *table);

#endif
