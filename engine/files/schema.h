/* schema.h -- the scenario schema built into the library (internal). */
#ifndef PB_SCHEMA_H
#define PB_SCHEMA_H

#include <stddef.h>

#include <libxml/tree.h>

#include "playbook.h"
#include "xmlread.h"

/*
 * scenarios/scenario.rng, byte for byte, followed by a NUL that the
 * length leaves out.  The Makefile generates the definition
 * ($(B)/gen/scenario_rng.c) with od, so the library needs no file at run
 * time; pb_schema_new (schema.c) compiles it.
 */
extern const unsigned char pb__scenario_rng[];
extern const size_t pb__scenario_rng_len;

/* Compiles a RELAX NG schema given as text, as pb_schema_new does with
 * the built-in one: without its pattern facets, which the reader checks
 * by hand (schema.c says why).  Errors name "scenario.rng". */
pb_status pb__schema_compile(const char *text, size_t len, pb_schema **out,
                             pb_error *err);

/*
 * The contract check of a scenario that passed the reader's own checks
 * (scenario.c): doc against schema, or against the built-in one
 * compiled for this document when schema is NULL.  PB_INPUT with the
 * first error that has a line, PB_NOMEM; errors go to r.
 */
pb_status pb__schema_validate(pb__xmlread *r, const pb_schema *schema,
                              xmlDocPtr doc);

#endif
