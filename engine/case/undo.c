/*
 * undo.c -- which events an undo takes back, and the event that undoes
 * one (playbook.h, "Undo"; docs/agents.md).
 *
 * An undo is a recorded event like any other, so the case file only
 * grows and a replay shows what was seen live; nothing here changes a
 * case.  Refs are read as "%zu" writes them: "07" or "7x" name nothing.
 *
 * The rule is one for every route (pb_case_check): an undo takes back
 * an earlier recorded event that is neither an undo nor undone, so no
 * event is born undone and none is taken back twice.  The events it
 * took back are marked as it is appended (append.c), so reading them
 * is one pass, and an undo read back from a record made before the
 * rule that breaks it takes back nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "error.h"
#include "undo.h"
#include "utf8.h"

#define UNDONE "event.undone"
#define SHOWN_TEXT 120 /* bytes of the undone event's text in the undo's */

/* The index of recorded event k (1 <= k <= c->nrecorded).  Each
 * detected event follows the recorded one it was found in, so the
 * recorded number of an index's event, or of the last recorded one
 * before it, only grows: a binary search. */
static size_t find_recorded(const pb_case *c, size_t k)
{
    size_t lo = k - 1, hi = c->nevents, mid, j;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        for (j = mid; j > 0 && c->events[j].recorded == 0; j--)
            ;
        if (c->events[j].recorded < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Recorded event n, if an undo may take it back (what both the undo
 * command and a raw event.undone are held to): its index, or PB_INPUT
 * with the reason after `what`. */
static pb_status target(const pb_case *c, unsigned long long n,
                        const char *what, size_t *event, pb_error *err)
{
    size_t i;

    *event = c->nevents;
    if (n == 0 || n > c->nrecorded)
        return pb__error(err, PB_INPUT, "", 0, "%sno event #%llu: the case "
                         "has %zu recorded events", what, n, c->nrecorded);
    i = find_recorded(c, (size_t)n);
    if (c->events[i].type == pb__engine_type(c->e, UNDONE, 0))
        return pb__error(err, PB_INPUT, "", 0, "%s#%llu is itself an undo; "
                         "an undo cannot be undone", what, n);
    if (c->events[i].undone)
        return pb__error(err, PB_INPUT, "", 0, "%s#%llu is already undone",
                         what, n);
    *event = i;
    return PB_OK;
}

pb_status pb__undo_check(const pb_case *c, const pb_attr *attrs,
                         size_t nattrs, size_t *event, pb_error *err)
{
    const char *ref = pb_attr_value(attrs, nattrs, "ref");
    unsigned long long v;
    char *end;

    *event = c->nevents;
    if (ref == NULL)
        return pb__error(err, PB_INPUT, "", 0, UNDONE " needs a ref "
                         "attribute (attrs.ref: the number of the recorded "
                         "event it takes back)");
    errno = 0;
    v = ref[0] >= '1' && ref[0] <= '9' ? strtoull(ref, &end, 10) : 0;
    if (v == 0 || *end != '\0' || errno != 0)
        return pb__error(err, PB_INPUT, "", 0, UNDONE " attrs.ref '%.32s' "
                         "is not an event number (1, 2, ...)", ref);
    return target(c, v, UNDONE " attrs.ref: ", event, err);
}

void pb_case_undone(const pb_case *c, unsigned char *undone)
{
    size_t i;

    for (i = 0; i < c->nevents; i++)
        undone[i] = c->events[i].undone;
}

pb_status pb_case_undo_event(const pb_case *c, size_t n, pb_undo *out,
                             pb_error *err)
{
    int type = pb__engine_type(c->e, UNDONE, 0);
    const pb__event *ev = NULL;
    size_t i, k = n, len;
    pb_status st;

    if (n == 0) {                       /* the last one left to undo */
        for (i = c->nevents; i-- > 0;) {
            ev = &c->events[i];
            if (ev->detected_by < 0 && ev->type != type && !ev->undone)
                break;
        }
        if (i == (size_t)-1)
            return pb__error(err, PB_INPUT, "", 0, "nothing to undo");
        k = ev->recorded;
    } else if ((st = target(c, n, "", &i, err)) != PB_OK) {
        return st;
    }
    ev = &c->events[i];
    out->ref = k;
    out->event = i;
    out->type = UNDONE;
    out->text = out->text_buf;
    out->attrs[0].name = "ref";
    out->attrs[0].value = out->ref_buf;
    out->nattrs = 1;
    snprintf(out->ref_buf, sizeof out->ref_buf, "%zu", k);
    len = ev->text ? strlen(ev->text) : 0;
    if (len > SHOWN_TEXT)
        len = pb__utf8_cut(ev->text, SHOWN_TEXT);
    snprintf(out->text_buf, sizeof out->text_buf, "%s%s%.*s",
             c->e->types[ev->type], ev->text ? ": " : "", (int)len,
             ev->text ? ev->text : "");
    out->text_buf[pb__utf8_cut(out->text_buf, strlen(out->text_buf))] = '\0';
    return PB_OK;
}
