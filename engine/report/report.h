/*
 * report.h -- what every report writer shares (internal): the colours
 * and marks of states, the words for expectations, a replay's changes
 * by event.  It calls no writer, so the writers depend on it and never
 * on each other (render.c picks one).
 */
#ifndef PB_REPORT_H
#define PB_REPORT_H

#include "playbook.h"

/* SGR escapes for text on a terminal (PB_RENDER_COLOR). */
#define PB__C_RESET "\033[0m"
#define PB__C_BOLD "\033[1m"
#define PB__C_DIM "\033[2m"
#define PB__C_RED "\033[31m"
#define PB__C_GREEN "\033[32m"
#define PB__C_YELLOW "\033[33m"
#define PB__C_CYAN "\033[36m"

/* "item", "score", "violation", "no-violation" or "next". */
const char *pb__expect_kind(pb_expect_kind k);
/* The first change of event ev (pb_replay_nchanges when none): the
 * changes are in event order, so an event's are found in O(log n), and
 * a report walks them all once, however many there are per event. */
size_t pb__first_change(const pb_replay *r, size_t ev);
/* The expectations of r that were met. */
size_t pb__met_count(const pb_replay *r);
/* Where the case stands, in words: "in a contact", "between contacts",
 * "closed at 05:10" or "closed itself at 1:05:10:00 (nothing left to
 * follow up)". */
void pb__case_state_text(const pb_case *c, char *buf, size_t size);
/* The events of c the detectors added. */
size_t pb__detected_count(const pb_case *c);
/* Why a detector added an event, short: `own.lua:42 words "look
 * into"`, `explain.lua:30 example "I have issued you a refund" 0.82`,
 * `own.lua:89` (the file without its folder, the match cut to about 60
 * characters); "" when there is none. */
void pb__evidence_text(const pb_evidence *e, char *buf, size_t size);

#endif
