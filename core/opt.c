/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/opt.h"
#include "core/err.h"
#include "core/strutil.h"
#include "core/xalloc.h"

void strlist_push(struct strlist *l, const char *s)
{
    ALLOC_GROW(l->items, l->nr + 1, l->alloc);
    l->items[l->nr++] = s;
}

void strlist_release(struct strlist *l)
{
    FREE_AND_NULL(l->items);
    l->nr = l->alloc = 0;
}

static void *field(void *opts, const struct opt *o)
{
    return (char *)opts + o->offset;
}

static bool takes_value(const struct opt *o)
{
    return o->type == OPT_STRING_ || o->type == OPT_INT_ ||
           o->type == OPT_LIST_;
}

static int set_value(const struct opt *o, void *opts, const char *val,
                     const char *shown, struct err *err)
{
    char *end = NULL;
    long v;

    switch (o->type) {
    case OPT_STRING_:
        *(const char **)field(opts, o) = val;
        return 0;
    case OPT_LIST_:
        strlist_push(field(opts, o), val);
        return 0;
    case OPT_INT_:
        errno = 0;
        v = strtol(val, &end, 10);
        if (!*val || *end || errno || v < -2147483647L || v > 2147483647L) {
            return err_set(err, ERR_USAGE,
                           "option '%s' expects a whole number, got '%s'",
                           shown, val);
        }
        *(int *)field(opts, o) = (int)v;
        return 0;
    case OPT_BOOL_:
        *(int *)field(opts, o) = 1;
        return 0;
    case OPT_COUNT_:
        (*(int *)field(opts, o))++;
        return 0;
    case OPT_DEC_:
        (*(int *)field(opts, o))--;
        return 0;
    case OPT_END_:
        break;
    }
    return err_set(err, ERR_INTERNAL, "bad option table entry");
}

static int unknown_long(const struct opt *table, const char *name,
                        struct err *err)
{
    const char *names[128];
    size_t n = 0;
    const char *hint;

    for (const struct opt *o = table; o->type != OPT_END_; o++) {
        if (o->long_name && n < ARRAY_SIZE(names) - 2) {
            names[n++] = o->long_name;
        }
    }
    names[n++] = "help";
    names[n] = NULL;
    hint = suggest(name, names);
    if (hint) {
        return err_set(err, ERR_USAGE,
                       "unknown option '--%s' (did you mean '--%s'?)", name,
                       hint);
    }
    return err_set(err, ERR_USAGE, "unknown option '--%s'", name);
}

static int parse_long(const struct opt *table, void *opts, int argc,
                      char **argv, int *i, struct err *err)
{
    const char *arg = argv[*i] + 2;
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    char name[64];
    bool neg = false;

    snprintf(name, sizeof(name), "%.*s", (int)len, arg);
    for (int pass = 0; pass < 2; pass++) {
        const char *want = pass ? name + 3 : name;

        if (pass && !starts_with(name, "no-")) {
            break;
        }
        neg = pass;
        for (const struct opt *o = table; o->type != OPT_END_; o++) {
            if (!o->long_name || strcmp(o->long_name, want)) {
                continue;
            }
            if (neg && o->type != OPT_BOOL_) {
                continue;
            }
            if (!takes_value(o)) {
                if (eq) {
                    return err_set(err, ERR_USAGE,
                                   "option '--%s' takes no value", want);
                }
                if (neg) {
                    *(int *)field(opts, o) = 0;
                    return 0;
                }
                return set_value(o, opts, NULL, argv[*i], err);
            }
            if (eq) {
                return set_value(o, opts, eq + 1, name, err);
            }
            if (*i + 1 >= argc) {
                return err_set(err, ERR_USAGE, "option '--%s' needs a value",
                               want);
            }
            (*i)++;
            return set_value(o, opts, argv[*i], name, err);
        }
    }
    return unknown_long(table, name, err);
}

static int parse_short(const struct opt *table, void *opts, int argc,
                       char **argv, int *i, struct err *err)
{
    const char *p = argv[*i] + 1;

    for (; *p; p++) {
        const struct opt *o = table;
        char shown[3] = { '-', *p, '\0' };

        while (o->type != OPT_END_ && o->short_name != *p) {
            o++;
        }
        if (o->type == OPT_END_) {
            return err_set(err, ERR_USAGE, "unknown option '-%c'", *p);
        }
        if (!takes_value(o)) {
            set_value(o, opts, NULL, shown, err);
            continue;
        }
        if (p[1]) {
            return set_value(o, opts, p + 1, shown, err);
        }
        if (*i + 1 >= argc) {
            return err_set(err, ERR_USAGE, "option '-%c' needs a value", *p);
        }
        (*i)++;
        return set_value(o, opts, argv[*i], shown, err);
    }
    return 0;
}

static bool is_help(const char *a)
{
    return !strcmp(a, "-h") || !strcmp(a, "--help");
}

int opt_parse(const struct opt *table, void *opts, int argc, char **argv,
              struct strlist *args, struct err *err)
{
    bool only_args = false;

    for (int i = 0; i < argc && strcmp(argv[i], "--"); i++) {
        if (is_help(argv[i])) {
            return 1;
        }
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int ret = 0;

        if (only_args || a[0] != '-' || !a[1]) {
            strlist_push(args, a);
            continue;
        }
        if (!strcmp(a, "--")) {
            only_args = true;
            continue;
        }
        if (a[1] == '-') {
            ret = parse_long(table, opts, argc, argv, &i, err);
        }
        else {
            ret = parse_short(table, opts, argc, argv, &i, err);
        }
        if (ret < 0) {
            return -1;
        }
    }
    return 0;
}

void opt_print_help(FILE *fp, const struct opt *table)
{
    for (const struct opt *o = table; o->type != OPT_END_; o++) {
        char left[64];
        int n = 0;

        if (!o->help) {
            continue;
        }
        if (o->short_name && o->long_name) {
            n = snprintf(left, sizeof(left), "-%c, --%s", o->short_name,
                         o->long_name);
        }
        else if (o->long_name) {
            n = snprintf(left, sizeof(left), "    --%s", o->long_name);
        }
        else {
            n = snprintf(left, sizeof(left), "-%c", o->short_name);
        }
        if (o->argh && n > 0 && (size_t)n < sizeof(left)) {
            snprintf(left + n, sizeof(left) - (size_t)n, " %s", o->argh);
        }
        if (strlen(left) > 26) {
            fprintf(fp, "  %s\n  %26s  %s\n", left, "", o->help);
        }
        else {
            fprintf(fp, "  %-26s  %s\n", left, o->help);
        }
    }
}
