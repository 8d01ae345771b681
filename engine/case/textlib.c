/*
 * textlib.c -- the engine's words and the `text` library (textlib.h).
 *
 * Each library function works in three steps: it checks its arguments
 * (which may raise), does its work in C under the call's budget (which
 * never raises, so nothing it allocated can leak), then frees that and
 * pushes its answer.  What a call names that no principle declared goes
 * into a lexicon of its own over the engine's, freed with the call.
 */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "phrase.h"
#include "phraseidx.h"
#include "sandbox.h"
#include "textlib.h"

/*
 * The phrase lists text.has was given, compiled, by their strings: a
 * principle passes the same few lists at every event, and compiling
 * them each time costs more than the matching.  A list is known again
 * by its strings' addresses, which stay valid because the cache keeps
 * the strings alive (its anchors, a table in the registry): an address
 * seen again is the same string, and Lua interns short strings, so
 * equal lists of them are one list.  Their terms go into a lexicon on
 * the engine's, which every call's lexicon then sits on; each list has
 * an index (phraseidx.h), so only the phrases an utterance may have are
 * searched.  The cache holds at most CACHE_LISTS lists and CACHE_BYTES;
 * past either, or once the engine's lexicon has grown under it (a
 * principle loading), it starts again empty.  What is cached changes no
 * answer, only the time.
 */
#define CACHE_LISTS 64
#define CACHE_BYTES (1u << 20)
#define CACHE_TEXTS 32      /* texts cut, for cached lists */
#define CACHE_TEXT_MAX 4096 /* bytes of one */
#define KEEP_ARGS 1024      /* arguments whose room is kept */

typedef struct cached {
    uint64_t hash;
    const char **s;       /* each phrase's string, anchored */
    unsigned *need;
    size_t n;
    pb__phrase **ph;
    pb__phraseidx *ix;
} cached;

/* A phrase or example given to a library function: its string stays
 * alive on the Lua stack while the call works. */
typedef struct phrase_arg {
    const char *s;
    size_t len;
    unsigned need;
} phrase_arg;

/* A list read once by text.phrases: its phrases, their strings kept
 * alive by its user value (a table no Lua code sees), and the cache
 * slot it was last found in. */
#define PHRASES_MT "playbook.phrases"

typedef struct phrases {
    uint64_t gen;          /* the cache's gen when slot was set */
    size_t slot, n;
    phrase_arg arg[];
} phrases;

/*
 * What a call holds while it works: the cache's, used by one call at a
 * time (none runs Lua code), emptied as the next call starts, so an
 * error raised halfway (a memory error while pushing the answer) leaks
 * nothing, and the next call reuses its room.
 */
typedef struct work {
    pb__textkit *k;
    pb__budget *b;
    pb__lexicon lx;        /* on the cache's */
    pb__words w, w2;
    pb__scratch scratch;
    pb__doc *docs;
    pb__query q;
    size_t ndocs;
    void *keys;            /* text.echo's */
    size_t before, left;
} work;

/* An utterance cut against the cache's lexicon without adding to it:
 * the words of the last few texts asked about, which a principle asks
 * about again and again (valid while that lexicon does not grow). */
typedef struct cut_text {
    char *text;
    size_t len;
    pb__words w;
} cut_text;

struct pb__textcache {
    pb__lexicon lx;
    cached lists[CACHE_LISTS];
    size_t nlists, bytes;
    uint64_t gen;         /* counts emptyings, so a handle's slot is
                           * known stale (starts at 1) */
    cut_text texts[CACHE_TEXTS];
    size_t ntexts, next;
    pb__scratch scratch;  /* for finding cached phrases in cached words */
    pb__scratch bits;     /* their candidates (phraseidx.h) */
    work work;
    phrase_arg *args;     /* the call's phrases or examples */
    size_t nargs;         /* room in args */
};

/* Words of more tokens than this are freed after a call, not kept. */
#define KEEP_TOKENS 1024

static void words_trim(pb__words *w)
{
    if (w->cap > KEEP_TOKENS)
        pb__words_free(w);
}

static void work_end(work *x)
{
    size_t i;

    words_trim(&x->w);
    words_trim(&x->w2);
    pb__scratch_free(&x->scratch);
    for (i = 0; x->docs && i < x->ndocs; i++)
        pb__doc_free(&x->docs[i]);
    free(x->docs);
    x->docs = NULL;
    x->ndocs = 0;
    pb__query_free(&x->q);
    free(x->keys);
    x->keys = NULL;
    pb__lexicon_free(&x->lx);
}

static void texts_empty(pb__textcache *c)
{
    size_t i;

    for (i = 0; i < c->ntexts; i++) {
        free(c->texts[i].text);
        pb__words_free(&c->texts[i].w);
    }
    c->ntexts = c->next = 0;
}

static void list_free(cached *e)
{
    size_t j;

    for (j = 0; e->ph && j < e->n; j++)
        pb__phrase_free(e->ph[j]);
    free(e->ph);
    free(e->s);
    free(e->need);
    pb__phraseidx_free(e->ix);
}

/* Whether the engine's lexicon grew under the cache (a principle
 * loading): what the cache compiled and cut is then no longer valid. */
static int cache_stale(const pb__textkit *k)
{
    return k->cache->lx.base != pb__lexicon_size(&k->lex);
}

static void cache_empty(pb__textkit *k)
{
    pb__textcache *c = k->cache;
    size_t i;

    for (i = 0; i < c->nlists; i++)
        list_free(&c->lists[i]);
    c->nlists = c->bytes = 0;
    c->gen++;
    texts_empty(c);
    pb__lexicon_free(&c->lx);
    pb__lexicon_init(&c->lx, &k->lex);
}

int pb__textkit_init(pb__textkit *k)
{
    memset(k, 0, sizeof *k);
    pb__lexicon_init(&k->lex, NULL);
    if ((k->st = pb__stemmer_new()) == NULL ||
        (k->cache = calloc(1, sizeof *k->cache)) == NULL)
        return -1;
    pb__lexicon_init(&k->cache->lx, &k->lex);
    k->cache->gen = 1;
    return 0;
}

void pb__textkit_free(pb__textkit *k)
{
    if (k == NULL)
        return;
    if (k->cache != NULL) {
        cache_empty(k);
        work_end(&k->cache->work);
        pb__words_free(&k->cache->work.w);
        pb__words_free(&k->cache->work.w2);
        free(k->cache->args);
        pb__scratch_free(&k->cache->scratch);
        pb__scratch_free(&k->cache->bits);
        pb__lexicon_free(&k->cache->lx);
        free(k->cache);
    }
    pb__stemmer_free(k->st);
    pb__lexicon_free(&k->lex);
    pb__idf_free(&k->idf);
    memset(k, 0, sizeof *k);
}

size_t pb__textkit_bytes(const pb__textkit *k)
{
    return pb__lexicon_bytes(&k->lex) +
           (k->cache ? pb__lexicon_bytes(&k->cache->lx) + k->cache->bytes
                     : 0) +
           k->idf.n * (sizeof *k->idf.df + sizeof *k->idf.idf);
}

size_t pb__textlib_left(const pb__budget *b)
{
    return b->exhausted ? 0 : b->limit - b->used;
}

int pb__textlib_spend(pb__budget *b, size_t left_before, size_t left_now)
{
    if (left_now == 0) {
        b->used = b->limit;
        b->exhausted = 1;
        return -1;
    }
    return pb__budget_charge(b, left_before - left_now);
}

/* Arguments. */

/* Charges the checking of arguments: a step per 16 bytes. */
static void charge_arg(lua_State *L, pb__budget *b, size_t bytes)
{
    if (pb__budget_charge(b, 1 + bytes / 16) != 0)
        pb__lua_charge(L, 16, 1);               /* spent: raises */
}

/* Room for n arguments in the cache's args (a list far longer than
 * most is not kept after), or raises. */
static phrase_arg *args_room(lua_State *L, size_t n)
{
    pb__textcache *c = ((pb__textkit *)lua_touserdata(L, lua_upvalueindex(1)))
                           ->cache;

    if (n > c->nargs || (c->nargs > KEEP_ARGS && n <= KEEP_ARGS)) {
        size_t want = n > KEEP_ARGS ? n : KEEP_ARGS;
        phrase_arg *v = want <= (size_t)-1 / sizeof *v
                            ? realloc(c->args, want * sizeof *v) : NULL;

        if (v == NULL)
            luaL_error(L, "not enough memory");
        c->args = v;
        c->nargs = want;
    }
    return c->args;
}

/* The text.phrases list at idx, or NULL. */
static phrases *handle_at(lua_State *L, int idx)
{
    return lua_type(L, idx) == LUA_TUSERDATA
               ? luaL_testudata(L, idx, PHRASES_MT) : NULL;
}

/* The phrase or list of phrases at idx (strings, or tables { "...",
 * need = N }, or a text.phrases list), as an array of n. */
static phrase_arg *phrase_args(lua_State *L, pb__budget *b, int idx,
                               size_t *n)
{
    phrases *h = handle_at(L, idx);
    phrase_arg *v;
    size_t i;

    if (h != NULL) {
        charge_arg(L, b, 0);
        *n = h->n;
        return h->arg;
    }
    if (lua_type(L, idx) == LUA_TSTRING) {
        v = args_room(L, 1);
        v->s = lua_tolstring(L, idx, &v->len);
        v->need = 0;
        charge_arg(L, b, v->len);
        *n = 1;
        return v;
    }
    luaL_argexpected(L, lua_type(L, idx) == LUA_TTABLE, idx,
                     "phrase or list of phrases");
    *n = lua_rawlen(L, idx);
    luaL_argcheck(L, *n > 0, idx, "empty list of phrases");
    charge_arg(L, b, *n * 16);
    v = args_room(L, *n);
    for (i = 0; i < *n; i++) {
        int t = lua_rawgeti(L, idx, (lua_Integer)i + 1);

        v[i].need = 0;
        if (t == LUA_TTABLE) {
            lua_Integer need = 0;

            /* Raw: an __index would run Lua code here, which may call
             * the library again and move the args v points into. */
            lua_pushliteral(L, "need");
            if (lua_rawget(L, -2) != LUA_TNIL) {
                if (!lua_isinteger(L, -1) || (need = lua_tointeger(L, -1)) < 1
                    || need > PB__PHRASE_MAX_WORDS)
                    luaL_error(L, "phrase %d: need must be a whole number "
                               "from 1 to %d", (int)i + 1,
                               PB__PHRASE_MAX_WORDS);
                v[i].need = (unsigned)need;
            }
            lua_pop(L, 1);
            lua_rawgeti(L, -1, 1);
            lua_remove(L, -2);
        }
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "phrase %d must be a string or { \"...\", need = N "
                       "} (got %s)", (int)i + 1, luaL_typename(L, -1));
        /* The string stays alive in the list, which stays on the stack. */
        v[i].s = lua_tolstring(L, -1, &v[i].len);
        charge_arg(L, b, v[i].len);
        lua_pop(L, 1);
    }
    return v;
}

/* The example or list of examples at idx, as phrase_args gives them. */
static phrase_arg *example_args(lua_State *L, pb__budget *b, int idx,
                                size_t *n)
{
    phrase_arg *v;
    size_t i;

    if (lua_type(L, idx) == LUA_TSTRING)
        return phrase_args(L, b, idx, n);
    luaL_argexpected(L, lua_type(L, idx) == LUA_TTABLE, idx,
                     "example or list of examples");
    *n = lua_rawlen(L, idx);
    luaL_argcheck(L, *n > 0, idx, "empty list of examples");
    charge_arg(L, b, *n * 16);
    v = args_room(L, *n);
    for (i = 0; i < *n; i++) {
        if (lua_rawgeti(L, idx, (lua_Integer)i + 1) != LUA_TSTRING)
            luaL_error(L, "example %d must be a string (got %s)", (int)i + 1,
                       luaL_typename(L, -1));
        v[i].s = lua_tolstring(L, -1, &v[i].len);
        v[i].need = 0;
        charge_arg(L, b, v[i].len);
        lua_pop(L, 1);
    }
    return v;
}

/* After the work: charges it, and raises what went wrong. */
static void settle(lua_State *L, pb__budget *b, size_t before, size_t left,
                   int r)
{
    if (pb__textlib_spend(b, before, r == PB__WORDS_BUDGET ? 0 : left) != 0)
        pb__lua_charge(L, 16, 1);            /* spent: raises */
    if (r == PB__WORDS_NOMEM)
        luaL_error(L, "not enough memory");
}

/* The work of the calling function, emptied. */
static work *work_new(lua_State *L)
{
    pb__textkit *k = lua_touserdata(L, lua_upvalueindex(1));
    work *x = &k->cache->work;

    work_end(x);
    x->k = k;
    x->b = lua_touserdata(L, lua_upvalueindex(2));
    pb__lexicon_init(&x->lx, &k->cache->lx);
    x->before = x->left = pb__textlib_left(x->b);
    return x;
}

/* Charges the work done, frees what it held, and raises what went
 * wrong. */
static void work_done(lua_State *L, work *x, int r)
{
    work_end(x);
    settle(L, x->b, x->before, x->left, r);
}

static int cut(work *x, pb__words *w, const char *s, size_t len)
{
    return pb__words_make(w, x->k->st, &x->lx, 1, s, len, &x->left);
}

/* A list's key: each phrase's address and need. */
static uint64_t list_hash(const phrase_arg *ph, size_t n)
{
    uint64_t h = 1469598103934665603u;
    size_t i;

    for (i = 0; i < n; i++) {
        h = (h ^ (uint64_t)(uintptr_t)ph[i].s) * 1099511628211u;
        h = (h ^ ph[i].need) * 1099511628211u;
    }
    return h;
}

static int key_is(const cached *e, const phrase_arg *ph, size_t n)
{
    size_t i;

    if (e->n != n)
        return 0;
    for (i = 0; i < n; i++)
        if (e->s[i] != ph[i].s || e->need[i] != ph[i].need)
            return 0;
    return 1;
}

/* Pushes the cache's anchors (made anew when empty or missing): a table
 * of CACHE_LISTS slots, so storing into one never allocates. */
static void push_anchors(lua_State *L, pb__textcache *c, int fresh)
{
    if (!fresh && lua_rawgetp(L, LUA_REGISTRYINDEX, c) == LUA_TTABLE)
        return;
    if (!fresh)
        lua_pop(L, 1);
    lua_createtable(L, CACHE_LISTS, 0);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, c);
}

/* Pushes the strings of the phrase list at idx (as phrase_args read
 * it): what keeps a cached list's addresses valid. */
static void push_strings(lua_State *L, int idx, size_t n)
{
    size_t i;

    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        if (lua_type(L, idx) == LUA_TSTRING)
            lua_pushvalue(L, idx);
        else if (lua_rawgeti(L, idx, (lua_Integer)i + 1) == LUA_TTABLE) {
            lua_rawgeti(L, -1, 1);
            lua_remove(L, -2);
        }
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

/* The list ph[0..n) at idx compiled, from the cache or into it, its
 * work charged to *left; NULL when it cannot be cached (too large, or a
 * phrase the call's own compiling will report).  May raise a memory
 * error, only while the cache is whole. */
static const cached *cache_list(lua_State *L, pb__textkit *k, int idx,
                                const phrase_arg *ph, size_t n, size_t *left)
{
    pb__textcache *c = k->cache;
    size_t i, bytes = n * (sizeof *c->lists[0].s + sizeof *c->lists[0].need +
                           sizeof *c->lists[0].ph);
    phrases *hd = handle_at(L, idx);
    int fresh = 0;
    uint64_t h;
    cached *e;

    if (cache_stale(k)) {
        cache_empty(k);
        fresh = 1;
    }
    if (hd != NULL && hd->gen == c->gen)
        return &c->lists[hd->slot];
    h = list_hash(ph, n);
    for (i = 0; i < c->nlists; i++)
        if (c->lists[i].hash == h && key_is(&c->lists[i], ph, n)) {
            if (hd != NULL) {
                hd->gen = c->gen;
                hd->slot = i;
            }
            return &c->lists[i];
        }
    for (i = 0; i < n; i++)
        bytes += ph[i].len;         /* about what compiling them takes */
    if (bytes > CACHE_BYTES / 4)
        return NULL;
    if (c->nlists == CACHE_LISTS || c->bytes + bytes > CACHE_BYTES) {
        cache_empty(k);
        fresh = 1;
    }
    push_anchors(L, c, fresh);
    if (hd != NULL)
        lua_getiuservalue(L, idx, 1);
    else
        push_strings(L, idx, n);
    e = &c->lists[c->nlists];
    memset(e, 0, sizeof *e);
    e->n = n;
    if ((e->s = malloc(n * sizeof *e->s)) == NULL ||
        (e->need = malloc(n * sizeof *e->need)) == NULL ||
        (e->ph = calloc(n, sizeof *e->ph)) == NULL)
        goto fail;
    texts_empty(c);                 /* the lexicon grows: cut anew */
    for (i = 0; i < n; i++) {
        const char *why;

        e->s[i] = ph[i].s;
        e->need[i] = ph[i].need;
        if (pb__phrase_compile(k->st, &c->lx, ph[i].s, ph[i].len,
                               ph[i].need, left, &e->ph[i], &why) != 0)
            goto fail;
        bytes += pb__phrase_bytes(e->ph[i]);
    }
    if ((e->ix = pb__phraseidx_new(e->ph, n)) == NULL)
        goto fail;
    /* anchored before it can be found: slot nlists + 1 exists */
    lua_rawseti(L, -2, (lua_Integer)c->nlists + 1);
    lua_pop(L, 1);
    e->hash = h;
    c->bytes += bytes + pb__phraseidx_bytes(e->ix);
    if (hd != NULL) {
        hd->gen = c->gen;
        hd->slot = c->nlists;
    }
    c->nlists++;
    return e;
fail:
    list_free(e);
    memset(e, 0, sizeof *e);
    lua_pop(L, 2);
    return NULL;
}

/* The words of s, if the cache has them. */
static const pb__words *cache_find(const pb__textcache *c, const char *s,
                                   size_t len)
{
    size_t i;

    for (i = 0; i < c->ntexts; i++)
        if (c->texts[i].len == len && memcmp(c->texts[i].text, s, len) == 0)
            return &c->texts[i].w;
    return NULL;
}

/* A slot for the words of s, s copied in, not yet valid (found again
 * only once its words are made and len set): a free one, or the oldest
 * but keep's (the words the caller holds).  NULL when s is too long to
 * keep or memory is short. */
static cut_text *cache_slot(pb__textcache *c, const char *s, size_t len,
                            const pb__words *keep)
{
    cut_text *t;
    char *copy;

    if (len > CACHE_TEXT_MAX || (copy = malloc(len + 1)) == NULL)
        return NULL;
    memcpy(copy, s, len);
    if (c->ntexts < CACHE_TEXTS) {
        t = &c->texts[c->ntexts++];
        pb__words_init(&t->w);
    } else {
        if (&c->texts[c->next].w == keep)
            c->next = (c->next + 1) % CACHE_TEXTS;
        t = &c->texts[c->next];
        c->next = (c->next + 1) % CACHE_TEXTS;
        free(t->text);
    }
    t->text = copy;
    t->len = (size_t)-1;
    return t;
}

/* The words of s against the cache's lexicon, cut now or before; NULL
 * when s is too long to keep or memory is short (the call cuts its
 * own).  Cutting is charged to *left.  The words at keep (NULL for
 * none), which the caller holds, are not the ones dropped for them. */
static const pb__words *cache_cut(pb__textkit *k, const char *s, size_t len,
                                  size_t *left, int *r, const pb__words *keep)
{
    pb__textcache *c = k->cache;
    const pb__words *w = cache_find(c, s, len);
    cut_text *t;

    *r = 0;
    if (w != NULL)
        return w;
    if ((t = cache_slot(c, s, len, keep)) == NULL)
        return NULL;
    if ((*r = pb__words_make(&t->w, k->st, &c->lx, 0, s, len, left)) != 0)
        return NULL;
    t->len = len;
    return &t->w;
}

const pb__words *pb__textkit_cut(pb__textkit *k, const char *s, size_t len)
{
    int r;

    if (cache_stale(k))
        return NULL;
    return cache_cut(k, s, len, NULL, &r, NULL);
}

/* Phrase i found in w (*found = i), or else found negated (*negated = i
 * for the first such): 0 or what pb__phrase_find returned.  Most
 * phrases are not there either way, which one search of any polarity
 * tells; only where that finds one does the plain search decide. */
static int find_either(pb__phrase *p, const pb__words *w, unsigned gap,
                       pb__scratch *scratch, size_t *left, size_t i,
                       size_t *found, size_t *negated, size_t none)
{
    pb__phrase_hit hit;
    int r;

    if (*negated == none) {
        pb__phrase_any_polarity(p, 1);
        r = pb__phrase_find(p, w, 0, gap, scratch, left, &hit);
        pb__phrase_any_polarity(p, 0);
        if (r != 1)
            return r;
    }
    r = pb__phrase_find(p, w, 0, gap, scratch, left, &hit);
    if (r == 1)
        *found = i;
    else if (r == 0 && *negated == none)
        *negated = i;
    return r == 1 ? 0 : r;
}

/* text.phrases(list): the list read once, for text.has and text.value
 * to take in its place: a principle that asks about the same list at
 * every event spares reading the table each time. */
static int text_phrases(lua_State *L)
{
    pb__budget *b = lua_touserdata(L, lua_upvalueindex(2));
    phrase_arg *ph;
    phrases *h;
    size_t n;

    if (handle_at(L, 1) != NULL) {
        lua_settop(L, 1);
        return 1;
    }
    lua_settop(L, 1);
    ph = phrase_args(L, b, 1, &n);
    if (n > ((size_t)INT32_MAX - sizeof *h) / sizeof *ph)
        return luaL_error(L, "too many phrases");
    charge_arg(L, b, n * 8 * 16);   /* the copy and its anchors */
    h = lua_newuserdatauv(L, sizeof *h + n * sizeof *ph, 1);
    /* ph is the cache's room, which the userdata's allocation (which
     * may collect, but runs no text function) leaves as it is */
    memcpy(h->arg, ph, n * sizeof *ph);
    h->n = n;
    h->gen = 0;
    h->slot = 0;
    push_strings(L, 1, n);
    lua_setiuservalue(L, -2, 1);
    if (luaL_newmetatable(L, PHRASES_MT)) {
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
    }
    lua_setmetatable(L, -2);
    return 1;
}

/* text.has's answer: the phrase found, or nil and the one negated. */
static int has_answer(lua_State *L, const phrase_arg *ph, size_t n,
                      size_t found, size_t negated)
{
    if (found < n) {
        lua_pushlstring(L, ph[found].s, ph[found].len);
        return 1;
    }
    lua_pushnil(L);
    if (negated == n)
        return 1;
    lua_pushlstring(L, ph[negated].s, ph[negated].len);
    return 2;
}

/* text.has(s, phrases [, gap]): the first phrase found, or nil and the
 * first found only negated ("I can't help" has no "i can help", but
 * says it negated), or nil alone. */
static int text_has(lua_State *L)
{
    size_t len, n, i, found, negated, before, left;
    const char *s = luaL_checklstring(L, 1, &len);
    lua_Integer gap = luaL_optinteger(L, 3, PB__GAP_DEFAULT);
    pb__textkit *k = lua_touserdata(L, lua_upvalueindex(1));
    pb__budget *b = lua_touserdata(L, lua_upvalueindex(2));
    const char *why = NULL;
    const cached *cl;
    const pb__words *ws;
    phrase_arg *ph;
    work *x;
    int r = 0;

    luaL_argcheck(L, gap >= 0 && gap <= PB__GAP_MAX, 3,
                  "gap must be from 0 to 8");
    lua_settop(L, 2);
    ph = phrase_args(L, b, 2, &n);
    /* before the call's lexicon, which must sit on a cache that no
     * longer grows */
    before = left = pb__textlib_left(b);
    cl = cache_list(L, k, 2, ph, n, &left);
    ws = cl ? cache_cut(k, s, len, &left, &r, NULL) : NULL;
    if (cl && ws) {
        /* Both cached: nothing to hold, so no work to free. */
        found = negated = n;
        if (r == 0)
            r = pb__phraseidx_mark(cl->ix, ws, &k->cache->bits, &left);
        for (i = 0; r == 0 && found == n; i++) {
            if ((i = pb__phraseidx_next(cl->ix, &k->cache->bits, i)) == n)
                break;
            r = find_either(cl->ph[i], ws, (unsigned)gap, &k->cache->scratch,
                            &left, i, &found, &negated, n);
        }
        settle(L, b, before, left, left == 0 ? PB__WORDS_BUDGET : r);
        return has_answer(L, ph, n, found, negated);
    }
    settle(L, b, before, left, left == 0 ? PB__WORDS_BUDGET : r);
    x = work_new(L);
    found = negated = n;
    r = ws ? 0 : cut(x, &x->w, s, len);
    if (ws == NULL)
        ws = &x->w;
    for (i = 0; r == 0 && i < n && found == n; i++) {
        pb__phrase *p = cl ? cl->ph[i] : NULL;

        if (p == NULL)
            r = pb__phrase_compile(x->k->st, &x->lx, ph[i].s, ph[i].len,
                                   ph[i].need, &x->left, &p, &why);
        if (r == 0) {
            r = find_either(p, ws, (unsigned)gap, &x->scratch, &x->left, i,
                            &found, &negated, n);
            if (cl == NULL)
                pb__phrase_free(p);
        }
    }
    work_done(L, x, r);
    if (why != NULL)
        return luaL_error(L, "phrase %d ('%s') %s", (int)i, ph[i - 1].s,
                          why);
    return has_answer(L, ph, n, found, negated);
}

/* text.similar(s, examples): the best score (0 to 1) and the index of
 * its example, or 0 and nil. */
static int text_similar(lua_State *L)
{
    size_t len, n, i, index = 0;
    const char *s = luaL_checklstring(L, 1, &len);
    phrase_arg *ex;
    double score = 0;
    work *x;
    int r = 0;

    lua_settop(L, 2);
    ex = example_args(L, lua_touserdata(L, lua_upvalueindex(2)), 2, &n);
    x = work_new(L);
    if ((x->docs = calloc(n, sizeof *x->docs)) == NULL)
        r = PB__WORDS_NOMEM;
    else
        x->ndocs = n;
    for (i = 0; r == 0 && i < n; i++) {
        r = cut(x, &x->w, ex[i].s, ex[i].len);
        if (r == 0)
            r = pb__doc_make(&x->docs[i], &x->w, 0, x->w.n, &x->lx, 1,
                             &x->left);
        if (r == 0)
            pb__doc_weigh(&x->docs[i], &x->k->idf);
    }
    if (r == 0)
        r = cut(x, &x->w, s, len);
    if (r == 0) {
        r = pb__similar_best(&x->w, &x->lx, 1, &x->k->idf, x->docs, n,
                             &x->q, &x->left, &index, &score);
        r = r > 0 ? 0 : r;
    }
    work_done(L, x, r);
    lua_pushnumber(L, score);
    if (score > 0)
        lua_pushinteger(L, (lua_Integer)index + 1);
    else
        lua_pushnil(L);
    return 2;
}

/* text.question(s) */
static int text_question(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    work *x = work_new(L);
    int r = pb__words_make(&x->w, x->k->st, NULL, 0, s, len, &x->left);
    int q = r == 0 && pb__words_question(&x->w);

    work_done(L, x, r);
    lua_pushboolean(L, q);
    return 1;
}

/* text.sentences(s): its sentences, each without the blanks around it.
 * A run of '.', '!' or '?' ends one where a blank or a capital follows
 * it ("That is correct.Is there ..."), so "3.5" does not. */
static int is_stop(char c)
{
    return c == '.' || c == '!' || c == '?';
}

static int is_blank(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* s[*a..*b) without the blanks around it (before it, as Lua's %s has
 * them; after it, any byte up to ' '). */
static void trim(const char *s, size_t *a, size_t *b)
{
    while (*a < *b && is_blank(s[*a]))
        ++*a;
    while (*b > *a && (unsigned char)s[*b - 1] <= ' ')
        --*b;
}

/* Pushes s[a..b) trimmed into the table on top, a new string charged
 * as a few Lua instructions would be. */
static void push_trimmed(lua_State *L, pb__budget *bud, const char *s,
                         size_t a, size_t b, lua_Integer *n)
{
    trim(s, &a, &b);
    if (a == b)
        return;
    charge_arg(L, bud, 16 * 16);
    lua_pushlstring(L, s + a, b - a);
    lua_rawseti(L, -2, ++*n);
}

/* Puts the words of s[a..b) (its sentence, trimmed) in the cache, taken
 * from all, the words of s, unless there already: text.has on each of
 * an utterance's sentences then cuts none of them again. */
static void keep_sentence(pb__textkit *k, pb__budget *bud, const char *s,
                          size_t a, size_t b, const pb__words *all)
{
    cut_text *t;

    trim(s, &a, &b);
    if (a == b || cache_find(k->cache, s + a, b - a) != NULL ||
        pb__budget_charge(bud, 1 + all->n / 4) != 0 ||
        (t = cache_slot(k->cache, s + a, b - a, all)) == NULL)
        return;
    if (pb__words_range(&t->w, all, s, a, b) == 0)
        t->len = b - a;
}

static int text_sentences(lua_State *L)
{
    size_t len, start = 0, i = 0, end, cut[64][2], ncut = 0, j;
    const char *s = luaL_checklstring(L, 1, &len);
    pb__textkit *k = lua_touserdata(L, lua_upvalueindex(1));
    pb__budget *b = lua_touserdata(L, lua_upvalueindex(2));
    const pb__words *all;
    lua_Integer n = 0;

    charge_arg(L, b, len);
    lua_createtable(L, 2, 0);
    while (i < len) {
        if (!is_stop(s[i])) {
            i++;
            continue;
        }
        for (end = i; end < len && is_stop(s[end]); end++)
            ;
        i = end;
        if (end < len && is_blank(s[end])) {
            while (end < len && is_blank(s[end]))
                end++;
        } else if (!(end < len && s[end] >= 'A' && s[end] <= 'Z')) {
            continue;
        }
        push_trimmed(L, b, s, start, end, &n);
        if (ncut < 64) {
            cut[ncut][0] = start;
            cut[ncut++][1] = end;
        }
        start = i = end;
    }
    push_trimmed(L, b, s, start, len, &n);
    if (ncut == 0 || ncut == 64 || cache_stale(k))
        return 1;                   /* one sentence, many, or loading */
    /* the utterance's words (the engine cut them for its detectors),
     * then each sentence's from them */
    all = cache_find(k->cache, s, len);
    for (j = 0; all != NULL && j <= ncut; j++)
        keep_sentence(k, b, s, j < ncut ? cut[j][0] : start,
                      j < ncut ? cut[j][1] : len, all);
    return 1;
}

/* A word worth repeating: not a function word or a negator. */
static int content(const pb__token *t)
{
    return !(t->flags & (PB__TOK_STOP | PB__TOK_NEGATOR));
}

/* The words of s, cached (not dropping keep's) or cut into w without
 * ids: 0 or what cutting returned. */
static int words_of(work *x, pb__words *w, const char *s, size_t len,
                    const pb__words *keep, const pb__words **out)
{
    int r;

    *out = cache_cut(x->k, s, len, &x->left, &r, keep);
    if (*out != NULL || r != 0)
        return r;
    *out = w;
    return pb__words_make(w, x->k->st, NULL, 0, s, len, &x->left);
}

/* text.words(s [, content]): the stems, in order; with content true,
 * only the words worth repeating (no function words or negators). */
static int text_words(lua_State *L)
{
    size_t len, i, k = 0;
    const char *s = luaL_checklstring(L, 1, &len);
    int only = lua_toboolean(L, 2);
    work *x = work_new(L);
    const pb__words *w;
    int r = words_of(x, &x->w, s, len, NULL, &w);

    if (r != 0)
        work_done(L, x, r);
    settle(L, x->b, x->before, x->left, 0);
    /* w stays put: pushing runs no text function */
    lua_createtable(L, w->n < 1000000 ? (int)w->n : 0, 0);
    for (i = 0; i < w->n; i++) {
        if (only && !content(&w->tok[i]))
            continue;
        lua_pushstring(L, pb__words_stem(w, i));
        lua_rawseti(L, -2, (lua_Integer)++k);
    }
    work_end(x);
    return 1;
}

/* A stem's key: the same for the same stem, whichever lexicon (if
 * any) the words were cut with. */
static uint64_t stem_key(const pb__words *w, size_t i)
{
    const unsigned char *p = (const unsigned char *)pb__words_stem(w, i);
    uint64_t h = 1469598103934665603u;

    for (; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    return h;
}

typedef struct keyed {
    uint64_t key;
    size_t at;
} keyed;

static int cmp_key(const void *a, const void *b)
{
    const keyed *x = a, *y = b;

    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* Whether a content word of s is one typo from ref's word i. */
static int typo_in(const pb__words *s, const pb__words *ref, size_t i)
{
    const pb__token *t = &ref->tok[i];
    size_t j;

    for (j = 0; j < s->n; j++) {
        const pb__token *u = &s->tok[j];

        if (content(u) && !(u->flags & PB__TOK_DIGIT) &&
            pb__words_typo(pb__words_fold(ref, i), t->fold_len,
                           pb__words_fold(s, j), u->fold_len))
            return 1;
    }
    return 0;
}

/* text.echo(s, ref): the share of ref's distinct content stems that s
 * repeats (one typo allowed in words of 5 letters or more), and how
 * many.  Stems are compared by their keys, sorted. */
static int text_echo(lua_State *L)
{
    size_t len, rlen, i, k, n = 0, distinct = 0, repeated = 0;
    const char *s = luaL_checklstring(L, 1, &len);
    const char *ref = luaL_checklstring(L, 2, &rlen);
    work *x = work_new(L);
    const pb__words *ws = NULL, *wr = NULL;
    keyed *mine = NULL, *theirs = NULL;
    int r;

    r = words_of(x, &x->w, s, len, NULL, &ws);
    if (r == 0)
        r = words_of(x, &x->w2, ref, rlen, ws, &wr);
    if (r == 0 && pb__work(&x->left, 1 + 4 * (ws->n + wr->n)) != 0)
        r = PB__WORDS_BUDGET;
    if (r == 0 && (x->keys = malloc((ws->n + wr->n + 1) * sizeof *mine)) ==
                      NULL)
        r = PB__WORDS_NOMEM;
    if (r == 0) {
        /* s's keys, sorted; then ref's content words, by key and place */
        theirs = x->keys;
        for (i = 0; i < ws->n; i++) {
            theirs[i].key = stem_key(ws, i);
            theirs[i].at = 0;
        }
        qsort(theirs, ws->n, sizeof *theirs, cmp_key);
        mine = theirs + ws->n;
        for (i = 0; i < wr->n; i++) {
            if (!content(&wr->tok[i]))
                continue;
            mine[n].key = stem_key(wr, i);
            mine[n++].at = i;
        }
        qsort(mine, n, sizeof *mine, cmp_key);
    }
    for (i = 0; r == 0 && i < n; i = k) {
        size_t first = mine[i].at;   /* the stem's first place */
        keyed want = { mine[i].key, 0 };
        int hit;

        for (k = i + 1; k < n && mine[k].key == mine[i].key; k++)
            ;
        distinct++;
        hit = bsearch(&want, theirs, ws->n, sizeof *theirs, cmp_key) != NULL;
        if (!hit && wr->tok[first].letters >= 5 &&
            !(wr->tok[first].flags & PB__TOK_DIGIT)) {
            if (pb__work(&x->left, 1 + ws->n) != 0)
                r = PB__WORDS_BUDGET;
            else
                hit = typo_in(ws, wr, first);
        }
        repeated += hit;
    }
    work_done(L, x, r);
    lua_pushnumber(L, distinct ? (double)repeated / (double)distinct : 0);
    lua_pushinteger(L, (lua_Integer)repeated);
    return 2;
}

/* Values: what follows a label, and what a whole answer is. */

static int ascii_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int ascii_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static int ascii_letter(char c)
{
    return (c | 32) >= 'a' && (c | 32) <= 'z';
}

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Around a value: quotes, brackets, and trailing sentence punctuation. */
static int opener(char c)
{
    return c == '"' || c == '\'' || c == '(' || c == '[' || c == '<' ||
           c == '`' || c == '*';
}

static int closer(char c)
{
    return c == '"' || c == '\'' || c == ')' || c == ']' || c == '>' ||
           c == '`' || c == '*' || c == '.' || c == ',' || c == ';' ||
           c == ':' || c == '!' || c == '?';
}

typedef struct run {
    size_t a, e;   /* bytes [a, e) */
} run;

/* The next run of non-blank bytes from *p, without what surrounds a
 * value; 0 at the end. */
static int next_run(const char *s, size_t len, size_t *p, run *r)
{
    size_t i = *p;

    while (i < len && blank(s[i]))
        i++;
    if (i >= len)
        return 0;
    r->a = i;
    while (i < len && !blank(s[i]))
        i++;
    r->e = i;
    *p = i;
    while (r->a < r->e && opener(s[r->a]))
        r->a++;
    while (r->e > r->a && closer(s[r->e - 1]))
        r->e--;
    return 1;
}

static int run_is(const char *s, const run *r, const char *word)
{
    size_t n = strlen(word), i;

    if (r->e - r->a != n)
        return 0;
    for (i = 0; i < n; i++)
        if ((s[r->a + i] | (ascii_letter(s[r->a + i]) ? 32 : 0)) != word[i])
            return 0;
    return 1;
}

static int run_in(const char *s, const run *r, const char *const *words)
{
    for (; *words; words++)
        if (run_is(s, r, *words))
            return 1;
    return 0;
}

static size_t digits_in(const char *s, const run *r)
{
    size_t i, n = 0;

    for (i = r->a; i < r->e; i++)
        n += ascii_digit(s[i]);
    return n;
}

/* Digits and the marks of a phone number or a date, with a digit. */
static int digitish(const char *s, const run *r)
{
    size_t i;

    for (i = r->a; i < r->e; i++)
        if (!ascii_digit(s[i]) && !strchr("+-()./", s[i]))
            return 0;
    return digits_in(s, r) > 0;
}

static int email(const char *s, const run *r)
{
    const char *at = memchr(s + r->a, '@', r->e - r->a), *dot;
    size_t i;

    if (at == NULL || at == s + r->a)
        return 0;
    for (i = r->a; i < r->e; i++)
        if (s[i] == '@' && s + i != at)
            return 0;
    dot = memchr(at, '.', (size_t)(s + r->e - at));
    return dot != NULL && dot > at + 1 && dot + 1 < s + r->e;
}

static const char *const months[] = {
    "jan", "january", "feb", "february", "mar", "march", "apr", "april",
    "may", "jun", "june", "jul", "july", "aug", "august", "sep", "sept",
    "september", "oct", "october", "nov", "november", "dec", "december",
    NULL
};

/* A day of the month: 1-2 digits, maybe st/nd/rd/th. */
static int day_run(const char *s, const run *r)
{
    size_t d = 0, i = r->a;

    while (i < r->e && ascii_digit(s[i]))
        i++, d++;
    if (d < 1 || d > 2)
        return 0;
    return i == r->e || (r->e - i == 2 && ascii_letter(s[i]) &&
                         ascii_letter(s[i + 1]));
}

/* Joins a value's neighbours: "555 123 4567", "March 3rd, 2024". */
static void widen(const char *s, size_t len, run *v)
{
    size_t p = v->e;
    run nx;

    if (digitish(s, v)) {
        size_t total = digits_in(s, v), last = total;

        while (last <= 4 && total < 15 && next_run(s, len, &p, &nx) &&
               digitish(s, &nx) && total + digits_in(s, &nx) <= 15) {
            v->e = nx.e;
            last = digits_in(s, &nx);
            total += last;
        }
        return;
    }
    if (run_in(s, v, months) && next_run(s, len, &p, &nx) &&
        day_run(s, &nx)) {
        v->e = nx.e;
        if (next_run(s, len, &p, &nx) && nx.e - nx.a == 4 &&
            digits_in(s, &nx) == 4)
            v->e = nx.e;
    }
}

/* Whether a run reads as a value: a digit, ALL-CAPS of 5 or more, an
 * email. */
static int value_like(const char *s, const run *r)
{
    size_t i, letters = 0;

    if (r->e <= r->a)
        return 0;
    if (digits_in(s, r) > 0 || email(s, r))
        return 1;
    for (i = r->a; i < r->e; i++) {
        if (ascii_upper(s[i]))
            letters++;
        else if (s[i] != '-' && s[i] != '_')
            return 0;
    }
    return letters >= 5;
}

/* Words between a label and its value. */
static const char *const between[] = {
    "is", "was", "are", "it's", "its", "id", "number", "no", "num", "nr",
    "#", "=", "-", ":", "the", "be", "would", "will", "should", "", NULL
};

/* The value after byte p of s, or 0.  Right after "label:" or
 * "label =" any word is the value ("username: k.mensah.admin"); else it
 * must read as one ("my username like a moron" has none). */
static int value_after(const char *s, size_t len, size_t p, run *v)
{
    size_t q = p;
    int skipped, marked;

    while (q < len && (s[q] == ' ' || s[q] == '\t'))
        q++;
    marked = q < len && (s[q] == ':' || s[q] == '=');
    for (skipped = 0; skipped <= 4; skipped++) {
        if (!next_run(s, len, &p, v))
            return 0;
        if (run_in(s, v, between))
            continue;
        widen(s, len, v);
        return value_like(s, v) || (marked && v->e - v->a >= 2);
    }
    return 0;
}

/* text.value(s, labels): the value after one of the labels, or nil. */
static int text_value(lua_State *L)
{
    size_t len, n, i, before, left;
    const char *s = luaL_checklstring(L, 1, &len);
    pb__textkit *k = lua_touserdata(L, lua_upvalueindex(1));
    pb__budget *b = lua_touserdata(L, lua_upvalueindex(2));
    const char *why = NULL;
    const cached *cl;
    const pb__words *ws;
    phrase_arg *ph;
    run v = { 0, 0 };
    int r = 0, found = 0;
    work *x;

    lua_settop(L, 2);
    ph = phrase_args(L, b, 2, &n);
    before = left = pb__textlib_left(b);
    cl = cache_list(L, k, 2, ph, n, &left);
    ws = cl ? cache_cut(k, s, len, &left, &r, NULL) : NULL;
    settle(L, b, before, left, left == 0 ? PB__WORDS_BUDGET : r);
    x = work_new(L);
    if (ws == NULL) {
        r = cut(x, &x->w, s, len);
        ws = &x->w;
    }
    for (i = 0; r == 0 && i < n && !found; i++) {
        pb__phrase *p = cl ? cl->ph[i] : NULL;
        pb__phrase_hit hit;
        size_t from = 0;

        if (p == NULL)
            r = pb__phrase_compile(x->k->st, &x->lx, ph[i].s, ph[i].len,
                                   ph[i].need, &x->left, &p, &why);
        while (r == 0 && !found) {
            r = pb__phrase_find(p, ws, from, PB__GAP_DEFAULT, &x->scratch,
                                &x->left, &hit);
            if (r != 1)
                break;
            r = pb__work(&x->left, 4) != 0 ? PB__WORDS_BUDGET : 0;
            if (r == 0)
                found = value_after(s, len, hit.end, &v);
            from = hit.tok_first + 1;
        }
        if (cl == NULL)
            pb__phrase_free(p);
    }
    work_done(L, x, r < 0 && r != -3 ? r : 0);
    if (why != NULL)
        return luaL_error(L, "label %d ('%s') %s", (int)i, ph[i - 1].s, why);
    if (found)
        lua_pushlstring(L, s + v.a, v.e - v.a);
    else
        lua_pushnil(L);
    return 1;
}

/* Said around a bare answer without being part of it. */
static const char *const fillers[] = {
    "it's", "its", "it", "is", "the", "sure", "yes", "yeah", "yep", "ok",
    "okay", "here", "this", "that's", "thats", "that", "so", "um", "uh",
    "oh", "well", "hi", "hello", "right", "", NULL
};
static const char *const trailers[] = {
    "thanks", "thank", "you", "please", "thx", "ty", "cheers", "", NULL
};

static int is_date(const char *s, const run *r)
{
    size_t part[3] = { 0, 0, 0 }, k = 0, i;
    char sep = 0;

    for (i = r->a; i < r->e; i++) {
        if (ascii_digit(s[i])) {
            part[k]++;
        } else if ((s[i] == '-' || s[i] == '/' || s[i] == '.') && k < 2 &&
                   part[k] > 0 && (sep == 0 || sep == s[i])) {
            sep = s[i];
            k++;
        } else {
            return 0;
        }
    }
    if (k != 2 || part[2] == 0)
        return 0;
    if (part[0] == 4)                                 /* 2024-03-12 */
        return part[1] <= 2 && part[2] <= 2;
    return part[0] <= 2 && part[1] <= 2 && (part[2] == 2 || part[2] == 4);
}

static const char *shape_of(const char *s, const run *r)
{
    size_t i, digits = digits_in(s, r), letters = 0, upper = 0, marks = 0;
    run t = *r;

    if (email(s, r))
        return "email";
    if (is_date(s, r))
        return "date";
    /* currency before a number, per cent after */
    while (t.a < t.e && strchr("$#", s[t.a]))
        t.a++;
    if (t.a + 2 <= t.e && ((unsigned char)s[t.a] == 0xC2 ||
                           (unsigned char)s[t.a] == 0xE2))
        t.a += (unsigned char)s[t.a] == 0xC2 ? 2 : 3;  /* £ € */
    if (t.e > t.a && s[t.e - 1] == '%')
        t.e--;
    for (i = t.a; i < t.e; i++) {
        if (ascii_letter(s[i])) {
            letters++;
            upper += ascii_upper(s[i]);
        } else if (!ascii_digit(s[i])) {
            marks++;
        }
    }
    if (digits > 0 && letters == 0) {
        int number = 1, seps = 0;

        for (i = t.a; i < t.e; i++) {
            if (ascii_digit(s[i]))
                continue;
            if (s[i] != '.' && s[i] != ',')
                number = 0;
            seps++;
        }
        if (number && (seps == 0 || digits >= 2))
            return "number";
        if (digitish(s, r) && digits >= 7 && digits <= 15)
            return "phone";
        return NULL;
    }
    if (t.e - t.a >= 3 && letters > 0 && digits > 0) {
        for (i = t.a; i < t.e; i++)
            if (!ascii_letter(s[i]) && !ascii_digit(s[i]) && s[i] != '-' &&
                s[i] != '_')
                return NULL;
        return "id";
    }
    if (digits == 0 && letters >= 5 && upper == letters && marks == 0)
        return "id";
    return NULL;
}

/* text.shape(s): what the whole answer is, when it is one value. */
static int text_shape(lua_State *L)
{
    size_t len, p = 0, n = 0, i, k;
    const char *s = luaL_checklstring(L, 1, &len);
    pb__budget *b = lua_touserdata(L, lua_upvalueindex(2));
    const char *shape = NULL;
    run runs[8], more;

    charge_arg(L, b, len);
    while (n < 8 && next_run(s, len, &p, &runs[n]))
        if (runs[n].e > runs[n].a)
            n++;
    if (n == 8 || next_run(s, len, &p, &more)) {
        lua_pushnil(L);                       /* too long to be one value */
        return 1;
    }
    i = 0;
    while (i < n && run_in(s, &runs[i], fillers))
        i++;
    /* "my order number is X" */
    if (i + 1 < n && run_is(s, &runs[i], "my")) {
        for (k = i + 1; k < n && k <= i + 4; k++)
            if (run_is(s, &runs[k], "is") || run_is(s, &runs[k], "was")) {
                i = k + 1;
                break;
            }
    }
    while (i < n && run_in(s, &runs[i], fillers))
        i++;
    while (n > i && run_in(s, &runs[n - 1], trailers))
        n--;
    if (i + 1 == n) {
        shape = shape_of(s, &runs[i]);
    } else if (i < n) {
        size_t digits = 0;

        for (k = i; k < n && digitish(s, &runs[k]); k++)
            digits += digits_in(s, &runs[k]);
        if (k == n && digits >= 7 && digits <= 15)
            shape = "phone";                      /* 555 123 4567 */
        else if (run_in(s, &runs[i], months) && day_run(s, &runs[i + 1]) &&
                 (n - i == 2 || (n - i == 3 &&
                                 runs[n - 1].e - runs[n - 1].a == 4 &&
                                 digits_in(s, &runs[n - 1]) == 4)))
            shape = "date";                       /* March 3rd, 2024 */
    }
    if (shape)
        lua_pushstring(L, shape);
    else
        lua_pushnil(L);
    return 1;
}

void pb__textlib_open(lua_State *L, pb__textkit *k, pb__budget *b)
{
    static const luaL_Reg fns[] = {
        { "has", text_has }, { "similar", text_similar },
        { "question", text_question }, { "echo", text_echo },
        { "words", text_words }, { "value", text_value },
        { "shape", text_shape }, { "sentences", text_sentences },
        { "phrases", text_phrases }, { NULL, NULL }
    };

    lua_createtable(L, 0, 9);
    lua_pushlightuserdata(L, k);
    lua_pushlightuserdata(L, b);
    luaL_setfuncs(L, fns, 2);
}
