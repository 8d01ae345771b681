/*
 * undo.c -- which events an undo takes back, and the event that undoes
 * one (playbook.h, "Undo"; docs/agents.md).
 *
 * An undo is a recorded event like any other, so the case file only
 * grows and a replay shows what was seen live; nothing here changes a
 * case.  Refs are read as "%zu" writes them: "07" or "7x" name nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "error.h"
#include "utf8.h"

#define UNDONE "event.undone"
#define SHOWN_TEXT 120 /* bytes of the undone event's text in the undo's */

/* The recorded event number, at most max, that event ev undoes, or 0
 * when it is no such undo (type: event.undone's id, -1 when none). */
static size_t undoes(const pb__event *ev, int type, size_t max)
{
    const char *ref;
    unsigned long long v;
    char *end;

    if (ev->detected_by >= 0 || ev->type != type ||
        (ref = pb_attr_value(ev->attrs, ev->nattrs, "ref")) == NULL ||
        ref[0] < '1' || ref[0] > '9')
        return 0;
    errno = 0;
    v = strtoull(ref, &end, 10);
    return *end == '\0' && errno == 0 && v <= max ? (size_t)v : 0;
}

void pb_case_undone(const pb_case *c, unsigned char *undone)
{
    int type = pb__engine_type(c->e, UNDONE, 0);
    size_t n = c->nevents, i, k;

    memset(undone, 0, n);
    if (type < 0)
        return;
    /* First by recorded number (k names undone[k - 1]: k <= n), then
     * spread to the events' indexes from the end, where the index of
     * recorded event k is never below k - 1, so nothing is overwritten
     * before it is read. */
    for (i = 0; i < n; i++)
        if ((k = undoes(&c->events[i], type, n)) > 0)
            undone[k - 1] = 1;
    for (i = n; i-- > 0;)
        undone[i] = (k = c->events[i].recorded) > 0 ? undone[k - 1] : 0;
}

pb_status pb_case_undo_event(const pb_case *c, size_t n, pb_undo *out,
                             pb_error *err)
{
    int type = pb__engine_type(c->e, UNDONE, 0);
    unsigned char *undone = malloc(c->nevents ? c->nevents : 1);
    const pb__event *ev = NULL;
    size_t i = 0, k = 0, nrec = c->nrecorded, len;
    pb_status st = PB_OK;

    if (undone == NULL)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    pb_case_undone(c, undone);
    if (n > nrec) {
        st = pb__error(err, PB_INPUT, "", 0, "no event #%zu: the case has "
                       "%zu recorded events", n, nrec);
    } else if (n == 0) {                /* the last one left to undo */
        for (i = c->nevents, k = nrec; i-- > 0;) {
            if (c->events[i].detected_by >= 0)
                continue;
            if (c->events[i].type != type && !undone[i])
                break;
            k--;
        }
        if (k == 0)
            st = pb__error(err, PB_INPUT, "", 0, "nothing to undo");
    } else {
        for (i = 0; k < n; i++)
            k += c->events[i].detected_by < 0;
        i--;
        if (c->events[i].type == type)
            st = pb__error(err, PB_INPUT, "", 0, "#%zu is itself an undo; "
                           "an undo cannot be undone", n);
        else if (undone[i])
            st = pb__error(err, PB_INPUT, "", 0, "#%zu is already undone",
                           n);
    }
    free(undone);
    if (st != PB_OK)
        return st;
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
