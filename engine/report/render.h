/*
 * render.h -- what the report writers share (internal).  render.c holds
 * the text and JSON reports and the dispatch; render_junit.c and
 * render_html.c write the XML formats with the same wording.
 */
#ifndef PB_RENDER_H
#define PB_RENDER_H

#include <stdio.h>

#include "playbook.h"

/* What an expectation asks, in words: "listen.restate is done". */
void pb__expect_text(const pb_expect *x, char *buf, size_t size);
/* "item", "score", "violation", "no-violation" or "next". */
const char *pb__expect_kind(pb_expect_kind k);
/* The first change of event ev (pb_replay_nchanges when none): the
 * changes are in event order, so an event's are found in O(log n), and
 * a report walks them all once, however many there are per event. */
size_t pb__first_change(const pb_replay *r, size_t ev);
/* The text checklist (principles, items, next, violations, warnings,
 * score), without colour: what an agent sees. */
void pb__text_checklist(FILE *f, const pb_case *c);

/* The XML formats.  PB_IO when a write fails. */
pb_status pb__render_junit(FILE *f, pb_replay *const *replays, size_t n);
pb_status pb__render_html(FILE *f, pb_replay *const *replays, size_t n);
pb_status pb__render_html_checklist(FILE *f, const pb_case *c);

#endif
