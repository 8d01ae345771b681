/*
 * store_files.c -- the file store: DIR/ID.xml and its journal per case,
 * each held open (and locked) from the first request that names it
 * until the server stops.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "store_core.h"

/* DIR/ID.xml, malloc'd. */
static char *case_path(const store *s, const char *id)
{
    const char *dir = s->impl;
    size_t n = strlen(dir) + strlen(id) + 6;
    char *p = malloc(n);

    if (p != NULL)
        snprintf(p, n, "%s/%s.xml", dir, id);
    return p;
}

static pb_status files_open(store *s, store_case *sc,
                            const pb_casefile_opts *create, pb_error *err)
{
    char *path = case_path(s, sc->id);
    pb_casefile_opts with_id;
    struct stat sb;
    pb_status st;

    if (path == NULL)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    if (create == NULL && stat(path, &sb) != 0) {
        st = pb__error(err, PB_INPUT, "", 0, "no case '%s'", sc->id);
    } else if (create == NULL) {
        st = pb_casefile_open(s->e, path, NULL, &sc->cf, err);
        if (st == PB_INPUT)
            st = PB_IO;     /* a damaged file is the server's to mend */
    } else if (stat(path, &sb) == 0) {
        st = pb__error(err, PB_STATE, "", 0, "case '%s' exists", sc->id);
    } else {
        with_id = *create;
        with_id.id = sc->id;
        st = pb_casefile_open(s->e, path, &with_id, &sc->cf, err);
        /* Written now: a case the client was told exists must outlive
         * us. */
        if (st == PB_OK && (st = pb_casefile_compact(sc->cf, err)) != PB_OK) {
            pb_casefile_free(sc->cf);
            sc->cf = NULL;
        }
    }
    free(path);
    return st;
}

static pb_status files_record(store *s, store_case *sc, const store_event *ev,
                              size_t n, size_t *at, pb_error *err)
{
    double t = pb_casefile_now(sc->cf);
    pb_status st = PB_OK;
    size_t i;

    (void)s;
    for (i = 0; i < n; i++)
        if (pb_casefile_check(sc->cf, t, ev[i].type, ev[i].text, ev[i].attrs,
                              ev[i].nattrs, err) != PB_OK) {
            *at = i;
            return PB_INPUT;
        }
    /* Each is acknowledged once its journal record is synced; one that
     * is not stays pending in the case file, which retries it with the
     * next write. */
    for (i = 0; i < n && st == PB_OK; i++)
        st = pb_casefile_append(sc->cf, t, ev[i].type, ev[i].text,
                                ev[i].attrs, ev[i].nattrs, err);
    *at = st == PB_OK ? n : i - 1;
    return st == PB_INPUT ? PB_STATE : st;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static pb_status files_ids(store *s, char ***out, size_t *nout,
                           pb_error *err)
{
    DIR *d = opendir(s->impl);
    struct dirent *de;
    char **ids = NULL, **v;
    size_t n = 0, cap = 0;

    if (d == NULL)
        return pb__error(err, PB_IO, s->impl, 0, "cannot list: %s",
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
                break;
            }
            ids = v;
        }
        ids[n++] = id;
    }
    closedir(d);
    if (de != NULL) {   /* out of memory half way */
        while (n > 0)
            free(ids[--n]);
        free(ids);
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    }
    if (n > 0)
        qsort(ids, n, sizeof *ids, by_name);
    *out = ids;
    *nout = n;
    return PB_OK;
}

static pb_status files_read(store *s, const char *id, pb_case **out,
                            pb_error *err)
{
    char *path = case_path(s, id);
    pb_error warn;
    pb_status st;

    if (path == NULL)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    st = pb_casefile_read(s->e, path, out, &warn, err);
    free(path);
    return st;
}

static void files_close_case(store *s, store_case *sc)
{
    pb_error err;

    (void)s;
    /* Every acknowledged event is in the journal already; a failed close
     * leaves it for the next open to merge. */
    if (pb_casefile_close(sc->cf, &err) != PB_OK)
        pb_casefile_free(sc->cf);
}

static void files_close(store *s)
{
    free(s->impl);
}

static const store_backend files = {
    files_open, NULL, files_record, files_ids, files_read, NULL,
    files_close_case, files_close
};

store *store_open_files(pb_engine *e, const char *dir, pb_error *err)
{
    struct stat sb;
    char *d;
    store *s;

    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        pb__error(err, PB_IO, dir, 0, "cannot create the data folder: %s",
                  strerror(errno));
        return NULL;
    }
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        pb__error(err, PB_IO, dir, 0, "not a folder");
        return NULL;
    }
    if ((d = strdup(dir)) == NULL || (s = store_new(&files, e, d)) == NULL) {
        free(d);
        pb__error(err, PB_NOMEM, "", 0, "out of memory");
        return NULL;
    }
    return s;
}
