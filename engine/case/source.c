/*
 * source.c -- where a value was written in a principle file (source.h).
 *
 * A small Lua lexer: names, '=', string literals (short, with their
 * escapes, and long brackets) and comments; everything else is a token
 * of its own that matches nothing.  One pass over the file for all the
 * detectors, which are searched in order.
 */
#include <string.h>

#include "source.h"

enum { T_END, T_NAME, T_EQ, T_STRING, T_OTHER };

typedef struct token {
    int kind;
    size_t start, end;  /* for a string, its contents */
    int line;           /* where it starts */
    int quote;          /* a short string's quote; 0 for a long one */
} token;

typedef struct lexer {
    const char *s;
    size_t len, pos;
    int line;
} lexer;

static int name_char(char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

/* At "[" followed by "="* "[": the number of '=' + 1, else 0. */
static size_t long_open(const lexer *x, size_t p)
{
    size_t q = p + 1;

    if (p >= x->len || x->s[p] != '[')
        return 0;
    while (q < x->len && x->s[q] == '=')
        q++;
    return q < x->len && x->s[q] == '[' ? q - p : 0;
}

/* Skips a long bracket of level n opened at pos: the end of its
 * contents (before the close), pos after the close. */
static size_t long_skip(lexer *x, size_t level)
{
    size_t end;

    x->pos += level + 1;
    while (x->pos < x->len) {
        char c = x->s[x->pos];

        if (c == ']') {
            size_t q = x->pos + 1;

            while (q < x->len && x->s[q] == '=')
                q++;
            if (q < x->len && x->s[q] == ']' && q - x->pos == level) {
                end = x->pos;
                x->pos = q + 1;
                return end;
            }
        } else if (c == '\n') {
            x->line++;
        }
        x->pos++;
    }
    return x->len;
}

static void next(lexer *x, token *t)
{
    for (;;) {
        char c;
        size_t level;

        if (x->pos >= x->len) {
            t->kind = T_END;
            t->line = x->line;
            return;
        }
        c = x->s[x->pos];
        t->start = x->pos;
        t->line = x->line;
        if (c == '\n') {
            x->line++;
            x->pos++;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' ||
                   c == '\v') {
            x->pos++;
        } else if (c == '-' && x->pos + 1 < x->len &&
                   x->s[x->pos + 1] == '-') {
            x->pos += 2;
            if ((level = long_open(x, x->pos)) > 0) {
                long_skip(x, level);
            } else {
                while (x->pos < x->len && x->s[x->pos] != '\n')
                    x->pos++;
            }
        } else if ((level = long_open(x, x->pos)) > 0) {
            t->kind = T_STRING;
            t->quote = 0;
            t->start = x->pos + level + 1;
            if (t->start < x->len && x->s[t->start] == '\r')
                t->start++;
            if (t->start < x->len && x->s[t->start] == '\n')
                t->start++;
            t->end = long_skip(x, level);
            return;
        } else if (c == '"' || c == '\'') {
            t->kind = T_STRING;
            t->quote = c;
            t->start = ++x->pos;
            while (x->pos < x->len && x->s[x->pos] != c &&
                   x->s[x->pos] != '\n') {
                if (x->s[x->pos] == '\\' && x->pos + 1 < x->len) {
                    x->pos++;
                    if (x->s[x->pos] == '\n')
                        x->line++;
                }
                x->pos++;
            }
            t->end = x->pos;
            if (x->pos < x->len && x->s[x->pos] == c)
                x->pos++;
            return;
        } else if (name_char(c)) {
            int digit = c >= '0' && c <= '9';

            while (x->pos < x->len && (name_char(x->s[x->pos]) ||
                                       (digit && x->s[x->pos] == '.')))
                x->pos++;
            t->kind = digit ? T_OTHER : T_NAME;
            t->end = x->pos;
            return;
        } else {
            x->pos++;
            t->kind = T_OTHER;
            if (x->pos < x->len && x->s[x->pos] == '=' &&
                strchr("=<>~", c) != NULL)
                x->pos++;                    /* == <= >= ~= */
            else if (c == '=')
                t->kind = T_EQ;
            t->end = x->pos;
            return;
        }
    }
}

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 32) >= 'a' && (c | 32) <= 'f')
        return (c | 32) - 'a' + 10;
    return -1;
}

/* Whether the string token t holds exactly value.  Escapes that are
 * not understood make it unequal. */
static int equals(const char *s, const token *t, const char *value)
{
    size_t i = t->start, k = 0, vlen = strlen(value);

    if (t->quote == 0)
        return t->end - t->start == vlen &&
               memcmp(s + t->start, value, vlen) == 0;
    while (i < t->end) {
        unsigned long c = (unsigned char)s[i++];

        if (c == '\\' && i < t->end) {
            char e = s[i++];
            int n;

            switch (e) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'a': c = '\a'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'v': c = '\v'; break;
            case '\\': case '"': case '\'': case '\n': c = (unsigned char)e;
                break;
            case 'x':
                if (i + 1 >= t->end || hex(s[i]) < 0 || hex(s[i + 1]) < 0)
                    return 0;
                c = (unsigned long)(hex(s[i]) * 16 + hex(s[i + 1]));
                i += 2;
                break;
            case 'z':
                while (i < t->end && strchr(" \t\r\n\f\v", s[i]))
                    i++;
                continue;
            default:
                if (e < '0' || e > '9')
                    return 0;       /* \u{...} and the rest: not matched */
                c = (unsigned long)(e - '0');
                for (n = 1; n < 3 && i < t->end && s[i] >= '0' &&
                            s[i] <= '9'; n++)
                    c = c * 10 + (unsigned long)(s[i++] - '0');
                if (c > 255)
                    return 0;
            }
        }
        if (k >= vlen || (unsigned char)value[k] != c)
            return 0;
        k++;
    }
    return k == vlen;
}

void pb__source_init(pb__source *s, const char *src, size_t len)
{
    memset(s, 0, sizeof *s);
    s->src = src;
    s->len = len;
    s->line = s->prev_line = 1;
}

/* Finds `key = value` (value NULL: `key =` only) from pos/line on:
 * the line of its start, and where the search stopped in *stop. */
static int find(const pb__source *s, size_t pos, int line, const char *key,
                const char *value, size_t *stop, int *stop_line)
{
    lexer x = { s->src, s->len, pos, line };
    token a, b, c;
    size_t klen = strlen(key);

    if (s->src == NULL || s->lost)
        return 0;
    next(&x, &a);
    next(&x, &b);
    for (;;) {
        if (a.kind == T_END)
            return 0;
        if (a.kind == T_NAME && a.end - a.start == klen &&
            memcmp(s->src + a.start, key, klen) == 0 && b.kind == T_EQ) {
            if (value == NULL) {
                *stop = x.pos;
                *stop_line = x.line;
                return a.line;
            }
            next(&x, &c);
            if (c.kind == T_STRING && equals(s->src, &c, value)) {
                *stop = x.pos;
                *stop_line = x.line;
                return a.line;
            }
            a = b;
            b = c;
            continue;
        }
        a = b;
        next(&x, &b);
    }
}

int pb__source_field(pb__source *s, const char *key, const char *value)
{
    size_t stop;
    int stop_line, line = find(s, s->pos, s->line, key, value, &stop,
                               &stop_line);

    if (line == 0) {
        s->lost = 1;
        return 0;
    }
    s->prev = s->pos;
    s->prev_line = s->line;
    s->pos = stop;
    s->line = stop_line;
    return line;
}

int pb__source_string(const pb__source *s, const char *value)
{
    lexer x = { s->src, s->len, s->prev, s->prev_line };
    token t;

    if (s->src == NULL || s->lost)
        return 0;
    for (next(&x, &t); t.kind != T_END; next(&x, &t))
        if (t.kind == T_STRING && equals(s->src, &t, value))
            return t.line;
    return 0;
}

int pb__source_key(const pb__source *s, const char *key)
{
    size_t stop;
    int stop_line;

    return find(s, s->prev, s->prev_line, key, NULL, &stop, &stop_line);
}

/* Path walking (pb__source_path).  Only tokens are looked at: a value
 * that is not a table constructor is skipped by counting brackets and
 * the keywords that open and close blocks, so nothing is built and
 * nothing recurses, whatever the file holds. */

static int is_char(const lexer *x, const token *t, char c)
{
    return t->kind == T_OTHER && t->end == t->start + 1 &&
           x->s[t->start] == c;
}

static int is_word(const lexer *x, const token *t, const char *w)
{
    size_t n = strlen(w);

    return t->kind == T_NAME && t->end - t->start == n &&
           memcmp(x->s + t->start, w, n) == 0;
}

/* How much t opens (1) or closes (-1) brackets and blocks. */
static int depth_of(const lexer *x, const token *t)
{
    if (is_char(x, t, '{') || is_char(x, t, '(') || is_char(x, t, '[') ||
        is_word(x, t, "function") || is_word(x, t, "if") ||
        is_word(x, t, "do") || is_word(x, t, "repeat"))
        return 1;
    if (is_char(x, t, '}') || is_char(x, t, ')') || is_char(x, t, ']') ||
        is_word(x, t, "end") || is_word(x, t, "until"))
        return -1;
    return 0;
}

/* From t, the first token of a value, to the token after it: a ',' or
 * ';' of the table, its '}', or the end. */
static void skip_value(lexer *x, token *t)
{
    int depth = 0;

    for (; t->kind != T_END; next(x, t)) {
        if (depth == 0 && (is_char(x, t, ',') || is_char(x, t, ';') ||
                           is_char(x, t, '}')))
            return;
        depth += depth_of(x, t);
        if (depth < 0)
            return;     /* unbalanced: the caller sees no '}' it expects */
    }
}

int pb__source_path(const char *src, size_t len, int line,
                    const pb__srcstep *path, size_t n)
{
    lexer x = { src, len, 0, 1 }, ahead;
    token t, u;
    size_t step = 0;
    long pos = 0;

    if (src == NULL || n == 0)
        return 0;
    /* The principle{} call on that line, with a table written in it. */
    for (next(&x, &t);; t = u) {
        if (t.kind == T_END)
            return 0;
        next(&x, &u);
        if (t.line == line && is_word(&x, &t, "principle")) {
            if (is_char(&x, &u, '('))
                next(&x, &u);
            if (is_char(&x, &u, '{'))
                break;
        }
    }
    /* In the table just opened, its fields: "name = value", "[k] =
     * value", or a value that takes the next position. */
    next(&x, &t);
    for (;;) {
        int here = t.line, match = 0, depth = 0;

        if (t.kind == T_END || is_char(&x, &t, '}'))
            return 0;
        ahead = x;
        next(&ahead, &u);
        if (t.kind == T_NAME && u.kind == T_EQ) {
            match = path[step].key != NULL &&
                    t.end - t.start == strlen(path[step].key) &&
                    memcmp(src + t.start, path[step].key,
                           t.end - t.start) == 0;
            x = ahead;
            next(&x, &t);
        } else if (is_char(&x, &t, '[')) {
            do {
                depth += depth_of(&x, &t);
                next(&x, &t);
            } while (depth > 0 && t.kind != T_END);
            if (t.kind == T_EQ)
                next(&x, &t);
        } else {
            match = path[step].key == NULL && path[step].pos == ++pos;
        }
        if (match && step + 1 == n)
            return here;
        if (match) {        /* the path goes on, into this table */
            if (!is_char(&x, &t, '{'))
                return 0;
            step++;
            pos = 0;
            next(&x, &t);
            continue;
        }
        skip_value(&x, &t);
        if (is_char(&x, &t, ',') || is_char(&x, &t, ';'))
            next(&x, &t);
        else if (!is_char(&x, &t, '}'))
            return 0;       /* not a table this reader can follow */
    }
}

/* Names (pb__source_names).  Each token is judged by the few before it,
 * kept in a window; the last slot is the newest. */

#define WINDOW 12

static void shift(token *w, const token *t)
{
    memmove(w, w + 1, (WINDOW - 1) * sizeof *w);
    w[WINDOW - 1] = *t;
}

/* Whether w ends with :WORD( for one of words (a space-separated
 * list), or with :WORD alone (`case:has "x"`): a method of the case.
 * text.has("...") is not one. */
static int called(const lexer *x, const token *w, const char *words)
{
    int paren = is_char(x, &w[WINDOW - 1], '(');
    const token *m = &w[WINDOW - 1 - paren];
    size_t n = m->end - m->start;
    const char *p;

    if (m->kind != T_NAME || !is_char(x, m - 1, ':'))
        return 0;
    for (p = words; *p; p += strcspn(p, " "), p += *p == ' ')
        if (strcspn(p, " ") == n && memcmp(p, x->s + m->start, n) == 0)
            return 1;
    return 0;
}

/* Whether w ends with `.facts` and then c: a case's facts, read. */
static int facts_of(const lexer *x, const token *w, char c)
{
    return is_char(x, &w[WINDOW - 1], c) &&
           is_word(x, &w[WINDOW - 2], "facts") &&
           is_char(x, &w[WINDOW - 3], '.');
}

void pb__source_names(const char *src, size_t len, pb__srcname_fn fn,
                      void *ud)
{
    lexer x = { src, len, 0, 1 };
    token w[WINDOW], t;
    int i;

    if (src == NULL)
        return;
    for (i = 0; i < WINDOW; i++)
        w[i].kind = T_END;
    for (next(&x, &t); t.kind != T_END; shift(w, &t), next(&x, &t)) {
        const token *k = &w[WINDOW - 1];
        int kind = PB__SRC_MENTION;

        if (t.kind == T_NAME && facts_of(&x, w, '.')) {
            fn(ud, PB__SRC_FACT_READ, src + t.start, t.end - t.start,
               t.line);
            continue;
        }
        /* function (args) return false end */
        if (is_word(&x, &t, "end") &&
            (is_word(&x, k, "false") || is_word(&x, k, "nil")) &&
            is_word(&x, &w[WINDOW - 2], "return") &&
            is_char(&x, &w[WINDOW - 3], ')')) {
            int j = WINDOW - 4;

            while (j > 0 && (w[j].kind == T_NAME || is_char(&x, &w[j], ',')) &&
                   !is_word(&x, &w[j], "function"))
                j--;
            /* named by the field it is the value of: done = function */
            if (j > 2 && is_char(&x, &w[j], '(') &&
                is_word(&x, &w[j - 1], "function") &&
                w[j - 2].kind == T_EQ && w[j - 3].kind == T_NAME)
                fn(ud, PB__SRC_FALSE_FN, src + w[j - 3].start,
                   w[j - 3].end - w[j - 3].start, w[j - 1].line);
            continue;
        }
        if (t.kind != T_STRING)
            continue;
        if (called(&x, w, "has count first last before events recent") ||
            /* before's second: `: before ( "a" ,` */
            (is_char(&x, k, ',') && w[WINDOW - 2].kind == T_STRING &&
             is_char(&x, &w[WINDOW - 3], '(') &&
             is_word(&x, &w[WINDOW - 4], "before") &&
             is_char(&x, &w[WINDOW - 5], ':')))
            kind = PB__SRC_TYPE_READ;
        else if (called(&x, w, "known") || facts_of(&x, w, '['))
            kind = PB__SRC_FACT_READ;
        else if (k->kind == T_EQ &&
                 (is_word(&x, &w[WINDOW - 2], "on") ||
                  is_word(&x, &w[WINDOW - 2], "after") ||
                  is_word(&x, &w[WINDOW - 2], "unless") ||
                  is_word(&x, &w[WINDOW - 2], "emit") ||
                  is_word(&x, &w[WINDOW - 2], "collects")))
            kind = PB__SRC_FIELD;
        else if (is_word(&x, k, "use") ||
                 (is_char(&x, k, '(') && is_word(&x, &w[WINDOW - 2], "use")))
            kind = PB__SRC_USE;
        fn(ud, kind, src + t.start, t.end - t.start, t.line);
    }
}
