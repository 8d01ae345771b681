/*
 * render_timeline.h -- the HTML page's SVG timeline of one replay (internal).
 */
#ifndef PB_RENDER_TIMELINE_H
#define PB_RENDER_TIMELINE_H

#include "html.h"
#include "playbook.h"

void pb__render_timeline(pb__html *h, const pb_replay *r);

#endif
