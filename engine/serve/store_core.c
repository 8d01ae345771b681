/*
 * store_core.c -- store.h for every store: the cases open in this
 * server, by id and by last use, each kept from its first request until
 * the server stops or more recently used ones push it out, and the
 * checks on ids and on a batch of events.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "store_core.h"

static const char *case_key(const void *v, size_t i)
{
    return ((store_case *const *)v)[i]->id;
}

store *store_new(const store_backend *b, pb_engine *e, void *impl)
{
    store *s = calloc(1, sizeof *s);

    if (s != NULL) {
        s->b = b;
        s->e = e;
        s->impl = impl;
    }
    return s;
}

void store_set_engine(store *s, pb_engine *e)
{
    s->e = e;
}

void store_set_max_open(store *s, size_t n)
{
    s->max_open = n;
}

void store_set_max_bytes(store *s, size_t bytes)
{
    s->max_bytes = bytes;
}

unsigned long long store_added(const store *s)
{
    return s->added;
}

int store_uses(const store *s, const pb_engine *e)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        if (s->v[i]->e == e)
            return 1;
    return 0;
}

/* A case's memory, its store's part done (closed or let go). */
static void free_case(store *s, store_case *sc)
{
    s->bytes -= sc->bytes;
    pb_render_memo_free(sc->memo);
    free(sc);
}

void store_close_cases(store *s)
{
    while (s->n > 0) {
        s->b->close_case(s, s->v[--s->n]);
        free_case(s, s->v[s->n]);
    }
    pb__index_clear(&s->ix);
    s->newest = s->oldest = NULL;
}

void store_close(store *s)
{
    if (s == NULL)
        return;
    store_close_cases(s);
    free(s->v);
    pb__index_free(&s->ix);
    s->b->close(s);
    free(s);
}

int store_id_ok(const char *id)
{
    size_t i;

    for (i = 0; id[i] != '\0'; i++)
        if (i == STORE_MAX_ID ||
            !((id[i] >= 'a' && id[i] <= 'z') ||
              (id[i] >= 'A' && id[i] <= 'Z') ||
              (id[i] >= '0' && id[i] <= '9') || id[i] == '_' ||
              id[i] == '-'))
            return 0;
    return i > 0;
}

const pb_case *store_case_of(const store_case *sc)
{
    return sc->cf != NULL ? pb_casefile_case(sc->cf) : sc->c;
}

pb_render_memo *store_memo(store_case *sc)
{
    if (sc->memo == NULL)
        sc->memo = pb_render_memo_new();
    return sc->memo;
}

/* The list by last use: sc out of it, and in at its head. */
static void unlink_case(store *s, store_case *sc)
{
    *(sc->newer ? &sc->newer->older : &s->newest) = sc->older;
    *(sc->older ? &sc->older->newer : &s->oldest) = sc->newer;
}

static void push_case(store *s, store_case *sc)
{
    sc->newer = NULL;
    sc->older = s->newest;
    *(s->newest ? &s->newest->newer : &s->oldest) = sc;
    s->newest = sc;
}

/* Lets the least recently used case but `used` that can go, go, the
 * last of v taking its place: 0 when none can (each holds changes not
 * saved yet), and the limits are passed until some can. */
static int let_one_go(store *s, const store_case *used)
{
    store_case *sc, *last;
    long pos;

    for (sc = s->oldest; sc != NULL; sc = sc->newer)
        if (sc != used && s->b->let_go(s, sc))
            break;
    if (sc == NULL)
        return 0;
    pos = pb__index_find(&s->ix, sc->id, case_key, s->v);
    pb__index_remove(&s->ix, sc->id, case_key, s->v);
    unlink_case(s, sc);
    last = s->v[--s->n];
    if (last != sc) {
        /* a name's position changes only through the index */
        pb__index_remove(&s->ix, last->id, case_key, s->v);
        s->v[pos] = last;
        pb__index_add(&s->ix, (size_t)pos, case_key, s->v);
    }
    free_case(s, sc);
    return 1;
}

/* Counts sc's events not counted yet (all of them when its case was
 * read again), then lets the least recently used others go while the
 * open cases are over either limit.  After every change to sc. */
static void fit(store *s, store_case *sc)
{
    const pb_case *c = store_case_of(sc);
    size_t n = c != NULL ? pb_case_nevents(c) : 0;
    pb_event_info ev;

    s->bytes -= sc->bytes;
    if (c != sc->weighed || n < sc->counted) {
        sc->bytes = sc->counted = 0;
        sc->weighed = c;
    }
    for (; sc->counted < n; sc->counted++) {
        pb_case_event(c, sc->counted, &ev);
        sc->bytes += pb_event_bytes(ev.type, ev.text, ev.attrs, ev.nattrs);
    }
    s->bytes += sc->bytes;
    while (((s->max_open > 0 && s->n > s->max_open) ||
            (s->max_bytes > 0 && s->bytes > s->max_bytes)) &&
           let_one_go(s, sc))
        ;
}

/* Opens case id (create: a new one) and keeps it, letting the least
 * recently used cases go past the limits: once the open has worked, so
 * that asking for cases that are not there lets none go. */
static pb_status keep(store *s, const char *id, const pb_casefile_opts *create,
                      store_case **out, pb_error *err)
{
    store_case *sc;
    pb_status st;

    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        store_case **v = realloc(s->v, cap * sizeof *v);

        if (v == NULL)
            return pb__error(err, PB_NOMEM, "", 0, "out of memory");
        s->v = v;
        s->cap = cap;
    }
    if (pb__index_reserve(&s->ix, s->n + 1, case_key, s->v) != 0 ||
        (sc = calloc(1, sizeof *sc)) == NULL)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    snprintf(sc->id, sizeof sc->id, "%s", id);
    sc->e = s->e;
    if ((st = s->b->open(s, sc, create, err)) != PB_OK) {
        free(sc);
        return st;
    }
    s->v[s->n] = sc;
    pb__index_add(&s->ix, s->n, case_key, s->v);
    s->n++;
    push_case(s, sc);
    fit(s, sc);
    *out = sc;
    return PB_OK;
}

/* Whether the store can still serve: PB_OK, or why not. */
static pb_status usable(store *s, pb_error *err)
{
    return s->b->failed != NULL ? s->b->failed(s, err) : PB_OK;
}

int store_owner(store *s, const char *id, char *out, size_t size)
{
    return pb__index_find(&s->ix, id, case_key, s->v) < 0 &&
           s->b->owner != NULL && s->b->owner(s, id, out, size) == 0;
}

pb_status store_get(store *s, const char *id, store_case **out,
                    pb_error *err)
{
    long i = pb__index_find(&s->ix, id, case_key, s->v);
    pb_status st;

    if (usable(s, err) != PB_OK)
        return PB_IO;
    if (i < 0)
        return keep(s, id, NULL, out, err);
    *out = s->v[i];
    unlink_case(s, *out);
    push_case(s, *out);
    st = s->b->sync != NULL ? s->b->sync(s, *out, err) : PB_OK;
    fit(s, *out);   /* other servers' events, or read again */
    return st;
}

pb_status store_create(store *s, const char *id, const pb_casefile_opts *o,
                       store_case **out, pb_error *err)
{
    pb_status st;

    if (usable(s, err) != PB_OK)
        return PB_IO;
    if (pb__index_find(&s->ix, id, case_key, s->v) >= 0)
        return pb__error(err, PB_STATE, "", 0, "case '%s' exists", id);
    if ((st = keep(s, id, o, out, err)) == PB_OK)
        s->added += (*out)->bytes + STORE_NEW_CASE_BYTES;
    return st;
}

int store_watch(store *s, store_changed fn, void *ud, pb_error *err)
{
    return s->b->watch != NULL ? s->b->watch(s, fn, ud, err) : 0;
}

void store_on_durable(store *s, store_durable fn, void *ud)
{
    if (s->b->on_durable != NULL)
        s->b->on_durable(s, fn, ud);
}

unsigned long long store_pending(store *s, const store_case *sc)
{
    return s->b->pending != NULL ? s->b->pending(s, sc) : 0;
}

pb_status store_record(store *s, store_case *sc, const store_event *ev,
                       size_t n, size_t *at, pb_error *err)
{
    size_t before = sc->bytes;
    pb_status st;

    *at = 0;
    st = s->b->record(s, sc, ev, n, at, err);
    fit(s, sc);
    /* less after a failed write: the case read again, short of it */
    if (sc->bytes > before)
        s->added += sc->bytes - before;
    return st;
}

pb_new_event *store_batch(const store_event *ev, size_t n)
{
    pb_new_event *b = malloc((n ? n : 1) * sizeof *b);
    size_t i;

    for (i = 0; b != NULL && i < n; i++) {
        b[i].type = ev[i].type;
        b[i].text = ev[i].text;
        b[i].attrs = ev[i].attrs;
        b[i].nattrs = ev[i].nattrs;
    }
    return b;
}

pb_status store_apply(pb_case *c, double t, const store_event *ev, size_t n,
                      size_t *at, pb_error *err)
{
    pb_new_event *b = store_batch(ev, n);
    pb_status st;
    size_t i;

    if (b == NULL)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    st = pb_case_check_batch(c, t, b, n, at, err);
    free(b);
    if (st != PB_OK)
        return st;
    for (i = 0; i < n && st == PB_OK; i++)
        st = pb_case_append(c, t, ev[i].type, ev[i].text, ev[i].attrs,
                            ev[i].nattrs, err);
    *at = st == PB_OK ? n : i - 1;
    return st == PB_INPUT ? PB_STATE : st;
}

/* The cases not open are stamped in batches, each just before its
 * cases are read (so that one written meanwhile is read again next time
 * rather than kept as it was), the first of FIRST_BATCH cases and each
 * twice the one before: a caller that stops looking (its budget spent)
 * has at most about as many more stamped as it looked at, and a store
 * whose stamps cost one query for many (PostgreSQL) makes few. */
#define FIRST_BATCH 256

pb_status store_each(store *s, store_known known, store_fn fn, void *ud,
                     pb_error *err)
{
    static const store_stamp none;
    char *const *ids = NULL;
    char **look = NULL;
    store_stamp *stamps = NULL;
    size_t n = 0, i, j, m, from, end, batch = FIRST_BATCH;
    pb_status st;
    int stop = 0, stamped;

    if (usable(s, err) != PB_OK)
        return PB_IO;
    if ((st = s->b->ids(s, &ids, &n, err)) != PB_OK)
        return st;
    if (n > 0 && s->b->stamps != NULL &&
        ((look = malloc(n * sizeof *look)) == NULL ||
         (stamps = malloc(n * sizeof *stamps)) == NULL)) {
        free(look);         /* then every case not open is read */
        look = NULL;
    }
    for (from = 0; from < n && !stop; from = end, batch *= 2) {
        end = n - from > batch ? from + batch : n;
        m = 0;
        for (i = from; look != NULL && i < end; i++)
            if (pb__index_find(&s->ix, ids[i], case_key, s->v) < 0 &&
                (known == NULL || !known(ud, ids[i], NULL)))
                look[m++] = ids[i];
        stamped = m > 0 && s->b->stamps(s, look, m, stamps) == 0;
        for (i = from, j = 0; i < end && !stop; i++) {
            long k = pb__index_find(&s->ix, ids[i], case_key, s->v);
            const store_stamp *sp = NULL;
            pb_case *c = NULL;
            pb_error why;

            if (k < 0 && look != NULL) {
                if (j == m || look[j] != ids[i])
                    continue;           /* the caller did without */
                sp = stamped ? &stamps[j] : NULL;
                j++;
                if (sp != NULL && memcmp(sp, &none, sizeof none) == 0)
                    sp = NULL;
                else if (sp != NULL && known != NULL &&
                         known(ud, ids[i], sp))
                    continue;
            }
            if (k >= 0 && s->b->sync != NULL &&
                s->b->sync(s, s->v[k], &why) != PB_OK)
                stop = fn(ud, ids[i], NULL, NULL, &why);
            else if (k >= 0)
                stop = fn(ud, ids[i], store_case_of(s->v[k]), NULL, NULL);
            else if (s->b->read(s, ids[i], &c, &why) != PB_OK)
                stop = fn(ud, ids[i], NULL, sp, &why);
            else
                stop = fn(ud, ids[i], c, sp, NULL);
            pb_case_free(c);
        }
    }
    free(look);
    free(stamps);
    return PB_OK;
}

void store_ids_free(char **ids, size_t n)
{
    while (n > 0)
        free(ids[--n]);
    free(ids);
}

void store_each_open(store *s, store_fn fn, void *ud)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        if (fn(ud, s->v[i]->id, store_case_of(s->v[i]), NULL, NULL) != 0)
            return;
}

int store_stamps(store *s, char *const *ids, size_t n, store_stamp *out)
{
    return s->b->stamps != NULL ? s->b->stamps(s, ids, n, out) : -1;
}
