/*
 * use.c -- `use "name"`: data and helpers several principle files share,
 * written once in lib/name.lua of their folder (docs/authoring.md,
 * "Sharing data between files").
 *
 * A file cannot see another's globals, and no principle may depend on
 * which was loaded first.  So `use` runs the lib file anew for each file
 * that asks, in an environment of its own, charged to the asking file's
 * budget and memory account, and only while that file loads: nothing is
 * shared at run time, and predicates stay pure (they read no files).
 */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "file.h"
#include "use.h"
#include "utf8.h"

typedef struct use_state {
    int loading;
} use_state;

/* letters, digits and _, not starting with a digit: no way out of lib/ */
static int name_ok(const char *s)
{
    size_t n = strlen(s), i;

    if (n == 0 || n > 64 || (s[0] >= '0' && s[0] <= '9'))
        return 0;
    for (i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

/* 0 when src is UTF-8 text without NUL, else the first bad line. */
static int bad_line(const char *src, size_t len)
{
    size_t i = 0, k;
    unsigned long cp;
    int line = 1;

    for (; i < len; i += k) {
        k = pb__utf8_next(src + i, len - i, &cp);
        if (cp == PB__UTF8_BAD || cp == 0)
            return line;
        line += cp == '\n';
    }
    return 0;
}

static int use_fn(lua_State *L)
{
    pb__sandbox *sb = lua_touserdata(L, lua_upvalueindex(1));
    const use_state *us = lua_touserdata(L, lua_upvalueindex(2));
    const char *dir = lua_tostring(L, lua_upvalueindex(3));
    const char *shown = lua_tostring(L, lua_upvalueindex(5));
    const char *name = luaL_checkstring(L, 1), *path, *chunk;
    char *src, buf[1200];
    size_t len;
    pb_error err;
    int bad, status = LUA_OK, env;

    if (!us->loading)
        return luaL_error(L, "use: only while the file loads, at its top "
                          "level");
    if (!name_ok(name))
        return luaL_error(L, "use: '%s' is not a name (letters, digits and "
                          "_, not starting with a digit)", name);
    path = lua_pushfstring(L, "%slib/%s.lua", dir, name);
    /* Everything Lua allocates comes before the file is read: a memory
     * error raised while src is held would leak it. */
    chunk = lua_pushfstring(L, "@%slib/%s.lua", shown, name);
    if (pb__read_file(path, PB__PRINCIPLE_MAX_BYTES, &src, &len, &err) != PB_OK)
        return luaL_error(L, "use '%s': %s", name,
                          pb_error_text(&err, buf, sizeof buf));
    bad = bad_line(src, len);
    /* The parser's work is the caller's, as load's is. */
    if (bad == 0 && pb__budget_charge(pb__sandbox_budget(sb), len / 16) != 0) {
        free(src);
        pb__lua_charge(L, 16, 1);          /* the budget is spent: raises */
    }
    if (bad == 0)
        status = luaL_loadbufferx(L, src, len, chunk, "t");
    free(src);
    if (bad != 0)
        return luaL_error(L, "use '%s': %s:%d: not UTF-8 text, or a NUL "
                          "byte", name, chunk + 1, bad);
    if (status != LUA_OK)
        return luaL_error(L, "use '%s': %s", name, lua_tostring(L, -1));
    lua_pushvalue(L, lua_upvalueindex(4));   /* what lib files get */
    if (pb__sandbox_newenv(sb, lua_gettop(L)) != LUA_OK)
        return lua_error(L);
    lua_remove(L, -2);
    env = lua_gettop(L);
    lua_pushvalue(L, env);
    lua_setupvalue(L, env - 1, 1);
    lua_pushvalue(L, env - 1);
    lua_call(L, 0, 1);
    pb__sandbox_freeze(L, env);
    return 1;
}

/* path's folder, with its '/', or "" */
static void push_folder(lua_State *L, const char *path)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL)
        lua_pushliteral(L, "");
    else
        lua_pushlstring(L, path, (size_t)(slash - path) + 1);
}

int *pb__use_openlib(lua_State *L, pb__sandbox *sb, const char *path,
                     const char *shown, int libs)
{
    use_state *us;

    libs = lua_absindex(L, libs);
    lua_pushlightuserdata(L, sb);
    us = lua_newuserdatauv(L, sizeof *us, 0);
    us->loading = 1;
    push_folder(L, path);
    lua_pushvalue(L, libs);
    push_folder(L, shown);
    lua_pushcclosure(L, use_fn, 5);
    return &us->loading;
}
