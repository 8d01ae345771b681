/*
 * pattern.h -- Lua 5.4 patterns with a step budget.
 *
 * Stock string.find can backtrack for minutes on a pattern a team lead
 * wrote; this matcher has the same syntax and results but charges every
 * step to a pb__budget and gives up when it is spent.  It also matches
 * case-insensitively for detectors and case:said.
 */
#ifndef PB_PATTERN_H
#define PB_PATTERN_H

#include <stddef.h>
#include <lua.h>

#include "budget.h"

#define PB__MAXCAPTURES 32
#define PB__CAP_POSITION (-2) /* len of a position capture "()" */

enum { PB__ICASE = 1 };

typedef struct pb__match {
    size_t start, end; /* matched span [start, end) in the subject */
    int ncap;
    struct {
        size_t start;
        long len; /* PB__CAP_POSITION for "()" */
    } cap[PB__MAXCAPTURES];
} pb__match;

/*
 * Finds the first match of p in s at or after byte init.
 * Returns 1 found, 0 not found, -1 on error with *err set to a static
 * message ("malformed pattern (...)", "pattern too complex: step budget
 * exceeded", ...).
 */
int pb__pattern_find(const char *s, size_t ls, const char *p, size_t lp,
                     size_t init, int flags, pb__budget *b, pb__match *m,
                     const char **err);

/* Whether the matcher reads p as literal text, so that a plain search
 * gives the same answer. */
int pb__pattern_is_plain(const char *p, size_t lp);
/* Offset of the first p in s (bytes compared exactly), or -1. */
long pb__find_bytes(const char *s, size_t ls, const char *p, size_t lp);

/*
 * Sets find, match, gmatch and gsub, with stock semantics but bounded by
 * b, into the table on top of the stack.
 */
void pb__pattern_openlib(lua_State *L, pb__budget *b);

#endif
