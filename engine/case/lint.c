/*
 * lint.c -- what the loaded principles say that cannot work, found
 * without running a case (pb_engine_lint; docs/authoring.md, "Lint").
 *
 * Two sources: what the loader kept (detectors' on, after, unless and
 * emit; items' collects and after; patterns, phrases, examples) is
 * exact.  What code reads (case:has("t"), case.facts.x) is found in the
 * files' text by source.c, with every other string literal as a
 * mention: a name a file spells out anywhere else may be recorded
 * through a variable, so only a name spelt nowhere else is reported.
 * That keeps the guesses on the side of silence.
 */
#include <ctype.h>
#include <lauxlib.h>
#include <lua.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "error.h"
#include "file.h"
#include "phrase.h"
#include "principle.h"
#include "source.h"
#include "use.h"
#include "words.h"

/* What the engine records itself (docs/scenarios.md, "Events"). */
static const char *const engine_types[] = {
    "fact", "item.checked", "item.skipped", "case.closed", "contact.ended",
    NULL
};

enum { K_TYPE_READ, K_FACT_READ, K_PRODUCED, K_FALSE_FN, K_USE };

/* Bounds, so a file of a million literals costs what a real one does:
 * names read per file (past them the file is partial, and reads are not
 * judged, since a mention may be in the part not read), findings per
 * file, lib files per principle, patterns per detector compared. */
#define MAX_NAMES 100000u
#define MAX_FINDINGS 100u
#define MAX_LIBS 64u
#define MAX_COMPARED 1000u

typedef struct use {
    char *name;         /* for K_FALSE_FN, the field: "done" */
    int kind, line;
    const char *file;   /* in lint.files */
    size_t principle;
} use;

typedef struct finding {
    pb_finding f;
    char *message;
    const char *name;   /* the type or fact read, for the unproduced */
} finding;

typedef struct lint {
    pb_engine *e;
    use *uses;
    size_t nuses, cap;
    char **files;               /* paths read, kept for the findings */
    size_t nfiles;
    size_t in_file;             /* names read from the file being read */
    int partial;                /* a file was not read to its end */
    char **produced;            /* sorted: what some source can record */
    size_t nproduced;
    const use **falses;         /* the K_FALSE_FN, by line */
    size_t nfalses;
    finding *out;
    size_t nout, outcap;
    size_t principle;           /* being read */
    const char *file;
    int oom;
} lint;

static void add_use(lint *l, int kind, const char *s, size_t n, int line)
{
    use *u;

    if (l->oom)
        return;
    if (++l->in_file > MAX_NAMES) {
        l->partial = 1;
        return;
    }
    if (l->nuses == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        use *v = realloc(l->uses, cap * sizeof *v);

        if (v == NULL) {
            l->oom = 1;
            return;
        }
        l->uses = v;
        l->cap = cap;
    }
    u = &l->uses[l->nuses];
    u->name = NULL;
    if (s != NULL && (u->name = strndup(s, n)) == NULL) {
        l->oom = 1;
        return;
    }
    u->kind = kind;
    u->line = line;
    u->file = l->file;
    u->principle = l->principle;
    l->nuses++;
}

static void add_str(lint *l, int kind, const char *s, int line)
{
    if (s != NULL)
        add_use(l, kind, s, strlen(s), line);
}

/* How many findings file has; past MAX_FINDINGS, the last says so. */
static size_t findings_in(const lint *l, const char *file)
{
    size_t i, n = 0;

    for (i = l->nout; i-- > 0 && n <= MAX_FINDINGS;)
        n += strcmp(l->out[i].f.file, file) == 0;
    return n;
}

/* Whether a finding in file would be kept. */
static int room(const lint *l, const char *file)
{
    return !l->oom && findings_in(l, file) < MAX_FINDINGS;
}

static void add_finding(lint *l, const char *file, int line, int local,
                        const char *code, const char *fmt, ...)
{
    va_list ap;
    char buf[1024];
    finding *f;
    size_t n = findings_in(l, file);

    if (l->oom || n > MAX_FINDINGS)
        return;
    if (n == MAX_FINDINGS) {
        fmt = "more findings in this file were not listed";
        code = "more";
    }
    if (l->nout == l->outcap) {
        size_t cap = l->outcap ? l->outcap * 2 : 16;
        finding *v = realloc(l->out, cap * sizeof *v);

        if (v == NULL) {
            l->oom = 1;
            return;
        }
        l->out = v;
        l->outcap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    f = &l->out[l->nout];
    if ((f->message = strdup(buf)) == NULL) {
        l->oom = 1;
        return;
    }
    f->f.file = file;
    f->f.line = line;
    f->f.principle = l->e->principles[l->principle]->id;
    f->f.code = code;
    f->f.message = f->message;
    f->f.local = local;
    f->name = NULL;
    l->nout++;
}

/* Reading the files' text. */

static void on_name(void *ud, int kind, const char *s, size_t n, int line)
{
    lint *l = ud;

    switch (kind) {
    case PB__SRC_TYPE_READ: add_use(l, K_TYPE_READ, s, n, line); break;
    case PB__SRC_FACT_READ: add_use(l, K_FACT_READ, s, n, line); break;
    case PB__SRC_FALSE_FN: add_use(l, K_FALSE_FN, s, n, line); break;
    case PB__SRC_FIELD: break;       /* the loader's copy is exact */
    case PB__SRC_USE: add_use(l, K_USE, s, n, line); break;
    default: add_use(l, K_PRODUCED, s, n, line); break;
    }
}

/* Reads path and the names in it; 0 when it cannot be read (a
 * principle given as text has no file: nothing to add). */
static int read_names(lint *l, const char *path)
{
    char *src, *kept;
    size_t len, i;
    pb_error err;
    char **v;

    /* A lib file several principles use is read for the first: what
     * it names counts the same for all. */
    for (i = 0; i < l->nfiles; i++)
        if (strcmp(l->files[i], path) == 0)
            return 1;
    if (pb__read_file(path, PB__PRINCIPLE_MAX_BYTES, &src, &len, &err) !=
        PB_OK)
        return 0;
    kept = strdup(path);
    v = kept ? realloc(l->files, (l->nfiles + 1) * sizeof *v) : NULL;
    if (v == NULL) {
        free(kept);
        free(src);
        l->oom = 1;
        return 0;
    }
    l->files = v;
    l->files[l->nfiles++] = kept;
    l->file = kept;
    l->in_file = 0;
    pb__source_names(src, len, on_name, l);
    free(src);
    if (l->in_file > MAX_NAMES)
        add_finding(l, kept, 1, 1, "partial", "lint read the first %u "
                    "names of this file and no more, so no type or fact "
                    "read is judged", MAX_NAMES);
    return 1;
}

/* The lib files the principle file just read uses (lib/NAME.lua
 * beside it), each once; their names count as the principle's. */
static void read_libs(lint *l, size_t from, const char *path)
{
    const char *slash = strrchr(path, '/'), *libs[MAX_LIBS];
    size_t i, j, n = 0, end = l->nuses;
    int dir = slash ? (int)(slash - path + 1) : 0;

    for (i = from; i < end && n < MAX_LIBS; i++) {
        if (l->uses[i].kind != K_USE)
            continue;
        for (j = 0; j < n && strcmp(libs[j], l->uses[i].name) != 0; j++)
            ;
        if (j == n)
            libs[n++] = l->uses[i].name;
    }
    for (i = 0; i < n && !l->oom; i++) {
        char lib[4096];

        if ((size_t)snprintf(lib, sizeof lib, "%.*slib/%s.lua", dir, path,
                             libs[i]) < sizeof lib)
            read_names(l, lib);
    }
}

/* What the loader kept of principle i. */
static void read_declared(lint *l)
{
    const pb__principle *p = l->e->principles[l->principle];
    size_t i;

    l->file = p->file;
    for (i = 0; i < p->ndetectors; i++) {
        const pb__detector *d = &p->detectors[i];

        add_str(l, K_TYPE_READ, d->on, d->line);
        add_str(l, K_TYPE_READ, d->after, d->line);
        add_str(l, K_TYPE_READ, d->unless, d->line);
        add_str(l, K_PRODUCED, d->emit, d->line);
    }
    for (i = 0; i < p->nitems; i++)
        add_str(l, K_PRODUCED, p->items[i].collects, p->items[i].line);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int produced(const lint *l, const char *s)
{
    return bsearch(&s, l->produced, l->nproduced, sizeof *l->produced,
                   cmp_str) != NULL;
}

static void index_produced(lint *l, const char *const *recorded)
{
    size_t i, n = 0, extra = 0;
    const char *const *r;

    for (r = recorded; r && *r; r++)
        extra++;
    for (r = engine_types; *r; r++)
        extra++;
    l->produced = malloc((l->nuses + extra + 1) * sizeof *l->produced);
    if (l->produced == NULL) {
        l->oom = 1;
        return;
    }
    for (i = 0; i < l->nuses; i++)
        if (l->uses[i].kind == K_PRODUCED)
            l->produced[n++] = l->uses[i].name;
    for (r = recorded; r && *r; r++)
        l->produced[n++] = (char *)*r;
    for (r = engine_types; *r; r++)
        l->produced[n++] = (char *)*r;
    qsort(l->produced, n, sizeof *l->produced, cmp_str);
    l->nproduced = n;
}

/* " (did you mean 'x'?)" for a produced name one typo away (the
 * phrases' own test: a letter added, removed, changed or two swapped),
 * or "". */
static const char *suggest(const lint *l, const char *s, char *buf,
                           size_t n)
{
    size_t i, len = strlen(s);

    for (i = 0; i < l->nproduced; i++)
        if (pb__words_typo(s, len, l->produced[i], strlen(l->produced[i]))) {
            snprintf(buf, n, " (did you mean '%s'?)", l->produced[i]);
            return buf;
        }
    return "";
}

/* Whether the finding for u was made already (a detector whose on and
 * after are one type, `case:has("x") or case:has("x")`): the findings
 * of a line come one after the other. */
static int said(const lint *l, const use *u)
{
    size_t i;

    for (i = l->nout; i-- > 0 && l->out[i].f.line == u->line;)
        if (l->out[i].name && strcmp(l->out[i].name, u->name) == 0 &&
            strcmp(l->out[i].f.file, u->file) == 0)
            return 1;
    return 0;
}

static void unproduced(lint *l)
{
    size_t i;
    char hint[160];

    if (l->partial)
        return;     /* a mention may be in what was not read */
    for (i = 0; i < l->nuses && !l->oom; i++) {
        const use *u = &l->uses[i];

        if ((u->kind != K_TYPE_READ && u->kind != K_FACT_READ) ||
            produced(l, u->name) || said(l, u) || !room(l, u->file))
            continue;
        l->principle = u->principle;
        if (u->kind == K_TYPE_READ)
            add_finding(l, u->file, u->line, 0, "type-never-recorded",
                        "event type '%s' is read, but no detector emits "
                        "it and no tool records it%s",
                        u->name, suggest(l, u->name, hint, sizeof hint));
        else
            add_finding(l, u->file, u->line, 0, "fact-never-collected",
                        "fact '%s' is read, but no item collects it and "
                        "no principle names it elsewhere: only a case file "
                        "could give it%s",
                        u->name, suggest(l, u->name, hint, sizeof hint));
        if (!l->oom && l->nout > 0)
            l->out[l->nout - 1].name = u->name;
    }
}

/* Functions whose whole body is `return false`. */

/* The line where the function pinned at ref starts, when it was written
 * in file; 0 otherwise. */
static int fn_line(lua_State *L, int ref, const char *file)
{
    lua_Debug ar;

    if (ref == LUA_NOREF || ref == LUA_REFNIL)
        return 0;
    if (lua_rawgeti(L, LUA_REGISTRYINDEX, ref) != LUA_TFUNCTION) {
        lua_pop(L, 1);
        return 0;
    }
    lua_getinfo(L, ">S", &ar);
    return ar.linedefined > 0 && ar.source[0] == '@' &&
                   strcmp(ar.source + 1, file) == 0
               ? ar.linedefined : 0;
}

static int cmp_line(const void *a, const void *b)
{
    int x = (*(const use *const *)a)->line, y = (*(const use *const *)b)->line;

    return (x > y) - (x < y);
}

static void index_falses(lint *l)
{
    size_t i;

    if ((l->falses = malloc((l->nuses + 1) * sizeof *l->falses)) == NULL) {
        l->oom = 1;
        return;
    }
    for (i = 0; i < l->nuses; i++)
        if (l->uses[i].kind == K_FALSE_FN)
            l->falses[l->nfalses++] = &l->uses[i];
    qsort(l->falses, l->nfalses, sizeof *l->falses, cmp_line);
}

/* The line of the function pinned at ref when the text shows it is
 * `field = function (...) return false end`; else 0. */
static int always_false(const lint *l, const pb__principle *p, int ref,
                        const char *field)
{
    use key;
    const use *k = &key;
    const use **hit;
    size_t i;

    key.line = fn_line(pb__sandbox_lua(l->e->sb), ref, p->file);
    if (key.line == 0 ||
        (hit = bsearch(&k, l->falses, l->nfalses, sizeof *l->falses,
                       cmp_line)) == NULL)
        return 0;
    while (hit > l->falses && hit[-1]->line == key.line)
        hit--;
    for (i = (size_t)(hit - l->falses);
         i < l->nfalses && l->falses[i]->line == key.line; i++)
        if (strcmp(l->falses[i]->name, field) == 0 &&
            strcmp(l->falses[i]->file, p->file) == 0)
            return key.line;
    return 0;
}

static void functions(lint *l)
{
    const pb__principle *p = l->e->principles[l->principle];
    size_t i, k;
    int line;

    if ((line = always_false(l, p, p->applies_ref, "applies")) > 0)
        add_finding(l, p->file, line, 1, "never-applies", "principle '%s': "
                    "applies always returns false, so none of its items is "
                    "ever listed", p->id);
    for (i = 0; i < p->nitems; i++) {
        const pb__item *it = &p->items[i];

        if ((line = always_false(l, p, it->applies_ref, "applies")) > 0)
            add_finding(l, p->file, line, 1, "never-applies", "item '%s': "
                        "applies always returns false, so it is never "
                        "listed", it->id);
        if (it->collects == NULL &&
            (line = always_false(l, p, it->done_ref, "done")) > 0)
            add_finding(l, p->file, line, 1, "never-done", "item '%s': done "
                        "always returns false and it collects nothing, so "
                        "only the agent can check it", it->id);
        for (k = 0; k < it->nafter; k++) {
            const pb__item *a = &p->items[it->after_idx[k]];

            if (always_false(l, p, a->applies_ref, "applies") > 0)
                add_finding(l, p->file, it->line, 1, "after-never-applies",
                            "item '%s': waits for '%s', which never "
                            "applies, so it never waits", it->id, a->id);
        }
    }
}

/* Detectors' patterns, phrases and examples. */

/* The line of the literal s in file at or after line from, passing
 * over the first `skip` (a list that holds it twice); else from. */
static int line_of(const lint *l, const char *file, const char *s, int from,
                   size_t skip)
{
    size_t i;

    for (i = 0; i < l->nuses; i++)
        if (l->uses[i].kind == K_PRODUCED && l->uses[i].line >= from &&
            strcmp(l->uses[i].name, s) == 0 &&
            strcmp(l->uses[i].file, file) == 0 && skip-- == 0)
            return l->uses[i].line;
    return from;
}

/* How many of list[0..k) are s: the literals of s before list[k]. */
static size_t before(char *const *list, size_t k, const char *s)
{
    size_t i, n = 0;

    for (i = 0; i < k; i++)
        n += strcmp(list[i], s) == 0;
    return n;
}

/* Why a Lua pattern matches no ordinary speech, or NULL. */
static const char *dead_pattern(const char *s)
{
    size_t i;
    int set = 0;

    for (i = 0; s[i]; i++) {
        if (s[i] == '%' && s[i + 1]) {
            i++;
        } else if (set) {
            set = s[i] != ']';
        } else if (s[i] == '[') {
            set = 1;
            if (s[i + 1] == '^')
                i++;
            if (s[i + 1] == ']')
                i++;            /* a ']' first is one of the set */
        } else if (s[i] == ')' && s[i + 1] && strchr("*+-?", s[i + 1])) {
            return "it repeats a group: '*', '+', '-' and '?' repeat one "
                   "character class, so here they are literal characters";
        } else if (s[i] == '^' && i > 0) {
            return "'^' anchors only at the start: here it is a literal "
                   "'^'";
        }
    }
    return NULL;
}

/* The words of a phrase or example as written, lowercased, one space
 * apart, as a new string (NULL when out of memory). */
static char *words_of(const char *s)
{
    size_t k = 0;
    int gap = 0;
    char *out = malloc(strlen(s) + 1);

    if (out == NULL)
        return NULL;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (isalnum(c) || c == '\'' || c >= 0x80) {
            if (gap && k > 0)
                out[k++] = ' ';
            out[k++] = (char)tolower(c);
            gap = 0;
        } else {
            gap = 1;
        }
    }
    out[k] = '\0';
    return out;
}

/* Whether the words of a are a run of the words of b. */
static int run_of(const char *a, const char *b)
{
    size_t n = strlen(a);
    const char *p;

    if (n == 0)
        return 0;
    for (p = strstr(b, a); p; p = strstr(p + 1, a))
        if ((p == b || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return 1;
    return 0;
}

/* Whether every word of p must be there (a `need` below its words lets
 * a shorter utterance match). */
static int whole(const pb__phrase *p)
{
    unsigned need = pb__phrase_need(p);

    return need == 0 || need >= pb__phrase_words(p);
}

static int str_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Whether detectors a and b fire on the same events with the same
 * result, so that one match of a makes b's redundant. */
static int same_job(const pb__detector *a, const pb__detector *b)
{
    return a->emit && b->emit && strcmp(a->emit, b->emit) == 0 &&
           strcmp(a->on, b->on) == 0 && str_eq(a->after, b->after) &&
           str_eq(a->unless, b->unless) && a->within == b->within &&
           a->gap == b->gap;
}

/* A detector's phrases (NULL for one that needs only some of its words)
 * and examples as words, made once for all the comparisons. */
typedef struct dwords {
    char **phrases, **examples;
} dwords;

static void free_words(dwords *w, const pb__principle *p)
{
    size_t i, k;

    for (i = 0; w && i < p->ndetectors; i++) {
        for (k = 0; w[i].phrases && k < p->detectors[i].nphrases; k++)
            free(w[i].phrases[k]);
        for (k = 0; w[i].examples && k < p->detectors[i].nexamples; k++)
            free(w[i].examples[k]);
        free(w[i].phrases);
        free(w[i].examples);
    }
    free(w);
}

/* NULL when out of memory: the checks of shadowing are then left out. */
static dwords *make_words(const pb__principle *p)
{
    dwords *w = calloc(p->ndetectors + 1, sizeof *w);
    size_t i, k;
    int ok = w != NULL;

    for (i = 0; ok && i < p->ndetectors; i++) {
        const pb__detector *d = &p->detectors[i];

        w[i].phrases = calloc(d->nphrases + 1, sizeof *w[i].phrases);
        w[i].examples = calloc(d->nexamples + 1, sizeof *w[i].examples);
        ok = w[i].phrases && w[i].examples;
        for (k = 0; ok && k < d->nphrases; k++)
            ok = !whole(d->phrases[k]) ||
                 (w[i].phrases[k] =
                      words_of(pb__phrase_text(d->phrases[k]))) != NULL;
        for (k = 0; ok && k < d->nexamples; k++)
            ok = (w[i].examples[k] = words_of(d->examples[k])) != NULL;
    }
    if (!ok) {
        free_words(w, p);
        return NULL;
    }
    return w;
}

/* The line of list[k] of a detector at line from. */
static int item_line(const lint *l, const char *file, char *const *list,
                     size_t k, int from)
{
    return line_of(l, file, list[k], from, before(list, k, list[k]));
}

static void dead_patterns(lint *l, const pb__principle *p,
                          const pb__detector *d)
{
    const char *why;
    size_t k;

    for (k = 0; k < d->npatterns && room(l, p->file); k++)
        if ((why = dead_pattern(d->patterns[k])) != NULL)
            add_finding(l, p->file, item_line(l, p->file, d->patterns, k,
                                              d->line),
                        1, "pattern-never-matches", "pattern '%s': %s",
                        d->patterns[k], why);
}

/* The shadowing of d's patterns, phrases and examples by e's (e before
 * d, or e is d: then by its own earlier ones).  A later entry of the
 * same job never decides when an earlier one matches wherever it does:
 * the same pattern, a phrase whose words run inside it, the same
 * example. */
static void shadowed_patterns(lint *l, const pb__principle *p,
                              const pb__detector *d, const pb__detector *e)
{
    size_t k, m;

    for (k = 0; k < d->npatterns && k < MAX_COMPARED; k++)
        for (m = 0; m < (e == d ? k : e->npatterns) && m < MAX_COMPARED;
             m++)
            if (strcmp(e->patterns[m], d->patterns[k]) == 0 &&
                room(l, p->file))
                add_finding(l, p->file, item_line(l, p->file, d->patterns,
                                                  k, d->line),
                            1, "shadowed", "pattern '%s' is also on line "
                            "%d: this one never decides", d->patterns[k],
                            item_line(l, p->file, e->patterns, m, e->line));
}

static void shadowed_phrases(lint *l, const pb__principle *p,
                             const pb__detector *d, char *const *dw,
                             const pb__detector *e, char *const *ew)
{
    size_t k, m;

    for (k = 0; k < d->nphrases; k++)
        for (m = 0; dw[k] && m < (e == d ? k : e->nphrases); m++)
            if (ew[m] && run_of(ew[m], dw[k]) && room(l, p->file)) {
                const char *ph = pb__phrase_text(d->phrases[k]);
                const char *eh = pb__phrase_text(e->phrases[m]);

                add_finding(l, p->file, line_of(l, p->file, ph, d->line, 0),
                            1, "shadowed", "phrase '%s': '%s' (line %d) "
                            "matches wherever it does, so this one never "
                            "decides", ph, eh,
                            line_of(l, p->file, eh, e->line, 0));
                break;
            }
}

static void shadowed_examples(lint *l, const pb__principle *p,
                              const pb__detector *d, char *const *dw,
                              const pb__detector *e, char *const *ew)
{
    size_t k, m;

    for (k = 0; k < d->nexamples; k++)
        for (m = 0; m < (e == d ? k : e->nexamples); m++)
            if (strcmp(ew[m], dw[k]) == 0 && room(l, p->file)) {
                add_finding(l, p->file, item_line(l, p->file, d->examples,
                                                  k, d->line),
                            1, "shadowed", "example '%s' is also on line "
                            "%d", d->examples[k],
                            item_line(l, p->file, e->examples, m, e->line));
                break;
            }
}

static void detectors(lint *l)
{
    const pb__principle *p = l->e->principles[l->principle];
    dwords *w = make_words(p);
    size_t i, j;

    for (i = 0; i < p->ndetectors && room(l, p->file); i++) {
        const pb__detector *d = &p->detectors[i];

        dead_patterns(l, p, d);
        for (j = 0; j <= i; j++) {
            const pb__detector *e = &p->detectors[j];

            if (!same_job(e, d))
                continue;
            shadowed_patterns(l, p, d, e);
            if (w == NULL)
                continue;
            shadowed_phrases(l, p, d, w[i].phrases, e, w[j].phrases);
            shadowed_examples(l, p, d, w[i].examples, e, w[j].examples);
        }
    }
    free_words(w, p);
}

static int cmp_finding(const void *a, const void *b)
{
    const pb_finding *x = &((const finding *)a)->f;
    const pb_finding *y = &((const finding *)b)->f;
    int c = strcmp(x->file, y->file);

    if (c == 0)
        c = (x->line > y->line) - (x->line < y->line);
    return c != 0 ? c : strcmp(x->code, y->code);
}

pb_status pb_engine_lint(pb_engine *e, const char *const *recorded,
                         pb_finding_fn fn, void *ud, pb_error *err)
{
    lint l;
    size_t i, from;

    memset(&l, 0, sizeof l);
    l.e = e;
    for (i = 0; i < e->nprinciples && !l.oom; i++) {
        l.principle = i;
        read_declared(&l);
        from = l.nuses;
        if (read_names(&l, e->principles[i]->file))
            read_libs(&l, from, e->principles[i]->file);
    }
    index_produced(&l, recorded);
    index_falses(&l);
    unproduced(&l);
    for (i = 0; i < e->nprinciples && !l.oom; i++) {
        l.principle = i;
        functions(&l);
        detectors(&l);
    }
    if (!l.oom && l.nout > 0) {
        qsort(l.out, l.nout, sizeof *l.out, cmp_finding);
        for (i = 0; i < l.nout; i++)
            fn(ud, &l.out[i].f);
    }
    for (i = 0; i < l.nout; i++)
        free(l.out[i].message);
    for (i = 0; i < l.nuses; i++)
        free(l.uses[i].name);
    for (i = 0; i < l.nfiles; i++)
        free(l.files[i]);
    free(l.out);
    free(l.uses);
    free(l.files);
    free(l.produced);
    free(l.falses);
    return l.oom ? pb__error(err, PB_NOMEM, "", 0, "out of memory")
                 : PB_OK;
}
