/*
 * store.c -- the file store: DIR/ID.xml and its journal per case, kept
 * open from the first request that names a case until the server stops.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "index.h"
#include "store.h"

#define MAX_ID 64

typedef struct open_case {
    char id[MAX_ID + 1];
    pb_casefile *cf;
} open_case;

struct store {
    pb_engine *e;
    char *dir;
    open_case *v;
    size_t n, cap;
    pb__index ix;   /* v by id */
};

static const char *case_key(const void *v, size_t i)
{
    return ((const open_case *)v)[i].id;
}

store *store_open(pb_engine *e, const char *dir, pb_error *err)
{
    store *s;
    struct stat sb;

    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        pb__error(err, PB_IO, dir, 0, "cannot create the data folder: %s",
                  strerror(errno));
        return NULL;
    }
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        pb__error(err, PB_IO, dir, 0, "not a folder");
        return NULL;
    }
    if ((s = calloc(1, sizeof *s)) == NULL ||
        (s->dir = strdup(dir)) == NULL) {
        free(s);
        pb__error(err, PB_NOMEM, "", 0, "out of memory");
        return NULL;
    }
    s->e = e;
    return s;
}

void store_set_engine(store *s, pb_engine *e)
{
    s->e = e;
}

void store_close(store *s)
{
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; i < s->n; i++) {
        pb_error err;

        /* Every acknowledged event is in the journal already; a failed
         * close leaves it for the next open to merge. */
        if (pb_casefile_close(s->v[i].cf, &err) != PB_OK)
            pb_casefile_free(s->v[i].cf);
    }
    free(s->v);
    pb__index_free(&s->ix);
    free(s->dir);
    free(s);
}

int store_id_ok(const char *id)
{
    size_t i;

    for (i = 0; id[i] != '\0'; i++)
        if (i == MAX_ID ||
            !((id[i] >= 'a' && id[i] <= 'z') ||
              (id[i] >= 'A' && id[i] <= 'Z') ||
              (id[i] >= '0' && id[i] <= '9') || id[i] == '_' ||
              id[i] == '-'))
            return 0;
    return i > 0;
}

/* DIR/ID.xml into buf. */
static char *case_path(const store *s, const char *id)
{
    size_t n = strlen(s->dir) + strlen(id) + 6;
    char *p = malloc(n);

    if (p != NULL)
        snprintf(p, n, "%s/%s.xml", s->dir, id);
    return p;
}

/* Opens the case file at path and keeps it as id. */
static pb_status keep(store *s, const char *id, const char *path,
                      const pb_casefile_opts *o, pb_casefile **out,
                      pb_error *err)
{
    pb_casefile *cf;
    pb_status st;

    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        open_case *v = realloc(s->v, cap * sizeof *v);

        if (v == NULL)
            return pb__error(err, PB_NOMEM, "", 0, "out of memory");
        s->v = v;
        s->cap = cap;
    }
    if (pb__index_reserve(&s->ix, s->n + 1, case_key, s->v) != 0)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    if ((st = pb_casefile_open(s->e, path, o, &cf, err)) != PB_OK)
        return st;
    snprintf(s->v[s->n].id, sizeof s->v[s->n].id, "%s", id);
    s->v[s->n].cf = cf;
    pb__index_add(&s->ix, s->n, case_key, s->v);
    s->n++;
    *out = cf;
    return PB_OK;
}

pb_status store_get(store *s, const char *id, pb_casefile **out,
                    pb_error *err)
{
    long i = pb__index_find(&s->ix, id, case_key, s->v);
    struct stat sb;
    char *path;
    pb_status st;

    if (i >= 0) {
        *out = s->v[i].cf;
        return PB_OK;
    }
    if ((path = case_path(s, id)) == NULL)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    if (stat(path, &sb) != 0)
        st = pb__error(err, PB_INPUT, "", 0, "no case '%s'", id);
    else if ((st = keep(s, id, path, NULL, out, err)) == PB_INPUT)
        st = PB_IO;     /* a damaged file is the server's to mend */
    free(path);
    return st;
}

pb_status store_create(store *s, const char *id, const pb_casefile_opts *o,
                       pb_casefile **out, pb_error *err)
{
    pb_casefile_opts with_id = *o;
    struct stat sb;
    char *path;
    pb_status st;

    if (pb__index_find(&s->ix, id, case_key, s->v) >= 0)
        return pb__error(err, PB_STATE, "", 0, "case '%s' exists", id);
    if ((path = case_path(s, id)) == NULL)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    if (stat(path, &sb) == 0) {
        free(path);
        return pb__error(err, PB_STATE, "", 0, "case '%s' exists", id);
    }
    with_id.id = id;
    st = keep(s, id, path, &with_id, out, err);
    free(path);
    /* Written now: a case the client was told exists must outlive us. */
    if (st == PB_OK)
        st = pb_casefile_compact(*out, err);
    return st;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

pb_status store_each(store *s, store_fn fn, void *ud, size_t *unreadable,
                     pb_error *err)
{
    DIR *d = opendir(s->dir);
    struct dirent *de;
    char **ids = NULL, **v;
    size_t n = 0, cap = 0, i;
    pb_status st = PB_OK;

    *unreadable = 0;
    if (d == NULL)
        return pb__error(err, PB_IO, s->dir, 0, "cannot list: %s",
                         strerror(errno));
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        char *id;

        if (len < 5 || strcmp(de->d_name + len - 4, ".xml") != 0)
            continue;
        if ((id = strndup(de->d_name, len - 4)) == NULL ||
            !store_id_ok(id)) {
            free(id);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            if ((v = realloc(ids, cap * sizeof *v)) == NULL) {
                free(id);
                st = pb__error(err, PB_NOMEM, "", 0, "out of memory");
                break;
            }
            ids = v;
        }
        ids[n++] = id;
    }
    closedir(d);
    if (st == PB_OK && n > 0)
        qsort(ids, n, sizeof *ids, by_name);
    for (i = 0; i < n && st == PB_OK; i++) {
        long k = pb__index_find(&s->ix, ids[i], case_key, s->v);
        pb_error rerr, warn;
        pb_case *c = NULL;
        char *path;
        int stop;

        if (k >= 0) {
            stop = fn(ud, ids[i], pb_casefile_case(s->v[k].cf));
        } else if ((path = case_path(s, ids[i])) == NULL) {
            st = pb__error(err, PB_NOMEM, "", 0, "out of memory");
            break;
        } else {
            if (pb_casefile_read(s->e, path, &c, &warn, &rerr) != PB_OK)
                ++*unreadable;
            free(path);
            stop = c != NULL ? fn(ud, ids[i], c) : 0;
            pb_case_free(c);
        }
        if (stop)
            break;
    }
    for (i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    return st;
}
