/*
 * source.h -- where a value was written in a principle file
 * (internal).
 *
 * Lua keeps the line of every function but not of a table, so a
 * detector that is a table of strings (`{ on = "agent.said", words =
 * ... }`) has no line of its own.  The engine finds it in the file's
 * text: the detectors come in the order they were written, so a cursor
 * walks the file once, from one detector's `on = "..."` to the next.
 * What it cannot find (a detector built in a loop, a value in a
 * variable) gets the line of the principle, and the walk stops there:
 * a guess past that point could name a wrong line.
 */
#ifndef PB_SOURCE_H
#define PB_SOURCE_H

#include <stddef.h>

typedef struct pb__source {
    const char *src;     /* NULL: no text, every search gives 0 */
    size_t len;
    size_t pos, prev;    /* after the last detector found; before it */
    int line, prev_line; /* the lines at pos and prev */
    int lost;            /* a detector was not found: no more guesses */
} pb__source;

void pb__source_init(pb__source *s, const char *src, size_t len);

/* The line of the next `key = "value"` after the cursor, which moves
 * past it; 0 when there is none (and every later call gives 0). */
int pb__source_field(pb__source *s, const char *key, const char *value);

/* The line of the first string literal equal to value after the
 * detector before the last one found (where this detector's fields
 * start), or 0; the cursor does not move. */
int pb__source_string(const pb__source *s, const char *value);

/* The same, for `key =`. */
int pb__source_key(const pb__source *s, const char *key);

/*
 * The line of what path names in the table written in the principle{}
 * call on line `line`: path[0] is a field of that table, each next step
 * a field (key) or the pos-th entry of a list (key NULL, pos from 1) of
 * the table before it.  0 when the text does not show it: the table is
 * built by code or kept in a variable.  Reads the text again on each
 * call, builds nothing: meant for the one mistake being reported.
 */
typedef struct pb__srcstep {
    const char *key;
    long pos;
} pb__srcstep;

int pb__source_path(const char *src, size_t len, int line,
                    const pb__srcstep *path, size_t n);

/*
 * What a file's text names, for lint (docs/authoring.md, "Lint"): fn
 * gets each string literal (its contents as written, escapes and all)
 * and each `facts.NAME`, with what the tokens before it make of it, and
 * each `field = function (...) return false end` (or nil): the field's
 * name, at the line of `function`.  A guess from the text alone: a name kept in a variable is a
 * mention, wherever it is used.
 */
enum {
    PB__SRC_MENTION,   /* any other string literal */
    PB__SRC_TYPE_READ, /* case:has("t"), count, first, last, before,
                        * events, recent */
    PB__SRC_FACT_READ, /* case.facts.x, facts["x"], case:known("x") */
    PB__SRC_FIELD,     /* on, after, unless, emit, collects = "...":
                        * the loaded principle says these exactly */
    PB__SRC_USE,       /* use "name" */
    PB__SRC_FALSE_FN   /* field = function (...) return false end */
};

typedef void (*pb__srcname_fn)(void *ud, int kind, const char *s,
                               size_t len, int line);

void pb__source_names(const char *src, size_t len, pb__srcname_fn fn,
                      void *ud);

#endif
