/* scenario.h -- what other files of the library may do to a pb_scenario
 * (internal). */
#ifndef PB_SCENARIO_H
#define PB_SCENARIO_H

#include <stddef.h>

#include "playbook.h"

/* The namespace of every element of a scenario file (docs/scenarios.md),
 * read by scenario.c and written by writer.c. */
#define PB__SCENARIO_NS "urn:playbook:scenario:1"

/*
 * Appends a copy of an event that is not in the file, such as one from
 * the case file's journal (casefile.c); its line is 0.  The caller has
 * checked it (pb_case_append took it).  PB_NOMEM, and s unchanged, when
 * a copy fails.
 */
pb_status pb__scenario_add_event(pb_scenario *s, double t, const char *type,
                                 const char *text, const pb_attr *attrs,
                                 size_t nattrs);

/* pb_scenario_read_with without following a symbolic link at path: a
 * case file, like its journal, is read only as the plain file it is
 * (casefile.c). */
pb_status pb__scenario_read_plain(const pb_schema *schema, const char *path,
                                  pb_scenario **out, pb_error *err);

#endif
