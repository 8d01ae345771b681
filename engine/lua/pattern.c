/*
 * pattern.c -- Lua 5.4 patterns with a step budget.
 *
 * A backtracking matcher with the syntax and results of Lua's string.find
 * and friends (reference manual 6.4.1).  Stock Lua cannot stop a runaway
 * match because its count hook never fires inside C, so every step here
 * is charged to a pb__budget.
 *
 * Errors travel through ms->err instead of longjmp: the first error is
 * kept and every caller unwinds by returning NULL.  That lets the same
 * code serve pb__pattern_find, which must not throw, and the Lua
 * closures, which turn ms->err into luaL_error once the C stack is flat.
 *
 * Recursion happens at the same places as in stock Lua (captures, '?',
 * and each try of '*', '+' and '-') and is capped at the same depth, so
 * "pattern too complex" is raised for the same patterns.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "pattern.h"

#define ESC '%'
/* Lua's SPECIALS, "^$*+?.([%-", as a table: asked for every pattern. */
static const unsigned char special[256] = {
    ['^'] = 1, ['$'] = 1, ['*'] = 1, ['+'] = 1, ['?'] = 1,
    ['.'] = 1, ['('] = 1, ['['] = 1, ['%'] = 1, ['-'] = 1,
};
#define MAXDEPTH 200   /* nested match() calls, Lua's MAXCCALLS */
#define BATCH 64       /* steps counted locally before charging */
#define CAP_OPEN (-1)  /* capture started but not yet closed */
#define CAP_POS PB__CAP_POSITION
#define NO_MATCH SIZE_MAX

#define uchar(c) ((unsigned char)(c))

static const char E_BUDGET[] = "pattern too complex: step budget exceeded";
static const char E_DEPTH[] = "pattern too complex";

/* Messages must be static for pb__pattern_find: one per digit. */
static const char *const E_INDEX[10] = {
    "invalid capture index %0", "invalid capture index %1",
    "invalid capture index %2", "invalid capture index %3",
    "invalid capture index %4", "invalid capture index %5",
    "invalid capture index %6", "invalid capture index %7",
    "invalid capture index %8", "invalid capture index %9",
};

typedef struct mstate {
    const char *src, *src_end; /* the whole subject */
    const char *p_end;
    pb__budget *b;             /* NULL: unbounded */
    size_t pending;            /* steps done but not yet charged */
    const char *err;           /* first error; NULL while all is well */
    int icase;
    int depth;                 /* match() calls still allowed */
    int level;                 /* captures started so far */
    struct {
        const char *init;
        ptrdiff_t len;         /* or CAP_OPEN, CAP_POS */
    } cap[PB__MAXCAPTURES];
} mstate;

static const char *match(mstate *ms, const char *s, const char *p);

static const char *fail(mstate *ms, const char *msg)
{
    if (ms->err == NULL)
        ms->err = msg;
    return NULL;
}

/* Charges what is pending; -1 (and ms->err set) once the budget is out. */
static int charge_now(mstate *ms)
{
    size_t n = ms->pending;

    ms->pending = 0;
    if (ms->b != NULL && pb__budget_charge(ms->b, n) != 0) {
        fail(ms, E_BUDGET);
        return -1;
    }
    return 0;
}

/* Counts n steps, charging in batches so the common case is an add. */
static int step(mstate *ms, size_t n)
{
    ms->pending += n;
    return ms->pending < BATCH ? 0 : charge_now(ms);
}

static void ms_init(mstate *ms, const char *s, size_t ls, const char *p,
                    size_t lp, int flags, pb__budget *b)
{
    ms->src = s;
    ms->src_end = s + ls;
    ms->p_end = p + lp;
    ms->b = b;
    ms->pending = 0;
    ms->err = NULL;
    ms->icase = (flags & PB__ICASE) != 0;
    ms->depth = MAXDEPTH;
    ms->level = 0;
    /* A spent budget must stop us before the first batch is due. */
    if (b != NULL && pb__budget_charge(b, 0) != 0)
        ms->err = E_BUDGET;
}

/* One attempt to match p exactly at s. */
static const char *try_at(mstate *ms, const char *s, const char *p)
{
    if (ms->err != NULL)
        return NULL;
    ms->level = 0;
    ms->depth = MAXDEPTH;
    return match(ms, s, p);
}

/*
 * The character every match starts with, when p opens with a plain
 * literal that cannot be skipped (no *, - or ? after it); else -1.  Lets
 * an unanchored search jump to the candidates instead of trying a match
 * at every position: detectors run dozens of patterns per utterance.
 */
static int first_literal(const char *p, const char *p_end)
{
    if (p >= p_end || special[uchar(*p)] || *p == ')')
        return -1;
    if (p + 1 < p_end && (p[1] == '*' || p[1] == '-' || p[1] == '?'))
        return -1;
    return (unsigned char)*p;
}

static int lower(int c);
static int upper(int c);

/* The first of c in [s, end), or end. */
static const char *find_byte(const char *s, const char *end, int c)
{
    const char *hit = memchr(s, c, (size_t)(end - s));

    return hit ? hit : end;
}

/* The next position from s where a match could start (src_end if none);
 * memchr for each case of the literal, since this runs for every pattern
 * over every utterance.  The scan is charged like copied bytes. */
static const char *skip_to(mstate *ms, const char *s, int lit)
{
    const char *from = s;

    s = find_byte(s, ms->src_end, ms->icase ? lower(lit) : lit);
    if (ms->icase && upper(lit) != lower(lit)) {
        const char *up = find_byte(from, s, upper(lit));

        if (up < s)
            s = up;
    }
    step(ms, (size_t)(s - from) / 16);
    return s;
}

/* ---- single-character items ------------------------------------- */

/* ASCII only, whatever the locale: icase must not depend on it. */
static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int upper(int c)
{
    return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

static int same(int a, int b, int icase)
{
    return a == b || (icase && lower(a) == lower(b));
}

/* Under icase a letter is in a range if either of its cases is. */
static int in_range(int c, int lo, int hi, int icase)
{
    if (lo <= c && c <= hi)
        return 1;
    if (!icase)
        return 0;
    c = lower(c) != c ? lower(c) : upper(c);
    return lo <= c && c <= hi;
}

/* %cl: a class letter (upper case complements) or a literal char. */
static int class_match(int c, int cl, int icase)
{
    int r;

    switch (tolower(cl)) {
    case 'a': r = isalpha(c); break;
    case 'c': r = iscntrl(c); break;
    case 'd': r = isdigit(c); break;
    case 'g': r = isgraph(c); break;
    case 'l': r = islower(c); break;
    case 'p': r = ispunct(c); break;
    case 's': r = isspace(c); break;
    case 'u': r = isupper(c); break;
    case 'w': r = isalnum(c); break;
    case 'x': r = isxdigit(c); break;
    case 'z': r = c == '\0'; break; /* deprecated, but 5.4 has it */
    default: return same(c, cl, icase);
    }
    if (isupper(cl))
        r = !r;
    return r != 0;
}

/* Is c in the set that opens at p ('[') and closes at ec (']')? */
static int in_set(const mstate *ms, int c, const char *p, const char *ec)
{
    int want = 1;

    p++;
    if (*p == '^') {
        want = 0;
        p++;
    }
    /* item_end made sure a '%' is never the last char before ec. */
    while (p < ec) {
        if (*p == ESC) {
            if (class_match(c, uchar(p[1]), ms->icase))
                return want;
            p += 2;
        } else if (p[1] == '-' && p + 2 < ec) {
            if (in_range(c, uchar(p[0]), uchar(p[2]), ms->icase))
                return want;
            p += 3;
        } else {
            if (same(c, uchar(*p), ms->icase))
                return want;
            p++;
        }
    }
    return !want;
}

/* End of the single-char item at p: "x", "%x", "." or "[set]". */
static const char *item_end(mstate *ms, const char *p)
{
    const char *pe = ms->p_end;
    char c = *p++;

    if (c == ESC) {
        if (p >= pe)
            return fail(ms, "malformed pattern (ends with '%')");
        return p + 1;
    }
    if (c != '[')
        return p;
    if (p < pe && *p == '^')
        p++;
    do { /* the first member may be ']' itself */
        if (p >= pe)
            return fail(ms, "malformed pattern (missing ']')");
        if (*p++ == ESC && p < pe)
            p++; /* so that "%]" does not close the set */
    } while (p >= pe || *p != ']');
    return p + 1;
}

/* A long set costs more to test than a single char. */
static size_t item_cost(const char *p, const char *ep)
{
    return 1 + (size_t)(ep - p) / 16;
}

/* Does the item p..ep match the char at s? */
static int single(const mstate *ms, const char *s, const char *p,
                  const char *ep)
{
    int c;

    if (s >= ms->src_end)
        return 0;
    c = uchar(*s);
    switch (*p) {
    case '.': return 1;
    case ESC: return class_match(c, uchar(p[1]), ms->icase);
    case '[': return in_set(ms, c, p, ep - 1);
    default: return same(c, uchar(*p), ms->icase);
    }
}

/* ---- repetition, captures and the special escapes ---------------- */

/* x* (or x+ past its first x): take all, then give back one by one. */
static const char *max_expand(mstate *ms, const char *s, const char *p,
                              const char *ep)
{
    size_t cost = item_cost(p, ep);
    ptrdiff_t i = 0;
    const char *r;

    while (single(ms, s + i, p, ep)) {
        if (step(ms, cost))
            return NULL;
        i++;
    }
    for (; i >= 0; i--) {
        if ((r = match(ms, s + i, ep + 1)) != NULL || ms->err != NULL)
            return r;
    }
    return NULL;
}

/* x-: try the rest first and take one more x only when it fails. */
static const char *min_expand(mstate *ms, const char *s, const char *p,
                              const char *ep)
{
    size_t cost = item_cost(p, ep);
    const char *r;

    for (;;) {
        if ((r = match(ms, s, ep + 1)) != NULL || ms->err != NULL)
            return r;
        if (step(ms, cost))
            return NULL;
        if (!single(ms, s, p, ep))
            return NULL;
        s++;
    }
}

static const char *open_cap(mstate *ms, const char *s, const char *p,
                            ptrdiff_t what)
{
    const char *r;

    if (ms->level >= PB__MAXCAPTURES)
        return fail(ms, "too many captures");
    ms->cap[ms->level].init = s;
    ms->cap[ms->level].len = what;
    ms->level++;
    if ((r = match(ms, s, p)) == NULL)
        ms->level--; /* undo on backtrack */
    return r;
}

static const char *close_cap(mstate *ms, const char *s, const char *p)
{
    int l = ms->level;
    const char *r;

    /* The innermost capture still open is the one ')' closes. */
    while (--l >= 0 && ms->cap[l].len != CAP_OPEN)
        ;
    if (l < 0)
        return fail(ms, "invalid pattern capture");
    ms->cap[l].len = s - ms->cap[l].init;
    if ((r = match(ms, s, p)) == NULL)
        ms->cap[l].len = CAP_OPEN;
    return r;
}

/* %bxy at s: x, then text balanced in x and y, then y. */
static const char *balance(mstate *ms, const char *s, const char *p)
{
    int open, close, depth = 1;

    if (ms->p_end - p < 2)
        return fail(ms, "malformed pattern (missing arguments to '%b')");
    open = uchar(p[0]);
    close = uchar(p[1]);
    if (s >= ms->src_end || !same(uchar(*s), open, ms->icase))
        return NULL;
    while (++s < ms->src_end) {
        if (step(ms, 1))
            return NULL;
        /* Close is tested first so that "%b''" pairs up quotes. */
        if (same(uchar(*s), close, ms->icase)) {
            if (--depth == 0)
                return s + 1;
        } else if (same(uchar(*s), open, ms->icase)) {
            depth++;
        }
    }
    return NULL;
}

/* %1-%9 at s: the text of an earlier, closed capture. */
static const char *backref(mstate *ms, const char *s, int digit)
{
    int l = digit - '1';
    size_t len, i;

    if (l < 0 || l >= ms->level || ms->cap[l].len == CAP_OPEN)
        return fail(ms, E_INDEX[l + 1]);
    if (ms->cap[l].len == CAP_POS)
        return NULL; /* a position is no text: Lua never matches it */
    len = (size_t)ms->cap[l].len;
    if (step(ms, 1 + len / 16))
        return NULL;
    if ((size_t)(ms->src_end - s) < len)
        return NULL;
    for (i = 0; i < len; i++) {
        if (!same(uchar(s[i]), uchar(ms->cap[l].init[i]), ms->icase))
            return NULL;
    }
    return s + len;
}

/* %f[set] at s: previous char not in set, next one in it. */
static int frontier(const mstate *ms, const char *s, const char *p,
                    const char *ep)
{
    int prev = s > ms->src ? uchar(s[-1]) : '\0';
    int next = s < ms->src_end ? uchar(*s) : '\0';

    return !in_set(ms, prev, p, ep - 1) && in_set(ms, next, p, ep - 1);
}

/*
 * The matcher proper.  Simple items loop here; only items that may have
 * to be undone recurse.  Returns the end of the match or NULL.
 */
static const char *match_here(mstate *ms, const char *s, const char *p)
{
    const char *pe = ms->p_end, *ep, *r;

    for (;;) {
        if (step(ms, 1))
            return NULL;
        if (p == pe)
            return s;
        switch (*p) {
        case '(':
            if (p + 1 < pe && p[1] == ')')
                return open_cap(ms, s, p + 2, CAP_POS);
            return open_cap(ms, s, p + 1, CAP_OPEN);
        case ')':
            return close_cap(ms, s, p + 1);
        case '$':
            if (p + 1 == pe) /* anchors only at the very end */
                return s == ms->src_end ? s : NULL;
            break;
        case ESC:
            if (p + 1 == pe)
                break; /* item_end reports it */
            if (p[1] == 'b') {
                if ((s = balance(ms, s, p + 2)) == NULL)
                    return NULL;
                p += 4;
                continue;
            }
            if (p[1] == 'f') {
                p += 2;
                if (p == pe || *p != '[')
                    return fail(ms, "missing '[' after '%f' in pattern");
                if ((ep = item_end(ms, p)) == NULL)
                    return NULL;
                if (step(ms, 2 * item_cost(p, ep)))
                    return NULL;
                if (!frontier(ms, s, p, ep))
                    return NULL;
                p = ep;
                continue;
            }
            if (isdigit(uchar(p[1]))) {
                if ((s = backref(ms, s, uchar(p[1]))) == NULL)
                    return NULL;
                p += 2;
                continue;
            }
            break;
        }
        if ((ep = item_end(ms, p)) == NULL)
            return NULL;
        if (step(ms, item_cost(p, ep) - 1))
            return NULL;
        if (!single(ms, s, p, ep)) {
            /* Quantifiers that allow zero: skip the item. */
            if (ep < pe && (*ep == '*' || *ep == '?' || *ep == '-')) {
                p = ep + 1;
                continue;
            }
            return NULL;
        }
        switch (ep < pe ? *ep : '\0') {
        case '?':
            if ((r = match(ms, s + 1, ep + 1)) != NULL || ms->err != NULL)
                return r;
            p = ep + 1; /* the rest without the optional char */
            continue;
        case '+':
            return max_expand(ms, s + 1, p, ep);
        case '*':
            return max_expand(ms, s, p, ep);
        case '-':
            return min_expand(ms, s, p, ep);
        default:
            s++;
            p = ep;
            continue;
        }
    }
}

static const char *match(mstate *ms, const char *s, const char *p)
{
    const char *r;

    if (ms->depth == 0)
        return fail(ms, E_DEPTH);
    ms->depth--;
    r = match_here(ms, s, p);
    ms->depth++;
    return r;
}

/* ---- C entry point ------------------------------------------------- */

/* Would the matcher read p as anything but literal text? */
static int has_specials(const char *p, size_t lp)
{
    size_t i;

    for (i = 0; i < lp; i++) {
        if (special[uchar(p[i])])
            return 1;
    }
    return 0;
}

static const char *plain_find(mstate *ms, const char *s, size_t ls,
                              const char *p, size_t lp)
{
    const char *end;
    size_t i;

    if (lp == 0)
        return s;
    if (step(ms, (ls + lp) / 16)) /* memchr, memcmp */
        return NULL;
    if (lp > ls)
        return NULL;
    end = s + (ls - lp) + 1; /* the last place p could start, plus one */
    while ((s = skip_to(ms, s, uchar(*p))) < end) {
        if (step(ms, 1 + lp / 16))
            return NULL;
        if (!ms->icase && memcmp(s + 1, p + 1, lp - 1) == 0)
            return s;
        for (i = 1; ms->icase && i < lp; i++)
            if (!same(uchar(s[i]), uchar(p[i]), 1))
                break;
        if (ms->icase && i == lp)
            return s;
        s++;
    }
    return NULL;
}

int pb__pattern_is_plain(const char *p, size_t lp)
{
    return !has_specials(p, lp) && memchr(p, ')', lp) == NULL;
}

long pb__find_bytes(const char *s, size_t ls, const char *p, size_t lp)
{
    const char *hit, *end;

    if (lp == 0)
        return 0;
    if (lp > ls)
        return -1;
    end = s + (ls - lp) + 1;
    for (hit = s; (hit = memchr(hit, *p, (size_t)(end - hit))) != NULL;
         hit++)
        if (memcmp(hit + 1, p + 1, lp - 1) == 0)
            return hit - s;
    return -1;
}

int pb__pattern_find(const char *s, size_t ls, const char *p, size_t lp,
                     size_t init, int flags, pb__budget *b, pb__match *m,
                     const char **err)
{
    int anchor = lp > 0 && *p == '^';
    const char *s1, *e = NULL;
    mstate ms;
    int i, lit;

    if (s == NULL) /* tolerate (NULL, 0): s + 0 would be undefined */
        s = "";
    if (anchor) {
        p++;
        lp--;
    }
    if (p == NULL)
        p = "";
    ms_init(&ms, s, ls, p, lp, flags, b);
    lit = anchor ? -1 : first_literal(p, ms.p_end);
    if (!anchor && init <= ls && ms.err == NULL &&
        pb__pattern_is_plain(p, lp)) {
        /* Most detector patterns are plain phrases: compare, don't match. */
        s1 = plain_find(&ms, s + init, ls - init, p, lp);
        e = s1 ? s1 + lp : NULL;
    } else if (init <= ls) {
        s1 = s + init;
        do {
            if (lit >= 0 && (s1 = skip_to(&ms, s1, lit)) == ms.src_end)
                break;
            if ((e = try_at(&ms, s1, p)) != NULL || ms.err != NULL)
                break;
        } while (s1++ < ms.src_end && !anchor);
    }
    charge_now(&ms);
    if (e != NULL && ms.err == NULL) {
        for (i = 0; i < ms.level; i++) {
            if (ms.cap[i].len == CAP_OPEN)
                fail(&ms, "unfinished capture");
        }
    }
    if (ms.err != NULL) {
        if (err != NULL)
            *err = ms.err;
        return -1;
    }
    if (e == NULL)
        return 0;
    if (m != NULL) {
        m->start = (size_t)(s1 - s);
        m->end = (size_t)(e - s);
        m->ncap = ms.level;
        for (i = 0; i < ms.level; i++) {
            m->cap[i].start = (size_t)(ms.cap[i].init - s);
            m->cap[i].len = (long)ms.cap[i].len;
        }
    }
    return 1;
}

/* ---- Lua closures ---------------------------------------------------- */

static pb__budget *up_budget(lua_State *L)
{
    return (pb__budget *)lua_touserdata(L, lua_upvalueindex(1));
}

/* Charges what is pending and raises ms->err if there is one. */
static void settle(lua_State *L, mstate *ms)
{
    charge_now(ms);
    if (ms->err != NULL)
        luaL_error(L, "%s", ms->err);
}

/* Copying n bytes costs about one step per 16. */
static void charge_copy(lua_State *L, mstate *ms, size_t n)
{
    if (step(ms, n / 16))
        luaL_error(L, "%s", ms->err);
}

/* Lua's start index: negative counts from the end, 0 means 1. */
static size_t start_index(lua_Integer pos, size_t len)
{
    if (pos > 0)
        return (size_t)pos;
    if (pos == 0 || pos < -(lua_Integer)len)
        return 1;
    return len - (size_t)(-(pos + 1));
}

/* Capture i, or the whole match s..e when there are no captures. */
static void push_capture(lua_State *L, mstate *ms, int i, const char *s,
                         const char *e)
{
    if (i >= ms->level) {
        if (i != 0)
            luaL_error(L, "invalid capture index %%%d", i + 1);
        charge_copy(L, ms, (size_t)(e - s));
        lua_pushlstring(L, s, (size_t)(e - s));
    } else if (ms->cap[i].len == CAP_OPEN) {
        luaL_error(L, "unfinished capture");
    } else if (ms->cap[i].len == CAP_POS) {
        lua_pushinteger(L, (ms->cap[i].init - ms->src) + 1);
    } else {
        charge_copy(L, ms, (size_t)ms->cap[i].len);
        lua_pushlstring(L, ms->cap[i].init, (size_t)ms->cap[i].len);
    }
}

/* Pushes the captures; s == NULL means no whole match in their stead. */
static int push_captures(lua_State *L, mstate *ms, const char *s,
                         const char *e)
{
    int i, n = (ms->level == 0 && s != NULL) ? 1 : ms->level;

    luaL_checkstack(L, n, "too many captures");
    for (i = 0; i < n; i++)
        push_capture(L, ms, i, s, e);
    return n;
}


static int find_aux(lua_State *L, int find)
{
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = start_index(luaL_optinteger(L, 3, 1), ls) - 1;
    const char *s1, *e;
    int anchor, n, lit;
    mstate ms;

    if (init > ls) {
        luaL_pushfail(L);
        return 1;
    }
    if (find && (lua_toboolean(L, 4) || !has_specials(p, lp))) {
        ms_init(&ms, s, ls, p, lp, 0, up_budget(L));
        e = ms.err ? NULL : plain_find(&ms, s + init, ls - init, p, lp);
        settle(L, &ms);
        if (e == NULL) {
            luaL_pushfail(L);
            return 1;
        }
        lua_pushinteger(L, (e - s) + 1);
        lua_pushinteger(L, (lua_Integer)((size_t)(e - s) + lp));
        return 2;
    }
    anchor = lp > 0 && *p == '^';
    if (anchor) {
        p++;
        lp--;
    }
    ms_init(&ms, s, ls, p, lp, 0, up_budget(L));
    lit = anchor ? -1 : first_literal(p, ms.p_end);
    s1 = s + init;
    do {
        if (lit >= 0 && (s1 = skip_to(&ms, s1, lit)) == ms.src_end)
            break;
        if ((e = try_at(&ms, s1, p)) != NULL) {
            if (find) {
                lua_pushinteger(L, (s1 - s) + 1);
                lua_pushinteger(L, e - s);
                n = push_captures(L, &ms, NULL, NULL) + 2;
            } else {
                n = push_captures(L, &ms, s1, e);
            }
            settle(L, &ms);
            return n;
        }
        if (ms.err != NULL)
            break;
    } while (s1++ < ms.src_end && !anchor);
    settle(L, &ms);
    luaL_pushfail(L);
    return 1;
}

static int l_find(lua_State *L)
{
    return find_aux(L, 1);
}

static int l_match(lua_State *L)
{
    return find_aux(L, 0);
}

/* Where a gmatch iterator resumes; offsets survive a moved string. */
typedef struct gstate {
    size_t pos;  /* next start */
    size_t last; /* end of the last match, NO_MATCH before the first */
} gstate;

/* Upvalues: budget, subject, pattern, gstate. */
static int gmatch_next(lua_State *L)
{
    size_t ls, lp, pos;
    const char *s = lua_tolstring(L, lua_upvalueindex(2), &ls);
    const char *p = lua_tolstring(L, lua_upvalueindex(3), &lp);
    gstate *g = (gstate *)lua_touserdata(L, lua_upvalueindex(4));
    const char *e;
    mstate ms;
    int n;

    /* No anchor here: in gmatch a leading '^' is an ordinary char. */
    ms_init(&ms, s, ls, p, lp, 0, up_budget(L));
    for (pos = g->pos; pos <= ls; pos++) {
        e = try_at(&ms, s + pos, p);
        if (ms.err != NULL)
            break;
        /* An empty match right where the last one ended does not count. */
        if (e != NULL && (size_t)(e - s) != g->last) {
            g->pos = g->last = (size_t)(e - s);
            n = push_captures(L, &ms, s + pos, e);
            settle(L, &ms);
            return n;
        }
    }
    settle(L, &ms);
    g->pos = ls + 1; /* finished: later calls return nothing at once */
    return 0;
}

static int l_gmatch(lua_State *L)
{
    size_t ls, init;
    gstate *g;

    luaL_checklstring(L, 1, &ls);
    luaL_checkstring(L, 2);
    init = start_index(luaL_optinteger(L, 3, 1), ls) - 1;
    lua_settop(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    g = (gstate *)lua_newuserdatauv(L, sizeof *g, 0);
    g->pos = init > ls ? ls + 1 : init;
    g->last = NO_MATCH;
    lua_pushcclosure(L, gmatch_next, 4);
    return 1;
}

/* Appends the replacement string (argument 3) with its %0-%9 and %%. */
static void add_string(lua_State *L, mstate *ms, luaL_Buffer *b,
                       const char *s, const char *e)
{
    size_t l;
    const char *r = lua_tolstring(L, 3, &l);
    const char *end = r + l, *q;

    charge_copy(L, ms, l);
    while ((q = memchr(r, ESC, (size_t)(end - r))) != NULL) {
        luaL_addlstring(b, r, (size_t)(q - r));
        q++;
        if (q < end && *q == ESC) {
            luaL_addchar(b, ESC);
        } else if (q < end && *q == '0') {
            charge_copy(L, ms, (size_t)(e - s));
            luaL_addlstring(b, s, (size_t)(e - s));
        } else if (q < end && isdigit(uchar(*q))) {
            push_capture(L, ms, *q - '1', s, e);
            luaL_addvalue(b); /* tostring's a position capture, too */
        } else {
            luaL_error(L, "invalid use of '%c' in replacement string", ESC);
        }
        r = q + 1;
    }
    luaL_addlstring(b, r, (size_t)(end - r));
}

/* Appends the replacement for match s..e; 0 if it kept the original. */
static int add_value(lua_State *L, mstate *ms, luaL_Buffer *b,
                     const char *s, const char *e, int tr)
{
    size_t l;

    switch (tr) {
    case LUA_TFUNCTION: {
        int n;

        lua_pushvalue(L, 3);
        n = push_captures(L, ms, s, e);
        lua_call(L, n, 1);
        break;
    }
    case LUA_TTABLE:
        push_capture(L, ms, 0, s, e);
        lua_gettable(L, 3);
        break;
    default:
        add_string(L, ms, b, s, e);
        return 1;
    }
    if (!lua_toboolean(L, -1)) { /* nil or false: keep the match */
        lua_pop(L, 1);
        charge_copy(L, ms, (size_t)(e - s));
        luaL_addlstring(b, s, (size_t)(e - s));
        return 0;
    }
    if (!lua_isstring(L, -1))
        return luaL_error(L, "invalid replacement value (a %s)",
                          luaL_typename(L, -1));
    lua_tolstring(L, -1, &l);
    charge_copy(L, ms, l);
    luaL_addvalue(b);
    return 1;
}

static int l_gsub(lua_State *L)
{
    size_t ls, lp;
    const char *src = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    const char *s = src, *e, *last = NULL;
    int tr = lua_type(L, 3);
    lua_Integer max = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
    int anchor = lp > 0 && *p == '^';
    lua_Integer n = 0;
    int changed = 0;
    luaL_Buffer b;
    mstate ms;

    luaL_argexpected(L, tr == LUA_TNUMBER || tr == LUA_TSTRING ||
                     tr == LUA_TFUNCTION || tr == LUA_TTABLE, 3,
                     "string/function/table");
    luaL_buffinit(L, &b);
    if (anchor) {
        p++;
        lp--;
    }
    ms_init(&ms, src, ls, p, lp, 0, up_budget(L));
    while (n < max) {
        e = try_at(&ms, s, p);
        if (ms.err != NULL)
            settle(L, &ms);
        if (e != NULL && e != last) { /* empty match at last's end: no */
            n++;
            changed |= add_value(L, &ms, &b, s, e, tr);
            s = last = e;
        } else if (s < ms.src_end) {
            luaL_addchar(&b, *s++);
        } else {
            break;
        }
        if (anchor)
            break;
    }
    if (!changed) {
        lua_pushvalue(L, 1);
    } else {
        charge_copy(L, &ms, (size_t)(ms.src_end - s));
        luaL_addlstring(&b, s, (size_t)(ms.src_end - s));
        luaL_pushresult(&b);
    }
    settle(L, &ms);
    lua_pushinteger(L, n);
    return 2;
}

/* b == NULL gives the stock, unbounded behaviour. */
void pb__pattern_openlib(lua_State *L, pb__budget *b)
{
    static const luaL_Reg fns[] = {
        {"find", l_find},
        {"match", l_match},
        {"gmatch", l_gmatch},
        {"gsub", l_gsub},
        {NULL, NULL},
    };

    lua_pushlightuserdata(L, b);
    luaL_setfuncs(L, fns, 1);
}
