/*
 * principle.c -- loading one principle file.
 *
 * A file runs once, in its own sandboxed environment, and returns the
 * table that principle{} checked.  The table is validated like a
 * declaration (named fields only, each type-checked, unknown fields
 * rejected), then copied into C structs; its functions are pinned in the
 * registry so evaluation never walks Lua tables.
 */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "due.h"
#include "error.h"
#include "pattern.h"
#include "principle.h"
#include "source.h"
#include "use.h"
#include "utf8.h"

const char *const pb__principle_fields[] = {
    "id", "title", "why", "order", "applies", "items", "detect", NULL
};
const char *const pb__item_fields[] = {
    "id", "prompt", "must", "later", "after", "applies", "done", "violated",
    "collects", NULL
};
const char *const pb__detector_fields[] = {
    "on", "pattern", "words", "gap", "examples", "threshold", "emit",
    "within", "after", "unless", "fn", NULL
};

/* Raises "where message" as a plain string error (no extra position). */
static int fail(lua_State *L, const char *where, const char *fmt, ...)
{
    va_list ap;

    lua_pushstring(L, where);
    va_start(ap, fmt);
    lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    lua_concat(L, 2);
    return lua_error(L);
}

/*
 * The engine keeps at most PB_PRINCIPLES_MEMORY bytes of C memory for
 * all its principles (docs/hardening.md).  A principle is measured while
 * it is checked, before the work each part costs, and again exactly
 * while it is copied: one list or string shared by many items or
 * detectors is checked and copied once for each, so a file of a few
 * hundred bytes could otherwise make the engine allocate gigabytes,
 * outside the Lua state's memory cap.
 */
typedef struct room {
    size_t left;         /* what the engine has not given out yet */
    size_t used;         /* what this principle takes so far */
    const char *where;   /* "file:line: " of the principle */
    const char *id;      /* the principle's id */
    pb__budget *budget;  /* principle{} called by Lua code, else NULL */
    size_t nphrases, nexamples; /* so far, over its detectors */
} room;

/* Bytes of C memory per entry of an `after` list (the name and the
 * position) and of a pattern list (the pattern and its folded copy). */
#define AFTER_ENTRY (sizeof(char *) + sizeof(size_t))
#define PATTERN_ENTRY (2 * sizeof(char *))

/* Takes n bytes for what `part` names, or raises.  The work of checking
 * them goes to the calling code's budget: a file may call principle{}
 * in a loop, and the count hook never sees the work done in C. */
static void charge(lua_State *L, room *r, size_t n, const char *part)
{
    if (r->budget != NULL && pb__budget_charge(r->budget, 1 + n / 64) != 0)
        luaL_error(L, "instruction budget exceeded (%I instructions)",
                   (lua_Integer)r->budget->limit);
    if (n > r->left - r->used)
        fail(L, r->where, "principle '%s' is too large: its items, after "
             "lists, detectors and strings take more than the %d KiB of "
             "C memory the engine keeps for all principles (reached at "
             "%s)", r->id, (int)(PB_PRINCIPLES_MEMORY / 1024), part);
    r->used += n;
}

/* Entries of the string or list at idx (a list's length, unchecked). */
static size_t entries(lua_State *L, int idx)
{
    return lua_type(L, idx) == LUA_TSTRING ? 1 : lua_rawlen(L, idx);
}

/*
 * A principle's tables are read as written: raw, never through a
 * metamethod.  The engine reads them after the file's own call has
 * ended (outside its budget and memory cap), and reads some fields
 * twice (to check, then to copy): an __index there would run uncharged
 * and could answer differently each time (docs/hardening.md).  So a
 * table with a metatable is refused, and every read is raw besides.
 */
static int field(lua_State *L, int idx, const char *key)
{
    idx = lua_absindex(L, idx);
    lua_pushstring(L, key);
    return lua_rawget(L, idx);
}

/* The value at idx for a message, pushed: a string or a number as it
 * is, else its type (luaL_tolstring would run its __tostring). */
static const char *shown(lua_State *L, int idx)
{
    int t = lua_type(L, idx);

    if (t == LUA_TSTRING || t == LUA_TNUMBER) {
        lua_pushvalue(L, idx);
        return lua_tostring(L, -1);
    }
    return lua_pushstring(L, lua_typename(L, t));
}

/* Ids and fact names: letters, digits and _, at most MAX_NAME bytes (a
 * name, not a text: every item's after list is checked name by name). */
#define MAX_NAME 128

static int is_name(const char *s)
{
    const char *start = s;

    if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
        return 0;
    for (s++; *s; s++)
        if (s - start == MAX_NAME ||
            !(*s == '_' || (*s >= 'a' && *s <= 'z') ||
              (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
            return 0;
    return 1;
}

int pb__is_type(const char *s)
{
    int word = 0;

    for (; *s; s++) {
        if (*s == '.') {
            if (!word)
                return 0;
            word = 0;
        } else if (*s == '_' || *s == '-' || (*s >= 'a' && *s <= 'z') ||
                   (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')) {
            word = 1;
        } else {
            return 0;
        }
    }
    return word;
}

static const char *fields_list(lua_State *L, const char *const *f)
{
    luaL_Buffer b;

    luaL_buffinit(L, &b);
    for (; *f; f++) {
        luaL_addstring(&b, *f);
        if (f[1])
            luaL_addstring(&b, ", ");
    }
    luaL_pushresult(&b);
    return lua_tostring(L, -1);
}

/* What validate knows of the file being loaded; while it loads, its
 * text, to find the lines of detectors and of what is wrong in them
 * (source.h).  Every field may be NULL. */
typedef struct vctx {
    const char *file;
    const char *src;
    size_t len;
    pb__textkit *kit;
} vctx;

/* A table being checked, and where the file's text wrote it: the
 * principle{} call's line, then the path to the table in it (empty for
 * the principle's own), so that a mistake is reported at the line of
 * the field at fault (docs/authoring.md, "When something goes wrong"). */
typedef struct spot {
    const char *what;       /* "principle", "item", "detector" */
    const vctx *vc;         /* NULL: no text, the lines stay as they are */
    int line;
    pb__srcstep path[2];
    size_t n;
} spot;

/* where ("file:line: ...") with the line of field key of sp's table (of
 * its entry pos when pos > 0; of the table itself when key is NULL), if
 * the file's text shows it; else where as it is. */
static const char *spot_where(lua_State *L, const spot *sp, const char *key,
                              long pos, const char *where)
{
    pb__srcstep path[4];
    size_t n, k;
    const char *rest;
    int line;

    if (sp == NULL || sp->vc == NULL || sp->vc->src == NULL)
        return where;
    n = sp->n;
    memcpy(path, sp->path, n * sizeof *path);
    if (key != NULL) {
        path[n].key = key;
        path[n++].pos = 0;
    }
    if (pos > 0) {
        path[n].key = NULL;
        path[n++].pos = pos;
    }
    line = pb__source_path(sp->vc->src, sp->vc->len, sp->line, path, n);
    k = strlen(sp->vc->file);
    if (line == 0 || strncmp(where, sp->vc->file, k) != 0 ||
        where[k] != ':' || (rest = strchr(where + k + 1, ':')) == NULL)
        return where;
    return lua_pushfstring(L, "%s:%d%s", sp->vc->file, line, rest);
}

/* The spot of entry pos of list key (items, detect) in the principle's
 * own table at sp: path has room for these two steps only. */
static spot spot_in(const spot *sp, const char *what, const char *key,
                    long pos)
{
    spot in = *sp;

    in.what = what;
    in.path[in.n].key = key;
    in.path[in.n++].pos = 0;
    in.path[in.n].key = NULL;
    in.path[in.n++].pos = pos;
    return in;
}

/* Every key of the table at idx must be a string from fields. */
static void check_fields(lua_State *L, int idx, const char *const *fields,
                         const char *where, const spot *sp)
{
    const char *what = sp->what;
    const char *const *f;

    if (lua_getmetatable(L, idx))
        fail(L, spot_where(L, sp, NULL, 0, where), "%s is a table with a "
             "metatable (a principle's tables are read as written: plain "
             "tables only)", what);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING)
            fail(L, spot_where(L, sp, NULL, 0, where), "%s fields must be "
                 "named (got a %s key)", what, luaL_typename(L, -1));
        for (f = fields; *f; f++)
            if (strcmp(*f, lua_tostring(L, -1)) == 0)
                break;
        if (*f == NULL) {
            const char *key = lua_tostring(L, -1);
            const char *known = fields_list(L, fields);

            fail(L, spot_where(L, sp, key, 0, where), "unknown field '%s' "
                 "in %s (known: %s)", key, what, known);
        }
    }
}

/* Field of the table at idx: nil or one of the types in mask. */
static int get_field(lua_State *L, int idx, const char *key, int t1, int t2,
                     const char *where, const spot *sp)
{
    int t = field(L, idx, key);

    if (t != LUA_TNIL && t != t1 && t != t2)
        fail(L, spot_where(L, sp, key, 0, where), "%s: field '%s' must be "
             "a %s%s%s (got %s)", sp->what, key,
             lua_typename(L, t1), t2 >= 0 ? " or a " : "",
             t2 >= 0 ? lua_typename(L, t2) : "", luaL_typename(L, -1));
    return t;
}

/* The table at idx, field `what` of sp's table, must be a sequence
 * 1..n; returns n. */
static lua_Integer check_array(lua_State *L, int idx, const char *where,
                               const char *what, const spot *sp)
{
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx);

    if (lua_getmetatable(L, idx))
        fail(L, spot_where(L, sp, what, 0, where), "%s is a table with a "
             "metatable (a principle's tables are read as written: plain "
             "tables only)", what);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 ||
            lua_tointeger(L, -1) > n)
            fail(L, spot_where(L, sp, what, 0, where), "%s must be a list "
                 "(found key '%s')", what, shown(L, -1));
    }
    return n;
}

/* "file:line: " of the first function field of the table at idx, or
 * the given fallback; pushed on the stack. */
static const char *item_where(lua_State *L, int idx, const char *fallback)
{
    static const char *const fns[] = {
        "done", "violated", "applies", "prompt", "fn", NULL
    };
    const char *const *f;
    lua_Debug ar;

    for (f = fns; *f; f++) {
        if (field(L, idx, *f) == LUA_TFUNCTION) {
            lua_getinfo(L, ">S", &ar);
            if (ar.source[0] == '@' && ar.linedefined > 0)
                return lua_pushfstring(L, "%s:%d: ", ar.source + 1,
                                       ar.linedefined);
            lua_pushstring(L, fallback);
            return lua_tostring(L, -1);
        }
        lua_pop(L, 1);
    }
    lua_pushstring(L, fallback);
    return lua_tostring(L, -1);
}

/* Field `what` of sp's table: a string or a list of them, each ok. */
static void check_strings(lua_State *L, int idx, const char *where,
                          const char *what, int (*ok)(const char *),
                          const spot *sp)
{
    lua_Integer i, n;

    if (lua_type(L, idx) == LUA_TSTRING) {
        if (ok && !ok(lua_tostring(L, idx)))
            fail(L, spot_where(L, sp, what, 0, where), "%s: '%s' is not a "
                 "valid name", what, lua_tostring(L, idx));
        return;
    }
    n = check_array(L, idx, where, what, sp);
    if (n == 0)
        fail(L, spot_where(L, sp, what, 0, where), "%s is an empty list",
             what);
    for (i = 1; i <= n; i++) {
        if (lua_rawgeti(L, idx, i) != LUA_TSTRING)
            fail(L, spot_where(L, sp, what, i, where), "%s must hold "
                 "strings (item %d is a %s)", what, (int)i,
                 luaL_typename(L, -1));
        if (ok && !ok(lua_tostring(L, -1)))
            fail(L, spot_where(L, sp, what, i, where), "%s: '%s' is not a "
                 "valid name", what, lua_tostring(L, -1));
        lua_pop(L, 1);
    }
}

/* Item pos of the principle at ps. */
static void check_item(lua_State *L, int item, int ids, lua_Integer pos,
                       const char *where, room *r, const spot *ps)
{
    spot is = spot_in(ps, "item", "items", (long)pos);
    const char *w, *id, *part;

    if (lua_type(L, item) != LUA_TTABLE)
        fail(L, spot_where(L, &is, NULL, 0, where), "item %d must be a "
             "table (got %s)", (int)pos, luaL_typename(L, item));
    /* The text is read again only for a mistake: never per item. */
    w = item_where(L, item, where);
    check_fields(L, item, pb__item_fields, w, &is);
    if (get_field(L, item, "id", LUA_TSTRING, -1, w, &is) == LUA_TNIL)
        fail(L, spot_where(L, &is, NULL, 0, w), "item %d has no id",
             (int)pos);
    id = lua_tostring(L, -1);
    part = lua_pushfstring(L, "item '%s'", id);
    charge(L, r, lua_rawlen(L, -2) + 1, part);
    if (!is_name(id))
        fail(L, spot_where(L, &is, "id", 0, w), "item id '%s' is not a "
             "name (letters, digits, _; at most %d)", id, MAX_NAME);
    if (field(L, ids, id) != LUA_TNIL)
        fail(L, spot_where(L, &is, "id", 0, w), "duplicate item id '%s'",
             id);
    lua_pop(L, 1);
    lua_pushinteger(L, pos);
    lua_setfield(L, ids, id);
    w = lua_pushfstring(L, "%sitem '%s': ", w, id);
    if (get_field(L, item, "prompt", LUA_TSTRING, LUA_TFUNCTION, w,
                  &is) == LUA_TSTRING)
        charge(L, r, lua_rawlen(L, -1) + 1, part);
    get_field(L, item, "must", LUA_TBOOLEAN, -1, w, &is);
    get_field(L, item, "later", LUA_TBOOLEAN, -1, w, &is);
    get_field(L, item, "applies", LUA_TFUNCTION, -1, w, &is);
    get_field(L, item, "done", LUA_TFUNCTION, -1, w, &is);
    get_field(L, item, "violated", LUA_TFUNCTION, -1, w, &is);
    if (get_field(L, item, "collects", LUA_TSTRING, -1, w, &is) !=
        LUA_TNIL) {
        charge(L, r, lua_rawlen(L, -1) + 1, part);
        if (!is_name(lua_tostring(L, -1)))
            fail(L, spot_where(L, &is, "collects", 0, w), "collects: '%s' "
                 "is not a fact name", lua_tostring(L, -1));
    }
    if (get_field(L, item, "after", LUA_TSTRING, LUA_TTABLE, w, &is) !=
        LUA_TNIL) {
        charge(L, r, entries(L, -1) * AFTER_ENTRY, part);
        check_strings(L, lua_gettop(L), w, "after", is_name, &is);
    }
}

/* Pushes the `after` of the item table at idx as a list (or nil). */
static void push_after(lua_State *L, int idx)
{
    if (field(L, idx, "after") == LUA_TSTRING) {
        lua_createtable(L, 1, 0);
        lua_insert(L, -2);
        lua_rawseti(L, -2, 1);
    }
}

/*
 * Every `after` names an item of the principle, and no chain of them
 * comes back to where it started.  The names are looked up once, into
 * positions, and the search for a cycle walks those: time linear in the
 * items and their after lists, and no C recursion however long a chain
 * is.  Works on the validated items at `items`, ids in `ids`.
 */
static void check_after(lua_State *L, int items, int ids, lua_Integer n,
                        const char *pw, const spot *ps)
{
    spot is;
    long entry;
    int top = lua_gettop(L);
    size_t *off, *adj, *stack, m = 0, i, k;
    unsigned char *col;

    off = lua_newuserdatauv(L, ((size_t)n + 2) * sizeof *off, 0);
    for (i = 1; i <= (size_t)n; i++) {
        lua_rawgeti(L, items, (lua_Integer)i);
        push_after(L, top + 2);
        off[i] = m;
        m += lua_istable(L, -1) ? lua_rawlen(L, -1) : 0;
        lua_settop(L, top + 1);
    }
    off[n + 1] = m;
    adj = lua_newuserdatauv(L, (m ? m : 1) * sizeof *adj, 0); /* top+2 */
    for (i = 1; i <= (size_t)n; i++) {
        lua_rawgeti(L, items, (lua_Integer)i);               /* top+3 */
        push_after(L, top + 3);                              /* top+4 */
        for (k = off[i]; k < off[i + 1]; k++) {
            lua_rawgeti(L, top + 4, (lua_Integer)(k - off[i] + 1));
            if (field(L, ids, lua_tostring(L, top + 5)) ==
                LUA_TNIL) {
                field(L, top + 3, "id");              /* top+7 */
                /* the entry of a list, or the field for a string */
                entry = field(L, top + 3, "after") == LUA_TTABLE
                            ? (long)(k - off[i] + 1) : 0;
                lua_pop(L, 1);
                is = spot_in(ps, "item", "items", (long)i);
                fail(L, spot_where(L, &is, "after", entry,
                                   item_where(L, top + 3, pw)),
                     "item '%s': after names unknown item '%s'",
                     lua_tostring(L, top + 7), lua_tostring(L, top + 5));
            }
            adj[k] = (size_t)lua_tointeger(L, -1);
            lua_settop(L, top + 4);
        }
        lua_settop(L, top + 2);
    }
    /* Depth first, with the path on a stack of (item, next entry):
     * colour 1 = on the path, 2 = finished. */
    col = lua_newuserdatauv(L, (size_t)n + 1, 0);
    memset(col, 0, (size_t)n + 1);
    stack = lua_newuserdatauv(L, ((size_t)n + 1) * 2 * sizeof *stack, 0);
    for (i = 1; i <= (size_t)n; i++) {
        size_t sp = 1, hit = 0;

        if (col[i] != 0)
            continue;
        col[i] = 1;
        stack[0] = i;
        stack[1] = off[i];
        while (sp > 0 && hit == 0) {
            size_t v = stack[2 * (sp - 1)], *next = &stack[2 * sp - 1];

            if (*next == off[v + 1]) {
                col[v] = 2;
                sp--;
            } else if (col[adj[*next]] == 1) {
                hit = adj[*next];
            } else if (col[adj[*next]] == 0) {
                size_t j = adj[(*next)++];

                col[j] = 1;
                stack[2 * sp] = j;
                stack[2 * sp + 1] = off[j];
                sp++;
            } else {
                (*next)++;
            }
        }
        if (hit != 0) {
            int it;

            lua_rawgeti(L, items, (lua_Integer)hit);
            it = lua_gettop(L);
            field(L, it, "id");
            is = spot_in(ps, "item", "items", (long)hit);
            fail(L, spot_where(L, &is, "after", 0, item_where(L, it, pw)),
                 "item '%s': a cycle in after leads back to it",
                 lua_tostring(L, it + 1));
        }
    }
    lua_settop(L, top);
}


/* "file:line: detector N: " for a detector found in the source at line
 * (else the fallback, already that), pushed. */
static const char *at_line(lua_State *L, const vctx *vc, int line,
                           lua_Integer pos, const char *fallback)
{
    if (vc == NULL || vc->file == NULL || line <= 0)
        return lua_pushstring(L, fallback);
    return lua_pushfstring(L, "%s:%d: detector %d: ", vc->file, line,
                           (int)pos);
}

/* The line of a string of the detector, else of `key =`, else
 * fallback_line. */
static int value_line(const pb__source *src, const char *key,
                      const char *value, int fallback_line)
{
    int line = value ? pb__source_string(src, value) : 0;

    if (line == 0)
        line = pb__source_key(src, key);
    return line > 0 ? line : fallback_line;
}

/* A phrase or an example as an error quotes it: at most 60 bytes, cut
 * on a whole character, "..." after what is left out; pushed. */
static const char *quoted(lua_State *L, const char *s, size_t len)
{
    size_t n = len > 60 ? pb__utf8_cut(s, 60) : len;

    return lua_pushfstring(L, "%s%s", lua_pushlstring(L, s, n),
                           n < len ? "..." : "");
}

/* Runs compile-like work under the budget of principle{}, if any:
 * raises once it is spent. */
static size_t work_left(const room *r)
{
    return r->budget ? pb__textlib_left(r->budget) : (size_t)-1;
}

static void work_spent(lua_State *L, room *r, size_t before, size_t left,
                       int ran_out)
{
    if (r->budget == NULL)
        return;
    if (ran_out || pb__textlib_spend(r->budget, before, left) != 0)
        luaL_error(L, "instruction budget exceeded (%I instructions)",
                   (lua_Integer)r->budget->limit);
}

/* Estimated C memory of a phrase or an example, checked before the copy
 * measures it exactly. */
#define PHRASE_ENTRY (sizeof(void *) + 64)

/* Checks `words` (a phrase or a list of them, each a string or
 * { "phrase", need = N }) and `gap`: 1 when there are words. */
static int check_words(lua_State *L, int d, lua_Integer pos, const char *w,
                       room *r, const vctx *vc, const pb__source *src,
                       int dline, const char *part, const spot *ds)
{
    int t = get_field(L, d, "words", LUA_TSTRING, LUA_TTABLE, w, ds);
    int top = lua_gettop(L), words = top, k;
    lua_Integer i, n = 1;

    if (field(L, d, "gap") != LUA_TNIL) {
        int gap = lua_gettop(L);
        const char *at = at_line(L, vc, value_line(src, "gap", NULL, dline),
                                 pos, w);

        if (t == LUA_TNIL)
            fail(L, at, "gap needs words");
        if (!lua_isinteger(L, gap) || lua_tointeger(L, gap) < 0 ||
            lua_tointeger(L, gap) > PB__GAP_MAX)
            fail(L, at, "gap must be a whole number from 0 to %d (got %s)",
                 PB__GAP_MAX, shown(L, gap));
    }
    lua_settop(L, top);
    if (t == LUA_TNIL)
        return 0;
    if (t == LUA_TTABLE) {
        n = check_array(L, words, at_line(L, vc, value_line(src, "words",
                                                             NULL, dline),
                                          pos, w), "words", NULL);
        if (n == 0)
            fail(L, lua_tostring(L, -1), "words is an empty list");
        lua_settop(L, top);
    }
    r->nphrases += (size_t)n;
    if (r->nphrases > PB__MAX_PHRASES)
        fail(L, at_line(L, vc, value_line(src, "words", NULL, dline), pos,
                        w), "more than %d phrases in this principle's "
             "words", PB__MAX_PHRASES);
    for (i = 1; i <= n; i++) {
        const char *s, *why = NULL;
        size_t len, bytes = 0, before, left;
        lua_Integer need = 0;
        pb__phrase *ph = NULL;
        pb__lexicon lx;

        if (t == LUA_TSTRING)
            lua_pushvalue(L, words);
        else
            lua_rawgeti(L, words, i);
        k = lua_gettop(L);
        if (lua_type(L, k) == LUA_TTABLE) {
            if (lua_getmetatable(L, k))
                fail(L, at_line(L, vc, value_line(src, "words", NULL, dline),
                                pos, w), "words: phrase %d is a table with "
                     "a metatable (a principle's tables are read as "
                     "written: plain tables only)", (int)i);
            lua_pushnil(L);
            while (lua_next(L, k)) {
                lua_pop(L, 1);
                if (!(lua_isinteger(L, -1) && lua_tointeger(L, -1) == 1) &&
                    !(lua_type(L, -1) == LUA_TSTRING &&
                      strcmp(lua_tostring(L, -1), "need") == 0)) {
                    const char *key = shown(L, -1);

                    fail(L, at_line(L, vc, value_line(src, "words", NULL,
                                                      dline), pos, w),
                         "words: phrase %d: a table holds the phrase and "
                         "need only (found key '%s')", (int)i, key);
                }
            }
            if (field(L, k, "need") != LUA_TNIL &&
                (!lua_isinteger(L, -1) || (need = lua_tointeger(L, -1)) < 1)) {
                const char *got = shown(L, -1);

                fail(L, at_line(L, vc, value_line(src, "need", NULL, dline),
                                pos, w), "words: phrase %d: need must be a "
                     "whole number, 1 or more (got %s)", (int)i, got);
            }
            lua_rawgeti(L, k, 1);
            lua_replace(L, k);
            lua_settop(L, k);
        }
        if (lua_type(L, k) != LUA_TSTRING)
            fail(L, at_line(L, vc, value_line(src, "words", NULL, dline),
                            pos, w), "words: phrase %d must be a string or "
                 "{ \"phrase\", need = N } (got %s)", (int)i,
                 luaL_typename(L, k));
        s = lua_tolstring(L, k, &len);
        charge(L, r, PHRASE_ENTRY + len, part);
        if (vc == NULL || vc->kit == NULL) {
            lua_settop(L, top);
            continue;
        }
        /* Compiled to be checked, in a lexicon of its own, freed before
         * anything can raise. */
        pb__lexicon_init(&lx, NULL);
        before = left = work_left(r);
        if (need > PB__PHRASE_MAX_WORDS)
            why = "needs more words than it has";
        else if (pb__phrase_compile(vc->kit->st, &lx, s, len,
                                    (unsigned)need, &left, &ph, &why) == 0)
            bytes = pb__phrase_bytes(ph);
        pb__phrase_free(ph);
        pb__lexicon_free(&lx);
        work_spent(L, r, before, left, left == 0);
        if (why != NULL) {
            const char *more = need > 0 && strstr(why, "more words")
                                   ? lua_pushfstring(L, " (need = %d)",
                                                     (int)need)
                                   : "";

            fail(L, at_line(L, vc, value_line(src, "words", s, dline), pos,
                            w), "words: phrase %d ('%s') %s%s", (int)i,
                 quoted(L, s, len), why, more);
        }
        charge(L, r, bytes, part);
        lua_settop(L, top);
    }
    return 1;
}

/* Checks `examples` (a non-empty list of utterances) and `threshold`:
 * 1 when there are examples. */
static int check_examples(lua_State *L, int d, lua_Integer pos,
                          const char *w, room *r, const vctx *vc,
                          const pb__source *src, int dline, const char *part,
                          const spot *ds)
{
    int t = get_field(L, d, "examples", LUA_TTABLE, -1, w, ds);
    int top = lua_gettop(L), list = top;
    lua_Integer i, n;
    pb__words words;

    if (field(L, d, "threshold") != LUA_TNIL) {
        int th = lua_gettop(L);
        const char *at = at_line(L, vc, value_line(src, "threshold", NULL,
                                                   dline), pos, w);
        double v = lua_tonumber(L, th);

        if (t == LUA_TNIL)
            fail(L, at, "threshold needs examples");
        if (lua_type(L, th) != LUA_TNUMBER || !(v >= 0 && v <= 1))
            fail(L, at, "threshold must be a number from 0 to 1 (got %s)",
                 shown(L, th));
    }
    lua_settop(L, top);
    if (t == LUA_TNIL)
        return 0;
    n = check_array(L, list, at_line(L, vc, value_line(src, "examples",
                                                       NULL, dline),
                                     pos, w), "examples", NULL);
    if (n == 0)
        fail(L, lua_tostring(L, -1), "examples is an empty list");
    lua_settop(L, top);
    r->nexamples += (size_t)n;
    if (r->nexamples > PB__MAX_EXAMPLES)
        fail(L, at_line(L, vc, value_line(src, "examples", NULL, dline), pos,
                        w), "more than %d examples in this principle",
             PB__MAX_EXAMPLES);
    for (i = 1; i <= n; i++) {
        const char *s, *why = NULL;
        size_t len, before, left, terms = 0;
        pb__doc doc = { 0 };
        pb__lexicon lx;
        int rc = 0;

        if (lua_rawgeti(L, list, i) != LUA_TSTRING) {
            const char *type = luaL_typename(L, -1);

            fail(L, at_line(L, vc, value_line(src, "examples", NULL, dline),
                            pos, w), "examples: example %d must be a string "
                 "(got %s)", (int)i, type);
        }
        s = lua_tolstring(L, -1, &len);
        if (len == 0)
            fail(L, at_line(L, vc, value_line(src, "examples", s, dline),
                            pos, w), "examples: example %d is empty",
                 (int)i);
        if (len > PB__EXAMPLE_MAX_BYTES)
            fail(L, at_line(L, vc, value_line(src, "examples", NULL, dline),
                            pos, w), "examples: example %d is longer than "
                 "%d bytes", (int)i, PB__EXAMPLE_MAX_BYTES);
        charge(L, r, sizeof(char *) + sizeof doc + len + 1, part);
        if (vc == NULL || vc->kit == NULL) {
            lua_settop(L, top);
            continue;
        }
        pb__lexicon_init(&lx, NULL);
        pb__words_init(&words);
        before = left = work_left(r);
        rc = pb__words_make(&words, vc->kit->st, &lx, 1, s, len, &left);
        if (rc == 0)
            rc = pb__doc_make(&doc, &words, 0, words.n, &lx, 1, &left);
        terms = doc.n;
        pb__doc_free(&doc);
        pb__words_free(&words);
        pb__lexicon_free(&lx);
        work_spent(L, r, before, left, rc == PB__WORDS_BUDGET);
        if (rc == PB__WORDS_NOMEM)
            luaL_error(L, "out of memory");
        if (terms == 0)
            why = "has no words to compare (only punctuation or function "
                  "words)";
        if (why != NULL)
            fail(L, at_line(L, vc, value_line(src, "examples", s, dline),
                            pos, w), "examples: example %d ('%s') %s",
                 (int)i, quoted(L, s, len), why);
        charge(L, r, 2 * terms * (sizeof(uint32_t) + 2 * sizeof(double)),
               part);
        lua_settop(L, top);
    }
    return 1;
}

/* A detector's field naming an event type (emit, after, unless): 1 when
 * it is there and one, 0 when it is not there; raises when it is not a
 * type. */
static int type_field(lua_State *L, int d, const char *field,
                      const char *w, room *r, const char *part,
                      const spot *ds)
{
    if (get_field(L, d, field, LUA_TSTRING, -1, w, ds) == LUA_TNIL)
        return 0;
    charge(L, r, lua_rawlen(L, -1) + 1, part);
    if (!pb__is_type(lua_tostring(L, -1)))
        fail(L, spot_where(L, ds, field, 0, w), "%s: '%s' is not an event "
             "type", field, lua_tostring(L, -1));
    return 1;
}

/* has_prev: an earlier detector emits, so `within` may count from it. */
static void check_detector(lua_State *L, int d, lua_Integer pos,
                           const char *where, int has_prev, room *r,
                           const vctx *vc, pb__source *src, const spot *ps)
{
    spot ds = spot_in(ps, "detector", "detect", (long)pos);
    const char *w, *part, *on;
    int has_fn, dline = 0, guards = 0;

    if (lua_type(L, d) == LUA_TFUNCTION)
        return;
    if (lua_type(L, d) != LUA_TTABLE)
        fail(L, spot_where(L, &ds, NULL, 0, where), "detector %d must be a "
             "table or a function (got %s)", (int)pos, luaL_typename(L, d));
    part = lua_pushfstring(L, "detector %d", (int)pos);
    w = item_where(L, d, where);
    w = lua_pushfstring(L, "%sdetector %d: ", w, (int)pos);
    check_fields(L, d, pb__detector_fields, w, &ds);
    if (get_field(L, d, "on", LUA_TSTRING, -1, w, &ds) == LUA_TNIL)
        fail(L, spot_where(L, &ds, NULL, 0, w), "'on' (the event type to "
             "watch) is missing");
    on = lua_tostring(L, -1);             /* stays on the stack */
    charge(L, r, lua_rawlen(L, -1) + 1, part);
    /* A detector's own line, where it says what it watches. */
    dline = pb__source_field(src, "on", on);
    has_fn = field(L, d, "fn") == LUA_TFUNCTION;
    lua_pop(L, 1);
    if (!has_fn)
        w = at_line(L, vc, dline, pos, w);
    if (!pb__is_type(on))
        fail(L, w, "on: '%s' is not an event type", on);
    if (get_field(L, d, "fn", LUA_TFUNCTION, -1, w, &ds) !=
        LUA_TNIL && field(L, d, "emit") != LUA_TNIL)
        fail(L, spot_where(L, &ds, "emit", 0, w), "give either fn or emit, "
             "not both");
    type_field(L, d, "unless", w, r, part, &ds);
    /* Patterns, words and examples say what it is about; on a function
     * they are its guard: it runs only where one of them matches. */
    if (get_field(L, d, "pattern", LUA_TSTRING, LUA_TTABLE, w,
                  &ds) != LUA_TNIL) {
        charge(L, r, entries(L, -1) * PATTERN_ENTRY, part);
        check_strings(L, lua_gettop(L), w, "pattern", NULL, &ds);
        guards++;
    }
    guards += check_words(L, d, pos, w, r, vc, src, dline, part, &ds);
    guards += check_examples(L, d, pos, w, r, vc, src, dline, part, &ds);
    if (get_field(L, d, "within", LUA_TNUMBER, -1, w, &ds) !=
        LUA_TNIL) {
        if (!(lua_tonumber(L, -1) > 0))
            fail(L, spot_where(L, &ds, "within", 0, w), "within must be a "
                 "positive number of seconds");
        if (!has_prev && field(L, d, "after") == LUA_TNIL)
            fail(L, spot_where(L, &ds, "within", 0, w), "within needs after "
                 "(the event type it counts from)");
    }
    type_field(L, d, "after", w, r, part, &ds);
    if (has_fn)
        return;
    if (guards == 0)
        fail(L, spot_where(L, &ds, NULL, 0, w), "needs a pattern, words or "
             "examples (or a fn)");
    if (!type_field(L, d, "emit", w, r, part, &ds))
        fail(L, spot_where(L, &ds, NULL, 0, w), "needs emit (the event type "
             "to add)");
}

/* validate(table, where, left[, budget[, vctx]]): raises "file:line:
 * message" on the first mistake, or when the principle would take more
 * than `left` bytes of the engine's C memory; charges its work to the
 * budget (a light userdata) when given one; returns the table. */
static int validate(lua_State *L)
{
    const char *where = luaL_checkstring(L, 2), *pw;
    room r = { (size_t)luaL_checkinteger(L, 3), 0, where, NULL,
               lua_touserdata(L, 4), 0, 0 };
    const vctx *vc = lua_touserdata(L, 5);
    spot ps = { "principle", NULL, 0, {{NULL, 0}, {NULL, 0}}, 0 };
    pb__source src;
    lua_Integer i, n;
    int items, ids;

    lua_settop(L, 5);
    pb__source_init(&src, vc ? vc->src : NULL, vc ? vc->len : 0);
    /* where is "file:line: ", line that of the principle{} call */
    if (vc != NULL && vc->file != NULL &&
        strncmp(where, vc->file, strlen(vc->file)) == 0 &&
        where[strlen(vc->file)] == ':') {
        ps.vc = vc;
        ps.line = atoi(where + strlen(vc->file) + 1);
    }
    if (lua_type(L, 1) != LUA_TTABLE)
        fail(L, where, "principle expects a table (got %s)",
             luaL_typename(L, 1));
    check_fields(L, 1, pb__principle_fields, where, &ps);
    if (get_field(L, 1, "id", LUA_TSTRING, -1, where, &ps) ==
        LUA_TNIL)
        fail(L, where, "principle has no id");
    if (!is_name(lua_tostring(L, -1)))
        fail(L, spot_where(L, &ps, "id", 0, where), "principle id '%s' is "
             "not a name (letters, digits, _; at most %d)",
             lua_tostring(L, -1), MAX_NAME);
    r.id = lua_tostring(L, -1);
    charge(L, &r, lua_rawlen(L, -1) + 1, "its id");
    pw = lua_pushfstring(L, "%sprinciple '%s': ", where, lua_tostring(L, -1));
    if (get_field(L, 1, "title", LUA_TSTRING, -1, pw, &ps) ==
        LUA_TSTRING)
        charge(L, &r, lua_rawlen(L, -1) + 1, "its title");
    if (get_field(L, 1, "why", LUA_TSTRING, -1, pw, &ps) ==
        LUA_TSTRING)
        charge(L, &r, lua_rawlen(L, -1) + 1, "its why");
    if (get_field(L, 1, "order", LUA_TNUMBER, -1, pw, &ps) ==
            LUA_TNUMBER && lua_tonumber(L, -1) != lua_tonumber(L, -1))
        fail(L, spot_where(L, &ps, "order", 0, pw), "order must be a "
             "number (got NaN)");
    get_field(L, 1, "applies", LUA_TFUNCTION, -1, pw, &ps);
    if (get_field(L, 1, "items", LUA_TTABLE, -1, pw, &ps) ==
        LUA_TNIL)
        fail(L, pw, "principle has no items");
    items = lua_gettop(L);
    n = check_array(L, items, pw, "items", &ps);
    if (n == 0)
        fail(L, spot_where(L, &ps, "items", 0, pw), "items is empty");
    lua_newtable(L);
    ids = lua_gettop(L);
    for (i = 1; i <= n; i++) {
        lua_rawgeti(L, items, i);
        check_item(L, lua_gettop(L), ids, i, pw, &r, &ps);
        lua_settop(L, ids);
    }
    check_after(L, items, ids, n, pw, &ps);
    if (get_field(L, 1, "detect", LUA_TTABLE, -1, pw, &ps) !=
        LUA_TNIL) {
        int det = lua_gettop(L), emits = 0;

        n = check_array(L, det, pw, "detect", &ps);
        for (i = 1; i <= n; i++) {
            lua_rawgeti(L, det, i);
            check_detector(L, det + 1, i, pw, emits, &r, vc, &src, &ps);
            emits |= lua_istable(L, det + 1) &&
                     field(L, det + 1, "emit") == LUA_TSTRING;
            lua_settop(L, det);
        }
    }
    lua_settop(L, 1);
    return 1;
}

/* principle{...} as team leads call it: errors point at the call, and the
 * call's line becomes the principle's line.  The line goes to a userdata
 * of Lua's, not into the loader's frame: the function stays in the file's
 * globals, and a predicate may call it long after the load returned. */
typedef struct call_info {
    int line;           /* of the principle{} call */
    size_t left;        /* the engine's C memory left when the load began */
    pb__budget *budget; /* the sandbox's, which outlives the call */
    vctx vc;            /* the file's name and text only while it loads */
} call_info;

static int principle_fn(lua_State *L)
{
    call_info *ci = lua_touserdata(L, lua_upvalueindex(1));
    lua_Debug ar;

    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "l", &ar))
        ci->line = ar.currentline;
    lua_settop(L, 1);
    lua_pushcfunction(L, validate);
    lua_insert(L, 1);
    luaL_where(L, 1);
    lua_pushliteral(L, " ");
    lua_concat(L, 2);
    lua_pushinteger(L, (lua_Integer)ci->left);
    lua_pushlightuserdata(L, ci->budget);
    lua_pushlightuserdata(L, &ci->vc);
    lua_call(L, 5, 1);
    return 1;
}

/* Copying into C: every allocation is taken from the room validate
 * measured, now exactly. */

typedef struct build_ctx {
    pb__sandbox *sb;
    const char *name, *path, *src; /* the file as shown, as read */
    size_t len;
    int last_line;
    unsigned account;  /* the sandbox account the file is charged to */
    pb__principle *p;
    room r;
    const char *part;  /* what is being copied, for the budget message */
    pb__textkit *kit;
    vctx vc;           /* the file's name, text and kit, for validate */
    pb__source source; /* the detectors' lines */
} build_ctx;

/* What the engine's own tables add per item, principle or event type:
 * a pointer in a list and at most four slots of an index. */
#define TABLE_ENTRY (sizeof(void *) + 4 * sizeof(size_t))

/* calloc of n elements, taken from the principle's room. */
static void *take(lua_State *L, build_ctx *bc, size_t n, size_t size)
{
    void *p;

    if (n == 0)
        n = 1;
    charge(L, &bc->r, size && n > (size_t)-1 / size ? (size_t)-1 : n * size,
           bc->part);
    if ((p = calloc(n, size)) == NULL)
        luaL_error(L, "out of memory");
    return p;
}

static char *take_str(lua_State *L, build_ctx *bc, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = take(L, bc, n, 1);

    memcpy(d, s, n);
    return d;
}

static char *dup_field(lua_State *L, build_ctx *bc, int idx,
                       const char *key)
{
    char *s = NULL;

    if (field(L, idx, key) == LUA_TSTRING)
        s = take_str(L, bc, lua_tostring(L, -1));
    lua_pop(L, 1);
    return s;
}

static int ref_field(lua_State *L, int idx, const char *key)
{
    if (field(L, idx, key) != LUA_TFUNCTION) {
        lua_pop(L, 1);
        return LUA_NOREF;
    }
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

/* String or list of strings at idx -> a malloc'd array in *out. */
static void dup_strings(lua_State *L, build_ctx *bc, int idx, char ***out,
                        size_t *count)
{
    size_t i, n;
    char **v;

    idx = lua_absindex(L, idx);
    n = entries(L, idx);
    /* Stored before filling: an error halfway leaves it for the free. */
    *out = v = take(L, bc, n, sizeof *v);
    *count = n;
    for (i = 0; i < n; i++) {
        if (lua_type(L, idx) == LUA_TSTRING)
            lua_pushvalue(L, idx);
        else
            lua_rawgeti(L, idx, (lua_Integer)i + 1);
        v[i] = take_str(L, bc, lua_tostring(L, -1));
        lua_pop(L, 1);
    }
}
/* The line a function at idx was defined on, or fallback. */
static int fn_line(lua_State *L, int idx, int fallback)
{
    lua_Debug ar;

    lua_pushvalue(L, idx);
    if (lua_getinfo(L, ">S", &ar) && ar.linedefined > 0)
        return ar.linedefined;
    return fallback;
}

/* The line of the first function field of the table at idx. */
static int line_of(lua_State *L, int idx, int fallback)
{
    const char *w = item_where(L, idx, "");
    const char *colon = strrchr(w, ':');
    int line = fallback;

    /* "file:line: " -> line */
    if (colon && colon > w) {
        const char *p = colon - 1;

        while (p > w && p[-1] >= '0' && p[-1] <= '9')
            p--;
        if (p < colon)
            line = (int)strtol(p, NULL, 10);
    }
    lua_pop(L, 1);
    return line;
}

/* "Ask for the order id." for a collects item, else "Hear out." */
static char *default_prompt(lua_State *L, build_ctx *bc, const pb__item *it)
{
    const char *src = it->collects ? it->collects : it->id;
    char *s, *w;

    lua_pushfstring(L, it->collects ? "Ask for the %s." : "%s.", src);
    s = take_str(L, bc, lua_tostring(L, -1));
    lua_pop(L, 1);
    for (w = s; *w; w++)
        if (*w == '_')
            *w = ' ';
    if (s[0] >= 'a' && s[0] <= 'z')
        s[0] = (char)(s[0] - 'a' + 'A');
    return s;
}

static void build_items(lua_State *L, build_ctx *bc, int items)
{
    pb__principle *p = bc->p;
    size_t i, k, plen = strlen(p->id);
    int ids;

    p->nitems = lua_rawlen(L, items);
    p->items = take(L, bc, p->nitems, sizeof *p->items + TABLE_ENTRY);
    for (i = 0; i < p->nitems; i++) {
        pb__item *it = &p->items[i];

        it->prompt_ref = it->applies_ref = LUA_NOREF;
        it->done_ref = it->violated_ref = LUA_NOREF;
    }
    lua_newtable(L);                            /* id -> position */
    ids = lua_gettop(L);
    for (i = 0; i < p->nitems; i++) {
        pb__item *it = &p->items[i];

        lua_rawgeti(L, items, (lua_Integer)i + 1);
        field(L, -1, "id");
        bc->part = lua_pushfstring(L, "item '%s'", lua_tostring(L, -1));
        lua_pushinteger(L, (lua_Integer)i);
        lua_setfield(L, ids, lua_tostring(L, -3));
        lua_replace(L, -2);                     /* [item part] */
        it->id = dup_field(L, bc, -2, "id");
        it->ref = take(L, bc, plen + strlen(it->id) + 2, 1);
        memcpy(it->ref, p->id, plen);
        it->ref[plen] = '.';
        memcpy(it->ref + plen + 1, it->id, strlen(it->id) + 1);
        it->collects = dup_field(L, bc, -2, "collects");
        it->prompt = dup_field(L, bc, -2, "prompt");
        it->prompt_ref = ref_field(L, -2, "prompt");
        if (it->prompt == NULL && it->prompt_ref == LUA_NOREF)
            it->prompt = default_prompt(L, bc, it);
        it->applies_ref = ref_field(L, -2, "applies");
        it->done_ref = ref_field(L, -2, "done");
        it->violated_ref = ref_field(L, -2, "violated");
        field(L, -2, "must");
        it->must = lua_toboolean(L, -1);
        field(L, -3, "later");
        it->later = lua_toboolean(L, -1);
        lua_pop(L, 2);
        it->line = line_of(L, -2, p->line);
        if (field(L, -2, "after") != LUA_TNIL) {
            it->nafter = entries(L, -1);
            it->after = take(L, bc, it->nafter, sizeof *it->after);
            it->after_idx = take(L, bc, it->nafter, sizeof *it->after_idx);
        }
        lua_pop(L, 3);
    }
    /* after may name an item defined later: resolve once all are in,
     * through the ids, and name them by the items' own ids. */
    for (i = 0; i < p->nitems; i++) {
        pb__item *it = &p->items[i];

        if (it->nafter == 0)
            continue;
        lua_rawgeti(L, items, (lua_Integer)i + 1);
        field(L, -1, "after");
        for (k = 0; k < it->nafter; k++) {
            if (lua_type(L, -1) == LUA_TSTRING)
                lua_pushvalue(L, -1);
            else
                lua_rawgeti(L, -1, (lua_Integer)k + 1);
            lua_rawget(L, ids);
            it->after_idx[k] = (size_t)lua_tointeger(L, -1);
            it->after[k] = p->items[it->after_idx[k]].id;
            lua_pop(L, 1);
        }
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
}

/* Detectors match case-insensitively, mostly plain phrases: those are
 * kept lowercased so one lowercased copy of the text serves them all. */
static void fold_plain(lua_State *L, build_ctx *bc, pb__detector *d)
{
    size_t i;
    char *c;

    d->folded = take(L, bc, d->npatterns, sizeof *d->folded);
    for (i = 0; i < d->npatterns; i++) {
        if (!pb__pattern_is_plain(d->patterns[i], strlen(d->patterns[i])))
            continue;
        d->folded[i] = take_str(L, bc, d->patterns[i]);
        for (c = d->folded[i]; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
    }
}

/* The engine interns a detector's event types: a copy each, at most. */
static void take_type(lua_State *L, build_ctx *bc, const char *type)
{
    if (type != NULL)
        charge(L, &bc->r, strlen(type) + 1 + TABLE_ENTRY, bc->part);
}

/* Compiles a phrase into the engine's lexicon; its memory is the
 * principle's. */
static pb__phrase *take_phrase(lua_State *L, build_ctx *bc, const char *s,
                               size_t len, unsigned need)
{
    pb__phrase *ph;
    const char *why;

    if (pb__phrase_compile(bc->kit->st, &bc->kit->lex, s, len, need, NULL,
                           &ph, &why) != 0)
        luaL_error(L, "out of memory");    /* validate checked the rest */
    /* Charged once it is stored, so that a raise cannot leak it. */
    return ph;
}

/* The `words` of the detector table at -1, and its gap. */
static void build_words(lua_State *L, build_ctx *bc, pb__detector *d)
{
    size_t i, n;
    int t = field(L, -1, "words");

    d->gap = PB__GAP_DEFAULT;
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    n = entries(L, -1);
    d->phrases = take(L, bc, n, sizeof *d->phrases);
    for (i = 0; i < n; i++) {
        unsigned need = 0;
        size_t len;
        const char *s;

        if (t == LUA_TSTRING)
            lua_pushvalue(L, -1);
        else
            lua_rawgeti(L, -1, (lua_Integer)i + 1);
        if (lua_type(L, -1) == LUA_TTABLE) {
            if (field(L, -1, "need") == LUA_TNUMBER)
                need = (unsigned)lua_tointeger(L, -1);
            lua_pop(L, 1);
            lua_rawgeti(L, -1, 1);
            lua_replace(L, -2);
        }
        s = lua_tolstring(L, -1, &len);
        d->phrases[i] = take_phrase(L, bc, s, len, need);
        d->nphrases = i + 1;
        charge(L, &bc->r, pb__phrase_bytes(d->phrases[i]), bc->part);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if ((d->pidx = pb__phraseidx_new(d->phrases, d->nphrases)) == NULL)
        luaL_error(L, "out of memory");
    charge(L, &bc->r, pb__phraseidx_bytes(d->pidx), bc->part);
    if (field(L, -1, "gap") == LUA_TNUMBER)
        d->gap = (unsigned)lua_tointeger(L, -1);
    lua_pop(L, 1);
}

/* The `examples` of the detector table at -1, and its threshold: each
 * example's terms go into the engine's lexicon; their weights come once
 * every principle is in (pb__engine_index_detectors). */
static void build_examples(lua_State *L, build_ctx *bc, pb__detector *d)
{
    size_t i, n;
    pb__words w;
    int r = 0;

    d->threshold = PB__THRESHOLD_DEFAULT;
    if (field(L, -1, "examples") != LUA_TTABLE) {
        lua_pop(L, 1);
        return;
    }
    n = lua_rawlen(L, -1);
    d->examples = take(L, bc, n, sizeof *d->examples);
    d->docs = take(L, bc, n, sizeof *d->docs);
    d->nexamples = n;
    for (i = 0; i < n; i++) {                   /* may raise */
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        d->examples[i] = take_str(L, bc, lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    /* Nothing here raises while the words are held. */
    pb__words_init(&w);
    for (i = 0; i < n && r == 0; i++) {
        r = pb__words_make(&w, bc->kit->st, &bc->kit->lex, 1,
                           d->examples[i], strlen(d->examples[i]), NULL);
        if (r == 0)
            r = pb__doc_make(&d->docs[i], &w, 0, w.n, &bc->kit->lex, 1,
                             NULL);
        pb__doc_compact(&d->docs[i]);
    }
    pb__words_free(&w);
    if (r != 0)
        luaL_error(L, "out of memory");
    for (i = 0; i < n; i++)
        charge(L, &bc->r, pb__doc_bytes(&d->docs[i]), bc->part);
    lua_pop(L, 1);
    if (field(L, -1, "threshold") == LUA_TNUMBER)
        d->threshold = lua_tonumber(L, -1);
    lua_pop(L, 1);
}

static void build_detectors(lua_State *L, build_ctx *bc, int det)
{
    pb__principle *p = bc->p;
    const char *prev_emit = NULL;
    size_t i;
    int line;

    p->ndetectors = lua_rawlen(L, det);
    p->detectors = take(L, bc, p->ndetectors, sizeof *p->detectors);
    for (i = 0; i < p->ndetectors; i++)
        p->detectors[i].fn_ref = LUA_NOREF;
    for (i = 0; i < p->ndetectors; i++) {
        pb__detector *d = &p->detectors[i];

        bc->part = lua_pushfstring(L, "detector %d", (int)i + 1);
        lua_rawgeti(L, det, (lua_Integer)i + 1);
        d->on_type = d->after_type = d->emit_type = d->unless_type = -1;
        if (lua_type(L, -1) == LUA_TFUNCTION) {
            lua_pushvalue(L, -1);
            d->fn_ref = luaL_ref(L, LUA_REGISTRYINDEX);
            d->line = fn_line(L, -1, p->line);
            lua_pop(L, 2);
            continue;
        }
        d->on = dup_field(L, bc, -1, "on");
        d->emit = dup_field(L, bc, -1, "emit");
        d->after = dup_field(L, bc, -1, "after");
        d->unless = dup_field(L, bc, -1, "unless");
        d->fn_ref = ref_field(L, -1, "fn");
        d->line = line_of(L, -1, p->line);
        /* A table of strings has no line in Lua: its `on` in the text. */
        line = pb__source_field(&bc->source, "on", d->on);
        if (d->fn_ref == LUA_NOREF && line > 0)
            d->line = line;
        if (field(L, -1, "pattern") != LUA_TNIL) {
            dup_strings(L, bc, -1, &d->patterns, &d->npatterns);
            fold_plain(L, bc, d);
        }
        lua_pop(L, 1);
        build_words(L, bc, d);
        build_examples(L, bc, d);
        field(L, -1, "within");
        d->within = lua_tonumber(L, -1);
        lua_pop(L, 1);
        /* within with no after counts from the previous pattern
         * detector's event: "a confirmation within 30 s of a
         * restatement". */
        if (d->within > 0 && d->after == NULL && prev_emit)
            d->after = take_str(L, bc, prev_emit);
        if (d->emit)
            prev_emit = d->emit;
        take_type(L, bc, d->on);
        take_type(L, bc, d->emit);
        take_type(L, bc, d->after);
        take_type(L, bc, d->unless);
        lua_pop(L, 2);
    }
}

static int count_lines(const char *s, size_t len)
{
    int n = 1;
    size_t i;

    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' ' ||
                       s[len - 1] == '\t' || s[len - 1] == '\r'))
        len--;
    for (i = 0; i < len; i++)
        n += s[i] == '\n';
    return n;
}

static int load_protected(lua_State *L)
{
    build_ctx *bc = lua_touserdata(L, 1);
    pb__sandbox *sb = bc->sb;
    call_info *ci;
    int env, tbl, *loading;

    lua_settop(L, 0);
    lua_newtable(L);                                /* [extra] */
    ci = lua_newuserdatauv(L, sizeof *ci, 0);       /* [extra info] */
    ci->line = 0;
    ci->left = bc->r.left;
    ci->budget = pb__sandbox_budget(sb);
    ci->vc.file = bc->name;
    ci->vc.src = bc->src;
    ci->vc.len = bc->len;
    ci->vc.kit = bc->kit;
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, principle_fn, 1);
    lua_setfield(L, 1, "principle");
    /* What lib files get too: due and text. */
    lua_createtable(L, 0, 2);                       /* [extra info libs] */
    pb__due_openlib(L, ci->budget);
    lua_pushvalue(L, -1);
    lua_setfield(L, 1, "due");
    lua_setfield(L, -2, "due");
    pb__textlib_open(L, bc->kit, ci->budget);
    lua_pushvalue(L, -1);
    lua_setfield(L, 1, "text");
    lua_setfield(L, -2, "text");
    loading = pb__use_openlib(L, sb, bc->path, bc->name, lua_gettop(L));
    lua_setfield(L, 1, "use");
    lua_pop(L, 1);                                  /* [extra info] */
    if (pb__sandbox_newenv(sb, 1) != LUA_OK)        /* [extra line env] */
        return lua_error(L);
    env = 3;
    lua_pushfstring(L, "@%s", bc->name);
    if (pb__sandbox_load(sb, bc->account, bc->src, bc->len,
                         lua_tostring(L, -1)) != LUA_OK)
        return lua_error(L);
    lua_pushvalue(L, env);
    lua_setupvalue(L, -2, 1);
    if (pb__sandbox_call(sb, bc->account, 0, LUA_MULTRET) != LUA_OK)
        return lua_error(L);
    *loading = 0;
    ci->vc.file = ci->vc.src = NULL;   /* principle{} later: no text */
    ci->vc.len = 0;
    pb__sandbox_freeze(L, env);
    tbl = env + 2;                          /* [extra env name results] */
    if (lua_type(L, tbl) != LUA_TTABLE)
        return luaL_error(L, "%s:%d: the file must return principle { ... } "
                          "(it returned %s)", bc->name, bc->last_line,
                          lua_isnone(L, tbl) ? "nothing" :
                          luaL_typename(L, tbl));
    lua_settop(L, tbl);
    lua_pushcfunction(L, validate);
    lua_pushvalue(L, tbl);
    lua_pushfstring(L, "%s:%d: ", bc->name, bc->last_line);
    lua_pushinteger(L, (lua_Integer)bc->r.left);
    lua_pushnil(L);
    lua_pushlightuserdata(L, &bc->vc);
    lua_call(L, 5, 0);

    /* Errors of the copy are the principle's, at its line. */
    field(L, tbl, "id");
    bc->r.id = lua_tostring(L, -1);
    bc->r.where = lua_pushfstring(L, "%s:%d: ", bc->name,
                                  ci->line > 0 ? ci->line : bc->last_line);
    bc->part = "its id";
    bc->p = take(L, bc, 1, sizeof *bc->p + TABLE_ENTRY);
    bc->p->account = bc->account;
    bc->p->applies_ref = LUA_NOREF;
    bc->p->id = dup_field(L, bc, tbl, "id");
    bc->p->title = dup_field(L, bc, tbl, "title");
    bc->p->why = dup_field(L, bc, tbl, "why");
    bc->p->file = take_str(L, bc, bc->name);
    bc->p->line = bc->last_line;
    field(L, tbl, "order");
    bc->p->order = lua_isnumber(L, -1) ? lua_tonumber(L, -1) : 100;
    lua_pop(L, 1);
    bc->p->applies_ref = ref_field(L, tbl, "applies");
    if (ci->line > 0)
        bc->p->line = ci->line;
    field(L, tbl, "items");
    build_items(L, bc, lua_gettop(L));
    lua_pop(L, 1);
    pb__source_init(&bc->source, bc->src, bc->len);
    if (field(L, tbl, "detect") == LUA_TTABLE)
        build_detectors(L, bc, lua_gettop(L));
    lua_pop(L, 1);
    bc->p->cbytes = bc->r.used;
    return 0;
}

/* Where the text is not UTF-8: 0 when it is, else the line. */
static int bad_utf8_line(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    unsigned long cp;
    int line = 1;

    while (p < end) {
        if (*p == '\n')
            line++;
        p += pb__utf8_next((const char *)p, (size_t)(end - p), &cp);
        if (cp == PB__UTF8_BAD)
            return line;
    }
    return 0;
}

/* "name:line: message" from Lua -> err; other texts get fallback_line. */
static void error_from_lua(pb_error *err, const char *name, const char *msg,
                           int fallback_line)
{
    size_t n = strlen(name);
    int line = fallback_line;

    if (strncmp(msg, name, n) == 0 && msg[n] == ':' &&
        msg[n + 1] >= '0' && msg[n + 1] <= '9') {
        char *end;

        line = (int)strtol(msg + n + 1, &end, 10);
        msg = end;
        if (*msg == ':')
            msg++;
        while (*msg == ' ')
            msg++;
    }
    pb__error(err, PB_INPUT, name, line, "%s", msg);
}

pb_status pb__principle_load(pb__sandbox *sb, pb__textkit *kit, size_t left,
                             const char *name, const char *path,
                             const char *src, size_t len,
                             pb__principle **out, pb_error *err)
{
    lua_State *L = pb__sandbox_lua(sb);
    build_ctx bc = { sb, name, path, src, len, 0, 0, NULL,
                     { 0, 0, NULL, NULL, NULL, 0, 0 }, "", kit,
                     { name, src, len, kit }, { NULL, 0, 0, 0, 0, 0, 0 } };
    int bad, status, top = lua_gettop(L);
    const char *nul;

    *out = NULL;
    if (len == 0)
        return pb__error(err, PB_INPUT, name, 1, "empty file: expected "
                         "`return principle { ... }`");
    bad = bad_utf8_line(src, len);
    if (bad)
        return pb__error(err, PB_INPUT, name, bad, "invalid UTF-8");
    nul = memchr(src, '\0', len);
    if (nul != NULL)
        return pb__error(err, PB_INPUT, name,
                         count_lines(src, (size_t)(nul - src) + 1),
                         "NUL byte in the file");
    bc.last_line = count_lines(src, len);
    bc.account = pb__sandbox_account(sb);
    if (bc.account == 0)
        return pb__error(err, PB_NOMEM, name, 1, "out of memory");
    bc.r.left = left;
    status = pb__sandbox_cpcall(sb, load_protected, &bc);
    if (status != LUA_OK) {
        error_from_lua(err, name, lua_tostring(L, -1), 1);
        lua_settop(L, top);
        pb__principle_free(L, bc.p);
        return status == LUA_ERRMEM ? PB_NOMEM : PB_INPUT;
    }
    lua_settop(L, top);
    *out = bc.p;
    return PB_OK;
}

static void free_strings(char **v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void pb__principle_free(lua_State *L, pb__principle *p)
{
    size_t i, k;

    if (p == NULL)
        return;
    for (i = 0; p->items && i < p->nitems; i++) {
        pb__item *it = &p->items[i];

        free(it->id);
        free(it->ref);
        free(it->prompt);
        free(it->collects);
        free(it->after);           /* the names are the items' ids */
        free(it->after_idx);
        luaL_unref(L, LUA_REGISTRYINDEX, it->prompt_ref);
        luaL_unref(L, LUA_REGISTRYINDEX, it->applies_ref);
        luaL_unref(L, LUA_REGISTRYINDEX, it->done_ref);
        luaL_unref(L, LUA_REGISTRYINDEX, it->violated_ref);
    }
    for (i = 0; p->detectors && i < p->ndetectors; i++) {
        pb__detector *d = &p->detectors[i];

        free(d->on);
        free(d->emit);
        free(d->after);
        free(d->unless);
        free_strings(d->patterns, d->npatterns);
        free_strings(d->folded, d->npatterns);
        for (k = 0; d->phrases && k < d->nphrases; k++)
            pb__phrase_free(d->phrases[k]);
        free(d->phrases);
        pb__phraseidx_free(d->pidx);
        for (k = 0; d->docs && k < d->nexamples; k++)
            pb__doc_free(&d->docs[k]);
        free(d->docs);
        free_strings(d->examples, d->nexamples);
        luaL_unref(L, LUA_REGISTRYINDEX, d->fn_ref);
    }
    luaL_unref(L, LUA_REGISTRYINDEX, p->applies_ref);
    free(p->items);
    free(p->detectors);
    free(p->id);
    free(p->title);
    free(p->why);
    free(p->file);
    free(p);
}
