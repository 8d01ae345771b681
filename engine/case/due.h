/*
 * due.h -- due times: reading them (pb_due_parse, playbook.h) and
 * finding them in what was said (internal).
 *
 * One grammar for every reader: the verbs (followups, live), the live
 * command parser, and principle code, which asks due.find instead of
 * keeping its own list of phrases (docs/authoring.md, "Due times").
 */
#ifndef PB_DUE_H
#define PB_DUE_H

#include <stddef.h>
#include <lua.h>

#include "budget.h"

/* What a due phrase names. */
typedef enum {
    PB__DUE_SPAN,    /* time from when it is said: "within 3-5 business
                      * days", "in 2h", "less than a week" */
    PB__DUE_END,     /* the end of a period: "end of the week", "eod" */
    PB__DUE_DAY,     /* today or tomorrow, maybe with a time */
    PB__DUE_WEEKDAY, /* "friday", "thursday evening" */
    PB__DUE_TIME,    /* a time today: "5pm", "noon", "tonight" */
    PB__DUE_DATE     /* ISO 8601 */
} pb__due_kind;

/* ISO 8601 (YYYY-MM-DD, then optionally T or a space and hh:mm[:ss[.f]],
 * then optionally Z or an offset) as seconds since the epoch; 0 ok, -1
 * not ISO 8601.  What started_at holds. */
int pb__due_iso(const char *s, double *out);

/* pb_due_parse, also saying what kind of phrase it read (kind may be
 * NULL). */
int pb__due_read(const char *text, double base, double *out,
                 pb__due_kind *kind);

#define PB__DUE_TEXT 128 /* a phrase's bytes, with its NUL */

typedef struct pb__due_found {
    size_t first, end;       /* the phrase's bytes in the text, "by" too */
    int by;                  /* "by" before it: a deadline */
    pb__due_kind kind;
    char text[PB__DUE_TEXT]; /* lower case, one space between words, no
                              * leading "by", "on", "at" or "the" */
} pb__due_found;

/*
 * The first due phrase in s[from..len): the longest run of words that
 * pb_due_parse reads, starting at a word that only a time starts with
 * ("tomorrow", "friday", "within", "5pm", ...; any word after "by").
 * Words are letters, digits and : + -; anything else but a space or a
 * tab ends a phrase.  1 found, 0 none, -1 when budget b (may be NULL)
 * ran out first.
 */
int pb__due_find(const char *s, size_t len, size_t from, pb__budget *b,
                 pb__due_found *out);

/* Pushes the read-only `due` table principle code gets (due.find),
 * charging its work to b. */
void pb__due_openlib(lua_State *L, pb__budget *b);

#endif
