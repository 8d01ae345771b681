/*
 * detect.c -- where an utterance becomes a typed event.
 *
 * Recorded calls are mostly plain "customer.said" / "agent.said".  Each
 * principle may declare detectors that read a recorded event and add the
 * typed events its items look for ("so what I'm hearing" ->
 * agent.restated).  Detected events follow the event that caused them,
 * at the same time, marked with the principle that detected them; they
 * never trigger detectors themselves.
 */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "detect.h"
#include "luacase.h"
#include "pattern.h"
#include "phrase.h"
#include "phraseidx.h"
#include "similar.h"
#include "textlib.h"

/*
 * A detector with `after` fires only once an event of that type came
 * before this one, and with `within` only that many seconds after the
 * last such event.  That is the type's last event, or, when it is this
 * event itself, the one of its type before it.
 */
static int within(const pb_case *c, const pb__detector *d, size_t ev)
{
    const pb__typeidx *ti;
    size_t i;

    if (d->after_type < 0)
        return 1;
    ti = pb__case_type(c, d->after_type);
    if (ti == NULL)
        return 0;
    if ((i = ti->last) == ev && (i = c->events[ev].prev) == PB__NO_EVENT)
        return 0;
    return d->within <= 0 || c->events[ev].t - c->events[i].t <= d->within;
}

/* The text of a recorded event, lowercased once for every plain
 * pattern of every detector, and cut into words once for every phrase
 * and example (both on first use: most events need neither). */
typedef struct utterance {
    const char *text;
    char *lower;
    size_t len;
    int cut;            /* 0 not yet, 1 words made, -1 out of memory */
    pb__words words;
    pb__scratch scratch, bits;
    int asked;          /* 0 not yet, 1 query made, -1 out of memory */
    pb__query query;    /* its sentences as vectors, for examples */
} utterance;

/* The words of the utterance, with the engine's ids, or NULL: those the
 * text library keeps, which its calls then reuse, else its own.  The
 * engine's work, like reading the text: linear in it, once an event.
 * Asked for again by each detector, as principle code run between two
 * may have made the library drop them. */
static const pb__words *words(pb_case *c, utterance *u)
{
    const pb__words *w = pb__textkit_cut(&c->e->text, u->text, u->len);

    if (w != NULL)
        return w;
    if (u->cut == 0)
        u->cut = pb__words_make(&u->words, c->e->text.st, &c->e->text.lex,
                                0, u->text, u->len, NULL) == 0 ? 1 : -1;
    return u->cut == 1 ? &u->words : NULL;
}

/* The utterance as examples are compared with it, once for every
 * detector: the engine's work too. */
static const pb__query *query(pb_case *c, utterance *u)
{
    const pb__words *w = words(c, u);

    if (u->asked == 0)
        u->asked = w && pb__query_make(&u->query, w, &c->e->text.lex, 0,
                                       &c->e->text.idf, NULL) == 0
                       ? 1 : -1;
    return u->asked == 1 ? &u->query : NULL;
}

static const char *lowered(utterance *u)
{
    size_t i;

    if (u->lower == NULL && (u->lower = malloc(u->len + 1)) != NULL) {
        for (i = 0; i <= u->len; i++)
            u->lower[i] = u->text[i] >= 'A' && u->text[i] <= 'Z'
                              ? (char)(u->text[i] - 'A' + 'a') : u->text[i];
    }
    return u->lower;
}

/*
 * Whether one of d's patterns is in the utterance.  All the declared
 * detectors of a principle share one call's budget b for an event: a
 * budget each would let a file with thousands of them spend thousands of
 * calls' worth on every utterance.  The first to run out is reported.
 */
static int pattern_hit(pb_case *c, const pb__principle *p,
                       const pb__detector *d, utterance *u, pb__budget *b,
                       pb__why *why)
{
    const char *err = NULL;
    pb__match m;
    size_t i;
    int r;

    if (b->exhausted)
        return 0;
    for (i = 0; i < d->npatterns; i++) {
        if (d->folded[i] && lowered(u)) {
            if (pb__budget_charge(b, 1 + u->len / 16) != 0) {
                r = -1;
                err = "pattern too complex: step budget exceeded";
            } else {
                r = pb__find_bytes(u->lower, u->len, d->folded[i],
                                   strlen(d->folded[i])) >= 0;
            }
        } else {
            r = pb__pattern_find(u->text, u->len, d->patterns[i],
                                 strlen(d->patterns[i]), 0, PB__ICASE, b,
                                 &m, &err);
        }
        if (r < 0) {
            pb__case_warn(c, "%s:%d: detector %s -> %s: pattern '%s': %s",
                          p->file, d->line, d->on, d->emit, d->patterns[i],
                          err);
            return 0;
        }
        if (r > 0) {
            why->kind = PB__WHY_PATTERN;
            why->which = (uint32_t)i;
            return 1;
        }
    }
    return 0;
}

static void over_budget(pb_case *c, const pb__principle *p,
                        const pb__detector *d, const char *what)
{
    pb__case_warn(c, "%s:%d: detector %s -> %s: %s: instruction budget "
                  "exceeded (%zu instructions)", p->file, d->line, d->on,
                  d->emit ? d->emit : "(function)", what,
                  pb__sandbox_budget(c->e->sb)->limit);
}

/* A detector that could not look: said, never silent. */
static int no_memory(pb_case *c, const pb__principle *p,
                     const pb__detector *d, const char *what)
{
    pb__case_warn(c, "%s:%d: detector %s -> %s: %s: out of memory",
                  p->file, d->line, d->on, d->emit ? d->emit : "(function)",
                  what);
    return 0;
}

/* Whether one of d's phrases is in the utterance: charged to the
 * principle's budget b, like patterns, by the words looked at. */
static int words_hit(pb_case *c, const pb__principle *p,
                     const pb__detector *d, utterance *u, pb__budget *b,
                     pb__why *why)
{
    const pb__words *w;
    size_t i, before, left;
    pb__phrase_hit hit;
    int r;

    if (b->exhausted)
        return 0;
    if ((w = words(c, u)) == NULL)
        return no_memory(c, p, d, "words");
    before = left = pb__textlib_left(b);
    r = pb__phraseidx_mark(d->pidx, w, &u->bits, &left);
    for (i = 0; r == 0; i++) {
        if ((i = pb__phraseidx_next(d->pidx, &u->bits, i)) == d->nphrases)
            break;
        if ((r = pb__phrase_find(d->phrases[i], w, 0, d->gap, &u->scratch,
                                 &left, &hit)) != 0)
            break;
    }
    if (pb__textlib_spend(b, before, r == PB__WORDS_BUDGET ? 0 : left) != 0) {
        over_budget(c, p, d, "words");
        return 0;
    }
    if (r == PB__WORDS_NOMEM)
        return no_memory(c, p, d, "words");
    if (r != 1)
        return 0;
    why->kind = PB__WHY_WORDS;
    why->which = (uint32_t)i;
    return 1;
}

/* Whether the utterance is as close as d's threshold to one of its
 * examples. */
static int example_hit(pb_case *c, const pb__principle *p,
                       const pb__detector *d, utterance *u, pb__budget *b,
                       pb__why *why)
{
    const pb__query *q;
    size_t before, left, index;
    double score;
    int r;

    if (b->exhausted)
        return 0;
    if ((q = query(c, u)) == NULL)
        return no_memory(c, p, d, "examples");
    before = left = pb__textlib_left(b);
    r = pb__query_best(q, d->docs, d->nexamples, &left, &index, &score);
    if (pb__textlib_spend(b, before, r == PB__WORDS_BUDGET ? 0 : left) != 0) {
        over_budget(c, p, d, "examples");
        return 0;
    }
    if (r == PB__WORDS_NOMEM)
        return no_memory(c, p, d, "examples");
    if (r != 1 || score < d->threshold)
        return 0;
    why->kind = PB__WHY_EXAMPLE;
    why->which = (uint32_t)index;
    why->score = (float)score;
    return 1;
}

/* Whether d's patterns, words or examples match (in that order). */
static int hit(pb_case *c, const pb__principle *p, const pb__detector *d,
               utterance *u, pb__budget *b, pb__why *why)
{
    if (u->text == NULL)
        return 0;
    return (d->npatterns > 0 && pattern_hit(c, p, d, u, b, why)) ||
           (d->nphrases > 0 && words_hit(c, p, d, u, b, why)) ||
           (d->nexamples > 0 && example_hit(c, p, d, u, b, why));
}

typedef struct fn_call {
    pb_case *c;
    const pb__detector *d;
    size_t ev;
} fn_call;

/* The attributes a detector returned (the table at idx), looked at
 * while its budget runs: each entry is charged, and the bytes the engine
 * will copy, so a table kept from earlier calls, or one string returned
 * under many names, costs what reading and copying it costs; more than
 * PB_EVENT_MAX_ATTRS, or more than PB__MAX_TEXT bytes, raise. */
static void charge_attrs(lua_State *L, int idx)
{
    size_t n = 0, bytes = 0, k, v;

    lua_pushnil(L);
    while (lua_next(L, idx)) {
        pb__lua_charge(L, 16, 1);
        if (lua_type(L, -2) == LUA_TSTRING &&
            (lua_type(L, -1) == LUA_TSTRING ||
             lua_type(L, -1) == LUA_TNUMBER)) {
            lua_tolstring(L, -2, &k);
            v = lua_type(L, -1) == LUA_TSTRING ? lua_rawlen(L, -1) : 32;
            if (++n > PB_EVENT_MAX_ATTRS)
                luaL_error(L, "more than %d attributes", PB_EVENT_MAX_ATTRS);
            bytes += 8 + k + v;
            if (bytes > PB__MAX_TEXT)
                luaL_error(L, "attributes over %d bytes together",
                           PB__MAX_TEXT);
            pb__lua_charge(L, k + v, 1);
        }
        lua_pop(L, 1);
    }
}

/* Runs inside the sandbox call: fn(case, event) -> type, attrs, text. */
static int call_fn(lua_State *L)
{
    fn_call *fc = lua_touserdata(L, 1);

    lua_rawgeti(L, LUA_REGISTRYINDEX, fc->d->fn_ref);
    pb__luacase_push(fc->c);
    pb__luacase_push_event(L, fc->c, fc->ev);
    lua_call(L, 2, 3);
    if (lua_type(L, -2) == LUA_TTABLE)
        charge_attrs(L, lua_gettop(L) - 1);
    if (lua_type(L, -1) == LUA_TSTRING)
        pb__lua_charge(L, lua_rawlen(L, -1), 1);
    return 3;
}

/* Attributes a detector function returned, as strings. */
static pb_attr *read_attrs(lua_State *L, int idx, size_t *n)
{
    pb_attr *a = NULL;
    size_t cap = 0;

    *n = 0;
    if (lua_type(L, idx) != LUA_TTABLE)
        return NULL;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) == LUA_TSTRING &&
            (lua_type(L, -1) == LUA_TSTRING ||
             lua_type(L, -1) == LUA_TNUMBER)) {
            if (*n == cap) {
                pb_attr *v;

                cap = cap ? cap * 2 : 4;
                v = realloc(a, cap * sizeof *v);
                if (v == NULL) {
                    lua_pop(L, 2);
                    break;
                }
                a = v;
            }
            a[*n].name = lua_tostring(L, -2);
            a[*n].value = lua_tostring(L, -1); /* number -> string */
            (*n)++;
        }
        lua_pop(L, 1);
    }
    return a;
}

static void run_fn(pb_case *c, size_t pi, const pb__detector *d, size_t ev,
                   const pb__why *why)
{
    const pb__principle *p = c->e->principles[pi];
    lua_State *L = pb__sandbox_lua(c->e->sb);
    fn_call fc = { c, d, ev };
    int top = lua_gettop(L), type;
    pb_attr *attrs;
    size_t nattrs;
    pb_status st;

    lua_pushcfunction(L, call_fn);
    lua_pushlightuserdata(L, &fc);
    if (pb__sandbox_call(c->e->sb, p->account, 1, 3) != LUA_OK) {
        const char *msg = lua_tostring(L, -1);

        if (strncmp(msg, p->file, strlen(p->file)) == 0)
            pb__case_warn(c, "%s", msg);
        else
            pb__case_warn(c, "%s:%d: detector: %s", p->file, d->line, msg);
        lua_settop(L, top);
        return;
    }
    if (lua_isnil(L, top + 1)) {
        lua_settop(L, top);
        return;
    }
    if (lua_type(L, top + 1) != LUA_TSTRING ||
        !pb__is_type(lua_tostring(L, top + 1))) {
        pb__case_warn(c, "%s:%d: detector must return an event type or nil "
                      "(got %s)", p->file, d->line,
                      lua_type(L, top + 1) == LUA_TSTRING
                          ? lua_tostring(L, top + 1)
                          : luaL_typename(L, top + 1));
        lua_settop(L, top);
        return;
    }
    if (!lua_isnil(L, top + 3) && lua_type(L, top + 3) != LUA_TSTRING) {
        pb__case_warn(c, "%s:%d: detector text must be a string (got %s)",
                      p->file, d->line, luaL_typename(L, top + 3));
        lua_settop(L, top);
        return;
    }
    type = pb__engine_type(c->e, lua_tostring(L, top + 1), 1);
    attrs = read_attrs(L, top + 2, &nattrs);
    st = type < 0 ? PB_INPUT
                  : pb__case_add_detected(c, (int)pi, type,
                                          lua_isnil(L, top + 3)
                                              ? c->events[ev].text
                                              : lua_tostring(L, top + 3),
                                          attrs, nattrs, why);
    if (st == PB_STATE)
        pb__case_warn(c, "%s:%d: detector could not add '%s': the case's "
                      "detected events are over %d MiB", p->file, d->line,
                      lua_tostring(L, top + 1), PB__MAX_DETECTED >> 20);
    else if (st != PB_OK)
        pb__case_warn(c, "%s:%d: detector could not add '%s'", p->file,
                      d->line, lua_tostring(L, top + 1));
    free(attrs);
    lua_settop(L, top);
}

/*
 * Runs the detectors that watch this event's type and those that watch
 * every type, merged back into checklist order (both lists are in it),
 * each principle's pattern detectors with one budget.
 */
void pb__detect(pb_case *c, size_t ev)
{
    const pb_engine *e = c->e;
    utterance u;
    const pb__detref *a, *a_end, *b, *b_end, *r;
    size_t type = (size_t)c->events[ev].type, cur = PB__NONE;
    pb__why why;
    pb__budget bud = { 0, 0, 0 };

    memset(&u, 0, sizeof u);
    if (c->events[ev].text != NULL) {
        u.text = c->events[ev].text;   /* stays put: only appends move */
        u.len = strlen(u.text);        /* c->events, not the strings */
    }
    a = a_end = e->dets;
    if (type < e->ndet_types) {
        a = e->dets + e->det_start[type];
        a_end = e->dets + e->det_start[type + 1];
    }
    b = e->dets + e->det_start[e->ndet_types];
    b_end = e->dets + e->det_start[e->ndet_types + 1];
    while (a < a_end || b < b_end) {
        const pb__principle *p;
        const pb__detector *d;
        const pb__event *x = &c->events[ev];

        if (b == b_end || (a < a_end && (a->principle < b->principle ||
                                         (a->principle == b->principle &&
                                          a->detector < b->detector))))
            r = a++;
        else
            r = b++;
        p = e->principles[r->principle];
        d = &p->detectors[r->detector];
        /* done with: its item is settled, nothing to look at */
        if (d->dropped ||
            (d->unless_type >= 0 && pb__case_type(c, d->unless_type) != NULL))
            continue;
        if (r->principle != cur) {
            cur = r->principle;
            bud.used = 0;
            bud.limit = pb__sandbox_budget(e->sb)->limit;
            bud.exhausted = 0;
        }
        why.detector = (uint32_t)r->detector;
        why.kind = PB__WHY_FUNCTION;
        why.which = 0;
        why.score = -1;
        if (d->emit == NULL) {
            /* after and within, then patterns, words, examples guard a
             * function: it runs only where they hold */
            if (within(c, d, ev) &&
                ((d->npatterns == 0 && d->nphrases == 0 &&
                  d->nexamples == 0) || hit(c, p, d, &u, &bud, &why)))
                run_fn(c, r->principle, d, ev, &why);
        } else if (u.text && within(c, d, ev) &&
                   hit(c, p, d, &u, &bud, &why)) {
            if (pb__case_add_detected(c, (int)r->principle, d->emit_type,
                                      x->text, NULL, 0, &why) != PB_OK)
                pb__case_warn(c, "%s:%d: detector could not add '%s'",
                              p->file, d->line, d->emit);
        }
    }
    free(u.lower);
    pb__words_free(&u.words);
    pb__scratch_free(&u.scratch);
    pb__scratch_free(&u.bits);
    pb__query_free(&u.query);
}
