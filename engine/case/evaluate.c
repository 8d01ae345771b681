/*
 * evaluate.c -- the checklist: each item's state from its predicates.
 *
 * After every event each applicable item is looked at once, in checklist
 * order.  done and violated latch, so a predicate that already said yes
 * is not asked again (and the time it first said yes is kept).  State
 * precedence, strongest first: skipped (the agent's call), violated,
 * checked by the agent, error, done, waiting, open.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "evaluate.h"
#include "luacase.h"

#define MAX_PROMPT 4096 /* an agent reads it during a call */
#define MAX_ERROR 1024

static void set_error(pb__itemstate *st, char *msg)
{
    if (st->error == NULL)
        st->error = msg;
    else
        free(msg);
}

/* A copy of an error message, cut to MAX_ERROR bytes: a principle can
 * raise a megabyte, and every case would keep it. */
static char *keep_error(const char *fmt, ...)
{
    char buf[MAX_ERROR];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof buf)
        memcpy(buf + sizeof buf - 5, "...", 4);
    return strdup(buf);
}

/*
 * The message of a failed call, as "file:line: message".  Lua puts the
 * position in runtime errors; budget and memory errors have none, so the
 * item's own line is used.
 */
static char *call_error(lua_State *L, const pb__principle *p, int line,
                        const char *what)
{
    const char *msg = lua_tostring(L, -1);
    size_t n = strlen(p->file);
    char *out;

    if (strncmp(msg, p->file, n) == 0 && msg[n] == ':')
        out = keep_error("%s", msg);
    else
        out = keep_error("%s:%d: %s: %s", p->file, line, what, msg);
    lua_pop(L, 1);
    return out;
}

/* A kept answer stands while nothing its call read has changed.  (A
 * changed type past PB__READ_TYPES needs no test: reading one is `any`.) */
static int stands(const pb_case *c, const pb__memo *m)
{
    const pb__reads *r = &m->reads, *ch = &c->changed;
    size_t k;

    if (!m->kept || r->any || (r->facts & ch->facts))
        return 0;
    for (k = 0; k < PB__READ_TYPES / 64; k++)
        if (r->types[k] & ch->types[k])
            return 0;
    return 1;
}

/* Calls principle code with the case, recording what it reads in m. */
static int call(pb_case *c, const pb__principle *p, int ref, pb__memo *m)
{
    int rc;

    lua_rawgeti(pb__sandbox_lua(c->e->sb), LUA_REGISTRYINDEX, ref);
    pb__luacase_push(c);
    memset(&m->reads, 0, sizeof m->reads);
    m->kept = 0;
    c->reading = &m->reads;
    rc = pb__sandbox_call(c->e->sb, p->account, 1, 1);
    c->reading = NULL;
    return rc;
}

/* Calls a predicate with the case, unless its kept answer stands: 1 yes,
 * 0 no, -1 error (in *err, and not kept). */
static int predicate(pb_case *c, const pb__principle *p, int line, int ref,
                     const char *what, pb__memo *m, char **err)
{
    lua_State *L = pb__sandbox_lua(c->e->sb);
    int r;

    if (stands(c, m))
        return m->answer;
    if (call(c, p, ref, m) != LUA_OK) {
        *err = call_error(L, p, line, what);
        return -1;
    }
    if (lua_isboolean(L, -1) || lua_isnil(L, -1)) {
        r = lua_toboolean(L, -1);
    } else {
        lua_Debug ar;

        lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
        if (lua_getinfo(L, ">S", &ar) && ar.linedefined > 0)
            line = ar.linedefined;
        *err = keep_error("%s:%d: %s must return true or false (got %s)",
                          p->file, line, what, luaL_typename(L, -1));
        r = -1;
    }
    lua_pop(L, 1);
    m->kept = r >= 0;
    m->answer = (unsigned char)(r > 0);
    return r;
}

/* A computed prompt; NULL with *err set on failure. */
static char *prompt(pb_case *c, const pb__principle *p, const pb__item *it,
                    pb__memo *m, char **err)
{
    lua_State *L = pb__sandbox_lua(c->e->sb);
    char *s = NULL;

    if (call(c, p, it->prompt_ref, m) != LUA_OK) {
        *err = call_error(L, p, it->line, "prompt");
        return NULL;
    }
    if (lua_type(L, -1) == LUA_TSTRING && lua_rawlen(L, -1) <= MAX_PROMPT) {
        s = strdup(lua_tostring(L, -1));
    } else if (lua_type(L, -1) == LUA_TSTRING) {
        lua_pushfstring(L, "prompt is %I bytes long (at most %d)",
                        (lua_Integer)lua_rawlen(L, -1), MAX_PROMPT);
        lua_remove(L, -2);
        *err = call_error(L, p, it->line, "prompt");
        return NULL;
    } else {
        lua_pushfstring(L, "prompt must return a string (got %s)",
                        luaL_typename(L, -1));
        lua_remove(L, -2);
        *err = call_error(L, p, it->line, "prompt");
        return NULL;
    }
    lua_pop(L, 1);
    m->kept = s != NULL;
    return s;
}

static void set_prompt(pb__itemstate *st, const char *fixed, char *computed)
{
    if (st->own_prompt && computed && st->prompt &&
        strcmp(st->prompt, computed) == 0) {
        free(computed);           /* unchanged: keep the old copy */
        return;
    }
    if (st->own_prompt)
        free((char *)st->prompt);
    st->own_prompt = computed != NULL;
    st->prompt = computed ? computed : fixed;
}

static int waiting(const pb_case *c, const pb__principle *p,
                   const pb__item *it)
{
    size_t k;

    for (k = 0; k < it->nafter; k++) {
        pb_state s = c->items[p->first_item + it->after_idx[k]].state;

        if (s != PB_DONE && s != PB_SKIPPED && s != PB_ABSENT)
            return 1;
    }
    return 0;
}

static void eval_item(pb_case *c, const pb__principle *p, size_t idx,
                      const char *perr)
{
    const pb__item *it = c->e->items[idx];
    pb__itemstate *st = &c->items[idx];
    double now = c->nevents ? c->events[c->nevents - 1].t : 0;
    char *err = NULL;
    int r;

    free(st->error);
    st->error = NULL;
    if (perr != NULL) {
        st->error = strdup(perr);
        st->state = PB_ERROR;
        set_prompt(st, NULL, NULL);
        return;
    }
    if (it->applies_ref != LUA_NOREF) {
        r = predicate(c, p, it->line, it->applies_ref, "applies",
                      &st->memo[PB__M_APPLIES], &err);
        if (r <= 0) {
            st->state = r < 0 ? PB_ERROR : PB_ABSENT;
            set_error(st, err);
            set_prompt(st, NULL, NULL);
            return;
        }
    }
    if (st->skipped) {
        st->state = PB_SKIPPED;
        set_prompt(st, NULL, NULL);
        return;
    }
    if (!st->violated && it->violated_ref != LUA_NOREF) {
        r = predicate(c, p, it->line, it->violated_ref, "violated",
                      &st->memo[PB__M_VIOLATED], &err);
        if (r > 0) {
            st->violated = 1;
            st->violated_at = now;
            st->violated_event = c->nevents ? c->nevents - 1 : 0;
        } else if (r < 0) {
            set_error(st, err);
        }
    }
    if (!st->done) {
        r = it->collects && pb__case_fact(c, it->collects) != NULL;
        if (!r && it->done_ref != LUA_NOREF) {
            r = predicate(c, p, it->line, it->done_ref, "done",
                          &st->memo[PB__M_DONE], &err);
            if (r < 0)
                set_error(st, err);
        }
        if (r > 0) {
            st->done = 1;
            st->done_at = now;
            st->done_event = c->nevents ? c->nevents - 1 : 0;
        }
    }
    if (st->violated)
        st->state = PB_VIOLATED;
    else if (st->checked)
        st->state = PB_DONE;
    else if (st->error)
        st->state = PB_ERROR;
    else if (st->done)
        st->state = PB_DONE;
    else
        st->state = PB_OPEN; /* or waiting: settled once all are seen */
    if (st->state != PB_OPEN && st->state != PB_WAITING) {
        set_prompt(st, NULL, NULL);
    } else if (it->prompt_ref == LUA_NOREF) {
        set_prompt(st, it->prompt, NULL);
    } else if (!st->own_prompt || !stands(c, &st->memo[PB__M_PROMPT])) {
        char *s = prompt(c, p, it, &st->memo[PB__M_PROMPT], &err);

        if (s == NULL) {
            st->state = PB_ERROR;
            set_error(st, err);
        }
        set_prompt(st, NULL, s);
    }
}

void pb__evaluate(pb_case *c)
{
    const pb_engine *e = c->e;
    size_t i, j;

    for (i = 0; i < e->nprinciples; i++) {
        const pb__principle *p = e->principles[i];
        char *perr = NULL;
        int applies = 1;

        if (p->applies_ref != LUA_NOREF) {
            applies = predicate(c, p, p->line, p->applies_ref,
                                "principle applies", &c->applies[i], &perr);
        }
        for (j = 0; j < p->nitems; j++) {
            size_t idx = p->first_item + j;

            if (applies == 0 || c->e->items[idx]->dropped) {
                pb__itemstate *st = &c->items[idx];

                free(st->error);
                st->error = NULL;
                set_prompt(st, NULL, NULL);
                st->state = PB_ABSENT;
            } else {
                eval_item(c, p, idx, applies < 0 ? perr : NULL);
            }
        }
        free(perr);
        /* `after` may name a later item: decide waiting once every item
         * of the principle has its state for this event. */
        for (j = 0; j < p->nitems; j++) {
            pb__itemstate *st = &c->items[p->first_item + j];

            if (st->state == PB_OPEN && waiting(c, p, &p->items[j]))
                st->state = PB_WAITING;
        }
    }
    memset(&c->changed, 0, sizeof c->changed);
}
