/*
 * luacase.c -- the case as principle code sees it: a read-only object.
 *
 * The case, its facts, its events and their attributes are userdata
 * proxies over the C case, so reading them costs no copying and writing
 * them is an error.  A principle may keep a proxy past the case's life;
 * the proxy then points at a cleared handle and says so, never at freed
 * memory.
 */
#include <string.h>

#include <lauxlib.h>

#include "luacase.h"
#include "pattern.h"

#define CASE_MT "playbook.case"
#define EVENT_MT "playbook.event"
#define MAP_MT "playbook.map"

struct pb__luacase {
    pb_case *c; /* NULL once the case is freed */
    size_t last_ev; /* the event whose object is user value 5, + 1 */
};

typedef struct luaevent {
    pb__luacase *lc;
    size_t index;
} luaevent;

typedef struct luamap {
    pb__luacase *lc;
    size_t index; /* event whose attributes, or SIZE_MAX for the facts */
} luamap;

static pb_case *alive(lua_State *L, pb__luacase *lc)
{
    if (lc->c == NULL)
        luaL_error(L, "this case is closed and gone; keep no case between "
                      "calls");
    return lc->c;
}

/* The case a method was called on.  Methods hold the case metatable as
 * upvalue 2: comparing with it is cheaper than luaL_checkudata's lookup
 * by name, and predicates call methods all the time. */
static pb_case *check_case(lua_State *L)
{
    pb__luacase *lc = lua_touserdata(L, 1);

    if (lc == NULL || !lua_getmetatable(L, 1) ||
        !lua_rawequal(L, -1, lua_upvalueindex(2)))
        luaL_typeerror(L, 1, "case");
    lua_pop(L, 1);
    return alive(L, lc);
}

static int read_only(lua_State *L)
{
    return luaL_error(L, "the case is read-only");
}

/* Case-insensitive bounded match for case:said. */
static int case_match(pb_case *c, const char *text, const char *pattern,
                      const char **err)
{
    pb__match m;

    return pb__pattern_find(text, strlen(text), pattern, strlen(pattern), 0,
                            PB__ICASE, pb__sandbox_budget(c->e->sb), &m, err);
}

/* Raises on a pattern error; 1 when text matches. */
static int matches(lua_State *L, pb_case *c, const char *text,
                   const char *pattern)
{
    const char *err = NULL;
    int r;

    if (text == NULL)
        return 0;
    r = case_match(c, text, pattern, &err);
    if (r < 0)
        return luaL_error(L, "%s", err);
    return r;
}

/*
 * Type id of the string at idx, or -1 when no event has that type; read
 * by the running call.  A type no event has had yet is given its id now
 * (up to PB__READ_TYPES of them), so that the call can be said to have
 * read it.
 */
static int type_arg(lua_State *L, pb_case *c, int idx)
{
    const char *name;
    int id;

    /* Methods share a cache (upvalue 1) from the interned Lua string to
     * the id: no hashing or strcmp for the types every predicate names. */
    if (lua_type(L, idx) == LUA_TSTRING) {
        lua_pushvalue(L, idx);
        if (lua_rawget(L, lua_upvalueindex(1)) == LUA_TNUMBER) {
            id = (int)lua_tointeger(L, -1);
            lua_pop(L, 1);
            pb__reads_type(c->reading, id);
            return id;
        }
        lua_pop(L, 1);
    }
    name = luaL_checkstring(L, idx);
    id = pb__engine_type(c->e, name, 0);
    if (id < 0 && c->e->ntypes < PB__READ_TYPES && pb__is_type(name))
        id = pb__engine_type(c->e, name, 1);
    pb__reads_type(c->reading, id); /* -1: any */
    if (id >= 0) {
        lua_pushvalue(L, idx);
        lua_pushinteger(L, id);
        lua_rawset(L, lua_upvalueindex(1));
    }
    return id;
}

/* Objects. */

static void push_map(lua_State *L, int owner, pb__luacase *lc, size_t index)
{
    luamap *m = lua_newuserdatauv(L, sizeof *m, 1);

    m->lc = lc;
    m->index = index;
    lua_pushvalue(L, owner);    /* keeps lc alive */
    lua_setiuservalue(L, -2, 1);
    luaL_setmetatable(L, MAP_MT);
}

/* Pushes event ev; the case object must be at index owner. */
static void push_event(lua_State *L, int owner, pb__luacase *lc, size_t ev)
{
    luaevent *e = lua_newuserdatauv(L, sizeof *e, 1);

    e->lc = lc;
    e->index = ev;
    lua_pushvalue(L, owner);
    lua_setiuservalue(L, -2, 1);
    luaL_setmetatable(L, EVENT_MT);
}

/* The event every detector of an event is given: one object, made
 * once (events are read-only). */
void pb__luacase_push_event(lua_State *L, pb_case *c, size_t ev)
{
    pb__luacase_push(c);
    if (c->lua->last_ev == ev + 1) {
        lua_getiuservalue(L, -1, 5);
    } else {
        push_event(L, lua_gettop(L), c->lua, ev);
        lua_pushvalue(L, -1);
        lua_setiuservalue(L, -3, 5);
        c->lua->last_ev = ev + 1;
    }
    lua_remove(L, -2);
}

/* Methods. */

/*
 * case:has/count(type, pattern) and case:said(who, pattern) remember how
 * far they have read and what they found: events never change once in
 * the timeline, so the next call reads only the events added since.  A
 * predicate asked after every utterance then costs that utterance, not
 * the whole timeline again.  The memory is the case object's user value
 * 4, scans[key][pattern] = events read << 32 | matches, where the key is
 * the type's id (has, count) or who, a string (said).
 */
#define SCAN_MAX 0x7fffffffu

static lua_Integer scan_get(lua_State *L, int key, size_t *pos, size_t *n)
{
    lua_Integer v = 0;

    if (lua_getiuservalue(L, 1, 4) == LUA_TTABLE) {
        lua_pushvalue(L, key);
        if (lua_rawget(L, -2) == LUA_TTABLE) {
            lua_pushvalue(L, 3);
            if (lua_rawget(L, -2) == LUA_TNUMBER)
                v = lua_tointeger(L, -1);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    *pos = (size_t)(v >> 32);
    *n = (size_t)(v & SCAN_MAX);
    return v;
}

static void scan_put(lua_State *L, int key, size_t pos, size_t n)
{
    if (pos > SCAN_MAX || n > SCAN_MAX)
        return;                      /* too long to remember: read again */
    if (lua_getiuservalue(L, 1, 4) != LUA_TTABLE) {  /* made on first use */
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setiuservalue(L, 1, 4);
    }
    lua_pushvalue(L, key);
    if (lua_rawget(L, -2) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, key);
        lua_pushvalue(L, -2);
        lua_rawset(L, -4);
    }
    lua_pushvalue(L, 3);
    lua_pushinteger(L, (lua_Integer)pos << 32 | (lua_Integer)n);
    lua_rawset(L, -3);
    lua_pop(L, 2);
}

/* A scan looks at one more event: a step of the call's budget, as a new
 * pattern for each call makes a scan start over (docs/hardening.md). */
static void examine(lua_State *L)
{
    pb__lua_charge(L, 16, 1);
}

/* Matches of pattern (argument 3) among the events of type ti, read on
 * from where the last call stopped (the chain of that type after the
 * last event read); `first` stops at the first. */
static size_t scan_type(lua_State *L, pb_case *c, const pb__typeidx *ti,
                        int first)
{
    const char *pattern = lua_tostring(L, 3);
    size_t pos, n, i;

    lua_settop(L, 3);
    lua_pushinteger(L, c->events[ti->first].type);
    scan_get(L, 4, &pos, &n);
    if (first && n > 0)
        return n;
    i = pos == 0 ? ti->first : c->events[pos - 1].next;
    for (; i != PB__NO_EVENT; i = c->events[i].next) {
        examine(L);
        pos = i + 1;
        if (matches(L, c, c->events[i].text, pattern) && n++ == 0 && first)
            break;
    }
    scan_put(L, 4, pos, n);
    return n;
}

static int m_has(lua_State *L)
{
    pb_case *c = check_case(L);
    const pb__typeidx *ti = pb__case_type(c, type_arg(L, c, 2));
    const char *pattern = luaL_optstring(L, 3, NULL);

    if (ti == NULL || pattern == NULL) {
        lua_pushboolean(L, ti != NULL);
        return 1;
    }
    lua_pushboolean(L, scan_type(L, c, ti, 1) > 0);
    return 1;
}

static int m_count(lua_State *L)
{
    pb_case *c = check_case(L);
    const pb__typeidx *ti = pb__case_type(c, type_arg(L, c, 2));
    const char *pattern = luaL_optstring(L, 3, NULL);
    lua_Integer n = 0;

    if (ti != NULL && pattern == NULL) {
        n = (lua_Integer)ti->count;
    } else if (ti != NULL) {
        n = (lua_Integer)scan_type(L, c, ti, 0);
    }
    lua_pushinteger(L, n);
    return 1;
}

static int first_or_last(lua_State *L, int last)
{
    pb_case *c = check_case(L);
    const pb__typeidx *ti = pb__case_type(c, type_arg(L, c, 2));

    if (ti == NULL)
        lua_pushnil(L);
    else
        push_event(L, 1, c->lua, last ? ti->last : ti->first);
    return 1;
}

static int m_first(lua_State *L) { return first_or_last(L, 0); }
static int m_last(lua_State *L) { return first_or_last(L, 1); }

/* a happened, and b had not happened before it. */
static int m_before(lua_State *L)
{
    pb_case *c = check_case(L);
    const pb__typeidx *a = pb__case_type(c, type_arg(L, c, 2));
    const pb__typeidx *b = pb__case_type(c, type_arg(L, c, 3));

    lua_pushboolean(L, a != NULL && (b == NULL || b->first > a->first));
    return 1;
}

/* Utterances: recorded customer.* or agent.* events with text. */
static int m_said(lua_State *L)
{
    pb_case *c = check_case(L);
    const char *who = luaL_optstring(L, 2, "any");
    const char *pattern = luaL_checkstring(L, 3);
    size_t i, n, wl = strlen(who);
    int any = strcmp(who, "any") == 0;

    if (!any && strcmp(who, "customer") != 0 && strcmp(who, "agent") != 0)
        return luaL_argerror(L, 2, "expected 'customer', 'agent' or 'any'");
    pb__reads_any(c->reading); /* every customer.* or agent.* type */
    lua_settop(L, 3);
    lua_pushstring(L, who);         /* the scan's key, a string: no type */
    scan_get(L, 4, &i, &n);
    for (; n == 0 && i < c->nevents; i++) {
        const pb__event *ev = &c->events[i];
        const char *type = c->e->types[ev->type];

        examine(L);
        if (ev->detected_by >= 0 || ev->text == NULL)
            continue;
        if (any ? (strncmp(type, "customer.", 9) != 0 &&
                   strncmp(type, "agent.", 6) != 0)
                : (strncmp(type, who, wl) != 0 || type[wl] != '.'))
            continue;
        n = matches(L, c, ev->text, pattern);
    }
    scan_put(L, 4, i, n);
    lua_pushboolean(L, n > 0);
    return 1;
}

static int m_state(lua_State *L)
{
    pb_case *c = check_case(L);
    const char *ref = luaL_checkstring(L, 2);
    long i = pb_engine_find_item(c->e, ref);

    if (i < 0)
        return luaL_error(L, "case:state: unknown item '%s' (use "
                             "'principle.item')", ref);
    pb__reads_any(c->reading); /* states change within one evaluation */
    lua_pushstring(L, pb_state_name((pb_state)c->items[i].state));
    return 1;
}

/* The event at upvalue 3 (-1: none left), then the one after it: the
 * next of its type along the chain, or the next of all (type -2). */
static int events_next(lua_State *L)
{
    pb__luacase *lc = lua_touserdata(L, lua_upvalueindex(1));
    pb_case *c = alive(L, lc);
    int type = (int)lua_tointeger(L, lua_upvalueindex(2));
    lua_Integer i = lua_tointeger(L, lua_upvalueindex(3));
    size_t next;

    if (i < 0 || (size_t)i >= c->nevents)
        return 0;
    next = type == -2 ? (size_t)i + 1 : c->events[i].next;
    lua_pushinteger(L, next == PB__NO_EVENT ? -1 : (lua_Integer)next);
    lua_replace(L, lua_upvalueindex(3));
    push_event(L, lua_upvalueindex(1), lc, (size_t)i);
    return 1;
}

/* The iterator of case:recent: back along the chain of one type. */
static int recent_next(lua_State *L)
{
    pb__luacase *lc = lua_touserdata(L, lua_upvalueindex(1));
    pb_case *c = alive(L, lc);
    lua_Integer i = lua_tointeger(L, lua_upvalueindex(2));

    if (i < 0 || (size_t)i >= c->nevents)
        return 0;
    examine(L);
    lua_pushinteger(L, c->events[i].prev == PB__NO_EVENT
                           ? -1 : (lua_Integer)c->events[i].prev);
    lua_replace(L, lua_upvalueindex(2));
    push_event(L, lua_upvalueindex(1), lc, (size_t)i);
    return 1;
}

/*
 * for ev in case:recent(type [, event]) do ... end: the events of that
 * type, newest first, from before `event` (or from now).  A detector
 * looks back over the last few utterances for as little as it reads,
 * however long the case.
 */
static int m_recent(lua_State *L)
{
    pb_case *c = check_case(L);
    const pb__typeidx *ti = pb__case_type(c, type_arg(L, c, 2));
    lua_Integer i = ti ? (lua_Integer)ti->last : -1;

    if (!lua_isnoneornil(L, 3)) {
        luaevent *e = luaL_checkudata(L, 3, EVENT_MT);

        alive(L, e->lc);
        while (i >= 0 && (size_t)i >= e->index) {
            examine(L);
            i = c->events[i].prev == PB__NO_EVENT
                    ? -1 : (lua_Integer)c->events[i].prev;
        }
    }
    lua_settop(L, 1);
    lua_pushinteger(L, i);
    lua_pushcclosure(L, recent_next, 2);
    return 1;
}

/* for ev in case:events([type]) do ... end */
static int m_events(lua_State *L)
{
    pb_case *c = check_case(L);
    int type = lua_isnoneornil(L, 2) ? -2 : type_arg(L, c, 2);
    const pb__typeidx *ti = type >= 0 ? pb__case_type(c, type) : NULL;

    if (type == -2)
        pb__reads_any(c->reading);
    lua_settop(L, 1);
    lua_pushinteger(L, type);
    lua_pushinteger(L, type == -2 ? 0 : ti ? (lua_Integer)ti->first : -1);
    lua_pushcclosure(L, events_next, 3);
    return 1;
}

/* case:known(name [, event]): the fact's value now, or just before the
 * event; nil when unknown. */
static int m_known(lua_State *L)
{
    pb_case *c = check_case(L);
    const char *name = luaL_checkstring(L, 2);
    const char *v;

    pb__reads_fact(c->reading, name);
    if (lua_isnoneornil(L, 3)) {
        v = pb__case_fact(c, name);
    } else {
        luaevent *e = luaL_checkudata(L, 3, EVENT_MT);

        alive(L, e->lc);
        v = pb__case_fact_before(c, name, e->index);
    }
    if (v)
        lua_pushstring(L, v);
    else
        lua_pushnil(L);
    return 1;
}

static const luaL_Reg methods[] = {
    { "has", m_has }, { "count", m_count }, { "first", m_first },
    { "last", m_last }, { "before", m_before }, { "said", m_said },
    { "state", m_state }, { "events", m_events }, { "recent", m_recent },
    { "known", m_known },
    { NULL, NULL }
};

static void push_opt(lua_State *L, const char *s)
{
    if (s)
        lua_pushstring(L, s);
    else
        lua_pushnil(L);
}

/* Fields, by the codes the __index tables map their names to. */
typedef struct named {
    const char *name;
    int code;
} named;

enum { F_TOPIC = 1, F_CHANNEL, F_NOW, F_CLOSED, F_FACTS };

static const named case_fields[] = {
    { "topic", F_TOPIC }, { "channel", F_CHANNEL }, { "now", F_NOW },
    { "closed", F_CLOSED }, { "facts", F_FACTS }, { NULL, 0 }
};

enum { E_T = 1, E_TYPE, E_TEXT, E_ATTR, E_N, E_DETECTED, E_BY };

static const named event_fields[] = {
    { "t", E_T }, { "type", E_TYPE }, { "text", E_TEXT }, { "attr", E_ATTR },
    { "n", E_N }, { "detected", E_DETECTED }, { "by", E_BY }, { NULL, 0 }
};

/* Reached only through the case metatable, so argument 1 is a case.  One
 * table lookup answers both methods and fields; topic, channel and the
 * facts proxy are kept as user values so reading them makes nothing. */
static int case_index(lua_State *L)
{
    pb_case *c = alive(L, lua_touserdata(L, 1));

    lua_settop(L, 2);
    switch (lua_rawget(L, lua_upvalueindex(1))) {
    case LUA_TFUNCTION:
        return 1;
    case LUA_TNUMBER:
        break;
    default:
        lua_pushnil(L);
        return 1;
    }
    switch (lua_tointeger(L, -1)) {
    case F_TOPIC: lua_getiuservalue(L, 1, 2); break;
    case F_CHANNEL: lua_getiuservalue(L, 1, 3); break;
    case F_NOW:
        pb__reads_any(c->reading);
        lua_pushnumber(L, c->nevents ? c->events[c->nevents - 1].t : 0);
        break;
    case F_CLOSED:
        pb__reads_type(c->reading, PB__T_CLOSED);
        lua_pushboolean(L, c->closed);
        break;
    default: lua_getiuservalue(L, 1, 1); break;
    }
    return 1;
}

static int event_index(lua_State *L)
{
    luaevent *e = luaL_checkudata(L, 1, EVENT_MT);
    pb_case *c = alive(L, e->lc);
    const pb__event *ev = &c->events[e->index];

    lua_settop(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNUMBER) {
        lua_pushnil(L);
        return 1;
    }
    switch (lua_tointeger(L, -1)) {
    case E_T: lua_pushnumber(L, ev->t); break;
    case E_TYPE: lua_pushstring(L, c->e->types[ev->type]); break;
    case E_TEXT: push_opt(L, ev->text); break;
    case E_ATTR: push_map(L, 1, e->lc, e->index); break;
    case E_N: lua_pushinteger(L, (lua_Integer)e->index + 1); break;
    case E_DETECTED: lua_pushboolean(L, ev->detected_by >= 0); break;
    default:
        push_opt(L, ev->detected_by >= 0
                        ? c->e->principles[ev->detected_by]->id : NULL);
        break;
    }
    return 1;
}

static pb_case *map_of(lua_State *L, luamap *m, const pb_attr **a,
                       size_t *n)
{
    pb_case *c = alive(L, m->lc);

    if (m->index == (size_t)-1) {
        *a = c->facts.v;
        *n = c->facts.n;
    } else {
        *a = c->events[m->index].attrs;
        *n = c->events[m->index].nattrs;
    }
    return c;
}

/* The facts are looked up by their index: a case may have many. */
static int map_index(lua_State *L)
{
    luamap *m = luaL_checkudata(L, 1, MAP_MT);
    const pb_attr *a;
    size_t n;
    pb_case *c = map_of(L, m, &a, &n);

    if (lua_type(L, 2) != LUA_TSTRING) {
        lua_pushnil(L);
    } else if (m->index == (size_t)-1) {
        pb__reads_fact(c->reading, lua_tostring(L, 2));
        push_opt(L, pb__case_fact(c, lua_tostring(L, 2)));
    } else {
        push_opt(L, pb_attr_value(a, n, lua_tostring(L, 2)));
    }
    return 1;
}

/* pairs(map): the iterator keeps its place (upvalue 1), so a step costs
 * the same however many entries there are. */
static int map_next(lua_State *L)
{
    luamap *m = luaL_checkudata(L, 1, MAP_MT);
    size_t i = (size_t)lua_tointeger(L, lua_upvalueindex(1)), n;
    const pb_attr *a;

    if (m->index == (size_t)-1)
        pb__reads_fact(alive(L, m->lc)->reading, NULL);
    map_of(L, m, &a, &n);
    if (i >= n)
        return 0;
    lua_pushinteger(L, (lua_Integer)i + 1);
    lua_replace(L, lua_upvalueindex(1));
    lua_pushstring(L, a[i].name);
    lua_pushstring(L, a[i].value);
    return 2;
}

static int map_pairs(lua_State *L)
{
    luaL_checkudata(L, 1, MAP_MT);
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, map_next, 1);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* A metatable whose __index gets, as upvalue 1, one table of its
 * methods and of its fields' codes: a lookup answers both, and it is
 * what tests/test_api.c reads to hold the editor definitions to what
 * principle code can reach. */
static void new_mt(lua_State *L, const char *name, lua_CFunction index,
                   const luaL_Reg *fns, const named *codes)
{
    if (!luaL_newmetatable(L, name)) {
        lua_pop(L, 1);
        return;
    }
    if (codes) {
        lua_newtable(L);
        if (fns) {
            lua_newtable(L);             /* the type cache, shared */
            lua_pushvalue(L, -1);
            lua_rawsetp(L, LUA_REGISTRYINDEX, &pb__type_cache_key);
            lua_pushvalue(L, -3);        /* this metatable */
            luaL_setfuncs(L, fns, 2);
        }
        for (; codes->name; codes++) {
            lua_pushinteger(L, codes->code);
            lua_setfield(L, -2, codes->name);
        }
        lua_pushcclosure(L, index, 1);
    } else {
        lua_pushcfunction(L, index);
    }
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, read_only);
    lua_setfield(L, -2, "__newindex");
    lua_pushstring(L, name + 9);
    lua_setfield(L, -2, "__metatable");
    if (strcmp(name, MAP_MT) == 0) {
        lua_pushcfunction(L, map_pairs);
        lua_setfield(L, -2, "__pairs");
    }
    lua_pop(L, 1);
}

static int create(lua_State *L)
{
    pb_case *c = lua_touserdata(L, 1);
    pb__luacase *lc;

    new_mt(L, CASE_MT, case_index, methods, case_fields);
    new_mt(L, EVENT_MT, event_index, NULL, event_fields);
    new_mt(L, MAP_MT, map_index, NULL, NULL);
    lc = lua_newuserdatauv(L, sizeof *lc, 5);
    lc->c = NULL;
    lc->last_ev = 0;
    luaL_setmetatable(L, CASE_MT);
    push_map(L, 2, lc, (size_t)-1);   /* case.facts, made once */
    lua_setiuservalue(L, 2, 1);
    push_opt(L, c->topic);
    lua_setiuservalue(L, 2, 2);
    push_opt(L, c->channel);
    lua_setiuservalue(L, 2, 3);       /* 4: the scans, once there are;
                                       * 5: the last event pushed */
    lua_pushvalue(L, 2);
    c->lua_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lc->c = c;
    c->lua = lc;
    return 0;
}

int pb__luacase_new(pb_case *c)
{
    lua_State *L = pb__sandbox_lua(c->e->sb);
    int top = lua_gettop(L), st;

    st = pb__sandbox_cpcall(c->e->sb, create, c);
    lua_settop(L, top);
    return st;
}

void pb__luacase_free(pb_case *c)
{
    lua_State *L = pb__sandbox_lua(c->e->sb);

    /* A proxy a principle kept must not keep the scans alive. */
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->lua_ref);
    lua_pushnil(L);
    lua_setiuservalue(L, -2, 4);
    lua_pop(L, 1);
    c->lua->c = NULL;
    luaL_unref(pb__sandbox_lua(c->e->sb), LUA_REGISTRYINDEX, c->lua_ref);
    c->lua = NULL;
}

void pb__luacase_push(pb_case *c)
{
    lua_rawgeti(pb__sandbox_lua(c->e->sb), LUA_REGISTRYINDEX, c->lua_ref);
}
