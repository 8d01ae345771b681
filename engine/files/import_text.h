/* import_text.h -- the reader of plain-text transcripts (internal). */
#ifndef PB_IMPORT_TEXT_H
#define PB_IMPORT_TEXT_H

#include "convo.h"
#include "playbook.h"

/* p's text (checked whole by pb_import_parse: UTF-8, characters XML can
 * carry, not empty) as one conversation of p->im.  PB_INPUT with the
 * line, PB_NOMEM. */
pb_status pb__import_text(pb__convo_parser *p);

#endif
