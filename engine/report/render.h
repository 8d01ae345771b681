/*
 * render.h -- the report writers, one per format (internal).  render.c
 * picks one for pb_render_replays and pb_render_checklist; they share
 * report.c and call no one back.  The JUnit writer puts the text
 * checklist in its <system-out>; the HTML page has its timeline drawn
 * by render_timeline.c.
 */
#ifndef PB_RENDER_H
#define PB_RENDER_H

#include <stdio.h>

#include "html.h"
#include "playbook.h"

/* Text and JSON: nothing returned, the caller checks the stream. */
void pb__render_text_replays(FILE *f, unsigned flags,
                             pb_replay *const *replays, size_t n);
void pb__render_text_checklist(FILE *f, unsigned flags, const pb_case *c);
void pb__render_json_replays(FILE *f, pb_replay *const *replays, size_t n);
void pb__render_json_checklist(FILE *f, const pb_case *c);

/* The XML formats.  PB_IO when a write fails. */
pb_status pb__render_junit(FILE *f, pb_replay *const *replays, size_t n);
pb_status pb__render_html(FILE *f, pb_replay *const *replays, size_t n);
pb_status pb__render_html_checklist(FILE *f, const pb_case *c);

/* The HTML page's timeline picture of r (render_timeline.c). */
void pb__render_timeline(pb__html *h, const pb_replay *r);

#endif
