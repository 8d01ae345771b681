/*
 * engine.c -- the engine: a sandbox, the loaded principles in checklist
 * order, and the event types they and the cases mention.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>

#include "case.h"
#include "error.h"
#include "file.h"

#define MAX_PRINCIPLE_BYTES (4u * 1024u * 1024u)

pb_engine *pb_engine_new(void)
{
    pb_engine *e = calloc(1, sizeof *e);

    if (e == NULL)
        return NULL;
    e->sb = pb__sandbox_new(PB_DEFAULT_MEMORY);
    if (e->sb == NULL) {
        free(e);
        return NULL;
    }
    pb__sandbox_set_limits(e->sb, PB_DEFAULT_INSTRUCTIONS, 0);
    /* The types the engine interprets get the first ids (case.h). */
    if (pb__engine_type(e, "fact", 1) != PB__T_FACT ||
        pb__engine_type(e, "item.checked", 1) != PB__T_CHECKED ||
        pb__engine_type(e, "item.skipped", 1) != PB__T_SKIPPED ||
        pb__engine_type(e, "case.closed", 1) != PB__T_CLOSED) {
        pb_engine_free(e);
        return NULL;
    }
    return e;
}

void pb_engine_free(pb_engine *e)
{
    size_t i;

    if (e == NULL)
        return;
    for (i = 0; i < e->nprinciples; i++)
        pb__principle_free(pb__sandbox_lua(e->sb), e->principles[i]);
    for (i = 0; i < e->ntypes; i++)
        free(e->types[i]);
    free(e->types);
    free(e->type_slots);
    free(e->principles);
    free(e->items);
    free(e->failures);
    pb__sandbox_free(e->sb);
    free(e);
}

void pb_engine_set_limits(pb_engine *e, size_t instructions, size_t memory)
{
    pb__sandbox_set_limits(e->sb, instructions, memory);
}

/* Event types. */

static size_t hash(const char *s)
{
    size_t h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int grow_slots(pb_engine *e)
{
    size_t i, n = e->nslots ? e->nslots * 2 : 64;
    int *slots = calloc(n, sizeof *slots);

    if (slots == NULL)
        return -1;
    for (i = 0; i < e->ntypes; i++) {
        size_t h = hash(e->types[i]) & (n - 1);

        while (slots[h])
            h = (h + 1) & (n - 1);
        slots[h] = (int)i + 1;
    }
    free(e->type_slots);
    e->type_slots = slots;
    e->nslots = n;
    return 0;
}

int pb__engine_type(pb_engine *e, const char *name, int create)
{
    size_t h;
    char *copy;

    if (e->nslots) {
        h = hash(name) & (e->nslots - 1);
        for (; e->type_slots[h]; h = (h + 1) & (e->nslots - 1))
            if (strcmp(e->types[e->type_slots[h] - 1], name) == 0)
                return e->type_slots[h] - 1;
    }
    if (!create)
        return -1;
    if ((e->ntypes + 1) * 2 > e->nslots && grow_slots(e) != 0)
        return -1;
    if (e->ntypes == e->types_cap) {
        size_t cap = e->types_cap ? e->types_cap * 2 : 32;
        char **t = realloc(e->types, cap * sizeof *t);

        if (t == NULL)
            return -1;
        e->types = t;
        e->types_cap = cap;
    }
    copy = strdup(name);
    if (copy == NULL)
        return -1;
    e->types[e->ntypes] = copy;
    h = hash(name) & (e->nslots - 1);
    while (e->type_slots[h])
        h = (h + 1) & (e->nslots - 1);
    e->type_slots[h] = (int)e->ntypes + 1;
    return (int)e->ntypes++;
}

/* Principles. */

static int intern_detectors(pb_engine *e, pb__principle *p)
{
    size_t i;

    for (i = 0; i < p->ndetectors; i++) {
        pb__detector *d = &p->detectors[i];

        if (d->on && (d->on_type = pb__engine_type(e, d->on, 1)) < 0)
            return -1;
        if (d->emit && (d->emit_type = pb__engine_type(e, d->emit, 1)) < 0)
            return -1;
        if (d->after &&
            (d->after_type = pb__engine_type(e, d->after, 1)) < 0)
            return -1;
    }
    return 0;
}

static int before(const pb__principle *a, const pb__principle *b)
{
    return a->order < b->order || (a->order == b->order && a->seq < b->seq);
}

pb_status pb__engine_add(pb_engine *e, pb__principle *p)
{
    pb__principle **ps;
    pb__item **items;
    size_t i, j, n;

    if (intern_detectors(e, p) != 0)
        return PB_NOMEM;
    ps = realloc(e->principles, (e->nprinciples + 1) * sizeof *ps);
    if (ps == NULL)
        return PB_NOMEM;
    e->principles = ps;
    items = realloc(e->items, (e->nitems + p->nitems) * sizeof *items);
    if (items == NULL)
        return PB_NOMEM;
    e->items = items;
    p->seq = e->seq++;
    for (i = e->nprinciples; i > 0 && before(p, ps[i - 1]); i--)
        ps[i] = ps[i - 1];
    ps[i] = p;
    e->nprinciples++;
    for (i = 0, n = 0; i < e->nprinciples; i++) {
        ps[i]->first_item = n;
        for (j = 0; j < ps[i]->nitems; j++) {
            ps[i]->items[j].principle = i;
            items[n++] = &ps[i]->items[j];
        }
    }
    e->nitems = n;
    return PB_OK;
}

static pb_status add_failure(pb_engine *e, const pb_error *err)
{
    pb_error *f = realloc(e->failures, (e->nfailures + 1) * sizeof *f);

    if (f == NULL)
        return PB_NOMEM;
    e->failures = f;
    f[e->nfailures++] = *err;
    return PB_INPUT;
}

pb_status pb_engine_load_buffer(pb_engine *e, const char *name,
                                const char *src, size_t len, pb_error *err)
{
    pb__principle *p;
    pb_error local;
    pb_status st;
    long dup;

    if (err == NULL)
        err = &local;
    if (e->ncases > 0)
        return pb__error(err, PB_STATE, name, 0,
                         "principles cannot be loaded while cases are open");
    st = pb__principle_load(e, name, src, len, &p, err);
    if (st == PB_OK && (dup = pb_engine_find_principle(e, p->id)) >= 0) {
        st = pb__error(err, PB_INPUT, name, p->line,
                       "duplicate principle id '%s' (already loaded from "
                       "%s)", p->id, e->principles[dup]->file);
    }
    if (st == PB_OK)
        st = pb__engine_add(e, p);
    if (st == PB_OK)
        return PB_OK;
    pb__principle_free(pb__sandbox_lua(e->sb), p);
    if (st == PB_NOMEM && err->message[0] == '\0')
        pb__error(err, st, name, 0, "out of memory");
    add_failure(e, err);
    return st;
}

static pb_status load_file(pb_engine *e, const char *path, pb_error *err)
{
    char *src = NULL;
    size_t len = 0;
    pb_status st = pb__read_file(path, MAX_PRINCIPLE_BYTES, &src, &len, err);

    if (st != PB_OK) {
        add_failure(e, err);
        return st == PB_NOMEM ? st : PB_INPUT; /* the contract's "bad input" */
    }
    st = pb_engine_load_buffer(e, path, src, len, err);
    free(src);
    return st;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_lua(const char *name)
{
    size_t n = strlen(name);

    return name[0] != '.' && n > 4 && strcmp(name + n - 4, ".lua") == 0;
}

static pb_status load_dir(pb_engine *e, const char *path, pb_error *err)
{
    DIR *d = opendir(path);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, i;
    pb_status st = PB_OK, first = PB_OK;
    pb_error ferr;

    if (d == NULL) {
        pb__error(err, PB_INPUT, path, 0, "cannot open: %s",
                  strerror(errno));
        add_failure(e, err);
        return PB_INPUT;
    }
    while ((de = readdir(d)) != NULL) {
        char **v;
        size_t len;

        if (!is_lua(de->d_name))
            continue;
        v = realloc(names, (n + 1) * sizeof *v);
        if (v == NULL) {
            st = PB_NOMEM;
            break;
        }
        names = v;
        len = strlen(path) + strlen(de->d_name) + 2;
        names[n] = malloc(len);
        if (names[n] == NULL) {
            st = PB_NOMEM;
            break;
        }
        snprintf(names[n], len, "%s/%s", path, de->d_name);
        n++;
    }
    closedir(d);
    if (st == PB_OK && n == 0) {
        pb__error(err, PB_INPUT, path, 0, "no principle files (*.lua) here");
        add_failure(e, err);
        st = PB_INPUT;
    }
    if (st == PB_OK) {
        qsort(names, n, sizeof *names, cmp_names);
        for (i = 0; i < n; i++) {
            st = load_file(e, names[i], &ferr);
            if (st != PB_OK && first == PB_OK) {
                first = st;
                *err = ferr;
            }
        }
        st = first;
    } else if (st == PB_NOMEM) {
        pb__error(err, PB_NOMEM, path, 0, "out of memory");
    }
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return st;
}

pb_status pb_engine_load(pb_engine *e, const char *path, pb_error *err)
{
    struct stat st;
    pb_error local;

    if (err == NULL)
        err = &local;
    if (e->ncases > 0)
        return pb__error(err, PB_STATE, path, 0,
                         "principles cannot be loaded while cases are open");
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return load_dir(e, path, err);
    return load_file(e, path, err);
}

size_t pb_engine_nfailures(const pb_engine *e)
{
    return e->nfailures;
}

const pb_error *pb_engine_failure(const pb_engine *e, size_t i)
{
    return i < e->nfailures ? &e->failures[i] : NULL;
}

/* Introspection. */

size_t pb_engine_nprinciples(const pb_engine *e)
{
    return e->nprinciples;
}

void pb_engine_principle(const pb_engine *e, size_t i, pb_principle_info *out)
{
    const pb__principle *p = e->principles[i];

    out->id = p->id;
    out->title = p->title ? p->title : p->id;
    out->why = p->why;
    out->file = p->file;
    out->line = p->line;
    out->order = p->order;
    out->first_item = p->first_item;
    out->nitems = p->nitems;
    out->ndetectors = p->ndetectors;
    out->has_applies = p->applies_ref != LUA_NOREF;
}

size_t pb_engine_nitems(const pb_engine *e)
{
    return e->nitems;
}

void pb_engine_item(const pb_engine *e, size_t i, pb_item_def *out)
{
    const pb__item *it = e->items[i];

    out->principle = e->principles[it->principle]->id;
    out->id = it->id;
    out->prompt = it->prompt;
    out->collects = it->collects;
    out->after = (const char *const *)it->after;
    out->nafter = it->nafter;
    out->must = it->must;
    out->has_applies = it->applies_ref != LUA_NOREF;
    out->has_done = it->done_ref != LUA_NOREF;
    out->has_violated = it->violated_ref != LUA_NOREF;
    out->has_prompt_fn = it->prompt_ref != LUA_NOREF;
    out->line = it->line;
}

void pb_engine_detector(const pb_engine *e, size_t principle, size_t i,
                        pb_detector_info *out)
{
    const pb__detector *d = &e->principles[principle]->detectors[i];

    out->on = d->on;
    out->emit = d->emit;
    out->patterns = (const char *const *)d->patterns;
    out->npatterns = d->npatterns;
    out->after = d->after;
    out->within = d->within;
    out->line = d->line;
}

long pb_engine_find_principle(const pb_engine *e, const char *id)
{
    size_t i;

    for (i = 0; i < e->nprinciples; i++)
        if (strcmp(e->principles[i]->id, id) == 0)
            return (long)i;
    return -1;
}

long pb_engine_find_item(const pb_engine *e, const char *ref)
{
    size_t i;

    for (i = 0; i < e->nitems; i++)
        if (strcmp(e->items[i]->ref, ref) == 0)
            return (long)i;
    return -1;
}
