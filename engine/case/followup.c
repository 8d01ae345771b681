/*
 * followup.c -- a case's clock (when it started, a due phrase said in
 * it) and its follow-ups: its commitments (agent.committed)
 * and the checks it scheduled (followup.scheduled), with their due
 * times read and whether they are done, for every front end that lists
 * them (`playbook followups`, `live`; docs/agents.md).
 */
#include <stdlib.h>
#include <string.h>

#include "due.h"
#include "error.h"
#include "playbook.h"

/* A case's clock. */

double pb_case_started(const pb_case *c)
{
    const char *name, *value;
    double t;
    size_t i;

    for (i = 0; i < pb_case_ninitial(c); i++) {
        pb_case_initial(c, i, &name, &value);
        if (strcmp(name, "started_at") == 0)
            return pb__due_iso(value, &t) == 0 ? t : -1;
    }
    return -1;
}

int pb_fact_reserved(const char *name)
{
    return name != NULL && strcmp(name, "started_at") == 0;
}

pb_status pb_fact_check_initial(const char *name, const char *value,
                                double now, pb_error *err)
{
    double t;

    if (!pb_fact_reserved(name))
        return PB_OK;
    if (value == NULL || pb__due_iso(value, &t) != 0)
        return pb__error(err, PB_INPUT, "", 0, "fact '%s' must be an ISO "
                         "8601 time (2026-11-26T09:14:05Z)", name);
    /* The clock counts from it: events must fall in 0..PB_TIME_MAX. */
    if (t > now || now - t > PB_TIME_MAX)
        return pb__error(err, PB_INPUT, "", 0, "fact '%s' must be a time "
                         "in the past, at most %d years ago", name,
                         (int)(PB_TIME_MAX / (365.25 * 86400)));
    return PB_OK;
}

pb_status pb_fact_check_event(const char *type, const pb_attr *attrs,
                              size_t nattrs, pb_error *err)
{
    const char *name;

    if (type == NULL || strcmp(type, "fact") != 0)
        return PB_OK;
    name = pb_attr_value(attrs, nattrs, "name");
    if (!pb_fact_reserved(name))
        return PB_OK;
    return pb__error(err, PB_INPUT, "", 0, "fact '%s' is the engine's "
                     "own: it cannot be recorded", name);
}

pb_status pb_case_due(const pb_case *c, double t, const char *text,
                      double *out)
{
    double started = pb_case_started(c), a, b;

    if (started >= 0)
        return pb_due_parse(text, started + t, out);
    /* What reads the same from two bases far apart is absolute. */
    if (pb_due_parse(text, 0, &a) != PB_OK ||
        pb_due_parse(text, 400.0 * 86400, &b) != PB_OK || a != b)
        return PB_INPUT;
    *out = a;
    return PB_OK;
}

/* Follow-ups. */

pb_status pb_case_followups(const pb_case *c, double now, pb_followup **out,
                            size_t *n, pb_error *err)
{
    size_t i, ne = pb_case_nevents(c), cap = 0, done = 0;
    pb_followup *v = NULL, f;
    pb_event_info ev, later;

    *out = NULL;
    *n = 0;
    for (i = 0; i < ne; i++) {
        pb_case_event(c, i, &ev);
        if (strcmp(ev.type, "agent.committed") == 0)
            f.kind = PB_FOLLOWUP_COMMITMENT;
        else if (strcmp(ev.type, "followup.scheduled") == 0)
            f.kind = PB_FOLLOWUP_CHECK;
        else
            continue;
        if ((f.due_text = pb_attr_value(ev.attrs, ev.nattrs, "due")) == NULL)
            continue; /* not a dated promise: nothing to chase */
        f.event = i;
        f.done = 0;
        f.outcome = NULL;
        /* The first followup.done after it: `done` only moves forward,
         * so a case of many checks is read once, not once each. */
        if (done <= i)
            done = i + 1;
        for (; f.kind == PB_FOLLOWUP_CHECK && done < ne; done++) {
            pb_case_event(c, done, &later);
            if (strcmp(later.type, "followup.done") == 0) {
                f.done = 1;
                f.outcome = pb_attr_value(later.attrs, later.nattrs,
                                          "outcome");
                break;
            }
        }
        f.parsed = pb_case_due(c, ev.t, f.due_text, &f.due) == PB_OK;
        if (!f.parsed)
            f.due = 0;
        f.overdue = pb_followup_overdue(&f, now);
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            pb_followup *nv = realloc(v, ncap * sizeof *nv);

            if (nv == NULL) {
                free(v);
                return pb__error(err, PB_NOMEM, "", 0, "out of memory");
            }
            v = nv;
            cap = ncap;
        }
        v[(*n)++] = f;
    }
    if (*n == 0)
        free(v);
    else
        *out = v;
    return PB_OK;
}

int pb_followup_overdue(const pb_followup *f, double now)
{
    return f->parsed && !f->done && f->due < now;
}

int pb_followup_listed(const pb_followup *f, double before)
{
    return before < 0 || !f->parsed || (!f->done && f->due < before);
}

/* Overdue, then due, then unreadable. */
static int group(const pb_followup *f)
{
    return f->overdue ? 0 : f->parsed ? 1 : 2;
}

int pb_followup_order(const pb_followup *a, const pb_followup *b)
{
    if (group(a) != group(b))
        return group(a) - group(b);
    if (a->parsed && a->due != b->due)
        return a->due < b->due ? -1 : 1;
    return 0;
}
