/*
 * live_view.h -- what `playbook live` shows the agent (live_view.c).
 * The session (live.c) owns a live_view, keeps its fields current and
 * calls these to print; the view calls nothing of the session.
 */
#ifndef PB_LIVE_VIEW_H
#define PB_LIVE_VIEW_H

#include "cli.h"

typedef struct live_view {
    pb_engine *e;
    pb_casefile *cf;
    const char *path;       /* of the case file */
    FILE *out;
    int color, width;       /* cli_paint; the columns to fill */
    size_t nitems, nprinciples;
    pb_snapshot *before;    /* the case before the command */
    pb_change *changed;     /* what it changed, nitems long */
    int *applied;           /* principles that applied before it */
} live_view;

/* Sets v up for the principles of e; then, once v->cf is open,
 * view_open.  Each is 0 or -1 when out of memory; view_free frees what
 * they took, whether they got that far or not. */
int view_init(live_view *v, pb_engine *e);
int view_open(live_view *v);
void view_free(live_view *v);

const pb_case *view_case(const live_view *v);
void view_error(const live_view *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* What was there, then the checklist, when the session starts. */
void view_greeting(live_view *v, int created);
/* The checklist in short: one line per principle that applies, with
 * what is not done yet; then what to do next. */
void view_checklist(live_view *v);
/* Said after each command while events wait to be saved. */
void view_pending(live_view *v);

/* A command that records an event: view_before, then the append, then
 * view_saved with what pb_casefile_append (or _save) returned and the
 * counts from before it, view_due for its due time if any, and
 * view_changes to show what it changed. */
void view_before(live_view *v);
void view_saved(live_view *v, pb_status st, const pb_error *err,
                size_t pending_before, size_t nrec_before);
void view_due(live_view *v, const char *due);
void view_changes(live_view *v);

/* The events, numbered as undo takes them. */
void view_log(live_view *v);
/* The commands, or more about one (topic). */
void view_help(live_view *v, const char *topic);
/* After end or close: score, musts missed, violations, follow-ups, the
 * prompts that the end brought (before_close: the case just before
 * contact.ended or case.closed; NULL when an earlier session ended it)
 * and what the case stays open for. */
void view_summary(live_view *v, const pb_snapshot *before_close);

#endif
