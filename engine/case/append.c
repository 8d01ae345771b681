/*
 * append.c -- a case's life: made, fed one event at a time, freed.
 *
 * An event is checked whole before anything is stored (case.c), so a
 * rejected one leaves the case as it was; then the detectors read it
 * (detect.c) and the checklist is evaluated again (evaluate.c).
 */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "ascii.h"
#include "case.h"
#include "detect.h"
#include "error.h"
#include "evaluate.h"
#include "luacase.h"
#include "undo.h"

pb_case *pb_case_new(pb_engine *e, const char *topic, const char *channel,
                     pb_error *err)
{
    pb_case *c = pb__case_alloc(e, topic, channel);

    if (c == NULL || pb__engine_index_detectors(e) != 0 ||
        pb__luacase_new(c) != LUA_OK) {
        pb_case_free(c);
        pb__error(err, PB_NOMEM, "", 0, "out of memory");
        return NULL;
    }
    e->ncases++;
    pb__evaluate(c);
    return c;
}

void pb_case_free(pb_case *c)
{
    if (c == NULL)
        return;
    if (c->lua) {
        pb__luacase_free(c);
        c->e->ncases--;
    }
    pb__case_release(c);
}

pb_status pb_case_set_fact(pb_case *c, const char *name, const char *value,
                           pb_error *err)
{
    if (c->nevents > 0)
        return pb__error(err, PB_STATE, "", 0, "fact '%s': initial facts "
                         "must come before the first event", name);
    if (name == NULL || *name == '\0' || value == NULL)
        return pb__error(err, PB_INPUT, "", 0, "a fact needs a name and a "
                         "value");
    if (pb__case_set_initial(c, name, value) != PB_OK)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    pb__evaluate(c);
    return PB_OK;
}

/* Who handles the case (playbook.h): set like the initial facts,
 * before the first event. */
pb_status pb_case_set_agent(pb_case *c, const char *agent,
                            const char *team, pb_error *err)
{
    char *a = NULL, *t = NULL;

    if (c->nevents > 0)
        return pb__error(err, PB_STATE, "", 0, "the agent is set before "
                         "the first event");
    if ((agent && *agent == '\0') || (team && *team == '\0'))
        return pb__error(err, PB_INPUT, "", 0, "an empty agent or team");
    if ((agent && (a = strdup(agent)) == NULL) ||
        (team && (t = strdup(team)) == NULL)) {
        free(a);
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    }
    free(c->agent);
    free(c->team);
    c->agent = a;
    c->team = t;
    return PB_OK;
}

void pb_case_set_old_record(pb_case *c, int on)
{
    c->old_record = on;
}

/* Checks an event before anything is stored, so a rejected event leaves
 * the case as it was; *undoes is the index of the event an event.undone
 * takes back, else c->nevents.  The rules of the engine's own types are
 * here, where every route that appends an event passes. */
static pb_status check(const pb_case *c, double t, const char *type,
                       const char *text, const pb_attr *attrs,
                       size_t nattrs, size_t *undoes, pb_error *err)
{
    const char *ref, *name;
    pb_error ignored;
    pb_status st;
    char tb[32];
    size_t i;

    *undoes = c->nevents;

    if (c->closed && c->settled)
        return pb__error(err, PB_INPUT, "", 0, "the case closed itself at "
                         "%s (a contact ended with nothing left to follow "
                         "up); no event can follow",
                         pb_time_format(c->closed_at, tb, sizeof tb));
    if (c->closed)
        return pb__error(err, PB_INPUT, "", 0, "the case was closed at %s; "
                         "no event can follow case.closed",
                         pb_time_format(c->closed_at, tb, sizeof tb));
    if (type == NULL || *type == '\0')
        return pb__error(err, PB_INPUT, "", 0, "event without a type");
    if (!pb__is_type(type))
        return pb__error(err, PB_INPUT, "", 0, "bad event type '%s' (dotted "
                         "words of letters, digits, _ and -)", type);
    if (!pb__case_type_room(c, type))
        return pb__error(err, PB_INPUT, "", 0, "event type '%.64s' is one "
                         "too many for this case: it holds %d types at "
                         "most besides those the principles name", type,
                         PB__CASE_OWN_TYPES);
    /* known first: once the table is full, fitting walks it */
    if (pb__engine_type(c->e, type, 0) < 0 &&
        !pb__engine_type_fits(c->e, type))
        return pb__error(err, PB_INPUT, "", 0, "event type '%.64s' is one "
                         "too many: the cases open hold %d types or %u "
                         "bytes of their names at most", type,
                         PB__MAX_TYPES, PB__MAX_TYPE_BYTES);
    if (!(t >= 0 && t <= PB_TIME_MAX))
        return pb__error(err, PB_INPUT, "", 0, "bad time %g (0 to %g "
                         "seconds)", t, PB_TIME_MAX);
    if (c->nevents > 0 && t < c->events[c->nevents - 1].t)
        return pb__error(err, PB_INPUT, "", 0, "time goes backwards: %g "
                         "after %g", t, c->events[c->nevents - 1].t);
    if (text && strlen(text) > PB__MAX_TEXT)
        return pb__error(err, PB_INPUT, "", 0, "event text over %u bytes",
                         PB__MAX_TEXT);
    if (nattrs > PB_EVENT_MAX_ATTRS)
        return pb__error(err, PB_INPUT, "", 0, "event has %zu attributes "
                         "(at most %u)", nattrs, PB_EVENT_MAX_ATTRS);
    for (i = 0; i < nattrs; i++)
        if (attrs[i].name == NULL || attrs[i].value == NULL)
            return pb__error(err, PB_INPUT, "", 0, "attribute without a "
                             "name or value");
    if (strcmp(type, "fact") == 0) {
        name = pb_attr_value(attrs, nattrs, "name");
        if (name == NULL || *name == '\0')
            return pb__error(err, PB_INPUT, "", 0, "a fact event needs a "
                             "name attribute");
        if (pb__ascii_blank(text))
            return pb__error(err, PB_INPUT, "", 0, "fact '%s' has no value",
                             name);
    } else if (strcmp(type, "item.checked") == 0 ||
               strcmp(type, "item.skipped") == 0) {
        ref = pb_attr_value(attrs, nattrs, "ref");
        if (ref == NULL)
            return pb__error(err, PB_INPUT, "", 0, "%s needs a ref "
                             "attribute (principle.item)", type);
        if (pb_engine_find_item(c->e, ref) < 0)
            return pb__error(err, PB_INPUT, "", 0, "%s: unknown item '%s'",
                             type, ref);
        if (strcmp(type, "item.skipped") == 0 && pb__ascii_blank(text))
            return pb__error(err, PB_INPUT, "", 0, "item.skipped '%s' needs "
                             "a reason", ref);
    } else if (strcmp(type, "event.undone") == 0) {
        /* an old record's stray undo is kept, and takes nothing back */
        st = pb__undo_check(c, attrs, nattrs, undoes,
                            c->old_record ? &ignored : err);
        if (st != PB_OK && !c->old_record)
            return st;
    }
    return PB_OK;
}

pb_status pb_case_check(const pb_case *c, double t, const char *type,
                        const char *text, const pb_attr *attrs,
                        size_t nattrs, pb_error *err)
{
    size_t undoes;

    return check(c, t, type, text, attrs, nattrs, &undoes, err);
}

/* Whether an event.undone before ev[i] in its batch names its ref. */
static int undone_before(const pb_new_event *ev, size_t i)
{
    const char *ref = pb_attr_value(ev[i].attrs, ev[i].nattrs, "ref"), *r;
    size_t k;

    for (k = 0; k < i; k++)
        if (strcmp(ev[k].type, "event.undone") == 0 &&
            (r = pb_attr_value(ev[k].attrs, ev[k].nattrs, "ref")) != NULL &&
            ref != NULL && strcmp(r, ref) == 0)
            return 1;
    return 0;
}

pb_status pb_case_check_batch(const pb_case *c, double t,
                              const pb_new_event *ev, size_t n, size_t *at,
                              pb_error *err)
{
    size_t i, k, own = 0, names = 0, bytes = 0;
    pb_status st;

    for (i = 0; i < n; i++) {
        *at = i;
        if (i > 0 && strcmp(ev[i - 1].type, "case.closed") == 0)
            return pb__error(err, PB_INPUT, "", 0, "no event can follow "
                             "case.closed (the batch closes the case)");
        if ((st = pb_fact_check_event(ev[i].type, ev[i].attrs, ev[i].nattrs,
                                      err)) != PB_OK ||
            (st = pb_case_check(c, t, ev[i].type, ev[i].text, ev[i].attrs,
                                ev[i].nattrs, err)) != PB_OK)
            return st;
        for (k = 0; k < i && strcmp(ev[k].type, ev[i].type) != 0; k++)
            ;
        if (k < i && strcmp(ev[i].type, "event.undone") == 0 &&
            undone_before(ev, i))
            return pb__error(err, PB_INPUT, "", 0, "event.undone attrs.ref: "
                             "#%s is undone by an event before it in the "
                             "batch", pb_attr_value(ev[i].attrs,
                                                    ev[i].nattrs, "ref"));
        if (k < i)
            continue;           /* its room counted with the first */
        if (!pb__case_type_held(c, ev[i].type) &&
            pb__case_own_types(c) + ++own > PB__CASE_OWN_TYPES)
            return pb__error(err, PB_INPUT, "", 0, "event type '%.64s' is "
                             "one too many for this case with the types "
                             "before it in the batch: it holds %d types at "
                             "most besides those the principles name",
                             ev[i].type, PB__CASE_OWN_TYPES);
        if (pb__engine_type(c->e, ev[i].type, 0) >= 0)
            continue;
        names++;
        bytes += strlen(ev[i].type) + 1;
        /* one alone may take the place of a type no case holds */
        if (names > 1 && !pb__engine_types_fit(c->e, names, bytes))
            return pb__error(err, PB_INPUT, "", 0, "event type '%.64s' is "
                             "one too many with the new types before it in "
                             "the batch: the cases open hold %d types or %u "
                             "bytes of their names at most", ev[i].type,
                             PB__MAX_TYPES, PB__MAX_TYPE_BYTES);
    }
    return PB_OK;
}

/* Whether an item marked `later` is still open or waiting: the case
 * stays open for it after a contact (playbook.h, "Cases outlive a
 * call"). */
static int later_left(const pb_case *c)
{
    size_t i;

    for (i = 0; i < c->e->nitems; i++)
        if (c->e->items[i]->later) {
            pb_item_info it;

            pb_case_item(c, i, &it);
            if (it.state == PB_OPEN || it.state == PB_WAITING)
                return 1;
        }
    return 0;
}

pb_status pb_case_append(pb_case *c, double t, const char *type,
                         const char *text, const pb_attr *attrs,
                         size_t nattrs, pb_error *err)
{
    size_t undoes;
    pb_status st = check(c, t, type, text, attrs, nattrs, &undoes, err);
    int id;
    size_t ev;

    if (st != PB_OK)
        return st;
    id = pb__engine_type(c->e, type, 1);
    if (id < 0)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    ev = c->nevents;
    if (pb__case_push(c, t, id, text, attrs, nattrs, -1) != PB_OK)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    if (undoes < ev)
        c->events[undoes].undone = 1;
    pb__detect(c, ev);
    pb__evaluate(c);
    if (c->between && !c->closed && !later_left(c)) {
        c->closed = c->settled = 1;
        c->closed_at = t;
        pb__reads_type(&c->changed, PB__T_CLOSED);  /* for case.closed */
        pb__evaluate(c);
    }
    return PB_OK;
}

