/* import_json.h -- the reader of ABCD-style JSON transcripts (internal). */
#ifndef PB_IMPORT_JSON_H
#define PB_IMPORT_JSON_H

#include <stddef.h>

#include "convo.h"
#include "playbook.h"

/* The JSON at offset at of p's text (checked whole by pb_import_parse:
 * UTF-8, characters XML can carry, not empty) as conversations of
 * p->im.  PB_INPUT with the line and column or the conversation and
 * turn, PB_NOMEM. */
pb_status pb__import_json(pb__convo_parser *p, size_t at);

#endif
