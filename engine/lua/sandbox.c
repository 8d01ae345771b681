/*
 * sandbox.c -- the Lua state principle code runs in.
 *
 * The real global table is never handed to principle code.  Each file gets
 * an environment built from a list of safe functions; library tables are
 * reached through read-only proxies; the string metatable is locked.
 *
 * The budget model (docs/hardening.md): during a call, every unit of work
 * is charged to one budget -- VM instructions through the count hook,
 * bytes allocated through the allocator, bytes compared and parser steps
 * through the vendored Lua's luai_charge (pb__lua_charge below), and what
 * the library's C functions read and return (costly(), pattern.c).
 * Memory is accounted per principle: every block carries the account
 * that allocated it, and each account has its own cap.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "pattern.h"
#include "sandbox.h"

#define HOOK_STEP 1000 /* instructions between two looks at the budget */
#define COST_BYTES 16  /* bytes a C function may touch per step */

/* Each block starts with the account it is charged to, in a header as
 * aligned as Lua needs its blocks to be (LUAI_MAXALIGN). */
typedef union {
    unsigned account;
    lua_Number n;
    lua_Integer i;
    double d;
    void *p;
    long l;
} block_head;

struct pb__sandbox {
    lua_State *L;
    size_t *used;       /* live bytes per account; 0 is the engine's */
    size_t naccounts, mem_limit;
    unsigned account;   /* what allocations are charged to now */
    int charging;       /* in a call: work is charged to the budget */
    int over;           /* the call's account reached its cap */
    size_t instructions;
    pb__budget budget;
    int safe_ref; /* registry: table of safe globals */
    size_t calls; /* calls into principle code, for the benchmark */
    int hook_step; /* the count the hook is installed with, 0 if none */
};

static const char *const base_names[] = {
    "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall",
    "rawequal", "rawget", "rawlen", "select", "tonumber",
    "tostring", "type", "_VERSION", NULL
};
static const char *const string_names[] = {
    "byte", "char", "format", "len", "lower", "reverse", "sub", "upper", NULL
};
static const char *const table_names[] = { "pack", NULL };
static const char *const utf8_names[] = {
    "char", "charpattern", "codepoint", "codes", "len", "offset", NULL
};

static void budget_hook(lua_State *L, lua_Debug *ar);

/* Once the budget is spent every instruction fails, so a pcall in a loop
 * cannot swallow the error and carry on. */
static void arm(pb__sandbox *sb)
{
    lua_sethook(sb->L, budget_hook, LUA_MASKCOUNT, 1);
    sb->hook_step = 1;
}

/*
 * Growing a block charges the account in effect, up to its cap, and
 * during a call the budget too: copying, hashing and collecting are all
 * proportional to what is allocated.  Shrinking and freeing never fail
 * (Lua relies on that) and credit the block's own account.
 */
static void *sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    pb__sandbox *sb = ud;
    size_t old = ptr ? osize : 0; /* without ptr, osize is a type tag */
    block_head *h = ptr ? (block_head *)ptr - 1 : NULL;
    unsigned to = sb->account;
    size_t have;

    if (nsize == 0) {
        if (h) {
            sb->used[h->account] -= old;
            free(h);
        }
        return NULL;
    }
    if (nsize <= old) {
        block_head *p = realloc(h, sizeof *h + nsize);

        if (p == NULL)
            return ptr;           /* the old block is still good */
        sb->used[p->account] -= old - nsize;
        return p + 1;
    }
    have = sb->used[to] - (h && h->account == to ? old : 0);
    if (to > 0 && (nsize > sb->mem_limit || have > sb->mem_limit - nsize)) {
        sb->over = sb->charging; /* sticky, as the budget is */
        return NULL;
    }
    if (nsize > SIZE_MAX - sizeof *h)
        return NULL;
    if (sb->charging &&
        pb__budget_charge(&sb->budget, (nsize - old) / COST_BYTES) != 0)
        arm(sb);
    h = realloc(h, sizeof *h + nsize);
    if (h == NULL)
        return NULL;
    if (ptr)
        sb->used[h->account] -= old;
    h->account = to;
    sb->used[to] += nsize;
    return h + 1;
}

static pb__sandbox *sb_of(lua_State *L)
{
    return *(pb__sandbox **)lua_getextraspace(L);
}

static void budget_hook(lua_State *L, lua_Debug *ar)
{
    pb__sandbox *sb = sb_of(L);

    (void)ar;
    if (pb__budget_charge(&sb->budget, HOOK_STEP) == 0)
        return;
    arm(sb);
    luaL_error(L, "instruction budget exceeded (%I instructions)",
               (lua_Integer)sb->instructions);
}

static int budget_error(lua_State *L)
{
    return luaL_error(L, "instruction budget exceeded (%I instructions)",
                      (lua_Integer)sb_of(L)->instructions);
}

/* The vendored Lua's luai_charge: bytes compared, parser steps
 * (engine/vendor/lua/llimits.h).  Outside a call nothing is charged. */
void pb__lua_charge(lua_State *L, size_t n, int canraise)
{
    void *ud;
    pb__sandbox *sb;

    /* Only the sandbox's states charge: others (tests) have other
     * allocators, and their extra space is not ours. */
    if (lua_getallocf(L, &ud) != sb_alloc)
        return;
    sb = ud;
    if (!sb->charging ||
        pb__budget_charge(&sb->budget, n / COST_BYTES) == 0)
        return;
    arm(sb);
    if (canraise)
        budget_error(L);
}

/*
 * What writing the float n as text (len bytes) is charged: C's printf
 * does arithmetic on numbers as wide as the exponent for every digit
 * it writes.  Measured with glibc 2.36 (docs/hardening.md, the budget
 * model): 70 ns for "%a", 230 ns for "%.14g" of 1.23, 670 ns of 1e300,
 * 7.8 us for "%.99f" of 1e308, where a step is about 2.7 ns.
 */
void pb__lua_charge_float(lua_State *L, double n, size_t len)
{
    int e = 0;
    size_t x;

    if (n == n && n - n == 0)   /* not NaN nor an infinity */
        frexp(n, &e);
    x = (size_t)(e < 0 ? -e : e);
    pb__lua_charge(L, COST_BYTES * (64 + len + x / 4 + x * len / 160), 1);
}

static size_t arg_cost(lua_State *L, int from, int to)
{
    size_t cost = 0, len;
    int i;

    for (i = from; i <= to; i++) {
        if (lua_type(L, i) == LUA_TSTRING) {
            lua_tolstring(L, i, &len);
            cost += len / COST_BYTES;
        } else if (lua_type(L, i) == LUA_TTABLE) {
            cost += lua_rawlen(L, i);
        }
    }
    return cost;
}

/* Wraps a library function: charges the size of what it reads and what
 * it returns (a step a value, and a step per 16 bytes of a string or per
 * element of a table), since the count hook does not see work done in
 * C. */
static int costly(lua_State *L)
{
    pb__budget *b = lua_touserdata(L, lua_upvalueindex(2));
    int n = lua_gettop(L);

    if (pb__budget_charge(b, 1 + (size_t)n + arg_cost(L, 1, n)) != 0)
        return budget_error(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    n = lua_gettop(L);
    if (pb__budget_charge(b, (size_t)n + arg_cost(L, 1, n)) != 0)
        return budget_error(L);
    return n;
}

/*
 * The table library loops in C over a length or a range the caller
 * chooses (and __len can claim any length), so each function is priced
 * before it runs: `unit` steps for each element it will walk, and for
 * sort for each of the n log n comparisons.  The units are what make
 * bench's hostile figure measures (each C API call on an element costs
 * about a VM instruction or two).
 */
typedef enum { T_LEN, T_RANGE } table_cost;

static const struct {
    const char *name;
    table_cost cost;
    int from;      /* argument holding the start of a range, for T_RANGE */
    unsigned unit; /* steps per element, or per comparison for sort */
    int sorts;     /* n log n comparisons, not n elements */
} table_fns[] = {
    { "concat", T_RANGE, 3, 4, 0 }, { "insert", T_LEN, 0, 2, 0 },
    { "move", T_RANGE, 2, 2, 0 },   { "remove", T_LEN, 0, 2, 0 },
    { "sort", T_LEN, 0, 8, 1 },     { "unpack", T_RANGE, 2, 1, 0 },
};

static int costly_table(lua_State *L)
{
    pb__budget *b = lua_touserdata(L, lua_upvalueindex(2));
    size_t k = (size_t)lua_tointeger(L, lua_upvalueindex(3));
    int from = table_fns[k].from;
    lua_Integer i, j, n = 0;
    size_t m = 0, times = 1;

    luaL_checktype(L, 1, LUA_TTABLE);
    if (table_fns[k].cost != T_RANGE || lua_isnoneornil(L, from + 1)) {
        n = luaL_len(L, 1);               /* may run __len: budgeted */
        i = table_fns[k].cost == T_RANGE ? luaL_optinteger(L, from, 1) : 1;
        j = n;
    } else {
        i = luaL_optinteger(L, from, 1);
        j = luaL_checkinteger(L, from + 1);
    }
    if (j >= i)   /* capped so that the products below cannot overflow */
        m = (lua_Unsigned)j - (lua_Unsigned)i < (lua_Unsigned)SIZE_MAX >> 16
                ? (size_t)((lua_Unsigned)j - (lua_Unsigned)i) + 1
                : SIZE_MAX >> 16;
    if (table_fns[k].sorts)
        while (times < 64 && (size_t)1 << times < m)
            times++;                      /* ceil(log2 m), at least 1 */
    if (pb__budget_charge(b, 1 + m * times * table_fns[k].unit) != 0)
        return budget_error(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* string.rep: stock Lua loops n times even for an empty result, so
 * rep('', 3e9) runs for seconds; price the result before building it. */
static int safe_rep(lua_State *L)
{
    pb__budget *b = lua_touserdata(L, lua_upvalueindex(2));
    size_t l, lsep, unit;
    lua_Integer n;

    luaL_checklstring(L, 1, &l);
    n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &lsep);
    unit = l + lsep;
    if (n <= 0 || unit == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    if ((lua_Unsigned)n > SIZE_MAX / unit)
        return luaL_error(L, "resulting string too large");
    if (pb__budget_charge(b, (size_t)n * unit / COST_BYTES) != 0)
        return budget_error(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* setmetatable without __gc: finalizers run with hooks disabled, so a
 * looping one would freeze the engine beyond any budget. */
static int safe_setmetatable(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TTABLE) {
        /* Raw, as Lua itself reads it: an __index must not run here. */
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "__gc metamethods are not allowed");
        lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/*
 * xpcall as pcall, then the handler on the caught error.  Stock xpcall
 * runs the handler where the error was raised, and when the count hook
 * raised it, Lua runs that handler with hooks off: a looping handler
 * would never be stopped.  With no debug library a handler cannot inspect
 * the failed stack anyway.
 */
static int safe_xpcall(lua_State *L)
{
    int n = lua_gettop(L);

    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 1);                  /* f, then its arguments */
    lua_rotate(L, 3, 1);
    if (lua_pcall(L, n - 2, LUA_MULTRET, 0) == LUA_OK) {
        lua_pushboolean(L, 1);
        lua_replace(L, 1);                /* true, results... */
        lua_remove(L, 2);
        return lua_gettop(L);
    }
    lua_pcall(L, 1, 1, 0);                /* handler(error), or its error */
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
}

/* load: text only, and into the caller's environment by default.  The
 * chunk is always named "(load)": a name of the caller's choosing could
 * pass for another file's in an error message. */
static int safe_load(lua_State *L)
{
    pb__budget *b = lua_touserdata(L, lua_upvalueindex(2));
    size_t len;
    const char *src = luaL_checklstring(L, 1, &len);
    const char *mode = luaL_optstring(L, 3, "t");
    int has_env = !lua_isnone(L, 4);

    luaL_optstring(L, 2, NULL);
    if (strcmp(mode, "t") != 0)
        return luaL_error(L, "load: only text chunks are allowed");
    if (pb__budget_charge(b, len / COST_BYTES) != 0)
        return budget_error(L);
    if (luaL_loadbufferx(L, src, len, "=(load)", "t") != LUA_OK) {
        luaL_pushfail(L);
        lua_insert(L, -2);
        return 2;
    }
    lua_pushvalue(L, has_env ? 4 : lua_upvalueindex(1));
    if (!lua_setupvalue(L, -2, 1))
        lua_pop(L, 1);
    return 1;
}

static int readonly_error(lua_State *L)
{
    return luaL_error(L, "attempt to modify a read-only table (field '%s')",
                      lua_tostring(L, 2) ? lua_tostring(L, 2) : "?");
}

static int frozen_error(lua_State *L)
{
    return luaL_error(L, "principles cannot set globals while evaluating "
                         "(global '%s')",
                      lua_tostring(L, 2) ? lua_tostring(L, 2) : "?");
}

/* Iterates the hidden table without handing it out. */
static int proxy_next(lua_State *L)
{
    lua_settop(L, 2);
    if (lua_next(L, lua_upvalueindex(1)))
        return 2;
    lua_pushnil(L);
    return 1;
}

static int proxy_pairs(lua_State *L)
{
    lua_getmetatable(L, 1);
    lua_getfield(L, -1, "__index");
    lua_pushcclosure(L, proxy_next, 1);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* The key, in the metatables of the environments and the library
 * proxies, that tells rawset they are ours: a light userdata, which no
 * principle code can make. */
static const char ours;

static void mark_ours(lua_State *L)
{
    lua_pushlightuserdata(L, (void *)&ours);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
}

/* rawset, but not on an environment or a library proxy: those are
 * empty tables whose metatables read and guard the real ones, and a
 * field set on them raw would shadow a library function or get past
 * the freeze of the globals (docs/authoring.md). */
static int safe_rawset(lua_State *L)
{
    /* named here: Lua finds no name for a function not in a library */
    if (lua_type(L, 1) != LUA_TTABLE || lua_gettop(L) < 3)
        return luaL_error(L, "bad argument to 'rawset' (a table, a key and "
                          "a value expected, got %s)", luaL_typename(L, 1));
    lua_settop(L, 3);
    if (lua_getmetatable(L, 1)) {
        lua_pushlightuserdata(L, (void *)&ours);
        if (lua_rawget(L, -2) != LUA_TNIL)
            return luaL_error(L, "rawset: the globals and the libraries "
                              "are not a principle's to change");
        lua_pop(L, 2);
    }
    lua_rawset(L, 1);
    return 1;
}

/* Pushes a metatable making a proxy that reads table t (at index idx). */
static void push_readonly_mt(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    lua_createtable(L, 0, 5);
    mark_ours(L);
    lua_pushvalue(L, idx);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, readonly_error);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, proxy_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
}

/* Copies the named fields of the table at src into the table on top,
 * each wrapped in costly() when wrap is set. */
static void copy_names(lua_State *L, int src, const char *const *names,
                       pb__budget *b, int wrap)
{
    for (; *names; names++) {
        lua_getfield(L, src, *names);
        if (wrap && lua_type(L, -1) == LUA_TFUNCTION) {
            lua_pushlightuserdata(L, b);
            lua_pushcclosure(L, costly, 2);
        }
        lua_setfield(L, -2, *names);
    }
}

/* Builds the table of safe globals once, at start-up. */
static int init_safe(lua_State *L)
{
    pb__sandbox *sb = lua_touserdata(L, 1);
    pb__budget *b = &sb->budget;
    size_t i;
    int safe;

    luaL_requiref(L, "_G", luaopen_base, 0);      /* [G] */
    lua_newtable(L);                              /* [G safe] */
    safe = lua_gettop(L);
    /* tonumber scans its string, rawequal and next compare keys...  Not
     * error, which names its caller's line, nor pcall (no data). */
    copy_names(L, safe - 1, base_names, b, 1);
    lua_pushcfunction(L, safe_rawset);
    lua_pushlightuserdata(L, b);
    lua_pushcclosure(L, costly, 2);
    lua_setfield(L, safe, "rawset");
    lua_getfield(L, safe - 1, "error");
    lua_setfield(L, safe, "error");
    lua_getfield(L, safe - 1, "pcall");
    lua_setfield(L, safe, "pcall");
    lua_getfield(L, safe - 1, "setmetatable");
    lua_pushcclosure(L, safe_setmetatable, 1);
    lua_setfield(L, safe, "setmetatable");
    lua_pushcfunction(L, safe_xpcall);
    lua_setfield(L, safe, "xpcall");

    luaL_requiref(L, "string", luaopen_string, 0); /* [G safe string] */
    lua_newtable(L);
    copy_names(L, safe + 1, string_names, b, 1);
    lua_getfield(L, safe + 1, "rep");
    lua_pushlightuserdata(L, b);
    lua_pushcclosure(L, safe_rep, 2);
    lua_setfield(L, -2, "rep");
    pb__pattern_openlib(L, b);
    /* Strings index the safe table; getmetatable("") gives false; the
     * arithmetic metamethods ("10" + 1 reads the whole string) are
     * charged like any library function. */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        if (lua_type(L, -1) == LUA_TFUNCTION) {
            lua_pushlightuserdata(L, b);
            lua_pushcclosure(L, costly, 2);
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, -4);            /* a field already there */
        } else {
            lua_pop(L, 1);
        }
    }
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
    lua_setfield(L, safe, "string");
    lua_pop(L, 1);                                 /* [G safe] */

    luaL_requiref(L, "table", luaopen_table, 0);
    lua_newtable(L);
    copy_names(L, safe + 1, table_names, b, 1);
    for (i = 0; i < sizeof table_fns / sizeof *table_fns; i++) {
        lua_getfield(L, safe + 1, table_fns[i].name);
        lua_pushlightuserdata(L, b);
        lua_pushinteger(L, (lua_Integer)i);
        lua_pushcclosure(L, costly_table, 3);
        lua_setfield(L, -2, table_fns[i].name);
    }
    lua_setfield(L, safe, "table");
    lua_pop(L, 1);

    luaL_requiref(L, "utf8", luaopen_utf8, 0);
    lua_newtable(L);
    copy_names(L, safe + 1, utf8_names, b, 1);
    lua_setfield(L, safe, "utf8");
    lua_pop(L, 1);

    luaL_requiref(L, "math", luaopen_math, 0);
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, safe + 1)) {                /* copy all of math */
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_settable(L, -4);
    }
    lua_setfield(L, safe, "math");
    lua_pop(L, 1);

    lua_pushvalue(L, safe);
    sb->safe_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

pb__sandbox *pb__sandbox_new(size_t memory)
{
    pb__sandbox *sb = calloc(1, sizeof *sb);

    if (sb == NULL)
        return NULL;
    sb->used = calloc(1, sizeof *sb->used);
    if (sb->used == NULL) {
        free(sb);
        return NULL;
    }
    sb->naccounts = 1;
    sb->mem_limit = memory;
    sb->instructions = 1000000;
    sb->budget.limit = sb->instructions;
    sb->L = lua_newstate(sb_alloc, sb);
    if (sb->L == NULL) {
        free(sb->used);
        free(sb);
        return NULL;
    }
    *(pb__sandbox **)lua_getextraspace(sb->L) = sb;
    if (pb__sandbox_cpcall(sb, init_safe, sb) != LUA_OK) {
        pb__sandbox_free(sb);
        return NULL;
    }
    return sb;
}

void pb__sandbox_free(pb__sandbox *sb)
{
    if (sb == NULL)
        return;
    if (sb->L)
        lua_close(sb->L);
    free(sb->used);
    free(sb);
}

unsigned pb__sandbox_account(pb__sandbox *sb)
{
    size_t *v = realloc(sb->used, (sb->naccounts + 1) * sizeof *v);

    if (v == NULL)
        return 0;
    sb->used = v;
    v[sb->naccounts] = 0;
    return (unsigned)sb->naccounts++;
}

lua_State *pb__sandbox_lua(pb__sandbox *sb)
{
    return sb->L;
}

size_t pb__sandbox_calls(const pb__sandbox *sb)
{
    return sb->calls;
}

pb__budget *pb__sandbox_budget(pb__sandbox *sb)
{
    return &sb->budget;
}

void pb__sandbox_set_limits(pb__sandbox *sb, size_t instructions,
                            size_t memory)
{
    if (instructions > 0)
        sb->instructions = instructions;
    if (memory > 0)
        sb->mem_limit = memory;
}

static int env_set(lua_State *L)
{
    lua_rawset(L, lua_upvalueindex(1));
    return 0;
}

/* Every field of table from into table to, each table among them (a
 * library, `due`) behind a read-only proxy. */
static void copy_readonly(lua_State *L, int from, int to)
{
    lua_pushnil(L);
    while (lua_next(L, from)) {
        if (lua_type(L, -1) == LUA_TTABLE) {
            lua_newtable(L);
            push_readonly_mt(L, -2);
            lua_setmetatable(L, -2);
            lua_remove(L, -2);
        }
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, to);
    }
}

static int new_env(lua_State *L)
{
    pb__sandbox *sb = lua_touserdata(L, 1);
    int extra = (int)lua_tointeger(L, 2);
    int backing;

    lua_settop(L, 3);                          /* [sb extra extratable] */
    lua_newtable(L);                           /* [.. backing] */
    backing = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, sb->safe_ref);
    copy_readonly(L, lua_gettop(L), backing);
    lua_pop(L, 1);                             /* safe */
    if (extra)
        copy_readonly(L, 3, backing);
    lua_newtable(L);                           /* [.. backing env] */
    lua_createtable(L, 0, 4);
    mark_ours(L);
    lua_pushvalue(L, backing);
    lua_setfield(L, -2, "__index");
    lua_pushvalue(L, backing);
    lua_pushcclosure(L, env_set, 1);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_setfield(L, backing, "_G");
    lua_pushvalue(L, -1);
    lua_pushlightuserdata(L, &sb->budget);
    lua_pushcclosure(L, safe_load, 2);
    lua_setfield(L, backing, "load");
    return 1;
}

int pb__sandbox_newenv(pb__sandbox *sb, int extra)
{
    lua_State *L = sb->L;
    int status;

    if (!lua_checkstack(L, 8))
        return LUA_ERRMEM;
    if (extra)
        extra = lua_absindex(L, extra);
    lua_pushcfunction(L, new_env);
    lua_pushlightuserdata(L, sb);
    lua_pushinteger(L, extra);
    if (extra)
        lua_pushvalue(L, extra);
    else
        lua_pushnil(L);
    status = lua_pcall(L, 3, 1, 0);
    if (status != LUA_OK && lua_type(L, -1) != LUA_TSTRING) {
        lua_pop(L, 1);
        lua_pushliteral(L, "out of memory");
    }
    return status;
}

void pb__sandbox_freeze(lua_State *L, int idx)
{
    if (lua_getmetatable(L, idx)) {
        lua_pushcfunction(L, frozen_error);
        lua_setfield(L, -2, "__newindex");
        lua_pop(L, 1);
    }
}

/* reword(error, sandbox, status): the error of a failed call as a
 * message string. */
static int reword(lua_State *L)
{
    pb__sandbox *sb = lua_touserdata(L, 2);
    int status = (int)lua_tointeger(L, 3);

    lua_settop(L, 1);
    if (status == LUA_ERRMEM)
        lua_pushfstring(L, "memory limit exceeded (%I KiB per principle)",
                        (lua_Integer)(sb->mem_limit / 1024));
    else if (sb->budget.exhausted && lua_isnil(L, -1))
        lua_pushfstring(L, "instruction budget exceeded (%I instructions)",
                        (lua_Integer)sb->instructions);
    else if (lua_type(L, -1) != LUA_TSTRING)
        lua_pushfstring(L, "(error object is a %s value)",
                        luaL_typename(L, -1));
    return 1;
}

/* Starts charging a fresh budget and `account`; end_charge undoes it. */
static void begin_charge(pb__sandbox *sb, unsigned account,
                         unsigned *saved_account, int *saved_charging)
{
    int step = sb->instructions < HOOK_STEP ? (int)sb->instructions
                                            : HOOK_STEP;

    *saved_account = sb->account;
    *saved_charging = sb->charging;
    sb->account = account < sb->naccounts ? account : 0;
    sb->charging = 1;
    sb->over = 0;
    sb->budget.used = 0;
    sb->budget.exhausted = 0;
    sb->budget.limit = sb->instructions;
    /* The hook stays installed between calls (only principle code runs
     * VM instructions), so the count may carry up to one step over from
     * the previous call: a budget is exact to HOOK_STEP. */
    if (sb->hook_step != step) {
        lua_sethook(sb->L, budget_hook, LUA_MASKCOUNT, step);
        sb->hook_step = step;
    }
}

static void end_charge(pb__sandbox *sb, unsigned account, int charging)
{
    sb->account = account;
    sb->charging = charging;
}

int pb__sandbox_load(pb__sandbox *sb, unsigned account, const char *src,
                     size_t len, const char *name)
{
    unsigned acc;
    int charging, status;

    begin_charge(sb, account, &acc, &charging);
    if (pb__budget_charge(&sb->budget, len / COST_BYTES) != 0) {
        lua_pushfstring(sb->L, "instruction budget exceeded (%I instructions)",
                        (lua_Integer)sb->instructions);
        status = LUA_ERRRUN;
    } else {
        status = luaL_loadbufferx(sb->L, src, len, name, "t");
    }
    end_charge(sb, acc, charging);
    return status;
}

int pb__sandbox_call(pb__sandbox *sb, unsigned account, int nargs,
                     int nresults)
{
    lua_State *L = sb->L;
    int status, top = lua_gettop(L) - nargs - 1, charging;
    unsigned acc;

    sb->calls++;
    begin_charge(sb, account, &acc, &charging);
    status = lua_pcall(L, nargs, nresults, 0);
    end_charge(sb, acc, charging);
    if (status == LUA_OK && !sb->budget.exhausted && !sb->over)
        return LUA_OK;
    if (status == LUA_OK) {
        /* The code caught the budget or memory error and returned
         * anyway. */
        lua_settop(L, top);
        lua_pushnil(L);
        status = sb->over ? LUA_ERRMEM : LUA_ERRRUN;
    }
    /* Rewording allocates: do it protected (pushing a light C function
     * and plain values does not allocate), or a full heap would make Lua
     * panic here.  If it fails, what is left is Lua's preallocated "not
     * enough memory", still a string. */
    lua_pushcfunction(L, reword);
    lua_insert(L, -2);
    lua_pushlightuserdata(L, sb);
    lua_pushinteger(L, status);
    lua_pcall(L, 3, 1, 0);
    return status;
}

int pb__sandbox_cpcall(pb__sandbox *sb, lua_CFunction f, void *ud)
{
    lua_State *L = sb->L;
    int status;

    if (!lua_checkstack(L, 4))
        return LUA_ERRMEM;
    lua_pushcfunction(L, f);
    lua_pushlightuserdata(L, ud);
    status = lua_pcall(L, 1, LUA_MULTRET, 0);
    if (status != LUA_OK && lua_type(L, -1) != LUA_TSTRING) {
        lua_pop(L, 1);
        lua_pushliteral(L, "out of memory");
    }
    return status;
}
