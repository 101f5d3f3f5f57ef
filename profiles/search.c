/* SPDX-License-Identifier: MIT */
/*
 * Finding profile files: the search path, --profile NAME|PATH, and the
 * listing behind 'profiles list'.
 */
#include "core/compat.h"
#include "profiles/profile.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/strutil.h"
#include "core/xalloc.h"

#include <dirent.h>
#include <sys/stat.h>

static void add_dir(struct profile_list *l, char *dir)
{
    for (size_t i = 0; i < l->nr_dirs; i++) {
        if (!strcmp(l->dirs[i], dir)) {
            free(dir);
            return;
        }
    }
    ALLOC_GROW(l->dirs, l->nr_dirs + 1, l->alloc_dirs);
    l->dirs[l->nr_dirs++] = dir;
}

void profile_search_path(struct profile_list *l)
{
    const char *env = getenv("STRIPE_READER_PROFILE_PATH");
    const char *v;

    while (env && *env) {
        size_t len = strcspn(env, ":");

        if (len) {
            add_dir(l, xstrndup(env, len));
        }
        env += len + (env[len] == ':');
    }
    v = getenv("STRIPE_READER_CONFIG_DIR");
    if (v && *v) {
        add_dir(l, xstrdup(v));
    }
    else if ((v = getenv("XDG_CONFIG_HOME")) && v[0] == '/') {
        add_dir(l, xstrfmt("%s/stripe-reader/profiles", v));
    }
    else if ((v = getenv("HOME")) && *v) {
        add_dir(l, xstrfmt("%s/.config/stripe-reader/profiles", v));
    }
    add_dir(l, xstrdup("./profiles"));
}

static bool is_profile_file(const char *name)
{
    return name[0] != '.' &&
           (ends_with(name, ".yaml") || ends_with(name, ".yml"));
}

static size_t stem_len(const char *file)
{
    return strlen(file) - (ends_with(file, ".yaml") ? 5 : 4);
}

/* By name, then NAME.yaml before NAME.yml (the order profile_find uses). */
static int cmp_file(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    size_t lx = stem_len(x), ly = stem_len(y);
    int c = strncmp(x, y, lx < ly ? lx : ly);

    if (c) {
        return c;
    }
    if (lx != ly) {
        return lx < ly ? -1 : 1;
    }
    return ends_with(x, ".yaml") ? -1 : 1;
}

/* The profile file names in 'dir', in cmp_file() order. */
static size_t read_dir(const char *dir, char ***names)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t nr = 0, alloc = 0;

    *names = NULL;
    if (!d) {
        return 0;
    }
    while ((de = readdir(d))) {
        char *path;
        struct stat st;

        if (!is_profile_file(de->d_name)) {
            continue;
        }
        path = xstrfmt("%s/%s", dir, de->d_name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            ALLOC_GROW(*names, nr + 1, alloc);
            (*names)[nr++] = xstrdup(de->d_name);
        }
        free(path);
    }
    closedir(d);
    if (nr) {
        qsort(*names, nr, sizeof(**names), cmp_file);
    }
    return nr;
}

static bool name_taken(const struct profile_list *l, const char *name)
{
    for (size_t i = 0; i < l->nr; i++) {
        if (!strcmp(l->items[i].name, name)) {
            return true;
        }
    }
    return false;
}

static void add_entry(struct profile_list *l, const char *dir, const char *file)
{
    struct profile_entry *e;
    char *name = xstrndup(file, stem_len(file));

    ALLOC_GROW(l->items, l->nr + 1, l->alloc);
    e = &l->items[l->nr];
    e->shadowed = name_taken(l, name);
    e->name = name;
    e->path = xstrfmt("%s/%s", dir, file);
    l->nr++;
}

void profile_list_scan(struct profile_list *l)
{
    profile_search_path(l);
    for (size_t i = 0; i < l->nr_dirs; i++) {
        char **names;
        size_t nr = read_dir(l->dirs[i], &names);

        for (size_t j = 0; j < nr; j++) {
            add_entry(l, l->dirs[i], names[j]);
            free(names[j]);
        }
        free(names);
    }
}

void profile_list_release(struct profile_list *l)
{
    if (!l) {
        return;
    }
    for (size_t i = 0; i < l->nr_dirs; i++) {
        free(l->dirs[i]);
    }
    for (size_t i = 0; i < l->nr; i++) {
        free(l->items[i].name);
        free(l->items[i].path);
    }
    free(l->dirs);
    free(l->items);
    memset(l, 0, sizeof(*l));
}

static bool file_exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void join_dirs(const struct profile_list *l, struct buf *out)
{
    for (size_t i = 0; i < l->nr_dirs; i++) {
        buf_addf(out, "%s'%s'", i ? ", " : "", l->dirs[i]);
    }
}

static int not_found(const char *name, struct err *err)
{
    struct profile_list l = PROFILE_LIST_INIT;
    struct buf dirs = BUF_INIT;
    const char **names;
    const char *hint;

    profile_list_scan(&l);
    join_dirs(&l, &dirs);
    names = xcalloc(l.nr + 1, sizeof(*names));
    for (size_t i = 0; i < l.nr; i++) {
        names[i] = l.items[i].name;
    }
    hint = suggest(name, names);
    if (hint) {
        err_set(err, ERR_CONFIG,
                "profile '%s' not found (did you mean '%s'?); looked for "
                "'%s.yaml' and '%s.yml' in %s",
                name, hint, name, name, dirs.buf);
    }
    else {
        err_set(err, ERR_CONFIG,
                "profile '%s' not found; looked for '%s.yaml' and "
                "'%s.yml' in %s",
                name, name, name, dirs.buf);
    }
    free(names);
    buf_release(&dirs);
    profile_list_release(&l);
    return -1;
}

static int no_profile(struct err *err)
{
    struct profile_list l = PROFILE_LIST_INIT;
    struct buf dirs = BUF_INIT;

    profile_search_path(&l);
    join_dirs(&l, &dirs);
    err_set(err, ERR_CONFIG,
            "no profile given: use --profile NAME|PATH or set "
            "STRIPE_READER_PROFILE (names are looked up in %s)",
            dirs.buf);
    buf_release(&dirs);
    profile_list_release(&l);
    return -1;
}

int profile_find(const char *name_or_path, char **path_out, struct err *err)
{
    struct profile_list l = PROFILE_LIST_INIT;
    const char *arg = name_or_path;
    int ret = -1;

    if (!arg || !*arg) {
        arg = getenv("STRIPE_READER_PROFILE");
    }
    if (!arg || !*arg) {
        return no_profile(err);
    }
    if (strchr(arg, '/') || ends_with(arg, ".yaml") || ends_with(arg, ".yml")) {
        *path_out = xstrdup(arg);
        return 0;
    }
    if (!profile_name_valid(arg)) {
        return err_set(err, ERR_CONFIG,
                       "invalid profile name '%s' (a name uses letters, "
                       "digits, '-', '_' and '.'; give a path with a '/')",
                       arg);
    }
    profile_search_path(&l);
    for (size_t i = 0; i < l.nr_dirs && ret < 0; i++) {
        static const char *const exts[] = { ".yaml", ".yml" };

        for (size_t j = 0; j < ARRAY_SIZE(exts) && ret < 0; j++) {
            char *path = xstrfmt("%s/%s%s", l.dirs[i], arg, exts[j]);

            if (file_exists(path)) {
                *path_out = path;
                ret = 0;
            }
            else {
                free(path);
            }
        }
    }
    profile_list_release(&l);
    if (ret < 0) {
        return not_found(arg, err);
    }
    return 0;
}
