/*
 * evaluate.h -- the principles' predicates into item states (internal).
 */
#ifndef PB_EVALUATE_H
#define PB_EVALUATE_H

#include "case.h"

/* Brings every item's state up to date with the case, asking again only
 * the predicates whose answers may have changed (c->changed). */
void pb__evaluate(pb_case *c);

#endif
