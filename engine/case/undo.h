/*
 * undo.h -- the one rule for what an event.undone may take back, kept
 * by pb_case_check for every route that appends an event and by
 * pb_case_undo_event (playbook.h, "Undo").
 */
#ifndef PB_UNDO_H
#define PB_UNDO_H

#include "case.h"

/* Whether a recorded event.undone with these attributes may follow the
 * events of c: its ref names an earlier recorded event that is neither
 * an undo nor undone.  PB_OK with *event that event's index, or
 * PB_INPUT saying why, naming attrs.ref (*event is then c->nevents). */
pb_status pb__undo_check(const pb_case *c, const pb_attr *attrs,
                         size_t nattrs, size_t *event, pb_error *err);

#endif
