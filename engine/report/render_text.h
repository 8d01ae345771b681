/*
 * render_text.h -- the checklist and replays as text, for people (internal).
 */
#ifndef PB_RENDER_TEXT_H
#define PB_RENDER_TEXT_H

#include <stdio.h>

#include "playbook.h"

/* Nothing returned: the caller checks the stream. */
void pb__render_text_replays(FILE *f, unsigned flags,
                             pb_replay *const *replays, size_t n);
void pb__render_text_checklist(FILE *f, unsigned flags, const pb_case *c);

#endif
