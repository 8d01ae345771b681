/*
 * render_json.h -- the checklist and replays as JSON (fields:
 * docs/scenarios.md) (internal).
 */
#ifndef PB_RENDER_JSON_H
#define PB_RENDER_JSON_H

#include <stdio.h>

#include "playbook.h"

/* Nothing returned: the caller checks the stream. */
void pb__render_json_replays(FILE *f, pb_replay *const *replays, size_t n);
/* m: a memo to use and update, or NULL. */
void pb__render_json_checklist(FILE *f, const pb_case *c,
                               pb_render_memo *m);

#endif
