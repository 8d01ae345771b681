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

#include "engine.h"
#include "error.h"
#include "file.h"
#include "sha256.h"
#include "use.h"

static void set_version(pb_engine *e);

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
    if (pb__textkit_init(&e->text) != 0) {
        pb_engine_free(e);
        return NULL;
    }
    pb__sandbox_set_limits(e->sb, PB_DEFAULT_INSTRUCTIONS, 0);
    /* The types the engine interprets get the first ids; with those it
     * finds by name (followup.c, undo.c), they are never refused nor
     * given to another type, however full the table. */
    if (pb__engine_type(e, "fact", 1) != PB__T_FACT ||
        pb__engine_type(e, "item.checked", 1) != PB__T_CHECKED ||
        pb__engine_type(e, "item.skipped", 1) != PB__T_SKIPPED ||
        pb__engine_type(e, "case.closed", 1) != PB__T_CLOSED ||
        pb__engine_type(e, "contact.ended", 1) != PB__T_CONTACT_ENDED ||
        pb__engine_type(e, "agent.committed", 1) < 0 ||
        pb__engine_type(e, "followup.scheduled", 1) < 0 ||
        pb__engine_type(e, "followup.done", 1) < 0 ||
        pb__engine_type(e, "event.undone", 1) < 0) {
        pb_engine_free(e);
        return NULL;
    }
    set_version(e);
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
    free(e->type_refs);
    pb__index_free(&e->type_ix);
    free(e->principles);
    pb__index_free(&e->principle_ix);
    free(e->items);
    pb__index_free(&e->item_ix);
    free(e->dets);
    free(e->det_start);
    free(e->failures);
    pb__sandbox_free(e->sb);
    pb__textkit_free(&e->text);   /* after the Lua state that uses it */
    free(e);
}

void pb_engine_set_limits(pb_engine *e, size_t instructions, size_t memory)
{
    pb__sandbox_set_limits(e->sb, instructions, memory);
}

/* Event types. */

static const char *type_key(const void *types, size_t i)
{
    return ((char *const *)types)[i];
}

/* A type no case holds (past the first PB__READ_TYPES, which cases
 * index by id, and the principles'), whose place a new name of need
 * bytes could take; -1 when none.  Only looked for once the table is
 * full: a walk of it at most. */
static long unheld(const pb_engine *e, size_t need)
{
    size_t i = e->pinned > PB__READ_TYPES ? e->pinned : PB__READ_TYPES;

    for (; i < e->ntypes; i++)
        if (e->type_refs[i] == 0 &&
            e->types_bytes - strlen(e->types[i]) - 1 + need <=
                PB__MAX_TYPE_BYTES)
            return (long)i;
    return -1;
}

int pb__engine_type_fits(const pb_engine *e, const char *name)
{
    size_t need = strlen(name) + 1;

    return (e->ntypes < PB__MAX_TYPES &&
            e->types_bytes + need <= PB__MAX_TYPE_BYTES) ||
           unheld(e, need) >= 0;
}

int pb__engine_types_fit(const pb_engine *e, size_t count, size_t bytes)
{
    size_t i = e->pinned > PB__READ_TYPES ? e->pinned : PB__READ_TYPES;
    size_t places = PB__MAX_TYPES - e->ntypes, used = e->types_bytes;

    /* the places of types no case holds too, each given up for a new
     * name, once the table is full (a walk of it at most, as unheld) */
    for (; places < count && i < e->ntypes; i++)
        if (e->type_refs[i] == 0) {
            places++;
            used -= strlen(e->types[i]) + 1;
        }
    return places >= count && used + bytes <= PB__MAX_TYPE_BYTES;
}

const char pb__type_cache_key = 0;

/* Forgets what the cache of type names says of id (luacase.c): an
 * existing field set to nil, which takes no memory, so it never raises. */
static void forget_cached(lua_State *L, int id)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &pb__type_cache_key) ==
        LUA_TTABLE) {
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            int hit = lua_tointeger(L, -1) == id;

            lua_pop(L, 1);
            if (hit) {
                lua_pushvalue(L, -1);
                lua_pushnil(L);
                lua_rawset(L, -4);
            }
        }
    }
    lua_pop(L, 1);
}

/* Gives the place of type id, which no case holds, to name. */
static int reuse(pb_engine *e, long id, const char *name)
{
    char *copy = strdup(name), *old = e->types[id];

    if (copy == NULL)
        return -1;
    pb__index_remove(&e->type_ix, old, type_key, e->types);
    e->types[id] = copy;
    if (pb__index_add(&e->type_ix, (size_t)id, type_key, e->types) != 0) {
        /* (not once a name has made room) the old name stays */
        e->types[id] = old;
        free(copy);
        pb__index_add(&e->type_ix, (size_t)id, type_key, e->types);
        return -1;
    }
    e->types_bytes = e->types_bytes - strlen(old) + strlen(copy);
    /* what principle code found under the old name goes with it */
    forget_cached(pb__sandbox_lua(e->sb), (int)id);
    free(old);
    return (int)id;
}

int pb__engine_type(pb_engine *e, const char *name, int create)
{
    long id = pb__index_find(&e->type_ix, name, type_key, e->types);
    size_t need = strlen(name) + 1;
    char *copy;

    if (id >= 0 || !create)
        return (int)id;
    if (e->ntypes >= PB__MAX_TYPES ||
        e->types_bytes + need > PB__MAX_TYPE_BYTES)
        return (id = unheld(e, need)) < 0 ? -1 : reuse(e, id, name);
    if (e->ntypes == e->types_cap) {
        size_t cap = e->types_cap ? e->types_cap * 2 : 32;
        char **t = realloc(e->types, cap * sizeof *t);
        unsigned *r;

        if (t == NULL)
            return -1;
        e->types = t;
        if ((r = realloc(e->type_refs, cap * sizeof *r)) == NULL)
            return -1;
        e->type_refs = r;
        e->types_cap = cap;
    }
    if ((copy = strdup(name)) == NULL)
        return -1;
    e->types[e->ntypes] = copy;
    e->type_refs[e->ntypes] = 0;
    if (pb__index_add(&e->type_ix, e->ntypes, type_key, e->types) != 0) {
        free(copy);
        return -1;
    }
    e->types_bytes += strlen(copy) + 1;
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
        if (d->unless &&
            (d->unless_type = pb__engine_type(e, d->unless, 1)) < 0)
            return -1;
    }
    return 0;
}

static const char *principle_key(const void *ps, size_t i)
{
    return ((pb__principle *const *)ps)[i]->id;
}

static const char *item_key(const void *items, size_t i)
{
    return ((pb__item *const *)items)[i]->ref;
}

/* Checklist order: by order, then load order (a total order, so qsort
 * keeps equal orders as loaded). */
static int by_order(const void *a, const void *b)
{
    const pb__principle *p = *(pb__principle *const *)a;
    const pb__principle *q = *(pb__principle *const *)b;

    if (p->order != q->order)
        return p->order < q->order ? -1 : 1;
    return p->seq < q->seq ? -1 : p->seq > q->seq;
}

/*
 * Adds a loaded principle (taking ownership); the checklist order and
 * the flat item list follow when the loading call returns.  Room is made
 * here for everything sort_principles will need, so that sorting cannot
 * fail: a principle is either in with all its items or not added at all.
 */
static pb_status add_principle(pb_engine *e, pb__principle *p)
{
    size_t n = e->nprinciples + 1, nitems = e->nitems + p->nitems;

    if (intern_detectors(e, p) != 0)
        return PB_NOMEM;
    e->pinned = e->ntypes;
    if (n > e->principles_cap) {
        size_t cap = e->principles_cap ? e->principles_cap * 2 : 16;
        pb__principle **v = realloc(e->principles, cap * sizeof *v);

        if (v == NULL)
            return PB_NOMEM;
        e->principles = v;
        e->principles_cap = cap;
    }
    if (nitems > e->items_cap) {
        size_t cap = e->items_cap ? e->items_cap : 64;
        pb__item **v;

        while (cap < nitems)
            cap *= 2;
        if ((v = realloc(e->items, cap * sizeof *v)) == NULL)
            return PB_NOMEM;
        e->items = v;
        e->items_cap = cap;
    }
    if (pb__index_reserve(&e->item_ix, nitems, item_key, e->items) != 0)
        return PB_NOMEM;
    e->principles[e->nprinciples] = p;
    if (pb__index_add(&e->principle_ix, e->nprinciples, principle_key,
                      e->principles) != 0)
        return PB_NOMEM;
    p->seq = e->seq++;
    e->cbytes += p->cbytes;
    e->nprinciples++;
    e->nitems = nitems;
    e->unsorted = 1;
    return PB_OK;
}

/*
 * The IDF over every example of every detector (each one document), and
 * each example's weights from it: once all principles are in, since a
 * file loaded later changes every weight.
 */
static int weigh_examples(pb_engine *e)
{
    pb__idf *f = &e->text.idf;
    size_t i, j, k;

    if (pb__idf_begin(f, pb__lexicon_size(&e->text.lex)) != 0)
        return -1;
    for (i = 0; i < e->nprinciples; i++)
        for (j = 0; j < e->principles[i]->ndetectors; j++) {
            const pb__detector *d = &e->principles[i]->detectors[j];

            for (k = 0; k < d->nexamples; k++)
                pb__idf_add(f, &d->docs[k]);
        }
    pb__idf_end(f);
    for (i = 0; i < e->nprinciples; i++)
        for (j = 0; j < e->principles[i]->ndetectors; j++) {
            pb__detector *d = &e->principles[i]->detectors[j];

            for (k = 0; k < d->nexamples; k++)
                pb__doc_weigh(&d->docs[k], f);
        }
    return 0;
}

/*
 * A counting sort of the detectors by the type they watch, in checklist
 * order within each type, so that an event runs only the detectors of
 * its type (and the function detectors that watch all): 100,000
 * detectors of another type cost an event nothing.
 */
int pb__engine_index_detectors(pb_engine *e)
{
    size_t ntypes = e->ntypes, n = 0, i, j, k, *start;
    pb__detref *dets;

    if (!e->dets_stale && e->det_start != NULL)
        return 0;
    for (i = 0; i < e->nprinciples; i++)
        n += e->principles[i]->ndetectors;
    start = calloc(ntypes + 2, sizeof *start);
    dets = calloc(n ? n : 1, sizeof *dets);
    if (start == NULL || dets == NULL) {
        free(start);
        free(dets);
        return -1;
    }
    for (i = 0; i < e->nprinciples; i++)
        for (j = 0; j < e->principles[i]->ndetectors; j++) {
            int on = e->principles[i]->detectors[j].on_type;

            start[on >= 0 ? (size_t)on : ntypes]++;
        }
    for (k = 0, n = 0; k <= ntypes; k++) {     /* counts -> first places */
        size_t count = start[k];

        start[k] = n;
        n += count;
    }
    start[ntypes + 1] = n;
    for (i = 0; i < e->nprinciples; i++)
        for (j = 0; j < e->principles[i]->ndetectors; j++) {
            int on = e->principles[i]->detectors[j].on_type;

            k = start[on >= 0 ? (size_t)on : ntypes]++;
            dets[k].principle = i;
            dets[k].detector = j;
        }
    for (k = ntypes + 1; k > 0; k--)           /* back to first places */
        start[k] = start[k - 1];
    start[0] = 0;
    if (weigh_examples(e) != 0) {
        free(start);
        free(dets);
        return -1;
    }
    free(e->dets);
    free(e->det_start);
    e->dets = dets;
    e->det_start = start;
    e->ndet_types = ntypes;
    e->dets_stale = 0;
    return 0;
}

/* The version: the hash of the sources' hashes in checklist order, so
 * the same files give the same version wherever they are loaded. */
static void set_version(pb_engine *e)
{
    size_t i, n = e->nprinciples * (PB__SHA256_HEX - 1);
    char *all = malloc(n + 1), hex[PB__SHA256_HEX];

    if (all == NULL) {
        snprintf(e->version, sizeof e->version, "unknown");
        return;
    }
    for (i = 0; i < e->nprinciples; i++)
        memcpy(all + i * (PB__SHA256_HEX - 1), e->principles[i]->hash,
               PB__SHA256_HEX - 1);
    pb__sha256_hex(all, n, hex);
    free(all);
    memcpy(e->version, hex, sizeof e->version - 1);
    e->version[sizeof e->version - 1] = '\0';
}

const char *pb_engine_version(const pb_engine *e)
{
    return e->version;
}

/* Puts the principles in checklist order and lists their items; once
 * per loading call, not per file, so loading stays linear. */
static void sort_principles(pb_engine *e)
{
    pb__principle **ps = e->principles;
    size_t i, j, n = 0;

    if (!e->unsorted)
        return;
    e->unsorted = 0;
    e->dets_stale = 1;
    qsort(ps, e->nprinciples, sizeof *ps, by_order);
    pb__index_clear(&e->principle_ix);
    pb__index_clear(&e->item_ix);
    for (i = 0; i < e->nprinciples; i++) {
        pb__index_add(&e->principle_ix, i, principle_key, ps); /* room */
        ps[i]->first_item = n;
        for (j = 0; j < ps[i]->nitems; j++) {
            ps[i]->items[j].principle = i;
            e->items[n] = &ps[i]->items[j];
            pb__index_add(&e->item_ix, n++, item_key, e->items);
        }
    }
    set_version(e);
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

/* The file name as shown, read from path. */
static pb_status load_buffer(pb_engine *e, const char *name,
                             const char *path, const char *src, size_t len,
                             pb_error *err)
{
    pb__principle *p;
    pb_status st;
    long dup;

    /* Until the next case weighs every example again, no IDF: a file's
     * top level calling text.similar sees every word weigh the same,
     * whatever was loaded before it. */
    pb__idf_free(&e->text.idf);
    e->dets_stale = 1;
    st = pb__principle_load(e->sb, &e->text, PB_PRINCIPLES_MEMORY - e->cbytes,
                            name, path, src, len, &p, err);
    if (st == PB_OK && (dup = pb_engine_find_principle(e, p->id)) >= 0) {
        st = pb__error(err, PB_INPUT, name, p->line,
                       "duplicate principle id '%s' (already loaded from "
                       "%s)", p->id, e->principles[dup]->file);
    }
    if (st == PB_OK)
        st = add_principle(e, p);
    if (st == PB_OK) {
        pb__sha256_hex(src, len, p->hash);
        return PB_OK;
    }
    pb__principle_free(pb__sandbox_lua(e->sb), p);
    if (st == PB_NOMEM && err->message[0] == '\0')
        pb__error(err, st, name, 0, "out of memory");
    add_failure(e, err);
    return st;
}

pb_status pb_engine_load_buffer(pb_engine *e, const char *name,
                                const char *src, size_t len, pb_error *err)
{
    pb_error local;
    pb_status st;

    if (err == NULL)
        err = &local;
    if (e->ncases > 0)
        return pb__error(err, PB_STATE, name, 0,
                         "principles cannot be loaded while cases are open");
    st = load_buffer(e, name, name, src, len, err);
    sort_principles(e);
    return st;
}

void pb_engine_set_bare_names(pb_engine *e, int on)
{
    e->bare_names = on;
}

static pb_status load_file(pb_engine *e, const char *path, pb_error *err)
{
    char *src = NULL;
    size_t len = 0;
    pb_status st = pb__read_file(path, PB__PRINCIPLE_MAX_BYTES, &src, &len,
                                 err);

    if (st != PB_OK) {
        add_failure(e, err);
        return st == PB_NOMEM ? st : PB_INPUT; /* the contract's "bad input" */
    }
    st = load_buffer(e, e->bare_names ? pb__file_name(path) : path, path, src,
                     len, err);
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
    pb_status status;

    if (err == NULL)
        err = &local;
    if (e->ncases > 0)
        return pb__error(err, PB_STATE, path, 0,
                         "principles cannot be loaded while cases are open");
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        status = load_dir(e, path, err);
    else
        status = load_file(e, path, err);
    sort_principles(e);
    return status;
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
    out->ref = it->ref;
    out->prompt = it->prompt;
    out->collects = it->collects;
    out->after = (const char *const *)it->after;
    out->nafter = it->nafter;
    out->must = it->must;
    out->later = it->later;
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
    out->unless = d->unless;
    out->within = d->within;
    out->line = d->line;
    out->nwords = d->nphrases;
    out->gap = d->gap;
    out->examples = (const char *const *)d->examples;
    out->nexamples = d->nexamples;
    out->threshold = d->threshold;
}

const char *pb_engine_detector_words(const pb_engine *e, size_t principle,
                                     size_t i, size_t k, unsigned *need)
{
    const pb__detector *d = &e->principles[principle]->detectors[i];

    if (k >= d->nphrases)
        return NULL;
    if (need != NULL)
        *need = pb__phrase_need(d->phrases[k]);
    return pb__phrase_text(d->phrases[k]);
}

long pb_engine_find_principle(const pb_engine *e, const char *id)
{
    return pb__index_find(&e->principle_ix, id, principle_key,
                          e->principles);
}

long pb_engine_find_item(const pb_engine *e, const char *ref)
{
    return pb__index_find(&e->item_ix, ref, item_key, e->items);
}

pb_status pb_engine_drop_item(pb_engine *e, size_t item, int dropped)
{
    if (e->ncases > 0)
        return PB_STATE;
    if (item >= e->nitems)
        return PB_INPUT;
    e->items[item]->dropped = dropped != 0;
    return PB_OK;
}

pb_status pb_engine_drop_detector(pb_engine *e, size_t principle,
                                  size_t detector, int dropped)
{
    if (e->ncases > 0)
        return PB_STATE;
    if (principle >= e->nprinciples ||
        detector >= e->principles[principle]->ndetectors)
        return PB_INPUT;
    e->principles[principle]->detectors[detector].dropped = dropped != 0;
    return PB_OK;
}
