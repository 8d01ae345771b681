/*
 * render_html.h -- replays and a checklist as one self-contained HTML page
 * (internal).
 */
#ifndef PB_RENDER_HTML_H
#define PB_RENDER_HTML_H

#include <stdio.h>

#include "playbook.h"

/* PB_IO when a write fails. */
pb_status pb__render_html(FILE *f, pb_replay *const *replays, size_t n);
pb_status pb__render_html_checklist(FILE *f, const pb_case *c);

#endif
