/*
 * test_api.c -- the editor definitions (principles/types/playbook.lua,
 * principles/.luarc.json) against what the engine really gives principle
 * code: every field, method, library function and global it exposes is
 * declared, and nothing else is.  The engine's side is read from the
 * engine itself (the loader's field lists, the case and event
 * metatables, the sandbox's globals, what `text`, `due` and `due.find`
 * hold), never from a list kept here, so adding a name to the engine
 * without declaring it fails this test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lua.h"
#include "lauxlib.h"

#include "case.h"
#include "engine.h"
#include "principle.h"
#include "sandbox.h"
#include "playbook.h"

#define DEFS "principles/types/playbook.lua"
#define LUARC "principles/.luarc.json"

/* A set of "owner.name" strings. */
typedef struct names {
    char **v;
    size_t n;
} names;

static void add(names *s, const char *owner, const char *name)
{
    char buf[256];
    size_t i;

    snprintf(buf, sizeof buf, "%s%s%s", owner, *owner ? "." : "", name);
    for (i = 0; i < s->n; i++)
        if (strcmp(s->v[i], buf) == 0)
            return;
    s->v = realloc(s->v, (s->n + 1) * sizeof *s->v);
    assert_non_null(s->v);
    s->v[s->n++] = strdup(buf);
}

static int has(const names *s, const char *name)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        if (strcmp(s->v[i], name) == 0)
            return 1;
    return 0;
}

static void clear(names *s)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

/* Names of `a` under owner (prefix "owner.") missing from `b`, each
 * printed with why; returns how many. */
static int missing(const names *a, const names *b, const char *owner,
                   const char *why)
{
    size_t i, len = strlen(owner);
    int bad = 0;

    for (i = 0; i < a->n; i++) {
        const char *dot = strrchr(a->v[i], '.');
        size_t olen = dot ? (size_t)(dot - a->v[i]) : 0;

        if (olen != len || strncmp(a->v[i], owner, len) != 0)
            continue;
        if (!has(b, a->v[i])) {
            fprintf(stderr, "%s: %s\n", a->v[i], why);
            bad++;
        }
    }
    return bad;
}

/* The entries of s under owner after prev (NULL: the first), or NULL. */
static char *next_in(const names *s, const char *owner, const char *prev)
{
    size_t i = 0, len = strlen(owner);

    if (prev)
        while (i < s->n && s->v[i++] != prev)
            ;
    for (; i < s->n; i++)
        if (strncmp(s->v[i], owner, len) == 0 && s->v[i][len] == '.')
            return s->v[i];
    return NULL;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *s;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* What the definitions declare, as the language server reads them:
 * `---@field` lines under `---@class X`, `function X:m()`/`X.f()` where X
 * is a class's local or a global table, `function g()` and `g = ...` at
 * the top level.  Deprecated stubs go to *gone instead. */
static void read_defs(names *decl, names *gone)
{
    char *src = slurp(DEFS), *line, *save = NULL;
    char cls[64] = "", local[64] = "";
    int deprecated = 0;

    for (line = strtok_r(src, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char a[64], b[64];

        if (sscanf(line, "---@class %63s", a) == 1) {
            snprintf(cls, sizeof cls, "%s", a);
        } else if (sscanf(line, "---@field %63[A-Za-z0-9_]", a) == 1) {
            assert_true(cls[0] != '\0');
            add(decl, cls, a);
        } else if (strncmp(line, "---@deprecated", 14) == 0) {
            deprecated = 1;
        } else if (sscanf(line, "local %63[A-Za-z0-9_] = {}", a) == 1) {
            snprintf(local, sizeof local, "%s", a);
        } else if (sscanf(line, "function %63[A-Za-z0-9_]%*[.:]%63[A-Za-z0-9_]",
                          a, b) == 2) {
            add(deprecated ? gone : decl,
                strcmp(a, local) == 0 ? cls : a, b);
            deprecated = 0;
        } else if (sscanf(line, "function %63[A-Za-z0-9_]", a) == 1 ||
                   sscanf(line, "%63[A-Za-z0-9_] = %1s", a, b) == 2) {
            add(decl, "", a);
        }
    }
    free(src);
}

/* The keys of the table at idx, as owner.key. */
static void keys(lua_State *L, int idx, const char *owner, names *out)
{
    idx = lua_absindex(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING)
            add(out, owner, lua_tostring(L, -1));
    }
}

/* What the __index of the named metatable answers: upvalue 1 of its
 * closure (luacase.c). */
static void index_keys(lua_State *L, const char *mt, const char *owner,
                       names *out)
{
    int top = lua_gettop(L);

    assert_int_equal(luaL_getmetatable(L, mt), LUA_TTABLE);
    assert_int_equal(lua_getfield(L, -1, "__index"), LUA_TFUNCTION);
    assert_non_null(lua_getupvalue(L, -1, 1));
    assert_int_equal(lua_type(L, -1), LUA_TTABLE);
    keys(L, -1, owner, out);
    lua_settop(L, top);
}

/* The probe runs inside the loader, so it sees what a principle file
 * sees; it reports through `why`, words separated by spaces. */
static const char probe_src[] =
    "local function keys(owner, t)\n"
    "  local k = {}\n"
    "  for n in pairs(t) do k[#k + 1] = owner .. n end\n"
    "  return table.concat(k, ' ')\n"
    "end\n"
    "local d = due.find('I will call you back by friday noon')\n"
    "return principle {\n"
    "  id = 'probe',\n"
    "  why = table.concat({ keys('text.', text), keys('due.', due),\n"
    "    keys('pb.Due.', d), type(principle) == 'function' and 'principle',\n"
    "    type(use) == 'function' and 'use', 'due', 'text' }, ' '),\n"
    "  items = { { id = 'x', done = function(case)\n"
    "    return case:has('agent.said') end } },\n"
    "}\n";

/* Everything the engine gives principle code. */
static void exposed(names *out)
{
    static const char *const libs[] = { "string", "table", "utf8", "math" };
    static const struct {
        const char *owner;
        const char *const *fields;
    } decls[] = {
        { "pb.Principle", pb__principle_fields },
        { "pb.Item", pb__item_fields },
        { "pb.Detector", pb__detector_fields },
    };
    pb_engine *e = pb_engine_new();
    pb_principle_info pi;
    pb_case *c;
    pb_error err;
    lua_State *L;
    char *why, *w, *save = NULL;
    const char *const *f;
    size_t i;

    for (i = 0; i < sizeof decls / sizeof *decls; i++)
        for (f = decls[i].fields; *f; f++)
            add(out, decls[i].owner, *f);

    assert_non_null(e);
    assert_int_equal(pb_engine_load_buffer(e, "probe.lua", probe_src,
                                           strlen(probe_src), &err), PB_OK);
    pb_engine_principle(e, 0, &pi);
    why = strdup(pi.why);
    assert_non_null(why);
    for (w = strtok_r(why, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        char *dot = strrchr(w, '.');

        if (dot) {
            *dot = '\0';
            add(out, w, dot + 1);
        } else {
            add(out, "", w);
        }
    }
    free(why);

    /* The case and event objects, once a case has called into Lua. */
    c = pb_case_new(e, NULL, NULL, &err);
    assert_non_null(c);
    assert_int_equal(pb_case_append(c, 1, "agent.said", "hello", NULL, 0,
                                    &err), PB_OK);
    L = pb__sandbox_lua(e->sb);
    index_keys(L, "playbook.case", "pb.Case", out);
    index_keys(L, "playbook.event", "pb.Event", out);
    pb_case_free(c);

    /* The sandbox's globals: a fresh environment reads them through its
     * metatable's __index; the libraries are read-only proxies over
     * their own tables. */
    assert_int_equal(pb__sandbox_newenv(e->sb, 0), LUA_OK);
    assert_true(lua_getmetatable(L, -1));
    assert_int_equal(lua_getfield(L, -1, "__index"), LUA_TTABLE);
    keys(L, -1, "", out);
    for (i = 0; i < sizeof libs / sizeof *libs; i++) {
        int top = lua_gettop(L);

        assert_int_equal(lua_getfield(L, -1, libs[i]), LUA_TTABLE);
        if (lua_getmetatable(L, -1) &&
            lua_getfield(L, -1, "__index") == LUA_TTABLE)
            keys(L, -1, libs[i], out);
        else
            keys(L, top + 1, libs[i], out);
        lua_settop(L, top);
    }
    lua_pop(L, 3);
    pb_engine_free(e);
}

/* Lua 5.4's own libraries (the reference manual, section 6), which the
 * language server declares itself. */
static const struct {
    const char *lib, *fns;
} stdlib[] = {
    { "string", "byte char dump find format gmatch gsub len lower match "
                "pack packsize rep reverse sub unpack upper" },
    { "table", "concat insert move pack remove sort unpack" },
    { "utf8", "char charpattern codepoint codes len offset" },
    { "math", "abs acos asin atan ceil cos deg exp floor fmod huge log max "
              "maxinteger min mininteger modf pi rad random randomseed sin "
              "sqrt tan tointeger type ult" },
};

static void test_definitions_match_the_engine(void **state)
{
    static const char *const owners[] = {
        "pb.Principle", "pb.Item", "pb.Detector", "pb.Case", "pb.Event",
        "pb.Due", "due", "text",
    };
    names decl = { 0 }, gone = { 0 }, have = { 0 }, std = { 0 };
    size_t i;
    int bad = 0;

    (void)state;
    read_defs(&decl, &gone);
    exposed(&have);
    for (i = 0; i < sizeof owners / sizeof *owners; i++) {
        bad += missing(&have, &decl, owners[i], "exposed by the engine, "
                       "not declared in " DEFS);
        bad += missing(&decl, &have, owners[i], "declared in " DEFS
                       ", not exposed by the engine");
    }

    /* Globals: the base library is declared here (the language server's
     * is switched off); the four libraries are the server's. */
    for (i = 0; i < sizeof stdlib / sizeof *stdlib; i++) {
        char list[512], *w, *save = NULL;

        assert_true(has(&have, stdlib[i].lib));
        add(&decl, "", stdlib[i].lib);
        snprintf(list, sizeof list, "%s", stdlib[i].fns);
        for (w = strtok_r(list, " ", &save); w;
             w = strtok_r(NULL, " ", &save))
            add(&std, stdlib[i].lib, w);
        for (w = NULL; (w = next_in(&have, stdlib[i].lib, w)) != NULL;)
            if (!has(&std, w) && !has(&decl, w)) {
                fprintf(stderr, "%s: exposed, not Lua 5.4's, and not "
                        "declared in " DEFS "\n", w);
                bad++;
            }
        for (w = NULL; (w = next_in(&decl, stdlib[i].lib, w)) != NULL;)
            if (has(&std, w) || !has(&have, w)) {
                fprintf(stderr, "%s: declared in " DEFS ", but %s\n", w,
                        has(&std, w) ? "the language server has it"
                        : "the sandbox does not");
                bad++;
            }
    }
    bad += missing(&have, &decl, "", "a global the engine exposes, not "
                   "declared in " DEFS);
    bad += missing(&decl, &have, "", "declared in " DEFS ", not a global "
                   "the engine exposes");
    /* What the sandbox removes from Lua's libraries is marked
     * deprecated, and only that. */
    for (i = 0; i < gone.n; i++)
        if (has(&have, gone.v[i]) || !has(&std, gone.v[i])) {
            fprintf(stderr, "%s: marked deprecated in " DEFS ", but %s\n",
                    gone.v[i], has(&have, gone.v[i]) ? "the sandbox has it"
                    : "it is not Lua's");
            bad++;
        }
    for (i = 0; i < std.n; i++)
        if (!has(&have, std.v[i]) && !has(&gone, std.v[i])) {
            fprintf(stderr, "%s: not in the sandbox, not marked "
                    "deprecated in " DEFS "\n", std.v[i]);
            bad++;
        }
    clear(&decl);
    clear(&gone);
    clear(&have);
    clear(&std);
    assert_int_equal(bad, 0);
}

/* .luarc.json switches off exactly the libraries the sandbox lacks (and
 * the base library, declared by the definitions), and points to them. */
static void test_luarc_switches_off_what_is_missing(void **state)
{
    static const char *const off[] = {
        "basic", "coroutine", "debug", "io", "os", "package"
    };
    static const char *const on[] = { "string", "table", "utf8", "math" };
    char *rc = slurp(LUARC), *p, key[64];
    size_t i;

    (void)state;
    for (p = rc; *p; p++) /* drop blanks: one spelling to look for */
        while (*p == ' ' || *p == '\n')
            memmove(p, p + 1, strlen(p));
    assert_non_null(strstr(rc, "\"version\":\"Lua5.4\""));
    assert_non_null(strstr(rc, "\"library\":[\"types\"]"));
    for (i = 0; i < sizeof off / sizeof *off; i++) {
        snprintf(key, sizeof key, "\"%s\":\"disable\"", off[i]);
        if (strstr(rc, key) == NULL)
            fail_msg("%s does not switch off %s", LUARC, off[i]);
    }
    for (i = 0; i < sizeof on / sizeof *on; i++) {
        snprintf(key, sizeof key, "\"%s\":", on[i]);
        if (strstr(rc, key) != NULL)
            fail_msg("%s names %s, which the sandbox has", LUARC, on[i]);
    }
    free(rc);
}

/* The definitions are Lua the engine's own compiler accepts. */
static void test_definitions_compile(void **state)
{
    char *src = slurp(DEFS);
    lua_State *L = luaL_newstate();

    (void)state;
    assert_non_null(L);
    if (luaL_loadbuffer(L, src, strlen(src), "@" DEFS) != LUA_OK)
        fail_msg("%s", lua_tostring(L, -1));
    lua_close(L);
    free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_definitions_match_the_engine),
        cmocka_unit_test(test_luarc_switches_off_what_is_missing),
        cmocka_unit_test(test_definitions_compile),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
