/*
 * budget.h -- the work a call into principle code may do.
 *
 * Lua's count hook measures VM instructions but never fires inside a C
 * function, so the C functions a principle can reach (pattern matching,
 * string building) charge their own work here.  The sandbox resets the
 * budget before each call and turns exhaustion into an error.
 */
#ifndef PB_BUDGET_H
#define PB_BUDGET_H

#include <stddef.h>

typedef struct pb__budget {
    size_t used, limit;
    int exhausted;
} pb__budget;

/* Charges n steps: 0 while within the budget, -1 once it is spent. */
static inline int pb__budget_charge(pb__budget *b, size_t n)
{
    if (b->exhausted)
        return -1;
    if (n > b->limit - b->used) {
        b->used = b->limit;
        b->exhausted = 1;
        return -1;
    }
    b->used += n;
    return 0;
}

#endif
