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

#endif
