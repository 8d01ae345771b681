/*
 * checklist.h -- reading the checklist (internal).
 */
#ifndef PB_CHECKLIST_H
#define PB_CHECKLIST_H

#include "case.h"

/* The open item after prev in pb_case_next's order (PB__NONE: the
 * first), or PB__NONE: the list without a copy of it. */
size_t pb__case_next_after(const pb_case *c, size_t prev);

#endif
