/*
 * test_pattern.c -- the bounded matcher against stock Lua 5.4.
 *
 * The same Lua harness runs in two states: one with the stock string
 * library and one whose find, match, gmatch and gsub come from
 * pb__pattern_openlib.  Every case goes through a battery of calls in
 * both and the printed results (or error messages) must be identical.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "pattern.h"

static const char E_BUDGET[] = "pattern too complex: step budget exceeded";

/*
 * Loaded before the string functions are swapped, so the helpers below
 * keep stock gsub for themselves while the battery looks up string.find
 * and friends afresh on every call.
 */
static const char HARNESS[] =
    "local sgsub, fmt = string.gsub, string.format\n"
    "local pack, unpack, concat = table.pack, table.unpack, table.concat\n"
    "local function ser(...)\n"
    "  local t = {}\n"
    "  for i = 1, select('#', ...) do\n"
    "    local v = select(i, ...)\n"
    "    if type(v) == 'string' then t[i] = fmt('%q', v)\n"
    "    else t[i] = type(v) .. ':' .. tostring(v) end\n"
    "  end\n"
    "  return '(' .. concat(t, ',') .. ')'\n"
    "end\n"
    "local function strip(m)\n"
    "  return (sgsub(tostring(m), '^[^:\\n]*:%d+: ', ''))\n"
    "end\n"
    "function run(f, ...)\n"
    "  local r = pack(pcall(f, ...))\n"
    "  if r[1] then return ser(unpack(r, 2, r.n)) end\n"
    "  return '!' .. strip(r[2])\n"
    "end\n"
    "function runcode(src) return run(assert(load(src))) end\n"
    "local function gm(s, p, init)\n"
    "  local it, t = string.gmatch(s, p, init), {}\n"
    "  for _ = 1, 100 do\n"
    "    local r = pack(it())\n"
    "    if r.n == 0 or r[1] == nil then break end\n"
    "    t[#t + 1] = ser(unpack(r, 1, r.n))\n"
    "  end\n"
    "  t[#t + 1] = ser(it())\n" /* an ended iterator stays ended */
    "  return concat(t, ';')\n"
    "end\n"
    "local function rf(...)\n"
    "  local a, b = ...\n"
    "  if a == 'b' then return nil end\n"
    "  if b == '' then return false end\n"
    "  return '<' .. ser(...) .. '>'\n"
    "end\n"
    "local rt = setmetatable({}, {__index = function(_, k)\n"
    "  if k == 'a' or k == 1 then return nil end\n"
    "  return '{' .. tostring(k) .. '}'\n"
    "end})\n"
    "function battery(s, p, init, repl)\n"
    "  local r = '[%0]'\n"
    "  if repl then r = assert(load('return ' .. repl))() end\n"
    "  return concat({\n"
    "    'find' .. run(string.find, s, p, init),\n"
    "    'plain' .. run(string.find, s, p, init, true),\n"
    "    'match' .. run(string.match, s, p, init),\n"
    "    'gmatch' .. run(gm, s, p, init),\n"
    "    'gsub' .. run(string.gsub, s, p, r),\n"
    "    'gsubn' .. run(string.gsub, s, p, r, init),\n"
    "    'gsubf' .. run(string.gsub, s, p, rf),\n"
    "    'gsubt' .. run(string.gsub, s, p, rt),\n"
    "  }, '\\n')\n"
    "end\n";

typedef struct states {
    lua_State *stock, *ours;
    pb__budget budget; /* the one ours charges */
} states;

/* A fresh state; ours != 0 swaps in the bounded string functions. */
static lua_State *new_state(int ours, pb__budget *b)
{
    lua_State *L = luaL_newstate();

    assert_non_null(L);
    luaL_openlibs(L);
    if (luaL_dostring(L, HARNESS) != LUA_OK)
        fail_msg("harness: %s", lua_tostring(L, -1));
    if (ours) {
        lua_getglobal(L, "string");
        pb__pattern_openlib(L, b);
        lua_pop(L, 1);
    }
    return L;
}

static int setup(void **state)
{
    static states st;

    st.budget.used = 0;
    st.budget.limit = SIZE_MAX;
    st.budget.exhausted = 0;
    st.stock = new_state(0, NULL);
    st.ours = new_state(1, &st.budget);
    *state = &st;
    return 0;
}

static int teardown(void **state)
{
    states *st = *state;

    lua_close(st->stock);
    lua_close(st->ours);
    return 0;
}

/* Calls global fn with the strings/integer given; leaves its result. */
static const char *call(lua_State *L, const char *fn, const char *s,
                        size_t ls, const char *p, size_t lp, int init,
                        const char *repl)
{
    lua_settop(L, 0);
    lua_getglobal(L, fn);
    lua_pushlstring(L, s, ls);
    if (p == NULL) {
        lua_call(L, 1, 1);
    } else {
        lua_pushlstring(L, p, lp);
        lua_pushinteger(L, init);
        if (repl != NULL)
            lua_pushstring(L, repl);
        else
            lua_pushnil(L);
        lua_call(L, 4, 1);
    }
    assert_int_equal(lua_type(L, -1), LUA_TSTRING);
    return lua_tostring(L, -1);
}

static void show(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 32 && c < 127)
            print_message("%c", c);
        else
            print_message("\\%u", c);
    }
}

/*
 * Runs the battery for one case in both states.  Returns 1 when they
 * agree, 0 when they differ (printing both), -1 when stock Lua says
 * "pattern too complex" and skip_complex is set.
 */
static int compare(states *st, const char *s, size_t ls, const char *p,
                   size_t lp, int init, const char *repl, int skip_complex)
{
    const char *want = call(st->stock, "battery", s, ls, p, lp, init, repl);
    const char *got;

    if (skip_complex && strstr(want, "pattern too complex") != NULL)
        return -1;
    st->budget.used = 0;
    got = call(st->ours, "battery", s, ls, p, lp, init, repl);
    if (strcmp(want, got) == 0)
        return 1;
    print_message("MISMATCH subject \"");
    show(s, ls);
    print_message("\" pattern \"");
    show(p, lp);
    print_message("\" init %d repl %s\n--- stock\n%s\n--- ours\n%s\n",
                  init, repl ? repl : "(default)", want, got);
    return 0;
}

/* Same Lua code, both states, same printed result. */
static int compare_code(states *st, const char *code)
{
    const char *want = call(st->stock, "runcode", code, strlen(code), NULL,
                            0, 0, NULL);
    const char *got;

    st->budget.used = 0;
    got = call(st->ours, "runcode", code, strlen(code), NULL, 0, 0, NULL);
    if (strcmp(want, got) == 0)
        return 1;
    print_message("MISMATCH code %s\n--- stock\n%s\n--- ours\n%s\n", code,
                  want, got);
    return 0;
}

/* ---- the differential table ---------------------------------------- */

typedef struct dcase {
    const char *s;
    size_t ls;
    const char *p;
    size_t lp;
    int init;
    const char *repl; /* Lua expression for gsub's 3rd argument */
} dcase;

/* Literals only: sizeof keeps embedded zeros. */
#define C(s, p, init, repl) {s, sizeof(s) - 1, p, sizeof(p) - 1, init, repl}
#define D(s, p) C(s, p, 1, NULL)

static const dcase cases[] = {
    /* literals, init and plain find */
    D("hello world", "o w"), D("hello", "l"), C("hello", "l", 4, NULL),
    C("hello", "l", -1, NULL), C("hello", "l", -2, NULL),
    C("hello", "l", -3, NULL), D("hello", "xyz"), D("hello", ""),
    C("hello", "", 10, NULL), C("hello", "", 6, NULL),
    C("hello", "", 7, NULL), D("", ""), C("hello", "h", 0, NULL),
    C("hello", "h", -100, NULL), C("hello", "o", 100, NULL),
    C("hello", "", -10, NULL), D("a)b", "a)"), D("a)b", "a)."),
    D("a]b", "]b"), D("x\0y", "\0y"), D("a\0b.c", "\0b."),
    D("a.b", "a.b"), D("a.b", "a%.b"), D("axb", "a%.b"),
    /* anchors */
    D("hello", "^h"), D("hello", "^e"), C("hello", "^e", 2, NULL),
    C("hello", "^l", 3, NULL), C("hello", "^l", 4, NULL), D("hello", "o$"),
    D("hello", "l$"), D("a$b", "$b"), D("a$b", "a$"), D("a$b", "a$b"),
    D("a^b", "a^b"), D("^ab", "^^a"), D("^a^a", "^a"), D("aaa", "^a"),
    D("hello", "^"), D("hello", "$"), D("hello", "^$"), D("", "^$"),
    D("", "$"), D("x$", "%$$"), D("aaa", "^a-$"), D("abc", "^.*$"),
    /* classes and their complements */
    D("abc123 DEF!", "%a+"), D("abc123 DEF!", "%d+"),
    D("abc123 DEF!", "%l+"), D("abc123 DEF!", "%u+"),
    D("abc123 DEF!", "%s"), D("abc123 DEF!", "%p"),
    D("abc123 DEF!", "%w+"), D("zzBEEF12g", "%x+"), D("a\tb\n", "%c"),
    D(" \tab!c ", "%g+"), D("abc123 DEF!", "%A+"),
    D("abc123 DEF!", "%D+"), D("  abc  ", "%S+"), D("abc123 DEF!", "%W"),
    D("abc123 DEF!", "%L+"), D("abc123 DEF!", "%U+"),
    D("abc!?,x", "%P+"), D("BEEFzz", "%X+"), D("a\tb", "%C+"),
    D(" \tab", "%G+"), D("hello z", "%z"), D("a\0b", "%z"),
    D("a\0b", "%Z+"), D("a\0b", "[%z]"),
    D("a\0b", "%c"), D("\x80\xff", "%a"), D("\x80\xff", "%A+"),
    /* escapes */
    D("a+b", "a%+b"), D("50%", "%d%%"), D("a-b", "a%-b"),
    D("(x)", "%(x%)"), D("[x]", "%[x%]"), D("a*", "a%*"), D("a?", "%a%?"),
    D("x^y", "x%^y"), D("hi", "%"), D("hi", "h%"), D("hi", "x%"),
    /* sets */
    D("hello", "[aeiou]+"), D("hello", "[^aeiou]+"), D("a]b", "[]]"),
    D("a]b", "[^]]+"), D("a]b", "[%]]"), D("a-b", "[a-]+"),
    D("a-b", "[-a]+"), D("Ab9_!", "[%w_]+"), D("xyz", "[x-z]+"),
    D("XYZ", "[x-z]+"), D("a^b", "[%^]"), D("a^b", "[b^]+"),
    D("abc", "[a"), D("abc", "[a%"), D("abc", "[^"), D("abc", "["),
    D("abc", "[]"), D("abc", "[^]"), D("]", "[]]"), D("a%b", "[%%]"),
    D("a.b", "[.]"), D("ab-", "[%a-]+"), D("a-z", "[%a-z]+"),
    D("x", "[a-]"), D("-", "[a-]"), D("5f", "[0-9a-f]+"),
    D("\x80\xff", "[\x80-\xff]+"), D("a\0b", "[\0]"),
    D("a\0b\0", "[^\0]+"), D("zyx", "[^%a]"), D("a1 b2", "[%d%s]+"),
    D("c", "[c-a]"), D("[", "[[]"), D("x]", "x]"), D("abc", "[^]abc]"),
    /* quantifiers */
    D("aaab", "a*"), D("aaab", "a+"), D("aaab", "a-b"), D("aaab", "a?b"),
    D("b", "a?b"), D("b", "a+b"), D("", "a-"), D("xaaay", "xa-y"),
    D("xaaay", "x.-y"), D("x1y2y", "x.*y"), D("x1y2y", "x.-y"),
    D("aaa", "a-$"), D("abc", "*a"), D("abc", "a**"), D("ab", "a?+"),
    D("+", "+"), D("-", "-"), D("a", "?"), D("aaa", "a-a-a-a"),
    D("  trim  ", "^%s*(.-)%s*$"), D("key = value", "(%w+)%s*=%s*(%w+)"),
    D("abc", "[ab]*c"), D("abc", "[ab]-c"), D("aXb", "a[%u]?b"),
    D("ab", "a[%u]?b"), D("aaa", "a?a?a?a?"), D("a.b.c", "%.?%a"),
    /* captures */
    D("hello world", "(h)(e)(l)"), D("hello", "()ll()"), D("hello", "(l+)"),
    D("hello", "((l)(l))"), D("hello", "(h(e(l)))"), D("abc", "()"),
    D("", "()"), D("abc", "(a"), D("abc", ")"), D("abc", "(()"),
    D("abc", "(a)(b"), D("abc", "a(.-)c"), D("abc", "(.)%1"),
    D("abba", "(.)(.)%2%1"), D("aa", "(a)%1"), D("ab", "(a)%2"),
    D("ab", "%1"), D("ab", "%0"), D("aa", "(a%1)"), D("xx", "()%1"),
    D("a=1, b=2", "(%w+)=(%w+)"), D("hello", "(h)()(e)"),
    D("abcabc", "(abc)%1"), D("abcabd", "(ab.)%1"), D("x", "(x)%9"),
    /* %b and %f */
    D("f(a(b)c)d", "%b()"), D("((x)", "%b()"), D("[]", "%b[]"),
    D("'a'b'", "%b''"), D("x", "%b"), D("x", "%bx"), D("a(b", "%b()"),
    D("if (a) {b}", "%b{}"), D("(", "%b()"), D("(a)(b)", "%b()+"),
    D("x(a)", "x%b()$"), D("THE (quick) fox", "%f[%a]%a+"),
    D("hello world", "%f[%w]%w+"), D("hello", "%f[%l]"),
    D("hello", "%f[^%l]"), D("hello", "%fx"), D("hello", "%f"),
    D("hello", "%f[a"), D("hello world", "%f[%s]"),
    C("abc", "%f[%a]", 2, NULL), C("a b", "%f[%a]", 2, NULL),
    D("THE (quick) fox", "%f[%a]%a+%f[^%a]"), D("x\0y", "%f[%z]"),
    D("a,b", "%f[,]"), D("aa", "%f[a]a"),
    /* empty matches and iteration */
    D("abc", ".-"), D("abc", "%w*"), D("a,b,,c", "[^,]*"),
    D("hello world from Lua", "%a+"), D("k=v, x=y", "(%w+)=(%w+)"),
    D("abc", "b*"), D("abc", "x*"), C("abc", "", 2, NULL),
    C("hello", "()", 6, NULL), C("hello", "()", 7, NULL),
    C("hello", "l+", 4, NULL), C("hello", "%f[%l]", 3, NULL),
    C("one two", "%a+", -3, NULL), C("aaa", "a", 2, NULL),
    /* replacement strings and values */
    C("hello world", "o", 1, "'0'"), C("hello", "l", 1, "'%%'"),
    C("hello", "l", 1, "'%'"), C("hello", "l", 1, "'%x'"),
    C("hello", "(l)", 1, "'%2'"), C("hello", "l", 1, "'%1'"),
    C("hello", "l", 1, "'%2'"), C("hello", "()l", 1, "'%1'"),
    C("hello", "(h)(e)", 1, "'%2%1'"), C("hello", "", 1, "'-'"),
    C("hello", "x*", 1, "'-'"), C("abc", "%w", 1, "'%0%0'"),
    C("abc", "b", 1, "{b={}}"), C("abc", "b", 1, "{b=true}"),
    C("abc", "b", 1, "{b=42}"), C("abc", "b", 1, "{b=false}"),
    C("abc", ".", 1, "function(c) return c:upper() end"),
    C("abc", "b", 1, "42"), C("abc", "b", 1, "1.5"),
    C("abc", "b", 1, "true"), C("abc", "^a", 1, "'x'"),
    C("aaa", "^a", 1, "'x'"), C("abc", "^", 1, "'x'"),
    C("abc", "$", 1, "'x'"), C("abc", "b*", 1, "'-'"),
    C("a b", "%s", 1, "'%%%0%%'"), C("abc", "(a)(b)(c)", 1, "'%3%2%1%0'"),
    C("abc", "b", 1, "function() return {} end"),
    C("abc", "(b)", 1, "function(x) return x .. x end"),
    C("abc", "(b)", 1, "function() error('boom') end"),
    C("abc", "(", 1, "'%1'"), C("abc", "(", 1, "'x'"),
    C("abc", "b", 2, "'%'"), C("aaa", "a", 0, "'b'"),
    C("aaa", "a", -1, "'b'"), C("aaa", "a", 2, "'b'"),
    C("a\0b", "%z", 1, "'Z'"), C("abc", "", 2, "'%0'"),
};

static void test_differential_table(void **state)
{
    states *st = *state;
    size_t i, n = sizeof cases / sizeof cases[0];
    int bad = 0;

    assert_true(n >= 150);
    for (i = 0; i < n; i++) {
        const dcase *c = &cases[i];
        if (compare(st, c->s, c->ls, c->p, c->lp, c->init, c->repl, 0) != 1)
            bad++;
    }
    print_message("%zu differential cases\n", n);
    assert_int_equal(bad, 0);
}

/* Cases easier to write as Lua code: big strings, odd arguments. */
static const char *const code_cases[] = {
    "return ('a'):rep(300):find(('a?'):rep(300))",
    "return ('a'):rep(300):find(('a?'):rep(199))",
    "return ('a'):rep(300):find(('a?'):rep(200))",
    "return ('a'):rep(10):find(('a*'):rep(198))",
    "return ('a'):rep(10):find(('a*'):rep(199))",
    "return ('a'):rep(10):find(('a*'):rep(250))",
    "return ('a'):rep(300):find(('a-'):rep(199))",
    "return ('a'):rep(300):find(('a-'):rep(200))",
    "return ('a'):rep(300):find(('a-'):rep(300))",
    "return ('a'):rep(300):find(('(a)'):rep(20) .. ('a-'):rep(170))",
    "return ('a'):rep(300):find(('(a)'):rep(20) .. ('a-'):rep(190))",
    "return ('a'):rep(300):match(('(a)'):rep(32))",
    "return ('a'):rep(300):match(('(a)'):rep(33))",
    "return ('a'):rep(300):match(('()'):rep(32))",
    "return ('a'):rep(300):match(('()'):rep(33))",
    "return ('x'):rep(40):find(('('):rep(33) .. 'x' .. (')'):rep(33))",
    "return ('x'):rep(40):find(('('):rep(20) .. 'x' .. (')'):rep(20))",
    "return ('ab'):rep(50):gsub('(a)(b)', '%2%1')",
    "return ('x'):rep(1000):find('.-y')",
    "return ('(x)'):rep(100):gsub('%b()', 'y')",
    "return string.find(12345, 3)",
    "return string.gsub(12345, 3, 9)",
    "return string.find('abc', 'b', '2')",
    "return string.find('abc', 'b', 1.5)",
    "return string.find('abc', 'b', 2.0)",
    "return string.find('abc', 'b', math.mininteger)",
    "return string.find('abc', 'b', math.maxinteger)",
    "return string.find('abc', 'b', nil, true)",
    "return string.find('a.c', '.', 1, 1)",
    "return string.find('abc')",
    "return string.find('abc', {})",
    "return string.match('abc', 'b', {})",
    "return ('abc'):gsub('a')",
    "return ('aaa'):gsub('a', 'b', 2.5)",
    "return ('aaa'):gsub('a', 'b', 2.0)",
    "return ('aaa'):gsub('a', 'b', math.mininteger)",
    "return ('abc'):gsub('%w', '%0', math.maxinteger)",
    "local t = {} for a, b in ('k=v, x=y'):gmatch('(%w+)=(%w+)') do "
    "t[#t+1] = a .. b end return table.concat(t, ',')",
    "local t = {} for w in ('one two three'):gmatch('%a+', 5) do "
    "t[#t+1] = w end return table.concat(t, ',')",
    "local t = {} for w in ('one two'):gmatch('%a+', -3) do "
    "t[#t+1] = w end return table.concat(t, ',')",
    "local it = ('ab'):gmatch('.') return it(), it(), it(), it()",
    "local it = ('ab'):gmatch('', 10) return it(), it()",
    "return pcall(string.gmatch('abc', '[a'))",
    "return ('abc'):gsub('%w', function(c) "
    "return (c:gsub('.', '%0%0')) end)",
    "return ('hello world'):gsub('o', {o = 0})",
    "return ('abc'):gsub('', '-')",
    "return ('abc'):gsub('.-', '-')",
    "return ('abc'):gsub('b?', '-')",
    "return ('x'):rep(5000):gsub('x', '%%')",
    "return #(('xy'):rep(5000):gsub('(x)(y)', '%2%1%0'))",
    "return ('caf\\195\\169 na\\195\\175ve'):gsub('[\\128-\\255]+', '?')",
    "return string.find(('a'):rep(100) .. 'b', 'a-b')",
    "return ('x = 1'):find('(%w+) = (%w+)')",
    "return ('x'):find('%f[]')",
    "return ('ab'):find('[a-]b')",
    "return ('a\\0b'):gsub('\\0', '%%0')",
    "return ('a\\0b'):find('a\\0', 1, true)",
    "return ('a\\0b'):match('()\\0()')",
};

static void test_differential_code(void **state)
{
    states *st = *state;
    size_t i, n = sizeof code_cases / sizeof code_cases[0];
    int bad = 0;

    for (i = 0; i < n; i++)
        bad += !compare_code(st, code_cases[i]);
    assert_int_equal(bad, 0);
}

/* ---- randomised differential -------------------------------------- */

static uint32_t rng = 12345u;

static uint32_t next_rand(void)
{
    rng = rng * 1103515245u + 12345u; /* fixed seed, same every run */
    return rng >> 16;
}

static const char *const tokens[] = {
    "a", "b", "A", ".", "%a", "%d", "%s", "%w", "%A", "%S", "%l", "%u",
    "%p", "%.", "%%", "[ab]", "[^a]", "[a-c]", "[%a]", "[]a]", "[^]b]",
    "%f[a]", "%f[%s]", "%f[^a]", "%bab", "%b()", "(", ")", "()", "%1",
    "%2", "*", "+", "-", "?", "^", "$", "%", "[", "]", "1", " ", "a*",
    "b-", ".+", "a?", "%w+", "(a)", "(.-)", "%b", "%f",
};

/*
 * pb__pattern_find on exact-size heap copies (so ASan sees any read past
 * either end) against stock string.find.  Returns 0 on a mismatch.
 */
static int compare_c_api(lua_State *L, const char *s, size_t ls,
                         const char *p, size_t lp, size_t init)
{
    pb__budget b = {0, SIZE_MAX, 0};
    char *hs = malloc(ls ? ls : 1), *hp = malloc(lp ? lp : 1);
    const char *err = NULL;
    pb__match m;
    int r, i, n, ok = 1;

    assert_non_null(hs);
    assert_non_null(hp);
    memcpy(hs, s, ls);
    memcpy(hp, p, lp);
    r = pb__pattern_find(hs, ls, hp, lp, init, 0, &b, &m, &err);
    lua_settop(L, 0);
    lua_getglobal(L, "string");
    lua_getfield(L, 1, "find");
    lua_pushlstring(L, s, ls);
    lua_pushlstring(L, p, lp);
    lua_pushinteger(L, (lua_Integer)init + 1);
    if (lua_pcall(L, 3, LUA_MULTRET, 0) != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        if (strstr(msg, "pattern too complex") == NULL)
            ok = r == -1 && strcmp(err, msg) == 0;
    } else if (lua_isnil(L, 2)) {
        ok = r == 0;
    } else {
        n = lua_gettop(L) - 3;
        ok = r == 1 && (size_t)lua_tointeger(L, 2) == m.start + 1 &&
             (size_t)lua_tointeger(L, 3) == m.end && n == m.ncap;
        for (i = 0; ok && i < n; i++) {
            size_t l;
            const char *c;

            if (m.cap[i].len == PB__CAP_POSITION) {
                ok = lua_isinteger(L, 4 + i) &&
                     (size_t)lua_tointeger(L, 4 + i) == m.cap[i].start + 1;
            } else if (lua_type(L, 4 + i) != LUA_TSTRING) {
                ok = 0;
            } else {
                c = lua_tolstring(L, 4 + i, &l);
                ok = (size_t)m.cap[i].len == l &&
                     memcmp(c, s + m.cap[i].start, l) == 0;
            }
        }
    }
    if (!ok) {
        print_message("C API MISMATCH subject \"");
        show(s, ls);
        print_message("\" pattern \"");
        show(p, lp);
        print_message("\" init %zu: r %d err %s\n", init, r,
                      r < 0 ? err : "-");
    }
    free(hs);
    free(hp);
    return ok;
}

/* Would stock find take the plain path (and so raise no errors)? */
static int plain_only(const char *p, size_t lp)
{
    size_t i;

    for (i = 0; i < lp; i++) {
        if (p[i] != '\0' && strchr("^$*+?.([%-", p[i]) != NULL)
            return 0;
    }
    return 1;
}

static void test_differential_random(void **state)
{
    static const char alphabet[] = "aaabbA1 ().-%]";
    states *st = *state;
    int i, compared = 0, skipped = 0, bad = 0, capi = 0;

    for (i = 0; i < 5000; i++) {
        char s[16], p[64];
        size_t ls = next_rand() % 10, lp = 0, k;
        size_t nt = 1 + next_rand() % 6;
        int init = (int)(next_rand() % 3 == 0 ? next_rand() % 11 : 5) - 4;
        int r;

        for (k = 0; k < ls; k++)
            s[k] = alphabet[next_rand() % (sizeof alphabet - 1)];
        for (k = 0; k < nt; k++) {
            const char *t = tokens[next_rand() % (sizeof tokens /
                                                   sizeof tokens[0])];
            size_t lt = strlen(t);
            memcpy(p + lp, t, lt);
            lp += lt;
        }
        r = compare(st, s, ls, p, lp, init, NULL, 1);
        if (r < 0) {
            skipped++;
            continue;
        }
        compared++;
        if (r == 1 && init > 0 && (size_t)init <= ls + 1 &&
            !plain_only(p, lp)) {
            r = compare_c_api(st->stock, s, ls, p, lp, (size_t)init - 1);
            capi++;
        }
        if (r == 0 && ++bad > 10)
            break;
    }
    print_message("random: %d compared (%d through the C API too), "
                  "%d skipped\n", compared, capi, skipped);
    assert_int_equal(bad, 0);
    assert_true(compared > 4000);
}

/* ---- the budget ------------------------------------------------------ */

/* Runs code in a state bounded by b; returns the error or NULL. */
static char *run_bounded(pb__budget *b, const char *code, char *buf,
                         size_t size)
{
    lua_State *L = luaL_newstate();
    char *r = NULL;

    assert_non_null(L);
    luaL_openlibs(L);
    lua_getglobal(L, "string");
    pb__pattern_openlib(L, b);
    lua_pop(L, 1);
    if (luaL_dostring(L, code) != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        size_t n = strlen(msg);
        if (n >= size)
            n = size - 1;
        memcpy(buf, msg, n);
        buf[n] = '\0';
        r = buf;
    }
    lua_close(L);
    return r;
}

static void expect_budget_error(const char *code)
{
    pb__budget b = {0, 1000000, 0};
    char buf[256];
    char *err = run_bounded(&b, code, buf, sizeof buf);

    if (err == NULL)
        fail_msg("no error from %s", code);
    if (strstr(err, E_BUDGET) == NULL)
        fail_msg("%s: wrong error: %s", code, err);
    assert_true(b.exhausted);
    assert_int_equal(b.used, b.limit);
}

static void test_budget_find(void **state)
{
    (void)state;
    expect_budget_error("return ('a'):rep(300):find(('a-'):rep(4)..'b')");
    expect_budget_error("return ('a'):rep(300):match(('a*'):rep(4)..'b')");
}

static void test_budget_gsub(void **state)
{
    (void)state;
    expect_budget_error("return ('a'):rep(300):gsub(('a-'):rep(4)..'b', "
                        "'x')");
    expect_budget_error("return ('a'):rep(300):gsub(('a?'):rep(40)..'b', "
                        "function() end)");
}

static void test_budget_gmatch(void **state)
{
    (void)state;
    expect_budget_error("for m in ('a'):rep(300):gmatch(('a*'):rep(4)..'b')"
                        " do end");
    expect_budget_error("for m in ('a'):rep(300):gmatch('(a-)(a-)(a-)%1b')"
                        " do end");
}

/* Plain find and copying results cost something, too. */
static void test_budget_copies(void **state)
{
    pb__budget b = {0, 1000000, 0};
    char buf[256];
    size_t small, big;

    (void)state;
    assert_null(run_bounded(&b, "return ('x'):rep(100000):find('y', 1, "
                            "true)", buf, sizeof buf));
    assert_true(b.used >= 100000 / 16);
    b.used = 0;
    assert_null(run_bounded(&b, "local s = ('x'):rep(100000) "
                            "return s:gsub('^.*$', '%0')", buf, sizeof buf));
    small = b.used;
    b.used = 0;
    assert_null(run_bounded(&b, "local s = ('x'):rep(100000) "
                            "return s:gsub('^.*$', '%0%0%0%0%0%0%0%0')",
                            buf, sizeof buf));
    big = b.used;
    assert_true(big >= small + 7 * 100000 / 16);
    /* A spent budget stops even a trivial call. */
    b.used = 0;
    b.limit = 10;
    b.exhausted = 1;
    assert_non_null(run_bounded(&b, "return ('a'):find('a.')", buf,
                                sizeof buf));
    assert_non_null(strstr(buf, E_BUDGET));
}

static void test_budget_c_api(void **state)
{
    pb__budget b = {0, 1000000, 0};
    char s[300], p[16];
    const char *err = NULL;
    pb__match m;
    int r;

    (void)state;
    memset(s, 'a', sizeof s);
    memcpy(p, "a-a-a-a-b", 9);
    r = pb__pattern_find(s, sizeof s, p, 9, 0, 0, &b, &m, &err);
    assert_int_equal(r, -1);
    assert_non_null(err);
    assert_string_equal(err, E_BUDGET);
    assert_true(b.exhausted);
    /* Spent stays spent. */
    err = NULL;
    r = pb__pattern_find("a", 1, "a", 1, 0, 0, &b, &m, &err);
    assert_int_equal(r, -1);
    assert_string_equal(err, E_BUDGET);
    /* A generous budget lets it finish, and the steps are counted. */
    b.used = 0;
    b.limit = 1000;
    b.exhausted = 0;
    r = pb__pattern_find("xxab", 4, "a-b", 3, 0, 0, &b, &m, &err);
    assert_int_equal(r, 1);
    assert_true(b.used > 0 && b.used < 1000);
}

/* ---- the C entry point ------------------------------------------------ */

static int find(const char *s, const char *p, size_t init, int flags,
                pb__match *m, const char **err)
{
    pb__budget b = {0, 1000000, 0};

    return pb__pattern_find(s, strlen(s), p, strlen(p), init, flags, &b, m,
                            err);
}

static void test_c_api(void **state)
{
    const char *err = NULL;
    pb__match m;

    (void)state;
    assert_int_equal(find("tel 12-345", "(%d+)-(%d+)", 0, 0, &m, &err), 1);
    assert_int_equal(m.start, 4);
    assert_int_equal(m.end, 10);
    assert_int_equal(m.ncap, 2);
    assert_int_equal(m.cap[0].start, 4);
    assert_int_equal(m.cap[0].len, 2);
    assert_int_equal(m.cap[1].start, 7);
    assert_int_equal(m.cap[1].len, 3);

    assert_int_equal(find("abc", "()b()", 0, 0, &m, &err), 1);
    assert_int_equal(m.ncap, 2);
    assert_int_equal(m.cap[0].start, 1);
    assert_int_equal(m.cap[0].len, PB__CAP_POSITION);
    assert_int_equal(m.cap[1].start, 2);

    assert_int_equal(find("abc", "b", 2, 0, &m, &err), 0);
    assert_int_equal(find("abc", "", 3, 0, &m, &err), 1);
    assert_int_equal(m.start, 3);
    assert_int_equal(find("abc", "", 4, 0, &m, &err), 0);
    assert_int_equal(find("ab", "^b", 1, 0, &m, &err), 1);
    assert_int_equal(find("ab", "^b", 0, 0, &m, &err), 0);
    assert_int_equal(find("ab", "b", 0, 0, NULL, &err), 1);

    assert_int_equal(find("abc", "[a", 0, 0, &m, &err), -1);
    assert_string_equal(err, "malformed pattern (missing ']')");
    assert_int_equal(find("abc", "a%", 0, 0, &m, &err), -1);
    assert_string_equal(err, "malformed pattern (ends with '%')");
    assert_int_equal(find("abc", "(a", 0, 0, &m, &err), -1);
    assert_string_equal(err, "unfinished capture");
    assert_int_equal(find("abc", "a)", 0, 0, &m, &err), -1);
    assert_string_equal(err, "invalid pattern capture");
    assert_int_equal(find("abc", "(a)%2", 0, 0, &m, &err), -1);
    assert_string_equal(err, "invalid capture index %2");
    assert_int_equal(find("abc", "%fa", 0, 0, &m, &err), -1);
    assert_string_equal(err, "missing '[' after '%f' in pattern");
    assert_int_equal(find("abc", "%b(", 0, 0, &m, &err), -1);
    assert_string_equal(err,
                        "malformed pattern (missing arguments to '%b')");
    /* Lazy, like Lua: the bad part is never reached. */
    assert_int_equal(find("abc", "x[", 0, 0, &m, &err), 0);
}

static void test_icase(void **state)
{
    const char *hear = "So What I'm HEARING is";
    const char *err = NULL;
    pb__match m;

    (void)state;
    assert_int_equal(find(hear, "so what i'm hearing", 0, PB__ICASE, &m,
                          &err), 1);
    assert_int_equal(m.start, 0);
    assert_int_equal(m.end, 19);
    assert_int_equal(find(hear, "so what i'm hearing", 0, 0, &m, &err), 0);
    assert_int_equal(find(hear, "HEARING", 0, PB__ICASE, &m, &err), 1);
    assert_int_equal(m.start, 12);

    /* Class letters keep their meaning: %S is still non-space. */
    assert_int_equal(find("  Hello", "%S+", 0, PB__ICASE, &m, &err), 1);
    assert_int_equal(m.start, 2);
    assert_int_equal(m.end, 7);
    assert_int_equal(find("S", "%s", 0, PB__ICASE, &m, &err), 0);
    assert_int_equal(find("a", "%U", 0, PB__ICASE, &m, &err), 1);
    assert_int_equal(find("A", "%U", 0, PB__ICASE, &m, &err), 0);
    assert_int_equal(find("ab1", "[%A]", 0, PB__ICASE, &m, &err), 1);
    assert_int_equal(m.start, 2);

    /* Sets: ranges and members, both ways round. */
    assert_int_equal(find("B", "[a-c]", 0, PB__ICASE, &m, &err), 1);
    assert_int_equal(find("B", "[a-c]", 0, 0, &m, &err), 0);
    assert_int_equal(find("b", "[A-C]", 0, PB__ICASE, &m, &err), 1);
    assert_int_equal(find("B", "[^a-c]", 0, PB__ICASE, &m, &err), 0);
    assert_int_equal(find("X", "[xyz]", 0, PB__ICASE, &m, &err), 1);
    assert_int_equal(find("Q", "[^q]", 0, PB__ICASE, &m, &err), 0);
    assert_int_equal(find("Ok!", "%f[%a]ok", 0, PB__ICASE, &m, &err), 1);

    /* Back-references and %b compare the same way. */
    assert_int_equal(find("aA", "(a)%1", 0, PB__ICASE, &m, &err), 1);
    assert_int_equal(find("aA", "(a)%1", 0, 0, &m, &err), 0);
    assert_int_equal(find("xaYbY", "%bxy", 0, PB__ICASE, &m, &err), 1);
    assert_int_equal(m.end, 3);
}

static void test_deep_recursion(void **state)
{
    pb__budget b = {0, SIZE_MAX, 0};
    char s[300], p[600];
    const char *err = NULL;
    pb__match m;
    size_t i;

    (void)state;
    memset(s, 'a', sizeof s);
    for (i = 0; i < 300; i++)
        memcpy(p + 2 * i, "a?", 2);
    assert_int_equal(pb__pattern_find(s, 300, p, 600, 0, 0, &b, &m, &err),
                     -1);
    assert_string_equal(err, "pattern too complex");
    /* 199 nested '?' is within Lua's limit and must still work. */
    assert_int_equal(pb__pattern_find(s, 300, p, 398, 0, 0, &b, &m, &err),
                     1);
    assert_int_equal(m.end, 199);
    for (i = 0; i < 300; i++)
        memcpy(p + 2 * i, "a-", 2);
    assert_int_equal(pb__pattern_find(s, 300, p, 600, 0, 0, &b, &m, &err),
                     -1);
    assert_string_equal(err, "pattern too complex");
}

int main(void)
{
    const struct CMUnitTest diff[] = {
        cmocka_unit_test(test_differential_table),
        cmocka_unit_test(test_differential_code),
        cmocka_unit_test(test_differential_random),
    };
    const struct CMUnitTest rest[] = {
        cmocka_unit_test(test_budget_find),
        cmocka_unit_test(test_budget_gsub),
        cmocka_unit_test(test_budget_gmatch),
        cmocka_unit_test(test_budget_copies),
        cmocka_unit_test(test_budget_c_api),
        cmocka_unit_test(test_c_api),
        cmocka_unit_test(test_icase),
        cmocka_unit_test(test_deep_recursion),
    };
    int failed = cmocka_run_group_tests(diff, setup, teardown);

    return failed + cmocka_run_group_tests(rest, NULL, NULL);
}
